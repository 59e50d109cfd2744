"""The lab's side of Echo's loop: the failed-shot filter on the rows Echo's pipeline writes, users'
ratings, champion/challenger promotion with data lineage in MLflow, and a promoted model changing
what an agent (Echo's text alignment) computes. Tiny nets and few epochs: seconds on one CPU thread.
"""

from __future__ import annotations

import json
import os
import time
from types import SimpleNamespace

import numpy as np
import pytest
import torch

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from protoforge.config import TrainConfig  # noqa: E402
from protoforge.data.judgements import read_judgements  # noqa: E402
from protoforge.data.shot_frames import FluxTripletsDataModule, rendered_shots  # noqa: E402
from protoforge.models.flux_interp_module import FluxInterpModule  # noqa: E402
from protoforge.promotion import beats, held_out_score  # noqa: E402
from protoforge.registry import load_registered  # noqa: E402
from protoforge.train import train  # noqa: E402
from talos_assets.agents import evaluation as echo  # noqa: E402
from talos_assets.spec import Emotion  # noqa: E402
from talos_assets.stores.ichor import IchorVault  # noqa: E402

SIZE, FRAMES = 32, 8
SHOTS = [dict(slot=f"s00{i + 1}", shot_id=name, position=i, description=f"A {name} moves", emotion="joy",
              frames=FRAMES, plan_json="{}") for i, name in enumerate(("ball", "crate", "kite"))]
GOOD = {"flicker": 0.2, "palette_adherence": 0.9, "mean_luma": 0.5, "clipped_black": 0.0, "clipped_white": 0.0,
        "beat_offset_frames": 0.0, "frames": float(FRAMES)}


def _frame(k: int, t: int) -> np.ndarray:
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5
    cover = np.clip(5 - np.hypot(xx - 4 - 3 * t, yy - 8 - 6 * k) + 0.5, 0, 1)[..., None]
    return (np.array([0.2, 0.4, 0.9]) * (1 - cover) + np.array([0.9, 0.2, 0.1]) * cover).astype(np.float32)


@pytest.fixture
def studio(tmp_path, rendered_studio) -> IchorVault:
    return rendered_studio(tmp_path, SHOTS, FRAMES, SIZE, SIZE, lambda shot, t: _frame(shot["position"], t),
                           renders=tmp_path)


def _evaluate(vault: IchorVault, per_shot: dict[str, dict[str, float]]) -> echo.EvaluationReport:
    """Echo's report from the agent's own build_report, written as the `evaluation` asset writes it
    (talos_assets/defs/evaluation.py: per-shot rows with passed=None, gate rows with shot_id=None,
    requests parsed from the report's lines) through IchorVault.record_report."""
    report = echo.build_report("demo", per_shot)
    rows = [(sid, m, v, None) for sid, s in per_shot.items() for m, v in s.items() if np.isfinite(v)]
    rows += [(None, f"gate:{gate}", 1.0 if ok else 0.0, ok) for gate, ok in report.gates.items()]
    revisions = [tuple((line.split(": ", 2) + ["", ""])[:3]) for line in report.revision_requests]
    vault.record_report("demo", rows, revisions)
    return report


def test_filter_reads_the_rows_echo_writes(studio):
    vault = studio
    assert [s.shot_id for s in rendered_shots(vault)] == ["ball", "crate", "kite"]
    report = _evaluate(vault, {"ball": GOOD, "crate": GOOD | {"flicker": 2.5}, "kite": GOOD})
    assert report.gates["temporal_stability"] is False and report.gates["look"] is True
    # what the pipeline wrote: no row carries both a shot and a verdict
    assert not [e for e in vault.evaluations() if e.shot_id and e.passed is not None]
    judged = read_judgements(vault)
    assert list(judged.excluded) == ["demo/crate"] and "temporal_stability" in judged.excluded["demo/crate"]
    assert [s.shot_id for s in rendered_shots(vault)] == ["ball", "kite"]
    assert len(rendered_shots(vault, exclude_failed=False)) == 3

    # The crate is re-rendered and passes; now the ball is off-palette. Only the latest report counts:
    # the crate's old request no longer excludes it.
    time.sleep(0.01)
    _evaluate(vault, {"ball": GOOD | {"palette_adherence": 0.2}, "crate": GOOD, "kite": GOOD})
    assert list(read_judgements(vault).excluded) == ["demo/ball"]
    # A film that passes every gate excludes nothing, even with requests from older reports.
    time.sleep(0.01)
    _evaluate(vault, {"ball": GOOD, "crate": GOOD, "kite": GOOD})
    judged = read_judgements(vault)
    assert judged.excluded == {} and len(judged.evaluation_ids) == len(vault.evaluations())

    # Users' ratings: a 1-2 excludes the shot, a later better rating brings it back.
    vault.record_rating("demo", "kite", 1, "the kite jitters")
    assert list(read_judgements(vault).excluded) == ["demo/kite"]
    vault.record_rating("demo", "s003", 4)  # by slot
    judged = read_judgements(vault)
    assert judged.excluded == {} and len(judged.rating_ids) == 2


def _cfg(root, **kw) -> TrainConfig:
    return TrainConfig(agent="flux", ichor_url=f"sqlite:///{root}/ichor.db", mlflow_tracking_uri=f"sqlite:///{root}/mlflow.db",
                       mlflow_artifact_location=(root / "artifacts").as_uri(), image_size=SIZE, batch_size=8,
                       cpu_threads=1, experiment_name="lab", flux={"block_out_channels": [8, 16]}, **kw)


def test_champion_challenger_and_lineage(tmp_path, monkeypatch, studio, register_champion):
    import mlflow

    monkeypatch.chdir(tmp_path)
    vault = studio
    _evaluate(vault, {"ball": GOOD, "crate": GOOD | {"flicker": 2.5}, "kite": GOOD})
    vault.record_rating("demo", "ball", 5)
    tracking = f"sqlite:///{tmp_path}/mlflow.db"
    # A deliberately bad champion: a net whose residual is noise scores far below the blend.
    bad = FluxInterpModule(net_config={"block_out_channels": [8, 16], "sample_size": SIZE}).net
    torch.nn.init.normal_(bad.unet.conv_out.weight, std=0.5)
    register_champion(bad, "talos-flux-interp", tracking, tmp_path / "bad", experiment="seed")

    # The newcomer beats it on the same held-out set and takes @champion (alias round trip).
    first = train(_cfg(tmp_path, max_epochs=2))
    assert (first.version, first.alias, first.promoted) == ("2", "champion", True), first.promotion_reason
    assert first.metrics["heldout/psnr"] > first.metrics["heldout/champion_psnr"]
    champion = load_registered("flux", tracking_uri=tracking, device="cpu")
    assert champion.registered_version == "2"
    dm = FluxTripletsDataModule(_cfg(tmp_path).ichor_url, image_size=SIZE)
    dm.setup("fit")
    assert held_out_score("flux", champion, dm.val_set) == pytest.approx({"heldout/psnr": first.metrics["heldout/psnr"]})

    # Lineage: films, shots and the Ichor rows the run read; the crate Echo failed is not in it.
    client = mlflow.MlflowClient(tracking_uri=tracking)
    run = client.get_run(first.run_id)
    assert run.data.params["data/films"] == "demo" and run.data.params["data/n_excluded_shots"] == "1"
    assert run.data.params["data/max_evaluation_id"] == str(vault.evaluations()[-1].id)
    assert run.data.params["data/n_rating_rows"] == "1" and run.data.tags["talos.promotion"] == "promoted"
    path = mlflow.artifacts.download_artifacts(run_id=first.run_id, artifact_path="lineage.json",
                                               dst_path=str(tmp_path / "dl"), tracking_uri=tracking)
    lineage = json.loads(open(path).read())
    assert [s["shot"] for s in lineage["shots"]] == ["ball", "kite"] and list(lineage["excluded"]) == ["demo/crate"]
    assert lineage["evaluation_ids"] == [e.id for e in vault.evaluations()] and lineage["rating_ids"] == [1]
    assert beats("echo", {"heldout/recall1": 1.0, "heldout/margin": 0.3}, {"heldout/recall1": 1.0, "heldout/margin": 0.2})
    assert not beats("flux", {"heldout/psnr": 30.0}, {"heldout/psnr": 30.0})  # a tie does not promote


def test_loaded_champion_changes_echos_output(tmp_path, register_champion):
    """Echo's text alignment (an agent) computed with whichever model @champion names: promoting a new
    version changes what the agent reports."""
    from protoforge.models.echo_clip_module import EchoClipModule

    tracking = f"sqlite:///{tmp_path}/mlflow.db"
    shots = {f"s00{i}": SimpleNamespace(description=d, emotion=Emotion.joy) for i, d in enumerate(("sea", "forest"))}
    rng = np.random.default_rng(0)
    clips = {slot: [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(2)] for slot in shots}
    margins = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        net = EchoClipModule(net_config={"vision_layers": 1, "text_layers": 1}).net
        register_champion(net, "talos-echo-clip", tracking, tmp_path / f"v{seed}", experiment=f"echo-{seed}")
        model = load_registered("echo", tracking_uri=tracking, device="cpu")
        assert model.registered_version == str(seed + 1)
        margins.append(echo.text_alignment_margins(model, clips, shots))
        assert margins[-1] == pytest.approx(echo.text_alignment_margins(net, clips, shots))
    assert margins[0].keys() == margins[1].keys() == set(shots)
    assert margins[0] != pytest.approx(margins[1])

