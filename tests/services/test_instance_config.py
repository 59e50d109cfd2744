"""The studio's dagster.yaml: written from the settings, accepted by Dagster's own schema, rewritten when
the settings change, and never over a file the user edited."""

from __future__ import annotations

import pytest
import yaml

from talos_assets.instance_config import instance_config, is_ours, render_dagster_yaml, write_dagster_yaml
from talos_assets.settings import InstanceSettings, SettingsError, instance_settings

PG = "postgresql+psycopg2://talos:s3cret@db.studio:5432/dagster"


def _validated(dagster_home):
    from dagster._core.instance.config import dagster_instance_config

    config, _ = dagster_instance_config(str(dagster_home))
    return config


def test_sqlite_settings_give_a_queued_pooled_monitored_instance(tmp_path):
    assert write_dagster_yaml(tmp_path, InstanceSettings())
    config = _validated(tmp_path)  # raises DagsterInvalidConfigError on any schema mistake
    assert config["telemetry"] == {"enabled": False}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 4
    assert config["concurrency"]["pools"] == {"granularity": "op"}  # no default_limit: dagster-io/dagster#33552
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0
    assert "storage" not in config  # SQLite in $DAGSTER_HOME, Dagster's default layout


def test_postgres_url_is_referenced_from_the_environment_never_written(tmp_path):
    assert write_dagster_yaml(tmp_path, InstanceSettings(dagster_pg_url=PG, max_concurrent_runs=7))
    text = (tmp_path / "dagster.yaml").read_text()
    assert "s3cret" not in text and "db.studio" not in text
    config = _validated(tmp_path)
    assert config["storage"] == {"postgres": {"postgres_url": {"env": "TALOS_DAGSTER_PG_URL"}}}
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 7
    assert config["concurrency"]["runs"]["tag_concurrency_limits"] == [{"key": "dagster/backfill", "limit": 6}]


def test_rewritten_when_the_settings_change_and_only_then(tmp_path):
    path = tmp_path / "dagster.yaml"
    assert write_dagster_yaml(tmp_path, InstanceSettings())
    before = path.stat().st_mtime_ns
    assert not write_dagster_yaml(tmp_path, InstanceSettings())
    assert path.stat().st_mtime_ns == before
    assert write_dagster_yaml(tmp_path, InstanceSettings(dagster_pg_url=PG))
    assert "postgres" in yaml.safe_load(path.read_text())["storage"]
    assert write_dagster_yaml(tmp_path, InstanceSettings())
    assert "storage" not in yaml.safe_load(path.read_text())
    assert not list(tmp_path.glob(".dagster.yaml.*"))  # no temp file left behind


def test_the_older_studio_file_is_upgraded(tmp_path):
    (tmp_path / "dagster.yaml").write_text("# written by Studio Talos\ntelemetry:\n  enabled: false\n")
    assert write_dagster_yaml(tmp_path, InstanceSettings())
    assert "run_monitoring" in (tmp_path / "dagster.yaml").read_text()


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("max_concurrent_runs: 4", "max_concurrent_runs: 12"),  # edited, header kept
    lambda text: "telemetry:\n  enabled: false\n",  # the user's own file, no header
])
def test_a_file_the_user_edited_is_never_overwritten(tmp_path, edit):
    path = tmp_path / "dagster.yaml"
    write_dagster_yaml(tmp_path, InstanceSettings())
    path.write_text(edit(path.read_text()))
    edited = path.read_text()
    assert not is_ours(edited)
    assert not write_dagster_yaml(tmp_path, InstanceSettings(dagster_pg_url=PG))
    assert path.read_text() == edited


def test_render_is_deterministic_and_ours():
    text = render_dagster_yaml(InstanceSettings(dagster_pg_url=PG))
    assert text == render_dagster_yaml(InstanceSettings(dagster_pg_url=PG))
    assert is_ours(text) and text.startswith("# written by Studio Talos")
    assert yaml.safe_load(text) == instance_config(InstanceSettings(dagster_pg_url=PG))


def test_settings_from_the_environment(tmp_path):
    from talos_assets.settings import studio_settings

    assert instance_settings({}) == InstanceSettings()
    got = instance_settings({"TALOS_DAGSTER_PG_URL": PG, "TALOS_MAX_CONCURRENT_RUNS": "2"})
    assert (got.dagster_pg_url, got.max_concurrent_runs) == (PG, 2)
    studio = studio_settings({"TALOS_HOME": str(tmp_path), "TALOS_DAGSTER_PG_URL": PG})
    assert (studio.dagster_pg_url, studio.aether_url) == (PG, str(tmp_path.resolve() / "aether"))
    assert studio_settings({"TALOS_HOME": str(tmp_path), "TALOS_AETHER_URL": "s3://studio/aether"}).aether_url == \
        "s3://studio/aether"


@pytest.mark.parametrize("env, names", [
    ({"TALOS_DAGSTER_PG_URL": "postgresql+psycopg://talos:s3cret@db/dagster"}, "TALOS_DAGSTER_PG_URL"),
    ({"TALOS_DAGSTER_PG_URL": "postgresql://talos:s3cret@db/dagster"}, "TALOS_DAGSTER_PG_URL"),
    ({"TALOS_DAGSTER_PG_URL": "sqlite:///x.db"}, "TALOS_DAGSTER_PG_URL"),
    ({"TALOS_MAX_CONCURRENT_RUNS": "many"}, "TALOS_MAX_CONCURRENT_RUNS"),
    ({"TALOS_MAX_CONCURRENT_RUNS": "0"}, "TALOS_MAX_CONCURRENT_RUNS"),
])
def test_a_malformed_setting_is_one_sentence_naming_it(env, names):
    with pytest.raises(SettingsError) as err:
        instance_settings(env)
    message = str(err.value)
    assert names in message and "s3cret" not in message
    assert message.endswith(".") and "\n" not in message and ". " not in message.replace("e.g. ", "")


def test_prepare_home_writes_the_file_from_the_environment(tmp_path, monkeypatch):
    from talos_assets.home import prepare_home

    monkeypatch.setenv("TALOS_DAGSTER_PG_URL", PG)
    for var in ("TALOS_HOME", "DAGSTER_HOME"):  # prepare_home points both at the studio: restore them after
        monkeypatch.setenv(var, str(tmp_path / "elsewhere"))
    home = prepare_home(tmp_path / "studio")
    assert home == (tmp_path / "studio").resolve()
    config = _validated(home / "dagster")
    assert config["storage"]["postgres"]["postgres_url"] == {"env": "TALOS_DAGSTER_PG_URL"}
    monkeypatch.delenv("TALOS_DAGSTER_PG_URL")
    prepare_home(tmp_path / "studio")
    assert "storage" not in _validated(home / "dagster")
