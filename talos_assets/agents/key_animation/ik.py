"""Axis inverse kinematics: a two-bone chain (shoulder-elbow, hip-knee) placed on a target inside joint limits.

Analytic two-bone IK by the law of cosines (both bends tried, as in the classic closed form used by
game and film rigs), then the two joint angles are wrapped and clamped into the rig's limits and
refined by a bounded coordinate descent, so a chain whose limits forbid the exact answer still
gets as near the target as it can. The miss is measured afterwards by the rig's own forward
kinematics and reported, never hidden. Points are in character space (`forward_kinematics` units:
character heights, x toward the facing, y up from the ground) for a planted pose; `planted=False`
uses the unplanted frame (the root at the origin), which leg chains need since moving a leg moves
the ground contact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from talos_assets.agents.key_animation.rig import Bone, Rig, forward_kinematics
from talos_assets.spec import Pose

# Chains by limb: (upper joint, lower joint, effector bone, fraction along the effector bone).
ARM_CHAINS: dict[str, tuple[str, str, str]] = {"r": ("r_shoulder", "r_elbow", "r_wrist"),
                                               "l": ("l_shoulder", "l_elbow", "l_wrist")}
LEG_CHAINS: dict[str, tuple[str, str, str]] = {"r": ("r_hip", "r_knee", "r_knee"), "l": ("l_hip", "l_knee", "l_knee")}
# An adult hand is about 10.8 % of stature (anthropometric tables, e.g. NASA-STD-3000 vol. I).
HAND_LENGTH = 0.108


@dataclass(frozen=True)
class Reach:
    """An IK answer: the pose, how far the effector stays from the target (character heights), clamped or not."""

    pose: Pose
    miss: float
    clamped: bool


def _dir(angle: float) -> np.ndarray:
    a = math.radians(angle)
    return np.array([math.sin(a), math.cos(a)])


def _angle_of(v: np.ndarray) -> float:
    return math.degrees(math.atan2(float(v[0]), float(v[1])))


def _wrap_into(value: float, lo: float, hi: float) -> float:
    """value + k*360 inside [lo, hi] if any, else the one nearest the range (then clamped by the caller)."""
    best, best_d = value, math.inf
    for k in range(-3, 4):
        v = value + 360.0 * k
        d = max(lo - v, 0.0, v - hi)
        if d < best_d - 1e-9:
            best, best_d = v, d
    return best


def bones_of(rig: Rig, pose: Pose, planted: bool = True) -> dict[str, Bone]:
    """Forward kinematics, planted on the ground (the drawing's) or with the root at the origin."""
    if planted or not rig.contacts:
        return forward_kinematics(rig, pose)
    return forward_kinematics(rig.model_copy(update={"contacts": []}), pose)


def effector_point(rig: Rig, pose: Pose, bone: str, planted: bool = True) -> np.ndarray:
    """The chain's effector: the hand's centre on a wrist bone, else the end of `bone`."""
    b = bones_of(rig, pose, planted)[bone]
    along = 1.0
    if bone.endswith("_wrist"):
        along = next((p.center[0] for p in rig.parts if p.bone == bone and p.shape == "ellipse"), 1.0)
    return b.to_world(np.array([along]), np.zeros(1))[0]


def within_limits(rig: Rig, pose: Pose, tol: float = 1e-6) -> bool:
    """Every joint angle of the pose inside its rig limits."""
    jm = rig.joint_map
    return all(jm[k].min - tol <= v <= jm[k].max + tol for k, v in pose.joints.items() if k in jm)


def _solve_angles(s: np.ndarray, parent: float, l1: float, l2: float, phi: float, target: np.ndarray,
                  lim1: tuple[float, float], lim2: tuple[float, float]) -> tuple[float, float, float]:
    """(upper rel, lower rel, miss) for a chain from `s` whose effector sits `phi` off the lower bone."""

    def tip(r1: float, r2: float) -> np.ndarray:
        return s + l1 * _dir(parent + r1) + l2 * _dir(parent + r1 + r2 + phi)

    def err(r1: float, r2: float) -> float:
        return float(np.linalg.norm(tip(r1, r2) - target))

    d = float(np.clip(np.linalg.norm(target - s), abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6))
    base = _angle_of(target - s)
    alpha = math.degrees(math.acos(float(np.clip((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d), -1, 1))))
    best = (0.0, 0.0, math.inf)
    for sign in (1.0, -1.0):
        a1 = base + sign * alpha
        elbow = s + l1 * _dir(a1)
        a2 = _angle_of(target - elbow) if np.linalg.norm(target - elbow) > 1e-9 else a1
        r1 = float(np.clip(_wrap_into(a1 - parent, *lim1), *lim1))
        r2 = float(np.clip(_wrap_into(a2 - phi - a1, *lim2), *lim2))
        e = err(r1, r2)
        if e < best[2]:
            best = (r1, r2, e)
    # Bounded coordinate descent: what the clamp took away, won back as far as the limits allow.
    r1, r2, e = best
    step = 8.0
    while step > 0.05:
        moved = False
        for dr1, dr2 in ((step, 0), (-step, 0), (0, step), (0, -step)):
            c1, c2 = float(np.clip(r1 + dr1, *lim1)), float(np.clip(r2 + dr2, *lim2))
            ce = err(c1, c2)
            if ce < e - 1e-9:
                r1, r2, e, moved = c1, c2, ce, True
        if not moved:
            step /= 2
    return r1, r2, e


def solve_chain(rig: Rig, pose: Pose, chain: tuple[str, str, str], target: np.ndarray | tuple[float, float],
                planted: bool = True) -> Reach:
    """Put the chain's effector on `target` (character space), inside the joint limits; report the miss.

    `chain` is (upper joint, lower joint, effector bone), e.g. ARM_CHAINS['r'] or LEG_CHAINS['l'];
    joints the rig lacks leave the pose as it is with an infinite miss.
    """
    upper, lower, end = chain
    jm = rig.joint_map
    target = np.asarray(target, dtype=np.float64)
    if upper not in jm or lower not in jm or end not in jm:
        return Reach(pose, math.inf, True)
    bones = bones_of(rig, pose, planted)
    s, e0 = bones[upper].start, bones[lower].start
    tip = effector_point(rig, pose, end, planted)
    l1, l2 = float(np.linalg.norm(e0 - s)), float(np.linalg.norm(tip - e0))
    phi = _angle_of(tip - e0) - bones[lower].angle if l2 > 1e-9 else 0.0
    parent = bones[upper].angle - float(pose.joints.get(upper, jm[upper].rest))
    lim1, lim2 = (jm[upper].min, jm[upper].max), (jm[lower].min, jm[lower].max)
    r1, r2, _ = _solve_angles(s, parent, l1, l2, phi, target, lim1, lim2)
    joints = dict(pose.joints)
    joints[upper], joints[lower] = r1, r2
    out = pose.model_copy(update={"joints": joints, "face": dict(pose.face)})
    miss = float(np.linalg.norm(effector_point(rig, out, end, planted) - target))
    free = float(np.linalg.norm(target - s))
    clamped = miss > 1e-3 and abs(l1 - l2) <= free <= l1 + l2
    return Reach(out, miss, clamped)


def reach_arm(rig: Rig, pose: Pose, side: str, target: np.ndarray | tuple[float, float]) -> Reach:
    """The `side` ('r' near, 'l' far) hand on `target` (planted character space)."""
    return solve_chain(rig, pose, ARM_CHAINS[side], target)


def arm_length(rig: Rig, side: str = "r") -> float:
    """Shoulder to hand centre at full stretch, character heights."""
    jm = rig.joint_map
    up, lo, wr = ARM_CHAINS[side]
    if up not in jm:
        return 0.0
    hand = next((p.center[0] for p in rig.parts if p.bone == wr and p.shape == "ellipse"), 1.0)
    return jm[up].length + jm[lo].length + (jm[wr].length * hand if wr in jm else 0.0)


def shoulder_point(rig: Rig, pose: Pose, side: str = "r") -> np.ndarray:
    up = ARM_CHAINS[side][0]
    bones = forward_kinematics(rig, pose)
    return bones[up].start if up in bones else np.zeros(2)
