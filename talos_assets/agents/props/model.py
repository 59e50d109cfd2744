"""Axis props as data: an object drawn in the same vector form as the character rigs.

A prop is a YAML file validated into `PropSpec`: vector parts (ellipses, capsules, polygons and
boxes) in the prop's own units (x across, y up, the prop's height = 1), each carrying a semantic
region of `REGION_NAMES` so Chroma fills it from the shot's palette, plus where it rests on the
ground (`anchor`), where a hand holds it (`grip`), whether it can be held, where it lives in a
set (`placement`) and the extra words that name it. `to_rig` turns it into a face-less, one-bone
`Rig` whose root sits on the anchor, so the character line art (`draw_line_art`) draws a prop with
the same closed regions and line weights as a character, and a pose's root angle turns it.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from talos_assets.agents.key_animation.rig import JointSpec, LineWeights, PartSpec, RegionName, Rig
from talos_assets.spec import EffectKind

# The one bone of a prop rig: its root sits on the prop's anchor, angle 0 = upright.
PROP_BONE = "body"
Point = tuple[float, float]


class PropPart(BaseModel):
    """One vector part in prop units (x across, y up, height 1); later parts are drawn on top."""

    model_config = ConfigDict(extra="forbid")
    name: str
    shape: Literal["ellipse", "capsule", "polygon", "box"]
    region: RegionName
    center: Point = (0.0, 0.5)  # ellipse centre
    radii: Point = (0.1, 0.1)  # ellipse radii (x, y)
    rotation: float = 0.0  # ellipse tilt, degrees, top toward +x
    ends: list[Point] = Field(default_factory=list)  # capsule: the two end centres
    width: Point = (0.03, 0.03)  # capsule radii at the two ends
    points: list[Point] = Field(default_factory=list)  # polygon corners
    box: tuple[float, float, float, float] | None = None  # box: x0, y0, x1, y1
    smooth: int = Field(0, ge=0, le=4, description="Chaikin corner-cutting passes for polygons and boxes")
    bone: str | None = Field(None, description="the prop bone it moves with (a horse's leg); unset = the body")

    @model_validator(mode="after")
    def _shape(self) -> "PropPart":
        if self.shape == "polygon" and len(self.points) < 3:
            raise ValueError(f"polygon part '{self.name}' needs at least 3 points")
        if self.shape == "capsule" and len(self.ends) != 2:
            raise ValueError(f"capsule part '{self.name}' needs two ends")
        if self.shape == "box" and (self.box is None or self.box[2] <= self.box[0] or self.box[3] <= self.box[1]):
            raise ValueError(f"box part '{self.name}' needs box: [x0, y0, x1, y1] with x1 > x0 and y1 > y0")
        return self


class PropBone(BaseModel):
    """A part of the prop that turns about its own pivot: a leg swings while the prop travels (ridden, or
    walking beside its owner), an idle part (a wagging tail, a wing) all the time."""

    model_config = ConfigDict(extra="forbid")
    name: str
    parent: str = Field(PROP_BONE, description="the bone it hangs from (a lower leg from its upper leg); listed before it")
    pivot: Point = Field(..., description="the point it turns about (a leg's hip or knee), prop units")
    swing: float = Field(0.0, ge=0.0, le=60.0, description="degrees each way it swings while ridden, one stride a cycle")
    fold: float = Field(0.0, ge=0.0, le=120.0, description=(
        "degrees it bends one way while its leg swings forward (a knee lifting the hoof)"))
    phase: float = Field(0.0, ge=0.0, lt=1.0, description="where in the stride it starts, fraction of a cycle")
    idle: bool = Field(False, description="swings all the time, once every `idle_cycle` seconds (a tail, a wing), not with the stride")

    def angle(self, stride: float) -> float:
        """Its joint angle `stride` cycles into the gait (degrees; the hoof below the pivot swings back
        for positive angles, so it folds while the swing carries it forward)."""
        a = 2 * math.pi * (stride + self.phase)
        return self.swing * math.sin(a) + self.fold * max(0.0, -math.cos(a))


class RideSpec(BaseModel):
    """How a character rides the prop (a bicycle, a boat, a car), in prop units: where its hips sit,
    where its hands and feet go, and which parts are drawn over the rider (it sits inside a hull)."""

    model_config = ConfigDict(extra="forbid")
    stroke: Literal["pedal", "row", "steer", "gallop"] = Field(..., description=(
        "what the rider does: pedals round a crank, rows (pulls the hands back), steers, or sits a galloping horse"))
    seat: Point = Field(..., description="where the rider's hips rest")
    hands: Point = Field(..., description="the handlebar, the steering wheel, or the hands' middle of a rowing stroke")
    feet: Point = Field(..., description="the crank's centre for pedals, else where the feet rest")
    crank: float = Field(0.0, ge=0.0, le=0.5, description="radius the feet turn on (pedals); 0 = the feet rest")
    leg_reach: float = Field(0.9, gt=0.3, le=1.0, description=(
        "the prop is drawn at the size where seat-to-farthest-foot is this fraction of the rider's leg"))
    min_scale: float = Field(0.0, ge=0.0, le=4.0, description="never drawn smaller than this (a boat for a small rider)")
    roof: float | None = Field(None, description=(
        "the inside's ceiling (a car's roof line): the prop is drawn large enough for the seated rider's head to clear it"))
    speed: float = Field(1.0, gt=0.0, le=10.0, description="travel, the rider's own heights per second at a calm tempo")
    front: list[str] = Field(default_factory=list, description="parts drawn over the rider (a hull, a car door)")
    stride: float = Field(0.6, gt=0.1, le=3.0, description="seconds per stride of the swinging bones (a horse's legs)")


class PropSpec(BaseModel):
    """A prop: parts in draw order, its size next to a character, and how a shot uses it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    height: float = Field(..., gt=0.0, le=2.0, description="height relative to the studio's standard character")
    anchor: Point = Field((0.0, 0.0), description="the point that rests on the ground (prop units)")
    grip: Point = Field((0.0, 0.5), description="where a hand holds it (prop units)")
    holdable: bool = False
    hold: Literal["upright", "wrist"] = Field(
        "upright", description="held upright whatever the hand does (a lantern hangs), or turning with the wrist (a sword)")
    hold_angle: float = Field(0.0, description="the prop's angle in the hand, degrees from upright (or from the wrist)")
    lift: float = Field(20.0, ge=0.0, le=90.0, description="how far the holding arm lifts forward, degrees")
    placement: Literal["ground", "sky", "wall"] = "ground"
    elevation: float = Field(0.0, ge=0.0, le=3.0, description="wall props: anchor height above the ground, character heights")
    words: list[str] = Field(default_factory=list, description="extra words that name it in a story (user props)")
    gives_off: list[EffectKind] = Field(default_factory=list, description=(
        "effects it is known to give off (a stove: smoke, steam): where such an effect comes from when a "
        "line names this prop and places the effect nowhere (user props; the built-ins' are in world_words.yaml)"))
    ride: RideSpec | None = Field(None, description="how a character rides it; unset = it cannot be ridden")
    follows: bool = Field(False, description=(
        "walks beside the character it belongs to when the story gives it one ('walks her dog', 'Pip's cat')"))
    stride_length: float = Field(0.6, gt=0.05, le=5.0, description=(
        "prop units it travels per stride while it walks beside its owner (its legs' cycle)"))
    idle_cycle: float = Field(1.0, gt=0.1, le=10.0, description="seconds per swing of its idle bones (a wag, a wingbeat)")
    floats: bool = Field(False, description="rests on the set's water (a boat), where the set has water")
    lines: LineWeights = Field(default_factory=LineWeights)
    bones: list[PropBone] = Field(default_factory=list, description="parts that turn on their own (a horse's legs)")
    parts: list[PropPart] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _unique_parts(self) -> "PropSpec":
        names = [p.name for p in self.parts]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"part '{dup[0]}' repeats")
        if self.holdable is False and self.hold == "wrist":
            raise ValueError("hold 'wrist' needs holdable: true")
        unknown = sorted(set(self.ride.front) - set(names)) if self.ride else []
        if unknown:
            raise ValueError(f"ride.front names part '{unknown[0]}', which the prop does not have")
        bones = [b.name for b in self.bones]
        if PROP_BONE in bones or len(set(bones)) != len(bones):
            raise ValueError(f"bone names must be unique and not '{PROP_BONE}'")
        orphan = next((b for i, b in enumerate(self.bones) if b.parent not in [PROP_BONE, *bones[:i]]), None)
        if orphan is not None:
            raise ValueError(f"bone '{orphan.name}' hangs from '{orphan.parent}', which is not a bone listed before it")
        stray = next((p for p in self.parts if p.bone is not None and p.bone not in bones), None)
        if stray is not None:
            raise ValueError(f"part '{stray.name}' is on bone '{stray.bone}', which the prop's bones do not list")
        return self

    def gait(self, stride: float) -> dict[str, float]:
        """The legs' joint angles `stride` cycles into a gait (none when it has none)."""
        return {b.name: b.angle(stride) for b in self.bones if not b.idle and (b.swing > 0 or b.fold > 0)}

    def idling(self, cycles: float) -> dict[str, float]:
        """The idle bones' joint angles `cycles` idle cycles in (a tail mid-wag)."""
        return {b.name: b.angle(cycles) for b in self.bones if b.idle}


def _capsule_points(a: Point, b: Point, r0: float, r1: float, segments: int = 10) -> np.ndarray:
    """Outline of a round-ended capsule from a to b (prop units), as polygon corners."""
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    d = b_ - a_
    ang = math.atan2(d[1], d[0]) if np.hypot(*d) > 1e-9 else 0.0
    t0 = np.linspace(ang + np.pi / 2, ang + 3 * np.pi / 2, segments)  # cap behind a
    t1 = np.linspace(ang - np.pi / 2, ang + np.pi / 2, segments)  # cap beyond b
    cap0 = a_ + r0 * np.stack([np.cos(t0), np.sin(t0)], 1)
    cap1 = b_ + r1 * np.stack([np.cos(t1), np.sin(t1)], 1)
    return np.concatenate([cap0, cap1])


def part_points(part: PropPart) -> np.ndarray:
    """The part's outline corners in prop units (x, y), (N, 2); ellipses as 24 samples (for bounds)."""
    if part.shape == "ellipse":
        t = np.linspace(0.0, 2 * np.pi, 24, endpoint=False)
        r = math.radians(part.rotation)
        x, y = part.radii[0] * np.cos(t), part.radii[1] * np.sin(t)
        return np.stack([part.center[0] + x * math.cos(r) + y * math.sin(r),
                         part.center[1] - x * math.sin(r) + y * math.cos(r)], 1)
    if part.shape == "capsule":
        return _capsule_points(part.ends[0], part.ends[1], *part.width)
    if part.shape == "box":
        x0, y0, x1, y1 = part.box  # type: ignore[misc]
        return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], float)
    return np.asarray(part.points, float)


def prop_bounds(spec: PropSpec) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the drawn prop relative to its anchor, prop units."""
    pts = np.concatenate([part_points(p) for p in spec.parts]) - np.asarray(spec.anchor, float)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def _rig_part(part: PropPart, origin: np.ndarray) -> PartSpec:
    """The part on its bone: bone space is (along = y, across = x), measured from the bone's start (the
    anchor for the body, the pivot for a leg; every bone points up at rest and is one prop unit long)."""
    bone = part.bone or PROP_BONE
    if part.shape == "ellipse":
        c = np.asarray(part.center, float) - origin
        return PartSpec(name=part.name, bone=bone, shape="ellipse", region=part.region,
                        center=(float(c[1]), float(c[0])), radii=(part.radii[1], part.radii[0]), rotation=part.rotation)
    pts = part_points(part) - origin
    # Capsules become polygons: the rig's capsules only run along a bone, a prop's point anywhere.
    return PartSpec(name=part.name, bone=bone, shape="polygon", region=part.region,
                    points=[(float(y), float(x)) for x, y in pts], smooth=part.smooth)


def to_rig(spec: PropSpec) -> Rig:
    """A face-less rig drawing the prop, its root bone on the anchor (bone length = prop height) and any
    swinging bones (a horse's legs) attached at their pivots."""
    anchor = np.asarray(spec.anchor, float)
    origins = {PROP_BONE: anchor, **{b.name: np.asarray(b.pivot, float) for b in spec.bones}}
    # Every bone points up at rest and is one prop unit long, so a pivot attaches at its offset from its
    # parent's start in bone space (along = y, across = x).
    joints = [JointSpec(name=PROP_BONE, length=1.0, rest=0.0)] + [
        JointSpec(name=b.name, parent=b.parent, length=1.0, rest=0.0, min=-150.0, max=150.0,
                  attach=(float(origins[b.name][1] - origins[b.parent][1]), float(origins[b.name][0] - origins[b.parent][0])))
        for b in spec.bones]
    return Rig(
        name=f"prop:{spec.name}", description=spec.description, height=spec.height, joints=joints,
        parts=[_rig_part(p, origins.get(p.bone or "", anchor)) for p in spec.parts], face=None, lines=spec.lines,
    )
