"""The score's band, as subtractive and additive synthesis in numpy: a pad of detuned band-limited
saws (polyBLEP, Välimäki & Huovilainen 2007) or hollow squares through a low-pass, a sine bass, a
pitch-swept kick, a plucked arpeggio, an inharmonic bell and filtered-noise hats, each shaped by a
linear attack/release envelope. Every voice returns its note as a float64 signal; `score.py` places
them.
"""

from __future__ import annotations

import numpy as np
from scipy import signal


def midi_hz(note: float) -> float:
    """Equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def polyblep_saw(freq: float, n: int, sr: int, phase0: float) -> np.ndarray:
    """Band-limited sawtooth (polyBLEP): a naive ramp with its discontinuities smoothed, so the
    upper harmonics do not alias back into the audible band the way a naive saw would."""
    dt = freq / sr
    phase = (phase0 + dt * np.arange(n)) % 1.0
    out = 2.0 * phase - 1.0
    lo = phase < dt
    t = phase[lo] / dt
    out[lo] -= t + t - t * t - 1.0
    hi = phase > 1.0 - dt
    t = (phase[hi] - 1.0) / dt
    out[hi] -= t * t + t + t + 1.0
    return out


def adsr(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    """An n-sample envelope: a linear attack, full sustain, a linear release to silence."""
    env = np.ones(n)
    a = min(n, max(1, int(attack * sr)))
    env[:a] = np.linspace(0.0, 1.0, a, endpoint=False)
    r = min(n - a, max(1, int(release * sr)))
    env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


def add_at(buf: np.ndarray, i0: int, sig: np.ndarray) -> None:
    """Mix `sig` into `buf` from sample `i0`, cut at the buffer's end."""
    m = min(sig.size, buf.size - i0)
    if m > 0 and i0 >= 0:
        buf[i0 : i0 + m] += sig[:m]


def pad_chord(notes: tuple[int, ...], length: int, sr: int, rng: np.random.Generator, hollow: bool, arousal: float,
              energy: float) -> np.ndarray:
    """A sustained chord of `notes` (MIDI) over `length` samples; one `rng.random()` phase per saw."""
    # Each chord tone as three detuned saws (±8 cents) -> chorus-like width.
    chord = np.zeros(length)
    for note in notes:
        for cents in (-8.0, 0.0, 8.0):
            hz, ph = midi_hz(note + cents / 100.0), rng.random()
            wave_ = polyblep_saw(hz, length, sr, ph)
            if hollow:
                # Minor sections: a square-ish pad (difference of two saws half a cycle apart
                # cancels the even harmonics), a darker, hollow colour than the major saws.
                wave_ = wave_ - polyblep_saw(hz, length, sr, (ph + 0.5) % 1.0)
            chord += wave_
    # Low-pass brightness follows arousal: calm moods get a dark, soft pad.
    cutoff = 600.0 + 2400.0 * (arousal + 1.0) / 2.0
    chord = signal.sosfilt(signal.butter(2, cutoff, fs=sr, output="sos"), chord)
    # A short attack makes the chord change itself an audible bar line.
    return 0.05 * energy * chord * adsr(length, sr, attack=0.06, release=0.4)


def bass_note(hz: float, down: bool, beats_per_bar: int, beat: float, sr: int, energy: float) -> np.ndarray:
    """The bass on one beat: the root sustained through the bar's first beat(s) on the downbeat, a
    short pluck on the other beats, so low-frequency energy peaks on beat one."""
    m = int(round((min(2, beats_per_bar) if down else 0.5) * beat * sr))
    tt = np.arange(m) / sr
    tone = np.sin(2 * np.pi * hz * tt) + 0.3 * np.sin(2 * np.pi * 2 * hz * tt)
    decay = np.exp(-tt / ((0.9 if down else 0.25) * beat))
    return (0.26 if down else 0.15) * energy * tone * decay * adsr(m, sr, 0.005, 0.03)


def kick(down: bool, beat: float, sr: int, energy: float) -> np.ndarray:
    """A kick drum (pitch sweep 110 -> 45 Hz), played harder on beat one as a drummer accents the bar."""
    m = int(round(min(0.4, 0.9 * beat) * sr))
    tt = np.arange(m) / sr
    freq = 45.0 + 65.0 * np.exp(-tt / 0.03)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    # The release ramp matters: a kick cut off mid-cycle clicks, and that click is an onset
    # half a beat late that pulls the tracker to double tempo.
    thump = np.sin(phase) * np.exp(-tt / 0.12) * adsr(m, sr, 0.002, 0.08)
    return (0.6 if down else 0.42) * energy * thump


def pluck(note: int, beat: float, sr: int, energy: float) -> np.ndarray:
    """One arpeggio note: a decaying square-ish pluck (odd harmonics)."""
    m = int(round(0.6 * beat * sr))
    tt = np.arange(m) / sr
    f = midi_hz(note)
    tone = np.sin(2 * np.pi * f * tt) + 0.33 * np.sin(2 * np.pi * 3 * f * tt) + 0.2 * np.sin(2 * np.pi * 5 * f * tt)
    return 0.05 * energy * tone * np.exp(-tt / 0.15) * adsr(m, sr, 0.003, 0.05)


def bell(note: int, m: int, sr: int) -> np.ndarray:
    """A soft bell of `m` samples: inharmonic partials (1 and 2.76), long decay."""
    tt = np.arange(m) / sr
    f = midi_hz(note)
    tone = np.sin(2 * np.pi * f * tt) + 0.4 * np.sin(2 * np.pi * 2.76 * f * tt) * np.exp(-tt / 0.3)
    return 0.06 * tone * np.exp(-tt / 0.9) * adsr(m, sr, 0.004, 0.1)


def hat(hat_sos: np.ndarray, rng: np.random.Generator, sr: int, level: float) -> np.ndarray:
    """A 50 ms closed hi-hat: high-passed white noise (`hat_sos`) with a 12 ms decay."""
    m = int(round(0.05 * sr))
    noise = signal.sosfilt(hat_sos, rng.standard_normal(m))
    return level * noise * np.exp(-np.arange(m) / (0.012 * sr)) * adsr(m, sr, 0.001, 0.01)
