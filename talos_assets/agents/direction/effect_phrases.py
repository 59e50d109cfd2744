"""The phrases Prism's effect anchoring reads around an effect word: a clause's subject and the clause
before it, the prop "it" stands for, a body part someone's own word names near the effect (on the
verb's object, on a thing carried on the body, in the clause before), "up" or "down" along someone,
whether a phrase names the set, and dry stuff named before a word. Pure token helpers for `effect_anchors.py`.
"""

from __future__ import annotations

from talos_assets.agents.direction.effect_words import AIRBORNE_DRY, ANCHOR_PREPS, BODY, PARTICLE_VERBS, sided_joint
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import (
    OWNERS,
    RISING_PARTICLES,
    VERB_HOMOGRAPHS,
    Match,
    Token,
    name_of,
)


def up_along(tokens: list[Token], j: int, names: dict[str, str]) -> bool:
    """ "flames run up Omar's left arm", "sparks dance down her back": up or down along someone."""
    nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
    return tokens[j].text in ("up", "down") and (nxt in OWNERS or (nxt.endswith("'s") and bool(name_of(nxt, names))))


def carried_by_body(tokens: list[Token], j: int, after: list[Token], names: dict[str, str]
                     ) -> tuple[str | None, str | None, bool]:
    """ "from the pipe in Omar's mouth", "from the dent in his bronze chest": an unknown thing on a body
    part is at that body part."""
    k = next((k for k, t in enumerate(after) if t.text in ("in", "on") and k >= 2), None)
    if k is None or any(t.text in ANCHOR_PREPS for t in after[:k]):
        return None, None, False
    rest = [t for t in tokens[j + 1 + k + 1:j + 1 + k + 6] if t.clause == tokens[j].clause]
    owner = None
    for n, t in enumerate(rest):
        if t.text.endswith("'s") and name_of(t.text, names):
            owner = name_of(t.text, names)
        elif t.text in BODY and BODY[t.text] != "ground" and (owner or any(r.text in OWNERS for r in rest[:n])):
            return BODY[t.text], owner, False
        elif t.text not in OWNERS and n >= 2:
            break
    return None, None, False


# where a thing rests or is put ("on the table", "into the river"), not where something is aimed ("sings to the moon")
_DETERMINERS = ("the", "a", "an", "his", "her", "their", "its")
_CAMERA_ON = {"close", "focus", "push", "pan", "zoom", "hold", "tight"}  # "CLOSE ON the candle": the shot's subject
_RESTING = {"on", "upon", "in", "inside", "under", "beneath", "beside", "by", "near", "over", "against", "onto", "into",
            "at", "behind", "below", "above", "within", "among"}


# the prop animals and what only an animal has: "its hooves" is the horse's, not the fence's it passes
ANIMALS = {"horse", "dog", "cat", "bird"}
ANIMAL_PARTS = {"hooves", "hoofs", "hoof", "mane", "tail", "fur", "coat", "nostrils", "muzzle", "snout", "paws", "paw",
                "wings", "wing", "feathers", "whiskers", "hide", "flanks", "breath", "nose", "back", "beak"}


def antecedent(tokens: list[Token], at: int, index: VocabularyIndex) -> str | None:
    """The prop "it" or "its" at `at` stands for: the last one named before it in the sentence that
    is not where something rests ("holds the letter over the candle until it catches fire": the letter;
    "the teapot sits on the table ... its spout": not the table)."""
    sentence = tokens[at].sentence
    own = _antecedent_in(tokens, at, index, sentence)
    # "Pip holds up a torch. Fire leaps from its tip.": the sentence before, when this one names none
    if own is None and not any(tokens[p.start].sentence == sentence for p in index.props.find(tokens[:at])):
        return _antecedent_in(tokens, at, index, sentence - 1)
    return own


def _antecedent_in(tokens: list[Token], at: int, index: VocabularyIndex, sentence: int) -> str | None:
    named = [p for p in index.props.find(tokens[:at]) if tokens[p.start].sentence == sentence
             and not (tokens[p.start].text in VERB_HOMOGRAPHS and p.end < len(tokens)
                      and tokens[p.end].text in RISING_PARTICLES)]  # "steam rose off it": no flower
    def rests(k: int) -> bool:  # "on the table" (a place), not "switches on the lamp" (a verb's particle)
        if tokens[k].text == "to" and k and tokens[k - 1].text == "up":
            return True  # "holds a bottle up to the lamp": what it is held up to
        return tokens[k].text in _RESTING and not (k and tokens[k - 1].text in PARTICLE_VERBS | _CAMERA_ON)

    acting = [p for p in named if not (p.start >= 1 and rests(p.start - 1))
              and not (p.start >= 2 and (tokens[p.start - 1].text in _DETERMINERS
                                         or tokens[p.start - 1].text.endswith("'s"))  # "over Pip's bed"
                       and rests(p.start - 2))
              and not (p.start >= 3 and tokens[p.start - 2].text in _DETERMINERS and rests(p.start - 3))]  # "on the lab table"
    if any(t.text == "its" and u.text in ANIMAL_PARTS for t, u in zip(tokens[at:at + 2], tokens[at + 1:at + 3])):
        animals = [p for p in named if p.key in ANIMALS]
        if animals:
            return animals[-1].key  # "a horse gallops alongside the fence, dust rising from its hooves": the horse's
    if acting:
        return acting[-1].key
    # with nothing else named, a container something is in is what "it" stands for: "fire crackles in an
    # old barrel, and smoke rises from it", "pours hot milk into a mug, and steam rises from it" (not a
    # table a teapot stands on)
    inside = len(named) == 1 and any(tokens[k].text in ("in", "inside", "within", "into")
                                     for k in range(max(0, named[0].start - 3), named[0].start))
    return named[0].key if inside else None


def clause_subject(tokens: list[Token], span: list[int], verb: int) -> list[Token]:
    """The words before the verb at `verb` in its clause; when the clause opens on the verb ("...
    sputters and bursts into flames"), the clause before it up to its first preposition."""
    subject = [tokens[j] for j in span if j < verb and tokens[j].text not in ("and", "then")]
    return subject or clause_before(tokens, verb)


def clause_before(tokens: list[Token], verb: int) -> list[Token]:
    """The clause before the one of `verb`, in its sentence, up to its first preposition."""
    sentence, clause = tokens[verb].sentence, tokens[verb].clause
    earlier = [t.clause for t in tokens if t.sentence == sentence and t.clause < clause]
    before = [t for t in tokens if earlier and t.clause == max(earlier) and t.sentence == sentence]
    return before[:next((k for k, t in enumerate(before) if t.text in ANCHOR_PREPS), len(before))]


def body_struck(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[str | None, str | None, bool]:
    """ "sparks bite Ben's right hand": the effect's verb lands on someone's body part right after it."""
    if m.end >= len(tokens) or tokens[m.end].text in ANCHOR_PREPS:
        return None, None, False  # "glows in Lena's hands" is a phrase, not a verb's object
    words = [t for t in tokens[m.end + 1:m.end + 5] if t.clause == tokens[m.start].clause]
    if not words or not (words[0].text in OWNERS or (words[0].text.endswith("'s") and name_of(words[0].text, names))):
        return None, None, False
    owner = name_of(words[0].text, names) if words[0].text.endswith("'s") else None
    for k, t in enumerate(words[1:3], start=1):
        if t.text in BODY and BODY[t.text] != "ground":
            joint = BODY[t.text]
            if joint.startswith("r_") and words[k - 1].text == "left":
                joint = "l_" + joint[2:]
            return joint, owner, False
    return None, None, False


_COMES_OUT = {"out", "forth", "escapes", "escaped", "escaping", "leaks", "leaked", "leaking", "vents", "vented"}
# a gesture of a hand that makes what follows it: "snaps her fingers and a swirl of magic lights up the carriage"
_GESTURES = {"snaps", "snapped", "flicks", "flicked", "claps", "clapped", "waves", "waved", "shakes", "shook", "stamps",
             "stamped", "stomps", "stomped", "swishes", "swished", "rubs", "rubbed", "twirls", "twirled", "raises",
             "raised", "lifts", "lifted", "points", "pointed", "thrusts", "thrust"}


def body_before(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[str | None, str | None]:
    """ "as he opens his great bronze chest, a golden glow pours out": the one body part someone's own
    word names in the clause just before, when that clause names no prop."""
    words = clause_words(tokens, m, -1)
    gesture = bool(words) and any(t.text in _GESTURES for t in words[:3])  # "she snaps her fingers and ..."
    if not {t.text for t in clause_words(tokens, m, 0)} & _COMES_OUT and not gesture:
        return None, None  # it must come out of something ("pours out") or follow a gesture, not just appear
    parts = {(sided_joint(t.text, words[k - 1].text if k else "") or BODY[t.text], k) for k, t in enumerate(words)
             if t.text in BODY and BODY[t.text] != "ground"
             and k and (words[k - 1].text in OWNERS or any(w.text in OWNERS or name_of(w.text, names)
                                                             for w in words[max(0, k - 4):k]))}
    if len({p for p, _ in parts}) != 1:
        return None, None
    k = min(k for _, k in parts)
    owner = next((name_of(w.text, names) for w in words[max(0, k - 4):k] if w.text.endswith("'s")), None)
    return parts.pop()[0], owner


_STRIKES = {"hits", "hit", "kicks", "kicked", "strikes", "struck", "smashes", "smashed", "bangs", "banged", "slams",
            "slammed", "knocks", "knocked", "whacks", "whacked", "thumps", "thumped", "bumps", "bumped", "twists",
            "twisted", "uncorks", "uncorked", "shakes", "shook", "pries", "pried", "rams", "rammed"}


def struck_prop(tokens: list[Token], m: Match, index: VocabularyIndex) -> str | None:
    """ "Ben hits the car with a hammer and sparks fly everywhere": the prop a blow in the clause just
    before lands on (within three words of the verb) is where the effect bursts from."""
    words = clause_words(tokens, m, -1) or [t for t in tokens if t.sentence == tokens[m.start].sentence - 1]
    for k, t in enumerate(words):
        if t.text in _STRIKES:
            hit = index.props.find(words[k + 1:k + 5])
            if hit and hit[0].start <= 2:
                return hit[0].key
            tool = next((j for j in range(k + 1, min(k + 6, len(words))) if words[j].text == "with"), None)
            held = index.props.find(words[tool + 1:tool + 4]) if tool is not None else []
            if held and held[0].start <= 1:
                return held[0].key  # "strikes the gear with his hammer. Sparks fly": where the hammer lands
    return None


def clause_words(tokens: list[Token], m: Match, offset: int) -> list[Token]:
    """The words of the clause `offset` clauses from the effect's, in its sentence ([] when none)."""
    sentence = tokens[m.start].sentence
    clauses = sorted({t.clause for t in tokens if t.sentence == sentence})
    i = clauses.index(tokens[m.start].clause) + offset
    return [t for t in tokens if t.sentence == sentence and t.clause == clauses[i]] if 0 <= i < len(clauses) else []


def names_the_set(tokens: list[Token], j: int, index: VocabularyIndex) -> bool:
    """The phrase at preposition j names the set or the air ("in the cold air", "across the workshop")."""
    phrase = [t for t in tokens[j + 1:j + 5] if t.clause == tokens[j].clause]
    return bool(index.places.find(phrase)) or any(t.text in ("air", "room", "dark", "darkness", "night") for t in phrase)


def after_dry_stuff(tokens: list[Token], j: int) -> bool:
    """Sand, flour or ash named earlier in the sentence of token j: "throw flour at each other and white clouds
    fill the air" (the clouds are the flour's)."""
    return any(t.text in AIRBORNE_DRY and t.sentence == tokens[j].sentence for t in tokens[:j])


def fogs(tokens: list[Token], m: Match) -> bool:
    """The effect's verb fogs or mists something, within five words ("steam from the pot fogs the window")."""
    return any(t.text.startswith(("fog", "mist")) and t.clause == tokens[m.start].clause for t in tokens[m.end:m.end + 5])
