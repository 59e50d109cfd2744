"""Axis pose capture: BVH parsing, writing, 3D kinematics and retargeting onto the studio's rigs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from talos_assets.agents import inbetweening as ib
from talos_assets.agents import key_animation as ka
from talos_assets.agents.key_animation import bvh, retarget

MOCAP = ka.CHARACTERS_DIR.parent / "mocap"

# Rig joint -> BVH joint whose bone it is; parents follow the rig.
BONES = {"pelvis": "Hips", "spine": "Spine", "chest": "Chest", "neck": "Neck", "head": "Head",
         "l_shoulder": "LeftArm", "l_elbow": "LeftForeArm", "l_wrist": "LeftHand",
         "r_shoulder": "RightArm", "r_elbow": "RightForeArm", "r_wrist": "RightHand",
         "l_hip": "LeftUpLeg", "l_knee": "LeftLeg", "l_ankle": "LeftFoot",
         "r_hip": "RightUpLeg", "r_knee": "RightLeg", "r_ankle": "RightFoot"}
# BVH joint -> (parent, offset, end site); every bone's rest direction is straight along its offset.
SKELETON = [
    ("Hips", None, (0, 90, 0)), ("Spine", "Hips", (0, 10, 0)), ("Chest", "Spine", (0, 15, 0)),
    ("Neck", "Chest", (0, 20, 0)), ("Head", "Neck", (0, 6, 0)),
    ("LeftArm", "Chest", (15, 18, 0)), ("LeftForeArm", "LeftArm", (0, -28, 0)), ("LeftHand", "LeftForeArm", (0, -25, 0)),
    ("RightArm", "Chest", (-15, 18, 0)), ("RightForeArm", "RightArm", (0, -28, 0)),
    ("RightHand", "RightForeArm", (0, -25, 0)),
    ("LeftUpLeg", "Hips", (8, -3, 0)), ("LeftLeg", "LeftUpLeg", (0, -42, 0)), ("LeftFoot", "LeftLeg", (0, -42, 0)),
    ("RightUpLeg", "Hips", (-8, -3, 0)), ("RightLeg", "RightUpLeg", (0, -42, 0)),
    ("RightFoot", "RightLeg", (0, -42, 0)),
]
ENDS = {"Head": (0, 18, 0), "LeftHand": (0, -10, 0), "RightHand": (0, -10, 0), "LeftFoot": (0, 0, 14),
        "RightFoot": (0, 0, 14)}


def _hand_written_bvh(world: dict[str, np.ndarray], root_z: np.ndarray) -> str:
    """BVH text with channel order Z X Y; in-plane bends go in Xrotation (adds to the picture angle)."""
    children: dict[str, list[str]] = {}
    for name, parent, _ in SKELETON:
        children.setdefault(parent, []).append(name)
    offsets = {n: np.array(o, float) for n, _, o in SKELETON}
    parents = {n: p for n, p, _ in SKELETON}

    def rest(name: str) -> float:
        kids = children.get(name)
        v = offsets[kids[0]] if kids and name not in ("Chest",) else np.array(ENDS.get(name, (0, 1, 0)), float)
        if name == "Chest":
            v = offsets["Neck"]
        return np.degrees(np.arctan2(v[2], v[1]))

    order = [n for n, _, _ in SKELETON]
    lines = ["HIERARCHY"]

    def emit(name: str, depth: int) -> None:
        t = "  " * depth
        lines.append(f"{t}{'ROOT' if parents[name] is None else 'JOINT'} {name}")
        lines.append(t + "{")
        lines.append(f"{t}  OFFSET {' '.join(str(v) for v in offsets[name])}")
        ch = "6 Xposition Yposition Zposition" if parents[name] is None else "3"
        lines.append(f"{t}  CHANNELS {ch} Zrotation Xrotation Yrotation")
        for c in children.get(name, []):
            emit(c, depth + 1)
        if name in ENDS:
            lines.extend([f"{t}  End Site", t + "  {", f"{t}    OFFSET {' '.join(str(v) for v in ENDS[name])}",
                          t + "  }"])
        lines.append(t + "}")

    emit("Hips", 0)
    n = len(root_z)
    lines += ["MOTION", f"Frames: {n}", "Frame Time: 0.0416667"]
    for f in range(n):
        acc: dict[str | None, float] = {None: 0.0}
        row = [0.0, 0.0, float(root_z[f])]
        for name in order:
            x = float(world[name][f]) - rest(name) - acc[parents[name]]
            acc[name] = acc[parents[name]] + x
            row += [0.0, x, 0.0]
        lines.append(" ".join(f"{v:.6f}" for v in row))
    return "\n".join(lines) + "\n"


def _known_motion(n: int = 12):
    t = np.linspace(0.0, 1.0, n)
    world = {"Hips": 4 * t, "Spine": 6 + 4 * t, "Chest": 3 - 5 * t, "Neck": 12 + 0 * t, "Head": 5 + 10 * t,
             "LeftArm": 195 - 40 * t, "LeftForeArm": 150 + 10 * t, "LeftHand": 140 + 0 * t,
             "RightArm": 170 - 110 * t, "RightForeArm": 100 - 60 * t, "RightHand": 60 - 40 * t,
             "LeftUpLeg": 165 + 25 * t, "LeftLeg": 185 + 10 * t, "LeftFoot": 95 - 5 * t,
             "RightUpLeg": 195 - 30 * t, "RightLeg": 205 - 20 * t, "RightFoot": 100 + 0 * t}
    return world, np.linspace(0.0, 60.0, n)


def test_retarget_recovers_planar_angles_within_two_degrees(tmp_path):
    world, root_z = _known_motion()
    path = tmp_path / "known.bvh"
    path.write_text(_hand_written_bvh(world, root_z))
    clip = bvh.load_bvh(path)
    assert clip.n_frames == 12 and clip.joints[0].channels[3:] == ["Zrotation", "Xrotation", "Yrotation"]
    for name in ("talos", "mira", "pip"):
        rig = ka.load_rig(name)
        mapping = {"spine": ("Spine", "Chest"), "chest": ("Chest", "Neck")}  # this file names the chest "Chest"
        poses = retarget.retarget(clip, rig, mapping=mapping, fps=clip.fps)
        assert len(poses) == clip.n_frames
        for f in (0, 5, 11):
            for rj, b in BONES.items():
                parent = rig.joint_map[rj].parent
                expect = world[b][f] - (world[BONES[parent]][f] if parent else 0.0)
                got = poses[f].joints[rj]
                diff = (got - expect + 180.0) % 360.0 - 180.0
                assert abs(diff) <= 2.0, (name, rj, f, got, expect)
        # Root travel follows the hips along the heading, scaled by the leg-length ratio.
        xs = [p.root_x for p in poses]
        assert np.all(np.diff(xs) > 0)
        expect_dx = 60.0 * retarget.rig_leg_length(rig) / 84.0 * ka.CHARACTER_HEIGHT * rig.height / (16 / 9)
        assert xs[-1] - xs[0] == pytest.approx(expect_dx, rel=1e-6)


def test_load_write_load_is_equal(tmp_path):
    for name in ("walk", "wave"):
        a = bvh.load_bvh(MOCAP / f"{name}.bvh")
        b = bvh.load_bvh(bvh.write_bvh(a, tmp_path / f"{name}.bvh"))
        assert b.names() == a.names() and b.frame_time == pytest.approx(a.frame_time, abs=1e-9)
        assert [j.channels for j in b.joints] == [j.channels for j in a.joints]
        assert [j.parent for j in b.joints] == [j.parent for j in a.joints]
        for ja, jb in zip(a.joints, b.joints):
            assert np.array_equal(ja.offset, jb.offset)
            assert (ja.end_site is None) == (jb.end_site is None)
        assert np.array_equal(a.motion, b.motion)  # values already at 6 decimals survive exactly
        assert bvh.bvh_text(a) == bvh.bvh_text(b)


@pytest.mark.parametrize("order", ["ZXY", "YXZ", "XYZ", "ZYX"])
def test_rotation_order_matches_intrinsic_euler(order):
    rng = np.random.default_rng(3)
    angles = rng.uniform(-90, 90, size=(5, 3))
    chans = [f"{a}rotation" for a in order]
    joint = bvh.BvhJoint("Root", -1, np.zeros(3), ["Xposition", "Yposition", "Zposition"] + chans,
                         end_site=np.array([0.0, 1.0, 0.0]))
    clip = bvh.BvhClip([joint], 1 / 30, np.concatenate([np.zeros((5, 3)), angles], axis=1))
    got = bvh.local_rotations(clip, 0)
    want = Rotation.from_euler(order, angles, degrees=True).as_matrix()  # upper case = intrinsic
    assert np.allclose(got, want, atol=1e-9)
    _, _, ends = bvh.world_positions(clip)
    assert np.allclose(ends[0], want @ np.array([0.0, 1.0, 0.0]))


def test_heading_is_turned_to_profile(tmp_path):
    # The same walk performed along +X (hips yawed 90 deg) retargets like the one along +Z.
    clip = bvh.load_bvh(MOCAP / "walk.bvh")
    rig = ka.load_rig("talos")
    ref = retarget.retarget(clip, rig)
    turned = bvh.BvhClip(clip.joints, clip.frame_time, clip.motion.copy())
    root_pos = turned.motion[:, 0:3].copy()
    turned.motion[:, 0], turned.motion[:, 2] = root_pos[:, 2], -root_pos[:, 0]  # X <- Z: walk along +X
    # Yrotation is the innermost root channel (Z X Y), so adding 90 deg there is a yaw applied
    # before the small pelvis tilt rather than after it: the same walk to within a degree.
    turned.motion[:, 5] += 90.0
    out = retarget.retarget(turned, rig)
    for a, b in zip(ref[::3], out[::3]):
        assert a.root_x == pytest.approx(b.root_x, abs=2e-3)
        for k in ("l_hip", "r_knee", "l_shoulder", "r_elbow", "spine"):
            assert a.joints[k] == pytest.approx(b.joints[k], abs=1.5)


def test_shipped_mocap_drives_every_character():
    walk, wave = bvh.load_bvh(MOCAP / "walk.bvh"), bvh.load_bvh(MOCAP / "wave.bvh")
    assert walk.n_frames >= 30 and wave.n_frames >= 30
    for name in ("talos", "mira", "pip"):
        rig = ka.load_rig(name)
        poses = retarget.retarget(walk, rig, root_x=0.2, aspect=16 / 9)
        assert len(poses) == int(round((walk.n_frames - 1) * walk.frame_time * 24)) + 1
        xs = np.array([p.root_x for p in poses])
        assert np.all(np.diff(xs) > 0) and xs[-1] - xs[0] > 0.05
        # The legs alternate: the far thigh swings forward and back of the near one.
        gap = np.array([p.joints["l_hip"] - p.joints["r_hip"] for p in poses])
        assert gap.max() > 20 and gap.min() < -20
        for p in poses[::4]:
            for j in rig.joints:
                assert j.min <= p.joints[j.name] <= j.max
        art = ka.draw_line_art([(rig, poses[len(poses) // 2])], 320, 180)
        assert (art.line > 0.5).sum() > 50
        # The wave lifts the near hand above the head.
        w = retarget.retarget(wave, rig)
        mid = ka.forward_kinematics(rig, w[len(w) // 2])
        assert mid["r_wrist"].start[1] > mid["head"].start[1]


def test_bvh_key_poses_reduce_and_inbetween_back():
    clip = bvh.load_bvh(MOCAP / "walk.bvh")
    rig = ka.load_rig("mira")
    dense = retarget.retarget(clip, rig, root_x=0.3)
    keys = retarget.bvh_key_poses(clip, rig, start_frame=4, tolerance=3.0, root_x=0.3)
    assert keys[0].frame == 4 and keys[-1].frame == 4 + len(dense) - 1
    assert 4 <= len(keys) < len(dense)
    assert all(k.easing == "linear" and k.character == "mira" for k in keys)
    back = ib.inbetween_poses(keys, 4 + len(dense))["mira"][4:]
    # Follow-through springs add a little overlap, so allow a few degrees beyond the tolerance.
    err = max(abs(a.joints[j] - b.joints[j]) for a, b in zip(dense, back) for j in ("l_hip", "r_hip", "l_knee"))
    assert err < 6.0


def test_malformed_bvh_names_file_and_problem(tmp_path):
    bad = tmp_path / "bad.bvh"
    bad.write_text("HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 3 Xposition Yposition Wobble\n}\n")
    with pytest.raises(ValueError, match=r"bad\.bvh.*unknown channel 'Wobble'"):
        bvh.load_bvh(bad)
    short = tmp_path / "short.bvh"
    short.write_text(bvh.bvh_text(bvh.load_bvh(MOCAP / "wave.bvh")).rsplit("\n", 3)[0])
    with pytest.raises(ValueError, match=r"short\.bvh: ends unexpectedly"):
        bvh.load_bvh(short)
    with pytest.raises(ValueError, match="mapping for rig joint 'head'"):
        retarget.retarget(bvh.load_bvh(MOCAP / "wave.bvh"), ka.load_rig("pip"), mapping={"head": ("Skull", "Skull")})
