"""The video masters: ffmpeg encoders per deliverable, fed raw display-encoded frames on stdin.

SDR is H.264 yuv420p for a BT.709 / BT.1886 (gamma 2.4) display; HDR10 is 10-bit HEVC Main10 in
ITU-R BT.2020 primaries with PQ (BT.2100), with SMPTE ST 2086 mastering-display and CTA-861.3
MaxCLL/MaxFALL metadata; ProRes 4444 keeps alpha (straight, as ProRes readers expect). R'G'B' →
Y'CbCr is zimg's (ffmpeg zscale), exact limited-range BT.709 / BT.2020-NCL. Frames stream through
the bounded writer of `stream.py` into ffmpeg's stdin, so memory does not grow with film length;
the output appears at its path only when complete (temp name, renamed on success). The ffmpeg
executable is always the caller's: this module never looks for one.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

from talos_assets.agents.mastering.colour import display_encode
from talos_assets.agents.mastering.content_light import ContentLight
from talos_assets.agents.mastering.curves import HDR_PEAK_NITS, REFERENCE_WHITE_NITS
from talos_assets.agents.mastering.deliverables import Deliverable
from talos_assets.agents.mastering.stream import Pump, WriterFailed, check_count, check_frame, frame_source

# The mastering display we claim in SMPTE ST 2086 metadata: a P3-D65 reference monitor (the usual
# HDR grading display). Our colours never leave Rec.709, which P3 contains.
MASTERING_PRIMARIES = {"r": (0.680, 0.320), "g": (0.265, 0.690), "b": (0.150, 0.060), "wp": (0.3127, 0.3290)}
MASTERING_MIN_NITS = 0.0001


def x265_hdr_params(peak_nits: float, max_cll: int, max_fall: int) -> str:
    # ST 2086 in x265 units: chromaticity × 50000, luminance × 10000 (cd/m²).
    def xy(key: str) -> str:
        x, y = MASTERING_PRIMARIES[key]
        return f"({round(x * 50000)},{round(y * 50000)})"

    md = (f"G{xy('g')}B{xy('b')}R{xy('r')}WP{xy('wp')}"
          f"L({round(peak_nits * 10000)},{round(MASTERING_MIN_NITS * 10000)})")
    return (f"hdr10=1:repeat-headers=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:"
            f"master-display={md}:max-cll={max_cll},{max_fall}:log-level=error")


def ffmpeg_argv(deliverable: Deliverable, ffmpeg_exe: str, width: int, height: int, rate: Fraction,
                audio_path: Path | None, frame_count: int | None, crf: int | None, preset: str | None,
                hdr_params: str | None, out: Path) -> list[str]:
    in_fmt = {Deliverable.SDR_H264: "rgb24", Deliverable.HDR10_HEVC: "rgb48le", Deliverable.PRORES_4444: "rgba64le"}[deliverable]
    fr = f"{rate.numerator}/{rate.denominator}"
    argv = [ffmpeg_exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", in_fmt, "-s", f"{width}x{height}", "-framerate", fr, "-i", "pipe:0"]
    if audio_path is not None:
        # "file:" keeps a name that starts with "-" or holds ":" from being read as an option/protocol.
        acodec = ["-c:a", "pcm_s24le"] if deliverable is Deliverable.PRORES_4444 else ["-c:a", "aac", "-b:a", "192k"]
        argv += ["-i", f"file:{audio_path}", "-map", "0:v:0", "-map", "1:a:0", "-af", "apad", *acodec]
        if frame_count is None:
            argv += ["-shortest"]  # padded audio ends with the picture
    else:
        argv += ["-map", "0:v:0"]
    # RGB -> Y'CbCr with the deliverable's own matrix, limited range; swscale would assume BT.601.
    # R'G'B' -> Y'CbCr with zimg (zscale): exact BT.2020-NCL / BT.709 matrices and limited-range
    # codes (64..940 at 10 bits). swscale measured ~0.4 % high on luma here (219·257 scaling), which
    # is +2.5 % in PQ nits at 650 nits. Chroma is sited left (H.264/HEVC default); 16 -> 10-bit
    # uses error diffusion so PQ gradients do not band. setparams then tags the frames themselves:
    # encoders take their VUI colour description from the frames, and raw RGB arrives untagged.
    if deliverable is Deliverable.HDR10_HEVC:
        matrix, tags = "2020_ncl", "color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc"
    else:
        matrix, tags = "709", "color_primaries=bt709:color_trc=bt709:colorspace=bt709"
    dither = "none" if deliverable is Deliverable.SDR_H264 else "error_diffusion"
    argv += ["-vf", f"zscale=m={matrix}:r=limited:c=left:d={dither},setparams=range=tv:{tags}"]
    if deliverable is Deliverable.SDR_H264:
        argv += ["-c:v", "libx264", "-preset", preset or "veryfast", "-crf", str(18 if crf is None else crf),
                 "-pix_fmt", "yuv420p", "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                 "-color_range", "tv", "-movflags", "+faststart", "-f", "mp4"]
    elif deliverable is Deliverable.HDR10_HEVC:
        argv += ["-c:v", "libx265", "-preset", preset or "fast", "-crf", str(18 if crf is None else crf),
                 "-pix_fmt", "yuv420p10le", "-profile:v", "main10", "-x265-params", hdr_params or "",
                 "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
                 "-color_range", "tv", "-tag:v", "hvc1", "-movflags", "+faststart", "-f", "mp4"]
    else:
        argv += ["-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le", "-alpha_bits", "16",
                 "-vendor", "apl0", "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                 "-color_range", "tv", "-f", "mov"]
    argv += ["-r", fr]
    if frame_count is not None:
        # -t takes decimal seconds; any frame with pts < t is kept, so six decimals never lose one.
        argv += ["-t", f"{frame_count / float(rate):.6f}"]
    argv += [str(out)]
    return argv


def _tail(errlog) -> str:
    errlog.flush()
    errlog.seek(0)
    lines = errlog.read().decode("utf-8", "replace").strip().splitlines()[-6:]
    return " | ".join(lines) or "(no message)"


def encode_video(
    frames,
    out_path: Path,
    deliverable: Deliverable,
    rate: Fraction,
    width: int,
    height: int,
    *,
    ffmpeg_exe: str,
    audio_path: Path | None = None,
    frame_count: int | None = None,
    crf: int | None = None,
    preset: str | None = None,
    hdr_params: str | None = None,
    peak_nits: float = HDR_PEAK_NITS,
    white_nits: float = REFERENCE_WHITE_NITS,
    measured: ContentLight | None = None,
    queue_depth: int = 3,
) -> None:
    """Encode scene-linear frames into the video master `out_path` with `ffmpeg_exe`.

    Raw frames (rgb24 for H.264, rgb48le for HEVC, rgba64le for ProRes) are piped to ffmpeg from a
    writer thread through a bounded queue; stderr goes to a temp file; output goes to a temp name in
    the same folder and is renamed on success. `measured`, when given, gathers the content light of
    the code values encoded. On any failure or KeyboardInterrupt ffmpeg is killed, the temp output
    removed, and the error re-raised; an older master at `out_path` is left untouched.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=".part" + (out_path.suffix or ".mp4"),
                                    dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    argv = ffmpeg_argv(deliverable, ffmpeg_exe, width, height, rate, audio_path, frame_count, crf, preset, hdr_params, tmp)
    proc = None
    pump = None
    # stderr goes to a file, not a pipe: a chatty ffmpeg can never block on a full pipe while we
    # are blocked writing its stdin.
    with tempfile.TemporaryFile() as errlog:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errlog)
            stdin = proc.stdin
            # The writer hands ffmpeg the array's own buffer (no bytes copy).
            pump = Pump(lambda code: stdin.write(memoryview(code).cast("B")), queue_depth)
            try:
                count = _feed(pump, frames, deliverable, width, height, peak_nits, white_nits, measured)
                pump.close()
                stdin.close()
            except WriterFailed:
                # ffmpeg stopped reading (it failed): its exit status and log say why.
                pump.abort()
                try:
                    stdin.close()
                except BrokenPipeError:
                    pass
                rc = proc.wait()
                raise RuntimeError(f"ffmpeg failed (exit {rc}) mastering {out_path.name}: {_tail(errlog)}") from None
            check_count(count, frame_count)
            rc = proc.wait()
            if rc != 0:
                raise RuntimeError(f"ffmpeg failed (exit {rc}) mastering {out_path.name}: {_tail(errlog)}")
            if tmp.stat().st_size == 0:
                raise RuntimeError(f"ffmpeg wrote nothing for {out_path.name}")
            os.replace(tmp, out_path)
        except BaseException:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            if pump is not None:
                pump.abort()
            tmp.unlink(missing_ok=True)
            raise


def _feed(pump: Pump, frames, deliverable: Deliverable, width: int, height: int, peak_nits: float,
          white_nits: float, measured: ContentLight | None) -> int:
    """Display-encode each frame on this thread and queue it for the writer; returns the count."""
    count = 0
    for frame in frame_source(frames):
        code = display_encode(check_frame(frame, width, height, count), deliverable, peak_nits, white_nits)
        if measured is not None:
            measured.update(code)
        pump.put(code)
        count += 1
    return count
