"""A thing that catches fire burns at itself.

"The candle by the window flared, and the curtain beside it caught fire": the fire is the curtain's,
and the studio has no prop for a curtain, so it stands unanchored, not at the candle "it" names. "The
villain's jetpack bursts into flames", "the bench behind him, which bursts into flames": the subject
of "catches fire", "bursts into flames" or "goes up in flames" is what burns (the labelling guide,
`docs/world_labels.md`: "the curtains catch fire" -> fire, "Ada's sleeve catches fire" -> her elbow).
"""

from __future__ import annotations

from talos_assets.agents.direction.effect_containers import named_thing
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import PREPOSITIONS, Token

_CATCH = {"catch", "catches", "caught", "catching"}
_BURST = {"burst", "bursts", "bursting"}
_GO = {"go", "goes", "went", "going"}
_PRONOUNS = {"it", "they", "he", "she", "them", "this", "that", "everything", "something", "one", "each", "all"}
_JOINS = {"and", "but", "then", "so", "when", "as", "while", "until", "before", "after"}


def caught_anchor(tokens: list[Token], start: int, index: VocabularyIndex, names: dict[str, str]
                  ) -> tuple[str | None, str | None] | None:
    """(anchor, owner) of what burns when the fire word at `start` closes "X catches fire", "X bursts into
    flames" or "X goes up in flames" (a prop, a cast member's body part, or (None, None) for a thing the
    studio cannot draw); None when it does not, or when X is a pronoun the anchor rules resolve."""
    verb = _catching_verb(tokens, start)
    if verb is None:
        return None
    subject = _subject(tokens, verb)
    return named_thing(subject, index, names) if subject else None


def _catching_verb(tokens: list[Token], start: int) -> int | None:
    """The verb of "catches fire", "bursts into flame(s)", "went up in flames" whose effect word is at start."""
    before = [t.text for t in tokens[max(0, start - 3):start]]
    if before[-1:] and before[-1] in _CATCH:
        return start - 1
    if before[-2:-1] and before[-2] in _BURST and before[-1] == "into":
        return start - 2
    if before[-3:-2] and before[-3] in _GO and before[-2:] == ["up", "in"]:
        return start - 3
    return None


def _subject(tokens: list[Token], verb: int) -> list[Token]:
    """The noun phrase before the verb in its clause, up to its first preposition ("the curtain beside
    it" -> "the curtain"); the noun before "which" for a relative clause; [] for a pronoun or none."""
    clause = [t for t in tokens[:verb] if t.clause == tokens[verb].clause]
    while clause and clause[0].text in _JOINS:
        clause = clause[1:]
    if clause and clause[0].text in ("which", "that"):
        at = tokens.index(clause[0]) if clause[0] in tokens else -1
        clause = [t for t in tokens[max(0, at - 3):at] if t.sentence == tokens[verb].sentence]
        clause = [t for t in clause if t.text not in PREPOSITIONS and t.text not in _PRONOUNS]
        return clause[-2:]
    if not clause or clause[0].text in _PRONOUNS or len(clause) > 6:
        return []
    cut = next((k for k, t in enumerate(clause) if k and t.text in PREPOSITIONS), len(clause))
    return clause[:cut]
