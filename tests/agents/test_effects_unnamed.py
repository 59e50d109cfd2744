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


@pytest.mark.parametrize("text,effects", [
    ("After baking, Pip's nose is caked in flour.", ["dust@head"]),
    ("Ben rips open the flour bag, and a white puff bursts out of it.", ["dust@prop:bag"]),
    ("Cinders drift down from the sky onto the market.", ["sparks@sky"]),
    ("The cinder path winds up to the cottage.", []),  # a kind of path
])
def test_dry_stuff_on_a_thing_and_cinders(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("The candle by the door flickered, and the curtain beside it caught fire.", ["fire"]),  # no prop for a curtain
    ("The guard's cloak bursts into flames.", ["fire"]),
    ("A spark lands on the bench, which bursts into flames.", ["fire@prop:bench", "sparks@prop:bench"]),
    ("Rosa's left sleeve catches fire.", ["fire@l_elbow"]),
    ("Ada holds the letter over the candle until it catches fire.", ["fire@prop:letter"]),  # "it" read as before
    ("Mira fires a bolt of magic at the robot.", ["magic"]),  # she shoots it: no flames
])
def test_what_catches_fire_burns_at_itself(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Ben waves a flare over his head, green sparks spitting from it.", ["sparks@r_wrist"]),
    ("Lena climbs the ladder, waving a sparkler that spits gold sparks.", ["sparks@r_wrist"]),
    ("Ada waves her wand, and pink magic swirls around the sleepy cat.", ["magic@r_wrist"]),
    ("Ada waves her wand, and the lantern bursts into flame.", ["fire@prop:lantern"]),  # the lantern burns
    ("The wizard waves a flare, and sparks spit from it.", ["sparks"]),  # no cast hand to draw
])
def test_what_a_waved_flare_or_wand_gives_off_comes_from_the_hand(text, effects, effects_of):
    assert effects_of(text) == effects


def test_a_little_cloud_over_a_head_rains_on_that_head_whatever_it_is_called(effects_of):
    assert effects_of("A tiny storm cloud hovers over Omar's head and rains on him all day.") == ["rain@head"]
    assert effects_of("A tiny grey cloud floats over Mira's head and rains only on her.") == ["rain@head"]


def test_a_place_told_of_or_said_to_be_long_past_is_not_the_scene():
    from talos_assets.agents import direction
    cast = {c: c for c in ("ben", "omar", "rosa")}
    for text in ("Rosa tells the children about the winter the whole harbor froze.",
                 "Omar said the bakery across the street had burned years ago."):
        assert direction.read_line(text, direction.vocabulary_index(), cast).setting.place is None
    assert direction.read_line("Ben walks down the street at dawn.", direction.vocabulary_index(), cast).setting.place \
        == "city-street"


@pytest.mark.parametrize("text,effects", [
    ("Captain Ember raises her spyglass and scans the bay.", []),  # a name after a title
    ("Doctor Frost shivers in the lab.", []),
    ("Lena's wand had run out of magic, so she walked home.", []),
    ("The giant whips up a wall of sand that sprays up behind Ben.", ["dust@behind"]),  # sand, not water
])
def test_names_spent_magic_and_sand_that_sprays(text, effects, effects_of):
    assert effects_of(text) == effects


def test_a_title_makes_a_weather_word_a_name():
    from talos_assets.agents import direction
    line = direction.read_line("Captain Drizzle laughs on the rooftop.", direction.vocabulary_index(), {})
    assert line.setting.weather is None and line.setting.place == "rooftop"
