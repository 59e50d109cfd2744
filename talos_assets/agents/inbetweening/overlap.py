"""Flux overlap: follow-through from a damped spring on the world angle of every lagging joint.

Overlapping action and follow-through (Thomas & Johnston, *The Illusion of Life*) come from a
second-order, under-damped spring on the world angle of every joint the rig marks with a `follow`
lag: the child trails its parent by about that many frames and settles with a small overshoot after
the parent stops. The effect is faded out at the first and last key so the shot starts and ends on
the key drawings exactly. The spring is integrated with semi-implicit Euler in a few substeps.
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.inbetweening.timing import ease
from talos_assets.agents.key_animation import Rig

# Under-damped spring for overlap: zeta 0.5 overshoots ~16 % and settles in a few oscillations.
FOLLOW_DAMPING = 0.5
SPRING_SUBSTEPS = 4
# Frames over which the overlap offsets fade in after the first key and out before the last.
OVERLAP_RAMP = 6


def _spring_follow(target: np.ndarray, lag: float) -> np.ndarray:
    """Second-order response to `target` (per frame): trails by ~lag frames, overshoots, settles."""
    omega = 2.0 * FOLLOW_DAMPING / max(lag, 1e-3)  # ramp-following lag of a 2nd-order system = 2*zeta/omega
    dt = 1.0 / SPRING_SUBSTEPS
    x, v = float(target[0]), 0.0
    out = np.empty_like(target)
    out[0] = x
    for f in range(1, len(target)):
        goal = float(target[f])
        for _ in range(SPRING_SUBSTEPS):  # semi-implicit Euler, stable at these step sizes
            v += dt * (omega * omega * (goal - x) - 2.0 * FOLLOW_DAMPING * omega * v)
            x += dt * v
        out[f] = x
    return out


def _overlap_envelope(frames: np.ndarray, first: int, last: int) -> np.ndarray:
    """0 at and outside the first/last key, 1 in between, with smooth ramps of OVERLAP_RAMP frames."""
    span = max(1, last - first)
    ramp = max(1.0, min(float(OVERLAP_RAMP), span / 3.0))
    up = ease((frames - first) / ramp, "ease-in-out")
    down = ease((last - frames) / ramp, "ease-in-out")
    return np.minimum(up, down)


def follow_through(rig: Rig, joints: dict[str, np.ndarray], frames: np.ndarray, first: int, last: int) -> None:
    """Lag every `follow` joint of `joints` (per-frame relative angles) behind its parent, in place.

    Parents go first so lags cascade down chains; joints no key sets keep their rest angle and no lag.
    """
    n_frames = len(frames)
    env = _overlap_envelope(frames, first, last)
    world: dict[str, np.ndarray] = {}
    for j in rig.joints:
        rel = joints.get(j.name, np.full(n_frames, j.rest))
        parent_world = world[j.parent] if j.parent else np.zeros(n_frames)
        if j.follow > 0 and j.parent and j.name in joints:
            target = parent_world + rel
            lagged = _spring_follow(target, j.follow)
            new_rel = rel + env * (lagged - target)
            joints[j.name] = np.clip(new_rel, j.min, j.max)
            rel = joints[j.name]
        world[j.name] = parent_world + rel
