"""Acting gestures: the actions aimed at something (point, reach, pick up, hold, give, throw, strike,
push, pull, look at, gaze up, kick) and the one-shot reactions (shrug).

An aimed action turns the character to its target and puts the hand there by two-bone IK within the
joint limits (`ik.reach_arm`); a target beyond the arm's reach is met by leaning and stepping in,
and what is still missed is left to the pose checks to report. Each is a pose-to-pose sequence with
an anticipation against the action and a follow-through past it (Williams; Thomas & Johnston), on
the emotion layer of `context` (amplitude and tempo from arousal and valence).
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.key_animation.acting.context import Stage, act, base_pose, moved, nudge, seconds, timeline, to_char
from talos_assets.agents.key_animation.ik import arm_length, reach_arm, shoulder_point
from talos_assets.agents.key_animation.rig import forward_kinematics
from talos_assets.spec import KeyPose, Pose


def aim_point(st: Stage, pose: Pose, default: tuple[float, float] = (0.6, 0.0)) -> np.ndarray:
    """The target in the pose's character space; the sky is up ahead, the ground at the feet ahead.

    With no target, `default` is (distance ahead in arm lengths, height above the shoulder in arm lengths).
    """
    s = shoulder_point(st.rig, pose)
    arm = arm_length(st.rig)
    if st.target is not None:
        return to_char(st, pose, st.target)
    if st.target_name == "sky":
        return s + np.array([0.5, 1.5]) * arm
    if st.target_name == "ground":
        return np.array([s[0] + 0.8 * arm, 0.0])
    return s + np.array(default) * arm


def look(st: Stage, pose: Pose, point: np.ndarray) -> Pose:
    """Head and neck turned toward a point (up is negative, Williams' 'lead with the eyes')."""
    bones = forward_kinematics(st.rig, pose)
    if "head" not in bones:
        return pose
    eye = bones["head"].to_world(np.array([0.5]), np.zeros(1))[0]
    d = point - eye
    elev = float(np.degrees(np.arctan2(d[1], max(abs(d[0]), 1e-6))))  # + above the eye line
    return nudge(st, pose, neck=-0.35 * elev, head=-0.55 * elev)


def _lowered(st: Stage, pose: Pose) -> list[Pose]:
    """Ways down to a low target, least first: a squat, then one knee (a tall partner kneels to a small one)."""
    from talos_assets.agents.key_animation.acting.postures import crouched, kneeling

    return [crouched(st, pose, 0.6), crouched(st, pose, 1.0), kneeling(st, pose)]


def hand_to(st: Stage, pose: Pose, point: np.ndarray, side: str = "r", lean: bool = True) -> Pose:
    """The hand on `point`; out of reach, lean in (spine, chest), then squat or kneel, and try again."""
    r = reach_arm(st.rig, pose, side, point)
    if r.miss < 0.01 or not lean:
        return r.pose
    best = r
    d = point - shoulder_point(st.rig, pose, side)
    sign = 1.0 if d[1] < 0 or d[0] > 0 else -1.0
    low = point[1] < 0.5 * shoulder_point(st.rig, pose, side)[1]
    bases = [pose] + (_lowered(st, pose) if low else [])
    for base in bases:
        for bend in (0, 10, 20, 30):
            leaned = nudge(st, base, spine=sign * bend * 0.6, chest=sign * bend * 0.4)
            r = reach_arm(st.rig, leaned, side, point)
            if r.miss < best.miss - 1e-6:
                best = r
            if r.miss < 0.01:
                return r.pose
    return best.pose


def step_in(st: Stage, pose: Pose, point: np.ndarray, reach_frac: float = 0.9) -> Pose:
    """Move the mark toward a point too far for the arm (frame x), so the hand can get there."""
    s = shoulder_point(st.rig, pose)
    arm = arm_length(st.rig)
    gap = abs(point[0] - s[0]) - reach_frac * arm
    if gap <= 0:
        return pose
    dx = st.facing * gap * st.char_h / st.aspect
    return moved(pose, dx)


def point(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.0)
    t = aim_point(st, b, (0.9, 0.15))
    s = shoulder_point(st.rig, b)
    d = (t - s) / max(float(np.linalg.norm(t - s)), 1e-6)
    ext = look(st, hand_to(st, b, s + 0.98 * arm_length(st.rig) * d, lean=False), t)
    antic = act(st, b, r_shoulder=20, r_elbow=-80, spine=-4)
    over = nudge(st, ext, spine=4, chest=3)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.35), antic, "ease-in"), (seconds(st, 0.7), over, "ease-out"),
                         (seconds(st, 1.0), ext, "ease-in-out")])


def _extended(st: Stage, b: Pose) -> Pose:
    """The reaching extreme: a step in if the target is beyond the arm, the hand on it, eyes on it."""
    b2 = step_in(st, b, aim_point(st, b, (0.95, -0.05)))
    t = aim_point(st, b2, (0.95, -0.05))
    if t[1] < 0.5 * shoulder_point(st.rig, b2)[1]:
        b2 = _bent(st, b2)  # a low target: bend at the hips and knees first, as for a pick-up
    return look(st, hand_to(st, act(st, b2, l_hip=14, r_hip=-18, r_knee=10), t), t)


def _bent(st: Stage, b: Pose) -> Pose:
    # A lifting squat (knees deep, back leaning) rather than a fold at the waist.
    return act(st, b, scaled=False, spine=30, chest=8, neck=-4, head=-4, l_hip=-80, r_hip=-88, l_knee=125, r_knee=132,
               l_ankle=-38, r_ankle=-38)


def reach(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    ext = _extended(st, b)
    antic = act(st, b, r_shoulder=25, r_elbow=-70, spine=-6)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.4), antic, "ease-in"), (seconds(st, 0.9), ext, "ease-out"),
                         (seconds(st, 1.3), ext, "ease-in-out")])


def take(st: Stage) -> list[KeyPose]:
    """The receiving side of a give: the hand meets the giver's on the same beat, then draws the prop in."""
    b = base_pose(st, arms=0.1)
    ext = _extended(st, b)
    after = holding(st, b)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.5), nudge(st, b, spine=-3), "ease-in"),
                         (seconds(st, 1.1), ext, "ease-out"), (seconds(st, 1.8), ext, "ease-in-out"),
                         (seconds(st, 2.4), after, "ease-in-out")])


def _ground_target(st: Stage, pose: Pose) -> np.ndarray:
    if st.target is not None:
        t = to_char(st, pose, st.target)
        return np.array([t[0], max(0.08, min(t[1], 0.15))])
    return np.array([0.25, 0.1])  # the handle of something on the floor ahead


def holding(st: Stage, pose: Pose, both: bool = False) -> Pose:
    """The hand (or both) in front of the waist, forearm level: how a prop is held or carried."""
    s = shoulder_point(st.rig, pose)
    arm = arm_length(st.rig)
    p = hand_to(st, pose, s + np.array([0.55 * arm, -0.55 * arm]), "r", lean=False)
    if both:
        p = hand_to(st, p, s + np.array([0.5 * arm, -0.5 * arm]), "l", lean=False)
    return p


def pick_up(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    bend = _bent(st, b)
    t = _ground_target(st, bend)
    grab = hand_to(st, bend, t)
    up = holding(st, b)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.7), grab, "ease-out"), (seconds(st, 1.0), grab, "ease-in"),
                         (seconds(st, 1.6), nudge(st, up, spine=-4), "ease-out"), (seconds(st, 2.0), up, "ease-in-out")])


def hold(st: Stage) -> list[KeyPose]:
    if st.body_part is not None:  # "holds her head", "clutches his chest": the hands on it
        base = base_pose(st, arms=0.1)
        bowed = nudge(st, base, head=8, neck=4, spine=4)
        at = own_point(st, bowed, st.body_part)
        on = hand_to(st, hand_to(st, bowed, at, "r", lean=False), at + np.array([-0.02, 0.02]), "l", lean=False)
        return timeline(st, [(0, base, "ease-in-out"), (seconds(st, 0.6), on, "ease-out")])
    b = holding(st, base_pose(st, arms=0.1))
    look_down = nudge(st, b, head=10, neck=5)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 1.2), look_down, "ease-in-out"), (seconds(st, 2.4), b, "ease-in-out")])


def give(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    near = holding(st, b)
    t = aim_point(st, b, (0.85, -0.3))
    offer = look(st, hand_to(st, act(st, b, spine=8, r_hip=-12, l_hip=8), t), t)
    after = holding(st, nudge(st, b, spine=3))
    return timeline(st, [(0, near, "ease-in-out"), (seconds(st, 0.5), nudge(st, near, spine=-4), "ease-in"),
                         (seconds(st, 1.1), offer, "ease-out"), (seconds(st, 1.8), offer, "ease-in-out"),
                         (seconds(st, 2.4), after, "ease-in-out")])


def throw(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    wind = act(st, b, r_shoulder=100, r_elbow=-100, l_shoulder=-85, spine=-12, chest=-8, r_hip=12, l_hip=-22, l_knee=8)
    t = aim_point(st, b, (1.0, 0.4))
    s = shoulder_point(st.rig, b)
    d = (t - s) / max(float(np.linalg.norm(t - s)), 1e-6)
    release = hand_to(st, act(st, b, spine=14, chest=8, l_shoulder=40, r_hip=-30, l_hip=14, r_knee=12),
                      s + 0.95 * arm_length(st.rig) * d, lean=False)
    follow = act(st, b, r_shoulder=-25, r_elbow=-20, spine=26, chest=12, head=6, r_hip=-30, l_hip=20, l_knee=25)
    dx = st.facing * 0.03 * st.amp
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.5), wind, "ease-in"), (seconds(st, 0.7), moved(release, dx), "linear"),
                         (seconds(st, 0.95), moved(follow, dx), "ease-out"), (seconds(st, 1.6), moved(b, dx), "ease-in-out")])


def own_point(st: Stage, pose: Pose, part: str) -> np.ndarray:
    """A point just in front of the actor's own joint `part` in `pose` (character space): where a fist
    lands on one's chest or a hand rests on one's head."""
    bones = forward_kinematics(st.rig, pose)
    bone = bones.get(part) or bones.get("chest")
    if bone is None:
        return shoulder_point(st.rig, pose)
    return bone.to_world(np.array([0.45]), np.zeros(1))[0] + np.array([0.08, 0.0])


def strike(st: Stage) -> list[KeyPose]:
    if st.body_part is not None:
        return _strike_self(st)
    b = base_pose(st, arms=0.3)
    antic = act(st, b, r_shoulder=60, r_elbow=-120, spine=-8, l_shoulder=-25, l_elbow=-45)
    t = aim_point(st, b, (1.0, -0.1))
    hit = look(st, hand_to(st, act(st, b, spine=14, chest=8, r_hip=-28, l_hip=18, r_knee=14), t), t)
    recoil = nudge(st, hit, spine=-6, r_elbow=-30)
    # the wind-up settles at the top, then the blow accelerates into the impact over a quarter second (a
    # snap from the top straight to full speed read as 0.22 figure heights/frame^3 of jerk in Echo)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.4), antic, "ease-in-out"), (seconds(st, 0.65), hit, "ease-in"),
                         (seconds(st, 0.9), recoil, "ease-in-out"), (seconds(st, 1.4), b, "ease-in-out")])


def _strike_self(st: Stage) -> list[KeyPose]:
    """ "Talos strikes his chest": the fist drawn back a little, brought onto his own chest (the head
    bowing to it), a second hit, then the fist held there."""
    b = base_pose(st, arms=0.1)
    proud = act(st, b, spine=-6, chest=-4)
    on = own_point(st, proud, st.body_part)
    antic = nudge(st, hand_to(st, proud, on + np.array([0.2, 0.1]), lean=False), head=-4)  # the fist out, chin up
    hit = nudge(st, hand_to(st, proud, on, lean=False), head=5, neck=2)
    rebound = nudge(st, hit, r_shoulder=14, r_elbow=-12)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.45), antic, "ease-in-out"), (seconds(st, 0.75), hit, "ease-out"),
                         (seconds(st, 0.95), rebound, "ease-in-out"), (seconds(st, 1.15), hit, "ease-in-out"),
                         (seconds(st, 1.9), nudge(st, hit, head=-6, neck=-3), "ease-in-out")])


def push(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    antic = act(st, b, r_shoulder=-30, r_elbow=-120, l_shoulder=-30, l_elbow=-120, spine=-4, l_knee=15, r_knee=15)
    t = aim_point(st, b, (0.85, -0.1))
    lean = act(st, b, scaled=False, spine=20, chest=8, r_hip=-30, l_hip=20, r_knee=15)
    shove = hand_to(st, hand_to(st, lean, t, "r"), t + np.array([0.0, 0.04]), "l")
    dx = st.facing * 0.03 * st.amp
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.4), antic, "ease-in"), (seconds(st, 0.65), moved(shove, dx), "ease-out"),
                         (seconds(st, 1.3), moved(nudge(st, shove, spine=-4), dx), "ease-in-out")])


def pull(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    t = aim_point(st, b, (0.9, -0.25))
    grip = hand_to(st, hand_to(st, act(st, b, spine=14, r_hip=-20), t, "r"), t + np.array([-0.03, 0.02]), "l")
    heave = act(st, b, scaled=False, spine=-18, chest=-6, r_hip=-35, l_hip=12, r_knee=10, l_knee=25)
    heave = hand_to(st, hand_to(st, heave, t - np.array([0.12, 0.0]), "r", lean=False), t - np.array([0.15, -0.02]), "l", lean=False)
    dx = -st.facing * 0.03 * st.amp
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.5), grip, "ease-out"), (seconds(st, 1.1), moved(heave, dx), "ease-in-out"),
                         (seconds(st, 1.6), moved(nudge(st, heave, spine=-4), 1.5 * dx), "ease-in-out")])


def look_at(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    t = aim_point(st, b, (2.0, 0.0))
    glance = look(st, b, t)
    lead = nudge(st, glance, head=-3)  # the head overshoots a little and settles
    blink = moved(glance, eye_open=0.1)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.4), lead, "ease-out"), (seconds(st, 0.6), glance, "ease-in-out"),
                         (seconds(st, 1.6), blink, "ease-in-out"), (seconds(st, 1.75), glance, "ease-in-out")])


def gaze_up(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    k = 0.4 if st.hold is not None else 1.0  # seated or kneeling the neck does the looking, the back leans less
    up = act(st, b, scaled=False, spine=-6 * k, chest=-10 * k, neck=-25, head=-35,
             face={"eye_open": 1.3, "brow_raise": 0.6, "mouth_open": 0.3})
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.9), up, "ease-out"), (seconds(st, 2.0), nudge(st, up, head=-4), "ease-in-out")])


def shrug(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.1)
    up = act(st, b, r_shoulder=-25, r_elbow=-95, l_shoulder=25, l_elbow=-95, r_wrist=30, chest=-4, head=10,
             face={"brow_raise": 0.8, "mouth_curve": -0.3, "eye_open": 0.9})
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.35), nudge(st, b, l_knee=8, r_knee=8), "ease-in"),
                         (seconds(st, 0.7), up, "ease-out"), (seconds(st, 1.3), up, "ease-in-out"), (seconds(st, 1.8), b, "ease-in-out")])


def kick(st: Stage) -> list[KeyPose]:
    b = base_pose(st, arms=0.3)
    chamber = act(st, b, scaled=False, r_hip=-75, r_knee=95, spine=-6, r_shoulder=40, l_shoulder=-60)
    ext = act(st, b, r_hip=-95, r_knee=4, r_ankle=25, spine=-14, chest=-6, r_shoulder=60, l_shoulder=-80)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.4), chamber, "ease-in"), (seconds(st, 0.55), ext, "ease-out"),
                         (seconds(st, 0.8), chamber, "ease-in-out"), (seconds(st, 1.2), b, "ease-in-out")])
