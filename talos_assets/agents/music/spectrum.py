"""What Cuttura's ears hear in a soundtrack: a numpy short-time power spectrum (Hann windows, centred
frames), a triangular mel filterbank (HTK mel scale), a 12-bin chroma map of FFT bins to
equal-tempered pitch classes, and per-beat averages of those features (harmony as chroma, timbre as
MFCC-like cepstra) for the meter and section analysis.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from talos_assets.agents.music.audio_io import SampleFile

# Frames per block of `stft_power_blocks`: the whole spectrogram of a 3-minute soundtrack with 93 ms
# windows is ~1.5 GB in flight (windowed frames, complex spectrum, power); a block of 256 frames is
# ~40 MB whatever the film's length.
STFT_BLOCK_FRAMES = 256


def as_signal(audio):
    """A 1-D float64 signal to analyse: an array (stereo is averaged) or an `audio_io.SampleFile`
    (read in slices by the callers, never whole)."""
    if isinstance(audio, SampleFile):
        return audio
    x = np.asarray(audio, dtype=np.float64)
    return x.mean(axis=1) if x.ndim == 2 else x


def segment(x, a: int, b: int, size: int | None = None) -> np.ndarray:
    """Samples `a`..`b` of a 1-D signal (an array or an `audio_io.SampleFile`) as float64, zeros
    outside `0..size` (the signal's length unless given)."""
    size = x.size if size is None else size
    out = np.zeros(b - a)
    lo, hi = max(a, 0), min(b, size, x.size)
    if hi > lo:
        out[lo - a : hi - a] = x[lo:hi]
    return out


def stft_power_blocks(x, sr: int, seconds: float, hop: int,
                      block: int = STFT_BLOCK_FRAMES) -> tuple[Iterator[np.ndarray], int]:
    """`stft_power`'s rows, `block` frames at a time (the same values), and the FFT size: callers
    reduce each block to the few features they need, so memory does not grow with the audio. `x`
    is a 1-D array or an `audio_io.SampleFile`: each block's frames are cut from a slice of it."""
    n_fft = int(2 ** np.ceil(np.log2(max(256, seconds * sr))))
    size = max(x.size, n_fft)  # a short signal is zero-padded to one window
    half = n_fft // 2
    frames = (size + 2 * half - n_fft) // hop + 1  # centred frames over the signal padded by half a window
    window = np.hanning(n_fft)

    def blocks() -> Iterator[np.ndarray]:
        for start in range(0, frames, block):
            stop = min(frames, start + block)
            seg = segment(x, start * hop - half, (stop - 1) * hop + n_fft - half, size)
            view = np.lib.stride_tricks.sliding_window_view(seg, n_fft)[::hop]  # a view: nothing copied
            yield np.abs(np.fft.rfft(view * window, axis=1)) ** 2

    return blocks(), n_fft


def stft_power(x: np.ndarray, sr: int, seconds: float, hop: int) -> tuple[np.ndarray, int]:
    """Power spectrogram (frames, bins) of windows of about `seconds` (a power of two, at least 256
    samples) every `hop` samples, centred on the frame times; returns it and the FFT size. Whole,
    for short audio and plots; the analysis reduces `stft_power_blocks` as it goes."""
    blocks, n_fft = stft_power_blocks(x, sr, seconds, hop)
    return np.concatenate(list(blocks)), n_fft


def mel_filterbank(sr: int, n_fft: int, n_mels: int = 40, fmin: float = 30.0, fmax: float | None = None) -> np.ndarray:
    """(n_mels, bins) triangular filters evenly spaced on the mel scale from `fmin` to `fmax`."""
    fmax = min(fmax or sr / 2.0, sr / 2.0)
    mel = lambda f: 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)  # noqa: E731
    inv = lambda m: 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)  # noqa: E731
    edges = inv(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    fb = np.zeros((n_mels, freqs.size))
    for i in range(n_mels):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        rise = (freqs - lo) / max(mid - lo, 1e-9)
        fall = (hi - freqs) / max(hi - mid, 1e-9)
        fb[i] = np.clip(np.minimum(rise, fall), 0.0, None)
    return fb


def chroma_matrix(sr: int, n_fft: int, fmin: float = 130.0, fmax: float = 2000.0) -> np.ndarray:
    """(12, bins) map from FFT bins to pitch classes: each bin between C3 and ~B6 goes to its
    nearest equal-tempered pitch class. 93 ms windows resolve semitones from ~110 Hz up; below C3
    kick drums and bass partials smear across classes, so they are left out."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    m = np.zeros((12, freqs.size))
    ok = (freqs >= fmin) & (freqs <= fmax)
    pcs = np.mod(np.round(12.0 * np.log2(freqs[ok] / 440.0) + 69.0), 12).astype(int)
    m[pcs, np.flatnonzero(ok)] = 1.0
    return m


def beat_sync(features: np.ndarray, frame_times: np.ndarray, beats: np.ndarray, period: float) -> np.ndarray:
    """Mean feature vector of the frames between each beat and the next (last beat: one period)."""
    edges = np.append(beats, beats[-1] + period)
    idx = np.searchsorted(frame_times, edges)
    out = np.zeros((beats.size, features.shape[1]))
    for i in range(beats.size):
        lo, hi = idx[i], max(idx[i] + 1, idx[i + 1])
        out[i] = features[lo:hi].mean(axis=0) if lo < features.shape[0] else features[-1]
    return out


def beat_chroma_and_cepstra(x: np.ndarray, sr: int, beats: np.ndarray, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Per beat: unit-length 12-bin chroma (harmony) and 12 MFCC-like cepstral coefficients of a
    40-band log-mel spectrum (timbre), each averaged over the frames of that beat."""
    # Beat-synchronous spectra: ~93 ms windows every ~23 ms (semitone resolution for chroma).
    hop = max(1, int(round(0.0232 * sr)))
    blocks, n_fft = stft_power_blocks(x, sr, 0.093, hop)
    to_chroma, to_mel = chroma_matrix(sr, n_fft).T, mel_filterbank(sr, n_fft, n_mels=40).T
    chroma_rows, mel_rows, peak = [], [], 1e-20
    for power in blocks:  # 52 numbers kept per frame, not the 4097-bin spectrum
        chroma_rows.append(np.sqrt(power) @ to_chroma)
        mel_rows.append(power @ to_mel)
        peak = max(peak, float(power.max()))
    chroma = np.concatenate(chroma_rows)
    frame_times = np.arange(chroma.shape[0]) * hop / sr
    # log10 power with a floor 90 dB under the peak: level-independent cepstra (a fade does not
    # read as a new timbre), unlike log1p compression.
    mel = np.log10(np.concatenate(mel_rows) + 1e-9 * peak)
    # DCT-II of the log-mel spectrum: MFCC-like timbre (coefficient 0, overall level, dropped).
    basis = np.cos(np.pi / 40 * (np.arange(40) + 0.5)[None, :] * np.arange(1, 13)[:, None])
    mfcc = mel @ basis.T
    chroma_b = beat_sync(chroma, frame_times, beats, period)
    mfcc_b = beat_sync(mfcc, frame_times, beats, period)
    chroma_n = chroma_b / np.maximum(np.linalg.norm(chroma_b, axis=1, keepdims=True), 1e-12)
    return chroma_n, mfcc_b
