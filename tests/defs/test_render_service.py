"""Render service behaviour: transient faults are retried, user and environment errors are not, and the
heavy agents run in concurrency pools whose limits the instance holds."""

from __future__ import annotations

import errno
import sqlite3

import dagster as dg
import pytest
import sqlalchemy.exc

from talos_assets.defs import dailies, direction, editing, effects, evaluation, render
from talos_assets.defs.common import TRANSIENT_RETRY
from talos_assets.defs.pools import MAX_CONCURRENT_RUNS, POOL_LIMITS, apply_pool_limits
from talos_assets.partitions import shot_key
from talos_assets.stores.ichor import IchorVault
from talos_assets.stores.studio import MissingStageError, StudioStore


def _events(result, kind: str) -> list:
    return [e for e in result.all_events if e.event_type_value == kind]


def _materialize(film, asset, partition_key):
    return dg.materialize(film.assets, selection=[asset.key], partition_key=partition_key, instance=film.instance,
                          resources=film.resources, raise_on_error=False)


def _fail_first_call(monkeypatch, owner, name: str, error: BaseException) -> list[int]:
    """Make owner.name raise `error` on its first call only; returns the list of calls made."""
    calls: list[int] = []
    real = getattr(owner, name)

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def test_heavy_and_ichor_steps_carry_the_retry_policy_and_pools():
    for asset in (effects.effect_layers, render.shot_render, editing.film, direction.film_plan, evaluation.evaluation,
                  dailies.dailies_contact_sheet):
        policy = asset.op.retry_policy
        assert policy == TRANSIENT_RETRY, asset.key
        assert policy.max_retries == 2 and policy.backoff == dg.Backoff.EXPONENTIAL
    pools = {a.key.to_user_string(): a.op.pool for a in (effects.effect_layers, render.shot_render, editing.film)}
    assert pools == {"effect_layers": "stokes", "shot_render": "anima", "film": "mastering"}
    # the light steps are neither pooled nor retried
    assert direction.scene_graph.op.pool is None and direction.scene_graph.op.retry_policy is None


def test_render_job_steps_claim_their_pools(studio_env):
    from talos_assets.definitions import defs

    job = defs.resolve_job_def("render_shot")
    assert {n.name: n.definition.pool for n in job.graph.nodes if n.definition.pool} == {
        "effect_layers": "stokes", "shot_render": "anima"}
    assert defs.resolve_job_def("edit_film").graph.node_dict["film"].definition.pool == "mastering"


def test_pool_limits_are_set_once_and_a_changed_limit_is_kept(tmp_path):
    assert POOL_LIMITS == {"stokes": 1, "anima": 2, "mastering": 1} and MAX_CONCURRENT_RUNS == 4
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        assert apply_pool_limits(instance) == POOL_LIMITS
        assert instance.event_log_storage.get_concurrency_info("anima").slot_count == 2
        instance.event_log_storage.set_concurrency_slots("anima", 5)  # the studio raised it in the UI
        assert apply_pool_limits(instance)["anima"] == 5


def test_a_locked_ichor_is_retried_and_the_shot_renders(service_film, monkeypatch):
    locked = sqlalchemy.exc.OperationalError("UPDATE shots", {}, sqlite3.OperationalError("database is locked"))
    calls = _fail_first_call(monkeypatch, IchorVault, "set_shot_render", locked)
    key = shot_key(service_film.film_id, "s001")
    result = _materialize(service_film, render.shot_render, key)
    assert result.success
    assert len(calls) == 2
    assert len(_events(result, "STEP_UP_FOR_RETRY")) == 1 and not _events(result, "STEP_FAILURE")
    assert result.asset_materializations_for_node("shot_render")[0].partition == str(key)
    row = [s for s in IchorVault(service_film.resources["ichor"].url).shots(service_film.film_id) if s.slot == "s001"][0]
    assert row.render_dir and row.render_dir.endswith("s001/render")


def test_an_ffmpeg_crash_is_retried_and_the_film_is_encoded(service_film, monkeypatch):
    from talos_assets.agents import mastering

    film_path = service_film.resources["studio"].store().delivery(service_film.film_id).film
    before = film_path.stat().st_mtime_ns
    calls = _fail_first_call(monkeypatch, mastering, "master_film", BrokenPipeError(errno.EPIPE, "Broken pipe"))
    result = _materialize(service_film, editing.film, service_film.film_id)
    assert result.success
    assert len(calls) == 2 and len(_events(result, "STEP_UP_FOR_RETRY")) == 1
    assert film_path.stat().st_mtime_ns > before and film_path.stat().st_size > 0


def test_a_user_error_is_attempted_exactly_once(service_film, monkeypatch):
    calls: list[int] = []

    def missing(self, shot):
        calls.append(1)
        raise MissingStageError(f"the framing of the in-betweens of shot {shot.slot} of '{shot.film_id}' is missing: "
                                "materialize inbetweens first.")

    monkeypatch.setattr(StudioStore, "read_framing", missing)
    result = _materialize(service_film, render.shot_render, shot_key(service_film.film_id, "s002"))
    assert not result.success
    assert len(calls) == 1
    assert not _events(result, "STEP_UP_FOR_RETRY") and len(_events(result, "STEP_FAILURE")) == 1
    failure = _events(result, "STEP_FAILURE")[0].step_failure_data
    assert "materialize inbetweens first" in failure.user_failure_data.description


@pytest.mark.parametrize("error,starts", [
    (OSError(errno.ENOSPC, "No space left on device", "/studio/effects"), "No space left on device: free space on the disk"),
    (OSError(errno.EACCES, "Permission denied", "/studio/effects"), "Permission denied on /studio/effects: make the studio"),
    (sqlite3.OperationalError("database or disk is full"), "No space left on device: free space on the disk"),
])
def test_an_environment_error_fails_once_with_one_sentence(service_film, monkeypatch, error, starts):
    calls: list[int] = []

    def broken(self, shot, stage):
        calls.append(1)
        raise error

    monkeypatch.setattr(StudioStore, "fresh_stage", broken)
    result = _materialize(service_film, effects.effect_layers, shot_key(service_film.film_id, "s001"))
    assert not result.success and len(calls) == 1
    assert not _events(result, "STEP_UP_FOR_RETRY")
    sentence = _events(result, "STEP_FAILURE")[0].step_failure_data.user_failure_data.description
    assert sentence.startswith(starts) and sentence.endswith(".") and "\n" not in sentence


def test_the_service_sensors_and_schedules_are_registered(studio_env):
    from talos_assets.definitions import defs
    from talos_assets.partitions import films_partitions

    dailies_schedule = defs.resolve_schedule_def("dailies")
    assert dailies_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert dailies_schedule.cron_schedule == "0 19 * * *" and dailies_schedule.job_name == "render_shot"
    for name in ("story_inbox", "shots_after_plan", "record_run_failures", "dailies_when_rendered"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING, name
    assert defs.resolve_job_def("publish_dailies").partitions_def == films_partitions
