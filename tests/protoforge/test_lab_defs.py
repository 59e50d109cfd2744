"""The lab in Dagster: the training sensor counts new judgements past its cursor, the training asset
records the run id, data counts and promotion as metadata, and `rate_shot` rates from run config."""

from __future__ import annotations

import os

import dagster as dg
import numpy as np
import pytest

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

from resources.ichor import IchorResource  # noqa: E402
from resources.mlflow import MLflowResource  # noqa: E402
from resources.studio import StudioHome  # noqa: E402
from talos_assets.agents.frames import write_layer_png  # noqa: E402
from talos_assets.defs import lab  # noqa: E402
from talos_assets.stores.ichor import IchorVault  # noqa: E402

SHOTS = [dict(slot=f"s00{i + 1}", shot_id=n, position=i, description=f"A {n}", emotion="joy", frames=4, plan_json="{}")
         for i, n in enumerate(("ball", "kite"))]


@pytest.fixture
def vault(tmp_path) -> IchorVault:
    v = IchorVault(f"sqlite:///{tmp_path}/ichor.db")
    v.register_film("demo", "Demo", "s.yaml", "", 24, 16, 16, "sea-glass", SHOTS)
    for k, shot in enumerate(SHOTS):
        for t in range(6):
            img = np.zeros((16, 16, 3), np.float32)
            img[4 + k * 4: 8 + k * 4, 2 * t: 2 * t + 4] = 0.8
            write_layer_png(tmp_path / shot["shot_id"] / f"f{t:04d}.png", img)
        v.set_shot_render("demo", shot["slot"], str(tmp_path / shot["shot_id"]))
    return v


def test_training_sensor_waits_for_enough_new_judgements(vault):
    sensor = lab.build_training_sensor(threshold=4)
    resources = {"ichor": IchorResource(url=vault.url)}
    vault.record_report("demo", [("ball", "flicker", 0.1, None), ("kite", "flicker", 0.2, None)], [])
    with dg.build_sensor_context(cursor=None, resources=resources) as ctx:
        result = sensor(ctx)
    assert not result.run_requests and "2 new evaluation rows and 0 new ratings" in result.skip_reason.skip_message
    vault.record_rating("demo", "ball", 2)
    vault.record_rating("demo", "kite", 5, "lovely")
    with dg.build_sensor_context(cursor=None, resources=resources) as ctx:
        result = sensor(ctx)
    assert sorted(r.partition_key for r in result.run_requests) == ["critic", "echo", "flux", "inpaint"]
    assert result.run_requests[0].tags == {"talos/new_evaluations": "2", "talos/new_ratings": "2"}
    assert lab.read_lab_cursor(result.cursor) == (2, 2)
    # from that cursor nothing is new: no second training for the same judgements
    with dg.build_sensor_context(cursor=result.cursor, resources=resources) as ctx:
        assert not sensor(ctx).run_requests


def test_agent_model_asset_trains_and_reports(vault, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    resources = {"ichor": IchorResource(url=vault.url),
                 "mlflow": MLflowResource(tracking_uri=f"sqlite:///{tmp_path}/mlflow.db",
                                          artifact_location=(tmp_path / "artifacts").as_uri()),
                 "studio": StudioHome(root=str(tmp_path / "home"), renders=str(tmp_path / "renders"))}
    vault.record_rating("demo", "kite", 4)
    result = dg.materialize([lab.agent_model], partition_key="flux", resources=resources,
                            run_config={"ops": {"agent_model": {"config": {"epochs": 1}}}})
    meta = result.asset_materializations_for_node("agent_model")[0].metadata
    assert meta["registered"].value == "talos-flux-interp v1" and meta["alias"].value == "champion"
    assert meta["promoted"].value is True and meta["n_train"].value > 0 and meta["last_rating_id"].value == 1
    assert len(meta["mlflow_run_id"].value) == 32 and "heldout/psnr" in meta


def test_rate_shot_job(vault):
    ok = lab.rate_shot.execute_in_process(
        run_config={"ops": {"record_rating": {"config": {"film": "demo", "shot": "kite", "rating": 3, "note": "ok"}}}},
        resources={"ichor": IchorResource(url=vault.url)})
    assert ok.success
    [row] = vault.ratings("demo")
    assert (row.shot_id, row.slot, row.rating, row.note) == ("kite", "s002", 3, "ok")
    for shot, rating, message in (("nope", 3, "film 'demo' has no shot 'nope'; its shots are: ball, kite."),
                                  ("kite", 9, "rating 9 for shot 'kite' is outside 1-5")):
        bad = lab.rate_shot.execute_in_process(
            run_config={"ops": {"record_rating": {"config": {"film": "demo", "shot": shot, "rating": rating}}}},
            resources={"ichor": IchorResource(url=vault.url)}, raise_on_error=False)
        assert not bad.success
        [failure] = [e for e in bad.all_events if e.event_type_value == "STEP_FAILURE"]
        assert message in failure.event_specific_data.error.message
    assert len(vault.ratings("demo")) == 1
