"""Whether a weather or time word is about the scene's sky and hour now, or about something else.

"Tears stream down her cheeks like rain", "a recording of rain", "the forecast promised rain",
"she remembers the rainy days of her childhood", "the waterfall thunders into the pool": each names
a weather without the sky of the shot having it. A storyboard artist draws none of them, so Prism
claims none of them. The tests are about the words around the term in its clause only.
"""

from __future__ import annotations

from talos_assets.agents.direction.worldtext import MOTION_PARTICLES, Token

# what stands for a weather without being it: a picture, a sound, a forecast, a memory, a wish
_PICTURES = {"recording", "recordings", "record", "song", "songs", "painting", "paintings", "picture", "pictures",
             "photo", "photos", "photograph", "photographs", "poster", "postcard", "postcards", "drawing",
             "drawings", "sketch", "film", "movie", "video", "documentary", "story", "stories", "poem", "map",
             "model", "tapestry", "mural", "print", "snapshot", "screensaver", "app", "report", "forecast",
             "forecasts", "forecaster", "weatherman", "album", "soundtrack", "lullaby", "memory", "memories",
             "dream", "dreams", "nightmare", "thought", "thoughts"}
_UNREAL_VERBS = {"forecast", "forecasts", "forecasted", "predicts", "predicted", "promised", "promises",
                 "remembers", "remembered", "recalls", "recalled", "dreams", "dreamed", "dreamt", "imagines",
                 "imagined", "wishes", "wished", "hopes", "hoped", "longs", "longed", "misses", "missed",
                 "describes", "described", "pretends", "pretended", "wishing", "hoping", "dreaming", "longing",
                 "praying", "remembering", "imagining", "missing", "recalling", "pictured", "pictures", "picturing", "wonders", "wondered", "wondering", "whether",
                 "envisions", "envisioned", "envisioning"}
_SAYING = {"said", "says", "swore", "swears", "claimed", "claims", "insisted", "insists"}
_TELLING = {"tells", "told", "telling", "recounts", "recounted", "recounting"}
# "rainy days", "stormy nights", "snowy winters": every such time, not this one
_HABITUAL_TIMES = {"days", "nights", "mornings", "evenings", "afternoons", "weekends", "winters", "summers",
                   "seasons", "years", "holidays", "sundays", "mondays", "saturdays"}
_SKY_SUBJECTS = {"sky", "skies", "heavens", "heaven", "clouds", "cloud", "storm", "thunder", "air", "night"}
_LIKE = {"like"}
_NOT_PLURALS = {"as", "is", "was", "has", "its", "his", "hers", "this", "us", "thus", "yes", "across", "towards",
                "afterwards", "always", "perhaps", "less", "unless"}
_FILLERS = {"a", "an", "the", "some", "summer", "spring", "autumn", "winter", "heavy", "soft", "light", "fine",
            "falling", "warm", "cold", "gentle", "first", "sudden", "spring's", "april"}


def _clause_before(tokens: list[Token], start: int, window: int = 8) -> list[str]:
    clause = tokens[start].clause
    return [tokens[j].text for j in range(max(0, start - window), start) if tokens[j].clause == clause]


def simile(tokens: list[Token], start: int) -> bool:
    """ "like rain", "like a tiny golden storm", "white as snow", "a storm in a teacup": a
    comparison or an idiom, not the sky."""
    before = _clause_before(tokens, start, window=4)
    closes = start + 1 >= len(tokens) or tokens[start + 1].clause != tokens[start].clause  # not "as thunder rumbles"
    as_what = start >= 2 and tokens[start - 1].text == "as" and tokens[start - 2].text in _COMPARED and closes
    as_as = start >= 3 and tokens[start - 1].text == "as" and tokens[start - 3].text == "as"  # "as fast as lightning"
    teacup = [t.text for t in tokens[start + 1:start + 4]] == ["in", "a", "teacup"]
    return bool(_LIKE & set(before)) or as_what or as_as or teacup


_COMPARED = {"white", "pale", "cold", "quiet", "quick", "fast", "soft", "grey", "gray", "dark", "black", "bright",
             "pure", "light", "fresh", "clear", "changeable", "wild", "fierce", "loud", "gentle", "right", "swift",
             "silent", "fickle", "wet"}


def represented(tokens: list[Token], start: int) -> bool:
    """A weather in a picture, song, recording, forecast, memory or wish, or one only heard of
    ("Lena's song 'Midnight Snow'", "Grandmother used to say, 'Red sky at night'")."""
    before = _clause_before(tokens, start)
    sentence = [t.text for t in tokens[:start] if t.sentence == tokens[start].sentence]
    used_to = any(a == "used" and b == "to" for a, b in zip(sentence, sentence[1:]))
    if sentence[:1] and sentence[0] in _PROMPTS:
        return used_to or bool(_UNREAL_VERBS & set(before))  # "Make a story where Mira gets lost in a foggy forest"
    return used_to or bool(_UNREAL_VERBS & set(before)) or bool(_PICTURES & set(before[-3:])) or any(
        w in _PICTURES and nxt == "of" for w, nxt in zip(before, before[1:]))


# a prompt typed into the app: the story it asks for is the scene itself, not a story within it
_PROMPTS = {"make", "tell", "write", "create", "imagine", "generate", "animate"}


def remembered_place(tokens: list[Token], start: int) -> bool:
    """A place only remembered, told of, long past, wished for or pictured ("remembers the night the river
    flooded", "a memory of the city"), not one a picture merely hangs in ("a painting ... on the tavern wall")."""
    before = _clause_before(tokens, start)
    near = before[-4:]
    told = bool(_TELLING & set(before)) and bool({"about", "of", "how"} & set(before))
    # "told them of the year the whole valley burned", "said the shop across the street had exploded years ago"
    long_ago = bool(_SAYING & set(before)) and "ago" in [t.text for t in tokens[start:start + 9]
                                                          if t.sentence == tokens[start].sentence]
    return bool(_UNREAL_VERBS & set(before)) or told or long_ago or any(
        w in _PICTURES and nxt == "of" for w, nxt in zip(near, near[1:]))


def appositive_name(tokens: list[Token], start: int, end: int) -> bool:
    """ "Thunder, Rosa's old grey horse, dozes": a name in apposition, not the sky or the hour."""
    if end - start != 1 or start != next(j for j, t in enumerate(tokens) if t.sentence == tokens[start].sentence):
        return False
    rest = [t for t in tokens[end:] if t.sentence == tokens[start].sentence]
    if not rest or rest[0].clause == tokens[start].clause:
        return False
    first = rest[0].text
    described = first in ("the", "a", "an", "our", "my", "his", "her") or first.endswith("'s")
    return described and any(t.clause > rest[0].clause for t in rest)


_JOINS = {"and", "but", "or", "nor", "yet", "while", "as", "so", "then", "when", "until", "because", "before", "after"}
_AT_THE_HOUR = {"at", "by", "until", "till", "before", "after", "since", "in", "around", "toward", "towards", "past",
                "near", "of"}


def apposed_name(tokens: list[Token], start: int, end: int) -> bool:
    """ "Lena's old horse, Thunder, grazes", "two loaves from Dawn, the baker, at her stall": a name set
    off by commas mid-sentence, or one a short description follows, not the sky or the hour."""
    if end - start != 1 or start == 0 or tokens[start - 1].sentence != tokens[start].sentence:
        return False
    sentence = [t for t in tokens if t.sentence == tokens[start].sentence]
    clause = [t for t in sentence if t.clause == tokens[start].clause]
    later = [t for t in sentence if t.clause > tokens[start].clause]
    if 1 < len(clause) <= 3 and clause[0].text == "the" and clause[0] is not tokens[start] and later:
        before = [t for t in sentence if t.clause == tokens[start].clause - 1]
        return bool(before) and (before[0].text.endswith("'s") or before[0].text in ("the", "a", "an", "his", "her", "their")) \
            and before[-1].text not in _JOINS and later[0].text not in _JOINS  # "Ben's boat, the Midnight Star, bobs"
    if len(clause) == 1:
        # alone between two commas after a described noun ("Lena's old horse, Thunder, grazes"), not after
        # a phrase ("Outside the window, rain, cold and steady, falls") nor in a list ("rain and snow")
        before = [t for t in sentence if t.clause == tokens[start - 1].clause]
        described = before[0].text in ("the", "a", "an", "his", "her", "their", "my", "our") or before[0].text.endswith("'s")
        return described and bool(later) and later[0].text not in _JOINS and tokens[start - 1].text not in _JOINS
    if tokens[start - 1].text in _AT_THE_HOUR or clause[-1] is not tokens[start]:
        return False
    desc = [t for t in later if t.clause == tokens[start].clause + 1]
    return bool(desc) and len(desc) <= 3 and desc[0].text in ("the", "a", "an", "our", "my", "his", "her") \
        and any(t.clause > desc[0].clause for t in later)


def storms_off(tokens: list[Token], start: int, end: int) -> bool:
    """ "Ada storms out of the kitchen": a person's exit, not the weather."""
    word = tokens[start].text
    nxt = tokens[end].text if end < len(tokens) else ""
    before = _clause_before(tokens, start, window=1)
    return word in ("storms", "stormed", "storming") and nxt in MOTION_PARTICLES \
        and not (before and before[-1] in _FILLERS | {"the", "of", "after", "before", "two", "three"})




def habitual(tokens: list[Token], end: int) -> bool:
    """ "the rainy days of her childhood": a kind of time, not the scene's."""
    return end < len(tokens) and tokens[end].text in _HABITUAL_TIMES and tokens[end].clause == tokens[end - 1].clause


def thunder_verb(tokens: list[Token], start: int) -> bool:
    """ "the waterfall thunders", "hooves thundered past": a loud thing, not the sky (which may still
    thunder: "the sky thunders")."""
    word = tokens[start].text
    before = _clause_before(tokens, start, window=1)
    plural_subject = word == "thunder" and bool(before) and before[-1].endswith("s") \
        and before[-1] not in _NOT_PLURALS
    if word not in ("thunders", "thundered", "thundering") and not plural_subject:
        return False
    return not (_SKY_SUBJECTS & set(_clause_before(tokens, start, window=4)))


# idioms with a weather word, as (words before, the word, words after) around the term
_IDIOMS = [((), "rain", ("or", "shine")), (("calm", "before", "the"), "storm", ()), (("for", "a"), "rainy", ("day",)), ((), "cloud", ("nine",)),
           ((), "sunny", ("side",)), (("second",), "wind", ()), ((), "wind", ("of",)), (("brain",), "fog", ()),
           (("his",), "thunder", ()), (("her",), "thunder", ()), (("their",), "thunder", ()),
           (("my",), "thunder", ()), (("your",), "thunder", ())]
_WINDING = {"winds", "wind", "wound", "winding"}  # "Lena winds the clock": a verb with its object
_OBJECTS = {"the", "a", "an", "his", "her", "their", "my", "your", "its", "up", "down", "it", "them"}
_PAST = {"yesterday's", "night's", "week's", "earlier"}


def idiom(tokens: list[Token], start: int, end: int) -> bool:
    """ "rain or shine", "for a rainy day", "on cloud nine", "a second wind", "got wind of", "brain
    fog", "stole his thunder", "winds the clock", "breezes through", "stormed the castle"."""
    words = [t.text for t in tokens]
    for before, word, after in _IDIOMS:
        if words[start] == word and tuple(words[max(0, start - len(before)):start]) == before \
                and tuple(words[end:end + len(after)]) == after:
            return True
    nxt = words[end] if end < len(words) else ""
    if words[start] in _WINDING and nxt in _OBJECTS and start and words[start - 1] not in ("the", "a", "of"):
        return True
    if words[start].startswith("breez") and nxt in ("through", "past", "in", "into", "out"):
        return True
    return words[start] in ("stormed", "storming") and nxt in _OBJECTS


_NAMING = {"called", "named", "nicknamed", "dubbed", "titled"}


def a_name(tokens: list[Token], start: int) -> bool:
    """ "a pirate called Stormy Pete", "a game called Dawn Patrol", "names her puppy Midnight", "Captain
    Drizzle", "Captain Cinder's fiery temper"."""
    words = [t.text for t in tokens[max(0, start - 4):start]]
    return bool(words) and (words[-1] in _NAMING | _HONORIFICS or (len(words) >= 3 and words[-3] in ("names", "name", "calls")))


_HONORIFICS = {"captain", "capt", "doctor", "dr", "professor", "prof", "mister", "mr", "mrs", "ms", "miss", "lady", "lord",
               "sir", "dame", "general", "sergeant", "sgt", "agent", "officer", "uncle", "aunt", "auntie", "granny",
               "grandpa", "grandma", "madame", "madam", "baron", "baroness", "count", "countess", "king", "queen",
               "prince", "princess", "chef", "saint", "st"}
_TITLES = {"hums", "hummed", "humming", "sings", "sang", "singing", "whistles", "whistled", "whistling", "chalks",
           "chalked", "writes", "wrote", "scribbles", "scribbled", "paints", "painted", "titled"}


def titled(tokens: list[Token], start: int) -> bool:
    """ "Ben hums 'Stormy Weather'", "Omar chalks 'Sunrise Special' on the board", "Mira paints the sunrise":
    a song, a sign or a picture right after the verb, not the sky or the hour ("sings in the rain" is)."""
    before = [t.text for t in tokens[max(0, start - 2):start] if t.clause == tokens[start].clause]
    return bool(before) and (before[-1] in _TITLES or (len(before) == 2 and before[0] in _TITLES and before[1] == "the"))


def greeting(tokens: list[Token], start: int) -> bool:
    """ "Good morning, everyone!": a greeting, not the hour ("a good morning for fishing" is one)."""
    return start > 0 and tokens[start - 1].text == "good" and (start < 2 or tokens[start - 2].text not in
                                                              ("a", "an", "the", "one", "such", "very"))


def another_day(tokens: list[Token], start: int) -> bool:
    """ "six tomorrow morning", "yesterday afternoon": another day's hour, not this shot's."""
    return start > 0 and tokens[start - 1].text in ("tomorrow", "yesterday")


def earlier(tokens: list[Token], start: int) -> bool:
    """ "puddles from last night's rain": a weather that has been, not the sky now."""
    return start > 0 and tokens[start - 1].text in _PAST


def not_the_sky_now(tokens: list[Token], start: int, end: int) -> bool:
    return simile(tokens, start) or represented(tokens, start) or habitual(tokens, end) \
        or thunder_verb(tokens, start) or appositive_name(tokens, start, end) or storms_off(tokens, start, end) \
        or apposed_name(tokens, start, end) or titled(tokens, start) or greeting(tokens, start) \
        or idiom(tokens, start, end) or a_name(tokens, start) or another_day(tokens, start)


def plural_time(tokens: list[Token], start: int, end: int, phrase_words: set[str]) -> bool:
    """ "most nights", "on winter mornings", "the rainy days": habitual, not the shot's hour."""
    word = tokens[end - 1].text
    return end - start == 1 and word.endswith("s") and word[:-1] in phrase_words
