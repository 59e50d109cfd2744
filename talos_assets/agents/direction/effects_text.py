"""Prism's effect reading: the fire, smoke, dust, steam, sparks, magic, explosions, splashes and ink a
line names, where each comes from and how strong it is.

An effect word ("flames", "billows of smoke", "a spell") is anchored by the first source phrase of
its clause: a body part of a character ("from his chest" -> the chest joint, "from her hands" ->
the right wrist, "around his head" -> head), the set ("from the sea" -> the horizon, "at their
feet"/"on the ground" -> the ground, "from the sky" -> the sky), a prop ("from the lantern" ->
`prop:lantern`) or "behind him" (drawn behind the character). Strength follows the wording
("roars", "huge" strong; "faint", "wisp" weak) and the beat's arousal. Weather words are weather
(read in `world.py`), and a light doing its job ("the candles burn low", "the forge glows") is light,
not an effect.
"""

from __future__ import annotations

from dataclasses import dataclass

from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import PREPOSITIONS, Match, PhraseIndex, Token, ended, name_of, negated
from talos_assets.spec import EffectKind

EFFECT_WORDS: dict[EffectKind, list[str]] = {
    EffectKind.fire: ["fire", "flame", "blaze", "blazing", "burn", "burning", "inferno", "ablaze", "campfire",
                      "bonfire", "on fire", "fireball", "wildfire", "firestorm"],
    EffectKind.smoke: ["smoke", "smoking", "fume", "smog", "smoky"],
    EffectKind.dust: ["dust", "dusty", "dust cloud"],
    EffectKind.steam: ["steam", "steaming", "steamy", "vapour", "vapor"],
    EffectKind.sparks: ["spark", "ember", "sparking"],
    EffectKind.magic: ["magic", "magical", "spell", "shimmer", "shimmering", "enchantment", "sorcery", "aura",
                       "glow", "glowing"],
    EffectKind.explosion: ["explosion", "explode", "exploded", "exploding", "blast", "detonate", "detonation",
                           "blows up", "blew up"],
    EffectKind.splash: ["splash", "splashing", "splashed", "spray"],
    EffectKind.ink: ["ink", "inky"],
}
EFFECT_INDEX = _EFFECTS = PhraseIndex((w, k.value) for k, ws in EFFECT_WORDS.items() for w in ws)
# verbs of a light doing its job: an effect only when nothing in the clause is a light
_LIGHT_VERBS = {"burn", "burns", "burning", "glow", "glows", "glowing"}
_LIGHT_THINGS = {"candle", "candles", "lamp", "lamps", "lantern", "lanterns", "torch", "torches", "forge",
                 "fireplace", "hearth", "sun", "moon", "sky", "window", "windows", "screen", "coals", "embers",
                 "horizon", "stars", "city", "streetlights"}
_BODY_HEAT = {"eyes", "cheeks", "face", "ears", "throat", "lungs", "muscles", "wound"}  # "his eyes burn": feeling
_STRONG = {"roar", "roars", "roaring", "blaze", "blazes", "blazing", "huge", "erupt", "erupts", "erupting",
           "massive", "towering", "raging", "billow", "billows", "billowing", "great", "enormous", "violent",
           "fierce", "explodes", "inferno", "thick", "pours", "surges", "bursts", "mighty", "giant", "rages"}
_WEAK = {"faint", "wisp", "wisps", "small", "flickers", "flicker", "flickering", "thin", "tiny", "little",
         "slight", "trickle", "curls", "gentle", "soft", "single", "weak", "dim"}
_BODY = {"chest": "chest", "heart": "chest", "core": "chest", "torso": "chest", "body": "chest", "breast": "chest",
         "head": "head", "eyes": "head", "eye": "head", "face": "head", "mouth": "head", "brow": "head",
         "crown": "head", "back": "chest", "shoulders": "chest", "hand": "r_wrist", "hands": "r_wrist", "palm": "r_wrist", "palms": "r_wrist",
         "fingers": "r_wrist", "fingertips": "r_wrist", "fist": "r_wrist", "fists": "r_wrist", "wrist": "r_wrist",
         "staff": "r_wrist", "wand": "r_wrist", "feet": "ground", "foot": "ground"}
_SET = {"sea": "horizon", "ocean": "horizon", "horizon": "horizon", "water": "horizon", "waves": "horizon",
        "bay": "horizon", "lake": "horizon", "pond": "horizon", "river": "horizon", "stream": "horizon", "ground": "ground", "sand": "ground", "floor": "ground", "earth": "ground",
        "road": "ground", "street": "ground", "dirt": "ground", "soil": "ground", "grass": "ground",
        "sky": "sky", "heavens": "sky", "clouds": "sky"}
_ANCHOR_PREPS = PREPOSITIONS | {"of", "out", "between"}
# an effect that goes after someone is behind them: "a cloud of dust follows Pip"
_FOLLOWS = {"follows", "followed", "following", "trails", "trailed", "trailing", "chases", "chased"}
# "on the road" is where an effect starts; "above the street" is not the ground
_GROUND_PREPS = {"on", "at", "from", "across", "along", "onto", "upon", "off", "in", "into", "out", "of"}
_EFFECT_VERBS = {"spray", "sprays", "splash", "splashes", "explode", "explodes", "blast", "blasts", "burn", "burns",
                 "smoke", "smokes", "steam", "steams", "glow", "glows", "shimmer", "shimmers", "spark", "sparks"}
_KICKS = {"kick", "kicks", "kicked", "kicking", "stamps", "stomps", "stamped", "stomped"}
_WATER = {"sea", "ocean", "waves", "wave", "water", "surf", "spray", "tide", "breakers"}
_OWNERS = {"his", "her", "their", "its", "my", "your", "our"}
_WEAPONS = {"cannon", "cannons", "gun", "guns", "rifle", "rifles", "pistol", "pistols", "musket", "muskets", "artillery"}
_IMPLEMENTS = {"staff", "wand"}  # held things that are not props: "from its tip" is the hand
# an effect that wraps something is anchored on what it wraps, not on where that thing stands
_ENVELOPS = {"surrounds", "surround", "surrounding", "engulfs", "engulf", "envelops", "wraps", "circles",
             "encircles", "cloaks", "shrouds", "blankets", "covers", "fills"}
# a thing giving off an effect is its source: "the lantern gives off a thin smoke"
_EMITS = {"emits", "emit", "emitting", "belches", "spews", "spew", "exhales", "puffs", "breathes", "releases"}
_EMIT_PARTICLES = {"gives": "off", "give": "off", "giving": "off", "sends": "up", "lets": "off"}
_PERSON_OBJECTS = {"him", "her", "them", "me", "us"}


@dataclass
class EffectReading:
    kind: EffectKind
    anchor: str | None = None
    character: str | None = None  # the named owner of a joint or the one it is behind; None = the subject
    behind: bool = False
    strength: str = "normal"  # weak | normal | strong


def _target(tokens: list[Token], j: int, index: VocabularyIndex, names: dict[str, str]
            ) -> tuple[str | None, str | None, bool]:
    """(anchor, named character, behind) of the source phrase starting at preposition j."""
    prep, clause = tokens[j].text, tokens[j].clause
    after = [t for t in tokens[j + 1:j + 6] if t.clause == clause]
    if prep == "behind" and after:
        first = after[0].text
        who = name_of(first, names)
        if who or first in _PERSON_OBJECTS:
            return None, who, True
    if prep == "above" and not after:
        return "sky", None, False
    if prep == "in" and len(after) >= 2 and after[1].text == "wake":  # "in his wake": behind him
        return None, name_of(after[0].text, names), True
    owner = None
    for k, t in enumerate(after):
        w = t.text
        if w in _ANCHOR_PREPS:
            break
        if w == "its" and k + 1 < len(after) and after[k + 1].text not in _BODY:
            # "rises from its pages": a part of the prop the line named last before the phrase
            named = [p for p in index.props.find(tokens[:j]) if p.end <= j]
            if named:
                return f"prop:{named[-1].key}", None, False
            if any(t.text in _IMPLEMENTS for t in tokens[:j]):
                return "r_wrist", None, False  # "she points her wand and sparks shoot from its tip"
        if w.endswith("'s") and name_of(w, names):
            owner = name_of(w, names)
            continue
        body = _BODY.get(w)
        if body and (owner or any(a.text in _OWNERS for a in after[:k])):
            if w in ("hand", "hands", "palm", "wrist") and k and after[k - 1].text == "left":
                body = "l_wrist"
            return body, owner, False
        if w in _SET and (_SET[w] != "ground" or prep in _GROUND_PREPS):
            return _SET[w], None, False
        props = index.props.find(after[k:k + 2])
        if props and props[0].start == 0:
            return f"prop:{props[0].key}", None, False
    return None, None, False


def _thing(words: list[Token], index: VocabularyIndex, names: dict[str, str]) -> tuple[str | None, str | None]:
    """(anchor, owner) of the first thing a noun phrase names: a prop, a set word or a body part."""
    owner = None
    for k, t in enumerate(words):
        w = t.text
        if w.endswith("'s") and name_of(w, names):
            owner = name_of(w, names)
            continue
        if w in _BODY and _BODY[w] != "ground" and (owner or (k and words[k - 1].text in _OWNERS)):
            return _BODY[w], owner
        if w in _SET:
            return _SET[w], None
        props = index.props.find(words[k:k + 2])
        if props and props[0].start == 0:
            return f"prop:{props[0].key}", None
    return None, None


def _wrapped(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None] | None:
    """ "a shimmer of magic surrounds the old tree": what the effect wraps, or None when its verb
    does not wrap (an unknown thing wrapped, "the crown on the table", anchors nowhere)."""
    verb = next((j for j in span if m.end <= j < m.end + 3 and tokens[j].text in _ENVELOPS), None)
    if verb is None:
        return None
    obj = [tokens[j] for j in span if j > verb]
    obj = obj[:next((k for k, t in enumerate(obj) if t.text in _ANCHOR_PREPS), len(obj))]
    return _thing(obj, index, names)


def _emitter(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None]:
    """ "the lantern in Mira's hand gives off a thin smoke": the subject of an emitting verb before the effect."""
    for j in (j for j in span if j < m.start):
        w = tokens[j].text
        nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
        if w in _EMITS or _EMIT_PARTICLES.get(w) == nxt:
            return _thing([tokens[i] for i in span if i < j], index, names)
    return None, None


def _anchor(tokens: list[Token], m: Match, index: VocabularyIndex, names: dict[str, str]
            ) -> tuple[str | None, str | None, bool]:
    """The first source phrase after the effect word in its clause, else the first before it."""
    clause = tokens[m.start].clause
    span = [j for j, t in enumerate(tokens) if t.clause == clause]
    wrapped = _wrapped(tokens, m, span, index, names)
    if wrapped is not None:
        return wrapped[0], wrapped[1], False
    emitter = _emitter(tokens, m, span, index, names)
    if emitter[0]:
        return emitter[0], emitter[1], False
    after = [j for j in span if j >= m.end]
    # where an effect comes from outranks where it lands: "sparks rain on the street from the lamp"
    source = [j for j in after if tokens[j].text in ("from", "off")
              or (tokens[j].text == "out" and j + 1 < len(tokens) and tokens[j + 1].text == "of")]
    order = source + [j for j in after if j not in source] + [j for j in span if j < m.start]
    opener = [j for j, t in enumerate(tokens) if t.clause == clause - 1 and t.sentence == tokens[m.start].sentence]
    if 0 < len(opener) <= 4 and tokens[opener[0]].text in _ANCHOR_PREPS:
        order.append(opener[0])  # "Behind her, the forest is ablaze"
    from_unknown = False
    for j in order:
        if tokens[j].text in _ANCHOR_PREPS:
            if from_unknown and tokens[j].text not in ("of", "behind"):
                return None, None, False  # it comes from something the set cannot place ("from the wires")
            hit = _target(tokens, j, index, names)
            if hit[0] or hit[2]:
                return hit
            # "from the heart of the clock" reads on to the clock; "spray from the waterfall" (the
            # effect's own noun phrase, before its verb) says what it is, not where it starts
            from_unknown = from_unknown or (j in source and j > m.end)
    for j in (j for j in span if j >= m.end and tokens[j].text in _FOLLOWS and j + 1 < len(tokens)):
        who = tokens[j + 1].text
        if who in names or who in _PERSON_OBJECTS:
            return None, names.get(who), True
    before = [t.text for t in tokens[max(0, m.start - 2):m.start] if t.clause == clause]
    if len(before) == 2 and before[1] in _BODY and _BODY[before[1]] != "ground":  # "Mira's eyes glow"
        owner = name_of(before[0], names) if before[0].endswith("'s") else None
        if owner or before[0] in _OWNERS:
            return _BODY[before[1]], owner, False
    if any(tokens[j].text in ("sky", "heavens") for j in after):
        return "sky", None, False  # "an explosion lights up the sky"
    return None, None, False


def _gunfire(tokens: list[Token], m: Match) -> bool:
    word = tokens[m.start].text
    before = {t.text for t in tokens[max(0, m.start - 3):m.start]}
    return (word in ("fires", "fired", "firing") and bool(before & _WEAPONS)) or (
        word == "fire" and bool(before & {"open", "opens", "opened", "opening", "cease", "returns", "return"}))


def _strength(tokens: list[Token], clause: int) -> str:
    words = {t.text for t in tokens if t.clause == clause}
    return "strong" if words & _STRONG else ("weak" if words & _WEAK else "normal")


def _is_light(tokens: list[Token], m: Match, index: VocabularyIndex, kind: EffectKind) -> bool:
    """A light doing its job, a heat shimmer, or a glow of the set: not an effect."""
    words = {t.text for t in tokens if t.clause == tokens[m.start].clause}
    word = " ".join(t.text for t in tokens[m.start:m.end])
    if kind == EffectKind.magic and "heat" in words:
        return True
    before = tokens[m.start - 1].text if m.start else ""
    if word in ("flame", "flames") and before in _LIGHT_THINGS:
        return True  # "the candle flame": the light itself
    if word == "flame" and words & {"burns", "flickers", "glows", "gutters", "dances", "bright", "steady"}:
        return True  # "the flame burns bright": a light burning, not a fire
    if word in ("burn", "burns", "burning") and words & _BODY_HEAT:
        return True
    if word in _LIGHT_VERBS:
        clause = [t for t in tokens if t.clause == tokens[m.start].clause]
        return bool(words & _LIGHT_THINGS) or bool(index.places.find(clause))
    return False


def read_effects(tokens: list[Token], index: VocabularyIndex, names: dict[str, str]) -> list[EffectReading]:
    """The effects a line names (one per kind and clause), with anchor and strength."""
    out: list[EffectReading] = []
    seen: set[tuple[str, int]] = set()
    found = _EFFECTS.find(tokens)
    for m in found:
        kind = EffectKind(m.key)
        if tokens[m.start].text in _EFFECT_VERBS and any(n.end == m.start and n.key != "ink" for n in found):
            continue  # "sparks spray from the anvil": the verb of another effect (spilt ink does splash)
        clause = tokens[m.start].clause
        if (kind.value, clause) in seen or negated(tokens, m.start) or ended(tokens, m.end):
            continue
        if _is_light(tokens, m, index, kind):
            continue
        if kind == EffectKind.fire and _gunfire(tokens, m):
            continue  # "the cannon fires", "they open fire": a shot, not flames
        if kind == EffectKind.sparks and m.end < len(tokens) and tokens[m.end].text == "of":
            continue  # "a spark of hope"
        if kind == EffectKind.explosion and {t.text for t in tokens if t.clause == clause} & _WATER:
            continue  # "the sea explodes against the rocks": a splash
        seen.add((kind.value, clause))
        anchor, who, behind = _anchor(tokens, m, index, names)
        sentence_words = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
        if anchor is None and not behind and kind in (EffectKind.dust, EffectKind.splash) and sentence_words & _KICKS:
            anchor = "ground"  # "Pip kicks up dust"
        out.append(EffectReading(kind, anchor, who, behind, _strength(tokens, clause)))
    keyed = {}
    for e in out:  # the same effect named twice in a line ("fire ... flames") is one effect
        keyed.setdefault((e.kind, e.anchor, e.behind), e)
    placed = {e.kind for e in keyed.values() if e.anchor or e.behind}
    return [e for e in keyed.values() if e.anchor or e.behind or e.kind not in placed]


def effect_strength(wording: str, arousal: float) -> float:
    """Emitter strength from the wording and the beat's arousal (-1..1): strong 1.6-2.5, weak 0.4-0.7."""
    a = max(-1.0, min(1.0, arousal))
    if wording == "strong":
        return round(min(2.5, max(1.6, 2.0 + 0.5 * a)), 2)
    if wording == "weak":
        return round(min(0.7, max(0.4, 0.55 + 0.15 * a)), 2)
    return round(min(1.5, max(0.7, 1.0 + 0.3 * a)), 2)
