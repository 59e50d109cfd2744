"""Effect words a writer uses for a person, not for anything the set shows.

"Ada blows off steam by jogging", "Omar's temper explodes", "the crowd explodes into applause",
"the project runs out of steam": each names steam or an explosion that a storyboard artist would
not draw. These tests read only the words next to the effect word in its clause.
"""

from __future__ import annotations

from talos_assets.agents.direction.effect_words import BODY_HEAT
from talos_assets.agents.direction.sky_now import a_name, represented
from talos_assets.agents.direction.worldtext import Match, Token

_STEAM_VERBS = {"blow", "blows", "blew", "blowing", "blown", "let", "lets", "letting", "run", "runs", "ran",
                "running", "lose", "loses", "lost", "losing", "pick", "picks", "picked", "picking", "gather",
                "gathers", "gathered", "gathering", "gain", "gains", "gained", "gaining"}
_STEAM_AHEAD = {"ahead"}
# what explodes or erupts when nothing blows up: a feeling, a noise, a count
_NOT_BLASTS = {"words", "voice", "news", "temper", "tempers", "anger", "rage", "fury", "patience", "laughter", "applause", "cheers", "cheering",
               "giggles", "popularity", "population", "inbox", "phone", "heart", "chest", "head", "mind", "crowd",
               "stadium", "audience", "room", "class", "classroom", "hall", "song", "chorus", "music", "market",
               "sales", "career", "imagination", "feelings", "emotions", "joy", "grief", "tears", "sobs"}
_STORED = {"unopened", "packed", "box", "boxes", "crate", "crates", "sits", "sit", "waiting", "hopes", "hope",
           "tomorrow", "stored", "stacked", "bought", "buys", "sells", "sold", "unlit", "spare"}
_FREE_AFTER = {"against", "off", "on", "in", "as", "and", "from", "along", "across", "at", "with", "when", "where",
               "into", "over", "under", "out", "up", "again", "once", "twice", "brightly", "blue", "white", "green"}
_FLAMING_COLOURS = {"sunset", "sunsets", "sky", "skies", "red", "orange", "hair", "temper", "row", "argument", "mad",
                    "pink", "scarlet", "crimson", "autumn", "leaves", "cheeks"}
_ROOMS = {"room", "class", "classroom", "hall", "market", "stadium"}
_EXPLOSIVES = {"boiler", "boilers", "bomb", "bombs", "dynamite", "gas", "cannon", "furnace", "barrel", "barrels", "tank",
               "fuel", "gunpowder", "powder", "mine", "rocket", "firework", "fireworks", "grenade", "engine"}
_CHEERS = {"messages", "texts", "notifications", "calls", "emails", "likes", "comments", "orders",
           "laughter", "applause", "cheers", "cheering", "giggles", "song", "songs", "tears", "sobs", "action",
           "movement", "motion", "colour", "color", "chatter", "questions", "argument", "shouting", "shouts"}


_WRITING = {"write", "writes", "wrote", "written", "writing", "trace", "traces", "traced", "tracing", "draw", "draws",
            "drew", "drawn", "drawing", "sign", "signs", "signed", "scrawl", "scrawls", "scrawled", "sketch", "sketches",
            "sketched", "copies", "copied", "inked", "printed", "painted", "marked", "labelled", "labeled", "scribbled",
            "scribbles", "jotted", "jots", "notes", "noted", "addressed"}
_MODALS = {"would", "might", "could", "may", "will", "shall", "should", "must", "it'll", "they'll", "he'll", "she'll"}
_DOUSING = {"pour", "pours", "poured", "pouring", "douse", "douses", "doused", "dousing", "extinguish", "extinguishes",
            "extinguished", "stamp", "stamps", "stamped", "smother", "smothers", "smothered", "snuff", "snuffs",
            "snuffed", "put", "puts"}


_CAUSING = {"set", "make", "turn", "blow", "burn", "start", "cause", "send"}
_POURING = {"pour", "pours", "poured", "pouring"}  # smoke pours out of a fire; water poured on one puts it out


# what a careless cook burns: no flame is drawn ("Ben burns the toast"; a flame that burns a hand is one)
_BURNT = {"toast", "bread", "cake", "cookies", "dinner", "lunch", "breakfast", "rice", "pancake", "pancakes", "eggs",
          "sausages", "soup", "pie", "pizza", "popcorn", "roast", "beans", "steak", "biscuits", "muffins", "stew",
          "sauce", "oil", "bridges", "calories"}


_WAITING = {"waits", "wait", "waiting", "waited", "expects", "expect", "expecting", "hopes", "hope", "wants",
            "want", "about", "ready", "tries", "try", "trying"}


def not_happening(tokens: list[Token], m: Match) -> bool:
    """An effect only feared or planned ("the boat would explode"), or a fire being put out ("Ben
    poured a bucket of water on the campfire")."""
    clause = tokens[m.start].clause
    before = [t.text for t in tokens[max(0, m.start - 8):m.start] if t.clause == clause]
    if before[-1:] and before[-1] in _MODALS or before[-2:-1] and before[-2] in _MODALS and before[-1].endswith("ly"):
        return True
    if _MODALS & set(before[-6:]) and _CAUSING & set(before[-5:]):
        return True  # "the next version might set the whole lake on fire"
    if before[-1:] == ["to"] and _WAITING & set(before):
        return True  # "waits for it to explode", "is about to blow up"
    if represented(tokens, m.start):
        return True  # "dreams of a volcano spitting fire"
    whole = [t.text for t in tokens[:m.start] if t.clause == clause]
    told = next((k for k, w in enumerate(whole) if w in _TELLING), None)
    if told is not None and _TOLD_OF & set(whole[told:]):
        return True  # "told the kids about the summer the old camper caught fire": a story, not the scene
    opening = next(j for j in range(m.start + 1) if tokens[j].clause == clause)
    if tokens[opening].text in ("and", "or") and m.start - opening <= 3 and opening and represented(tokens, opening - 1):
        return True  # "she dreamed of ships and cannon smoke": one of the things dreamed of
    after = [t.text for t in tokens[m.end:m.end + 3] if t.clause == clause]
    rest = [t.text for t in tokens[m.end:m.end + 7] if t.sentence == tokens[m.start].sentence]
    if before[-3:-1] in (["to", "light"], ["to", "start"], ["to", "build"]) or "smell" in before[-5:] \
            or "smelled" in before[-5:] or "smells" in before[-5:]:
        return True  # "Omar had forgotten to light the fire", "she can smell the pie burning": not seen burning
    if rest[:1] == ["once"] and len(rest) > 1 and rest[1].endswith("ed"):
        return True  # "where steam once roared": no more
    if "ago" in rest[:7]:
        return True  # "the cargo bay explosion was weeks ago": long over
    if any(a == "last" and b in _SEASONS_PAST for a, b in zip(rest, rest[1:])):
        return True  # "swore she had seen sparks fly from the mayor's car last summer": a memory
    if any(a == "in" and b in _MINDS for a, b in zip(rest, rest[2:])):
        return True  # "the explosion was only in Lena's imagination"
    if m.key == "magic" and before[-2:-1] and before[-2] in _LOSING and before[-1] in _OWNED:
        return True  # "a witch who has lost her magic": a power she had, nothing drawn
    if tokens[m.start].text.startswith("burn") and _BURNT & set(after):
        return True
    return m.key == "fire" and bool(_DOUSING & set(before)) and (
        not _POURING & set(before) or bool({"water", "bucket", "sand", "buckets", "jug"} & set(before)))


_SEASONS_PAST = {"summer", "winter", "spring", "autumn", "year", "month", "season", "christmas", "halloween"}
_TELLING = {"tell", "tells", "told", "telling", "recounts", "recounted", "remembers", "remembered", "recalls",
            "recalled"}
_TOLD_OF = {"about", "how", "of"}
_MINDS = {"imagination", "imaginations", "dream", "dreams", "head", "mind", "nightmare", "nightmares"}
_LOSING = {"lost", "lose", "loses", "losing", "without"}
_OWNED = {"her", "his", "their", "its", "my", "your", "our"}
# what a person is "on fire" at: a streak, not flames ("Mira is on fire today, she scores five goals")
_TEMPERS = {"anger", "rage", "fury", "frustration", "indignation", "impatience", "annoyance", "jealousy"}
_REAL_FIRE = {"flames", "smoke", "burning", "burns", "help", "water", "extinguisher", "smoulders", "blaze"}
_STREAK = {"today", "tonight", "game", "games", "goal", "goals", "score", "scores", "scored", "song", "songs", "joke",
           "jokes", "streak", "season", "match", "stage", "court", "pitch", "karaoke", "round", "quiz", "exam"}
_MISFIRES = {"backfired", "backfires", "fails", "failed", "fizzles", "fizzled", "misfires", "misfired"}
_BE = {"is", "was", "were", "are"}
_MAD = {"mad", "angry", "furious", "cross"}
_UNDER_WAY = {"into", "out", "across", "past", "away", "ahead", "along", "through", "off", "toward", "towards"}
_OTHER_EFFECTS = {"fire", "flame", "flames", "steam", "smoke", "sparks", "snow", "sand", "dust", "water", "magic", "cold",
                  "air", "wind", "heat"}
_FEELINGS = {"joy", "pride", "love", "excitement", "hope", "passion", "longing", "delight", "happiness", "desire",
             "ambition", "curiosity", "wonder", "glee", "courage", "bravery", "dread", "fear", "determination",
             "gratitude", "warmth", "affection", "triumph", "kindness", "tenderness"}
_OF_MAGIC = {"book", "books", "school", "academy", "college", "university", "ministry", "museum", "professor",
             "teacher", "master", "history", "class", "lesson", "lessons", "world", "land", "kingdom", "realm"}
_SMOKY_THINGS = {"voice", "voices", "laugh", "jazz", "flavour", "flavor", "taste", "tea", "whisky", "whiskey", "eyes",
                 "song", "tone", "sound"}
_PLANS = {"plan", "plans", "hopes", "hope", "dreams", "dream", "scheme", "schemes", "deal", "chance", "chances", "savings",
          "career", "idea", "ideas", "heist", "show", "wedding", "party"}
_PRAISE = {"pure", "sheer", "absolute", "movie", "kitchen", "real", "total"}  # "it's pure magic"


def figurative(tokens: list[Token], m: Match) -> bool:
    """The effect word is an idiom: steam let off or run out of, a temper or a crowd exploding, a
    rocket blasting off, sparks flying between two people, a player on fire, pure magic."""
    word = tokens[m.start].text
    clause = tokens[m.start].clause
    before = [t.text for t in tokens[max(0, m.start - 3):m.start] if t.clause == clause]
    after = [t.text for t in tokens[m.end:m.end + 3] if t.clause == clause]
    sentence = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
    if a_name(tokens, m.start):
        return True  # "Captain Cinder's fiery temper", "a dragon called Ember": a name
    if word == "sparked" and after[:1] and after[0] not in _FREE_AFTER:
        return True  # "her joke sparked a fight": it started something (it "sparked against the chain" does spark)
    if word == "flaming" and after[:1] and after[0] in _FLAMING_COLOURS:
        return True  # "a flaming sunset", "flaming red hair": a colour
    clause_words = {t.text for t in tokens if t.clause == clause}
    if word.startswith("firework") and clause_words & _STORED:
        return True  # "a box of fireworks sits unopened", "the fireworks she hopes to see tomorrow": not going off
    if m.key == "ink" and (after[:1] == ["still"] or after[:2] in (["was", "still"], ["is", "still"])):
        return True  # "its ink still dark": the writing, not ink flowing
    if m.key == "ink" and "in" in before[-2:] and clause_words & _WRITING:
        return True  # "traced the wing struts in blue ink", "a menu written in ink": the writing, not ink flowing
    if word.startswith("blast") and after[:1] == ["off"]:
        return True
    if m.key == "sparks" and "between" in after[:2]:
        return True
    if m.key == "magic" and before[-1:] and before[-1] in _PRAISE:
        return True
    if m.key == "magic" and before[-2:] == ["out", "of"] and len(before) > 2 and before[-3] in _STEAM_VERBS:
        return True  # "her wand had run out of magic": none left
    if m.key == "fire" and word == "fire" and before[-1:] and before[-1] in ("pure", "sheer", "absolute"):
        return True  # "the judges called Ben's flambe pure fire": praise
    if word in ("spell", "spells") and (set(after[:1]) & _MISFIRES or after[:2] in (["goes", "wrong"], ["went", "wrong"])):
        return True  # "where the spell backfired": the mishap is drawn, not the spell
    if m.key == "fire" and "on" in (word, *before[-1:]) and sentence & _STREAK and not sentence & _REAL_FIRE:
        return True
    if word in ("steams", "steamed", "steaming") and after[:1] and after[0] in _UNDER_WAY:
        return True  # "the ship steams into the harbor": it travels
    if m.key == "steam":
        verb = [w for w in before if w not in ("off", "of", "out", "some", "up", "a", "little", "full", "his", "her")]
        if after[:1] == ["with"] and set(after[1:3]) & _TEMPERS or after[:1] and after[0] in _MAD \
                or after[:3] == ["at", "the", "ears"]:  # "steaming at the ears
            return True  # "steaming with anger", "steaming mad"
        return bool(set(verb) & _STEAM_VERBS) or (bool(after) and after[0] in _STEAM_AHEAD) \
            or (len(before) >= 2 and before[-1] == "own")  # "under his own steam"
    if m.key == "fire" and ("on" in (word, *before[-1:])) and {"heart", "hearts"} & set(before) and set(before) & _BE:
        return True  # "Lena's heart was on fire as she held the letter": a feeling
    if m.key == "magic" and word.startswith("glow") and after[:1] == ["with"] and set(after[1:3]) & (_TEMPERS | _FEELINGS):
        return True  # "Omar's heart glows with courage": a feeling
    if m.key == "magic" and word in ("spell", "spells", "magic") and before[-2:-1] and before[-2] in _OF_MAGIC \
            and before[-1] == "of":
        return True  # "a dusty book of spells", "the School of Magic": a name or a book, nothing cast
    if m.key == "smoke" and word == "smoky" and (set(after[:2]) | set(before[-2:])) & _SMOKY_THINGS:
        return True  # "her voice was smoky": a voice's colour
    if m.key == "smoke" and before[-2:] == ["up", "in"] and set(before[-4:-2]) & {"went", "go", "goes", "gone", "going"} \
            and tokens[0].text in _PLANS | {"the", "all", "our", "his", "her", "their", "my"} \
            and {t.text for t in tokens[:m.start] if t.clause == clause} & _PLANS:
        return True  # "the whole plan went up in smoke": it failed
    if m.key == "fire" and "on" in (word, *before[-1:]) and after[:1] == ["with"] and set(after[1:3]) & (_TEMPERS | _FEELINGS):
        return True  # "her heart is on fire with joy": a feeling
    if m.key == "explosion" and word.startswith("blast") and after[:1] == ["of"] and set(after[1:3]) & _OTHER_EFFECTS:
        return True  # "a blast of fire", "a blast of steam": the other effect, blown hard
    if m.key == "fire" and "eyes" in before and "from" not in before:
        return True  # "Mira's eyes flashed fire": a glare
    if m.key == "fire" and after[:1] == ["of"] and set(after[1:3]) & (_TEMPERS | _FEELINGS):
        return True  # "Pip felt the fire of courage"
    if m.key == "fire" and after[:1] == ["in"] and after[2:3] == ["eyes"]:
        return True  # "Lena had fire in her eyes": resolve
    if m.key == "fire" and "on" in (word, *before[-1:]) and BODY_HEAT & {t.text for t in tokens[:m.start] if t.clause == clause}:
        return True  # "her cheeks were on fire": a blush
    if m.key == "explosion" and word.startswith("explod") and after[:1] == ["through"]:
        return True  # "the locomotive exploded through the snowdrift": it burst through
    if m.key == "explosion" and word.startswith(("explod", "explos", "erupt")):
        subject = before[-1] if before else ""
        into = after[1] if len(after) > 1 and after[0] in ("into", "with", "in", "of") else ""
        blown_up = subject in _ROOMS and sentence & _EXPLOSIVES  # "the boiler in the engine room exploded"
        return (subject in _NOT_BLASTS and not blown_up) or into in _CHEERS
    return False
