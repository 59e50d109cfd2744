"""Cuttura's ears and voice: music analysis, a mood-driven score synthesiser, loudness, audio I/O.

Analysis (`analyze_music`):
- Beats follow Ellis (2007, "Beat Tracking by Dynamic Programming"): an onset-strength envelope
  (half-wave rectified log-mel spectral flux of a numpy STFT), a global tempo from the envelope's
  autocorrelation weighted by a log-Gaussian prior around 120 BPM (with Ellis's duple "TPS2" term to
  settle octave ambiguity), and beat positions by dynamic programming that trades onset strength
  against deviation from that tempo (`track_beats`).
- Meter (3 or 4) and downbeats come from beat-synchronous accents: low-frequency energy (kick and
  bass), harmonic change (chroma distance between beats) and onset strength; the bar phase whose
  beats carry the most accent wins.
- Sections are peaks of Foote's (2000, "Automatic audio segmentation using a measure of audio
  novelty") checkerboard-kernel novelty along a beat-synchronous self-similarity matrix of chroma
  and MFCC-like cepstra.

Score (`compose_score` / `synthesize_score`): the film's emotion curve (valence/arousal segments)
becomes a little piece: tempo from arousal, and per section a key and mode from the mood's quadrant,
an instrumentation from arousal (dark pad, bass, bell / brighter pad and plucked arpeggio / plus
hats), a four-chord progression, bars marked by accented kick, sustained bass root and chord change,
then fades and loudness normalisation to -14 LUFS.

Loudness is integrated loudness per ITU-R BS.1770-4 / EBU R128, measured with pyloudnorm; our own
numpy/scipy BS.1770-4 (`bs1770_loudness`: K-weighting, 400 ms blocks with 75 % overlap, absolute
-70 LUFS and relative -10 LU gates) is kept as an independent cross-check.
Audio files are decoded by ffmpeg (argv lists, raw float32 through a pipe) and written as 16-bit PCM
WAV through a temp file and an atomic rename.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import warnings
import wave
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import signal

from talos_assets.spec import BeatGrid

# ---- audio I/O ------------------------------------------------------------------------------


def load_audio(path: str | Path, ffmpeg_exe: str, sr: int = 44100) -> np.ndarray:
    """Decode any audio (or video-with-audio) file to mono float32 at `sr` through ffmpeg."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Audio file '{path}' does not exist or is not a regular file.")
    argv = [
        ffmpeg_exe, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-i", f"file:{path}",
        "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(int(sr)),
        "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, check=False)
    audio = np.frombuffer(proc.stdout, dtype="<f4")
    if proc.returncode != 0 or audio.size == 0:
        # ffmpeg's last stderr line is the most specific reason; keep the message one sentence.
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1].strip().rstrip(".") if lines else "no audio samples were decoded"
        raise ValueError(f"Could not decode audio file '{path}' ({reason}).")
    return audio.astype(np.float32, copy=True)


def write_wav(path: str | Path, audio: np.ndarray, sr: int) -> Path:
    """Write float audio in [-1, 1] (mono (n,) or (n, channels)) as 16-bit PCM WAV, atomically."""
    path = Path(path)
    data = np.asarray(audio, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] < 1:
        raise ValueError(f"audio for '{path.name}' must be (n,) or (n, channels), got {data.shape}")
    pcm = np.round(np.clip(data, -1.0, 1.0) * 32767.0).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as wav:
            wav.setnchannels(pcm.shape[1])
            wav.setsampwidth(2)
            wav.setframerate(int(sr))
            wav.writeframes(pcm.tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---- loudness (ITU-R BS.1770-4) ---------------------------------------------------------------


def k_weighting_sos(sr: int) -> np.ndarray:
    """The two K-weighting biquads (high shelf, then RLB high-pass) for any sample rate.

    BS.1770 publishes coefficients for 48 kHz only; these are the analog prototypes behind them
    (as in libebur128), which reproduce the published 48 kHz numbers and carry over to other rates.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / sr)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / sr)
    a0 = 1.0 + k / q + k * k
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf_b + shelf_a, hp_b + hp_a], dtype=np.float64)


def bs1770_loudness(audio: np.ndarray, sr: int) -> float:
    """Our own BS.1770-4 integrated loudness in LUFS of mono (n,) or multichannel (n, ch) audio.

    Kept beside pyloudnorm as an independent cross-check (the tests hold the two within 0.5 LU) and
    for clips shorter than one 400 ms gating block, which pyloudnorm refuses.

    Channels are weighted 1.0 (front channels; no surround weighting). Returns -inf for silence or
    audio too quiet to pass the absolute gate.
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] == 0:
        return float("-inf")
    y = signal.sosfilt(k_weighting_sos(sr), x, axis=0)
    block, step = int(round(0.4 * sr)), int(round(0.1 * sr))
    if y.shape[0] < block:
        # Shorter than one gating block: measure the whole clip as one block.
        z = np.mean(y**2, axis=0)[None, :]
    else:
        # Block mean squares from a cumulative sum: O(n) regardless of the 75 % overlap.
        c = np.concatenate([np.zeros((1, y.shape[1])), np.cumsum(y**2, axis=0)])
        starts = np.arange(0, y.shape[0] - block + 1, step)
        z = (c[starts + block] - c[starts]) / block
    power = z.sum(axis=1)
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10.0 * np.log10(power)
    above_abs = block_lufs > -70.0
    if not np.any(above_abs):
        return float("-inf")
    relative_gate = -0.691 + 10.0 * np.log10(power[above_abs].mean()) - 10.0
    gated = above_abs & (block_lufs > relative_gate)
    return float(-0.691 + 10.0 * np.log10(power[gated].mean()))


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


def integrated_loudness(audio: np.ndarray, sr: int, method: str = "pyloudnorm") -> float:
    """Integrated loudness (LUFS, ITU-R BS.1770-4 / EBU R128) of mono (n,) or (n, ch) audio.

    `method="pyloudnorm"` (default) measures with pyloudnorm's Meter, the reference implementation
    the studio standardises on; `method="bs1770"` uses `bs1770_loudness`. Audio shorter than one
    gating block falls back to `bs1770_loudness` (pyloudnorm raises on it). -inf for silence.
    """
    if method not in ("pyloudnorm", "bs1770"):
        raise ValueError(f"loudness method must be 'pyloudnorm' or 'bs1770', got '{method}'")
    x = np.asarray(audio, dtype=np.float64)
    if method == "bs1770" or x.shape[0] <= int(0.4 * sr) + 1:
        return bs1770_loudness(x, sr)
    import pyloudnorm

    with warnings.catch_warnings():
        # Silent blocks take log10(0); pyloudnorm gates them out, the warning is noise.
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(pyloudnorm.Meter(int(sr)).integrated_loudness(x))
    return value if np.isfinite(value) else float("-inf")


def normalize_loudness(audio: np.ndarray, sr: int, target_lufs: float = -14.0, ceiling: float = 0.98) -> np.ndarray:
    """Gain to `target_lufs`, with a soft knee limiter keeping peaks under `ceiling`.

    Limiting after the gain lowers loudness a little, so gain and limiter alternate until the
    measured loudness settles (two or three rounds for ordinary material).
    """
    y = np.asarray(audio, dtype=np.float64)
    for _ in range(6):
        current = integrated_loudness(y, sr)
        if not np.isfinite(current):
            return y.astype(np.float32)
        y = y * 10.0 ** ((target_lufs - current) / 20.0)
        y = _soft_limit(y, ceiling)
        if abs(integrated_loudness(y, sr) - target_lufs) < 0.05:
            break
    return y.astype(np.float32)


def _soft_limit(y: np.ndarray, ceiling: float, knee: float = 0.7) -> np.ndarray:
    # Identity below knee*ceiling; above it a tanh curve approaching the ceiling, so transients are
    # rounded instead of hard-clipped (no harsh odd harmonics from the kick).
    t = knee * ceiling
    mag = np.abs(y)
    over = mag > t
    out = y.copy()
    room = ceiling - t
    out[over] = np.sign(y[over]) * (t + room * np.tanh((mag[over] - t) / room))
    return out


# ---- score synthesis --------------------------------------------------------------------------

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
    voices: tuple[str, ...]
    if arousal < -0.2:
        voices = ("pad", "bass", "kick", "bell")
    elif arousal <= 0.4:
        voices = ("pad", "bass", "kick", "pluck")
    else:
        voices = ("pad", "bass", "kick", "pluck", "hats")
    return voices + (("hollow",) if valence < 0.0 else ())


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

    @property
    def section_times(self) -> list[float]:
        """Start times of every section after the first (where the music audibly changes)."""
        return [s.start_s for s in self.sections[1:]]


def _midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def _polyblep_saw(freq: float, n: int, sr: int, phase0: float) -> np.ndarray:
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


def _adsr(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n)
    a = min(n, max(1, int(attack * sr)))
    env[:a] = np.linspace(0.0, 1.0, a, endpoint=False)
    r = min(n - a, max(1, int(release * sr)))
    env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


def _mood_at(segments: list[tuple[float, float, float]], t: float) -> tuple[float, float]:
    valence, arousal = segments[0][1], segments[0][2]
    for start, v, a in segments:
        if start <= t:
            valence, arousal = v, a
    return valence, arousal


def _add(buf: np.ndarray, i0: int, sig: np.ndarray) -> None:
    m = min(sig.size, buf.size - i0)
    if m > 0 and i0 >= 0:
        buf[i0 : i0 + m] += sig[:m]


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
    if duration <= 0:
        raise ValueError(f"score duration must be positive, got {duration}")
    if not mood_segments:
        raise ValueError("a score needs at least one (start, valence, arousal) segment")
    if beats_per_bar not in (2, 3, 4, 6):
        raise ValueError(f"beats_per_bar must be 2, 3, 4 or 6, got {beats_per_bar}")
    segs = sorted((float(s), float(v), float(a)) for s, v, a in mood_segments)
    rng = np.random.default_rng(seed)
    n = int(round(duration * sr))

    bounds = [max(0.0, s) for s, _, _ in segs] + [duration]
    weights = np.clip(np.diff(bounds), 0.0, None)
    weights[0] += max(0.0, min(segs[0][0], duration))  # time before the first segment uses it too
    mean_arousal = float(np.average([a for _, _, a in segs], weights=weights)) if weights.sum() > 0 else segs[0][2]
    bpm = tempo_for_arousal(mean_arousal)
    beat = 60.0 / bpm
    bar = beats_per_bar * beat

    pad = np.zeros(n)
    bass = np.zeros(n)
    drums = np.zeros(n)
    lead = np.zeros(n)
    variant = int(rng.integers(0, 4))  # which chord of the progression the piece starts on
    hat_sos = signal.butter(2, min(7000.0, 0.4 * sr), btype="high", fs=sr, output="sos")
    n_bars = int(np.ceil(duration / bar))
    sections: list[ScoreSection] = []
    bar_in_section = 0
    for b in range(n_bars):
        t0 = b * bar
        valence, arousal = _mood_at(segs, t0)
        tonic, mode = key_for_mood(valence, arousal)
        instruments = instrumentation_for_mood(valence, arousal)
        if not sections or (sections[-1].valence, sections[-1].arousal) != (valence, arousal):
            if sections and (sections[-1].tonic_midi, sections[-1].mode, sections[-1].instruments) == (tonic, mode, list(instruments)):
                # Same key and band: musically the section goes on (the mood moved only a little).
                sections[-1] = sections[-1].model_copy(update={"valence": valence, "arousal": arousal})
            else:
                name = _PITCH_NAMES[tonic % 12] + (" major" if mode == "major" else " minor")
                sections.append(ScoreSection(start_s=t0, valence=valence, arousal=arousal, tonic_midi=tonic,
                                             mode=mode, key=name, instruments=list(instruments)))
                bar_in_section = 0
        prog = _MAJOR_PROGRESSION if mode == "major" else _MINOR_PROGRESSION
        # Each section restarts its progression on the tonic: a key change is heard at once.
        root, quality = prog[(bar_in_section + (variant if len(sections) == 1 else 0)) % len(prog)]
        bar_in_section += 1
        energy = 0.55 + 0.45 * (arousal + 1.0) / 2.0  # louder, brighter mix when aroused
        i0 = int(round(t0 * sr))

        # Pad: each chord tone as three detuned saws (±8 cents) -> chorus-like width; it sounds
        # slightly past the bar end so chords overlap instead of leaving gaps. A short attack makes
        # the chord change itself an audible bar line.
        length = min(n - i0, int(round((bar + 0.4) * sr)))
        if length <= 0:
            continue
        chord = np.zeros(length)
        for interval in _TRIADS[quality]:
            note = tonic + root + interval
            for cents in (-8.0, 0.0, 8.0):
                hz, ph = _midi_hz(note + cents / 100.0), rng.random()
                wave_ = _polyblep_saw(hz, length, sr, ph)
                if "hollow" in instruments:
                    # Minor sections: a square-ish pad (difference of two saws half a cycle apart
                    # cancels the even harmonics), a darker, hollow colour than the major saws.
                    wave_ = wave_ - _polyblep_saw(hz, length, sr, (ph + 0.5) % 1.0)
                chord += wave_
        # Low-pass brightness follows arousal: calm moods get a dark, soft pad.
        cutoff = 600.0 + 2400.0 * (arousal + 1.0) / 2.0
        chord = signal.sosfilt(signal.butter(2, cutoff, fs=sr, output="sos"), chord)
        _add(pad, i0, 0.05 * energy * chord * _adsr(length, sr, attack=0.06, release=0.4))

        bass_hz = _midi_hz(tonic + root - 24)
        for k in range(beats_per_bar):
            j0 = int(round((t0 + k * beat) * sr))
            if j0 >= n:
                break
            down = k == 0
            # Bass: the root sustained through the bar's first beat(s) on the downbeat, a short
            # pluck on the other beats: low-frequency energy peaks on beat one.
            m = int(round((min(2, beats_per_bar) if down else 0.5) * beat * sr))
            tt = np.arange(m) / sr
            tone = np.sin(2 * np.pi * bass_hz * tt) + 0.3 * np.sin(2 * np.pi * 2 * bass_hz * tt)
            decay = np.exp(-tt / ((0.9 if down else 0.25) * beat))
            _add(bass, j0, (0.26 if down else 0.15) * energy * tone * decay * _adsr(m, sr, 0.005, 0.03))
            # Kick on every beat (pitch sweep 110 -> 45 Hz): the pulse the edit follows; beat one
            # is played harder, as a drummer accents the bar.
            m = int(round(min(0.4, 0.9 * beat) * sr))
            tt = np.arange(m) / sr
            freq = 45.0 + 65.0 * np.exp(-tt / 0.03)
            phase = 2 * np.pi * np.cumsum(freq) / sr
            # The release ramp matters: a kick cut off mid-cycle clicks, and that click is an onset
            # half a beat late that pulls the tracker to double tempo.
            kick = np.sin(phase) * np.exp(-tt / 0.12) * _adsr(m, sr, 0.002, 0.08)
            _add(drums, j0, (0.6 if down else 0.42) * energy * kick)
            if "pluck" in instruments:
                # Arpeggio: one chord tone per beat an octave up, a decaying square-ish pluck.
                note = tonic + root + _TRIADS[quality][k % 3] + 12
                m = int(round(0.6 * beat * sr))
                tt = np.arange(m) / sr
                f = _midi_hz(note)
                tone = np.sin(2 * np.pi * f * tt) + 0.33 * np.sin(2 * np.pi * 3 * f * tt) + 0.2 * np.sin(2 * np.pi * 5 * f * tt)
                _add(lead, j0, 0.05 * energy * tone * np.exp(-tt / 0.15) * _adsr(m, sr, 0.003, 0.05))
        if "bell" in instruments:
            # A soft bell (inharmonic partials, long decay) on each bar's downbeat.
            m = min(n - i0, int(round(bar * sr)))
            tt = np.arange(m) / sr
            f = _midi_hz(tonic + root + 12)
            tone = np.sin(2 * np.pi * f * tt) + 0.4 * np.sin(2 * np.pi * 2.76 * f * tt) * np.exp(-tt / 0.3)
            _add(lead, i0, 0.06 * tone * np.exp(-tt / 0.9) * _adsr(m, sr, 0.004, 0.1))
        if "hats" in instruments:
            # Eighth-note hats, off-beats softer so the quarter pulse stays the strongest period.
            for k in range(2 * beats_per_bar):
                j0 = int(round((t0 + k * beat / 2.0) * sr))
                m = int(round(0.05 * sr))
                if j0 >= n:
                    break
                noise = signal.sosfilt(hat_sos, rng.standard_normal(m))
                level = 0.05 * max(arousal, 0.2) * (1.0 if k % 2 == 0 else 0.6)
                _add(drums, j0, level * noise * np.exp(-np.arange(m) / (0.012 * sr)) * _adsr(m, sr, 0.001, 0.01))

    mix = pad + bass + drums + lead
    # Fades: 1.5 s in, 2.5 s out (shorter for very short scores), equal-power curves.
    fade_in = min(int(1.5 * sr), n // 4)
    fade_out = min(int(2.5 * sr), n // 3)
    if fade_in > 0:
        mix[:fade_in] *= np.sin(0.5 * np.pi * np.linspace(0.0, 1.0, fade_in)) ** 2
    if fade_out > 0:
        mix[n - fade_out :] *= np.cos(0.5 * np.pi * np.linspace(0.0, 1.0, fade_out)) ** 2
    beat_times = [float(t) for t in np.arange(0.0, duration - 1e-9, beat)]
    return Score(
        audio=normalize_loudness(mix, sr, target_lufs=target_lufs), sr=sr, tempo_bpm=bpm,
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


# ---- beat tracking (Ellis 2007) ---------------------------------------------------------------

_FRAME_RATE = 100.0  # onset envelope frames per second


def _mel_filterbank(sr: int, n_fft: int, n_mels: int = 40, fmin: float = 30.0, fmax: float | None = None) -> np.ndarray:
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


def onset_strength(audio: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """Onset-strength envelope at ~100 frames/s and its frame period in seconds.

    Log-mel spectral flux: log-compressed magnitudes of 40 mel bands, positive frame-to-frame
    differences averaged over bands, DC removed by a 0.4 Hz-ish high-pass (Ellis),
    lightly smoothed and scaled to unit standard deviation.
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    hop = max(1, int(round(sr / _FRAME_RATE)))
    # ~23 ms window: short enough that onsets stay sharp in time, long enough for mel bands.
    n_fft = int(2 ** np.ceil(np.log2(max(256, 0.023 * sr))))
    if x.size < n_fft:
        x = np.pad(x, (0, n_fft - x.size))
    padded = np.pad(x, (n_fft // 2, n_fft // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    spec = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    mel_power = spec @ _mel_filterbank(sr, n_fft).T
    # Log compression log(1 + gamma * |X|) of the peak-normalised magnitude rather than plain dB:
    # dB is scale-free, so a quiet hi-hat rising out of empty high bands would outweigh the kick;
    # with gamma = 100 components 40 dB under the peak count for little.
    mag = np.sqrt(mel_power)
    peak = mag.max()
    comp = np.log1p(100.0 * mag / peak) if peak > 0 else mag
    flux = np.maximum(0.0, np.diff(comp, axis=0, prepend=comp[:1])).mean(axis=1)
    # High-pass (DC blocker) so slow loudness changes do not read as onsets; then a 20 ms Gaussian.
    # The median comes off first: a filter starting from rest would otherwise see the flux's large
    # mean level as a step at t=0, whose slow decay then dominates the autocorrelation.
    env = signal.lfilter([1.0, -1.0], [1.0, -0.975], flux - np.median(flux))
    env = np.convolve(env, signal.windows.gaussian(7, std=2.0) / signal.windows.gaussian(7, std=2.0).sum(), "same")
    sd = env.std()
    return (env / sd if sd > 0 else env), hop / sr


def estimate_tempo(
    envelope: np.ndarray,
    frame_period: float,
    prior_bpm: float = 120.0,
    prior_octaves: float = 1.4,
    min_bpm: float = 40.0,
    max_bpm: float = 240.0,
) -> float:
    """Global tempo (BPM) from the onset envelope's autocorrelation (Ellis 2007, sec. 3).

    TPS(tau) = W(tau) * autocorrelation(tau), W a log-Gaussian centred on 120 BPM with a 1.4 octave
    spread. A periodic envelope correlates at every multiple of its period, and the prior alone
    would then prefer half of a fast tempo; Ellis's TPS2 adds the strength around twice the lag
    (0.5 at 2*tau, 0.25 at 2*tau +- 1), so the fastest period whose double is also strong wins.
    """
    env = np.asarray(envelope, dtype=np.float64)
    env = env - env.mean()
    min_lag = max(1, int(np.floor(60.0 / max_bpm / frame_period)))
    max_lag = int(np.ceil(60.0 / min_bpm / frame_period))
    if env.size < 2 * min_lag + 2 or not np.any(env):
        return prior_bpm
    size = int(2 ** np.ceil(np.log2(2 * env.size)))
    spec = np.fft.rfft(env, size)
    ac = np.fft.irfft(spec * np.conj(spec), size)[: env.size]
    ac = ac / ac[0]
    need = min(env.size - 1, 2 * max_lag + 1)
    lags = np.arange(1, need + 1)
    weight = np.exp(-0.5 * (np.log2(lags * frame_period / (60.0 / prior_bpm)) / prior_octaves) ** 2)
    tps = np.zeros(need + 2)
    tps[1 : need + 1] = weight * ac[1 : need + 1]
    best_lag, best = min_lag, -np.inf
    for lag in range(min_lag, min(max_lag, need) + 1):
        two = 2 * lag
        score = tps[lag]
        if two + 1 <= need:
            score += 0.5 * tps[two] + 0.25 * tps[two - 1] + 0.25 * tps[two + 1]
        if score > best:
            best, best_lag = score, lag
    # Sub-frame refinement: parabola through the TPS peak and its neighbours.
    lag = float(best_lag)
    if 1 <= best_lag - 1 and best_lag + 1 <= need:
        y0, y1, y2 = tps[best_lag - 1], tps[best_lag], tps[best_lag + 1]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            lag += float(np.clip(0.5 * (y0 - y2) / denom, -0.5, 0.5))
    return 60.0 / (lag * frame_period)


def _dp_beats(envelope: np.ndarray, period: float, tightness: float = 100.0) -> np.ndarray:
    """Ellis's dynamic programme: C(t) = O(t) + max_p [C(p) - tightness * log((t - p) / period)^2]."""
    n = envelope.size
    # Local score: onset strength smoothed by a Gaussian of width period/32, so a beat slightly off
    # the exact envelope peak still collects its strength.
    std = max(period / 32.0, 0.5)
    half = int(np.ceil(4 * std))
    win = np.exp(-0.5 * (np.arange(-half, half + 1) / std) ** 2)
    local = np.convolve(envelope, win, "same")
    cum = np.zeros(n)
    back = np.full(n, -1, dtype=np.int64)
    lo_off, hi_off = int(round(2.0 * period)), max(1, int(round(period / 2.0)))
    for t in range(n):
        hi = t - hi_off
        if hi < 0:
            cum[t] = local[t]
            continue
        lo = max(0, t - lo_off)
        prev = np.arange(lo, hi + 1)
        scores = cum[lo : hi + 1] - tightness * np.log((t - prev) / period) ** 2
        k = int(np.argmax(scores))
        cum[t] = local[t] + scores[k]
        back[t] = lo + k
    # Last beat: the latest local maximum of the cumulative score that is reasonably strong
    # (a later but weak one is usually a beat extrapolated into trailing silence).
    peaks = np.flatnonzero((cum[1:-1] >= cum[:-2]) & (cum[1:-1] > cum[2:])) + 1
    if peaks.size == 0:
        return np.array([], dtype=np.int64)
    strong = peaks[cum[peaks] >= 0.5 * np.median(cum[peaks])]
    beats = [int(strong[-1] if strong.size else peaks[-1])]
    while back[beats[-1]] >= 0:
        beats.append(int(back[beats[-1]]))
    beats_arr = np.array(beats[::-1], dtype=np.int64)
    # Trim leading/trailing beats that land on nothing (silence before the music or after it).
    threshold = 0.5 * np.sqrt(np.mean(local[beats_arr] ** 2)) if beats_arr.size else 0.0
    keep = np.flatnonzero(local[beats_arr] >= threshold)
    if keep.size == 0:
        return beats_arr
    return beats_arr[keep[0] : keep[-1] + 1]


def _track_from_envelope(env: np.ndarray, frame_period: float, prior_bpm: float, tightness: float = 100.0) -> BeatGrid:
    if env.size < 4 or not np.any(env):
        return BeatGrid(tempo_bpm=prior_bpm, beat_times=[])
    bpm = estimate_tempo(env, frame_period, prior_bpm=prior_bpm)
    beats = _dp_beats(env, 60.0 / bpm / frame_period, tightness=tightness)
    times = beats * frame_period
    if times.size >= 4:
        # The tracked beats average out the lag grid's quantisation: slope of beat time vs index.
        slope = np.polyfit(np.arange(times.size), times, 1)[0]
        if slope > 0:
            bpm = 60.0 / slope
    return BeatGrid(tempo_bpm=float(bpm), beat_times=[float(t) for t in times])


def track_beats(audio: np.ndarray, sr: int, prior_bpm: float = 120.0, tightness: float = 100.0) -> BeatGrid:
    """Beat times (seconds) and tempo (BPM) of `audio` by Ellis (2007) dynamic-programming tracking."""
    env, frame_period = onset_strength(audio, sr)
    return _track_from_envelope(env, frame_period, prior_bpm, tightness)


def beat_f_measure(estimated: list[float] | np.ndarray, reference: list[float] | np.ndarray, window: float = 0.07) -> float:
    """F-measure of estimated vs reference beat times, each reference matched at most once within
    ±`window` seconds (the MIREX beat-tracking measure, without mir_eval's 5 s trim).
    Empty estimate or reference scores 0."""
    est = np.sort(np.asarray(estimated, dtype=np.float64))
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    if est.size == 0 or ref.size == 0:
        return 0.0
    # Greedy one-to-one matching on closest pairs first; optimal here because a beat grid's
    # spacing is far wider than the window, so candidate pairs do not compete in chains.
    diff = np.abs(est[:, None] - ref[None, :])
    pairs = np.argwhere(diff <= window)
    order = np.argsort(diff[pairs[:, 0], pairs[:, 1]], kind="stable")
    used_e, used_r = set(), set()
    for i, j in pairs[order]:
        if i not in used_e and j not in used_r:
            used_e.add(int(i))
            used_r.add(int(j))
    hits = len(used_e)
    if hits == 0:
        return 0.0
    precision, recall = hits / est.size, hits / ref.size
    return 2.0 * precision * recall / (precision + recall)


# ---- music analysis: meter, downbeats, sections ------------------------------------------------


class MusicAnalysis(BaseModel):
    """What the edit needs to know about a soundtrack (all times in seconds from the audio start)."""

    tempo_bpm: float
    beats_per_bar: int = Field(4, description="estimated meter: 3 or 4 beats to the bar")
    beat_times: list[float]
    downbeat_times: list[float] = Field(default_factory=list, description="first beat of each bar")
    section_times: list[float] = Field(
        default_factory=list, description="where a new section begins (the audio start is not listed)"
    )

    def beat_grid(self) -> BeatGrid:
        return BeatGrid(tempo_bpm=self.tempo_bpm, beat_times=list(self.beat_times))


def _stft_power(x: np.ndarray, sr: int, seconds: float, hop: int) -> tuple[np.ndarray, int]:
    n_fft = int(2 ** np.ceil(np.log2(max(256, seconds * sr))))
    if x.size < n_fft:
        x = np.pad(x, (0, n_fft - x.size))
    padded = np.pad(x, (n_fft // 2, n_fft // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2, n_fft


def _chroma_matrix(sr: int, n_fft: int, fmin: float = 130.0, fmax: float = 2000.0) -> np.ndarray:
    """(12, bins) map from FFT bins to pitch classes: each bin between C3 and ~B6 goes to its
    nearest equal-tempered pitch class. 93 ms windows resolve semitones from ~110 Hz up; below C3
    kick drums and bass partials smear across classes, so they are left out."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    m = np.zeros((12, freqs.size))
    ok = (freqs >= fmin) & (freqs <= fmax)
    pcs = np.mod(np.round(12.0 * np.log2(freqs[ok] / 440.0) + 69.0), 12).astype(int)
    m[pcs, np.flatnonzero(ok)] = 1.0
    return m


def _beat_sync(features: np.ndarray, frame_times: np.ndarray, beats: np.ndarray, period: float) -> np.ndarray:
    """Mean feature vector of the frames between each beat and the next (last beat: one period)."""
    edges = np.append(beats, beats[-1] + period)
    idx = np.searchsorted(frame_times, edges)
    out = np.zeros((beats.size, features.shape[1]))
    for i in range(beats.size):
        lo, hi = idx[i], max(idx[i] + 1, idx[i + 1])
        out[i] = features[lo:hi].mean(axis=0) if lo < features.shape[0] else features[-1]
    return out


def _zscore(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / sd if sd > 1e-12 else np.zeros_like(v)


def estimate_meter(accent: np.ndarray, meters: tuple[int, ...] = (4, 3)) -> tuple[int, int]:
    """(beats per bar, index of the first downbeat) from a per-beat accent strength.

    For every meter M and phase p the accent of beats p, p+M, p+2M... is compared with that of the
    other beats (difference of means); the bar is the (M, p) with the strongest contrast. A duple
    accent pattern also favours 4 over 3, the common case. Ties go to the first meter listed (4).
    """
    best = (meters[0], 0)
    best_score = -np.inf
    for m in meters:
        if accent.size < 2 * m:
            continue
        for p in range(m):
            sel = (np.arange(accent.size) - p) % m == 0
            score = accent[sel].mean() - accent[~sel].mean()
            if score > best_score + 1e-9:
                best, best_score = (m, p), score
    return best


def foote_novelty(ssm: np.ndarray, half_width: int) -> np.ndarray:
    """Novelty curve of a self-similarity matrix (Foote 2000): correlation along the diagonal with a
    Gaussian-tapered checkerboard kernel (+1 within past and within future, -1 across them).

    Near the ends the kernel is cut to the part that lies inside the matrix and renormalised, so the
    start and end of the piece do not read as boundaries.
    """
    n = ssm.shape[0]
    L = max(1, int(half_width))
    off = np.arange(-L, L) + 0.5
    sign = np.sign(off)
    taper = np.exp(-0.5 * (off / (0.6 * L)) ** 2)  # broad: the kernel spans whole phrases
    kernel = np.outer(sign, sign) * np.outer(taper, taper)
    novelty = np.zeros(n)
    for i in range(1, n):
        # The boundary lies before beat i. Only symmetric support is fair, so near the ends the
        # kernel shrinks to the shorter side (at least half its width) and is renormalised.
        s = min(i, n - i, L)
        if s < max(2, L // 2):
            continue
        k = kernel[L - s : L + s, L - s : L + s]
        block = ssm[i - s : i + s, i - s : i + s]
        novelty[i] = float((k * block).sum() / np.abs(k).sum())
    return np.clip(novelty, 0.0, None)


# Cepstral distance (log10-power MFCC units) at which two beats' timbres count as ~1/e similar.
_TIMBRE_SCALE = 14.0


def analyze_music(
    audio: np.ndarray, sr: int, prior_bpm: float = 120.0, section_threshold: float = 0.11
) -> MusicAnalysis:
    """Tempo, beats, meter and downbeats, and section boundaries of a soundtrack.

    Beats: `track_beats` (Ellis 2007). Meter and downbeats: a per-beat accent that sums three
    z-scored beat-synchronous cues players use to mark a bar (low-frequency energy under 150 Hz at
    the beat (kick and bass), harmonic change (chroma distance to the previous beat: chords change
    on bar lines) and onset strength), then `estimate_meter` over 3 and 4 beats to the bar.
    Sections: a beat-synchronous feature per beat (12-bin chroma and 12 MFCC-like cepstral
    coefficients of a log-mel spectrum), a self-similarity matrix (chroma cosine + Gaussian of the
    cepstral distance), Foote's (2000) checkerboard novelty with a kernel of four bars each side,
    peaks above `section_threshold` at least two bars apart, moved onto the nearest downbeat.
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    env, frame_period = onset_strength(x, sr)
    grid = _track_from_envelope(env, frame_period, prior_bpm)
    beats = np.asarray(grid.beat_times, dtype=np.float64)
    if beats.size < 6:
        return MusicAnalysis(tempo_bpm=grid.tempo_bpm, beats_per_bar=4, beat_times=grid.beat_times,
                             downbeat_times=[float(t) for t in beats[::4]], section_times=[])  # fmt: skip
    period = 60.0 / grid.tempo_bpm

    # Beat-synchronous spectra: ~93 ms windows every ~23 ms (semitone resolution for chroma).
    hop = max(1, int(round(0.0232 * sr)))
    power, n_fft = _stft_power(x, sr, 0.093, hop)
    frame_times = np.arange(power.shape[0]) * hop / sr
    chroma = np.sqrt(power) @ _chroma_matrix(sr, n_fft).T
    # log10 power with a floor 90 dB under the peak: level-independent cepstra (a fade does not
    # read as a new timbre), unlike log1p compression.
    mel = np.log10(power @ _mel_filterbank(sr, n_fft, n_mels=40).T + 1e-9 * max(float(power.max()), 1e-20))
    # DCT-II of the log-mel spectrum: MFCC-like timbre (coefficient 0, overall level, dropped).
    basis = np.cos(np.pi / 40 * (np.arange(40) + 0.5)[None, :] * np.arange(1, 13)[:, None])
    mfcc = mel @ basis.T
    chroma_b = _beat_sync(chroma, frame_times, beats, period)
    mfcc_b = _beat_sync(mfcc, frame_times, beats, period)
    chroma_n = chroma_b / np.maximum(np.linalg.norm(chroma_b, axis=1, keepdims=True), 1e-12)

    # ---- accents -> meter and downbeats
    low = signal.sosfilt(signal.butter(4, 150.0, fs=sr, output="sos"), x) ** 2
    c = np.concatenate([[0.0], np.cumsum(low)])
    lo_idx = np.clip(np.round((beats - 0.02) * sr).astype(int), 0, x.size)
    hi_idx = np.clip(np.round((beats + min(0.15, 0.5 * period)) * sr).astype(int), 0, x.size)
    lf = np.log10(1e-10 + (c[hi_idx] - c[lo_idx]) / np.maximum(hi_idx - lo_idx, 1))
    harm = np.concatenate([[0.0], 1.0 - np.sum(chroma_n[1:] * chroma_n[:-1], axis=1)])
    harm[0] = np.median(harm[1:])
    env_idx = np.clip(np.round(beats / frame_period).astype(int), 0, env.size - 1)
    onset = np.array([env[max(0, i - 2) : i + 3].max() for i in env_idx])
    accent = _zscore(lf) + _zscore(harm) + 0.5 * _zscore(onset)
    meter, phase = estimate_meter(accent)
    downbeats = beats[phase::meter]

    # ---- sections: Foote novelty on the beat-synchronous self-similarity
    # Harmony (cosine of chroma) and timbre (Gaussian of the cepstral distance, on an absolute scale
    # so a piece of one section does not have its small variations blown up into "changes").
    timbre_d = np.linalg.norm(mfcc_b[:, None, :] - mfcc_b[None, :, :], axis=2)
    ssm = 0.4 * (chroma_n @ chroma_n.T) + 0.6 * np.exp(-((timbre_d / _TIMBRE_SCALE) ** 2))
    # The kernel spans four bars each side: a whole phrase (a four-chord progression), so chord
    # changes inside a section average out and only changes of key or band stand out.
    novelty = foote_novelty(ssm, 4 * meter)
    sections: list[float] = []
    if novelty.max() > 0:
        order = np.argsort(-novelty)
        taken: list[int] = []
        for i in order:
            if novelty[i] < section_threshold:
                break
            # The kernel's shoulders around a boundary are not new boundaries: two bars apart at least.
            if all(abs(int(i) - j) >= 2 * meter for j in taken):
                taken.append(int(i))
        for i in sorted(taken):
            t = beats[i]
            # A section starts on a bar line: the nearest downbeat within half a bar.
            near = downbeats[np.argmin(np.abs(downbeats - t))]
            sections.append(float(near if abs(near - t) <= 0.5 * meter * period + 1e-9 else t))
    return MusicAnalysis(
        tempo_bpm=grid.tempo_bpm, beats_per_bar=meter, beat_times=grid.beat_times,
        downbeat_times=[float(t) for t in downbeats], section_times=sorted(set(sections)),
    )  # fmt: skip

