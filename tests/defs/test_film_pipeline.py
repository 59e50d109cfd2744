"""End to end: a tiny 2-shot story materialized in-process on an ephemeral Dagster instance."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import numpy as np
import pytest

from talos_assets.agents.editing import probe_media

STORY = """\
title: Tiny Test Film
id: tiny
palette: sea-glass
fps: 12
resolution: [160, 90]
deliverables: [hdr10-hevc, prores4444, exr-sequence]
shots:
  - id: hello
    description: Talos smiles at the calm sea.
    emotion: joy
    duration: 1.0
    characters: [talos]
    camera: push-in
  - id: smoke
    description: Dark smoke rises and Mira trembles.
    emotion: fear
    duration: 1.25
    characters: [mira]
    camera: handheld
    effects: [{kind: smoke, source_x: 0.6, source_y: 0.95, strength: 1.5}]
"""


def _digests(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.png"))}


@pytest.fixture(scope="module")
def forged(tmp_path_factory, own_studio):
    with own_studio(tmp_path_factory, "studio") as root:
        story_path = root / "tiny.yaml"
        story_path.write_text(STORY)
        from talos_assets.forge import check_story, forge_film
        from talos_assets.settings import studio_settings

        instance = dg.DagsterInstance.ephemeral()
        checked = check_story(story_path, studio_settings())
        outcome = forge_film(checked, instance=instance)
        yield dict(root=root, story=story_path, checked=checked, outcome=outcome, instance=instance)


def test_film_stream_facts(forged):
    outcome, plan = forged["outcome"], forged["checked"].plan
    facts = probe_media(outcome.delivery.film)
    import json

    cuts = json.loads((forged["root"] / "home" / "films" / "tiny" / "cuts.json").read_text())
    timeline_frames = sum(c["source_frames"] for c in cuts)
    # the edit keeps each clip within its planned range (handles), and the film matches the edit
    assert abs(timeline_frames - plan.planned_frames) <= sum(s.handle_frames for s in plan.shots)
    assert abs(facts.duration_s - timeline_frames / plan.fps) <= 1.0 / plan.fps + 1e-3
    assert (facts.width, facts.height) == (160, 90)
    assert facts.fps == pytest.approx(12.0)
    assert facts.video_codec == "h264" and facts.has_audio
    assert outcome.failed_gates == [] or all("stream" not in g for g in outcome.failed_gates)
    for path in (outcome.delivery.storyboard, outcome.delivery.timeline, outcome.delivery.evaluation):
        assert path.exists() and path.stat().st_size > 0


def test_extra_masters_match_the_timeline(forged):
    from talos_assets.agents.mastering import probe_master

    renders = forged["root"] / "renders" / "tiny"
    film_frames = probe_media(forged["outcome"].delivery.film).frame_count
    hdr = probe_master(renders / "tiny_hdr10.mp4")
    assert (hdr.codec, hdr.pix_fmt, hdr.color_primaries, hdr.color_trc) == ("hevc", "yuv420p10le", "bt2020", "smpte2084")
    assert hdr.max_cll and hdr.has_audio and hdr.frame_count == film_frames
    prores = probe_master(renders / "tiny_4444.mov")
    assert prores.codec == "prores" and prores.has_audio and prores.frame_count == film_frames
    exr = sorted((renders / "tiny_exr").glob("*.exr"))
    assert len(exr) == film_frames
    outcome = forged["outcome"]
    assert outcome.blocked_by == [] and outcome.published
    from talos_assets.agents.evaluation.report import EvaluationReport

    report = EvaluationReport.model_validate_json(outcome.delivery.evaluation.read_text())
    assert report.failures() == [], [f"{c.shot_id}: {c.check} {c.value:.3g}" for c in report.failures()]


def test_film_is_not_a_constant_image(forged):
    import av

    with av.open(str(forged["outcome"].delivery.film)) as c:
        frames = [f.to_ndarray(format="rgb24").astype(np.float32) for f in c.decode(video=0)]
    assert len(frames) > 10
    stack = np.stack(frames)
    assert stack.std() > 10  # a picture, not a flat colour
    assert np.abs(stack[1:] - stack[:-1]).mean() > 0.1  # and it moves


def test_ichor_rows(forged):
    from talos_assets.stores.ichor import IchorVault

    vault = IchorVault(f"sqlite:///{forged['root'] / 'home' / 'ichor.db'}")
    assert vault.film_ids() == ["tiny"]
    shots = vault.shots("tiny")
    assert [s.shot_id for s in shots] == ["hello", "smoke"]
    assert all(s.render_dir and Path(s.render_dir).is_dir() for s in shots)
    evals = vault.evaluations("tiny")
    metrics = {(e.shot_id, e.metric) for e in evals}
    assert ("hello", "flicker") in metrics and ("smoke", "palette_adherence") in metrics
    offsets = {(e.shot_id, e.metric): e.value for e in evals if e.metric.startswith("beat_offset")}
    assert offsets[("hello", "beat_offset_ms")] == pytest.approx(offsets[("hello", "beat_offset_frames")] * 1000 / 12)
    from talos_assets.agents.evaluation.gates import GATE_TEXT

    assert {e.metric for e in evals if e.metric.startswith("gate:")} == {f"gate:{g}" for g in GATE_TEXT}
    assert vault.film("tiny").film_path == str(forged["outcome"].delivery.film)


def test_materializations_carry_metadata(forged):
    instance = forged["instance"]
    for name in ("inbetweens", "colored_frames", "lit_frames", "effect_layers", "shot_render"):
        records = instance.fetch_materializations(dg.AssetKey(name), limit=10).records
        assert len(records) == 2, name
        meta = records[0].asset_materialization.metadata
        assert meta["resolution"].value == "160x90"
        assert meta["frame_count"].value > 0 or name == "effect_layers"
        assert "seconds_per_frame" in meta
    smoke = [r for r in instance.fetch_materializations(dg.AssetKey("effect_layers"), limit=10).records
             if r.partition_key.keys_by_dimension["shot"] == "s002"][0]
    assert smoke.asset_materialization.metadata["mean_coverage"].value > 0.0
    assert "preview" in smoke.asset_materialization.metadata
    [echo] = instance.fetch_materializations(dg.AssetKey("evaluation"), limit=1).records
    table = echo.asset_materialization.metadata["per_shot"].value.splitlines()
    heading = [h.strip() for h in table[0].strip("|").split("|")]
    assert heading[:2] == ["shot", "flicker (L*)"] and "story elements shown" in heading
    rows = {r.strip("|").split("|")[0].strip(): [v.strip() for v in r.strip("|").split("|")] for r in table[2:]}
    assert set(rows) == {"hello", "smoke"} and rows["smoke"][heading.index("story elements shown")] == "1.000"
    assert [rows[s][heading.index("outlines inked")] for s in ("hello", "smoke")] == ["1.000", "1.000"]


def test_rerendering_one_shot_leaves_the_other_untouched(forged):
    from talos_assets.forge import forge_film

    home = forged["root"] / "home" / "films" / "tiny" / "shots"
    other = _digests(home / "s002" / "render")
    other_colored = _digests(home / "s002" / "colored")
    before = _digests(home / "s001" / "render")
    forge_film(forged["checked"], only_shots=["hello"], instance=forged["instance"])
    assert _digests(home / "s002" / "render") == other
    assert _digests(home / "s002" / "colored") == other_colored
    after = _digests(home / "s001" / "render")
    assert after.keys() == before.keys()
    assert all(after[k][1] > before[k][1] for k in after)  # rewritten
    assert all(after[k][0] == before[k][0] for k in after)  # and deterministic


def test_padding_slot_is_rejected(forged):
    from talos_assets.definitions import SHOT_ASSETS, build_resources, defs
    from talos_assets.partitions import shot_key

    result = dg.materialize(list(defs.assets), selection=[SHOT_ASSETS[0].key], partition_key=shot_key("tiny", "s007"),
                            instance=forged["instance"], resources=build_resources(), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "padding" in failure.step_failure_data.error.message


def test_lab_loop_trains_echo_and_echo_uses_it(forged):
    """Echo's evaluations in Ichor -> `talos lab train echo` -> Echo loads the model by alias."""
    import os
    import subprocess
    import sys

    from talos_assets.stores.ichor import IchorVault
    from talos_assets.definitions import FILM_ASSETS, build_resources, defs

    env = dict(os.environ, TALOS_HOME=str(forged["root"] / "home"), TALOS_RENDERS=str(forged["root"] / "renders"),
               COLUMNS="200")
    proc = subprocess.run([sys.executable, "-m", "talos_assets.cli", "lab", "train", "echo", "--epochs", "3"],
                          capture_output=True, text=True, env=env, cwd=forged["root"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "talos-echo-clip version 1 -> @champion" in proc.stdout
    vault = IchorVault(f"sqlite:///{forged['root'] / 'home' / 'ichor.db'}")
    assert [link.alias for link in vault.model_links("echo")] == ["champion"]

    evaluation = [a for a in FILM_ASSETS if a.key.to_user_string() == "evaluation"][0]
    result = dg.materialize(list(defs.assets), selection=[evaluation.key], partition_key="tiny",
                            instance=forged["instance"], resources=build_resources(), raise_on_error=False)
    assert result.success
    meta = result.asset_materializations_for_node("evaluation")[0].metadata
    assert meta["alignment_model"].value.startswith("talos-echo-clip v1")
    rows = [e for e in vault.evaluations("tiny") if e.metric == "text_alignment"]
    assert {e.shot_id for e in rows} == {"hello", "smoke"}
    assert all(np.isfinite(e.value) and -2.0 <= e.value <= 2.0 for e in rows)
