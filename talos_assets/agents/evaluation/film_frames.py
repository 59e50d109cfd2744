"""The delivered film as Echo sees it: decoded with PyAV and downscaled (flicker is a low-frequency
measure, so 320 px wide keeps memory and time small)."""

from __future__ import annotations

from pathlib import Path

import av
import cv2


def decoded_film_frames(path: Path, width: int = 320):
    """Yield the film's frames as RGB8, `width` pixels wide."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            h = int(round(rgb.shape[0] * width / rgb.shape[1]))
            yield cv2.resize(rgb, (width, h), interpolation=cv2.INTER_AREA)
