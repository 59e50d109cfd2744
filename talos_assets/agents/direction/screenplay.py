"""Prism's screenplay reading: a Fountain screenplay -> beats (action paragraphs and dialogue lines)
grouped in scenes, with each screenplay character cast as a studio rig.

The text is parsed by `fountain.py` (Fountain 1.1). Action lines find their characters by name
(the screenplay's speakers and the rig names), "he"/"she" by the last character named or heard, and
"they" by the people already in the scene (or carried over from the one before). A scene's stage
order is its characters in order of first appearance. The size of the screenplay is checked on the
parsed elements before any of this work, so a huge file fails in one sentence.

The craft of the page is kept: centred text is a title beat; a transition (CUT TO:, SMASH CUT TO:,
DISSOLVE TO:, FADE OUT.) becomes the `transition_out` of the beat before it; a dual cue (`^`) puts
its lines beside the line before, in one beat; a V.O./O.S./O.C. line is off screen, and its speaker
is not put in the scene by it (CONT'D changes nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from talos_assets.agents.direction.beats import Beat, DialogueLine, Scene, parse_heading
from talos_assets.agents.direction.fountain import Element, Screenplay, parse_fountain
from talos_assets.spec import MAX_SHOTS

# speaking characters one screenplay may hold: more is not a short film, and each name is a pattern
# searched in every action line
MAX_SPEAKERS = 64

_SINGULAR_RE = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_PLURAL_RE = re.compile(r"\b(they|them|their|together|both|everyone)\b", re.IGNORECASE)
# cue extensions whose speaker is heard, not seen: voice-over, off screen, off camera, a pre-lap
_OFF_SCREEN_RE = re.compile(r"\b(V\.?\s?O|O\.?\s?S|O\.?\s?C)\b|\bPRE-?LAP\b", re.IGNORECASE)
_VOICE_OVER_RE = re.compile(r"\bV\.?\s?O\b", re.IGNORECASE)
_OPENING_RE = re.compile(r"^(FADE|IRIS) IN\b")
# transition words -> the edit's transitions, first match wins (SMASH CUT TO BLACK is a fade, not a whip)
_TRANSITIONS = (
    (re.compile(r"\bFADE\b|\bTO BLACK\b|\bIRIS\b"), "dip-to-black"),
    (re.compile(r"\bDISSOLVE\b|\bCROSS-?FADE\b|\bLAP\b"), "dissolve"),
    (re.compile(r"\b(SMASH|WHIP|SWISH)\b"), "whip-pan"),
)


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


def transition_kind(text: str) -> str | None:
    """A screenplay transition as one of the edit's: FADE OUT./FADE TO BLACK. dip to black,
    DISSOLVE TO: dissolves, SMASH CUT TO: whips, CUT TO: and the rest cut; FADE IN: opens the next
    shot and ends nothing (None)."""
    words = text.upper()
    if _OPENING_RE.match(words):
        return None
    return next((kind for pat, kind in _TRANSITIONS if pat.search(words)), "cut")


def is_off_screen(extension: str | None) -> bool:
    """Whether a cue's extension (V.O., O.S., O.C., PRE-LAP; CONT'D is not) hides the speaker."""
    return bool(extension) and bool(_OFF_SCREEN_RE.search(extension or ""))


class _Reading:
    """The screenplay's elements read in order into beats and scenes: who is in each scene so far,
    whom "he"/"she" means, the parenthetical waiting for its line and the cue being spoken."""

    def __init__(self, sp: Screenplay, rigs: dict[str, str], mentioned: Callable[[str], list[str]]):
        self.sp, self.rigs, self.mentioned = sp, rigs, mentioned
        self.scenes: list[Scene] = []
        self.beats: list[Beat] = []
        self.running: list[list[str]] = []  # characters met so far in each scene
        self.pending_paren: dict[str, str] = {}
        self.last_ref: str | None = None  # who "he"/"she" most likely means: the last character named or heard
        self.cue: Element | None = None  # the character cue whose lines are being read
        self.duet_of: Beat | None = None  # the beat a dual cue's lines join

    def scene_for(self) -> int:
        if not self.scenes:  # text before any heading
            self.scenes.append(Scene(heading="", location=self.sp.title_page.get("title", "")))
            self.running.append([])
        return len(self.scenes) - 1

    def read(self, el: Element) -> None:
        if el.kind == "scene_heading":
            self.scenes.append(parse_heading(el.text))
            self.running.append([])
        elif el.kind == "transition":
            kind = transition_kind(el.text)
            if kind is not None and self.beats:
                self.beats[-1].transition_out = kind
        elif el.kind == "character":
            self.cue = el
            last = self.beats[-1] if self.beats else None
            # `^` puts this cue's lines beside the dialogue just before it
            dual = el.dual and last is not None and last.kind == "dialogue" and last.name != el.text
            self.duet_of = last if dual else None
        elif el.kind == "centered":
            self.beats.append(Beat(el.text, "title", self.scene_for()))
        elif el.kind == "action":
            self.action(el.text, self.scene_for())
        elif el.kind == "parenthetical":
            self.scene_for()
            self.pending_paren[el.character or ""] = el.text
        elif el.kind in ("dialogue", "lyrics") and el.character:
            self.line(el, self.scene_for())

    def action(self, text: str, idx: int) -> None:
        running = self.running
        chars = self.mentioned(text)
        if not chars and _PLURAL_RE.search(text):
            # "they" at the top of a scene means the people of the previous scene carried on
            chars = list(dict.fromkeys(running[idx] + (running[idx - 1] if idx and len(running[idx]) < 2 else [])))
        elif not chars and self.last_ref and _SINGULAR_RE.search(text):
            chars = [self.last_ref]
        self.beats.append(Beat(text, "action", idx, characters=chars))
        named = self.mentioned(text)
        self.last_ref = chars[-1] if len(chars) == 1 else (named[-1] if named else self.last_ref)
        running[idx] += [c for c in chars if c not in running[idx]]

    def line(self, el: Element, idx: int) -> None:
        """A line of dialogue: its own beat, or beside the line before it (dual dialogue). An
        off-screen line's speaker is not put in the scene: its beat frames who is there already (a
        voice-over's speaker may be one of them, silent), and film.py chooses when nobody is."""
        name = el.character or ""
        rig = self.rigs.get(name, "talos")
        cue = self.cue if self.cue is not None and self.cue.text == name else None
        extension = (cue.extension or "") if cue is not None else ""
        off = is_off_screen(extension)
        paren = self.pending_paren.pop(name, "")
        duet = self.duet_of
        if duet is not None and duet.scene == idx:
            if duet.duet and duet.duet[-1].name == name:  # the dual line goes on after a parenthetical
                duet.duet[-1].text += " " + el.text
            else:
                duet.duet.append(DialogueLine(rig, name, el.text, paren, extension, off))
            duet.characters += [rig] if rig not in duet.characters and not off else []
        else:
            present = [c for c in self.running[idx] if c != rig]
            # a voice-over may play over its speaker, silent; an off-screen speaker is never in frame
            narrator = rig in self.running[idx] and bool(_VOICE_OVER_RE.search(extension))
            seen = present or ([rig] if narrator else [])
            self.beats.append(Beat(el.text, "dialogue", idx, speaker=rig, characters=seen if off else [rig],
                                   name=name, parenthetical=paren, extension=extension, off_screen=off))
        if off:
            return
        self.last_ref = rig
        if rig not in self.running[idx]:
            self.running[idx].append(rig)


def beats_from_screenplay(text: str, cast: dict[str, str],
                          available: Sequence[str]) -> tuple[list[Beat], list[Scene], list[str]]:
    """Fountain text -> beats (action paragraphs, dialogue lines, title cards) grouped in scenes; each
    beat knows the screenplay's transition after it."""
    sp = parse_fountain(text)
    check_screenplay_size(sp)
    rigs, notes = map_cast(sp.characters, cast, available)
    reading = _Reading(sp, rigs, _mention_finder(rigs, available))
    for el in sp.elements:
        reading.read(el)
    beats, scenes = reading.beats, reading.scenes
    # each scene's stage order: characters in order of first appearance (speakers and mentions)
    for b in beats:
        sc = scenes[b.scene]
        for c in b.characters:
            if c not in sc.cast:
                sc.cast.append(c)
    return beats, scenes, notes
