"""Ichor and the Dagster instance on a real PostgreSQL server started on 127.0.0.1 by the fixtures:
what the studio writes must be rows in PostgreSQL, read back with psycopg, not files in the home."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

STORY = """\
title: Postgres Film
id: pgfilm
palette: sea-glass
fps: 12
resolution: [160, 90]
shots:
  - id: hello
    description: Talos smiles at the calm sea.
    emotion: joy
    duration: 1.0
    characters: [talos]
    camera: static
"""


def _rows(url: str, sql: str, *args) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def test_ichor_vault_on_postgresql(pg_database):
    from talos_assets.spec import Palette
    from talos_assets.stores.ichor import BUILTIN_PALETTES, IchorVault, StoreError

    server, db = pg_database
    vault = IchorVault(server.url(db, driver="postgresql+psycopg"))
    shots = [dict(slot=f"s00{i}", shot_id=sid, position=i, description="d" * 2000, emotion="joy", frames=12,
                  plan_json="{}") for i, sid in enumerate(["hello", "x" * 64], start=1)]
    vault.register_film("pgfilm", "T" * 200, "/stories/pg.yaml", "title: T", 12, 160, 90, palette="sea-glass", shots=shots)
    vault.record_evaluation("pgfilm", "text_alignment", 0.8125, shot_id="hello", passed=True)
    vault.record_evaluation("pgfilm", "flicker", 0.02, passed=None)
    night_sea = dict(BUILTIN_PALETTES["sea-glass"], sky="#102030")
    vault.save_palette(Palette(name="night-sea", swatches=night_sea))
    vault.set_shot_render("pgfilm", "s001", "/farm/home/films/pgfilm/shots/s001/render")

    libpq = server.url(db)
    assert _rows(libpq, "select film_id, title, fps, width, height from films") == [("pgfilm", "T" * 200, 12, 160, 90)]
    assert _rows(libpq, "select slot, shot_id, render_dir from shots order by position") == [
        ("s001", "hello", "/farm/home/films/pgfilm/shots/s001/render"), ("s002", "x" * 64, None)]
    assert _rows(libpq, "select metric, value, passed, shot_id from evaluations order by id") == [
        ("text_alignment", 0.8125, True, "hello"), ("flicker", 0.02, None, None)]
    assert len(_rows(libpq, "select name from palettes")) == 5  # four built-in + the saved one

    # a second process's view: a fresh engine reads the same rows; a read-only open writes nothing
    again = IchorVault(server.url(db, driver="postgresql+psycopg"), create=False)
    assert [(e.metric, e.value) for e in again.evaluations("pgfilm")] == [("text_alignment", 0.8125), ("flicker", 0.02)]
    assert again.palette("night-sea").swatches == night_sea
    with pytest.raises(StoreError, match="read-only"):
        again.record_evaluation("pgfilm", "flicker", 0.5)
    assert len(_rows(libpq, "select id from evaluations")) == 2


def test_read_only_open_of_an_empty_postgresql_database_creates_nothing(pg_database):
    from talos_assets.stores.ichor import IchorVault

    server, db = pg_database
    vault = IchorVault(server.url(db, driver="postgresql+psycopg"), create=False)
    assert vault.film_ids() == []
    assert _rows(server.url(db), "select tablename from pg_tables where schemaname = 'public'") == []


def _open_vault(url: str, barrier: threading.Barrier) -> str:
    from talos_assets.stores.ichor import IchorVault

    barrier.wait()  # every opener starts at once, as farm workers on a new database do
    try:
        IchorVault(url)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the test reports what each opener saw
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def test_concurrent_first_opens_of_a_new_postgresql_ichor_all_succeed(pg_database):
    server, db = pg_database
    url, barrier = server.url(db, driver="postgresql+psycopg"), threading.Barrier(4)
    # four engines and four connections: the server sees four sessions racing, as with four processes
    with ThreadPoolExecutor(4) as pool:
        seen = list(pool.map(lambda _: _open_vault(url, barrier), range(4)))
    assert seen == ["ok"] * 4
    assert len(_rows(server.url(db), "select name from palettes")) == 4


def test_dagster_instance_on_postgresql(pg_database, tmp_path, monkeypatch):
    """dagster.yaml written from TALOS_DAGSTER_PG_URL: a film plan and a shot's first stages materialized
    in-process are runs, materializations and partitions in PostgreSQL, and no SQLite run storage."""
    import dagster as dg

    server, db = pg_database
    for var, value in {"TALOS_HOME": tmp_path / "home", "TALOS_RENDERS": tmp_path / "renders",
                       "DAGSTER_HOME": tmp_path / "home" / "dagster", "TALOS_DAGSTER_PG_URL": server.url(db, driver="postgresql+psycopg2"),
                       "TALOS_ICHOR_URL": f"sqlite:///{tmp_path / 'ichor.db'}"}.items():
        monkeypatch.setenv(var, str(value))
    from talos_assets.home import prepare_home

    home = prepare_home()
    assert "127.0.0.1" not in (home / "dagster" / "dagster.yaml").read_text()
    instance = dg.DagsterInstance.get()
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().pool_config.pool_granularity.value == "op"

    (tmp_path / "pg.yaml").write_text(STORY)
    from talos_assets.checking import check_story
    from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS, build_resources, defs
    from talos_assets.partitions import shot_key
    from talos_assets.settings import studio_settings

    checked = check_story(tmp_path / "pg.yaml", studio_settings())
    resources = build_resources()
    resources["ichor"].vault().register_film("pgfilm", "Postgres Film", str(checked.path), checked.text, 12, 160, 90,
                                             palette="sea-glass", shots=[])
    resources["studio"].store().write_checked_plan(checked.plan)
    instance.add_dynamic_partitions("films", ["pgfilm"])
    first_stages = [a.key for a in SHOT_ASSETS[:3]]  # scene_graph, dialogue_line, key_poses
    for selection, key in (([FILM_ASSETS[0].key], "pgfilm"), (first_stages, shot_key("pgfilm", "s001"))):
        result = dg.materialize(list(defs.assets), selection=selection, partition_key=key, instance=instance,
                                resources=resources, raise_on_error=False)
        assert result.success

    libpq = server.url(db)
    assert sorted(r[0] for r in _rows(libpq, "select status from runs")) == ["SUCCESS", "SUCCESS"]
    materialized = _rows(libpq, "select asset_key, partition from event_logs where dagster_event_type = "
                                "'ASSET_MATERIALIZATION' order by id")
    assert materialized[:2] == [('["film_plan"]', "pgfilm"), ('["scene_graph"]', "pgfilm|s001")]
    assert sorted(materialized[2:]) == [('["dialogue_line"]', "pgfilm|s001"), ('["key_poses"]', "pgfilm|s001")]
    assert _rows(libpq, "select partition from dynamic_partitions where partitions_def_name = 'films'") == [("pgfilm",)]
    assert not list((home / "dagster").rglob("runs.db")) and not list((home / "dagster").rglob("index.db"))
