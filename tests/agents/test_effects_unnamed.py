"""Effects a line names by what makes them, and effect words that say something else: the readings
session 19 learnt from blind batches s94-s99 (each sentence here is new, not a line of the
evaluation set)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("text,effects", [
    ("Pip smashes a smoke bomb on the floor and disappears in a grey cloud.", ["smoke@ground"]),
    ("Rosa lobs a smoke bomb at the guards, and a thick cloud hides her escape.", ["smoke"]),
    ("Omar keeps a smoke bomb in his bag for emergencies.", []),  # kept, not set off
    ("There was no smoke bomb in the crate after all.", []),
])
def test_a_smoke_bomb_set_off_is_smoke(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("A burning leaf drifts down out of the sky onto the roof.", ["fire@sky"]),  # the leaf burns, the sky shines
    ("Talos pulls the burning planks from the window.", ["fire"]),
    ("Under the blazing noon sun, Mira trudges up the dune.", []),  # the sun's light
    ("Ben felt a burning sensation in his throat.", []),
])
def test_a_burning_thing_is_on_fire_whatever_else_shines(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Nobody in the village dared light a fire that winter.", []),
    ("No one would start a fire so close to the hay.", []),
    ("Nobody noticed the smoke curling from the barn.", ["smoke"]),  # unseen, still there
    ("The critics called her new song pure fire.", []),  # praise
    ("Ada signs the letter in green ink by the fire.", ["fire"]),  # the writing is no ink effect
    ("A note scrawled in red ink hangs on the door.", []),
    ("Lena opens the diary, and the ink lifts off the page in a swirl.", ["ink@prop:book"]),  # lifting, not ending
])
def test_nobody_makes_it_praise_writing_and_ink_that_lifts(text, effects, effects_of):
    assert effects_of(text) == effects


def test_a_plume_that_rose_is_no_flower(effects_of):
    assert effects_of("A plume of steam rose toward the rafters of the old mill.") == ["steam"]
    assert effects_of("Smoke curls from the rose in Mira's hand.") == ["smoke@prop:flower"]
