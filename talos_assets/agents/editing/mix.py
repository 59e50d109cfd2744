"""The film's sound: every dialogue line placed where its shot plays in the edit, panned toward its
speaker's side of the screen, over the music, which is ducked under the speech by a sidechain
compressor (gain reduction driven by the speech envelope: look-ahead, attack, hold, release), then
the stereo sum normalised to -14 LUFS integrated with its true peak at most -1 dBTP
(`music.limiter.normalize_mix`, measured with BS.1770-4).

Levels before the final normalisation: each line at -16 LUFS (its own loudness), the music bed at
-20 LUFS and ducked by 10 dB under speech, so speech sits well above the ducked bed and still above
the music between lines, as dialogue does in a film mix.
"""

from __future__ import annotations

from math import gcd

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy import signal

from talos_assets.agents.music.limiter import normalize_mix
from talos_assets.agents.music.loudness import bs1770_loudness, true_peak_dbtp
from talos_assets.agents.voice import VoicedLine, speech_envelope
from talos_assets.spec import ClipCut, ShotPlan

SPEECH_LUFS = -16.0
# the WAV's true peak is kept this far under the ceiling: the MP4's AAC encoder overshoots by a few
# tenths of a dB (measured +0.34 dB on a film at -1.3 dBTP), and the delivered film must still pass
AAC_MARGIN_DB = 0.8
MUSIC_BED_LUFS = -20.0
_SIDE_PAN = {"left": -0.3, "center": 0.0, "right": 0.3}


class PlacedLine(BaseModel):
    """A voiced line at its place in the film: `start_s` is where its audio's first sample plays."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    slot: str
    line: VoicedLine
    start_s: float
    pan: float  # -1 left .. +1 right

    @property
    def onset_s(self) -> float:
        return self.start_s + self.line.onset_s

    @property
    def offset_s(self) -> float:
        return self.start_s + self.line.offset_s


class FilmMix(BaseModel):
    """The mixed stereo sound and the stems it was made from (before the final normalisation)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    audio: np.ndarray  # (n, 2) float32, -14 LUFS, <= -1 dBTP
    sr: int
    music: np.ndarray  # (n, 2) the ducked music bed
    speech: np.ndarray  # (n, 2) the panned dialogue
    duck_db: np.ndarray  # (n,) the music's gain reduction, dB (0 = none)
    loudness_lufs: float
    true_peak_dbtp: float


def place_lines(cuts: list[ClipCut], shots: list[ShotPlan], lines: dict[str, list[VoicedLine]], fps: int) -> list[PlacedLine]:
    """Each slot's lines at their film time: the clip's record start, less the frames trimmed from
    the shot's head, plus the line's place in the shot; panned by where its speaker stands (a line
    heard off screen from the centre)."""
    by_slot = {s.slot: s for s in shots}
    placed = []
    for cut in cuts:
        shot = by_slot[cut.slot]
        for line in lines.get(cut.slot, []):
            side = "center" if line.off_screen else shot.screen_side.get(line.speaker or "", "center")
            start = (cut.record_start - cut.source_start) / fps + line.start_s
            placed.append(PlacedLine(slot=cut.slot, line=line, start_s=start, pan=_SIDE_PAN[side]))
    return placed


def _resampled(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out:
        return np.asarray(x, dtype=np.float64)
    g = gcd(sr_in, sr_out)
    return signal.resample_poly(np.asarray(x, dtype=np.float64), sr_out // g, sr_in // g)


def _pan(mono: np.ndarray, pan: float) -> np.ndarray:
    """Constant-power pan law: (n,) -> (n, 2); centre sends -3 dB to each side."""
    angle = (float(np.clip(pan, -1.0, 1.0)) + 1.0) * np.pi / 4.0
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)], axis=1)


def prepared_lines(placed: list[PlacedLine], sr: int) -> list[tuple[int, np.ndarray, float]]:
    """(first sample, mono speech at `SPEECH_LUFS` and `sr`, pan) of each placed line."""
    out = []
    for p in placed:
        mono = _resampled(p.line.samples, p.line.sample_rate, sr)
        loud = bs1770_loudness(mono, sr)
        if np.isfinite(loud):
            mono = mono * 10.0 ** ((SPEECH_LUFS - loud) / 20.0)
        out.append((int(round(p.start_s * sr)), mono, p.pan))
    return out


def speech_block(lines: list[tuple[int, np.ndarray, float]], start: int, stop: int, n: int) -> np.ndarray:
    """(stop - start, 2): samples `start`..`stop` of the speech stem of a film `n` samples long."""
    out = np.zeros((stop - start, 2))
    for i0, mono, pan in lines:
        lo, hi = max(start, 0, i0), min(stop, n, i0 + mono.size)
        if hi > lo:
            out[lo - start : hi - start] += _pan(mono[lo - i0 : hi - i0], pan)
    return out


def speech_stem(placed: list[PlacedLine], n: int, sr: int) -> np.ndarray:
    """(n, 2): every line at `SPEECH_LUFS`, panned, added at its place (cut off at the film's end)."""
    return speech_block(prepared_lines(placed, sr), 0, n, n)


def duck_hop_gains(env: np.ndarray, hop: float, depth_db: float = -10.0, threshold_db: float = -45.0,
                   lookahead_s: float = 0.08, attack_s: float = 0.05, hold_s: float = 0.25, release_s: float = 0.5
                   ) -> np.ndarray:
    """The music's gain (dB) per envelope hop (`hop` seconds) of the speech's RMS envelope `env`."""
    active = 20.0 * np.log10(np.maximum(env, 1e-9)) > threshold_db
    ahead, hold = int(round(lookahead_s / hop)), int(round(hold_s / hop))
    # dilate: hop k is active when any hop from k - hold to k + ahead is (a running window sum)
    window = np.convolve(active.astype(np.float64), np.ones(ahead + hold + 1))
    active = window[ahead : ahead + active.size] > 0.5
    target = np.where(active, depth_db, 0.0)
    a_att, a_rel = 1.0 - np.exp(-hop / attack_s), 1.0 - np.exp(-hop / release_s)
    gain = np.empty_like(target)
    g = 0.0
    for k, t in enumerate(target):
        g += (t - g) * (a_att if t < g else a_rel)
        gain[k] = g
    return gain


def duck_samples(gain: np.ndarray, hop: float, sr: int, start: int, stop: int) -> np.ndarray:
    """Per-sample gain (dB) for samples `start`..`stop`, interpolated between hop centres (any slice
    gives the numbers of the whole)."""
    per_hop = hop * sr
    lo, hi = max(0, int(start // per_hop) - 2), min(gain.size, int(stop // per_hop) + 3)
    return np.interp(np.arange(start, stop), (np.arange(lo, hi) + 0.5) * hop * sr, gain[lo:hi])


def duck_gain_db(speech: np.ndarray, sr: int, depth_db: float = -10.0, threshold_db: float = -45.0,
                 lookahead_s: float = 0.08, attack_s: float = 0.05, hold_s: float = 0.25, release_s: float = 0.5) -> np.ndarray:
    """The music's gain (dB, per sample) under `speech`: `depth_db` while speech is above
    `threshold_db`, reached `lookahead_s` before each onset (the first syllable is clear), held over
    short gaps between words and released slowly afterwards (no pumping)."""
    mono = speech.mean(axis=1) if speech.ndim == 2 else speech
    env, hop = speech_envelope(mono, sr)
    if env.size == 0:
        return np.zeros(mono.size)
    gain = duck_hop_gains(env, hop, depth_db, threshold_db, lookahead_s, attack_s, hold_s, release_s)
    return duck_samples(gain, hop, sr, 0, mono.size)


def mix_film(music: np.ndarray | None, placed: list[PlacedLine], sr: int, seconds: float, *,
             target_lufs: float = -14.0, ceiling_dbtp: float = -1.0, duck_db: float = -10.0) -> FilmMix:
    """The film's stereo mix, `seconds` long: the music bed (mono is centred; None = no music) ducked
    under the placed speech, normalised to `target_lufs` with the true peak under `ceiling_dbtp`."""
    n = int(round(seconds * sr))
    bed = np.zeros((n, 2))
    if music is not None and len(music):
        m = np.asarray(music, dtype=np.float64)
        m = np.repeat(m[:, None], 2, axis=1) if m.ndim == 1 else m[:, :2]
        k = min(n, m.shape[0])
        bed[:k] = m[:k]
        loud = bs1770_loudness(bed, sr)
        if np.isfinite(loud):
            bed *= 10.0 ** ((MUSIC_BED_LUFS - loud) / 20.0)
    speech = speech_stem(placed, n, sr)
    duck = duck_gain_db(speech, sr, depth_db=duck_db) if placed else np.zeros(n)
    bed *= 10.0 ** (duck / 20.0)[:, None]
    audio = normalize_mix(bed + speech, sr, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp, margin_db=AAC_MARGIN_DB)
    return FilmMix(audio=audio, sr=sr, music=bed.astype(np.float32), speech=speech.astype(np.float32), duck_db=duck,
                   loudness_lufs=bs1770_loudness(audio, sr), true_peak_dbtp=true_peak_dbtp(audio, sr))
