"""The studio store: typed reads and writes of a shot's stages, ids validated before any path exists."""

from __future__ import annotations

import pytest

from talos_assets.spec import Emotion, KeyPose, Palette, Pose, ShotPlan
from talos_assets.stores.studio import Layer, MissingStageError, Stage, StudioStore


def _shot(film: str = "film-a", slot: str = "s002", frames: int = 5, handles: int = 2) -> ShotPlan:
    return ShotPlan(film_id=film, shot_id="the-shot", slot=slot, index=1, description="x", emotion=Emotion.joy,
                    valence=0.5, arousal=0.5, shot_size="wide", camera="static", duration=frames / 12, frames=frames,
                    handle_frames=handles, fps=12, width=32, height=18, characters=["talos"], effects=[],
                    palette=Palette.from_hex_list("p", ["#ffffff", "#000000", "#808080", "#ff0000", "#00ff00", "#0000ff"]))


@pytest.fixture
def store(tmp_path):
    return StudioStore(tmp_path / "home", tmp_path / "renders")


def test_frames_name_one_convention_per_layer(store, tmp_path):
    shot = _shot()
    line = store.frames(shot, Layer.line)
    assert line.path(7) == tmp_path / "home/films/film-a/shots/s002/inbetweens/line_0007.png"
    assert store.frames(shot, Layer.shadow).path(0).name == "shadow_0000.exr"
    assert store.frames(shot, Layer.render).count == shot.total_frames == 7
    assert store.frames(shot, "render").paths()[-1].name == "f0006.exr"


@pytest.mark.parametrize("bad", ["../x", "A", "-x", "x/y", "", "a" * 65])
def test_bad_ids_never_become_paths(store, bad):
    with pytest.raises(ValueError, match="not allowed"):
        store.stage_dir(bad, "s001", Stage.render)
    with pytest.raises(ValueError, match="not allowed"):
        store.stage_dir("film-a", bad, Stage.render)
    with pytest.raises(ValueError, match="not allowed"):
        store.delivery(bad)


def test_key_poses_round_trip_exactly_and_missing_stage_names_the_fix(store):
    shot = _shot()
    with pytest.raises(MissingStageError, match="materialize key_poses"):
        store.read_key_poses(shot)
    keys = [KeyPose(frame=0, character="talos", pose=Pose(root_x=0.1 + 0.2, joints={"neck": 1 / 3})),
            KeyPose(frame=4, character="talos", pose=Pose(root_x=0.7), easing="linear")]
    store.fresh_stage(shot, Stage.keys)
    store.write_key_poses(shot, keys)
    assert store.read_key_poses(shot) == keys  # floats survive bit for bit


def test_fresh_stage_empties_only_its_own_stage(store):
    shot = _shot()
    keys_dir = store.fresh_stage(shot, Stage.keys)
    (keys_dir / "keep.json").write_text("{}")
    lit = store.fresh_stage(shot, Stage.lit)
    (lit / "old.exr").write_bytes(b"x")
    store.fresh_stage(shot, Stage.lit)
    assert not (lit / "old.exr").exists()
    assert (keys_dir / "keep.json").exists()


def test_rendered_frames_names_the_missing_shot(store):
    from talos_assets.spec import FilmPlan

    shot = _shot()
    plan = FilmPlan.model_construct(film_id="film-a", shots=[shot])
    folder = store.fresh_stage(shot, Stage.render)
    for f in range(shot.total_frames - 1):
        (folder / f"f{f:04d}.exr").write_bytes(b"x")
    with pytest.raises(MissingStageError, match=r"s002 \(the-shot\) has 6 of 7 rendered frames"):
        store.rendered_frames(plan)
    (folder / "f0006.exr").write_bytes(b"x")
    seq = store.rendered_frames(plan)["s002"]
    assert (seq.start_frame, seq.count, seq.suffix) == (0, 7, ".exr")
    assert [p.name for p in seq.paths()] == [f"f{f:04d}.exr" for f in range(7)]
