"""The soundtrack drawn as a waveform (peak per column) with its beats marked, for previews."""

from __future__ import annotations

import cv2
import numpy as np


def waveform_image(audio: np.ndarray, beats: list[float], sr: int, width: int = 640, height: int = 120) -> np.ndarray:
    img = np.full((height, width, 3), 250, np.uint8)
    cols = np.array_split(np.abs(audio), width)
    peaks = np.array([c.max() if c.size else 0.0 for c in cols])
    peaks = peaks / max(1e-6, peaks.max())
    for x, p in enumerate(peaks):
        half = int(p * (height / 2 - 4))
        cv2.line(img, (x, height // 2 - half), (x, height // 2 + half), (70, 90, 160), 1)
    duration = len(audio) / sr
    for t in beats:
        x = int(t / duration * (width - 1))
        cv2.line(img, (x, 0), (x, 8), (200, 40, 40), 1)
    return img
