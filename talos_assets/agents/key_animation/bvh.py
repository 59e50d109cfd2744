"""Axis pose capture: the Biovision Hierarchy (BVH) motion capture format, its 3D kinematics, and clip building.

BVH (Biovision, 1990s; the de-facto mocap interchange text format) has two sections. HIERARCHY is
a tree of ROOT / JOINT blocks, each with an OFFSET from its parent (in the parent's frame, rest
pose) and a CHANNELS list (positions and rotations, in any order, e.g. `Zrotation Xrotation
Yrotation`), closed by `End Site` leaves that only carry an OFFSET. MOTION gives `Frames:`,
`Frame Time:` and one line of channel values per frame, in hierarchy order. A joint's local
rotation is the product of its rotation channels in the order they are listed (intrinsic Euler
angles: for `Z X Y` the matrix is Rz @ Rx @ Ry), its global transform is the parent's global
transform times (translate OFFSET [+ position channels]) times that rotation. `planar_clip` builds
a clip of a standard skeleton from picture-plane angles (how the shipped mocap files are made);
`retarget` turns a clip into poses of a studio rig.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_AXES = {"X": 0, "Y": 1, "Z": 2}
_CHANNEL_RE = re.compile(r"^([XYZ])(position|rotation)$", re.IGNORECASE)


@dataclass
class BvhJoint:
    name: str
    parent: int  # index into BvhClip.joints, -1 for the root
    offset: np.ndarray  # (3,)
    channels: list[str]
    end_site: np.ndarray | None = None  # End Site offset when the joint is a leaf
    children: list[int] = field(default_factory=list)


@dataclass
class BvhClip:
    """A parsed BVH file: joints in file order (parents first), per-frame channel values (degrees)."""

    joints: list[BvhJoint]
    frame_time: float
    motion: np.ndarray  # (frames, total channels) float64

    @property
    def n_frames(self) -> int:
        return int(self.motion.shape[0])

    @property
    def fps(self) -> float:
        return 1.0 / self.frame_time

    def index(self, name: str) -> int:
        for i, j in enumerate(self.joints):
            if j.name == name:
                return i
        raise KeyError(name)

    def names(self) -> list[str]:
        return [j.name for j in self.joints]

    def channel_slices(self) -> list[slice]:
        out, c = [], 0
        for j in self.joints:
            out.append(slice(c, c + len(j.channels)))
            c += len(j.channels)
        return out


# ---- reading and writing --------------------------------------------------------------------


class _Words:
    """The whitespace-separated words of a BVH file, read front to back; problems name the source."""

    def __init__(self, text: str, source: str) -> None:
        self.words = text.split()
        self.pos = 0
        self.source = source

    def fail(self, msg: str) -> ValueError:
        return ValueError(f"BVH file {self.source}: {msg}.")

    def take(self) -> str:
        if self.pos >= len(self.words):
            raise self.fail("ends unexpectedly")
        self.pos += 1
        return self.words[self.pos - 1]

    def next_is(self, word: str) -> bool:
        return self.pos < len(self.words) and self.words[self.pos].upper() == word.upper()

    def expect(self, word: str) -> None:
        got = self.take()
        if got.upper() != word.upper():
            raise self.fail(f"expected '{word}' but found '{got}'")

    def floats(self, n: int) -> np.ndarray:
        try:
            return np.array([float(self.take()) for _ in range(n)])
        except ValueError as exc:
            raise self.fail(f"a number was expected ({exc})") from None

    def integer(self, what: str) -> int:
        try:
            return int(self.take())
        except ValueError:
            raise self.fail(f"{what} is not an integer") from None


def _read_joint(words: _Words, joints: list[BvhJoint], stack: list[int]) -> None:
    """A ROOT / JOINT header: name, OFFSET and optional CHANNELS; the joint is left open on the stack."""
    name = words.take()
    words.expect("{")
    words.expect("OFFSET")
    off = words.floats(3)
    chans: list[str] = []
    if words.next_is("CHANNELS"):
        words.take()
        n = words.integer(f"CHANNELS count of joint '{name}'")
        chans = [words.take() for _ in range(n)]
        for c in chans:
            if not _CHANNEL_RE.match(c):
                raise words.fail(f"joint '{name}' has unknown channel '{c}'")
    parent = stack[-1] if stack else -1
    joints.append(BvhJoint(name, parent, off, chans))
    if parent >= 0:
        joints[parent].children.append(len(joints) - 1)
    stack.append(len(joints) - 1)


def _read_hierarchy(words: _Words) -> list[BvhJoint]:
    """The HIERARCHY section: joints in file order, parents first."""
    words.expect("HIERARCHY")
    joints: list[BvhJoint] = []
    stack: list[int] = []  # open joints
    kw = words.take()
    if kw.upper() != "ROOT":
        raise words.fail(f"expected 'ROOT' but found '{kw}'")
    while True:
        if kw.upper() in ("ROOT", "JOINT"):
            _read_joint(words, joints, stack)
        elif kw.upper() == "END":
            words.expect("Site")
            words.expect("{")
            words.expect("OFFSET")
            if not stack:
                raise words.fail("End Site outside a joint")
            joints[stack[-1]].end_site = words.floats(3)
            words.expect("}")
        elif kw == "}":
            if not stack:
                raise words.fail("unbalanced '}'")
            stack.pop()
            if not stack:
                return joints
        else:
            raise words.fail(f"unexpected '{kw}' in HIERARCHY")
        kw = words.take()


def _read_motion(words: _Words, joints: list[BvhJoint]) -> tuple[float, np.ndarray]:
    """The MOTION section: frame time and the (frames, channels) value table."""
    words.expect("MOTION")
    words.expect("Frames:")
    n_frames = words.integer("Frames:")
    words.expect("Frame")
    words.expect("Time:")
    frame_time = float(words.floats(1)[0])
    if frame_time <= 0:
        raise words.fail(f"Frame Time must be positive, got {frame_time}")
    n_ch = sum(len(j.channels) for j in joints)
    values = words.floats(n_frames * n_ch) if n_frames * n_ch else np.zeros(0)
    return frame_time, values.reshape(n_frames, n_ch)


def parse_bvh(text: str, source: str = "<bvh>") -> BvhClip:
    """Parse BVH text; a malformed file raises ValueError naming `source` and the problem."""
    words = _Words(text, source)
    joints = _read_hierarchy(words)
    frame_time, motion = _read_motion(words, joints)
    return BvhClip(joints=joints, frame_time=frame_time, motion=motion)


def load_bvh(path: Path | str) -> BvhClip:
    """Read a .bvh file."""
    path = Path(path)
    return parse_bvh(path.read_text(encoding="utf-8", errors="replace"), str(path))


def _fmt(v: float, digits: int = 6) -> str:
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def bvh_text(clip: BvhClip) -> str:
    """The clip as BVH text (tab-indented hierarchy, one motion line per frame, 6 decimals)."""
    lines = ["HIERARCHY"]

    def emit(i: int, depth: int) -> None:
        j = clip.joints[i]
        ind = "\t" * depth
        lines.append(f"{ind}{'ROOT' if j.parent < 0 else 'JOINT'} {j.name}")
        lines.append(f"{ind}{{")
        lines.append(f"{ind}\tOFFSET {' '.join(_fmt(v) for v in j.offset)}")
        if j.channels:
            lines.append(f"{ind}\tCHANNELS {len(j.channels)} {' '.join(j.channels)}")
        for c in j.children:
            emit(c, depth + 1)
        if j.end_site is not None:
            lines.extend([f"{ind}\tEnd Site", f"{ind}\t{{",
                          f"{ind}\t\tOFFSET {' '.join(_fmt(v) for v in j.end_site)}", f"{ind}\t}}"])
        lines.append(f"{ind}}}")

    emit(0, 0)
    lines += ["MOTION", f"Frames: {clip.n_frames}", f"Frame Time: {_fmt(clip.frame_time, 9)}"]
    lines += [" ".join(_fmt(v) for v in row) for row in clip.motion]
    return "\n".join(lines) + "\n"


def write_bvh(clip: BvhClip, path: Path | str) -> Path:
    """Write the clip as a .bvh file; load_bvh reads it back equal (to 6 decimals)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bvh_text(clip), encoding="utf-8")
    return path


# ---- 3D forward kinematics --------------------------------------------------------------------


def axis_rotation(axis: int, deg: np.ndarray) -> np.ndarray:
    """(F, 3, 3) right-handed rotations about one axis."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros((len(a), 3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m[:, axis, axis] = 1.0
    m[:, i, i] = c
    m[:, j, j] = c
    m[:, i, j] = -s
    m[:, j, i] = s
    return m


def local_rotations(clip: BvhClip, joint: int) -> np.ndarray:
    """(F, 3, 3) local rotation of a joint: its rotation channels multiplied in listed order."""
    sl = clip.channel_slices()[joint]
    vals = clip.motion[:, sl]
    rot = np.broadcast_to(np.eye(3), (clip.n_frames, 3, 3)).copy()
    for k, ch in enumerate(clip.joints[joint].channels):
        m = _CHANNEL_RE.match(ch)
        if m and m.group(2).lower() == "rotation":
            rot = rot @ axis_rotation(_AXES[m.group(1).upper()], vals[:, k])
    return rot


def world_positions(clip: BvhClip) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """Per frame: joint world positions (F, J, 3), world rotations (F, J, 3, 3), End Site positions."""
    F, J = clip.n_frames, len(clip.joints)
    pos = np.zeros((F, J, 3))
    rot = np.zeros((F, J, 3, 3))
    ends: dict[int, np.ndarray] = {}
    slices = clip.channel_slices()
    for i, j in enumerate(clip.joints):
        trans = np.broadcast_to(j.offset, (F, 3)).copy()
        for k, ch in enumerate(j.channels):
            m = _CHANNEL_RE.match(ch)
            if m and m.group(2).lower() == "position":
                trans[:, _AXES[m.group(1).upper()]] += clip.motion[:, slices[i]][:, k]
        local = local_rotations(clip, i)
        if j.parent < 0:
            pos[:, i] = trans
            rot[:, i] = local
        else:
            pr = rot[:, j.parent]
            pos[:, i] = pos[:, j.parent] + np.einsum("fab,fb->fa", pr, trans)
            rot[:, i] = pr @ local
        if j.end_site is not None:
            ends[i] = pos[:, i] + np.einsum("fab,b->fa", rot[:, i], j.end_site)
    return pos, rot, ends


# ---- building clips ----------------------------------------------------------------------------

# A studio-standard skeleton (centimetres, Y up, facing +Z, T-less: arms hang down) with the usual
# Biovision names; `planar_clip` animates it from 2D world angles, which is how the shipped mocap
# files are generated.
STANDARD_SKELETON: tuple[tuple[str, str | None, tuple[float, float, float], tuple[float, float, float] | None], ...] = (
    ("Hips", None, (0.0, 95.0, 0.0), None),
    ("Spine", "Hips", (0.0, 12.0, 0.0), None),
    ("Spine1", "Spine", (0.0, 14.0, 0.0), None),
    ("Neck", "Spine1", (0.0, 22.0, 0.0), None),
    ("Head", "Neck", (0.0, 8.0, 0.0), (0.0, 20.0, 0.0)),
    ("LeftArm", "Spine1", (18.0, 19.0, 0.0), None),
    ("LeftForeArm", "LeftArm", (0.0, -29.0, 0.0), None),
    ("LeftHand", "LeftForeArm", (0.0, -26.0, 0.0), (0.0, -12.0, 0.0)),
    ("RightArm", "Spine1", (-18.0, 19.0, 0.0), None),
    ("RightForeArm", "RightArm", (0.0, -29.0, 0.0), None),
    ("RightHand", "RightForeArm", (0.0, -26.0, 0.0), (0.0, -12.0, 0.0)),
    ("LeftUpLeg", "Hips", (9.0, -4.0, 0.0), None),
    ("LeftLeg", "LeftUpLeg", (0.0, -43.0, 0.0), None),
    ("LeftFoot", "LeftLeg", (0.0, -42.0, 0.0), None),
    ("LeftToeBase", "LeftFoot", (0.0, -6.0, 14.0), (0.0, 0.0, 5.0)),
    ("RightUpLeg", "Hips", (-9.0, -4.0, 0.0), None),
    ("RightLeg", "RightUpLeg", (0.0, -43.0, 0.0), None),
    ("RightFoot", "RightLeg", (0.0, -42.0, 0.0), None),
    ("RightToeBase", "RightFoot", (0.0, -6.0, 14.0), (0.0, 0.0, 5.0)),
)
ROTATION_ORDER = ("Zrotation", "Xrotation", "Yrotation")


def planar_clip(world_angles: dict[str, np.ndarray], root_z: np.ndarray, root_y: np.ndarray | None = None,
                frame_time: float = 1 / 30, extra_rotations: dict[str, np.ndarray] | None = None) -> BvhClip:
    """A clip of STANDARD_SKELETON whose bones point at the given picture-plane world angles.

    `world_angles` maps a BVH joint name to per-frame angles (degrees, 0 = up, positive toward +Z)
    of the bone from that joint to its first child / End Site. A rotation by theta about X adds theta
    to the picture-plane angle of every vector, so each joint's local Xrotation is its bone's target
    angle minus the rest angle of its offset minus the parents' accumulated rotation.
    `extra_rotations` adds (F, 2) Z and Y angles to a joint, out of the picture plane (as real
    captures have); joints not listed keep the parent's orientation.
    """
    n = len(root_z)
    joints: list[BvhJoint] = []
    idx: dict[str, int] = {}
    for name, parent, off, end in STANDARD_SKELETON:
        p = idx[parent] if parent else -1
        chans = (["Xposition", "Yposition", "Zposition"] if parent is None else []) + list(ROTATION_ORDER)
        joints.append(BvhJoint(name, p, np.array(off, float), chans, None if end is None else np.array(end, float)))
        idx[name] = len(joints) - 1
        if p >= 0:
            joints[p].children.append(len(joints) - 1)

    def rest_angle(i: int) -> float:
        j = joints[i]
        v = joints[j.children[0]].offset if j.children else j.end_site
        return math.degrees(math.atan2(v[2], v[1]))

    acc = {-1: np.zeros(n)}
    cols = []
    extra = extra_rotations or {}
    for i, j in enumerate(joints):
        inherited = acc[j.parent]
        if j.name in world_angles:
            x = np.asarray(world_angles[j.name], float) - rest_angle(i) - inherited
        else:
            x = np.zeros(n)
        acc[i] = inherited + x
        zy = np.asarray(extra.get(j.name, np.zeros((n, 2))), float)
        rot = {"Zrotation": zy[:, 0], "Xrotation": x, "Yrotation": zy[:, 1]}
        if j.parent < 0:
            y = np.full(n, j.offset[1]) if root_y is None else np.asarray(root_y, float)
            cols += [np.zeros(n), y - j.offset[1], np.asarray(root_z, float) - j.offset[2]]
        cols += [rot[c] for c in ROTATION_ORDER]
    return BvhClip(joints=joints, frame_time=frame_time, motion=np.stack(cols, axis=1))
