"""Axis pose capture: Biovision Hierarchy (BVH) motion capture import, export and retargeting onto rigs.

BVH (Biovision, 1990s; the de-facto mocap interchange text format) has two sections. HIERARCHY is
a tree of ROOT / JOINT blocks, each with an OFFSET from its parent (in the parent's frame, rest
pose) and a CHANNELS list (positions and rotations, in any order, e.g. `Zrotation Xrotation
Yrotation`), closed by `End Site` leaves that only carry an OFFSET. MOTION gives `Frames:`,
`Frame Time:` and one line of channel values per frame, in hierarchy order. A joint's local
rotation is the product of its rotation channels in the order they are listed (intrinsic Euler
angles: for `Z X Y` the matrix is Rz @ Rx @ Ry), its global transform is the parent's global
transform times (translate OFFSET [+ position channels]) times that rotation.

Retargeting onto a 2D studio rig (`retarget`) is a projection, not an IK solve: forward kinematics
in 3D gives every joint's world position; the clip is turned about the vertical axis so the
performer's mean heading (the hips' forward axis) points along +Z; each rig bone is mapped to a pair
of BVH joints (where the bone starts and where it ends, a per-rig table of common names: Hips,
Spine, Neck, Head, LeftArm, LeftForeArm, RightUpLeg ...), and the bone's 2D world angle is that of
the segment between them projected onto the picture plane (Z = forward = rig +x, Y = up). Rig joint
angles are these world angles relative to the parent bone, wrapped into the joint's limits. The
root's travel along Z is scaled by the ratio of the rig's leg length to the performer's, so a stride
covers the ground the character's own legs would. The feet are planted by the rig's kinematics, so
vertical hip motion comes from the leg angles themselves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from talos_assets.agents.key_animation import CHARACTER_HEIGHT, FACE_REST, FACING_KEY, Rig
from talos_assets.spec import KeyPose, Pose

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


def parse_bvh(text: str, source: str = "<bvh>") -> BvhClip:
    """Parse BVH text; a malformed file raises ValueError naming `source` and the problem."""
    tokens = text.split()
    pos = 0

    def fail(msg: str) -> ValueError:
        return ValueError(f"BVH file {source}: {msg}.")

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise fail("ends unexpectedly")
        pos += 1
        return tokens[pos - 1]

    def expect(word: str) -> None:
        got = take()
        if got.upper() != word.upper():
            raise fail(f"expected '{word}' but found '{got}'")

    def floats(n: int) -> np.ndarray:
        try:
            return np.array([float(take()) for _ in range(n)])
        except ValueError as exc:
            raise fail(f"a number was expected ({exc})") from None

    expect("HIERARCHY")
    joints: list[BvhJoint] = []
    stack: list[int] = []  # open joints; -2 marks an open End Site
    kw = take()
    if kw.upper() != "ROOT":
        raise fail(f"expected 'ROOT' but found '{kw}'")
    while True:
        if kw.upper() in ("ROOT", "JOINT"):
            name = take()
            expect("{")
            expect("OFFSET")
            off = floats(3)
            chans: list[str] = []
            if pos < len(tokens) and tokens[pos].upper() == "CHANNELS":
                take()
                try:
                    n = int(take())
                except ValueError:
                    raise fail(f"CHANNELS count of joint '{name}' is not an integer") from None
                chans = [take() for _ in range(n)]
                for c in chans:
                    if not _CHANNEL_RE.match(c):
                        raise fail(f"joint '{name}' has unknown channel '{c}'")
            parent = stack[-1] if stack else -1
            joints.append(BvhJoint(name, parent, off, chans))
            if parent >= 0:
                joints[parent].children.append(len(joints) - 1)
            stack.append(len(joints) - 1)
        elif kw.upper() == "END":
            expect("Site")
            expect("{")
            expect("OFFSET")
            if not stack:
                raise fail("End Site outside a joint")
            joints[stack[-1]].end_site = floats(3)
            expect("}")
        elif kw == "}":
            if not stack:
                raise fail("unbalanced '}'")
            stack.pop()
            if not stack:
                break
        else:
            raise fail(f"unexpected '{kw}' in HIERARCHY")
        kw = take()
    expect("MOTION")
    expect("Frames:")
    try:
        n_frames = int(take())
    except ValueError:
        raise fail("Frames: is not an integer") from None
    expect("Frame")
    expect("Time:")
    frame_time = float(floats(1)[0])
    if frame_time <= 0:
        raise fail(f"Frame Time must be positive, got {frame_time}")
    n_ch = sum(len(j.channels) for j in joints)
    values = floats(n_frames * n_ch) if n_frames * n_ch else np.zeros(0)
    return BvhClip(joints=joints, frame_time=frame_time, motion=values.reshape(n_frames, n_ch))


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


def _axis_rotation(axis: int, deg: np.ndarray) -> np.ndarray:
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
            rot = rot @ _axis_rotation(_AXES[m.group(1).upper()], vals[:, k])
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


# ---- retargeting --------------------------------------------------------------------------------

# Rig bone -> (candidate BVH names where the bone starts, candidate names where it ends). The end
# may also be "<start>:end", the start joint's End Site, or a child found automatically. Names cover
# the common conventions: Biovision/MotionBuilder (LeftArm, LeftUpLeg), CMU (LeftHand, LeftToeBase),
# and lower-case / Mixamo-style variants after prefix stripping ("mixamorig:").
DEFAULT_MAPPING: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pelvis": (("Hips", "hip", "pelvis", "Pelvis", "Root"), ("Spine", "spine", "abdomen", "LowerBack", "Spine1", "Chest")),
    "spine": (("Spine", "spine", "abdomen", "LowerBack"), ("Spine1", "Chest", "chest", "Spine2", "Neck", "neck")),
    "chest": (("Spine1", "Chest", "chest", "Spine2", "Spine"), ("Neck", "neck", "Neck1")),
    "neck": (("Neck", "neck", "Neck1"), ("Head", "head")),
    "head": (("Head", "head"), ("Head:end", "HeadTop_End", "head:end")),
    "l_shoulder": (("LeftArm", "LeftUpArm", "lShldr", "LeftShoulder"), ("LeftForeArm", "LeftLowArm", "lForeArm")),
    "l_elbow": (("LeftForeArm", "LeftLowArm", "lForeArm"), ("LeftHand", "lHand")),
    "l_wrist": (("LeftHand", "lHand"), ("LeftHand:end", "LeftHandIndex1", "LeftFingerBase", "lHand:end")),
    "r_shoulder": (("RightArm", "RightUpArm", "rShldr", "RightShoulder"), ("RightForeArm", "RightLowArm", "rForeArm")),
    "r_elbow": (("RightForeArm", "RightLowArm", "rForeArm"), ("RightHand", "rHand")),
    "r_wrist": (("RightHand", "rHand"), ("RightHand:end", "RightHandIndex1", "RightFingerBase", "rHand:end")),
    "l_hip": (("LeftUpLeg", "LeftHip", "lThigh", "LeftThigh"), ("LeftLeg", "LeftKnee", "lShin", "LeftShin")),
    "l_knee": (("LeftLeg", "LeftKnee", "lShin", "LeftShin"), ("LeftFoot", "LeftAnkle", "lFoot")),
    "l_ankle": (("LeftFoot", "LeftAnkle", "lFoot"), ("LeftToeBase", "LeftToe", "LeftFoot:end", "lFoot:end")),
    "r_hip": (("RightUpLeg", "RightHip", "rThigh", "RightThigh"), ("RightLeg", "RightKnee", "rShin", "RightShin")),
    "r_knee": (("RightLeg", "RightKnee", "rShin", "RightShin"), ("RightFoot", "RightAnkle", "rFoot")),
    "r_ankle": (("RightFoot", "RightAnkle", "rFoot"), ("RightToeBase", "RightToe", "RightFoot:end", "rFoot:end")),
}
LEG_CHAIN = (("LeftUpLeg", "LeftHip", "lThigh"), ("LeftLeg", "LeftKnee", "lShin"), ("LeftFoot", "LeftAnkle", "lFoot"))


def _strip(name: str) -> str:
    return name.split(":")[-1] if ":" in name and not name.endswith(":end") else name


def resolve_mapping(clip: BvhClip, rig: Rig,
                    mapping: dict[str, tuple[str, str]] | None = None) -> dict[str, tuple[int, int | str]]:
    """Rig joint -> (BVH start joint index, end joint index or 'end:<i>' for an End Site).

    `mapping` (rig joint -> (start name, end name)) overrides the defaults; rig joints with no match
    in the clip are left out (they keep their rest angle).
    """
    by_name = {_strip(j.name): i for i, j in enumerate(clip.joints)}

    def find(cands: tuple[str, ...]) -> int | str | None:
        for c in cands:
            if c.endswith(":end"):
                base = by_name.get(c[:-4])
                if base is not None and clip.joints[base].end_site is not None:
                    return f"end:{base}"
            elif c in by_name:
                return by_name[c]
        return None

    out: dict[str, tuple[int, int | str]] = {}
    table: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = dict(DEFAULT_MAPPING)
    for k, (a, b) in (mapping or {}).items():
        table[k] = ((a,), (b,))
    for rj in rig.joints:
        if rj.name not in table:
            continue
        cands_a, cands_b = table[rj.name]
        a = find(cands_a)
        if not isinstance(a, int):
            if mapping and rj.name in mapping:
                raise ValueError(f"mapping for rig joint '{rj.name}' names BVH joint '{cands_a[0]}', which the clip lacks")
            continue
        b = find(cands_b)
        if b is None:
            # Fall back to the start joint's first child, or its End Site.
            kids = clip.joints[a].children
            b = kids[0] if kids else (f"end:{a}" if clip.joints[a].end_site is not None else None)
        if b is None:
            continue
        out[rj.name] = (a, b)
    return out


def _heading_fix(rot_root: np.ndarray) -> np.ndarray:
    """Rotation about Y that turns the performer's mean heading onto +Z (3, 3)."""
    fwd = rot_root[:, :, 2]  # the hips' local +Z axis in the world, per frame
    h = fwd[:, [0, 2]].mean(axis=0)
    if np.hypot(*h) < 1e-6:
        return np.eye(3)
    yaw = math.atan2(h[0], h[1])  # heading angle from +Z toward +X
    return _axis_rotation(1, np.array([-math.degrees(yaw)]))[0]


def _wrap_into(angle: np.ndarray, lo: float, hi: float, rest: float) -> np.ndarray:
    """Each angle moved by whole turns to the representative nearest the rest angle, then clamped."""
    a = rest + (angle - rest + 180.0) % 360.0 - 180.0
    return np.clip(a, lo, hi)


def rig_leg_length(rig: Rig) -> float:
    jm = rig.joint_map
    return sum(jm[k].length for k in ("l_hip", "l_knee") if k in jm) or 0.45


def clip_leg_length(clip: BvhClip) -> float:
    by_name = {_strip(j.name): i for i, j in enumerate(clip.joints)}
    total = 0.0
    for cands in LEG_CHAIN[1:]:  # the knee's and the ankle's offsets = thigh and shin lengths
        for c in cands:
            if c in by_name:
                total += float(np.linalg.norm(clip.joints[by_name[c]].offset))
                break
    if total <= 0:
        # No recognisable legs: use the skeleton's height spread as a stand-in.
        pos, _, _ = world_positions(BvhClip(clip.joints, clip.frame_time, np.zeros((1, clip.motion.shape[1]))))
        total = 0.45 * float(np.ptp(pos[0, :, 1])) or 1.0
    return total


def retarget(clip: BvhClip, rig: Rig, mapping: dict[str, tuple[str, str]] | None = None, fps: float = 24,
             root_x: float = 0.5, root_y: float = 0.75, scale: float = 1.0, facing: int = 1,
             aspect: float = 16 / 9, turn_to_profile: bool = True) -> list[Pose]:
    """Drive `rig` with the clip: one Pose per output frame at `fps` (the clip is resampled).

    root_x is where the performer's first frame stands on the stage; the travel along the heading
    is scaled by the leg-length ratio and converted into stage widths with `aspect` (width/height).
    `turn_to_profile` turns the performer's mean heading to the picture's +x (else BVH +Z is used).
    """
    if clip.n_frames == 0:
        return []
    pos, rot, ends = world_positions(clip)
    fix = _heading_fix(rot[:, 0]) if turn_to_profile else np.eye(3)
    pos = pos @ fix.T
    ends = {k: v @ fix.T for k, v in ends.items()}
    table = resolve_mapping(clip, rig, mapping)

    def point(ref: int | str) -> np.ndarray:
        if isinstance(ref, str):
            return ends[int(ref.split(":")[1])]
        return pos[:, ref]

    world: dict[str, np.ndarray] = {}
    rel: dict[str, np.ndarray] = {}
    for rj in rig.joints:
        parent_world = world[rj.parent] if rj.parent else np.zeros(clip.n_frames)
        if rj.name in table:
            a, b = table[rj.name]
            seg = point(b) - point(a)
            # Picture plane: +Z forward is the rig's +x, +Y is up; angle 0 = up, positive toward +x.
            ang = np.degrees(np.arctan2(seg[:, 2], seg[:, 1]))
            r = np.unwrap(_wrap_into(ang - parent_world, -1e9, 1e9, rj.rest), period=360.0)
            r = _wrap_into(r, rj.min, rj.max, rj.rest)
        else:
            r = np.full(clip.n_frames, rj.rest)
        rel[rj.name] = r
        world[rj.name] = parent_world + r

    # Root travel along the heading, in stage widths: performer units -> rig heights -> frame.
    ratio = rig_leg_length(rig) / clip_leg_length(clip)
    travel = (pos[:, 0, 2] - pos[0, 0, 2]) * ratio * CHARACTER_HEIGHT * rig.height * scale / aspect

    t_src = np.arange(clip.n_frames) * clip.frame_time
    n_out = int(math.floor(t_src[-1] * fps + 1e-3)) + 1  # tolerate a rounded Frame Time
    t_out = np.arange(n_out) / fps
    sign = 1.0 if facing >= 0 else -1.0
    xs = root_x + sign * np.interp(t_out, t_src, travel)
    joints = {k: np.interp(t_out, t_src, v) for k, v in rel.items()}
    poses = []
    for f in range(n_out):
        face = dict(FACE_REST)
        face[FACING_KEY] = sign
        poses.append(Pose(root_x=float(xs[f]), root_y=root_y, scale=scale,
                          joints={k: float(v[f]) for k, v in joints.items()}, face=face))
    return poses


def reduce_keys(poses: list[Pose], tolerance: float = 3.0) -> list[int]:
    """Frame indices of key poses from a dense sequence: a Douglas-Peucker split on the joint curves,
    adding the frame that linear interpolation between the current keys misses most until every
    channel is within `tolerance` degrees (root x in per-mille of the stage width)."""
    if not poses:
        return []
    names = sorted(poses[0].joints)
    data = np.array([[p.joints[n] for n in names] + [1000.0 * p.root_x] for p in poses])
    keys = {0, len(poses) - 1}
    stack = [(0, len(poses) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        t = (np.arange(a + 1, b) - a) / (b - a)
        lerp = data[a] + t[:, None] * (data[b] - data[a])
        err = np.abs(data[a + 1 : b] - lerp).max(axis=1)
        k = int(np.argmax(err))
        if err[k] > tolerance:
            m = a + 1 + k
            keys.add(m)
            stack += [(a, m), (m, b)]
    return sorted(keys)


def bvh_key_poses(clip: BvhClip, rig: Rig, start_frame: int = 0, fps: float = 24, tolerance: float = 3.0,
                  mapping: dict[str, tuple[str, str]] | None = None, **placement) -> list[KeyPose]:
    """Mocap as key poses: retarget, then keep only the frames `reduce_keys` needs (linear easing,
    so Flux's inbetweens reproduce the capture within `tolerance` degrees). `placement` is passed
    to `retarget` (root_x, root_y, scale, facing, aspect)."""
    poses = retarget(clip, rig, mapping=mapping, fps=fps, **placement)
    return [KeyPose(frame=start_frame + f, character=rig.name, pose=poses[f], easing="linear")
            for f in reduce_keys(poses, tolerance)]


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
