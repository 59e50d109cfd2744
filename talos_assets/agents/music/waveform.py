"""The soundtrack drawn as a waveform (peak per column) with its beats marked, for previews; the
column peaks can also be gathered block by block (`ColumnPeaks`) while a long mix is written."""

from __future__ import annotations

import cv2
import numpy as np


def _column_edges(n: int, width: int) -> np.ndarray:
    # the columns `np.array_split` would make: the first n % width one sample longer
    sizes = np.full(width, n // width)
    sizes[: n % width] += 1
    return np.concatenate([[0], np.cumsum(sizes)])


class ColumnPeaks:
    """The peak |sample| of each of `width` columns of an `n`-sample signal, fed in consecutive blocks."""

    def __init__(self, n: int, width: int = 640) -> None:
        self.n, self.edges, self.at = n, _column_edges(n, width), 0
        self.peaks = np.zeros(width)

    def feed(self, block: np.ndarray) -> None:
        a, b = self.at, self.at + len(block)
        first = max(0, int(np.searchsorted(self.edges, a, side="right")) - 1)
        for col in range(first, self.peaks.size):
            lo, hi = max(a, self.edges[col]), min(b, self.edges[col + 1])
            if lo >= b:
                break
            if hi > lo:
                self.peaks[col] = max(self.peaks[col], float(np.abs(block[lo - a : hi - a]).max()))
        self.at = b


def draw_waveform(peaks: np.ndarray, beats: list[float], duration: float, height: int = 120) -> np.ndarray:
    """Columns of `peaks` drawn as a waveform, `beats` (seconds of `duration`) marked along the top."""
    width = peaks.size
    img = np.full((height, width, 3), 250, np.uint8)
    peaks = peaks / max(1e-6, peaks.max())
    for x, p in enumerate(peaks):
        half = int(p * (height / 2 - 4))
        cv2.line(img, (x, height // 2 - half), (x, height // 2 + half), (70, 90, 160), 1)
    for t in beats:
        x = int(t / duration * (width - 1))
        cv2.line(img, (x, 0), (x, 8), (200, 40, 40), 1)
    return img


def waveform_image(audio, beats: list[float], sr: int, width: int = 640, height: int = 120) -> np.ndarray:
    """`audio`: a 1-D array or an `audio_io.SampleFile` (read one column's slice at a time)."""
    n = len(audio)
    edges = _column_edges(n, width)
    peaks = np.array([float(np.abs(audio[a:b]).max()) if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])])
    return draw_waveform(peaks, beats, n / sr, height)
