"""Axis pose library: the emotion poses of body attitude and face, and the pose arithmetic keys are built with.

Emotion poses are a hand-authored library of body attitude (lean, head carriage, arm shapes,
stance) and face (brows, lids, mouth) per named emotion, following the acting references of
Thomas & Johnston's *Illusion of Life* and Williams' *The Animator's Survival Kit*: open and up for
joy, collapsed and heavy for sadness, forward and closed for anger, recoil and guard for fear, flung
open for surprise. A pose is pushed further from rest as arousal rises and clamped to the rig's
joint limits. The helpers here (blend, offset, attitude, a front-ish view) are what the actions
compose their keys from.
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.key_animation.rig import FACE_REST, FACING_KEY, Rig
from talos_assets.spec import Emotion, Pose

# Joint offsets from rest (degrees) and face targets at full intensity. Sign conventions: spine /
# chest / neck / head positive = lean or nod forward; l_shoulder is the far arm (rest ~ -170, raised
# by adding), r_shoulder the near arm (rest ~ 170, raised by subtracting); elbows bend with negative
# values; hips negative = thigh forward; knees positive = flex. Shapes follow the usual acting
# references: open and up for joy, collapsed and heavy for sadness, forward and closed for anger,
# recoil and guard for fear, flung open for surprise.
EMOTION_LIBRARY: dict[Emotion, dict[str, dict[str, float]]] = {
    Emotion.joy: {
        "joints": {"spine": -6, "chest": -8, "neck": -4, "head": -10, "l_shoulder": 125, "r_shoulder": -135,
                   "l_elbow": -25, "r_elbow": -30, "l_wrist": -10, "r_wrist": -10, "l_knee": 6, "r_knee": 4,
                   "hair": -20, "tail": 45},
        "face": {"brow_raise": 0.55, "brow_tilt": 0.1, "eye_open": 0.8, "mouth_curve": 1.0, "mouth_open": 0.5},
    },
    Emotion.sadness: {
        "joints": {"spine": 14, "chest": 12, "neck": 12, "head": 22, "l_shoulder": 8, "r_shoulder": -4,
                   "l_elbow": 2, "r_elbow": 4, "l_hip": -4, "r_hip": -4, "l_knee": 12, "r_knee": 12,
                   "hair": 25, "tail": -50},
        "face": {"brow_raise": 0.15, "brow_tilt": 1.0, "eye_open": 0.5, "mouth_curve": -0.9, "mouth_open": 0.0},
    },
    Emotion.anger: {
        "joints": {"spine": 12, "chest": 6, "neck": 4, "head": 10, "l_shoulder": 30, "r_shoulder": -45,
                   "l_elbow": -85, "r_elbow": -95, "l_wrist": -20, "r_wrist": -20, "l_hip": 12, "r_hip": -14,
                   "l_knee": 14, "r_knee": 18, "hair": 10, "tail": 20},
        "face": {"brow_raise": -0.7, "brow_tilt": -1.0, "eye_open": 0.8, "mouth_curve": -0.7, "mouth_open": 0.45},
    },
    Emotion.fear: {
        "joints": {"spine": -12, "chest": -6, "neck": 10, "head": 8, "l_shoulder": -80, "r_shoulder": -95,
                   "l_elbow": -75, "r_elbow": -85, "l_wrist": 20, "r_wrist": 25, "l_hip": -12, "r_hip": -16,
                   "l_knee": 26, "r_knee": 30, "hair": 15, "tail": -70},
        "face": {"brow_raise": 0.8, "brow_tilt": 0.8, "eye_open": 1.45, "mouth_curve": -0.5, "mouth_open": 0.6},
    },
    Emotion.surprise: {
        "joints": {"spine": -10, "chest": -8, "neck": -6, "head": -10, "l_shoulder": 95, "r_shoulder": -105,
                   "l_elbow": -30, "r_elbow": -35, "l_wrist": 25, "r_wrist": 25, "l_knee": 4, "r_knee": 4,
                   "hair": -25, "tail": 60},
        "face": {"brow_raise": 1.0, "brow_tilt": 0.2, "eye_open": 1.55, "mouth_curve": 0.0, "mouth_open": 1.0},
    },
    Emotion.calm: {
        "joints": {"spine": -2, "chest": -2, "neck": 2, "head": 6, "l_shoulder": -4, "r_shoulder": 6,
                   "l_elbow": -20, "r_elbow": -22, "hair": 5, "tail": 10},
        "face": {"brow_raise": 0.1, "brow_tilt": 0.1, "eye_open": 0.6, "mouth_curve": 0.4, "mouth_open": 0.0},
    },
    Emotion.determination: {
        "joints": {"spine": 9, "chest": -5, "neck": -2, "head": -4, "l_shoulder": 12, "r_shoulder": -150,
                   "l_elbow": -45, "r_elbow": -65, "r_wrist": -15, "l_hip": 10, "r_hip": -18, "l_knee": 8,
                   "r_knee": 14, "hair": 12, "tail": 25},
        "face": {"brow_raise": -0.35, "brow_tilt": -0.5, "eye_open": 0.85, "mouth_curve": 0.1, "mouth_open": 0.0},
    },
    Emotion.awe: {
        "joints": {"spine": -12, "chest": -10, "neck": -10, "head": -18, "l_shoulder": 40, "r_shoulder": -55,
                   "l_elbow": -20, "r_elbow": -25, "l_wrist": 15, "r_wrist": 15, "hair": -15, "tail": 15},
        "face": {"brow_raise": 0.7, "brow_tilt": 0.35, "eye_open": 1.3, "mouth_curve": 0.2, "mouth_open": 0.55},
    },
}


def arousal_gain(arousal: float) -> float:
    """How far an emotion pose is pushed from rest: 0.35 at arousal -1, 1.0 at arousal +1."""
    a = float(np.clip(arousal, -1.0, 1.0))
    return 0.35 + 0.65 * (a + 1.0) / 2.0


def emotion_pose_with_gain(rig: Rig, emotion: Emotion, gain: float, root_x: float, facing: int) -> Pose:
    """The rig's pose for `emotion` at `gain` times the library's offsets from rest, clamped to its limits."""
    entry = EMOTION_LIBRARY[Emotion(emotion)]
    pose = rig.rest_pose(root_x=root_x, facing=facing)
    joints = dict(pose.joints)
    for name, offset in entry["joints"].items():
        if name in joints:  # a rig without a tail simply has no tail to wag
            joints[name] = joints[name] + gain * offset
    face = dict(pose.face)
    for name, target in entry["face"].items():
        face[name] = FACE_REST[name] + gain * (target - FACE_REST[name])
    return rig.clamp(pose.model_copy(update={"joints": joints, "face": face}))


def emotion_pose(rig: Rig, emotion: Emotion, arousal: float, root_x: float, facing: int = 1) -> Pose:
    """The rig's pose for a named emotion, exaggerated with arousal and clamped to the joint limits."""
    return emotion_pose_with_gain(rig, emotion, arousal_gain(arousal), root_x, facing)


def pose_distance(a: Pose, b: Pose) -> float:
    """Mean absolute joint-angle difference over the joints both poses set (degrees)."""
    common = sorted(set(a.joints) & set(b.joints))
    if not common:
        return 0.0
    return float(np.mean([abs(a.joints[k] - b.joints[k]) for k in common]))


def blend_poses(a: Pose, b: Pose, t: float) -> Pose:
    """Linear blend of joint/face channels (used to build keys, not to inbetween them)."""
    joints = {k: a.joints[k] + t * (b.joints.get(k, a.joints[k]) - a.joints[k]) for k in a.joints}
    face = {k: a.face[k] + t * (b.face.get(k, a.face[k]) - a.face[k]) for k in a.face}
    face[FACING_KEY] = a.face.get(FACING_KEY, 1.0)
    return a.model_copy(update={"joints": joints, "face": face})


def offset_joints(pose: Pose, **deltas: float) -> Pose:
    """The pose with joint angles moved by `deltas` (joints the rig lacks are skipped)."""
    joints = dict(pose.joints)
    for k, d in deltas.items():
        if k in joints:
            joints[k] += d
    return pose.model_copy(update={"joints": joints, "face": dict(pose.face)})


def emotion_attitude(rig: Rig, emotion: Emotion, gain: float, x: float, facing: int, body: float,
                     arms: float | None = None) -> Pose:
    """Rest legs, the emotion's face, its torso/head attitude at `body` and arm shape at `arms` strength."""
    full = emotion_pose_with_gain(rig, emotion, gain, x, facing)
    rest = rig.rest_pose(x, facing=facing)
    joints = dict(rest.joints)
    arms = body if arms is None else arms
    for k in ("spine", "chest", "neck", "head", "hair", "tail", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow"):
        if k in joints:
            w = arms if k[1:] in ("_shoulder", "_elbow") else body
            joints[k] = rest.joints[k] + w * (full.joints[k] - rest.joints[k])
    return rest.model_copy(update={"joints": joints, "face": dict(full.face)})


def joints_from_rest(rig: Rig, pose: Pose, **offsets: float) -> Pose:
    """The pose with the named joints set to rest + offset (absolute targets, whatever the attitude)."""
    joints = dict(pose.joints)
    for k, d in offsets.items():
        if k in joints:
            joints[k] = rig.joint_map[k].rest + d
    return pose.model_copy(update={"joints": joints, "face": dict(pose.face)})


FRONT_VIEW = 0.5  # view scale of the front-ish drawings (turn keys, model sheet)


def front_view(rig: Rig, pose: Pose, side: float = 1.0) -> Pose:
    """A front-ish drawing of `pose`: the side view squeezed to FRONT_VIEW, limbs splayed apart in
    depth so that, squeezed, they read as left and right of the body (arms out, legs apart)."""
    p = offset_joints(pose, l_shoulder=35, r_shoulder=-35, l_elbow=-10, r_elbow=-10, l_hip=9, r_hip=-9, hair=0)
    p.face[FACING_KEY] = FRONT_VIEW * (1.0 if side >= 0 else -1.0)
    return rig.clamp(p)

