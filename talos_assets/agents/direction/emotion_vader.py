"""VADER's lexicon as Prism's second, large affect vocabulary.

The `vaderSentiment` package (Hutto & Gilbert 2014) ships about 7,500 words, each rated for valence
by ten people on -4..+4; Prism's own lexicon (`lexicon.py`) has far fewer words but names the emotion
and rates arousal and dominance. A word found only in VADER gives valence evidence and no category:
its arousal is guessed from how strongly it is rated (strong words are rarely sleepy ones, as in
Warriner et al. 2013, where |valence| and arousal correlate), and its dominance follows its valence
(positive words tend to be dominant ones in the same norms). VADER's negation words and its
booster/dampener adverbs extend Prism's own lists.
"""

from __future__ import annotations

from functools import lru_cache

# Function words and greetings VADER rates for their sentiment in social media, which in a screenplay
# are mostly grammar ("glow like that", "no, wait", "well, then", "a kind of") or politeness.
_GRAMMAR = {"like", "likes", "liked", "no", "yes", "yeah", "please", "well", "pretty", "ok", "okay", "kind", "kinds",
            "care", "want", "wants", "wanted", "help", "matter", "matters", "reach", "reaching", "block", "share",
            "clear", "clearly", "fine", "sure", "lol", "true", "spirit", "god", "hand", "play", "plays", "playing",
            "mean", "miss", "leave", "cut", "easy", "hard", "cool", "top", "big", "huge"}


@lru_cache(maxsize=1)
def vader_valence() -> dict[str, float]:
    """word -> VADER's mean valence scaled to [-1, 1] (the package's own lexicon file)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lexicon = SentimentIntensityAnalyzer().lexicon
    return {w: max(-1.0, min(1.0, float(v) / 3.0)) for w, v in lexicon.items()
            if w.isalpha() or "'" in w if w not in _GRAMMAR}


@lru_cache(maxsize=1)
def vader_negations() -> frozenset[str]:
    """VADER's negation words (its NEGATE list)."""
    from vaderSentiment.vaderSentiment import NEGATE

    return frozenset(NEGATE)


@lru_cache(maxsize=1)
def vader_boosters() -> dict[str, float]:
    """One-word boosters/dampeners as multipliers on a word's distance from neutral (VADER adds
    +-0.293 to a 4-point rating; as a multiplier on a mid-scale word that is about 1.3 or 0.7)."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT

    return {w: (1.3 if inc > 0 else 0.7) for w, inc in BOOSTER_DICT.items() if " " not in w}


def vader_vad(valence: float) -> tuple[float, float, float]:
    """(valence, arousal, dominance) of a word that VADER rates `valence` (in [-1, 1]) and Prism's
    own lexicon does not know: arousal grows with the rating's strength, dominance follows valence."""
    strength = abs(valence)
    return valence, -0.35 + 0.9 * strength, 0.4 * valence


def vader_compound(text: str) -> float:
    """VADER's sentence valence in [-1, 1] (its own rules: negation, boosters, caps, "but", "!")."""
    return _analyzer().polarity_scores(text)["compound"]


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
