"""Prism's world vocabulary: the set and prop ids it can recognise in text and the words naming them.

The built-in words live in `talos_assets/data/world_words.yaml` (one file for the 32 built-in sets
and 44 props); the studio may merge the words of its users' own set and prop files into a
`WorldVocabulary` and pass it to `direct_film`. Each id also names itself (dashes read as spaces).
An explicit id a story names that is not in the vocabulary gets one sentence with the nearest ids.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import yaml

from talos_assets.agents.direction.worldtext import PhraseIndex
from talos_assets.spec import WorldVocabulary

WORLD_WORDS = Path(__file__).resolve().parents[2] / "data" / "world_words.yaml"


@lru_cache(maxsize=1)
def builtin_vocabulary() -> WorldVocabulary:
    """The built-in sets and props with their words (world_words.yaml)."""
    return WorldVocabulary.model_validate(yaml.safe_load(WORLD_WORDS.read_text()))


def _entries(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    out = []
    for key, words in table.items():
        out.append((key.replace("-", " "), key))
        out += [(w, key) for w in words]
    return out


class VocabularyIndex:
    """A vocabulary's phrase indexes for places and props (built once per vocabulary)."""

    def __init__(self, vocab: WorldVocabulary):
        self.vocab = vocab
        self.places = PhraseIndex(_entries(vocab.places))
        self.props = PhraseIndex(_entries(vocab.props))
        self.interiors = set(vocab.interiors)
        self._place_words = {w: k for w, k in _entries(vocab.places)}
        self._prop_words = {w: k for w, k in _entries(vocab.props)}

    def nearest_place(self, word: str, cutoff: float = 0.85) -> str | None:
        """The set whose word is spelt most like `word` (a heading's unknown place), or None."""
        hit = difflib.get_close_matches(word, list(self._place_words), n=1, cutoff=cutoff)
        return self._place_words[hit[0]] if hit else None

    def nearest_ids(self, value: str, kind: str, n: int = 3) -> list[str]:
        """The ids (places or props) nearest to a mistyped id, by id and by word."""
        words = self._place_words if kind == "place" else self._prop_words
        hits = difflib.get_close_matches(value.replace("-", " "), list(words), n=8, cutoff=0.4)
        ids = list(dict.fromkeys(words[h] for h in hits))[:n]
        return ids or sorted(self.vocab.places if kind == "place" else self.vocab.props)[:n]


_INDEXES: dict[int, tuple[WorldVocabulary, VocabularyIndex]] = {}


def vocabulary_index(vocab: WorldVocabulary | None = None) -> VocabularyIndex:
    """The index of `vocab` (None = the built-in vocabulary), cached while the vocabulary lives."""
    vocab = vocab or builtin_vocabulary()
    hit = _INDEXES.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        hit = (vocab, VocabularyIndex(vocab))
        _INDEXES[id(vocab)] = hit
    return hit[1]


def check_explicit_ids(shot_id: str, place: str | None, props: list[str], index: VocabularyIndex) -> None:
    """An explicit place or prop id the vocabulary lacks: one sentence naming the field and the nearest ids."""
    if place is not None and place not in index.vocab.places:
        near = ", ".join(index.nearest_ids(place, "place"))
        raise ValueError(f"shot '{shot_id}': place '{place}' is not a set of this studio; the nearest are {near} "
                         "(use `talos sets` to list them)")
    for prop in props:
        if prop not in index.vocab.props:
            near = ", ".join(index.nearest_ids(prop, "prop"))
            raise ValueError(f"shot '{shot_id}': prop '{prop}' is not a prop of this studio; the nearest are {near} "
                             "(use `talos props` to list them)")
