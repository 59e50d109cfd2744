"""Prism's affective lexicon: emotion word lists, mood words, idioms, negation and intensity words,
and a light lemmatiser that finds the lexicon entry an inflected word comes from.

Written in the style of NRC-VAD for the dimensions (valence, arousal, dominance; dominance from
Mehrabian's PAD model) and of NRC EmoLex for the category associations, from general emotion
vocabulary rather than from any evaluation line; the negation, booster and dampener lists follow
VADER (Hutto & Gilbert 2014). The lemmatiser undoes -s/-es/-ies,
-ed/-ied, -ing, -ly/-ily, -ness, -er/-est, doubled consonants and common irregular verbs.
"""

from __future__ import annotations

from talos_assets.agents.direction.emotion_body import BODY_CUES, BODY_WEIGHT
from talos_assets.agents.direction.emotion_cues import EXTRA_CUES, EXTRA_PHRASES
from talos_assets.agents.direction.emotion_vader import vader_boosters, vader_negations
from talos_assets.spec import EMOTION_VA, Emotion

# Dominance (Mehrabian PAD) of each named emotion's prototype; valence/arousal come from EMOTION_VA.
EMOTION_DOMINANCE: dict[Emotion, float] = {
    Emotion.joy: 0.4, Emotion.sadness: -0.5, Emotion.anger: 0.6, Emotion.fear: -0.7, Emotion.surprise: -0.1,
    Emotion.calm: 0.3, Emotion.determination: 0.8, Emotion.awe: -0.4,
}

# Category word lists, base forms (the lemmatiser finds inflections). "core" words name or strongly
# express the emotion (vote weight 1); "cue" words are situations and actions that usually carry it
# (weight 0.5). Written from general emotion vocabulary, not from any evaluation line.
_CORE: dict[Emotion, str] = {
    Emotion.joy: """happy happiness glad joy joyful joyous delight delightful cheer cheerful elated ecstatic thrilled
        overjoyed jubilant merry glee gleeful bliss blissful rejoice celebrate celebration triumphant fun playful
        love lovely wonderful fantastic excited excitement pleased grateful thankful laugh laughter giggle grin
        smile beam hooray yay hurray woohoo cheers chuckle adore enjoy amuse amused funny proud pride""",
    Emotion.sadness: """sad sadness sorrow sorrowful unhappy miserable misery grief grieve mourn weep cry tearful
        sob heartbroken heartbreak despair hopeless depressed depression gloomy gloom melancholy lonely loneliness
        forlorn desolate regret ache heartache lament wistful downcast dejected glum devastated bereft homesick
        pity sorry disappointed disappointment hurt sulk mope""",
    Emotion.anger: """angry anger rage furious fury livid irate wrath outrage enrage hate hatred resent resentment
        annoyed annoy irritated irritate frustrated frustration hostile scowl glare snarl growl seethe fume yell
        shout roar curse insult indignant vengeance revenge spite infuriate temper mad bitter""",
    Emotion.fear: """afraid fear fearful scared scare frightened frighten terrified terror terrify horror horrified
        dread panic anxious anxiety nervous worried worry uneasy alarm petrified spooked tremble shiver shudder
        quiver quake cower flinch whimper creepy eerie ominous menacing sinister threat dreadful timid""",
    Emotion.surprise: """surprise surprised surprising astonish astonished astonishing startle startled shock
        shocked stunned stun gasp sudden suddenly unexpected unexpectedly abrupt abruptly jolt wow whoa
        bewildered flabbergasted dumbfounded speechless unbelievable""",
    Emotion.calm: """calm calmly peace peaceful quiet quietly still stillness serene serenity tranquil relax relaxed
        rest restful gentle gently soft softly soothe soothing ease hush placid content contentment comfortable
        cozy leisurely lazy idle mellow composed untroubled unhurried unwind""",
    Emotion.determination: """determined determination resolve resolute steadfast stubborn persist persistent
        persevere perseverance brave bravery courage courageous bold boldly relentless unwavering unyielding
        defiant defy fearless tenacious focused committed vow swear promise strive endure grit""",
    Emotion.awe: """awe awed awestruck wonder wondrous marvel marvelous majestic magnificent breathtaking sublime
        glorious splendid spectacular amazing amazed astounding grand grandeur reverent reverence enchanted
        enchanting mesmerized spellbound dazzling radiant luminous beautiful beauty gorgeous stunning""",
}
_CUE: dict[Emotion, str] = {
    Emotion.joy: """dance sing play party friend together sunshine bright sunny festival reunite reunion welcome
        kiss gift treasure win victory succeed success applause clap hug embrace cuddle tickle skip whistle
        warm sweet""",
    Emotion.sadness: """alone lost loss forgotten empty broken rust abandoned goodbye farewell gray grey rain funeral
        grave dead death die wither fade slump sigh droop missing miss apart ruin tired weary hollow tear
        bury lonesome""",
    Emotion.anger: """smash slam punch kick hit strike fight attack destroy wreck shove stomp clench rip throw
        argue quarrel threaten betray blame accuse spit storm""",
    Emotion.fear: """hide flee escape danger dangerous monster ghost shadow dark darkness lurk creep stalk scream
        trap haunt haunted nightmare chase hunt crawl cornered sweat tremor shake loom footstep wolf beast predator
        snake spider fang claw""",
    Emotion.surprise: """burst explode flash pop bang appear vanish snap boom crash whirl jump""",
    Emotion.calm: """breeze drift float sleep nap doze breathe meadow lake pond dawn morning tea sit lie lounge hum
        stroll wander linger bask ripple murmur slow settle""",
    Emotion.determination: """climb march push forge build train practice again onward forward rise stand grip
        hammer charge lift strain work effort goal mission duty conquer overcome ready prepare steady""",
    Emotion.awe: """vast immense infinite endless towering huge giant enormous star starry galaxy cosmos heaven sky
        aurora cathedral mountain horizon gaze behold ancient glow shimmer sparkle glitter gleam magic miracle""",
}
# Words with affect but no single emotion: (valence, arousal, dominance).
_MOOD: dict[str, tuple[float, float, float]] = {
    "fire": (0.0, 0.7, 0.2), "smoke": (-0.3, 0.3, -0.2), "night": (-0.1, -0.2, -0.1), "sea": (0.3, -0.1, 0.0),
    "good": (0.6, 0.1, 0.3), "bad": (-0.6, 0.2, -0.2), "terrible": (-0.8, 0.4, -0.3), "awful": (-0.8, 0.3, -0.3),
    "nice": (0.6, 0.0, 0.2), "great": (0.7, 0.4, 0.4), "best": (0.7, 0.3, 0.4), "worst": (-0.8, 0.3, -0.3),
    "pain": (-0.7, 0.4, -0.4), "scream": (-0.5, 0.9, -0.2), "run": (0.0, 0.6, 0.1), "race": (0.1, 0.7, 0.3),
    "fast": (0.1, 0.6, 0.2), "loud": (-0.1, 0.7, 0.2), "silent": (0.1, -0.6, 0.0), "silence": (0.1, -0.6, 0.0),
    "blood": (-0.6, 0.6, -0.3), "wound": (-0.6, 0.4, -0.4), "safe": (0.6, -0.4, 0.3), "home": (0.6, -0.3, 0.3),
    "free": (0.7, 0.4, 0.5), "cold": (-0.3, 0.1, -0.1), "alive": (0.6, 0.4, 0.4), "light": (0.4, 0.1, 0.1), "shine": (0.5, 0.3, 0.2),
}
# Multi-word idioms (VADER reads a few as units): phrase -> (emotion, weight).
PHRASES: list[tuple[tuple[str, ...], Emotion, float]] = [
    (("give", "up"), Emotion.sadness, 1.0), (("can't", "believe"), Emotion.surprise, 1.0),
    (("cannot", "believe"), Emotion.surprise, 1.0), (("out", "of", "nowhere"), Emotion.surprise, 1.0),
    (("all", "of", "a", "sudden"), Emotion.surprise, 1.0), (("at", "last"), Emotion.joy, 0.5),
    (("deep", "breath"), Emotion.calm, 1.0), (("no", "matter", "what"), Emotion.determination, 1.0),
    (("fed", "up"), Emotion.anger, 1.0), (("lose", "temper"), Emotion.anger, 1.0),
    (("jaw", "drop"), Emotion.surprise, 1.0), (("heart", "race"), Emotion.fear, 0.7),
    (("heart", "pound"), Emotion.fear, 0.7), (("hold", "breath"), Emotion.fear, 0.5),
    (("take", "in"), Emotion.awe, 0.3), (("look", "up"), Emotion.awe, 0.3), (("let", "go"), Emotion.calm, 0.5),
    (("tear", "of", "joy"), Emotion.joy, 1.5), (("well", "up"), Emotion.sadness, 0.7),
    (("stand", "tall"), Emotion.determination, 1.0), (("one", "more", "time"), Emotion.determination, 0.7),
    (("eye", "sparkle"), Emotion.joy, 1.0), (("eye", "light", "up"), Emotion.joy, 1.0), (("eye", "wet"), Emotion.sadness, 1.0),
    (("wet", "eye"), Emotion.sadness, 1.0), (("used", "to"), Emotion.sadness, 0.5), (("how", "dare"), Emotion.anger, 1.5),
    (("back", "away"), Emotion.fear, 1.0), (("run", "for", "*", "life"), Emotion.fear, 1.5),
    (("set", "*", "jaw"), Emotion.determination, 1.0), (("nothing", "will", "stop"), Emotion.determination, 1.5),
    (("nothing", "can", "stop"), Emotion.determination, 1.5), (("grit", "*", "teeth"), Emotion.determination, 1.0),
    (("lump", "in", "*", "throat"), Emotion.sadness, 1.0), (("blood", "run", "cold"), Emotion.fear, 1.5),
    *EXTRA_PHRASES,
]
# A negated emotion word usually expresses a neighbouring state, not a neutral one:
# "not afraid" reads as resolve, "not happy" as sadness, "can't relax" as unease.
# Absent fear is either ease or courage; the rest of the line decides, so its vote is split.
NEGATED: dict[Emotion, tuple[Emotion, ...]] = {
    Emotion.joy: (Emotion.sadness,), Emotion.sadness: (Emotion.calm,), Emotion.anger: (Emotion.calm,),
    Emotion.fear: (Emotion.calm, Emotion.determination), Emotion.surprise: (Emotion.calm,),
    Emotion.calm: (Emotion.fear,), Emotion.determination: (Emotion.sadness,), Emotion.awe: (Emotion.calm,),
}
NEGATED_PHRASE = {Emotion.sadness: (Emotion.determination,)}  # "never give up"


def _build_lexicon() -> dict[str, tuple[Emotion | None, float, tuple[float, float, float]]]:
    """word -> (emotion or None, vote weight, (valence, arousal, dominance))."""
    lexicon: dict[str, tuple[Emotion | None, float, tuple[float, float, float]]] = {}
    for table, weight in ((_CUE, 0.5), (_CORE, 1.0)):  # core entries win over cue entries
        for emotion, words in table.items():
            v, a = EMOTION_VA[emotion]
            # cue words carry the emotion's direction at reduced strength
            s = 1.0 if weight == 1.0 else 0.7
            for w in words.split():
                lexicon[w] = (emotion, weight, (v * s, a * s, EMOTION_DOMINANCE[emotion] * s))
    # situation cues (`emotion_cues.py`), then body language (`emotion_body.py`); neither overrides the above
    for table, weight in ((EXTRA_CUES, BODY_WEIGHT), (BODY_CUES, BODY_WEIGHT)):
        for emotion, words in table.items():
            v, a = EMOTION_VA[emotion]
            for w in words.split():
                lexicon.setdefault(w, (emotion, weight, (0.7 * v, 0.7 * a, 0.7 * EMOTION_DOMINANCE[emotion])))
    for w, vad in _MOOD.items():
        lexicon.setdefault(w, (None, 0.0, vad))
    return lexicon


AFFECT_LEXICON = _build_lexicon()

NEGATIONS = {"not", "no", "never", "nothing", "without", "nor", "neither", "none", "nobody", "cannot", "hardly",
             "barely", "longer"} | (vader_negations() - {"despite"})  # "despite the pain" is not "no pain"
# multiplier on the next affect word's distance from neutral (VADER's boosters and dampeners)
INTENSIFIERS = {"very": 1.4, "so": 1.3, "extremely": 1.7, "utterly": 1.6, "really": 1.3, "deeply": 1.5,
                "truly": 1.3, "completely": 1.5, "totally": 1.5, "absolutely": 1.6, "incredibly": 1.6,
                "terribly": 1.5, "awfully": 1.4, "immensely": 1.6, "more": 1.2, "most": 1.4, "too": 1.3,
                "entirely": 1.4, "thoroughly": 1.4, "overwhelmingly": 1.7, "wildly": 1.5, "quite": 1.1,
                "slightly": 0.6, "somewhat": 0.7, "almost": 0.7, "a_bit": 0.6, "kind_of": 0.6, "little": 0.7,
                "mildly": 0.6, "faintly": 0.6, "partly": 0.7}
INTENSIFIERS.update({w: m for w, m in vader_boosters().items() if w not in INTENSIFIERS})
CESSATION = {"stop", "quit", "cease", "help"}
CLAUSE_BREAKS = {",", ";", ":", "but", "yet", "though", "although", "however"}

# common irregular verb forms (the suffix rules cannot undo them)
_IRREGULAR = {
    "gave": "give", "given": "give", "took": "take", "taken": "take", "ran": "run", "held": "hold", "fell": "fall",
    "stood": "stand", "lost": "lost", "broke": "break", "wept": "weep", "drew": "draw", "threw": "throw", "saw": "see",
    "felt": "feel", "kept": "keep", "left": "leave", "shook": "shake", "shaken": "shake", "rose": "rise",
    "risen": "rise", "sat": "sit", "lay": "lie", "spoke": "speak", "went": "go", "won": "win", "fought": "fight",
    "hid": "hide", "hidden": "hide", "swore": "swear", "sworn": "swear", "froze": "freeze", "frozen": "freeze",
    "bit": "bite", "woke": "wake", "began": "begin", "sang": "sing", "sung": "sing", "came": "come",
    "struck": "strike", "clung": "cling", "flung": "fling", "slid": "slide", "sought": "seek", "grew": "grow",
    "forgot": "forget", "met": "meet", "led": "lead", "fled": "flee", "tore": "tear", "torn": "tear", "wore": "wear",
    "dared": "dare", "burnt": "burn", "dreamt": "dream", "knelt": "kneel", "blew": "blow", "flew": "fly",
}
_SUFFIXES = (("iness", ("y",)), ("ness", ("",)), ("ily", ("y",)), ("ies", ("y",)), ("ied", ("y",)), ("ier", ("y",)),
             ("iest", ("y",)), ("ing", ("", "e")), ("ed", ("", "e")), ("es", ("", "e")), ("ly", ("", "le", "e")),
             ("er", ("", "e")), ("est", ("", "e")), ("'s", ("",)), ("s", ("",)), ("d", ("",)), ("ful", ("",)),
             ("fully", ("",)))


def word_forms(word: str) -> list[str]:
    """The word and the base forms it may inflect from, most literal first."""
    out = [word]
    if word in _IRREGULAR:
        out.append(_IRREGULAR[word])
    if word.endswith("ves") and len(word) > 4:  # wolves -> wolf, knives -> knife
        out += [word[:-3] + "f", word[:-3] + "fe"]
    for suf, reps in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            stem = word[: -len(suf)]
            out += [stem + r for r in reps]
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiosl":  # "grinned" -> "grin"
                out.append(stem[:-1])
    return out


# Words that look like an inflection of a lexicon entry and are not one: "the wind" is not "win"
# past tense, a sweater is not someone sweating.
NOT_INFLECTED = frozenset({"wind", "winds", "sweater", "sweaters"})


def lemma(word: str) -> str | None:
    """The lexicon entry a word inflects from: plural/3rd person, past, gerund, adverb, comparative."""
    if word in AFFECT_LEXICON:
        return word
    if word in NOT_INFLECTED:
        return None
    if word in _IRREGULAR and _IRREGULAR[word] in AFFECT_LEXICON:
        return _IRREGULAR[word]
    for c in word_forms(word)[1:]:
        if c in AFFECT_LEXICON:
            return c
    return None
