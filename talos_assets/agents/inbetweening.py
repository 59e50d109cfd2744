"""Flux: pose-space inbetweening between Axis's key poses, and the motion curves that result.

Inbetweens are computed in pose space (joint angles, root position, face channels), not on pixels,
following the timing principles of Williams' *The Animator's Survival Kit* and Thomas & Johnston's
*Illusion of Life*: each segment between two keys is timed by the easing of the key it leaves
(CSS keyframe convention: "ease-in" = slow out of that key, "ease-out" = cushion into the next,
"ease-in-out" = slow in and slow out, with smoothstep / quadratic curves), joint angles travel on
the shortest arc (unless that arc would leave the rig's joint limits), and the root travels along
an arc - a vertical lift proportional to the distance travelled - rather than a straight line
(except on linear segments: walk-cycle and mocap keys already carry their own up and down).
Overlapping action and follow-through come from a damped spring (second-order, under-damped) on the
world angle of every joint the rig marks with a `follow` lag: the child trails its parent by about
that many frames and settles with a small overshoot after the parent stops; the effect is faded out
at the first and last key so the shot starts and ends on the key drawings exactly. Before the first
key and after the last, the pose holds. Facing is a signed view scale: it eases between keys on the
same side (a turn through the three-quarter view) and cuts at mid-segment across sides.
"""

from __future__ import annotations

import math
from collections import defaultdict

import cv2
import numpy as np

from talos_assets.agents.key_animation import FACING_KEY, Rig, load_rig
from talos_assets.spec import KeyPose, Pose

# Under-damped spring for overlap: zeta 0.5 overshoots ~16 % and settles in a few oscillations.
FOLLOW_DAMPING = 0.5
SPRING_SUBSTEPS = 4
# Root lift at the middle of a move, as a fraction of the horizontal distance travelled.
ARC_LIFT = 0.25
# Frames over which the overlap offsets fade in after the first key and out before the last.
OVERLAP_RAMP = 6


def ease(t: np.ndarray, easing: str) -> np.ndarray:
    """Map linear segment time t in [0, 1] to eased progress in [0, 1]."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    if easing == "linear":
        return t
    if easing == "ease-in":  # slow start (slow out of the key)
        return t * t
    if easing == "ease-out":  # slow end (cushion into the next key)
        return 1.0 - (1.0 - t) ** 2
    if easing == "ease-in-out":  # smoothstep: zero velocity at both keys, fastest at the middle
        return t * t * (3.0 - 2.0 * t)
    raise ValueError(f"unknown easing '{easing}'")


def _wrap180(d: float) -> float:
    return (d + 180.0) % 360.0 - 180.0


def _try_rig(character: str) -> Rig | None:
    """The character's rig when one exists: limits and hierarchy refine, but are not required."""
    try:
        return load_rig(character)
    except ValueError:
        return None


def _segment_progress(frames: np.ndarray, key_frames: list[int], easings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each output frame: index of the segment it lies in and eased progress within it."""
    seg = np.clip(np.searchsorted(key_frames, frames, side="right") - 1, 0, max(0, len(key_frames) - 2))
    s = np.zeros(len(frames))
    if len(key_frames) > 1:
        k0 = np.asarray(key_frames)[seg]
        k1 = np.asarray(key_frames)[seg + 1]
        t = (frames - k0) / np.maximum(k1 - k0, 1)
        for i, e in enumerate(easings[:-1]):
            m = seg == i
            s[m] = ease(t[m], e)
    return seg, s


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


def _inbetween_character(keys: list[KeyPose], n_frames: int, rig: Rig | None) -> list[Pose]:
    # One key per frame (the last given wins), in time order.
    by_frame: dict[int, KeyPose] = {}
    for k in keys:
        by_frame[k.frame] = k
    ordered = [by_frame[f] for f in sorted(by_frame)]
    key_frames = [k.frame for k in ordered]
    easings = [k.easing for k in ordered]
    frames = np.arange(n_frames, dtype=np.float64)
    seg, s = _segment_progress(frames, key_frames, easings)
    nk = len(ordered)
    limits = {j.name: (j.min, j.max) for j in rig.joints} if rig else {}

    def key_value(k: KeyPose, group: str, name: str, fallback: float) -> float:
        return float(getattr(k.pose, group).get(name, fallback))

    def interpolate(values: list[float], angular: bool, name: str = "") -> np.ndarray:
        """Per-frame channel from per-key values along the eased segments (holds at both ends)."""
        v = np.asarray(values, dtype=np.float64)
        if nk == 1:
            return np.full(n_frames, v[0])
        a, b = v[seg], v[seg + 1]
        d = b - a
        if angular:
            lo, hi = limits.get(name, (-math.inf, math.inf))
            for i in range(nk - 1):
                short = _wrap180(v[i + 1] - v[i])
                # The shortest arc, unless it swings the limb through the body (outside its limits).
                if lo <= v[i] + short <= hi:
                    d[seg == i] = short
        out = a + d * s
        out[frames <= key_frames[0]] = v[0]
        out[frames >= key_frames[-1]] = v[-1]
        return out

    # Channels: every joint / face value any key sets; a key that lacks one holds its neighbour's.
    joint_names = list(dict.fromkeys(n for k in ordered for n in k.pose.joints))
    face_names = list(dict.fromkeys(n for k in ordered for n in k.pose.face))
    if rig:
        order = {j.name: i for i, j in enumerate(rig.joints)}
        joint_names.sort(key=lambda n: order.get(n, len(order)))

    def filled(group: str, name: str) -> list[float]:
        present = [key_value(k, group, name, math.nan) for k in ordered]
        known = [x for x in present if not math.isnan(x)]
        last_known = known[0]
        out = []
        for x in present:
            last_known = x if not math.isnan(x) else last_known
            out.append(last_known)
        return out

    joints = {n: interpolate(filled("joints", n), True, n) for n in joint_names}
    face: dict[str, np.ndarray] = {}
    for n in face_names:
        vals = filled("face", n)
        if n == FACING_KEY:
            # Facing is a signed view scale (1 = profile, smaller = turned toward camera). Between
            # keys on the same side it eases like any channel (a turn through the three-quarter
            # view); across sides it flips at the middle of the segment instead of squashing
            # through 0, the way a drawn turn cuts from one side's front key to the other's.
            v = np.asarray(vals)
            nxt = v[np.minimum(seg + 1, nk - 1)]
            step = np.where(s < 0.5, v[seg], nxt)
            smooth = interpolate(vals, False)
            same_side = np.sign(v[seg]) == np.sign(nxt)
            out = np.where(same_side, smooth, step)
            out[frames <= key_frames[0]] = vals[0]
            out[frames >= key_frames[-1]] = vals[-1]
            face[n] = out
        else:
            face[n] = interpolate(vals, False)
    root_x = interpolate([k.pose.root_x for k in ordered], False)
    root_y = interpolate([k.pose.root_y for k in ordered], False)
    scale = interpolate([k.pose.scale for k in ordered], False)
    if nk > 1:
        # Arc: lift the root in the middle of each move by a fraction of the distance travelled.
        xs = np.array([k.pose.root_x for k in ordered])
        travel = np.abs(xs[seg + 1] - xs[seg])
        # Linear segments are mechanical or cycle keys (a walk's contact/down/passing/up, mocap):
        # their path is already drawn key by key, so they get no extra hop.
        arced = np.array([e != "linear" for e in easings])[seg]
        inside = (frames > key_frames[0]) & (frames < key_frames[-1]) & arced
        root_y = root_y - np.where(inside, ARC_LIFT * travel * 4.0 * s * (1.0 - s), 0.0)

    # Overlap / follow-through: springs on world angles, parents first so lags cascade down chains.
    if rig and nk > 1:
        env = _overlap_envelope(frames, key_frames[0], key_frames[-1])
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


def inbetween_poses(keys: list[KeyPose], n_frames: int) -> dict[str, list[Pose]]:
    """Per character, `n_frames` poses interpolated between its keys (eased, arced, with overlap)."""
    if n_frames < 0:
        raise ValueError(f"n_frames must be >= 0, got {n_frames}")
    grouped: dict[str, list[KeyPose]] = defaultdict(list)
    for k in keys:
        grouped[k.character].append(k)
    if n_frames == 0:
        return {c: [] for c in grouped}
    return {c: _inbetween_character(ks, n_frames, _try_rig(c)) for c, ks in grouped.items()}


def motion_curves(poses: dict[str, list[Pose]]) -> dict[str, list[float]]:
    """Per-frame channels: '<char>.<joint>' (degrees, unwrapped), '<char>.root_x/root_y', '<char>.face.<k>'."""
    curves: dict[str, list[float]] = {}
    for char, seq in poses.items():
        if not seq:
            continue
        curves[f"{char}.root_x"] = [p.root_x for p in seq]
        curves[f"{char}.root_y"] = [p.root_y for p in seq]
        names = list(dict.fromkeys(n for p in seq for n in p.joints))
        for n in names:
            vals = np.array([p.joints.get(n, math.nan) for p in seq], dtype=np.float64)
            vals = np.where(np.isnan(vals), np.nanmean(vals) if np.isfinite(vals).any() else 0.0, vals)
            # A shortest-arc move may cross the +-180 seam; unwrap so the curve is continuous.
            curves[f"{char}.{n}"] = np.unwrap(vals, period=360.0).tolist()
        for n in dict.fromkeys(n for p in seq for n in p.face):
            if n == FACING_KEY:
                continue
            curves[f"{char}.face.{n}"] = [float(p.face.get(n, 0.0)) for p in seq]
    return curves


# A qualitative palette (Tableau 10), RGB.
_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def _panel(img: np.ndarray, box: tuple[int, int, int, int], curves: list[tuple[str, np.ndarray]], title: str,
           unit: str, max_legend: int) -> None:
    x0, y0, x1, y1 = box
    h = img.shape[0]
    fs = max(0.3, h / 1400.0)
    th = max(1, round(h / 500))
    cv2.rectangle(img, (x0, y0), (x1, y1), (90, 90, 90), 1, cv2.LINE_AA)
    cv2.putText(img, title, (x0 + 4, y0 - 4), cv2.FONT_HERSHEY_SIMPLEX, fs, (30, 30, 30), 1, cv2.LINE_AA)
    if not curves:
        return
    n = max(len(c) for _, c in curves)
    allv = np.concatenate([c for _, c in curves])
    lo, hi = float(np.min(allv)), float(np.max(allv))
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.06 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    for q in np.linspace(0.0, 1.0, 5):  # horizontal grid with values
        y = int(round(y1 - q * (y1 - y0)))
        cv2.line(img, (x0, y), (x1, y), (225, 225, 225), 1)
        cv2.putText(img, f"{lo + q * (hi - lo):.3g}{unit}", (2, y + 4), cv2.FONT_HERSHEY_SIMPLEX, fs * 0.8,
                    (100, 100, 100), 1, cv2.LINE_AA)
    step = max(1, int(round(n / 10)))
    for f in range(0, n, step):  # vertical grid every ~tenth of the shot, labelled in frames
        x = int(round(x0 + f / max(n - 1, 1) * (x1 - x0)))
        cv2.line(img, (x, y0), (x, y1), (235, 235, 235), 1)
        cv2.putText(img, str(f), (x - 6, y1 + int(14 * fs / 0.4)), cv2.FONT_HERSHEY_SIMPLEX, fs * 0.8,
                    (100, 100, 100), 1, cv2.LINE_AA)
    # Legend only for the curves that move most; still ones are drawn but not named.
    ranked = sorted(range(len(curves)), key=lambda i: -float(np.ptp(curves[i][1])))
    colors = {i: _COLORS[r % len(_COLORS)] for r, i in enumerate(ranked[:max_legend])}
    for i in ranked[::-1]:  # most-moving curves last, so they sit on top
        _, c = curves[i]
        color = colors.get(i, (200, 200, 200))
        xs = x0 + np.arange(len(c)) / max(len(c) - 1, 1) * (x1 - x0)
        ys = y1 - (c - lo) / (hi - lo) * (y1 - y0)
        pts = np.round(np.stack([xs, ys], 1) * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [pts], False, color, th, cv2.LINE_AA, 4)
    ly = y0 + int(16 * fs / 0.4)
    for i in ranked[:max_legend]:
        name, _ = curves[i]
        color = colors[i]
        cv2.line(img, (x1 - int(150 * fs / 0.4), ly - 4), (x1 - int(132 * fs / 0.4), ly - 4), color, th + 1)
        cv2.putText(img, name, (x1 - int(128 * fs / 0.4), ly), cv2.FONT_HERSHEY_SIMPLEX, fs * 0.8, color, 1,
                    cv2.LINE_AA)
        ly += int(13 * fs / 0.4)


def plot_motion_curves(curves: dict[str, list[float]], width: int, height: int) -> np.ndarray:
    """Motion-curve chart (uint8 RGB, height x width): joint/face angles on top, root path below."""
    if width < 64 or height < 48:
        raise ValueError(f"a motion-curve plot needs at least 64x48 pixels, got {width}x{height}")
    img = np.full((height, width, 3), 255, np.uint8)
    angles = [(k, np.asarray(v, dtype=np.float64)) for k, v in curves.items()
              if ".root_" not in k and ".face." not in k]
    roots = [(k, np.asarray(v, dtype=np.float64)) for k, v in curves.items() if ".root_" in k]
    left = max(36, width // 14)
    right = width - max(6, width // 60)
    top_h = int(height * 0.62)
    gap = max(14, height // 22)
    _panel(img, (left, gap, right, top_h - gap), angles, "joint angles", "", max_legend=8)
    _panel(img, (left, top_h + gap // 2, right, height - gap), roots, "root position (stage fractions)", "",
           max_legend=4)
    return img
