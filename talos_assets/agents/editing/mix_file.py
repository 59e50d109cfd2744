"""The film's stereo mix (`mix.mix_film`) written to its WAV a few seconds at a time, so the sound
step's memory does not grow with the film: the music bed is read from the soundtrack's WAV in
blocks (its level measured in a first pass), the speech stem is cut per block from the placed lines,
the sidechain ducking is computed from a speech envelope gathered by running sums (one number per
10 ms hop), and the sum is normalised to -14 LUFS / -1 dBTP by `music.score_file.write_normalized`.
Every step computes the numbers `mix_film` computes on whole arrays, so the file is the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from talos_assets.agents.editing.mix import (
    AAC_MARGIN_DB,
    MUSIC_BED_LUFS,
    PlacedLine,
    duck_hop_gains,
    duck_samples,
    prepared_lines,
    speech_block,
)
from talos_assets.agents.music.audio_io import wav_blocks
from talos_assets.agents.music.meters import LoudnessMeter, PyloudnormMeter
from talos_assets.agents.music.score import SCORE_BLOCK
from talos_assets.agents.music.score_file import write_normalized
from talos_assets.agents.music.waveform import ColumnPeaks, draw_waveform

_DUCK_BINS = np.linspace(-60.0, 1.0, 61001)  # 1 mdB bins for the median ducking under speech


class FilmMixFile(BaseModel):
    """What `write_film_mix` wrote and measured."""

    path: Path
    frames: int
    loudness_lufs: float  # own BS.1770-4
    loudness_pyloudnorm_lufs: float
    true_peak_dbtp: float
    median_ducking_under_speech_db: float  # 0 when no speech (to 1 mdB)


def _music_bed(music_wav: Path | None, n: int, sr: int, block: int) -> Iterator[np.ndarray]:
    """The music as it lies under the film, float64 stereo, cut or padded with silence to `n` samples."""
    at = 0
    if music_wav is not None:
        for m in wav_blocks(music_wav, sr, block):
            m = np.repeat(m, 2, axis=1) if m.shape[1] == 1 else m[:, :2]  # a mono file is centred
            m = np.asarray(m[: n - at], dtype=np.float64)
            at += m.shape[0]
            if m.shape[0]:
                yield m
            if at >= n:
                return
    for start in range(at, n, block):
        yield np.zeros((min(block, n - start), 2))


def _speech_envelope(lines: list, n: int, sr: int, block: int) -> tuple[np.ndarray, float]:
    """`voice.speech_envelope` of the speech stem's mono sum (RMS, 20 ms window every 10 ms), from
    running sums over the stem cut block by block (the same additions in the same order)."""
    hop = max(1, int(round(0.01 * sr)))
    win = 2 * hop
    starts = np.arange(0, n, hop)
    idx = np.concatenate([starts, starts + win])  # positions in the cumulative sum of the padded squares
    order, values = np.argsort(idx, kind="stable"), np.zeros(idx.size)

    def squares() -> Iterator[np.ndarray]:
        yield np.zeros(win // 2)
        for a in range(0, n, block):
            x = speech_block(lines, a, min(n, a + block), n).mean(axis=1)
            yield x * x
        yield np.zeros(win)

    k, total, pos = 0, 0.0, 0
    for piece in squares():
        running = np.cumsum(np.concatenate([[total], piece]))  # running[j]: the sum of the first pos + j
        while k < order.size and idx[order[k]] <= pos + piece.size:
            values[order[k]] = running[idx[order[k]] - pos]
            k += 1
        pos, total = pos + piece.size, running[-1]
    env = np.sqrt((values[starts.size :] - values[: starts.size]) / win)
    return env, hop / sr


def write_film_mix(path: str | Path, music_wav: Path | None, placed: list[PlacedLine], sr: int, seconds: float,
                   marks: list[float], *, target_lufs: float = -14.0, ceiling_dbtp: float = -1.0,
                   duck_db: float = -10.0, block: int = SCORE_BLOCK) -> tuple[FilmMixFile, np.ndarray]:
    """`mix_film(load_audio(music_wav), placed, sr, seconds)` written to `path` as 16-bit WAV, `block`
    samples at a time; returns its measurements and a waveform preview with `marks` (seconds)."""
    n = int(round(seconds * sr))
    lines = prepared_lines(placed, sr)
    level = LoudnessMeter(sr, 2)  # the bed's level, as `mix_film` measures it before ducking
    for m in _music_bed(music_wav, n, sr, block):
        level.feed(m)
    loud = level.lufs() if music_wav is not None else float("-inf")
    bed_gain = 10.0 ** ((MUSIC_BED_LUFS - loud) / 20.0) if np.isfinite(loud) else None
    duck_hops, hop = _speech_envelope(lines, n, sr, block) if placed else (np.zeros(0), 0.0)
    if duck_hops.size:
        duck_hops = duck_hop_gains(duck_hops, hop, depth_db=duck_db)
    ducked = np.zeros(_DUCK_BINS.size - 1, np.int64)

    def mixed() -> Iterator[np.ndarray]:
        at = 0
        for bed in _music_bed(music_wav, n, sr, block):
            b = at + bed.shape[0]
            speech = speech_block(lines, at, b, n)
            if bed_gain is not None:
                bed *= bed_gain
            duck = duck_samples(duck_hops, hop, sr, at, b) if duck_hops.size else np.zeros(b - at)
            bed *= 10.0 ** (duck / 20.0)[:, None]
            ducked[:] += np.histogram(duck[np.abs(speech.astype(np.float32)).max(axis=1) > 1e-3], _DUCK_BINS)[0]
            yield bed + speech
            at = b

    pyln, columns = PyloudnormMeter(sr, 2), ColumnPeaks(n)

    def listen(y32: np.ndarray) -> None:
        pyln.feed(y32)
        columns.feed(y32.mean(axis=1))

    written = write_normalized(path, mixed(), sr, target_lufs, ceiling_dbtp, margin_db=AAC_MARGIN_DB, block=block,
                               listen=listen)
    short = n <= int(0.4 * sr) + 1  # pyloudnorm refuses less than one block: BS.1770 as `integrated_loudness`
    median = 0.0
    if ducked.sum():
        mid = int(np.searchsorted(np.cumsum(ducked), (ducked.sum() + 1) / 2.0))
        median = float(0.5 * (_DUCK_BINS[mid] + _DUCK_BINS[mid + 1]))
    facts = FilmMixFile(path=written.path, frames=written.frames, loudness_lufs=written.loudness_lufs,
                        loudness_pyloudnorm_lufs=written.loudness_lufs if short else pyln.lufs(),
                        true_peak_dbtp=written.true_peak_dbtp, median_ducking_under_speech_db=median)
    return facts, draw_waveform(columns.peaks, marks, n / sr)
