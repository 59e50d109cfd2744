"""Axis: rigs as data, the emotion pose library, key-pose planning and closed-region line art."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from talos_assets.agents import key_animation as ka
from talos_assets.spec import REGION_NAMES, CameraMove, Emotion, Palette, ShotPlan, ShotSize

SKIN, COAT, EYE = (REGION_NAMES.index(r) for r in ("skin", "coat", "eye"))


def _shot(characters: list[str], frames: int = 48, handles: int = 6, seed: int = 1,
          emotion: Emotion = Emotion.determination, arousal: float = 0.4) -> ShotPlan:
    return ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description="a test shot", emotion=emotion,
        valence=0.3, arousal=arousal, shot_size=ShotSize.wide, camera=CameraMove.static, duration=2.0,
        frames=frames, handle_frames=handles, fps=24, width=320, height=180, characters=characters, effects=[],
        palette=Palette.from_hex_list("test", ["#101010", "#e0b090"]), seed=seed,
    )


def _pose(rig: ka.Rig, emotion: Emotion = Emotion.joy, arousal: float = 0.5, x: float = 0.5, facing: int = 1):
    return ka.emotion_pose(rig, emotion, arousal, x, facing)


def test_characters_load_from_yaml():
    names = ka.available_characters()
    assert {"talos", "mira", "pip"} <= set(names)
    for name in names:
        rig = ka.load_rig(name)
        assert rig.name == name and len(rig.joints) >= 10 and len(rig.parts) >= 10
        # Every rig can express the shared emotion library: the core joints exist.
        assert {"spine", "head", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow"} <= set(rig.joint_map)
        assert {p.region for p in rig.parts} >= {"skin", "coat"}
        assert rig.lines.silhouette > rig.lines.inner


def test_unknown_character_names_the_available_ones():
    with pytest.raises(ValueError) as err:
        ka.load_rig("nobody")
    assert "talos" in str(err.value) and "mira" in str(err.value)


def test_rig_validation_rejects_bad_data():
    data = {
        "name": "bad", "joints": [{"name": "a", "length": 0.5}, {"name": "c", "parent": "b", "length": 0.2}],
        "parts": [{"name": "p", "bone": "a", "shape": "ellipse", "region": "skin"}],
        "face": {"after_part": "p", "bone": "a"},
    }
    with pytest.raises(ValidationError, match="before its parent"):
        ka.Rig.model_validate(data)
    data["joints"][1]["parent"] = "a"
    data["parts"][0]["region"] = "plaid"
    with pytest.raises(ValidationError, match="region"):
        ka.Rig.model_validate(data)


@pytest.mark.parametrize("name", ["talos", "mira", "pip"])
def test_every_character_renders(name):
    rig = ka.load_rig(name)
    art = ka.draw_line_art([(rig, _pose(rig))], 160, 90)
    assert art.line.shape == (90, 160) and art.line.dtype == np.float32
    assert art.regions.shape == (90, 160) and art.regions.dtype == np.uint8
    assert art.silhouette.dtype == bool
    assert 0.0 <= float(art.line.min()) and float(art.line.max()) <= 1.0
    assert (art.line > 0.5).sum() > 50, "no ink drawn"
    labels = set(np.unique(art.regions).tolist())
    assert {SKIN, COAT, EYE} <= labels
    assert art.silhouette.sum() > 80
    # Region hints only where the character is (the silhouette, up to anti-aliased edge pixels).
    outside = (art.regions > 0) & ~cv2.dilate(art.silhouette.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert outside.sum() == 0


def test_line_art_has_closed_regions_that_do_not_leak():
    rigs = [ka.load_rig(n) for n in ("talos", "mira", "pip")]
    poses = [_pose(r, e, 0.7, x, f) for r, e, x, f in
             zip(rigs, (Emotion.anger, Emotion.fear, Emotion.surprise), (0.25, 0.55, 0.8), (1, -1, -1))]
    art = ka.draw_line_art(list(zip(rigs, poses)), 320, 180)
    paper = (art.line < 0.5).astype(np.uint8)
    n, labels = cv2.connectedComponents(paper, connectivity=4)
    assert n - 1 > 3 * 8, f"only {n - 1} closed regions"
    # No character interior may be connected to the frame border (a gap in an outline would do that).
    border = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))) - {0}
    interior = (art.regions > 0) & (art.line < 0.05)
    assert not (np.isin(labels, list(border)) & interior).any()
    # Each closed region carries one region hint (so Chroma's majority vote is unambiguous).
    for lab in range(1, n):
        if lab in border:
            continue
        hints = art.regions[(labels == lab) & (art.line < 0.05)]
        if hints.size:
            assert np.bincount(hints).max() == hints.size


def test_drawing_is_resolution_independent():
    rigs = [ka.load_rig("talos"), ka.load_rig("mira")]
    poses = [_pose(rigs[0], Emotion.joy, 0.6, 0.3, 1), _pose(rigs[1], Emotion.awe, 0.6, 0.68, -1)]
    small = ka.draw_line_art(list(zip(rigs, poses)), 320, 180)
    big = ka.draw_line_art(list(zip(rigs, poses)), 1280, 720)
    down = cv2.resize(big.line, (320, 180), interpolation=cv2.INTER_AREA)
    # Line mask = pixels at least a quarter covered. (The small drawing also keeps every pixel a stroke
    # core crosses at >= 0.6 so thin outlines stay closed; that moves pixels across 0.5, not 0.25.)
    a, b = small.line >= 0.25, down >= 0.25
    assert (a & b).sum() / (a | b).sum() >= 0.8
    sil = cv2.resize(big.silhouette.astype(np.float32), (320, 180), interpolation=cv2.INTER_AREA) >= 0.5
    assert (sil & small.silhouette).sum() / (sil | small.silhouette).sum() >= 0.9


def test_line_widths_scale_with_height():
    rig = ka.load_rig("talos")
    inner_720, sil_720 = ka.line_widths(rig, 720)
    inner_1440, sil_1440 = ka.line_widths(rig, 1440)
    assert sil_720 > inner_720 and inner_1440 == pytest.approx(2 * inner_720)
    assert ka.line_widths(rig, 36)[0] >= rig.lines.min_px


def test_silhouette_line_is_heavier_than_inner_lines():
    # A block with a smaller block inside: the outer outline is silhouette, the inner one is not.
    rig = ka.Rig.model_validate({
        "name": "blocks", "joints": [{"name": "root", "length": 1.0}],
        "parts": [
            {"name": "outer", "bone": "root", "shape": "polygon", "region": "coat",
             "points": [[0.0, -0.3], [1.0, -0.3], [1.0, 0.3], [0.0, 0.3]]},
            {"name": "inner", "bone": "root", "shape": "polygon", "region": "accent",
             "points": [[0.1, -0.15], [0.5, -0.15], [0.5, 0.15], [0.1, 0.15]]},
        ],
        "face": {"bone": "root", "after_part": "outer", "center": [0.85, 0.0], "mouth_along": 0.8},
    })
    pose = rig.rest_pose(0.5, 0.9)
    art = ka.draw_line_art([(rig, pose)], 640, 720)
    row = art.line[int(0.9 * 720 - 0.3 * ka.CHARACTER_HEIGHT * 720)]  # a row through the inner block
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (row > 0.02).astype(np.int8), [0]])))
    # Stroke width across the row = integrated ink coverage of each run of ink.
    widths = [float(row[a:b].sum()) for a, b in zip(edges[::2], edges[1::2])]
    assert len(widths) == 4, widths
    assert min(widths[0], widths[-1]) > 1.3 * max(widths[1], widths[2])


def test_emotions_give_distinct_poses():
    for name in ka.available_characters():
        rig = ka.load_rig(name)
        poses = {e: _pose(rig, e, 0.5) for e in Emotion}
        for a, b in itertools.combinations(Emotion, 2):
            assert ka.pose_distance(poses[a], poses[b]) > 4.0, (name, a, b)
        # Faces read differently too: joy smiles, sadness frowns, surprise opens eyes and mouth.
        assert poses[Emotion.joy].face["mouth_curve"] > 0.5 > poses[Emotion.sadness].face["mouth_curve"]
        assert poses[Emotion.surprise].face["eye_open"] > poses[Emotion.calm].face["eye_open"]
        assert poses[Emotion.anger].face["brow_tilt"] < 0 < poses[Emotion.sadness].face["brow_tilt"]


def test_arousal_exaggerates_and_limits_hold():
    for name in ka.available_characters():
        rig = ka.load_rig(name)
        rest = rig.rest_pose()
        for e in Emotion:
            low, high = _pose(rig, e, -0.8), _pose(rig, e, 0.9)
            assert ka.pose_distance(rest, high) > ka.pose_distance(rest, low) > 0.0, (name, e)
            for pose in (low, high, _pose(rig, e, 1.0, facing=-1)):
                for j in rig.joints:
                    assert j.min <= pose.joints[j.name] <= j.max
                for k, (lo, hi) in ka.FACE_RANGE.items():
                    assert lo <= pose.face[k] <= hi


def test_facing_mirrors_the_drawing():
    rig = ka.load_rig("mira")
    right = ka.draw_line_art([(rig, _pose(rig, Emotion.anger, 0.5, 0.5, 1))], 320, 180)
    left = ka.draw_line_art([(rig, _pose(rig, Emotion.anger, 0.5, 0.5, -1))], 320, 180)
    # Mirrored about x = 160 (pixel centres at i + 0.5), so flip and compare the silhouettes.
    flipped = left.silhouette[:, ::-1]
    assert (flipped & right.silhouette).sum() / (flipped | right.silhouette).sum() > 0.9


def test_plan_key_poses_for_a_shot():
    shot = _shot(["talos", "mira", "pip"])
    keys = ka.plan_key_poses(shot)
    frames = [k.frame for k in keys]
    assert frames == sorted(frames)
    assert all(0 <= f <= shot.total_frames - 1 for f in frames)
    starts = {}
    for name in shot.characters:
        mine = [k for k in keys if k.character == name]
        assert len(mine) >= 3 and mine[0].frame == 0 and mine[-1].frame == shot.total_frames - 1
        rig = ka.load_rig(name)
        for k in mine:
            assert all(j.min <= k.pose.joints[j.name] <= j.max for j in rig.joints)
        # Something happens: the character travels and the middle key differs from the start.
        assert abs(mine[-1].pose.root_x - mine[0].pose.root_x) > 0.01
        assert max(ka.pose_distance(mine[0].pose, k.pose) for k in mine[1:-1]) > 5.0
        starts[name] = mine[0].pose.root_x
    xs = [starts[n] for n in shot.characters]
    assert xs == sorted(xs) and min(np.diff(xs)) > 0.15  # spread across the stage
    assert ka.plan_key_poses(shot) == keys  # deterministic for a seed
    assert ka.plan_key_poses(shot.model_copy(update={"seed": 99})) != keys


def test_plan_key_poses_tiny_shot_and_unknown_character():
    shot = _shot(["pip"], frames=2, handles=0)
    keys = ka.plan_key_poses(shot)
    assert [k.frame for k in keys] == [0, 1]
    with pytest.raises(ValueError, match="unknown character"):
        ka.plan_key_poses(_shot(["ghost"]))
