"""What a dialogue shot says: the spoken words of a description such as `MIRA (softly): "Text"`.

Prism writes a dialogue beat as `NAME (parenthetical): "line"`; only the text between the quotes is
spoken. Fountain parentheticals - before the quotes or inside the line, like `(beat)` - are acting
directions and are never spoken; a character extension (V.O., O.S., O.C.) marks a voice heard
from off screen (subtitled in italics, no moving mouth).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

_QUOTED = re.compile(r'["\u201c](.+)["\u201d]', re.S)
_PAREN = re.compile(r"\([^()]*\)")
_OFF_SCREEN = re.compile(r"\b(V\.?\s?O|O\.?\s?S|O\.?\s?C)\b\.?", re.I)


class SpokenLine(BaseModel):
    """The words a shot speaks and how they are heard."""

    text: str
    off_screen: bool = False  # V.O. / O.S.: heard, not seen speaking


def spoken_line(description: str) -> SpokenLine | None:
    """The spoken part of a dialogue description, or None when nothing is said.

    `MIRA (softly): "Is it true?"` -> "Is it true?"; text with no quotes (a hand-written dialogue
    shot) is spoken whole after any `NAME:` prefix. Parentheticals are removed everywhere.
    """
    prefix, body = "", description
    quoted = _QUOTED.search(description)
    if quoted:
        prefix, body = description[: quoted.start()], quoted.group(1)
    elif ":" in description[:60]:
        prefix, body = description.split(":", 1)
    text = " ".join(_PAREN.sub(" ", body).split())
    if not any(ch.isalnum() for ch in text):
        return None
    return SpokenLine(text=text, off_screen=bool(_OFF_SCREEN.search(prefix)))
