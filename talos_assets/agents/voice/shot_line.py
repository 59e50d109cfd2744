"""A dialogue shot's lines: the spoken words of its description voiced by each speaker (the rig's
espeak-ng voice, or the story's recorded file for the shot's speaker), placed `LEAD_IN_S` into the
shot, with the mouth at every frame of the shot for Axis. A dual dialogue (Fountain `^`) speaks two
lines at once, one per line of the description; shots that say nothing have no lines.
`line_seconds_for` gives Prism the shortest a dialogue shot may be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from talos_assets.agents.key_animation.characters import available_characters, load_rig
from talos_assets.agents.voice.lines import spoken_line
from talos_assets.agents.voice.recorded import recorded_line, recorded_line_seconds
from talos_assets.agents.voice.speech import LEAD_IN_S, TAIL_S, VoicedLine, dialogue_shot_seconds, voice_line
from talos_assets.agents.voice.visemes import mouth_frames
from talos_assets.spec import ShotPlan, VoiceSpec


def dialogue_parts(shot: ShotPlan) -> list[tuple[str | None, str]]:
    """(speaker, description part) for each line the shot speaks: Prism writes one `NAME: "line"`
    per speaker, one per line of the description (dual dialogue: two); a hand-written dialogue shot
    is one line by its speaker."""
    if shot.beat != "dialogue":
        return []
    parts = [p for p in shot.description.split("\n") if p.strip()]
    speakers = list(shot.speakers) or [shot.speaker]
    if len(parts) < 2 or len(parts) != len(speakers):
        return [(shot.speaker, shot.description)]
    return list(zip(speakers, parts))


def speaker_voices(speakers: Sequence[str | None], character_dirs: Sequence[Path | str] = ()) -> dict[str, VoiceSpec]:
    """Each speaker's voice from its rig YAML; speakers that are not rigs are left out (default voice)."""
    dirs = list(character_dirs)
    cast = set(available_characters(dirs))
    return {name: load_rig(name, dirs).voice for name in dict.fromkeys(speakers) if name is not None and name in cast}


def lines_for_shot(shot: ShotPlan, voices: Mapping[str, VoiceSpec] | None = None, recorded: Path | None = None
                   ) -> list[VoicedLine]:
    """The shot's voiced lines (empty when it is not dialogue or says nothing).

    `voices` maps speakers to their rig voices (missing: the default voice); `recorded` is a
    resolved file that replaces the synthesized voice of the shot's speaker. A line heard off
    screen (V.O., O.S.) gets no mouth track.
    """
    lines = []
    for k, (speaker, part) in enumerate(dialogue_parts(shot)):
        said = spoken_line(part)
        if said is None:
            continue
        if recorded is not None and k == 0:
            line = recorded_line(recorded, said.text, speaker)
        else:
            line = voice_line(said.text, (voices or {}).get(speaker or "", VoiceSpec()), speaker)
        line.start_s = LEAD_IN_S
        line.off_screen = said.off_screen or (shot.off_screen and k == 0)
        if not line.off_screen:
            line.mouth = mouth_frames(line.visemes, line.samples, line.sample_rate, line.start_s, shot.fps, shot.total_frames)
        lines.append(line)
    return lines


def line_seconds_for(character_dirs: Sequence[Path | str] = ()) -> Callable[..., float]:
    """The callable Prism uses to make a dialogue shot last at least its line:
    `seconds(speaker, text, recorded=None) -> float`, where `speaker` is a rig name (its voice from
    the rig YAML; unknown or None: the default voice), `text` the line or a dialogue description
    (`MIRA (softly): "..."`; parentheticals are not spoken) and `recorded` a resolved
    `dialogue_audio` file. The answer includes the lead-in and the hold after the last word;
    0.0 when nothing is said."""
    dirs = list(character_dirs)

    def seconds(speaker: str | None, text: str, recorded: Path | None = None) -> float:
        if recorded is not None:
            return LEAD_IN_S + recorded_line_seconds(recorded) + TAIL_S
        said = spoken_line(text)
        if said is None:
            return 0.0
        voice = VoiceSpec()
        if speaker is not None and speaker in available_characters(dirs):
            voice = load_rig(speaker, dirs).voice
        return dialogue_shot_seconds(said.text, voice)

    return seconds
