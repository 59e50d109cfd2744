"""Prism, the director: turns a story into a scene graph and a film plan of shots with emotion, size,
lens, camera, staging and timing.

Inputs. A story gives explicit shots, a Fountain screenplay (`screenplay:` file, or a `script:` that
has scene headings; parsed by `talos_assets.agents.fountain` per the Fountain 1.1 syntax), or prose
(a logline/script split into sentences). All three become the same list of `Beat`s grouped in scenes,
and the same film grammar turns beats into `ShotPlan`s. An optional LLM director
(`talos_assets.agents.llm_director`, any OpenAI-compatible endpoint) may write the shot list instead;
its reply is schema-validated and the embedded grammar fills whatever it leaves out.

Emotion. Each beat gets a valence/arousal estimate on Russell's circumplex (Russell 1980), with a
third axis, dominance, from Mehrabian's PAD model so that fear (low dominance) and anger (high
dominance) — which sit close on the valence/arousal plane — come apart. Words are looked up in an
affective lexicon (in the style of NRC-VAD for the dimensions and NRC EmoLex for category
associations), after light lemmatisation (-s/-es/-ies, -ed/-ied, -ing, -ly/-ily, -ness, -er/-est,
doubled consonants). The rules follow VADER (Hutto & Gilbert 2014): negation within three words
flips valence (scaled) and passes a named emotion to its opposite, intensifiers/dampeners scale a
word's distance from neutral, contrastive "but" weights the clause after it more, exclamation raises
arousal, all-caps words in mixed-case text are emphasised, and a few idioms ("give up", "out of
nowhere") are read as phrases. The named emotion is the category with the most lexicon evidence,
ties and evidence-free lines going to the nearest circumplex prototype.

Film grammar. A new location (scene heading) opens with an establishing shot; dialogue lines become
shots on the speaker (medium two-shot first to set the geography, close-ups when the line is
intense); action lines become wide/medium/close-up by arousal, short character-less details become
inserts; lenses lengthen with tighter sizes (24 mm establishing .. 85 mm close-up); arousal shortens
shots and dialogue holds long enough to be read; camera moves follow emotion. The 180-degree rule is
kept per scene: the scene's characters get a fixed left-to-right `stage_order`, every shot lists its
characters in that order and records each one's `screen_side`. The camera plan is a per-frame curve
(centre, zoom from the lens, roll) eased between keys.
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from talos_assets.spec import (
    EMOTION_VA,
    CameraKey,
    CameraMove,
    Emotion,
    FilmPlan,
    Palette,
    SceneInfo,
    ShotInput,
    ShotPlan,
    ShotSize,
    StorySpec,
)

# ---- affect lexicon ---------------------------------------------------------------------------

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
_PHRASES: list[tuple[tuple[str, ...], Emotion, float]] = [
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
]
# A negated emotion word usually expresses a neighbouring state, not a neutral one:
# "not afraid" reads as resolve, "not happy" as sadness, "can't relax" as unease.
# Absent fear is either ease or courage; the rest of the line decides, so its vote is split.
_NEGATED: dict[Emotion, tuple[Emotion, ...]] = {
    Emotion.joy: (Emotion.sadness,), Emotion.sadness: (Emotion.calm,), Emotion.anger: (Emotion.calm,),
    Emotion.fear: (Emotion.calm, Emotion.determination), Emotion.surprise: (Emotion.calm,),
    Emotion.calm: (Emotion.fear,), Emotion.determination: (Emotion.sadness,), Emotion.awe: (Emotion.calm,),
}
_NEGATED_PHRASE = {Emotion.sadness: (Emotion.determination,)}  # "never give up"

# word -> (emotion or None, vote weight, (valence, arousal, dominance))
AFFECT_LEXICON: dict[str, tuple[Emotion | None, float, tuple[float, float, float]]] = {}
for _table, _weight in ((_CUE, 0.5), (_CORE, 1.0)):  # core entries win over cue entries
    for _emotion, _words in _table.items():
        _v, _a = EMOTION_VA[_emotion]
        # cue words carry the emotion's direction at reduced strength
        _s = 1.0 if _weight == 1.0 else 0.7
        for _w in _words.split():
            AFFECT_LEXICON[_w] = (_emotion, _weight, (_v * _s, _a * _s, EMOTION_DOMINANCE[_emotion] * _s))
for _w, _vad in _MOOD.items():
    AFFECT_LEXICON.setdefault(_w, (None, 0.0, _vad))

NEGATIONS = {"not", "no", "never", "nothing", "without", "nor", "neither", "none", "nobody", "cannot", "hardly",
             "barely", "longer"}
# multiplier on the next affect word's distance from neutral (VADER's boosters and dampeners)
INTENSIFIERS = {"very": 1.4, "so": 1.3, "extremely": 1.7, "utterly": 1.6, "really": 1.3, "deeply": 1.5,
                "truly": 1.3, "completely": 1.5, "totally": 1.5, "absolutely": 1.6, "incredibly": 1.6,
                "terribly": 1.5, "awfully": 1.4, "immensely": 1.6, "more": 1.2, "most": 1.4, "too": 1.3,
                "entirely": 1.4, "thoroughly": 1.4, "overwhelmingly": 1.7, "wildly": 1.5, "quite": 1.1,
                "slightly": 0.6, "somewhat": 0.7, "almost": 0.7, "a_bit": 0.6, "kind_of": 0.6, "little": 0.7,
                "mildly": 0.6, "faintly": 0.6, "partly": 0.7}
_CESSATION = {"stop", "quit", "cease", "help"}
_CLAUSE_BREAKS = {",", ";", ":", "but", "yet", "though", "although", "however"}
_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[!?,;:]")


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


def _forms(word: str) -> list[str]:
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


def _match_phrase(phrase: tuple[str, ...], forms: list[list[str]], i: int) -> range | None:
    """Token span of `phrase` starting at i; '*' matches any one word, and a two-word phrase may have
    one word between its parts ("gave it up")."""
    def eq(p: str, k: int) -> bool:
        return k < len(forms) and (p == "*" or p in forms[k])

    if all(eq(p, i + k) for k, p in enumerate(phrase)):
        return range(i, i + len(phrase))
    if len(phrase) == 2 and eq(phrase[0], i) and eq(phrase[1], i + 2):
        return range(i, i + 3)
    return None


def _lemma(word: str) -> str | None:
    """The lexicon entry a word inflects from: plural/3rd person, past, gerund, adverb, comparative."""
    if word in AFFECT_LEXICON:
        return word
    if word in _IRREGULAR and _IRREGULAR[word] in AFFECT_LEXICON:
        return _IRREGULAR[word]
    cands: list[str] = []
    cands = _forms(word)[1:]
    for c in cands:
        if c in AFFECT_LEXICON:
            return c
    return None


@dataclass
class Affect:
    """A line's affect: circumplex coordinates, dominance, the named emotion and its evidence."""

    valence: float
    arousal: float
    dominance: float
    emotion: Emotion
    votes: dict[Emotion, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)

    @property
    def neutral(self) -> bool:
        return not self.matched


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(lower-case token, shouted) pairs; 'shouted' = all caps in a text that is not all caps."""
    raw = _TOKEN_RE.findall(text)
    letters = [t for t in raw if t[0].isalpha()]
    mostly_caps = letters and sum(t.isupper() for t in letters) > 0.6 * len(letters)
    out = []
    for t in raw:
        out.append((t.lower(), bool(not mostly_caps and len(t) > 2 and t.isupper())))
    # two-word dampeners read as one token
    joined: list[tuple[str, bool]] = []
    i = 0
    while i < len(out):
        if i + 1 < len(out) and (out[i][0], out[i + 1][0]) in (("a", "bit"), ("kind", "of"), ("sort", "of")):
            joined.append(("a_bit" if out[i][0] == "a" else "kind_of", False))
            i += 2
            continue
        joined.append(out[i])
        i += 1
    return joined


def _is_negation(w: str) -> bool:
    return w in NEGATIONS or w.endswith("n't")


def analyze_affect(text: str) -> Affect:
    """Valence/arousal/dominance in [-1, 1] and the named emotion of a line of text."""
    toks = _tokens(text)
    words = [w for w, _ in toks]
    lemmas = [(_lemma(w) if w[0].isalpha() else None) for w in words]
    # "but" rule (VADER): the clause after a contrast carries the sentiment more than the one before
    contrast = next((i for i, w in enumerate(words) if w in ("but", "yet", "however")), None)
    items: list[tuple[Emotion | None, float, tuple[float, float, float], int, bool]] = []  # ..., position, phrase
    used: set[int] = set()
    forms = [_forms(w) for w in words]
    for phrase, emo, weight in _PHRASES:
        for i in range(len(words)):
            span = _match_phrase(phrase, forms, i)
            if span is None or used.intersection(span):
                continue
            used.update(span)
            v, a = EMOTION_VA[emo]
            items.append((emo, weight, (v, a, EMOTION_DOMINANCE[emo]), i, True))
    for i, lm in enumerate(lemmas):
        if lm is None or i in used:
            continue
        emo, weight, vad = AFFECT_LEXICON[lm]
        items.append((emo, weight, vad, i, False))
    votes: dict[Emotion, float] = {}
    vals: list[tuple[float, float, float, float]] = []  # v, a, d, weight
    for emo, weight, (v, a, d), i, phrase in sorted(items, key=lambda x: x[3]):
        scale, negated, ceased = 1.0, False, False
        for j in range(i - 1, max(-1, i - 4), -1):  # the three words before, stopping at a clause break
            w = words[j]
            if w in _CLAUSE_BREAKS:
                break
            scale *= INTENSIFIERS.get(w, 1.0)
            negated = negated or _is_negation(w)
            ceased = ceased or any(f in _CESSATION for f in _forms(w))
        if negated and ceased:
            # "couldn't stop grinning", "can't help smiling": a negated stop is a double negative
            negated, scale = False, scale * 1.3
        if toks[i][1]:  # shouted word
            scale *= 1.3
        clause_w = 1.0 if contrast is None else (0.5 if i < contrast else 1.5)
        if negated:
            # VADER scales a negated word's valence by -0.74; a negated state also loses most of its arousal
            v, a, d = -0.74 * v, 0.4 * a - 0.2, -0.5 * d
        targets: tuple[Emotion, ...] = ()
        if emo is not None:
            targets = ((_NEGATED_PHRASE.get(emo, _NEGATED[emo]) if phrase else _NEGATED[emo]) if negated else (emo,))
            if negated:
                weight *= 0.8
        strength = min(2.0, scale)
        for t in targets:
            votes[t] = votes.get(t, 0.0) + weight * strength * clause_w / len(targets)
        vals.append((v * strength, a * strength, d * strength, clause_w))
    if "?" in words and "!" in words:  # "?!" is astonishment, even with no affect word
        votes[Emotion.surprise] = votes.get(Emotion.surprise, 0.0) + 0.5
        v, a = EMOTION_VA[Emotion.surprise]
        vals.append((v, a, EMOTION_DOMINANCE[Emotion.surprise], 0.5))
    if not vals:
        return Affect(0.0, 0.0, 0.0, Emotion.calm)
    tw = sum(w for *_, w in vals)
    v = sum(x[0] * x[3] for x in vals) / tw
    a = sum(x[1] * x[3] for x in vals) / tw
    d = sum(x[2] * x[3] for x in vals) / tw
    bangs = words.count("!")
    if bangs:
        a += 0.15 * min(bangs, 3)
    clip = lambda x: max(-1.0, min(1.0, x))  # noqa: E731
    v, a, d = clip(v), clip(a), clip(d)
    emotion = _name_from_votes(votes, v, a, d)
    matched = [words[x[3]] for x in items] + (["?!"] if "?" in words and "!" in words else [])
    return Affect(v, a, d, emotion, votes, matched)


def _vad_distance(e: Emotion, v: float, a: float, d: float) -> float:
    ev, ea = EMOTION_VA[e]
    return math.sqrt((ev - v) ** 2 + (ea - a) ** 2 + 0.5 * (EMOTION_DOMINANCE[e] - d) ** 2)


def _name_from_votes(votes: dict[Emotion, float], v: float, a: float, d: float) -> Emotion:
    positive = {e: s for e, s in votes.items() if s > 0}
    if not positive:
        return min(EMOTION_VA, key=lambda e: _vad_distance(e, v, a, d))
    # category evidence decides; the circumplex position breaks near-ties (0.25 of a distance unit
    # equals a quarter of a core word's vote)
    return max(positive, key=lambda e: positive[e] - 0.25 * _vad_distance(e, v, a, d))


def estimate_affect(text: str) -> tuple[float, float]:
    """Valence/arousal of a line of text in [-1, 1]; (0, 0) when no affect word is found."""
    aff = analyze_affect(text)
    return aff.valence, aff.arousal


def classify_emotion(text: str) -> Emotion:
    """The named emotion of a line (calm for a line with no affect at all)."""
    return analyze_affect(text).emotion


def name_emotion(valence: float, arousal: float) -> Emotion:
    """Nearest named emotion on the valence/arousal plane."""
    return min(EMOTION_VA, key=lambda e: (EMOTION_VA[e][0] - valence) ** 2 + (EMOTION_VA[e][1] - arousal) ** 2)


def split_beats(text: str) -> list[str]:
    """Sentences of a logline/script, each a beat; screenplay-style blank lines also separate beats."""
    parts = re.split(r"(?<=[.!?])\s+|\n\s*\n", text.strip())
    return [p.strip() for p in parts if len(p.strip()) > 2]


# ---- beats and scenes ----------------------------------------------------------------------------


@dataclass
class Beat:
    """One unit of story that becomes one shot: a line of action, a line of dialogue or an explicit shot."""

    text: str
    kind: str = "shot"  # shot | action | dialogue
    scene: int = 0
    speaker: str | None = None  # a studio character (rig) name
    characters: list[str] = field(default_factory=list)  # rigs in the beat; empty = decide from the scene
    parenthetical: str = ""
    name: str | None = None  # the speaker as the screenplay spells it
    shot: ShotInput | None = None  # explicit shots keep every field the user wrote


@dataclass
class Scene:
    heading: str
    location: str
    interior: bool | None = None
    time_of_day: str = ""
    cast: list[str] = field(default_factory=list)  # left to right


_PERSON_RE = re.compile(r"\b(he|she|they|him|her|them|his|their|i|we|you|me|us|someone|everyone|man|woman|"
                        r"girl|boy|child|robot|automaton)\b", re.IGNORECASE)
_SINGULAR_RE = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_PLURAL_RE = re.compile(r"\b(they|them|their|together|both|everyone)\b", re.IGNORECASE)
_HEADING_RE = re.compile(r"^(INT\.?/EXT\.?|INT/EXT|I/E|INT\.?|EXT\.?|EST\.?)\s*(.*)$", re.IGNORECASE)


def _parse_heading(heading: str) -> Scene:
    m = _HEADING_RE.match(heading.strip())
    prefix, rest = (m.group(1).upper(), m.group(2)) if m else ("", heading.strip())
    interior = None if not prefix or "/" in prefix else prefix.startswith("INT")
    place, _, tod = rest.rpartition(" - ") if " - " in rest else (rest, "", "")
    return Scene(heading=heading.strip(), location=(place or rest).strip().title(), interior=interior,
                 time_of_day=tod.strip().lower())


def map_cast(names: list[str], cast: dict[str, str], available: list[str]) -> tuple[dict[str, str], list[str]]:
    """Screenplay names -> studio rigs: the story's `cast:` first, a rig of the same name next, then
    the unused rigs in order of appearance (so two people never share a body unless the studio has
    too few rigs). Returns the map and a note for each guessed assignment."""
    given = {k.strip().lower(): v for k, v in cast.items()}
    bad = sorted(v for v in given.values() if v not in available)
    if bad:
        raise ValueError(f"cast: '{bad[0]}' is not a character of this studio; use one of {', '.join(available)}")
    out: dict[str, str] = {}
    notes: list[str] = []
    taken = set()
    for name in names:
        key = name.lower()
        if key in given:
            out[name] = given[key]
        elif key in available:
            out[name] = key
        taken.add(out.get(name, ""))
    free = [r for r in available if r not in taken] or list(available)
    k = 0
    for name in names:
        if name not in out:
            out[name] = free[k % len(free)] if free else "talos"
            k += 1
            notes.append(f"screenplay character {name} is played by '{out[name]}'; set cast: {{{name}: RIG}} to choose")
    return out, notes


def beats_from_screenplay(text: str, cast: dict[str, str], available: list[str]) -> tuple[list[Beat], list[Scene], list[str]]:
    """Fountain text -> beats (action paragraphs and dialogue lines) grouped in scenes."""
    from talos_assets.agents.fountain import parse_fountain

    sp = parse_fountain(text)
    rigs, notes = map_cast(sp.characters, cast, available)
    # names to look for in action lines: the screenplay's speakers and the rig names themselves
    mention = {n: r for n, r in rigs.items()}
    mention.update({r: r for r in available})
    patterns = [(re.compile(rf"\b{re.escape(n)}\b", re.IGNORECASE), r) for n, r in
                sorted(mention.items(), key=lambda x: -len(x[0]))]

    def mentioned(line: str) -> list[str]:
        hits = []
        for pat, rig in patterns:
            m = pat.search(line)
            if m:
                hits.append((m.start(), rig))
        return list(dict.fromkeys(r for _, r in sorted(hits)))

    scenes: list[Scene] = []
    beats: list[Beat] = []
    pending_paren: dict[str, str] = {}
    last_ref: str | None = None  # who "he"/"she" most likely means: the last character named or heard
    running: list[list[str]] = []  # characters met so far in each scene
    for el in sp.elements:
        if el.kind == "scene_heading":
            scenes.append(_parse_heading(el.text))
            running.append([])
            continue
        if el.kind in ("action", "centered", "parenthetical", "dialogue", "lyrics") and not scenes:
            scenes.append(Scene(heading="", location=sp.title_page.get("title", "")))  # text before any heading
            running.append([])
        idx = len(scenes) - 1
        if el.kind in ("action", "centered"):
            chars = mentioned(el.text)
            if not chars and _PLURAL_RE.search(el.text):
                # "they" at the top of a scene means the people of the previous scene carried on
                chars = list(dict.fromkeys(running[idx] + (running[idx - 1] if idx and len(running[idx]) < 2 else [])))
            elif not chars and last_ref and _SINGULAR_RE.search(el.text):
                chars = [last_ref]
            beats.append(Beat(el.text, "action", idx, characters=chars))
            last_ref = chars[-1] if len(chars) == 1 else (mentioned(el.text)[-1] if mentioned(el.text) else last_ref)
            running[idx] += [c for c in chars if c not in running[idx]]
        elif el.kind == "parenthetical":
            pending_paren[el.character or ""] = el.text
        elif el.kind in ("dialogue", "lyrics") and el.character:
            rig = rigs.get(el.character, "talos")
            beats.append(Beat(el.text, "dialogue", idx, speaker=rig, characters=[rig], name=el.character,
                              parenthetical=pending_paren.pop(el.character, "")))
            last_ref = rig
            if rig not in running[idx]:
                running[idx].append(rig)
    # each scene's stage order: characters in order of first appearance (speakers and mentions)
    for b in beats:
        sc = scenes[b.scene]
        for c in b.characters:
            if c not in sc.cast:
                sc.cast.append(c)
    return beats, scenes, notes


def beats_from_shots(shots: list[ShotInput]) -> tuple[list[Beat], list[Scene]]:
    """Explicit shots: one beat each; a change of `location` opens a new scene."""
    beats: list[Beat] = []
    scenes: list[Scene] = []
    current = None
    for shot in shots:
        loc = (shot.location or "").strip()
        if not scenes or (loc and loc != current):
            scenes.append(_parse_heading(loc) if loc else Scene(heading="", location=""))
            current = loc or current
        kind = "dialogue" if shot.speaker else "shot"
        beats.append(Beat(shot.description, kind, len(scenes) - 1, speaker=shot.speaker,
                          characters=list(dict.fromkeys(shot.characters)), shot=shot))
    for b in beats:
        for c in b.characters:
            if c not in scenes[b.scene].cast:
                scenes[b.scene].cast.append(c)
    return beats, scenes


def beats_from_prose(text: str) -> tuple[list[Beat], list[Scene]]:
    """A logline or prose script: each sentence is a beat in one scene."""
    beats = [Beat(s, "action", 0) for s in split_beats(text)]
    return beats, [Scene(heading="", location="")]


# ---- film grammar --------------------------------------------------------------------------------

_CAMERA_FOR_EMOTION = {
    Emotion.joy: CameraMove.pan, Emotion.sadness: CameraMove.pull_out, Emotion.anger: CameraMove.handheld,
    Emotion.fear: CameraMove.handheld, Emotion.surprise: CameraMove.push_in, Emotion.calm: CameraMove.static,
    Emotion.determination: CameraMove.dolly, Emotion.awe: CameraMove.tilt,
}
# Focal length per shot size (35 mm equivalent): wide lenses show the place, long lenses isolate a
# face and compress the background, the classic coverage kit.
LENS_FOR_SIZE: dict[ShotSize, float] = {
    ShotSize.establishing: 24.0, ShotSize.wide: 28.0, ShotSize.medium: 45.0, ShotSize.close_up: 85.0,
    ShotSize.insert: 120.0,
}
_BASE_LENS = 24.0


def choose_shot_size(index: int, arousal: float, emotion: Emotion, *, first_in_scene: bool | None = None,
                     kind: str = "action", has_characters: bool = True, words: int = 10) -> ShotSize:
    """Shot size from position in the scene, beat kind and arousal (tighter as arousal rises)."""
    if first_in_scene if first_in_scene is not None else index == 0:
        return ShotSize.establishing
    if kind == "dialogue":
        return ShotSize.close_up if arousal > 0.35 else ShotSize.medium
    if not has_characters and words <= 10:
        return ShotSize.insert  # a short line about a thing, not a person: a detail shot
    if emotion in (Emotion.awe,):
        return ShotSize.wide
    if arousal > 0.6:
        return ShotSize.close_up
    if arousal > 0.1:
        return ShotSize.medium
    return ShotSize.wide


def choose_lens(size: ShotSize, emotion: Emotion) -> float:
    lens = LENS_FOR_SIZE[size]
    if emotion == Emotion.awe and size in (ShotSize.establishing, ShotSize.wide):
        lens *= 0.75  # a wider lens for vastness
    if emotion in (Emotion.fear, Emotion.anger) and size == ShotSize.close_up:
        lens = 100.0  # tighter and flatter: the character is cornered
    return lens


def lens_zoom(lens_mm: float) -> float:
    """Camera zoom for a focal length, relative to the 24 mm establishing lens.

    Optically the framing scales with f/24. Axis already scales figures up for tighter shot sizes
    (its staging table), which supplies about the other half of that magnification, so the camera
    takes the square-root-like share (f/24)^0.47; the product matches f/24 within ~10 % for
    establishing..close-up.
    """
    return min(3.0, max(1.0, (lens_mm / _BASE_LENS) ** 0.47))


def shot_duration(arousal: float) -> float:
    """Pacing: calm beats hold ~5 s, frantic ones ~2 s."""
    return round(3.5 - 1.5 * max(-1.0, min(1.0, arousal)), 2)


def dialogue_duration(text: str, arousal: float) -> float:
    """A line must be heard: ~2.7 words/s speech plus a breath, but never slower than the pacing allows."""
    words = len(text.split())
    return round(min(10.0, max(0.8 * shot_duration(arousal), words / 2.7 + 0.6)), 2)


def choose_camera(size: ShotSize, emotion: Emotion, arousal: float, kind: str, index: int) -> CameraMove:
    if size == ShotSize.establishing:
        if index == 0:
            return CameraMove.static
        return CameraMove.tilt if emotion == Emotion.awe else (CameraMove.pan if arousal > 0.2 else CameraMove.static)
    if kind == "dialogue":
        # coverage of dialogue stays steady so the face reads; fear/anger get the operator's hand
        if emotion in (Emotion.fear, Emotion.anger) and arousal > 0.5:
            return CameraMove.handheld
        if emotion == Emotion.surprise:
            return CameraMove.push_in
        return CameraMove.static
    if size == ShotSize.insert:
        return CameraMove.push_in if arousal > 0.3 else CameraMove.static
    return _CAMERA_FOR_EMOTION[emotion]


def screen_sides(stage_order: list[str]) -> dict[str, str]:
    """Left/center/right for each character of a scene's left-to-right order."""
    n = len(stage_order)
    out = {}
    for i, c in enumerate(stage_order):
        pos = (i + 0.5) / n if n else 0.5
        out[c] = "left" if pos < 0.45 else ("right" if pos > 0.55 else "center")
    return out


def _carry_stage_order(scenes: list[Scene]) -> None:
    """Characters who carry over into the next scene keep their left-to-right order there too (only
    the shared ones are reordered, in the slots they already hold), so a cut to a new place does not
    swap who stands where without a reason."""
    for prev, sc in zip(scenes, scenes[1:]):
        shared = [c for c in sc.cast if c in prev.cast]
        ordered = iter([c for c in prev.cast if c in shared])
        sc.cast = [next(ordered) if c in shared else c for c in sc.cast]


def _camera_note(size: ShotSize, move: CameraMove, lens: float, kind: str, speaker: str | None, chars: list[str]) -> str:
    who = f"on {speaker}" if kind == "dialogue" and speaker else (" & ".join(chars) if chars else "the place")
    two = " two-shot" if kind == "dialogue" and len(chars) > 1 else ""
    return f"{size.value}{two} {who}, {lens:.0f}mm, {move.value}"


def _seed(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def slot_key(index: int) -> str:
    return f"s{index + 1:03d}"


# backgrounds Raygen paints (talos_assets.agents.lighting.BACKGROUND_PRESETS): a scene heading picks one
def _background(scene: Scene) -> str:
    tod = scene.time_of_day
    if scene.interior:
        return "studio"
    if "night" in tod or "midnight" in tod:
        return "night-sea"
    return "dusk-hills"


def _available_characters() -> list[str]:
    from talos_assets.agents.key_animation import available_characters

    return available_characters() or ["talos"]


def story_source(story: StorySpec, story_path: Path | None = None) -> tuple[str, str]:
    """(kind, text) of what Prism directs from: shots, fountain, or prose."""
    from talos_assets.agents.fountain import looks_like_fountain, read_screenplay, resolve_screenplay

    if story.shots:
        return "shots", ""
    if story.screenplay is not None:
        path = resolve_screenplay(story, story_path)
        read_screenplay(path)  # a one-sentence error for unreadable files
        return "fountain", path.read_text(encoding="utf-8")
    if story.script and looks_like_fountain(story.script):
        return "fountain", story.script
    return "prose", story.script or story.logline or ""


def direct_film(story: StorySpec, palette: Palette, music_file=None, handle_seconds: float = 0.5, *,
                story_path: Path | None = None, use_llm: bool | None = None) -> FilmPlan:
    """The director: story -> FilmPlan (scene graph + one ShotPlan per shot).

    `story_path` resolves a relative `screenplay:`. The LLM director runs when the story's
    `director.llm_url` (or TALOS_LLM_URL) is set and `use_llm` is not False; any failure there
    falls back to the embedded director with a warning recorded in the plan.
    """
    from talos_assets.story import StoryError

    try:
        kind, text = story_source(story, story_path)
    except StoryError as exc:  # callers add their own full stop to a ValueError's sentence
        raise ValueError(str(exc).rstrip(".")) from None
    notes: list[str] = []
    director = "embedded"
    available = _available_characters()
    if use_llm is not False and kind != "shots":
        from talos_assets.agents import llm_director

        config = llm_director.config_for(story)
        if config is not None:
            shots, note = llm_director.request_shot_list(config, story, text, kind, available)
            if shots is not None:
                kind, director = "llm", f"llm:{config.model}"
                llm_shots = shots
            else:
                notes.append(note)
                warnings.warn(note, RuntimeWarning, stacklevel=2)
    if kind == "shots":
        beats, scenes = beats_from_shots(list(story.shots))
    elif kind == "llm":
        beats, scenes = beats_from_shots(llm_shots)
    elif kind == "fountain":
        beats, scenes, cast_notes = beats_from_screenplay(text, story.cast, available)
        notes += cast_notes
    else:
        beats, scenes = beats_from_prose(text)
    if not beats:
        raise ValueError("the story's text has no sentence to make a shot from")

    # a scene with nobody named still needs a figure for Axis to draw: the film's first character
    film_cast = [c for s in scenes for c in s.cast] or ["talos"]
    for sc in scenes:
        if not sc.cast:
            sc.cast = [film_cast[0]]
    _carry_stage_order(scenes)

    shots: list[ShotPlan] = []
    scene_infos = [SceneInfo(index=i, heading=s.heading, location=s.location, interior=s.interior,
                             time_of_day=s.time_of_day, characters=list(s.cast)) for i, s in enumerate(scenes)]
    seen_scene: set[int] = set()
    dialogue_seen: set[int] = set()
    counters: dict[int, int] = {}
    for i, beat in enumerate(beats):
        sc = scenes[beat.scene]
        explicit = beat.shot
        affect = analyze_affect(f"{beat.parenthetical} {beat.text}" if beat.parenthetical else beat.text)
        valence, arousal, dominance, emotion = affect.valence, affect.arousal, affect.dominance, affect.emotion
        if explicit is not None and explicit.emotion is not None:
            emotion = explicit.emotion
            valence, arousal = EMOTION_VA[emotion]
            dominance = EMOTION_DOMINANCE[emotion]
        elif affect.neutral:
            valence, arousal = EMOTION_VA[Emotion.calm]
            emotion = Emotion.calm
        first_in_scene = beat.scene not in seen_scene
        seen_scene.add(beat.scene)

        # who is in the shot, listed in the scene's stage order (180-degree rule)
        chars = list(beat.characters)
        if beat.kind == "dialogue" and beat.speaker and explicit is None:
            others = [c for c in sc.cast if c != beat.speaker]
            if others and beat.scene not in dialogue_seen and arousal <= 0.35:
                chars = [beat.speaker] + others[:1]  # the first calm exchange: a two-shot sets the geography
            else:
                chars = [beat.speaker]
        # a line about a thing rather than a person (no name, no personal pronoun) may be an insert
        has_people = bool(chars) or bool(_PERSON_RE.search(beat.text))
        if not chars:
            chars = list(sc.cast)
        if first_in_scene and beat.kind != "shot":
            chars = list(dict.fromkeys(chars + sc.cast))  # the establishing shot shows everyone present
        chars = sorted(dict.fromkeys(chars), key=lambda c: sc.cast.index(c) if c in sc.cast else len(sc.cast))

        if explicit is not None and explicit.shot_size is not None:
            size = explicit.shot_size
        else:
            size = choose_shot_size(i, arousal, emotion, first_in_scene=first_in_scene, kind=beat.kind,
                                    has_characters=has_people or beat.kind == "shot", words=len(beat.text.split()))
        if beat.kind == "dialogue":
            dialogue_seen.add(beat.scene)
        lens = explicit.lens_mm if explicit is not None and explicit.lens_mm else choose_lens(size, emotion)
        camera = explicit.camera if explicit is not None and explicit.camera else choose_camera(size, emotion, arousal, beat.kind, i)
        if explicit is not None and explicit.duration:
            duration = explicit.duration
        elif beat.kind == "dialogue":
            duration = dialogue_duration(beat.text, arousal)
        else:
            duration = shot_duration(arousal) + (1.0 if size == ShotSize.establishing and i > 0 else 0.0)
        frames = max(2, int(round(duration * story.fps)))
        sides = screen_sides(sc.cast)
        if explicit is not None:
            shot_id = explicit.id
        elif kind == "fountain":
            counters[beat.scene] = counters.get(beat.scene, 0) + 1
            shot_id = f"sc{beat.scene + 1:02d}-{counters[beat.scene]:02d}"
        else:
            shot_id = f"shot-{i + 1:02d}"
        description = beat.text
        if beat.kind == "dialogue" and explicit is None:
            name = beat.name or beat.speaker or ""
            paren = f" {beat.parenthetical}" if beat.parenthetical else ""
            description = f'{name}{paren}: "{beat.text}"'
        shots.append(
            ShotPlan(
                film_id=story.film_id, shot_id=shot_id, slot=slot_key(i), index=i, description=description,
                emotion=emotion, valence=valence, arousal=arousal, dominance=dominance,
                shot_size=size, camera=camera, lens_mm=round(lens, 1),
                duration=frames / story.fps, frames=frames,
                handle_frames=max(1, int(round(handle_seconds * story.fps))),
                fps=story.fps, width=story.resolution[0], height=story.resolution[1],
                characters=chars, effects=list(explicit.effects) if explicit is not None else [], palette=palette,
                background=_background(sc), seed=_seed(story.film_id, shot_id),
                stage_order=list(sc.cast), screen_side={c: sides.get(c, "center") for c in chars},
                scene_index=beat.scene, location=sc.location, beat=beat.kind if beat.kind != "shot" else "shot",
                speaker=beat.speaker, camera_note=_camera_note(size, camera, lens, beat.kind, beat.speaker, chars),
            )
        )
        scene_infos[beat.scene].shot_ids.append(shot_id)
    ids = [s.shot_id for s in shots]
    if len(set(ids)) != len(ids):
        raise ValueError(f"shot ids repeat: {sorted({x for x in ids if ids.count(x) > 1})}")
    return FilmPlan(film_id=story.film_id, title=story.title, fps=story.fps, width=story.resolution[0],
                    height=story.resolution[1], palette=palette, music_file=music_file, shots=shots,
                    scenes=scene_infos, director=director, warnings=notes,
                    deliverables=list(dict.fromkeys(["sdr-h264", *story.deliverables])))


_SIZE_ZOOM = {ShotSize.establishing: 1.0, ShotSize.wide: 1.05, ShotSize.medium: 1.35, ShotSize.close_up: 1.8,
              ShotSize.insert: 2.2}


def _smoothstep(t: float) -> float:
    return t * t * (3.0 - 2.0 * t)


def _subject_x(shot: ShotPlan) -> float:
    """Mean stage x of the shot's character over its key poses (0.5 if it cannot be staged)."""
    from talos_assets.agents.key_animation import plan_key_poses

    try:
        xs = [k.pose.root_x for k in plan_key_poses(shot)]
    except ValueError:  # an unknown rig: forge reports it; the camera just looks at the middle
        return 0.5
    return float(sum(xs) / len(xs)) if xs else 0.5


def camera_plan(shot: ShotPlan) -> list[CameraKey]:
    """One CameraKey per rendered frame (planned frames plus the edit handle), eased between the ends."""
    n = shot.total_frames
    zoom0 = lens_zoom(shot.lens_mm) if shot.lens_mm else _SIZE_ZOOM[shot.shot_size]
    # characters stand with their heads at about a third of the stage height: tighter sizes frame
    # head and shoulders, so the centre rises as the zoom grows
    cy = {ShotSize.close_up: 0.42, ShotSize.insert: 0.45, ShotSize.medium: 0.48}.get(shot.shot_size, 0.5)
    cx = 0.5
    if len(shot.characters) == 1 and shot.shot_size in (ShotSize.medium, ShotSize.close_up):
        # a single is aimed at where Axis stages the character, and a character who stands left in
        # the scene is framed left of centre, with the look room towards the partner off screen right
        # (and vice versa): the 180-degree rule in a single
        cx = _subject_x(shot)
        side = shot.screen_side.get(shot.characters[0], "center")
        cx += {"left": 0.12, "right": -0.12}.get(side, 0.0) / zoom0
    start = dict(center_x=cx, center_y=cy, zoom=zoom0, roll=0.0)
    end = dict(start)
    move = shot.camera
    if move == CameraMove.pan:
        start["center_x"], end["center_x"] = cx - 0.08, cx + 0.08
    elif move == CameraMove.tilt:
        start["center_y"], end["center_y"] = cy + 0.08, cy - 0.08
    elif move == CameraMove.push_in:
        end["zoom"] = zoom0 * 1.3
    elif move == CameraMove.pull_out:
        start["zoom"] = zoom0 * 1.3
    elif move == CameraMove.dolly:
        start["center_x"], end["center_x"] = cx - 0.05, cx + 0.05
        end["zoom"] = zoom0 * 1.12
    cast = len(dict.fromkeys(shot.characters))
    if cast > 1:
        # a group shot must hold the whole group: Axis spreads n characters over min(0.62, 0.3(n-1))
        # of the stage, plus about a figure's width of margin, so a "close-up" of two is a tight two-shot
        fit = 1.0 / (min(0.62, 0.3 * (cast - 1)) + 0.35)
        start["zoom"], end["zoom"] = min(start["zoom"], fit), min(end["zoom"], fit)
    keys = []
    for f in range(n):
        t = _smoothstep(f / max(1, shot.frames - 1)) if f < shot.frames else 1.0
        k = {name: start[name] + (end[name] - start[name]) * t for name in start}
        if move == CameraMove.handheld:
            # two incommensurate sines read as an operator's hand, seeded so each shot differs
            ph = (shot.seed % 1000) / 1000.0 * 2 * math.pi
            amp = 0.006 + 0.01 * max(0.0, shot.arousal)
            k["center_x"] += amp * (math.sin(f * 0.37 + ph) + 0.5 * math.sin(f * 0.91 + 2 * ph))
            k["center_y"] += amp * (math.sin(f * 0.29 + 3 * ph) + 0.5 * math.sin(f * 1.13 + ph))
            k["roll"] = 0.8 * amp * 100 * math.sin(f * 0.21 + ph)
        half = 0.5 / k["zoom"]
        # keep the frame inside the stage so no empty border shows
        k["center_x"] = min(max(k["center_x"], half), 1 - half)
        k["center_y"] = min(max(k["center_y"], half), 1 - half)
        keys.append(CameraKey(frame=f, **k))
    return keys
