"""Effects that are the set's by what makes them, things that only sound like effects, and people
the cast does not name holding props: the readings session 17 learnt from blind batches s64-s69
(each sentence here is new, not a line of the evaluation set)."""

from __future__ import annotations

import pytest

from talos_assets.agents import direction

NAMES = {c: c for c in ("talos", "mira", "pip", "ada", "ben", "lena", "omar", "rosa")}


@pytest.mark.parametrize("text,effects", [
    ("Fireworks burst high in the sky above the fair.", ["explosion@sky"]),
    ("Fireworks burst over the bay while Ben eats his pie.", ["explosion"]),  # over the bay: no place said
    ("Omar's flare bursts like a firework above the peaks.", ["explosion@sky"]),  # it is one
    ("A whale breaches beside the raft, and the splash drenches Ada.", ["splash@horizon"]),
    ("Talos slips off the pier and sinks with a huge splash.", ["splash@horizon"]),
    ("Pip's left boot sinks into the mud with a splash.", ["splash@l_ankle"]),  # the boot the line names, not water
    ("Mira watched her kite dance above the splashing waves.", ["splash@horizon"]),
    ("Ben skims a pebble across the steaming pond.", ["steam@horizon"]),
    ("Ada's puppy shakes itself, splashing water over the rug.", ["splash@prop:dog"]),  # the water it throws
    ("A tall splash of seawater crashes over the harbour wall.", ["splash@horizon"]),
    ("After the rain, steam rose from the forest trail.", ["steam@ground"]),
    ("Dust rose behind Ben as he raced to the gate.", ["dust@behind"]),  # "rose" the verb, not the flower
    ("The old dragon sleeps, and smoke curls from his nostrils.", ["smoke"]),  # no cast figure has those nostrils
    ("Ben fires the rocket over the bay; it bursts high in the sky.", ["explosion@sky"]),  # no "explosion" said
    ("The old volcano finally blew its top.", ["explosion"]),
    ("Steam fogs the kitchen windows as Mira stirs the soup.", ["steam"]),  # where it settles
    ("Ada holds a mug, its steam fogging her glasses.", ["steam@prop:cup"]),  # the mug's own
    ("Rosa stamps her right foot in the puddle and a splash soaks Ben.", ["splash@r_ankle"]),  # the stamping foot
    ("Pip stamps his left foot and a burst of dust puffs up.", ["dust@l_ankle"]),  # a burst, not an explosion
    ("In the rain, sparks fizz where the drops strike Talos's shoulder.", ["sparks@r_shoulder"]),
    ("Pip leaps off the pier into the lake. Big splash. Gulls scatter.", ["splash@horizon"]),  # gulls: next sentence
    ("Kids chase a ball; a firecracker pops on the ground.", ["explosion@ground"]),
])
def test_effects_placed_by_what_makes_them(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Rosa sat by the fire in the library and read.", []),  # the room's hearth
    ("Pip naps by the hearth fire.", []),
    ("Rosa strums her guitar by the fire under the stars.", ["fire"]),  # a campfire outdoors
    ("Ben's heart was on fire as he read the letter.", []),
    ("Mira's heart glows with courage at the gate.", []),
    ("The whole plan went up in smoke when Pip sneezed.", []),
    ("The old barn went up in smoke.", ["smoke"]),
    ("Her voice was smoky as she sang.", []),
    ("Lena opens a dusty book of spells.", []),
    ("The smoke bomb fizzles and dies.", []),
    ("The fire marshal checks every door.", []),
    ("Mira fires up the welding torch.", []),  # she starts it
    ("Two geysers fire steam into the morning air.", ["steam"]),  # "fire" the verb of the steam
    ("The knight lifts his shield, and the fire splashes against it.", ["fire"]),  # fire the noun, from nowhere said
    ("The dust of the stampede has long since settled.", []),
    ("Talos lowers his hammer; the sparks have all died away.", []),
    ("Where steam once roared, a fox dozes.", []),
    ("The forest fire was out by morning.", []),
    ("The barn fire was out of control by morning.", ["fire"]),  # still burning
    ("Pip felt the fire of courage rise in him.", []),
    ("The ink on the old map had long since washed away.", []),
    ("The train exploded through the snowdrift.", []),  # it burst through
    ("Ben swept wet sawdust out of the ring.", []),
    ("Talos sails over the sawdust ring.", []),
    ("The tent was thick with smoke from the fire breathers' show.", ["smoke"]),
    ("Lena had fire in her eyes before the race.", []),
    ("Ben dreamed of ships and cannon smoke.", []),
    ("The judge's words exploded across the hall.", []),
    ("Rosa lit the candle, and its small glow filled the landing.", []),
    ("Talos raises his hand and a blast of blue magic erupts from his palm.", ["magic@r_wrist"]),
])
def test_what_only_sounds_like_an_effect(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,props", [
    ("The witch clutched her spellbook.", ["book@held"]),
    ("Fishermen carry lanterns down to the boats.", ["boat", "lantern@held"]),
    ("The blacksmith swings his hammer at the anvil.", ["anvil", "hammer@held"]),
    ("A steamer blew up off the reef.", ["ship"]),
    ("A lantern hangs by the door.", ["door", "lantern"]),  # nobody holds it
    ("Omar hammers a red-hot horseshoe on the anvil.", ["anvil", "hammer@omar"]),  # working a piece
    ("Talos hammers at the anvil.", ["anvil"]),  # striking it
    ("Rain hammers the roof of the barn.", []),
    ("Rosa handed Talos a brand-new bronze shield.", ["shield@rosa"]),  # the giver, past two describing words
    ("Ben hands a glass of lemonade to Pip.", ["cup@ben"]),
    ("Ben taps the glass of the old clock.", ["clock"]),  # a clock's glass is no drinking glass
    ("Rosa swung her cutlass at the chain.", ["sword@rosa"]),
])
def test_people_the_cast_does_not_name_hold_props(text, props):
    line = direction.read_line(text, direction.vocabulary_index(), NAMES)
    assert sorted(p.prop + (f"@{p.holder or 'held'}" if p.held else "") for p in line.props) == props


@pytest.mark.parametrize("text,effects", [
    ("The old toaster spits sparks across the bench.", ["sparks"]),  # the bench is only crossed
    ("Smoke rolls out of the furnace over the table.", ["smoke"]),
    ("Flames race across the old fence.", ["fire@prop:fence"]),  # fire burns what it crosses
    ("Ink spreads across the letter.", ["ink@prop:letter"]),  # and ink stains it
])
def test_what_an_effect_crosses_is_not_its_source(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Snow pours from a little cloud over Pip's head.", ["snow@head"]),  # one head's weather
    ("When Ben opens the freezer, a flurry of snow blows out.", ["snow"]),  # blows out of it, not blown out
    ("Lena turns her umbrella over and rain showers out of it.", ["rain@prop:umbrella"]),
    ("Rain showers from the dark clouds all afternoon.", []),  # the sky's
])
def test_snow_and_rain_that_are_not_the_skys(text, effects, effects_of):
    assert effects_of(text) == effects


def test_a_cloud_over_a_head_rains_onto_that_head():
    line = direction.read_line("Rain pours from a tiny grey cloud over Mira's head.", direction.vocabulary_index(), NAMES)
    (rain,) = line.effects
    assert (rain.kind.value, rain.anchor, rain.character, rain.over) == ("rain", "head", "mira", True)


@pytest.mark.parametrize("text,effects", [
    ("Ada's boots kick up a cloud of dust.", ["dust@r_ankle"]),  # the boots throw it up
    ("Ben skids to a halt, his left sneaker kicking up a spray of gravel dust.", ["dust@l_ankle"]),
    ("Mira stamps her foot and dust flies up.", ["dust@r_ankle"]),
    ("Ben stomps his feet and dust puffs up around him.", ["dust@ground"]),  # both feet: the ground
    ("Pip's boots kick up dust behind him as he runs.", ["dust@behind"]),  # behind him, as the line says
    ("The old fire had cooled to grey ash.", []),  # ended
    ("The ball lands in the fountain with a splash.", ["splash@horizon"]),  # a fountain's basin is water
    ("Steam hisses up from the trough as Omar cools the horseshoe.", ["steam@horizon"]),
])
def test_feet_that_kick_and_water_that_is_not_the_sea(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("A rocket whooshes up and bursts in a shower of gold.", ["explosion@sky"]),  # launched up, then bursts
    ("Rockets burst above the old mill.", ["explosion@sky"]),
])
def test_rockets_that_go_up_burst_in_the_sky(text, effects, effects_of):
    assert effects_of(text) == effects


def test_fire_that_flares_up_is_no_rocket(effects_of):
    assert effects_of("The stage pyrotechnics explode, and fire flares high above the floor.") == ["explosion"]


@pytest.mark.parametrize("text,effects", [
    ("Lena pours hot cocoa into a mug, and steam rises from it.", ["steam@prop:cup"]),  # what it was poured into
    ("The huskies pant, breath steaming from their muzzles.", ["steam@prop:dog"]),  # a husky is a dog
    ("A steamboat puffs its smoke.", ["smoke@prop:boat"]),
])
def test_what_it_is_and_what_it_stands_for(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Pip waves a wand and green magic shoots out of the tip.", ["magic@r_wrist"]),  # the tip of what she holds
    ("Wand raised in her left hand, Rosa watches magic spiral off the tip.", ["magic@l_wrist"]),
    ("From the tower, Ada raises a glowing staff, and golden magic holds the bridge up.", ["magic@r_wrist"]),
    ("Omar whacks the anvil with his hammer and sparks fly everywhere.", ["sparks@prop:anvil"]),
    ("Ben kicks the crate and dust flies everywhere.", ["dust@prop:crate"]),  # what the blow lands on
])
def test_tips_gestures_and_blows(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("The old wire sparked and fizzed.", ["sparks"]),
    ("Her joke sparked a fight between the twins.", []),  # it started something
    ("A flaming cart rolls down the hill.", ["fire"]),
    ("A flaming sunset lit the bay.", []),  # a colour
    ("The gas tank in the engine room exploded, and smoke filled the room.", ["explosion", "smoke"]),
    ("The whole room exploded with laughter.", []),
])
def test_sparked_flaming_and_rooms_that_explode(text, effects, effects_of):
    assert effects_of(text) == effects


@pytest.mark.parametrize("text,effects", [
    ("Ben drops a bag of flour, and a white cloud bursts out of the bag.", ["dust@prop:bag"]),  # flour in the air
    ("The volcano rumbles, and a column of ash climbs into the sky.", ["dust"]),
    ("Mira kneads the dough with floury hands.", []),  # flour on hands is no cloud
    ("Grandpa told the twins about the winter the barn caught fire.", []),  # a story told, not the scene
    ("As Omar tells Pip about the sea, steam curls from his mug.", ["steam@prop:cup"]),  # told in another clause
    ("A crate of fireworks sits unopened in the shed.", []),  # not going off
    ("Rosa reads the old letter, its ink still dark.", []),  # the writing
    ("By midnight the bonfire was dead and cold.", []),  # ended
    ("Ada strikes a match, and a small flame flickers in her left hand.", ["fire@l_wrist"]),  # fire in a hand
    ("Ben strikes a match and lights the lamp, and a small flame flickers behind the glass.", []),  # the lamp's light
    ("Ink squirts from Lena's fountain pen.", ["ink@r_wrist"]),  # a fountain pen is no fountain
    ("Rosa waves a sparkler, spitting sparks into the dusk.", ["sparks@r_wrist"]),
])
def test_dry_clouds_stories_told_and_things_not_going_off(text, effects, effects_of):
    assert effects_of(text) == effects


def test_a_blow_struck_with_a_prop_sparks_where_it_lands(effects_of):
    # the Lighthouse Keepers' forge: the gear is no prop, the hammer in Talos's hand is
    assert effects_of("Talos strikes the gear with his hammer. Sparks fly across the bench.") == ["sparks@prop:hammer"]


@pytest.mark.parametrize("text,effects", [
    ("The cauldron boils over, and green foam spills across the floor.", ["splash@ground"]),  # foam is a splash
    ("The twins throw flour at each other, and white clouds fill the kitchen.", ["dust"]),
])
def test_foam_and_clouds_of_flour(text, effects, effects_of):
    assert effects_of(text) == effects


def test_clouds_of_flour_are_no_cloudy_sky():
    line = direction.read_line("The twins throw flour at each other, and white clouds fill the kitchen.",
                               direction.vocabulary_index(), NAMES)
    assert line.setting.weather is None
