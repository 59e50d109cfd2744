"""Whose body, hand or mount an effect comes from: a joint anchor needs a cast figure to stand on, what
trails behind a rider is the mount's, what comes off a pan in a hand comes from the hand, and what an
animal shakes off is the animal's (`docs/world_labels.md`). Sentences here are new, not
lines of the evaluation set."""

from __future__ import annotations

import pytest



@pytest.mark.parametrize("text,effects", [
    # a stranger's hand, eyes or breath: nobody in the cast to draw it on
    ("The witch waves her crooked staff, and green magic crackles from her fingers.", ["magic"]),
    ("Mira watches as the old magician raises his wand and magic swirls from his hand.", ["magic"]),
    ("The dragon roars and fire pours from its mouth.", ["fire"]),
    ("The ghost's eyes flare with blue magic.", ["magic"]),
    # a cast name nearer than the stranger keeps the joint
    ("The magician hands Mira a wand, and magic sparks from her hand.", ["magic@r_wrist"]),
    ("The witch cackles as Ada lifts her left hand and magic swirls from it.", ["magic@l_wrist"]),
    ("Magic swirls from Lena's fingers while the wizard watches.", ["magic@r_wrist"]),
    # a stranger's word that only describes a cast member, and "his" that cannot be a crowd
    ("Pip the wizard raises his staff, magic crackling around his right hand.", ["magic@r_wrist"]),
    ("Lena, queen of the north, lifts her left hand, and magic curls about her fingers.", ["magic@l_wrist"]),
    ("As Talos tells the children a story, smoke curls from his chest.", ["smoke@chest"]),
    ("Mira watches the witch raise her staff, and magic flares from her hand.", ["magic"]),
])
def test_a_joint_belongs_to_the_cast(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Ben gallops his horse across the meadow, dust rising behind him.", ["dust@prop:horse"]),
    ("Rosa pedals her bike down the lane, dust in her wake.", ["dust@prop:bicycle"]),
    ("Omar rides his pony through the ford, spray flying up behind him.", ["splash@prop:horse"]),
    # on foot, what rises behind her is behind her, whatever she runs after
    ("Rosa jogs after the bikes, dust kicking up behind her.", ["dust@behind"]),
    ("Dust rises behind Pip as he sprints past the horse.", ["dust@behind"]),
])
def test_what_trails_a_rider_is_the_mounts(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Flames creep up Omar's left sleeve.", ["fire@l_elbow"]),  # a sleeve is the arm, not the hand
    ("Ink dribbles from Ada's pen.", ["ink@r_wrist"]),  # a pen is in the hand that writes
])
def test_sleeves_and_pens(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Sparks spray from the welder in Ada's left hand.", ["sparks@l_wrist"]),  # the thing is in her left hand
    ("Smoke curls from the pipe in Omar's left hand.", ["smoke@l_wrist"]),
])
def test_a_thing_in_the_left_hand(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("A hot wind whips sand across the dunes.", ["dust@ground"]),  # sand in the air is dust
    ("Pip skids on his skateboard, and sand sprays up behind him.", ["dust@behind"]),
    ("Mira and Ben dance on the warm sand.", []),  # sand lying on the beach is the ground
    ("The sand was still, with no wind to stir it.", []),
])
def test_sand_in_the_air_is_dust(text, effects, effects_of):
    assert effects_of(text) == effects


def test_fireworks_over_a_place_are_in_no_place_even_against_the_sky(effects_of):
    assert effects_of("Fireworks burst over the harbour at midnight, gold against the sky.") == ["explosion"]
    assert effects_of("Fireworks burst high above the harbour.") == ["explosion@sky"]


@pytest.mark.parametrize("text,effects", [
    # a pan, a wok or a match is no prop: what comes off it comes from the hand holding it
    ("Omar pours oil into the skillet in his left hand, and orange flames leap up.", ["fire@l_wrist"]),
    ("Ada strikes a match in her right hand, the tiny flame shivering.", ["fire@r_wrist"]),
    # a prop held is read as the prop, and a hand held while something else happens is not the source
    ("Ben holds the key in his left hand, and smoke drifts across the valley.", ["smoke"]),
    ("Ben grips the map in his right hand while the volcano spews smoke.", ["smoke"]),
])
def test_a_thing_no_prop_in_a_hand_gives_off_from_the_hand(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("The soaked dog shook itself, and muddy water splashed over Rosa's shoes.", ["splash@prop:dog"]),
    ("The pony shakes its mane, spraying rainwater over Pip.", ["splash@prop:horse"]),
    ("A wet kitten shook itself. A splash of water hit Ben's knee.", ["splash@prop:cat"]),
    ("The goat shakes itself dry, spraying water everywhere.", ["splash"]),  # no prop to draw it at
    ("Pip shakes his head, and water sprays from his hair.", ["splash@head"]),  # a cast member's own hair
])
def test_what_an_animal_shakes_off_is_the_animals(text, effects, effects_of):
    assert effects_of(text) == effects


def test_hooves_are_the_animals_not_the_fence_it_passes(effects_of):
    assert effects_of("A pony trots past the fence, dust rising from its hooves.") == ["dust@prop:horse"]
    assert effects_of("The dog bounds along the fence, dust flying from its paws.") == ["dust@prop:dog"]


@pytest.mark.parametrize("text,effects", [
    ("A pony trots across the yard, its breath steaming in the frost.", ["steam@prop:horse"]),
    ("The old dog sneezed, and dust flew from his nose.", ["dust@prop:dog"]),
    # a cast member's own breath, and a prop animal that is only ridden or passed
    ("Mira rides her pony, and her breath steams in the cold.", ["steam@head"]),
    ("Talos holds an umbrella over the dogs, steam rising from his head.", ["steam@head"]),
])
def test_a_prop_animals_breath_and_nose_are_the_animals(text, effects, effects_of):
    assert effects_of(text) == effects
