"""Prism's action reading: what each character does in a line, from the clauses' verbs.

A small rule-based shallow parser in the manner of the clause-level event extractors of classic
information extraction (FASTUS, Hobbs et al. 1997): the line is cut into clauses (at punctuation and
conjunctions, but not inside a compound subject: "Pip and Mira dance"); in each clause the first
verb of the acting vocabulary (`action_lexicon.py`, with its phrasal verbs) is the main verb, and a
purpose infinitive or participle after it acts too ("runs to hug her", "sits watching the sea").
The subject is the character named (or the pronoun) before the verb: he/she is the last character
named, they/both/everyone are all present characters; a clause without one continues the previous
clause's subject, and a line with none acts its only character. A clause whose subject is a thing
("the crowd cheers", "her heart beats") acts nobody. A negated verb ("does not sit", "never runs",
"refuses to dance") is not acted. The target is the first character, prop or sky/ground the verb
governs directly or through a preposition that points (at, to, toward, into, onto...); give and
throw keep the object in `prop` and the recipient in `target` ("Pip hands Mira the book").
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from talos_assets.agents.direction.action_clauses import (
    DETERMINERS,
    GROUP,
    PLURAL,
    SINGULAR,
    ReadState,
    Tok,
    line_tokens,
    name_index,
)
from talos_assets.agents.direction.action_lexicon import NOT_ACTED, ActionLexicon, VerbMatch, builtin_lexicon
from talos_assets.agents.direction.action_targets import APPROACH, find_target, prop_hits
from talos_assets.agents.direction.vocabulary import vocabulary_index
from talos_assets.agents.direction.worldtext import PhraseIndex
from talos_assets.spec import CharacterAction, WorldVocabulary

POSSESSIVE = {"his", "her", "their"}
NON_CHARACTER = {"it", "i", "we", "you", "nobody", "someone", "somebody", "everything", "something", "one"}
# words that may stand before a verb without being its subject ("then slowly she turns", "begins to dance")
_LEAD = {"then", "now", "also", "still", "again", "together", "both", "all", "suddenly", "soon", "finally", "just",
         "only", "and", "but", "or", "so", "nor", "is", "are", "was", "were", "does", "did", "do", "has", "have",
         "had", "will", "begins", "began", "starts", "started", "tries", "tried", "to", "can", "gets", "got", "at",
         "last", "once", "first", "even", "almost", "each", "abruptly", "instantly", "immediately", "gently",
         "while", "as", "when", "after", "before", "until", "yet", "too", "there", "here", "continues", "goes",
         "keeps", "keep", "begin", "start", "up", "down", "back", "off", "out", "away", "over", "in", "with",
         "joyfully", "alone", "silently", "quietly", "hand", "arm", "in-hand", "who", "been", "being", "be"}
# body parts that act for their owner ("her hands tremble", "Pip's knees shake")
_BODY = {"hand", "hands", "arm", "arms", "leg", "legs", "knee", "knees", "body", "shoulder", "shoulders",
         "finger", "fingers", "feet", "foot", "head", "lips", "voice", "whole", "frame"}
# cues that deny the verb after them; stopping is one too, so "never stops walking" walks
NEGATORS = {"not", "never", "no", "nobody", "stop", "neither", "nor", "without", "instead", "cannot", "refuses",
            "refused", "refuse", "fails", "failed", "fail", "forgets", "forgot", "stops", "stopped", "quits",
            "ceases", "avoids", "avoid", "avoided", "declines", "declined", "hardly", "barely"}
# what a character only wishes, might or should do is not acted ("wants to dance", "could run")
UNREAL = {"want", "wants", "wanted", "wish", "wishes", "wished", "hope", "hopes", "hoped", "would", "could",
          "might", "should", "may", "must", "dreams", "dreamed", "plans", "planned", "longs", "longed", "ought",
          "if", "unless", "whether", "almost", "nearly", "about", "afraid", "ready", "dares", "tempted"}
_PREPS = {"in", "on", "at", "by", "over", "under", "into", "through", "across", "from", "toward", "towards",
          "onto", "inside", "outside", "beside", "near", "along", "within", "upon", "past", "around", "above",
          "below", "beneath", "behind", "off", "against", "beyond", "among", "of", "for", "with", "like"}
_PURPOSE = {"to", "and"}
_BE = {"is", "are", "was", "were", "be", "been", "being", "gets", "got", "get"}
# words that may follow a subjectless verb opening a sentence ("Sits by the fire", "Walks home");
# another word there makes the opening word a noun subject ("Waves crash")
_AFTER_VERB = {"home", "away", "off", "forward", "back", "up", "down", "out", "in", "around", "round", "on",
               "again", "alone", "together", "slowly", "quickly", "to", "toward", "towards", "goodbye", "hello"} | DETERMINERS
# a posture's waiting ("sits and waits") keeps the posture; only a bare "waits" stands
_POSTURES = {"sit", "sit_down", "kneel", "lie_down", "sleep"}
_STILL = {"wait", "linger", "pause", "halt"}
# verb words more often nouns: one is a noun after a determiner two words back or before "of"
_NOUNISH = {"row", "cycle", "bike", "paddle", "sail"}
# a screenplay's parenthetical "(beat)" is a pause, not a blow
_PAUSES = {"beat", "a beat", "pause", "a pause", "beat, then", "long beat"}


def _noun_context(toks: list[Tok], i: int, start: int) -> bool:
    """A verb word used as a noun: after a determiner or a preposition ("the dance", "in the fall",
    "his wave", "Mira's hands", "hand in hand")."""
    if i + 2 < len(toks) and toks[i + 1].text == "in" and toks[i + 2].text in ("hand", "hands", "arm"):
        return True  # "hand in hand", "hammer in hand"
    if i == start:
        return False
    prev = toks[i - 1]
    if prev.text.endswith("'s") and prev.name is not None:
        return True
    return prev.text in DETERMINERS or (prev.text in _PREPS and prev.text != "to")


def _not_a_verb(toks: list[Tok], m: VerbMatch, start: int, end: int) -> bool:
    """A verb word that is a noun or a copula here: after a determiner ("the dance"), "looks tired",
    or a plural noun opening a sentence ("Waves crash")."""
    i = m.start
    if _noun_context(toks, i, start):
        return True
    if m.phrase in _NOUNISH and (
            (m.end < end and toks[m.end].text == "of") or any(t.text in DETERMINERS for t in toks[max(start, i - 2):i])):
        return True  # "a row of lanterns", "a blazing row", "the bike"
    nxt = toks[m.end] if m.end < end else None
    if nxt is None or nxt.text.endswith("ly") or nxt.name is not None:
        return False
    if m.phrase == "look" and nxt.text not in _PREPS | {"up", "down", "out", "away", "back", "round"}:
        return True  # "Pip looks tired": how he looks, not where
    opens = i == start and (i == 0 or toks[i - 1].sentence != toks[i].sentence)
    return opens and toks[i].text.endswith("s") and nxt.text not in _AFTER_VERB | _PREPS


def _verbs(toks: list[Tok], start: int, end: int, lex: ActionLexicon) -> list[VerbMatch]:
    """The clause's acted verbs: the main verb, then purpose infinitives and participles after it."""
    words = [t.text for t in toks]
    out: list[VerbMatch] = []
    i = start
    while i < end:
        if toks[i].name is not None:
            i += toks[i].span
            continue
        m = lex.match_at(words, i, end)
        if m is None or _not_a_verb(toks, m, start, end):
            i += 1
            continue
        secondary = bool(out)
        if secondary and not (words[i - 1] in _PURPOSE or words[i].endswith("ing")):
            i += 1
            continue
        out.append(m)
        i = m.end
    return out


def _who(tok: Tok, state: ReadState, present: list[str]) -> list[str] | None:
    """The characters a name or pronoun stands for; [] for a thing ("it"), None for another word."""
    if tok.name is not None:
        return [tok.name] if tok.name in present else []
    if tok.text in SINGULAR or tok.text in POSSESSIVE - {"their"}:
        return [state.last_named] if state.last_named in present else present[:1]
    if tok.text in PLURAL or tok.text in GROUP or tok.text == "their":
        return list(present)
    if tok.text in NON_CHARACTER:
        return []
    return None


def _subject(toks: list[Tok], start: int, verb: int, state: ReadState, present: list[str]) -> list[str] | None:
    """The characters doing the verb at `verb`: named before it in its clause; [] when a thing is
    the subject; the running subject (or the only character) when the clause names none; None when
    nothing says who."""
    found: list[str] = []
    thing = False
    j = start
    while j < verb:
        t = toks[j]
        prev = toks[j - 1].text if j > start else ""
        who = _who(t, state, present)
        # "with Talos striding behind": the name before a participle does it
        after_prep = prev in _PREPS and not (prev == "with" and j + t.span == verb)
        if who is not None and not after_prep:
            if t.text in POSSESSIVE and not (j + 1 < verb and toks[j + 1].text in _BODY):
                thing = True  # "her lantern swings": the lantern does it
            elif t.name is not None and t.text.endswith("'s") and not (j + 1 < verb and toks[j + 1].text in _BODY):
                thing = True
            else:
                found += [c for c in who if c not in found]
                thing = thing or not who
        elif who is None and not after_prep and t.text not in _LEAD and not t.text.endswith("ly") \
                and t.text not in _BODY and t.text not in DETERMINERS and t.text not in _PREPS:
            thing = True
        j += t.span if t.name is not None else 1
    if found:
        return found
    if thing:
        return []
    if state.subject is not None:
        return state.subject
    return list(present) if len(present) == 1 else None


def _negated(toks: list[Tok], start: int, verb: int, state: ReadState) -> bool:
    """A cue between the clause start and the verb denies it; two cues cancel ("never stops walking",
    "can't stop laughing"); a wish or a possibility is never acted."""
    words = [t.text for t in toks[start:verb]]
    if state.negated and words[:1] in (["or"], ["nor"]):
        return True
    if any(w in UNREAL for w in words):
        return True
    cues = sum(w in NEGATORS or w.endswith("n't") for w in words)
    return cues % 2 == 1


def _note_names(toks: list[Tok], start: int, end: int, state: ReadState, present: list[str]) -> None:
    for t in toks[start:end]:
        if t.name is not None and t.name in present:
            state.last_named = t.name


def _clause_actions(toks: list[Tok], start: int, end: int, state: ReadState, present: list[str],
                    props: dict[int, str], lex: ActionLexicon) -> list[CharacterAction]:
    out: list[CharacterAction] = []
    verbs = _verbs(toks, start, end, lex)
    if not verbs:
        who = _subject(toks, start, end, state, present) if any(
            t.name is not None or t.text in SINGULAR | PLURAL for t in toks[start:end]) else None
        if who:
            state.subject = who
        _note_names(toks, start, end, state, present)
        return out
    subject = _subject(toks, start, verbs[0].start, state, present)
    after = verbs[0].end
    if verbs[0].start == start and verbs[0].action == "talk" and after < end and toks[after].name in present:
        subject = [toks[after].name]  # "'Run!' shouts Pip": the speaker follows the verb
    negated = _negated(toks, start, verbs[0].start, state)
    state.negated = negated
    _note_names(toks, start, verbs[0].start, state, present)
    state.subject = subject
    if subject and not negated:
        per_verb = []
        for k, verb in enumerate(verbs):
            limit = verbs[k + 1].start if k + 1 < len(verbs) else end
            if k and _negated(toks, verbs[k - 1].end, verb.start, ReadState()):
                continue
            if _passive(toks, verb, start):
                per_verb.append(_by_agent(toks, verb, limit, subject, state, present, props))
            elif verb.action != NOT_ACTED:
                acts = find_target(toks, verb, limit, subject, state, present, props)
                per_verb.append(_keep_posture(acts, verb, state))
        _watched(per_verb, toks, end, present)
        out = [a for acts in _approach_targets(per_verb) for a in acts]
    _note_names(toks, verbs[0].start, end, state, present)
    return out


def _passive(toks: list[Tok], verb: VerbMatch, start: int) -> bool:
    """ "Mira is lifted by Talos", "Pip is told to sit": the subject undergoes the act ("is seated" sits)."""
    word = toks[verb.start].text
    return (verb.start > start and toks[verb.start - 1].text in _BE and not word.endswith("ing")
            and verb.action not in ("sit", "sit_down") and word != verb.phrase.split()[0])


def _by_agent(toks: list[Tok], verb: VerbMatch, limit: int, subject: list[str], state: ReadState,
              present: list[str], props: dict[int, str]) -> list[CharacterAction]:
    """A passive act done by the character after "by", to the clause's subject; none without one."""
    for j in range(verb.end, limit - 1):
        agent = toks[j + 1].name
        if toks[j].text == "by" and agent in present and agent not in subject:
            acts = find_target(toks, verb, j, [agent], state, present, props)
            if len(subject) == 1:
                for a in acts:
                    a.target, a.target_kind = subject[0], "character"
            return acts
    return []


def _keep_posture(acts: list[CharacterAction], verb: VerbMatch, state: ReadState) -> list[CharacterAction]:
    """A seated or lying character who waits keeps the posture ("sits on the steps and waits")."""
    kept = [a for a in acts if not (verb.phrase in _STILL and state.posture.get(a.character) in _POSTURES)]
    for a in kept:
        if a.action in _POSTURES or a.action in ("stand", "stand_up", "walk", "run"):
            state.posture[a.character] = a.action
    return kept


def _watched(per_verb: list[list[CharacterAction]], toks: list[Tok], end: int, present: list[str]) -> None:
    """Watching with no object looks at whom the next clause is about ("Talos watches as Pip climbs")."""
    if not per_verb or end + 1 >= len(toks) or toks[end].text not in ("as", "while"):
        return
    who = toks[end + 1].name
    for a in per_verb[-1]:
        if a.action == "look_at" and a.target is None and who in present and who != a.character:
            a.target, a.target_kind = who, "character"


def _approach_targets(per_verb: list[list[CharacterAction]]) -> list[list[CharacterAction]]:
    """A move with no target of its own goes to whom the next act is done ("runs to hug Mira")."""
    for acts, nxt in zip(per_verb, per_verb[1:]):
        for a, b in zip(acts, nxt):
            if a.action in APPROACH and a.target is None and b.target_kind == "character":
                a.target, a.target_kind = b.target, b.target_kind
    return per_verb


@lru_cache(maxsize=32)
def _extra_props(props: tuple[str, ...]) -> PhraseIndex:
    return PhraseIndex([(p, p) for p in props] + [(p.replace("-", " ").replace("_", " "), p) for p in props])


def _props_named(toks: list[Tok], props: Iterable[str], vocabulary: WorldVocabulary | None) -> dict[int, str]:
    """Position -> prop id: the vocabulary's prop words first, then the extra ids by themselves."""
    hits = prop_hits(toks, _extra_props(tuple(props)))
    hits.update(prop_hits(toks, vocabulary_index(vocabulary).props))
    return hits


def read_actions(text: str, characters: list[str], *, props: Iterable[str] = (),
                 aliases: dict[str, str] | None = None,
                 vocabulary: WorldVocabulary | None = None) -> list[CharacterAction]:
    """The actions a line gives its characters, in clause order (one or more per character).

    `characters` are the characters present (their names as the line may use them, any case);
    `props` are extra prop ids the line may name by their id; `aliases` maps other lowercase words
    naming a character ("the robot", "captain") to its name; `vocabulary` is the studio's world
    vocabulary whose prop words name props (None = the built-in world_words.yaml). Names in the
    result are spelt as in `characters`."""
    if text.strip(" ().").lower() in _PAUSES:
        return []
    present = list(dict.fromkeys(characters))
    canon = {c.lower(): c for c in present}
    toks, sentences = line_tokens(text, name_index(present, aliases))
    for t in toks:
        if t.name is not None:
            t.name = canon.get(t.name.lower(), t.name)
    lex, hits = builtin_lexicon(), _props_named(toks, props, vocabulary)
    state = ReadState()
    out: list[CharacterAction] = []
    k = 0
    while k < len(toks):
        end = k
        while end < len(toks) and toks[end].clause == toks[k].clause:
            end += 1
        if sentences[k] != state.subject_sentence and state.subject == []:
            state.subject = None  # a thing's subject lasts for its own sentence only
        state.subject_sentence = sentences[k]
        out += _clause_actions(toks, k, end, state, present, hits, lex)
        k = end
    seen: set[tuple] = set()
    unique = []
    for a in out:
        key = (a.character, a.action, a.target, a.prop)
        if key not in seen:
            seen.add(key)
            unique.append(a)
    return unique
