"""FFmpeg: the binary on PATH when there is one, else the static build shipped by imageio-ffmpeg.
Callers run it with argv lists only."""

from __future__ import annotations

import shutil

import dagster as dg


def find_ffmpeg(preferred: str | None = None) -> str:
    if preferred:
        found = shutil.which(preferred)
        if found:
            return found
        raise FileNotFoundError(f"ffmpeg binary '{preferred}' was not found; fix the path or leave it unset")
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


class FFmpegResource(dg.ConfigurableResource):
    """`binary`: an explicit ffmpeg path; empty means PATH, then imageio-ffmpeg."""

    binary: str = ""

    def exe(self) -> str:
        return find_ffmpeg(self.binary or None)
