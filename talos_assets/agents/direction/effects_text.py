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

from dataclasses import replace

from talos_assets.agents.direction.effect_anchor_model import Anchor, AnchorRanker
from talos_assets.agents.direction.effect_anchors import anchor_of, described_prop, made_by
from talos_assets.agents.direction.effect_catching import caught_anchor
from talos_assets.agents.direction.effect_idioms import figurative, not_happening
from talos_assets.agents.direction.effect_phrases import fogs
from talos_assets.agents.direction.effect_reading import EffectReading, clause_strength
from talos_assets.agents.direction.effects_unnamed import BURSTS, unnamed_effects
from talos_assets.agents.direction.effect_words import (
    ATTRIBUTIVE,
    BLOWN,
    BODY,
    BODY_HEAT,
    DETERMINERS,
    EFFECT_INDEX,
    EFFECT_VERBS,
    EMITS,
    FLURRY,
    FLURRY_VERBS,
    HEARTHS,
    KICKS,
    LIGHT_THINGS,
    LIGHT_VERBS,
    SET,
    SHELTERS,
    STOPPING,
    MACHINES,
    SUBJECT_VERBS,
    THROWN_FLURRIES,
    DRY_SPRAY,
    WATER,
    WEAPONS,
    effect_shapes,
)
from talos_assets.agents.direction.vocabulary import VocabularyIndex, builtin_vocabulary
from talos_assets.agents.direction.worldtext import (
    OWNERS,
    PREPOSITIONS,
    RISING_PARTICLES,
    VERB_HOMOGRAPHS,
    Match,
    Token,
    ended,
    name_of,
    negated,
    negated_after,
)
from talos_assets.spec import EffectKind

__all__ = ["EFFECT_INDEX", "EffectReading", "effect_shapes", "effect_strength", "rank_anchors", "read_effects"]


def _listed_after(tokens: list[Token], m: Match, sentence: int) -> bool:
    """The effect closes a short "and ..." clause of the sentence the last effect was read in: "explodes
    in a shower of springs and sparks" lists it with what came before."""
    clause = [t for t in tokens if t.clause == tokens[m.start].clause]
    return tokens[m.start].sentence == sentence and clause[0].text in ("and", "or") and len(clause) <= 4 \
        and clause[-1] is tokens[m.end - 1]


_LAID_DOWN = {"ring", "floor", "floors", "pile", "piles", "arena"}
_SWEPT = {"wet", "damp", "soggy", "swept", "sweeps", "sweep"}
_GOES_OFF = BURSTS | {"explodes", "exploded", "goes", "went", "erupts", "erupted"}


def _goes_off(tokens: list[Token], at: int) -> bool:
    """ "A smoke bomb pops on the ground": a bomb of the effect going off gives it off."""
    return tokens[at].text in ("bomb", "bombs", "grenade", "grenades", "pellet", "pellets") \
        and any(t.text in _GOES_OFF for t in tokens[at + 1:at + 3])


def _compared(tokens: list[Token], m: Match) -> bool:
    """The effect is what something is likened to: "like" up to two words before it in its clause."""
    clause = tokens[m.start].clause
    after = [t for t in tokens[m.end:m.end + 2] if t.clause == clause]
    if m.start >= 2 and tokens[m.start - 2].text == "as" and tokens[m.start - 1].text in ("a", "an") and len(after) < 2:
        return True  # "quick as a spark"; not "as an explosion rocks the pass", a clause of its own
    bursting = {t.text for t in tokens[:m.start] if t.clause == clause} & {"bursts", "burst", "explodes", "exploded"}
    if tokens[m.start].text.startswith("firework") and bursting:
        return False  # "the flare bursts like a firework": it is one
    return any(tokens[j].text == "like" and tokens[j].clause == clause for j in range(max(0, m.start - 3), m.start))



def _stopped(tokens: list[Token], m: Match) -> bool:
    word = tokens[m.start].text
    return word.endswith("ing") and m.start > 0 and tokens[m.start - 1].text in STOPPING \
        and tokens[m.start - 1].clause == tokens[m.start].clause


_SUNLIT = {"dunes", "dune", "sand", "sands", "road", "asphalt", "tarmac", "desert", "sea", "lake", "water",
           "waves", "sun", "sunlight", "moonlight", "noon"}
_QUENCHING = {"quench", "quenches", "quenched", "quenching", "forge", "smithy", "anvil", "plunges", "plunged", "steam",
              "hisses", "hissed", "sizzles", "sizzled"}
_BY_THE_FIRE = {"by", "beside", "over", "near", "before", "around"}
_HEAT_COLOURS = {"red", "orange", "white-hot", "red-hot", "hot", "crimson", "cherry"}


def _its_light(tokens: list[Token], m: Match, index: VocabularyIndex) -> bool:
    """ "its little flame": the flame of the light named before it ("she carries a candle ... its flame")."""
    owner = [t.text for t in tokens[max(0, m.start - 3):m.start]]
    if "its" not in owner:
        return False
    named = [p.key for p in index.props.find(tokens[:m.start])]
    return bool(named) and named[-1] in LIGHT_THINGS


def _fire_as_verb(tokens: list[Token], at: int) -> bool:
    """ "geysers fire steam": "fire" with no article or owner before it is a verb, not flames."""
    return tokens[at].text in ("fire", "fires", "fired", "firing") and at > 0 \
        and tokens[at - 1].text not in DETERMINERS | OWNERS


_SHOTS = {"beam", "beams", "bolt", "bolts", "ray", "rays", "blast", "blasts", "jet", "jets", "volley", "dart", "darts",
          "laser", "lasers", "net"}


def _gunfire(tokens: list[Token], m: Match) -> bool:
    word = tokens[m.start].text
    before = {t.text for t in tokens[max(0, m.start - 3):m.start]}
    after = {t.text for t in tokens[m.end:m.end + 4]}
    if word in ("fires", "fired", "fire", "firing") and m.end < len(tokens) and tokens[m.end].text in ("back", "up"):
        return True  # "Lena fires back!": a shot; "Mira fires up the cutting torch": she starts it
    if _fire_as_verb(tokens, m.start) and any(n.key != "fire" for n in EFFECT_INDEX.find(tokens[m.end:m.end + 1])):
        return True  # "three geysers fire steam into the air": the verb of the steam
    if word in ("fire", "fires", "fired", "firing") and after & WEAPONS or word in ("fires", "fired", "firing") and after & _SHOTS:
        return True  # "the soldiers fire their tiny cannon", "Mira fires a beam of magic": a shot
    return (word in ("fires", "fired", "firing") and bool(before & WEAPONS)) or (
        word == "fire" and m.start > 0 and tokens[m.start - 1].text in {"open", "opens", "opened", "opening", "cease",
                                                                          "returns", "return"})


def _is_light(tokens: list[Token], m: Match, index: VocabularyIndex, kind: EffectKind) -> bool:
    """A light doing its job, a heat shimmer, or a glow of the set: not an effect."""
    words = {t.text for t in tokens if t.clause == tokens[m.start].clause}
    word = " ".join(t.text for t in tokens[m.start:m.end])
    if kind == EffectKind.magic and ("heat" in words or (m.end < len(tokens) and tokens[m.end].text in _HEAT_COLOURS)):
        return True  # a heat shimmer, "the hips glow red": heat, not magic
    if kind == EffectKind.magic and word.startswith("glow") and _QUENCHING & {t.text for t in tokens}:
        return True  # "plunges the glowing sword into the barrel and steam bursts out": hot metal
    if word.startswith("shimmer") and words & _SUNLIT:
        return True  # "the dunes shimmer under a noon sky": sunlight on the set, not magic
    before = tokens[m.start - 1].text if m.start else ""
    near = [t.text for t in tokens[m.end:m.end + 5] if t.clause == tokens[m.start].clause]
    if kind == EffectKind.fire and set(near) & HEARTHS and {"in", "inside"} & set(near[:3]):
        return True  # "the fire in the hearth": the room's light
    if word == "fire" and before in HEARTHS:
        return True  # "sits by the hearth fire"
    if word == "fire" and before == "the" and m.start > 1 and tokens[m.start - 2].text in _BY_THE_FIRE \
            and any(p.key in index.interiors for p in index.places.find(tokens)):
        return True  # "sat by the fire in the library": the room's hearth
    if word in ("flame", "flames", "glow") and (before in LIGHT_THINGS or _its_light(tokens, m, index)):
        return True  # "the candle flame", "its small glow": the light itself
    if word == "flame" and before == "the" and any(p.key in LIGHT_THINGS for p in index.props.find(tokens[:m.start])):
        return True  # "Look at the candle," said Pip. The flame leaned sideways: the candle's
    if kind == EffectKind.sparks and word.startswith("ember") and {"died", "dies", "dead", "cold", "grey", "gray", "dying"} & {
            t.text for t in tokens[max(0, m.start - 5):m.start] if t.clause == tokens[m.start].clause}:
        return True  # "the fire had died to a few grey embers": what is left of it, not flying sparks
    if kind == EffectKind.fire and (before in ("cold", "dead", "dying") or any(t.text in ("ash", "ashes") and t.clause == tokens[m.start].clause for t in tokens[max(0, m.start - 3):m.start])):
        return True  # "the cold ashes of the campfire", "a dead fire": no flame left
    sentence = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
    if word in LIGHT_VERBS and m.start and tokens[m.start - 1].text in ("flame", "flames", "fire", "wick", "glow"):
        return True  # "its flame burning steady": the verb of the flame, which is read on its own
    if word in ("flame", "flames") and sentence & {"match", "matches"} and words & {"hand", "hands", "fingers"} \
            and not words & {"wick", "candle", "lamp", "lantern"}:
        return False  # "strikes a match and a small flame flickers in her right hand": fire in a hand
    if word == "flame" and (words & {"burns", "flickers", "glows", "gutters", "dances", "bright", "steady", "burned",
                                     "burning", "flickered", "flickering", "glowed", "guttered", "danced", "dancing"}
                            or sentence & {"wick", "light"}):  # "a small flame blooms and throws a warm light"
        return True  # "the flame burns bright": a light burning, not a fire
    if word in ("burn", "burns", "burning") and words & BODY_HEAT:
        return True
    if word in LIGHT_VERBS:
        described = described_prop(tokens, m, index)
        if described is not None:
            return described in LIGHT_THINGS  # "the burning candle" is its light; "the burning boat" is fire
        if word in ("burning", "blazing") and _burning_thing(tokens, m.end):
            return False  # "a burning newspaper spins down out of the sky": the paper is on fire, whatever else shines
        clause = [t for t in tokens if t.clause == tokens[m.start].clause]
        # the set glowing is its light ("the forge glows"); a building burning is a fire ("the barn is burning")
        return bool(words & LIGHT_THINGS) or (word not in ("burn", "burns", "burning") and bool(index.places.find(clause)))
    return False


# what "burning" says of a feeling or a light, not of a thing on fire
_NOT_ABLAZE = LIGHT_THINGS | BODY_HEAT | {"smell", "sensation", "question", "questions", "desire", "feeling", "pain",
                                       "ambition", "curiosity", "need", "issue", "heat", "sunlight", "light", "lights",
                                       "glow", "fever", "thirst", "hunger", "love", "anger", "rage", "shame", "tears"}


def _burning_thing(tokens: list[Token], j: int) -> bool:
    """A word after "burning" that names what burns: a noun, not a particle, preposition or feeling."""
    if j >= len(tokens) or tokens[j].clause != tokens[j - 1].clause:
        return False
    word = tokens[j].text
    if any(t.text in _NOT_ABLAZE for t in tokens[j:j + 3] if t.clause == tokens[j].clause):
        return False  # "the blazing afternoon sun"
    return word not in _NOT_ABLAZE and word not in PREPOSITIONS and word not in DETERMINERS \
        and word not in ("and", "up", "down", "out", "away", "low", "bright", "brightly", "steadily", "still", "hot") \
        and not word.endswith("ly")


def _burning_handled(tokens: list[Token], m: Match, index: VocabularyIndex) -> bool:
    """ "pulls the burning planks from the window": a burning thing the studio has no prop for, the object
    of a verb, so the phrase after it says where it is taken from, not what burns."""
    j = m.start
    return tokens[j].text in ("burning", "blazing", "flaming") and _burning_thing(tokens, m.end) \
        and described_prop(tokens, m, index) is None and j >= 2 and tokens[j - 1].text in DETERMINERS \
        and tokens[j - 2].clause == tokens[j].clause and tokens[j - 2].text not in PREPOSITIONS | DETERMINERS


def read_effects(tokens: list[Token], index: VocabularyIndex, names: dict[str, str]) -> list[EffectReading]:
    """The effects a line names (one per kind and clause), with anchor and strength, as the rules place
    them (`rank_anchors` then lets the learnt ranker choose)."""
    out: list[EffectReading] = []
    out_sentence = -1
    seen: set[tuple[str, int]] = set()
    found = EFFECT_INDEX.find(tokens)
    for m in found:
        kind = EffectKind(m.key)
        verb = tokens[m.start].text
        subject = m.end < len(tokens) and tokens[m.end].text in SUBJECT_VERBS
        if verb in EFFECT_VERBS and not subject and any(n.end == m.start and tokens[n.start].clause == tokens[m.start].clause
                                                        and (n.key != "ink" or verb.startswith("spray"))
                                                        and not _fire_as_verb(tokens, n.start)
                                                        for n in found + FLURRY.find(tokens)):
            continue  # "sparks spray from the anvil", "snow sprays up": the verb of another effect (spilt ink does splash)
        if any(n.start == m.end and n.end < len(tokens) and tokens[n.end].text in SUBJECT_VERBS for n in found):
            continue  # "the bonfire smoke drifted": the smoke, named by what gives it off
        if tokens[m.start].text == "sawdust" and (m.end < len(tokens) and tokens[m.end].text in _LAID_DOWN
                                                  or m.start and tokens[m.start - 1].text in _SWEPT):
            continue  # "the sawdust ring", "swept wet sawdust": the floor's stuff, not a cloud of it
        if m.end < len(tokens) and tokens[m.end].text in MACHINES and not _goes_off(tokens, m.end):
            continue  # "the steam engine blew apart": a kind of machine, not steam
        if kind == EffectKind.splash and m.end + 1 < len(tokens) and tokens[m.end].text == "of" \
                and {t.text for t in tokens[m.end + 1:m.end + 4]} & DRY_SPRAY:
            kind = EffectKind.dust  # "a spray of dry sand"
        if kind == EffectKind.splash and m.start and (tokens[m.start - 1].text in DRY_SPRAY or (
                m.start > 1 and tokens[m.start - 1].text in ("that", "which") and tokens[m.start - 2].text in DRY_SPRAY)):
            kind = EffectKind.dust  # "sand sprays up behind him", "a wall of sand that sprays up"
        clause = tokens[m.start].clause
        if (kind.value, clause) in seen or negated(tokens, m.start) or ended(tokens, m.end) or _stopped(tokens, m) \
                or negated_after(tokens, m.end):  # "the explosion never comes"
            continue
        if _is_light(tokens, m, index, kind):
            continue
        if figurative(tokens, m) or not_happening(tokens, m):
            continue  # "Ada blows off steam", "the boat would explode", "water poured on the campfire"
        if kind == EffectKind.fire and _gunfire(tokens, m):
            continue  # "the cannon fires", "they open fire": a shot, not flames
        if kind == EffectKind.sparks and m.end < len(tokens) and tokens[m.end].text == "of":
            continue  # "a spark of hope"
        if kind == EffectKind.splash and any(n.start == m.end + 1 and n.key != m.key for n in found + FLURRY.find(tokens)) \
                and tokens[m.end].text == "of":
            continue  # "a spray of sparks": the shape of another effect
        if tokens[m.start].text not in ATTRIBUTIVE and any(
                p.start == m.end and tokens[p.start].sentence == tokens[m.start].sentence
                and (p.end >= len(tokens) or tokens[p.end].text not in DETERMINERS)
                and not (tokens[p.start].text in VERB_HOMOGRAPHS and (m.key != "magic" or p.end < len(tokens)
                                                                      and tokens[p.end].text in RISING_PARTICLES))
                for p in index.props.find(tokens)):
            continue  # "the ink bottle tips": a kind of thing, not the effect ("an explosion rocks the harbor" is one)
        if kind in (EffectKind.fire, EffectKind.magic) and m.end + 1 < len(tokens) and tokens[m.end].text == "with" \
                and any(n.start in range(m.end + 1, m.end + 4) and n.key != m.key for n in found):
            continue  # "the sabre blazes with blue magic": the verb of the other effect
        if _compared(tokens, m):
            continue  # "magic swirls in the cup like silver smoke": a likeness, not smoke
        if kind == EffectKind.explosion and {t.text for t in tokens[:m.start] if t.clause == clause} & WATER:
            continue
        if kind == EffectKind.explosion and tokens[m.start].text in ("blows", "blew") and m.start > 0 \
                and (tokens[m.start - 1].text in BLOWN or any(n.end == m.start for n in found)):
            continue  # "dust blows up from the road", "the wind blows up": carried, not blown apart  # "the sea explodes against the rocks": a splash ("a blast lights up the sea" is a blast)
        seen.add((kind.value, clause))
        anchor, who, behind = anchor_of(tokens, m, index, names)
        if (anchor or "").startswith("prop:") and _burning_handled(tokens, m, index):
            anchor = None  # "tears the burning shutters from the window": the shutters burn, not the window
        caught = caught_anchor(tokens, m.start, index, names) if kind == EffectKind.fire else None
        if caught is not None:
            (anchor, who), behind = caught, False  # "the curtain beside it caught fire": the curtain burns
        if out and _listed_after(tokens, m, out_sentence) and not (anchor or behind):
            anchor, who, behind = out[-1].anchor, out[-1].character, out[-1].behind  # "of springs and sparks"
        out_sentence = tokens[m.start].sentence
        sentence_words = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
        if anchor is None and not behind and kind in (EffectKind.dust, EffectKind.splash) and sentence_words & KICKS:
            # "Pip kicks up dust"; spray kicked up where the sentence names water is the water's
            anchor = "horizon" if kind == EffectKind.splash and any(SET.get(w) == "horizon" for w in sentence_words) \
                else "ground"
        out.append(EffectReading(kind, anchor, who, behind, clause_strength(tokens, clause), clause, span=(m.start, m.end)))
    out += _flurries(tokens, index, names)
    out += unnamed_effects(tokens, out, index, names)
    return _one_per_place(out)


def rank_anchors(tokens: list[Token], effects: list[EffectReading], present: set[str], ranker: AnchorRanker,
                 index: VocabularyIndex, names: dict[str, str]) -> list[EffectReading]:
    """Each effect's anchor as the learnt ranker chooses it among the things its sentence names (the
    props among them only those the line names as present), the rules' anchor one of them."""
    def ranked(e: EffectReading) -> EffectReading:
        if e.span is None or _stated_source(tokens, e, index, names):
            return e  # a flurry, a user's prop declared to give it off, "the kite trails smoke": the rules' reading
        rule = Anchor(e.anchor, e.character, e.behind)
        chosen = ranker.choose(tokens, *e.span, e.kind.value, rule, present, index, names)
        return replace(e, anchor=chosen.anchor, character=chosen.character, behind=chosen.behind)
    return _one_per_place([ranked(e) for e in effects])


def _stated_source(tokens: list[Token], e: EffectReading, index: VocabularyIndex, names: dict[str, str]) -> bool:
    """The rules' anchor is the set's by what makes the effect (fireworks burst in the sky, a breaching
    whale's splash is the water's), the prop the effect's adjective describes ("the burning ladder") or
the unknown thing it describes that someone handles ("tears the burning shutters from the window"), a
    prop the user's own vocabulary says gives the effect off (a teapot with `gives_off: [steam]`), or the
    thing whose emitting verb the effect is the object of ("the kite trails blue smoke")."""
    span = [j for j, t in enumerate(tokens) if t.clause == tokens[e.span[0]].clause]
    placed = made_by(tokens, Match(e.kind.value, *e.span), span)
    if placed is not None and (placed or None) == e.anchor:
        return True
    if e.anchor is None and _burning_handled(tokens, Match(e.kind.value, *e.span), index):
        return True  # "the burning shutters" the line handles: they burn, wherever they are taken from
    if e.anchor is None and e.kind == EffectKind.steam and fogs(tokens, Match(e.kind.value, *e.span)):
        return True  # "steam from the pot fogs the window": the window is where it settles
    if e.kind == EffectKind.fire and caught_anchor(tokens, e.span[0], index, names) is not None:
        return True  # "the villain's jetpack bursts into flames": what catches fire burns
    if e.anchor is None or not e.anchor.startswith("prop:"):
        return False
    if described_prop(tokens, Match(e.kind.value, *e.span), index) == e.anchor[5:]:
        return True  # "the burning ladder falls into the sea": the ladder burns
    declared = set(index.vocab.sources.get(e.kind.value, ())) - set(builtin_vocabulary().sources.get(e.kind.value, ()))
    if e.anchor[5:] in declared:
        return True
    start = e.span[0]
    return any(t.text in EMITS and t.clause == tokens[start].clause for t in tokens[max(0, start - 3):start])


def _one_per_place(out: list[EffectReading]) -> list[EffectReading]:
    keyed = {}
    for e in out:  # the same effect named twice in a line ("fire ... flames") is one effect
        keyed.setdefault((e.kind, e.anchor, e.behind), e)
    placed = {e.kind for e in keyed.values() if e.anchor or e.behind}
    return [e for e in keyed.values() if e.anchor or e.behind or e.kind not in placed]


_STARTING = {"starts", "started", "start", "begins", "began", "begin", "keeps", "kept"}


def _flurries(tokens: list[Token], index: VocabularyIndex, names: dict[str, str]) -> list[EffectReading]:
    """Snow or rain said to come from or out of a prop or a character (not where it lands)."""
    out = []
    for m in FLURRY.find(tokens):
        clause = tokens[m.start].clause
        words = {t.text for t in tokens if t.clause == clause}
        nxt = [t.text for t in tokens[m.end:m.end + 2]]
        if nxt[:1] == ["dust"]:
            continue  # "a puff of snow dust": the dust, thrown up
        verb = m.end + 2 if nxt[-1:] == ["to"] else m.end + 1 if nxt[:1] and nxt[0] in _STARTING else m.end
        # "began to swirl", "starts pouring down from inside it"
        moves = (verb < len(tokens) and tokens[verb].text in FLURRY_VERBS) \
            or tokens[m.end - 1].text in FLURRY_VERBS  # "snow swirls out of the book", "rain showers out of it"
        shed_by_emitter = any(t.text in EMITS for t in tokens[max(0, m.start - 4):m.start] if t.clause == clause)
        shed = shed_by_emitter \
            or [t.text for t in tokens[m.end:m.end + 2]] == ["only", "on"] \
            or (m.end + 2 < len(tokens) and tokens[m.end].text == "on" and tokens[m.end + 2].text == "alone")
        cloud_on = _cloud_over(tokens, m, names)
        thrown = m.start >= 2 and tokens[m.start - 1].text == "of" and tokens[m.start - 2].text in THROWN_FLURRIES
        shed = shed or cloud_on or thrown  # "a spray of snow bursts around it", "a flurry of snow blows out"
        # "raining only on his head", "raining on him alone": one person's rain
        if negated(tokens, m.start) or (ended(tokens, m.end) and not moves) or not (moves or shed) \
                or not (cloud_on or thrown or words & ({"from", "out", "off", "only", "alone", "up"} | EMITS)):
            continue
        anchor, who, behind = anchor_of(tokens, m, index, names)
        under_cloud = anchor is None and isinstance(cloud_on, tuple)
        if under_cloud:
            anchor, who = cloud_on  # "rain pours from a tiny cloud over Talos's head": onto his head
        if anchor is None and "alone" in words and m.end + 1 < len(tokens):
            anchor, who = "head", name_of(tokens[m.end + 1].text, names)  # "raining on him alone": over his head
        sheltered = anchor in SHELTERS and not words & {"inside", "within", "out"}  # "out of her umbrella" is its own
        thrown_up = anchor == "ground" and "up" in words  # "snow whirls up from the ground around Talos"
        if (anchor and (anchor not in SET.values() or thrown_up) and not sheltered) or behind:
            over = under_cloud or (not words & {"from", "out", "off"} and not shed_by_emitter and not thrown_up)
            out.append(EffectReading(EffectKind(m.key), anchor, who, behind, clause_strength(tokens, clause), clause, over))
        elif thrown and anchor is None and words & {"out", "up"}:  # out of a thing the studio cannot place
            out.append(EffectReading(EffectKind(m.key), None, None, False, clause_strength(tokens, clause), clause))
    return out


def _cloud_over(tokens: list[Token], m: Match, names: dict[str, str]) -> bool | tuple[str, str | None]:
    """A little cloud raining or snowing on one head: True for "raining on his head" (the anchor read
    from the phrase), (joint, owner) for "from a tiny cloud over Talos's head", False otherwise."""
    if "cloud" not in {t.text for t in tokens if t.sentence == tokens[m.start].sentence}:
        return False
    if m.end + 2 < len(tokens) and tokens[m.end].text in ("on", "onto") and tokens[m.end + 2].text in BODY:
        return True
    clause = [j for j, t in enumerate(tokens) if t.clause == tokens[m.start].clause and j >= m.end]
    # "a tiny storm cloud hovers over Ben's head and rains on him": the head the sentence put it over
    cloud_before = [j for j, t in enumerate(tokens[:m.start]) if t.sentence == tokens[m.start].sentence and t.text == "cloud"]
    clause = (list(range(cloud_before[0], m.start)) if cloud_before else []) + clause
    for j in clause[:-2]:
        owner, part = tokens[j + 1].text, tokens[j + 2].text
        if tokens[j].text in ("over", "above") and (owner in OWNERS or owner.endswith("'s")) and BODY.get(part) == "head":
            return "head", name_of(owner, names) if owner.endswith("'s") else None
    return False


def effect_strength(wording: str, arousal: float) -> float:
    """Emitter strength from the wording and the beat's arousal (-1..1): strong 1.6-2.5, weak 0.4-0.7."""
    a = max(-1.0, min(1.0, arousal))
    if wording == "strong":
        return round(min(2.5, max(1.6, 2.0 + 0.5 * a)), 2)
    if wording == "weak":
        return round(min(0.7, max(0.4, 0.55 + 0.15 * a)), 2)
    return round(min(1.5, max(0.7, 1.0 + 0.3 * a)), 2)
