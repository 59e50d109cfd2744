"""Films Echo's CLIP learns from and is judged on: short stories generated from combinations of the
studio's sets, times of day, weather, props, effects, actions and emotions, each rendered through the
studio's real Dagster assets (Prism -> Axis -> Flux -> Chroma -> Raygen -> Stokes -> Anima) at a small
size, so the frames are the ones the pipeline really paints. Each rendered film is cached under a
folder (`<film_id>.npz`: frames of every shot + the scene graphs Prism planned), so a rerun reads it back.

Shots of one film are different scenes, each on a different set: retrieval among a film's shots then
asks whether the caption's world is the one on screen, which is what Echo gates.
Films are split by a SHA-256 of their story text (train / tuning / held-out), never by shot, so no
frame or scene graph of a held-out film is ever trained on.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, Field

from protoforge.data.captions import ShotScene

Split = Literal["train", "tuning", "held-out"]

# sets whose look is distinct at 128x72 (the whole set library minus near-duplicates of these)
PLACES = ("hills", "shore", "ocean-cliff", "forest", "jungle", "meadow", "farm", "mountains", "snowy-peaks",
          "desert", "lake", "river", "city-street", "village", "castle", "cave", "ruins", "harbor", "market",
          "rooftop", "kitchen", "library", "bedroom", "workshop", "bar", "hall", "garden", "space", "ship-deck")
TIMES = ("dawn", "morning", "noon", "afternoon", "dusk", "night")
WEATHERS = ("clear", "clear", "cloudy", "rain", "storm", "snow", "fog", "wind")
PROPS = ("lantern", "barrel", "crate", "tree", "bench", "table", "chair", "ladder", "boat", "rock", "guitar",
         "umbrella", "lamp", "clock", "bicycle", "kite", "anvil", "basket", "flower", "sword", "shield", "book")
EFFECTS = ("smoke", "fire", "magic", "dust", "steam", "sparks", "splash", "ink")
ACTIONS = ("stand", "walk", "run", "jump", "wave", "dance", "sit", "kneel", "point", "clap", "bow", "celebrate",
           "cry", "laugh", "shrug", "turn", "nod", "gaze_up")
EMOTIONS = ("joy", "sadness", "anger", "fear", "surprise", "calm", "determination", "awe")
CHARACTERS = ("talos", "mira", "pip")
PALETTES = ("bronze-dusk",)
# the shot assets upstream of `shot_render` (talos_assets.definitions.SHOT_ASSETS less the ones for people)
RENDER_CHAIN = frozenset({"scene_graph", "dialogue_line", "key_poses", "camera_plan", "inbetweens", "colored_frames",
                          "lit_frames", "effect_layers", "shot_render"})


class ShotRecipe(BaseModel):
    """What one generated shot asks for (the story's explicit fields)."""

    place: str
    time_of_day: str
    weather: str
    props: list[str] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)
    character: str = "talos"
    action: str = "stand"
    emotion: str = "calm"

    def scene(self) -> ShotScene:
        """The scene graph this recipe asks Prism for (what the rendered plan holds when Prism keeps it)."""
        return ShotScene(place=self.place, time_of_day=self.time_of_day, weather=self.weather, props=list(self.props),
                         effects=list(self.effects), actions=[(self.character, self.action)], emotion=self.emotion)

    def description(self) -> str:
        """The story's own line for the shot (the film's text; never a training caption)."""
        extras = "".join(f" with a {p}" for p in self.props) + "".join(f", {e} nearby" for e in self.effects)
        return (f"{self.character.capitalize()} does '{self.action.replace('_', ' ')}' at the {self.place.replace('-', ' ')}"
                f" ({self.time_of_day}, {self.weather}){extras}.")


class FilmRecipe(BaseModel):
    film_id: str
    shots: list[ShotRecipe]

    def story(self, width: int, height: int, fps: int, seconds: float) -> dict:
        """The story YAML's content for Talos's real pipeline."""
        shots = []
        for i, s in enumerate(self.shots):
            shot = {"id": f"s{i + 1}", "description": s.description(), "duration": seconds, "characters": [s.character],
                    "place": s.place, "time_of_day": s.time_of_day, "weather": s.weather, "emotion": s.emotion,
                    "props": s.props, "camera": "static",
                    "effects": [{"kind": e, "source_x": 0.3 + 0.4 * (k % 2), "source_y": 0.85} for k, e in enumerate(s.effects)],
                    "actions": [{"character": s.character, "action": s.action}]}
            shots.append(shot)
        return {"title": f"Echo study {self.film_id}", "id": self.film_id, "fps": fps, "resolution": [width, height],
                "palette": PALETTES[0], "shots": shots}

    def text(self) -> str:
        """The film's own text: what the split hashes and what training captions must never contain."""
        return "\n".join(s.description() for s in self.shots)


def split_of(story_text: str, tuning_pct: int = 15, held_out_pct: int = 35) -> Split:
    """The film's split from the SHA-256 of its story text: stable across runs and machines."""
    bucket = int(hashlib.sha256(story_text.encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < held_out_pct:
        return "held-out"
    return "tuning" if bucket < held_out_pct + tuning_pct else "train"


def _distinct(a: ShotRecipe, b: ShotRecipe) -> bool:
    return a.place != b.place or a.time_of_day != b.time_of_day


def generate_films(n_films: int, shots_per_film: int = 4, seed: int = 0) -> list[FilmRecipe]:
    """`n_films` stories of `shots_per_film` scenes each, every scene a fresh draw of set, time,
    weather, up to two props, up to one effect, one character's action and an emotion (seeded)."""
    rng = random.Random(seed)
    films = []
    for f in range(n_films):
        shots: list[ShotRecipe] = []
        while len(shots) < shots_per_film:
            place = rng.choice(PLACES)
            weather = rng.choice(WEATHERS)
            cand = ShotRecipe(place=place, time_of_day=rng.choice(TIMES), weather=weather,
                              props=rng.sample(PROPS, rng.choice((0, 1, 1, 2))),
                              effects=rng.sample(EFFECTS, rng.choice((0, 0, 1))),
                              character=rng.choice(CHARACTERS), action=rng.choice(ACTIONS), emotion=rng.choice(EMOTIONS))
            if all(_distinct(cand, s) for s in shots) and sum(s.place == place for s in shots) < 1:
                shots.append(cand)
        films.append(FilmRecipe(film_id=f"echo-{seed:02d}-{f:04d}", shots=shots))
    return films


class RenderedFilm(BaseModel):
    """A rendered film as Echo's CLIP sees it: the scene graph and frames of every shot."""

    model_config = {"arbitrary_types_allowed": True}
    film_id: str
    text: str
    scenes: list[ShotScene]
    frames: list[np.ndarray]  # per shot, (N, H, W, 3) uint8 display sRGB

    @property
    def split(self) -> Split:
        return split_of(self.text)


def _cache_path(cache: Path, film_id: str) -> Path:
    return cache / f"{film_id}.npz"


def load_cached(cache: Path, recipe: FilmRecipe) -> RenderedFilm | None:
    path = _cache_path(cache, recipe.film_id)
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        frames = [data[f"shot{i}"] for i in range(len(meta["scenes"]))]
    return RenderedFilm(film_id=recipe.film_id, text=meta["text"], frames=frames,
                        scenes=[ShotScene.model_validate(s) for s in meta["scenes"]])


def _save(cache: Path, film: RenderedFilm) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"text": film.text, "scenes": [s.model_dump(mode="json") for s in film.scenes]})
    tmp = cache / f".{film.film_id}.tmp.npz"
    np.savez_compressed(tmp, meta=np.array(meta), **{f"shot{i}": f for i, f in enumerate(film.frames)})
    os.replace(tmp, _cache_path(cache, film.film_id))  # temp-then-rename: a killed render leaves no half file


class FilmRenderer:
    """Renders generated films through the real Dagster assets on a private, throwaway studio home
    (set up on first use; `TALOS_HOME`, `TALOS_RENDERS` and `DAGSTER_HOME` point into `work`)."""

    def __init__(self, work: Path, width: int = 128, height: int = 72, fps: int = 12, seconds: float = 0.5):
        self.work, self.width, self.height, self.fps, self.seconds = Path(work), width, height, fps, seconds
        self._instance = None

    def _start(self):
        if self._instance is None:
            import dagster as dg

            self.work.mkdir(parents=True, exist_ok=True)
            os.environ.update(TALOS_HOME=str(self.work / "home"), TALOS_RENDERS=str(self.work / "renders"),
                              DAGSTER_HOME=str(self.work / "home" / "dagster"))
            from talos_assets.home import prepare_home

            prepare_home()
            (self.work / "dagster").mkdir(exist_ok=True)
            self._ctx = dg.instance_for_test(temp_dir=str(self.work / "dagster"))
            self._instance = self._ctx.__enter__()
        return self._instance

    def close(self) -> None:
        if self._instance is not None:
            self._ctx.__exit__(None, None, None)
            self._instance = None

    def render(self, recipe: FilmRecipe) -> RenderedFilm:
        import dagster as dg

        from protoforge.data.captions import scene_of
        from talos_assets.agents.frames import read_layer, to_display_rgb8
        from talos_assets.checking import check_story
        from talos_assets.definitions import SHOT_ASSETS, build_resources, defs
        from talos_assets.forge import plan_in_process
        from talos_assets.partitions import shot_key
        from talos_assets.settings import studio_settings
        from talos_assets.stores.studio import Layer

        instance = self._start()
        path = self.work / f"{recipe.film_id}.yaml"
        path.write_text(yaml.safe_dump(recipe.story(self.width, self.height, self.fps, self.seconds)))
        checked = check_story(path, studio_settings())
        plan = checked.plan
        resources = build_resources()
        store = resources["studio"].store()
        quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        plan_in_process(checked, instance, resources, quiet)
        assets = list(defs.assets or [])
        # only what the final frames depend on: line-art keys, storyboard panels and motion plots are
        # for people, and skipping them halves a shot's cost
        chain = [a.key for a in SHOT_ASSETS if a.key.to_user_string() in RENDER_CHAIN]
        frames = []
        for shot in plan.shots:
            dg.materialize(assets, selection=chain, partition_key=shot_key(plan.film_id, shot.slot),
                           instance=instance, resources=resources, run_config=quiet)
            seq = store.frames(shot, Layer.render)
            frames.append(np.stack([to_display_rgb8(read_layer(seq.path(f))) for f in range(shot.frames)]))
        return RenderedFilm(film_id=recipe.film_id, text=recipe.text(), frames=frames,
                            scenes=[scene_of(s) for s in plan.shots])


def rendered_films(recipes: list[FilmRecipe], cache: Path, renderer: FilmRenderer | None = None,
                   log=print) -> list[RenderedFilm]:
    """Every recipe's film, from `cache` when it holds it, else rendered (with `renderer`) and cached."""
    films = []
    for k, recipe in enumerate(recipes):
        film = load_cached(cache, recipe)
        if film is None:
            if renderer is None:
                continue
            film = renderer.render(recipe)
            _save(cache, film)
            log(f"[{k + 1}/{len(recipes)}] rendered {recipe.film_id} ({film.split})")
        films.append(film)
    return films
