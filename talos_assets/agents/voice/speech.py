"""A line of dialogue voiced: espeak-ng speech (22050 Hz) with its phoneme and word timings and the
visemes they imply, as one typed `VoicedLine`; `line_duration` answers how long a line lasts
(Prism makes a dialogue shot at least that long). The samples are trimmed to the speech with a few
milliseconds of air on each side, and every timing is measured from the first kept sample.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from talos_assets.agents.voice.espeak import Synthesis, UnknownVoiceError, synthesize
from talos_assets.agents.voice.visemes import MouthFrame, VisemeKey, viseme_of
from talos_assets.spec import VoiceSpec

LEAD_IN_S = 0.2  # a line starts this long after its shot's first frame: the cut lands, then the voice
TAIL_S = 0.3  # and the shot holds this long after the last word
_AIR_S = 0.03  # silence kept around the speech when trimming
_SILENCE = 10 ** (-50 / 20)  # -50 dBFS: below this a sample is silence


class VoiceError(ValueError):
    """A voice or recorded line the studio cannot use; the message is one sentence for the user."""


class PhonemeTiming(BaseModel):
    symbol: str  # IPA
    start_ms: float
    end_ms: float


class WordOnset(BaseModel):
    word: str
    start_ms: float


class VoicedLine(BaseModel):
    """A spoken line: its audio, what was said, and when each phoneme, word and mouth shape happens.

    Times (`*_ms`, `*_s`) count from the first sample of `samples` except `start_s`, which is where
    the line starts in its shot (seconds from the shot's first frame), and `mouth`, which is indexed
    by the shot's frames.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    text: str
    speaker: str | None = None
    source: str = Field(..., description="espeak-ng voice (e.g. 'espeak:en-us+f3 p70 s175') or 'recorded:<file>'")
    sample_rate: int
    duration_s: float
    onset_s: float = Field(..., description="first audible speech, seconds into the audio")
    offset_s: float = Field(..., description="last audible speech, seconds into the audio")
    start_s: float = LEAD_IN_S
    off_screen: bool = False
    phonemes: list[PhonemeTiming] = Field(default_factory=list)
    words: list[WordOnset] = Field(default_factory=list)
    visemes: list[VisemeKey] = Field(default_factory=list)
    mouth: list[MouthFrame] = Field(default_factory=list)
    audio_file: str = Field("", description="the WAV of this line in the shot's voice folder (line0.wav...)")
    samples: np.ndarray = Field(default_factory=lambda: np.zeros(0, np.float32), exclude=True)


class ShotVoices(BaseModel):
    """Everything a shot says: no lines, one, or two spoken at once (dual dialogue). Axis drives each
    on-screen speaker's mouth from its line's `mouth` (one entry per frame of the shot)."""

    lines: list[VoicedLine] = Field(default_factory=list)

    def for_speaker(self, speaker: str) -> VoicedLine | None:
        return next((line for line in self.lines if line.speaker == speaker), None)


def audible_span(samples: np.ndarray, sr: int, threshold: float = _SILENCE) -> tuple[float, float]:
    """(onset, offset) seconds of the first and last sample above `threshold`; (0, 0) for silence."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return 0.0, 0.0
    return float(loud[0] / sr), float((loud[-1] + 1) / sr)


def _trimmed(syn: Synthesis) -> tuple[np.ndarray, int]:
    """The speech with `_AIR_S` of silence around it, and where it starts in the synthesized samples
    (negative when silence was added in front)."""
    sr, air = syn.sample_rate, int(_AIR_S * syn.sample_rate)
    padded = np.pad(syn.samples, (air, air))
    onset, offset = audible_span(padded, sr)
    first, last = max(0, int(onset * sr) - air), min(padded.size, int(offset * sr) + air)
    return padded[first:last].astype(np.float32), first - air


def _timings(syn: Synthesis, text: str, cut: int, n: int) -> tuple[list[PhonemeTiming], list[WordOnset]]:
    """Phonemes (each ends where the next event starts) and word onsets, in ms of the trimmed audio."""
    sr = syn.sample_rate
    to_ms = lambda sample: round(1000.0 * float(np.clip(sample - cut, 0, n)) / sr, 2)  # noqa: E731
    marks = [e for e in syn.events if e.kind in ("phoneme", "end")]
    phonemes = []
    for e, nxt in zip(marks, marks[1:] + [None]):
        if e.kind != "phoneme" or not e.symbol:
            continue  # "" is a pause between phonemes
        end = nxt.sample if nxt is not None else cut + n
        if to_ms(end) > to_ms(e.sample):
            phonemes.append(PhonemeTiming(symbol=e.symbol, start_ms=to_ms(e.sample), end_ms=to_ms(end)))
    words = []
    for e in syn.events:
        if e.kind == "word" and e.length > 0:
            # text_position counts characters (not bytes) from 1
            word = text[e.text_position - 1 : e.text_position - 1 + e.length]
            words.append(WordOnset(word=word.strip(), start_ms=to_ms(e.sample)))
    return phonemes, words


def _viseme_keys(phonemes: list[PhonemeTiming]) -> list[VisemeKey]:
    keys: list[VisemeKey] = []
    for p in phonemes:
        shape = viseme_of(p.symbol)
        start, end = p.start_ms / 1000.0, p.end_ms / 1000.0
        if keys and keys[-1].viseme == shape and abs(keys[-1].end_s - start) < 1e-6:
            keys[-1].end_s, keys[-1].phoneme = end, keys[-1].phoneme + p.symbol
        else:
            keys.append(VisemeKey(start_s=round(start, 4), end_s=round(end, 4), viseme=shape, phoneme=p.symbol))
    return keys


def _synthesize(text: str, voice: VoiceSpec) -> Synthesis:
    try:
        return synthesize(text, voice.voice, voice.pitch, voice.speed, voice.range)
    except UnknownVoiceError:
        raise VoiceError(f"voice '{voice.voice}' is not an espeak-ng voice; use a language such as en-us, en or "
                         f"en-gb-x-rp, optionally with a variant like en-us+f3 or en+m3") from None


def voice_line(text: str, voice: VoiceSpec, speaker: str | None = None) -> VoicedLine:
    """Speak `text` with `voice` (espeak-ng): the trimmed audio, phoneme/word timings and visemes.

    An unknown voice raises VoiceError (one sentence); a line with nothing to say is refused too.
    """
    if not any(ch.isalnum() for ch in text):
        raise VoiceError(f"the line {text!r} has no words to speak")
    syn = _synthesize(text, voice)
    samples, cut = _trimmed(syn)
    sr = syn.sample_rate
    phonemes, words = _timings(syn, text, cut, samples.size)
    onset, offset = audible_span(samples, sr)
    return VoicedLine(
        text=text, speaker=speaker, source=f"espeak:{voice.voice} p{voice.pitch} s{voice.speed} r{voice.range}",
        sample_rate=sr, duration_s=samples.size / sr, onset_s=onset, offset_s=offset,
        phonemes=phonemes, words=words, visemes=_viseme_keys(phonemes), samples=samples,
    )


@lru_cache(maxsize=4096)
def _duration(text: str, voice_json: str) -> float:
    line = voice_line(text, VoiceSpec.model_validate_json(voice_json))
    return line.duration_s


def line_duration(text: str, voice: VoiceSpec) -> float:
    """Seconds the line lasts when the studio speaks it with `voice` (a real synthesis, ~10 ms; cached)."""
    return _duration(text, voice.model_dump_json())


def dialogue_shot_seconds(text: str, voice: VoiceSpec) -> float:
    """The shortest a dialogue shot may be: lead-in, the line, and a short hold after it."""
    return LEAD_IN_S + line_duration(text, voice) + TAIL_S
