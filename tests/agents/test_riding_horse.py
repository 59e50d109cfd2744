"""Riding a horse: Prism reads "rides her horse" / "gallops on his pony" (and not a rocking horse), the
horse is a prop with legs of their own that stride while it is ridden and stand still when it is not,
the rider sits the saddle with feet in the stirrups and hands on the reins in every in-between, and a
leg or bone a prop file gets wrong is one sentence naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talos_assets.agents import inbetweening, props, sets
from talos_assets.agents import key_animation as ka
from talos_assets.agents.direction.action_text import read_actions
from talos_assets.agents.direction.vocabulary import vocabulary_index
from talos_assets.agents.direction.world_reading import read_line
from talos_assets.agents.key_animation.acting import check_ride
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, forward_kinematics
from talos_assets.agents.props.model import PROP_BONE
from talos_assets.spec import CameraMove, CharacterAction, Emotion, Palette, Pose, PropUse, ShotPlan, ShotSize

W, H = 320, 180
CAST = ["talos", "mira", "pip", "ada", "ben", "lena", "omar", "rosa"]


def _shot(rider: str, frames: int = 48) -> ShotPlan:
    return ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description=f"{rider} rides the horse", emotion=Emotion.joy,
        valence=0.4, arousal=0.3, shot_size=ShotSize.wide, camera=CameraMove.static, duration=frames / 24, frames=frames,
        handle_frames=0, fps=24, width=W, height=H, characters=[rider], effects=[], background="meadow",
        palette=Palette.from_hex_list("test", ["#101010", "#e0b090", "#402010", "#3050a0", "#f0c040", "#ffffff"]),
        seed=5, props=[PropUse(prop="horse")],
        actions=[CharacterAction(character=rider, action="ride", target="horse", target_kind="prop")],
    )


def _ridden(shot: ShotPlan):
    vehicles = props.shot_vehicles(shot)
    acted = ka.plan_acting(shot, vehicles=vehicles, water=None)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    keys, placed = props.stage_props(ka.with_prop_marks(shot, acted), acted.keys, rigs, riders=acted.riders,
                                     water=sets.water_line(shot.background), ride_frames=acted.ride_frames)
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    specs = props.placement_specs(placed)
    prop_poses = inbetweening.inbetween_prop_poses(placed, poses, rigs, specs, shot.total_frames, W / H)
    return keys, rigs, placed, poses, specs, prop_poses


def _hoof(pose: Pose, bone: str) -> np.ndarray:
    """The end of a horse leg's lower bone (the hoof), in prop units from the anchor."""
    rig = props.load_prop_rig("horse")
    b = forward_kinematics(rig, pose)[bone]
    return b.to_world(np.array([-0.26]), np.array([0.0]))[0]  # the knee is 0.26 above the ground


# ---- Prism --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, who", [
    ("Rosa rides her horse along the beach at dusk.", "rosa"),
    ("Ben gallops across the meadow on his pony.", "ben"),  # galloping with a horse named is riding it
    ("Mira rode off on horseback at dawn.", "mira"),
    ("Talos trots his old mare down the lane.", "talos"),
])
def test_prism_reads_riding_a_horse(text: str, who: str):
    acts = read_actions(text, CAST)
    assert [(a.character, a.action, a.target) for a in acts] == [(who, "ride", "horse")]
    assert "horse" in [p.prop for p in read_line(text, vocabulary_index(), {c: c for c in CAST}).props]


@pytest.mark.parametrize("text, acted, horse", [
    ("Pip gallops down the hall to the door.", [("pip", "run")], False),  # no horse: a run
    ("Ada rocks the rocking horse by the fire.", None, False),  # a toy, not a horse
    ("Omar fills the horse trough at the well.", None, False),
    ("Thunder, Lena's old grey horse, dozes by the fence.", [], True),  # a horse that is there, unridden
])
def test_other_horse_words_are_no_ride(text: str, acted: list | None, horse: bool):
    if acted is not None:
        assert [(a.character, a.action) for a in read_actions(text, CAST)] == acted
    assert ("horse" in [p.prop for p in read_line(text, vocabulary_index(), {c: c for c in CAST}).props]) is horse


# ---- the horse prop -------------------------------------------------------------------------------


def test_the_horse_legs_stride_and_stand_square_at_rest():
    spec = props.load_prop("horse")
    rest = Pose(root_x=0.5, root_y=0.9, scale=1.0, joints={PROP_BONE: 0.0}, face={"facing": 1.0})
    # at rest every hoof is under its hip and on the ground
    for leg, shin in (("fore_near", "shin_fore_near"), ("hind_near", "shin_hind_near")):
        pivot = np.array(next(b.pivot for b in spec.bones if b.name == leg))
        hoof = _hoof(rest, shin)
        assert abs(hoof[0] - pivot[0]) < 0.02 and abs(hoof[1]) < 0.01
    # a quarter stride later the diagonal pairs have swung opposite ways, and a forward-swinging leg folds
    stride = [rest.model_copy(update={"joints": {PROP_BONE: 0.0, **spec.gait(t)}}) for t in (0.25, 0.75)]
    fore = [_hoof(p, "shin_fore_near")[0] for p in stride]
    hind = [_hoof(p, "shin_hind_near")[0] for p in stride]
    assert abs(fore[0] - fore[1]) > 0.15, "the near foreleg swings a stride's length"
    assert np.sign(fore[0] - fore[1]) == -np.sign(hind[0] - hind[1]), "near fore and near hind move opposite"
    lifted = max(_hoof(rest.model_copy(update={"joints": {PROP_BONE: 0.0, **spec.gait(t)}}), "shin_fore_near")[1]
                 for t in np.linspace(0, 1, 16))
    assert lifted > 0.05, "the hoof leaves the ground as the leg comes forward"


def test_the_rider_sits_the_saddle_feet_in_the_stirrups_and_the_horse_strides_under_him():
    shot = _shot("talos")
    keys, rigs, placed, poses, specs, prop_poses = _ridden(shot)
    (horse,) = placed
    assert horse.rider == "talos" and horse.holder is None and horse.stride_frames == pytest.approx(0.55 * 24)
    spec, rig = specs["horse"], rigs["talos"]
    checks = check_ride(rig, [k for k in keys if k.character == "talos"], props.vehicle(spec), W / H)
    assert {c.name for c in checks} >= {"feet in the stirrups", "hands on the reins", "travels forward"}
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
    char_h = CHARACTER_HEIGHT * rig.height * poses["talos"][0].scale
    track = prop_poses["prop:horse"]
    for f in range(shot.total_frames):
        pose, horse_pose = poses["talos"][f], track[f]
        pelvis = forward_kinematics(rig, pose)["pelvis"].start
        seat = np.array(spec.ride.seat) - np.array(spec.anchor)
        hp = CHARACTER_HEIGHT * spec.height * horse_pose.scale
        gap = np.hypot((pose.root_x + view_scale(pose) * CHARACTER_HEIGHT * rig.height * pose.scale * pelvis[0] / (W / H)
                        - horse_pose.root_x - view_scale(horse_pose) * hp * seat[0] / (W / H)) * W / H,
                       pose.root_y - CHARACTER_HEIGHT * rig.height * pose.scale * pelvis[1]
                       - horse_pose.root_y + hp * seat[1]) / char_h
        assert gap < 0.04, f"frame {f}: hips {gap:.3f} heights off the saddle"
    legs = np.array([[p.joints.get("fore_near", 0.0) for p in track]])
    assert np.ptp(legs) > 30, "the forelegs swing while ridden"
    assert abs(track[-1].root_x - track[0].root_x) > 0.05, "the horse goes somewhere"


def test_a_horse_nobody_rides_stands_still():
    shot = _shot("talos").model_copy(update={"actions": [CharacterAction(character="talos", action="wave")]})
    _, _, placed, _, _, prop_poses = _ridden(shot)
    (horse,) = placed
    assert horse.rider is None
    track = prop_poses["prop:horse"]
    assert all(p.joints.get("fore_near", 0.0) == 0.0 for p in track)
    assert len({round(p.root_x, 9) for p in track}) == 1


@pytest.mark.parametrize("bones, part_bone, field", [
    ("bones:\n  - {name: leg, pivot: [0, 0.5], swing: 20}\n", "tail", "tail"),  # a part on a bone not listed
    ("bones:\n  - {name: shin, parent: leg, pivot: [0, 0.2]}\n", None, "leg"),  # a bone under one not listed before it
])
def test_a_prop_bone_the_file_gets_wrong_is_one_sentence(tmp_path: Path, bones: str, part_bone: str | None, field: str):
    on = f", bone: {part_bone}" if part_bone else ""
    (tmp_path / "mule.yaml").write_text(
        f"height: 1.0\n{bones}parts:\n  - {{name: body, shape: box, region: coat, box: [-0.5, 0.4, 0.5, 1]}}\n"
        f"  - {{name: leg_part, shape: box, region: coat, box: [-0.1, 0, 0.1, 0.5]{on}}}\n")
    with pytest.raises(ValueError) as err:
        props.load_prop("mule", [tmp_path])
    msg = str(err.value)
    assert str(tmp_path / "mule.yaml") in msg and field in msg and msg.endswith(".") and "\n" not in msg
