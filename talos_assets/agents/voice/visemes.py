"""Mouth shapes from speech: four visemes (closed, open, wide, round) from the TTS phonemes and
their timings, shaded by the speech envelope, sampled per film frame for Axis's mouths.

The classes follow the usual reduction of the Preston Blair / Disney mouth chart to four shapes:
bilabials and labiodentals close the lips (p b m f v, and silence), rounded vowels and consonants
round them (u o w and the post-alveolars), close front vowels and the tongue-tip consonants spread
them (i e s t d n l...), and open vowels drop the jaw (a ae schwa...). A recorded line has no
phonemes: its envelope alone opens the mouth (open when loud, wide when soft, closed in silence).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel

Viseme = Literal["closed", "open", "wide", "round"]
VISEME_OPENING: dict[str, float] = {"closed": 0.0, "wide": 0.45, "round": 0.6, "open": 1.0}

_CLOSED = set("pbmfvɸβ")
_ROUND = set("uʊoɔwɒʃʒʍɥ") | {"tʃ", "dʒ", "ɹ", "r"}
_WIDE = set("iɪeɛjsztdnlθðɾçx") | {"eɪ", "iː"}
_OPEN = set("aɑʌəɚæɐɜɝɶ")


def viseme_of(ipa: str) -> Viseme:
    """The mouth shape of one IPA phoneme (stress and length marks ignored); "" (a pause) is closed."""
    core = ipa.replace("ˈ", "").replace("ˌ", "").replace("ː", "").strip()
    if not core:
        return "closed"
    if core in _ROUND or core[:2] in _ROUND:
        return "round"
    head = core[0]
    for shape, chars in (("closed", _CLOSED), ("round", _ROUND), ("open", _OPEN), ("wide", _WIDE)):
        if head in chars:
            return shape  # type: ignore[return-value]
    return "open" if head in "kgŋhɡʔ" else "wide"  # back consonants keep the jaw where the vowel left it


class VisemeKey(BaseModel):
    """One mouth shape held from `start_s` to `end_s` (seconds from the start of the line's audio)."""

    start_s: float
    end_s: float
    viseme: Viseme
    phoneme: str = ""


class MouthFrame(BaseModel):
    """The mouth at one frame of the shot: its shape and how far it is open (0 closed .. 1 open)."""

    frame: int
    viseme: Viseme
    open: float


def speech_envelope(samples: np.ndarray, sr: int, hop_s: float = 0.01) -> tuple[np.ndarray, float]:
    """RMS envelope with a 20 ms window every `hop_s`; returns (envelope, hop seconds)."""
    hop = max(1, int(round(hop_s * sr)))
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return np.zeros(0), hop / sr
    win = 2 * hop
    padded = np.pad(x * x, (win // 2, win))
    c = np.concatenate([[0.0], np.cumsum(padded)])
    starts = np.arange(0, x.size, hop)
    return np.sqrt((c[starts + win] - c[starts]) / win), hop / sr


def frame_envelope(samples: np.ndarray, sr: int, start_s: float, fps: int, frames: int) -> np.ndarray:
    """The voice's RMS over each frame of a shot whose line starts `start_s` in (0 outside the line)."""
    env, hop = speech_envelope(samples, sr)
    out = np.zeros(frames)
    for f in range(frames):
        t0, t1 = f / fps - start_s, (f + 1) / fps - start_s
        i0, i1 = max(0, int(np.floor(t0 / hop))), min(env.size, int(np.ceil(t1 / hop)))
        if i1 > i0:
            out[f] = float(np.sqrt(np.mean(env[i0:i1] ** 2)))
    return out


def envelope_visemes(samples: np.ndarray, sr: int, silence: float = 0.08) -> list[VisemeKey]:
    """Visemes of a recorded line from its envelope alone (no phonemes): 10 ms steps merged into runs."""
    env, hop = speech_envelope(samples, sr)
    if env.size == 0:
        return []
    ref = max(float(np.percentile(env, 95)), 1e-6)
    level = env / ref
    # `silence` and 0.55 are fractions of the line's loud (95th percentile) level
    shapes = np.where(level < silence, "closed", np.where(level > 0.55, "open", "wide"))
    keys: list[VisemeKey] = []
    for i, shape in enumerate(shapes):
        if keys and keys[-1].viseme == shape:
            keys[-1].end_s = (i + 1) * hop
        else:
            keys.append(VisemeKey(start_s=i * hop, end_s=(i + 1) * hop, viseme=str(shape)))  # type: ignore[arg-type]
    return keys


def mouth_frames(keys: list[VisemeKey], samples: np.ndarray, sr: int, start_s: float, fps: int, frames: int
                 ) -> list[MouthFrame]:
    """The mouth at every frame of a shot whose line starts `start_s` into it.

    The opening is the viseme's own opening scaled by the speech envelope over that frame (so loud
    syllables open wider and the mouth closes in pauses); frames before or after the line are closed.
    A frame whose voice is under 5 % of the line's loud level is silent: closed, whatever the phoneme.
    """
    env = frame_envelope(samples, sr, start_s, fps, frames)
    ref = max(float(np.percentile(env[env > 0], 95)) if np.any(env > 0) else 0.0, 1e-9)
    out: list[MouthFrame] = []
    for f in range(frames):
        t = (f + 0.5) / fps - start_s  # the shape held at the middle of the frame
        key = next((k for k in keys if k.start_s <= t < k.end_s), None)
        level = float(np.clip(env[f] / ref, 0.0, 1.0))
        if key is None or level < 0.05:
            out.append(MouthFrame(frame=f, viseme="closed", open=0.0))
            continue
        opening = VISEME_OPENING[key.viseme] * (0.35 + 0.65 * np.sqrt(level))
        out.append(MouthFrame(frame=f, viseme=key.viseme, open=round(float(opening), 3)))
    return out
