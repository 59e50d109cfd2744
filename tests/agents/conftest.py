"""Fixtures shared by the agent tests."""

from __future__ import annotations

import pytest

from talos_assets.agents import direction

CAST = {c: c for c in ("talos", "mira", "pip", "ada", "ben", "lena", "omar", "rosa")}


@pytest.fixture
def effects_of():
    """The effects Prism reads from one line, as the evaluation writes them ("kind@anchor")."""
    def read(text: str) -> list[str]:
        line = direction.read_line(text, direction.vocabulary_index(), CAST)
        return sorted(e.kind.value + (f"@{e.anchor}" if e.anchor else ("@behind" if e.behind else "")) for e in line.effects)
    return read
