"""Numbered frame sequences on disk: the one frame-naming convention of the studio."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel


FRAME_DIGITS = 4
_FRAME_FILE_RE = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")


def frame_name(index: int, prefix: str = "f", suffix: str = ".exr", padding: int = FRAME_DIGITS) -> str:
    """The one frame-naming convention of the studio: prefix + zero-padded frame number + suffix."""
    return f"{prefix}{index:0{padding}d}{suffix}"


class FrameSequence(BaseModel):
    """A numbered frame sequence in one folder (OpenTimelineIO's ImageSequenceReference, on disk).

    Every stage writes and reads its frames through one of these; the frame number is the shot's
    frame index (handles included), so `path(f)` is frame f of the shot.
    """

    folder: Path
    prefix: str = "f"
    suffix: str = ".exr"
    padding: int = FRAME_DIGITS
    start_frame: int = 0
    count: int = 0

    def name(self, index: int) -> str:
        return frame_name(index, self.prefix, self.suffix, self.padding)

    def path(self, index: int) -> Path:
        return self.folder / self.name(index)

    def paths(self) -> list[Path]:
        return [self.path(i) for i in range(self.start_frame, self.start_frame + self.count)]

    def on_disk(self) -> list[Path]:
        """The files of this naming pattern that exist now, in frame order."""
        pattern = f"{self.prefix}{'[0-9]' * self.padding}{self.suffix}"
        return sorted(self.folder.glob(pattern)) if self.folder.is_dir() else []

    def found(self) -> "FrameSequence":
        """This pattern with start and count read from the files on disk (one contiguous run)."""
        files = self.on_disk()
        if not files:
            return self.model_copy(update={"count": 0})
        return FrameSequence.describe(files)

    @classmethod
    def describe(cls, files: list[Path]) -> "FrameSequence":
        """Read the naming pattern of frame files; they must be one contiguous sequence in one folder."""
        if not files:
            raise ValueError("a shot has no rendered frames")
        paths = [Path(f) for f in files]
        first = _FRAME_FILE_RE.match(paths[0].name)
        if not first:
            raise ValueError(f"frame file '{paths[0].name}' does not end in a frame number and extension")
        prefix, suffix = first["prefix"], first["suffix"]
        padding = len(first["number"])
        start = int(first["number"])
        for i, p in enumerate(paths):
            m = _FRAME_FILE_RE.match(p.name)
            if (
                not m
                or p.parent != paths[0].parent
                or m["prefix"] != prefix
                or m["suffix"] != suffix
                or int(m["number"]) != start + i
                or len(m["number"]) != padding
            ):
                raise ValueError(f"frame '{p}' breaks the sequence {prefix}{'#' * padding}{suffix} starting at {start}")
        return cls(folder=paths[0].parent.resolve(), prefix=prefix, suffix=suffix, padding=padding, start_frame=start,
                   count=len(paths))
