"""Acting cycles: the rhythmic actions (nod, shake head, laugh, cry, tremble, celebrate, clap, talk,
dance, fight, hammer) and the walk variants (sneak, carry).

A cycle is two to four key poses repeated on a period set by the emotion's tempo (a sad nod is
slow, an excited clap fast) with an amplitude set by its arousal and valence, entered from the
attitude and left to a settle (Williams' cycles; Thomas & Johnston's secondary action). A walk
variant is the walk of `actions` with the upper body of another action laid over its keys.
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.key_animation.acting.context import (
    Stage,
    act,
    base_pose,
    cycle,
    moved,
    nudge,
    seconds,
    timeline,
    to_frame,
)
from talos_assets.agents.key_animation.acting.gestures import aim_point, hand_to, holding, look
from talos_assets.agents.key_animation.acting.postures import crouched
from talos_assets.agents.key_animation.ik import arm_length, shoulder_point
from talos_assets.agents.key_animation.rig import FACING_KEY, forward_kinematics
from talos_assets.spec import KeyPose, Pose

_ARMS = ("l_shoulder", "l_elbow", "l_wrist", "r_shoulder", "r_elbow", "r_wrist")


def _looped(st: Stage, b: Pose, poses: list[Pose], period_s: float, lead_s: float = 0.3, settle_s: float = 0.5) -> list[KeyPose]:
    start, stop = seconds(st, lead_s), st.last - seconds(st, settle_s)
    beats = [(0, b, "ease-in-out")] + cycle(st, start, poses, seconds(st, period_s), max(start, stop))
    return timeline(st, beats + [(st.last, b, "ease-in-out")], breathe=False)


def nod(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    down = nudge(st, b, neck=8 * st.amp, head=16 * st.amp)
    up = nudge(st, b, head=-4 * st.amp)
    return _looped(st, b, [down, up], 0.55)


def shake_head(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    # In profile a head shake reads as the face turning toward and away from camera.
    a, c = moved(nudge(st, b, head=4), **{FACING_KEY: 0.55 * st.facing}), moved(nudge(st, b, head=-2))
    return _looped(st, b, [a, c], 0.5)


def _hands_at(st: Stage, pose: Pose, where: str, spread: float = 0.0) -> Pose:
    """Both hands on a body landmark ('belly', 'face', 'chest') of the pose."""
    bones = forward_kinematics(st.rig, pose)
    bone, along, across = {"belly": ("spine", 0.5, 0.12), "chest": ("chest", 0.6, 0.16),
                           "face": ("head", 0.35, 0.12)}[where]
    if bone not in bones:
        return pose
    p = bones[bone].to_world(np.array([along]), np.array([across]))[0]
    out = hand_to(st, pose, p, "r", lean=False)
    return hand_to(st, out, p + np.array([-spread, 0.02]), "l", lean=False)


def laugh(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    face = {"mouth_open": 0.9, "mouth_curve": 1.0, "eye_open": 0.25, "brow_raise": 0.5}
    back = _hands_at(st, act(st, b, spine=-10, chest=-8, head=-18, face=face), "belly")
    fwd = _hands_at(st, act(st, b, spine=16, chest=8, head=8, l_knee=10, r_knee=10, face={**face, "mouth_open": 0.5}), "belly")
    return _looped(st, b, [_pinned(st, back, b), _pinned(st, fwd, b)], 0.45)


def cry(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    face = {"brow_tilt": 1.0, "eye_open": 0.15, "mouth_curve": -1.0, "mouth_open": 0.35}
    bowed = act(st, b, scaled=False, spine=16, chest=10, neck=12, head=22, face=face)
    sob_a = _hands_at(st, bowed, "face", 0.03)
    sob_b = _hands_at(st, nudge(st, bowed, chest=-5, spine=-3, head=-4), "face", 0.03)
    return _looped(st, b, [sob_a, sob_b], 0.6, lead_s=0.6)


def tremble(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    face = {"brow_raise": 0.8, "brow_tilt": 0.9, "eye_open": 1.4, "mouth_open": 0.3, "mouth_curve": -0.5}
    huddle = _hands_at(st, act(st, b, scaled=False, spine=10, neck=8, head=8, l_knee=20, r_knee=22, l_hip=-8, r_hip=-10,
                               face=face), "chest", 0.02)
    a = nudge(st, huddle, chest=2.5, l_knee=3, head=-2)
    c = nudge(st, huddle, chest=-2.5, r_knee=3, head=2)
    beats = [(0, b, "ease-in-out"), (seconds(st, 0.3), huddle, "ease-out")]
    beats += cycle(st, seconds(st, 0.3) + 2, [a, c], 4, st.last, "linear")  # a shiver on twos
    return timeline(st, beats, breathe=False)


def celebrate(st: Stage) -> list[KeyPose]:
    b = base_pose(st, body=0.4)
    face = {"mouth_open": 0.8, "mouth_curve": 1.0, "eye_open": 0.5, "brow_raise": 0.6}
    up = act(st, b, r_shoulder=-165, r_elbow=-30, l_shoulder=165, l_elbow=-30, spine=-8, head=-10, face=face)
    hop = moved(act(st, up, scaled=False, l_ankle=25, r_ankle=25), 0.0, -0.16 * st.char_h * st.amp)
    dip = act(st, crouched(st, up, 0.5), r_elbow=-110, l_elbow=-110, face=face)
    return _looped(st, b, [dip, hop], 0.7)


def clap(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    s = shoulder_point(st.rig, b)
    arm = arm_length(st.rig)
    mid = s + np.array([0.55 * arm, -0.3 * arm])
    together = hand_to(st, hand_to(st, b, mid, "r", lean=False), mid, "l", lean=False)
    w = 0.25 * arm * st.amp
    apart = hand_to(st, hand_to(st, b, mid + np.array([w, -0.3 * w]), "r", lean=False), mid - np.array([0.4 * w, -0.6 * w]),
                    "l", lean=False)
    return _looped(st, b, [apart, together], 0.4)


def talk(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    s = shoulder_point(st.rig, b)
    arm = arm_length(st.rig)
    a = hand_to(st, b, s + np.array([0.55, -0.45]) * arm, "r", lean=False)
    a.face.update(mouth_open=0.5)
    c = nudge(st, hand_to(st, b, s + np.array([0.7, -0.25]) * arm * st.amp, "r", lean=False), head=4)
    c.face.update(mouth_open=0.15)
    return _looped(st, b, [a, c], 0.8)


def dance(st: Stage) -> list[KeyPose]:
    b = base_pose(st, body=0.4)
    face = {"mouth_curve": 1.0, "mouth_open": 0.4, "eye_open": 0.7}
    k = st.amp
    sway_a = act(st, b, spine=-8 * k, chest=-6, head=-8, r_shoulder=-150, r_elbow=-40, l_shoulder=60, l_elbow=-60,
                 r_hip=-25, r_knee=30, face=face)
    down_a = moved(crouched(st, sway_a, 0.35), 0.0, 0.0)
    sway_b = act(st, b, spine=10 * k, chest=4, head=6, l_shoulder=150, l_elbow=-40, r_shoulder=-40, r_elbow=-90,
                 l_hip=-25, l_knee=30, face=face)
    up_b = moved(act(st, sway_b, scaled=False, l_ankle=20, r_ankle=20), 0.0, -0.05 * st.char_h * k)
    # the standing foot stays where it stands: the body moves over it, not the foot under the body
    keys = [_pinned(st, sway_a, b, "l_ankle"), _pinned(st, down_a, b, "l_ankle"), _pinned(st, sway_b, b, "r_ankle"),
            _pinned(st, up_b, b, "r_ankle")]
    return _looped(st, b, keys, 1.6, lead_s=0.5)


def _pinned(st: Stage, pose: Pose, rest: Pose, *feet: str) -> Pose:
    """`pose` moved on the stage so that its `feet` (both by default) stand where they stand in `rest`:
    bent knees or a lifted leg move the body over the standing foot, not the foot along the ground."""
    feet = feet or ("l_ankle", "r_ankle")

    def at(p: Pose) -> float:
        bones = forward_kinematics(st.rig, p)
        xs = [to_frame(st, p, bones[f].to_world(np.array([0.0]), np.zeros(1))[0])[0] for f in feet if f in bones]
        return float(np.mean(xs)) if xs else p.root_x

    return moved(pose, at(rest) - at(pose))


def fight(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.0)
    guard = act(st, b, scaled=False, r_shoulder=-50, r_elbow=-120, l_shoulder=-40, l_elbow=-125, spine=10, head=6,
                r_hip=-22, l_hip=14, l_knee=18, r_knee=16)
    t = aim_point(st, guard, (1.0, -0.05))
    jab = look(st, hand_to(st, nudge(st, guard, spine=8), t, "r"), t)
    cross = look(st, hand_to(st, nudge(st, guard, spine=12, chest=6), t + np.array([0.0, 0.03]), "l"), t)
    return _looped(st, b, [guard, jab, guard, cross], 1.3, lead_s=0.3)


def hammer(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    raised = act(st, b, scaled=False, r_shoulder=-165, r_elbow=-70, spine=-6, chest=-4, l_shoulder=-40, l_elbow=-60)
    s = shoulder_point(st.rig, b)
    arm = arm_length(st.rig)
    t = aim_point(st, b, (0.8, -0.9))
    if st.target is None:
        t = np.array([s[0] + 0.8 * arm, max(0.08, s[1] - 0.9 * arm)])
    blow = look(st, hand_to(st, act(st, b, spine=18, chest=8, l_knee=10, r_knee=10), t, "r"), t)
    return _looped(st, b, [raised, blow], 0.9, lead_s=0.3)


def with_upper_body(st: Stage, keys: list[KeyPose], upper: Pose, joints: tuple[str, ...] = _ARMS) -> list[KeyPose]:
    """Walk keys with the arms (or other joints) of `upper` laid over them (a carry, a sneak's hands)."""
    out = []
    for k in keys:
        j = dict(k.pose.joints)
        for name in joints:
            if name in upper.joints:
                j[name] = upper.joints[name]
        out.append(k.model_copy(update={"pose": st.rig.clamp(k.pose.model_copy(update={"joints": j}))}))
    return out


def carry_pose(st: Stage) -> Pose:
    return holding(st, base_pose(st, arms=0.1), both=True)


def sneak_pose(st: Stage) -> Pose:
    b = base_pose(st, arms=0.1)
    return act(st, b, scaled=False, r_shoulder=-55, r_elbow=-95, l_shoulder=-40, l_elbow=-100, spine=18, neck=-6,
               head=-8, face={"eye_open": 1.2, "mouth_open": 0.0})
