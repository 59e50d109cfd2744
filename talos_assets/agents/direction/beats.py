"""Prism's beats: the units of story that become shots, grouped in scenes.

Explicit shots give one beat each (a change of `location` opens a new scene); prose (a logline or a
script without scene headings) gives one beat per sentence, and a sentence that moves the action
to another place opens a new scene. A scene heading in
the screenplay form (INT./EXT. PLACE - TIME, as Fountain 1.1 and the common screenplay format write
it) is read into location, interior/exterior and time of day. Screenplays are in `screenplay.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from talos_assets.spec import ShotInput


def split_beats(text: str) -> list[str]:
    """Sentences of a logline/script, each a beat; screenplay-style blank lines also separate beats."""
    parts = re.split(r"(?<=[.!?])\s+|\n\s*\n", text.strip())
    return [p.strip() for p in parts if len(p.strip()) > 2]


@dataclass
class DialogueLine:
    """A line spoken beside another in dual dialogue (Fountain `^`): who says it and how."""

    speaker: str  # a studio character (rig) name
    name: str  # the speaker as the screenplay spells it
    text: str
    parenthetical: str = ""
    extension: str = ""  # V.O., O.S., CONT'D... as written
    off_screen: bool = False  # heard, not seen speaking


@dataclass
class Beat:
    """One unit of story that becomes one shot: a line of action, a line of dialogue, a title card
    (a screenplay's centred text) or an explicit shot."""

    text: str
    kind: str = "shot"  # shot | action | dialogue | title
    scene: int = 0
    speaker: str | None = None  # a studio character (rig) name
    characters: list[str] = field(default_factory=list)  # rigs in the beat; empty = decide from the scene
    parenthetical: str = ""
    name: str | None = None  # the speaker as the screenplay spells it
    shot: ShotInput | None = None  # explicit shots keep every field the user wrote
    extension: str = ""  # the speaker's cue extension as written (V.O., O.S., CONT'D)
    off_screen: bool = False  # V.O./O.S./O.C.: the line is heard, its speaker not seen speaking
    duet: list[DialogueLine] = field(default_factory=list)  # dual dialogue: the lines spoken beside this one
    transition_out: str | None = None  # the screenplay's transition after this beat (cut, dissolve...)
    referents: dict[str, str] = field(default_factory=dict)  # an object pronoun -> the character it stands for

    @property
    def speakers(self) -> list[str]:
        """Everyone who speaks in the beat (dual dialogue: both), in the screenplay's order."""
        first = [self.speaker] if self.speaker else []
        return list(dict.fromkeys(first + [d.speaker for d in self.duet]))


@dataclass
class Scene:
    """A place in the film: one location and its characters, whose left-to-right order is kept."""

    heading: str
    location: str
    interior: bool | None = None
    time_of_day: str = ""
    cast: list[str] = field(default_factory=list)  # left to right


# a line that names no character but says "he", "someone"... is about a person, not a thing
PERSON_RE = re.compile(r"\b(he|she|they|him|her|them|his|their|i|we|you|me|us|someone|everyone|man|woman|"
                       r"girl|boy|child|robot|automaton)\b", re.IGNORECASE)
_HEADING_RE = re.compile(r"^(INT\.?/EXT\.?|INT/EXT|I/E|INT\.?|EXT\.?|EST\.?)\s*(.*)$", re.IGNORECASE)


def parse_heading(heading: str) -> Scene:
    """A scene heading (`EXT. SHORE - DUSK`) as a Scene: location, interior/exterior, time of day."""
    m = _HEADING_RE.match(heading.strip())
    prefix, rest = (m.group(1).upper(), m.group(2)) if m else ("", heading.strip())
    interior = None if not prefix or "/" in prefix else prefix.startswith("INT")
    place, _, tod = rest.rpartition(" - ") if " - " in rest else (rest, "", "")
    return Scene(heading=heading.strip(), location=(place or rest).strip().title(), interior=interior,
                 time_of_day=tod.strip().lower())


def beats_from_shots(shots: list[ShotInput]) -> tuple[list[Beat], list[Scene]]:
    """Explicit shots: one beat each; a change of `location` opens a new scene."""
    beats: list[Beat] = []
    scenes: list[Scene] = []
    current = None
    for shot in shots:
        loc = (shot.location or "").strip()
        if not scenes or (loc and loc != current):
            scenes.append(parse_heading(loc) if loc else Scene(heading="", location=""))
            current = loc or current
        kind = "dialogue" if shot.speaker else "shot"
        beats.append(Beat(shot.description, kind, len(scenes) - 1, speaker=shot.speaker,
                          characters=list(dict.fromkeys(shot.characters)), shot=shot))
    for b in beats:
        for c in b.characters:
            if c not in scenes[b.scene].cast:
                scenes[b.scene].cast.append(c)
    return beats, scenes


def beats_from_prose(text: str, place_of: Callable[[str], str | None] | None = None,
                     cast: Sequence[str] = ()) -> tuple[list[Beat], list[Scene]]:
    """A logline or prose script: each sentence is a beat; a sentence that puts the action in a
    different place than the scene's (`place_of`, a set id or None) opens a new scene there. The
    studio characters (`cast`) a sentence names are in its beat and join its scene's cast."""
    beats: list[Beat] = []
    scenes = [Scene(heading="", location="")]
    current: str | None = None
    name_res = {c: re.compile(rf"\b{re.escape(c)}\b", re.IGNORECASE) for c in cast}
    mentioned: list[str] = []  # the scene's characters, most recently named last
    for sentence in split_beats(text):
        place = place_of(sentence) if place_of is not None else None
        if place is not None and current is not None and place != current:
            scenes.append(Scene(heading="", location=""))
            mentioned = []
        current = place or current
        named = sorted((m.start(), c) for c, r in name_res.items() if (m := r.search(sentence)))
        characters = [c for _, c in named]
        referents = object_referents(sentence, characters, mentioned)
        characters += [c for c in referents.values() if c not in characters]
        scene = scenes[-1]
        scene.cast += [c for c in characters if c not in scene.cast]
        mentioned = [c for c in mentioned if c not in characters] + characters
        beats.append(Beat(sentence, "action", len(scenes) - 1, characters=characters, referents=referents))
    return beats, scenes


# "him" is always an object; "her" only where no noun follows it ("gives it to her." -- not "her lantern")
_OBJECT_PRONOUNS = re.compile(r"\b(him)\b|\b(her)\b(?=\s*(?:[,.!?;]|$|(?:and|as|while|with|to|in|on|at|by|for|from|under|over)\b))",
                              re.IGNORECASE)


def object_referents(sentence: str, named: Sequence[str], mentioned: Sequence[str]) -> dict[str, str]:
    """{pronoun: character} for the object pronouns of a sentence: the character most recently named
    in the scene who is not named in the sentence itself ("Talos sits. Mira walks to him": him = Talos).
    Rigs carry no gender, so "him" and "her" both take that character."""
    others = [c for c in reversed(mentioned) if c not in named]
    out: dict[str, str] = {}
    for m in _OBJECT_PRONOUNS.finditer(sentence):
        if others:
            out.setdefault((m.group(1) or m.group(2)).lower(), others[0])
    return out

