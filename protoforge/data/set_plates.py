"""Set plates as extra training pictures for Echo's CLIP: the set agent's own painting
(`talos_assets.agents.sets.paint_set`, the background every rendered shot is composed over) of a set at
a time of day in a weather, captioned from that world alone. A plate costs a fraction of a second where
a rendered shot costs tens, so the model sees every set in every light; worlds of the evaluated films
are left out by the caller (`exclude`), so no held-out world is ever painted for training.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path

import numpy as np

from protoforge.data.captions import ShotScene

WEATHERS = ("clear", "cloudy", "rain", "storm", "snow", "fog", "wind")
TIMES = ("dawn", "morning", "noon", "afternoon", "dusk", "night")


def plate_scenes(places: tuple[str, ...], exclude: set[tuple[str, str, str]]) -> list[ShotScene]:
    """Every (set, time, weather) world but the excluded ones, as scenes without props or people."""
    return [ShotScene(place=p, time_of_day=t, weather=w, emotion=None)
            for p, t, w in itertools.product(places, TIMES, WEATHERS) if (p, t, w) not in exclude]


def paint_plates(scenes: list[ShotScene], cache: Path, width: int = 128, height: int = 72,
                 palette: str = "bronze-dusk", log=print) -> dict[str, np.ndarray]:
    """{scene key: display sRGB plate (height, width, 3) uint8}, read from `cache` (an .npz) where
    painted before, painted with the set agent otherwise (seeded by the world, so reruns match)."""
    from talos_assets.agents import sets
    from talos_assets.agents.frames import to_display_rgb8
    from talos_assets.settings import studio_settings
    from talos_assets.spec import Palette, Setting
    from talos_assets.stores.ichor import BUILTIN_PALETTES

    done: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            keys = json.loads(str(data["keys"]))
            done = {k: data[f"p{i}"] for i, k in enumerate(keys)}
    unpainted = [s for s in scenes if s.key() not in done]
    if unpainted:
        pal = Palette(name=palette, swatches=BUILTIN_PALETTES[palette])
        dirs = studio_settings().set_dirs
        specs = {}
        for n, scene in enumerate(unpainted):
            spec = specs.setdefault(scene.place, sets.load_set(scene.place, dirs))
            setting = Setting(place=scene.place, time_of_day=scene.time_of_day, weather=scene.weather,
                              interior=scene.place in _interiors())
            seed = int(hashlib.sha256(scene.key().encode()).hexdigest()[:6], 16)
            done[scene.key()] = to_display_rgb8(sets.paint_set(spec, setting, pal, width, height, seed=seed))
            if (n + 1) % 100 == 0:
                log(f"painted {n + 1}/{len(unpainted)} plates")
        keys = list(done)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, keys=np.array(json.dumps(keys)), **{f"p{i}": done[k] for i, k in enumerate(keys)})
        os.replace(tmp, cache)
    return {s.key(): done[s.key()] for s in scenes}


def _interiors() -> set[str]:
    import yaml

    from protoforge.data.captions import WORLD_WORDS

    return set(yaml.safe_load(WORLD_WORDS.read_text())["interiors"])
