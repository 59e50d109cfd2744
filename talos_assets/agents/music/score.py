"""Cuttura's voice: the film's emotion curve (valence/arousal segments) written and played as a little
piece. Tempo from arousal; per section a key and mode from the mood's circumplex quadrant, an
instrumentation from arousal (dark pad, bass, bell / brighter pad and plucked arpeggio / plus
hats) and a four-chord progression; bars marked by accented kick, sustained bass root and chord
change (so analysis can find them), then equal-power fades and loudness normalisation to -14 LUFS.
The piece is played bar by bar and handed on in fixed-size blocks (`ScoreSynth`), so a film's score
never needs the whole piece in memory (`score_file.write_score`). The instruments are in `voices.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
    """The four stems a score is mixed from, as float64 buffers of a sliding window of the piece:
    samples `base` onwards of `n`. A bar adds its notes from its own start; once the next bar has
    begun nothing earlier changes, so `take` hands those samples on and forgets them."""

    n: int
    base: int = 0
    pad: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bass: np.ndarray = field(default_factory=lambda: np.zeros(0))
    drums: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lead: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def add(self, stem: str, i0: int, sig: np.ndarray) -> None:
        """Mix `sig` into `stem` from piece sample `i0`, cut at the piece's end (`voices.add_at`)."""
        m = min(sig.size, self.n - i0)
        if m <= 0 or i0 < 0:
            return
        if i0 < self.base:
            raise ValueError(f"a note at sample {i0} is before the band's window ({self.base}): bars must come in order")
        end = i0 + m - self.base
        if end > self.pad.size:  # grow the window (every stem alike) to hold the note's tail
            grow = max(end - self.pad.size, self.pad.size)
            for name in ("pad", "bass", "drums", "lead"):
                setattr(self, name, np.concatenate([getattr(self, name), np.zeros(grow)]))
        voices.add_at(getattr(self, stem), i0 - self.base, sig[:m])

    def take(self, upto: int) -> "_Band":
        """The finished samples `base`..`upto` as a band of their own; the window then starts at `upto`."""
        k = upto - self.base
        out = _Band(n=self.n, base=self.base)
        for name in ("pad", "bass", "drums", "lead"):
            buf = getattr(self, name)
            head = buf[:k]
            setattr(out, name, np.concatenate([head, np.zeros(k - head.size)]))
            setattr(self, name, buf[k:].copy())
        self.base = upto
        return out

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
    n, sr, beat = band.n, pulse.sr, pulse.beat
    arousal, instruments = section.arousal, section.instruments
    energy = 0.55 + 0.45 * (arousal + 1.0) / 2.0  # louder, brighter mix when aroused
    i0 = int(round(t0 * sr))
    # The pad sounds slightly past the bar end so chords overlap instead of leaving gaps.
    length = min(n - i0, int(round((pulse.bar + 0.4) * sr)))
    if length <= 0:
        return
    band.add("pad", i0, voices.pad_chord(chord, length, sr, rng, "hollow" in instruments, arousal, energy))
    bass_hz = voices.midi_hz(chord[0] - 24)
    for k in range(pulse.beats_per_bar):
        j0 = int(round((t0 + k * beat) * sr))
        if j0 >= n:
            break
        down = k == 0
        band.add("bass", j0, voices.bass_note(bass_hz, down, pulse.beats_per_bar, beat, sr, energy))
        # Kick on every beat: the pulse the edit follows.
        band.add("drums", j0, voices.kick(down, beat, sr, energy))
        if "pluck" in instruments:
            # Arpeggio: one chord tone per beat an octave up.
            band.add("lead", j0, voices.pluck(chord[k % 3] + 12, beat, sr, energy))
    if "bell" in instruments:
        # A bell on each bar's downbeat.
        band.add("lead", i0, voices.bell(chord[0] + 12, min(n - i0, int(round(pulse.bar * sr))), sr))
    if "hats" in instruments:
        # Eighth-note hats, off-beats softer so the quarter pulse stays the strongest period.
        for k in range(2 * pulse.beats_per_bar):
            j0 = int(round((t0 + k * beat / 2.0) * sr))
            if j0 >= n:
                break
            level = 0.05 * max(arousal, 0.2) * (1.0 if k % 2 == 0 else 0.6)
            band.add("drums", j0, voices.hat(hat_sos, rng, sr, level))


# Samples the synthesiser hands on at a time (~3 s at 44.1 kHz): memory holds a few bars and one
# block whatever the film's length.
SCORE_BLOCK = 131072


class _Fades:
    """Fades: 1.5 s in, 2.5 s out (shorter for very short scores), equal-power curves, applied to any
    slice of the piece (the curves are computed once for the whole piece, so slices match it)."""

    def __init__(self, n: int, sr: int) -> None:
        self.n = n
        fade_in, fade_out = min(int(1.5 * sr), n // 4), min(int(2.5 * sr), n // 3)
        self.fade_in = np.sin(0.5 * np.pi * np.linspace(0.0, 1.0, fade_in)) ** 2
        self.fade_out = np.cos(0.5 * np.pi * np.linspace(0.0, 1.0, fade_out)) ** 2

    def apply(self, mix: np.ndarray, start: int) -> np.ndarray:
        """Fade `mix`, (k,) or (k, ch), which holds samples `start`..`start + k` of the piece (in place)."""
        k, shape = mix.shape[0], (-1,) + (1,) * (mix.ndim - 1)  # curves broadcast over channels
        a, b = start, min(start + k, self.fade_in.size)
        if b > a:
            mix[: b - a] *= self.fade_in[a:b].reshape(shape)
        out0 = self.n - self.fade_out.size
        a, b = max(start, out0), start + k
        if self.fade_out.size and b > a:
            mix[a - start :] *= self.fade_out[a - out0 : b - out0].reshape(shape)
        return mix


class ScoreSynth:
    """A score written from mood segments and played bar by bar, handed on in blocks of faded mono
    and stereo mix (float64, before loudness normalisation). The musical facts (tempo, beats,
    sections) are known at once except `sections`, which is complete after the last block."""

    def __init__(self, mood_segments: list[tuple[float, float, float]], duration: float, sr: int = 44100,
                 seed: int = 0, beats_per_bar: int = 4) -> None:
        self.segments = _checked_segments(mood_segments, duration, beats_per_bar)
        self.duration, self.sr, self.seed, self.beats_per_bar = duration, sr, seed, beats_per_bar
        self.n = int(round(duration * sr))
        self.tempo_bpm = tempo_for_arousal(_mean_arousal(self.segments, duration))
        self.pulse = _Pulse(beat=60.0 / self.tempo_bpm, beats_per_bar=beats_per_bar, sr=sr)
        self.beat_times = [float(t) for t in np.arange(0.0, duration - 1e-9, self.pulse.beat)]
        self.sections: list[ScoreSection] = []

    def blocks(self, block: int = SCORE_BLOCK) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(first sample, faded mono (k,), faded stereo (k, 2)) for consecutive slices of at most
        `block` samples covering the piece; the same numbers as playing it whole."""
        rng = np.random.default_rng(self.seed)
        band, fades, pulse, sr = _Band(n=self.n), _Fades(self.n, self.sr), self.pulse, self.sr
        variant = int(rng.integers(0, 4))  # which chord of the progression the piece starts on
        hat_sos = signal.butter(2, min(7000.0, 0.4 * sr), btype="high", fs=sr, output="sos")
        self.sections = []
        bar_in_section, bars = 0, int(np.ceil(self.duration / pulse.bar))
        for b in range(bars + 1):
            if b < bars:
                t0 = b * pulse.bar
                section = _section_for_mood(t0, *_mood_at(self.segments, t0))
                if _enter(self.sections, section):
                    bar_in_section = 0
                prog = _MAJOR_PROGRESSION if section.mode == "major" else _MINOR_PROGRESSION
                # Each section restarts its progression on the tonic: a key change is heard at once.
                root, quality = prog[(bar_in_section + (variant if len(self.sections) == 1 else 0)) % len(prog)]
                bar_in_section += 1
                chord = tuple(section.tonic_midi + root + interval for interval in _TRIADS[quality])
                # Everything before this bar's first sample is finished: no later note starts earlier.
                done = min(self.n, int(round(t0 * sr)))
            else:
                done = self.n
            while done - band.base >= (block if b < bars else 1):
                start = band.base
                part = band.take(min(done, start + block))
                yield start, fades.apply(part.mix(), start), fades.apply(part.stereo_mix(), start)
            if b < bars:
                _play_bar(band, pulse, t0, section, chord, rng, hat_sos)


def compose_score(
    mood_segments: list[tuple[float, float, float]],
    duration: float,
    sr: int = 44100,
    seed: int = 0,
    beats_per_bar: int = 4,
    target_lufs: float = -14.0,
) -> Score:
    """Write and render a score for `duration` seconds following (start_s, valence, arousal) segments,
    whole in memory (short pieces, tests, analysis benchmarks; a film's soundtrack is streamed to its
    file by `score_file.write_score`, which plays the same blocks).

    One tempo for the whole piece (from the duration-weighted mean arousal) keeps the beat grid the
    edit snaps to regular. Each segment becomes a section starting on the first bar line at or after
    its start: its own key and mode (`key_for_mood`), instrumentation (`instrumentation_for_mood`),
    brightness and dynamics. Bars are marked the way players mark them (so analysis can find the
    downbeats): a new chord on every bar, the kick and a sustained bass root accented on beat one,
    a bell on beat one in calm sections. Loudness is normalised to `target_lufs` (pyloudnorm).
    """
    synth = ScoreSynth(mood_segments, duration, sr, seed, beats_per_bar)
    played = list(synth.blocks())
    mono = np.concatenate([m for _, m, _ in played])
    stereo = np.concatenate([st for _, _, st in played])
    del played
    return Score(
        audio=normalize_loudness(mono, sr, target_lufs=target_lufs), sr=sr, tempo_bpm=synth.tempo_bpm,
        stereo=normalize_mix(stereo, sr, target_lufs=target_lufs), beats_per_bar=beats_per_bar,
        beat_times=synth.beat_times, downbeat_times=synth.beat_times[::beats_per_bar], sections=synth.sections,
    )  # fmt: skip


def synthesize_score(
    mood_segments: list[tuple[float, float, float]], duration: float, sr: int = 44100, seed: int = 0,
    beats_per_bar: int = 4,
) -> tuple[np.ndarray, float]:
    """Synthesize a mono score (see `compose_score`); returns float32 audio at -14 LUFS integrated
    (pyloudnorm) and the tempo in BPM."""
    score = compose_score(mood_segments, duration, sr=sr, seed=seed, beats_per_bar=beats_per_bar)
    return score.audio, score.tempo_bpm
