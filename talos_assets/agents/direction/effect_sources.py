"""The source phrase of an effect: the anchor a preposition's phrase names ("from his chest" -> the
chest joint, "off the anvil" -> `prop:anvil`, "behind Rosa" -> behind her, "out of it" -> the prop or
body part "it" stands for), and the first thing a noun phrase names. Token readers for `effect_anchors.py`.
"""

from __future__ import annotations

from talos_assets.agents.direction.effect_phrases import antecedent, carried_by_body
from talos_assets.agents.direction.effect_words import (
    ANCHOR_PREPS,
    BODY,
    DETERMINERS,
    GROUND_PREPS,
    IMPLEMENTS,
    PERSON_OBJECTS,
    PROP_PARTS,
    SET,
    effect_shapes,
    sided_joint,
)
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import MOTION_PARTICLES, OWNERS, RISING_PARTICLES, VERB_HOMOGRAPHS, Token, name_of

_PART_OWNERS = {"the", "their", "its"}  # "the strings", "their wicks", "the back wheel"
_NOT_NOUNS = {"like", "as", "and", "or", "but", "while", "until", "when", "where", "with", "that", "which"}


def source_phrase(tokens: list[Token], j: int, index: VocabularyIndex, names: dict[str, str]
            ) -> tuple[str | None, str | None, bool]:
    """(anchor, named character, behind) of the source phrase starting at preposition j."""
    prep, clause = tokens[j].text, tokens[j].clause
    after = [t for t in tokens[j + 1:j + 8] if t.clause == clause]
    carried = carried_by_body(tokens, j, after, names)
    if carried[0] and not index.props.find(after[:next(k for k, t in enumerate(after) if t.text in ("in", "on"))]):
        return carried
    if prep == "behind" and after:
        first = after[0].text
        who = name_of(first, names)
        owned = index.props.find(after[1:3]) if first.endswith("'s") else []
        if who and owned and owned[0].start == 0:
            return f"prop:{owned[0].key}", None, False  # "dust streams behind Rosa's bike": the bike's
        if who or first in PERSON_OBJECTS:
            return None, who, True
    if prep == "above" and not after:
        return "sky", None, False
    if prep == "under" and any(t.text in ("sky", "skies", "stars", "moon", "sun") for t in after[:4]):
        return None, None, False  # "a campfire under a starry sky": the weather, not where the fire is
    if prep == "in" and len(after) >= 2 and after[1].text == "wake":  # "in his wake": behind him
        return None, name_of(after[0].text, names), True
    owner = None
    for k, t in enumerate(after):
        w = t.text
        if w in ANCHOR_PREPS:
            if k == 0 and prep in ("from", "out"):
                continue  # "from under the truck", "out from behind the door": the phrase reads on
            if w in ("of", "between") and k + 1 < len(after) and (after[k + 1].text in OWNERS
                                                                   or name_of(after[k + 1].text, names)):
                continue  # "from the joint of his right wrist", "from the gaps between his teeth": the body named next
            ground = [t.text for t in after[k + 1:k + 4] if t.text not in ("the", "a", "an")]
            if w in ("in", "on") and k and ground and SET.get(ground[0]) == "ground" and prep == "from":
                return "ground", None, False  # "from vents in the floor": an opening in the ground
            break
        if w in _OPENINGS and _ground_split(tokens, j):
            return "ground", None, False  # "the floor splits open and dust rises from the crack"
        if w == "joint" and k and after[k - 1].text == "the" and (limb := _limb_named_last(tokens, j)):
            return limb, None, False  # "Talos bends his right elbow. Sparks spit from the joint."
        pronoun = _pronoun_phrase(tokens, j, after, k, index, names)
        if pronoun is not None:
            return pronoun
        if w.endswith("'s") and name_of(w, names):
            owner = name_of(w, names)
            continue
        if w in ("left", "right") and k + 1 == len(after) and k and after[k - 1].text in OWNERS:
            named = body_it_stands_for(tokens, j, names)  # "sparks from her right hand, snow from her left"
            if named[0] and named[0][:2] in ("l_", "r_"):
                return w[0] + named[0][1:], named[1], False
        body = sided_joint(w, after[k - 1].text if k else "")  # "her left arm"
        if body and k and after[k - 1].text in OWNERS and (body == "ground" or body[:2] in ("l_", "r_")):
            body = _limb_side(tokens, j, body) or body  # "stamps her left foot ... from her heel": that foot
        if body and (owner or any(a.text in OWNERS for a in after[:k])):
            return body, owner, False
        if w == "water" and k + 1 < len(after) and after[k + 1].text not in ANCHOR_PREPS | _NOT_NOUNS:
            continue  # "the water trough": a kind of trough
        if w == "water" and k >= 1 and after[k - 1].text == "of":
            continue  # "a bucket of water": what is poured, not the sea
        if w in SET and (index.props.find(after[k + 1:k + 2]) or (k + 1 < len(after) and after[k + 1].text == "pen")):
            continue  # "the street lamp", "the sea chest", "a fountain pen": a kind of prop or pen
        if w in SET and (SET[w] != "ground" or prep in GROUND_PREPS):
            inside = index.props.find(after[k + 2:k + 5]) if k + 1 < len(after) and after[k + 1].text in ("in", "inside") else []
            if inside and inside[0].start <= 1:  # "through the water in the cup": the cup holds it
                return f"prop:{inside[0].key}", None, False
            return SET[w], None, False
        if _verb_not_thing(after, k):
            continue  # "of steam rose from the kettle": a verb, not a flower
        props = index.props.find(after[k:k + 2])
        if props and props[0].start == 0 and j + 1 + k not in effect_shapes(tokens):
            return f"prop:{props[0].key}", None, False
        owned_part = k and (after[k - 1].text in _PART_OWNERS or (k > 1 and after[k - 2].text in _PART_OWNERS))
        if (w in PROP_PARTS or w[:-1] in PROP_PARTS) and owned_part and (named := antecedent(tokens, j, index)):
            return f"prop:{named}", None, False  # "sparks fly off the strings" of the guitar just named
        if w == "tip" and owned_part and any(t.text in IMPLEMENTS and t.sentence == tokens[j].sentence for t in tokens[:j]):
            return _limb_side(tokens, j, "r_wrist") or "r_wrist", None, False  # "waves a wand and magic bursts out of the tip"
    return None, None, False


def _pronoun_phrase(tokens: list[Token], j: int, after: list[Token], k: int, index: VocabularyIndex,
                    names: dict[str, str]) -> tuple[str | None, str | None, bool] | None:
    """What "it", "its" or "them" at after[k] stands for, or None when the phrase reads on."""
    w = after[k].text
    if w == "them" and k <= 1 and (named := antecedent(tokens, j, index)) and any(
            p.key == named and tokens[p.end - 1].text.endswith("s") for p in index.props.find(tokens[:j])):
        return f"prop:{named}", None, False  # "blows out the candles ... smoke drifts up from them"
    if w == "it" and k <= 1:  # "snow swirls out of it": the prop "it" stands for
        named = antecedent(tokens, j, index)
        if named:
            return f"prop:{named}", None, False
        body = body_it_stands_for(tokens, j, names)
        sky = any(t.text in ("sky", "skies") and t.sentence == tokens[j].sentence for t in tokens[:j])
        return ("sky", None, False) if body[0] is None and sky else body  # "the sky was clear, and magic drifted down from it"
    if w == "its" and k + 1 < len(after):
        # "rises from its pages", "falls from its face": a part of the prop the line named last before
        named = antecedent(tokens, j, index)
        if named:
            return f"prop:{named}", None, False
        if after[k + 1].text in BODY:
            return None, None, False  # "puffs smoke from its nose": an animal's, not a character's
        wand = any(t.text in IMPLEMENTS for t in tokens[:j])
        if after[k + 1].text in PROP_PARTS and not wand:
            return None, None, False  # "fires the rifle and smoke drifts from its barrel": a thing the set cannot place
        if wand:
            return "r_wrist", None, False  # "she points her wand and sparks shoot from its tip"
    return None


def _limb_side(tokens: list[Token], j: int, joint: str) -> str | None:
    """The joint on the side of the one limb of this kind this sentence or the one before named with a side
    ("lifts his left hand ... from his fingertips", "Lena stomps her right foot. Dust bursts from under her boot")."""
    limb = "ankle" if joint == "ground" else joint[2:]
    sides = {tokens[k - 1].text[0] for k in range(1, j) if tokens[j].sentence - 1 <= tokens[k].sentence
             and tokens[k - 1].text in ("left", "right") and sided_joint(tokens[k].text, "left") == f"l_{limb}"}
    return f"{sides.pop()}_{limb}" if len(sides) == 1 else None


def _limb_named_last(tokens: list[Token], j: int) -> str | None:
    """The joint of the last owned body part named in this sentence or the one before ("his right elbow")."""
    for k in range(j - 1, 0, -1):
        if tokens[k].sentence < tokens[j].sentence - 1:
            break
        joint = sided_joint(tokens[k].text, tokens[k - 1].text)
        if joint and joint != "ground" and (tokens[k - 1].text in OWNERS or (k > 1 and tokens[k - 2].text in OWNERS)):
            return joint
    return None


_OPENINGS = {"crack", "cracks", "fissure", "fissures", "hole", "holes", "gap", "rift", "chasm", "vent", "vents"}


def _ground_split(tokens: list[Token], j: int) -> bool:
    """The sentence names the ground before the opening an effect comes out of ("the ground split open
    and hot steam hissed out of the crack"), not a wall or a body ("the crack in his chest")."""
    before = [t.text for t in tokens[:j] if t.sentence == tokens[j].sentence]
    return any(SET.get(w) == "ground" for w in before) and not any(w in BODY and SET.get(w) != "ground"
                                                                    for w in before[-6:])


def body_it_stands_for(tokens: list[Token], j: int, names: dict[str, str]) -> tuple[str | None, str | None, bool]:
    """ "close on Pip's left paw as magic fizzes from it": the owned body part "it" stands for."""
    sentence = tokens[j].sentence
    for k in range(j - 1, 0, -1):
        if tokens[k].sentence != sentence:
            break
        body, before = sided_joint(tokens[k].text, tokens[k - 1].text), tokens[k - 1].text
        if not body or body == "ground" or tokens[k].text in IMPLEMENTS:
            continue  # a staff or wand "it" may stand for is held by whoever the line is about
        side = before in ("left", "right") and k > 1
        owner_word = tokens[k - 2].text if side else before
        if owner_word not in OWNERS and not owner_word.endswith("'s") and k > 1:
            owner_word = tokens[k - 2].text  # one describing word between: "Talos's bronze head"
        owner = name_of(owner_word, names) if owner_word.endswith("'s") else None
        if owner or owner_word in OWNERS:
            return body, owner, False
    return None, None, False


def _verb_not_thing(words: list[Token], k: int) -> bool:
    """ "steam rose toward the rafters": a prop's name that is also a verb, used as the verb (after no
    determiner, before a particle; "the rose in her hand" is the flower)."""
    return words[k].text in VERB_HOMOGRAPHS and k + 1 < len(words) and words[k + 1].text in RISING_PARTICLES | MOTION_PARTICLES \
        and not (k and words[k - 1].text in DETERMINERS | {"red", "white", "pink", "yellow", "single", "wild"})


def thing_named(words: list[Token], index: VocabularyIndex, names: dict[str, str]) -> tuple[str | None, str | None]:
    """(anchor, owner) of the first thing a noun phrase names: a prop, a set word or a body part."""
    owner = None
    for k, t in enumerate(words):
        w = t.text
        if w.endswith("'s") and name_of(w, names):
            owner = name_of(w, names)
            continue
        joint = sided_joint(w, words[k - 1].text if k else "")
        if joint and joint != "ground" and (owner or (k and words[k - 1].text in OWNERS)):
            return joint, owner
        if w == "gutters" and k and words[k - 1].text in ("flame", "flames", "candle", "fire", "torch", "lamp"):
            continue  # "its flame gutters": a verb, not the street's gutters
        if w == "waves" and k and (name_of(words[k - 1].text, names) or words[k - 1].text in ("he", "she", "they", "who")):
            continue  # "Rosa waves a sparkler": a verb, not the sea
        if w in SET:
            return SET[w], None
        if _verb_not_thing(words, k):
            continue  # "a plume of steam rose toward the rafters": a verb, not a flower
        props = index.props.find(words[k:k + 2])
        if props and props[0].start == 0:
            if w.endswith("'s") and index.props.find(words[k + 1:k + 3]):
                continue  # "the rowboat's lantern": the lantern
            return f"prop:{props[0].key}", None
    return None, None
