"""Captions Echo's CLIP learns from, generated from a shot's scene graph (set, time of day, weather,
props, effects, actions, emotion) rather than taken from the film's own text: several paraphrases per
shot, each drawn with a seeded RNG from sentence frames and from the words Prism itself reads as that
set, time or weather (talos_assets/data/world_words.yaml and the direction agent's time/weather
tables), so the model learns the world a shot shows, not one sentence. Every paraphrase names the set
and the time of day first (they survive the tokenizer's truncation); the rest come in a random order.
"""

from __future__ import annotations

import functools
import hashlib
import random
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

WORLD_WORDS = Path(__file__).resolve().parents[2] / "talos_assets" / "data" / "world_words.yaml"

# words that name a time or a weather only in some sentences ("stars", "day") are left out: a caption
# must say its time plainly
_TIME_SKIP = {"day", "daytime", "tonight", "stars", "moon", "breakfast", "lunchtime", "sun rise", "sun rose",
              "sun set", "sun sink", "sun go down", "sun went down", "sun is high", "darkness falls", "overnight",
              "starry", "teatime", "magic hour", "gloaming", "sunup", "forenoon"}
_WEATHER_SKIP = {"not a cloud", "clouds part", "clouds parted", "clouds break", "clouds clear", "sun breaks through",
                 "sun broke through", "windless", "cloud", "raindrop", "snowflake", "thunderclap", "hurricane",
                 "typhoon", "murk", "gust", "clear night", "clear morning", "clear evening", "clear day", "flurries"}
_PLACE_SKIP = {"sand", "sands", "tide", "waves", "surf", "stall", "the square", "indoors", "in space", "into space",
               "aboard", "on board", "deck", "vines", "underground", "mine", "tunnel", "forge", "lab", "roof"}

EFFECT_WORDS: dict[str, list[str]] = {
    "smoke": ["smoke", "smoke rising", "drifting smoke"], "fire": ["fire", "flames", "a blaze"],
    "ink": ["ink", "ink clouds", "swirling ink"], "magic": ["magic", "glowing magic", "a magic glow"],
    "dust": ["dust", "a dust cloud", "swirling dust"], "steam": ["steam", "rising steam", "a plume of steam"],
    "sparks": ["sparks", "flying sparks", "a shower of sparks"], "explosion": ["an explosion", "a blast"],
    "splash": ["a splash", "splashing water"], "rain": ["falling rain"], "snow": ["falling snow"],
}
EMOTION_WORDS: dict[str, list[str]] = {
    "joy": ["joyful", "happy", "cheerful"], "sadness": ["sad", "sorrowful", "melancholy"],
    "anger": ["angry", "furious", "enraged"], "fear": ["afraid", "frightened", "scared"],
    "surprise": ["surprised", "astonished", "startled"], "calm": ["calm", "peaceful", "serene"],
    "determination": ["determined", "resolute", "steadfast"], "awe": ["in awe", "awestruck", "amazed"],
}
ACTION_WORDS: dict[str, list[str]] = {
    "stand": ["stands", "is standing"], "walk": ["walks", "is walking", "strolls"], "run": ["runs", "is running", "dashes"],
    "jump": ["jumps", "leaps"], "wave": ["waves", "is waving"], "dance": ["dances", "is dancing"],
    "sit": ["sits", "is sitting"], "kneel": ["kneels", "is kneeling"], "point": ["points", "is pointing"],
    "clap": ["claps", "applauds"], "bow": ["bows", "takes a bow"], "celebrate": ["celebrates", "cheers"],
    "cry": ["cries", "weeps"], "laugh": ["laughs", "is laughing"], "shrug": ["shrugs"], "turn": ["turns", "turns around"],
    "nod": ["nods"], "gaze_up": ["gazes up", "looks up at the sky"],
}


class ShotScene(BaseModel):
    """The part of a shot's scene graph a caption describes (from Prism's ShotPlan)."""

    place: str
    time_of_day: str
    weather: str = "clear"
    interior: bool = False
    props: list[str] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)
    actions: list[tuple[str, str]] = Field(default_factory=list, description="(character, action)")
    emotion: str | None = "calm"

    def key(self) -> str:
        """The scene graph as one canonical string: equal keys describe the same world."""
        return self.model_dump_json()


def scene_of(shot) -> ShotScene:
    """The ShotScene of a talos_assets.spec.ShotPlan."""
    return ShotScene(place=shot.setting.place, time_of_day=shot.setting.time_of_day.value,
                     weather=shot.setting.weather.value, interior=shot.setting.interior,
                     props=[p.prop for p in shot.props], effects=[e.kind.value for e in shot.effects],
                     actions=[(a.character, a.action) for a in shot.actions], emotion=shot.emotion.value)


@functools.lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, list[str]]]:
    """{'place'|'time'|'weather'|'prop': {id: words}} from the studio's own world vocabulary."""
    from talos_assets.agents.direction.world import TIME_WORDS, WEATHER_WORDS

    words = yaml.safe_load(WORLD_WORDS.read_text())
    places = {pid: [pid.replace("-", " ")] + [w for w in ws[:6] if w not in _PLACE_SKIP]
              for pid, ws in words["places"].items()}
    props = {pid: [pid.replace("-", " ")] + [w for w in (ws or [])[:2]] for pid, ws in words["props"].items()}
    times = {t.value: [w for w in ws if w not in _TIME_SKIP][:5] for t, ws in TIME_WORDS.items()}
    weather = {w.value: [x for x in ws if x not in _WEATHER_SKIP][:5] for w, ws in WEATHER_WORDS.items()}
    return {"place": {k: list(dict.fromkeys(v)) for k, v in places.items()}, "time": times, "weather": weather,
            "prop": {k: list(dict.fromkeys(v)) for k, v in props.items()}}


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


_PLACE_FRAMES = ("in the {w}", "at the {w}", "a scene in the {w}", "{art} {w}", "the {w}", "somewhere in the {w}")
_SUNLESS = {"night", "dusk"}  # times whose sky has no sun to name
_TIME_FRAMES = ("at {w}", "during the {w}", "in the {w}", "{w}", "by {w}")
_WEATHER_FRAMES = ("{w} weather", "with {w}", "in the {w}", "{w}", "under a {w} sky")


def _clauses(scene: ShotScene, rng: random.Random) -> tuple[str, list[str]]:
    """(the set-and-time head, the other clauses) of one paraphrase."""
    voc = vocabulary()
    place_w = rng.choice(voc["place"].get(scene.place, [scene.place.replace("-", " ")]))
    time_w = rng.choice(voc["time"].get(scene.time_of_day, [scene.time_of_day]))
    place = rng.choice(_PLACE_FRAMES).format(w=place_w, art=_article(place_w))
    when = rng.choice(_TIME_FRAMES).format(w=time_w)
    head = f"{place} {when}" if rng.random() < 0.7 else f"{when}, {place}"
    rest = []
    weather_ws = voc["weather"].get(scene.weather, [scene.weather])
    if scene.time_of_day in _SUNLESS:  # a clear night is cloudless, not sunny
        weather_ws = [w for w in weather_ws if "sun" not in w] or weather_ws
    weather_w = rng.choice(weather_ws)
    if scene.weather != "clear" or rng.random() < 0.5:
        rest.append(rng.choice(_WEATHER_FRAMES).format(w=weather_w))
    for prop in scene.props:
        w = rng.choice(voc["prop"].get(prop, [prop]))
        rest.append(rng.choice(("with {a} {w}", "{a} {w} nearby", "beside {a} {w}")).format(a=_article(w), w=w))
    for effect in scene.effects:
        rest.append(rng.choice(EFFECT_WORDS.get(effect, [effect])))
    for character, action in scene.actions:
        verb = rng.choice(ACTION_WORDS.get(action, [action.replace("_", " ") + "s"]))
        rest.append(f"{character.capitalize()} {verb}")
    if scene.emotion:
        mood = rng.choice(EMOTION_WORDS.get(scene.emotion, [scene.emotion]))
        rest.append(rng.choice(("{m} mood", "feeling {m}", "{m}")).format(m=mood))
    rng.shuffle(rest)
    return head, rest


def paraphrase(scene: ShotScene, rng: random.Random) -> str:
    head, rest = _clauses(scene, rng)
    return ", ".join([head, *rest])


def captions_for(scene: ShotScene, n: int = 4, seed: int | str = 0, max_tries: int = 64) -> list[str]:
    """`n` distinct paraphrases of `scene` (fewer only if the vocabulary cannot vary it that much),
    the same for the same scene and seed on every machine."""
    digest = hashlib.sha256(f"{seed}|{scene.key()}".encode()).hexdigest()
    rng = random.Random(int(digest[:16], 16))
    out: list[str] = []
    for _ in range(max_tries):
        text = paraphrase(scene, rng)
        if text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


def names_for(scene: ShotScene) -> dict[str, list[str]]:
    """The words that can name this scene's set and time (what every caption must contain one of)."""
    voc = vocabulary()
    return {"place": voc["place"].get(scene.place, [scene.place]), "time": voc["time"].get(scene.time_of_day, [scene.time_of_day])}
