"""Axis rigs: a character as data (a 2D skeleton and vector body parts) and its forward kinematics.

A rig is a YAML file validated into `Rig`: joints with a parent, a bone length as a fraction of the
character's height, a rest angle and angle limits, and vector body parts (ellipses, tapered
capsules, polygons) expressed in the space of the bone they ride on, each carrying a semantic
region (`REGION_NAMES`). Poses are forward kinematics over relative joint angles (0 deg = up,
positive = toward the direction the character faces), with the feet planted on the ground line so
a crouch lowers the hips instead of sinking the feet; whatever is lowest rests on the line (a
kneeling knee, a seat on the floor, a body lying down turned by the `tilt` channel). The face is a
handful of channels (brows, lids, mouth) beside the joints; the facing and the tilt ride in them too,
as the pose model has no field for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from talos_assets.spec import REGION_NAMES, Pose, VoiceSpec

# A character at pose.scale 1 and rig height 1 stands this tall, as a fraction of frame height.
CHARACTER_HEIGHT = 0.55

# Face channels, their neutral value and the range the drawing understands.
FACE_REST: dict[str, float] = {
    "brow_raise": 0.0,  # -1 lowered (glare) .. 1 raised (surprise)
    "brow_tilt": 0.0,  # -1 inner ends down (anger) .. 1 inner ends up (worry, sadness)
    "eye_open": 1.0,  # 0 shut .. 1.6 wide
    "mouth_curve": 0.1,  # -1 frown .. 1 smile
    "mouth_open": 0.0,  # 0 closed .. 1 wide open
    "mouth_wide": 0.0,  # -1 narrow, rounded lips (an O) .. 0 neutral .. 1 spread lips (an E)
}
FACE_RANGE: dict[str, tuple[float, float]] = {
    "brow_raise": (-1.0, 1.0),
    "brow_tilt": (-1.0, 1.0),
    "eye_open": (0.0, 1.6),
    "mouth_curve": (-1.0, 1.0),
    "mouth_open": (0.0, 1.0),
    "mouth_wide": (-1.0, 1.0),
}
# The four mouth shapes Flux draws a spoken line with (the visemes of the voice agent) as the width
# of the mouth; the opening comes from the voice. Closed is a line, open drops the jaw at neutral
# width, wide spreads the lips in a slit, round purses them into a narrow O.
MOUTH_WIDE_OF_VISEME: dict[str, float] = {"closed": 0.0, "open": 0.0, "wide": 1.0, "round": -1.0}
# Pose has no facing field, so the facing (+1 toward +x, -1 mirrored) rides in the face channels.
FACING_KEY = "facing"
# The body's turn in the picture plane (degrees, positive toward facing), e.g. -90 lies on the back.
# It is the root's orientation in the world, not a joint, so no joint limit applies to it; it rides
# in the face channels like the facing, and Flux interpolates it like any channel.
TILT_KEY = "tilt"
# Soft appendages that drape on the ground instead of holding the body up.
_DRAPES = ("hair", "tail")


# ---- rig data model ---------------------------------------------------------------------------


class JointSpec(BaseModel):
    """One bone of the skeleton; its joint angle is relative to the parent bone (degrees)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    parent: str | None = None
    length: float = Field(..., gt=0.0, le=1.0, description="bone length, fraction of character height")
    rest: float = 0.0
    min: float = -180.0
    max: float = 180.0
    attach: tuple[float, float] = Field(
        (1.0, 0.0), description="where the bone starts on its parent: (fraction along, offset across in heights)"
    )
    follow: float = Field(0.0, ge=0.0, description="overlap lag in frames behind the parent (Flux), 0 = rigid")

    @model_validator(mode="after")
    def _limits(self) -> "JointSpec":
        if not self.min <= self.rest <= self.max:
            raise ValueError(f"joint '{self.name}': rest {self.rest} outside [{self.min}, {self.max}]")
        return self


def _known_region(v: str) -> str:
    if v not in REGION_NAMES[1:]:
        raise ValueError(f"region '{v}' is not one of {list(REGION_NAMES[1:])}")
    return v


# a semantic region Chroma fills (characters' and props' parts alike)
RegionName = Annotated[str, AfterValidator(_known_region)]


class PartSpec(BaseModel):
    """A vector body part in bone space: 'along' is a fraction of the bone, sizes/'across' are heights."""

    model_config = ConfigDict(extra="forbid")
    name: str
    bone: str
    shape: Literal["ellipse", "capsule", "polygon"]
    region: RegionName
    center: tuple[float, float] = (0.5, 0.0)  # ellipse centre (along fraction, across)
    radii: tuple[float, float] = (0.05, 0.05)  # ellipse radii (along, across)
    rotation: float = 0.0  # ellipse rotation in bone space, degrees
    span: tuple[float, float] = (0.0, 1.0)  # capsule end centres, fractions along the bone
    width: tuple[float, float] = (0.03, 0.03)  # capsule radii at the two ends
    points: list[tuple[float, float]] = Field(default_factory=list)  # polygon (along fraction, across)
    smooth: int = Field(0, ge=0, le=4, description="Chaikin corner-cutting passes for polygons")

    @model_validator(mode="after")
    def _shape(self) -> "PartSpec":
        if self.shape == "polygon" and len(self.points) < 3:
            raise ValueError(f"polygon part '{self.name}' needs at least 3 points")
        return self


class FaceSpec(BaseModel):
    """Where the face sits on its bone and how big its features are (heights, along = fraction)."""

    model_config = ConfigDict(extra="forbid")
    bone: str = "head"
    after_part: str = Field(..., description="face is drawn right after this part (usually the face skin)")
    center: tuple[float, float] = (0.45, 0.02)  # eye line centre (along fraction, across)
    eye_spacing: float = 0.04
    eye_size: tuple[float, float] = (0.018, 0.024)  # (across radius, along radius)
    pupils: bool = True
    brow_gap: float = 0.012
    brow_length: float = 0.03
    mouth_along: float = 0.18
    mouth_width: float = 0.045


class LineWeights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    silhouette: float = Field(0.01, gt=0.0, description="outer line width, fraction of frame height")
    inner: float = Field(0.0042, gt=0.0, description="inner line width, fraction of frame height")
    min_px: float = Field(1.0, ge=0.5, description="thinnest line in output pixels, so regions stay closed when small")


class Rig(BaseModel):
    """A character: skeleton, parts in draw order, face and line weights (a prop is a face-less one-bone rig)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    height: float = Field(1.0, gt=0.0, le=2.0, description="height relative to the studio's standard character")
    contacts: list[str] = Field(default_factory=list, description="bones whose ends rest on the ground")
    ground_clearance: float = 0.015
    joints: list[JointSpec]
    parts: list[PartSpec]
    face: FaceSpec | None = Field(None, description="characters have one (the character loader requires it); props have none")
    lines: LineWeights = Field(default_factory=LineWeights)
    voice: VoiceSpec = Field(default_factory=VoiceSpec, description="how the studio voices this character's lines")

    @model_validator(mode="after")
    def _consistent(self) -> "Rig":
        seen: set[str] = set()
        roots = 0
        for j in self.joints:
            if j.name in seen:
                raise ValueError(f"rig '{self.name}': joint '{j.name}' repeats")
            if j.parent is None:
                roots += 1
            elif j.parent not in seen:
                # Parent-first order lets forward kinematics run in one pass.
                raise ValueError(f"rig '{self.name}': joint '{j.name}' comes before its parent '{j.parent}'")
            seen.add(j.name)
        if roots != 1:
            raise ValueError(f"rig '{self.name}' needs exactly one root joint, has {roots}")
        part_names = [p.name for p in self.parts]
        for p in self.parts:
            if p.bone not in seen:
                raise ValueError(f"rig '{self.name}': part '{p.name}' rides on unknown bone '{p.bone}'")
        for c in self.contacts:
            if c not in seen:
                raise ValueError(f"rig '{self.name}': contact bone '{c}' is not a joint")
        if self.face is None:
            return self
        if self.face.bone not in seen:
            raise ValueError(f"rig '{self.name}': face bone '{self.face.bone}' is not a joint")
        if self.face.after_part not in part_names:
            raise ValueError(f"rig '{self.name}': face.after_part '{self.face.after_part}' is not a part")
        return self

    @property
    def joint_map(self) -> dict[str, JointSpec]:
        return {j.name: j for j in self.joints}

    def rest_pose(self, root_x: float = 0.5, root_y: float = 0.75, facing: int = 1) -> Pose:
        face = dict(FACE_REST)
        face[FACING_KEY] = 1.0 if facing >= 0 else -1.0
        return Pose(root_x=root_x, root_y=root_y, joints={j.name: j.rest for j in self.joints}, face=face)

    def clamp(self, pose: Pose) -> Pose:
        """The same pose with every joint inside its limits and every face channel in range."""
        jm = self.joint_map
        joints = {
            k: float(np.clip(v, jm[k].min, jm[k].max)) if k in jm else float(v) for k, v in pose.joints.items()
        }
        face = {k: float(np.clip(v, *FACE_RANGE[k])) if k in FACE_RANGE else float(v) for k, v in pose.face.items()}
        return pose.model_copy(update={"joints": joints, "face": face})


# ---- forward kinematics -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bone:
    start: np.ndarray  # (2,) character units: x forward, y up, origin on the ground under the root
    angle: float  # world angle, degrees, 0 = up, positive toward +x
    length: float

    @property
    def direction(self) -> np.ndarray:
        a = math.radians(self.angle)
        return np.array([math.sin(a), math.cos(a)])

    @property
    def across(self) -> np.ndarray:
        # The bone direction turned a quarter clockwise: 'forward' for an upright bone.
        a = math.radians(self.angle)
        return np.array([math.cos(a), -math.sin(a)])

    def to_world(self, along_frac: np.ndarray, across: np.ndarray) -> np.ndarray:
        """Bone-space points (fraction along, offset across) -> character space, (N, 2)."""
        along = np.asarray(along_frac, dtype=np.float64) * self.length
        return (
            self.start[None, :]
            + along[:, None] * self.direction[None, :]
            + np.asarray(across, dtype=np.float64)[:, None] * self.across[None, :]
        )


def forward_kinematics(rig: Rig, pose: Pose) -> dict[str, Bone]:
    """World bones in character units, the lowest point of the body (feet, or a knee, hips, back)
    resting on the ground line (y = 0); the root turns by the pose's `tilt` channel."""
    bones: dict[str, Bone] = {}
    for j in rig.joints:
        rel = float(pose.joints.get(j.name, j.rest))
        if j.parent is None:
            bones[j.name] = Bone(np.zeros(2), rel + float(pose.face.get(TILT_KEY, 0.0)), j.length)
            continue
        p = bones[j.parent]
        start = p.to_world(np.array([j.attach[0]]), np.array([j.attach[1]]))[0]
        bones[j.name] = Bone(start, p.angle + rel, j.length)
    if rig.contacts:
        # Plant the lowest foot: bent knees lower the hips rather than pushing the feet underground.
        # Nothing else sinks either: a kneeling knee, a seat on the floor or a lying body rests on it
        # (only hair and tails drape). Plain floats: this runs for every drawing of every frame.
        lowest = math.inf
        for k, b in bones.items():
            if k not in _DRAPES:
                y0 = float(b.start[1])
                lowest = min(lowest, y0, y0 + b.length * math.cos(math.radians(b.angle)))
        lift = np.array([0.0, rig.ground_clearance - lowest])
        bones = {k: Bone(b.start + lift, b.angle, b.length) for k, b in bones.items()}
    return bones

