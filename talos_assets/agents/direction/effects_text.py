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
from talos_assets.agents.direction.worldtext import OWNERS, PREPOSITIONS, Match, PhraseIndex, Token, ended, name_of, negated
from talos_assets.spec import EffectKind

EFFECT_WORDS: dict[EffectKind, list[str]] = {
    EffectKind.fire: ["fire", "flame", "blaze", "blazing", "burn", "burning", "inferno", "ablaze", "campfire",
                      "bonfire", "on fire", "fireball", "wildfire", "firestorm"],
    EffectKind.smoke: ["smoke", "smoking", "fume", "smog", "smoky", "smoulder", "smouldering", "smolder", "smoldering"],
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
# snow and rain are the sky's unless the line names the one thing they come out of ("snow swirls out
# of the open book", "rain falls from her palms")
_FLURRY = PhraseIndex([("snow", "snow"), ("snowflake", "snow"), ("rain", "rain"), ("raindrop", "rain"),
                       ("drizzle", "rain")])
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
         "staff": "r_wrist", "wand": "r_wrist", "feet": "ground", "foot": "ground",
         # the rest of the body a line may name, to the joint that carries it (Stokes' JOINT_ALIASES)
         "arm": "r_elbow", "arms": "r_elbow", "elbow": "r_elbow", "hair": "head", "forehead": "head", "lips": "head",
         "nose": "head", "skull": "head", "jaw": "head", "neck": "head", "ribs": "chest", "belly": "chest",
         "stomach": "chest", "skin": "chest", "joints": "chest", "knuckles": "r_wrist", "fingertip": "r_wrist",
         "finger": "r_wrist", "thumb": "r_wrist", "boots": "ground", "heels": "ground", "toes": "ground",
         "breath": "head"}
_SET = {"sea": "horizon", "ocean": "horizon", "horizon": "horizon", "water": "horizon", "waves": "horizon",
        "bay": "horizon", "lake": "horizon", "pond": "horizon", "river": "horizon", "stream": "horizon", "ground": "ground", "sand": "ground", "floor": "ground", "earth": "ground",
        "road": "ground", "street": "ground", "dirt": "ground", "soil": "ground", "grass": "ground",
        "puddle": "ground", "puddles": "ground", "mud": "ground", "grave": "ground", "graves": "ground", "tomb": "ground",
        "path": "ground", "pavement": "ground", "cobblestones": "ground", "cobbles": "ground", "gravel": "ground",
        "ice": "ground", "deck": "ground", "dune": "ground", "dunes": "ground", "lawn": "ground",
        "sky": "sky", "heavens": "sky", "clouds": "sky"}
_ANCHOR_PREPS = PREPOSITIONS | {"of", "out", "between"}
# an effect that goes after someone is behind them: "a cloud of dust follows Pip"
_FOLLOWS = {"follows", "followed", "following", "trails", "trailed", "trailing", "chases", "chased"}
# "on the road" is where an effect starts; "above the street" is not the ground
_GOALS = {"toward", "towards"}
_OUT_OF_UNKNOWN = {"from", "out", "between", "inside", "off"}
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "my", "your", "our", "this", "that"}
_STANDS_AT = {"among", "amid", "under", "beneath", "between"}
_HEARTHS = {"hearth", "fireplace", "grate", "stove", "furnace", "brazier"}
_STILL = {"still", "already", "now", "quietly", "gently", "slowly", "faintly", "just"}
_CONJUNCTIONS = {"until", "when", "as", "while", "before", "after", "because", "so", "if", "once", "till"}
_BLOWN = {"wind", "breeze", "gust", "gale", "sand", "snow", "leaves", "dirt"}
_RESTS_ON = {"on", "upon", "under", "beside", "by", "near", "against"}
_VAGUE_PLACE = {"somewhere", "just", "right", "far", "high", "deep", "low", "close"}
_GROUND_PREPS = {"on", "at", "from", "across", "along", "onto", "upon", "off", "in", "into", "out", "of", "to", "through"}
_EFFECT_VERBS = {"spray", "sprays", "splash", "splashes", "explode", "explodes", "blast", "blasts", "burn", "burns",
                 "smoke", "smokes", "steam", "steams", "glow", "glows", "shimmer", "shimmers", "spark", "sparks"}
_KICKS = {"kick", "kicks", "kicked", "kicking", "stamps", "stomps", "stamped", "stomped"}
_WATER = {"sea", "ocean", "waves", "wave", "water", "surf", "spray", "tide", "breakers"}
_WEAPONS = {"cannon", "cannons", "gun", "guns", "rifle", "rifles", "pistol", "pistols", "musket", "muskets", "artillery"}
_IMPLEMENTS = {"staff", "wand"}  # held things that are not props: "from its tip" is the hand
# an effect that wraps something is anchored on what it wraps, not on where that thing stands
_ENVELOPS = {"surrounds", "surround", "surrounding", "engulfs", "engulf", "envelops", "wraps", "circles",
             "encircles", "cloaks", "shrouds", "blankets", "covers", "fills", "fogs", "fogged", "mists", "coats"}
# a thing giving off an effect is its source: "the lantern gives off a thin smoke"
_EMITS = {"emits", "emit", "emitting", "belches", "spews", "spew", "exhales", "puffs", "breathes", "releases",
          "throws", "spits", "sheds", "showers", "spills", "leaves", "breathe", "breathed", "exhaled", "coughs",
          "coughed", "snorts", "snorted", "spat", "puffed", "belched", "throwing", "spitting", "spewing",
          "belching", "shedding", "showering", "spilling", "releasing", "puffing", "coughing"}
_EMIT_PARTICLES = {"gives": "off", "give": "off", "giving": "off", "sends": "up", "lets": "off"}
# what a character breathes, coughs or spits comes from the mouth: "Talos breathes out a plume of steam"
_BREATH = {"breathes", "breathe", "breathed", "exhales", "exhaled", "coughs", "coughed", "sneezes", "sneezed",
           "snorts", "snorted", "spits", "spat", "puffs", "puffed", "belches", "belched"}
_PERSON_OBJECTS = {"him", "her", "them", "me", "us"}
_PRONOUNS = {"he", "she", "they", "it", "i", "we"}
_LIGHTS_UP = {"lights", "lit", "illuminates", "illuminated", "brightens", "brightened"}
# an effect said of a thing as its verb comes from that thing: "the old car smokes", "the key glows";
# "sparks" is a verb only right after what sparks ("Ben's sword sparks"), else it is the noun
_PREDICATES = {"smokes", "smoked", "smoulders", "smoulder", "smolders", "steams", "steamed", "glows", "glowed",
               "shimmers", "shimmered", "burns", "burned", "burnt", "blazes", "blazed", "sparks", "sparked"}
_NOUN_TOO = {"sparks"}
# "the house explodes": said of the house, unless a phrase places the blast ("on the horizon")
_BLOWS_UP = {"explodes", "exploded", "explode", "blows", "blew"}
_MADE_OF = {"light", "fire", "flame", "flames", "magic", "energy", "smoke", "steam", "sparks"}
# ... or as what fills, covers or surrounds it: "the book hums with magic", "the crate is covered in
# dust", "a bottle full of ink", "the truck rattles past in a cloud of dust"
_HOLDS_EFFECT = {"with", "in", "into", "of"}
_MEASURES = {"cloud", "clouds", "burst", "bursts", "puff", "puffs", "plume", "plumes", "wisp", "wisps", "curl",
             "curls", "trail", "trails", "wake", "haze", "shower", "showers", "spray", "column", "cloak", "veil",
             "film", "layer", "coat", "blanket", "halo", "ring", "shroud", "swirl", "spurt", "jet", "gust", "sheet"}
_NOT_A_HOLDER = {"made", "one", "out", "kind", "sort", "sign", "smell", "scent", "sound", "light", "lights"}
# ... or as what it turns into: "bursts into flames", "catches fire", "is ablaze", "is on fire", "goes up in smoke"
_BECOMES = {"into", "catches", "caught", "catch", "catching", "is", "are", "was", "were"}
_TURNING_VERBS = {"into", "catches", "caught", "catch", "catching", "bursts", "burst", "goes", "went", "go", "up",
                  "to", "starts", "started", "begins", "began", "seems", "seemed"}
# "the key starts to glow": an effect verb after "to"
_BASE_PREDICATES = {"smoke", "smoulder", "smolder", "steam", "glow", "shimmer", "burn", "blaze", "spark"}
# an effect word before a thing describes it: "the burning boat", "a smoking barrel"
_ATTRIBUTIVE = {"burning", "smoking", "steaming", "glowing", "blazing", "flaming", "smouldering", "smoldering",
                "sparking", "shimmering"}


def effect_shapes(tokens: list[Token]) -> set[int]:
    """Positions of words that give an effect its shape rather than name a thing: "a ball of fire",
    "a sheet of flame" (the ball is not a prop)."""
    starts = {m.start for m in _EFFECTS.find(tokens)}
    return {j for j in range(len(tokens) - 2) if tokens[j + 1].text == "of" and j + 2 in starts}


@dataclass
class EffectReading:
    kind: EffectKind
    anchor: str | None = None
    character: str | None = None  # the named owner of a joint or the one it is behind; None = the subject
    behind: bool = False
    strength: str = "normal"  # weak | normal | strong
    clause: int = -1  # the clause of the line it was read in


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
            if k == 0 and prep in ("from", "out"):
                continue  # "from under the truck", "out from behind the door": the phrase reads on
            break
        if w == "it" and k <= 1:  # "snow swirls out of it": the prop "it" stands for
            named = _antecedent(tokens, j, index)
            return (f"prop:{named}" if named else None), None, False
        if w == "its" and k + 1 < len(after) and after[k + 1].text not in _BODY:
            # "rises from its pages": a part of the prop the line named last before the phrase
            named = _antecedent(tokens, j, index)
            if named:
                return f"prop:{named}", None, False
            if any(t.text in _IMPLEMENTS for t in tokens[:j]):
                return "r_wrist", None, False  # "she points her wand and sparks shoot from its tip"
        if w.endswith("'s") and name_of(w, names):
            owner = name_of(w, names)
            continue
        body = _BODY.get(w)
        if body and (owner or any(a.text in OWNERS for a in after[:k])):
            if body.startswith("r_") and k and after[k - 1].text == "left":
                body = "l_" + body[2:]  # "her left arm"
            return body, owner, False
        if w in _SET and (_SET[w] != "ground" or prep in _GROUND_PREPS):
            inside = index.props.find(after[k + 2:k + 5]) if k + 1 < len(after) and after[k + 1].text in ("in", "inside") else []
            if inside and inside[0].start <= 1:  # "through the water in the cup": the cup holds it
                return f"prop:{inside[0].key}", None, False
            return _SET[w], None, False
        props = index.props.find(after[k:k + 2])
        if props and props[0].start == 0 and j + 1 + k not in effect_shapes(tokens):
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
        if w in _BODY and _BODY[w] != "ground" and (owner or (k and words[k - 1].text in OWNERS)):
            if _BODY[w].startswith("r_") and k and words[k - 1].text == "left":
                return "l_" + _BODY[w][2:], owner
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
    thing = _thing(obj, index, names)
    if thing[0] is None and (index.places.find(obj) or {t.text for t in obj} & {"air", "room", "place"}):
        return None  # "steam fills the kitchen": the whole set, which says nothing of where it starts
    return thing


def _emitter(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None]:
    """ "the lantern in Mira's hand gives off a thin smoke": the subject of an emitting verb before the effect."""
    for j in (j for j in span if j < m.start):
        w = tokens[j].text
        nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
        if w in _EMITS or _EMIT_PARTICLES.get(w) == nxt:
            subject = _subject(tokens, span, j)
            if subject and (subject[0].text in _ANCHOR_PREPS or subject[0].text in _VAGUE_PLACE):
                dets = [k for k, t in enumerate(subject) if k >= 2 and t.text in _DETERMINERS]
                subject = subject[dets[-1]:] if dets else subject  # "far out at sea a burning galleon sends up"
            if [t.text for t in subject] in (["which"], ["that"]):  # "the lamppost, which showers sparks"
                subject = _clause_before(tokens, j)
            if w in _BREATH and subject and (name_of(subject[-1].text, names) or subject[-1].text in _PRONOUNS):
                return "head", name_of(subject[-1].text, names)
            return _thing(subject, index, names)
    return None, None


def _described(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "the burning boat": the prop an effect adjective stands before, within two words."""
    if tokens[m.start].text not in _ATTRIBUTIVE:
        return None
    clause = tokens[m.start].clause
    after = tokens[m.end:m.end + 3]
    props = index.props.find(after)
    if not props or props[0].start > 1 or any(t.clause != clause for t in after[:props[0].end]):
        return None
    rest = [t.text for t in tokens[m.end + props[0].end:m.end + props[0].end + 2]]
    if rest[:1] == ["of"] and rest[1:] and rest[1] in _MADE_OF:
        return None  # "a glowing shield of light" is the light itself
    return props[0].key


def _said_of(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None]:
    """(anchor, owner) of the thing an effect is said of: the subject of an effect verb ("the mug of
    cocoa steams") or of what it turns into ("the letter catches fire"); when the clause opens on the
    verb ("... sputters and bursts into flames"), the subject of the clause before it."""
    word, first = tokens[m.start].text, span[0]
    prev = tokens[m.start - 1].text if m.start > first else ""
    as_noun = word in _NOUN_TOO and not any(p.end == m.start for p in index.props.find(tokens[first:m.start]))
    plural_subject = word in _BASE_PREDICATES and prev.endswith("s") and any(
        p.end == m.start - first for p in index.props.find(tokens[first:m.start]))  # "the torches smoke"
    if (word in _PREDICATES and not as_noun) or word in _BLOWS_UP or (prev == "to" and word in _BASE_PREDICATES) \
            or plural_subject:
        verb = m.start
    elif prev in _BECOMES or (prev in _STILL and m.start - 2 >= first and tokens[m.start - 2].text in _BECOMES):
        verb = m.start - 1 if prev in _BECOMES else m.start - 2  # "the mug is still steaming"
    elif (held := _holding_word(tokens, m, first)) is not None:
        right_before = [p for p in index.props.find(tokens[max(first, held - 3):held]) if p.end == held - max(first, held - 3)]
        if tokens[held].text == "in" and right_before:
            return f"prop:{right_before[-1].key}", None  # "strikes the anvil in a shower of sparks"
        return _thing(_subject(tokens, span, held), index, names)
    elif prev == "in" and m.start - 2 > first and tokens[m.start - 2].text == "up":
        verb = m.start - 2  # "goes up in flames"
    else:
        return None, None
    while verb > first and (tokens[verb - 1].text in _TURNING_VERBS or tokens[verb - 1].text.endswith("ly")):
        verb -= 1  # back over "bursts into", "goes up in", "catches", "faintly" to the subject
    subject = _subject(tokens, span, verb)
    while subject and subject[0].text in _CONJUNCTIONS:
        subject = subject[1:]
    if [t.text for t in subject] == ["it"]:  # "Ada throws the bottle and it explodes": the last prop named
        named = _antecedent(tokens, verb, index)
        return (f"prop:{named}", None) if named else ("", None)
    anchor, owner = _thing(subject, index, names)
    return (anchor, owner) if anchor else ("", None)  # said of something the set cannot place


def _holding_word(tokens: list[Token], m: Match, first: int) -> int | None:
    """The "with"/"in"/"of" an effect follows as what something holds ("hums with a hidden magic",
    "in a cloud of dust", "full of black ink"), with at most two describing words between; None
    when the effect does not follow one."""
    j = m.start - 1
    for _ in range(3):
        if j < first:
            return None
        w = tokens[j].text
        if w == "of" and j - 1 >= first and tokens[j - 1].text in _MEASURES:
            j -= 2  # "a cloud of": look before the measure
            while j >= first and tokens[j].text in ("a", "an", "the", "thick", "thin", "great", "small", "little"):
                j -= 1
            continue
        if w in _HOLDS_EFFECT:
            if w == "of" and j - 1 >= first and tokens[j - 1].text in _NOT_A_HOLDER:
                return None  # "a shield made of light", "the smell of smoke"
            return j
        if w in _ANCHOR_PREPS or w in PREPOSITIONS:
            return None
        j -= 1
    return None


def _antecedent(tokens: list[Token], at: int, index: VocabularyIndex) -> str | None:
    """The prop "it" or "its" at `at` stands for: the last one named before it in the sentence that
    is not where something rests ("holds the letter over the candle until it catches fire": the letter;
    "the teapot sits on the table ... its spout": not the table)."""
    sentence = tokens[at].sentence
    named = [p for p in index.props.find(tokens[:at]) if tokens[p.start].sentence == sentence]
    acting = [p for p in named if not (p.start >= 1 and tokens[p.start - 1].text in PREPOSITIONS)
              and not (p.start >= 2 and tokens[p.start - 1].text in ("the", "a", "an", "his", "her", "their", "its")
                       and tokens[p.start - 2].text in PREPOSITIONS)]
    return acting[-1].key if acting else None


def _subject(tokens: list[Token], span: list[int], verb: int) -> list[Token]:
    """The words before the verb at `verb` in its clause; when the clause opens on the verb ("...
    sputters and bursts into flames"), the clause before it up to its first preposition."""
    subject = [tokens[j] for j in span if j < verb and tokens[j].text not in ("and", "then")]
    return subject or _clause_before(tokens, verb)


def _clause_before(tokens: list[Token], verb: int) -> list[Token]:
    """The clause before the one of `verb`, in its sentence, up to its first preposition."""
    sentence, clause = tokens[verb].sentence, tokens[verb].clause
    earlier = [t.clause for t in tokens if t.sentence == sentence and t.clause < clause]
    before = [t for t in tokens if earlier and t.clause == max(earlier) and t.sentence == sentence]
    return before[:next((k for k, t in enumerate(before) if t.text in _ANCHOR_PREPS), len(before))]


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
    described = _described(tokens, m, index)
    if described:
        return f"prop:{described}", None, False
    said_of = _said_of(tokens, m, span, index, names)
    if said_of[0] and said_of[0] not in _SET.values() and tokens[m.start].text not in _BLOWS_UP:
        return said_of[0], said_of[1], False
    # the set it is said of ("the sea explodes in white spray") only when no phrase says where it is
    fallback = (said_of[0] or None, None, False)
    # an effect named as a place in the line ("sparks fly up from the campfire into the sky") stays put
    as_object = m.start > 1 and tokens[m.start - 1].text in ("the", "a", "an") and tokens[m.start - 2].text in _ANCHOR_PREPS \
        and tokens[m.start - 2].clause == clause
    after = [] if as_object else [j for j in span if j >= m.end]
    # where an effect comes from outranks where it lands: "sparks rain on the street from the lamp"
    source = [j for j in after if tokens[j].text in ("from", "off")
              or (tokens[j].text == "out" and j + 1 < len(tokens) and tokens[j + 1].text == "of")]
    # a fronted phrase frames the whole clause and outranks where the effect goes: "Behind them, a wall
    # of fire climbs into the sky"
    sentence = [j for j, t in enumerate(tokens) if t.sentence == tokens[m.start].sentence]
    opener = [j for j in sentence if tokens[j].clause == tokens[sentence[0]].clause < clause]
    if opener and tokens[opener[0]].text in _VAGUE_PLACE:
        opener = opener[1:]  # "Somewhere behind Omar, ..."
    framing = [opener[0]] if 0 < len(opener) <= 4 and tokens[opener[0]].text in _ANCHOR_PREPS else []
    # before a verb that blows something up stands the thing blown up, with its own place ("the lantern on the table")
    before_word = [] if tokens[m.start].text in _BLOWS_UP else [j for j in span if j < m.start]
    order = source + framing + [j for j in after if j not in source] + before_word
    # an effect that goes after someone is behind them, after a thing is on it, wherever they go:
    # "a cloud of dust follows Pip down the road", "a trail of steam follows the boat across the lake"
    for j in (j for j in span if j >= m.end and tokens[j].text in _FOLLOWS and j + 1 < len(tokens)):
        who = tokens[j + 1].text
        if who in names or who in _PERSON_OBJECTS:
            return None, names.get(who), True
        followed = [tokens[k] for k in span if k > j]
        thing, owner = _thing(followed[:next((k for k, t in enumerate(followed) if t.text in _ANCHOR_PREPS),
                                             len(followed))], index, names)
        if thing and thing.startswith("prop:"):
            return thing, owner, False
    from_unknown = unplaced = False  # unplaced: "smoke hangs among the shelves", where the set shows nothing
    for j in order:
        if j == m.end and tokens[j].text == "of":
            continue  # "a spray of water", "a wall of flame": what the effect is made of, not where it starts
        if tokens[j].text in _GOALS:
            continue  # "drifts toward the window": where it heads, not where it is
        if tokens[j].text in _ANCHOR_PREPS:
            if from_unknown and tokens[j].text not in ("of", "behind"):
                return None, None, False  # it comes from something the set cannot place ("from the wires")
            hit = _target(tokens, j, index, names)
            if hit[0] and hit[0].startswith("prop:") and (fallback[0] or "").startswith("prop:"):
                return fallback  # "the flask explodes on the workbench": the flask, which rests there
            if hit[0] or hit[2]:
                return hit
            # "from the heart of the clock" reads on to the clock; "spray from the waterfall" (the
            # effect's own noun phrase, before its verb) says what it is, not where it starts
            from_unknown = from_unknown or (j in source and j > m.end)
            unplaced = unplaced or (j > m.end and tokens[j].text in _STANDS_AT and not _names_the_set(tokens, j, index))
    before = [t.text for t in tokens[max(0, m.start - 2):m.start] if t.clause == clause]
    if len(before) == 2 and before[1] in _BODY and _BODY[before[1]] != "ground":  # "Mira's eyes glow"
        owner = name_of(before[0], names) if before[0].endswith("'s") else None
        if owner or before[0] in OWNERS:
            return _BODY[before[1]], owner, False
    if any(tokens[j].text in ("sky", "heavens") for j in after):
        return "sky", None, False  # "an explosion lights up the sky"; not "sparks fly from the campfire into the sky"
    lit = next((j for j in after if tokens[j].text in _LIGHTS_UP), None)
    if lit is not None:  # "a blast lights up the sea": the flash is where it lights
        lit_thing = _thing([tokens[j] for j in span if j > lit], index, names)[0]
        if lit_thing in _SET.values():
            return lit_thing, None, False
    if said_of[0] is None and not (as_object or from_unknown or unplaced):
        beside = _prop_beside(tokens, m, index) or _known_source(tokens, m, index)
        if beside:
            return f"prop:{beside}", None, False
        body = _body_before(tokens, m, names)
        if body[0]:
            return body[0], body[1], False
    return fallback


def _known_source(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "As the engine coughs, black smoke rolls out from under the truck": an effect nothing in its
    clause places comes from the one prop of its sentence that is known to give it off."""
    sentence, clause = tokens[m.start].sentence, tokens[m.start].clause
    rest = [t for t in tokens[m.end:] if t.clause == clause]
    if any(t.text in _OUT_OF_UNKNOWN for t in rest[:-1]):
        return None  # "smoke creeps out between them": it comes from something the line names otherwise
    sources = set(index.vocab.sources.get(m.key, ()))
    found = {p.key for p in index.props.find([t for t in tokens if t.sentence == sentence])} & sources
    return found.pop() if len(found) == 1 else None


def _body_before(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[str | None, str | None]:
    """ "as he opens his great bronze chest, a golden glow pours out": the one body part someone's own
    word names in the clause just before, when that clause names no prop."""
    if not {t.text for t in _clause_words(tokens, m, 0)} & {"out", "forth"}:
        return None, None  # it must come out of something ("pours out"), not just appear
    words = _clause_words(tokens, m, -1)
    parts = {(_BODY[t.text], k) for k, t in enumerate(words) if t.text in _BODY and _BODY[t.text] != "ground"
             and k and (words[k - 1].text in OWNERS or any(w.text in OWNERS or name_of(w.text, names)
                                                             for w in words[max(0, k - 4):k]))}
    if len({p for p, _ in parts}) != 1:
        return None, None
    k = min(k for _, k in parts)
    owner = next((name_of(w.text, names) for w in words[max(0, k - 4):k] if w.text.endswith("'s")), None)
    return parts.pop()[0], owner


def _clause_words(tokens: list[Token], m: Match, offset: int) -> list[Token]:
    """The words of the clause `offset` clauses from the effect's, in its sentence ([] when none)."""
    sentence = tokens[m.start].sentence
    clauses = sorted({t.clause for t in tokens if t.sentence == sentence})
    i = clauses.index(tokens[m.start].clause) + offset
    return [t for t in tokens if t.sentence == sentence and t.clause == clauses[i]] if 0 <= i < len(clauses) else []


def _names_the_set(tokens: list[Token], j: int, index: VocabularyIndex) -> bool:
    """The phrase at preposition j names the set or the air ("in the cold air", "across the workshop")."""
    phrase = [t for t in tokens[j + 1:j + 5] if t.clause == tokens[j].clause]
    return bool(index.places.find(phrase)) or any(t.text in ("air", "room", "dark", "darkness", "night") for t in phrase)


def _prop_beside(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "the candle gutters and a curl of smoke drifts upward", "smoke billows out as the oven door
    swings open": an effect its own clause does not place comes from the one prop the clause just
    before it (else just after it, in the same sentence) names."""
    clause, sentence = tokens[m.start].clause, tokens[m.start].sentence
    for near in (clause - 1, clause + 1):
        words = [t for t in tokens if t.clause == near and t.sentence == sentence]
        # a prop a phrase places something on is where it stands, not what acts: "rattles on the table"
        props = {p.key for p in index.props.find(words)
                 if not (p.start >= 2 and words[p.start - 2].text in _RESTS_ON and words[p.start - 1].text == "the")}
        if len(props) == 1:
            return props.pop()
        if words:
            return None
    return None


def _listed_after(tokens: list[Token], m: Match, sentence: int) -> bool:
    """The effect closes a short "and ..." clause of the sentence the last effect was read in: "explodes
    in a shower of springs and sparks" lists it with what came before."""
    clause = [t for t in tokens if t.clause == tokens[m.start].clause]
    return tokens[m.start].sentence == sentence and clause[0].text in ("and", "or") and len(clause) <= 4 \
        and clause[-1] is tokens[m.end - 1]


def _compared(tokens: list[Token], m: Match) -> bool:
    """The effect is what something is likened to: "like" up to two words before it in its clause."""
    clause = tokens[m.start].clause
    if m.start >= 2 and tokens[m.start - 2].text == "as" and tokens[m.start - 1].text in ("a", "an"):
        return True  # "quick as a spark"
    return any(tokens[j].text == "like" and tokens[j].clause == clause for j in range(max(0, m.start - 3), m.start))


# "the candle has stopped smoking", "the engine ceased steaming": an ending verb before the effect's gerund
_STOPPING = {"stopped", "stops", "stop", "ceased", "ceases", "quit", "quits", "finished", "finishes"}


def _stopped(tokens: list[Token], m: Match) -> bool:
    word = tokens[m.start].text
    return word.endswith("ing") and m.start > 0 and tokens[m.start - 1].text in _STOPPING \
        and tokens[m.start - 1].clause == tokens[m.start].clause


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
    hearth = {t.text for t in tokens[m.end:m.end + 4] if t.clause == tokens[m.start].clause} & _HEARTHS
    if kind == EffectKind.fire and hearth and m.end < len(tokens) and tokens[m.end].text in ("in", "inside"):
        return True  # "the fire in the hearth": the room's light
    if word in ("flame", "flames") and before in _LIGHT_THINGS:
        return True  # "the candle flame": the light itself
    if kind == EffectKind.fire and (before in ("cold", "dead") or any(t.text in ("ash", "ashes") and t.clause == tokens[m.start].clause for t in tokens[max(0, m.start - 3):m.start])):
        return True  # "the cold ashes of the campfire", "a dead fire": no flame left
    sentence = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
    if word == "flame" and (words & {"burns", "flickers", "glows", "gutters", "dances", "bright", "steady"}
                            or sentence & {"wick", "light"}):  # "a small flame blooms and throws a warm light"
        return True  # "the flame burns bright": a light burning, not a fire
    if word in ("burn", "burns", "burning") and words & _BODY_HEAT:
        return True
    if word in _LIGHT_VERBS:
        described = _described(tokens, m, index)
        if described is not None:
            return described in _LIGHT_THINGS  # "the burning candle" is its light; "the burning boat" is fire
        clause = [t for t in tokens if t.clause == tokens[m.start].clause]
        return bool(words & _LIGHT_THINGS) or bool(index.places.find(clause))
    return False


def read_effects(tokens: list[Token], index: VocabularyIndex, names: dict[str, str]) -> list[EffectReading]:
    """The effects a line names (one per kind and clause), with anchor and strength."""
    out: list[EffectReading] = []
    out_sentence = -1
    seen: set[tuple[str, int]] = set()
    found = _EFFECTS.find(tokens)
    for m in found:
        kind = EffectKind(m.key)
        if tokens[m.start].text in _EFFECT_VERBS and any(n.end == m.start and n.key != "ink" for n in found):
            continue  # "sparks spray from the anvil": the verb of another effect (spilt ink does splash)
        clause = tokens[m.start].clause
        if (kind.value, clause) in seen or negated(tokens, m.start) or ended(tokens, m.end) or _stopped(tokens, m):
            continue
        if _is_light(tokens, m, index, kind):
            continue
        if kind == EffectKind.fire and _gunfire(tokens, m):
            continue  # "the cannon fires", "they open fire": a shot, not flames
        if kind == EffectKind.sparks and m.end < len(tokens) and tokens[m.end].text == "of":
            continue  # "a spark of hope"
        if kind == EffectKind.splash and any(n.start == m.end + 1 and n.key != m.key for n in found) \
                and tokens[m.end].text == "of":
            continue  # "a spray of sparks": the shape of another effect
        if tokens[m.start].text not in _ATTRIBUTIVE and any(
                p.start == m.end and (p.end >= len(tokens) or tokens[p.end].text not in _DETERMINERS)
                for p in index.props.find(tokens)):
            continue  # "the ink bottle tips": a kind of thing, not the effect ("an explosion rocks the harbor" is one)
        if _compared(tokens, m):
            continue  # "magic swirls in the cup like silver smoke": a likeness, not smoke
        if kind == EffectKind.explosion and {t.text for t in tokens[:m.start] if t.clause == clause} & _WATER:
            continue
        if kind == EffectKind.explosion and tokens[m.start].text in ("blows", "blew") and m.start > 0 \
                and (tokens[m.start - 1].text in _BLOWN or any(n.end == m.start for n in found)):
            continue  # "dust blows up from the road", "the wind blows up": carried, not blown apart  # "the sea explodes against the rocks": a splash ("a blast lights up the sea" is a blast)
        seen.add((kind.value, clause))
        anchor, who, behind = _anchor(tokens, m, index, names)
        if out and _listed_after(tokens, m, out_sentence) and not (anchor or behind):
            anchor, who, behind = out[-1].anchor, out[-1].character, out[-1].behind  # "of springs and sparks"
        out_sentence = tokens[m.start].sentence
        sentence_words = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
        if anchor is None and not behind and kind in (EffectKind.dust, EffectKind.splash) and sentence_words & _KICKS:
            anchor = "ground"  # "Pip kicks up dust"
        out.append(EffectReading(kind, anchor, who, behind, _strength(tokens, clause), clause))
    out += _flurries(tokens, index, names)
    keyed = {}
    for e in out:  # the same effect named twice in a line ("fire ... flames") is one effect
        keyed.setdefault((e.kind, e.anchor, e.behind), e)
    placed = {e.kind for e in keyed.values() if e.anchor or e.behind}
    return [e for e in keyed.values() if e.anchor or e.behind or e.kind not in placed]


_FLURRY_VERBS = {"falls", "fall", "fell", "falling", "swirls", "swirl", "swirled", "swirling", "pours", "poured",
                 "pouring", "drifts", "drifted", "drifting", "spills", "spilled", "spilling", "drips", "dripped",
                 "dripping", "tumbles", "tumbled", "rises", "rose", "blows", "blew", "flies", "flew", "streams",
                 "streamed", "showers", "showered", "flutters", "fluttered", "whirls", "whirled", "sprinkles",
                 "sprinkled", "spins", "spun", "bursts", "burst", "billows", "billowed", "erupts", "erupted"}
_SHELTERS = {"prop:umbrella", "prop:house"}  # "rain drips from the umbrella" is still the sky's


def _flurries(tokens: list[Token], index: VocabularyIndex, names: dict[str, str]) -> list[EffectReading]:
    """Snow or rain said to come from or out of a prop or a character (not where it lands)."""
    out = []
    for m in _FLURRY.find(tokens):
        clause = tokens[m.start].clause
        words = {t.text for t in tokens if t.clause == clause}
        moves = m.end < len(tokens) and tokens[m.end].text in _FLURRY_VERBS  # "snow swirls out of the book"
        shed = any(t.text in _EMITS for t in tokens[max(0, m.start - 4):m.start] if t.clause == clause)
        if negated(tokens, m.start) or ended(tokens, m.end) or not (moves or shed) \
                or not words & ({"from", "out", "off"} | _EMITS):
            continue
        anchor, who, behind = _anchor(tokens, m, index, names)
        if (anchor and anchor not in _SET.values() and anchor not in _SHELTERS) or behind:
            out.append(EffectReading(EffectKind(m.key), anchor, who, behind, _strength(tokens, clause), clause))
    return out


def effect_strength(wording: str, arousal: float) -> float:
    """Emitter strength from the wording and the beat's arousal (-1..1): strong 1.6-2.5, weak 0.4-0.7."""
    a = max(-1.0, min(1.0, arousal))
    if wording == "strong":
        return round(min(2.5, max(1.6, 2.0 + 0.5 * a)), 2)
    if wording == "weak":
        return round(min(0.7, max(0.4, 0.55 + 0.15 * a)), 2)
    return round(min(1.5, max(0.7, 1.0 + 0.3 * a)), 2)
