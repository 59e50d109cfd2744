"""Axis props in a character's hand, and the drawing order of a frame with props.

A held prop is placed by the holder's forward kinematics: the grip point of the prop goes on the
centre of the hand part riding on the holder's wrist bone, the prop stays upright (a lantern
hangs) or turns with the wrist (a sword, a hammer) and scales with the holder. The hand is drawn
again over the prop, rounder, so the fingers read as closed around the handle. A frame is drawn
in depth order: standing props behind the characters, each held prop right after its holder.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACING_KEY, Rig, forward_kinematics
from talos_assets.agents.props.catalog import load_prop, load_prop_rig
from talos_assets.agents.props.model import PROP_BONE, PropSpec
from talos_assets.spec import Pose


class PropPlacement(BaseModel):
    """A prop of a shot as Axis placed it: standing at `pose`, or held (then `pose` is its first key)."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(..., description="unique in the shot: the prop id, '-2', '-3' for repeats")
    prop: str
    holder: str | None = None
    hand: Literal["left", "right"] = "right"
    scale: float = Field(1.0, gt=0.0, description="held: times the holder's scale; standing: the pose carries it")
    pose: Pose
    insert: bool = Field(False, description="the subject of an insert shot, drawn large and centred")
    given_to: str | None = Field(None, description="who receives it mid-shot (a give), in the right hand")
    hand_over_frame: int | None = Field(None, ge=0, description="the frame from which the receiver holds it")
    rider: str | None = Field(None, description="the character riding it (a bicycle, a boat): it travels under them")
    ride_dx: float = Field(0.0, description="ridden: frame x from the rider's root to the prop's anchor")
    front: list[str] = Field(default_factory=list, description="ridden: parts drawn over the rider (a hull)")
    ride_frames: tuple[int, int] | None = Field(None, description="ridden: the first and last frame under the rider; unset = all")
    ride_x: tuple[float, float] | None = Field(None, description="ridden: where it stands before and after the ride (frame x)")
    stride_frames: float | None = Field(None, gt=0.0, description="ridden: frames per stride of its swinging bones (a horse's legs)")
    stride_at: float | None = Field(None, description="strides into its travel at the frame it is placed for")
    follower_of: str | None = Field(None, description="the character it walks beside (a dog with its owner)")
    follow_dx: float = Field(0.0, description="following: frame x from the owner's root to its anchor, owner facing +x")
    idle_frames: float | None = Field(None, gt=0.0, description="frames per swing of its idle bones (a tail's wag)")
    travel_x: tuple[float, float] | None = Field(None, description="moving on its own: frame x where it starts and ends")
    travel_frames: int = Field(1, ge=1, description="moving on its own: frames it takes from start to end")
    strides_per_x: float = Field(0.0, ge=0.0, description="moving on its own: strides of its legs per frame width it covers")
    idle_at: float | None = Field(None, description="idle cycles in at the frame it is placed for")

    @property
    def owner(self) -> str | None:
        """The character the prop goes with: its holder, its rider or the one it walks beside (None = it
        stands in the set)."""
        return self.holder or self.rider or self.follower_of

    def holder_at(self, frame: int) -> tuple[str | None, str]:
        """(holder, hand) at `frame`: the receiver's right hand once the hand-over has happened."""
        if self.given_to is not None and self.hand_over_frame is not None and frame >= self.hand_over_frame:
            return self.given_to, "right"
        return self.holder, self.hand

    def at_frame(self, frame: int) -> PropPlacement:
        """This placement as it stands at `frame` (the receiver's after a hand-over; a ridden prop parked
        where the ride starts or ends, outside the frames it is ridden)."""
        if self.rider is not None and self.ride_frames is not None and self.ride_x is not None:
            first, last = self.ride_frames
            if not first <= frame <= last:
                x = self.ride_x[0] if frame < first else self.ride_x[1]
                return self.model_copy(update={"rider": None, "front": [],
                                               "pose": self.pose.model_copy(update={"root_x": x})})
        if self.idle_frames is not None and self.idle_at != frame / self.idle_frames:
            return self.model_copy(update={"idle_at": frame / self.idle_frames}).at_frame(frame)
        if self.travel_x is not None:
            (a, b), t = self.travel_x, min(1.0, frame / self.travel_frames)
            pose = self.pose.model_copy(update={"root_x": a + (b - a) * t})
            return self.model_copy(update={"pose": pose, "travel_x": None, "stride_at": abs(b - a) * t * self.strides_per_x})
        if self.rider is not None and self.stride_frames is not None:
            first = self.ride_frames[0] if self.ride_frames is not None else 0
            return self.model_copy(update={"stride_at": (frame - first) / self.stride_frames})
        holder, hand = self.holder_at(frame)
        if (holder, hand) == (self.holder, self.hand):
            return self
        return self.model_copy(update={"holder": holder, "hand": hand})


def hand_bone(hand: str) -> str:
    return "l_wrist" if hand == "left" else "r_wrist"


def _hand_part_center(rig: Rig, hand: str) -> tuple[float, float]:
    """(along fraction, across) of the hand on the wrist bone: the hand part's centre, or the bone's end."""
    bone = hand_bone(hand)
    for p in rig.parts:
        if p.bone == bone and p.shape == "ellipse":
            return p.center
    return (1.0, 0.0)


def hand_point(rig: Rig, pose: Pose, hand: str, aspect: float) -> tuple[float, float, float]:
    """Where the hand is in the frame (x, y fractions) and the wrist's world angle (degrees, unmirrored)."""
    bones = forward_kinematics(rig, pose)
    bone = bones.get(hand_bone(hand))
    if bone is None:  # a rig without that hand holds at the top of its root bone
        bone = next(iter(bones.values()))
        along, across = 1.0, 0.0
    else:
        along, across = _hand_part_center(rig, hand)
    p = bone.to_world(np.array([along]), np.array([across]))[0]
    char_h = CHARACTER_HEIGHT * rig.height * pose.scale
    sx = view_scale(pose)
    return pose.root_x + sx * char_h * p[0] / aspect, pose.root_y - char_h * p[1], bone.angle


def held_pose(spec: PropSpec, holder: Rig, holder_pose: Pose, hand: str, scale: float, aspect: float) -> Pose:
    """The prop's pose with its grip on the holder's hand (the prop rig's root is its anchor)."""
    hx, hy, wrist = hand_point(holder, holder_pose, hand, aspect)
    angle = spec.hold_angle + (wrist if spec.hold == "wrist" else 0.0)
    s = holder_pose.scale * scale
    prop_h = CHARACTER_HEIGHT * spec.height * s
    sx = view_scale(holder_pose)
    # Grip relative to the anchor, turned like Bone.to_world does (along = y, across = x).
    gx, gy = spec.grip[0] - spec.anchor[0], spec.grip[1] - spec.anchor[1]
    a = math.radians(angle)
    wx = gy * math.sin(a) + gx * math.cos(a)
    wy = gy * math.cos(a) - gx * math.sin(a)
    return Pose(root_x=hx - sx * prop_h * wx / aspect, root_y=hy + prop_h * wy, scale=s,
                joints={PROP_BONE: angle}, face={FACING_KEY: float(holder_pose.face.get(FACING_KEY, 1.0))})


def prop_pose_at(pl: PropPlacement, spec: PropSpec, rigs: Mapping[str, Rig], poses: Mapping[str, Pose],
                 aspect: float) -> Pose:
    """The prop's pose when the characters stand in `poses`: in its holder's hand, under its rider, or
    where Axis stood it (`pl` as it stands at that frame, `PropPlacement.at_frame`)."""
    if pl.holder and pl.holder in poses and pl.holder in rigs:
        return held_pose(spec, rigs[pl.holder], poses[pl.holder], pl.hand, pl.scale, aspect)
    joints = {**pl.pose.joints, **(spec.gait(pl.stride_at) if pl.stride_at is not None else {}),
              **(spec.idling(pl.idle_at) if pl.idle_at is not None else {})}
    if pl.rider and pl.rider in poses:
        return pl.pose.model_copy(update={"root_x": poses[pl.rider].root_x + pl.ride_dx, "joints": joints})
    if pl.follower_of and pl.follower_of in poses:
        owner = poses[pl.follower_of]
        facing = 1.0 if float(owner.face.get(FACING_KEY, 1.0)) >= 0 else -1.0
        return pl.pose.model_copy(update={"root_x": owner.root_x + facing * pl.follow_dx, "joints": joints,
                                          "face": {**pl.pose.face, FACING_KEY: facing}})
    return pl.pose.model_copy(update={"joints": joints}, deep=True)


def grip_point(spec: PropSpec, rig: Rig, pose: Pose, aspect: float) -> tuple[float, float]:
    """Where the prop's grip is drawn (x, y frame fractions), from its own rig's kinematics."""
    bone = forward_kinematics(rig, pose)[PROP_BONE]
    g = bone.to_world(np.array([spec.grip[1] - spec.anchor[1]]), np.array([spec.grip[0] - spec.anchor[0]]))[0]
    h = CHARACTER_HEIGHT * rig.height * pose.scale
    return pose.root_x + view_scale(pose) * h * g[0] / aspect, pose.root_y - h * g[1]


@lru_cache(maxsize=32)
def _fist_cached(rig_json: str, hand: str) -> Rig | None:
    rig = Rig.model_validate_json(rig_json)
    bone = hand_bone(hand)
    parts = [p for p in rig.parts if p.bone == bone]
    if not parts:
        return None
    # A closed hand is rounder than an open one: the larger radius both ways.
    fists = [p.model_copy(update={"radii": (max(p.radii),) * 2}) if p.shape == "ellipse" else p for p in parts]
    return rig.model_copy(update={"name": f"{rig.name}:{hand}-fist", "parts": fists, "face": None})


def fist_rig(rig: Rig, hand: str) -> Rig | None:
    """Only the holder's hand, closed: drawn over a held prop so the fingers wrap its handle."""
    return _fist_cached(rig.model_dump_json(), hand)


@lru_cache(maxsize=64)
def _parts_cached(rig_json: str, names: tuple[str, ...], keep: bool) -> Rig:
    rig = Rig.model_validate_json(rig_json)
    parts = [p for p in rig.parts if (p.name in names) == keep]
    return rig.model_copy(update={"name": f"{rig.name}:{'front' if keep else 'back'}", "parts": parts})


def split_rig(rig: Rig, front: Sequence[str]) -> tuple[Rig | None, Rig | None]:
    """A ridden prop as (the parts behind its rider, the parts over it); None where there are none."""
    if not front:
        return rig, None
    js, names = rig.model_dump_json(), tuple(sorted(front))
    back, over = _parts_cached(js, names, False), _parts_cached(js, names, True)
    return (back if back.parts else None), (over if over.parts else None)


def frame_drawables(rigs: Mapping[str, Rig], poses: Mapping[str, Pose], placements: Sequence[PropPlacement],
                    prop_rigs: Mapping[str, Rig], prop_poses: Mapping[str, Pose]) -> list[tuple[Rig, Pose]]:
    """One frame's (rig, pose) list for `draw_line_art`, back to front.

    Standing props first (behind everyone), and the ridden props' parts behind their riders; then each
    character followed by the props it holds and its closed hand over them, and the parts of what it
    rides that it sits inside (a hull). A prop whose holder is not in the frame is drawn where its pose says.
    """
    out: list[tuple[Rig, Pose]] = []
    held: dict[str, list[PropPlacement]] = {}
    over: dict[str, list[tuple[Rig, Pose]]] = {}
    for pl in placements:
        if pl.key not in prop_poses or pl.prop not in prop_rigs:
            continue
        if pl.holder is not None and pl.holder in poses:
            held.setdefault(pl.holder, []).append(pl)
        elif pl.rider is not None and pl.rider in poses:
            back, front = split_rig(prop_rigs[pl.prop], pl.front)
            if back is not None:
                out.append((back, prop_poses[pl.key]))
            if front is not None:
                over.setdefault(pl.rider, []).append((front, prop_poses[pl.key]))
        else:
            out.append((prop_rigs[pl.prop], prop_poses[pl.key]))
    for name, pose in poses.items():
        out.append((rigs[name], pose))
        for pl in held.get(name, []):
            out.append((prop_rigs[pl.prop], prop_poses[pl.key]))
            fist = fist_rig(rigs[name], pl.hand)
            if fist is not None:
                out.append((fist, pose))
        out += over.get(name, [])
    return out


def placement_specs(placements: Sequence[PropPlacement], extra_dirs: Sequence[Path | str] = ()) -> dict[str, PropSpec]:
    """The prop spec of every placed prop, by prop id (user folders first, then the built-ins)."""
    return {pl.prop: load_prop(pl.prop, extra_dirs) for pl in placements}


def placement_rigs(placements: Sequence[PropPlacement], extra_dirs: Sequence[Path | str] = ()) -> dict[str, Rig]:
    """Each placed prop's rig keyed `prop:<key>`, like its per-frame poses (what Stokes' anchors read)."""
    rigs = {pid: load_prop_rig(pid, extra_dirs) for pid in {pl.prop for pl in placements}}
    return {f"prop:{pl.key}": rigs[pl.prop] for pl in placements}
