"""Stale temp files: which names are temps, which are stale, and the forge's sweep of one film."""

from __future__ import annotations

import os
import time

import pytest

from talos_assets.ops.locks import film_lock
from talos_assets.ops.sweep import is_temp_name, stale_temps, sweep_stale_temps


@pytest.mark.parametrize("name", [".f0001.exr.k3j2ab.part", ".film.x8f.part.mp4", ".film.otio.q1.part.otio",
                                  ".film_exr.q1w2.part", "ab12cd.part", ".checkpoint.safetensors.part"])
def test_every_writers_temp_name_is_recognised(name):
    assert is_temp_name(name)


@pytest.mark.parametrize("name", ["f0001.exr", "film.mp4", "partition.json", "part.png", "film.partial.mp4",
                                  "counterpart.exr"])
def test_finished_files_are_not_temps(name):
    assert not is_temp_name(name)


def _touch(path, age_s: float = 0.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    if age_s:
        os.utime(path, (time.time() - age_s, time.time() - age_s))
    return path


def test_only_temps_older_than_the_sweep_go(tmp_path):
    old = _touch(tmp_path / "shots" / "s001" / "lit" / ".f0002.exr.abc.part", age_s=120)
    old_dir = tmp_path / "renders" / ".film_exr.zz.part"
    _touch(old_dir / "f0000.exr", age_s=120)
    os.utime(old_dir, (time.time() - 120, time.time() - 120))
    started = time.time() - 5
    young = _touch(tmp_path / "shots" / "s001" / "lit" / ".f0003.exr.def.part")  # a writer of this second
    finished = _touch(tmp_path / "shots" / "s001" / "lit" / "f0001.exr", age_s=120)
    assert set(stale_temps([tmp_path], started)) == {old, old_dir}
    removed = sweep_stale_temps([tmp_path], started)
    assert set(removed) == {old, old_dir}
    assert not old.exists() and not old_dir.exists()
    assert young.exists() and finished.exists()


def test_the_forge_leaves_the_shared_store_alone_while_another_film_renders(tmp_path, monkeypatch):
    """`_prepare_film` sweeps its own film always, Aether only when no other forge holds a film lock."""
    from types import SimpleNamespace

    from rich.console import Console

    from talos_assets import forge
    from talos_assets.stores.studio import StudioStore

    monkeypatch.setattr(forge, "check_free_space", lambda *a: 0)
    home = tmp_path / "home"
    store = StudioStore(home, tmp_path / "renders")
    own = _touch(home / "films" / "mine" / "shots" / "s001" / "colored" / ".f0000.exr.a1.part", age_s=60)
    shared = _touch(home / "aether" / "ab" / "abcdef.part", age_s=60)
    checked = SimpleNamespace(plan=SimpleNamespace(film_id="mine"))
    console = Console(file=open(os.devnull, "w"))
    with film_lock(home, "other", wait_s=0):
        forge._prepare_film(checked, ["s001"], store, home, console)
    assert not own.exists() and shared.exists()
    forge._prepare_film(checked, ["s001"], store, home, console)
    assert not shared.exists()
