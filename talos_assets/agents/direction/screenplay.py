"""Prism's screenplay reading: a Fountain screenplay -> beats (action paragraphs and dialogue lines)
grouped in scenes, with each screenplay character cast as a studio rig.

The text is parsed by `fountain.py` (Fountain 1.1). Action lines find their characters by name
(the screenplay's speakers and the rig names), "he"/"she" by the last character named or heard, and
"they" by the people already in the scene (or carried over from the one before). A scene's stage
order is its characters in order of first appearance. The size of the screenplay is checked on the
parsed elements before any of this work, so a huge file fails in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from talos_assets.agents.direction.beats import Beat, Scene, parse_heading
from talos_assets.agents.direction.fountain import Screenplay, parse_fountain
from talos_assets.spec import MAX_SHOTS

# speaking characters one screenplay may hold: more is not a short film, and each name is a pattern
# searched in every action line
MAX_SPEAKERS = 64

_SINGULAR_RE = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_PLURAL_RE = re.compile(r"\b(they|them|their|together|both|everyone)\b", re.IGNORECASE)


def map_cast(names: list[str], cast: dict[str, str], available: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Screenplay names -> studio rigs: the story's `cast:` first, a rig of the same name next, then
    the unused rigs in order of appearance (so two people never share a body unless the studio has
    too few rigs). Returns the map and a note for each guessed assignment."""
    given = {k.strip().lower(): v for k, v in cast.items()}
    bad = sorted(v for v in given.values() if v not in available)
    if bad:
        raise ValueError(f"cast: '{bad[0]}' is not a character of this studio; use one of {', '.join(available)}")
    out: dict[str, str] = {}
    notes: list[str] = []
    taken = set()
    for name in names:
        key = name.lower()
        if key in given:
            out[name] = given[key]
        elif key in available:
            out[name] = key
        taken.add(out.get(name, ""))
    free = [r for r in available if r not in taken] or list(available)
    k = 0
    for name in names:
        if name not in out:
            out[name] = free[k % len(free)] if free else "talos"
            k += 1
            notes.append(f"screenplay character {name} is played by '{out[name]}'; set cast: {{{name}: RIG}} to choose")
    return out, notes


def check_screenplay_size(sp: Screenplay) -> None:
    """Refuse a screenplay with more shots than a film holds or more speakers than a short has."""
    shots = sum(1 for e in sp.elements
                if e.kind in ("action", "centered") or (e.kind in ("dialogue", "lyrics") and e.character))
    if shots > MAX_SHOTS:
        raise ValueError(f"the screenplay makes {shots} shots and a film holds at most {MAX_SHOTS}; "
                         "split it into several films")
    speakers = len(sp.characters)
    if speakers > MAX_SPEAKERS:
        raise ValueError(f"the screenplay has {speakers} speaking characters and a film holds at most {MAX_SPEAKERS}")


def _mention_finder(rigs: dict[str, str], available: Sequence[str]) -> Callable[[str], list[str]]:
    """A function giving the rigs an action line names, in the order the line names them."""
    # names to look for in action lines: the screenplay's speakers and the rig names themselves
    mention = {n: r for n, r in rigs.items()}
    mention.update({r: r for r in available})
    patterns = [(re.compile(rf"\b{re.escape(n)}\b", re.IGNORECASE), r) for n, r in
                sorted(mention.items(), key=lambda x: -len(x[0]))]

    def mentioned(line: str) -> list[str]:
        hits = []
        for pat, rig in patterns:
            m = pat.search(line)
            if m:
                hits.append((m.start(), rig))
        return list(dict.fromkeys(r for _, r in sorted(hits)))

    return mentioned


def beats_from_screenplay(text: str, cast: dict[str, str],
                          available: Sequence[str]) -> tuple[list[Beat], list[Scene], list[str]]:
    """Fountain text -> beats (action paragraphs and dialogue lines) grouped in scenes."""
    sp = parse_fountain(text)
    check_screenplay_size(sp)
    rigs, notes = map_cast(sp.characters, cast, available)
    mentioned = _mention_finder(rigs, available)

    scenes: list[Scene] = []
    beats: list[Beat] = []
    pending_paren: dict[str, str] = {}
    last_ref: str | None = None  # who "he"/"she" most likely means: the last character named or heard
    running: list[list[str]] = []  # characters met so far in each scene
    for el in sp.elements:
        if el.kind == "scene_heading":
            scenes.append(parse_heading(el.text))
            running.append([])
            continue
        if el.kind in ("action", "centered", "parenthetical", "dialogue", "lyrics") and not scenes:
            scenes.append(Scene(heading="", location=sp.title_page.get("title", "")))  # text before any heading
            running.append([])
        idx = len(scenes) - 1
        if el.kind in ("action", "centered"):
            chars = mentioned(el.text)
            if not chars and _PLURAL_RE.search(el.text):
                # "they" at the top of a scene means the people of the previous scene carried on
                chars = list(dict.fromkeys(running[idx] + (running[idx - 1] if idx and len(running[idx]) < 2 else [])))
            elif not chars and last_ref and _SINGULAR_RE.search(el.text):
                chars = [last_ref]
            beats.append(Beat(el.text, "action", idx, characters=chars))
            last_ref = chars[-1] if len(chars) == 1 else (mentioned(el.text)[-1] if mentioned(el.text) else last_ref)
            running[idx] += [c for c in chars if c not in running[idx]]
        elif el.kind == "parenthetical":
            pending_paren[el.character or ""] = el.text
        elif el.kind in ("dialogue", "lyrics") and el.character:
            rig = rigs.get(el.character, "talos")
            beats.append(Beat(el.text, "dialogue", idx, speaker=rig, characters=[rig], name=el.character,
                              parenthetical=pending_paren.pop(el.character, "")))
            last_ref = rig
            if rig not in running[idx]:
                running[idx].append(rig)
    # each scene's stage order: characters in order of first appearance (speakers and mentions)
    for b in beats:
        sc = scenes[b.scene]
        for c in b.characters:
            if c not in sc.cast:
                sc.cast.append(c)
    return beats, scenes, notes
