"""Anima mastering, the whole: scene-linear frames in, a finished master out (SDR H.264, HDR10 HEVC,
ProRes 4444 or an OpenEXR sequence), in four steps that each consume the last one's output: check
the request, settle the HDR10 content light the stream headers must carry (CTA-861.3), encode
(`encode.py` / `exr.py`), and read the master's facts back (`probe.py`). The ffmpeg executable is
a setting from the edge (the studio's `resources.ffmpeg`), never looked up here.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from talos_assets.agents.mastering.colour import display_encode
from talos_assets.agents.mastering.content_light import ContentLight
from talos_assets.agents.mastering.curves import HDR_PEAK_NITS, REFERENCE_WHITE_NITS
from talos_assets.agents.mastering.deliverables import Deliverable
from talos_assets.agents.mastering.encode import encode_video, x265_hdr_params
from talos_assets.agents.mastering.exr import write_exr_sequence
from talos_assets.agents.mastering.probe import MasterFacts, probe_master
from talos_assets.agents.mastering.stream import check_frame, frame_source


def master_film(
    frames: Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]],
    out_path: Path | str,
    deliverable: Deliverable | str = Deliverable.SDR_H264,
    fps: float | int | Fraction = 24,
    width: int = 1920,
    height: int = 1080,
    *,
    ffmpeg_exe: str | None,
    audio_path: Path | str | None = None,
    frame_count: int | None = None,
    peak_nits: float = HDR_PEAK_NITS,
    white_nits: float = REFERENCE_WHITE_NITS,
    content_light: tuple[int, int] | None = None,
    crf: int | None = None,
    preset: str | None = None,
    queue_depth: int = 3,
) -> MasterFacts:
    """Stream scene-linear frames into a finished master at `out_path`; nothing appears there unless
    the master is complete.

    `fps`: int, float or Fraction (Fraction(24000, 1001) for 23.976).
    `frames`: float32 (H, W, 3) linear Rec.709 (values above 1.0 are emissive light), or (H, W, 4)
    premultiplied RGBA; either an iterable consumed once, lazily, or a callable returning a fresh
    iterator. HDR10 needs MaxCLL/MaxFALL before the first frame is encoded: see `_signalled_light`.
    The values measured on the frames actually encoded are always reported in `measured_max_cll/fall`.

    `ffmpeg_exe`: the ffmpeg the video deliverables are encoded with (required; None only for the
    EXR sequence, which needs none). `audio_path` is muxed (AAC in MP4, 24-bit PCM in MOV), padded
    with silence and cut at the picture's end. `frame_count`, when known, fixes the duration
    exactly and is checked against the frames received. The EXR sequence is a folder of half-float
    files written the same way (temp folder, renamed at the end); it carries no audio. On any
    failure or KeyboardInterrupt the temp output is removed and the error re-raised; an older
    master at `out_path` is left untouched.
    """
    deliverable = Deliverable(deliverable)
    out_path = Path(out_path)
    width, height = int(width), int(height)
    rate = _fraction(fps)
    audio_path = _check_request(deliverable, width, height, frame_count, audio_path, ffmpeg_exe)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if deliverable is Deliverable.EXR_SEQUENCE:
        facts = write_exr_sequence(frames, out_path, width, height, rate, frame_count, queue_depth)
        facts.encode_seconds = round(time.perf_counter() - start, 3)
        return facts

    hdr_params = light_source = measured = None
    if deliverable is Deliverable.HDR10_HEVC:
        cll, fall, light_source = _signalled_light(frames, deliverable, width, height, peak_nits, white_nits,
                                                   content_light)
        hdr_params = x265_hdr_params(peak_nits, cll, fall)
        measured = ContentLight()
    encode_video(frames, out_path, deliverable, rate, width, height, ffmpeg_exe=ffmpeg_exe, audio_path=audio_path,
                 frame_count=frame_count, crf=crf, preset=preset, hdr_params=hdr_params, peak_nits=peak_nits,
                 white_nits=white_nits, measured=measured, queue_depth=queue_depth)
    facts = probe_master(out_path)
    facts.deliverable = deliverable.value
    facts.encode_seconds = round(time.perf_counter() - start, 3)
    if measured is not None:
        facts.content_light_source = light_source
        facts.measured_max_cll = round(measured.max_cll, 2)
        facts.measured_max_fall = round(measured.max_fall, 2)
    return facts


def _fraction(fps: float | int | Fraction) -> Fraction:
    f = Fraction(fps).limit_denominator(1001) if not isinstance(fps, Fraction) else fps
    if f <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    return f


def _check_request(deliverable: Deliverable, width: int, height: int, frame_count: int | None,
                   audio_path: Path | str | None, ffmpeg_exe: str | None) -> Path | None:
    """Refuse a master that cannot be made before anything is written; returns the audio path."""
    if width < 16 or height < 16 or max(width, height) > 4096 or min(width, height) > 2304:
        raise ValueError(f"{width}x{height} is outside 16x16 .. 4K (4096x2304)")
    if deliverable in (Deliverable.SDR_H264, Deliverable.HDR10_HEVC) and (width % 2 or height % 2):
        raise ValueError(f"4:2:0 video needs even width and height, got {width}x{height}")
    if frame_count is not None and frame_count <= 0:
        raise ValueError(f"frame_count must be positive, got {frame_count}")
    if audio_path is not None:
        if deliverable is Deliverable.EXR_SEQUENCE:
            raise ValueError("an EXR sequence carries no audio; master the sound with a video deliverable")
        audio_path = Path(audio_path)
        if not audio_path.is_file():
            raise FileNotFoundError(f"audio file {audio_path} does not exist")
    if deliverable is not Deliverable.EXR_SEQUENCE and not ffmpeg_exe:
        raise ValueError(f"a {deliverable.value} master is encoded by ffmpeg: pass ffmpeg_exe "
                         "(the caller's setting, e.g. resources.ffmpeg.FFmpegResource.exe())")
    return audio_path


def _signalled_light(frames, deliverable: Deliverable, width: int, height: int, peak_nits: float,
                     white_nits: float, content_light: tuple[int, int] | None) -> tuple[int, int, str]:
    """The CTA-861.3 MaxCLL/MaxFALL an HDR10 stream's headers carry, and where they came from.

    With `content_light=(max_cll, max_fall)` those are signalled as given; with a callable frame
    source the frames are first run through the same colour transform without encoding (exact
    statistics; costs one more pass of the frame source and of OCIO); with a one-shot iterable and
    no numbers the honest upper bound (peak, peak) is signalled.
    """
    if content_light is not None:
        cll, fall = (int(v) for v in content_light)
        return cll, fall, "given"
    if callable(frames):
        pre = ContentLight()
        for i, frame in enumerate(frame_source(frames)):
            pre.update(display_encode(check_frame(frame, width, height, i), deliverable, peak_nits, white_nits))
        cll, fall = pre.signalled()
        return cll, fall, "pre-pass"
    cll = fall = int(math.ceil(peak_nits))
    return cll, fall, "upper-bound"
