"""The loudness and true-peak measurements of `loudness.py`, fed a film's sound block by block: the
same K-weighting filter (its state carried from block to block), the same 100 ms hop energies and
BS.1770-4 gating, and the same 4x polyphase interpolator (its 31 samples of history carried), so a
score streamed in fixed-size blocks reads the numbers the whole signal would, while memory holds one
block and a few numbers per 100 ms (loudness) or per 32 samples (the limiter's block peaks).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from talos_assets.agents.music.limiter import _BLOCK
from talos_assets.agents.music.loudness import (
    _TP_DELAY,
    _TP_TAPS,
    gated_loudness,
    hop_block_energies,
    hop_energies,
    k_weighting_sos,
)


def _frames(x: np.ndarray, channels: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    if x.shape[1] != channels:
        raise ValueError(f"a block of {x.shape[1]} channels fed to a {channels}-channel meter")
    return x


class LoudnessMeter:
    """BS.1770-4 integrated loudness (`bs1770_loudness`'s number) of audio fed in blocks of any size."""

    def __init__(self, sr: int, channels: int) -> None:
        self.sr, self.channels = sr, channels
        self.block, self.step = int(round(0.4 * sr)), int(round(0.1 * sr))
        if self.block != 4 * self.step:
            raise ValueError(f"streamed loudness needs a sample rate whose 100 ms is whole samples, got {sr} Hz")
        self._sos = k_weighting_sos(sr)
        self._zi = np.zeros((self._sos.shape[0], 2, channels))
        self._rest = np.zeros((0, channels))  # filtered samples short of a whole hop
        self._hops: list[np.ndarray] = []
        self._head: list[np.ndarray] = []  # the first 400 ms, filtered: a shorter clip is one block
        self.samples = 0

    def feed(self, block: np.ndarray) -> None:
        x = _frames(block, self.channels)
        y, self._zi = signal.sosfilt(self._sos, x, axis=0, zi=self._zi)
        if self.samples < self.block:
            self._head.append(y[: self.block - self.samples])
        self.samples += y.shape[0]
        y = np.concatenate([self._rest, y]) if self._rest.shape[0] else y
        m = y.shape[0] // self.step
        if m:
            self._hops.append(hop_energies(np.ascontiguousarray(y[: m * self.step]), self.step))
        self._rest = y[m * self.step :].copy()

    def lufs(self) -> float:
        """Integrated loudness of everything fed so far; -inf for silence (or nothing)."""
        if self.samples == 0:
            return float("-inf")
        if self.samples < self.block:
            y = np.concatenate(self._head)
            return gated_loudness(np.mean(y**2, axis=0)[None, :])
        return gated_loudness(hop_block_energies(np.concatenate(self._hops), self.block))


class TruePeakMeter:
    """`true_peak_per_sample` fed in blocks: `feed` returns the peaks of the samples it can finish
    (the interpolator looks `_TP_DELAY` samples ahead), `finish` the rest; every sample once, in order."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self._phases = [_TP_TAPS[p::4].astype(np.float32) for p in range(4)]
        self._history = np.zeros((self._phases[0].size - 1, channels), np.float32)
        self._pending = np.zeros(0, np.float32)  # |x| peaks of samples whose interpolation is not done
        self._skip = _TP_DELAY  # the first outputs belong to samples before the start
        self.peak = 0.0

    def feed(self, block: np.ndarray) -> np.ndarray:
        x = _frames(block, self.channels)
        peak = np.concatenate([self._pending, np.abs(x).max(axis=1).astype(np.float32)])
        ext = np.concatenate([self._history, x.astype(np.float32)])
        self._history = ext[ext.shape[0] - self._history.shape[0] :]
        return self._interpolated(ext, peak)

    def finish(self) -> np.ndarray:
        """The last `_TP_DELAY` samples' peaks (the interpolator runs on into silence)."""
        ext = np.concatenate([self._history, np.zeros((_TP_DELAY, self.channels), np.float32)])
        return self._interpolated(ext, self._pending)

    def _interpolated(self, ext: np.ndarray, peak: np.ndarray) -> np.ndarray:
        fed = ext.shape[0] - self._history.shape[0]
        done = min(max(0, fed - self._skip), peak.size)  # samples whose interpolation is now complete
        out = peak[:done].copy()
        if done:
            for c in range(self.channels):
                channel = np.ascontiguousarray(ext[:, c])
                for h in self._phases:
                    np.maximum(out, np.abs(np.convolve(channel, h, "valid")[self._skip : self._skip + done]), out=out)
        self._skip = max(0, self._skip - fed)
        self._pending = peak[done:]
        if out.size:
            self.peak = max(self.peak, float(out.max()))
        return out.astype(np.float64)


class BlockPeaks:
    """The largest per-sample true peak of each `_BLOCK`-sample limiter block (`limiter.block_peaks`), streamed."""

    def __init__(self) -> None:
        self._rest = np.zeros(0)
        self._blocks: list[np.ndarray] = []

    def feed(self, peaks: np.ndarray) -> None:
        p = np.concatenate([self._rest, peaks])
        m = p.size // _BLOCK
        if m:
            self._blocks.append(p[: m * _BLOCK].reshape(m, _BLOCK).max(axis=1))
        self._rest = p[m * _BLOCK :]

    def result(self) -> np.ndarray:
        tail = [np.array([self._rest.max()])] if self._rest.size else []
        return np.concatenate(self._blocks + tail) if self._blocks or tail else np.zeros(0)


class PyloudnormMeter:
    """pyloudnorm's `Meter(sr).integrated_loudness` (the studio's reference reading) fed in blocks: its
    two K-weighting stages run with their state carried, each 400 ms block's mean square is taken as
    soon as the block is complete, and its gating runs on those numbers; memory holds one block."""

    def __init__(self, sr: int, channels: int) -> None:
        import pyloudnorm

        meter = pyloudnorm.Meter(int(sr))
        self.sr, self.channels, self.samples = sr, channels, 0
        self._stages = [(f.b, f.a, f.passband_gain) for f in meter._filters.values()]
        self._zi = [[np.zeros(max(len(b), len(a)) - 1) for _ in range(channels)] for b, a, _ in self._stages]
        self._t_g, self._step = meter.block_size, 1.0 - meter.overlap
        self._buf, self._buf_start = np.zeros((0, channels)), 0
        self._z: list[np.ndarray] = []  # per complete block: mean square per channel

    def _bounds(self, j: int) -> tuple[int, int]:
        return int(self._t_g * (j * self._step) * self.sr), int(self._t_g * (j * self._step + 1) * self.sr)

    def feed(self, block: np.ndarray) -> None:
        y = np.array(_frames(block, self.channels), dtype=np.float64)
        for k, (b, a, gain) in enumerate(self._stages):
            for c in range(self.channels):
                out, self._zi[k][c] = signal.lfilter(b, a, y[:, c], zi=self._zi[k][c])
                y[:, c] = gain * out
        self.samples += y.shape[0]
        self._buf = np.concatenate([self._buf, y])
        self._blocks(self.samples)

    def _blocks(self, limit: int, until: int | None = None) -> None:
        """Mean squares of the blocks whose end is within the samples fed (all blocks before `until`)."""
        while True:
            j = len(self._z)
            lo, hi = self._bounds(j)
            if (until is None and hi > limit) or (until is not None and j >= until):
                break
            part = self._buf[lo - self._buf_start : min(hi, limit) - self._buf_start]
            self._z.append(np.array([(1.0 / (self._t_g * self.sr)) * np.sum(np.square(part[:, i]))
                                     for i in range(self.channels)]))
        keep = self._bounds(len(self._z))[0] - self._buf_start  # the next block's start onwards
        if keep > 0:
            self._buf, self._buf_start = self._buf[keep:].copy(), self._buf_start + keep

    def lufs(self) -> float:
        """pyloudnorm's integrated loudness of everything fed (-inf for silence); it refuses audio
        shorter than one block, which `loudness.integrated_loudness` measures with BS.1770 instead."""
        seconds = self.samples / self.sr
        blocks = int(np.round((seconds - self._t_g) / (self._t_g * self._step)) + 1)
        self._blocks(self.samples, until=blocks)
        z = np.stack(self._z[:blocks], axis=1)
        gains = [1.0, 1.0, 1.0, 1.41, 1.41]
        with np.errstate(divide="ignore", invalid="ignore"):
            block_lufs = [-0.691 + 10.0 * np.log10(np.sum([gains[i] * z[i, j] for i in range(self.channels)]))
                          for j in range(blocks)]
            gated = [j for j, lj in enumerate(block_lufs) if lj >= -70.0]
            z_avg = [np.mean([z[i, j] for j in gated]) for i in range(self.channels)]
            relative = -0.691 + 10.0 * np.log10(np.sum([gains[i] * z_avg[i] for i in range(self.channels)])) - 10.0
            gated = [j for j, lj in enumerate(block_lufs) if (lj > relative and lj > -70.0)]
            z_avg = np.nan_to_num(np.array([np.mean([z[i, j] for j in gated]) for i in range(self.channels)]))
            value = float(-0.691 + 10.0 * np.log10(np.sum([gains[i] * z_avg[i] for i in range(self.channels)])))
        return value if np.isfinite(value) else float("-inf")
