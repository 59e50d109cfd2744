"""Riding: a character on a bicycle, a horse, in a rowing boat or behind a car's wheel, travelling with it.

The vehicle is sized to its rider the way a person picks a bicycle (or a horse) that fits: the seat-to-farthest-
foot distance is a set fraction of the rider's leg (and a car is tall enough for the seated head to
clear its roof). The rider's hips sit on the seat; the feet and hands are put on the pedals, the
footrest and the handlebar, wheel or oars by two-bone IK within the joint limits. A pedalling rider
leans over the bar and turns the cranks, the two feet half a turn apart (keys every quarter turn,
cadence from the shot's tempo); a rower swings from the catch (leaning forward, arms out) to the
finish (leaning back, hands at the ribs); a driver sits upright and steers; a horseman sits forward
over the withers, feet in the stirrups, rocking once a stride while the horse's legs stride under him. The rider's root is
lifted so the vehicle's ground point rests on the ground line, and the pair travel together across
the mark at the vehicle's speed, never more than `MAX_TRAVEL` of the frame nor farther than keeps the
whole vehicle in the camera's view. Positions are in the
rider's unplanted character space (pelvis at the origin, x toward the facing, y up).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from talos_assets.agents.key_animation.acting.context import TORSO, Stage, act, base_pose, moved, seconds, timeline
from talos_assets.agents.key_animation.acting.vehicle import Vehicle
from talos_assets.agents.key_animation.ik import ARM_CHAINS, LEG_CHAINS, arm_length, bones_of, effector_point, solve_chain
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACING_KEY, TILT_KEY, Rig
from talos_assets.spec import KeyPose, Pose

MAX_TRAVEL = 0.45  # the farthest a ride carries the rider in one shot, frame widths
VIEW_MARGIN = 0.03  # the vehicle stays this far inside the camera's view, frame widths
MIN_TRAVEL = 0.06  # a vehicle wider than the view still moves (it was cut by the frame already)
ARRIVAL_GAP = 0.03  # a ride to something stops this far short of it, frame widths
HEAD_ROOM = 1.0  # a car is drawn this much taller inside than the seated rider (upright, hips at the seat)
# Per stroke: seconds per cycle at a calm tempo and keys per cycle.
CYCLES = {"pedal": (0.9, 4), "row": (1.6, 2), "steer": (2.0, 2), "gallop": (0.55, 2)}


def leg_length(rig: Rig) -> float:
    jm = rig.joint_map
    return jm["l_hip"].length + jm["l_knee"].length if "l_hip" in jm and "l_knee" in jm else 0.5


def seated_height(rig: Rig) -> float:
    """Hips to the top of the head at rest, character heights."""
    bones = bones_of(rig, rig.rest_pose(), planted=False)
    top = bones["head"].to_world(np.array([1.0]), np.zeros(1))[0] if "head" in bones else bones[next(iter(bones))].start
    return float(top[1])


def ride_scale(v: Vehicle, rig: Rig) -> float:
    """The vehicle's scale next to the rider (times the rider's own pose scale): the leg fits, the head clears."""
    far = np.array(v.feet) - np.array([0.0, v.crank])
    reach = float(np.linalg.norm(np.array(v.seat) - far))
    scale = v.leg_reach * leg_length(rig) * rig.height / max(1e-6, reach * v.height)
    if v.roof is not None and v.roof > v.seat[1]:
        scale = max(scale, HEAD_ROOM * seated_height(rig) * rig.height / ((v.roof - v.seat[1]) * v.height))
    return max(scale, v.min_scale)


def _to_rider(v: Vehicle, k: float, point: tuple[float, float] | np.ndarray) -> np.ndarray:
    """A vehicle point in the rider's unplanted character space (the seat on the pelvis)."""
    return (np.asarray(point, float) - np.asarray(v.seat, float)) * k


def anchor_point(v: Vehicle, rig: Rig, pose: Pose, aspect: float) -> tuple[float, float]:
    """(frame x from the rider's root, frame y) of the vehicle's anchor (the prop rig's root) under a
    profile rider in `pose`: where the vehicle rests on the ground line or the water."""
    k = v.height * ride_scale(v, rig) / rig.height
    char_h = CHARACTER_HEIGHT * rig.height * pose.scale
    facing = 1.0 if float(pose.face.get(FACING_KEY, 1.0)) >= 0 else -1.0
    a = _to_rider(v, k, v.anchor)
    lift = float(next(iter(bones_of(rig, pose, planted=True).values())).start[1])  # planted pelvis height
    return facing * char_h * float(a[0]) / aspect, pose.root_y - char_h * (float(a[1]) + lift)


def _reach_out(v: Vehicle, k: float, st: Stage) -> float:
    """How far the vehicle's drawing reaches beyond the rider's root, either way, frame widths: the
    ride travels only as far as keeps all of it in the camera's view."""
    ends = _to_rider(v, k, (v.span[0], v.seat[1]))[0], _to_rider(v, k, (v.span[1], v.seat[1]))[0]
    return max(abs(float(e)) for e in ends) * st.char_h / st.aspect


def far_offset(rig: Rig, pose: Pose) -> np.ndarray:
    """Where the far side of a thing held in both hands is drawn, from its near side: as far back as the
    rig draws its far shoulder from the near one (a side view's far handlebar grip), unplanted."""
    bones = bones_of(rig, pose, planted=False)
    if "l_shoulder" not in bones or "r_shoulder" not in bones:
        return np.zeros(2)
    return bones["l_shoulder"].start - bones["r_shoulder"].start


def _limbs(st: Stage, p: Pose, feet: list[np.ndarray], hands: list[np.ndarray]) -> Pose:
    """Feet (near, far) and hands (near, far) on their targets by IK, unplanted; the far hand's target is
    drawn where the far side of the bar is (`far_offset`)."""
    for side, target in zip(("r", "l"), feet):
        p = solve_chain(st.rig, p, LEG_CHAINS[side], target, planted=False).pose
    far = far_offset(st.rig, p)
    for side, target in zip(("r", "l"), hands):
        p = solve_chain(st.rig, p, ARM_CHAINS[side], target + (far if side == "l" else 0.0), planted=False).pose
    return p


def _grounded(st: Stage, v: Vehicle, k: float, p: Pose, x: float) -> Pose:
    """The pose at root x, lifted so the vehicle's anchor (the seat under the hips) rests on the ground line."""
    lift = float(next(iter(bones_of(st.rig, p, planted=True).values())).start[1])  # planted pelvis height
    y = st.root_y + st.char_h * (float(_to_rider(v, k, v.anchor)[1]) + lift)
    return moved(p, x - p.root_x, y - p.root_y)


def _stroke_pose(st: Stage, v: Vehicle, k: float, base: Pose, phase: float) -> Pose:
    """The rider at `phase` (0..1) of its stroke cycle."""
    feet = _to_rider(v, k, v.feet)
    hands = _to_rider(v, k, v.hands)
    if v.stroke == "pedal":
        # Leaning over the bar, head up to see the road; the cranks turn forward (clockwise seen
        # from the right), the far foot half a turn behind the near one.
        p = act(st, base, scaled=False, spine=18 + 8 * st.gain, chest=6, neck=-10, head=-12 + 6 * max(0.0, -st.valence))
        r = v.crank * k
        a = math.pi / 2 - 2 * math.pi * phase
        on = [feet + r * np.array([math.cos(a), math.sin(a)]), feet - r * np.array([math.cos(a), math.sin(a)])]
        return _limbs(st, p, on, [hands, hands])
    if v.stroke == "gallop":
        # Sitting the stride: a forward seat over the withers rocking once a stride, the heels in the
        # stirrups and the hands low on the reins.
        rock = math.sin(2 * math.pi * phase)
        p = act(st, base, scaled=False, spine=10 + 6 * st.gain + 5 * rock, chest=2, neck=-6, head=-8 - 4 * rock)
        return _limbs(st, p, [feet, feet], [hands, hands])
    if v.stroke == "row":
        # The catch (leaning forward, arms long) and the finish (leaning back, hands drawn to the ribs).
        catch = math.cos(2 * math.pi * phase) > 0
        lean = 26 * st.amp if catch else -14 * st.amp
        p = act(st, base, scaled=False, spine=lean, chest=4, head=-lean * 0.5)
        grip = hands + (np.array([0.16, -0.06]) if catch else np.array([-0.22, 0.06]))  # rider heights
        return _limbs(st, p, [feet, feet], [grip, grip + np.array([0.0, -0.01])])
    # Steering: upright in the seat, hands out toward the wheel as far as the arms go, turning it a
    # little one way and the other while the head checks the road.
    turn = math.cos(2 * math.pi * phase)
    p = act(st, base, scaled=False, spine=-4, head=-4 + 5 * turn)
    shoulder = bones_of(st.rig, p, planted=False)["r_shoulder"].start if "r_shoulder" in st.rig.joint_map else hands
    out = hands - shoulder
    wheel = shoulder + out * min(1.0, 0.85 * arm_length(st.rig) / max(1e-6, float(np.linalg.norm(out))))
    lift = np.array([0.0, 0.05 * turn])
    return _limbs(st, p, [feet, feet], [wheel + lift, wheel - lift])


@dataclass(frozen=True)
class _Ride:
    """One ride across the shot: the stroke's key spacing and the path, and the rider's pose at any frame."""

    st: Stage
    v: Vehicle
    k: float  # vehicle units -> rider heights
    base: Pose
    step: int  # frames between stroke keys
    per_cycle: int
    x_start: float
    travel: float

    def frames(self) -> list[int]:
        out = list(range(0, self.st.last + 1, self.step))
        return out if out[-1] == self.st.last else out + [self.st.last]

    def pose_at(self, f: int) -> Pose:
        st = self.st
        x = self.x_start + st.facing * self.travel * f / max(1, st.last)
        pose = _stroke_pose(st, self.v, self.k, self.base, f / self.step / self.per_cycle)
        return _grounded(st, self.v, self.k, pose, x)


def _plan(st: Stage) -> _Ride:
    v = st.vehicle
    assert v is not None, "ride needs a vehicle"
    k = v.height * ride_scale(v, st.rig) / st.rig.height
    base = base_pose(st)
    base.face[FACING_KEY] = float(st.facing)  # ridden side-on: the vehicle is drawn in profile
    period_s, per_cycle = CYCLES.get(v.stroke, CYCLES["steer"])
    step = max(2, int(round(seconds(st, period_s) / per_cycle)))
    travel = min(MAX_TRAVEL, v.speed * st.tempo * (st.n_frames / st.fps) * st.char_h / st.aspect,
                 max(MIN_TRAVEL, st.view - 2 * _reach_out(v, k, st) - 2 * VIEW_MARGIN))
    if st.destination is not None:
        # "rides her bike to the fence": the path ends with the vehicle's front just short of it
        end = st.destination - st.facing * (_reach_out(v, k, st) + ARRIVAL_GAP)
        travel = max(MIN_TRAVEL, min(travel, st.facing * (end - st.x0) + travel / 2))
        return _Ride(st, v, k, base, step, per_cycle, end - st.facing * travel, travel)
    return _Ride(st, v, k, base, step, per_cycle, st.x0 - st.facing * travel / 2, travel)


def ride(st: Stage) -> list[KeyPose]:
    """Key poses of riding `st.vehicle` across the mark: the stroke cycle, travelling with the vehicle."""
    plan = _plan(st)
    return timeline(st, [(f, plan.pose_at(f), "linear") for f in plan.frames()], breathe=False)


# What the ride keeps under an upper-body action: the legs on the pedals, the seat, the far hand on the bar.
RIDE_KEEPS = ("pelvis", "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle", "l_shoulder", "l_elbow", "l_wrist")
TWO_HANDED = ("clap", "pray")  # these let go of the bar with both hands


def _at(keys: list[KeyPose], f: int) -> Pose:
    """The keys' pose at frame f, joints linear between the keys around it."""
    before = [k for k in keys if k.frame <= f] or keys[:1]
    after = [k for k in keys if k.frame >= f] or keys[-1:]
    a, b = before[-1], after[0]
    t = 0.0 if b.frame == a.frame else (f - a.frame) / (b.frame - a.frame)
    joints = {j: a.pose.joints[j] + t * (b.pose.joints.get(j, a.pose.joints[j]) - a.pose.joints[j]) for j in a.pose.joints}
    face = {c: a.pose.face[c] + t * (b.pose.face.get(c, a.pose.face[c]) - a.pose.face[c]) for c in a.pose.face}
    return a.pose.model_copy(update={"joints": joints, "face": face})


def ride_carrying(st: Stage, upper: list[str], perform: Callable[[Stage, str], list[KeyPose]]) -> list[KeyPose]:
    """A ride for the whole unit with upper-body actions played one after another on the moving rider
    ("cycles past Pip and waves at him"): legs, seat and path from the ride on every key, the arms (the
    far hand stays on the bar unless both hands are needed), neck, head and face from the action, acted
    on a stage whose base is the ride's pose, and the torso an offset from the ride's."""
    plan = _plan(st)
    n, frames = len(upper), set(plan.frames())
    bounds = [round(i * st.n_frames / n) for i in range(n + 1)]
    acts: list[tuple[int, int, str, list[KeyPose]]] = []
    for i, action in enumerate(upper):
        hold = plan.pose_at(bounds[i])
        part = replace(st, hold=hold, x0=hold.root_x, root_y=hold.root_y, n_frames=max(1, bounds[i + 1] - bounds[i]))
        keys = [k.model_copy(update={"frame": k.frame + bounds[i]}) for k in perform(part, action)]
        acts.append((bounds[i], bounds[i + 1], action, keys))
        frames |= {k.frame for k in keys}
    beats = []
    for f in sorted(frames):
        pose = plan.pose_at(f)
        for lo, hi, action, keys in acts:
            if keys and lo <= f < hi:
                g, first = _at(keys, f), keys[0].pose
                keep = RIDE_KEEPS[:7] if action in TWO_HANDED else RIDE_KEEPS
                joints = dict(pose.joints)
                for j, val in g.joints.items():
                    if j in TORSO[1:]:
                        joints[j] = pose.joints.get(j, val) + val - first.joints.get(j, val)
                    elif j not in keep:
                        joints[j] = val
                face = {**g.face, FACING_KEY: pose.face[FACING_KEY]}
                face.pop(TILT_KEY, None)
                merged = st.rig.clamp(pose.model_copy(update={"joints": joints, "face": face}))
                if action not in TWO_HANDED:
                    # the action's lean moved the far shoulder: the far hand goes back onto its grip
                    grip = effector_point(st.rig, pose, "l_wrist", planted=False)
                    merged = solve_chain(st.rig, merged, ARM_CHAINS["l"], grip, planted=False).pose
                pose = merged
        beats.append((f, pose, "linear"))
    return timeline(st, beats, breathe=False)
