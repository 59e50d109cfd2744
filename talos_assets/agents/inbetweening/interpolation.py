"""Flux inbetweens: per-frame poses interpolated in pose space between a character's key poses.

Inbetweens are computed in pose space (joint angles, root position, face channels), not on pixels,
following Williams' *The Animator's Survival Kit* and Thomas & Johnston's *Illusion of Life*: every
channel eases along its segment (`timing`), joint angles travel on the shortest arc (unless that arc
would leave the rig's joint limits), and the root travels along an arc - a vertical lift
proportional to the distance travelled - rather than a straight line (except on linear segments:
walk-cycle and mocap keys already carry their own up and down). Joints the rig marks with a lag
follow through (`overlap`). Before the first key and after the last, the pose holds. Facing is a
signed view scale: it eases between keys on the same side (a turn through the three-quarter view)
and cuts at mid-segment across sides.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from talos_assets.agents.inbetweening.overlap import follow_through
from talos_assets.agents.inbetweening.timing import KeyTiming, key_timing
from talos_assets.agents.key_animation import FACING_KEY, Rig, load_rig
from talos_assets.agents.key_animation.line_art import MIN_VIEW_SCALE
from talos_assets.spec import KeyPose, Pose

# Root lift at the middle of a move, as a fraction of the horizontal distance travelled.
ARC_LIFT = 0.25


def _wrap180(d: float) -> float:
    return (d + 180.0) % 360.0 - 180.0


def _built_in_rig(character: str) -> Rig | None:
    """The character's built-in rig when one exists: limits and hierarchy refine, but are not required."""
    try:
        return load_rig(character)
    except ValueError:
        return None


def _channel(tm: KeyTiming, values: list[float], angular: bool,
             limits: tuple[float, float] = (-math.inf, math.inf)) -> np.ndarray:
    """Per-frame channel from per-key values along the eased segments (holds at both ends)."""
    v = np.asarray(values, dtype=np.float64)
    if tm.n_keys == 1:
        return np.full(tm.n_frames, v[0])
    seg = tm.seg
    a, b = v[seg], v[seg + 1]
    d = b - a
    if angular:
        lo, hi = limits
        for i in range(tm.n_keys - 1):
            short = _wrap180(v[i + 1] - v[i])
            # The shortest arc, unless it swings the limb through the body (outside its limits).
            if lo <= v[i] + short <= hi:
                d[seg == i] = short
    out = a + d * tm.s
    out[tm.frames <= tm.key_frames[0]] = v[0]
    out[tm.frames >= tm.key_frames[-1]] = v[-1]
    return out


def _held_values(keys: list[KeyPose], group: str, name: str) -> list[float]:
    """The channel's value at each key; a key that lacks it holds its neighbour's (the first known before any)."""
    present = [float(getattr(k.pose, group).get(name, math.nan)) for k in keys]
    known = [x for x in present if not math.isnan(x)]
    last_known = known[0]
    out = []
    for x in present:
        last_known = x if not math.isnan(x) else last_known
        out.append(last_known)
    return out


def _facing_channel(tm: KeyTiming, vals: list[float]) -> np.ndarray:
    """Facing, a signed view scale (1 = profile, smaller = turned toward camera), per frame.

    Between keys on the same side it eases like any channel (a turn through the three-quarter
    view); across sides it turns toward the camera down to the narrowest view the drawing has
    (`MIN_VIEW_SCALE`), cuts to the other side's narrowest view at the middle of the segment, and
    turns out to the next key, the way a drawn turn passes through its front drawings. Cutting
    straight from a three-quarter key to the other side's mirrored limbs jumped an outstretched hand
    a tenth of the frame in one frame (the worst jerk Echo found in the Fountain example); through
    the narrow views the cut is a quarter of a profile-to-profile flip, never through 0.
    """
    v = np.asarray(vals, dtype=np.float64)
    cur, nxt = v[tm.seg], v[np.minimum(tm.seg + 1, tm.n_keys - 1)]
    narrow_cur = np.sign(cur) * np.minimum(np.abs(cur), MIN_VIEW_SCALE)
    narrow_nxt = np.sign(nxt) * np.minimum(np.abs(nxt), MIN_VIEW_SCALE)
    first, second = np.clip(2.0 * tm.s, 0.0, 1.0), np.clip(2.0 * tm.s - 1.0, 0.0, 1.0)
    step = np.where(tm.s < 0.5, cur + (narrow_cur - cur) * first, narrow_nxt + (nxt - narrow_nxt) * second)
    smooth = _channel(tm, vals, False)
    same_side = np.sign(v[tm.seg]) == np.sign(nxt)
    out = np.where(same_side, smooth, step)
    out[tm.frames <= tm.key_frames[0]] = vals[0]
    out[tm.frames >= tm.key_frames[-1]] = vals[-1]
    return out


def _root_channels(tm: KeyTiming) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame root x, root y (lifted on an arc in the middle of each eased move) and scale."""
    ordered = tm.keys
    root_x = _channel(tm, [k.pose.root_x for k in ordered], False)
    root_y = _channel(tm, [k.pose.root_y for k in ordered], False)
    scale = _channel(tm, [k.pose.scale for k in ordered], False)
    if tm.n_keys > 1:
        seg, s, frames = tm.seg, tm.s, tm.frames
        # Arc: lift the root in the middle of each move by a fraction of the distance travelled.
        xs = np.array([k.pose.root_x for k in ordered])
        travel = np.abs(xs[seg + 1] - xs[seg])
        # Linear segments are mechanical or cycle keys (a walk's contact/down/passing/up, mocap):
        # their path is already drawn key by key, so they get no extra hop.
        arced = np.array([e != "linear" for e in tm.easings])[seg]
        inside = (frames > tm.key_frames[0]) & (frames < tm.key_frames[-1]) & arced
        root_y = root_y - np.where(inside, ARC_LIFT * travel * 4.0 * s * (1.0 - s), 0.0)
    return root_x, root_y, scale


def _inbetween_character(keys: list[KeyPose], n_frames: int, rig: Rig | None) -> list[Pose]:
    """One character's `n_frames` poses: inbetweens between its keys, the key drawings themselves outside them."""
    tm = key_timing(keys, n_frames)
    ordered = tm.keys
    limits = {j.name: (j.min, j.max) for j in rig.joints} if rig else {}
    # Channels: every joint / face value any key sets; a key that lacks one holds its neighbour's.
    joint_names = list(dict.fromkeys(n for k in ordered for n in k.pose.joints))
    face_names = list(dict.fromkeys(n for k in ordered for n in k.pose.face))
    if rig:
        order = {j.name: i for i, j in enumerate(rig.joints)}
        joint_names.sort(key=lambda n: order.get(n, len(order)))
    joints = {n: _channel(tm, _held_values(ordered, "joints", n), True, limits.get(n, (-math.inf, math.inf)))
              for n in joint_names}
    face: dict[str, np.ndarray] = {}
    for n in face_names:
        vals = _held_values(ordered, "face", n)
        face[n] = _facing_channel(tm, vals) if n == FACING_KEY else _channel(tm, vals, False)
    root_x, root_y, scale = _root_channels(tm)
    if rig and tm.n_keys > 1:
        follow_through(rig, joints, tm.frames, tm.key_frames[0], tm.key_frames[-1])

    poses: list[Pose] = []
    first, last = ordered[0], ordered[-1]
    for f in range(n_frames):
        # Exactly the key drawings at and beyond the first and last keys (holds).
        if f <= first.frame:
            poses.append(first.pose.model_copy(deep=True))
        elif f >= last.frame:
            poses.append(last.pose.model_copy(deep=True))
        else:
            poses.append(
                Pose(
                    root_x=float(root_x[f]),
                    root_y=float(root_y[f]),
                    scale=float(scale[f]),
                    joints={n: float(joints[n][f]) for n in joint_names},
                    face={n: float(face[n][f]) for n in face_names},
                )
            )
    return poses


def inbetween_poses(keys: list[KeyPose], n_frames: int,
                    rigs: Mapping[str, Rig] | None = None) -> dict[str, list[Pose]]:
    """Per character, `n_frames` poses interpolated between its keys (eased, arced, with overlap).

    A character's rig (joint limits, hierarchy, follow lags) refines its inbetweens: `rigs` gives
    them by name (the caller loaded them, user characters included; a name it lacks gets none);
    without `rigs`, each character's built-in rig is used when there is one.
    """
    if n_frames < 0:
        raise ValueError(f"n_frames must be >= 0, got {n_frames}")
    grouped: dict[str, list[KeyPose]] = defaultdict(list)
    for k in keys:
        grouped[k.character].append(k)
    if n_frames == 0:
        return {c: [] for c in grouped}
    rig_of = _built_in_rig if rigs is None else rigs.get
    return {c: _inbetween_character(ks, n_frames, rig_of(c)) for c, ks in grouped.items()}
