"""Flux: eased, arced, overlapping inbetweens in pose space, and motion curves."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import inbetweening as ib
from talos_assets.agents import key_animation as ka
from talos_assets.agents.key_animation.line_art import MIN_VIEW_SCALE
from talos_assets.spec import CameraMove, Emotion, KeyPose, Palette, Pose, ShotPlan, ShotSize


def _key(frame: int, character: str = "probe", easing: str = "ease-in-out", x: float = 0.5, y: float = 0.8,
         **joints: float) -> KeyPose:
    return KeyPose(frame=frame, character=character, easing=easing,
                   pose=Pose(root_x=x, root_y=y, joints=joints, face={"mouth_curve": 0.0, "facing": 1.0}))


def _talos_key(frame: int, easing: str = "ease-in-out", x: float = 0.5, **overrides: float) -> KeyPose:
    rig = ka.load_rig("talos")
    pose = rig.rest_pose(x, 0.8)
    pose.joints.update(overrides)
    return KeyPose(frame=frame, character="talos", pose=pose, easing=easing)


def test_keys_are_hit_exactly_and_held():
    keys = [_talos_key(5, l_shoulder=-170.0), _talos_key(14, l_shoulder=-100.0), _talos_key(25, l_shoulder=-20.0)]
    out = ib.inbetween_poses(keys, 32)
    poses = out["talos"]
    assert list(out) == ["talos"] and len(poses) == 32
    assert poses[5] == keys[0].pose and poses[25] == keys[-1].pose
    assert all(p == keys[0].pose for p in poses[:5])  # hold before the first key
    assert all(p == keys[-1].pose for p in poses[25:])  # hold after the last key
    # A joint without overlap also passes exactly through the middle key.
    assert poses[14].joints["l_shoulder"] == pytest.approx(-100.0)


def test_ease_in_out_slow_at_keys_fast_in_the_middle():
    out = ib.inbetween_poses([_key(0, a=0.0), _key(20, a=100.0)], 21)["probe"]
    v = np.diff([p.joints["a"] for p in out])
    assert v.max() > 0 and np.all(v >= 0)
    assert v[0] < 0.1 * v.max() and v[-1] < 0.1 * v.max()
    assert 7 <= int(np.argmax(v)) <= 12


@pytest.mark.parametrize("easing,fast_end", [("ease-in", True), ("ease-out", False)])
def test_ease_in_and_out_are_one_sided(easing, fast_end):
    out = ib.inbetween_poses([_key(0, easing=easing, a=0.0), _key(20, a=100.0)], 21)["probe"]
    v = np.diff([p.joints["a"] for p in out])
    assert (v[-1] > 5 * v[0]) if fast_end else (v[0] > 5 * v[-1])
    linear = ib.inbetween_poses([_key(0, easing="linear", a=0.0), _key(20, a=100.0)], 21)["probe"]
    lin = np.diff([p.joints["a"] for p in linear])
    assert np.allclose(lin, 5.0)


def test_angles_take_the_shortest_arc_unless_it_breaks_a_limit():
    out = ib.inbetween_poses([_key(0, a=170.0), _key(10, a=-170.0)], 11)["probe"]
    mid = [p.joints["a"] for p in out[1:-1]]
    assert all(abs(((m - 180.0) + 180.0) % 360.0 - 180.0) <= 20.0 for m in mid)  # through 180, not 0
    # Talos's near arm may not swing through the body: the long way round stays inside its limits.
    rig = ka.load_rig("talos")
    lo, hi = rig.joint_map["r_shoulder"].min, rig.joint_map["r_shoulder"].max
    seq = ib.inbetween_poses([_talos_key(0, r_shoulder=250.0), _talos_key(10, r_shoulder=-30.0)], 11)["talos"]
    assert all(lo <= p.joints["r_shoulder"] <= hi for p in seq)


def test_root_moves_on_an_arc_and_monotonically():
    out = ib.inbetween_poses([_key(0, x=0.2, y=0.8), _key(16, x=0.6, y=0.8)], 17)["probe"]
    xs = np.array([p.root_x for p in out])
    ys = np.array([p.root_y for p in out])
    assert np.all(np.diff(xs) >= 0) and xs[0] == 0.2 and xs[-1] == 0.6
    assert ys[0] == ys[-1] == 0.8
    assert ys[8] < 0.8 - 0.05 * 0.4  # lifted (y grows downward) in the middle of the move
    assert np.argmin(ys) == 8


def test_follow_through_child_lags_parent_and_settles():
    # The far upper arm swings up in 12 frames and holds; the forearm keeps its relative angle in the keys.
    keys = [_talos_key(0, l_shoulder=-170.0), _talos_key(12, l_shoulder=-60.0),
            _talos_key(40, l_shoulder=-60.0)]
    seq = ib.inbetween_poses(keys, 41)["talos"]
    parent = np.array([p.joints["l_shoulder"] for p in seq])
    child_world = parent + np.array([p.joints["l_elbow"] for p in seq])
    half_parent = np.argmax(parent >= (parent[0] + parent[12]) / 2)
    target_world = child_world[0] + (parent[12] - parent[0])
    half_child = np.argmax(child_world >= (child_world[0] + target_world) / 2)
    assert half_child >= half_parent + 1, (half_parent, half_child)
    # The wrist (a child of the forearm) lags more still: lags cascade down the chain.
    wrist_world = child_world + np.array([p.joints["l_wrist"] for p in seq])
    assert np.argmax(wrist_world >= (wrist_world[0] + target_world) / 2) >= half_child
    # Damped settle: the forearm overshoots after the parent stops, then comes back to its key.
    rel = np.array([p.joints["l_elbow"] for p in seq]) - keys[0].pose.joints["l_elbow"]
    assert rel[12:30].max() > 2.0  # trailing behind, then swinging past
    assert abs(rel[-1]) < 1e-9 and abs(rel[34]) < abs(rel[12:30]).max() / 3


def test_motion_curves_and_plot():
    shot = ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description="d", emotion=Emotion.joy, valence=0.8,
        arousal=0.5, shot_size=ShotSize.medium, camera=CameraMove.static, duration=1.5, frames=36, handle_frames=4,
        fps=24, width=160, height=90, characters=["talos", "pip"], effects=[],
        palette=Palette.from_hex_list("p", ["#000000"]), seed=4,
    )
    keys = ka.plan_key_poses(shot)
    poses = ib.inbetween_poses(keys, shot.total_frames)
    assert set(poses) == {"talos", "pip"} and all(len(v) == shot.total_frames for v in poses.values())
    curves = ib.motion_curves(poses)
    assert {"talos.l_shoulder", "talos.root_x", "talos.root_y", "pip.tail", "pip.face.mouth_curve"} <= set(curves)
    assert all(len(c) == shot.total_frames for c in curves.values())
    assert np.ptp(curves["talos.root_x"]) > 0.01
    # Every inbetween renders.
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    for f in range(0, shot.total_frames, 5):
        art = ka.draw_line_art([(rigs[c], poses[c][f]) for c in shot.characters], 160, 90)
        assert (art.line > 0.5).sum() > 50
    img = ib.plot_motion_curves(curves, 480, 270)
    assert img.shape == (270, 480, 3) and img.dtype == np.uint8
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 10  # curves in several colours, not a blank


def test_motion_curves_unwrap_the_seam():
    poses = ib.inbetween_poses([_key(0, a=150.0), _key(10, a=-150.0)], 11)
    c = np.array(ib.motion_curves(poses)["probe.a"])
    assert np.abs(np.diff(c)).max() < 30 and c[-1] == pytest.approx(210.0)


def test_edge_cases():
    assert ib.inbetween_poses([], 10) == {}
    one = ib.inbetween_poses([_key(3, a=5.0)], 6)["probe"]
    assert len(one) == 6 and all(p.joints["a"] == 5.0 for p in one)
    with pytest.raises(ValueError):
        ib.inbetween_poses([_key(0, a=1.0)], -1)
    with pytest.raises(ValueError):
        ib.ease(np.array([0.5]), "bouncy")


def test_facing_eases_on_one_side_and_cuts_across():
    def key(frame, facing):
        return KeyPose(frame=frame, character="probe", pose=Pose(joints={"a": 0.0}, face={"facing": facing}))

    seq = ib.inbetween_poses([key(0, 1.0), key(10, 0.5), key(20, -0.5), key(30, -1.0)], 31)["probe"]
    f = np.array([p.face["facing"] for p in seq])
    assert np.all(np.abs(f) >= MIN_VIEW_SCALE - 1e-9)  # never squashed through zero
    assert 0.5 < f[5] < 1.0 and -1.0 < f[25] < -0.5  # eased within a side
    assert set(np.sign(f[10:21]).tolist()) == {1.0, -1.0} and f[14] > 0 > f[16]  # one cut at mid-segment
    # across sides the figure turns toward the camera first: the cut is between the narrowest views,
    # a small mirror jump, not one three-quarter view to the other
    cut = int(np.flatnonzero(np.diff(np.sign(f)))[0])
    assert abs(f[cut]) < 0.35 and abs(f[cut + 1]) < 0.35 and f[cut] - f[cut + 1] < 0.7
    assert np.all(np.diff(f[10:cut + 1]) < 0) and np.all(np.diff(f[cut + 1:21]) < 0)  # turning all the way


def test_linear_cycle_keys_get_no_extra_hop():
    keys = [_key(0, easing="linear", x=0.2), _key(8, easing="linear", x=0.3), _key(16, x=0.4)]
    ys = [p.root_y for p in ib.inbetween_poses(keys, 17)["probe"]]
    assert np.allclose(ys, 0.8)
    arced = [p.root_y for p in ib.inbetween_poses([_key(0, x=0.2), _key(16, x=0.4)], 17)["probe"]]
    assert min(arced) < 0.8


def test_walk_shot_inbetweens_render_closed_and_advance():
    shot = ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description="Pip runs to Talos", emotion=Emotion.joy,
        valence=0.8, arousal=0.6, shot_size=ShotSize.wide, camera=CameraMove.static, duration=1.5, frames=36,
        handle_frames=0, fps=24, width=320, height=180, characters=["pip"], effects=[],
        palette=Palette.from_hex_list("p", ["#000000"]), seed=2,
    )
    poses = ib.inbetween_poses(ka.plan_key_poses(shot), shot.total_frames)["pip"]
    xs = np.array([p.root_x for p in poses])
    assert abs(xs[-1] - xs[0]) > 0.05 and (np.all(np.diff(xs) >= 0) or np.all(np.diff(xs) <= 0))
    rig = ka.load_rig("pip")
    for p in poses[::6]:
        art = ka.draw_line_art([(rig, p)], 320, 180)
        assert (art.line > 0.5).sum() > 50


def test_rigs_given_by_the_caller_refine_like_the_built_in_lookup():
    shot = ShotPlan(
        film_id="f", shot_id="s", slot="s001", index=0, description="she turns around", emotion=Emotion.joy,
        valence=0.5, arousal=0.5, shot_size=ShotSize.medium, camera=CameraMove.static, duration=1.5, frames=36,
        handle_frames=4, fps=24, width=160, height=90, characters=["mira"], effects=[],
        palette=Palette.from_hex_list("p", ["#000000"]), seed=4,
    )
    keys = ka.plan_key_poses(shot)
    looked_up = ib.inbetween_poses(keys, shot.total_frames)
    assert ib.inbetween_poses(keys, shot.total_frames, {"mira": ka.load_rig("mira")}) == looked_up
    # A character the caller gives no rig is inbetweened without one: no follow-through on the hair.
    rigless = ib.inbetween_poses(keys, shot.total_frames, {})
    assert rigless != looked_up
    assert [p.joints["hair"] for p in rigless["mira"]] != [p.joints["hair"] for p in looked_up["mira"]]
