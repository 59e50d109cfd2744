"""Prism's action reading, first step: a line as lowercase word tokens in clauses, with the
characters' names found in it (any case, several words, possessive forms), and the state that
carries from clause to clause (the last character named, the running subject).

Clauses end at punctuation and at conjunctions ("and", "but", "then", "as"...), except inside a
compound subject ("Pip, Mira and Ada dance") and where "after"/"before"/"until" is a preposition
("hurries after Pip").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from talos_assets.agents.direction.worldtext import PhraseIndex, Token

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[.,;:!?()\"]")
_CLAUSE_CONJ = {"and", "but", "or", "nor", "then", "while", "as", "before", "after", "when", "until", "so",
                "because", "yet", "once", "whereas", "though", "although", "till"}
_PREP_CONJ = {"after", "before", "until", "till"}
SINGULAR = {"he", "she"}
PLURAL = {"they", "both", "everyone", "everybody", "together", "all"}
# a group named by a common noun is everyone present ("the three friends sit together")
GROUP = {"friends", "pair", "couple", "trio", "companions", "children", "kids", "everybody", "group", "travellers",
         "travelers", "partners", "siblings", "twins", "lovers", "strangers"}
DETERMINERS = {"a", "an", "the", "his", "her", "their", "its", "my", "your", "our", "this", "that", "these",
                "those", "both", "two", "some", "every", "each", "one", "another", "first", "last", "no", "any"}


@dataclass
class Tok:
    text: str
    clause: int
    name: str | None = None  # the character this word names (first word of a name only)
    span: int = 1  # words the name takes
    sentence: int = 0


@dataclass
class ReadState:
    """What earlier clauses left: the last character named, the running subject, negated 'or'."""

    last_named: str | None = None
    subject: list[str] | None = None
    subject_sentence: int = -1
    negated: bool = False
    posture: dict[str, str] = field(default_factory=dict)  # character -> the last sit/kneel/lie action


def split_clauses(words: list[str], names: dict[int, tuple[str, int]]) -> tuple[list[Tok], list[int]]:
    """Tokens with clause ids (a break at punctuation or a conjunction, but not between two names or
    pronouns of a compound subject) and each token's sentence number."""
    toks: list[Tok] = []
    sentences: list[int] = []
    clause = sentence = 0
    subjectish = SINGULAR | PLURAL | {"i", "we", "you"}

    def nameish(k: int) -> bool:
        return 0 <= k < len(words) and (k in names or words[k] in subjectish)

    for k, w in enumerate(words):
        if w in ".;:!?()\"":
            clause += 1
            sentence += w in ".!?"
            continue
        if w == ",":
            prev = k - 1
            if not (nameish(prev) and (nameish(k + 1) or (k + 1 < len(words) and words[k + 1] == "and"))):
                clause += 1
            continue
        compound = w in ("and", "or") and nameish(k - 1) and nameish(k + 1)
        # "hurries after Pip", "before the fire": a preposition here, not a new clause
        prepositional = w in _PREP_CONJ and k + 1 < len(words) and (
            words[k + 1] in DETERMINERS | {"him", "them"} or (k + 1 in names and words[k + 1] not in SINGULAR))
        if w in _CLAUSE_CONJ and toks and not compound and not prepositional:
            clause += 1
        hit = names.get(k)
        toks.append(Tok(w, clause, hit[0] if hit else None, hit[1] if hit else 1, sentence))
        sentences.append(sentence)
    return toks, sentences


def name_index(characters: list[str], aliases: dict[str, str] | None) -> PhraseIndex:
    entries = [(c.lower(), c) for c in characters]
    canon = {c.lower(): c for c in characters}
    for word, who in (aliases or {}).items():
        entries.append((word.lower(), canon.get(who.lower(), who)))
    return PhraseIndex(entries)


# words inside quotes are spoken, not done ("'Come here,' Mira says": Mira does not walk)
_QUOTED = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]")


def line_tokens(text: str, names: PhraseIndex) -> tuple[list[Tok], list[int]]:
    """The line's tokens in clauses (quoted speech left out) and each token's sentence number."""
    text = _QUOTED.sub(" , ", text)
    words = _TOKEN_RE.findall(text.lower().replace("\u2019", "'").replace("\u2014", ","))
    plain = [Token(w, 0, 0) for w in words]
    found = {m.start: (m.key, m.end - m.start) for m in names.find(plain)}
    return split_clauses(words, found)
