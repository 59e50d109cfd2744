"""Acting pose checks: does the key pose show the action? Measured from the keys' joints by forward kinematics.

Each check is a property a viewer would read in the drawing: sitting lowers the hips and bends the
knees, a kneel puts a knee on the ground, a jump lifts the root, lying puts the body near horizontal
on the ground, a hug puts each hugger's hands within a hand's length (10.8 % of stature) of the
partner's back, a handshake puts the right hands together, an aimed hand reaches its target, a rider's
feet stay on the pedals and its vehicle level on the ground, and no
key ever leaves the rig's joint limits. Grounded actions keep the root on the ground line (the rig's
kinematics rests the lowest point of the body on it). Results are plain records for tests and the bench.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from talos_assets.agents.key_animation.acting.pairs import distance_to_back
from talos_assets.agents.key_animation.acting.riding import anchor_point, far_offset, leg_length, ride_scale
from talos_assets.agents.key_animation.acting.vehicle import Vehicle
from talos_assets.agents.key_animation.ik import HAND_LENGTH, arm_length, bones_of, effector_point, within_limits
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACING_KEY, Rig, forward_kinematics
from talos_assets.spec import KeyPose, Pose

AIRBORNE = ("jump", "climb", "celebrate", "dance", "run")
RIDDEN = ("ride",)  # lifted onto a seat: the vehicle, not the body, rests on the ground (`check_ride`)
KNEE_TOL = 0.03  # a knee "on the ground" is this close to it (character heights): a shin's radius
REACH_TOL = 0.03  # an aimed hand is this close to its target (character heights)
SIT_DROP, SIT_KNEE = 0.25, 45.0  # a seat lowers the hips by a quarter of standing height, knees bent 45 deg+


@dataclass(frozen=True)
class Check:
    """One measured pose property: its name, pass/fail, the measured value and the bound it was held to."""

    name: str
    passed: bool
    value: float
    bound: float


def hip_height(rig: Rig, pose: Pose) -> float:
    bones = forward_kinematics(rig, pose)
    root = next(iter(bones.values()))
    return float(root.start[1])


def knee_bend(rig: Rig, pose: Pose) -> float:
    """The smaller of the two knee flexions, degrees from straight."""
    return float(min(pose.joints.get(k, 0.0) for k in ("l_knee", "r_knee") if k in rig.joint_map))


def lowest_knee(rig: Rig, pose: Pose) -> float:
    bones = forward_kinematics(rig, pose)
    return float(min(bones[k].start[1] for k in ("l_knee", "r_knee") if k in bones)) - rig.ground_clearance


def torso_tilt(rig: Rig, pose: Pose) -> float:
    """Angle of the pelvis-to-head line from vertical, degrees (90 = lying)."""
    bones = forward_kinematics(rig, pose)
    top = bones["head"].to_world(np.array([1.0]), np.zeros(1))[0] if "head" in bones else bones["chest"].start
    d = top - next(iter(bones.values())).start
    return float(abs(np.degrees(np.arctan2(d[0], d[1]))))


def hand_frame(rig: Rig, pose: Pose, side: str, aspect: float) -> np.ndarray:
    """A hand's centre in frame heights (x scaled by `aspect`)."""
    p = effector_point(rig, pose, f"{side}_wrist")
    h = CHARACTER_HEIGHT * rig.height * pose.scale
    return np.array([pose.root_x * aspect + view_scale(pose) * h * p[0], pose.root_y - h * p[1]])


def _sit(rig: Rig, keys: Sequence[KeyPose]) -> Check:
    stand = hip_height(rig, rig.rest_pose())
    k = min(keys, key=lambda k: hip_height(rig, k.pose))
    drop = 1.0 - hip_height(rig, k.pose) / stand
    ok = drop >= SIT_DROP and knee_bend(rig, k.pose) >= SIT_KNEE
    return Check("hips low, knees bent", ok, round(drop, 3), SIT_DROP)


def _kneel(rig: Rig, keys: Sequence[KeyPose]) -> Check:
    d = min(lowest_knee(rig, k.pose) for k in keys)
    return Check("knee on ground", d <= KNEE_TOL, round(d, 4), KNEE_TOL)


def _lifted(rig: Rig, keys: Sequence[KeyPose]) -> Check:
    ground = keys[0].pose.root_y
    lift = max((ground - k.pose.root_y) / (CHARACTER_HEIGHT * rig.height * k.pose.scale) for k in keys)
    return Check("root lifted", lift >= 0.1, round(lift, 3), 0.1)


def _lying(rig: Rig, keys: Sequence[KeyPose]) -> Check:
    k = keys[-1].pose
    tilt = torso_tilt(rig, k)
    top = max(b.start[1] for n, b in forward_kinematics(rig, k).items() if n in ("pelvis", "spine", "chest", "neck"))
    ok = abs(tilt - 90.0) <= 25.0 and top <= 0.2
    return Check("body horizontal on ground", ok, round(tilt, 1), 90.0)


def _target_reach(rig: Rig, keys: Sequence[KeyPose], target: tuple[float, float], aspect: float) -> Check:
    t = np.array([target[0] * aspect, target[1]])
    d = min(float(np.linalg.norm(hand_frame(rig, k.pose, "r", aspect) - t)) / (CHARACTER_HEIGHT * rig.height * k.pose.scale)
            for k in keys)
    return Check("hand reaches target", d <= REACH_TOL, round(d, 4), REACH_TOL)


def _facing_target(keys: Sequence[KeyPose], target: tuple[float, float]) -> Check:
    k = keys[-1].pose
    want = 1.0 if target[0] >= k.root_x else -1.0
    ok = np.sign(k.face.get(FACING_KEY, 1.0)) == want
    return Check("faces target", bool(ok), float(np.sign(k.face.get(FACING_KEY, 1.0))), want)


def _head_up(rig: Rig, keys: Sequence[KeyPose]) -> Check:
    a = min(forward_kinematics(rig, k.pose)["head"].angle for k in keys)
    return Check("head tilted up", a <= -20.0, round(a, 1), -20.0)


def _moves(keys: Sequence[KeyPose]) -> Check:
    first = keys[0].pose
    def change(p: Pose) -> float:
        joints = max([abs(p.joints[j] - first.joints.get(j, p.joints[j])) for j in p.joints] or [0.0])
        face = max([abs(v - first.face.get(f, v)) for f, v in p.face.items()] or [0.0])
        return joints + 20 * face + 40 * (abs(p.root_x - first.root_x) + abs(p.root_y - first.root_y))

    d = max(change(k.pose) for k in keys)
    return Check("pose changes", d >= 3.0, round(d, 2), 3.0)


POSE_CHECKS: dict[str, str] = {
    "sit": "sit", "sit_down": "sit", "kneel": "kneel", "pray": "kneel", "jump": "lift", "celebrate": "lift",
    "lie_down": "lie", "sleep": "lie", "gaze_up": "head_up",
    "reach": "target", "give": "target", "point": "face", "look_at": "face", "throw": "face",
}


def _beyond_reach(point: np.ndarray, target: np.ndarray, root: np.ndarray, length: float) -> float:
    """How much farther `point` is from `target` than a limb of `length` from `root` must leave it."""
    short = max(0.0, float(np.linalg.norm(target - root)) - length)
    return max(0.0, float(np.linalg.norm(point - target)) - short)


def check_ride(rig: Rig, keys: Sequence[KeyPose], v: Vehicle, aspect: float = 16 / 9,
               hands: Sequence[str] = ("r", "l")) -> list[Check]:
    """A ride's keys: the vehicle rests level on one line under every key, the feet on the pedals and
    the `hands` ('r' near, 'l' far) on the bar (a pedalled vehicle) or in the stirrups and on the reins
    as far as the limbs reach (a horse), and the pair travel forward."""
    k = v.height * ride_scale(v, rig) / rig.height
    ys = [anchor_point(v, rig, kp.pose, aspect)[1] for kp in keys]
    out = [Check("vehicle level on its line", max(ys) - min(ys) <= 1e-3, round(max(ys) - min(ys), 6), 1e-3)]
    seat = np.asarray(v.seat, float)
    if v.stroke in ("pedal", "gallop"):
        centre, r = (np.asarray(v.feet, float) - seat) * k, v.crank * k
        bar = (np.asarray(v.hands, float) - seat) * k
        far = far_offset(rig, keys[0].pose)  # the far grip, fixed on the bar as the first key drew it
        feet_miss = hands_miss = 0.0
        for kp in keys:
            bones = bones_of(rig, kp.pose, planted=False) if v.stroke == "gallop" else {}  # the limbs' roots
            feet = [effector_point(rig, kp.pose, f"{s}_knee", planted=False) for s in ("r", "l")]
            if v.stroke == "pedal":
                # each foot on the crank circle, and the two half a turn apart (their middle on the axle)
                feet_miss = max([feet_miss, float(np.linalg.norm((feet[0] + feet[1]) / 2 - centre))]
                                + [abs(float(np.linalg.norm(f - centre)) - r) for f in feet])
            else:
                # both in the stirrup (a side view draws the far one behind the near), or as near it as the
                # leg reaches: a small rider on a big horse
                feet_miss = max([feet_miss] + [_beyond_reach(f, centre, bones[f"{s}_hip"].start, leg_length(rig))
                                               for s, f in zip(("r", "l"), feet)])
            for h in hands:
                grip = bar + (far if h == "l" else 0.0)
                hand = effector_point(rig, kp.pose, f"{h}_wrist", planted=False)
                hands_miss = max(hands_miss, _beyond_reach(hand, grip, bones[f"{h}_shoulder"].start, arm_length(rig, h))
                                 if v.stroke == "gallop" else float(np.linalg.norm(hand - grip)))
        out.append(Check("feet on the pedals" if v.stroke == "pedal" else "feet in the stirrups",
                         feet_miss <= REACH_TOL, round(feet_miss, 4), REACH_TOL))
        out.append(Check("hands on the bar" if v.stroke == "pedal" else "hands on the reins",
                         hands_miss <= REACH_TOL, round(hands_miss, 4), REACH_TOL))
    facing = 1.0 if float(keys[0].pose.face.get(FACING_KEY, 1.0)) >= 0 else -1.0
    travel = facing * (keys[-1].pose.root_x - keys[0].pose.root_x)
    out.append(Check("travels forward", travel >= 0.02, round(travel, 4), 0.02))
    return out


def check_action(rig: Rig, action: str, keys: Sequence[KeyPose], target: tuple[float, float] | None = None,
                 aspect: float = 16 / 9, vehicle: Vehicle | None = None) -> list[Check]:
    """The pose checks of one character's keys for `action`: limits, ground, motion and the action's own
    (`vehicle`: what a ride rides, checked by `check_ride`)."""
    if not keys:
        return [Check("has keys", False, 0.0, 1.0)]
    out = [Check("joint limits", all(within_limits(rig, k.pose) for k in keys), 0.0, 0.0), _moves(keys)]
    if action in RIDDEN and vehicle is not None:
        return out + check_ride(rig, keys, vehicle, aspect)
    if action not in AIRBORNE:
        dev = max(abs(k.pose.root_y - keys[0].pose.root_y) for k in keys)
        out.append(Check("on the ground", dev <= 1e-6, round(dev, 6), 0.0))
    kind = POSE_CHECKS.get(action)
    if kind == "sit":
        out.append(_sit(rig, keys))
    elif action == "stand_up":
        out.append(_sit(rig, keys[:1]))
    elif kind == "kneel":
        out.append(_kneel(rig, keys))
    elif kind == "lift":
        out.append(_lifted(rig, keys))
    elif kind == "lie":
        out.append(_lying(rig, keys))
    elif kind == "head_up":
        out.append(_head_up(rig, keys))
    elif kind == "target" and target is not None:
        out.append(_target_reach(rig, keys, target, aspect))
    elif kind == "face" and target is not None:
        out.append(_facing_target(keys, target))
    return out


HELD = {"sit": "sit", "sit_down": "sit", "kneel": "kneel", "lie_down": "lie", "sleep": "lie"}


def _shows(rig: Rig, kind: str, pose: Pose, stand: float) -> bool:
    """Does one key show the posture: hips low and knees bent, a knee on the ground, the body lying."""
    if kind == "sit":
        return 1.0 - hip_height(rig, pose) / stand >= SIT_DROP and knee_bend(rig, pose) >= SIT_KNEE
    if kind == "kneel":
        return lowest_knee(rig, pose) <= KNEE_TOL
    top = max(b.start[1] for n, b in forward_kinematics(rig, pose).items() if n in ("pelvis", "spine", "chest", "neck"))
    return abs(torso_tilt(rig, pose) - 90.0) <= 25.0 and top <= 0.2


def check_held(rig: Rig, posture: str, upper: Sequence[str], keys: Sequence[KeyPose],
               n_frames: int | None = None, vehicle: Vehicle | None = None) -> list[Check]:
    """A posture held under upper-body actions: once a key shows the posture, every later key still
    does (value: the keys that lose it), and each upper-body action's own check holds on the keys of
    the shot's second half (a gaze up seated tilts the head up late in the shot)."""
    if not keys:
        return [Check("has keys", False, 0.0, 1.0)]
    out = [Check("joint limits", all(within_limits(rig, k.pose) for k in keys), 0.0, 0.0)]
    if posture == "ride" and vehicle is not None:
        # the far hand stays on the bar under a one-handed action (a wave), neither under a clap
        hands = () if any(a in ("clap", "pray") for a in upper) else ("l",)
        return out + check_ride(rig, keys, vehicle, hands=hands)
    dev = max(abs(k.pose.root_y - keys[0].pose.root_y) for k in keys)
    out.append(Check("on the ground", dev <= 1e-6, round(dev, 6), 0.0))
    kind = HELD.get(posture)
    if kind is not None:
        stand = hip_height(rig, rig.rest_pose())
        shown = [_shows(rig, kind, k.pose, stand) for k in keys]
        first = shown.index(True) if any(shown) else len(shown)
        lost = len(shown) - first - sum(shown[first:]) if first < len(shown) else len(shown)
        out.append(Check(f"{posture} held", lost == 0, float(lost), 0.0))
    half = (n_frames if n_frames is not None else keys[-1].frame + 1) / 2
    late = [k for k in keys if k.frame >= half]
    for action in upper:
        if POSE_CHECKS.get(action) == "head_up" and late:
            out.append(_head_up(rig, late))
    return out


def _common(keys_a: Sequence[KeyPose], keys_b: Sequence[KeyPose]) -> list[tuple[Pose, Pose]]:
    fb = {k.frame: k.pose for k in keys_b}
    return [(k.pose, fb[k.frame]) for k in keys_a if k.frame in fb]


def check_pair(action: str, rig_a: Rig, keys_a: Sequence[KeyPose], rig_b: Rig, keys_b: Sequence[KeyPose],
               aspect: float = 16 / 9) -> list[Check]:
    """Contact checks of a two-character action at the keys both share: hug, shake_hands, give."""
    pairs = _common(keys_a, keys_b)
    ha = HAND_LENGTH * rig_a.height * CHARACTER_HEIGHT
    if action == "hug":
        best = np.inf
        for pa, pb in pairs:
            d = max(distance_to_back(rig_b, pb, tuple(hand_frame(rig_a, pa, s, aspect) / np.array([aspect, 1.0])), aspect)
                    for s in ("r", "l")) / pa.scale
            best = min(best, d)
        return [Check("hands on partner's back", best <= ha, round(float(best), 4), round(ha, 4))]
    if action in ("shake_hands", "give"):
        best = min([float(np.linalg.norm(hand_frame(rig_a, pa, "r", aspect) - hand_frame(rig_b, pb, "r", aspect))) / pa.scale
                    for pa, pb in pairs] or [np.inf])
        return [Check("right hands meet", best <= ha, round(best, 4), round(ha, 4))]
    return []
