"""What comes "out" after a line opens something comes from that thing (session 19; each sentence here
is new, not a line of the evaluation set)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("text,effects", [
    ("The crate splits open and a puff of dust rolls out across the floor.", ["dust@prop:crate"]),
    ("Omar lifts the lid of the barrel and steam spills out over the table.", ["steam@prop:barrel"]),
    ("Mira opens the book and silver magic pours out onto the table.", ["magic@prop:book"]),
    # a thing the studio has no prop for: no anchor, and not the table the smoke rolls over
    ("Ben yanks open the stove and black smoke rolls out over the table.", ["smoke"]),
    ("Rosa lifts the lid of the old trunk, and dust rolls out over the bed.", ["dust"]),
    # a body part someone opens is that joint
    ("Talos's chest hatch swings open and steam and sparks come out.", ["sparks@chest", "steam@chest"]),
    ("As he opens his bronze chest, a warm glow of magic pours out over the children.", ["magic@chest"]),
    # the floor that cracks open is the ground
    ("The cellar floor cracks open and water sprays out across the tiles.", ["splash@ground"]),
])
def test_what_comes_out_of_what_was_opened(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    # its own "out of" phrase names the source; sparks that do not come "out" keep theirs
    ("Ada opens the letter, and snow swirls out of the lantern beside it.", ["snow@prop:lantern"]),
    ("Lena opens the gate while sparks fly from the anvil.", ["sparks@prop:anvil"]),
])
def test_a_stated_source_or_nothing_opened_keeps_its_reading(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Ben tips the water barrel, and water splashes out across the yard.", ["splash@prop:barrel"]),
    ("Steam from the stew pot fogs the kitchen window as Ada reads.", ["steam"]),  # the window is where it settles
])
def test_what_is_tipped_and_a_fogged_window(text, effects, effects_of):
    assert effects_of(text) == effects
