"""The studio's voices: dialogue lines spoken offline by espeak-ng (or taken from a recorded file),
with phoneme and word timings and the mouth shapes (visemes) that Axis animates.

- `espeak`: the espeak-ng library from the `espeakng-loader` wheel through ctypes (22050 Hz samples,
  WORD and PHONEME events in IPA).
- `lines`: the spoken words of a dialogue description (parentheticals dropped, V.O. detected).
- `speech`: `VoicedLine`, `voice_line`, `line_duration` / `dialogue_shot_seconds`.
- `visemes`: closed / open / wide / round from IPA phonemes or the envelope, per frame of a shot.
- `recorded`: a story's `dialogue_audio` file, resolved inside the story's folder and decoded.
- `shot_line`: a dialogue shot's lines (two in dual dialogue), placed in the shot, with their mouth
  tracks; `line_seconds_for`,
  the callable Prism takes to make a dialogue shot last at least its line.
- `lipsync`: how well a mouth track follows the voice (correlation, closed in silence).
"""

from talos_assets.agents.voice.espeak import voice_exists
from talos_assets.agents.voice.lines import SpokenLine, spoken_line
from talos_assets.agents.voice.lipsync import LipSync, lip_sync
from talos_assets.agents.voice.recorded import recorded_line, recorded_line_seconds, resolve_dialogue_audio
from talos_assets.agents.voice.shot_line import dialogue_parts, line_seconds_for, lines_for_shot, speaker_voices
from talos_assets.agents.voice.speech import (
    LEAD_IN_S,
    TAIL_S,
    PhonemeTiming,
    ShotVoices,
    VoicedLine,
    VoiceError,
    WordOnset,
    audible_span,
    dialogue_shot_seconds,
    line_duration,
    voice_line,
)
from talos_assets.agents.voice.visemes import (
    VISEME_OPENING,
    MouthFrame,
    VisemeKey,
    frame_envelope,
    mouth_frames,
    speech_envelope,
    viseme_of,
)

__all__ = [
    "LEAD_IN_S", "LipSync", "TAIL_S", "VISEME_OPENING", "frame_envelope", "lip_sync", "MouthFrame", "PhonemeTiming", "ShotVoices", "SpokenLine", "VisemeKey", "VoiceError",
    "VoicedLine", "WordOnset", "audible_span", "dialogue_shot_seconds", "line_duration", "dialogue_parts", "line_seconds_for", "lines_for_shot", "mouth_frames", "speaker_voices",
    "recorded_line", "recorded_line_seconds", "resolve_dialogue_audio", "speech_envelope", "spoken_line", "viseme_of",
    "voice_exists", "voice_line",
]  # fmt: skip
