"""Acting in pairs: where two characters stand so that their hands meet, and the contact actions
(hug, shake hands) solved against the partner's body.

Two characters who touch are placed by their bodies, not by the stage's even spread: a hug puts the
chests almost together, a handshake or a hand-over puts each shoulder about four fifths of an arm
from a meeting point between them, a push or a blow puts the partner's chest at the arm's end. The
contact itself is two-bone IK onto the partner: a hug's hands go to the partner's back (the back
line of its torso, down to the backs of its thighs for a much taller partner), a handshake's right
hand to the meeting point. Both partners are solved in turn against each other's contact pose a
few times, so each one's hands land on the other's body as the other actually holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talos_assets.agents.key_animation.acting.context import (
    Stage,
    act,
    base_pose,
    cycle,
    nudge,
    seconds,
    timeline,
    to_char,
    to_frame,
)
from talos_assets.agents.key_animation.acting.gestures import hand_to
from talos_assets.agents.key_animation.ik import arm_length, shoulder_point
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, Rig, forward_kinematics
from talos_assets.spec import KeyPose, Pose

# Two-character actions: how far apart (see `spacing`) and what the partner does if the story does not say.
PAIR_ACTIONS: dict[str, str] = {"hug": "hug", "shake_hands": "shake_hands", "give": "take", "dance": "dance",
                                "push": "recoil", "fight": "fight", "strike": "recoil", "kick": "recoil",
                                "pull": "stumble"}
BODY_HALF = 0.085  # a torso's half thickness, character heights
THIGH_HALF = 0.04  # a thigh's
BACK_BONES = ("l_hip", "pelvis", "spine", "chest")


def back_line(rig: Rig, pose: Pose, aspect: float) -> np.ndarray:
    """The back of the torso (and thighs) as a polyline of frame points, from the knees up to the shoulders."""
    bones = forward_kinematics(rig, pose)
    pts = []
    for name in BACK_BONES:
        if name not in bones:
            continue
        b = bones[name]
        ends = (1.0, 0.0) if name.endswith("_hip") else (0.0, 1.0)  # a thigh runs down: walk it upward
        half = THIGH_HALF if name.endswith("_hip") else BODY_HALF
        for t in np.linspace(ends[0], ends[1], 4):
            p = b.to_world(np.array([t]), np.zeros(1))[0] + np.array([-half, 0.0])
            pts.append(p)
    h = CHARACTER_HEIGHT * rig.height * pose.scale
    sx = view_scale(pose)
    return np.array([(pose.root_x + sx * h * p[0] / aspect, pose.root_y - h * p[1]) for p in pts])


def chest_front(rig: Rig, pose: Pose, aspect: float, along: float = 0.5) -> tuple[float, float]:
    """A point on the front of the chest, frame fractions (where a push or a blow lands)."""
    bones = forward_kinematics(rig, pose)
    b = bones.get("chest") or next(iter(bones.values()))
    p = b.to_world(np.array([along]), np.zeros(1))[0] + np.array([BODY_HALF, 0.0])
    h = CHARACTER_HEIGHT * rig.height * pose.scale
    return pose.root_x + view_scale(pose) * h * p[0] / aspect, pose.root_y - h * p[1]


def _nearest_on(poly: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, float]:
    best, best_d = poly[0], np.inf
    for a, b in zip(poly[:-1], poly[1:]):
        ab = b - a
        t = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-12), 0.0, 1.0))
        q = a + t * ab
        d = float(np.linalg.norm(p - q))
        if d < best_d:
            best, best_d = q, d
    return best, best_d


def distance_to_back(rig: Rig, pose: Pose, point: tuple[float, float], aspect: float) -> float:
    """Distance from a frame point to the partner's back line, in frame heights (x scaled by `aspect`)."""
    poly = back_line(rig, pose, aspect) * np.array([aspect, 1.0])
    return _nearest_on(poly, np.array([point[0] * aspect, point[1]]))[1]


@dataclass(frozen=True)
class Spacing:
    """How far apart two partners stand (frame widths between their marks) for an action."""

    gap: float


def spacing(action: str, a: Stage, b_rig: Rig, b_scale: float) -> Spacing:
    """Root-to-root distance (frame widths) for `action` between the actor `a` and its partner."""
    ha, hb = a.char_h, CHARACTER_HEIGHT * b_rig.height * b_scale
    arm_a, arm_b = arm_length(a.rig) * ha, arm_length(b_rig) * hb
    body = BODY_HALF * (ha + hb)
    gap = {"hug": body,
           "shake_hands": 0.78 * (arm_a + arm_b) + 0.05 * (ha + hb),
           "give": 0.78 * (arm_a + arm_b) + 0.05 * (ha + hb),
           "dance": 1.1 * (arm_a + arm_b),
           "push": 0.72 * arm_a + body,
           "pull": 0.8 * arm_a + body,
           "fight": 0.85 * arm_a + body + 0.1 * ha,
           "strike": 0.85 * arm_a + body,
           "kick": 0.6 * ha + BODY_HALF * hb}.get(action, 0.5 * (arm_a + arm_b) + body)
    return Spacing(gap / a.aspect)


def meeting_point(a: Stage, pa: Pose, b: Stage, pb: Pose) -> tuple[float, float]:
    """Where two right hands meet: midway between the marks, below the shoulders of a pair of a size;
    a small partner reaches up and a tall one down, each by part of its arm."""
    sa = to_frame(a, pa, shoulder_point(a.rig, pa))
    sb = to_frame(b, pb, shoulder_point(b.rig, pb))
    arm_a, arm_b = arm_length(a.rig) * a.char_h, arm_length(b.rig) * b.char_h
    # Each hand would rest 0.45 arm below its shoulder; meet between the two, weighted by arm length,
    # but within the shorter arm's reach (the taller partner bends down to it).
    ya, yb = sa[1] + 0.45 * arm_a, sb[1] + 0.45 * arm_b
    y = (ya * arm_a + yb * arm_b) / (arm_a + arm_b)
    s_short, arm_short = (sa[1], arm_a) if arm_a <= arm_b else (sb[1], arm_b)
    y = float(np.clip(y, s_short - 0.5 * arm_short, s_short + 0.5 * arm_short))
    # Across, each shoulder gives the same share of its own arm.
    ax, bx = sa[0], sb[0]
    x = ax + (bx - ax) * arm_a / (arm_a + arm_b)
    return (x, y)


def hug_contact(st: Stage, pose: Pose) -> Pose:
    """Both hands on the partner's back at the height nearest this character's own chest."""
    if st.partner is None:
        s = shoulder_point(st.rig, pose)
        arm = arm_length(st.rig)
        return hand_to(st, hand_to(st, pose, s + np.array([0.6, -0.2]) * arm, "r", False), s + np.array([0.55, -0.15]) * arm, "l", False)
    poly = back_line(st.partner.rig, st.partner.pose, st.aspect)
    local = np.array([to_char(st, pose, (float(x), float(y))) for x, y in poly])
    s = shoulder_point(st.rig, pose)
    aim = s + np.array([0.0, -0.35 * arm_length(st.rig)])
    target, _ = _nearest_on(local, aim)
    p = act(st, pose, scaled=False, spine=10, chest=6, head=12, face={"eye_open": 0.2, "mouth_curve": 0.8})
    p = hand_to(st, p, target, "r")
    return hand_to(st, p, target + np.array([0.0, 0.03]), "l")


def hug(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.0)
    open_arms = act(st, b, r_shoulder=-95, r_elbow=-5, l_shoulder=-80, l_elbow=-5, spine=-6, head=-6)
    held = hug_contact(st, b)
    squeeze = nudge(st, held, chest=3, head=3)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.45), open_arms, "ease-in"), (seconds(st, 0.9), held, "ease-out"),
                         (seconds(st, 1.5), squeeze, "ease-in-out"), (seconds(st, 2.1), held, "ease-in-out")])


def shake_contact(st: Stage, pose: Pose) -> Pose:
    t = to_char(st, pose, st.target) if st.target is not None else shoulder_point(st.rig, pose) + np.array([0.2, -0.1])
    return hand_to(st, act(st, pose, spine=6, face={"mouth_curve": 0.6}), t, "r")


def shake_hands(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.0)
    held = shake_contact(st, b)
    up, down = nudge(st, held, r_elbow=-10), nudge(st, held, r_elbow=8)
    t0 = seconds(st, 0.8)
    beats = [(0, b, "ease-in-out"), (t0, held, "ease-out")]
    beats += cycle(st, t0 + seconds(st, 0.3), [up, down], seconds(st, 0.5), min(st.last, t0 + seconds(st, 2.0)))
    beats.append((beats[-1][0] + seconds(st, 0.3), held, "ease-in-out"))
    return timeline(st, beats)
