"""Axis pose capture: retargeting a BVH clip onto a 2D studio rig, and reducing it to key poses.

Retargeting is a projection, not an IK solve: forward kinematics in 3D gives every joint's world
position; the clip is turned about the vertical axis so the performer's mean heading (the hips'
forward axis) points along +Z; each rig bone is mapped to a pair of BVH joints (where the bone
starts and where it ends, a per-rig table of common names: Hips, Spine, Neck, Head, LeftArm,
LeftForeArm, RightUpLeg ...), and the bone's 2D world angle is that of the segment between them
projected onto the picture plane (Z = forward = rig +x, Y = up). Rig joint angles are these world
angles relative to the parent bone, wrapped into the joint's limits. The root's travel along Z is
scaled by the ratio of the rig's leg length to the performer's, so a stride covers the ground the
character's own legs would. The feet are planted by the rig's kinematics, so vertical hip motion
comes from the leg angles themselves. Key poses are then picked from the dense retarget by a
Douglas-Peucker split (Douglas & Peucker 1973) on the joint curves.
"""

from __future__ import annotations

import math

import numpy as np

from talos_assets.agents.key_animation.bvh import BvhClip, axis_rotation, world_positions
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACE_REST, FACING_KEY, Rig
from talos_assets.spec import KeyPose, Pose

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
    return axis_rotation(1, np.array([-math.degrees(yaw)]))[0]


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
