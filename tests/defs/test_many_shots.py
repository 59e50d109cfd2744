"""A story dropped into the inbox registers, plans and fans out to one render request per real shot,
on a SQLite Dagster instance and a SQLite Ichor: 200 shots with no "database is locked", padding never
requested, and run keys that do not change when the sensor sees the same plan run again."""

from __future__ import annotations

import dagster as dg
import pytest

from resources.ichor import IchorResource
from resources.mlflow import MLflowResource
from resources.studio import StudioHome
from talos_assets.defs import automation, direction
from talos_assets.partitions import SHOT_SLOTS
from talos_assets.stores.ichor import IchorVault


def _story(film_id: str, shots: int) -> str:
    lines = [f"title: {film_id.title()}", f"id: {film_id}", "fps: 12", "resolution: [160, 90]", "shots:"]
    lines += [f"  - {{id: shot{i:03d}, description: Talos waves {i}., duration: 0.25}}" for i in range(shots)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def service(studio_env, tmp_path):
    home, renders = studio_env
    (home / "inbox").mkdir(parents=True)
    (tmp_path / "dagster").mkdir()
    resources = {"studio": StudioHome(root=str(home), renders=str(renders)),
                 "ichor": IchorResource(url=f"sqlite:///{home / 'ichor.db'}"),
                 "mlflow": MLflowResource(tracking_uri=f"sqlite:///{home / 'mlflow.db'}",
                                          artifact_location=str(home / "mlflow"))}
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        yield home, instance, resources


def _drop_and_plan(home, instance, resources, film_id: str, shots: int):
    """The inbox sensor registers the story; its partition is added; plan_film runs as the daemon would."""
    (home / "inbox" / f"{film_id}.yaml").write_text(_story(film_id, shots))
    sensed = automation.story_inbox(dg.build_sensor_context(instance=instance, resources=resources))
    assert [r.partition_key for r in sensed.run_requests] == [film_id]
    instance.add_dynamic_partitions("films", sensed.dynamic_partitions_requests[0].partition_keys)
    job = dg.Definitions(assets=[direction.film_plan], jobs=[automation.plan_film],
                         resources=resources).resolve_job_def(automation.plan_film.name)
    result = job.execute_in_process(partition_key=film_id, instance=instance, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    return result


def _after_plan(instance, resources, result):
    context = dg.build_run_status_sensor_context(
        sensor_name=automation.shots_after_plan.name, dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=result.get_run_success_event(), resources={"studio": resources["studio"]})
    return automation.shots_after_plan(context)


def test_a_200_shot_film_registers_plans_and_requests_200_renders(service):
    home, instance, resources = service
    result = _drop_and_plan(home, instance, resources, "two-hundred", 200)
    rows = IchorVault(resources["ichor"].url).shots("two-hundred")
    assert len(rows) == 200 and [r.slot for r in rows] == SHOT_SLOTS
    assert len({r.shot_id for r in rows}) == 200
    requests = _after_plan(instance, resources, result)
    assert len(requests) == 200 and len({r.run_key for r in requests}) == 200
    assert [r.partition_key.keys_by_dimension["shot"] for r in requests] == SHOT_SLOTS
    assert all(r.job_name == "render_shot" for r in requests)


def test_a_short_film_requests_no_padding_and_stable_keys(service):
    home, instance, resources = service
    result = _drop_and_plan(home, instance, resources, "three", 3)
    first = _after_plan(instance, resources, result)
    assert [str(r.partition_key) for r in first] == ["three|s001", "three|s002", "three|s003"]  # not s004..s200
    again = _after_plan(instance, resources, result)  # the sensor sees the same plan run again
    assert [r.run_key for r in again] == [r.run_key for r in first]
    assert all(r.run_key == f"render-{result.run_id}-{r.partition_key.keys_by_dimension['shot']}" for r in first)
