"""Riding: Prism reads "rides his bike" / "rows the boat" / "drives the car", Axis puts the rider on the
vehicle (hips on the seat, feet on the pedals, hands on the bar), the vehicle travels under the rider
through every in-between, a boat floats on the set's water, and a hull is drawn over its rower."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talos_assets.agents import inbetweening, props, sets
from talos_assets.agents import key_animation as ka
from talos_assets.agents.direction.action_text import read_actions
from talos_assets.agents.direction.camera import view_width
from talos_assets.agents.key_animation.acting import check_ride
from talos_assets.agents.key_animation.ik import effector_point
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, forward_kinematics
from talos_assets.agents.props.model import prop_bounds
from talos_assets.spec import CameraMove, CharacterAction, Emotion, Palette, PropUse, ShotPlan, ShotSize

W, H = 320, 180


def _shot(rider: str, prop: str, size: ShotSize = ShotSize.medium, place: str = "hills", frames: int = 48) -> ShotPlan:
    return ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description=f"{rider} rides the {prop}", emotion=Emotion.joy,
        valence=0.4, arousal=0.3, shot_size=size, camera=CameraMove.static, duration=frames / 24, frames=frames,
        handle_frames=0, fps=24, width=W, height=H, characters=[rider], effects=[], background=place,
        palette=Palette.from_hex_list("test", ["#101010", "#e0b090", "#402010", "#3050a0", "#f0c040", "#ffffff"]),
        seed=5, props=[PropUse(prop=prop)],
        actions=[CharacterAction(character=rider, action="ride", target=prop, target_kind="prop")],
    )


def _ridden(shot: ShotPlan):
    """The shot acted, staged and in-betweened as the assets do it: poses and prop poses per frame."""
    water = sets.water_line(shot.background)
    vehicles = props.shot_vehicles(shot)
    acted = ka.plan_acting(shot, vehicles=vehicles, water=water.y if water else None)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    keys, placed = props.stage_props(ka.with_prop_marks(shot, acted), acted.keys, rigs, riders=acted.riders, water=water,
                                     ride_frames=acted.ride_frames)
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    specs = props.placement_specs(placed)
    prop_poses = inbetweening.inbetween_prop_poses(placed, poses, rigs, specs, shot.total_frames, W / H)
    return acted, keys, rigs, placed, poses, specs, prop_poses


def _frame_point(pose, height: float, p: np.ndarray) -> np.ndarray:
    """A planted character-space (or prop-space) point in frame fractions."""
    h = CHARACTER_HEIGHT * height * pose.scale
    return np.array([pose.root_x + view_scale(pose) * h * p[0] / (W / H), pose.root_y - h * p[1]])


# ---- Prism --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, who, vehicle", [
    ("Pip rides his bike down the village lane.", "pip", "bicycle"),
    ("Lena pedals her bicycle home through the rain.", "lena", "bicycle"),
    ("Mira rows the boat across the lake.", "mira", "boat"),
    ("Talos drives his car down the empty street.", "talos", "car"),
    ("Ben drove off in the old car.", "ben", "car"),  # the vehicle after "in"; an irregular past
    ("Omar hopped on his bicycle and rode home.", "omar", "bicycle"),  # getting on is part of the ride
])
def test_prism_reads_riding_a_vehicle(text: str, who: str, vehicle: str):
    acts = read_actions(text, [who])
    assert [(a.character, a.action, a.target, a.target_kind) for a in acts] == [(who, "ride", vehicle, "prop")]


@pytest.mark.parametrize("text, acted", [
    ("Ada drives the nail into the beam with her hammer.", [("ada", "hammer")]),
    ("Pip walks past a row of lanterns.", [("pip", "walk")]),
    ("Ben and Lena had a blazing row.", []),
    ("Omar rides off into the sunset.", [("omar", "ride")]),  # no vehicle named: no target (not the sky)
])
def test_the_same_words_in_other_senses_are_no_ride(text: str, acted: list):
    acts = read_actions(text, ["ada", "pip", "ben", "lena", "omar"])
    assert [(a.character, a.action) for a in acts] == acted
    assert all(a.target is None for a in acts if a.action == "ride")


# ---- Axis: the rider on the vehicle --------------------------------------------------------------


@pytest.mark.parametrize("rider", ["talos", "mira", "pip"])
def test_the_rider_sits_on_the_saddle_with_feet_on_the_pedals_in_every_inbetween(rider: str):
    shot = _shot(rider, "bicycle")
    acted, keys, rigs, placed, poses, specs, prop_poses = _ridden(shot)
    assert acted.riders == {"bicycle": rider}
    (bike,) = placed
    assert bike.rider == rider and bike.holder is None
    spec, rig = specs["bicycle"], rigs[rider]
    v = props.vehicle(spec)
    assert all(c.passed for c in check_ride(rig, [k for k in keys if k.character == rider], v, W / H))
    char_h = CHARACTER_HEIGHT * rig.height * poses[rider][0].scale
    for f in range(shot.total_frames):
        pose, bike_pose = poses[rider][f], prop_poses["prop:bicycle"][f]
        pelvis = _frame_point(pose, rig.height, forward_kinematics(rig, pose)["pelvis"].start)
        saddle = _frame_point(bike_pose, spec.height, np.array(spec.ride.seat) - np.array(spec.anchor))
        gap = np.hypot((pelvis[0] - saddle[0]) * W / H, pelvis[1] - saddle[1]) / char_h
        assert gap < 0.04, f"frame {f}: hips {gap:.3f} heights off the saddle"
        assert bike_pose.root_y == pytest.approx(0.84), "the wheels stay on the ground line"


def test_the_vehicle_travels_with_its_rider_and_stays_in_view():
    shot = _shot("talos", "bicycle")
    _, _, rigs, placed, poses, specs, prop_poses = _ridden(shot)
    track = prop_poses["prop:bicycle"]
    rider = [p.root_x for p in poses["talos"]]
    offsets = [t.root_x - r for t, r in zip(track, rider)]
    assert max(offsets) - min(offsets) < 1e-9
    assert abs(track[-1].root_x - track[0].root_x) > 0.05, "the bicycle goes somewhere"
    facing = np.sign(view_scale(poses["talos"][0]))
    assert np.all(np.diff(rider) * facing >= -1e-9), "forward only"
    x0, _, x1, _ = prop_bounds(specs["bicycle"])
    view = view_width(shot)
    for t in (track[0], track[-1]):
        unit = CHARACTER_HEIGHT * specs["bicycle"].height * t.scale / (W / H)
        lo, hi = sorted((t.root_x + view_scale(t) * x0 * unit, t.root_x + view_scale(t) * x1 * unit))
        mid = np.mean(rider)
        assert mid - view / 2 <= lo and hi <= mid + view / 2, "the whole bicycle stays in the camera's view"


def test_the_pedal_check_fails_when_a_foot_leaves_its_pedal():
    shot = _shot("talos", "bicycle")
    _, keys, rigs, _, _, specs, _ = _ridden(shot)
    rig, v = rigs["talos"], props.vehicle(specs["bicycle"])
    mine = [k for k in keys if k.character == "talos"]
    bad = [k.model_copy(deep=True) for k in mine]
    bad[1].pose.joints["r_knee"] += 35.0
    names = {c.name: c.passed for c in check_ride(rig, bad, v, W / H)}
    assert names["feet on the pedals"] is False
    still = [k.model_copy(deep=True) for k in mine]
    for k in still:
        k.pose.root_x = mine[0].pose.root_x
    assert {c.name: c.passed for c in check_ride(rig, still, v, W / H)}["travels forward"] is False


def test_pedalling_turns_the_cranks_half_a_turn_apart():
    shot = _shot("mira", "bicycle")
    _, keys, rigs, _, _, specs, _ = _ridden(shot)
    rig, spec = rigs["mira"], specs["bicycle"]
    v = props.vehicle(spec)
    k = v.height * ka.acting.riding.ride_scale(v, rig) / rig.height
    centre = (np.array(v.feet) - np.array(v.seat)) * k
    angles = []
    for key in keys[:3]:
        r = effector_point(rig, key.pose, "r_knee", planted=False) - centre
        lft = effector_point(rig, key.pose, "l_knee", planted=False) - centre
        assert np.dot(r, lft) / (np.linalg.norm(r) * np.linalg.norm(lft)) < -0.95, "the feet are opposite"
        angles.append(np.degrees(np.arctan2(r[1], r[0])))
    turns = np.diff(angles)
    assert np.all(((turns + 180) % 360 - 180) < -45), "a quarter turn forward (clockwise) each key"


# ---- boats float, hulls are drawn over the rower --------------------------------------------------


def test_a_rowed_boat_floats_on_the_lake_and_its_hull_is_drawn_over_the_rower():
    shot = _shot("mira", "boat", place="lake")
    _, _, rigs, placed, poses, _, prop_poses = _ridden(shot)
    (boat,) = placed
    assert prop_poses["prop:boat"][0].root_y == pytest.approx(sets.water_line("lake").y)
    assert sets.water_line("lake").y < 0.84, "on the water, above the bank's ground line"
    prop_rigs = {"boat": props.load_prop_rig("boat")}
    scene = props.frame_drawables(rigs, {"mira": poses["mira"][0]}, [boat], prop_rigs, {"boat": prop_poses["prop:boat"][0]})
    names = [r.name for r, _ in scene]
    assert names.index("prop:boat:back") < names.index("mira") < names.index("prop:boat:front")
    front = {p.name for p in scene[names.index("prop:boat:front")][0].parts}
    assert front == {"hull", "stripe"}


def test_a_standing_boat_floats_where_the_set_has_water_and_stands_where_it_has_none():
    placed = {}
    for place in ("lake", "hills"):
        shot = _shot("pip", "boat", size=ShotSize.wide, place=place).model_copy(update={"actions": []})
        keys = ka.plan_key_poses(shot)
        rigs = {c: ka.load_rig(c) for c in shot.characters}
        (placed[place],) = props.stage_props(shot, keys, rigs, water=sets.water_line(place))[1]
    water = sets.water_line("lake")
    assert placed["hills"].pose.root_y == pytest.approx(0.82) and sets.water_line("hills") is None
    assert placed["lake"].pose.root_y == pytest.approx(water.y) and placed["lake"].rider is None
    # out on the water it is farther away than the bank: smaller by the perspective of the horizon
    assert placed["lake"].pose.scale == pytest.approx(placed["hills"].pose.scale * (water.y - water.horizon) / (0.82 - water.horizon))
    assert placed["lake"].pose.scale < 0.7 * placed["hills"].pose.scale


def test_a_ride_with_nothing_to_ride_goes_on_its_way():
    shot = _shot("pip", "bicycle").model_copy(update={"props": []})
    acted = ka.plan_acting(shot, vehicles={})
    xs = [k.pose.root_x for k in acted.keys]
    assert acted.riders == {} and max(xs) - min(xs) > 0.02


def test_a_ride_block_naming_a_missing_part_is_one_sentence(tmp_path: Path):
    (tmp_path / "cart.yaml").write_text(
        "height: 0.4\nride: {stroke: pedal, seat: [0, 0.8], hands: [0.3, 0.9], feet: [0, 0.3], front: [wheel]}\n"
        "parts:\n  - {name: body, shape: box, region: coat, box: [-0.5, 0, 0.5, 1]}\n")
    with pytest.raises(ValueError) as err:
        props.load_prop("cart", [tmp_path])
    msg = str(err.value)
    assert str(tmp_path / "cart.yaml") in msg and "wheel" in msg and msg.count(". ") == 0 and msg.endswith(".")


def _acted_line(text: str, cast: list[str], vehicle: str):
    acts = read_actions(text, cast)
    shot = _shot(cast[0], vehicle).model_copy(update={"characters": cast, "actions": acts})
    return acts, _ridden(shot)


def test_a_wave_from_the_saddle_keeps_the_feet_pedalling_and_the_far_hand_on_the_bar():
    acts, (acted, keys, rigs, placed, poses, specs, prop_poses) = _acted_line(
        "Mira cycles past Pip and waves at him.", ["mira", "pip"], "bicycle")
    assert [(a.action, a.target) for a in acts] == [("ride", None), ("wave", "pip")]  # the shot's bicycle is mounted
    mine = [k for k in keys if k.character == "mira"]
    v = props.vehicle(specs["bicycle"])
    checks = {c.name: c for c in check_ride(rigs["mira"], mine, v, W / H, hands=("l",))}
    assert all(c.passed for c in checks.values()), checks
    assert acted.ride_frames == {"bicycle": (0, 47)}  # ridden the whole shot, the wave on top
    # the near arm waves: it leaves the bar in the second half and rises above the shoulder
    late = [k for k in mine if k.frame >= 30]
    wrist = [effector_point(rigs["mira"], k.pose, "r_wrist", planted=False)[1] for k in late]
    shoulder = forward_kinematics(rigs["mira"], late[0].pose)["r_shoulder"].start[1] - forward_kinematics(
        rigs["mira"], late[0].pose)["pelvis"].start[1]
    assert max(wrist) > shoulder


def test_a_ride_then_a_walk_leaves_the_bicycle_where_the_ride_ended():
    acts, (acted, keys, rigs, placed, poses, specs, prop_poses) = _acted_line(
        "Pip rides his bike to the fence and walks away.", ["pip"], "bicycle")
    assert [a.action for a in acts] == ["ride", "walk"]
    first, last = acted.ride_frames["bicycle"]
    assert first == 0 and 15 < last < 40
    track = [p.root_x for p in prop_poses["prop:bicycle"]]
    rider = [p.root_x for p in poses["pip"]]
    (bike,) = placed
    assert all(abs(track[f] - rider[f] - bike.ride_dx) < 1e-9 for f in range(first, last + 1))
    assert max(track[last:]) - min(track[last:]) < 1e-9, "parked once the ride ends"
    assert abs(rider[-1] - rider[last]) > 0.005, "while the rider walks on"
    assert bike.at_frame(last + 1).rider is None and bike.at_frame(last).rider == "pip"
    # the rider steps off over a stroke, not in one frame: the drop from the saddle to the ground is spread
    ys = [p.root_y for p in poses["pip"]]
    drop = abs(ys[-1] - ys[last])
    assert drop > 0.003 and max(abs(b - a) for a, b in zip(ys[last:], ys[last + 1:])) < 0.4 * drop


def test_a_bicycle_ridden_later_in_the_shot_stands_parked_until_the_ride():
    acts, (acted, keys, rigs, placed, poses, specs, prop_poses) = _acted_line(
        "Pip walks to his bike and rides off.", ["pip"], "bicycle")
    assert [a.action for a in acts] == ["walk", "ride"]
    first, last = acted.ride_frames["bicycle"]
    assert first > 10 and last == 47
    (bike,) = placed
    track = [p.root_x for p in prop_poses["prop:bicycle"]]
    assert max(track[:first]) - min(track[:first]) < 1e-9, "parked while Pip walks to it"
    assert bike.at_frame(0).rider is None and bike.at_frame(first).rider == "pip"
    # the storyboard panel (frame 0) shows it parked, not under the walking Pip
    assert track[0] == pytest.approx(bike.ride_x[0])


# ---- where a ride goes ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, cast, toward", [
    ("Pip rides his bike to the fence.", ["pip"], "fence"),
    ("Mira rows the boat toward Talos.", ["mira", "talos"], "talos"),
    ("Omar rides off into the sunset on his bike.", ["omar"], None),  # a place the set cannot mark
    ("Ben rides to the market on his bicycle.", ["ben"], None),
])
def test_prism_reads_where_a_ride_goes(text: str, cast: list[str], toward: str | None):
    (act,) = read_actions(text, cast)
    assert act.action == "ride" and act.toward == toward


@pytest.mark.parametrize("text, cast, place", [
    ("Pip rides his bike to the fence.", ["pip"], "village"),
    ("Mira rows the boat toward Talos.", ["mira", "talos"], "lake"),
])
def test_a_ride_to_something_heads_for_it_and_stops_short(text: str, cast: list[str], place: str):
    acts = read_actions(text, cast)
    (ride,) = [a for a in acts if a.action == "ride"]
    extra = [PropUse(prop=ride.toward)] if ride.toward not in cast else []
    shot = _shot(cast[0], ride.target, ShotSize.wide, place).model_copy(
        update={"characters": cast, "actions": acts, "props": [PropUse(prop=ride.target)] + extra})
    acted, keys, rigs, placed, poses, specs, prop_poses = _ridden(shot)
    track = [p.root_x for p in poses[cast[0]]]
    goal = poses[ride.toward][0].root_x if ride.toward in cast else \
        next(p.pose.root_x for p in placed if p.prop == ride.toward)
    assert abs(track[-1] - goal) < abs(track[0] - goal) - 0.05, "it rides toward what the line names"
    vehicle = prop_poses[f"prop:{ride.target}"][-1]
    x0, _, x1, _ = prop_bounds(specs[ride.target])
    unit = CHARACTER_HEIGHT * specs[ride.target].height * vehicle.scale / (W / H)
    front = vehicle.root_x + view_scale(vehicle) * x1 * unit
    assert (goal - front) * np.sign(goal - track[0]) > 0, "and its front stops short of it"
