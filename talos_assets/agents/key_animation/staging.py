"""Axis staging: key poses for every character of a shot, placed on the stage and timed on its beats.

Characters are spread across the stage facing its centre (or, alone, toward a partner off screen),
scaled and grounded by the shot size, and act the shot's `actions` (Prism's verbs) and `motion`
captures through `acting.perform_shot`; a shot without them falls back to the action its description
names (`action_from_description`), and with no action word the emotion gesture, each a few frames
behind the last so several characters overlap instead of moving in unison (Thomas & Johnston's
overlapping action). Every random choice is seeded from the shot's seed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from talos_assets.agents.key_animation.acting.perform import ActedShot, perform_shot
from talos_assets.agents.key_animation.acting.vehicle import Vehicle
from talos_assets.agents.key_animation.actions import action_from_description, action_keys, gesture_keys
from talos_assets.agents.key_animation.characters import load_rig
from talos_assets.spec import KeyPose, ShotPlan, ShotSize

# Staging per shot size: (pose scale, ground line as a fraction of frame height).
SHOT_STAGING: dict[ShotSize, tuple[float, float]] = {
    ShotSize.establishing: (0.7, 0.80),
    ShotSize.wide: (0.85, 0.82),
    ShotSize.medium: (1.0, 0.84),
    ShotSize.close_up: (1.35, 1.0),
    ShotSize.insert: (1.2, 0.95),
}


def _stage_positions(n: int, rng: np.random.Generator) -> list[float]:
    if n == 1:
        return [0.5 + float(rng.uniform(-0.06, 0.06))]
    spread = min(0.62, 0.3 * (n - 1))
    return [float(x) for x in np.linspace(0.5 - spread / 2, 0.5 + spread / 2, n)]


def _facing(shot: ShotPlan, n: int, x0: float, name: str, rng: np.random.Generator) -> int:
    side = shot.screen_side.get(name)
    if n == 1 and side in ("left", "right"):
        return 1 if side == "left" else -1  # a single keeps looking toward the partner off screen
    if n > 1 or abs(x0 - 0.5) > 1e-6:
        return 1 if x0 < 0.5 else -1  # face the middle of the stage / the other characters
    return 1 if rng.random() < 0.5 else -1


def plan_acting(shot: ShotPlan, extra_dirs: Sequence[Path | str] = (), prop_x: dict[str, float] | None = None,
                vehicles: Mapping[str, Vehicle] | None = None, water: float | None = None) -> ActedShot:
    """The shot acted from `shot.actions` (and `shot.motion`): key poses, prop marks and targets.

    Characters stand on the even spread of the stage, facing its middle; `prop_x` gives props' marks
    (frame x) where they are known, and Axis chooses marks within reach for props an action needs;
    `vehicles` are the shot's ridable props (`props.shot_vehicles`), what a ride mounts; `water` is the
    set's water line (`sets.water_line(...).y`), where a boat rides.
    A shot with neither actions nor motion falls back to the description's keywords (`_keyword_keys`).
    """
    if not (shot.actions or shot.motion):
        return ActedShot(_keyword_keys(shot, extra_dirs), dict(prop_x or {}))
    characters = list(dict.fromkeys(shot.characters))
    scale, ground = SHOT_STAGING.get(shot.shot_size, (1.0, 0.84))
    xs = _stage_positions(len(characters), np.random.default_rng([shot.seed, 7]))
    marks: dict[str, tuple[float, int]] = {}
    rigs = {}
    for i, (name, x0) in enumerate(zip(characters, xs)):
        rigs[name] = load_rig(name, extra_dirs)
        rng = np.random.default_rng([shot.seed, zlib.crc32(name.encode()), i])
        marks[name] = (x0, _facing(shot, len(characters), x0, name, rng))
    return perform_shot(shot, rigs, marks, ground, scale, prop_x, vehicles, water)


def with_prop_marks(shot: ShotPlan, acted: ActedShot) -> ShotPlan:
    """The shot with its props where the acting put them: a mark Axis chose (a prop given no `x`) and
    the hand of the character whose action holds it (a prop given no holder), for prop staging."""
    uses = []
    for u in shot.props:
        update: dict = {}
        if u.x is None and u.prop in acted.prop_x and acted.holders.get(u.prop) is None:
            update["x"] = float(np.clip(acted.prop_x[u.prop], 0.0, 1.0))
        if u.holder is None and acted.holders.get(u.prop) in shot.characters:
            update["holder"] = acted.holders[u.prop]
        uses.append(u.model_copy(update=update) if update else u)
    return shot.model_copy(update={"props": uses})


def plan_key_poses(shot: ShotPlan, extra_dirs: Sequence[Path | str] = ()) -> list[KeyPose]:
    """Key poses for every character of the shot (sorted by frame): its `actions` acted (`plan_acting`),
    else the action its description names. Rigs are looked up in `extra_dirs` before the built-ins."""
    return plan_acting(shot, extra_dirs).keys


def _keyword_keys(shot: ShotPlan, extra_dirs: Sequence[Path | str] = ()) -> list[KeyPose]:
    """Key poses for every character of the shot on its action beats (sorted by frame).

    The action comes from the description's keywords (`action_from_description`): a walk or run
    crosses the stage toward where the character faces, a turn, a reach, a wave or a fall; with no
    action word, the emotion gesture (start, anticipation, extreme, settle). Characters are spread
    across the stage facing its centre; a name listed twice is staged once (keys are per character
    name). Timing and small variations come from `shot.seed`. Rigs are looked up in `extra_dirs`
    (the user's character folders) before the built-ins.
    """
    characters = list(dict.fromkeys(shot.characters))
    total = max(1, shot.total_frames)
    scale, ground = SHOT_STAGING.get(shot.shot_size, (1.0, 0.84))
    stage_rng = np.random.default_rng([shot.seed, 7])
    xs = _stage_positions(len(characters), stage_rng)
    action = action_from_description(shot.description)
    aspect = shot.width / max(1, shot.height)
    keys: list[KeyPose] = []
    for i, (name, x0) in enumerate(zip(characters, xs)):
        rig = load_rig(name, extra_dirs)
        rng = np.random.default_rng([shot.seed, zlib.crc32(name.encode()), i])
        facing = _facing(shot, len(characters), x0, name, rng)
        if action == "gesture":
            mine = gesture_keys(rig, 0, total, x0, facing, shot.emotion, shot.arousal, ground, scale, rng, 3 * i)
        else:
            mine = action_keys(rig, action, 0, total, x0, facing, shot.emotion, shot.arousal, root_y=ground,
                               scale=scale, aspect=aspect, seed=shot.seed + 1000 * i)
            if action in ("walk", "run"):
                # Centre the path on the character's mark so the walk crosses it, not leaves from it.
                shift = -(mine[-1].pose.root_x - mine[0].pose.root_x) / 2
                for k in mine:
                    k.pose.root_x += shift
        keys += mine
    keys.sort(key=lambda k: (k.frame, characters.index(k.character)))
    return keys

