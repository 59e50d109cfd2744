"""Whose body, hand or mount an effect comes from, once its anchor is read.

A joint anchor with no named owner goes to the shot's subject in the film, so it must be a cast
character's: "the magician raises his wand, and violet magic swirls from his hand" names a hand the
studio has no figure for, and drawing the magic at Mira's wrist would be wrong; it stands unanchored.
Dust "rising behind her" as she gallops her horse or pedals her bike is thrown up by the mount, so it
is the mount's. A pan, a wok or a struck match in someone's hand is no prop the studio draws, so what
comes off it comes from the hand (the labelling guide, `docs/world_labels.md`).
"""

from __future__ import annotations

from dataclasses import replace

from talos_assets.agents.direction.effect_phrases import ANIMALS
from talos_assets.agents.direction.effect_words import SET
from talos_assets.agents.direction.props_text import PEOPLE, PropReading
from talos_assets.agents.direction.worldtext import OWNERS, PREPOSITIONS, Token, name_of

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


def held_source(tokens: list[Token], effects: list, props: list[PropReading], names: dict[str, str]) -> list:
    """ "tips brandy into the pan in her right hand, and blue flames roar up", "strikes a match in her left
    hand, the little flame trembling": an effect read with no source, in a sentence that puts a thing the
    studio has no prop for in a hand, comes from that hand."""
    out = []
    for e in effects:
        if e.anchor is None and not e.behind and e.span is not None:
            hand = _hand_holding(tokens, e.span[0], props, names)
            if hand is not None:
                e = replace(e, anchor=hand[0], character=hand[1])
        out.append(e)
    return out


_HANDS = {"hand", "hands", "fist", "palm", "fingers"}


def _hand_holding(tokens: list[Token], start: int, props: list[PropReading], names: dict[str, str]
                  ) -> tuple[str, str | None] | None:
    """(wrist, owner) of "<thing> in his left hand" before the effect word in its sentence, where the
    thing is no prop (a held prop is read as the prop) and no stranger stands between."""
    sentence = tokens[start].sentence
    held_props = {p.start for p in props}
    for j in range(start - 1, 1, -1):
        t = tokens[j]
        if t.sentence != sentence or _bare(t.text) in STRANGERS or t.text in _ANOTHER_TIME:
            return None  # "clutched the map in her left hand as the volcano rumbled and smoke rose": the volcano's
        if t.text not in _HANDS:
            continue
        k = j - 1
        side = tokens[k].text if tokens[k].text in ("left", "right") else ""
        k -= bool(side)
        owner = tokens[k].text
        if tokens[k - 1].text != "in" or not (owner in ("his", "her") or name_of(owner, names)):
            continue
        thing = k - 2
        if thing < 0 or tokens[thing].sentence != sentence or thing in held_props or tokens[thing].text in _NOT_HELD:
            return None
        return f"{(side or 'right')[0]}_wrist", (name_of(owner, names) if owner.endswith("'s") else None)
    return None


def waved_source(tokens: list[Token], effects: list, props: list[PropReading], names: dict[str, str]) -> list:
    """ "Ada waves a flare over her head, red sparks spitting from it", "Pip waves her wand, and pink magic
    spins around the cat": sparks, fire, smoke or magic after a cast member waves a flare, sparkler or
    wand come from the hand, not from where they head or what the line passed on the way."""
    out = []
    for e in effects:
        if e.kind.value in ("sparks", "fire", "smoke", "magic") and e.span is not None and not e.behind:
            hand = _waved_in(tokens, e.span[0], names)
            if hand is not None and _passing(tokens, e, hand[2], props):
                e = replace(e, anchor=hand[0], character=hand[1])
        out.append(e)
    return out


_WAVES = {"waves", "waved", "waving", "twirls", "twirled", "twirling", "brandishes", "brandished", "brandishing",
          "raises", "raised", "raising", "points", "pointed", "pointing", "swings", "swung", "swinging", "flicks",
          "flicked", "flicking", "lifts", "lifted", "holds", "held", "holding"}
_WANDS = {"flare", "sparkler", "wand", "staff"}


def _waved_in(tokens: list[Token], start: int, names: dict[str, str]) -> tuple[str, str | None, int] | None:
    """(wrist, owner, where) of a flare, sparkler or wand a cast member (or "she", "he") waves before the
    effect in its sentence."""
    sentence = tokens[start].sentence
    for j in range(start - 1, -1, -1):
        t = tokens[j]
        if t.sentence != sentence or _bare(t.text) in STRANGERS or t.text in _ANOTHER_TIME | _GOES_UP:
            return None  # "... and the pumpkin exploded into a shower of sparks": the pumpkin's
        if t.text not in _WAVES:
            continue
        held = [u.text for u in tokens[j + 1:j + 4] if u.sentence == sentence]
        if not any(w.rstrip("s") in _WANDS for w in held):
            continue
        subject = [u.text for u in tokens[:j] if u.sentence == sentence]
        waver = next((w for w in reversed(subject) if name_of(w, names) or w in ("she", "he")
                      or _bare(w) in STRANGERS), None)
        if waver is None or _bare(waver) in STRANGERS:
            return None  # "Mira watches as the old magician raises his wand": the magician's
        owner = name_of(waver, names)
        words = {u.text for u in tokens if u.sentence == sentence}
        side = "l_wrist" if "left" in words else "r_wrist"
        return side, owner, j
    return None


_GOES_UP = {"exploded", "explodes", "bursts", "burst", "catches", "caught", "shatters", "shattered"}
_TOWARD = {"around", "at", "over", "onto", "toward", "towards", "into", "across", "on", "about"}


def _passing(tokens: list[Token], e, waved: int, props: list[PropReading]) -> bool:
    """The effect's anchor may move to the hand: it has none, is a head ("over her head" is where the
    flare is waved), or is a prop named before the waving ("up the ladder") or where the effect heads."""
    if e.anchor in (None, "head"):
        return True
    if not e.anchor.startswith("prop:"):
        return False
    at = [p.start for p in props if f"prop:{p.prop}" == e.anchor]
    return bool(at) and all(k < waved or (k > e.span[1] and any(tokens[x].text in _TOWARD for x in range(e.span[1], k)))
                            for k in at)


_ANOTHER_TIME = {"as", "while", "when", "until", "then", "after", "before"}
_NOT_HELD = {"it", "them", "this", "that", "him", "her", "head", "face", "eyes", "chin", "hand", "hands"}


def shaken_off(tokens: list[Token], effects: list, props: list[PropReading]) -> list:
    """ "the sheepdog shook itself, and muddy water splashed all over her boots", "The wet puppy shook
    itself. A splash of water hit Ada": spray an animal shakes off is the animal's (a prop dog or horse),
    and no one's the studio can draw when the animal is no prop ("the camel shakes its head")."""
    out = []
    for e in effects:
        if e.kind.value == "splash" and e.span is not None and not (e.character and _joint(e)):
            shaker = _shaker(tokens, e.span[0], props)
            if shaker is not None:
                e = replace(e, anchor=shaker or None, character=None, behind=False)
        out.append(e)
    return out


_SHAKES = {"shakes", "shook", "shaking", "shake"}
_SHAKEN = {"itself", "its", "off", "himself", "herself", "dry"}


def _shaker(tokens: list[Token], start: int, props: list[PropReading]) -> str | None:
    """ "prop:dog" for the prop animal that shakes itself in the effect's sentence (or the short one
    before), "" for another creature, None when no animal shakes."""
    sentence = tokens[start].sentence
    near = [j for j, t in enumerate(tokens) if t.sentence == sentence
            or (t.sentence == sentence - 1 and sum(u.sentence == sentence - 1 for u in tokens) <= 8)]
    for j in near:
        if tokens[j].text in _SHAKES and j + 1 < len(tokens) and tokens[j + 1].text in _SHAKEN:
            animal = next((p.prop for p in reversed(props) if p.start < j and p.start in near and p.prop in ANIMALS), None)
            if animal:
                return f"prop:{animal}"
            before = {t.text for t in tokens[near[0]:j]}
            return "" if before & _BEASTS else None
    return None


_BEASTS = {"camel", "camels", "goat", "goats", "sheep", "cow", "cows", "bear", "lion", "ox", "mule", "donkey", "pig",
           "otter", "seal", "yak", "llama", "wolf", "monster", "dragon", "creature", "beast"}


def animal_owned(tokens: list[Token], effects: list, props: list[PropReading], names: dict[str, str]) -> list:
    """ "a horse trots out of the stable, its breath steaming", "the old horse sneezed, and hay dust flew
    from his nose": a body part of a prop animal is the animal (a horse, dog, cat or bird), when no cast
    member stands nearer the effect."""
    out = []
    for e in effects:
        if _joint(e) and e.character is None and e.span is not None:
            animal = _nearest_animal(tokens, e.span[0], props, names)
            if animal:
                e = replace(e, anchor=f"prop:{animal}")
        out.append(e)
    return out


def _nearest_animal(tokens: list[Token], start: int, props: list[PropReading], names: dict[str, str]) -> str | None:
    sentence = tokens[start].sentence
    animals = {p.start: p.prop for p in props if p.prop in ANIMALS and tokens[p.start].sentence == sentence}
    for j in range(start - 1, -1, -1):
        word = tokens[j].text
        if tokens[j].sentence != sentence or name_of(word, names) or word in ("he", "she", "him", "they") \
                or _bare(word) in STRANGERS:
            return None
        if j in animals:
            its = any(t.text == "its" for t in tokens if t.clause == tokens[start].clause)
            return animals[j] if its or _clause_subject(tokens, j, names) else None
    return None


def _clause_subject(tokens: list[Token], j: int, names: dict[str, str]) -> bool:
    """The word at j heads its clause's subject: no preposition, owner or name before it ("the old grey horse
    sneezed", not "rides her horse" or "over the shivering poodles")."""
    before = [t.text for t in tokens[:j] if t.clause == tokens[j].clause]
    return not any(w in PREPOSITIONS or w in OWNERS or w.endswith("'s") or name_of(w, names) for w in before)


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
        bare = _bare(word)
        if bare in STRANGERS and not (one and _crowd(bare)):
            named = [t.text for t in tokens[max(first, j - 2):j]]
            return not (named and (name_of(named[-1], names) or (named[-1] == "the" and len(named) == 2
                                                                  and name_of(named[0], names))))
    return False


def _crowd(word: str) -> bool:
    return word in _CROWDS or (word.endswith("s") and word[:-1] in STRANGERS)


_CROWDS = {"children", "men", "women", "people", "crew", "folk", "villagers", "elves", "fairies", "wolves"}


def _bare(word: str) -> str:
    """The word without a possessive ("the witch's" -> "witch", "the wolves'" -> "wolves")."""
    return word[:-2] if word.endswith("'s") else word.rstrip("'")
