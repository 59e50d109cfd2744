"""Prism's world reading: the place, time of day, weather, season and light sources one line states.

Works on prose sentences, shot descriptions and screenplay scene headings (`EXT. MARKET SQUARE -
DAY`). Places come from the world vocabulary (`vocabulary.py`); time, weather, season and light come
from the word tables below. Each field is only claimed when the line states it: a negated term
("no wind tonight", "not yet night") claims nothing, an ended weather ("the rain had stopped")
claims a clear sky, and a contrast keeps its positive half ("not raining but snowing"). When a
line names several places, the one it puts the action in wins (after "into", "in", "on"...) over
one it only looks toward or leaves. An unknown heading place falls back to the nearest set by
spelling, else hills outdoors and a room indoors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from talos_assets.agents.direction.effect_anchor_model import AnchorRanker
from talos_assets.agents.direction.effect_containers import opened_source
from talos_assets.agents.direction.effect_owners import (
    animal_owned,
    cast_owned,
    held_left,
    held_source,
    mounts_trail,
    shaken_off,
    waved_source,
)
from talos_assets.agents.direction.effect_phrases import after_dry_stuff
from talos_assets.agents.direction.effect_words import EMITS, FLURRY_VERBS
from talos_assets.agents.direction.effects_text import EFFECT_INDEX, EffectReading, effect_shapes, rank_anchors, read_effects
from talos_assets.agents.direction.props_text import PropReading, read_props
from talos_assets.agents.direction.sky_now import earlier, not_the_sky_now, plural_time, remembered_place
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import (
    MOTION_PARTICLES,
    PREPOSITIONS,
    Match,
    PhraseIndex,
    Token,
    ended,
    negated,
    negated_after,
    preceding,
    tokenize,
)
from talos_assets.spec import Season, TimeOfDay, Weather

TIME_WORDS: dict[TimeOfDay, list[str]] = {
    TimeOfDay.dawn: ["dawn", "daybreak", "sunrise", "sunup", "first light", "break of day", "sun rise", "sun rose",
                     "rising sun", "crack of dawn", "early light", "sun come up", "sun comes up", "sun came up",
                     "sun coming up"],
    TimeOfDay.morning: ["morning", "forenoon", "breakfast", "mid-morning"],
    TimeOfDay.noon: ["noon", "midday", "high noon", "noonday", "sun is high", "broad daylight", "daylight",
                     "lunchtime", "day", "daytime", "eat lunch", "eats lunch", "eating lunch", "have lunch",
                   "has lunch", "having lunch", "at lunch", "over lunch"],
    TimeOfDay.afternoon: ["afternoon", "late afternoon", "teatime", "after lunch"],
    TimeOfDay.dusk: ["dusk", "sunset", "twilight", "evening", "sundown", "nightfall", "gloaming", "golden hour",
                     "sun set", "setting sun", "sun sink", "sun go down", "sun went down", "magic hour",
                     "sun goes down", "sun going down", "sun was going down", "sun is going down",
                     "eat dinner", "eats dinner", "at dinner", "over dinner", "eats supper", "at supper"],
    TimeOfDay.night: ["night", "midnight", "tonight", "nighttime", "night-time", "under the stars", "stars",
                      "starry", "starlight", "moonlight", "moonlit", "moon", "full moon", "after dark",
                      "one in the morning", "two in the morning", "three in the morning", "four in the morning",
                      "small hours", "wee hours",
                      "darkness falls", "overnight", "late night"],
}
# a bare "day" is only a time in a heading ("EXT. FIELD - DAY"); in prose "one day" says nothing
_HEADING_ONLY = {"day", "daytime"}
WEATHER_WORDS: dict[Weather, list[str]] = {
    Weather.clear: ["sunny", "sunshine", "cloudless", "clear sky", "clear skies", "not a cloud", "blue sky",
                    "starry sky", "starry night", "starlit sky",
                    "bright sun", "clear day", "clear night", "clear morning", "clear evening", "sun-drenched",
                    "fair weather", "clouds part", "clouds parted", "clouds break", "clouds clear",
                    "sun breaks through", "sun broke through", "windless", "sun blazes", "blazing sun",
                    "scorching sun", "sun beats down", "sun shines", "sun shone", "sun is shining", "sun was shining",
                    "shining sun", "sun glints", "sun glinted", "sun glitters", "sun sparkles", "sun blazed",
                    "sun beat down", "sunlit", "merciless sun", "sun is merciless", "sun was merciless",
                    "relentless sun", "sun is relentless"],
    Weather.cloudy: ["cloud", "cloudy", "overcast", "grey sky", "gray sky", "clouded", "grey morning",
                     "gray morning", "grey day", "gray day", "grey dawn", "leaden sky", "dull sky"],
    Weather.rain: ["rain", "raining", "rainy", "drizzle", "drizzling", "drizzly", "downpour", "raindrop", "rainfall",
                   "pouring rain", "rainstorm", "first drops", "first few drops", "first raindrops", "fat drops"],
    Weather.storm: ["storm", "stormy", "thunder", "thunderstorm", "lightning", "tempest", "thunderclap",
                    "hurricane", "typhoon"],
    Weather.snow: ["snow", "snowing", "snowfall", "snowflake", "blizzard", "sleet", "snowstorm", "flurries",
                   "flakes drift", "flakes fall", "flakes falling", "flakes swirl", "flakes tumble",
                   "snowy", "snow-covered", "snow covered", "snowbound"],
    Weather.fog: ["fog", "foggy", "mist", "misty", "haze", "hazy", "murk"],
    Weather.wind: ["wind", "windy", "gale", "breeze", "gust", "blustery", "windswept", "breezy", "gusty"],
}
# when a line names several weathers, the strongest is the sky it leaves (rain and thunder = storm)
_WEATHER_RANK = [Weather.storm, Weather.snow, Weather.rain, Weather.fog, Weather.wind, Weather.cloudy, Weather.clear]
SEASON_WORDS: dict[Season, list[str]] = {
    Season.spring: ["springtime", "in spring", "in the spring", "spring morning", "spring day", "spring night",
                    "spring evening", "spring air", "spring rain", "spring sun", "early spring", "late spring",
                    "this spring", "last spring", "next spring"],
    Season.summer: ["summer", "summertime", "midsummer", "summery"],
    Season.autumn: ["autumn", "autumnal", "in the fall", "in fall", "this fall", "last fall"],
    Season.winter: ["winter", "wintry", "wintertime", "midwinter"],
}
LIGHT_WORDS: dict[str, list[str]] = {
    "lamp": ["lamp", "lamplight", "lamppost", "lightbulb", "light bulb", "chandelier", "street lamp"],
    "candle": ["candle", "candlelight", "candlestick"],
    "fire": ["fire", "fireplace", "hearth", "campfire", "bonfire", "firelight", "fireside", "flame"],
    "window": ["window"],
    "lantern": ["lantern", "lanternlight"],
    "torch": ["torch", "torchlight", "flashlight"],
    "screen": ["screen", "monitor", "television", "tv"],
}
# effect nouns that make the next "rain"/"snow" a verb ("sparks rain from the sky")
_RAINING_THINGS = {"smoke", "sparks", "embers", "ash", "ashes", "arrows", "petals", "stones", "blows", "tears", "fire",
                   "flames", "debris", "rocks", "bombs", "confetti", "coins", "leaves", "feathers", "glitter", "crumbs",
                   "pebbles", "bullets", "apples", "blossoms", "sand", "dust", "dirt", "rubble",
                   "plaster", "splinters", "shards", "gravel", "water", "drops", "droplets", "soot", "cinders"}
_STRONG_PLACE = {"into", "onto", "reaches", "reach", "reached", "enters", "enter", "entered", "arrives", "arrive",
                 "arrived", "to"}
_AT_PLACE = {"in", "at", "on", "inside", "through", "across", "along", "by", "beside", "near", "under", "over",
             "within", "around", "outside", "upon", "past", "among", "aboard", "down", "up"}
_AWAY_PLACE = {"from", "leaves", "leave", "left", "toward", "towards", "off", "beyond", "of"}
_SKIP_BEFORE_PLACE = {"the", "a", "an", "his", "her", "their", "its", "old", "quiet", "little", "great", "dark",
                      "crowded", "warm", "cold", "distant", "empty", "busy", "narrow", "wide", "deep", "snowy",
                      "ruined", "ancient", "abandoned", "small", "big", "vast", "lonely", "green"}
_NOT_TIMES = {"paper", "papers", "newspaper", "news", "edition", "shift", "class", "classes", "school", "show",
              "train", "bus", "gown", "dress", "routine", "prayers", "jog", "run", "person"}
_MAGIC_MARKS = {"glowing", "magic", "magical", "shimmering", "enchanted", "sparkling"}
_SKY_NOUNS = {"sky", "skies", "night", "day", "morning", "evening", "air", "weather", "afternoon", "dawn", "dusk", "noon"}
_SUBJECT_PRONOUNS = {"he", "she", "it", "they", "who", "i", "we", "you"}
_INLINE_HEADING = re.compile(r"^\s*([^a-z\n]+?)(?:\.[ \t]+|[ \t]*\n\s*)(?=[A-Z]?[a-z]|[A-Z]\s+[a-z])")
# "EXT. MARKET SQUARE - DAY Talos clanks past": a heading whose time of day runs straight into the prose
_RUN_ON_HEADING = re.compile(r"^\s*([^a-z\n]+?\s[-\u2013\u2014]\s*(?:DAY|NIGHT|DAWN|DUSK|MORNING|EVENING|AFTERNOON|NOON|"
                             r"MIDNIGHT|SUNSET|SUNRISE|CONTINUOUS|LATER|MOMENTS LATER))[ \t]+(?=[A-Z][a-z])")
_HEADING_RE = re.compile(r"^\s*\.?(INT\.?/EXT\.?|INT/EXT|I/E|INT\.?|EXT\.?|EST\.?)[\s.]+(.*)$", re.IGNORECASE)


def _index(table: dict) -> PhraseIndex:
    return PhraseIndex((w, key.value if hasattr(key, "value") else key) for key, ws in table.items() for w in ws)


_TIME_SINGULARS = {w for ws in TIME_WORDS.values() for w in ws if " " not in w}
_TIME, _WEATHER, _SEASON, _LIGHT = _index(TIME_WORDS), _index(WEATHER_WORDS), _index(SEASON_WORDS), _index(LIGHT_WORDS)


@dataclass
class SettingReading:
    """What one line states about its world; None = not stated. `place_strength`: 3 = the action
    moves there ("into the forest"), 2 = it happens there ("in the forest"), 1 = named, 0 = only
    looked at or left; `place_from`: text, heading or fallback."""

    place: str | None = None
    place_strength: int = 0
    place_from: str = "text"
    time_of_day: TimeOfDay | None = None
    weather: Weather | None = None
    season: Season | None = None
    interior: bool | None = None
    light_sources: list[str] = field(default_factory=list)
    place_tokens: set[int] = field(default_factory=set)


def _place_strength(tokens: list[Token], m: Match) -> int:
    for w in preceding(tokens, m.start, window=4):
        if w in _SKIP_BEFORE_PLACE:
            continue
        if w in _STRONG_PLACE:
            return 3
        if w in _AT_PLACE:
            return 2
        if w in _AWAY_PLACE:
            return 0
        return 1
    return 1


def _of_place(tokens: list[Token], m: Match, matches: list[Match], interiors: set[str]) -> Match:
    """ "the roof of the garage": an interior named after "of" is where the line is (but "the
    rooftops of the town" stay on the rooftops)."""
    j = m.end
    if j < len(tokens) and tokens[j].text == "of":
        j += 1
        while j < len(tokens) and tokens[j].text in _SKIP_BEFORE_PLACE:
            j += 1
        return next((n for n in matches if n.start == j and n.key in interiors), m)
    return m


_SETTLEMENTS = {"village", "market", "castle", "harbor", "farm", "city-street", "library", "bar", "ruins"}


def _verb_after_plural(tokens: list[Token], m: Match) -> bool:
    """ "tears stream down her cheeks", "lights stream through the window": a verb, not a place."""
    if m.start == 0 or m.end >= len(tokens) or m.end - m.start != 1:
        return False
    before, after = tokens[m.start - 1], tokens[m.end]
    return before.clause == tokens[m.start].clause and before.text.endswith("s") and after.text in MOTION_PARTICLES \
        and before.text not in _SKIP_BEFORE_PLACE | _AT_PLACE | _AWAY_PLACE | {"is", "was", "has", "its", "this"}


def _waving(tokens: list[Token], m: Match) -> bool:
    """ "... and waves at the passing trains": a hand waved, not the sea."""
    after = tokens[m.end].text if m.end < len(tokens) else ""
    return tokens[m.start].text in ("waves", "waved") and after in ("at", "to", "goodbye", "hello", "back", "off", "from",
                                                                   "her", "his", "their", "a", "an")  # "waves her wand"


def read_place(tokens: list[Token], index: VocabularyIndex,
               subjects: set[str] = frozenset()) -> tuple[str | None, int, set[int]]:
    """(set id, strength, tokens the place phrases cover) of the place the line puts its action in;
    `subjects` are names after which a place word is a verb ("Ada waves", "smoke streams")."""
    found = index.places.find(tokens)
    verbs = _SUBJECT_PRONOUNS | subjects
    nouns = {m.end for ix in (EFFECT_INDEX, _WEATHER) for m in ix.find(tokens)  # not adjectives: "snowy fields"
             if not tokens[m.end - 1].text.endswith(("y", "ed")) and "-" not in tokens[m.end - 1].text}
    matches = [m for m in found if not negated(tokens, m.start)
               and not (m.start and tokens[m.start - 1].text in verbs)
               and not (m.start in nouns and tokens[m.start].text.endswith("s"))
               and not _verb_after_plural(tokens, m)
               and not _waving(tokens, m)
               and not remembered_place(tokens, m.start)]  # "Talos remembers the night the river flooded"
    # "a seaside village", "a mountain town": the settlement ("the desert sand", "the garage roof" keep the first)
    matches = [m for m in matches if not any(n.start == m.end and n.key in _SETTLEMENTS for n in matches)]
    covered = {i for m in found for i in range(m.start, m.end)}
    if not matches:
        return None, 0, covered
    scored = [(_place_strength(tokens, m), -k, m) for k, m in enumerate(matches)]
    strength, _, best = max(scored, key=lambda s: (s[0], s[1]))
    cliff = next((m for m in matches if m.key == "ocean-cliff"), None)
    if best.key == "shore" and cliff is not None:
        best = cliff  # "wind tears at the clifftop as a boulder tumbles into the sea": the cliff's set shows the sea
    return _of_place(tokens, best, matches, index.interiors).key, strength, covered


_SENDS = {"sends", "send", "sent", "sending", "casts", "cast", "conjures", "conjured", "summons", "summoned", "hurls",
          "flings", "throws", "threw", "blows", "blew"}  # "she sends a flurry of snow swirling": hers, not the sky's
_THROWN_UP = {"spray", "burst", "puff", "plume", "spurt", "fountain", "wave", "wall", "geyser", "jet", "spatter"}
_FOGGING = {"fogs", "fogged", "mists", "misted", "hazes"}
_GREY = {"grey", "gray", "leaden", "overcast", "pewter", "slate"}
_OBJECT_OPENERS = {"the", "a", "an", "his", "her", "their", "its", "up", "over"}


def _weather_matches(tokens: list[Token], taken: set[int]) -> list[tuple[Weather, bool]]:
    """(weather, ended) for every weather term the line states (negated ones left out)."""
    out = []
    for m in _WEATHER.find(tokens, taken):
        w = Weather(m.key)
        words = [t.text for t in tokens]
        if m.end < len(words) and words[m.end] == "of" and tokens[m.end].clause == tokens[m.start].clause:
            continue  # "clouds of smoke", "a storm of sparks": not the sky
        if w in (Weather.rain, Weather.snow) and m.start > 0 and words[m.start - 1] in _RAINING_THINGS:
            continue  # "sparks rain from the sky": a verb
        if _rains_things(tokens, m):
            continue  # "Rosa rains kisses on the puppy": a verb with its object
        if m.start > 0 and words[m.start - 1] in _MAGIC_MARKS:
            continue  # "a glowing mist": an effect, not the weather
        if words[m.start] in _FOGGING and m.end < len(words) and words[m.end] in _OBJECT_OPENERS:
            continue  # "steam fogs the window": a verb with its object, not the sky
        if w in (Weather.rain, Weather.snow) and m.start >= 2 and words[m.start - 1] == "of" \
                and (words[m.start - 2] in _THROWN_UP or _SENDS & set(words[max(0, m.start - 5):m.start - 2])):
            continue  # "a spray of snow bursts around it": thrown up, not falling from the sky
        if w in (Weather.rain, Weather.snow) and _out_of_one_thing(tokens, m):
            continue  # "snow whirls out of the cracked globe", "a wall of snow thrown up": not the sky's
        if words[m.start].endswith(("y", "ed")) and _NOT_THE_SKY & {t.text for t in tokens if t.clause == tokens[m.start].clause}:
            continue  # "her memory of that summer is foggy"
        if m.end < len(words) and words[m.end] in _WEATHER_COMPOUNDS \
                and not (words[m.end] in ("forest", "forests") and words[m.start] != "rain"):
            continue  # "the snow queen", "a snow globe", "the rain forest": a thing, not the sky ("a foggy forest" is)
        if words[m.start] in ("cloud", "haze") and _after_an_effect(tokens, m) \
                or words[m.start] == "clouds" and after_dry_stuff(tokens, m.start) \
                or words[m.start] in ("clouds", "clouded") and EFFECT_INDEX.find(tokens[max(0, m.start - 1):m.start]):
            continue  # "steam billows ... and he is lost in the white cloud", "steam clouds the window": the effect's
        if not_the_sky_now(tokens, m.start, m.end):
            continue  # "like rain", "a recording of rain", "the rainy days of her childhood"
        if negated(tokens, m.start) or negated_after(tokens, m.end):
            continue
        gone = ended(tokens, m.end) or "after" in preceding(tokens, m.start) or earlier(tokens, m.start) \
            or (m.start and words[m.start - 1] in ("with", "fresh") and w in (Weather.rain, Weather.snow))
        # "the garden drips with fresh rain": what the rain left, as after it
        out.append((w, gone))  # "after the storm", "last night's rain"
    return out


_WEATHER_COMPOUNDS = {"dust", "queen", "king", "globe", "globes", "leopard", "owl", "man", "men", "boots", "plough", "plow",
                      "angel", "angels", "cone", "machine", "gauge", "barrel", "coat", "coats", "forecast", "dance",
                      "festival", "festivals", "drain", "drains", "check", "checks",
                      "chimes", "chime", "hat", "hats", "stick", "sticks", "lantern", "lanterns", "cape", "poncho", "forest", "forests", "water", "white",
                      "fast", "horn", "lights", "lamp", "lamps", "side", "nine", "instrument", "instruments",
                      "trooper", "troopers", "tunnel", "cellar", "shelter", "door", "doors", "chaser",
                      "chasers", "warning", "warnings", "jacket", "jackets", "gear", "suit", "ball", "balls", "fort",
                      # a person's weather: "a sunny smile", "a stormy look", "a foggy memory"
                      "smile", "smiles", "mood", "look", "looks", "temper", "disposition", "memory", "memories",
                      "brain", "head", "mind", "eyes", "face", "voice", "glare", "frown",
                      # a drink or a picture, not the sky: "a cloudy cider", "the snowy static on the television"
                      "cider", "lemonade", "potion", "liquid", "juice", "broth", "soup", "static", "screen", "reception"}
# what a weather adjective may be said of without being the sky: "her memory of that summer is foggy"
_NOT_THE_SKY = {"memory", "memories", "mind", "head", "thoughts", "mood", "temper", "eyes", "smile", "face", "voice"}


def _rains_things(tokens: list[Token], m) -> bool:
    """ "rains kisses on the puppy", "showered praise upon her": raining a thing down on someone."""
    words = [t.text for t in tokens if t.clause == tokens[m.start].clause]
    i = words.index(tokens[m.start].text)
    if tokens[m.start].text not in ("rains", "rained", "raining") or i + 2 >= len(words):
        return False
    obj = words[i + 1]
    return obj.endswith("s") and obj not in PREPOSITIONS | {"its", "this", "his", "hers"} and words[i + 2] in ("on", "upon", "down")


def _out_of_one_thing(tokens: list[Token], m) -> bool:
    """Snow or rain that moves out of or from something ("whirls out of it", "falls from inside her
    umbrella") or that something throws ("throwing a white wall of snow"): one thing's, not the sky's."""
    clause = tokens[m.start].clause
    rest = [t.text for t in tokens[m.end:m.end + 4] if t.clause == clause]
    moves = bool(rest) and rest[0] in FLURRY_VERBS and bool({"from", "out"} & set(rest[1:]))
    source = [t.text for t in tokens[m.end:m.end + 7] if t.clause == clause]
    if moves and {"sky", "skies", "clouds", "cloud", "heavens", "branches", "leaves", "trees", "eaves", "roof",
                  "roofs", "awning"} & set(source):
        return False  # "heavy rain pours from the sky", "rain drips from the branches": the sky's after all
    thrown = any(t.text in EMITS for t in tokens[max(0, m.start - 6):m.start] if t.clause == clause)
    return moves or thrown


def _after_an_effect(tokens: list[Token], m) -> bool:
    """A singular cloud or haze after an effect or dry stuff its sentence names is that effect's."""
    sentence = tokens[m.start].sentence
    return any(e.start < m.start and tokens[e.start].sentence == sentence for e in EFFECT_INDEX.find(tokens)) \
        or after_dry_stuff(tokens, m.start)


def read_weather(tokens: list[Token], taken: set[int]) -> Weather | None:
    """The weather the line leaves: the strongest stated one; an ended one leaves a clear sky."""
    found = _weather_matches(tokens, taken)
    live = {w for w, gone in found if not gone}
    if any(gone for _, gone in found):
        live.add(Weather.clear)
    words = [t.text for t in tokens]
    at = words.index("clear") if "clear" in words else -1
    if at >= 0 and words[at + 1:at + 3] != ["the", "air"] \
            and _SKY_NOUNS & set(words[max(0, at - 6):at + 4]):  # not "to clear the air": an idiom
        live.add(Weather.clear)  # "the sky over the bay is clear", "the night is clear", "a clear afternoon sky"
    for i, w in enumerate(words):
        if w in ("sky", "skies") and "blue" in words[i + 1:i + 4] and not negated(tokens, words.index("blue", i)):
            live.add(Weather.clear)  # "the sky stayed blue"
        grey = next((j for j in range(i + 1, min(len(words), i + 9)) if words[j] in _GREY
                     and tokens[j].sentence == tokens[i].sentence), None)
        if w in ("sky", "skies") and grey is not None and {"is", "was", "turns", "turned", "hangs", "stays"} & set(words[i + 1:grey]) \
                and not negated(tokens, grey):
            live.add(Weather.cloudy)  # "the sky over the meadow is a flat, heavy grey"
    return next((w for w in _WEATHER_RANK if w in live), None)


def read_time(tokens: list[Token], taken: set[int], heading: bool = False) -> TimeOfDay | None:
    """The first time of day the line states (not negated)."""
    others = {i for m in _WEATHER.find(tokens, taken) for i in range(m.start, m.end)}
    for m in _TIME.find(tokens, taken):
        phrase = " ".join(t.text for t in tokens[m.start:m.end])
        if (phrase in _HEADING_ONLY or phrase[:-1] in _HEADING_ONLY) and not heading:
            continue
        if plural_time(tokens, m.start, m.end, _TIME_SINGULARS) or not_the_sky_now(tokens, m.start, m.end) \
                or tokens[m.end - 1].text.endswith("'s"):  # "last night's rain", "the morning's news"
            continue  # "most nights", "she dreams of midnight": not the shot's hour
        nxt = tokens[m.end].text if m.end < len(tokens) else ""
        if nxt in _NOT_TIMES or (phrase == "night" and nxt in ("light", "lamp")):
            continue  # "the evening paper", "her night light": things, not the time
        if not negated(tokens, m.start, terms=others):
            return TimeOfDay(m.key)
    return None


def read_season(tokens: list[Token]) -> Season | None:
    return next((Season(m.key) for m in _SEASON.find(tokens) if not negated(tokens, m.start)), None)


def read_lights(tokens: list[Token]) -> list[str]:
    out = [m.key for m in _LIGHT.find(tokens) if not negated(tokens, m.start) and not ended(tokens, m.end)]
    return list(dict.fromkeys(out))[:8]


def _inline_heading(text: str) -> re.Match | None:
    """A scene heading at the head of a prose line, ended by a full stop or a line break."""
    first = text.lstrip().split("\n", 1)[0]
    if not _HEADING_RE.match(first):
        return None
    return _INLINE_HEADING.match(text) or _RUN_ON_HEADING.match(text)


def read_setting(text: str, index: VocabularyIndex, names: dict[str, str] | None = None) -> SettingReading:
    """What a line of prose, a shot description or a scene heading states about its world."""
    if _HEADING_RE.match(text) and text.strip() == text.strip().upper():
        return read_heading(text, index)
    inline = _inline_heading(text)
    if inline:  # "EXT. ROOFTOP - DAY. Bright sun.": the heading, then what its prose adds
        heading, prose = read_heading(inline.group(1), index), read_setting(text[inline.end():], index, names)
        if heading.place_from == "fallback" and prose.place:  # "EXT. PIRATE COVE - NIGHT. ... the sand"
            heading = replace(heading, place=prose.place, interior=prose.interior)
        return replace(heading, weather=prose.weather or heading.weather, season=prose.season,
                       light_sources=prose.light_sources, place_tokens=prose.place_tokens)  # positions in the prose
    tokens = tokenize(text)
    place, strength, covered = read_place(tokens, index, set(names or ()))
    interior = (place in index.interiors) if place is not None else None
    return SettingReading(place=place, place_strength=strength, time_of_day=read_time(tokens, covered),
                          weather=read_weather(tokens, covered), season=read_season(tokens), interior=interior,
                          light_sources=read_lights(tokens), place_tokens=covered)


def read_heading(heading: str, index: VocabularyIndex) -> SettingReading:
    """A scene heading (`INT. KITCHEN - NIGHT`): place by words (the longest phrase, then the last),
    else the nearest set by spelling, else hills outdoors / a room indoors; time from its last part
    (CONTINUOUS, LATER... say nothing)."""
    m = _HEADING_RE.match(heading)
    prefix, rest = (m.group(1).upper(), m.group(2)) if m else ("", heading)
    interior = None if not prefix or "/" in prefix else prefix.startswith("INT")
    place_part, _, tod_part = rest.rpartition(" - ") if " - " in rest else (rest, "", "")
    tokens = tokenize(place_part)
    matches = index.places.find(tokens)
    reading = SettingReading(place_from="heading", place_strength=2)
    if matches:
        reading.place = max(matches, key=lambda x: (x.end - x.start, x.start)).key
    else:
        near = [index.nearest_place(t.text) for t in reversed(tokens) if len(t.text) > 3]
        reading.place = next((p for p in near if p), None)
        if reading.place is None and interior is not None:
            reading.place, reading.place_from = ("room" if interior else "hills"), "fallback"
    if reading.place is not None and interior is None:
        interior = reading.place in index.interiors
    reading.interior = interior
    tod_tokens = tokenize(tod_part)
    reading.time_of_day = read_time(tod_tokens, set(), heading=True)
    reading.weather = read_weather(tod_tokens, set())
    return reading


@dataclass
class LineWorld:
    """Everything one line states about its world: setting, props and effects."""

    setting: SettingReading
    props: list[PropReading] = field(default_factory=list)
    effects: list[EffectReading] = field(default_factory=list)


def prose_tokens(text: str) -> list[Token]:
    """The tokens of a line's prose, after any scene heading it opens with."""
    inline = _inline_heading(text)
    return tokenize(text[inline.end():] if inline else text)


def read_line(text: str, index: VocabularyIndex, names: dict[str, str], ranker: AnchorRanker | None = None
              ) -> LineWorld:
    """A line's setting, props (with holders) and effects (with anchors); `names` maps the lowercase
    names the line may use to character names. A scene heading states a setting only. Effect anchors
    are the rules' own unless a `ranker` chooses (`world_reading.read_line` gives it the learnt one)."""
    setting = read_setting(text, index, names)
    inline = _inline_heading(text)
    if setting.place_from != "text" and not inline:
        return LineWorld(setting)
    tokens = prose_tokens(text)
    # not places ("library windows"); effects are nouns too ("an explosion rocks the harbor")
    nouns = {m.end for ix in (_WEATHER, _TIME, _LIGHT, EFFECT_INDEX) for m in ix.find(tokens)}
    effects = read_effects(tokens, index, names)
    flurries = {e.clause for e in effects if e.kind.value in ("snow", "rain")}
    if flurries and setting.weather is not None:  # "snow falls from her palms": not the sky's
        sentences = {t.sentence for t in tokens if t.clause in flurries}
        local = {i for m in _WEATHER.find(tokens) for i in range(m.start, m.end)
                 if (tokens[m.start].clause in flurries and m.key in ("snow", "rain"))  # "each time the wind shook it"
                 or (tokens[m.start].sentence in sentences and "cloud" in (
                     tokens[m.start].text, tokens[m.end].text if m.end < len(tokens) else ""))}  # "a little rain cloud"
        sky = read_weather(tokens, set(setting.place_tokens) | local)
        setting = replace(setting, weather=sky or (read_heading(inline.group(1), index).weather if inline else None))
    props = read_props(tokens, index, names, set(setting.place_tokens) | effect_shapes(tokens), nouns)
    if ranker is not None:
        effects = rank_anchors(tokens, effects, {f"prop:{p.prop}" for p in props}, ranker, index, names)
    effects = held_left(tokens, mounts_trail(tokens, cast_owned(tokens, effects, names), props))
    effects = held_source(tokens, opened_source(tokens, effects, index, names), props, names)
    effects = waved_source(tokens, shaken_off(tokens, effects, props), props, names)
    effects = animal_owned(tokens, effects, props, names)
    return LineWorld(setting, props, effects)
