"""Prism reads the story's world: setting, props and effects from text, with scene continuity."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from talos_assets.agents import direction
from talos_assets.agents.direction.vocabulary import WORLD_WORDS, builtin_vocabulary
from talos_assets.agents.key_animation import available_characters
from talos_assets.spec import EffectKind, Palette, ShotSize, WorldVocabulary
from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.story import parse_story

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])
CAST = available_characters()
NAMES = {"talos": "talos", "mira": "mira", "pip": "pip"}
REPO = Path(__file__).resolve().parents[2]

SETS = ("hills studio shore ocean-cliff forest jungle meadow farm mountains snowy-peaks desert lake river "
        "city-street rooftop village market castle ruins cave space room bedroom workshop kitchen hall garage "
        "bar ship-deck library garden harbor").split()
PROPS = ("lantern lamp candle torch basket ladder hammer sword shield cup bottle table chair bench bed door window "
         "book letter phone boat ship car bicycle horse dog cat bird tree rock barrel crate house flower moon umbrella anvil ball bag "
         "key clock guitar kite fence").split()


def _line(text: str):
    return direction.read_line(text, direction.vocabulary_index(), NAMES)


def _plan(yaml_text: str, **kw):
    return direction.direct_film(parse_story(yaml_text), PALETTE, cast=CAST, **kw)


def _prose(text: str, **kw):
    return _plan("title: t\nfps: 12\nscript: |\n" + "".join(f"  {ln}\n" for ln in text.splitlines()), **kw)


def test_vocabulary_names_exactly_the_contract_ids():
    vocab = builtin_vocabulary()
    assert sorted(vocab.places) == sorted(SETS) and sorted(vocab.props) == sorted(PROPS)
    assert set(vocab.interiors) == {"studio", "cave", "room", "bedroom", "workshop", "kitchen", "hall", "garage",
                                    "bar", "library"}
    assert yaml.safe_load(WORLD_WORDS.read_text())["props"]["lantern"] == ["lantern"]
    # what each effect is known to come from names real effect kinds and props
    assert set(vocab.sources) <= {k.value for k in EffectKind} and vocab.sources["smoke"]
    assert all(set(ids) <= set(PROPS) for ids in vocab.sources.values())


@pytest.mark.parametrize("text, place, time, weather", [
    ("The quiet shore lies gold at dusk.", "shore", "dusk", None),
    ("Fog clings to the riverbank at daybreak.", "river", "dawn", "fog"),
    ("Thunder rolls over the castle at midnight.", "castle", "night", "storm"),
    ("A light drizzle falls on the market stalls at noon.", "market", "noon", "rain"),
    ("Wind whips across the clifftop in the afternoon.", "ocean-cliff", "afternoon", "wind"),
    ("A blizzard buries the village overnight.", "village", "night", "snow"),
    ("Clouds hang over the farm this morning.", "farm", "morning", "cloudy"),
    ("They sit in the kitchen under a cloudless sky.", "kitchen", None, "clear"),
    ("One day Talos waits.", None, None, None),
])
def test_setting_fields_from_a_line(text, place, time, weather):
    s = _line(text).setting
    assert s.place == place
    assert (s.time_of_day.value if s.time_of_day else None) == time
    assert (s.weather.value if s.weather else None) == weather


@pytest.mark.parametrize("text, place, time, weather", [
    ("Tears stream down her cheeks like rain.", None, None, None),
    ("Omar listens to a recording of rain on his headphones.", None, None, None),
    ("The forecast promised rain, but the sky stayed blue.", None, None, "clear"),
    ("She remembers the rainy days of her childhood.", None, None, None),
    ("Most nights, Ben reads by the window.", None, None, None),
    ("Hooves thunder across the plain while the waterfall thunders into the pool.", "river", None, None),
    ("Thunder, Rosa's old grey horse, dozes by the fence.", None, None, None),
    ("Ada storms out of the kitchen.", "kitchen", None, None),
    ("The sky thunders over the hills.", "hills", None, "storm"),
    ("Pip plays in the snow as the storm rolls in.", None, None, "storm"),
    ("EXT. ROOFTOP - DAY. Bright sun, not a cloud anywhere.", "rooftop", "noon", "clear"),
    ("EXT. PIRATE COVE - NIGHT. Smoke drifts over the sand.", "shore", "night", None),
])
def test_a_weather_or_hour_word_that_is_not_the_scene_s(text, place, time, weather):
    """Similes, recordings, forecasts, memories, habits, names and verbs name a weather or an hour
    the shot does not have; a heading at the head of a prose line still gives its place and hour."""
    test_setting_fields_from_a_line(text, place, time, weather)


@pytest.mark.parametrize("text, place, time, weather", [
    ("Ben walks the dog every day, rain or shine.", None, None, None),
    ("Puddles from last night's rain dot the street.", "city-street", None, "clear"),
    ("Confetti rains down on the newlyweds.", None, None, None),
    ("Mira is saving her coins for a rainy day.", None, None, None),
    ("The soldiers stormed the castle at dawn.", "castle", "dawn", None),
    ("Pip stole his thunder at the school play.", None, None, None),
    ("Lena winds the old clock on the mantel.", None, None, None),
    ("Ada breezes through her final exam.", None, None, None),
    ("Rosa is on cloud nine after the wedding.", None, None, None),
    ("The guitarist gets a second wind and plays on.", None, None, None),
    ("Snow White bites the apple.", None, None, None),
    ("A cold wind blows across the moor.", "hills", None, "wind"),
])
def test_weather_idioms_and_verbs_are_not_the_sky(text, place, time, weather):
    test_setting_fields_from_a_line(text, place, time, weather)


@pytest.mark.parametrize("text, place, time, weather", [
    ("Mira and Ada eat lunch under a cloudless sky in the park.", "garden", "noon", "clear"),
    ("Omar opens his umbrella as the first drops hit the sidewalk.", "city-street", None, "rain"),
    ("Ben strokes his beard, white as snow, by the fireplace in the parlour.", "room", None, None),
    ("The parrots go quiet as thunder rumbles through the rainforest.", "jungle", None, "storm"),
    ("'It's a storm in a teacup,' Ada says.", None, None, None),
    ("Omar takes a rain check on lunch and stays at his desk.", None, None, None),
    ("Mira walks the dry fields, wishing for rain.", "meadow", None, None),
    ("Talos still remembers the night the river flooded the village.", None, None, None),
    ("A painting of a stormy sea hangs on the tavern wall.", "bar", None, None),
    ("On a sunny afternoon, a little rain cloud follows Ben, raining only on his head.", None, "afternoon", "clear"),
])
def test_meals_first_drops_and_weather_words_that_are_not_the_sky(text, place, time, weather):
    test_setting_fields_from_a_line(text, place, time, weather)


@pytest.mark.parametrize("text, place, time, weather", [
    ("By midday the fog has burned off the lake.", "lake", "noon", "clear"),  # burned off: ended
    ("The blizzard has finally blown itself out over the mountain pass.", "mountains", None, "clear"),
    ("The wind blows over the hills all afternoon.", "hills", "afternoon", "wind"),  # blowing, not blown over
    ("The sky over the meadow is a flat, heavy grey this afternoon.", "meadow", "afternoon", "cloudy"),
    ("Omar sips a cloudy cider at the pub.", "bar", None, None),  # a drink, not the sky
    ("Rosa rains kisses on the puppy in the backyard.", "garden", None, None),  # a verb with its object
    ("Lena's old horse, Thunder, grazes in the paddock.", "farm", None, None),  # a name in apposition
    ("Lena buys bread from Dawn, the baker, at the market.", "market", None, None),
    ("Outside the window, rain, cold and steady, falls on the roofs.", None, None, "rain"),  # the sky after all
    ("At dawn, the fishermen row out.", None, "dawn", None),
])
def test_weather_that_has_burned_off_a_grey_sky_and_names_set_off_by_commas(text, place, time, weather):
    line = _line(text)
    assert (line.setting.time_of_day.value if line.setting.time_of_day else None) == time
    assert (line.setting.weather.value if line.setting.weather else None) == weather
    if place is not None:
        assert line.setting.place == place


def test_a_heading_at_the_head_of_a_shot_description_moves_the_set():
    plan = _plan("title: t\nfps: 12\nshots:\n"
                 "  - {id: a, description: Pip dives into the pond., duration: 1, characters: [pip]}\n"
                 "  - {id: b, description: EXT. ROOFTOP - NIGHT. Rain pours as Mira runs., duration: 1, characters: [mira]}\n")
    assert [s.setting.place for s in plan.shots] == ["lake", "rooftop"]
    assert plan.shots[1].setting.time_of_day.value == "night" and plan.shots[1].setting.weather.value == "rain"


@pytest.mark.parametrize("text, held", [
    ("At the market, Pip juggles three bottles while the crowd cheers.", [("bottle", "pip")]),
    ("Mira skips a stone across the pond at sunset.", [("rock", "mira")]),
    ("Talos uncorks the bottle and purple magic spills out.", [("bottle", "talos")]),
    ("Pip pulls out a notebook.", [("book", "pip")]),
])
def test_juggling_skipping_uncorking_and_pulling_out_hold_the_prop(text, held):
    assert [(p.prop, p.holder) for p in _line(text).props if p.held] == held


def test_a_prop_someone_goes_about_with_is_in_hand():
    line = _line("Mira tiptoes down the hallway with a candle, its small flame trembling.")
    assert [(p.prop, p.holder) for p in line.props] == [("candle", "mira")]
    line = _line("At dusk Pip walks down the avenue with a bouquet of roses.")
    assert [(p.prop, p.holder) for p in line.props] == [("flower", "pip")]
    line = _line("Mira sits at the kitchen table with a cup of tea.")
    assert [(p.prop, p.held) for p in line.props] == [("table", False), ("cup", False)]  # the table's


@pytest.mark.parametrize("text, effects", [
    ("Mira raises her torch in the dark cave and its flame gutters and spits sparks.", [("sparks", "prop:torch")]),
    ("Pip scrambles up the ladder as the barn fills with smoke.", [("smoke", None)]),
    ("The sky fills with smoke.", [("smoke", "sky")]),
    ("A meteor explodes over the snowy peaks, lighting up the night sky.", [("explosion", "sky")]),
    ("On a cold morning Mira blows on her mug of tea as steam curls up from it.", [("steam", "prop:cup")]),
])
def test_a_guttering_flame_a_filled_barn_a_lit_sky_and_a_mug_blown_on(text, effects):
    assert sorted((e.kind.value, e.anchor) for e in _line(text).effects) == effects


@pytest.mark.parametrize("text, effects", [
    ("The candles all blow out at once and thin smoke curls from their wicks.", [("smoke", "prop:candle")]),
    ("Mira opens her umbrella, and rain starts pouring down from inside it.", [("rain", "prop:umbrella")]),
    ("Mira holds up the little clock and snow begins swirling out of its face.", [("snow", "prop:clock")]),
    ("Mira jumps into the puddle with both feet, and muddy water splashes everywhere.", [("splash", "ground")]),
    ("Mira cracks the ice with her hammer, and a spray of snow bursts up around her feet.", [("snow", "ground")]),
    ("Inside the lab, Mira holds a bottle up to the lamp, and steam curls out of it.", [("steam", "prop:bottle")]),
])
def test_wicks_flurries_that_start_puddles_and_a_spray_of_snow(text, effects):
    line = _line(text)
    assert sorted((e.kind.value, e.anchor) for e in line.effects) == effects
    assert line.setting.weather is None


@pytest.mark.parametrize("text, effects", [
    ("Mira races her bike down the canyon trail, dust spraying from the back wheel.", [("dust", "prop:bicycle")]),
    ("Pip knocks a bottle over on the lab table and green steam hisses out of it.", [("steam", "prop:bottle")]),
    ("Mira tips her umbrella over the kitchen sink and rain pours out of it.", [("rain", "prop:umbrella")]),
])
def test_a_wheel_with_a_describing_word_a_table_with_one_and_an_umbrella_poured_out(text, effects):
    assert sorted((e.kind.value, e.anchor) for e in _line(text).effects) == effects


def test_a_thing_that_catches_a_prop_does_not_hold_it():
    line = _line("A spark jumps from the lantern, catches the paper kite, and it bursts into flames.")
    assert not any(p.held for p in line.props)
    assert [(p.prop, p.holder) for p in _line("Pip launches a kite from the hilltop.").props] == [("kite", "pip")]


def test_a_listed_shot_is_where_its_description_puts_it_unless_its_heading_says_otherwise():
    plan = _plan("title: t\nfps: 12\nshots:\n"
                 "  - {id: a, description: Pip walks down the village street., duration: 1, characters: [pip]}\n"
                 "  - {id: b, description: Mira rows the boat across the lake at dawn., duration: 1, characters: [mira]}\n"
                 "  - {id: c, description: Far out at sea a ship turns., duration: 1, characters: [mira],"
                 " location: EXT. CLIFF TOP - NIGHT}\n")
    assert [s.setting.place for s in plan.shots] == ["city-street", "lake", "ocean-cliff"]


def test_a_likeness_is_no_second_prop():
    assert [p.prop for p in _line("Mira hangs a lantern shaped like a crescent moon above the door.").props] == [
        "lantern", "door"]


def test_season_light_sources_and_interior():
    s = _line("In the winter evening a candle and the fireplace light the library.").setting
    assert s.season.value == "winter" and s.time_of_day.value == "dusk"
    assert s.light_sources == ["candle", "fire"] and s.place == "library" and s.interior is True
    assert _line("Ripe apples hang in the orchard this summer.").setting.season.value == "summer"
    assert _line("The cat springs onto the wall.").setting.season is None  # a verb, not the season


@pytest.mark.parametrize("text, field, value", [
    ("There was no fire in the hearth.", "effects", []),
    ("The rain had stopped.", "weather", "clear"),
    ("It was not yet night.", "time_of_day", None),
    ("He crossed the moor without a lantern.", "props", []),
    ("It is not raining but snowing.", "weather", "snow"),
    ("There is no wind tonight.", "weather", None),
    ("There is no wind tonight.", "time_of_day", "night"),
    ("She never lit the candle.", "props", []),
    ("There were no boats in the harbour.", "place", "harbor"),
    ("The fog lifted, and the wind died down.", "weather", "clear"),
    ("There is not a breath of wind in the valley.", "weather", None),
    ("Not at dawn but at dusk, Pip reaches the gate.", "time_of_day", "dusk"),
    ("When the storm rolls away, the hills are bright.", "weather", "clear"),
    ("The wind lifts dust from the road.", "weather", "wind"),  # a verb with its object: no ending
    ("Mira gives him a sunny smile.", "weather", None),  # a person's weather
    ("Pip shakes the snow globe.", "weather", None),
    ("Ben walks home on a gusty, drizzly evening.", "weather", "rain"),
])
def test_negation_and_contrast(text, field, value):
    line = _line(text)
    if field in ("props", "effects"):
        assert [getattr(x, "prop", getattr(x, "kind", None)) for x in getattr(line, field)] == value
    else:
        got = getattr(line.setting, field)
        assert (getattr(got, "value", got)) == value


@pytest.mark.parametrize("heading, place, time, interior", [
    ("EXT. MARKET SQUARE - DAY", "market", "noon", False),
    ("INT. KITCHEN - NIGHT", "kitchen", "night", True),
    ("EXT. BEACH - CONTINUOUS", "shore", None, False),
    ("INT. CASTLE THRONE ROOM - DAY", "hall", "noon", True),
    ("INT. WAREHOUSE - DAY", "room", "noon", True),  # unknown indoors: a room
    ("EXT. ABANDONED LIGHTHOUSE - DUSK", "hills", "dusk", False),  # unknown outdoors: the hills
    ("EXT. SNOWY MOUNTAIN PASS - DAWN", "snowy-peaks", "dawn", False),
    ("INT. LIBRRARY - LATER", "library", None, True),  # a misspelt place: nearest by spelling
])
def test_heading_parsing(heading, place, time, interior):
    s = direction.read_heading(heading, direction.vocabulary_index())
    assert s.place == place and s.interior is interior
    assert (s.time_of_day.value if s.time_of_day else None) == time


def test_prose_scene_continuity():
    plan = _prose("Talos waits on the quiet shore at dusk. Rain begins to fall. He walks into the forest. "
                  "Night falls and the rain keeps falling. He sits down and rests.")
    got = [(s.setting.place, s.setting.time_of_day.value, s.setting.weather.value, s.scene_index) for s in plan.shots]
    assert got == [("shore", "dusk", "clear", 0), ("shore", "dusk", "rain", 0), ("forest", "dusk", "rain", 1),
                   ("forest", "night", "rain", 1), ("forest", "night", "rain", 1)]
    assert [s.shot_size for s in plan.shots].count(ShotSize.establishing) == 2  # the new place opens a scene
    assert [s.background for s in plan.shots] == [s.setting.place for s in plan.shots]
    assert plan.scenes[1].setting.place == "forest"
    assert _prose("Talos waits. He smiles.").shots[0].setting.model_dump() == {
        "place": "hills", "time_of_day": "dusk", "weather": "clear", "season": None, "interior": False,
        "light_sources": []}


def test_screenplay_scenes_keep_their_heading_set():
    text = ("EXT. SHORE - DUSK\n\nTALOS looks out at the distant mountains.\n\nA storm breaks.\n\n"
            "INT. KITCHEN - CONTINUOUS\n\nTALOS lights a lamp.\n")
    plan = _plan("title: t\nfps: 12\nscript: |\n" + "".join(f"  {ln}\n" for ln in text.splitlines()))
    got = [(s.setting.place, s.setting.time_of_day.value, s.setting.weather.value, s.setting.interior)
           for s in plan.shots]
    assert got == [("shore", "dusk", "clear", False), ("shore", "dusk", "storm", False),
                   ("kitchen", "dusk", "storm", True)]
    assert plan.shots[2].setting.light_sources == ["lamp"]


def test_explicit_fields_win_over_the_text():
    plan = _plan("title: t\nshots:\n"
                 " - {id: a, description: Talos waits on the shore at night., place: forest, time_of_day: noon}\n"
                 " - {id: b, description: Talos raises the lantern and smoke rises., props: [cup], effects: []}\n"
                 " - {id: c, description: Snow falls on Talos., weather: fog, season: winter}\n")
    a, b, c = plan.shots
    assert (a.setting.place, a.setting.time_of_day.value) == ("forest", "noon")
    assert (b.setting.place, b.setting.time_of_day.value) == ("forest", "noon")  # kept for the scene
    assert [p.prop for p in b.props] == ["cup"] and b.effects == []
    assert c.setting.weather.value == "fog" and c.setting.season.value == "winter"


def test_unknown_explicit_place_or_prop_is_one_sentence():
    with pytest.raises(ValueError) as err:
        _plan("title: t\nshots:\n - {id: a, description: Talos waits., place: seashore}\n")
    msg = str(err.value)
    assert "place 'seashore'" in msg and "shore" in msg and "talos sets" in msg and msg.count(".") <= 1
    with pytest.raises(ValueError, match=r"prop 'lanturn'.*lantern.*talos props"):
        _plan("title: t\nshots:\n - {id: a, description: Talos waits., props: [lanturn]}\n")


def test_insert_shot_of_a_prop():
    plan = _prose("Talos waits on the quiet shore. The lantern flickers on the table. He smiles.")
    shot = plan.shots[1]
    assert shot.shot_size == ShotSize.insert and [p.prop for p in shot.props] == ["lantern"]
    assert shot.characters  # the grammar's characters are kept; Axis decides how to draw an insert
    assert plan.shots[2].shot_size != ShotSize.insert


def test_props_and_holders():
    line = _line("Mira raises the lantern while Pip picks up the key; the sword stays on the table.")
    assert [(p.prop, p.holder) for p in line.props] == [("lantern", "mira"), ("key", "pip"), ("sword", None),
                                                         ("table", None)]
    assert [(p.prop, p.held, p.holder) for p in _line("He lifts his sword.").props] == [("sword", True, None)]
    assert [(p.prop, p.holder) for p in _line("Rain drums on Omar's umbrella in the torch light of her hand.").props][0] \
        == ("umbrella", None)  # Omar is not a character of this studio
    plan = _plan("title: t\nshots:\n - {id: a, description: Mira raises the lantern high., characters: [mira]}\n"
                 " - {id: b, description: Mira raises the lantern high., characters: [talos]}\n")
    assert [(p.prop, p.holder) for p in plan.shots[0].props] == [("lantern", "mira")]
    assert [(p.prop, p.holder) for p in plan.shots[1].props] == [("lantern", None)]  # a holder out of frame


@pytest.mark.parametrize("text, props", [
    ("They pass the cup from hand to hand.", [("cup", True, None)]),  # passed on: in a hand
    ("The book slips from Mira's fingers and falls to the floor.", [("book", False, None)]),  # no longer held
    ("Talos lifts the boat out of the water with both hands.", [("boat", True, "talos")]),  # too big, carried
    ("An explosion rocks the harbor at dawn.", []),  # "rocks" is the explosion's verb
    ("Dust falls from the books as Mira opens them.", [("book", True, "mira")]),  # "them" is the books
    ("Pip drags the crate to the door.", [("crate", True, "pip"), ("door", False, None)]),
    ("The phone rings and Talos answers it.", [("phone", True, "talos")]),
    ("Ink runs across Mira's open book.", [("book", True, "mira")]),  # owned, one word between
    ("Pip sits on Mira's old bench.", [("bench", False, None)]),  # owned but not carried
])
def test_holders_of_passed_dropped_and_lifted_props(text, props):
    assert [(p.prop, p.held, p.holder) for p in _line(text).props] == props


@pytest.mark.parametrize("text, kind, anchor, behind", [
    ("A fire roars from his bronze heart.", "fire", "chest", False),
    ("Magic shimmers from her hands.", "magic", "r_wrist", False),
    ("Smoke rises from the sea.", "smoke", "horizon", False),
    ("Dust billows behind him.", "dust", None, True),
    ("A small fire crackles at their feet.", "fire", "ground", False),
    ("Sparks rain from the sky.", "sparks", "sky", False),
    ("A shimmer of magic rises from the lantern.", "magic", "prop:lantern", False),
    ("Golden light glows around Mira's head.", "magic", "head", False),
    ("A spell crackles between her fingers.", "magic", "r_wrist", False),
    ("A cloud of dust follows Pip as he runs.", "dust", None, True),
    ("Mira opens the old book and a glowing mist rises from its pages.", "magic", "prop:book", False),
    ("Ben runs and dust swirls up in his wake.", "dust", None, True),
    ("The old lamp gives off a faint smoke.", "smoke", "prop:lamp", False),  # the emitter is the source
    ("A glow of magic surrounds the bench.", "magic", "prop:bench", False),  # what it wraps
    ("A glow of magic surrounds the statue by the window.", "magic", None, False),  # not where that stands
    ("Sparks fall on the road from the torch.", "sparks", "prop:torch", False),  # the source outranks the landing
    ("Steam spurts from the pipes beside the door.", "steam", None, False),  # an unknown source anchors nowhere
    ("Mira raises her wand and sparks leap from its tip.", "sparks", "r_wrist", False),
    ("Talos throws a fireball from his palm.", "fire", "r_wrist", False),
    ("Pip stomps and a puff of dust rises.", "dust", "ground", False),
    # said of a thing: its verb, what it turns into, what it is full of, or the word before it
    ("The clock glows on the table.", "magic", "prop:clock", False),  # the subject, not the phrase after
    ("The lantern sputters and bursts into flames.", "fire", "prop:lantern", False),  # the clause before
    ("The tall ship goes up in smoke.", "smoke", "prop:ship", False),
    ("The straw catches fire.", "fire", None, False),  # said of a thing the set cannot place
    ("The old bench is thick with dust.", "dust", "prop:bench", False),
    ("The van races away in a cloud of dust.", "dust", "prop:car", False),
    ("The burning ladder falls into the sea.", "fire", "prop:ladder", False),
    ("The burning candle lights the room.", None, None, False),  # a light, not a fire
    ("Mira raises her hands and a glowing shield of light appears.", "magic", None, False),  # light, not a shield
    ("The torch flickers and a curl of smoke rises.", "smoke", "prop:torch", False),  # the prop beside it
    ("Dust falls from the beams as the door slams.", "dust", None, False),  # its own source outranks
    ("A wave breaks in white spray against the boat.", "splash", "prop:boat", False),  # where it lands, not the sea
    # breath comes from the mouth; what an effect is made of is not where it starts; a fronted phrase
    # outranks where the effect goes; what it follows carries it; a blast is where it lights
    ("Pip coughs out a cloud of black smoke.", "smoke", "head", False),
    ("A spray of sea water shoots over the barrel.", "splash", "prop:barrel", False),
    ("Behind Mira, a column of smoke rises into the sky.", "smoke", None, True),
    ("A plume of dust follows the car along the road.", "dust", "prop:car", False),
    ("The lantern on the table explodes.", "explosion", "prop:lantern", False),  # said of the thing blown up
    ("The ship explodes far out on the horizon.", "explosion", "horizon", False),  # unless a phrase places it
    ("The guns roar and an explosion lights up the bay.", "explosion", None, False),  # what it lights is not its source
    ("The shield in Talos's hand crackles with sparks.", "sparks", "prop:shield", False),  # the subject, not the hand
    ("The old torch has stopped smoking.", None, None, False),  # ended before it is named
    # a prop known to give the effect off carries it when nothing else places it; "it" is the last prop
    # named; "from under" reads on; a heading is not a place; a vague opener still frames
    ("Rosa turns the key in the old car and grey smoke chokes the garage.", "smoke", "prop:car", False),
    ("Omar kicks the barrel and it explodes.", "explosion", "prop:barrel", False),
    ("Dust pours out from under the bed.", "dust", "prop:bed", False),
    ("The lantern gutters and thin smoke curls towards the door.", "smoke", "prop:lantern", False),
    ("Somewhere behind Pip, something explodes.", "explosion", None, True),
    ("The blade bites the anvil in a spray of sparks.", "sparks", "prop:anvil", False),
    ("A drop of magic glimmers in the water inside the bottle.", "magic", "prop:bottle", False),
    ("Pip's breath steams in the cold.", "steam", "head", False),
    # "it" is the prop acted on, not the one a phrase rests it on; a fronted phrase frames the sentence;
    # a left limb; a relative clause's "which" is the thing before it
    ("Mira holds the book above the lamp until it bursts into flames.", "fire", "prop:book", False),
    ("The kite sits on the bench and smoke curls from its tail.", "smoke", "prop:kite", False),
    ("The kettle sits on the bench and steam curls from its spout.", "steam", None, False),
    ("Behind Pip, an engine coughs and spits out a puff of black smoke.", "smoke", None, True),
    ("Sparks dance along Mira's left arm.", "sparks", "l_elbow", False),
    ("The storm hits the lantern, which spits sparks onto the road.", "sparks", "prop:lantern", False),
    ("The fire in the barn had been put out.", None, None, False),  # ended
    ("Pip pokes the cold ashes of the bonfire.", None, None, False),  # no flame left
    ("Dust blows up from the dry road.", "dust", "ground", False),  # carried, not blown apart
    # a plural prop's base-form verb; "is still steaming"; a blown-up prop outranks the one it rests on;
    # a noun compound is a thing; smoke hanging where the set shows nothing takes no prop beside it
    ("The lanterns smoke in the cellar.", "smoke", "prop:lantern", False),
    ("The cup by Ben's bed is still steaming.", "steam", "prop:cup", False),
    ("The bottle of ale explodes on the bench.", "explosion", "prop:bottle", False),
    ("Mira knocks over the ink bottle on the desk.", None, None, False),
    ("The fire in the hall was put out hours ago.", None, None, False),
    ("Ben opens the door and smoke lingers among the rafters.", "smoke", None, False),
    ("A gust lifts dust off the dunes.", "dust", "ground", False),
    # a hearth's fire lights the room; an emitter after a fronted phrase; what comes out of the body part
    # the clause before names
    ("The fire in the fireplace crackles all evening.", None, None, False),
    ("Far out on the lake an old boat sends up sparks into the night.", "sparks", "prop:boat", False),
    ("As Talos opens his hands, a blue mist of magic spills out.", "magic", "r_wrist", False),
    # a clause that goes on with the effect's verbs; a prop's face is the prop; what the kite trails;
    # a verb's particle is no resting place; a part of a prop; an effect verb "with" another effect
    ("A thin smoke rose up and curled around Pip's head.", "smoke", "head", False),
    ("The clock on the wall chimes and sparks fly from its face.", "sparks", "prop:clock", False),
    ("The kite trails blue smoke across the sky.", "smoke", "prop:kite", False),
    ("Mira switches on the lamp and dust drifts through its light.", "dust", None, False),  # the lamp only shows it
    ("The lantern handles smoke in the cold.", "smoke", "prop:lantern", False),
    ("The old sword blazes with magic.", "magic", "prop:sword", False),
    ("Steam wheezes out of Talos's hips.", "steam", "pelvis", False),
    # a building burning is a fire; an animal's nose is no character's head (a cat is a prop since
    # session 14: its own); clothes are the body; a phrase framing a sentence does not place what is said
    # of something the set cannot show
    ("Behind Pip, the old barn is burning.", "fire", None, True),
    ("The cat yawns and smoke puffs from its nose.", "smoke", "prop:cat", False),
    ("Steam rises from Mira's wet coat.", "steam", "chest", False),
    ("Under the moon, the wolf's fur shimmers with magic.", "magic", None, False),
    ("Sparks fizz from Talos's left ankle.", "sparks", "l_ankle", False),
    ("The soldiers fire their cannon and smoke rolls over the wall.", "smoke", None, False),
    # an unknown thing on a body part is there; up along someone; "it" as an emitter's subject; what
    # falls into water splashes the water; "past" is a way, not a place
    ("Smoke curls from the pipe in Talos's mouth.", "smoke", "head", False),
    ("Sparks run up Mira's left arm.", "sparks", "l_elbow", False),
    ("Pip kicks the lamp, and it spits a shower of sparks.", "sparks", "prop:lamp", False),
    ("The barrel rolls into the lake with a splash.", "splash", "horizon", False),
    ("Smoke drifts past the old tree.", "smoke", None, False),
    ("Ink spatters Pip's face.", "ink", "head", False),
    # the verb's object body part; a possessive prop before the prop; a heat glow; "water" as a modifier
    ("Sparks sting Mira's left hand.", "sparks", "l_wrist", False),
    ("The boat's lantern puffs out smoke.", "smoke", "prop:lantern", False),
    ("Sparks fly from the old water pump.", "sparks", None, False),  # "water" describes the pump
    ("Magic glitters on Pip's eyelashes.", "magic", "head", False),
    # a sneeze comes from the head; what someone wears is where they wear it; what falls into water
    # splashes the water; a thing sung to is not where something rests
    ("Talos sneezes a puff of smoke.", "smoke", "head", False),
    ("A glow of magic pulses from Mira's necklace.", "magic", "chest", False),
    ("Pip throws the ball into the pond, and it lands with a splash.", "splash", "horizon", False),
    ("Mira sings to the moon, and magic spills down from it.", "magic", "prop:moon", False),
    ("A fire roars in the fireplace all night.", None, None, False),  # the room's light
    # the body part "it" stands for; a part of the prop just named; a cloud raining on one head;
    # a splash in the sentence beside a dive into water; a ball of fire after a fronted phrase
    ("Close on Pip's left paw as green magic fizzes from it.", "magic", "l_wrist", False),
    ("Ben strums his guitar so hard that sparks fly off the strings.", "sparks", "prop:guitar", False),
    ("A tiny grey cloud follows Ben, raining only on his head.", "rain", "head", False),
    ("Pip cannonballs into the pond. Big splash, ripples out to the frame edge.", "splash", "horizon", False),
    ("Behind Talos, the old barn explodes.", "explosion", None, True),
    # a foot or boot with a side is that ankle; a shoulder; a street lamp is no street; what touches
    # the water splashes there, a boot that sinks into a bog splashes at its ankle; "from her left"; CLOSE ON
    ("Mira stamps her right foot and dust puffs up around it.", "dust", "r_ankle", False),
    ("Sparks crackle from Talos's left shoulder as his armor grinds.", "sparks", "l_shoulder", False),
    ("Sparks spit from the broken street lamp.", "sparks", "prop:lamp", False),
    ("A stone falls from the moon, and a splash rises where it touches the water.", "splash", "horizon", False),
    ("Ben's left boot sinks into the bog with a splash.", "splash", "l_ankle", False),  # the boot that lands (docs/world_labels.md)
    ("CLOSE ON: the candle on Mira's desk, a thin ribbon of smoke rising from it.", "smoke", "prop:candle", False),
    ("Far out at sea, the pirate ship blew up with a tremendous boom.", "explosion", "prop:ship", False),
])
def test_effect_anchors(text, kind, anchor, behind):
    effects = _line(text).effects
    if kind is None:
        assert not effects
        return
    (e,) = effects
    assert (e.kind.value, e.anchor, e.behind) == (kind, anchor, behind)


@pytest.mark.parametrize("text, reads", [
    ("Mist swirls in the bowl like a ghostly smoke.", {"weather": "fog", "effects": []}),  # a likeness
    ("Steam fogs the mirror.", {"weather": None, "effects": ["steam"]}),  # a verb: not the sky
    ("Quick as a spark, Mira grabs the rope.", {"weather": None, "effects": []}),  # a likeness
    ("A spray of sparks flies up.", {"weather": None, "effects": ["sparks"]}),  # the spray is their shape
    ("Talos's chest glows red.", {"weather": None, "effects": []}),  # heat, not magic
])
def test_likenesses_and_verbs_are_not_the_world(text, reads):
    line = _line(text)
    weather = line.setting.weather.value if line.setting.weather else None
    assert {"weather": weather, "effects": [e.kind.value for e in line.effects]} == reads


@pytest.mark.parametrize("text", [
    "Ada blows off steam by jogging laps around the park.",
    "Omar's temper explodes and he storms out of the tavern.",
    "The crowd explodes into applause.",
    "The team runs out of steam in the last minute.",
])
def test_an_idiom_is_said_of_a_person_and_not_drawn(text):
    line = _line(text)
    assert not line.effects and line.setting.weather is None


@pytest.mark.parametrize("text", [
    "Mira was afraid the old boat would explode if she lit the lantern.",
    "Ben poured a bucket of water on the campfire until the smoke was gone.",
    "The magic had worn off by morning.",
    "Rosa's cheeks were on fire when everyone sang to her.",
    "The explosion never comes.",
    "The sparks die away as Talos lowers his sword.",
    "The fire on Ben's left hand goes out.",
])
def test_an_effect_feared_put_out_or_ended_is_not_drawn(text):
    assert not _line(text).effects


@pytest.mark.parametrize("text, effects", [
    ("Pip stomps his left boot and snow sprays up from it.", [("snow", "l_ankle")]),  # the verb of the snow
    ("The pen bursts, and ink sprays over Mira's right knee.", [("ink", "r_knee")]),
    ("Fireworks burst in the sky above the fairground.", [("explosion", "sky")]),
    ("A tiny rain shower falls from inside Mira's open umbrella.", [("rain", "prop:umbrella")]),
    ("Ben burns the toast, and the whole kitchen fills with smoke.", [("smoke", None)]),
])
def test_what_sprays_bursts_or_burns(text, effects):
    assert sorted((e.kind.value, e.anchor) for e in _line(text).effects) == effects


@pytest.mark.parametrize("text, effects", [
    ("The old pirate ship explodes in the bay at midnight!", [("explosion", "prop:ship")]),
    ("The ship explodes in a huge blast on the horizon.", [("explosion", "prop:ship")]),  # the ship is what blows up
    ("Mira drops her phone in the river, splash!", [("splash", "horizon")]),
    ("A whale leaps out of the ocean and lands with a giant splash", [("splash", "horizon")]),
    ("Mira skids to a stop and smoke trails off her left sneaker", [("smoke", "l_ankle")]),
    ("The rocket blasts off in a huge cloud of smoke", [("smoke", None)]),
    ("Mira is on fire today, she scores five goals in a row", []),
    ("Pip strums his guitar and everyone says it's pure magic", []),
    ("Sparks fly between Talos and Mira at the cafe", []),
    ("Mira shakes the soda bottle and waits for it to explode", []),
    ("The barn is on fire and smoke pours into the yard.", [("fire", None), ("smoke", None)]),
])
def test_blown_up_props_water_shoes_and_figures_of_speech(text, effects):
    got = sorted((e.kind.value, "behind" if e.behind else e.anchor) for e in _line(text).effects)
    assert got == effects


@pytest.mark.parametrize("text", ["Mira's eyes flashed fire when Ben laughed.",
                                  "Ben was steaming with anger when his bicycle was gone."])
def test_a_glare_and_a_temper_are_not_drawn(text):
    assert not _line(text).effects


@pytest.mark.parametrize("text, place, time, weather", [
    ("As the sun goes down, Mira hangs a lantern on the barn door.", "farm", "dusk", None),
    ("Talos stands at the cliff edge, watching the sun come up over the sea.", "ocean-cliff", "dawn", None),
    ("A mystery in a quiet seaside village where every clock has stopped.", "village", None, None),
    ("Snow falls from Mira's open left hand onto the desert sand.", "desert", None, None),
    ("Pip's phone buzzes on the nightstand at three in the morning.", None, "night", None),
    ("The storm has passed, and the garden drips with fresh rain.", "garden", None, "clear"),
    ("Mira and Pip build a snowman in the backyard while flakes drift down.", "garden", None, "snow"),
    ("INT. GREAT HALL - NIGHT\nCandles line the banquet table.", "hall", "night", None),
])
def test_the_sun_going_down_a_seaside_village_and_a_heading_on_its_own_line(text, place, time, weather):
    test_setting_fields_from_a_line(text, place, time, weather)
    if "Candles" in text:
        assert [p.prop for p in _line(text).props] == ["candle", "table"]


@pytest.mark.parametrize("text, effects", [
    ("The campfire crackles on the beach while Talos plays his guitar.", [("fire", None)]),
    ("Smoke from the dying bonfire drifts over the moor at dawn.", [("smoke", None)]),
    ("A tiny rain cloud follows Pip around, raining on his head.", [("rain", "head")]),
    ("Snow whirls up from the ground around Talos as he lands.", [("snow", "ground")]),
    ("Magic shimmers along the scarf around Mira's neck.", [("magic", "neck")]),
])
def test_a_campfire_a_dying_fire_a_cloud_snow_thrown_up_and_a_neck(text, effects):
    assert sorted((e.kind.value, e.anchor) for e in _line(text).effects) == effects


def test_a_prop_held_in_a_relative_clause_and_wind_beside_a_flurry():
    line = _line("Sparks burst from the torch that Pip swung above his head.")
    assert [(p.prop, p.holder) for p in line.props] == [("torch", "pip")]
    line = _line("Snow tumbled from the branches of the old tree each time the wind shook it.")
    assert line.setting.weather.value == "wind" and [e.kind.value for e in line.effects] == ["snow"]


def test_two_hands_two_effects_and_a_real_fire_still_burns():
    line = _line("Mira's right hand crackled with sparks, and snow began to swirl from her left.")
    assert sorted((e.kind.value, e.anchor) for e in line.effects) == [("snow", "l_wrist"), ("sparks", "r_wrist")]
    assert line.setting.weather is None
    assert {e.kind.value for e in _line("Thick smoke pours out of the burning house.").effects} == {"smoke", "fire"}


def test_a_cloud_raining_on_one_head_is_no_weather():
    line = _line("A tiny grey cloud follows Ben around the market, raining only on his head.")
    assert line.setting.weather is None and [e.kind.value for e in line.effects] == ["rain"]
    assert [(e.kind.value, e.anchor) for e in _line("The barrel explodes into flames.").effects] == [
        ("explosion", "prop:barrel"), ("fire", "prop:barrel")]  # a real blast is still one


def test_a_fronted_place_and_a_ball_of_fire_share_one_source():
    line = _line("Behind Talos, the old barn explodes in a ball of fire.")
    assert sorted((e.kind.value, e.behind) for e in line.effects) == [("explosion", True), ("fire", True)]


def test_an_effect_listed_after_another_shares_its_source():
    line = _line("The lantern rattles, then explodes in a cloud of glass and sparks.")
    assert sorted((e.kind.value, e.anchor) for e in line.effects) == [("explosion", "prop:lantern"),
                                                                      ("sparks", "prop:lantern")]


def test_snow_out_of_a_thing_is_an_effect_there_not_the_sky():
    plan = _prose("Mira opens the old book on the table and snow swirls out of it.")
    shot = plan.shots[0]
    assert [(e.kind.value, e.anchor) for e in shot.effects] == [("snow", "prop:book")]
    assert shot.setting.weather.value != "snow"
    line = _line("Snow falls on the village while Pip watches the rain from the window.")
    assert line.setting.weather is not None and not line.effects  # the sky's, where it lands or is watched
    assert [e.kind.value for e in _line("Sparks rain down from the lamp.").effects] == ["sparks"]


def test_a_ball_of_fire_is_no_ball():
    line = _line("The barrel explodes in a ball of flame.")
    assert [p.prop for p in line.props] == ["barrel"]
    assert {(e.kind.value, e.anchor) for e in line.effects} == {("explosion", "prop:barrel"), ("fire", "prop:barrel")}


def test_a_hand_phrase_closing_the_clause_holds_the_prop():
    line = _line("The key starts to glow in Mira's fingers.")
    assert [(p.prop, p.holder) for p in line.props] == [("key", "mira")]
    assert [(e.kind.value, e.anchor) for e in line.effects] == [("magic", "prop:key")]


def test_opening_holds_only_what_a_hand_carries():
    assert [(p.prop, p.held) for p in _line("Pip opens the crate.").props] == [("crate", False)]
    assert [(p.prop, p.held) for p in _line("Pip opens the book.").props] == [("book", True)]


@pytest.mark.parametrize("text", ["The cannon fires twice across the bay.", "The soldiers open fire on the gate."])
def test_gunfire_is_not_a_fire(text):
    assert not _line(text).effects


def test_effects_in_the_plan_have_subject_and_strength():
    plan = _prose("Talos stands on the shore. A huge fire roars from his chest. A faint wisp of smoke curls from the sand.")
    fire, smoke = plan.shots[1].effects[0], plan.shots[2].effects[0]
    assert (fire.kind.value, fire.anchor, fire.character) == ("fire", "chest", "talos")
    assert 1.6 <= fire.strength <= 2.5 and 0.4 <= smoke.strength <= 0.7
    assert smoke.anchor == "ground" and smoke.character is None
    assert _line("The storm rages and the rain pours.").effects == []  # weather is weather, not an effect
    plan = _plan("title: t\nshots:\n - {id: a, description: Talos waits. Steam rises from the cup., characters: [talos]}\n"
                 " - {id: b, description: Steam rises from the cup., props: [lantern]}\n")
    a, b = plan.shots
    assert [p.prop for p in a.props] == ["cup"] and a.effects[0].anchor == "prop:cup"
    assert [p.prop for p in b.props] == ["lantern"] and b.effects[0].anchor is None  # the explicit list wins
    assert _line("The candles burn low.").effects == []  # a light doing its job


def test_explicit_effects_replace_extracted_ones_and_line_seconds():
    story = ("title: t\nshots:\n - {id: a, description: A fire roars from his chest., effects: [{kind: smoke}]}\n"
             " - {id: b, description: Hello there., speaker: talos, characters: [talos]}\n")
    plan = _plan(story, line_seconds=lambda text, who: 7.5)
    assert [e.kind.value for e in plan.shots[0].effects] == ["smoke"]
    plan2 = _plan(story.replace(", effects: [{kind: smoke}]", ""))
    assert [(e.kind.value, e.anchor) for e in plan2.shots[0].effects] == [("fire", "chest")]
    # explicit durations win; a line with no duration lasts at least its voice + 0.3 s
    prose = _plan("title: t\nfps: 24\nscript: |\n  INT. ROOM - DAY\n\n  TALOS\n  Hi.\n", line_seconds=lambda t, s: 4.0)
    assert prose.shots[-1].duration >= 4.3 - 1 / 24


def test_user_vocabulary_extends_the_places():
    vocab = builtin_vocabulary().model_copy(deep=True)
    vocab.places["lighthouse"] = ["lighthouse", "lamp room"]
    plan = _prose("Talos climbs into the lighthouse at night.", vocabulary=WorldVocabulary.model_validate(vocab.model_dump()))
    assert plan.shots[0].setting.place == "lighthouse"
    assert _prose("Talos climbs into the lighthouse at night.").shots[0].setting.place == "hills"


def _bench():
    spec = importlib.util.spec_from_file_location("world_extraction", REPO / "bench" / "world_extraction.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def held_out():
    bench = _bench()
    items, cast = bench.load_eval()
    assert len(items) >= 100
    res = bench.evaluate(items, cast)
    assert 0.2 <= res["held-out"]["lines"] / len(items) <= 0.4
    return res["held-out"]["fields"]


# measured on the held-out part below the 0.9 target (bench/results/world_extraction.json): where an
# effect comes from generalises worst; strict, so meeting the target flags it here
_BELOW_TARGET = pytest.mark.xfail(strict=True, reason="held-out figure below the 0.9 target; see the bench")


@pytest.mark.parametrize("field", ["place", "time_of_day", "props", "effect_kinds",
                                   # holders 0.909 / 0.952 on 667 held-out lines once ridden vehicles were
                                   # labelled ridden (session 13); session 14's blind batches move it across
                                   # the target (0.899 on 693, 0.900 on 714, 0.898 on 730): not strict
                                   pytest.param("holders", marks=pytest.mark.xfail(
                                       strict=False, reason="held-out holders recall hovers at the 0.9 target")),
                                   # weather precision 0.86 on 667 held-out lines (the setting batches were
                                   # asked for half traps: metaphors, idioms, names read as skies), 0.897 on
                                   # 825, 0.902 on 855 and 0.901 on 894 with session 15's four natural batches,
                                   # 0.896 on 931, 0.899 on 968 and 0.901 on 999 with its last six (s47's held-out
                                   # part read 0.714 unseen): it hovers at the target, not strict
                                   pytest.param("weather", marks=pytest.mark.xfail(
                                       strict=False, reason="held-out weather precision hovers at the 0.9 target")),
                                   pytest.param("effects", marks=_BELOW_TARGET)])
def test_held_out_figures_meet_the_target(held_out, field):
    fig = held_out[field]
    assert fig["stated"] >= 10 and fig["recall"] >= 0.9 and fig["precision"] >= 0.9, fig


def test_effect_anchors_held_out_keep_the_rankers_gain(held_out):
    # session 16: 0.812 / 0.807 with the rules alone on the 999 lines held out at its start, 0.859 / 0.858 with
    # the learnt ranker; on all 1214 held out now 0.852 / 0.846
    fig = held_out["effects"]
    assert fig["recall"] >= 0.83 and fig["precision"] >= 0.83, fig


def test_a_held_prop_stays_in_hand_for_the_scene():
    text = ("EXT. SHORE - NIGHT\n\nMIRA raises the lantern.\n\nMIRA\nLook!\n\nTALOS\nI see.\n\n"
            "MIRA picks up the book.\n\nMIRA sets the lantern on the rock.\n\nMIRA\nDone.\n\n"
            "INT. KITCHEN - NIGHT\n\nMIRA\nHome.\n")
    plan = _plan("title: t\nfps: 12\nscript: |\n" + "".join(f"  {ln}\n" for ln in text.splitlines()))
    held = [sorted((p.prop, p.holder, p.hand) for p in s.props if p.holder) for s in plan.shots]
    assert held[1] == [("lantern", "mira", "right")]  # her line: still in her hand
    assert held[2] == []  # Talos's close shot: Mira is not in it
    assert held[3] == [("book", "mira", "left"), ("lantern", "mira", "right")]  # the other hand
    assert held[4] == [("book", "mira", "left")] and held[5] == [("book", "mira", "left")]  # lantern put down
    assert held[6] == []  # a new scene


def test_llm_shots_lose_unknown_world_ids():
    from talos_assets.agents.direction.scene_world import known_world_ids
    from talos_assets.spec import ShotInput

    shots = [ShotInput(id="a", description="x", place="moonbase", props=["lantern", "laser"]),
             ShotInput(id="b", description="y", place="shore")]
    a, b = known_world_ids(shots, direction.vocabulary_index())
    assert a.place is None and a.props == ["lantern"] and b.place == "shore"


def test_an_interior_keeps_outdoor_props_out_of_the_room():
    plan = _plan("title: t\nscript: |\n  INT. LANTERN ROOM - NIGHT\n\n  Far below, a ship turns toward the light. "
                 "TALOS sets the lantern on the table.\n")
    props = {p.prop for s in plan.shots for p in s.props}
    assert "ship" not in props and "lantern" in props
    assert all(s.setting.interior for s in plan.shots)


def test_prose_names_the_studio_characters_it_mentions():
    plan = _plan("title: t\nscript: Mira raises the lantern high. Talos watches her.\n")
    first = plan.shots[0]
    assert "mira" in first.characters
    assert [(p.prop, p.holder) for p in first.props] == [("lantern", "mira")]


@pytest.mark.parametrize("text, prop, holder", [
    ("Mira sips a cloudy cider from a tall mug at the pub.", "cup", "mira"),  # drunk from: in hand
    ("Talos mists the ferns in the greenhouse with a spray bottle.", "bottle", "talos"),  # one describing word
    ("Pip hides under the bed with a flashlight.", "torch", "pip"),  # under the bed: his, not the bed's
    ("Mira sits at the kitchen table with a cup of tea.", "cup", None),  # the table's
])
def test_a_cup_drunk_from_and_a_thing_carried_with_one_describing_word_are_held(text, prop, holder):
    (use,) = [p for p in _line(text).props if p.prop == prop]
    assert (use.holder if use.held else None) == holder


@pytest.mark.parametrize("text, weather, effects", [
    ("Heavy rain pours from the sky onto the farmyard at dusk.", "rain", []),  # the sky's, not one thing's
    ("Snow swirls out of the open book.", None, ["snow@prop:book"]),  # one thing's
    ("Fire crackles in an old barrel, and smoke rises from it.", None, ["fire@prop:barrel", "smoke@prop:barrel"]),
    ("Dust streams behind Mira's bike as she pedals down the road.", None, ["dust@prop:bicycle"]),
])
def test_rain_from_the_sky_smoke_from_the_barrel_it_is_in_and_dust_behind_a_bike(text, weather, effects):
    line = _line(text)
    assert (line.setting.weather.value if line.setting.weather else None) == weather
    got = [e.kind.value + (f"@{e.anchor}" if e.anchor else ("@behind" if e.behind else "")) for e in line.effects]
    assert sorted(got) == sorted(effects)


def test_a_prop_a_name_is_holding_after_it_is_held():
    (letter,) = _line("Ink bleeds across the letter Mira is holding.").props
    assert letter.held and letter.holder == "mira"


def test_a_splash_an_animal_shakes_off_is_the_animal_s_and_a_clear_afternoon_is_clear():
    line = _line("The puppy shakes itself dry beside the pond, splashing water everywhere.")
    assert [(e.kind.value, e.anchor) for e in line.effects] == [("splash", "prop:dog")]
    assert _line("Mira sits on a bench in the market square on a clear afternoon.").setting.weather.value == "clear"


def test_a_fronted_sky_is_the_weather_not_where_an_effect_is_and_a_shining_sun_is_clear():
    line = _line("Under a cloudless sky, dust billows behind Mira's horse as she gallops across the dunes.")
    assert [(e.kind.value, e.anchor) for e in line.effects] == [("dust", "prop:horse")]
    assert line.setting.weather.value == "clear"
    assert _line("The sun was shining on the farm.").setting.weather.value == "clear"


@pytest.mark.parametrize("text, time, weather", [
    ("\"Good morning, everyone!\" Pip whispers, creeping into the dark nursery at midnight.", "night", None),
    ("It was a good morning for fishing on the lake.", "morning", None),
    ("Ben hums 'Stormy Weather' while he sweeps the tavern floor.", None, None),
    ("Mira sings in the rain on the village green.", None, "rain"),
])
def test_a_greeting_or_a_song_title_is_not_the_hour_or_the_sky(text, time, weather):
    s = _line(text).setting
    assert (s.time_of_day.value if s.time_of_day else None) == time
    assert (s.weather.value if s.weather else None) == weather


def test_rain_dripping_from_the_branches_and_a_campfire_under_a_starry_sky():
    wet = _line("EXT. FOREST - NIGHT. Rain drips from the branches as Talos raises his lantern.")
    assert wet.setting.weather.value == "rain"
    fire = _line("Late at night in the clearing, Lena and Ben sit by a crackling campfire under a starry sky.")
    assert fire.setting.weather.value == "clear" and [(e.kind.value, e.anchor) for e in fire.effects] == [("fire", None)]


@pytest.mark.parametrize("text, time, weather", [
    ("Make a story where Mira gets lost in a foggy forest at dusk.", "dusk", "fog"),  # the prompt's story is the scene
    ("A painting of a foggy forest hangs in the hall.", None, None),  # a picture is not the sky
    ("Ben's boat, the Midnight Star, bobs beside the dock on a quiet afternoon.", "afternoon", None),  # a boat's name
])
def test_a_prompt_s_story_is_the_scene_and_a_boat_s_name_is_no_hour(text, time, weather):
    s = _line(text).setting
    assert (s.time_of_day.value if s.time_of_day else None) == time
    assert (s.weather.value if s.weather else None) == weather


@pytest.mark.parametrize("text, place, weather, props, effects", [
    ("Her heart is on fire with pride as the band plays.", None, None, [], []),  # a feeling, not flames
    ("Pip ducks as an explosion shakes the quarry.", None, None, [], ["explosion"]),  # a clause, not "quick as a spark"
    ("Ben's dog barks as an explosion rocks the valley.", "hills", None, ["dog"], ["explosion"]),  # no blast from a dog
    ("Steam hisses from cracks in the floor of the cave.", "cave", None, [], ["steam@ground"]),  # openings in the ground
    ("Smoke curls from the tip of her left thumb.", None, None, [], ["smoke@l_wrist"]),  # a part of a named body part
    ("Plaster dust rains down from the ceiling.", None, None, [], ["dust"]),  # a verb, not the sky
    ("A horse-drawn sleigh glides past the mill.", None, None, ["horse"], []),
    ("Ada reads the table of contents aloud.", None, None, [], []),
    ("Omar fires the old rifle and smoke drifts from its barrel.", None, None, [], ["smoke"]),  # the gun's, not a barrel
    ("From the clifftop, Lena watches the sea crash far below.", "ocean-cliff", None, [], []),  # the cliff's set shows the sea
    ("Omar snuffs the candles and smoke curls up from them.", None, None, ["candle"], ["smoke@prop:candle"]),
    ("The road cracks open and steam pours from the gap.", None, None, [], ["steam@ground"]),
    ("A blast of steam knocks Ben's hat off.", None, None, [], ["steam"]),  # not an explosion
    ("The old boat steams out of the bay at dawn.", "shore", None, ["boat"], []),  # it travels
    ("Rosa's inbox explodes with emails.", None, None, [], []),
    ("The cart rattles over the old stone bridge.", None, None, [], []),  # what the bridge is built of
    ("Pip climbs onto the fence and waves at the boat.", None, None, ["fence", "boat"], []),  # a hand, not the sea
    ("Lena claps her left hand and a puff of flour dust jumps up.", None, None, [], ["dust@l_wrist"]),  # a gesture
    ("Ben unbuttons the flap on his chest and a wisp of smoke escapes.", None, None, [], ["smoke@chest"]),
    ("Pip kicks with his right foot and sparks fly from his boot.", None, None, [], ["sparks@r_ankle"]),  # that foot
    ("Mira's silver hand glows and magic drips from it.", None, None, [], ["magic@r_wrist"]),  # "it": the hand
    ("The rock face cracks open, and fire pours from the gap.", None, None, [], ["fire"]),  # not "open fire"
    ("Omar pictured the old mill exploding.", None, None, [], []),  # only pictured
    ("The news sets off an explosion of cheers.", None, None, [], []),
    ("The baker is steaming mad.", None, None, [], []),
    ("Ada raises her left hand, and frost magic curls from her fingertips.", None, None, [], ["magic@l_wrist"]),
    ("Ben plays his guitar by the bonfire while sparks drift upward.", None, None, ["guitar"], ["fire", "sparks"]),
    ("Rosa lands hard on the ice, and a spray of snow bursts up.", None, None, [], ["snow"]),  # thrown up: an effect, not the sky
    ("Three swans land on the lake, throwing up spray.", "lake", None, ["bird"], ["splash@horizon"]),  # on the water
    ("Pip skims a pebble across the pond and it sinks with a splash.", "lake", None, [], ["splash@horizon"]),
    ("Ada waves her wand and sends a flurry of snow over the hedge.", None, None, [], ["snow@r_wrist"]),  # hers, not the sky's
    ("The morning sun glints off the river.", "river", "clear", [], []),
    ("Omar lights a lamp. Smoke curls from its chimney.", None, None, ["lamp"], ["smoke@prop:lamp"]),  # the sentence before
    ("Talos lifts his left arm. Steam hisses from the joint.", None, None, [], ["steam@l_elbow"]),
    ("A cloud of dust rose around her left knee.", None, None, [], ["dust@l_knee"]),  # "rose": a verb
    ("The sky was clear, and glittering magic fell from it.", None, "clear", [], ["magic@sky"]),
    ("Pip wondered if the rocket might set the barn on fire.", None, None, [], []),  # only wondered
    ("The sled skims the frozen lake, its runners kicking up spray.", "lake", None, [], ["splash@horizon"]),
    ("The bonfire crackles, and sparks drift past the flags strung between the trees.", None, None, ["tree"],
     ["fire", "sparks"]),  # where they head, not where they come from
    ("Ada quenches the glowing horseshoe in a bucket and steam hisses up.", None, None, [], ["steam"]),  # hot iron
    ("Pip's hair frizzles where the spell backfired.", None, None, [], []),  # the mishap, not a spell drawn
    ("Rosa tosses a pebble into the moat and it sinks with a splash.", "castle", None, [], ["splash@horizon"]),
    ("Mira's breath steamed in the frosty air.", None, None, [], ["steam@head"]),
    ("Ada stamps her left foot. Dust puffs from under her boot.", None, None, [], ["dust@l_ankle"]),  # the foot named before
    ("The sun is merciless over the dunes.", "desert", "clear", [], []),
])
def test_feelings_clauses_openings_in_the_ground_and_things_that_are_not_props(text, place, weather, props, effects):
    line = _line(text)
    assert line.setting.place == place
    assert (line.setting.weather.value if line.setting.weather else None) == weather
    assert sorted(p.prop for p in line.props) == sorted(props)
    got = [e.kind.value + (f"@{e.anchor}" if e.anchor else ("@behind" if e.behind else "")) for e in line.effects]
    assert sorted(got) == sorted(effects)


@pytest.mark.parametrize("text,effects", [
    ("Ben lights the candle by his bed, and the little flame burned steady until dawn.", []),  # a light, past tense
    ("Rosa lifts the lantern, its flame burning low behind the glass.", []),
    ("Omar was steaming at the ears when the train was late again.", []),  # a temper
    ("Nobody would ever light a fire in the hay barn.", []),
    ("The campfire had burned down, and a thin curl of smoke remained.", ["smoke"]),  # ended; its smoke stays
    ("The campfire smoke drifted over the tents.", ["smoke"]),  # smoke, named by what gives it off
    ("Lena's horse gallops off, a spray of dry sand flying up behind her.", ["dust@prop:horse"]),  # sand is dust; the mount throws it
])
def test_lights_tempers_ended_fires_and_dry_spray(text, effects):
    got = [e.kind.value + (f"@{e.anchor}" if e.anchor else ("@behind" if e.behind else "")) for e in _line(text).effects]
    assert sorted(got) == sorted(effects)


@pytest.mark.parametrize("text,place,time,effects", [
    ("EXT. HARBOR - NIGHT Pip waves a lantern at the boats.", "harbor", "night", []),  # a heading run into its prose
    ("EXT. SNOWY PEAKS - DAWN Talos climbs, steam hissing from his chest.", "snowy-peaks", "dawn", ["steam@chest"]),
    ("The explosion happened only in Ben's dreams.", None, None, []),
    ("Make a story about a wizard who loses his magic.", None, None, []),
    ("The old steam engine blew apart with a bang.", None, None, ["explosion"]),  # a machine, blown apart
    ("Omar fires a flare over the bay.", "shore", None, []),  # a signal, not flames
    ("Lena skids to a stop, snow dust spraying up behind her.", None, None, ["dust@behind"]),  # no snowfall
    ("Mira's right boot stamps the drift and a spray of snow bursts around it.", None, None, ["snow@r_ankle"]),  # thrown up
    ("The campfire had long since died when Pip woke.", None, None, []),
    ("The dust had settled by the time the riders came back.", None, None, []),  # ("the dust settles" is still there)
    ("The dust settles slowly over the empty road.", None, None, ["dust"]),
    ("The explosion in the mine was years ago.", "cave", None, []),
    ("Pip ducks behind the wall and fires back!", None, None, []),  # a shot
    ("Mira's legs are burning as she climbs the last stairs.", None, None, []),  # tired legs
    ("The fire was out, and not a single thread of smoke rose from the ashes.", None, None, []),
])
def test_run_on_headings_things_not_happening_machines_flares_and_snow_dust(text, place, time, effects):
    line = _line(text)
    assert line.setting.place == place
    assert (line.setting.time_of_day.value if line.setting.time_of_day else None) == time
    assert line.setting.weather is None or "snow dust" not in text
    got = [e.kind.value + (f"@{e.anchor}" if e.anchor else ("@behind" if e.behind else "")) for e in line.effects]
    assert sorted(got) == sorted(effects)


def test_a_go_kart_is_a_car():
    line = _line("Pip's go-kart skids round the bend, sparks spitting from its underside.")
    assert [p.prop for p in line.props] == ["car"]
    assert [(e.kind.value, e.anchor) for e in line.effects] == [("sparks", "prop:car")]


def test_he_or_she_stands_for_the_one_character_the_sentence_named():
    assert [(p.prop, p.holder) for p in _line("Pip's hands shake as he lifts the lantern.").props] == [("lantern", "pip")]
    two = _line("Pip waves to Mira as she lifts the lantern.").props
    assert [(p.prop, p.held, p.holder) for p in two] == [("lantern", True, None)]  # two named: the pronoun's own
