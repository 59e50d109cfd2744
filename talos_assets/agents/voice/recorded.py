"""A recorded line instead of the studio's voice: a story's `dialogue_audio:` file, which must lie in
the story's own folder (like `music.file`), decoded with PyAV to 22050 Hz mono. It has no phonemes,
so its mouth shapes come from its envelope (`visemes.envelope_visemes`). Every problem with the file
is one sentence naming the shot and the field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from talos_assets.agents.voice.speech import VoicedLine, VoiceError, audible_span
from talos_assets.agents.voice.visemes import envelope_visemes
from talos_assets.story import AUDIO_SUFFIXES, StoryError, resolve_in_story_folder

SAMPLE_RATE = 22050


def _decode(path: Path, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Every sample of the file's first audio stream as float32 mono at `sr`; ValueError if unreadable."""
    import av

    chunks = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ValueError("it has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"it cannot be decoded ({type(exc).__name__})") from None
    audio = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if audio.size == 0 or audible_span(audio, sr) == (0.0, 0.0):
        raise ValueError("it holds no audible sound")
    return audio


def resolve_dialogue_audio(value: Path, story_path: Path | None, shot_id: str) -> Path:
    """The absolute path of a shot's `dialogue_audio`, checked now (inside the story's folder, an audio
    file, decodable, not silent) so a bad file stops the forge before any shot renders.

    Raises StoryError with one sentence (the CLI prints it and exits 2).
    """
    field = f"shots.{shot_id}.dialogue_audio"
    path = resolve_in_story_folder(Path(value), story_path, field)
    if not path.is_file():
        raise StoryError(f"{field}: recorded line '{value}' was not found next to the story; "
                         "put the file in the story's folder or remove 'dialogue_audio' to use the studio's voice.")
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise StoryError(f"{field}: '{value}' is not an audio file this studio reads ({', '.join(sorted(AUDIO_SUFFIXES))}).")
    try:
        _decode(path)
    except ValueError as exc:
        raise StoryError(f"{field}: recorded line '{value}' is unusable ({exc}); re-export it as wav or flac.") from None
    return path


def recorded_line_seconds(path: Path) -> float:
    """How long a recorded line lasts, seconds (what a dialogue shot must at least hold)."""
    audio = _decode(Path(path))
    return audio.size / SAMPLE_RATE


def recorded_line(path: Path, text: str, speaker: str | None = None) -> VoicedLine:
    """A recorded file as a VoicedLine: its audio, envelope visemes, no phonemes. VoiceError if unusable."""
    path = Path(path)
    if not path.is_file():
        raise VoiceError(f"recorded line '{path}' is missing; put it back in the story's folder.")
    try:
        audio = _decode(path)
    except ValueError as exc:
        raise VoiceError(f"recorded line '{path.name}' is unusable ({exc}); re-export it as wav or flac.") from None
    onset, offset = audible_span(audio, SAMPLE_RATE)
    return VoicedLine(text=text, speaker=speaker, source=f"recorded:{path.name}", sample_rate=SAMPLE_RATE,
                      duration_s=audio.size / SAMPLE_RATE, onset_s=onset, offset_s=offset,
                      visemes=envelope_visemes(audio, SAMPLE_RATE), samples=audio)
