"""Prism's emotion reading: a line of text -> valence, arousal, dominance and a named emotion.

Valence/arousal sit on Russell's circumplex (Russell 1980); a third axis, dominance, from Mehrabian's
PAD model separates fear (low dominance) from anger (high dominance), which lie close on the plane.
Words are looked up in the affective lexicon (`lexicon.py`) after light lemmatisation, and the rules
follow VADER (Hutto & Gilbert 2014): negation within three words flips valence (scaled) and passes a
named emotion to its opposite, intensifiers/dampeners scale a word's distance from neutral,
contrastive "but" weights the clause after it more, exclamation raises arousal, all-caps words in
mixed-case text are emphasised, and a few idioms ("give up", "out of nowhere") are read as phrases.
The named emotion is the category with the most lexicon evidence; ties and evidence-free lines go to
the nearest circumplex prototype.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from talos_assets.agents.direction.lexicon import (
    AFFECT_LEXICON,
    CESSATION,
    CLAUSE_BREAKS,
    EMOTION_DOMINANCE,
    INTENSIFIERS,
    NEGATED,
    NEGATED_PHRASE,
    NEGATIONS,
    PHRASES,
    lemma,
    word_forms,
)
from talos_assets.spec import EMOTION_VA, Emotion

_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[!?,;:]")


def _match_phrase(phrase: tuple[str, ...], forms: list[list[str]], i: int) -> range | None:
    """Token span of `phrase` starting at i; '*' matches any one word, and a two-word phrase may have
    one word between its parts ("gave it up")."""
    def eq(p: str, k: int) -> bool:
        return k < len(forms) and (p == "*" or p in forms[k])

    if all(eq(p, i + k) for k, p in enumerate(phrase)):
        return range(i, i + len(phrase))
    if len(phrase) == 2 and eq(phrase[0], i) and eq(phrase[1], i + 2):
        return range(i, i + 3)
    return None


@dataclass
class Affect:
    """A line's affect: circumplex coordinates, dominance, the named emotion and its evidence."""

    valence: float
    arousal: float
    dominance: float
    emotion: Emotion
    votes: dict[Emotion, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)

    @property
    def neutral(self) -> bool:
        return not self.matched


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(lower-case token, shouted) pairs; 'shouted' = all caps in a text that is not all caps."""
    raw = _TOKEN_RE.findall(text)
    letters = [t for t in raw if t[0].isalpha()]
    mostly_caps = letters and sum(t.isupper() for t in letters) > 0.6 * len(letters)
    out = []
    for t in raw:
        out.append((t.lower(), bool(not mostly_caps and len(t) > 2 and t.isupper())))
    # two-word dampeners read as one token
    joined: list[tuple[str, bool]] = []
    i = 0
    while i < len(out):
        if i + 1 < len(out) and (out[i][0], out[i + 1][0]) in (("a", "bit"), ("kind", "of"), ("sort", "of")):
            joined.append(("a_bit" if out[i][0] == "a" else "kind_of", False))
            i += 2
            continue
        joined.append(out[i])
        i += 1
    return joined


def _is_negation(w: str) -> bool:
    return w in NEGATIONS or w.endswith("n't")


def analyze_affect(text: str) -> Affect:
    """Valence/arousal/dominance in [-1, 1] and the named emotion of a line of text."""
    toks = _tokens(text)
    words = [w for w, _ in toks]
    lemmas = [(lemma(w) if w[0].isalpha() else None) for w in words]
    # "but" rule (VADER): the clause after a contrast carries the sentiment more than the one before
    contrast = next((i for i, w in enumerate(words) if w in ("but", "yet", "however")), None)
    items: list[tuple[Emotion | None, float, tuple[float, float, float], int, bool]] = []  # ..., position, phrase
    used: set[int] = set()
    forms = [word_forms(w) for w in words]
    for phrase, emo, weight in PHRASES:
        for i in range(len(words)):
            span = _match_phrase(phrase, forms, i)
            if span is None or used.intersection(span):
                continue
            used.update(span)
            v, a = EMOTION_VA[emo]
            items.append((emo, weight, (v, a, EMOTION_DOMINANCE[emo]), i, True))
    for i, lm in enumerate(lemmas):
        if lm is None or i in used:
            continue
        emo, weight, vad = AFFECT_LEXICON[lm]
        items.append((emo, weight, vad, i, False))
    votes: dict[Emotion, float] = {}
    vals: list[tuple[float, float, float, float]] = []  # v, a, d, weight
    for emo, weight, (v, a, d), i, phrase in sorted(items, key=lambda x: x[3]):
        scale, negated, ceased = 1.0, False, False
        for j in range(i - 1, max(-1, i - 4), -1):  # the three words before, stopping at a clause break
            w = words[j]
            if w in CLAUSE_BREAKS:
                break
            scale *= INTENSIFIERS.get(w, 1.0)
            negated = negated or _is_negation(w)
            ceased = ceased or any(f in CESSATION for f in word_forms(w))
        if negated and ceased:
            # "couldn't stop grinning", "can't help smiling": a negated stop is a double negative
            negated, scale = False, scale * 1.3
        if toks[i][1]:  # shouted word
            scale *= 1.3
        clause_w = 1.0 if contrast is None else (0.5 if i < contrast else 1.5)
        if negated:
            # VADER scales a negated word's valence by -0.74; a negated state also loses most of its arousal
            v, a, d = -0.74 * v, 0.4 * a - 0.2, -0.5 * d
        targets: tuple[Emotion, ...] = ()
        if emo is not None:
            targets = ((NEGATED_PHRASE.get(emo, NEGATED[emo]) if phrase else NEGATED[emo]) if negated else (emo,))
            if negated:
                weight *= 0.8
        strength = min(2.0, scale)
        for t in targets:
            votes[t] = votes.get(t, 0.0) + weight * strength * clause_w / len(targets)
        vals.append((v * strength, a * strength, d * strength, clause_w))
    if "?" in words and "!" in words:  # "?!" is astonishment, even with no affect word
        votes[Emotion.surprise] = votes.get(Emotion.surprise, 0.0) + 0.5
        v, a = EMOTION_VA[Emotion.surprise]
        vals.append((v, a, EMOTION_DOMINANCE[Emotion.surprise], 0.5))
    if not vals:
        return Affect(0.0, 0.0, 0.0, Emotion.calm)
    tw = sum(w for *_, w in vals)
    v = sum(x[0] * x[3] for x in vals) / tw
    a = sum(x[1] * x[3] for x in vals) / tw
    d = sum(x[2] * x[3] for x in vals) / tw
    bangs = words.count("!")
    if bangs:
        a += 0.15 * min(bangs, 3)
    clip = lambda x: max(-1.0, min(1.0, x))  # noqa: E731
    v, a, d = clip(v), clip(a), clip(d)
    emotion = _name_from_votes(votes, v, a, d)
    matched = [words[x[3]] for x in items] + (["?!"] if "?" in words and "!" in words else [])
    return Affect(v, a, d, emotion, votes, matched)


def _vad_distance(e: Emotion, v: float, a: float, d: float) -> float:
    ev, ea = EMOTION_VA[e]
    return math.sqrt((ev - v) ** 2 + (ea - a) ** 2 + 0.5 * (EMOTION_DOMINANCE[e] - d) ** 2)


def _name_from_votes(votes: dict[Emotion, float], v: float, a: float, d: float) -> Emotion:
    positive = {e: s for e, s in votes.items() if s > 0}
    if not positive:
        return min(EMOTION_VA, key=lambda e: _vad_distance(e, v, a, d))
    # category evidence decides; the circumplex position breaks near-ties (0.25 of a distance unit
    # equals a quarter of a core word's vote)
    return max(positive, key=lambda e: positive[e] - 0.25 * _vad_distance(e, v, a, d))


def estimate_affect(text: str) -> tuple[float, float]:
    """Valence/arousal of a line of text in [-1, 1]; (0, 0) when no affect word is found."""
    aff = analyze_affect(text)
    return aff.valence, aff.arousal


def classify_emotion(text: str) -> Emotion:
    """The named emotion of a line (calm for a line with no affect at all)."""
    return analyze_affect(text).emotion


def name_emotion(valence: float, arousal: float) -> Emotion:
    """Nearest named emotion on the valence/arousal plane."""
    return min(EMOTION_VA, key=lambda e: (EMOTION_VA[e][0] - valence) ** 2 + (EMOTION_VA[e][1] - arousal) ** 2)
