"""Acting postures: the whole-body shapes (seated, kneeling, lying, crouched, airborne) and the actions
that move between them (stand, sit, sit down, stand up, kneel, lie down, sleep, jump, climb, bow,
stumble, pray).

The shapes are solved on the rig, not drawn by hand per character: a seat puts the thighs level and
the shins upright (or, on the floor, the feet forward by two-bone leg IK), a kneel puts the front
foot flat and the back knee on the same ground line (one-bone IK on the back thigh), lying turns the
whole body onto its back. The ground contact comes from the rig's kinematics, which rests the lowest
point of the body on the ground line. Transitions follow Williams' sit-down and stand-up: the weight
goes forward over the feet before the hips leave or reach the seat.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from talos_assets.agents.key_animation.acting.context import (
    Stage,
    act,
    base_pose,
    cycle,
    moved,
    nudge,
    seconds,
    tilted,
    timeline,
)
from talos_assets.agents.key_animation.ik import LEG_CHAINS, bones_of, reach_arm, solve_chain
from talos_assets.agents.key_animation.rig import forward_kinematics
from talos_assets.spec import KeyPose, Pose


MAX_RUNGS = 5  # a climb goes up this many rungs, then holds on
CLIMBABLE = ("ladder", "tree", "rock", "fence", "house", "ship", "boat")


def _wrap(rig, joint: str, rel: float) -> float:
    j = rig.joint_map[joint]
    for k in (0, 360, -360, 720, -720):
        if j.min <= rel + k <= j.max:
            return rel + k
    return float(np.clip(rel, j.min, j.max))


def _set(st: Stage, pose: Pose, **angles: float) -> Pose:
    """The pose with joints set to absolute relative angles (wrapped into the limits)."""
    joints = dict(pose.joints)
    for k, v in angles.items():
        if k in st.rig.joint_map:
            joints[k] = _wrap(st.rig, k, v)
    return st.rig.clamp(pose.model_copy(update={"joints": joints, "face": dict(pose.face)}))


def _hands_on_knees(st: Stage, pose: Pose) -> Pose:
    bones = forward_kinematics(st.rig, pose)
    for side in ("r", "l"):
        knee = f"{side}_knee"
        if knee in bones:
            pose = reach_arm(st.rig, pose, side, bones[knee].start + np.array([-0.02, 0.04])).pose
    return pose


def seated(st: Stage, pose: Pose) -> Pose:
    """On a seat (thighs level, shins upright) when the shot has one, else on the floor, knees up."""
    if st.seat:
        p = act(st, pose, scaled=False, l_hip=-88, r_hip=-84, l_knee=86, r_knee=84, l_ankle=0, r_ankle=0)
        return _hands_on_knees(st, nudge(st, p, spine=-4))
    # On the floor: the pelvis rolls back and the torso comes upright over it; the feet come
    # forward to the hips' level by leg IK, which bends the knees up.
    p = act(st, pose, scaled=False, pelvis=-28, spine=16, chest=10, l_hip=-80, r_hip=-76)
    bones = bones_of(st.rig, p, planted=False)
    for side, fwd in (("r", 0.78), ("l", 0.7)):
        hip = f"{side}_hip"
        if hip not in bones:
            continue
        leg = st.rig.joint_map[hip].length + st.rig.joint_map[f"{side}_knee"].length
        start = bones[hip].start
        p = solve_chain(st.rig, p, LEG_CHAINS[side], start + np.array([fwd * leg, -0.02]), planted=False).pose
    p = _set(st, p, l_ankle=-55, r_ankle=-55)
    return _hands_on_knees(st, p)


def _back_leg_down(st: Stage, p: Pose, side: str, floor: float) -> Pose:
    """Put the `side` knee on the ground line `floor` (unplanted y), shin back along it, toes down."""
    rig = st.rig
    hip, knee, ankle = f"{side}_hip", f"{side}_knee", f"{side}_ankle"
    if hip not in rig.joint_map:
        return p
    bones = bones_of(rig, p, planted=False)
    hj, pelvis_w = bones[hip].start, bones[hip].angle - p.joints[hip]
    length = rig.joint_map[hip].length
    c = float(np.clip((floor - hj[1]) / length, -1.0, 1.0))
    # The thigh under the hip, forward of straight down; if the knee cannot fold that far, behind it.
    for thigh_w in (math.degrees(math.acos(c)), 360.0 - math.degrees(math.acos(c))):
        q = _set(st, p, **{hip: thigh_w - pelvis_w})
        done = _shin_back(st, q, knee, ankle, thigh_w)
        if done is not None:
            return done
    return _set(st, q, **{knee: -80.0 - thigh_w + 360.0})


def _shin_back(st: Stage, p: Pose, knee: str, ankle: str, thigh_w: float) -> Pose | None:
    """Shin back along the ground, toes down, the toes not below the knee (it carries the weight);
    a short-shinned rig lifts its shin a little more. None when the knee's limits forbid it."""
    rig = st.rig
    for shin_w in (-80.0, -75.0, -70.0, -65.0, -60.0, -55.0, -50.0):
        rel = (shin_w - thigh_w) % 360.0
        if not rig.joint_map[knee].min <= rel <= rig.joint_map[knee].max:
            continue
        q = _set(st, p, **{knee: rel})
        best = None
        for a in np.linspace(rig.joint_map[ankle].max, rig.joint_map[ankle].min, 17):
            r = _set(st, q, **{ankle: float(a)})
            b = bones_of(rig, r, planted=False)
            if b[ankle].to_world(np.array([1.0]), np.zeros(1))[0][1] < b[knee].start[1] - 0.004:
                break
            best = r
        if best is not None:
            return best
    return None


def kneeling(st: Stage, pose: Pose, both: bool = False) -> Pose:
    """On one knee (the far one; the near foot flat, shin upright) or, `both`, on both knees."""
    rig = st.rig
    if both:
        p = act(st, pose, scaled=False, spine=0, chest=0)
        bones = bones_of(rig, p, planted=False)
        floor = min(bones[h].start[1] for h in ("l_hip", "r_hip") if h in bones) - min(
            rig.joint_map[h].length for h in ("l_hip", "r_hip") if h in rig.joint_map)
        for side in ("l", "r"):
            p = _back_leg_down(st, p, side, floor)
        return p
    # The pelvis rolls back so the front thigh comes level and the hips get low enough for the
    # back knee to reach the ground; spine and chest bring the torso upright again.
    p = act(st, pose, scaled=False, pelvis=-12, spine=9, chest=4)
    p = _set(st, p, r_hip=102.0, r_knee=72.0)
    p = _set(st, p, r_ankle=90.0 - (p.joints["pelvis"] + p.joints["r_hip"] + p.joints["r_knee"]) if "r_ankle" in rig.joint_map else 0.0)
    bones = bones_of(rig, p, planted=False)
    sole = min(float(bones["r_ankle"].start[1]), float(bones["r_ankle"].to_world(np.array([1.0]), np.zeros(1))[0][1]))
    return _back_leg_down(st, p, "l", sole)


def lying(st: Stage, pose: Pose, asleep: bool = False) -> Pose:
    """On the back on the ground: the body turned -90 degrees, straight, arms along it."""
    p = act(st, pose, scaled=False, pelvis=0, spine=0, chest=0, neck=-5, head=-10, l_hip=0, r_hip=-4,
            l_knee=0, r_knee=18 if asleep else 0, l_shoulder=-10, r_shoulder=10, l_elbow=12, r_elbow=14)
    p = tilted(p, -90.0)
    if asleep:
        p.face.update(eye_open=0.0, mouth_open=0.0, mouth_curve=0.2, brow_raise=0.0, brow_tilt=0.0)
    return p


def crouched(st: Stage, pose: Pose, depth: float = 1.0) -> Pose:
    """Knees bent, hips back, feet flat: the anticipation of a jump or a landing."""
    return act(st, pose, scaled=False, l_hip=-45 * depth, r_hip=-48 * depth, l_knee=80 * depth, r_knee=84 * depth,
               l_ankle=-36 * depth, r_ankle=-36 * depth, spine=14 * depth, chest=6 * depth)


# ---- actions ----------------------------------------------------------------------------------


def stand(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    shift = nudge(st, b, l_hip=-4, r_hip=3, l_knee=6, spine=-2)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 1.2), shift, "ease-in-out"),
                         (seconds(st, 2.4), b, "ease-in-out")])


def sit(st: Stage) -> list[KeyPose]:
    s = seated(st, base_pose(st))
    lean = nudge(st, s, spine=4 * st.amp, head=6)
    return timeline(st, [(0, s, "ease-in-out"), (seconds(st, 1.5), lean, "ease-in-out"), (seconds(st, 3.0), s, "ease-in-out")])


def sit_down(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    antic = act(st, b, spine=12, chest=6, r_shoulder=-40, l_shoulder=-30)  # weight forward over the feet
    lower = act(st, b, scaled=False, spine=30, chest=10, l_hip=-55, r_hip=-55, l_knee=60, r_knee=60, l_ankle=-20,
                r_ankle=-20, r_shoulder=-60, l_shoulder=-50)
    s = seated(st, b)
    over = nudge(st, s, spine=6, head=6)  # the body settles a little past the seat and back
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.4), antic, "ease-in"), (seconds(st, 0.9), lower, "ease-out"),
                         (seconds(st, 1.4), over, "ease-out"), (seconds(st, 1.8), s, "ease-in-out")])


def stand_up(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    s = seated(st, b)
    forward = nudge(st, s, spine=28, chest=12, head=-6)  # nose over the toes before the hips lift
    rise = act(st, b, scaled=False, spine=24, chest=8, l_hip=-45, r_hip=-45, l_knee=50, r_knee=50, l_ankle=-15,
               r_ankle=-15, r_shoulder=-50, l_shoulder=-40)
    over = nudge(st, b, spine=-5, chest=-4, head=-4)
    return timeline(st, [(0, s, "ease-in-out"), (seconds(st, 0.5), forward, "ease-in"), (seconds(st, 1.0), rise, "linear"),
                         (seconds(st, 1.4), over, "ease-out"), (seconds(st, 1.8), b, "ease-in-out")])


def kneel(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    k = kneeling(st, b)
    half = act(st, b, scaled=False, r_hip=-50, r_knee=45, l_hip=-10, l_knee=60, spine=10)
    bowed = nudge(st, k, spine=10, head=10)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.6), half, "ease-in"), (seconds(st, 1.1), bowed, "ease-out"),
                         (seconds(st, 1.6), k, "ease-in-out")])


def lie_down(st: Stage, asleep: bool = False) -> list[KeyPose]:
    b = base_pose(st)
    k = kneeling(st, b)
    s = seated(replace(st, seat=False), b)  # down onto the floor, whatever seat stands near
    lie = lying(st, b, asleep)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.6), k, "ease-in-out"), (seconds(st, 1.2), s, "ease-in-out"),
                         (seconds(st, 2.0), lie, "ease-out")])


def sleep(st: Stage) -> list[KeyPose]:
    lie = lying(st, base_pose(st), asleep=True)
    breath = nudge(st, lie, chest=-4, spine=-2)
    beats = cycle(st, 0, [lie, breath], seconds(st, 3.0))
    return timeline(st, beats, breathe=False)


def pray(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    k = kneeling(st, b, both=True)
    k = act(st, k, scaled=False, neck=12, head=18, face={"eye_open": 0.0, "mouth_open": 0.0})
    bones = forward_kinematics(st.rig, k)
    chest = bones["chest"].to_world(np.array([0.85]), np.array([0.16]))[0] if "chest" in bones else np.zeros(2)
    for side in ("r", "l"):
        k = reach_arm(st.rig, k, side, chest).pose  # palms together before the chest
    half = act(st, b, scaled=False, l_hip=-40, r_hip=-40, l_knee=70, r_knee=70, spine=10)
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.7), half, "ease-in"), (seconds(st, 1.4), k, "ease-out"),
                         (seconds(st, 2.6), nudge(st, k, head=6), "ease-in-out")])


def jump(st: Stage) -> list[KeyPose]:
    b = base_pose(st, body=0.4)
    lift = 0.32 * st.char_h * st.amp
    crouch = act(st, crouched(st, b), r_shoulder=60, l_shoulder=60)  # arms back: the wind-up
    launch = act(st, b, scaled=False, l_ankle=30, r_ankle=30, spine=-6, r_shoulder=-160, l_shoulder=160)
    apex = act(st, b, scaled=False, l_hip=-55, r_hip=-40, l_knee=75, r_knee=60, r_shoulder=-165, l_shoulder=165,
               r_elbow=-20, l_elbow=-20, hair=25, tail=30)
    land = act(st, crouched(st, b, 0.8), r_shoulder=-40, l_shoulder=-30)
    dx = st.facing * 0.04 * st.amp
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.45), crouch, "ease-in"),
                         (seconds(st, 0.6), moved(launch, 0.3 * dx, -0.45 * lift), "ease-out"),
                         (seconds(st, 0.85), moved(apex, 0.6 * dx, -lift), "ease-in"),
                         (seconds(st, 1.1), moved(land, dx), "ease-out"),
                         (seconds(st, 1.5), moved(b, dx), "ease-in-out")])


def climb(st: Stage) -> list[KeyPose]:
    b = base_pose(st, body=0.3)
    a = act(st, b, scaled=False, r_shoulder=-165, r_elbow=-20, l_shoulder=-60, l_elbow=-70, l_hip=-75, l_knee=95, spine=6)
    c = act(st, b, scaled=False, l_shoulder=-100, l_elbow=-15, r_shoulder=-70, r_elbow=-60, r_hip=-75, r_knee=95, spine=6)
    rung = 0.12 * st.char_h
    period = seconds(st, 0.7)
    # up a ladder, a tree or a rock: rung over rung; with nothing to climb ("climbs the last steps"):
    # two steps up and forward, not a climb into the air
    on_something = st.target_name in CLIMBABLE
    rungs, step_dx = (MAX_RUNGS, 0.0) if on_something else (2, st.facing * 0.04 * st.amp)
    beats: list = [(0, b, "ease-in-out")]
    f, i = max(2, period // 2), 0
    while f <= st.last and i < rungs:
        beats.append((f, moved(a if i % 2 == 0 else c, step_dx * (i + 1), -rung * (i + 1)), "ease-in-out"))
        f, i = f + period, i + 1
    return timeline(st, beats, breathe=False)


def bow(st: Stage) -> list[KeyPose]:
    b = base_pose(st, body=0.3, arms=0.0)
    up = act(st, b, spine=-6, chest=-4, head=-6)  # a small rise before the bow
    down = act(st, b, spine=38, chest=24, neck=10, head=16, l_hip=-8, r_hip=-8, l_shoulder=-8, r_shoulder=-20,
               face={"eye_open": 0.3})
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.35), up, "ease-in"), (seconds(st, 0.9), down, "ease-out"),
                         (seconds(st, 1.6), nudge(st, down, spine=-3), "ease-in-out"), (seconds(st, 2.3), b, "ease-in-out")])


def stumble(st: Stage) -> list[KeyPose]:
    b = base_pose(st)
    trip = act(st, b, spine=25, chest=10, head=-10, r_hip=-40, r_knee=20, l_hip=10, l_knee=30, r_shoulder=-110,
               l_shoulder=-70, r_elbow=-20, face={"eye_open": 1.5, "brow_raise": 0.9, "mouth_open": 0.7})
    catch = act(st, b, spine=15, r_hip=-45, r_knee=25, l_hip=25, l_knee=15, r_shoulder=-90, l_shoulder=60)
    dx = st.facing * 0.05 * st.amp
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.3), moved(trip, 0.4 * dx), "ease-in"),
                         (seconds(st, 0.6), moved(catch, dx), "ease-out"),
                         (seconds(st, 1.2), moved(nudge(st, b, spine=5, head=5), dx), "ease-in-out")])


def recoil(st: Stage) -> list[KeyPose]:
    """Pushed or struck: the body is knocked back on the hit (the partner's contact beat) and catches itself."""
    b = base_pose(st)
    hit = act(st, b, spine=-22, chest=-10, head=14, neck=8, r_shoulder=-70, l_shoulder=-50, r_elbow=-30,
              l_hip=20, r_hip=-30, r_knee=25, face={"eye_open": 1.5, "brow_raise": 0.9, "mouth_open": 0.7})
    catch = act(st, b, spine=8, l_hip=25, l_knee=20, r_hip=-15, r_shoulder=-40, l_shoulder=-30)
    dx = -st.facing * 0.06 * st.amp  # away from the one it faces: the pusher
    return timeline(st, [(0, b, "ease-in-out"), (seconds(st, 0.6), b, "ease-in"), (seconds(st, 0.8), moved(hit, 0.6 * dx), "ease-out"),
                         (seconds(st, 1.2), moved(catch, dx), "ease-in-out"), (seconds(st, 1.8), moved(b, dx), "ease-in-out")])
