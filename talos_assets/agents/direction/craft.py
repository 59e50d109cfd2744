"""Screenplay craft in a shot: what a title card, dual dialogue and an off-screen voice mean for it.

A screenplay's centred text (`> THE END <`) is a title card: no one in frame, a still camera and as
long as the words take to read (about 3 words/s, as subtitles are timed, plus a beat to settle).
Dual dialogue (`^`) is one two-shot of both speakers, both talking; its description holds one
`NAME: "line"` per speaker on its own line, in `ShotPlan.speakers` order, so the voice can say each
(`dialogue_parts`). A V.O./O.S. line is heard, not seen: nobody in frame acts the talking. The
transitions are read in `screenplay.py` (`transition_kind`); `screenplay_transition` gives the edit
each one's length (a dissolve and a fade a second, as the classic editors' defaults; a whip a
quarter second, Cuttura's own whip length).
"""

from __future__ import annotations

from talos_assets.agents.direction.beats import Beat
from talos_assets.spec import CharacterAction, FilmPlan, ShotPlan

TITLE_WORDS_PER_S = 3.0
TITLE_MIN_S, TITLE_MAX_S = 2.5, 6.0
TRANSITION_SECONDS = {"cut": 0.0, "dissolve": 1.0, "dip-to-black": 1.0, "whip-pan": 0.25}


def title_seconds(text: str) -> float:
    """How long a title card holds: its words read at `TITLE_WORDS_PER_S` plus 1.5 s, in [2.5, 6] s."""
    return round(min(TITLE_MAX_S, max(TITLE_MIN_S, len(text.split()) / TITLE_WORDS_PER_S + 1.5)), 2)


def _said(name: str, extension: str, parenthetical: str, text: str) -> str:
    ext = f" ({extension})" if extension else ""
    paren = f" {parenthetical}" if parenthetical else ""
    return f'{name}{ext}{paren}: "{text}"'


def dialogue_description(beat: Beat) -> str:
    """`MIRA (V.O.) (softly): "line"`, one such line per speaker in dual dialogue (joined by newlines);
    the extension tells the voice the line is heard off screen."""
    first = _said(beat.name or beat.speaker or "", beat.extension, beat.parenthetical, beat.text)
    return "\n".join([first] + [_said(d.name, d.extension, d.parenthetical, d.text) for d in beat.duet])


def dialogue_parts(shot: ShotPlan) -> list[tuple[str | None, str]]:
    """(speaker rig, `NAME: "line"`) for each line a dialogue shot speaks: one, or both of a dual
    dialogue, each description part ready for the voice's `spoken_line`."""
    parts = shot.description.split("\n") if shot.beat == "dialogue" else []
    speakers = shot.speakers or [shot.speaker]
    if len(parts) != len(speakers):  # a hand-written dialogue shot: one line, its speaker
        return [(shot.speaker, shot.description)] if shot.beat == "dialogue" else []
    return list(zip(speakers, parts))


def talking(beat: Beat, chars: list[str], actions: list[CharacterAction]) -> list[CharacterAction]:
    """The shot's actions with its speakers talking: nobody talks over an off-screen line, and the
    second voice of a dual dialogue talks too."""
    if beat.off_screen:
        return [a for a in actions if not (a.character == beat.speaker or a.action == "talk")]
    have = {a.character for a in actions if a.action == "talk"}
    extra = [CharacterAction(character=d.speaker, action="talk") for d in beat.duet
             if d.speaker in chars and d.speaker not in have and not d.off_screen]
    return actions + extra


def transitions_from_plan(plan: FilmPlan) -> dict[str, str]:
    """shot id -> the screenplay's transition out of it, for the shots whose screenplay names one."""
    return {s.shot_id: s.transition_out for s in plan.shots if s.transition_out is not None}


def screenplay_transition(shot: ShotPlan, fps: int) -> tuple[str, int] | None:
    """(kind, frames) of the transition the screenplay writes after `shot`, or None when it writes
    none (the edit chooses from the change of feeling); a cut is 0 frames, a whip at least 2."""
    if shot.transition_out is None:
        return None
    seconds = TRANSITION_SECONDS[shot.transition_out]
    return shot.transition_out, 0 if seconds == 0 else max(2, int(round(seconds * fps)))
