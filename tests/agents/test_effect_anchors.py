"""Stokes' anchors: an effect named at a joint follows that joint through the shot's poses (checked
against the drawn character), set anchors sit on the set's lines, and 'behind' effects go to the pass
under the characters."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents.effects.anchors import AnchorResolver, drawn_behind, resolve_joint
from talos_assets.agents.effects.shot import joint_anchored, needs_poses
from talos_assets.agents.key_animation import draw_line_art, load_rig
from talos_assets.spec import REGION_NAMES, EffectKind, EffectSpec, Palette, Pose

PALETTE = Palette.from_hex_list("test", ["#202020", "#e0b090", "#603020", "#305080", "#e0a020", "#101010", "#8090c0"])
W, H = 320, 180


def _walk(rig, n: int, x0: float = 0.3, x1: float = 0.7) -> list[Pose]:
    """Talos crossing the stage and leaning forward as he goes."""
    rest = rig.rest_pose(root_x=x0, root_y=0.84)
    poses = []
    for f in range(n):
        t = f / max(1, n - 1)
        joints = dict(rest.joints, chest=25.0 * t, spine=10.0 * t)
        poses.append(rest.model_copy(update={"root_x": x0 + (x1 - x0) * t, "joints": joints}))
    return poses


@pytest.fixture(scope="module")
def talos():
    return load_rig("talos")


def test_joint_track_sits_on_the_drawn_chest(talos):
    poses = _walk(talos, 9)
    resolver = AnchorResolver(9, W / H, {"talos": poses}, {"talos": talos}, characters=["talos"])
    track = resolver.track(EffectSpec(kind=EffectKind.fire, anchor="chest", character="talos"))
    assert track.label == "talos.chest" and track.moving
    accent = REGION_NAMES.index("accent")  # Talos's bronze core rides on his chest bone
    for f in (0, 4, 8):
        regions = draw_line_art([(talos, poses[f])], W, H).regions
        ys, xs = np.nonzero(regions == accent)
        drawn = np.array([xs.mean(), ys.mean()])
        assert np.hypot(*(track.points[f] * [W, H] - drawn)) < 6.0, f
    assert track.points[8, 0] - track.points[0, 0] > 0.35  # he walked across the frame


def test_body_words_and_default_character(talos):
    assert resolve_joint(talos, "heart") == "chest" and resolve_joint(talos, "hand") == "r_wrist"
    assert resolve_joint(talos, "r_wrist") == "r_wrist" and resolve_joint(talos, "tail") == "chest"
    poses = _walk(talos, 3)
    resolver = AnchorResolver(3, W / H, {"talos": poses}, {"talos": talos}, characters=["talos"])
    # no character named: the shot's first character
    assert resolver.track(EffectSpec(anchor="head")).label == "talos.head"
    # a joint of nobody in the shot falls back to the source, saying so
    lone = AnchorResolver(3, W / H).track(EffectSpec(anchor="chest", source_x=0.2, source_y=0.7))
    assert lone.label.startswith("source") and np.allclose(lone.points, [0.2, 0.7])


def test_set_anchors_use_the_horizon_ground_sky_and_props(talos):
    poses = {"talos": _walk(talos, 4), "prop:lantern": [Pose(root_x=0.8, root_y=0.9)] * 4}
    r = AnchorResolver(4, W / H, poses, {"talos": talos}, horizon=0.52, characters=["talos"])
    horizon = r.track(EffectSpec(kind=EffectKind.smoke, anchor="horizon", source_x=0.6))
    assert horizon.label == "horizon" and np.allclose(horizon.points, [0.6, 0.52])
    # far away on the horizon: behind whoever stands in front of it
    assert drawn_behind(EffectSpec(anchor="horizon")) and not drawn_behind(EffectSpec(anchor="ground"))
    ground = r.track(EffectSpec(kind=EffectKind.dust, anchor="ground"))
    assert ground.label == "ground" and np.all(ground.points[:, 1] > 0.84)  # in front of his feet
    assert r.track(EffectSpec(anchor="sky")).points[0, 1] < 0.1
    prop = r.track(EffectSpec(anchor="prop:lantern"))
    assert prop.label == "prop:lantern" and np.allclose(prop.points, [0.8, 0.9])
    missing = r.track(EffectSpec(anchor="prop:torch", source_x=0.1, source_y=0.5))
    assert missing.label == "source (prop:torch not found)" and np.allclose(missing.points, [0.1, 0.5])
    # "behind him" without a joint: behind his hips, following him
    behind = r.track(EffectSpec(kind=EffectKind.fire, character="talos", behind=True))
    assert behind.label == "talos.pelvis" and behind.moving
    assert np.all(behind.points[:, 1] < 0.7) and np.all(behind.points[:, 1] > 0.45)  # waist high
    feet = AnchorResolver(4, W / H, poses, {}, characters=["talos"]).track(EffectSpec(character="talos", behind=True))
    assert feet.label == "talos.feet"  # no rig to find his hips: at his feet


def test_which_effects_read_poses_and_come_out_of_a_body(talos):
    assert not needs_poses([EffectSpec(), EffectSpec(anchor="horizon"), EffectSpec(anchor="sky")])
    assert needs_poses([EffectSpec(anchor="chest")]) and needs_poses([EffectSpec(character="talos")])
    effects = [EffectSpec(anchor="chest"), EffectSpec(anchor="horizon"), EffectSpec(anchor="prop:lamp")]
    poses = {"talos": _walk(talos, 2)}
    tracks = AnchorResolver(2, W / H, poses, {"talos": talos}).tracks(effects)
    assert joint_anchored(effects, tracks) == [True, False, False]  # the lamp is not in this shot


def test_an_effect_at_a_joint_moves_with_it(talos):
    from talos_assets.agents.effects.render import render_effect_passes

    pytest.importorskip("warp")
    n, w, h = 14, 128, 72
    poses = _walk(talos, n, 0.2, 0.8)
    effect = EffectSpec(kind=EffectKind.fire, anchor="chest", character="talos", strength=1.5)
    track = AnchorResolver(n, w / h, {"talos": poses}, {"talos": talos}).track(effect)
    passes = list(render_effect_passes([effect], PALETTE, w, h, n, 24, seed=3, sim_height=32, detail=False,
                                       tracks=[track.points], joint_anchored=[True]))
    for f in (0, n // 2, n - 1):
        emitter = np.array(passes[f].positions[0]) * [w, h]
        # the emitter sits on the joint (within a simulation cell: the grid clamps it inside the box)
        assert np.hypot(*(emitter - track.points[f] * [w, h])) < 3.0, f

    def centroid_x(layer):
        a = layer[..., 3]
        return float((a * np.arange(w)[None, :]).sum() / a.sum())

    start, end = centroid_x(passes[1].front), centroid_x(passes[-1].front)
    assert end - start > 0.25 * w  # the fire went where he went
    assert not passes[-1].back.any()  # not behind: nothing under the characters


def test_behind_effect_is_drawn_in_the_back_pass():
    from talos_assets.agents.effects.render import render_effect_frames, render_effect_passes

    pytest.importorskip("warp")
    effects = [EffectSpec(kind=EffectKind.smoke, source_x=0.3, behind=True), EffectSpec(kind=EffectKind.sparks, source_x=0.7)]
    p = list(render_effect_passes(effects, PALETTE, 96, 54, 3, 24, seed=1, sim_height=16))[-1]
    assert p.back[..., 3].max() > 0.2 and p.back[:, 60:, 3].max() < 1e-3  # the smoke, on the left, behind
    assert p.front[..., 3].max() > 0.2 and p.front[:, :30, 3].max() < 1e-3  # the sparks, on the right, in front
    flat = list(render_effect_frames(effects, PALETTE, 96, 54, 3, 24, seed=1, sim_height=16))[-1]
    assert np.allclose(flat, p.front + p.back * (1.0 - p.front[..., 3:4]), atol=1e-6)


def test_a_prop_anchor_follows_the_prop_rig():
    from talos_assets.agents.effects.shot import load_anchor_rigs

    rigs = load_anchor_rigs(["prop:lantern", "prop:lantern-2", "prop:no-such-thing"])
    assert set(rigs) == {"prop:lantern", "prop:lantern-2"}  # Axis's repeat keys; unknown props left out
    poses = {"prop:lantern": [Pose(root_x=0.3 + 0.1 * f, root_y=0.8) for f in range(3)]}
    track = AnchorResolver(3, W / H, poses, rigs).track(EffectSpec(kind=EffectKind.fire, anchor="prop:lantern"))
    assert track.label == "prop:lantern" and track.moving
    assert np.all(track.points[:, 1] < 0.8)  # up on the lantern's body, not on the ground under it
    assert np.allclose(np.diff(track.points[:, 0]), 0.1, atol=1e-6)


def test_a_fluid_from_the_sky_comes_down():
    from talos_assets.agents.effects.render import render_effect_frames

    pytest.importorskip("warp")
    effect = EffectSpec(kind=EffectKind.smoke, anchor="sky", strength=2.0)
    track = AnchorResolver(12, 128 / 72).track(effect)
    frames = list(render_effect_frames([effect], PALETTE, 128, 72, 12, 24, seed=2, sim_height=32, detail=False,
                                       tracks=[track.points]))

    def centroid_y(f):
        a = f[..., 3]
        return float((a * np.arange(72)[:, None]).sum() / a.sum())

    assert centroid_y(frames[0]) < 12 and centroid_y(frames[-1]) > centroid_y(frames[0]) + 3


def test_dust_a_running_horse_kicks_up_rises_behind_it_on_the_ground_and_a_lantern_s_smoke_mid_body():
    from talos_assets.agents.props import load_prop_rig

    horse = load_prop_rig("horse")
    run = [Pose(root_x=0.7 - 0.05 * f, root_y=0.85, scale=1.0, joints={}, face={"facing": -1.0}) for f in range(5)]
    r = AnchorResolver(5, W / H, {"prop:horse": run}, {"prop:horse": horse})
    dust = r.track(EffectSpec(kind=EffectKind.dust, anchor="prop:horse"))
    assert np.allclose(dust.points[:, 1], 0.85), "on the ground under it"
    assert np.all(dust.points[:, 0] > np.array([p.root_x for p in run])), "behind it (it runs left)"
    smoke = r.track(EffectSpec(kind=EffectKind.smoke, anchor="prop:horse"))
    assert np.all(smoke.points[:, 1] < 0.85), "what is not kicked up comes from its body"
