"""Axis props: the library as data, staging beside the characters, held props through Flux's in-betweens,
insert shots, and props as closed regions Chroma fills."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from talos_assets.agents import coloring, inbetweening, props
from talos_assets.agents import key_animation as ka
from talos_assets.agents.camera_framing import apply_camera
from talos_assets.agents.direction import camera_plan
from talos_assets.spec import REGION_NAMES, CameraMove, Emotion, Palette, Pose, PropUse, ShotPlan, ShotSize
from talos_assets.stores.studio import StudioStore

CONTRACT_PROPS = (
    "lantern lamp candle torch basket ladder hammer sword shield cup bottle table chair bench bed door window book "
    "letter phone boat ship car bicycle tree rock barrel crate house flower moon umbrella anvil ball bag key clock "
    "guitar kite fence"
).split()
W, H = 320, 180


def _shot(characters: list[str], uses: list[PropUse], size: ShotSize = ShotSize.wide, description: str = "a test shot",
          frames: int = 40) -> ShotPlan:
    return ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description=description, emotion=Emotion.joy,
        valence=0.4, arousal=0.6, shot_size=size, camera=CameraMove.static, duration=frames / 24, frames=frames,
        handle_frames=0, fps=24, width=W, height=H, characters=characters, effects=[],
        palette=Palette.from_hex_list("test", ["#101010", "#e0b090", "#402010", "#3050a0", "#f0c040", "#ffffff"]),
        seed=5, props=uses,
    )


def shot_palette() -> Palette:
    return Palette.from_hex_list("test", ["#101010", "#e0b090", "#402010", "#3050a0", "#f0c040", "#ffffff"])


def _staged(shot: ShotPlan):
    keys = ka.plan_key_poses(shot)
    rigs = {c: ka.load_rig(c) for c in {k.character for k in keys}}
    keys, placed = props.stage_props(shot, keys, rigs)
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    specs = props.placement_specs(placed)
    prop_poses = inbetweening.inbetween_prop_poses(placed, poses, rigs, specs, shot.total_frames, W / H)
    return keys, rigs, placed, poses, specs, prop_poses


def _prop_art(placed, prop_poses, f: int, key: str):
    pl = next(p for p in placed if p.key == key)
    return ka.draw_line_art([(props.load_prop_rig(pl.prop), prop_poses["prop:" + key][f])], W, H)


# ---- the library ------------------------------------------------------------------------------


def test_every_contract_prop_loads_and_draws_as_closed_regions():
    assert set(CONTRACT_PROPS) <= set(props.available_props())
    fills = set(REGION_NAMES[1:])
    for pid in CONTRACT_PROPS:
        spec = props.load_prop(pid)
        assert spec.name == pid and spec.parts and 0 < spec.height <= 2
        cell = props.prop_cell(pid, 64)
        assert cell.shape == (64, 64, 3)
        pose = Pose(root_x=0.5, root_y=0.9, scale=1.2, joints={props.PROP_BONE: 0.0}, face={ka.FACING_KEY: 1.0})
        art = ka.draw_line_art([(props.load_prop_rig(pid), pose)], 320, 180)
        labels = {REGION_NAMES[v] for v in np.unique(art.regions) if v}
        assert labels and labels <= fills, pid
        assert art.silhouette.sum() > 30, f"{pid} draws almost nothing"


def test_moon_is_a_sky_prop_and_the_lantern_is_holdable():
    assert props.load_prop("moon").placement == "sky"
    lantern = props.load_prop("lantern")
    assert lantern.holdable and any(p.region == "accent" for p in lantern.parts)  # the glowing pane
    assert props.load_prop("window").placement == "wall" and props.load_prop("window").elevation > 0


@pytest.mark.parametrize("text, field", [
    ("height: 0.3\nparts:\n  - {name: a, shape: box, region: plaid, box: [0, 0, 1, 1]}\n", "parts[0] (a).region"),
    ("height: 0.3\nparts:\n  - {name: a, shape: box, region: coat}\n", "parts[0] (a)"),
    ("height: 9\nparts:\n  - {name: a, shape: ellipse, region: coat}\n", "height"),
    ("height: 0.3\nplacement: floor\nparts:\n  - {name: a, shape: ellipse, region: coat}\n", "placement"),
    ("height: 0.3\nparts: [\n", "not valid YAML"),
    ("- just\n- a list\n", "must be a YAML mapping"),
])
def test_a_broken_prop_file_is_one_sentence_naming_file_and_field(tmp_path: Path, text: str, field: str):
    (tmp_path / "widget.yaml").write_text(text)
    with pytest.raises(ValueError) as err:
        props.load_prop("widget", [tmp_path])
    msg = str(err.value)
    assert str(tmp_path / "widget.yaml") in msg and field in msg
    assert msg.count(". ") == 0 and msg.endswith("."), msg  # one sentence


def test_user_props_shadow_built_ins_and_extend_the_vocabulary(tmp_path: Path):
    (tmp_path / "lantern.yaml").write_text(
        "height: 0.5\nholdable: true\nwords: [lamp-post]\nparts:\n  - {name: a, shape: ellipse, region: accent}\n")
    (tmp_path / "teapot.yaml").write_text(
        "height: 0.12\nholdable: true\nwords: [teapot, kettle]\nparts:\n  - {name: pot, shape: ellipse, region: coat}\n")
    assert props.load_prop("lantern", [tmp_path]).height == 0.5
    vocab = props.prop_vocabulary([tmp_path])
    assert vocab["teapot"] == ["teapot", "kettle"] and set(CONTRACT_PROPS) <= set(vocab)
    rows = {r["id"]: r for r in props.prop_rows([tmp_path])}
    assert rows["teapot"]["source"] == str((tmp_path / "teapot.yaml").resolve()) and rows["teapot"]["holdable"]
    assert rows["sword"]["source"] == "built-in" and rows["moon"]["placement"] == "sky"
    with pytest.raises(ValueError, match="unknown prop 'nothing'.*lantern"):
        props.load_prop("nothing")


def test_a_user_prop_that_gives_off_an_effect_anchors_it(tmp_path: Path):
    from talos_assets.agents.direction import builtin_vocabulary, read_line, vocabulary_index
    from talos_assets.spec import WorldVocabulary

    (tmp_path / "teapot.yaml").write_text("height: 0.12\nholdable: true\nwords: [teapot, kettle]\ngives_off: [steam]\n"
                                          "parts:\n  - {name: pot, shape: ellipse, region: coat}\n")
    assert props.prop_sources([tmp_path]) == {"steam": ["teapot"]}
    base = builtin_vocabulary()
    vocab = WorldVocabulary(places=base.places, props={**base.props, "teapot": ["teapot", "kettle"]},
                            interiors=base.interiors, sources={**base.sources, "steam": ["teapot"]})
    line = "The kettle rattles on the table and a cloud of steam fills the kitchen."
    assert [(e.kind.value, e.anchor) for e in read_line(line, vocabulary_index(vocab), {}).effects] == [
        ("steam", "prop:teapot")]
    assert [e.anchor for e in read_line(line, vocabulary_index(), {}).effects] == [None]  # no known source
    (tmp_path / "teapot.yaml").write_text("height: 0.12\ngives_off: [tea]\nparts:\n  - {name: pot, shape: ellipse, region: coat}\n")
    with pytest.raises(ValueError, match="teapot.yaml.*gives_off"):
        props.load_prop("teapot", [tmp_path])


def test_a_character_still_needs_a_face(tmp_path: Path):
    text = Path(ka.CHARACTERS_DIR / "pip.yaml").read_text()
    head, _, _ = text.partition("\nface:")
    (tmp_path / "pip.yaml").write_text(head + "\n")
    with pytest.raises(ValueError, match=r"pip.yaml: field 'face' is missing"):
        ka.load_rig("pip", [tmp_path])


# ---- staging and Flux -------------------------------------------------------------------------


def _hand_px(rig, pose, hand: str) -> np.ndarray:
    x, y, _ = props.hand_point(rig, pose, hand, W / H)
    return np.array([x * W, y * H])


@pytest.mark.parametrize("prop, holder, hand, description", [
    ("lantern", "mira", "right", "a test shot"),
    ("sword", "talos", "left", "a test shot"),
    ("cup", "mira", "right", "mira walks to talos"),
])
def test_a_held_prop_follows_the_hand_through_every_inbetween(prop, holder, hand, description):
    shot = _shot(["mira", "talos"], [PropUse(prop=prop, holder=holder, hand=hand)], description=description)
    keys, rigs, placed, poses, specs, prop_poses = _staged(shot)
    assert [p.holder for p in placed] == [holder]
    track = prop_poses["prop:" + prop]
    assert len(track) == shot.total_frames
    hands = np.array([_hand_px(rigs[holder], poses[holder][f], hand) for f in range(shot.total_frames)])
    assert np.ptp(hands, axis=0).max() > 8, "the hand should move in this shot, or the test proves nothing"
    rig = props.load_prop_rig(prop)
    for f in range(shot.total_frames):
        gx, gy = props.grip_point(specs[prop], rig, track[f], W / H)  # from the prop's own kinematics
        assert np.hypot(gx * W - hands[f][0], gy * H - hands[f][1]) < 2.0, f"frame {f}"
    # ... and in the pixels: the drawn prop touches the hand on every few frames
    for f in range(0, shot.total_frames, 7):
        art = _prop_art(placed, prop_poses, f, prop)
        x, y = np.round(hands[f]).astype(int)
        near = art.silhouette[max(0, y - 4):y + 5, max(0, x - 4):x + 5]
        assert near.any(), f"frame {f}: no prop drawn at the hand"


def test_holding_lifts_the_arm_and_the_hand_is_drawn_closed_over_the_prop():
    plain = _shot(["mira"], [])
    held = _shot(["mira"], [PropUse(prop="lantern", holder="mira")])
    before = ka.plan_key_poses(plain)
    keys, rigs, placed, *_ = _staged(held)
    rest = rigs["mira"].joint_map["r_shoulder"].rest
    assert all(k.pose.joints["r_shoulder"] <= rest - props.load_prop("lantern").lift + 1e-6 for k in keys)
    assert [k.frame for k in keys] == [k.frame for k in before]
    prop_rig = {"lantern": props.load_prop_rig("lantern")}
    scene = props.frame_drawables(rigs, {"mira": keys[0].pose}, placed, prop_rig, {"lantern": placed[0].pose})
    names = [r.name for r, _ in scene]
    assert names == ["mira", "prop:lantern", "mira:right-fist"]  # holder, prop, then the closed hand on top


def test_a_standing_prop_rests_on_the_ground_beside_the_characters():
    shot = _shot(["mira"], [PropUse(prop="table"), PropUse(prop="barrel")])
    keys, rigs, placed, poses, specs, prop_poses = _staged(shot)
    ground = ka.SHOT_STAGING[ShotSize.wide][1]
    for pl in placed:
        assert pl.holder is None and abs(pl.pose.root_y - ground) < 1e-9
        for f in range(0, shot.total_frames, 5):
            prop = _prop_art(placed, prop_poses, f, pl.key).silhouette
            rows = np.flatnonzero(prop.any(axis=1))
            assert abs(rows.max() + 1 - ground * H) <= 2.0, "the prop's foot is on the ground line"
            char = ka.draw_line_art([(rigs["mira"], poses["mira"][f])], W, H).silhouette
            assert not (prop & char).any(), f"{pl.key} overlaps mira at frame {f}"
            assert prop_poses["prop:" + pl.key][f] == pl.pose  # it stays put
    a, b = (_prop_art(placed, prop_poses, 0, p.key).silhouette for p in placed)
    assert not (a & b).any(), "two standing props overlap"
    x0, _, x1, _ = props.camera_window(shot, keys)
    assert all(x0 <= p.pose.root_x <= x1 for p in placed), "placed inside what the camera sees"


def test_explicit_x_sky_and_wall_props():
    shot = _shot(["mira", "talos"], [PropUse(prop="crate", x=0.1), PropUse(prop="moon"), PropUse(prop="clock")])
    _, _, placed, *_ = _staged(shot)
    crate, moon, clock = placed
    assert crate.pose.root_x == 0.1
    assert moon.pose.root_y < 0.35, "the moon hangs high in the frame"
    assert clock.pose.root_y < ka.SHOT_STAGING[ShotSize.wide][1] - 0.2, "a wall clock hangs above the floor"
    assert f"moon (at x {moon.pose.root_x:.2f}, y {moon.pose.root_y:.2f})" in props.describe_placements(placed)


def test_an_insert_shot_shows_its_prop_large_and_centred():
    shot = _shot(["mira", "talos"], [PropUse(prop="lantern", holder="mira")], size=ShotSize.insert,
                 description="The lantern flickers")
    keys, rigs, placed, poses, specs, prop_poses = _staged(shot)
    assert keys == [] and placed[0].insert, "the characters are left out of an insert"
    art = _prop_art(placed, prop_poses, 0, "lantern")
    cam = camera_plan(shot, keys)[0]
    framed = apply_camera(art.silhouette.astype(np.float32), cam) > 0.5
    assert framed.mean() > 0.15, f"the lantern covers only {framed.mean():.0%} of the frame"
    ys, xs = np.nonzero(framed)
    assert np.ptp(ys) > 0.7 * H, "the lantern stands most of the frame's height"
    assert abs(xs.mean() - W / 2) < 0.1 * W and abs(ys.mean() - H / 2) < 0.15 * H
    assert props.describe_placements(placed) == "lantern (insert)"


def test_a_shot_without_props_is_staged_and_drawn_as_before():
    shot = _shot(["mira", "talos"], [])
    keys = ka.plan_key_poses(shot)
    rigs = {c: ka.load_rig(c) for c in ("mira", "talos")}
    staged, placed = props.stage_props(shot, keys, rigs)
    assert staged is keys and placed == []
    poses = {k.character: k.pose for k in keys[:2]}
    assert props.frame_drawables(rigs, poses, [], {}, {}) == [(rigs[c], poses[c]) for c in poses]


def test_props_are_regions_chroma_fills():
    shot = _shot(["mira"], [PropUse(prop="lantern", holder="mira"), PropUse(prop="chair")])
    keys, rigs, placed, poses, specs, prop_poses = _staged(shot)
    prop_rigs = {p.prop: props.load_prop_rig(p.prop) for p in placed}
    f = 10
    scene = props.frame_drawables(rigs, {"mira": poses["mira"][f]}, placed, prop_rigs,
                                  {p.key: prop_poses["prop:" + p.key][f] for p in placed})
    art = ka.draw_line_art(scene, W, H)
    rgba = coloring.color_frame(art.line, art.regions, shot.palette)
    for pl in placed:
        inside = _prop_art(placed, prop_poses, f, pl.key).silhouette.astype(np.uint8)
        # Its inside (the outer line's anti-aliased edge is part ink, part paper) where the hand is not.
        mask = cv2.erode(inside, np.ones((3, 3), np.uint8)).astype(bool) & (art.regions > 0)
        assert mask.sum() > 20
        assert (rgba[..., 3][mask] > 0.99).mean() > 0.95, f"{pl.prop} is not filled"
    accent = REGION_NAMES.index("accent")
    assert (art.regions == accent).sum() > 10, "the lantern's glowing pane is an accent region"


def test_prop_placements_round_trip_through_the_store(tmp_path: Path):
    shot = _shot(["mira"], [PropUse(prop="lantern", holder="mira"), PropUse(prop="chair")])
    _, _, placed, *_ = _staged(shot)
    store = StudioStore(tmp_path / "home", tmp_path / "renders")
    assert store.read_prop_placements(shot) == []
    store.write_prop_placements(shot, placed)
    assert store.read_prop_placements(shot) == placed


def test_prop_poses_feed_stokes_anchors():
    from talos_assets.agents.effects.anchors import AnchorResolver
    from talos_assets.spec import EffectKind, EffectSpec

    shot = _shot(["mira"], [PropUse(prop="lantern", holder="mira")])
    keys, rigs, placed, poses, specs, prop_poses = _staged(shot)
    resolver = AnchorResolver(shot.total_frames, W / H, {**poses, **prop_poses},
                              {**rigs, **props.placement_rigs(placed)}, characters=["mira"])
    track = resolver.track(EffectSpec(kind=EffectKind.fire, anchor="prop:lantern"))
    assert track.label == "prop:lantern" and track.moving



def test_the_storyboard_panel_shows_the_props():
    from talos_assets.agents import storyboard

    shot = _shot(["mira"], [PropUse(prop="lantern", holder="mira"), PropUse(prop="house")])
    keys, rigs, placed, *_ = _staged(shot)
    cam = camera_plan(shot, keys)[0]
    bare = storyboard.draw_storyboard_panel(shot, cam, keys, rigs, width=160)
    with_props = storyboard.draw_storyboard_panel(shot, cam, keys, rigs, width=160, placements=placed)
    assert bare.shape == with_props.shape
    assert (np.abs(bare.astype(int) - with_props.astype(int)).max(axis=2) > 60).sum() > 100


# ---- a prop changing hands --------------------------------------------------------------------


def test_prism_reads_a_give_as_a_hand_over_and_the_receiver_keeps_the_prop():
    from talos_assets.agents import direction
    from talos_assets.agents.key_animation import available_characters
    from talos_assets.story import parse_story

    story = parse_story("title: The Gift\nlogline: Pip gives Talos the lantern in the workshop. Talos lifts it and smiles.\n")
    first, second = direction.direct_film(story, shot_palette(), cast=available_characters()).shots
    assert [(p.prop, p.holder, p.given_to) for p in first.props] == [("lantern", "pip", "talos")]
    assert [(p.prop, p.holder, p.given_to) for p in second.props] == [("lantern", "talos", None)]


def test_a_given_prop_leaves_the_givers_hand_where_the_hands_meet():
    from talos_assets.spec import CharacterAction

    give = CharacterAction(character="pip", action="give", target="talos", target_kind="character", prop="lantern")
    shot = _shot(["pip", "talos"], [PropUse(prop="lantern", holder="pip", given_to="talos")], frames=96)
    shot = shot.model_copy(update={"actions": [give]})
    keys, rigs, placed, poses, specs, prop_poses = _staged(shot)
    (pl,) = placed
    assert (pl.holder, pl.given_to) == ("pip", "talos") and pl.hand_over_frame is not None
    meet = pl.hand_over_frame
    gaps = [np.linalg.norm(_hand_px(rigs["pip"], poses["pip"][f], "right") - _hand_px(rigs["talos"], poses["talos"][f], "right"))
            for f in range(shot.total_frames)]
    # the hands are together when it changes hands: within a few px of their closest, far closer than at the start
    assert gaps[meet] < min(gaps) + 4.0 and gaps[meet] < 0.5 * gaps[0]
    rig = props.load_prop_rig("lantern")
    for f in range(shot.total_frames):
        holder = "pip" if f < meet else "talos"
        gx, gy = props.grip_point(specs["lantern"], rig, prop_poses["prop:lantern"][f], W / H)
        hand = _hand_px(rigs[holder], poses[holder][f], "right")
        assert np.hypot(gx * W - hand[0], gy * H - hand[1]) < 2.0, f"frame {f}: not in {holder}'s hand"
    # drawn with its holder of the moment: after the hand-over the closed hand over it is Talos's
    late = inbetweening.placements_at(placed, shot.total_frames - 1)
    assert [p.holder for p in late] == ["talos"]
    assert "handed to talos at frame" in props.describe_placements(placed)
