"""Echo's motion smoothness from a shot's pose curves: jerk, and feet sliding while they should stand.

Flux stores a shot's in-betweens as poses per frame per character (`StudioStore.read_inbetween_poses`:
character -> one `Pose` per frame; props ride beside them as `prop:<key>`). `joint_tracks` turns
them into what a viewer sees: every joint's end point in pixels of the delivered frame (the rigs'
own forward kinematics, projected as the line art draws them, y down), so the measures below work
on plain arrays, character -> joint -> (n_frames, 2).

Jerk is the third derivative of position (Flash & Hogan 1985's smoothness measure; minimum-jerk
motion is what reads as smooth). With the third difference d3 on the four frames t-2..t+1 centred
at t-0.5, a frame's jerk is (|d3(t-0.5)| + |d3(t+0.5)|) / 2 in px/frame^3, the largest over the
character's joints: constant acceleration gives 0 and a one-frame pop peaks on the frame it pops.
Foot sliding (as in the motion-synthesis literature, e.g. Holden et al. 2016) is a foot's horizontal
speed on the frames it should be planted: within `PLANT_HEIGHT` of its own lowest point in the shot
and moving vertically slower than `PLANT_VERTICAL_SPEED`, both as fractions of the figure's height.
Limits are fractions of the figure's height too, so they mean the same at any frame size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from talos_assets.agents.evaluation.findings import EchoFinding, severity_above
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, Rig, forward_kinematics
from talos_assets.spec import Pose

# A swing of a third of the figure over a 12-frame step has a peak jerk of ~0.04 heights/frame^3;
# twice that is a pop the eye catches, five times a snap between poses.
JERK_WARN = 0.08
JERK_ERROR = 0.2
# A planted foot is within 2 % of the figure's height of its lowest point, moving up or down less
# than 0.5 % of it per frame (the heel strike and toe-off of a swing move faster than that).
PLANT_HEIGHT = 0.02
PLANT_VERTICAL_SPEED = 0.005
# Sliding of 0.5 % of the figure's height per frame (2 px at 720p) is at the edge of notice; 1.5 %
# is a foot skating across the floor.
FOOT_SLIDE_WARN = 0.005
FOOT_SLIDE_ERROR = 0.015

Tracks = Mapping[str, Mapping[str, np.ndarray]]  # character -> joint -> (n_frames, 2) px, y down


def joint_tracks(poses: Mapping[str, Sequence[Pose]], rigs: Mapping[str, Rig], width: int, height: int
                 ) -> dict[str, dict[str, np.ndarray]]:
    """character -> joint -> (n_frames, 2) pixel positions of each bone's end, for characters with a rig."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for char, seq in poses.items():
        rig = rigs.get(char)
        if rig is None or not seq:
            continue
        pts = np.zeros((len(seq), len(rig.joints), 2))
        for f, pose in enumerate(seq):
            bones = forward_kinematics(rig, pose)
            char_px = CHARACTER_HEIGHT * height * rig.height * pose.scale
            sx = view_scale(pose)
            for j, spec in enumerate(rig.joints):
                end = bones[spec.name].to_world(np.array([1.0]), np.array([0.0]))[0]
                pts[f, j] = (pose.root_x * width + sx * char_px * end[0], pose.root_y * height - char_px * end[1])
        out[char] = {spec.name: pts[:, j] for j, spec in enumerate(rig.joints)}
    return out


def figure_heights(poses: Mapping[str, Sequence[Pose]], rigs: Mapping[str, Rig], height: int) -> dict[str, float]:
    """character -> the figure's standing height in pixels (its mean pose scale over the shot)."""
    return {c: CHARACTER_HEIGHT * height * rigs[c].height * float(np.mean([p.scale for p in seq]))
            for c, seq in poses.items() if c in rigs and seq}


def planted_feet(rigs: Mapping[str, Rig]) -> dict[str, list[str]]:
    """character -> its foot joints: the rig's contact bones, whose ends rest on the ground."""
    return {c: list(r.contacts) for c, r in rigs.items()}


def jerk_series(positions: np.ndarray) -> np.ndarray:
    """(n, 2) or (n, J, 2) positions -> (n,) jerk magnitude per frame (px/frame^3), max over joints."""
    p = np.asarray(positions, dtype=np.float64)
    if p.ndim == 2:
        p = p[:, None, :]
    n = p.shape[0]
    if n < 4:
        return np.zeros(n)
    d3 = np.linalg.norm(p[3:] - 3 * p[2:-1] + 3 * p[1:-2] - p[:-3], axis=-1)  # (n-3, J), centred at i+1.5
    per = np.zeros((n + 1, d3.shape[1]))
    per[2:-2] = d3  # per[k] = |d3| centred at k - 0.5, on frames k-2..k+1
    out = 0.5 * (per[:-1] + per[1:])  # frame t: mean of the stencils centred at t-0.5 and t+0.5
    return out.max(axis=1)


def _central(v: np.ndarray) -> np.ndarray:
    return np.gradient(v) if v.size > 1 else np.zeros_like(v)


def foot_sliding_series(foot: np.ndarray, figure_height: float, plant_height: float = PLANT_HEIGHT,
                        plant_vertical_speed: float = PLANT_VERTICAL_SPEED) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal speed px/frame, planted mask) per frame for one foot's (n, 2) pixel track."""
    p = np.asarray(foot, dtype=np.float64)
    lift = p[:, 1].max() - p[:, 1]  # px above the foot's lowest point in the shot (y grows down)
    vy = np.abs(_central(p[:, 1]))
    planted = (lift <= plant_height * figure_height) & (vy <= plant_vertical_speed * figure_height)
    return np.abs(_central(p[:, 0])), planted


def foot_sliding(foot: np.ndarray, figure_height: float) -> float:
    """Mean horizontal speed (px/frame) of one foot over its planted frames; 0.0 when never planted."""
    speed, planted = foot_sliding_series(foot, figure_height)
    return float(speed[planted].mean()) if planted.any() else 0.0


def jerk_finding(tracks: Tracks, heights: Mapping[str, float], warn: float = JERK_WARN, error: float = JERK_ERROR
                 ) -> EchoFinding:
    """Peak jerk of the shot (px/frame^3, the character worst against its own limit), frames over it."""
    worst = ("", 0.0, 1.0)  # character, peak px/frame^3, figure height px
    frames: set[int] = set()
    chars: list[str] = []
    for char, joints in tracks.items():
        if not joints or char not in heights:
            continue
        series = jerk_series(np.stack(list(joints.values()), axis=1))
        h = heights[char]
        over = np.flatnonzero(series > warn * h)
        if over.size:
            chars.append(char)
            frames.update(int(f) for f in over)
        if series.max() / h >= worst[1] / worst[2]:
            worst = (char, float(series.max()), h)
    char, peak, h = worst
    sev = severity_above(peak / h, warn, error)
    detail = (f"peak jerk {peak:.2f} px/frame³ ({peak / h:.3f} figure heights) on {char or 'no character'}, "
              f"limit {warn:g} heights; {len(frames)} frames over it")
    return EchoFinding(check="jerk", value=peak, limit=warn * h, unit="px/frame^3", severity=sev,
                       frames=sorted(frames), characters=chars, detail=detail)


def foot_sliding_finding(tracks: Tracks, heights: Mapping[str, float], feet: Mapping[str, Sequence[str]],
                         warn: float = FOOT_SLIDE_WARN, error: float = FOOT_SLIDE_ERROR) -> EchoFinding:
    """Worst mean sliding of a planted foot (px/frame) and the planted frames where a foot slides."""
    worst = ("", 0.0, 1.0)
    frames: set[int] = set()
    chars: list[str] = []
    for char, joints in tracks.items():
        h = heights.get(char)
        for name in feet.get(char, ()):
            if h is None or name not in joints:
                continue
            speed, planted = foot_sliding_series(joints[name], h)
            value = float(speed[planted].mean()) if planted.any() else 0.0
            slid = np.flatnonzero(planted & (speed > warn * h))
            if slid.size:
                frames.update(int(f) for f in slid)
                if char not in chars:
                    chars.append(char)
            if value / h >= worst[1] / worst[2]:
                worst = (f"{char}.{name}", value, h)
    foot, value, h = worst
    sev = severity_above(value / h, warn, error)
    detail = (f"planted foot {foot or '(none)'} slides {value:.2f} px/frame ({value / h:.3%} of the figure), "
              f"limit {warn:.1%}; {len(frames)} frames over it")
    return EchoFinding(check="foot_sliding", value=value, limit=warn * h, unit="px/frame", severity=sev,
                       frames=sorted(frames), characters=chars, detail=detail)
