"""Cuttura's voice: the film's emotion curve (valence/arousal segments) written and played as a little
piece. Tempo from arousal; per section a key and mode from the mood's circumplex quadrant, an
instrumentation from arousal (dark pad, bass, bell / brighter pad and plucked arpeggio / plus
hats) and a four-chord progression; bars marked by accented kick, sustained bass root and chord
change (so analysis can find them), then equal-power fades and loudness normalisation to -14 LUFS.
The instruments themselves are in `voices.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy import signal

from talos_assets.agents.music import voices
from talos_assets.agents.music.limiter import normalize_mix
from talos_assets.agents.music.loudness import normalize_loudness

# Chord roots (semitones above the tonic) and qualities. Major: I-V-vi-IV; minor: i-VI-III-VII.
_MAJOR_PROGRESSION = [(0, "maj"), (7, "maj"), (9, "min"), (5, "maj")]
_MINOR_PROGRESSION = [(0, "min"), (8, "maj"), (3, "maj"), (10, "maj")]
_TRIADS = {"maj": (0, 4, 7), "min": (0, 3, 7)}
_PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def tempo_for_arousal(arousal: float) -> float:
    """70 BPM for arousal -1 up to 150 BPM for arousal +1, whole BPM."""
    return float(round(70.0 + 80.0 * (np.clip(arousal, -1.0, 1.0) + 1.0) / 2.0))


def key_for_mood(valence: float, arousal: float) -> tuple[int, str]:
    """(tonic MIDI note, 'major' | 'minor') for a mood: the mode from valence, the key from the
    circumplex quadrant, so a change of mood between sections is also a change of key.

    Bright aroused joy sits in D major, warm mid-energy moods in C major, tender calm in F major;
    aroused negative moods (anger, fear) in C minor, sad and low ones in A minor. Tonics stay within
    A3..F4 so the pad voicing keeps one register whatever the key.
    """
    if valence >= 0.0:
        if arousal > 0.4:
            return 62, "major"  # D
        if arousal >= -0.2:
            return 60, "major"  # C
        return 65, "major"  # F
    if arousal > 0.4:
        return 60, "minor"  # C minor
    if arousal >= -0.2:
        return 64, "minor"  # E minor
    return 57, "minor"  # A minor


def instrumentation_for_mood(valence: float, arousal: float) -> tuple[str, ...]:
    """Which voices play: calm moods get a dark pad, bass and a bell on each bar; middling ones a
    brighter pad and a plucked arpeggio on the beats; aroused ones add eighth-note hats. Negative
    valence swaps the saw pad for a hollow square one."""
    players: tuple[str, ...]
    if arousal < -0.2:
        players = ("pad", "bass", "kick", "bell")
    elif arousal <= 0.4:
        players = ("pad", "bass", "kick", "pluck")
    else:
        players = ("pad", "bass", "kick", "pluck", "hats")
    return players + (("hollow",) if valence < 0.0 else ())


class ScoreSection(BaseModel):
    """One section of a synthesized score: where it starts and what plays."""

    start_s: float
    valence: float
    arousal: float
    tonic_midi: int
    mode: Literal["major", "minor"]
    key: str
    instruments: list[str]


class Score(BaseModel):
    """A synthesized score and the musical facts it was written with (ground truth for analysis)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    audio: np.ndarray
    sr: int
    tempo_bpm: float
    beats_per_bar: int
    beat_times: list[float]
    downbeat_times: list[float]
    sections: list[ScoreSection]
    stereo: np.ndarray | None = None  # (n, 2): the same band panned (drums left, lead right), -14 LUFS / -1 dBTP

    @property
    def section_times(self) -> list[float]:
        """Start times of every section after the first (where the music audibly changes)."""
        return [s.start_s for s in self.sections[1:]]



@dataclass(frozen=True)
class _Pulse:
    """The score's one tempo and meter."""

    beat: float  # seconds per beat
    beats_per_bar: int
    sr: int

    @property
    def bar(self) -> float:
        return self.beats_per_bar * self.beat


@dataclass
class _Band:
    """The four stems a score is mixed from, each a float64 buffer of the whole piece."""

    pad: np.ndarray
    bass: np.ndarray
    drums: np.ndarray
    lead: np.ndarray

    @classmethod
    def silent(cls, n: int) -> "_Band":
        return cls(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))

    def mix(self) -> np.ndarray:
        return self.pad + self.bass + self.drums + self.lead

    def stereo_mix(self) -> np.ndarray:
        """(n, 2): pad and bass in the centre, drums a little left, lead a little right (constant power)."""
        out = np.zeros((self.pad.size, 2))
        for stem, pan in ((self.pad, 0.0), (self.bass, 0.0), (self.drums, -0.25), (self.lead, 0.3)):
            angle = (pan + 1.0) * np.pi / 4.0
            out[:, 0] += stem * np.cos(angle) * np.sqrt(2.0)
            out[:, 1] += stem * np.sin(angle) * np.sqrt(2.0)
        return out


def _checked_segments(mood_segments: list[tuple[float, float, float]], duration: float,
                      beats_per_bar: int) -> list[tuple[float, float, float]]:
    if duration <= 0:
        raise ValueError(f"score duration must be positive, got {duration}")
    if not mood_segments:
        raise ValueError("a score needs at least one (start, valence, arousal) segment")
    if beats_per_bar not in (2, 3, 4, 6):
        raise ValueError(f"beats_per_bar must be 2, 3, 4 or 6, got {beats_per_bar}")
    return sorted((float(s), float(v), float(a)) for s, v, a in mood_segments)


def _mean_arousal(segs: list[tuple[float, float, float]], duration: float) -> float:
    """Duration-weighted mean arousal of the piece (time before the first segment counts for it)."""
    bounds = [max(0.0, s) for s, _, _ in segs] + [duration]
    weights = np.clip(np.diff(bounds), 0.0, None)
    weights[0] += max(0.0, min(segs[0][0], duration))  # time before the first segment uses it too
    return float(np.average([a for _, _, a in segs], weights=weights)) if weights.sum() > 0 else segs[0][2]


def _mood_at(segments: list[tuple[float, float, float]], t: float) -> tuple[float, float]:
    valence, arousal = segments[0][1], segments[0][2]
    for start, v, a in segments:
        if start <= t:
            valence, arousal = v, a
    return valence, arousal


def _section_for_mood(t0: float, valence: float, arousal: float) -> ScoreSection:
    tonic, mode = key_for_mood(valence, arousal)
    name = _PITCH_NAMES[tonic % 12] + (" major" if mode == "major" else " minor")
    return ScoreSection(start_s=t0, valence=valence, arousal=arousal, tonic_midi=tonic, mode=mode, key=name,
                        instruments=list(instrumentation_for_mood(valence, arousal)))


def _enter(sections: list[ScoreSection], candidate: ScoreSection) -> bool:
    """Add the bar's section to `sections` if the music changes there; True when a new one starts."""
    last = sections[-1] if sections else None
    if last is not None and (last.valence, last.arousal) == (candidate.valence, candidate.arousal):
        return False
    if last is not None and (last.tonic_midi, last.mode, last.instruments) == (
        candidate.tonic_midi, candidate.mode, candidate.instruments
    ):
        # Same key and band: musically the section goes on (the mood moved only a little).
        sections[-1] = last.model_copy(update={"valence": candidate.valence, "arousal": candidate.arousal})
        return False
    sections.append(candidate)
    return True


def _play_bar(band: _Band, pulse: _Pulse, t0: float, section: ScoreSection, chord: tuple[int, ...],
              rng: np.random.Generator, hat_sos: np.ndarray) -> None:
    """One bar of `section` from `t0` with `chord` (MIDI notes, root first) on every voice it uses."""
    n, sr, beat = band.pad.size, pulse.sr, pulse.beat
    arousal, instruments = section.arousal, section.instruments
    energy = 0.55 + 0.45 * (arousal + 1.0) / 2.0  # louder, brighter mix when aroused
    i0 = int(round(t0 * sr))
    # The pad sounds slightly past the bar end so chords overlap instead of leaving gaps.
    length = min(n - i0, int(round((pulse.bar + 0.4) * sr)))
    if length <= 0:
        return
    voices.add_at(band.pad, i0, voices.pad_chord(chord, length, sr, rng, "hollow" in instruments, arousal, energy))
    bass_hz = voices.midi_hz(chord[0] - 24)
    for k in range(pulse.beats_per_bar):
        j0 = int(round((t0 + k * beat) * sr))
        if j0 >= n:
            break
        down = k == 0
        voices.add_at(band.bass, j0, voices.bass_note(bass_hz, down, pulse.beats_per_bar, beat, sr, energy))
        # Kick on every beat: the pulse the edit follows.
        voices.add_at(band.drums, j0, voices.kick(down, beat, sr, energy))
        if "pluck" in instruments:
            # Arpeggio: one chord tone per beat an octave up.
            voices.add_at(band.lead, j0, voices.pluck(chord[k % 3] + 12, beat, sr, energy))
    if "bell" in instruments:
        # A bell on each bar's downbeat.
        voices.add_at(band.lead, i0, voices.bell(chord[0] + 12, min(n - i0, int(round(pulse.bar * sr))), sr))
    if "hats" in instruments:
        # Eighth-note hats, off-beats softer so the quarter pulse stays the strongest period.
        for k in range(2 * pulse.beats_per_bar):
            j0 = int(round((t0 + k * beat / 2.0) * sr))
            if j0 >= n:
                break
            level = 0.05 * max(arousal, 0.2) * (1.0 if k % 2 == 0 else 0.6)
            voices.add_at(band.drums, j0, voices.hat(hat_sos, rng, sr, level))


def _faded(mix: np.ndarray, sr: int) -> np.ndarray:
    """Fades: 1.5 s in, 2.5 s out (shorter for very short scores), equal-power curves; (n,) or (n, ch)."""
    n = mix.shape[0]
    shape = (-1,) + (1,) * (mix.ndim - 1)  # curves broadcast over channels
    fade_in = min(int(1.5 * sr), n // 4)
    fade_out = min(int(2.5 * sr), n // 3)
    if fade_in > 0:
        mix[:fade_in] *= (np.sin(0.5 * np.pi * np.linspace(0.0, 1.0, fade_in)) ** 2).reshape(shape)
    if fade_out > 0:
        mix[n - fade_out :] *= (np.cos(0.5 * np.pi * np.linspace(0.0, 1.0, fade_out)) ** 2).reshape(shape)
    return mix


def compose_score(
    mood_segments: list[tuple[float, float, float]],
    duration: float,
    sr: int = 44100,
    seed: int = 0,
    beats_per_bar: int = 4,
    target_lufs: float = -14.0,
) -> Score:
    """Write and render a score for `duration` seconds following (start_s, valence, arousal) segments.

    One tempo for the whole piece (from the duration-weighted mean arousal) keeps the beat grid the
    edit snaps to regular. Each segment becomes a section starting on the first bar line at or after
    its start: its own key and mode (`key_for_mood`), instrumentation (`instrumentation_for_mood`),
    brightness and dynamics. Bars are marked the way players mark them (so analysis can find the
    downbeats): a new chord on every bar, the kick and a sustained bass root accented on beat one,
    a bell on beat one in calm sections. Loudness is normalised to `target_lufs` (pyloudnorm).
    """
    segs = _checked_segments(mood_segments, duration, beats_per_bar)
    rng = np.random.default_rng(seed)
    n = int(round(duration * sr))
    bpm = tempo_for_arousal(_mean_arousal(segs, duration))
    pulse = _Pulse(beat=60.0 / bpm, beats_per_bar=beats_per_bar, sr=sr)
    band = _Band.silent(n)
    variant = int(rng.integers(0, 4))  # which chord of the progression the piece starts on
    hat_sos = signal.butter(2, min(7000.0, 0.4 * sr), btype="high", fs=sr, output="sos")
    sections: list[ScoreSection] = []
    bar_in_section = 0
    for b in range(int(np.ceil(duration / pulse.bar))):
        t0 = b * pulse.bar
        section = _section_for_mood(t0, *_mood_at(segs, t0))
        if _enter(sections, section):
            bar_in_section = 0
        prog = _MAJOR_PROGRESSION if section.mode == "major" else _MINOR_PROGRESSION
        # Each section restarts its progression on the tonic: a key change is heard at once.
        root, quality = prog[(bar_in_section + (variant if len(sections) == 1 else 0)) % len(prog)]
        bar_in_section += 1
        chord = tuple(section.tonic_midi + root + interval for interval in _TRIADS[quality])
        _play_bar(band, pulse, t0, section, chord, rng, hat_sos)
    beat_times = [float(t) for t in np.arange(0.0, duration - 1e-9, pulse.beat)]
    stereo = normalize_mix(_faded(band.stereo_mix(), sr), sr, target_lufs=target_lufs)
    return Score(
        audio=normalize_loudness(_faded(band.mix(), sr), sr, target_lufs=target_lufs), sr=sr, tempo_bpm=bpm, stereo=stereo,
        beats_per_bar=beats_per_bar, beat_times=beat_times, downbeat_times=beat_times[::beats_per_bar],
        sections=sections,
    )  # fmt: skip


def synthesize_score(
    mood_segments: list[tuple[float, float, float]], duration: float, sr: int = 44100, seed: int = 0,
    beats_per_bar: int = 4,
) -> tuple[np.ndarray, float]:
    """Synthesize a mono score (see `compose_score`); returns float32 audio at -14 LUFS integrated
    (pyloudnorm) and the tempo in BPM."""
    score = compose_score(mood_segments, duration, sr=sr, seed=seed, beats_per_bar=beats_per_bar)
    return score.audio, score.tempo_bpm
