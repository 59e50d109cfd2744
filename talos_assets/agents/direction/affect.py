"""Prism's emotion reading: a line of text -> valence, arousal, dominance and a named emotion.

Valence/arousal sit on Russell's circumplex (Russell 1980); a third axis, dominance, from Mehrabian's
PAD model separates fear (low dominance) from anger (high dominance), which lie close on the plane.
The evidence comes from four places: Prism's affective lexicon (`lexicon.py`, which names the
emotion), idioms and speech acts (`emotion_cues.py`: a reproach reads as anger, a plea as fear),
and VADER's 7,500-word valence lexicon (`emotion_vader.py`) for words Prism does not know. The rules
follow VADER (Hutto & Gilbert 2014): negation within three words flips valence (scaled) and passes a
named emotion to its opposite ("nobody" as a clause's subject negates the whole clause), intensifiers
and dampeners scale a word's distance from neutral, contrastive "but" weights the clause after it
more, exclamation marks, question marks and ALL-CAPS words raise arousal and a trailing "..." lowers
it. The named emotion is the category with the most evidence; a valence-only word votes for joy or
calm when positive and for sadness, or at high arousal anger (aimed at "you") or fear, when negative.
A line with no evidence at all is `neutral` (the caller's default; `emotion_context.py` gives it the
scene's mood instead).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from talos_assets.agents.direction.emotion_cues import speech_acts
from talos_assets.agents.direction.emotion_vader import vader_compound, vader_vad, vader_valence
from talos_assets.agents.direction.emotion_model import mixed_emotion
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

_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\.\.\.|\u2026|[!?,;:]")
_CLAUSE_NEGATORS = {"nobody", "noone"}  # "Nobody came to her party": the whole clause is negated
_SECOND_PERSON = {"you", "your", "yours", "yourself"}
# short words a speaker shouts ("MY invention", "NOW!"); other capitalised words must be affect words
# to count, so a screenplay's capitalised character introductions ("PIP drags a crate") are not shouting
_SHOUTABLE = {"my", "me", "you", "now", "no", "not", "never", "stop", "get", "out", "go", "all", "this", "that",
              "what", "why", "how", "who", "mine", "yours", "ever", "again", "here", "there", "done", "enough"}


@dataclass
class Affect:
    """A line's affect: circumplex coordinates, dominance, the named emotion and its evidence.

    `source` says where the emotion came from: "text" (the line's own words or punctuation),
    "context" (the scene's mood and the previous beat) or "default" (nothing: the caller's default).
    `evidence` is the total vote behind the emotion (a core word counts 1)."""

    valence: float
    arousal: float
    dominance: float
    emotion: Emotion
    votes: dict[Emotion, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)
    source: str = "text"
    evidence: float = 0.0

    @property
    def neutral(self) -> bool:
        return self.source == "default"


@dataclass
class _Item:
    """One piece of evidence: its emotion (None = valence only), vote weight, (v, a, d), token position
    (-1 = the whole line) and kind (word, phrase, act, vader)."""

    emotion: Emotion | None
    weight: float
    vad: tuple[float, float, float]
    pos: int
    kind: str
    label: str


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(lower-case token, shouted) pairs; 'shouted' = all caps in a text that is not all caps."""
    raw = _TOKEN_RE.findall(text.replace("\u2019", "'"))
    letters = [t for t in raw if t[0].isalpha()]
    mostly_caps = letters and sum(t.isupper() for t in letters) > 0.6 * len(letters)
    out = [(t.lower() if t != "\u2026" else "...", bool(not mostly_caps and len(t) > 1 and t.isupper() and _shoutable(t)))
           for t in raw]
    # two-word dampeners and "no one" read as one token
    joined: list[tuple[str, bool]] = []
    i = 0
    while i < len(out):
        pair = (out[i][0], out[i + 1][0]) if i + 1 < len(out) else None
        if pair in (("a", "bit"), ("kind", "of"), ("sort", "of"), ("no", "one")):
            joined.append(({"a": "a_bit", "no": "noone"}.get(pair[0], "kind_of"), False))
            i += 2
            continue
        joined.append(out[i])
        i += 1
    return joined


def _shoutable(token: str) -> bool:
    w = token.lower()
    return w in _SHOUTABLE or lemma(w) is not None or any(f in vader_valence() for f in word_forms(w))


def _is_negation(w: str) -> bool:
    return w in NEGATIONS or w.endswith("n't")


def _evidence(text: str, words: list[str]) -> list[_Item]:
    """Phrases, speech acts, lexicon words and VADER words of a line, in that priority."""
    items: list[_Item] = []
    used: set[int] = set()
    forms = [word_forms(w) for w in words]
    for phrase, emo, weight in PHRASES:
        for i in range(len(words)):
            span = _match_phrase(phrase, forms, i)
            if span is None or used.intersection(span):
                continue
            used.update(span)
            v, a = EMOTION_VA[emo]
            items.append(_Item(emo, weight, (v, a, EMOTION_DOMINANCE[emo]), i, "phrase", " ".join(phrase)))
    for emo, weight, label in speech_acts(text):
        v, a = EMOTION_VA[emo]
        items.append(_Item(emo, weight, (v, a, EMOTION_DOMINANCE[emo]), -1, "act", label))
    vader = vader_valence()
    for i, w in enumerate(words):
        if i in used or not w[0].isalpha():
            continue
        lm = lemma(w)
        if lm == "still" and not _motionless(words, i):
            continue  # "the man is still behind her": an adverb of time, not stillness
        if lm is not None:
            emo, weight, vad = AFFECT_LEXICON[lm]
            weight = weight if emo is not None else 0.5 * abs(vad[0])  # a mood word: valence-only evidence
            items.append(_Item(emo, weight, vad, i, "word", w))
            continue
        v = next((vader[f] for f in word_forms(w) if f in vader), None)
        if v is not None:
            items.append(_Item(None, 0.5 * abs(v), vader_vad(v), i, "vader", w))
    return items


_POSTURES = {"stand", "stands", "stood", "sit", "sits", "sat", "lie", "lies", "lay", "stay", "stays", "stayed", "keep",
             "keeps", "kept", "hold", "holds", "held", "hang", "hangs", "hung", "perfectly", "very", "so", "completely",
             "quite", "grow", "grows", "grew", "fall", "falls", "fell", "go", "goes", "went", "the", "a"}


def _motionless(words: list[str], i: int) -> bool:
    """ "still" as stillness ("she stands still", "the still water", "the house is still."), not as
    "even now" ("is still behind her", "still makes too much soup")."""
    nxt = words[i + 1] if i + 1 < len(words) else "."
    return not nxt[0].isalpha() or (i > 0 and words[i - 1] in _POSTURES)


def _match_phrase(phrase: tuple[str, ...], forms: list[list[str]], i: int) -> range | None:
    """Token span of `phrase` starting at i; '*' matches any one word, and a two-word phrase may have
    one or two words between its parts ("gave it up", "let her worries go")."""
    def eq(p: str, k: int) -> bool:
        return k < len(forms) and (p == "*" or p in forms[k])

    if all(eq(p, i + k) for k, p in enumerate(phrase)):
        return range(i, i + len(phrase))
    if len(phrase) == 2 and eq(phrase[0], i):
        for gap in (1, 2):
            if eq(phrase[1], i + 1 + gap) and all(forms[k][0][0].isalpha() for k in range(i + 1, i + 1 + gap)):
                return range(i, i + 2 + gap)
    return None


def _modifiers(words: list[str], shouted: list[bool], i: int, pleasant: bool) -> tuple[float, bool]:
    """(intensity scale, negated) of the evidence at token i, from the words before it (VADER);
    `pleasant` evidence is also negated by a "nobody" subject anywhere before it in the clause."""
    scale, negated, ceased = 1.0, False, False
    for j in range(i - 1, max(-1, i - 4), -1):  # the three words before, stopping at a clause break
        w = words[j]
        if w in CLAUSE_BREAKS:
            break
        scale *= INTENSIFIERS.get(w, 1.0)
        negated = negated or _is_negation(w)
        ceased = ceased or any(f in CESSATION for f in word_forms(w))
    if not negated and pleasant:  # "nobody came to the party": no one shares a good thing
        for j in range(i - 1, -1, -1):
            if words[j] in CLAUSE_BREAKS:
                break
            negated = negated or words[j] in _CLAUSE_NEGATORS
    if negated and ceased:
        # "couldn't stop grinning", "can't help smiling": a negated stop is a double negative
        negated, scale = False, scale * 1.3
    if shouted[i]:
        scale *= 1.3
    return scale, negated


def _weigh(items: list[_Item], words: list[str],
           shouted: list[bool]) -> tuple[dict[Emotion, float], list[float], list[tuple]]:
    """Votes per emotion, valence-only votes [pleasant, unpleasant] and weighted (v, a, d, weight)
    rows, with negation, intensity and contrast applied."""
    contrast = next((i for i, w in enumerate(words) if w in ("but", "yet", "however")), None)
    votes: dict[Emotion, float] = {}
    polar = [0.0, 0.0]
    rows: list[tuple[float, float, float, float]] = []
    for it in sorted(items, key=lambda x: x.pos):
        v, a, d = it.vad
        pleasant = it.emotion == Emotion.joy or (it.emotion is None and v > 0)
        scale, negated = (1.0, False) if it.pos < 0 else _modifiers(words, shouted, it.pos, pleasant)
        clause_w = 1.0 if contrast is None or it.pos < 0 else (0.5 if it.pos < contrast else 1.5)
        if negated:
            # VADER scales a negated word's valence by -0.74; a negated state also loses most of its arousal
            v, a, d = -0.74 * v, 0.4 * a - 0.2, -0.5 * d
        weight, targets = it.weight, ()
        if it.emotion is not None:
            negated_to = NEGATED_PHRASE.get(it.emotion, NEGATED[it.emotion]) if it.kind == "phrase" else NEGATED[it.emotion]
            targets = negated_to if negated else (it.emotion,)
            weight *= 0.8 if negated else 1.0
        strength = min(2.0, scale)
        for t in targets:
            votes[t] = votes.get(t, 0.0) + weight * strength * clause_w / len(targets)
        rows.append((v * strength, a * strength, d * strength, clause_w * max(0.3, it.weight)))
        if it.emotion is None:  # valence-only evidence is named once the line's arousal is known
            polar[0 if v >= 0 else 1] += weight * strength * clause_w
    return votes, polar, rows


def _punctuation(words: list[str], shouted: list[bool], text: str) -> tuple[float, list[str]]:
    """Arousal added by '!', '?!', ALL-CAPS words and a shouted line, taken off by a trailing '...'."""
    delta, marks = 0.0, []
    bangs = words.count("!")
    if bangs:
        delta += 0.15 * min(bangs, 3)
        marks.append("!")
    caps = sum(shouted)
    if caps:
        delta += 0.15 * min(caps, 2)
        marks.append("CAPS")
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 3 and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        delta += 0.3
        marks.append("SHOUT")
    if "..." in words:
        delta -= 0.15
        marks.append("...")
    return delta, marks


def analyze_affect(text: str) -> Affect:
    """Valence/arousal/dominance in [-1, 1] and the named emotion of a line of text, read alone
    (`emotion_context.affect_in_context` reads it with its scene and the previous beat)."""
    toks = _tokens(text)
    words = [w for w, _ in toks]
    shouted = [s for _, s in toks]
    items = _evidence(text, words)
    votes, polar, rows = _weigh(items, words, shouted)
    if "?" in words and "!" in words:  # "?!" is astonishment, even with no affect word
        votes[Emotion.surprise] = votes.get(Emotion.surprise, 0.0) + 0.5
        v, a = EMOTION_VA[Emotion.surprise]
        rows.append((v, a, EMOTION_DOMINANCE[Emotion.surprise], 0.5))
    delta, marks = _punctuation(words, shouted, text)
    if not rows and not marks:
        return Affect(0.0, 0.0, 0.0, Emotion.calm, source="default")
    tw = sum(r[3] for r in rows) or 1.0
    v = sum(r[0] * r[3] for r in rows) / tw
    a = sum(r[1] * r[3] for r in rows) / tw + delta
    d = sum(r[2] * r[3] for r in rows) / tw
    if rows:  # VADER's own sentence score steadies the valence (it weighs all its rules at once)
        v = 0.75 * v + 0.25 * vader_compound(text)
    clip = lambda x: max(-1.0, min(1.0, x))  # noqa: E731
    v, a, d = clip(v), clip(a), clip(d)
    votes = _name_valence_votes(votes, polar, a, d, addressed=bool(_SECOND_PERSON.intersection(words)))
    named = any(it.emotion is not None and it.weight >= 1.0 for it in items)  # a core word, a strong phrase or act
    emotion = mixed_emotion(text, votes, emotion_from_votes(votes, v, a, d), named)  # with the learned reading
    matched = [it.label for it in items] + (["?!"] if "?" in words and "!" in words else []) + marks
    evidence = sum(s for s in votes.values() if s > 0) if rows else 0.2
    return Affect(v, a, d, emotion, votes, matched, "text", evidence)


def _name_valence_votes(votes: dict[Emotion, float], polar: list[float], a: float, d: float,
                        addressed: bool) -> dict[Emotion, float]:
    """Give valence-only votes (pleasant, unpleasant) an emotion from the line's position: pleasant and low arousal
    is calm, pleasant otherwise joy; unpleasant and aroused is anger when aimed at someone ("you") or
    dominant, fear otherwise; unpleasant and quiet is sadness."""
    out = dict(votes)
    pos, neg = polar
    if pos:
        e = Emotion.calm if a < -0.25 else Emotion.joy
        out[e] = out.get(e, 0.0) + pos
    if neg:
        e = (Emotion.anger if addressed or d > 0.1 else Emotion.fear) if a > 0.2 else Emotion.sadness
        out[e] = out.get(e, 0.0) + neg
    return out


def _vad_distance(e: Emotion, v: float, a: float, d: float) -> float:
    ev, ea = EMOTION_VA[e]
    return math.sqrt((ev - v) ** 2 + (ea - a) ** 2 + 0.5 * (EMOTION_DOMINANCE[e] - d) ** 2)


def emotion_from_votes(votes: dict[Emotion, float], v: float, a: float, d: float) -> Emotion:
    """The emotion with the most evidence (the circumplex position breaks near-ties), or the nearest
    prototype to (v, a, d) when nothing voted."""
    positive = {e: s for e, s in votes.items() if s > 0}
    if not positive:
        return min(EMOTION_VA, key=lambda e: _vad_distance(e, v, a, d))
    # category evidence decides; the circumplex position breaks near-ties (0.25 of a distance unit
    # equals a quarter of a core word's vote)
    return max(positive, key=lambda e: positive[e] - 0.25 * _vad_distance(e, v, a, d))


def estimate_affect(text: str) -> tuple[float, float]:
    """Valence/arousal of a line of text in [-1, 1]; (0, 0) when no evidence is found."""
    aff = analyze_affect(text)
    return aff.valence, aff.arousal


def classify_emotion(text: str) -> Emotion:
    """The named emotion of a line read alone (calm for a line with no evidence at all)."""
    return analyze_affect(text).emotion


def name_emotion(valence: float, arousal: float) -> Emotion:
    """Nearest named emotion on the valence/arousal plane."""
    return min(EMOTION_VA, key=lambda e: (EMOTION_VA[e][0] - valence) ** 2 + (EMOTION_VA[e][1] - arousal) ** 2)
