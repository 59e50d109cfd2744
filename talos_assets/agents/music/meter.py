"""Meter (3 or 4 beats to the bar) and downbeats from beat-synchronous accents: low-frequency energy
at the beat (kick and bass), harmonic change (chroma distance to the previous beat: chords change on
bar lines) and onset strength, z-scored and summed; the bar phase whose beats carry the most accent
wins. A simple accent-contrast reading of how players mark a bar, not a learned downbeat tracker.
"""

from __future__ import annotations

import numpy as np
from scipy import signal


def _zscore(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / sd if sd > 1e-12 else np.zeros_like(v)


_ENERGY_BLOCK = 1 << 18  # samples low-passed at a time (6 s at 44.1 kHz)


def _low_energy_upto(x, sr: int, idx: np.ndarray) -> np.ndarray:
    """For each index i: the energy under 150 Hz of the first i samples of `x` (0 for i = 0), read
    block by block (filter state and running sum carried, so the numbers are the whole signal's)."""
    sos = signal.butter(4, 150.0, fs=sr, output="sos")
    zi = np.zeros((sos.shape[0], 2))
    out = np.zeros(idx.size)
    order = np.argsort(idx, kind="stable")
    k, total = 0, 0.0
    for start in range(0, x.size, _ENERGY_BLOCK):
        block = np.asarray(x[start : start + _ENERGY_BLOCK], dtype=np.float64)
        low, zi = signal.sosfilt(sos, block, zi=zi)
        # a cumulative sum started from the running total: the same additions, in the same order
        running = np.cumsum(np.concatenate([[total], np.square(low)]))
        stop = start + block.size
        while k < order.size and idx[order[k]] <= stop:
            i = idx[order[k]]
            out[order[k]] = running[i - start] if i > 0 else 0.0
            k += 1
        total = running[-1]
    return out


def bar_accent(x: np.ndarray, sr: int, beats: np.ndarray, period: float, chroma_n: np.ndarray, env: np.ndarray,
               frame_period: float) -> np.ndarray:
    """Per-beat accent: z-scored low-frequency energy under 150 Hz just after the beat, harmonic
    change (`chroma_n`: unit chroma per beat) and, at half weight, the onset envelope's peak."""
    lo_idx = np.clip(np.round((beats - 0.02) * sr).astype(int), 0, x.size)
    hi_idx = np.clip(np.round((beats + min(0.15, 0.5 * period)) * sr).astype(int), 0, x.size)
    upto = _low_energy_upto(x, sr, np.concatenate([lo_idx, hi_idx]))
    lf = np.log10(1e-10 + (upto[lo_idx.size :] - upto[: lo_idx.size]) / np.maximum(hi_idx - lo_idx, 1))
    harm = np.concatenate([[0.0], 1.0 - np.sum(chroma_n[1:] * chroma_n[:-1], axis=1)])
    harm[0] = np.median(harm[1:])
    env_idx = np.clip(np.round(beats / frame_period).astype(int), 0, env.size - 1)
    onset = np.array([env[max(0, i - 2) : i + 3].max() for i in env_idx])
    return _zscore(lf) + _zscore(harm) + 0.5 * _zscore(onset)


def estimate_meter(accent: np.ndarray, meters: tuple[int, ...] = (4, 3)) -> tuple[int, int]:
    """(beats per bar, index of the first downbeat) from a per-beat accent strength.

    For every meter M and phase p the accent of beats p, p+M, p+2M... is compared with that of the
    other beats (difference of means); the bar is the (M, p) with the strongest contrast. A duple
    accent pattern also favours 4 over 3, the common case. Ties go to the first meter listed (4).
    """
    best = (meters[0], 0)
    best_score = -np.inf
    for m in meters:
        if accent.size < 2 * m:
            continue
        for p in range(m):
            sel = (np.arange(accent.size) - p) % m == 0
            score = accent[sel].mean() - accent[~sel].mean()
            if score > best_score + 1e-9:
                best, best_score = (m, p), score
    return best
