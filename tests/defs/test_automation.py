"""Sensor-triggered renders: the inbox sensor, the plan -> shots fan-out and the edit readiness gate."""

from __future__ import annotations

import dagster as dg
import pytest

from resources.ichor import IchorResource
from talos_assets.stores.ichor import IchorVault
from resources.studio import StudioHome
from talos_assets.defs import automation
from talos_assets.checking import check_story
from talos_assets.settings import studio_settings

GOOD = """title: Inbox Film
id: inbox-film
fps: 12
resolution: [160, 90]
shots:
  - {id: one, description: Talos smiles., duration: 1.0}
  - {id: two, description: Mira waves., duration: 1.0, characters: [mira]}
"""


@pytest.fixture
def studio(studio_env):
    home, renders = studio_env
    (home / "inbox").mkdir(parents=True)
    return home, StudioHome(root=str(home), renders=str(renders)), IchorResource(url=f"sqlite:///{home / 'ichor.db'}")


def test_inbox_sensor_registers_and_requests_once(studio):
    home, studio_res, ichor = studio
    (home / "inbox" / "good.yaml").write_text(GOOD)
    (home / "inbox" / "bad.yaml").write_text("title: x\nfps: 999\nlogline: hi.\n")
    instance = dg.DagsterInstance.ephemeral()
    ctx = dg.build_sensor_context(instance=instance, resources={"studio": studio_res, "ichor": ichor})
    result = automation.story_inbox(ctx)
    assert [r.partition_key for r in result.run_requests] == ["inbox-film"]
    assert result.dynamic_partitions_requests[0].partition_keys == ["inbox-film"]
    assert IchorVault(ichor.url).film("inbox-film").title == "Inbox Film"
    # the same files again: nothing new to do
    again = automation.story_inbox(dg.build_sensor_context(instance=instance, cursor=result.cursor,
                                                           resources={"studio": studio_res, "ichor": ichor}))
    assert not again.run_requests
    # an edited story is picked up again
    (home / "inbox" / "good.yaml").write_text(GOOD.replace("Inbox Film", "Inbox Film II"))
    third = automation.story_inbox(dg.build_sensor_context(instance=instance, cursor=result.cursor,
                                                           resources={"studio": studio_res, "ichor": ichor}))
    assert [r.partition_key for r in third.run_requests] == ["inbox-film"]


def test_plan_fans_out_to_real_shots_only(studio, tmp_path):
    story = tmp_path / "s.yaml"
    story.write_text(GOOD)
    plan = check_story(story, studio_settings()).plan
    requests = automation.shot_run_requests(plan, "run123")
    assert [str(r.partition_key) for r in requests] == ["inbox-film|s001", "inbox-film|s002"]
    assert all(r.job_name == "render_shot" for r in requests)
    assert len({r.run_key for r in requests}) == 2


def test_with_a_celery_broker_the_shots_render_on_the_farm(studio, tmp_path, monkeypatch):
    from talos_assets.definitions import defs

    story = tmp_path / "s.yaml"
    story.write_text(GOOD)
    plan = check_story(story, studio_settings()).plan
    monkeypatch.setenv("TALOS_CELERY_BROKER_URL", "redis://farm-redis:6379/0")
    requests = automation.shot_run_requests(plan, "run123")
    assert [r.job_name for r in requests] == ["render_shot_on_farm"] * 2
    farm = defs.resolve_job_def("render_shot_on_farm")
    assert farm.executor_def.name == "talos_celery"
    assert set(farm.asset_layer.executable_asset_keys) == set(defs.resolve_job_def("render_shot").asset_layer.executable_asset_keys)
    # a finished farm render counts towards the film's edit like an in-process one (Dagster keeps the
    # monitored jobs private; the daemon only shows the sensor runs of the jobs listed there)
    sensor = automation.shots_after_plan
    assert {"render_shot", "render_shot_on_farm"} <= {j.name for j in sensor._monitored_jobs}
    assert {"render_shot", "render_shot_on_farm", "edit_film"} == {t.job_name for t in sensor.targets}


def test_edit_waits_for_every_shot_since_the_latest_plan(studio, tmp_path):
    story = tmp_path / "s.yaml"
    story.write_text(GOOD)
    plan = check_story(story, studio_settings()).plan
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("films", ["inbox-film"])

    def report(asset: str, partition: str) -> None:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=asset, partition=partition))

    assert automation.film_ready_for_edit(instance, plan) == (False, 0)
    report("film_plan", "inbox-film")
    report("shot_render", "inbox-film|s001")
    assert not automation.film_ready_for_edit(instance, plan)[0]
    report("shot_render", "inbox-film|s002")
    ready, newest = automation.film_ready_for_edit(instance, plan)
    assert ready and newest > 0
    report("film_plan", "inbox-film")  # re-planned: old renders no longer count
    assert not automation.film_ready_for_edit(instance, plan)[0]


def _sense(instance, studio_res, ichor, cursor=None):
    return automation.story_inbox(dg.build_sensor_context(instance=instance, cursor=cursor,
                                                          resources={"studio": studio_res, "ichor": ichor}))


def test_inbox_is_keyed_by_story_content_not_file_name(studio):
    home, studio_res, ichor = studio
    inbox = home / "inbox"
    (inbox / "a.yaml").write_text(GOOD)
    (inbox / "copy-of-a.yaml").write_text(GOOD)  # the same story twice, under two names
    instance = dg.DagsterInstance.ephemeral()
    first = _sense(instance, studio_res, ichor)
    assert [r.partition_key for r in first.run_requests] == ["inbox-film"]
    # re-dropped: removed, then dropped again under a third name
    (inbox / "a.yaml").unlink()
    (inbox / "copy-of-a.yaml").unlink()
    (inbox / "again.yaml").write_text(GOOD)
    redropped = _sense(instance, studio_res, ichor, first.cursor)
    assert not redropped.run_requests
    # edited: a new plan, and edited back: the film's story changed again, so another plan
    (inbox / "again.yaml").write_text(GOOD.replace("Talos smiles.", "Talos laughs."))
    edited = _sense(instance, studio_res, ichor, redropped.cursor)
    assert [r.partition_key for r in edited.run_requests] == ["inbox-film"]
    assert "Talos laughs." in (home / "films" / "inbox-film" / "checked_plan.json").read_text()
    (inbox / "again.yaml").write_text(GOOD)
    back = _sense(instance, studio_res, ichor, edited.cursor)
    keys = [first.run_requests[0].run_key, edited.run_requests[0].run_key, back.run_requests[0].run_key]
    assert len(set(keys)) == 3  # each plan its own run key: Dagster would drop a repeated one
    assert "Talos laughs." not in (home / "films" / "inbox-film" / "checked_plan.json").read_text()


def test_inbox_rejects_a_bad_story_once_and_reads_the_old_cursor(studio, monkeypatch):
    import hashlib
    import json

    from talos_assets import checking

    home, studio_res, ichor = studio
    (home / "inbox" / "bad.yaml").write_text(GOOD.replace("characters: [mira]", "characters: [nobody]"))
    calls = []
    real = checking.check_story
    monkeypatch.setattr(checking, "check_story", lambda *a: calls.append(1) or real(*a))
    instance = dg.DagsterInstance.ephemeral()
    first = _sense(instance, studio_res, ichor)
    assert not first.run_requests and "nobody" in first.skip_reason.skip_message and calls == [1]
    assert not _sense(instance, studio_res, ichor, first.cursor).run_requests and calls == [1]  # not checked again
    # an oversized file is refused by its size, once, and never checked
    (home / "inbox" / "huge.yaml").write_text("title: Huge\n" + "# padding\n" * 120_000)
    huge = _sense(instance, studio_res, ichor, first.cursor)
    assert not huge.run_requests and "huge.yaml" in huge.skip_reason.skip_message and calls == [1]
    assert _sense(instance, studio_res, ichor, huge.cursor).skip_reason.skip_message == "no new story in the inbox"
    (home / "inbox" / "huge.yaml").unlink()
    # a cursor written before stories were keyed by content ({file name: sha256}) still counts as seen
    (home / "inbox" / "good.yaml").write_text(GOOD)
    old = json.dumps({"good.yaml": hashlib.sha256(GOOD.encode()).hexdigest()})
    assert not _sense(instance, studio_res, ichor, old).run_requests
