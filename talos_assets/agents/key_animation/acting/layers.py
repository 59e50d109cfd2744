"""Acting layers: a posture held under upper-body actions ("they sit and gaze at the stars").

A character's actions are grouped into units: a posture (stand, sit, sit down, stand up, kneel, lie
down, sleep, and riding a vehicle: `riding.ride_carrying`) with the upper-body actions around it (gaze up, look at, wave, laugh, pray, ...) is one
unit; every other action (a walk, a jump, a dance) is a unit of its own and plays in sequence as
before. In a unit the posture is taken first (its transition keys: the weight over the feet, the hips
down) and then held for the rest of the unit while the upper-body actions play one after another on
it, the animator's layering of a secondary action over a held primary pose (Williams, "The
Animator's Survival Kit", overlapping action): each gesture is acted on a stage whose base pose is
the held posture (so an aimed hand is solved from the seated shoulder), then its hips, legs and
root are replaced by the posture's, and its torso is an offset from the posture's torso, so the
seat, the knee on the ground or the lying body stay in contact on every key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from talos_assets.agents.key_animation.acting.context import TORSO, Stage, seconds
from talos_assets.agents.key_animation.acting.riding import ride_carrying
from talos_assets.agents.key_animation.rig import TILT_KEY
from talos_assets.spec import KeyPose, Pose

# Postures and how long their transition takes (seconds at the stage's tempo, as the builders time it);
# 0: the posture is there from the first frame. A stand up ends standing, and standing is held.
POSTURES: dict[str, float] = {"stand": 0.0, "sit": 0.0, "sleep": 0.0, "ride": 0.0, "sit_down": 1.8, "stand_up": 1.8,
                              "kneel": 1.6, "lie_down": 2.0}
# Actions of the arms, neck, head and chest that a held posture can carry.
UPPER = ("gaze_up", "look_at", "wave", "point", "laugh", "cry", "nod", "shake_head", "shrug", "talk", "clap",
         "pray", "tremble", "reach", "hold", "gesture", "hammer", "strike", "throw", "give")
# What the posture owns on every layered key: the pelvis and the legs (the root and the body's tilt too).
LOWER = ("pelvis", "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle")


@dataclass
class Unit:
    """A posture with the upper-body actions it carries, or a single action played on its own."""

    posture: str | None = None
    upper: list[str] = field(default_factory=list)

    @property
    def actions(self) -> list[str]:
        return ([self.posture] if self.posture else []) + self.upper


def units(actions: list[str]) -> list[Unit]:
    """Group a character's actions: each posture takes the upper-body actions next to it (before or
    after) up to the next posture or other action; an upper-body action with no posture plays alone."""
    out: list[Unit] = []
    cur: Unit | None = None
    for a in actions:
        if a in POSTURES:
            if cur is None or cur.posture is not None:
                cur = Unit(posture=a)
                out.append(cur)
            else:
                cur.posture = a
        elif a in UPPER:
            if cur is None:
                cur = Unit()
                out.append(cur)
            cur.upper.append(a)
        else:
            out.append(Unit(upper=[a]))
            cur = None
    # Upper-body actions left without a posture are each played alone, in order (as before layering).
    flat: list[Unit] = []
    for u in out:
        flat += [u] if u.posture is not None or len(u.upper) <= 1 else [Unit(upper=[a]) for a in u.upper]
    return flat


def reached_frame(st: Stage, posture: str) -> int:
    """The frame where the posture's transition ends (the last frame when the unit is too short for it)."""
    return min(seconds(st, POSTURES[posture]), st.last)


def layered(st: Stage, hold: Pose, keys: list[KeyPose]) -> list[KeyPose]:
    """Gesture keys laid over a held posture: legs, pelvis, root and tilt from `hold`, the torso an
    offset from the posture's (relative to the gesture's first key), arms, neck, head and face from the gesture."""
    first = keys[0].pose if keys else hold
    out = []
    for k in keys:
        j = dict(k.pose.joints)
        for name in LOWER:
            if name in hold.joints:
                j[name] = hold.joints[name]
        for name in TORSO[1:]:
            if name in hold.joints and name in j:
                j[name] = hold.joints[name] + j[name] - first.joints.get(name, j[name])
        face = dict(k.pose.face)
        face.pop(TILT_KEY, None)
        if TILT_KEY in hold.face:
            face[TILT_KEY] = hold.face[TILT_KEY]
        pose = k.pose.model_copy(update={"joints": j, "face": face, "root_x": hold.root_x, "root_y": hold.root_y,
                                         "scale": hold.scale})
        out.append(k.model_copy(update={"pose": st.rig.clamp(pose)}))
    return out


def perform_unit(st: Stage, unit: Unit, perform: Callable[[Stage, str], list[KeyPose]]) -> list[KeyPose]:
    """A unit's keys (frames 0 .. n_frames - 1): the posture taken, then held under its upper-body actions."""
    if unit.posture is None or not unit.upper:
        return perform(st, unit.actions[0])
    if unit.posture == "ride" and st.vehicle is not None:
        return ride_carrying(st, unit.upper, perform)  # the upper body acts on the moving rider
    posture = perform(st, unit.posture)
    reached = reached_frame(st, unit.posture)
    if st.last - reached < 2:
        return posture  # no time left to carry anything: the posture alone
    hold = posture[0].pose if reached == 0 else min(posture, key=lambda k: abs(k.frame - reached)).pose
    keys = [k for k in posture if k.frame < reached]
    n = len(unit.upper)
    span = st.n_frames - reached
    bounds = [reached + round(i * span / n) for i in range(n + 1)]
    held = replace(st, hold=hold, x0=hold.root_x)
    for i, action in enumerate(unit.upper):
        part = replace(held, n_frames=max(1, bounds[i + 1] - bounds[i]))
        mine = layered(st, hold, perform(part, action))
        keys += [k.model_copy(update={"frame": k.frame + bounds[i]}) for k in mine]
    by_frame = {k.frame: k for k in keys}
    return [by_frame[f] for f in sorted(by_frame)]
