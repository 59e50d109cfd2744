"""Prism's world-reading toolkit: story text as tokens in clauses, vocabulary phrases found in them
(plural forms included), and the negation and ending cues around a phrase.

A small rule-based reader in the manner of NegEx (Chapman et al. 2001): a term is negated when a
negation cue ("no", "not", "never", "without", "n't") stands a few tokens before it in the same
clause with no preposition between them ("there was no fire", "without a lantern", "not yet
night"; but "no boats in the harbour" still places the line in the harbour), and a state has ended
when an ending verb follows it ("the rain had stopped", "the fog lifted"). Clauses end at
punctuation and at conjunctions ("but", "and", "as", "while"), so a contrast ("not rain but snow")
keeps its second half. Phrases are matched longest first and never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[.,;:!?()\"]")
_PUNCT = set(".,;:!?()\"")
_CONJUNCTIONS = {"but", "and", "as", "while", "whereas", "though", "although", "until", "when", "then", "so",
                 "because", "after", "before", "since", "where"}
NEGATORS = {"no", "not", "never", "without", "nor", "none", "neither", "lacking", "lacks", "nothing", "nobody"}
# tokens that may stand between a negation cue and its term ("no more rain", "not a single cloud")
_NEG_FILLERS = {"ever", "would", "could", "will", "start", "kindle", "make", "thread", "wisp", "curl",  # "nobody would ever light a fire"
                "a", "an", "the", "any", "more", "longer", "yet", "single", "sign", "trace", "of", "his", "her",
                "their", "its", "my", "your", "our", "even", "one", "real", "lit", "light", "see", "seen", "find",
                "found", "have", "has", "had", "need", "needs", "carry", "carries", "carried", "bring", "brings",
                "there", "was", "were", "is", "are", "be", "been", "only", "breath", "drop", "flake", "puff",
                "hint", "wisp", "speck", "bit"}  # "not a breath of wind", "not a drop of rain"
# words that say whose a thing is ("his chest", "her lantern")
# prop words that are also a verb's past ("the steam rose up"): a verb when a particle follows
VERB_HOMOGRAPHS = frozenset({"rose"})
# the particles a verb of motion takes: "tears stream down", "Ada storms out"
MOTION_PARTICLES = frozenset({"down", "up", "out", "from", "through", "across", "over", "past", "into", "onto", "along",
                              "off", "away", "in", "back", "toward", "towards", "inside", "outside"})
RISING_PARTICLES = frozenset({"up", "from", "into", "above", "over", "out", "high", "slowly", "off", "around", "in"})
OWNERS = frozenset({"his", "her", "their", "its", "my", "your", "our"})
PREPOSITIONS = {"in", "on", "at", "by", "over", "under", "into", "through", "across", "from", "to", "toward",
                "towards", "onto", "inside", "outside", "beside", "near", "along", "within", "upon", "past",
                "around", "above", "below", "beneath", "behind", "off", "against", "beyond", "among"}
_ENDINGS = {"stopped", "stops", "stop", "ceased", "ceases", "ended", "ends", "passed", "passes", "cleared",
            "clears", "lifted", "lifts", "died", "dies", "die", "fizzles", "fizzled", "fizzle", "faded", "fades", "melted", "melts", "eased", "eases",
            "subsided", "subsides", "gone", "over", "out", "vanished", "vanishes", "dropped", "drops", "finished",
            "extinguished", "doused", "smothered", "cooled", "dead"}
_ENDING_SKIP = {"had", "has", "have", "was", "is", "finally", "already", "just", "now", "long", "since", "slowly",
                "at", "last", "all", "went", "goes", "go", "blew", "blows", "died", "dies", "burnt", "burned", "been", "put",
                "were", "are", "rolls", "rolled", "drifts", "drifted", "moves", "moved", "sweeps", "swept", "rumbles",
                "rumbled"}


@dataclass(frozen=True)
class Token:
    text: str
    clause: int
    sentence: int


@dataclass(frozen=True)
class Match:
    """A vocabulary phrase found in the tokens: tokens[start:end] name `key`."""

    key: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Lowercase word tokens with the clause and sentence each belongs to (punctuation dropped)."""
    out: list[Token] = []
    clause = sentence = 0
    for raw in _TOKEN_RE.findall(text.lower().replace("\u2019", "'").replace("\u2014", ",")):
        if raw in _PUNCT:
            clause += 1
            sentence += raw in ".!?"
            continue
        if raw in _CONJUNCTIONS and out and not (raw == "since" and out[-1].text == "long"):
            clause += 1  # ("had long since died": an adverb, not a new clause)
        out.append(Token(raw, clause, sentence))
    return out


def word_forms(word: str) -> set[str]:
    """A word and its plural and possessive forms (lantern -> lanterns, bench -> benches, library -> libraries)."""
    forms = {word, word + "s", word + "es", word + "'s", word + "s'"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    if word.endswith("f"):
        forms.add(word[:-1] + "ves")
    if word.endswith("fe"):
        forms.add(word[:-2] + "ves")
    return forms


class PhraseIndex:
    """Phrases (tuples of words, the last one in any plural form) -> their key, matched longest first."""

    def __init__(self, entries: Iterable[tuple[str, str]]):
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, key in entries:
            words = tuple(t.text for t in tokenize(phrase))
            if not words:
                continue
            lasts = word_forms(words[-1])
            variants = {words[:-1] + (w,) for w in lasts}
            for v in variants:
                self._by_first.setdefault(v[0], []).append((v, key))
        for lst in self._by_first.values():
            lst.sort(key=lambda e: -len(e[0]))

    def find(self, tokens: list[Token], taken: set[int] | None = None) -> list[Match]:
        """Non-overlapping matches, longest first, then leftmost; tokens in `taken` are skipped."""
        cands: list[Match] = []
        words = [t.text for t in tokens]
        for i, w in enumerate(words):
            for phrase, key in self._by_first.get(w, ()):
                n = len(phrase)
                if tuple(words[i:i + n]) == phrase and all(tokens[i + k].clause == tokens[i].clause for k in range(n)):
                    cands.append(Match(key, i, i + n))
        cands.sort(key=lambda m: (-(m.end - m.start), m.start))
        used = set(taken or ())
        out = []
        for m in cands:
            span = set(range(m.start, m.end))
            if span & used:
                continue
            used |= span
            out.append(m)
        return sorted(out, key=lambda m: m.start)


def name_of(word: str, names: dict[str, str]) -> str | None:
    """The character a word names, itself or as a possessive ("mira", "mira's", "the twins'")."""
    return names.get(word[:-2] if word.endswith("'s") else word.rstrip("'"))


def negated(tokens: list[Token], start: int, window: int = 5, terms: set[int] = frozenset()) -> bool:
    """A negation cue a few tokens before `start` in its clause, with only fillers between (one
    adjective may stand next to the term: "no cold wind"); `terms` are positions of other terms,
    which take the cue themselves ("no wind tonight" leaves the night)."""
    clause = tokens[start].clause
    if _nobody_makes(tokens, start):
        return True
    for j in range(start - 1, max(-1, start - 1 - window), -1):
        t = tokens[j]
        if t.clause != clause or j in terms:
            return False
        if t.text in NEGATORS or t.text.endswith("n't"):
            return True
        if t.text in PREPOSITIONS and j == start - 1 and j and tokens[j - 1].text in ("not", "never"):
            return True  # "not at dusk but at noon"
        if t.text not in _NEG_FILLERS and (t.text in PREPOSITIONS or j < start - 1):
            return False
    return False


_MAKING = {"light", "lit", "lights", "start", "started", "build", "built", "kindle", "kindled", "make", "made", "set"}


def _nobody_makes(tokens: list[Token], start: int) -> bool:
    """ "Nobody on this island would ever light a fire near the vents": a clause whose subject is nobody,
    making the term."""
    clause = [t.text for t in tokens[:start] if t.clause == tokens[start].clause]
    subject = clause[:1] == ["nobody"] or clause[:2] == ["no", "one"]
    return subject and bool(_MAKING & set(clause[-3:]))


_MOVES_OFF = {"rolls", "rolled", "moves", "moved", "passes", "passed", "blows", "blew", "sweeps",
              "swept", "rumbles", "rumbled"}
_TRANSITIVE_ENDINGS = {"lifts", "lifted", "clears", "cleared", "drops", "dropped"}
_PUT_OUT = {"put", "went", "burned", "burnt", "blown", "blew", "goes", "gone", "stamped", "snuffed"}
_BURNS_OFF = {"burned", "burnt", "burns", "burn", "burning"}
# effects that rise: "lifts" is their motion, not their end
_RISERS = {"steam", "smoke", "dust", "vapour", "vapor", "spray", "sparks", "embers", "ash", "ink"}
_AUXILIARIES = {"had", "has", "have", "did", "does", "do", "was", "is", "were", "are", "would", "will", "could"}


def negated_after(tokens: list[Token], end: int) -> bool:
    """A negated verb right after the term ("snow had not fallen"), unless it denies an ending
    ("the rain did not stop" still rains)."""
    clause = tokens[end - 1].clause
    rest = [t.text for t in tokens[end:end + 4] if t.clause == clause]
    while rest and rest[0] in _AUXILIARIES:
        rest = rest[1:]
    if not rest or not (rest[0] in ("not", "never") or rest[0].endswith("n't")):
        return False
    return len(rest) < 2 or rest[1] not in _ENDINGS | {"stop", "end", "cease", "clear", "lift", "die", "fade"}


def ended(tokens: list[Token], end: int, window: int = 4) -> bool:
    """An ending verb just after the term in its clause ("the rain had stopped", "the fire went out")."""
    if end >= len(tokens):
        return False
    term = tokens[end - 1].text
    clause = tokens[end - 1].clause
    if tokens[end].text in PREPOSITIONS | {"of"}:  # "the fire in the barn had been put out": past the phrase
        stop = next((j for j in range(end + 1, min(len(tokens), end + 6))
                     if tokens[j].text in _AUXILIARIES | _PUT_OUT or tokens[j].clause != clause), None)
        if stop is None or tokens[stop].clause != clause:
            return False
        end = stop
    for j in range(end, min(len(tokens), end + window)):
        t = tokens[j]
        if t.clause != clause:
            return False
        if t.text in _TRANSITIVE_ENDINGS and j + 1 < len(tokens) and tokens[j + 1].clause == clause \
                and tokens[j + 1].text not in PREPOSITIONS and not tokens[j + 1].text.endswith("ly"):
            return False  # "the wind lifts dust": a verb with its object, not the wind ending
        if t.text == "away" and tokens[j - 1].text in _MOVES_OFF:
            return True  # "once the thunderstorm rolls away east"
        if t.text in ("worn", "wore", "wears", "washed") and j + 1 < len(tokens) and tokens[j + 1].text in ("off", "away"):
            return True  # "the magic had worn off", "the ink had long since washed away"
        nxt = tokens[j + 1].text if j + 1 < len(tokens) and tokens[j + 1].clause == clause else ""
        if t.text in _BURNS_OFF and nxt == "off":
            return True  # "the fog has burned off the lake"
        if t.text == "settled" and {"had", "has", "have"} & {x.text for x in tokens[max(0, j - 3):j]} \
                and term in ("dust", "smoke", "ash", "ashes"):
            return True  # "the dust had settled" ("the dust settles slowly" is still in the air)
        if t.text in _BURNS_OFF and nxt == "down" and tokens[j - 1].text in ("had", "has", "have"):
            return True  # "the bonfire had burned down": what is left is its smoke
        after = [x.text for x in tokens[j + 1:j + 3] if x.clause == clause]
        if t.text in ("blown", "blew", "blows") and (after == ["over"] or after == ["itself", "out"]):
            return True  # "the storm has blown over", "the blizzard has blown itself out" (not "blows over the hills")
        if t.text in ("lifts", "lifted", "lift") and tokens[end - 1].text in _RISERS:
            return False  # "steam lifts off the cobbles": rising, not ending as fog lifts
        if t.text in _ENDINGS:
            # "the storm is over" / "the fire went out", but not "fire over the village"
            return t.text not in ("over", "out") or j + 1 >= len(tokens) or tokens[j + 1].clause != clause \
                or tokens[j - 1].text in _PUT_OUT \
                or (t.text == "out" and tokens[j - 1].text in ("was", "is", "were", "are") and tokens[j + 1].text != "of")
            # "had been put out hours before", "the fire was out by morning" (not "out of control")
        if t.text not in _ENDING_SKIP:
            return False
    return False


def preceding(tokens: list[Token], start: int, window: int = 3) -> list[str]:
    """The words before `start` in its clause, nearest first."""
    clause = tokens[start].clause
    return [tokens[j].text for j in range(start - 1, max(-1, start - 1 - window), -1) if tokens[j].clause == clause]
