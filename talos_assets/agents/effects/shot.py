"""Stokes for one shot: what the `effect_layers` asset needs besides storage.

The set's geometry (its horizon line and whether it is an interior, from the set library; 0.6 and
the shot's own `interior` flag when the set cannot be read), the rigs that anchor tracks need (the
shot's characters and its props as one-bone rigs), the shot's weather layer, and the summary of what
was rendered that the shot's materialization records (effect kinds, where each came from, which pass,
the weather layers and lightning frames), which the realisation check reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from talos_assets.agents.effects.anchors import AnchorResolver, AnchorTrack, drawn_behind
from talos_assets.agents.effects.presets import EMISSIVE_KINDS, PARTICLE_KINDS
from talos_assets.agents.effects.weather import WeatherLayer
from talos_assets.agents.key_animation.rig import Rig
from talos_assets.spec import EffectSpec, Pose, ShotPlan

DEFAULT_HORIZON = 0.6


@dataclass(frozen=True)
class SetGeometry:
    horizon: float
    interior: bool
    from_library: bool  # False: the set could not be read and the defaults stand in


def set_geometry(shot: ShotPlan, set_dirs: Sequence[Path | str] = ()) -> SetGeometry:
    """The horizon (fraction of the frame height) and interior flag of the shot's set."""
    try:
        from talos_assets.agents.sets.catalog import load_set

        spec = load_set(shot.setting.place, set_dirs)
    except (ImportError, ValueError, OSError):
        # An unknown or broken set is reported by the set painter (Raygen); effects keep the default line.
        return SetGeometry(DEFAULT_HORIZON, shot.setting.interior, False)
    return SetGeometry(float(spec.horizon), bool(spec.interior or shot.setting.interior), True)


def needs_poses(effects: list[EffectSpec]) -> bool:
    """Whether any effect follows a joint, a prop, the ground or a character (reads the in-betweens)."""
    return any(e.anchor not in (None, "horizon", "sky") or e.character for e in effects)


def joint_anchored(effects: list[EffectSpec], tracks: list[AnchorTrack]) -> list[bool]:
    """Effects coming out of a body (a character's joint or a prop): that body is no obstacle to them."""
    return [e.anchor not in (None, "horizon", "ground", "sky") and not t.label.startswith("source")
            for e, t in zip(effects, tracks)]


def load_anchor_rigs(keys: Sequence[str], character_dirs: Sequence[Path | str] = (),
                     prop_dirs: Sequence[Path | str] = ()) -> dict[str, Rig]:
    """Rigs of the posed characters and props (`prop:<id>`); a prop that cannot be read is left out
    (its anchor falls back to the prop's root position)."""
    from talos_assets.agents.key_animation.characters import load_rig

    rigs: dict[str, Rig] = {}
    for key in keys:
        if key.startswith("prop:"):
            # Axis keys a repeated prop '<id>-2', '<id>-3'...
            prop_id = re.sub(r"-\d+$", "", key.removeprefix("prop:"))
            try:
                from talos_assets.agents.props.catalog import load_prop_rig

                rigs[key] = load_prop_rig(prop_id, prop_dirs)
            except (ImportError, ValueError, OSError):
                continue
        else:
            rigs[key] = load_rig(key, character_dirs)
    return rigs


def shot_tracks(shot: ShotPlan, poses: dict[str, list[Pose]] | None, rigs: dict[str, Rig] | None,
                horizon: float) -> list[AnchorTrack]:
    """Each effect's source on every frame of the shot (handles included)."""
    resolver = AnchorResolver(shot.total_frames, shot.width / shot.height, poses, rigs, horizon, shot.characters)
    return resolver.tracks(shot.effects)


def shot_weather(shot: ShotPlan, geometry: SetGeometry) -> WeatherLayer:
    """The moving weather layer of the shot's setting (inactive for clear, cloudy and fog)."""
    return WeatherLayer(shot.setting.weather, shot.width, shot.height, shot.total_frames, shot.fps, shot.seed,
                        horizon=geometry.horizon, interior=geometry.interior)


def any_behind(effects: list[EffectSpec]) -> bool:
    """Whether the shot has an effect pass under the characters."""
    return any(drawn_behind(e) for e in effects)


def uses_fluids(effects: list[EffectSpec]) -> bool:
    return any(e.kind not in PARTICLE_KINDS for e in effects)


def is_emissive(shot: ShotPlan) -> bool:
    """Whether Anima should bloom the shot: a light-emitting effect, or lightning."""
    return any(e.kind in EMISSIVE_KINDS for e in shot.effects) or shot.setting.weather.value == "storm"


def effects_summary(effects: list[EffectSpec], tracks: list[AnchorTrack], weather: WeatherLayer,
                    geometry: SetGeometry) -> dict:
    """What the shot's effect layers hold, for its materialization (and the realisation check)."""
    return {
        "kinds": [e.kind.value for e in effects],
        "anchors": [t.label for t in tracks],
        "moving": [t.moving for t in tracks],
        "behind": [drawn_behind(e) for e in effects],
        "weather": weather.weather.value,
        "weather_layers": list(weather.kinds),
        "lightning_frames": weather.flash_frames,
        "horizon": round(geometry.horizon, 3),
        "horizon_from_set": geometry.from_library,
    }
