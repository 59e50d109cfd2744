"""Subtitles of the film's dialogue: one cue per spoken line (a dual dialogue's two lines share one,
each after a dash), from its speech onset to a short hold after its last word (at least one second
on screen, never over the next cue), wrapped at 42 characters a line as broadcast subtitles are,
voice-overs in italics; written as SRT with pysubs2
and muxed into the MP4 as a soft `mov_text` track by ffmpeg (stream copy, temp file and rename).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import textwrap
from pathlib import Path

from pydantic import BaseModel

from talos_assets.agents.editing.mix import PlacedLine

_HOLD_S = 0.3  # a cue stays this long after the last word
_MIN_S = 1.0  # and on screen at least this long
_GAP_S = 0.04  # between two cues
_WIDTH = 42


class SubtitleCue(BaseModel):
    start_s: float
    end_s: float
    text: str
    speaker: str | None = None
    italic: bool = False


def _together(placed: list[PlacedLine]) -> list[list[PlacedLine]]:
    """Lines in onset order, those that overlap in time (a dual dialogue) grouped into one cue."""
    groups: list[list[PlacedLine]] = []
    for p in sorted(placed, key=lambda p: p.onset_s):
        if groups and p.onset_s < max(q.offset_s for q in groups[-1]):
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def subtitle_cues(placed: list[PlacedLine], film_seconds: float) -> list[SubtitleCue]:
    """One cue per line (two lines spoken at once share one, each after a dash), starting at the
    speech onset on the film's timeline."""
    groups = _together(placed)
    cues = []
    for k, group in enumerate(groups):
        start = max(0.0, min(p.onset_s for p in group))
        if start >= film_seconds:
            continue
        end = max(max(p.offset_s for p in group) + _HOLD_S, start + _MIN_S)
        if k + 1 < len(groups):
            end = min(end, max(start + 0.2, min(p.onset_s for p in groups[k + 1]) - _GAP_S))
        text = group[0].line.text if len(group) == 1 else "\n".join(f"- {p.line.text}" for p in group)
        cues.append(SubtitleCue(start_s=start, end_s=min(end, film_seconds), text=text,
                                speaker=" & ".join(p.line.speaker or "" for p in group).strip(" &") or None,
                                italic=all(p.line.off_screen for p in group)))
    return cues


def write_srt(cues: list[SubtitleCue], path: Path) -> Path:
    """The cues as an SRT file (UTF-8), written to a temp name and renamed."""
    import pysubs2

    subs = pysubs2.SSAFile()
    for cue in cues:
        text = r"\N".join(w for part in cue.text.split("\n") for w in textwrap.wrap(part, _WIDTH)) or cue.text
        if cue.italic:
            text = r"{\i1}" + text + r"{\i0}"
        subs.append(pysubs2.SSAEvent(start=int(round(cue.start_s * 1000)), end=int(round(cue.end_s * 1000)), text=text,
                                     name=cue.speaker or ""))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        subs.save(tmp, format_="srt", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def mux_subtitles(video: Path, srt: Path, ffmpeg_exe: str, language: str = "eng") -> Path:
    """Add `srt` to the MP4 `video` as a soft subtitle track (mov_text); picture and sound are copied."""
    video = Path(video)
    fd, tmp = tempfile.mkstemp(prefix=f".{video.stem}.", suffix=".mp4", dir=video.parent)
    os.close(fd)
    argv = [ffmpeg_exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-i", f"file:{video}", "-i", f"file:{srt}", "-map", "0", "-map", "1:0",
            "-c", "copy", "-c:s", "mov_text", "-metadata:s:s:0", f"language={language}",
            "-movflags", "+faststart", f"file:{tmp}"]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, check=False)
    if proc.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["ffmpeg failed"]
        raise RuntimeError(f"could not add subtitles to '{video.name}': {reason[0]}")
    os.replace(tmp, video)
    return video
