"""Whose body or mount an effect comes from, once its anchor is read.

A joint anchor with no named owner goes to the shot's subject in the film, so it must be a cast
character's: "the magician raises his wand, and violet magic swirls from his hand" names a hand the
studio has no figure for, and drawing the magic at Mira's wrist would be wrong; it stands unanchored.
Dust "rising behind her" as she gallops her horse or pedals her bike is thrown up by the mount, so it
is the mount's (the labelling guide, `docs/world_labels.md`).
"""

from __future__ import annotations

from dataclasses import replace

from talos_assets.agents.direction.effect_words import SET
from talos_assets.agents.direction.props_text import PEOPLE, PropReading
from talos_assets.agents.direction.worldtext import Token, name_of

# who has a body in a story but no figure in the cast: people named by what they are, and creatures
# that are not among the prop animals (a horse, dog, cat or bird is a prop and anchors as one)
STRANGERS = PEOPLE | {
    "dragon", "dragons", "ghost", "ghosts", "mermaid", "mermaids", "sorcerer", "sorcerers",
    "troll", "trolls", "ogre", "ogres", "monster", "monsters", "genie", "phoenix", "octopus", "squid", "whale",
    "whales", "dolphin", "dolphins", "hatchling", "wolf", "wolves", "bear", "bears", "lion", "tiger", "goblin",
    "goblins", "witches", "wizards", "magicians", "sorceresses", "eater", "breather", "fairies", "elves", "spirit",
    "spirits", "golem", "unicorn", "griffin", "serpent", "beast", "creature", "yeti"}
_RIDES = {"rides", "rode", "riding", "ridden", "gallops", "galloped", "galloping", "canters", "cantered", "cantering",
          "trots", "trotted", "trotting", "pedals", "pedalled", "pedaled", "pedalling", "pedaling", "cycles", "cycled",
          "cycling", "biked", "biking", "drives", "drove", "driving", "spurs", "spurred"}
_MOUNTS = ("horse", "bicycle")


def cast_owned(tokens: list[Token], effects: list, names: dict[str, str]) -> list:
    """Effects at a joint of someone not in the cast lose the joint (they keep their kind)."""
    return [replace(e, anchor=None) if _joint(e) and e.character is None and _stranger_owns(tokens, e, names) else e
            for e in effects]


def mounts_trail(tokens: list[Token], effects: list, props: list[PropReading]) -> list:
    """Dust or spray behind a rider who rides a horse or bike is the mount's."""
    out = []
    for e in effects:
        if e.behind and e.span is not None:
            sentence = tokens[e.span[0]].sentence
            words = {t.text for t in tokens if t.sentence == sentence}
            mount = next((p.prop for p in props if p.prop in _MOUNTS and tokens[p.start].sentence == sentence), None)
            if mount and words & _RIDES:
                e = replace(e, anchor=f"prop:{mount}", behind=False, character=None)
        out.append(e)
    return out


def held_left(tokens: list[Token], effects: list) -> list:
    """ "sparks shower from the grinder in his left hand": a right-hand default moves to the left hand
    the effect's own clause puts the thing in."""
    out = []
    for e in effects:
        if e.anchor == "r_wrist" and e.span is not None:
            clause = tokens[e.span[0]].clause
            words = [t.text for t in tokens if t.clause == clause]
            held = any(words[k] == "in" and words[k + 2:k + 4] in (["left", "hand"], ["left", "fist"])
                       and {"from", "off"} & set(words[:k]) for k in range(len(words) - 3))
            if held and "right" not in words:
                e = replace(e, anchor="l_wrist")
        out.append(e)
    return out


def _joint(e) -> bool:
    return bool(e.anchor) and not e.behind and not e.anchor.startswith("prop:") and e.anchor not in SET.values()


def _stranger_owns(tokens: list[Token], e, names: dict[str, str]) -> bool:
    """The nearest one with a body before the end of the effect's clause is a stranger: "the witch
    waves her staff, and green magic crackles from it"; a cast name nearer keeps the joint, and so
    does a cast name the stranger's word only describes ("Talos the wizard", "Mira, sorceress of the
    isle"). "His" or "her" cannot be a crowd ("as he tells the children ..., smoke drifts from his chest")."""
    if e.span is None:
        return False
    clause = tokens[e.span[0]].clause
    end = max(j for j, t in enumerate(tokens) if t.clause == clause)
    first = min(j for j, t in enumerate(tokens) if t.sentence >= tokens[e.span[0]].sentence - 1)
    one = bool({t.text for t in tokens[e.span[0]:end + 1] if t.clause == clause} & {"his", "her"})
    for j in range(end, first - 1, -1):
        word = tokens[j].text
        if name_of(word, names):
            return False
        bare = word[:-2] if word.endswith("'s") else word.rstrip("'")
        if bare in STRANGERS and not (one and _crowd(bare)):
            named = [t.text for t in tokens[max(first, j - 2):j]]
            return not (named and (name_of(named[-1], names) or (named[-1] == "the" and len(named) == 2
                                                                  and name_of(named[0], names))))
    return False


def _crowd(word: str) -> bool:
    return word in _CROWDS or (word.endswith("s") and word[:-1] in STRANGERS)


_CROWDS = {"children", "men", "women", "people", "crew", "folk", "villagers", "elves", "fairies", "wolves"}
