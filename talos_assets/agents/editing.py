"""Cuttura's edit: cuts conformed to the music's beats, an OpenTimelineIO timeline, the encoded film.

`conform_cuts` moves each planned cut onto the nearest beat of the score when the shot's rendered
handle frames allow it (a shot is rendered `handle_frames` longer than planned exactly so the edit
can breathe), and keeps the planned cut otherwise. `build_timeline` describes the edit as an
OpenTimelineIO timeline (image-sequence references to each shot's rendered frames, one audio clip)
that editors such as Resolve or Premiere can read through OTIO adapters. `encode_film` streams the
frames, one at a time, as raw RGB into ffmpeg (libx264, yuv420p, +faststart) with the score muxed as
AAC and cut to the picture's length, writing a temp file that is renamed only on success.
`probe_media` reads back what was written with PyAV (there is no ffprobe here).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import opentimelineio as otio
from pydantic import BaseModel

from talos_assets.agents import frames as framelib
from talos_assets.spec import BeatGrid, ClipCut, ShotPlan

# ---- conforming cuts to the beat --------------------------------------------------------------


def clip_frame_range(shot: ShotPlan) -> tuple[int, int]:
    """Shortest and longest clip (in source frames) a shot may become in the edit."""
    return max(1, shot.frames - shot.handle_frames), shot.frames + shot.handle_frames


def conform_cuts(shots: list[ShotPlan], beats: BeatGrid, fps: int) -> list[ClipCut]:
    """Snap each cumulative cut point (including the film's end) to a beat where the handles allow.

    Cuts are decided in order. For shot k the planned cut is the sum of planned frames up to and
    including k (measured from the film start, so adjustments never accumulate as drift). Beats are
    rounded to frames; among those that keep this clip within `clip_frame_range`, the one nearest
    the planned cut is taken. With no such beat the planned cut is kept, clamped into the range
    when an earlier snapped cut would otherwise push this clip outside it. Clips start at source
    frame 0 and sit back to back on the record side.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    beat_frames = np.unique(np.round(np.asarray(beats.beat_times, dtype=np.float64) * fps).astype(np.int64))
    beat_frames = beat_frames[beat_frames > 0]
    cuts: list[ClipCut] = []
    record = 0
    planned_end = 0
    for shot in shots:
        planned_end += shot.frames
        lo, hi = clip_frame_range(shot)
        length = None
        if beat_frames.size:
            lengths = beat_frames - record
            ok = (lengths >= lo) & (lengths <= hi)
            if np.any(ok):
                candidates = beat_frames[ok]
                nearest = candidates[np.argmin(np.abs(candidates - planned_end))]
                length = int(nearest - record)
        if length is None:
            length = int(np.clip(planned_end - record, lo, hi))
        cuts.append(
            ClipCut(shot_id=shot.shot_id, slot=shot.slot, source_start=0, source_frames=length, record_start=record)
        )
        record += length
    return cuts


def beat_sync_offsets(cuts: list[ClipCut], beats: BeatGrid, fps: int) -> list[float]:
    """For each cut's end, the distance in frames to the nearest beat (inf with no beats)."""
    beat_frames = np.asarray(beats.beat_times, dtype=np.float64) * fps
    out = []
    for cut in cuts:
        end = cut.record_start + cut.source_frames
        out.append(float(np.min(np.abs(beat_frames - end))) if beat_frames.size else float("inf"))
    return out


# ---- OpenTimelineIO ---------------------------------------------------------------------------

_FRAME_NAME = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")


class FrameSequence(BaseModel):
    """A numbered frame sequence on disk: folder/prefix + zero-padded number + suffix."""

    folder: Path
    prefix: str
    suffix: str
    padding: int
    start_frame: int
    count: int


def describe_sequence(files: list[Path]) -> FrameSequence:
    """Read the naming pattern of a shot's rendered frames; they must be one contiguous sequence."""
    if not files:
        raise ValueError("a shot has no rendered frames")
    paths = [Path(f) for f in files]
    first = _FRAME_NAME.match(paths[0].name)
    if not first:
        raise ValueError(f"frame file '{paths[0].name}' does not end in a frame number and extension")
    prefix, suffix = first["prefix"], first["suffix"]
    padding = len(first["number"])
    start = int(first["number"])
    for i, p in enumerate(paths):
        m = _FRAME_NAME.match(p.name)
        if (
            not m
            or p.parent != paths[0].parent
            or m["prefix"] != prefix
            or m["suffix"] != suffix
            or int(m["number"]) != start + i
            or len(m["number"]) != padding
        ):
            raise ValueError(f"frame '{p}' breaks the sequence {prefix}{'#' * padding}{suffix} starting at {start}")
    return FrameSequence(
        folder=paths[0].parent.resolve(), prefix=prefix, suffix=suffix, padding=padding, start_frame=start, count=len(paths)
    )


def _audio_duration_s(path: Path) -> float | None:
    try:
        facts = probe_media(path)
    except ValueError:
        return None
    return facts.duration_s


def build_timeline(
    film_id: str,
    cuts: list[ClipCut],
    shot_frame_files: dict[str, list[Path]],
    audio_path: Path | None,
    fps: int,
    width: int,
    height: int,
) -> otio.schema.Timeline:
    """The edit as an OTIO timeline: a video track of image-sequence clips and an audio track.

    Each clip references its shot's frame folder (`file://` URL ending in '/') through an
    ImageSequenceReference whose available range covers all rendered frames (handles included);
    the clip's source range is the cut. Talos facts (slot, record start, transition, resolution)
    ride along in `metadata["talos"]`.
    """
    rate = float(fps)
    timeline = otio.schema.Timeline(name=film_id)
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    timeline.metadata["talos"] = {"film_id": film_id, "fps": fps, "width": width, "height": height}
    video = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    for cut in cuts:
        if cut.slot not in shot_frame_files:
            raise ValueError(f"no rendered frames given for slot '{cut.slot}' (shot '{cut.shot_id}')")
        seq = describe_sequence(shot_frame_files[cut.slot])
        if cut.source_start + cut.source_frames > seq.count:
            raise ValueError(
                f"cut of shot '{cut.shot_id}' needs frames {cut.source_start}..{cut.source_start + cut.source_frames - 1} "
                f"but only {seq.count} were rendered"
            )
        ref = otio.schema.ImageSequenceReference(
            target_url_base=seq.folder.as_uri() + "/",
            name_prefix=seq.prefix,
            name_suffix=seq.suffix,
            start_frame=seq.start_frame,
            frame_step=1,
            rate=rate,
            frame_zero_padding=seq.padding,
            missing_frame_policy=otio.schema.ImageSequenceReference.MissingFramePolicy.error,
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(seq.count, rate)
            ),
        )
        clip = otio.schema.Clip(
            name=cut.shot_id,
            media_reference=ref,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(cut.source_start, rate), otio.opentime.RationalTime(cut.source_frames, rate)
            ),
        )
        clip.metadata["talos"] = {
            "slot": cut.slot,
            "record_start": cut.record_start,
            "transition": cut.transition,
            "width": width,
            "height": height,
        }
        video.append(clip)
    timeline.tracks.append(video)

    if audio_path is not None:
        audio_path = Path(audio_path).resolve()
        total = sum(c.source_frames for c in cuts)
        film_len = otio.opentime.RationalTime(total, rate)
        available = None
        seconds = _audio_duration_s(audio_path)
        if seconds is not None:
            available = otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(seconds * rate, rate)
            )
            # Music shorter than the picture: the clip ends with the music (silence after).
            if available.duration < film_len:
                film_len = available.duration
        sound = otio.schema.Track(name="score", kind=otio.schema.TrackKind.Audio)
        sound.append(
            otio.schema.Clip(
                name=audio_path.stem,
                media_reference=otio.schema.ExternalReference(target_url=audio_path.as_uri(), available_range=available),
                source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), film_len),
            )
        )
        timeline.tracks.append(sound)
    return timeline


def write_timeline(timeline: otio.schema.Timeline, path: Path) -> Path:
    """Write a timeline as .otio JSON through a temp file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.otio", dir=path.parent)
    os.close(fd)
    try:
        # The adapter is chosen by suffix, hence a temp name that still ends in .otio.
        otio.adapters.write_to_file(timeline, tmp, adapter_name="otio_json")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---- encoding ---------------------------------------------------------------------------------


def _frame_rgb8(path: Path, width: int, height: int) -> np.ndarray:
    # Through the studio's layer reader: 16-bit sRGB straight-alpha PNGs (and plain 8-bit ones)
    # come back as linear premultiplied, and are shown over black exactly as previews show them.
    rgb = framelib.to_display_rgb8(framelib.read_layer_png(path))
    if rgb.shape[:2] != (height, width):
        raise ValueError(f"frame {path} is {rgb.shape[1]}x{rgb.shape[0]}, the film is {width}x{height}")
    return np.ascontiguousarray(rgb)


def encode_film(
    cuts: list[ClipCut],
    shot_frame_files: dict[str, list[Path]],
    audio_path: Path | None,
    out_path: Path,
    ffmpeg_exe: str,
    fps: int,
    width: int,
    height: int,
    crf: int = 18,
) -> Path:
    """Encode the edit to H.264/AAC MP4 at `out_path`; the file appears only when complete.

    Frames are read and piped one at a time (memory bounded by one frame). The audio is padded
    with silence if short and cut at the picture's length, so the film ends with its last frame.
    On any failure the partial file is deleted and a RuntimeError (or the reading error) is raised;
    an older file at `out_path` is left untouched.
    """
    out_path = Path(out_path)
    total = sum(c.source_frames for c in cuts)
    if total <= 0:
        raise ValueError("the edit has no frames to encode")
    plan: list[tuple[ClipCut, list[Path]]] = []
    for cut in cuts:
        files = shot_frame_files.get(cut.slot)
        if files is None:
            raise ValueError(f"no rendered frames given for slot '{cut.slot}' (shot '{cut.shot_id}')")
        if cut.source_start < 0 or cut.source_start + cut.source_frames > len(files):
            raise ValueError(
                f"cut of shot '{cut.shot_id}' needs source frames {cut.source_start}.."
                f"{cut.source_start + cut.source_frames - 1}, only {len(files)} were rendered"
            )
        plan.append((cut, [Path(f) for f in files]))
    # -t takes decimal seconds; any frame with pts < t is kept, so six decimals never lose one.
    duration = f"{total / fps:.6f}"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=".part.mp4", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    argv = [
        ffmpeg_exe, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", str(fps), "-i", "pipe:0",
    ]  # fmt: skip
    if audio_path is not None:
        # "file:" keeps a name that starts with "-" or holds ":" from being read as an option/protocol.
        argv += ["-i", f"file:{audio_path}", "-map", "0:v:0", "-map", "1:a:0", "-af", "apad", "-c:a", "aac", "-b:a", "192k"]
    else:
        argv += ["-map", "0:v:0"]
    argv += [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", str(int(crf)), "-pix_fmt", "yuv420p",
        "-r", str(fps), "-t", duration, "-movflags", "+faststart", "-f", "mp4", str(tmp),
    ]  # fmt: skip
    # stderr goes to a file, not a pipe: a chatty ffmpeg can never block on a full pipe while we
    # are blocked writing its stdin.
    with tempfile.TemporaryFile() as errlog:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            try:
                for cut, files in plan:
                    for path in files[cut.source_start : cut.source_start + cut.source_frames]:
                        proc.stdin.write(_frame_rgb8(path, width, height).tobytes())
            except BrokenPipeError:
                pass  # ffmpeg quit early; its exit status and log say why
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
            rc = proc.wait()
            if rc != 0:
                errlog.seek(0)
                tail = errlog.read().decode("utf-8", "replace").strip().splitlines()[-5:]
                raise RuntimeError(f"ffmpeg failed (exit {rc}) encoding {out_path.name}: " + " | ".join(tail))
            if tmp.stat().st_size == 0:
                raise RuntimeError(f"ffmpeg wrote nothing for {out_path.name}")
            os.replace(tmp, out_path)
        except BaseException:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            tmp.unlink(missing_ok=True)
            raise
    return out_path


# ---- probing ----------------------------------------------------------------------------------


class MediaFacts(BaseModel):
    """What a media file holds, as read by PyAV."""

    duration_s: float
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    pix_fmt: str | None = None
    frame_count: int | None = None
    has_audio: bool = False
    audio_codec: str | None = None
    audio_sample_rate: int | None = None


def probe_media(path: Path) -> MediaFacts:
    """Stream facts of a video or audio file via PyAV; ValueError when it cannot be opened."""
    import av

    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"Could not open media file '{path}' ({exc}).") from exc
    with container:
        facts: dict = {"duration_s": 0.0}
        durations = []
        if container.duration is not None:
            durations.append(container.duration / av.time_base)
        if container.streams.video:
            vs = container.streams.video[0]
            cc = vs.codec_context
            facts.update(
                width=cc.width,
                height=cc.height,
                video_codec=cc.name,
                pix_fmt=cc.format.name if cc.format is not None else None,
                fps=float(vs.average_rate) if vs.average_rate else None,
            )
            count = vs.frames or 0
            if count == 0:
                # Containers without a frame count in the header: count packets (no decoding).
                count = sum(1 for pkt in container.demux(vs) if pkt.size)
            facts["frame_count"] = count
            if vs.duration is not None and vs.time_base is not None:
                # The picture's own duration: a film is as long as its frames, whatever the audio.
                durations = [float(vs.duration * vs.time_base)]
        if container.streams.audio:
            aus = container.streams.audio[0]
            facts.update(has_audio=True, audio_codec=aus.codec_context.name, audio_sample_rate=aus.codec_context.sample_rate)
            if not container.streams.video and aus.duration is not None and aus.time_base is not None:
                durations = [float(aus.duration * aus.time_base)]
        facts["duration_s"] = float(durations[0]) if durations else 0.0
    return MediaFacts(**facts)
