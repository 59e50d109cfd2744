"""Painting a set's plate: the layers of a set composited back to front for one setting and palette.

`paint_set` lays each layer with its painter on a canvas at the frame's own resolution (no
upscaling), lit for the time of day and the weather by `sky_state`; a set with a sky gets a cloud
layer when the weather brings clouds. Interior layers are lit afterwards by the room's light map
(the sources the text names, or the set's own), then emission (window glass, coals, lit windows)
is added. Each layer draws from its own generator seeded by (seed, layer index), so the same seed
paints the same trees and houses whatever the weather: a rainy and a clear shot of a scene differ
only where weather shows. `PAINTER_VERSION` changes whenever the painters change the pixels, so
Aether's cached plates are keyed by it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import cv2
import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.agents.sets import spec as S
from talos_assets.agents.sets.canvas import Canvas
from talos_assets.agents.sets.catalog import LEGACY_BACKGROUNDS
from talos_assets.agents.sets.lights import interior_lights, light_map
from talos_assets.agents.sets.paint_interior import (
    paint_cave, paint_columns, paint_counter, paint_door, paint_floor, paint_forge, paint_shelves, paint_wall, paint_window,
)
from talos_assets.agents.sets.paint_land import paint_cliff, paint_ground, paint_ridge, paint_river, paint_sea
from talos_assets.agents.sets.paint_sky import paint_celestial, paint_clouds, paint_planet, paint_sky, paint_stars
from talos_assets.agents.sets.paint_things import paint_boats, paint_buildings, paint_ship, paint_trees
from talos_assets.agents.sets.sky import SkyState, sky_state, with_season
from talos_assets.spec import Palette
from talos_assets.world_spec import Setting, TimeOfDay

PAINTER_VERSION = "sets-2026.11.30-1"

_PAINTERS = {
    "sky": paint_sky, "celestial": paint_celestial, "stars": paint_stars, "clouds": paint_clouds, "planet": paint_planet,
    "ridge": paint_ridge, "sea": paint_sea, "ground": paint_ground, "river": paint_river, "cliff": paint_cliff,
    "trees": paint_trees, "buildings": paint_buildings, "boats": paint_boats, "ship": paint_ship,
    "wall": paint_wall, "floor": paint_floor, "window": paint_window, "door": paint_door, "shelves": paint_shelves,
    "counter": paint_counter, "forge": paint_forge, "columns": paint_columns, "cave": paint_cave,
}
assert set(_PAINTERS) == set(S.LAYER_KINDS)
INTERIOR_KINDS = frozenset({"wall", "floor", "window", "door", "shelves", "counter", "forge", "columns", "cave"})
_SKY_KINDS = ("sky", "celestial", "stars")
WEATHER_CLOUDS_INDEX, STARS_INDEX = 1000, 1001  # added layers draw from their own generators


def setting_sky(setting: Setting) -> SkyState:
    """The sky and light of a setting (time of day, weather, season)."""
    season = setting.season.value if setting.season is not None else None
    return with_season(sky_state(setting.time_of_day, setting.weather), season)


def _layers(spec: S.SetSpec, sky: SkyState) -> list[tuple[int, S.Layer]]:
    """The set's layers with their generator index: every open sky gets stars (seen at night) right
    after it, and clouds after the sky's layers when the weather brings them."""
    out = list(enumerate(spec.layers))
    has_sky = any(isinstance(ly, S.Sky) and not ly.space for ly in spec.layers)
    if has_sky and sky.stars > 0 and not any(isinstance(ly, S.Stars) for ly in spec.layers):
        first_sky = min(i for i, (_, ly) in enumerate(out) if isinstance(ly, S.Sky))
        out.insert(first_sky + 1, (STARS_INDEX, S.Stars(kind="stars")))
    if has_sky and sky.clouds > 0 and not any(isinstance(ly, S.Clouds) for ly in spec.layers):
        last_sky = max(i for i, (_, ly) in enumerate(out) if ly.kind in _SKY_KINDS)
        out.insert(last_sky + 1, (WEATHER_CLOUDS_INDEX, S.Clouds(kind="clouds", cover=0.0)))
    return out


def _cover_row(spec: S.SetSpec, h: int) -> int:
    """The highest row from which a later full-width ground, sea or floor covers the frame."""
    tops = [spec.horizon if ly.top is None else ly.top for ly in spec.layers if isinstance(ly, (S.Ground, S.Sea, S.Floor))]
    return int(min(tops) * h) + 2 if tops else h


def paint_set(spec: S.SetSpec, setting: Setting, palette: Palette, width: int, height: int, seed: int = 0) -> np.ndarray:
    """An opaque plate (height, width, 4), float32 linear light, alpha 1; same inputs -> same pixels."""
    if width < 1 or height < 1:
        raise ValueError(f"set plate size {width}x{height} is empty")
    sky = setting_sky(setting)
    if any(isinstance(ly, S.Sky) and ly.space for ly in spec.layers):
        sky = replace(sky, fog=0.0, clouds=0.0, stars=1.0)  # no air in space: no haze, no clouds
    season = setting.season.value if setting.season is not None else None
    cv = Canvas(w=int(width), h=int(height), horizon=spec.horizon, sky=sky,
                pal_sky=hex_to_linear(palette.swatches["sky"]), pal_ground=hex_to_linear(palette.swatches["ground"]),
                rng=np.random.default_rng(0), season=season)
    cv.cover_row = _cover_row(spec, cv.h)
    if any(ly.kind in INTERIOR_KINDS for ly in spec.layers):
        cv.indoor = np.zeros((cv.h, cv.w), np.float32)
    for index, layer in _layers(spec, sky):
        cv.rng = np.random.default_rng([abs(int(seed)), index])
        cv.interior = layer.kind in INTERIOR_KINDS
        _PAINTERS[layer.kind](cv, layer)
    cv.interior = False
    if cv.indoor is not None:
        lights = interior_lights(spec, setting.light_sources, sky)
        lm = light_map(cv.w, cv.h, sky, lights, has_window=bool(cv.windows))
        if float(cv.indoor.min()) > 0.999:  # all room: one multiply
            cv2.multiply(cv.img, lm, dst=cv.img)
        else:
            cv.img *= 1.0 + cv.indoor[..., None] * (lm - 1.0)
    for r0, c0, cover, color, mode in cv.emissive:
        cv.apply_emission(r0, c0, cover, color, mode)
    _grade(cv, season)
    np.clip(cv.img, 0.0, 1.0, out=cv.img)
    return cv2.cvtColor(cv.img, cv2.COLOR_RGB2RGBA)  # alpha 1 in one pass


def plate_key(spec: S.SetSpec, setting: Setting, palette: Palette, width: int, height: int, seed: int = 0) -> str:
    """Aether's name for a plate: the set id and a SHA-256 of everything that determines its pixels
    (the set's validated content, the setting, the palette's swatches, the size, the seed and the
    painter's version), so an edited palette or set, another time of day or size gets a new plate."""
    payload = json.dumps({
        "set": spec.model_dump(mode="json"), "setting": setting.model_dump(mode="json"),
        "swatches": dict(sorted(palette.swatches.items())), "size": [int(width), int(height)], "seed": int(seed),
        "painter": PAINTER_VERSION,
    }, sort_keys=True)
    return f"{spec.id[:20].rstrip('-_.')}.{hashlib.sha256(payload.encode()).hexdigest()[:40]}"


def shot_setting(background: str, setting: Setting) -> Setting:
    """The setting a shot's plate shows: its Setting, or for plans written before the set library
    (background 'dusk-hills', 'night-sea', 'studio') the set and time of day that name stood for."""
    if background in LEGACY_BACKGROUNDS:
        place, tod = LEGACY_BACKGROUNDS[background]
        update = {"place": place} | ({"time_of_day": TimeOfDay(tod)} if tod else {})
        return setting.model_copy(update=update)
    return setting


def _grade(cv: Canvas, season: str | None) -> None:
    """A light seasonal grade over the whole plate: autumn warmer, winter cooler."""
    if season == "autumn":
        cv.img *= np.array([1.06, 1.0, 0.9], np.float32)
    elif season == "winter":
        cv.img *= np.array([0.95, 0.99, 1.06], np.float32)
