"""The disk-space check before a render: the estimate's arithmetic, and a forge refused on a full disk."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest

from talos_assets.ops import disk


@pytest.fixture
def plan(studio, monkeypatch):
    from talos_assets.checking import check_story
    from talos_assets.settings import studio_settings

    for key, value in studio.env().items():
        monkeypatch.setenv(key, value)
    return check_story(studio.story("roomy", shots=2), studio_settings()).plan


def test_the_estimate_scales_with_pixels_frames_and_effects(plan):
    slots = [s.slot for s in plan.shots]
    base = disk.working_bytes(plan, slots)
    frames = sum(s.total_frames for s in plan.shots)
    assert base == int(frames * 160 * 90 * sum(disk.STAGE_BYTES_PER_PIXEL.values()))
    big = plan.model_copy(update={"width": 1280, "height": 720,
                                  "shots": [s.model_copy(update={"width": 1280, "height": 720}) for s in plan.shots]})
    assert disk.working_bytes(big, slots) == pytest.approx(base * 64, rel=1e-6)
    assert disk.working_bytes(plan, slots[:1]) < base  # re-rendering one shot needs less
    smoky = plan.model_copy(update={"shots": [plan.shots[0].model_copy(update={"effects": [object()]}), plan.shots[1]]})
    extra = disk.working_bytes(smoky, slots) - base
    assert extra == pytest.approx(plan.shots[0].total_frames * 160 * 90 * disk.EFFECTS_BYTES_PER_PIXEL, abs=1)


def test_the_bytes_a_re_render_replaces_count_as_free(plan, tmp_path):
    shots_root = tmp_path / "shots"
    (shots_root / "s001" / "lit").mkdir(parents=True)
    (shots_root / "s001" / "lit" / "f0000.exr").write_bytes(b"\0" * 10_000)
    slots = [s.slot for s in plan.shots]
    assert disk.working_bytes(plan, slots) - disk.working_bytes(plan, slots, shots_root) == 10_000


def test_a_forge_on_a_full_disk_says_how_much_it_needs_and_renders_nothing(studio, monkeypatch):
    from typer.testing import CliRunner

    from talos_assets.cli import app

    for key, value in studio.env().items():
        monkeypatch.setenv(key, value)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 1_500_000, 1_500_000))
    story = studio.story("cramped")
    result = CliRunner().invoke(app, ["forge", str(story)])
    message = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "error: film 'cramped' needs about" in message and "but only 1.5 MB is free" in message
    assert "talos clean --all" in message
    assert not (studio.home / "films" / "cramped" / "shots").exists()
    assert not (studio.home / "dagster" / "history" / "runs.db").exists()  # no run was even started


def test_human_bytes():
    assert disk.human_bytes(999) == "999 B"
    assert disk.human_bytes(1_500_000) == "1.5 MB"
    assert disk.human_bytes(3.2e9) == "3.2 GB"
