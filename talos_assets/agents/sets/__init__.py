"""Aether's set library: typed set files (spec), the catalog of built-in and user sets (catalog), the
sky and light of a setting shared with Raygen (sky, lights) and the procedural plate painter (plate)."""

from talos_assets.agents.sets.catalog import (
    LEGACY_BACKGROUNDS, SETS_DIR, available_sets, interior_sets, load_set, set_file, set_from_file, set_paths,
    set_rows, set_vocabulary, water_line,
)
from talos_assets.agents.sets.lights import LightSource, interior_lights
from talos_assets.agents.sets.plate import PAINTER_VERSION, paint_set, plate_key, setting_sky, shot_setting
from talos_assets.agents.sets.sky import SkyState, sky_state
from talos_assets.agents.sets.spec import LAYER_KINDS, SetSpec

__all__ = [
    "LAYER_KINDS", "LEGACY_BACKGROUNDS", "PAINTER_VERSION", "SETS_DIR", "LightSource", "SetSpec", "SkyState",
    "available_sets", "interior_lights", "interior_sets", "load_set", "paint_set", "plate_key", "set_file", "water_line",
    "set_from_file", "set_paths", "set_rows", "set_vocabulary", "setting_sky", "shot_setting", "sky_state",
]
