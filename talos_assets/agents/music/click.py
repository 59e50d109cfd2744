"""A metronome for testing ears: 1 kHz blips on a tempo grid over white noise, with the click times
as ground truth for the beat tracker (`analysis.track_beats`) and its benchmark.
"""

from __future__ import annotations

import numpy as np


def click_track(bpm: float, seconds: float = 16.0, start: float = 0.37, noise: float = 0.05, seed: int = 0,
                sr: int = 44100) -> tuple[np.ndarray, np.ndarray]:
    """A metronome: 1 kHz blips (peak 0.5) at `bpm` from `start` over white noise of standard deviation
    `noise`; returns float32 audio and the click times (ground truth for the beat tracker)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    audio = noise * rng.standard_normal(n)
    times = np.arange(start, seconds - 0.1, 60.0 / bpm)
    tt = np.arange(int(0.02 * sr)) / sr
    blip = 0.5 * np.sin(2 * np.pi * 1000.0 * tt) * np.exp(-tt / 0.005)
    for t in times:
        i = int(round(t * sr))
        audio[i : i + blip.size] += blip[: n - i]
    return audio.astype(np.float32), times
