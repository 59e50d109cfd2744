"""Working files on a shared fsspec store: two studio homes (two machines) and one shared folder URL."""

from __future__ import annotations

import os

from talos_assets.stores.shared_frames import MANIFESTS, SharedFrames


def _write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _homes(tmp_path):
    a, b, shared = tmp_path / "a", tmp_path / "b", tmp_path / "shared"
    shared.mkdir()
    return a, b, SharedFrames(shared.as_uri()), shared


def test_a_shot_pushed_by_one_home_is_pulled_by_another_byte_for_byte(tmp_path):
    a, b, store, shared = _homes(tmp_path)
    plan = _write(a / "films/f/plan.json", b'{"film": "f"}')
    frames = [_write(a / f"films/f/shots/s001/render/f{i:04d}.exr", os.urandom(2000 + i)) for i in range(3)]
    assert store.push_film(a, "f") == 4
    assert len(list((shared / "films/f/shots/s001" / MANIFESTS).glob("*.json"))) == 1
    assert len(list((shared / "films/f" / MANIFESTS).glob("*.json"))) == 1
    assert not (shared / "films/f/shots/s001/shots").exists()  # the film's unit holds its own files only
    assert store.pull_film(b, "f") == 4
    for path in [plan, *frames]:
        twin = b / path.relative_to(a)
        assert twin.read_bytes() == path.read_bytes() and twin.stat().st_mtime_ns == path.stat().st_mtime_ns
    assert store.pull_film(b, "f") == 0 and store.push_film(b, "f") == 0  # nothing changed: nothing travels
    assert not list(b.rglob("*.part"))


def test_a_stage_run_again_replaces_and_deletes_on_every_home(tmp_path):
    a, b, store, _ = _homes(tmp_path)
    keep = _write(a / "films/f/shots/s001/render/f0000.exr", b"old frame 0")
    drop = _write(a / "films/f/shots/s001/render/f0001.exr", b"old frame 1")
    store.push_film(a, "f")
    store.pull_film(b, "f")
    keep.write_bytes(b"new frame 0, longer")
    drop.unlink()
    assert store.push_film(a, "f") == 1
    assert store.pull_film(b, "f") == 1
    assert (b / "films/f/shots/s001/render/f0000.exr").read_bytes() == b"new frame 0, longer"
    assert not (b / "films/f/shots/s001/render/f0001.exr").exists()


def test_a_local_change_not_yet_pushed_is_never_overwritten_by_a_pull(tmp_path):
    a, b, store, _ = _homes(tmp_path)
    _write(a / "films/f/shots/s002/lit/f0000.exr", b"from a")
    store.push_film(a, "f")
    store.pull_film(b, "f")
    mine = b / "films/f/shots/s002/lit/f0000.exr"
    mine.write_bytes(b"re-lit on b, not pushed yet")
    assert store.pull_film(b, "f") == 0 and mine.read_bytes() == b"re-lit on b, not pushed yet"
    assert store.push_film(b, "f") == 1 and store.pull_film(a, "f") == 1
    assert (a / "films/f/shots/s002/lit/f0000.exr").read_bytes() == b"re-lit on b, not pushed yet"


def test_units_list_the_shots_of_both_homes(tmp_path):
    a, b, store, _ = _homes(tmp_path)
    _write(a / "films/f/shots/s001/scene/scene.json", b"{}")
    store.push_film(a, "f")
    _write(b / "films/f/shots/s003/scene/scene.json", b"{}")
    assert store.units(b, "f") == ["films/f", "films/f/shots/s001", "films/f/shots/s003"]
    assert store.pull_film(b, "f") == 1 and store.remote_manifest("films/f/shots/s003") is None


def test_two_homes_writing_one_shot_at_once_both_reach_a_third(tmp_path):
    """Two steps of one shot on two workers: each pushes its own stage; neither hides the other's."""
    a, b, store, _ = _homes(tmp_path)
    _write(a / "films/f/shots/s001/scene/scene_graph.json", b"graph")
    store.push_film(a, "f")
    store.pull_film(b, "f")
    _write(a / "films/f/shots/s001/scene/camera_plan.json", b"camera from a")  # both from the same pull
    _write(b / "films/f/shots/s001/keys/k0000.json", b"keys from b")
    assert store.push_film(a, "f") == 1 and store.push_film(b, "f") == 1  # b pushes last, without a's file
    c = tmp_path / "c"
    assert store.pull_film(c, "f") == 3
    assert (c / "films/f/shots/s001/scene/camera_plan.json").read_bytes() == b"camera from a"
    assert (c / "films/f/shots/s001/keys/k0000.json").read_bytes() == b"keys from b"
    # b re-runs a's stage: its later write wins everywhere; a deletion by b removes a's file everywhere
    store.pull_film(b, "f")
    (b / "films/f/shots/s001/scene/camera_plan.json").write_bytes(b"camera again on b")
    (b / "films/f/shots/s001/scene/scene_graph.json").unlink()
    store.push_film(b, "f")
    assert store.pull_film(a, "f") == 2 and store.pull_film(c, "f") == 1  # a had not seen b's keys yet
    for home in (a, c):
        assert (home / "films/f/shots/s001/scene/camera_plan.json").read_bytes() == b"camera again on b"
        assert not (home / "films/f/shots/s001/scene/scene_graph.json").exists()
