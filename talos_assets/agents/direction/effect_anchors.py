"""Where an effect a line names comes from: the anchor of Prism's effect reading.

The first source phrase of the effect's clause decides (a body part of a character -> its joint, a
set word -> horizon, ground or sky, a prop -> `prop:<id>`, "behind him" -> behind), after what the
effect wraps, what gives it off and what it is said of ("the old car smokes", "catches fire"); a
fronted phrase frames its whole sentence; when nothing places it, the one prop of the clause beside
it, the one prop of the sentence known to give it off (`WorldVocabulary.sources`) or the one body
part the clause before names carries it.
"""

from __future__ import annotations

from talos_assets.agents.direction.effect_words import (
    ANCHOR_PREPS,
    ATTRIBUTIVE,
    BASE_PREDICATES,
    BECOMES,
    BLOWS_UP,
    BODY,
    BREATH,
    CONJUNCTIONS,
    DETERMINERS,
    EMITS,
    EMIT_PARTICLES,
    ENVELOPS,
    FOLLOWS,
    GOALS,
    HOLDS_EFFECT,
    LIGHTS_UP,
    MADE_OF,
    MEASURES,
    NOT_A_HOLDER,
    NOUN_TOO,
    OUT_OF_UNKNOWN,
    PROP_PARTS,
    PERSON_OBJECTS,
    PREDICATES,
    PRONOUNS,
    RESTS_ON,
    SET,
    STANDS_AT,
    STILL,
    TURNING_VERBS,
    VAGUE_PLACE,
)
from talos_assets.agents.direction.effect_phrases import (
    antecedent,
    body_before,
    body_struck,
    clause_before,
    clause_subject,
    clause_words,
    fogs,
    names_the_set,
    struck_prop,
    up_along,
)
from talos_assets.agents.direction.effect_sources import source_phrase, thing_named
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import (
    OWNERS,
    PREPOSITIONS,
    Match,
    Token,
    name_of,
)


def _wrapped(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None] | None:
    """ "a shimmer of magic surrounds the old tree": what the effect wraps, or None when its verb
    does not wrap (an unknown thing wrapped, "the crown on the table", anchors nowhere)."""
    verb = next((j for j in span if m.end <= j < m.end + 5 and tokens[j].text in ENVELOPS), None)
    if verb is None:
        return None
    obj = [tokens[j] for j in span if j > verb]
    obj = obj[:next((k for k, t in enumerate(obj) if t.text in ANCHOR_PREPS), len(obj))]
    thing = thing_named(obj, index, names)
    if thing[0] == "prop:window" and fogs(tokens, m):
        return None, None  # "steam from the boiling pot fogs the kitchen window": where it settles, not its source
    if thing[0] is None and (index.places.find(obj) or {t.text for t in obj} & {"air", "room", "place"}):
        return None  # "steam fills the kitchen": the whole set, which says nothing of where it starts
    return thing


def _emitter(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None]:
    """ "the lantern in Mira's hand gives off a thin smoke": the subject of an emitting verb before the effect."""
    for j in (j for j in span if j < m.start):
        w = tokens[j].text
        nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
        if w in EMITS or EMIT_PARTICLES.get(w) == nxt:
            subject = clause_subject(tokens, span, j)
            cut = next((k for k, t in enumerate(subject) if t.text in ("who", "that", "which") and k), None)
            subject = subject[:cut] if cut is not None else subject  # "the dragon who lives under Ben's bed"
            if subject and (subject[0].text in ANCHOR_PREPS or subject[0].text in VAGUE_PLACE):
                dets = [k for k, t in enumerate(subject) if k >= 2 and t.text in DETERMINERS]
                subject = subject[dets[-1]:] if dets else subject  # "far out at sea a burning galleon sends up"
            if [t.text for t in subject] in (["which"], ["that"]):  # "the lamppost, which showers sparks"
                subject = clause_before(tokens, j)
            if [t.text for t in subject] == ["it"]:  # "the cow brushes the fence, and it spits sparks"
                named = antecedent(tokens, j, index)
                return (f"prop:{named}" if named else None), None
            if w in BREATH and subject and (name_of(subject[-1].text, names) or subject[-1].text in PRONOUNS):
                return "head", name_of(subject[-1].text, names)
            return thing_named(subject, index, names)
    return None, None


def made_by(tokens: list[Token], m: Match, span: list[int]) -> str | None:
    """Effects whose place is the set's by what makes them: fireworks, rockets and flares that burst
    high or above burst in the sky, and over a place ("over the harbor") in no place the set shows ("");
    the splash of a whale breaching or of something sinking is the water's; "the splashing waves", "a
    splash of seawater", "the steaming pond" are the water's; what a stamped left or right foot throws
    up is that ankle's. None: nothing of the kind."""
    clause_words = [tokens[j].text for j in span]
    words = [t.text for t in tokens if t.sentence == tokens[m.start].sentence]
    sentence = set(words)
    over_a_place = "over" in clause_words and not set(clause_words) & _OVERHEAD
    launched = {w for k, w in enumerate(words) if w in _SKY_BURSTS
                and not (k and words[k - 1] in _FLAMES)}  # "fire flares up from the floor": a verb
    overhead = set(clause_words) & _OVERHEAD or sentence & (_OVERHEAD - {"up"}) \
        or any(w == "up" and k and words[k - 1] in _SOARS for k, w in enumerate(words))  # "a rocket whooshes up and bursts"
    if m.key == "explosion" and launched and overhead \
            and not over_a_place \
            and not any(w in ("from", "off") for w in clause_words[clause_words.index(tokens[m.start].text):]):
        return "sky"  # "fireworks burst high in the sky", "the flare explodes above the treeline"
    if m.key == "explosion" and sentence & _SKY_BURSTS and "over" in clause_words:
        return ""  # "fireworks burst over the harbor": over it, in no place the line gives
    nxt = [t.text for t in tokens[m.end:m.end + 2]]
    if m.key in ("splash", "steam", "smoke") and (tokens[m.start].text in ATTRIBUTIVE or tokens[m.start].text.endswith("ing")) \
            and nxt[:1] and SET.get(nxt[0]) == "horizon" and nxt[0] != "water":
        return "horizon"  # "the splashing waves", "the steaming pond"
    if m.key == "splash" and nxt[:1] == ["of"] and nxt[1:] and nxt[1] in _SEA_WATER:
        return "horizon"  # "a tall splash of seawater"
    if tokens[m.start].text in ATTRIBUTIVE and nxt[1:2] == ["of"] and tokens[m.end + 2:m.end + 3] \
            and tokens[m.end + 2].text in MADE_OF:
        return ""  # "a glowing shield of light appears": the effect is the shape, standing nowhere the line says
    if m.key == "steam" and nxt[:1] and nxt[0] in _MISTS_OVER and not (m.start and tokens[m.start - 1].text in OWNERS) \
            and not any(t.sentence == tokens[m.start].sentence for t in tokens[:m.start] if t.text in _STEAMING_THINGS):
        return ""  # "steam fogs the window": what it settles on, not where it comes from (a mug's fogs her glasses)
    own_source = any(tokens[j].text in ("from", "off", "against") for j in span if j >= m.end)
    stamped = _stamped_foot(tokens, m) if m.key != "explosion" else None
    if stamped and not own_source:
        return stamped  # "Rosa stamps her right foot in the puddle and a splash soaks Ben"
    if m.key == "splash" and sentence & _MAKES_WAVES and not own_source \
            and not any(SET.get(w) == "ground" for w in sentence):
        return "horizon"  # "a whale breaches beside the boat, and the splash drenches Pip"
    return None


_STEAMING_THINGS = {"mug", "cup", "teacup", "kettle", "pot", "pan", "bowl", "soup", "tea", "coffee", "cocoa", "bath"}
_MISTS_OVER = {"fogs", "fogged", "fogging", "mists", "misted", "misting", "clouds", "clouded", "clouding", "blurs", "blurred"}
_STAMPS = {"stamps", "stamped", "stomps", "stomped", "stamping", "stomping"}


def _stamped_foot(tokens: list[Token], m: Match) -> str | None:
    """The ankle of the foot, boot or heel the sentence stamps before the effect ("stamps her left
    foot"), or whose own kick throws it up ("Omar's boots kick up a cloud of dust", "her right boot
    sending up a puff of dust") or that lands in it ("Ben's left boot sinks into the bog with a splash");
    the right one unless the line says left."""
    before = [t.text for t in tokens[:m.start] if t.sentence == tokens[m.start].sentence]
    if {t.text for t in tokens[m.end:] if t.sentence == tokens[m.start].sentence} & {"behind", "wake"}:
        return None  # "his feet kick up dust behind him": behind him
    for k, w in enumerate(before):
        part = next((j for j in range(k + 1, min(k + 4, len(before))) if before[j] in _FEET), None)
        if w in _STAMPS and part is not None and not before[part].endswith(("s", "feet")):  # both feet: the ground
            return "l_ankle" if before[part - 1] == "left" else "r_ankle"
        kicks = before[k + 1:k + 3]
        if w in _FEET and k and (before[k - 1] in OWNERS | {"left", "right"} or before[k - 1].endswith("'s")) \
                and (set(kicks) & _KICKS_UP or kicks[:2] in (["sending", "up"], ["sends", "up"], ["sent", "up"])
                     or (kicks[:1] and kicks[0] in _LANDS and before[k + 2:k + 3] in (["in"], ["into"]))):
            return "l_ankle" if before[k - 1] == "left" else "r_ankle"
    return None


_FEET = {"foot", "feet", "boot", "boots", "heel", "heels", "shoe", "shoes", "sneaker", "sneakers"}
_KICKS_UP = {"kick", "kicks", "kicked", "kicking"}
_LANDS = {"sinks", "sank", "lands", "landed", "plunges", "plunged", "slips", "slipped", "stamps", "stamped"}


_SOARS = {"whooshes", "whooshed", "shoots", "shot", "soars", "soared", "went", "goes", "streaks", "streaked", "zooms",
          "zoomed", "flies", "flew", "up", "rises", "rose", "climbs", "climbed"}
_FLAMES = {"fire", "flame", "flames", "magic", "light"}
_SKY_BURSTS = {"firework", "fireworks", "rocket", "rockets", "flare", "flares"}
_OVERHEAD = {"above", "sky", "skies", "up", "high", "upward", "upwards", "heavens"}
_SEA_WATER = {"seawater", "surf", "brine", "saltwater"}
_MAKES_WAVES = {"wave", "waves", "breakers", "whale", "whales", "dolphin", "dolphins", "breaches", "breached", "breaching", "sinks", "sank", "sunk",
                "sinking", "surf", "seal", "seals", "orca", "orcas"}


def described_prop(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "the burning boat": the prop an effect adjective stands before, within two words."""
    if tokens[m.start].text not in ATTRIBUTIVE:
        return None
    clause = tokens[m.start].clause
    after = tokens[m.end:m.end + 3]
    props = index.props.find(after)
    if not props or props[0].start > 1 or any(t.clause != clause for t in after[:props[0].end]):
        return None
    rest = [t.text for t in tokens[m.end + props[0].end:m.end + props[0].end + 2]]
    if rest[:1] == ["of"] and rest[1:] and rest[1] in MADE_OF:
        return None  # "a glowing shield of light" is the light itself
    return props[0].key


def _said_of(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
             ) -> tuple[str | None, str | None]:
    """(anchor, owner) of the thing an effect is said of: the subject of an effect verb ("the mug of
    cocoa steams") or of what it turns into ("the letter catches fire"); when the clause opens on the
    verb ("... sputters and bursts into flames"), the subject of the clause before it."""
    word, first = tokens[m.start].text, span[0]
    prev = tokens[m.start - 1].text if m.start > first else ""
    as_noun = word in NOUN_TOO and not any(p.end == m.start for p in index.props.find(tokens[first:m.start]))
    plural_subject = word in BASE_PREDICATES and prev.endswith("s") and any(  # "the torches smoke"
        p.end in (m.start - first, m.start - first - 1) for p in index.props.find(tokens[first:m.start]))
    opens_on_it = m.start == first and word in ("splashing", "spraying", "steaming", "smoking", "sparking")
    if (word in PREDICATES and not as_noun) or word in BLOWS_UP or (prev == "to" and word in BASE_PREDICATES) \
            or plural_subject or opens_on_it:  # "the puppy shakes itself dry, splashing water everywhere"
        verb = m.start
    elif prev in BECOMES or (prev in STILL and m.start - 2 >= first and tokens[m.start - 2].text in BECOMES):
        verb = m.start - 1 if prev in BECOMES else m.start - 2  # "the mug is still steaming"
    elif (held := _holding_word(tokens, m, first)) is not None:
        right_before = [p for p in index.props.find(tokens[max(first, held - 3):held]) if p.end == held - max(first, held - 3)]
        if tokens[held].text == "in" and right_before:
            return f"prop:{right_before[-1].key}", None  # "strikes the anvil in a shower of sparks"
        return thing_named(clause_subject(tokens, span, held), index, names)
    elif prev == "in" and m.start - 2 > first and tokens[m.start - 2].text == "up":
        verb = m.start - 2  # "goes up in flames"
    else:
        return None, None
    while verb > first and (tokens[verb - 1].text in TURNING_VERBS or tokens[verb - 1].text.endswith("ly")):
        verb -= 1  # back over "bursts into", "goes up in", "catches", "faintly" to the subject
    subject = clause_subject(tokens, span, verb)
    while subject and subject[0].text in CONJUNCTIONS:
        subject = subject[1:]
    if [t.text for t in subject] == ["it"]:  # "Ada throws the bottle and it explodes": the last prop named
        named = antecedent(tokens, verb, index)
        return (f"prop:{named}", None) if named else ("", None)
    anchor, owner = thing_named(subject, index, names)
    if not anchor and subject and subject[-1].text in PROP_PARTS and (named := antecedent(tokens, verb, index)):
        return f"prop:{named}", None  # "sets his lantern down ... and the wick sputters out": the lantern's
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
        if w == "of" and j - 1 >= first and tokens[j - 1].text in MEASURES:
            j -= 2  # "a cloud of": look before the measure
            while j >= first and tokens[j].text in ("a", "an", "the", "thick", "thin", "great", "small", "little"):
                j -= 1
            continue
        if w in HOLDS_EFFECT:
            if w == "of" and j - 1 >= first and tokens[j - 1].text in NOT_A_HOLDER:
                return None  # "a shield made of light", "the smell of smoke"
            return j
        if w in ANCHOR_PREPS or w in PREPOSITIONS:
            return None
        j -= 1
    return None


def anchor_of(tokens: list[Token], m: Match, index: VocabularyIndex, names: dict[str, str]
            ) -> tuple[str | None, str | None, bool]:
    """The first source phrase after the effect word in its clause, else the first before it."""
    clause = tokens[m.start].clause
    span = [j for j, t in enumerate(tokens) if t.clause == clause]
    placed = made_by(tokens, m, span)  # the set's by what makes it, else what it wraps
    wrapped = (placed or None, None) if placed is not None else _wrapped(tokens, m, span, index, names)
    if wrapped is not None:
        return wrapped[0], wrapped[1], False
    emitter = _emitter(tokens, m, span, index, names)
    landing = m.key == "splash" and _lands_in(tokens, [j for j, t in enumerate(tokens) if t.sentence == tokens[m.start].sentence])
    if emitter[0] and landing and not emitter[0].startswith(("prop:boat", "prop:ship")):
        return "horizon", None, False  # "two swans land on the river, throwing up spray": where they meet the water
    if emitter[0]:
        return emitter[0], emitter[1], False
    if m.start >= 2 and tokens[m.start - 1].text == "with" and tokens[m.start - 2].text in _FILLS \
            and not any(tokens[j].text in ("from", "out", "off") for j in span if j > m.start):
        filled = thing_named(clause_subject(tokens, span, m.start - 2), index, names)  # "the sky fills with smoke"
        return (filled[0] or None), filled[1], False  # "the barn fills with smoke": the whole place
    if described := described_prop(tokens, m, index):
        return f"prop:{described}", None, False
    touched = body_struck(tokens, m, names)
    if touched[0]:
        return touched
    said_of = _said_of(tokens, m, span, index, names)
    sentence = [j for j, t in enumerate(tokens) if t.sentence == tokens[m.start].sentence]
    own_phrase = any(tokens[j].text in ANCHOR_PREPS and tokens[j].text != "with" for j in span if j >= m.end)
    beside = [j for j, t in enumerate(tokens) if abs(t.sentence - tokens[m.start].sentence) == 1] \
        if len(sentence) <= 8 else []  # "Pip cannonballs into the pond. Big splash." / "Splash! Lena dives in..."
    if m.key == "splash" and (_lands_in(tokens, span) or (_lands_in(tokens, sentence + beside)
                                                            and not own_phrase)):
        return "horizon", None, False  # "the boulder rolls into the river with a splash", "... and it lands with a splash"
    if m.key == "splash" and _lands_in(tokens, sentence if not own_phrase else span, "ground"):
        return "ground", None, False  # "Ben's left boot sinks into the bog with a splash": where it lands
    if said_of[0] and said_of[0] not in SET.values() and tokens[m.start].text not in BLOWS_UP:
        return said_of[0], said_of[1], False
    # the set it is said of ("the sea explodes in white spray") only when no phrase says where it is
    fallback = (said_of[0] or None, None, False)
    # an effect named as a place in the line ("sparks fly up from the campfire into the sky") stays put
    as_object = m.start > 1 and tokens[m.start - 1].text in ("the", "a", "an") and tokens[m.start - 2].text in ANCHOR_PREPS \
        and tokens[m.start - 2].clause == clause
    after = [] if as_object else [j for j in span if j >= m.end]
    # where an effect comes from outranks where it lands: "sparks rain on the street from the lamp"
    source = [j for j in after if tokens[j].text in ("from", "off")
              or (tokens[j].text == "out" and j + 1 < len(tokens) and tokens[j + 1].text == "of")]
    framing = _framing(tokens, m, said_of[0] == "")
    # before a verb that blows something up stands the thing blown up, with its own place ("the lantern on the table")
    before_word = [] if tokens[m.start].text in BLOWS_UP else [j for j in span if j < m.start]
    goes_on = [] if as_object else _goes_on(tokens, m, names)
    order = source + framing + [j for j in after if j not in source] + goes_on + before_word
    followed = _followed(tokens, m, span, index, names)
    if followed is not None:
        return followed
    from_unknown = unplaced = False  # unplaced: "smoke hangs among the shelves", where the set shows nothing
    goals = [g for g in order if tokens[g].text in GOALS and g > m.end]
    for j in order:
        if j == m.end and tokens[j].text == "of":
            continue  # "a spray of water", "a wall of flame": what the effect is made of, not where it starts
        if tokens[j].text in GOALS or any(g < j <= g + 6 for g in goals):
            continue  # "drifts toward the window", "swirl up past the lanterns strung between the trees": where it heads
        if tokens[j].text in ANCHOR_PREPS or up_along(tokens, j, names):
            if from_unknown and tokens[j].text not in ("of", "behind"):
                return None, None, False  # it comes from something the set cannot place ("from the wires")
            hit = source_phrase(tokens, j, index, names)
            if _crossed(tokens, j, m, hit[0]):
                continue
            set_phrase = hit[0] in SET.values() and "horizon" not in [t.text for t in tokens[j + 1:j + 4]]
            if hit[0] and (hit[0].startswith("prop:") or j in framing or set_phrase) \
                    and (fallback[0] or "").startswith("prop:"):
                return fallback  # "the flask explodes on the workbench", "far out at sea, the galleon blew up"
            if hit[0] or hit[2]:
                return hit
            # "from the heart of the clock" reads on to the clock; "spray from the waterfall" (the
            # effect's own noun phrase, before its verb) says what it is, not where it starts
            from_unknown = from_unknown or (j in source and j > m.end)
            unplaced = unplaced or (j > m.end and tokens[j].text in STANDS_AT and not names_the_set(tokens, j, index))
    nearby = _placed_nearby(tokens, m, span, after, index, names,
                            beside=said_of[0] is None and not (as_object or from_unknown or unplaced)
                            and tokens[m.start].text not in _FIRES_OF_THEIR_OWN)
    return nearby if nearby is not None else fallback


_ANIMALS = {"horse", "dog", "cat", "bird"}
_FILLS = {"fills", "filled", "filling", "fill"}
_WET_GROUND = {"bog", "marsh", "mud", "puddle", "puddles", "swamp", "slush"}
_MEETS_WATER = {"into", "onto", "on", "in", "across", "touches", "touch", "touched", "hits", "hit", "meets", "met", "strikes", "struck"}


_CROSSED = {"across", "over", "through"}


def _crossed(tokens: list[Token], j: int, m: Match, anchor: str | None) -> bool:
    """ "smoke rolls out of the oven across the table": the prop it crosses after it is not its source
    (ink stains, fire burns and a splash wets what they cross, so those stay)."""
    return tokens[j].text in _CROSSED and j >= m.end and m.key not in ("ink", "fire", "splash") \
        and (anchor or "").startswith("prop:")


# a fire that is a thing of its own: no prop beside it is its source ("the campfire crackles ... his guitar")
_FIRES_OF_THEIR_OWN = {"campfire", "campfires", "bonfire", "bonfires", "wildfire", "wildfires", "inferno"}


def _lands_in(tokens: list[Token], span: list[int], where: str = "horizon") -> bool:
    """Something goes into, onto or on the water in these words ("dives into the sea"), or into
    the wet ground when `where` is "ground" ("sinks into the bog")."""
    if where == "ground":
        return any(tokens[j].text == "into" and any(t.text in _WET_GROUND for t in tokens[j + 1:j + 4]) for j in span)
    return any((tokens[j].text in _MEETS_WATER or (tokens[j].text == "of" and j and tokens[j - 1].text == "out"))
               and any(SET.get(t.text) == "horizon" for t in tokens[j + 1:j + 4])
               for j in span)


def _framing(tokens: list[Token], m: Match, said_of_unknown: bool) -> list[int]:
    """A fronted phrase frames the whole sentence and outranks where the effect goes: "Behind them, a
    wall of fire climbs into the sky" (its preposition's position, or none)."""
    sentence = [j for j, t in enumerate(tokens) if t.sentence == tokens[m.start].sentence]
    opener = [j for j in sentence if tokens[j].clause == tokens[sentence[0]].clause < tokens[m.start].clause]
    if opener and tokens[opener[0]].text in VAGUE_PLACE:
        opener = opener[1:]  # "Somewhere behind Omar, ..."
    framing = [opener[0]] if 0 < len(opener) <= 4 and tokens[opener[0]].text in ANCHOR_PREPS else []
    if framing and tokens[opener[-1]].text in ("sky", "skies", "sun", "moon", "stars") and tokens[opener[0]].text == "under":
        return []  # "Under a cloudless sky, dust billows behind Omar's horse": the weather, not where it is
    if said_of_unknown and framing and tokens[framing[0]].text != "behind":
        return []  # "under the moon, the wolf's fur shimmers": said of what the set cannot show
    return framing


def _goes_on(tokens: list[Token], m: Match, names: dict[str, str]) -> list[int]:
    """ "a pale steam rose up and curled around Mira's head": the clause that goes on with the effect's
    verbs (no new subject), whose phrases may place it."""
    nxt = [j for j, t in enumerate(tokens) if t.clause == tokens[m.start].clause + 1
           and t.sentence == tokens[m.start].sentence]
    if len(nxt) > 1 and tokens[nxt[0]].text in ("and", "then") and tokens[nxt[1]].text not in \
            DETERMINERS | PRONOUNS and not name_of(tokens[nxt[1]].text, names):
        return nxt[1:]
    return []


def _followed(tokens: list[Token], m: Match, span: list[int], index: VocabularyIndex, names: dict[str, str]
              ) -> tuple[str | None, str | None, bool] | None:
    """An effect that goes after someone is behind them, after a thing is on it, wherever they go: "a
    cloud of dust follows Pip down the road", "a trail of steam follows the boat across the lake"."""
    for j in (j for j in span if j >= m.end and tokens[j].text in FOLLOWS and j + 1 < len(tokens)):
        who = tokens[j + 1].text
        if who in names or who in PERSON_OBJECTS:
            return None, names.get(who), True
        followed = [tokens[k] for k in span if k > j]
        thing, owner = thing_named(followed[:next((k for k, t in enumerate(followed) if t.text in ANCHOR_PREPS),
                                             len(followed))], index, names)
        if thing and thing.startswith("prop:"):
            return thing, owner, False
    return None


def _placed_nearby(tokens: list[Token], m: Match, span: list[int], after: list[int], index: VocabularyIndex,
                   names: dict[str, str], beside: bool) -> tuple[str | None, str | None, bool] | None:
    """Where an effect no phrase places is: the body part just before it ("Mira's eyes glow"), the sky
    or the set it lights up, else (when `beside`) the prop beside it, a prop known to give it off, or
    the body part the clause before names; None when nothing does."""
    clause = tokens[m.start].clause
    before = [t.text for t in tokens[max(0, m.start - 2):m.start] if t.clause == clause]
    if len(before) == 2 and before[1] in BODY and BODY[before[1]] != "ground":  # "Mira's eyes glow"
        owner = name_of(before[0], names) if before[0].endswith("'s") else None
        if owner or before[0] in OWNERS:
            return BODY[before[1]], owner, False
    nxt = [t.text for t in tokens[span[-1] + 1:span[-1] + 7] if t.clause == tokens[span[-1]].clause + 1] \
        if span[-1] + 1 < len(tokens) else []
    if nxt[:1] in (["lighting"], ["lights"], ["lit"]) and {"sky", "heavens"} & set(nxt):
        return "sky", None, False  # "a meteor explodes over the peaks, lighting up the night sky"
    if any(tokens[j].text in ("sky", "heavens") and tokens[j - 1].text not in ("starry", "starlit", "cloudless", "clear")
           and "under" not in [tokens[k].text for k in range(max(0, j - 3), j)] for j in after):
        return "sky", None, False  # "an explosion lights up the sky"; not "sparks fly from the campfire into the sky",
        # nor "a campfire under a starry sky" (the weather)
    lit = next((j for j in after if tokens[j].text in LIGHTS_UP), None)
    if lit is not None:  # "a blast lights up the sea": the flash is where it lights
        lit_thing = thing_named([tokens[j] for j in span if j > lit], index, names)[0]
        if lit_thing in SET.values():
            return lit_thing, None, False
    if beside:
        # "Omar strums his guitar by the campfire while sparks float up": the fire's sparks, not the guitar's
        sentence_words = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
        by_a_fire = m.key in ("sparks", "smoke") and bool(sentence_words & _FIRES_OF_THEIR_OWN)
        prop = None if by_a_fire else struck_prop(tokens, m, index) or _prop_beside(tokens, m, index) \
            or _known_source(tokens, m, index)
        if prop in _ANIMALS and m.key not in ("dust", "splash"):
            prop = None  # "Ben's horse rears as an explosion rocks the pass": an animal kicks up dust, no blast
        if prop:
            return f"prop:{prop}", None, False
        body = body_before(tokens, m, names)
        if body[0]:
            return body[0], body[1], False
    return None


def _known_source(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "As the engine coughs, black smoke rolls out from under the truck": an effect nothing in its
    clause places comes from the one prop of its sentence that is known to give it off."""
    sentence, clause = tokens[m.start].sentence, tokens[m.start].clause
    rest = [t for t in tokens[m.end:] if t.clause == clause]
    if any(t.text in OUT_OF_UNKNOWN for t in rest[:-1]):
        return None  # "smoke creeps out between them": it comes from something the line names otherwise
    sources = set(index.vocab.sources.get(m.key, ()))
    found = {p.key for p in index.props.find([t for t in tokens if t.sentence == sentence])} & sources
    opening = [t for t in tokens[:m.start] if t.clause == clause]
    if m.key == "sparks" and "anvil" in found and len(opening) <= 2:
        return "anvil"  # "Ada hammers at the anvil ... and sparks fly": struck sparks fly off the anvil
    return found.pop() if len(found) == 1 else None


def _prop_beside(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "the candle gutters and a curl of smoke drifts upward", "smoke billows out as the oven door
    swings open": an effect its own clause does not place comes from the one prop the clause just
    before it (else just after it, in the same sentence) names."""
    for offset in (-1, 1):
        words = clause_words(tokens, m, offset)
        # a prop a phrase places something on is where it stands, not what acts: "rattles on the table"
        props = {p.key for p in index.props.find(words)
                 if not (p.start >= 2 and words[p.start - 2].text in RESTS_ON and words[p.start - 1].text == "the")}
        if len(props) == 1 and (m.key != "splash" or props <= set(index.vocab.sources.get("splash", ()))):
            return props.pop()  # (a splash is water's: only a thing that holds or strikes water throws one)
        if words:
            return None
    return None
