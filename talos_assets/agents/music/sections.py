"""Where a soundtrack's sections begin: peaks of Foote's (2000, "Automatic audio segmentation using a
measure of audio novelty") checkerboard-kernel novelty along a beat-synchronous self-similarity
matrix of harmony (chroma) and timbre (MFCC-like cepstra), at least two bars apart and moved onto
the nearest bar line.
"""

from __future__ import annotations

import numpy as np

# Cepstral distance (log10-power MFCC units) at which two beats' timbres count as ~1/e similar.
_TIMBRE_SCALE = 14.0
_ROWS = 64  # rows of the self-similarity matrix computed at a time


def foote_novelty(ssm: np.ndarray, half_width: int) -> np.ndarray:
    """Novelty curve of a self-similarity matrix (Foote 2000): correlation along the diagonal with a
    Gaussian-tapered checkerboard kernel (+1 within past and within future, -1 across them).

    Near the ends the kernel is cut to the part that lies inside the matrix and renormalised, so the
    start and end of the piece do not read as boundaries.
    """
    n = ssm.shape[0]
    L = max(1, int(half_width))
    off = np.arange(-L, L) + 0.5
    sign = np.sign(off)
    taper = np.exp(-0.5 * (off / (0.6 * L)) ** 2)  # broad: the kernel spans whole phrases
    kernel = np.outer(sign, sign) * np.outer(taper, taper)
    novelty = np.zeros(n)
    for i in range(1, n):
        # The boundary lies before beat i. Only symmetric support is fair, so near the ends the
        # kernel shrinks to the shorter side (at least half its width) and is renormalised.
        s = min(i, n - i, L)
        if s < max(2, L // 2):
            continue
        k = kernel[L - s : L + s, L - s : L + s]
        block = ssm[i - s : i + s, i - s : i + s]
        novelty[i] = float((k * block).sum() / np.abs(k).sum())
    return np.clip(novelty, 0.0, None)


def self_similarity(chroma_n: np.ndarray, mfcc_b: np.ndarray) -> np.ndarray:
    """(beats, beats) similarity: harmony (cosine of unit chroma) and timbre (Gaussian of the cepstral
    distance, on an absolute scale so a piece of one section does not have its small variations
    blown up into "changes")."""
    # distances a band of rows at a time: all pairs at once are (beats, beats, 12) floats, 140 MB for
    # a ten-minute film (the same numbers either way)
    timbre_d = np.empty((mfcc_b.shape[0], mfcc_b.shape[0]))
    for i in range(0, mfcc_b.shape[0], _ROWS):
        timbre_d[i : i + _ROWS] = np.linalg.norm(mfcc_b[i : i + _ROWS, None, :] - mfcc_b[None, :, :], axis=2)
    return 0.4 * (chroma_n @ chroma_n.T) + 0.6 * np.exp(-((timbre_d / _TIMBRE_SCALE) ** 2))


def section_starts(chroma_n: np.ndarray, mfcc_b: np.ndarray, beats: np.ndarray, downbeats: np.ndarray, meter: int,
                   period: float, threshold: float) -> list[float]:
    """Section start times (seconds, sorted, the audio start not listed): novelty peaks above
    `threshold`, strongest first, at least two bars apart, each on the nearest downbeat within half
    a bar."""
    # The kernel spans four bars each side: a whole phrase (a four-chord progression), so chord
    # changes inside a section average out and only changes of key or band stand out.
    novelty = foote_novelty(self_similarity(chroma_n, mfcc_b), 4 * meter)
    sections: list[float] = []
    if novelty.max() > 0:
        order = np.argsort(-novelty)
        taken: list[int] = []
        for i in order:
            if novelty[i] < threshold:
                break
            # The kernel's shoulders around a boundary are not new boundaries: two bars apart at least.
            if all(abs(int(i) - j) >= 2 * meter for j in taken):
                taken.append(int(i))
        for i in sorted(taken):
            t = beats[i]
            # A section starts on a bar line: the nearest downbeat within half a bar.
            near = downbeats[np.argmin(np.abs(downbeats - t))]
            sections.append(float(near if abs(near - t) <= 0.5 * meter * period + 1e-9 else t))
    return sorted(set(sections))
