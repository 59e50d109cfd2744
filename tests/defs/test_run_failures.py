"""The run-failure sensor: a failed run leaves its failed step and the user's error line in Ichor."""

from __future__ import annotations

import sqlite3

import dagster as dg
import pytest
import sqlalchemy.exc

from resources.ichor import IchorResource
from resources.mlflow import MLflowResource
from resources.studio import StudioHome
from talos_assets.defs import direction, failures
from talos_assets.partitions import shot_key
from talos_assets.stores.ichor import IchorVault

@pytest.fixture
def studio(studio_env):
    home, renders = studio_env
    home.mkdir(parents=True)
    resources = {"studio": StudioHome(root=str(home), renders=str(renders)),
                 "ichor": IchorResource(url=f"sqlite:///{home / 'ichor.db'}"),
                 "mlflow": MLflowResource(tracking_uri=f"sqlite:///{home / 'mlflow.db'}",
                                          artifact_location=str(home / "mlflow"))}
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("films", ["ghost"])
    return instance, resources


def _fail_and_sense(instance, resources, asset, partition_key):
    result = dg.materialize([direction.film_plan, direction.scene_graph], selection=[asset.key], partition_key=partition_key,
                            instance=instance, resources=resources, raise_on_error=False)
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name=failures.record_run_failures.name, dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(), resources={"ichor": resources["ichor"]},
    ).for_run_failure()
    failures.record_run_failures(context)
    return result, context


def test_a_failed_film_run_is_recorded_once_with_its_sentence(studio):
    instance, resources = studio
    result, context = _fail_and_sense(instance, resources, direction.film_plan, "ghost")
    vault = IchorVault(resources["ichor"].url)
    rows = vault.run_failures("ghost")
    assert [(r.run_id, r.step_key, r.film_id, r.slot) for r in rows] == [(result.run_id, "film_plan", "ghost", None)]
    assert rows[0].error == "film 'ghost' is not registered in Ichor: run `talos forge STORY` to add it."
    failures.record_run_failures(context)  # the sensor evaluated again for the same run: still one row
    assert len(vault.run_failures()) == 1 and vault.run_failures("other") == []


def test_a_shot_run_records_film_and_slot(studio):
    instance, resources = studio
    _fail_and_sense(instance, resources, direction.scene_graph, shot_key("ghost", "s003"))
    (row,) = IchorVault(resources["ichor"].url).run_failures("ghost")
    assert (row.step_key, row.slot) == ("scene_graph", "s003")
    assert row.error.startswith("the plan of film 'ghost' is missing")


def test_the_raised_error_is_recorded_not_dagsters_wrapper(studio, monkeypatch):
    instance, resources = studio
    locked = sqlalchemy.exc.OperationalError("SELECT films", {}, sqlite3.OperationalError("database is locked"))

    def always_locked(self, film_id):
        raise locked

    monkeypatch.setattr(IchorVault, "film", always_locked)
    result, _ = _fail_and_sense(instance, resources, direction.film_plan, "ghost")
    assert len([e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]) == 2  # transient: retried
    (row,) = IchorVault(resources["ichor"].url).run_failures("ghost")
    assert row.error == "OperationalError: (sqlite3.OperationalError) database is locked (Exceeded max_retries of 2)"


def test_the_sensor_tick_picks_up_a_failed_in_process_run(studio):
    """As the daemon runs it: a first tick sets the cursor, a run fails, the next tick records it."""
    instance, resources = studio
    sensor = failures.record_run_failures
    first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, resources={"ichor": resources["ichor"]}))
    result = dg.materialize([direction.film_plan], partition_key="ghost", instance=instance, resources=resources,
                            raise_on_error=False)
    assert not result.success
    sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor,
                                                 resources={"ichor": resources["ichor"]}))
    rows = IchorVault(resources["ichor"].url).run_failures("ghost")
    assert [(r.run_id, r.step_key) for r in rows] == [(result.run_id, "film_plan")]


def test_film_and_slot_come_from_the_partition_tags():
    assert failures.film_and_slot({"dagster/partition/film": "f", "dagster/partition/shot": "s002",
                                   "dagster/partition": "f|s002"}) == ("f", "s002")
    assert failures.film_and_slot({"dagster/partition": "f"}) == ("f", None)
    assert failures.film_and_slot({}) == (None, None)
