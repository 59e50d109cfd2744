"""A look-ahead true-peak limiter and loudness normalisation for the film's mix: gain to a target
integrated loudness (BS.1770-4), then the smallest smooth gain reduction that keeps the 4x-oversampled
true peak under a ceiling (EBU R128 / streaming delivery: -14 LUFS, -1 dBTP).

The limiter works on short blocks: each block's required gain (ceiling / oversampled peak) is spread
with a minimum filter over its neighbours (look-ahead: the gain is already down when the peak
arrives), released with a one-pole curve and attacked with a backward pass of another, so the gain
never steps (no clicks); the sample gain interpolates between blocks and never exceeds what any
sample in reach needs. Gain and limiter alternate until the loudness settles. The block gains
(one number per 32 samples) are computed whole, the per-sample gain for any slice (`sample_gains`),
so `score_file` can limit a film's score a block at a time with the same numbers.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from talos_assets.agents.music.loudness import integrated_loudness, true_peak_per_sample

_BLOCK = 32  # samples per gain block (0.7 ms at 44.1 kHz)


def _decaying_max(depth: np.ndarray, keep: float) -> np.ndarray:
    """d[k] = max(depth[k], d[k-1] * keep), vectorised: in logs it is a running maximum of
    log depth[j] - j log keep, shifted back by k log keep."""
    with np.errstate(divide="ignore"):
        logs = np.log(depth)
    slope = np.log(keep) * np.arange(depth.size)
    return np.exp(np.maximum.accumulate(logs - slope) + slope)


def _smoothed(need: np.ndarray, attack: float, release: float) -> np.ndarray:
    """Block gains that never exceed `need`, rising at most by `release` and falling (seen backwards)
    at most by `attack` of the remaining distance to 1 per block (recursions on the reduction 1 - g)."""
    depth = _decaying_max(1.0 - need, 1.0 - release)  # release: recover slowly after a peak
    depth = _decaying_max(depth[::-1], 1.0 - attack)[::-1]  # attack: begin the reduction ahead of the peak
    return 1.0 - depth


def block_peaks(peaks: np.ndarray) -> np.ndarray:
    """The largest per-sample true peak of each `_BLOCK`-sample gain block (the last one zero-padded)."""
    blocks = -(-peaks.size // _BLOCK)
    padded = np.zeros(blocks * _BLOCK)
    padded[: peaks.size] = peaks
    return padded.reshape(blocks, _BLOCK).max(axis=1)


def limiter_block_gains(peak_blocks: np.ndarray, sr: int, ceiling_dbtp: float, lookahead_s: float = 0.003,
                        release_s: float = 0.08) -> np.ndarray:
    """One gain per `_BLOCK` samples from each block's true peak (a scaled signal: its peaks scaled)."""
    ceiling = 10.0 ** (ceiling_dbtp / 20.0)
    need = np.minimum(1.0, ceiling / np.maximum(peak_blocks, 1e-12))
    reach = max(1, int(round(lookahead_s * sr / _BLOCK)))
    need = ndimage.minimum_filter1d(need, size=2 * reach + 1, mode="nearest")
    per_block = lambda seconds: 1.0 - np.exp(-_BLOCK / (seconds * sr))  # noqa: E731
    return _smoothed(need, per_block(lookahead_s), per_block(release_s))


def sample_gains(gain_blocks: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The limiter's gain for samples `start`..`stop`, interpolated between block centres (any slice
    of the film gives the same numbers as the whole)."""
    # only the block centres around the slice: each sample interpolates between the same two
    lo = max(0, start // _BLOCK - 1)
    hi = min(gain_blocks.size, max(start, stop - 1) // _BLOCK + 2)
    centres = np.arange(lo, hi) * _BLOCK + _BLOCK / 2.0
    return np.interp(np.arange(start, stop), centres, gain_blocks[lo:hi])


def _limiter_gain(peaks: np.ndarray, sr: int, ceiling_dbtp: float, lookahead_s: float, release_s: float) -> np.ndarray:
    gain_blocks = limiter_block_gains(block_peaks(peaks), sr, ceiling_dbtp, lookahead_s, release_s)
    return sample_gains(gain_blocks, 0, peaks.size)


def true_peak_limit(audio: np.ndarray, sr: int, ceiling_dbtp: float = -1.0, lookahead_s: float = 0.003,
                    release_s: float = 0.08, peaks: np.ndarray | None = None) -> np.ndarray:
    """`audio` (n,) or (n, ch) with its true peak at most `ceiling_dbtp` (all channels share one gain).

    `peaks` may pass `audio`'s per-sample oversampled peaks when they are already known (a scaled
    signal has scaled peaks), saving the oversampling.
    """
    x = np.asarray(audio, dtype=np.float64)
    x2 = x[:, None] if x.ndim == 1 else x
    if x2.shape[0] == 0:
        return x.copy()
    gain = _limiter_gain(true_peak_per_sample(x2) if peaks is None else peaks, sr, ceiling_dbtp, lookahead_s, release_s)
    out = x2 * gain[:, None]
    return out[:, 0] if x.ndim == 1 else out


def normalize_mix(audio: np.ndarray, sr: int, target_lufs: float = -14.0, ceiling_dbtp: float = -1.0,
                  margin_db: float = 0.3, rounds: int = 6) -> np.ndarray:
    """Gain to `target_lufs` integrated with the true peak at most `ceiling_dbtp`, float32.

    The input is oversampled once: a gain scales its true peaks, and the limiter's gain never
    exceeds what each oversampled peak needs, so the output's true peak is under the limiter's aim
    (`margin_db` below the ceiling) up to the gain's slow change across the 12-sample interpolator,
    which the margin covers together with 16-bit rounding (the tests measure the output afresh).
    Limiting lowers loudness, so gain and limiter alternate until the loudness is within 0.05 LU
    of the target or `rounds` pass.
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.shape[0] == 0:
        return x.astype(np.float32)
    peaks = true_peak_per_sample(x)
    current = integrated_loudness(x, sr, method="bs1770")
    if not np.isfinite(current):
        return x.astype(np.float32)
    y, gain_db = x, 0.0
    for _ in range(rounds):
        gain_db += target_lufs - current
        scale = 10.0 ** (gain_db / 20.0)
        y = true_peak_limit(x * scale, sr, ceiling_dbtp - margin_db, peaks=peaks * scale)
        current = integrated_loudness(y, sr, method="bs1770")
        if abs(current - target_lufs) < 0.05:
            break
    return y.astype(np.float32)
