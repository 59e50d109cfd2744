"""`talos clean`: the working frames re-editing does not need go, and re-editing still works after it.

One two-shot film is forged in process on a real (SQLite) studio instance, cleaned, and one of its
shots re-rendered: the edit (timeline -> film -> evaluation) re-runs on the kept final frames of the
other shot, and Echo scores that untouched shot exactly as before the clean.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from talos_assets.cli import app
from talos_assets.ops.retention import ECHO_COLORED_STRIDE


@pytest.fixture(scope="module")
def forged(tmp_path_factory, make_studio):
    """One film forged for the module; the dry-run test runs first, the test that cleans it last."""
    from rich.console import Console

    from talos_assets.forge import check_story, forge_film
    from talos_assets.settings import studio_settings

    studio = make_studio(tmp_path_factory.mktemp("retention") / "studio")
    mp = pytest.MonkeyPatch()
    for key, value in studio.env().items():
        mp.setenv(key, value)
    checked = check_story(studio.story("keep", shots=2), studio_settings())
    quiet = Console(quiet=True)
    outcome = forge_film(checked, console=quiet)
    yield studio, checked, outcome, quiet
    mp.undo()


def _bytes(folder) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_clean_all_skips_unfinished_films_and_needs_a_film_or_all(forged):
    studio = forged[0]
    (studio.home / "films" / "draft").mkdir()
    done = CliRunner().invoke(app, ["clean", "--all", "--dry-run"])
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert "draft skipped: not finished" in text and "keep would free" in text
    neither = CliRunner().invoke(app, ["clean"])
    assert neither.exit_code == 2 and "name one film" in neither.output
    unknown = CliRunner().invoke(app, ["clean", "nope"])
    assert unknown.exit_code == 2 and "film 'nope' has no working frames" in " ".join(unknown.output.split())


def test_clean_keeps_what_re_editing_needs_and_a_shot_re_renders(forged):
    from talos_assets.forge import forge_film

    studio, checked, outcome, quiet = forged
    plan = checked.plan
    shots = studio.home / "films" / "keep" / "shots"
    before = json.loads(outcome.delivery.evaluation.read_text())["per_shot"]
    disposable = sum(_bytes(shots / s.slot / stage) for s in plan.shots for stage in ("inbetweens", "lit", "effects"))
    kept_colored = {f"f{f:04d}.exr" for f in range(0, plan.shots[0].frames, ECHO_COLORED_STRIDE)}
    disposable += sum(p.stat().st_size for s in plan.shots for p in (shots / s.slot / "colored").iterdir()
                      if p.name not in kept_colored)
    assert disposable > 100_000

    dry = CliRunner().invoke(app, ["clean", "keep", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would free" in dry.output and f"({disposable} bytes)" in " ".join(dry.output.split())
    assert (shots / "s001" / "lit").is_dir()  # a dry run deletes nothing

    done = CliRunner().invoke(app, ["clean", "keep"])
    assert done.exit_code == 0, done.output
    assert "freed" in done.output and f"({disposable} bytes)" in " ".join(done.output.split())
    for shot in plan.shots:
        folder = shots / shot.slot
        assert not any((folder / stage).exists() for stage in ("inbetweens", "lit", "effects"))
        assert {p.name for p in (folder / "colored").iterdir()} == kept_colored
        assert len(list((folder / "render").glob("f*.exr"))) == shot.total_frames
        assert (folder / "keys" / "key_poses.json").exists() and (folder / "scene" / "camera_plan.json").exists()
        assert (folder / "storyboard" / "panel.png").exists()
    for name in ("plan.json", "checked_plan.json", "cuts.json", "soundtrack.wav", "beat_grid.json"):
        assert (studio.home / "films" / "keep" / name).exists(), name
    assert outcome.delivery.film.exists() and outcome.delivery.timeline.exists()

    cuts_before = (studio.home / "films" / "keep" / "cuts.json").stat().st_mtime_ns
    again = forge_film(checked, only_shots=["wave"], console=quiet)
    assert (studio.home / "films" / "keep" / "cuts.json").stat().st_mtime_ns > cuts_before  # the timeline re-ran
    assert (shots / "s001" / "lit").is_dir() and not (shots / "s002" / "lit").exists()
    after = json.loads(again.delivery.evaluation.read_text())["per_shot"]
    assert after["tremble"]["palette_adherence"] == before["tremble"]["palette_adherence"]
    assert studio.film_frames(again.delivery.film)
