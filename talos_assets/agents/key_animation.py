"""Axis: character rigs, the emotion pose library, key poses for a shot, and anti-aliased line art.

A character is data: a YAML rig (`talos_assets/data/characters/<name>.yaml`) with a 2D skeleton
(joints with a parent, a bone length as a fraction of the character's height, a rest angle and
angle limits) and vector body parts (ellipses, tapered capsules, polygons) expressed in the space of
the bone they ride on, each carrying a semantic region (`REGION_NAMES`). Poses are forward
kinematics over relative joint angles (0 deg = up, positive = toward the direction the character
faces), with the feet planted on the ground line so a crouch lowers the hips instead of sinking the
feet. Key poses follow pose-to-pose key animation as taught in Williams' *The Animator's Survival
Kit* and Thomas & Johnston's twelve principles: a readable start, an anticipation that winds up
against the action, an exaggerated extreme (scaled by the shot's arousal) and a settle, with a small
step so the body moves through space. Emotion poses are a hand-authored library of body attitude
(lean, head carriage, arm shapes, stance) and face (brows, lids, mouth) per named emotion, pushed
further from rest as arousal rises and clamped to the rig's joint limits. The line art is drawn
painter's-order with OpenCV (LINE_AA, 4-bit sub-pixel `shift`, weights proportional to frame
height; frames under 720 lines are drawn supersampled and area-averaged so a small frame is the
same drawing as a large one): every part is a closed outline that first erases what it covers, so
the drawing is made of closed regions a colourist can flood-fill, and the silhouette gets a heavier
outer line than the inner construction lines.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from talos_assets.spec import REGION_NAMES, Emotion, KeyPose, Pose, ShotPlan, ShotSize

CHARACTERS_DIR = Path(__file__).resolve().parent.parent / "data" / "characters"

# A character at pose.scale 1 and rig height 1 stands this tall, as a fraction of frame height.
CHARACTER_HEIGHT = 0.55
# Sub-pixel precision for OpenCV drawing: coordinates are passed as fixed point with 4 fraction bits.
SHIFT = 4
_ONE = 1 << SHIFT

# Face channels, their neutral value and the range the drawing understands.
FACE_REST: dict[str, float] = {
    "brow_raise": 0.0,  # -1 lowered (glare) .. 1 raised (surprise)
    "brow_tilt": 0.0,  # -1 inner ends down (anger) .. 1 inner ends up (worry, sadness)
    "eye_open": 1.0,  # 0 shut .. 1.6 wide
    "mouth_curve": 0.1,  # -1 frown .. 1 smile
    "mouth_open": 0.0,  # 0 closed .. 1 wide open
}
FACE_RANGE: dict[str, tuple[float, float]] = {
    "brow_raise": (-1.0, 1.0),
    "brow_tilt": (-1.0, 1.0),
    "eye_open": (0.0, 1.6),
    "mouth_curve": (-1.0, 1.0),
    "mouth_open": (0.0, 1.0),
}
# Pose has no facing field, so the facing (+1 toward +x, -1 mirrored) rides in the face channels.
FACING_KEY = "facing"


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


class PartSpec(BaseModel):
    """A vector body part in bone space: 'along' is a fraction of the bone, sizes/'across' are heights."""

    model_config = ConfigDict(extra="forbid")
    name: str
    bone: str
    shape: Literal["ellipse", "capsule", "polygon"]
    region: str
    center: tuple[float, float] = (0.5, 0.0)  # ellipse centre (along fraction, across)
    radii: tuple[float, float] = (0.05, 0.05)  # ellipse radii (along, across)
    rotation: float = 0.0  # ellipse rotation in bone space, degrees
    span: tuple[float, float] = (0.0, 1.0)  # capsule end centres, fractions along the bone
    width: tuple[float, float] = (0.03, 0.03)  # capsule radii at the two ends
    points: list[tuple[float, float]] = Field(default_factory=list)  # polygon (along fraction, across)
    smooth: int = Field(0, ge=0, le=4, description="Chaikin corner-cutting passes for polygons")

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        if v not in REGION_NAMES[1:]:
            raise ValueError(f"region '{v}' is not one of {list(REGION_NAMES[1:])}")
        return v

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
    """A character: skeleton, parts in draw order, face and line weights."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    height: float = Field(1.0, gt=0.0, le=2.0, description="height relative to the studio's standard character")
    contacts: list[str] = Field(default_factory=list, description="bones whose ends rest on the ground")
    ground_clearance: float = 0.015
    joints: list[JointSpec]
    parts: list[PartSpec]
    face: FaceSpec
    lines: LineWeights = Field(default_factory=LineWeights)

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


def available_characters() -> list[str]:
    """Names of the character rigs shipped in talos_assets/data/characters."""
    return sorted(p.stem for p in CHARACTERS_DIR.glob("*.yaml"))


@lru_cache(maxsize=32)
def _load_rig_cached(name: str) -> Rig:
    path = CHARACTERS_DIR / f"{name}.yaml"
    with path.open("r", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"character file {path.name} is not a mapping")
    data.setdefault("name", name)
    return Rig.model_validate(data)


def load_rig(name: str) -> Rig:
    """Load and validate a character rig by name; an unknown name lists the available ones."""
    available = available_characters()
    if name not in available:
        raise ValueError(f"unknown character '{name}'; available characters: {', '.join(available) or 'none'}")
    # Rigs are cached; hand out copies so callers can't mutate the shared one.
    return _load_rig_cached(name).model_copy(deep=True)


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
    """World bones in character units, with the contact bones resting on the ground line (y = 0)."""
    bones: dict[str, Bone] = {}
    for j in rig.joints:
        rel = float(pose.joints.get(j.name, j.rest))
        if j.parent is None:
            bones[j.name] = Bone(np.zeros(2), rel, j.length)
            continue
        p = bones[j.parent]
        start = p.to_world(np.array([j.attach[0]]), np.array([j.attach[1]]))[0]
        bones[j.name] = Bone(start, p.angle + rel, j.length)
    if rig.contacts:
        # Plant the lowest foot: bent knees lower the hips rather than pushing the feet underground.
        ends = [bones[c].to_world(np.array([0.0, 1.0]), np.zeros(2))[:, 1] for c in rig.contacts]
        lift = rig.ground_clearance - float(np.min(np.concatenate(ends)))
        bones = {k: Bone(b.start + np.array([0.0, lift]), b.angle, b.length) for k, b in bones.items()}
    return bones


# ---- emotion pose library ---------------------------------------------------------------------

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


def _emotion_pose_gain(rig: Rig, emotion: Emotion, gain: float, root_x: float, facing: int) -> Pose:
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
    return _emotion_pose_gain(rig, emotion, arousal_gain(arousal), root_x, facing)


def pose_distance(a: Pose, b: Pose) -> float:
    """Mean absolute joint-angle difference over the joints both poses set (degrees)."""
    common = sorted(set(a.joints) & set(b.joints))
    if not common:
        return 0.0
    return float(np.mean([abs(a.joints[k] - b.joints[k]) for k in common]))


# ---- key poses for a shot ---------------------------------------------------------------------

# Staging per shot size: (pose scale, ground line as a fraction of frame height).
SHOT_STAGING: dict[ShotSize, tuple[float, float]] = {
    ShotSize.establishing: (0.7, 0.80),
    ShotSize.wide: (0.85, 0.82),
    ShotSize.medium: (1.0, 0.84),
    ShotSize.close_up: (1.35, 1.0),
    ShotSize.insert: (1.2, 0.95),
}
# Which way the step goes relative to facing: approach (+1) or recoil (-1), and its size factor.
STEP_DIRECTION: dict[Emotion, tuple[int, float]] = {
    Emotion.joy: (1, 0.8),
    Emotion.sadness: (-1, 0.35),
    Emotion.anger: (1, 1.0),
    Emotion.fear: (-1, 1.0),
    Emotion.surprise: (-1, 0.7),
    Emotion.calm: (1, 0.4),
    Emotion.determination: (1, 1.0),
    Emotion.awe: (1, 0.5),
}


def _blend(a: Pose, b: Pose, t: float) -> Pose:
    """Linear blend of joint/face channels (used to build keys, not to inbetween them)."""
    joints = {k: a.joints[k] + t * (b.joints.get(k, a.joints[k]) - a.joints[k]) for k in a.joints}
    face = {k: a.face[k] + t * (b.face.get(k, a.face[k]) - a.face[k]) for k in a.face}
    face[FACING_KEY] = a.face.get(FACING_KEY, 1.0)
    return a.model_copy(update={"joints": joints, "face": face})


def _stage_positions(n: int, rng: np.random.Generator) -> list[float]:
    if n == 1:
        return [0.5 + float(rng.uniform(-0.06, 0.06))]
    spread = min(0.62, 0.3 * (n - 1))
    return [float(x) for x in np.linspace(0.5 - spread / 2, 0.5 + spread / 2, n)]


def plan_key_poses(shot: ShotPlan) -> list[KeyPose]:
    """Key poses for every character of the shot: start, anticipation, extreme, settle (sorted by frame).

    Characters are spread across the stage facing its centre; a name listed twice is staged once
    (keys are per character name). Timing and small variations come from `shot.seed`.
    """
    characters = list(dict.fromkeys(shot.characters))
    total = max(1, shot.total_frames)
    last = total - 1
    scale, ground = SHOT_STAGING.get(shot.shot_size, (1.0, 0.84))
    stage_rng = np.random.default_rng([shot.seed, 7])
    xs = _stage_positions(len(characters), stage_rng)
    keys: list[KeyPose] = []
    for i, (name, x0) in enumerate(zip(characters, xs)):
        rig = load_rig(name)
        rng = np.random.default_rng([shot.seed, zlib.crc32(name.encode()), i])
        if abs(x0 - 0.5) > 1e-6:
            facing = 1 if x0 < 0.5 else -1  # face the middle of the stage / the other characters
        else:
            facing = 1 if rng.random() < 0.5 else -1
        gain = arousal_gain(shot.arousal)
        direction, size = STEP_DIRECTION[shot.emotion]
        step = facing * direction * size * (0.035 + 0.045 * gain)

        rest = rig.rest_pose(x0, ground, facing)
        settle = _emotion_pose_gain(rig, shot.emotion, gain, x0 + step, facing)
        push = min(1.3, gain * float(rng.uniform(1.15, 1.3)))  # the extreme overshoots the settle
        extreme = _emotion_pose_gain(rig, shot.emotion, push, x0 + step, facing)
        start = _blend(rest, settle, 0.25)

        # Anticipation: wind up against the extreme, sink into the knees, lean back from the step.
        antic = _blend(start, extreme, -0.35)
        crouch = 0.6 + 0.6 * gain
        lean_back = -8.0 * direction * size
        aj = dict(antic.joints)
        for jname, d in (("l_hip", -12), ("r_hip", -14), ("l_knee", 26), ("r_knee", 28), ("l_ankle", -10),
                         ("r_ankle", -10), ("spine", lean_back), ("chest", 4)):
            if jname in aj:
                aj[jname] += crouch * d
        af = dict(antic.face)
        af["eye_open"] = af["eye_open"] * 0.8  # the squeeze before the take
        af["brow_raise"] = af["brow_raise"] - 0.25
        antic = antic.model_copy(update={"joints": aj, "face": af, "root_x": x0 - 0.15 * step})

        # Extreme: a stride, near thigh forward, far thigh behind (the step happens into this key;
        # the same open stance reads for a step back, crossing the legs would not).
        ej = dict(extreme.joints)
        for jname, d in (("r_hip", -18), ("l_hip", 14), ("r_knee", 10), ("l_knee", 16)):
            if jname in ej:
                ej[jname] += d
        extreme = extreme.model_copy(update={"joints": ej})

        poses = [start, antic, extreme, settle]
        for p in poses:
            p.root_y, p.scale = ground, scale
        poses = [rig.clamp(p) for p in poses]

        # Timing: anticipation ~1/4 in, extreme ~1/2, with a seeded jitter and a stagger per character
        # so several characters overlap instead of moving in unison.
        delay = 3 * i
        f_antic = round(0.22 * last) + delay + int(rng.integers(-1, 2))
        f_ext = round(0.5 * last) + delay + int(rng.integers(-2, 3))
        frames = [0, f_antic, f_ext, last]
        # Slow out of the start, accelerate out of the anticipation into the extreme (the hit), then
        # ease out of the overshoot into the settle.
        easings = ["ease-in-out", "ease-in", "ease-in-out", "ease-in-out"]
        by_frame: dict[int, tuple[Pose, str]] = {}
        for f, p, e in zip(frames, poses, easings):
            f = int(np.clip(f, 0, last))
            by_frame[f] = (p, e)  # collisions on tiny shots: the later (stronger) key wins
        for f in sorted(by_frame):
            p, e = by_frame[f]
            keys.append(KeyPose(frame=f, character=name, pose=p, easing=e))  # type: ignore[arg-type]
    keys.sort(key=lambda k: (k.frame, characters.index(k.character)))
    return keys


# ---- line art -------------------------------------------------------------------------------


@dataclass
class LineArt:
    """One drawing: ink coverage, the region hint map (index into REGION_NAMES), the silhouette."""

    line: np.ndarray  # float32 (H, W) in [0, 1]
    regions: np.ndarray  # uint8 (H, W)
    silhouette: np.ndarray  # bool (H, W)


def _chaikin(points: np.ndarray, passes: int) -> np.ndarray:
    for _ in range(passes):
        nxt = np.roll(points, -1, axis=0)
        points = np.stack([0.75 * points + 0.25 * nxt, 0.25 * points + 0.75 * nxt], axis=1).reshape(-1, 2)
    return points


def _part_outline(part: PartSpec, bone: Bone, segments: int) -> np.ndarray:
    """Closed outline of a part in character space, (N, 2)."""
    if part.shape == "ellipse":
        t = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
        r = math.radians(part.rotation)
        a, c = part.radii[0] * np.cos(t), part.radii[1] * np.sin(t)
        along = part.center[0] * bone.length + a * math.cos(r) - c * math.sin(r)
        across = part.center[1] + a * math.sin(r) + c * math.cos(r)
        return bone.to_world(along / bone.length, across)
    if part.shape == "capsule":
        a0, a1 = part.span[0] * bone.length, part.span[1] * bone.length
        r0, r1 = part.width
        half = max(4, segments // 2)
        # Two half-discs joined by straight flanks: a round-ended, possibly tapered limb.
        t0 = np.linspace(np.pi / 2, 3 * np.pi / 2, half)  # cap behind the start
        t1 = np.linspace(-np.pi / 2, np.pi / 2, half)  # cap beyond the end
        along = np.concatenate([a0 + r0 * np.cos(t0), a1 + r1 * np.cos(t1)])
        across = np.concatenate([-r0 * np.sin(t0), -r1 * np.sin(t1)])
        return bone.to_world(along / bone.length, across)
    pts = np.asarray(part.points, dtype=np.float64)
    pts = _chaikin(pts, part.smooth)
    return bone.to_world(pts[:, 0], pts[:, 1])


@dataclass
class _Canvas:
    ink: np.ndarray  # uint8 coverage
    regions: np.ndarray  # uint8 labels
    union: np.ndarray  # uint8 AA coverage of the current character
    thick: np.ndarray  # uint8 heavy outlines of the current character


def _fixed(points_px: np.ndarray) -> np.ndarray:
    return np.round(points_px * _ONE).astype(np.int32).reshape(-1, 1, 2)


def _draw_face(rig: Rig, pose: Pose, bone: Bone, to_px, canvas: _Canvas, inner: int) -> None:
    """Eyes (closed outlines over the 'eye' region), pupils, brows and mouth as ink, in head space."""
    fs = rig.face
    f = {k: float(pose.face.get(k, v)) for k, v in FACE_REST.items()}
    eye_idx = REGION_NAMES.index("eye")
    L = bone.length
    c_along, c_across = fs.center[0] * L, fs.center[1]
    rx, ry = fs.eye_size
    t = np.linspace(0.0, 2 * np.pi, 28, endpoint=False)
    open_ = max(0.0, f["eye_open"])
    for side in (-1.0, 1.0):
        ex = c_across + side * fs.eye_spacing / 2
        if open_ < 0.18:
            # Shut lids read as a soft downward curve, not as a region.
            u = np.linspace(-1, 1, 9)
            pts = to_px(bone.to_world((c_along - 0.3 * ry * (1 - u**2)) / L, ex + rx * u))
            cv2.polylines(canvas.ink, [_fixed(pts)], False, 255, inner, cv2.LINE_AA, SHIFT)
        else:
            pts = to_px(bone.to_world((c_along + ry * open_ * np.sin(t)) / L, ex + rx * np.cos(t)))
            fx = _fixed(pts)
            cv2.fillPoly(canvas.ink, [fx], 0, cv2.LINE_AA, SHIFT)
            cv2.fillPoly(canvas.regions, [fx], eye_idx, cv2.LINE_8, SHIFT)
            cv2.polylines(canvas.ink, [fx], True, 255, inner, cv2.LINE_AA, SHIFT)
            if fs.pupils:
                pr = 0.5 * min(rx, ry * open_)
                p_along = c_along - 0.15 * ry * open_ + pr * np.sin(t)
                pts = to_px(bone.to_world(p_along / L, ex + 0.25 * rx + pr * np.cos(t)))
                cv2.fillPoly(canvas.ink, [_fixed(pts)], 255, cv2.LINE_AA, SHIFT)
        # Brow: height follows the lid and brow_raise, its inner end tilts with brow_tilt.
        b_along = c_along + ry * max(open_, 0.7) + fs.brow_gap + 0.4 * fs.brow_gap * f["brow_raise"]
        u = np.array([-0.5, 0.0, 0.5])
        across = ex + u * fs.brow_length
        inner_end = -side * u  # +0.5 at the end nearer the face centre
        along = b_along + fs.brow_gap * (0.6 * f["brow_tilt"] * inner_end + 0.15 * (1 - 4 * u**2))
        pts = to_px(bone.to_world(along / L, across))
        cv2.polylines(canvas.ink, [_fixed(pts)], False, 255, inner, cv2.LINE_AA, SHIFT)
    # Mouth: a parabola whose corners rise with mouth_curve; opened, a solid ink shape.
    u = np.linspace(-0.5, 0.5, 11)
    m_along = fs.mouth_along * L
    k = 0.35 * fs.mouth_width
    upper = m_along + f["mouth_curve"] * k * (4 * u**2 - 0.5)
    across = c_across + u * fs.mouth_width
    if f["mouth_open"] > 0.08:
        lower = upper - f["mouth_open"] * 0.6 * fs.mouth_width * (1 - 4 * u**2)
        ring = np.concatenate([bone.to_world(upper / L, across), bone.to_world(lower[::-1] / L, across[::-1])])
        cv2.fillPoly(canvas.ink, [_fixed(to_px(ring))], 255, cv2.LINE_AA, SHIFT)
        cv2.polylines(canvas.ink, [_fixed(to_px(ring))], True, 255, inner, cv2.LINE_AA, SHIFT)
    else:
        pts = to_px(bone.to_world(upper / L, across))
        cv2.polylines(canvas.ink, [_fixed(pts)], False, 255, inner, cv2.LINE_AA, SHIFT)


def line_widths(rig: Rig, height: int) -> tuple[float, float]:
    """(inner, silhouette) line widths in output pixels: proportional to frame height, never below min_px."""
    inner = max(rig.lines.min_px, rig.lines.inner * height)
    sil = max(1.5 * inner, rig.lines.silhouette * height)
    return inner, sil


def _cv_thickness(width_px: float) -> int:
    """OpenCV `thickness` whose anti-aliased stroke is closest to `width_px` wide.

    A LINE_AA stroke of thickness t covers about 2*floor(t/2) + 1.6 px (1.4 px for t = 1; measured
    by integrating coverage across the stroke), so only even thicknesses are worth asking for.
    """
    if width_px < 2.5:
        return 1
    return 2 * max(1, int(round((width_px - 1.6) / 2.0)))


# Small frames are drawn supersampled and area-averaged, so sub-pixel line widths and positions come
# out as the same drawing as a large frame, only sampled coarser.
SUPERSAMPLE_TARGET_HEIGHT = 720
MAX_SUPERSAMPLE = 4
INK_KEEP = 0.6  # coverage kept on output pixels a stroke core crosses (Chroma reads >= 0.5 as ink)


def draw_line_art(rigs_and_poses: list[tuple[Rig, Pose]], width: int, height: int) -> LineArt:
    """Draw characters (later ones in front) as anti-aliased closed-outline line art with region hints."""
    if width <= 0 or height <= 0:
        raise ValueError(f"cannot draw at {width}x{height}")
    ss = int(np.clip(math.ceil(SUPERSAMPLE_TARGET_HEIGHT / height), 1, MAX_SUPERSAMPLE))
    W, H = width * ss, height * ss
    canvas = _Canvas(
        ink=np.zeros((H, W), np.uint8),
        regions=np.zeros((H, W), np.uint8),
        union=np.zeros((H, W), np.uint8),
        thick=np.zeros((H, W), np.uint8),
    )
    covered = np.zeros((H, W), np.uint8)
    for rig, pose in rigs_and_poses:
        bones = forward_kinematics(rig, pose)
        facing = 1.0 if pose.face.get(FACING_KEY, 1.0) >= 0 else -1.0
        char_px = CHARACTER_HEIGHT * H * rig.height * pose.scale
        ox, oy = pose.root_x * W, pose.root_y * H

        def to_px(p: np.ndarray, _ox=ox, _oy=oy, _s=char_px, _f=facing) -> np.ndarray:
            return np.stack([_ox + _f * _s * p[:, 0], _oy - _s * p[:, 1]], axis=1)

        inner_out, sil_out = line_widths(rig, height)
        inner, sil = _cv_thickness(inner_out * ss), _cv_thickness(sil_out * ss)
        canvas.union[:] = 0
        canvas.thick[:] = 0
        for part in rig.parts:
            bone = bones[part.bone]
            # Enough vertices that a curve stays smooth at this size (about one per 3 px of outline).
            size_px = char_px * max(part.radii + part.width + (bone.length,))
            segments = int(np.clip(size_px, 16, 72))
            fx = _fixed(to_px(_part_outline(part, bone, segments)))
            # Painter's order: erase what this part covers, then ink its closed outline.
            cv2.fillPoly(canvas.ink, [fx], 0, cv2.LINE_AA, SHIFT)
            cv2.fillPoly(canvas.regions, [fx], REGION_NAMES.index(part.region), cv2.LINE_8, SHIFT)
            cv2.polylines(canvas.ink, [fx], True, 255, inner, cv2.LINE_AA, SHIFT)
            cv2.fillPoly(canvas.union, [fx], 255, cv2.LINE_AA, SHIFT)
            cv2.polylines(canvas.thick, [fx], True, 255, sil, cv2.LINE_AA, SHIFT)
            if part.name == rig.face.after_part:
                _draw_face(rig, pose, bones[rig.face.bone], to_px, canvas, inner)
        # Silhouette weight: keep only the outer half of the heavy outlines (outside the body's
        # union), so outer edges get inner/2 + sil/2 while overlapping inner edges stay thin.
        outer = canvas.thick.astype(np.uint16) * (255 - canvas.union.astype(np.uint16)) // 255
        np.maximum(canvas.ink, outer.astype(np.uint8), out=canvas.ink)
        np.maximum(covered, canvas.union, out=covered)
    line = canvas.ink.astype(np.float32) * np.float32(1.0 / 255.0)
    cover = covered.astype(np.float32) * np.float32(1.0 / 255.0)
    regions = canvas.regions
    if ss > 1:
        # Area-average for anti-aliasing, but every output pixel a stroke core passes through stays
        # ink (>= INK_KEEP): a connected stroke crosses a 4-connected chain of blocks, so outlines
        # thinner than a pixel still close their regions for a flood fill at ink < 0.5.
        core = (canvas.ink >= 250).astype(np.float32)
        hit = cv2.resize(core, (width, height), interpolation=cv2.INTER_AREA) > 0
        line = cv2.resize(line, (width, height), interpolation=cv2.INTER_AREA)
        line = np.where(hit, np.maximum(line, INK_KEEP), line)
        cover = cv2.resize(cover, (width, height), interpolation=cv2.INTER_AREA)
        # Region hints are labels: take the sample at the centre of each output pixel, never a mean.
        regions = np.ascontiguousarray(regions[ss // 2 :: ss, ss // 2 :: ss][:height, :width])
    return LineArt(line=np.clip(line, 0.0, 1.0), regions=regions, silhouette=cover >= 0.5)
