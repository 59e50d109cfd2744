"""One effect as Prism reads it from a line: its kind, where it comes from and how strong it is.

Shared by the readers of effect words (`effects_text.py`) and of effects a line names by what makes
them (`effects_unnamed.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from talos_assets.agents.direction.effect_words import STRONG, WEAK
from talos_assets.agents.direction.worldtext import Token
from talos_assets.spec import EffectKind


@dataclass
class EffectReading:
    kind: EffectKind
    anchor: str | None = None
    character: str | None = None  # the named owner of a joint or the one it is behind; None = the subject
    behind: bool = False
    strength: str = "normal"  # weak | normal | strong
    clause: int = -1  # the clause of the line it was read in
    over: bool = False  # rain or snow falling onto the anchor from above ("raining only on his head")
    span: tuple[int, int] | None = None  # the effect word's tokens, where the anchor ranker reads from


def clause_strength(tokens: list[Token], clause: int) -> str:
    """ "weak", "normal" or "strong" from the clause's wording ("a wisp of smoke", "a roaring fire")."""
    words = {t.text for t in tokens if t.clause == clause}
    return "strong" if words & STRONG else ("weak" if words & WEAK else "normal")
