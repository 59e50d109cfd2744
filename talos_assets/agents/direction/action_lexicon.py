"""Prism's acting vocabulary: the verb phrases of `talos_assets/data/action_words.yaml`, a small
lemmatiser for their inflections, and the matcher that finds the longest phrase at a verb.

The lemmatiser is the classic suffix-stripping one checked against a closed word list (as in
WordNet's morphy): a word's candidate base forms (walks -> walk, dancing -> dance, running -> run,
carried -> carry, plus an irregular table: ran, sat, lay, fell, threw...) are tried in turn and the
first one the vocabulary knows wins, so no word outside the acting vocabulary is ever "lemmatised"
wrongly. A phrase's later words (particles, body parts) match their plural forms too, and up to
three other words may stand between them ("picks the old key up", "shakes Mira's hand").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from talos_assets.spec import ACTIONS

NOT_ACTED = "none"  # the yaml's key for phrases that are no action
ACTION_WORDS = Path(__file__).resolve().parents[2] / "data" / "action_words.yaml"

IRREGULAR: dict[str, str] = {
    "ran": "run", "sat": "sit", "lay": "lie", "lain": "lie", "lying": "lie", "fell": "fall", "fallen": "fall",
    "stood": "stand", "knelt": "kneel", "slept": "sleep", "threw": "throw", "thrown": "throw", "gave": "give",
    "given": "give", "held": "hold", "struck": "strike", "took": "take", "taken": "take", "got": "get",
    "gotten": "get", "shook": "shake", "shaken": "shake", "fought": "fight", "crept": "creep", "swung": "swing",
    "flung": "fling", "wept": "weep", "leapt": "leap", "leaped": "leap", "sprang": "spring", "sprung": "spring",
    "rose": "rise", "risen": "rise", "clung": "cling", "spun": "spin", "strode": "stride", "went": "go",
    "gone": "go", "came": "come", "saw": "see", "seen": "see", "said": "say", "told": "tell", "spoke": "speak",
    "spoken": "speak", "sang": "sing", "sung": "sing", "caught": "catch", "drew": "draw", "bore": "bear",
    "borne": "bear", "beat": "beat", "beaten": "beat", "hit": "hit", "put": "put", "cast": "cast",
    "stole": "steal", "stolen": "steal", "slid": "slide", "hid": "hide", "sank": "sink", "sunk": "sink",
    "dove": "dive", "rode": "ride", "ridden": "ride", "drove": "drive", "driven": "drive", "brought": "bring", "felt": "feel", "made": "make", "led": "lead", "left": "leave",
    "sought": "seek", "swam": "swim", "stuck": "stick", "wound": "wind", "slung": "sling", "bent": "bend",
    "laid": "lay", "feet": "foot", "teeth": "tooth", "eyes": "eye", "knees": "knee", "arms": "arm",
    "hands": "hand", "shoulders": "shoulder", "tears": "tear", "swords": "sword", "palms": "palm",
    "himself": "self", "herself": "self", "themselves": "self", "myself": "self", "yourself": "self",
}
# "lay" is both the past of lie and a verb of its own; the vocabulary lists "lay down"/"lay back" as phrases.


def base_forms(word: str) -> list[str]:
    """A word's candidate base forms, most likely first (the word itself first)."""
    w = word[:-2] if word.endswith("'s") else word
    out = [w]
    if w in IRREGULAR:
        out.append(IRREGULAR[w])
    if w.endswith("ies") and len(w) > 4:
        out.append(w[:-3] + "y")
    if w.endswith("es"):
        out.append(w[:-2])
    if w.endswith("s") and not w.endswith("ss"):
        out.append(w[:-1])
    if w.endswith("ied") and len(w) > 4:
        out.append(w[:-3] + "y")
    if w.endswith("ed"):
        out += [w[:-2], w[:-1]]
        if len(w) > 4 and w[-3] == w[-4]:
            out.append(w[:-3])  # stopped -> stop
    if w.endswith("ing") and len(w) > 4:
        stem = w[:-3]
        out += [stem, stem + "e"]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            out.append(stem[:-1])  # running -> run
        if stem.endswith("y"):
            out.append(stem[:-1] + "ie")  # lying -> lie
    return out


@dataclass(frozen=True)
class Phrase:
    action: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class VerbMatch:
    """An action phrase found at tokens[start]; `used` are the token positions its words took."""

    action: str
    phrase: str
    start: int
    used: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.used[-1] + 1


# words that may not stand inside a phrase's gap: a preposition or particle there belongs to another
# phrase ("looks over at": only "look over at" may take "over")
GAP_STOPS = {"at", "to", "toward", "towards", "into", "onto", "on", "upon", "up", "down", "out", "off", "away",
             "back", "over", "around", "round", "in", "from", "with", "by", "for", "through", "across", "and",
             "but", "not", "never"}
MAX_GAP = 3


class ActionLexicon:
    """The action phrases indexed by their verb's base form, longest first."""

    def __init__(self, table: dict[str, list[str]]):
        unknown = sorted(set(table) - set(ACTIONS) - {NOT_ACTED})
        if unknown:
            raise ValueError(f"{ACTION_WORDS.name}: actions {unknown} are not action ids; use one of {list(ACTIONS)}")
        self.by_verb: dict[str, list[Phrase]] = {}
        for action, phrases in table.items():
            for text in phrases:
                words = tuple(str(text).lower().split())
                self.by_verb.setdefault(words[0], []).append(Phrase(action, words))
        for lst in self.by_verb.values():
            lst.sort(key=lambda p: -len(p.words))

    def verb_lemma(self, word: str) -> str | None:
        """The base form of `word` if it is a verb of the vocabulary."""
        for form in base_forms(word):
            if form in self.by_verb:
                return form
        return None

    def match_at(self, words: list[str], i: int, limit: int) -> VerbMatch | None:
        """The longest phrase whose verb is words[i] (its other words found before `limit`)."""
        best: VerbMatch | None = None
        for lemma in dict.fromkeys(f for f in base_forms(words[i]) if f in self.by_verb):
            for phrase in self.by_verb[lemma]:  # "lay" is lay (down) or the past of lie: each base form
                used = _follow(words, i, limit, phrase.words[1:])
                if used is not None and (best is None or len(used) + 1 > len(best.used)):
                    best = VerbMatch(phrase.action, " ".join(phrase.words), i, (i, *used))
                    break
        return best


def _word_is(token: str, word: str) -> bool:
    return word in base_forms(token) or token in (word + "s", word + "es")


def _follow(words: list[str], i: int, limit: int, rest: tuple[str, ...]) -> tuple[int, ...] | None:
    """Positions of `rest` after i, each within MAX_GAP words of the last, none skipping a stop word."""
    used: list[int] = []
    pos = i
    for word in rest:
        found = None
        for j in range(pos + 1, min(limit, pos + 2 + MAX_GAP)):
            if _word_is(words[j], word):
                found = j
                break
            if words[j] in GAP_STOPS:
                break
        if found is None:
            return None
        used.append(found)
        pos = found
    return tuple(used)


@lru_cache(maxsize=1)
def builtin_lexicon() -> ActionLexicon:
    """The built-in acting vocabulary (action_words.yaml)."""
    return ActionLexicon(yaml.safe_load(ACTION_WORDS.read_text())["actions"])
