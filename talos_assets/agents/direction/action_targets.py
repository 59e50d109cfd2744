"""Prism's action targets: whom or what a verb of `action_text.py` is done to.

After the verb, the reader walks its clause: a noun phrase right after the verb (its direct object)
or after a preposition that points ("at", "to", "toward", "into", "onto", "for"...) may be the
target; one after a preposition that only places the act ("from", "behind", "past", "around"...)
may not. The first character, prop or sky/ground mention found is the target; a possessive name
before a prop gives the prop ("looks at Mira's kite"). Give and throw keep the object apart
("Pip hands Mira the book": target mira, prop book); pick up, hold and carry reach for the prop
itself (target and prop). Looking at the sky or the moon is gazing up. Two subjects doing a
reciprocal act ("they hug", "dance together", "look at each other") have each other as target.
"""

from __future__ import annotations

from dataclasses import replace

from talos_assets.agents.direction.action_clauses import ReadState, Tok
from talos_assets.agents.direction.action_lexicon import VerbMatch
from talos_assets.agents.direction.props_text import HOLDABLE
from talos_assets.agents.direction.worldtext import OWNERS, PhraseIndex, Token
from talos_assets.spec import CharacterAction

TARGET_PREPS = {"at", "to", "toward", "towards", "into", "onto", "on", "upon", "over", "up", "for", "after",
                "against", "down"}
BLOCK_PREPS = {"from", "behind", "past", "through", "across", "around", "round", "by", "near", "beside",
               "along", "off", "away", "above", "below", "beneath", "beyond", "among", "inside", "outside",
               "without", "like", "than", "next", "under", "while", "except", "about", "in", "out", "as", "between"}
# actions whose partner may follow "with" ("dances with Mira"; but "strikes it with a hammer")
WITH_ACTIONS = {"dance", "fight", "shake_hands", "talk", "hug", "laugh"}
# moves toward someone that may take their target from the act they go to do ("runs to hug Mira")
APPROACH = {"walk", "run", "sneak", "jump", "turn", "reach"}
# where a body rests is its target ("sits in the chair", "sleeps in the bed")
IN_ACTIONS = {"sit", "sit_down", "lie_down", "sleep", "climb", "jump", "ride"}  # "drives off in the old car"
# what a ride rides: its target is one of these or nothing ("rides off into the sunset")
VEHICLES = ("bicycle", "boat", "ship", "car", "horse")
# animals that go along with whoever walks them ("walks her dog", "leads his horse")
COMPANIONS = ("dog", "cat", "horse")
RECIPROCAL = {"hug", "shake_hands", "fight", "talk"}
# taking hold of a person is holding them; lifting one is picking them up
_LIFTS = {"lift", "pick up", "pick", "scoop up", "take up", "pick out"}
TOGETHER = RECIPROCAL | {"dance", "talk", "look_at"}
TRANSFER = {"give", "throw"}
HANDLED = {"pick_up", "hold", "carry", "pull", "push"}
SKY = {"sky", "skies", "stars", "star", "heavens", "heaven", "sun", "clouds", "cloud", "sunset", "sunrise",
       "skyward", "moonlight", "starlight", "birds", "constellations", "comet"}
GROUND = {"ground", "floor", "earth", "dirt", "mud", "dust", "pavement"}
_ENDS = {"and", "but", "or"}
# the actor's own body, as the object of a strike or a hold: "strikes his chest", "holds her head"
OWN_BODY_ACTIONS = {"strike", "hold"}
_OWN_BODY = {"chest": "chest", "heart": "chest", "breast": "chest", "torso": "chest", "ribs": "chest",
             "head": "head", "face": "head", "forehead": "head", "brow": "head", "temples": "head", "hair": "head",
             "belly": "spine", "stomach": "spine", "side": "spine", "waist": "spine"}


def own_body_part(toks: list[Tok], verb: VerbMatch, limit: int, subject: list[str]) -> str | None:
    """The joint of the actor's own body part right after the verb ("strikes his bronze chest", "holds
    her head in her hands"): an owner word (a possessive pronoun or the subject's name), at most two
    describing words, then the body word."""
    clause = toks[verb.start].clause
    words = [t.text for t in toks[verb.end:min(limit, verb.end + 5)] if t.clause == clause]
    if not words or not (words[0] in OWNERS or any(words[0] == f"{c}'s" for c in subject)):
        return None
    for w in words[1:4]:
        if w in _OWN_BODY:
            return _OWN_BODY[w]
    return None


def prop_hits(toks: list[Tok], props: PhraseIndex) -> dict[int, str]:
    """Token position -> prop id for every prop the line names."""
    return {m.start: m.key for m in props.find([Token(t.text, t.clause, 0) for t in toks])}


def _others(subject: list[str], present: list[str], state: ReadState) -> list[str]:
    others = [c for c in present if c not in subject]
    if state.last_named in others:
        others.remove(state.last_named)
        others.insert(0, state.last_named)
    return others


def _mentions(toks: list[Tok], verb: VerbMatch, limit: int, subject: list[str], state: ReadState,
              present: list[str], props: dict[int, str]) -> tuple[list[tuple[str, str]], bool]:
    """(target, kind) mentions the verb governs, in order, and whether the clause says 'each other'."""
    used = set(verb.used)
    hits = {k: v for k, v in props.items() if k not in used}
    allowed, out, mutual = True, [], False
    j = verb.start + 1
    while j < limit:
        t = toks[j]
        nxt = toks[j + 1].text if j + 1 < limit else ""
        if j in used:
            j += 1
            continue
        if t.text in ("each", "one") and nxt in ("other", "another"):
            mutual, j = True, j + 2
            continue
        if t.text == "together":
            mutual = True
        if t.text == "of":
            pass  # "out of the house", "catch sight of Mira": the mode before it holds
        elif t.text == "with":
            allowed = verb.action in WITH_ACTIONS
        elif t.text == "behind":
            allowed = verb.action == "sneak"  # "sneaks up behind Pip": Pip is whom it creeps up on
        elif t.text == "in":
            allowed = verb.action in IN_ACTIONS
        elif t.text in TARGET_PREPS:
            allowed = True
        elif t.text in BLOCK_PREPS:
            allowed = False
        elif allowed:
            mention = _mention(toks, j, limit, hits, subject, state, present)
            if mention is not None:
                out.append(mention)
        j += t.span if t.name is not None else 1
    return out, mutual


def _mention(toks: list[Tok], j: int, limit: int, hits: dict[int, str], subject: list[str], state: ReadState,
             present: list[str]) -> tuple[str, str] | None:
    """The character, prop or place named at toks[j], if any."""
    t = toks[j]
    nxt = j + t.span
    if t.name is not None:
        if t.name not in present or subject == [t.name]:
            return None
        if t.text.endswith("'s") and nxt in hits:
            return None  # "Mira's kite": the kite is the target
        return t.name, "character"
    if t.text in ("him", "her", "them"):
        if t.text == "her" and nxt < limit and toks[nxt].text not in _ENDS and nxt not in _after_object(toks, nxt):
            return None  # a possessive "her": the noun after it is the mention
        others = _others(subject, present, state)
        if t.text == "them" and len(others) != 1:
            return None
        return (others[0], "character") if others else None
    if j in hits:
        return hits[j], "prop"
    if t.text == "it":  # "picks up the key and hands it to Omar": the last prop named before
        before = [k for k in hits if k < j]
        return (hits[max(before)], "prop") if before else None
    if t.text in SKY:
        return "sky", "place"
    if t.text in GROUND:
        return "ground", "place"
    return None


_TOWARD = {"to", "toward", "towards"}


def _destination(toks: list[Tok], verb: VerbMatch, limit: int, props: dict[int, str], subject: list[str],
                 state: ReadState, present: list[str]) -> str | None:
    """Where a ride goes: the character or the (non-vehicle) prop right after "to"/"toward" in its clause
    ("rides her bike to the fence", "rows toward Mira"); None when it names none there (a place, the sunset)."""
    hits = {k: v for k, v in props.items() if v not in VEHICLES}
    for j in range(verb.start + 1, limit):
        if toks[j].text not in _TOWARD:
            continue
        for k in range(j + 1, min(limit, j + 5)):
            mention = _mention(toks, k, limit, hits, subject, state, present)
            if mention is not None and mention[1] in ("character", "prop"):
                return mention[0]
        return None
    return None


def _after_object(toks: list[Tok], k: int) -> set[int]:
    """{k} when toks[k] is a word that may follow an object pronoun (a preposition or adverb)."""
    w = toks[k].text
    return {k} if w in TARGET_PREPS | BLOCK_PREPS | {"with", "again", "tight", "tightly", "close", "back", "goodbye",
                                                     "hello", "gently", "warmly", "too", "once", "twice", "then",
                                                     "the", "a", "an"} or w.endswith("ly") else set()


def _pick(action: str, mentions: list[tuple[str, str]]) -> tuple[tuple[str, str] | None, str | None]:
    """(target, prop) from the verb's mentions."""
    chars = [m for m in mentions if m[1] == "character"]
    objs = [m for m in mentions if m[1] == "prop"]
    if action == "ride":
        return next((m for m in objs if m[0] in VEHICLES), None), None
    if action in TRANSFER:
        prop = objs[0][0] if objs else None
        elsewhere = [m for m in mentions if m[1] == "place" or (m[1] == "prop" and m[0] != prop)]
        target = chars[0] if chars else (elsewhere[0] if elsewhere else None)
        return target, prop
    if action in HANDLED and objs:
        if chars and mentions.index(chars[0]) < mentions.index(objs[0]) and action != "carry":
            return chars[0], None
        return objs[0], objs[0][0] if action in ("pick_up", "hold", "carry") else None
    return (mentions[0] if mentions else None), None


def find_target(toks: list[Tok], verb: VerbMatch, limit: int, subject: list[str], state: ReadState,
                present: list[str], props: dict[int, str]) -> list[CharacterAction]:
    """One action per subject character for `verb`, with its target and object."""
    mentions, mutual = _mentions(toks, verb, limit, subject, state, present, props)
    if verb.action == "run" and verb.phrase == "gallop" and "horse" in props.values():
        verb = replace(verb, action="ride")  # "gallops across the meadow on his pony"; with no horse, a run
    target, prop = _pick(verb.action, mentions)
    if verb.action in ("walk", "run") and target is not None and target[0] in COMPANIONS \
            and not {"to", "toward", "towards"} & {t.text for t in toks[verb.start + 1:verb.start + 5]}:
        target = None  # "walks her dog along the beach": the dog goes along, it is not where she walks to
    if verb.action == "ride" and target is None:
        # "gets on her bike and rides to the market": the one vehicle the line names
        named = list(dict.fromkeys(v for v in props.values() if v in VEHICLES))
        target = (named[0], "prop") if len(named) == 1 else None
    toward = _destination(toks, verb, limit, props, subject, state, present) if verb.action == "ride" else None
    action = verb.action
    if action == "look_at" and target is not None and target[0] in ("sky", "moon"):
        action = "gaze_up"
    if action == "pick_up" and target is not None and target[1] == "character" and verb.phrase not in _LIFTS:
        action = "hold"
    if action == "hug" and target is not None and target[0] in COMPANIONS:
        action = "reach"  # "hugs his dog": the arms go out and down to the animal, no partner to meet
    if action in ("hug", "turn") and target is not None and target[0] in HOLDABLE:
        action, prop = "hold", target[0]  # "holds the lantern close", "turns the letter over in his fingers"
    body = own_body_part(toks, verb, limit, subject) if action in OWN_BODY_ACTIONS and target is None else None
    out = []
    for c in subject:
        tgt = target
        others = [o for o in subject if o != c]
        if tgt is None and len(subject) == 2 and (action in RECIPROCAL or (mutual and action in TOGETHER)):
            tgt = (others[0], "character")
        elif tgt is None and len(subject) == 1 and action in ("hug", "shake_hands"):
            rest = _others(subject, present, state)
            tgt = (rest[0], "character") if len(rest) == 1 else None
        if tgt is not None and tgt[0] == c:
            if len(subject) > 1:
                continue  # "everyone looks at Omar": Omar is looked at, he does not look
            tgt = None
        out.append(CharacterAction(character=c, action=action, target=tgt[0] if tgt else None,
                                   target_kind=tgt[1] if tgt else None, prop=prop, body_part=body,
                                   toward=toward if toward != c else None))
    return out
