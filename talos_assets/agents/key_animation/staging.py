"""Axis staging: key poses for every character of a shot, placed on the stage and timed on its beats.

Characters are spread across the stage facing its centre (or, alone, toward a partner off screen),
scaled and grounded by the shot size, and given the action the shot description names
(`action_from_description`); with no action word they play the emotion gesture, each a few frames
behind the last so several characters overlap instead of moving in unison (Thomas & Johnston's
overlapping action). Every random choice is seeded from the shot's seed.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

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


def plan_key_poses(shot: ShotPlan, extra_dirs: Sequence[Path | str] = ()) -> list[KeyPose]:
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
        side = shot.screen_side.get(name)
        if len(characters) == 1 and side in ("left", "right"):
            facing = 1 if side == "left" else -1  # a single keeps looking toward the partner off screen
        elif len(characters) > 1 or abs(x0 - 0.5) > 1e-6:
            facing = 1 if x0 < 0.5 else -1  # face the middle of the stage / the other characters
        else:
            facing = 1 if rng.random() < 0.5 else -1
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

