"""Axis: character rigs, the emotion pose library, key poses for a shot, and anti-aliased line art.

A character is data: a YAML rig (`talos_assets/data/characters/<name>.yaml`) with a 2D skeleton
(joints with a parent, a bone length as a fraction of the character's height, a rest angle and angle
limits) and vector body parts (ellipses, tapered capsules, polygons) expressed in the space of the
bone they ride on, each carrying a semantic region (`REGION_NAMES`). Poses are forward kinematics
over relative joint angles (0 deg = up, positive = toward the direction the character faces), with
the feet planted on the ground line so a crouch lowers the hips instead of sinking the feet. Rigs
are looked up in the user folders (TALOS_CHARACTERS, `$TALOS_HOME/characters`) before the built-ins,
and a broken file is reported in one sentence naming the file and the field. Key poses follow pose-
to-pose key animation as taught in Williams' *The Animator's Survival Kit* and Thomas & Johnston's
twelve principles: a readable start, an anticipation that winds up against the action, an
exaggerated extreme (scaled by the shot's arousal) and a settle, with a small step so the body moves
through space. Simple actions are pose sequences too (`action_keys`): the walk and run cycles use
Williams' four positions per step (contact, down, passing, up) with the root travelling one heel gap
per step and the arms counter-swinging; a turn passes through front-ish keys (the side view squeezed
in x); reach, wave and fall are anticipation / action / follow-through sequences. `plan_key_poses`
picks the action from the shot description's keywords and falls back to the emotion gesture. Emotion
poses are a hand-authored library of body attitude (lean, head carriage, arm shapes, stance) and
face (brows, lids, mouth) per named emotion, pushed further from rest as arousal rises and clamped
to the rig's joint limits. The line art is drawn painter's-order with OpenCV (LINE_AA, 4-bit sub-
pixel `shift`, weights proportional to frame height; frames under ~1440 lines are drawn supersampled
within a pixel budget and area-averaged so a small frame is the same drawing as a large one; each
character is replayed from a display list inside its own bounding box, which is what makes 4K
cheap): every part is a closed outline that first erases what it covers, so the drawing is made of
closed regions a colourist can flood-fill, and the silhouette gets a heavier outer line than the
inner construction lines.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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


def character_dirs() -> list[Path]:
    """Folders searched for `<name>.yaml` rigs, first match wins.

    User folders come first so a studio can override a built-in character or add its own: every
    folder in TALOS_CHARACTERS (os.pathsep-separated), then `$TALOS_HOME/characters` (TALOS_HOME
    defaults to `.talos` like the rest of the studio), then the rigs shipped with the package.
    """
    dirs: list[Path] = []
    for entry in os.environ.get("TALOS_CHARACTERS", "").split(os.pathsep):
        if entry.strip():
            dirs.append(Path(entry).expanduser())
    dirs.append(Path(os.environ.get("TALOS_HOME", ".talos")).expanduser() / "characters")
    dirs.append(CHARACTERS_DIR)
    seen: list[Path] = []
    for d in dirs:
        d = d.resolve()
        if d not in seen:
            seen.append(d)
    return seen


def character_paths() -> dict[str, Path]:
    """Every available character name and the rig file that defines it (user folders shadow built-ins)."""
    found: dict[str, Path] = {}
    for d in character_dirs():
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                found.setdefault(p.stem, p)
    return found


def available_characters() -> list[str]:
    """Names of the character rigs in the user folders and the built-in talos_assets/data/characters."""
    return sorted(character_paths())


def _field_name(loc: tuple, data: object) -> str:
    """'joints[3] (l_knee).length' from a pydantic error location, naming list items when they have a name."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "the top level"


def rig_from_file(path: Path | str) -> Rig:
    """Load and validate one rig file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"character file {path} cannot be read ({exc.strerror or exc}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"character file {path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(data, dict):
        raise ValueError(f"character file {path} must be a YAML mapping with joints, parts and face, not {type(data).__name__}.")
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        # Stories name characters by file name; a different inner name would silently split the two.
        raise ValueError(f"character file {path}: field 'name' is '{data['name']}' but must match the file name '{path.stem}'.")
    try:
        return Rig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_name(tuple(first.get("loc", ())), data)
        msg = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
        more = f" (and {exc.error_count() - 1} more problem{'s' if exc.error_count() > 2 else ''})" if exc.error_count() > 1 else ""
        raise ValueError(f"character file {path}: field '{field}': {msg}{more}.") from None


@lru_cache(maxsize=64)
def _load_rig_cached(path: str, mtime_ns: int) -> Rig:
    # Keyed on the modification time, so an edited user rig is re-read without restarting.
    return rig_from_file(Path(path))


def load_rig(name: str) -> Rig:
    """Load and validate a character rig by name; an unknown name lists the available ones."""
    paths = character_paths()
    if name not in paths:
        raise ValueError(f"unknown character '{name}'; available characters: {', '.join(sorted(paths)) or 'none'}")
    path = paths[name]
    # Rigs are cached; hand out copies so callers can't mutate the shared one.
    return _load_rig_cached(str(path), path.stat().st_mtime_ns).model_copy(deep=True)


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


def _gesture_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
                  arousal: float, root_y: float, scale: float, rng: np.random.Generator, delay: int = 0) -> list[KeyPose]:
    """The emotion gesture: start, anticipation, extreme, settle, with a small step (the default action)."""
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    direction, size = STEP_DIRECTION[emotion]
    step = facing * direction * size * (0.035 + 0.045 * gain)

    rest = rig.rest_pose(x0, root_y, facing)
    settle = _emotion_pose_gain(rig, emotion, gain, x0 + step, facing)
    push = min(1.3, gain * float(rng.uniform(1.15, 1.3)))  # the extreme overshoots the settle
    extreme = _emotion_pose_gain(rig, emotion, push, x0 + step, facing)
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
        p.root_y, p.scale = root_y, scale
    poses = [rig.clamp(p) for p in poses]

    # Timing: anticipation ~1/4 in, extreme ~1/2, with a seeded jitter and a per-character delay so
    # several characters overlap instead of moving in unison.
    f_antic = round(0.22 * last) + delay + int(rng.integers(-1, 2))
    f_ext = round(0.5 * last) + delay + int(rng.integers(-2, 3))
    frames = [0, f_antic, f_ext, last]
    # Slow out of the start, accelerate out of the anticipation into the extreme (the hit), then
    # ease out of the overshoot into the settle.
    easings = ["ease-in-out", "ease-in", "ease-in-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _keys_from(rig: Rig, start_frame: int, last: int, frames: list[int], poses: list[Pose],
               easings: list[str]) -> list[KeyPose]:
    """KeyPoses at start_frame + frame, frames clipped into the action; a later key wins a collision."""
    by_frame: dict[int, tuple[Pose, str]] = {}
    for f, p, e in zip(frames, poses, easings):
        by_frame[int(np.clip(f, 0, last))] = (rig.clamp(p), e)  # tiny actions: the later (stronger) key wins
    return [KeyPose(frame=start_frame + f, character=rig.name, pose=by_frame[f][0], easing=by_frame[f][1])  # type: ignore[arg-type]
            for f in sorted(by_frame)]


def _offset(pose: Pose, **deltas: float) -> Pose:
    """The pose with joint angles moved by `deltas` (joints the rig lacks are skipped)."""
    joints = dict(pose.joints)
    for k, d in deltas.items():
        if k in joints:
            joints[k] += d
    return pose.model_copy(update={"joints": joints, "face": dict(pose.face)})


def _attitude(rig: Rig, emotion: Emotion, gain: float, x: float, facing: int, body: float,
              arms: float | None = None) -> Pose:
    """Rest legs, the emotion's face, its torso/head attitude at `body` and arm shape at `arms` strength."""
    full = _emotion_pose_gain(rig, emotion, gain, x, facing)
    rest = rig.rest_pose(x, facing=facing)
    joints = dict(rest.joints)
    arms = body if arms is None else arms
    for k in ("spine", "chest", "neck", "head", "hair", "tail", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow"):
        if k in joints:
            w = arms if k[1:] in ("_shoulder", "_elbow") else body
            joints[k] = rest.joints[k] + w * (full.joints[k] - rest.joints[k])
    return rest.model_copy(update={"joints": joints, "face": dict(full.face)})


def _from_rest(rig: Rig, pose: Pose, **offsets: float) -> Pose:
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
    p = _offset(pose, l_shoulder=35, r_shoulder=-35, l_elbow=-10, r_elbow=-10, l_hip=9, r_hip=-9, hair=0)
    p.face[FACING_KEY] = FRONT_VIEW * (1.0 if side >= 0 else -1.0)
    return rig.clamp(p)


def _leg(side: str, hip: float, knee: float, ankle: float) -> dict[str, float]:
    return {f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle}


# Williams' four walk positions per step, as (lead leg, trail leg) offsets from rest: (hip, knee,
# ankle) in units of the stride angle A for the hip and degrees for knee / ankle. Contact: heel
# down in front, toe pushing off behind; down: the weight lands, knees give, the body is lowest;
# passing: the free leg swings by, knee high, under a straight support leg; up: the support leg
# pushes the body to its highest point as the free leg reaches forward for the next contact.
WALK_PHASES: tuple[tuple[str, tuple[float, float, float], tuple[float, float, float]], ...] = (
    ("contact", (-1.0, 3.0, -12.0), (0.8, 14.0, 25.0)),
    ("down", (-0.7, 26.0, -6.0), (0.6, 45.0, 30.0)),
    ("passing", (-0.1, 8.0, -4.0), (-0.3, 1.0, -8.0)),  # trail knee scaled by the gait's knee lift
    ("up", (0.5, 0.0, 18.0), (-0.9, 28.0, -10.0)),
)


def _walk_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, aspect: float, rng: np.random.Generator,
               run: bool) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    a = float(np.clip(arousal, -1, 1))
    # Gait from the emotion's energy: a brisk walk is on 8s-10s, a heavy one on 16s (frames per
    # step at 24 fps, Williams); a run is on 4s-6s with a longer stride, more lean, higher knees.
    if run:
        step_frames = int(np.clip(round(6 - 1.5 * a), 4, 8))
        stride, knee_lift, lean = 34.0 + 8.0 * gain, 95.0, 14.0
    else:
        step_frames = int(np.clip(round(12 - 4 * a), 8, 16))
        stride, knee_lift, lean = 18.0 + 10.0 * gain, 55.0, 3.0
    stride *= float(rng.uniform(0.95, 1.05))
    base = _attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.1)
    base = _offset(base, spine=lean, neck=-0.4 * lean)

    def phase_pose(phase: int, lead: str) -> Pose:
        name, lead_off, trail_off = WALK_PHASES[phase]
        trail = "r" if lead == "l" else "l"
        deltas: dict[str, float] = {}
        lh, lk, la = lead_off
        th, tk, ta = trail_off
        if name == "passing":
            tk = knee_lift
        deltas.update(_leg(lead, lh * stride, lk, la))
        deltas.update(_leg(trail, th * stride, tk, ta))
        # Arms counter-swing the legs: the arm opposite the lead leg comes forward (forward =
        # subtracting on both shoulders, see EMOTION_LIBRARY's sign notes), most at the contacts.
        swing = {"contact": 1.0, "down": 0.7, "passing": 0.0, "up": -0.4}[name] * (0.9 * stride)
        fwd_arm, back_arm = ("r", "l") if lead == "l" else ("l", "r")
        deltas[f"{fwd_arm}_shoulder"] = -swing
        deltas[f"{back_arm}_shoulder"] = swing
        deltas[f"{fwd_arm}_elbow"] = -abs(swing) * (1.2 if run else 0.5) - (60.0 if run else 0.0)
        deltas[f"{back_arm}_elbow"] = -(60.0 if run else 5.0)
        # The body dips on the down and rises on the up; the head counters the dip a little.
        bob = {"contact": 0.0, "down": 4.0, "passing": 0.0, "up": -2.0}[name]
        deltas["spine"] = bob
        deltas["head"] = -0.5 * bob
        return _offset(base, **deltas)

    # Root travel per step = the distance between the feet at contact, so the planted foot holds
    # its place on average instead of skating; converted from character heights to stage widths.
    bones = forward_kinematics(rig, phase_pose(0, "l"))
    heel_gap = abs(bones["l_ankle"].start[0] - bones["r_ankle"].start[0]) if "l_ankle" in bones else 0.25
    step_stage = heel_gap * CHARACTER_HEIGHT * rig.height * scale / aspect

    n_steps = max(1, (last - step_frames // 2) // step_frames)
    frames: list[int] = []
    poses: list[Pose] = []
    easings: list[str] = []
    for i in range(n_steps):
        lead = "l" if i % 2 == 0 else "r"
        for phase in range(4):
            f = i * step_frames + round(phase * step_frames / 4)
            p = phase_pose(phase, lead)
            p.root_x = x0 + facing * step_stage * (i + phase / 4)
            if run and phase == 3:
                p.root_y = root_y - 0.04 * scale * rig.height  # the flight phase: both feet off the ground
            else:
                p.root_y = root_y
            frames.append(f)
            poses.append(p)
            easings.append("linear")  # keep momentum through the cycle: no stop at every drawing
    # Stop: the trailing foot comes up beside the planted one and the body settles into the emotion.
    stop = _attitude(rig, emotion, gain, x0 + facing * step_stage * (n_steps + 0.5), facing, body=1.0)
    stop.root_y = root_y
    frames.append(last)
    poses.append(stop)
    easings[-1] = "ease-out"  # cushion into the stop
    easings.append("ease-in-out")
    for p in poses:
        p.scale = scale
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _turn_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    start = _attitude(rig, emotion, gain, x0, facing, body=0.6, arms=0.3)
    # Anticipation: dip and lead with the head (the eyes and head turn first, the body follows).
    antic = _offset(start, spine=5, l_knee=12, r_knee=12, l_hip=-6, r_hip=-6, head=10)
    # Front keys: the turn passes through a squeezed, front-ish view, first on the old side then
    # mirrored on the new side (the middle drawings of a classic 2D turn).
    front_a = front_view(rig, _attitude(rig, emotion, gain, x0, facing, body=0.3, arms=0.0), facing)
    front_b = front_view(rig, _attitude(rig, emotion, gain, x0, facing, body=0.3, arms=0.0), -facing)
    end = _attitude(rig, emotion, gain, x0, -facing, body=1.0)
    over = _offset(end, spine=-6, head=-8, hair=20, tail=20)  # overshoot, the hair and tail trail
    poses = [start, antic, front_a, front_b, over, end]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    j = int(rng.integers(-1, 2))
    frames = [0, round(0.2 * last) + j, round(0.42 * last), round(0.5 * last), round(0.72 * last) + j, last]
    easings = ["ease-in-out", "ease-in", "linear", "ease-out", "ease-in-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _reach_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
                arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    step = facing * (0.02 + 0.02 * gain)
    start = _attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.2)
    # Anticipation: draw the near arm back and lean away before the reach (Williams: every action
    # is preceded by a smaller one in the opposite direction).
    antic = _offset(_from_rest(rig, start, r_shoulder=25, r_elbow=-70, r_wrist=-15), spine=-6, l_knee=10,
                    r_knee=10)
    # Extreme: the arm overextends forward (a little above level) with the body behind it and a
    # step into the reach; the settle pulls back to level.
    extreme = _offset(_from_rest(rig, start, r_shoulder=-95 - 10 * gain, r_elbow=12, r_wrist=10, l_shoulder=25),
                      spine=12, chest=6, head=-6, l_hip=16, r_hip=-20, r_knee=12)
    extreme.root_x = x0 + step
    settle = _offset(_from_rest(rig, start, r_shoulder=-85, r_elbow=8, r_wrist=5, l_shoulder=15), spine=8, chest=4,
                     l_hip=12, r_hip=-14, r_knee=8)
    settle.root_x = x0 + step
    poses = [start, antic, extreme, settle]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    j = int(rng.integers(-1, 2))
    frames = [0, round(0.25 * last) + j, round(0.55 * last) + j, last]
    easings = ["ease-in-out", "ease-in", "ease-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _wave_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    start = _attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.2)
    raised = _offset(_from_rest(rig, start, r_shoulder=-150, r_elbow=-40), spine=-3, head=-4)
    out = _offset(raised, r_elbow=22, r_wrist=25)  # hand swings out (away from the head)
    back = _offset(raised, r_elbow=-25, r_wrist=-25)  # and back in
    # Waves back and forth between the raise (first ~20 %) and the lowering (last ~15 %), one swing
    # per half period; livelier emotions wave faster.
    t0, t1 = round(0.2 * last), round(0.85 * last)
    half = int(np.clip(round(5 - 2 * float(np.clip(arousal, -1, 1))), 3, 8))
    frames, poses, easings = [0, t0], [start, raised], ["ease-in-out", "ease-in-out"]
    f, k = t0 + half, 0
    while f < t1:
        frames.append(f)
        poses.append(out if k % 2 == 0 else back)
        easings.append("ease-in-out")
        f, k = f + half, k + 1
    frames.append(last)
    poses.append(_from_rest(rig, start, r_shoulder=-15, r_elbow=-20))
    easings.append("ease-in-out")
    poses = [p.model_copy(deep=True) for p in poses]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _fall_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    start = _attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.2)
    back = -facing * 0.03
    # Stumble: balance lost backward, arms flung out, a foot off the ground, head whipping forward.
    stumble = _offset(start, spine=-22, chest=-10, neck=12, head=15, l_shoulder=100, r_shoulder=-120,
                      l_elbow=-30, r_elbow=-40, r_hip=-35, r_knee=30, hair=30, tail=40)
    stumble.root_x = x0 + 0.5 * back
    stumble.face.update(eye_open=1.5, brow_raise=0.9, mouth_open=0.8, mouth_curve=-0.4)
    # Going down: the knees give, the body folds forward, the arms reach for the ground.
    going = _offset(start, l_hip=-55, r_hip=-60, l_knee=95, r_knee=100, spine=15, chest=10, head=10,
                    l_shoulder=-40, r_shoulder=-60, l_elbow=-20, r_elbow=-20, hair=-25)
    going.root_x = x0 + back
    going.face.update(eye_open=1.3, brow_raise=0.7, mouth_open=0.6)
    # Impact: the lowest, most squashed drawing; then a small rebound and the settle.
    impact = _offset(start, l_hip=-85, r_hip=-85, l_knee=140, r_knee=140, l_ankle=-30, r_ankle=-30, spine=40,
                     chest=25, neck=20, head=25, l_shoulder=-60, r_shoulder=-70, l_elbow=-10, r_elbow=-10,
                     hair=-40, tail=-40)
    impact.root_x = x0 + 1.1 * back
    impact.face.update(eye_open=0.15, brow_tilt=0.6, mouth_open=0.3, mouth_curve=-0.6)
    rebound = _offset(impact, spine=-12, chest=-8, head=-10, l_knee=-10, r_knee=-10)
    settle = _offset(impact, spine=-6, head=-15, neck=-10)
    settle.face.update(eye_open=0.6, brow_tilt=0.8, mouth_open=0.0, mouth_curve=-0.5)
    poses = [start, stumble, going, impact, rebound, settle]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    j = int(rng.integers(-1, 2))
    frames = [0, round(0.22 * last) + j, round(0.45 * last), round(0.62 * last) + j, round(0.72 * last), last]
    # Gravity: slow out of the stumble, accelerating into the impact (ease-in), cushion after.
    easings = ["ease-in-out", "ease-in-out", "ease-in", "ease-out", "ease-in-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


ACTIONS: tuple[str, ...] = ("gesture", "walk", "run", "turn", "reach", "wave", "fall")
# Keywords that name an action in a shot description (stems; the earliest mention wins).
ACTION_WORDS: tuple[tuple[str, str], ...] = (
    ("fall", r"fall|fell|collaps|stumbl|trip|faint|toppl|slump|tumbl"),
    ("run", r"run|ran\b|sprint|dash|rush|race|racing|flee|fled|charg"),
    ("walk", r"walk|step|stride|strode|march|stroll|wander|approach|pace|pacing|limp|trudg"),
    ("turn", r"turn|spin|spun|whirl|looks? back|pivot"),
    ("wave", r"wav|greet|hail|beckon"),
    ("reach", r"reach|point|grab|touch|offer|extend|grasp|lift"),
)
_ACTION_RE = [(a, re.compile(rf"\b(?:{w})", re.IGNORECASE)) for a, w in ACTION_WORDS]


def action_from_description(text: str) -> str:
    """The action a shot description names ('walk', 'run', 'turn', 'reach', 'wave', 'fall'), else 'gesture'."""
    hits = [(m.start(), a) for a, rx in _ACTION_RE if (m := rx.search(text or ""))]
    return min(hits)[1] if hits else "gesture"


def action_keys(rig: Rig, action: str, start_frame: int, n_frames: int, root_x: float, facing: int,
                emotion: Emotion, arousal: float, *, root_y: float = 0.75, scale: float = 1.0,
                aspect: float = 16 / 9, seed: int = 0) -> list[KeyPose]:
    """Key poses of one simple action for `rig`, over frames start_frame .. start_frame + n_frames - 1.

    Actions: 'gesture' (the emotion gesture: start, anticipation, extreme, settle), 'walk' / 'run'
    (Williams' contact, down, passing, up per step, root travelling one heel gap per step, then a
    stop), 'turn' (through front-ish keys to the other side), 'reach' (anticipation, overextended
    reach, settle), 'wave' (raise, swings, lower) and 'fall' (stumble, collapse, impact, rebound,
    settle). Emotion and arousal colour every action: gait tempo, attitude, face. `aspect` is the
    frame's width / height, used to turn stride lengths into stage fractions.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action '{action}'; actions: {', '.join(ACTIONS)}")
    if n_frames < 1:
        raise ValueError(f"an action needs at least 1 frame, got {n_frames}")
    emotion = Emotion(emotion)
    facing = 1 if facing >= 0 else -1
    rng = np.random.default_rng([seed, zlib.crc32(f"{rig.name}/{action}".encode())])
    args = (rig, start_frame, n_frames, root_x, facing, emotion, arousal, root_y, scale)
    if action == "gesture":
        return _gesture_keys(*args, rng)
    if action in ("walk", "run"):
        return _walk_keys(*args, aspect, rng, run=action == "run")
    return {"turn": _turn_keys, "reach": _reach_keys, "wave": _wave_keys, "fall": _fall_keys}[action](*args, rng)


def plan_key_poses(shot: ShotPlan) -> list[KeyPose]:
    """Key poses for every character of the shot on its action beats (sorted by frame).

    The action comes from the description's keywords (`action_from_description`): a walk or run
    crosses the stage toward where the character faces, a turn, a reach, a wave or a fall; with no
    action word, the emotion gesture (start, anticipation, extreme, settle). Characters are spread
    across the stage facing its centre; a name listed twice is staged once (keys are per character
    name). Timing and small variations come from `shot.seed`.
    """
    characters = list(dict.fromkeys(shot.characters))
    total = max(1, shot.total_frames)
    scale, ground = SHOT_STAGING.get(shot.shot_size, (1.0, 0.84))
    stage_rng = np.random.default_rng([shot.seed, 7])
    xs = _stage_positions(len(characters), stage_rng)
    action = action_from_description(shot.description)
    aspect = shot.width / max(1, shot.height)
    keys: list[KeyPose] = []
    for i, (name, x0) in enumerate(zip(characters, xs)):
        rig = load_rig(name)
        rng = np.random.default_rng([shot.seed, zlib.crc32(name.encode()), i])
        side = shot.screen_side.get(name)
        if len(characters) == 1 and side in ("left", "right"):
            facing = 1 if side == "left" else -1  # a single keeps looking toward the partner off screen
        elif len(characters) > 1 or abs(x0 - 0.5) > 1e-6:
            facing = 1 if x0 < 0.5 else -1  # face the middle of the stage / the other characters
        else:
            facing = 1 if rng.random() < 0.5 else -1
        if action == "gesture":
            mine = _gesture_keys(rig, 0, total, x0, facing, shot.emotion, shot.arousal, ground, scale, rng, 3 * i)
        else:
            mine = action_keys(rig, action, 0, total, x0, facing, shot.emotion, shot.arousal, root_y=ground,
                               scale=scale, aspect=aspect, seed=shot.seed + 1000 * i)
            if action in ("walk", "run"):
                # Centre the path on the character's mark so the walk crosses it, not leaves from it.
                shift = -(mine[-1].pose.root_x - mine[0].pose.root_x) / 2
                for k in mine:
                    k.pose.root_x += shift
        keys += mine
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


def _fixed(points_px: np.ndarray) -> np.ndarray:
    return np.round(points_px * _ONE).astype(np.int32).reshape(-1, 1, 2)


# Display-list targets: the shared ink and region layers, and two per-character scratch layers.
_INK, _REG, _UNION, _THICK = 0, 1, 2, 3


@dataclass
class _Op:
    """One OpenCV drawing call, recorded so it can be replayed into any crop / band of the canvas."""

    target: int
    pts: np.ndarray  # int32 (N, 1, 2) fixed-point canvas coordinates
    value: int
    thickness: int  # < 0: fill the polygon
    closed: bool = True
    aa: bool = True


def _face_ops(rig: Rig, pose: Pose, bone: Bone, to_px, inner: int) -> list[_Op]:
    """Eyes (closed outlines over the 'eye' region), pupils, brows and mouth as ink, in head space."""
    fs = rig.face
    f = {k: float(pose.face.get(k, v)) for k, v in FACE_REST.items()}
    eye_idx = REGION_NAMES.index("eye")
    L = bone.length
    c_along, c_across = fs.center[0] * L, fs.center[1]
    rx, ry = fs.eye_size
    t = np.linspace(0.0, 2 * np.pi, 28, endpoint=False)
    open_ = max(0.0, f["eye_open"])
    ops: list[_Op] = []
    for side in (-1.0, 1.0):
        ex = c_across + side * fs.eye_spacing / 2
        if open_ < 0.18:
            # Shut lids read as a soft downward curve, not as a region.
            u = np.linspace(-1, 1, 9)
            pts = _fixed(to_px(bone.to_world((c_along - 0.3 * ry * (1 - u**2)) / L, ex + rx * u)))
            ops.append(_Op(_INK, pts, 255, inner, closed=False))
        else:
            fx = _fixed(to_px(bone.to_world((c_along + ry * open_ * np.sin(t)) / L, ex + rx * np.cos(t))))
            ops += [_Op(_INK, fx, 0, -1), _Op(_REG, fx, eye_idx, -1, aa=False), _Op(_INK, fx, 255, inner)]
            if fs.pupils:
                pr = 0.5 * min(rx, ry * open_)
                p_along = c_along - 0.15 * ry * open_ + pr * np.sin(t)
                pts = _fixed(to_px(bone.to_world(p_along / L, ex + 0.25 * rx + pr * np.cos(t))))
                ops.append(_Op(_INK, pts, 255, -1))
        # Brow: height follows the lid and brow_raise, its inner end tilts with brow_tilt.
        b_along = c_along + ry * max(open_, 0.7) + fs.brow_gap + 0.4 * fs.brow_gap * f["brow_raise"]
        u = np.array([-0.5, 0.0, 0.5])
        across = ex + u * fs.brow_length
        inner_end = -side * u  # +0.5 at the end nearer the face centre
        along = b_along + fs.brow_gap * (0.6 * f["brow_tilt"] * inner_end + 0.15 * (1 - 4 * u**2))
        ops.append(_Op(_INK, _fixed(to_px(bone.to_world(along / L, across))), 255, inner, closed=False))
    # Mouth: a parabola whose corners rise with mouth_curve; opened, a solid ink shape.
    u = np.linspace(-0.5, 0.5, 11)
    m_along = fs.mouth_along * L
    k = 0.35 * fs.mouth_width
    upper = m_along + f["mouth_curve"] * k * (4 * u**2 - 0.5)
    across = c_across + u * fs.mouth_width
    if f["mouth_open"] > 0.08:
        lower = upper - f["mouth_open"] * 0.6 * fs.mouth_width * (1 - 4 * u**2)
        ring = np.concatenate([bone.to_world(upper / L, across), bone.to_world(lower[::-1] / L, across[::-1])])
        fx = _fixed(to_px(ring))
        ops += [_Op(_INK, fx, 255, -1), _Op(_INK, fx, 255, inner)]
    else:
        ops.append(_Op(_INK, _fixed(to_px(bone.to_world(upper / L, across))), 255, inner, closed=False))
    return ops


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
# out as the same drawing as a large frame, only sampled coarser. OpenCV's AA strokes only come in
# 2 px steps of width, so a 720-line frame drawn directly has ~20 % too heavy inner lines; drawn at
# about 1440 lines and averaged down it matches a 4K drawing. The pixel budget keeps 1080p and up
# drawn directly (their width steps are a smaller fraction, and they must stay fast).
SUPERSAMPLE_TARGET_HEIGHT = 1440
MAX_SUPERSAMPLE = 4
SUPERSAMPLE_MAX_PIXELS = 4_200_000


def supersample_factor(width: int, height: int) -> int:
    """How many canvas pixels per output pixel (per axis) a width x height drawing is made with."""
    ss = int(np.clip(math.ceil(SUPERSAMPLE_TARGET_HEIGHT / height), 1, MAX_SUPERSAMPLE))
    while ss > 1 and width * height * ss * ss > SUPERSAMPLE_MAX_PIXELS:
        ss -= 1
    return ss
INK_KEEP = 0.6  # coverage kept on output pixels a stroke core crosses (Chroma reads >= 0.5 as ink)
# A turned figure is drawn as its side view squeezed in x (the model sheet's front / three-quarter
# views, the middle keys of a turn); never thinner than this, so it never degenerates to a line.
MIN_VIEW_SCALE = 0.25
# Frames drawn by `draw_line_art_sequence` at once: OpenCV releases the GIL inside its drawing calls,
# so while one frame is in C++ the next frame's kinematics run in Python; two matches two cores.
SEQUENCE_WORKERS = 2


def view_scale(pose: Pose) -> float:
    """Signed x scale of the drawing: the facing sign times how side-on the view is (1 = profile)."""
    f = float(pose.face.get(FACING_KEY, 1.0))
    sign = 1.0 if f >= 0 else -1.0
    return sign * float(np.clip(abs(f), MIN_VIEW_SCALE, 1.0))


def _character_ops(rig: Rig, pose: Pose, W: int, H: int, height: int, ss: int) -> tuple[list[_Op], tuple[int, int, int, int]]:
    """The display list of one character on a W x H canvas and its pixel bounding box (x0, y0, x1, y1)."""
    bones = forward_kinematics(rig, pose)
    sx = view_scale(pose)
    char_px = CHARACTER_HEIGHT * H * rig.height * pose.scale
    ox, oy = pose.root_x * W, pose.root_y * H

    def to_px(p: np.ndarray) -> np.ndarray:
        return np.stack([ox + sx * char_px * p[:, 0], oy - char_px * p[:, 1]], axis=1)

    inner_out, sil_out = line_widths(rig, height)
    inner, sil = _cv_thickness(inner_out * ss), _cv_thickness(sil_out * ss)
    ops: list[_Op] = []
    lo, hi = np.array([np.inf, np.inf]), np.array([-np.inf, -np.inf])
    region_of = {r: i for i, r in enumerate(REGION_NAMES)}
    for part in rig.parts:
        bone = bones[part.bone]
        # Enough vertices that a curve stays smooth at this size (about one per 3 px of outline).
        size_px = char_px * max(part.radii + part.width + (bone.length,))
        segments = int(np.clip(size_px, 16, 72))
        px = to_px(_part_outline(part, bone, segments))
        lo, hi = np.minimum(lo, px.min(axis=0)), np.maximum(hi, px.max(axis=0))
        fx = _fixed(px)
        # Painter's order: erase what this part covers, then ink its closed outline.
        ops += [
            _Op(_INK, fx, 0, -1),
            _Op(_REG, fx, region_of[part.region], -1, aa=False),
            _Op(_INK, fx, 255, inner),
            _Op(_UNION, fx, 255, -1),
            _Op(_THICK, fx, 255, sil),
        ]
        if part.name == rig.face.after_part:
            ops += _face_ops(rig, pose, bones[rig.face.bone], to_px, inner)
    # The heavy outline reaches half its width (plus the AA fringe) beyond the outlines.
    pad = sil / 2.0 + 3.0
    x0, y0 = int(math.floor(lo[0] - pad)), int(math.floor(lo[1] - pad))
    x1, y1 = int(math.ceil(hi[0] + pad)) + 1, int(math.ceil(hi[1] + pad)) + 1
    return ops, (max(0, x0), max(0, y0), min(W, x1), min(H, y1))


def _replay(ops: list[_Op], layers: tuple[np.ndarray, ...], x0: int, y0: int) -> None:
    """Draw a display list into layers whose pixel (0, 0) is canvas pixel (x0, y0)."""
    off = np.array([x0 << SHIFT, y0 << SHIFT], np.int32)
    for op in ops:
        pts = op.pts - off
        img = layers[op.target]
        lt = cv2.LINE_AA if op.aa else cv2.LINE_8
        if op.thickness < 0:
            cv2.fillPoly(img, [pts], op.value, lt, SHIFT)
        else:
            cv2.polylines(img, [pts], op.closed, op.value, op.thickness, lt, SHIFT)


def _draw_character(ops: list[_Op], ink: np.ndarray, regions: np.ndarray, covered: np.ndarray,
               x0: int, y0: int, x1: int, y1: int) -> None:
    """One character into the canvas rectangle [y0:y1, x0:x1] (its box); scratch layers are box-sized."""
    ink_v, reg_v = ink[y0:y1, x0:x1], regions[y0:y1, x0:x1]
    union = np.zeros((y1 - y0, x1 - x0), np.uint8)
    thick = np.zeros_like(union)
    _replay(ops, (ink_v, reg_v, union, thick), x0, y0)
    # Silhouette weight: keep only the outer half of the heavy outlines (outside the body's union),
    # so outer edges get inner/2 + sil/2 while overlapping inner edges stay thin.
    outer = cv2.multiply(thick, cv2.bitwise_not(union), scale=1.0 / 255.0)
    np.maximum(ink_v, outer, out=ink_v)
    cov_v = covered[y0:y1, x0:x1]
    np.maximum(cov_v, union, out=cov_v)


def draw_line_art(rigs_and_poses: list[tuple[Rig, Pose]], width: int, height: int) -> LineArt:
    """Draw characters (later ones in front) as anti-aliased closed-outline line art with region hints.

    Each character is recorded as a display list, then replayed only inside its bounding box: the
    per-character scratch layers and the silhouette compositing never touch the rest of the frame.
    Output conversion also only visits the union of the boxes; the rest of the frame is freshly
    zeroed memory.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"cannot draw at {width}x{height}")
    ss = supersample_factor(width, height)
    W, H = width * ss, height * ss
    ink = np.zeros((H, W), np.uint8)
    regions = np.zeros((H, W), np.uint8)
    covered = np.zeros((H, W), np.uint8)
    bx0, by0, bx1, by1 = W, H, 0, 0
    for rig, pose in rigs_and_poses:
        ops, (x0, y0, x1, y1) = _character_ops(rig, pose, W, H, height, ss)
        if x1 <= x0 or y1 <= y0:
            continue  # entirely off-frame
        bx0, by0, bx1, by1 = min(bx0, x0), min(by0, y0), max(bx1, x1), max(by1, y1)
        _draw_character(ops, ink, regions, covered, x0, y0, x1, y1)
    if ss == 1:
        line = np.zeros((height, width), np.float32)
        silhouette = np.zeros((height, width), bool)
        if bx1 > bx0:
            box = (slice(by0, by1), slice(bx0, bx1))
            np.multiply(ink[box], np.float32(1.0 / 255.0), out=line[box], dtype=np.float32)
            np.greater_equal(covered[box], 128, out=silhouette[box])
        return LineArt(line=line, regions=regions, silhouette=silhouette)
    # Area-average for anti-aliasing, but every output pixel a stroke core passes through stays
    # ink (>= INK_KEEP): a connected stroke crosses a 4-connected chain of blocks, so outlines
    # thinner than a pixel still close their regions for a flood fill at ink < 0.5.
    line = ink.astype(np.float32) * np.float32(1.0 / 255.0)
    cover = covered.astype(np.float32) * np.float32(1.0 / 255.0)
    core = (ink >= 250).astype(np.float32)
    hit = cv2.resize(core, (width, height), interpolation=cv2.INTER_AREA) > 0
    line = cv2.resize(line, (width, height), interpolation=cv2.INTER_AREA)
    line = np.where(hit, np.maximum(line, INK_KEEP), line)
    cover = cv2.resize(cover, (width, height), interpolation=cv2.INTER_AREA)
    # Region hints are labels: take the sample at the centre of each output pixel, never a mean.
    regions = np.ascontiguousarray(regions[ss // 2 :: ss, ss // 2 :: ss][:height, :width])
    return LineArt(line=np.clip(line, 0.0, 1.0).astype(np.float32), regions=regions, silhouette=cover >= 0.5)


def draw_line_art_sequence(frames: Iterable[list[tuple[Rig, Pose]]], width: int, height: int,
                           workers: int = SEQUENCE_WORKERS) -> Iterator[LineArt]:
    """`draw_line_art` for many frames, in order, overlapping frames on `workers` threads.

    At most 2 * workers frames are in flight, so memory stays bounded however long the shot is.
    """
    if workers <= 1:
        for f in frames:
            yield draw_line_art(f, width, height)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="axis-draw") as pool:
        pending = []
        for f in frames:
            pending.append(pool.submit(draw_line_art, f, width, height))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for job in pending:
            yield job.result()
