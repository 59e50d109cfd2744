"""The film's generated score written to its WAV in fixed-size blocks, so the soundtrack's memory does
not grow with the film: `ScoreSynth` plays the piece a few seconds at a time into a float64 scratch
file beside the WAV while the streamed meters (`meters.py`) take its loudness and true peaks; the
normalisation to -14 LUFS / -1 dBTP (`limiter.normalize_mix`: gain and true-peak limiter alternating
until the loudness settles) then reads the scratch file once per round, and a last pass writes the
16-bit WAV through a temp file and a rename. Every step computes the numbers the whole-film
`compose_score(...).stereo` computes, so the file is the same, sample for sample.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from talos_assets.agents.music.analysis import MusicAnalysis, analyze_music
from talos_assets.agents.music.audio_io import SampleFile, WavWriter
from talos_assets.agents.music.limiter import limiter_block_gains, sample_gains
from talos_assets.agents.music.meters import BlockPeaks, LoudnessMeter, TruePeakMeter
from talos_assets.agents.music.score import SCORE_BLOCK, ScoreSection, ScoreSynth
from talos_assets.agents.music.waveform import waveform_image

_CHANNELS = 2


class WrittenScore(BaseModel):
    """A score written to `path` and the musical facts it was written with."""

    path: Path
    sr: int
    frames: int
    tempo_bpm: float
    beats_per_bar: int
    beat_times: list[float]
    sections: list[ScoreSection]
    loudness_lufs: float  # BS.1770-4 integrated, of the written float samples
    true_peak_dbtp: float


class _Scratch:
    """The piece before normalisation, float64 stereo, in a temp file read back block by block."""

    def __init__(self, folder: Path, name: str) -> None:
        fd, self.path = tempfile.mkstemp(prefix=f".{name}.", suffix=".mix.part", dir=folder)
        self._fh = os.fdopen(fd, "w+b")
        self.frames = 0

    def write(self, block: np.ndarray) -> None:
        self._fh.write(np.ascontiguousarray(block, dtype="<f8").tobytes())
        self.frames += block.shape[0]

    def blocks(self, block: int = SCORE_BLOCK) -> Iterator[tuple[int, np.ndarray]]:
        self._fh.flush()
        self._fh.seek(0)
        for start in range(0, self.frames, block):
            k = min(block, self.frames - start)
            yield start, np.frombuffer(self._fh.read(k * _CHANNELS * 8), dtype="<f8").reshape(k, _CHANNELS)

    def close(self) -> None:
        self._fh.close()
        Path(self.path).unlink(missing_ok=True)


def _normalised(scratch: _Scratch, scale: float | None, gains: np.ndarray | None, block: int) -> Iterator[np.ndarray]:
    """The scratch piece through `scale` and the limiter's block `gains` (None: as it is), float64."""
    for start, x in scratch.blocks(block):
        if scale is None:
            yield x
        else:
            yield (x * scale) * sample_gains(gains, start, start + x.shape[0])[:, None]


class NormalisedFile(BaseModel):
    """What `write_normalized` wrote: frames, and loudness and true peak of the written float samples."""

    path: Path
    frames: int
    loudness_lufs: float  # BS.1770-4 integrated (`bs1770_loudness`)
    true_peak_dbtp: float


def write_normalized(path: str | Path, blocks: Iterable[np.ndarray], sr: int, target_lufs: float = -14.0,
                     ceiling_dbtp: float = -1.0, margin_db: float = 0.3, rounds: int = 6, block: int = SCORE_BLOCK,
                     listen: Callable[[np.ndarray], None] | None = None) -> NormalisedFile:
    """`limiter.normalize_mix` of the stereo float64 `blocks` (consecutive, any sizes) written to `path`
    as 16-bit WAV, never holding the whole signal: the blocks go to a scratch file beside `path`
    while their loudness and true peaks are measured, each round of gain and limiting reads it back,
    and the last pass writes the file. `listen`, if given, sees every written float32 block in order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = _Scratch(path.parent, path.name)
    try:
        # Pass 1: keep the signal on disk, measure its loudness and the limiter's block peaks.
        peaks, loud, tp = BlockPeaks(), LoudnessMeter(sr, _CHANNELS), TruePeakMeter(_CHANNELS)
        for x in blocks:
            scratch.write(x)
            loud.feed(x)
            peaks.feed(tp.feed(x))
        peaks.feed(tp.finish())
        peak_blocks, current = peaks.result(), loud.lufs()
        # Rounds: gain to the target, limit, measure again (`normalize_mix`'s loop).
        scale, gains, gain_db = None, None, 0.0
        for _ in range(rounds if np.isfinite(current) else 0):
            gain_db += target_lufs - current
            scale = 10.0 ** (gain_db / 20.0)
            gains = limiter_block_gains(peak_blocks * scale, sr, ceiling_dbtp - margin_db)
            loud = LoudnessMeter(sr, _CHANNELS)
            for y in _normalised(scratch, scale, gains, block):
                loud.feed(y)
            current = loud.lufs()
            if abs(current - target_lufs) < 0.05:
                break
        # Last pass: the float32 signal to the WAV, measured as written.
        loud, tp = LoudnessMeter(sr, _CHANNELS), TruePeakMeter(_CHANNELS)
        with WavWriter(path, sr, _CHANNELS) as wav:
            for y in _normalised(scratch, scale, gains, block):
                y32 = y.astype(np.float32)
                wav.write(y32)
                loud.feed(y32)
                tp.feed(y32)
                if listen is not None:
                    listen(y32)
            tp.finish()
        frames = scratch.frames
    finally:
        scratch.close()
    return NormalisedFile(path=path, frames=frames, loudness_lufs=loud.lufs(),
                          true_peak_dbtp=float(20.0 * np.log10(tp.peak)) if tp.peak > 0 else float("-inf"))


def write_score(path: str | Path, mood_segments: list[tuple[float, float, float]], duration: float, sr: int = 44100,
                seed: int = 0, beats_per_bar: int = 4, target_lufs: float = -14.0, mono_path: Path | None = None,
                block: int = SCORE_BLOCK) -> WrittenScore:
    """`compose_score(mood_segments, duration, ...).stereo` written to `path` as 16-bit WAV without the
    whole piece in memory, `block` samples at a time. `mono_path`, if given, receives the mono sum
    of the written float samples as raw float32 (what the beat analysis hears: `SampleFile`)."""
    synth = ScoreSynth(mood_segments, duration, sr, seed, beats_per_bar)
    with open(os.devnull if mono_path is None else mono_path, "wb") as mono:
        written = write_normalized(path, (stereo for _, _, stereo in synth.blocks(block)), sr, target_lufs, block=block,
                                   listen=lambda y32: mono.write(y32.mean(axis=1).astype("<f4").tobytes()))
    return WrittenScore(
        path=written.path, sr=sr, frames=written.frames, tempo_bpm=synth.tempo_bpm, beats_per_bar=beats_per_bar,
        beat_times=synth.beat_times, sections=synth.sections, loudness_lufs=written.loudness_lufs,
        true_peak_dbtp=written.true_peak_dbtp,
    )  # fmt: skip


def score_soundtrack(path: str | Path, mood_segments: list[tuple[float, float, float]], duration: float, sr: int = 44100,
                     seed: int = 0) -> tuple[WrittenScore, MusicAnalysis, np.ndarray]:
    """The soundtrack asset's generated music: the score written to `path` (`write_score`), its beat
    analysis and its waveform preview, both read from the mono sum in a scratch file beside it, so
    the step's memory is the same for a one-minute film and a ten-minute one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, mono_path = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".mono.part", dir=path.parent)
    os.close(fd)
    try:
        written = write_score(path, mood_segments, duration, sr, seed=seed, mono_path=Path(mono_path))
        mono = SampleFile(mono_path)
        analysis = analyze_music(mono, sr)  # beats are heard in the mono sum
        return written, analysis, waveform_image(mono, analysis.beat_times, sr)
    finally:
        Path(mono_path).unlink(missing_ok=True)
