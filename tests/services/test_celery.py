"""A film's shots rendered by two Celery workers (Dagster's Celery executor, a real Redis broker and a
real PostgreSQL instance on 127.0.0.1) give the same frames, bit for bit, as one machine rendering
them in-process.

Each worker is a machine of its own: its own studio home and Dagster home, sharing only the services
(PostgreSQL for the Dagster instance and Ichor, Redis for Celery) and the working frames on a shared
store by URL (`TALOS_SHARED_STORE`, here a `file://` folder), as docs/deploy.md describes for a farm
without a shared mount. Each step of `render_shot_on_farm` is a Celery task; the frames are read back
from the store into an empty home. Both wall times are printed (`pytest -s`); speed is reported, never
asserted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKERS = ("w1", "w2")
STORY = """\
title: Farm Film
id: farm
palette: sea-glass
fps: 12
resolution: [160, 90]
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
    duration: 1.0
    characters: [mira]
    camera: handheld
    effects: [{kind: smoke, source_x: 0.6, source_y: 0.95, strength: 1.5}]
"""
# what `dagster-celery worker start -y` reads: the executor's config block (the broker from the environment)
WORKER_YAML = """\
execution:
  config:
    broker: {env: TALOS_CELERY_BROKER_URL}
    backend: {env: TALOS_CELERY_BROKER_URL}
"""


def _use_home(monkeypatch, root: Path, **extra: str) -> dict[str, str]:
    env = {"TALOS_HOME": str(root / "home"), "TALOS_RENDERS": str(root / "renders"),
           "DAGSTER_HOME": str(root / "home" / "dagster"), **extra}
    for var in ("TALOS_DAGSTER_PG_URL", "TALOS_ICHOR_URL", "TALOS_CELERY_BROKER_URL", "TALOS_SHARED_STORE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    return env


def _plan_film(story: Path, instance):
    """Register the film, store its checked plan and materialize `film_plan`, as `talos forge` does first."""
    from talos_assets.checking import check_story
    from talos_assets.definitions import build_resources
    from talos_assets.forge import plan_in_process
    from talos_assets.settings import studio_settings

    checked = check_story(story, studio_settings())
    resources = build_resources()
    plan_in_process(checked, instance, resources)
    return checked.plan, resources


def _render_digests(home: Path, plan) -> dict[str, dict[str, str]]:
    out = {}
    for shot in plan.shots:
        folder = home / "films" / plan.film_id / "shots" / shot.slot / "render"
        out[shot.slot] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    return out


def _start_worker(name: str, env: dict[str, str], config: Path, log: Path) -> subprocess.Popen:
    venv_bin = Path(sys.executable).parent  # the CLI starts `celery` from PATH
    env = dict(env, PATH=f"{venv_bin}{os.pathsep}{env.get('PATH', '')}")
    cmd = [str(venv_bin / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
           "-y", str(config), "-n", name, "-l", "WARNING", "-i", "talos_assets.definitions",
           "--", "--pool=solo"]  # one step at a time per worker, in the worker's own process
    with open(log, "ab") as out:
        # cwd outside the checkout: workers import the installed package, as on a farm machine
        return subprocess.Popen(cmd, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # celery's warm shutdown, for the whole group the CLI started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for_workers(broker: str, procs: list[subprocess.Popen], logs: list[Path], timeout: float = 240) -> None:
    from dagster_celery.make_app import make_app

    deadline, answered = time.monotonic() + timeout, set()
    with make_app({"broker": broker, "backend": broker, "include": [], "config_source": None, "retries": None}) as app:
        while time.monotonic() < deadline and not answered >= set(WORKERS):
            for proc, log in zip(procs, logs):
                if proc.poll() is not None:
                    pytest.fail(f"a Celery worker exited ({proc.returncode}): {log.read_text()[-2000:]}")
            answered |= {name.split("@")[0] for reply in app.control.ping(timeout=1.0) for name in reply}
    if not answered >= set(WORKERS):
        pytest.fail(f"Celery workers {sorted(set(WORKERS) - answered)} never answered a ping")


def _render_on_farm(plan, env: dict[str, str], logs: Path) -> float:
    """One `render_shot_on_farm` run per shot, all at once, each orchestrated by its own process as the
    run launcher does (`dagster job execute`, the command docs/deploy.md shows), its steps executed by
    whichever Celery worker is free; returns the wall time until every run has finished."""
    import json

    from talos_assets.partitions import shot_key, shots_partitions

    dagster_cli = str(Path(sys.executable).parent / "dagster")
    started, procs = time.perf_counter(), []
    for shot in plan.shots:
        tags = json.dumps(dict(shots_partitions.get_tags_for_partition_key(shot_key(plan.film_id, shot.slot))))
        cmd = [dagster_cli, "job", "execute", "-m", "talos_assets.definitions", "-a", "defs",
               "-j", "render_shot_on_farm", "--tags", tags]
        with open(logs / f"run-{shot.slot}.log", "wb") as out:
            procs.append(subprocess.Popen(cmd, env=env, cwd=logs, stdout=out, stderr=subprocess.STDOUT))
    for proc in procs:
        proc.wait(timeout=900)
    return time.perf_counter() - started


def _single_machine(tmp_path, monkeypatch, story: Path):
    import dagster as dg

    from talos_assets.definitions import SHOT_ASSETS, defs
    from talos_assets.partitions import shot_key

    _use_home(monkeypatch, tmp_path / "one")
    instance = dg.DagsterInstance.ephemeral()
    plan, resources = _plan_film(story, instance)
    started = time.perf_counter()
    for shot in plan.shots:  # what `talos forge` does: each shot's chain, one in-process run after another
        result = dg.materialize(list(defs.assets), selection=[a.key for a in SHOT_ASSETS], instance=instance,
                                partition_key=shot_key(plan.film_id, shot.slot), resources=resources)
        assert result.success
    return plan, time.perf_counter() - started


def test_two_celery_workers_render_a_film_bit_identical_to_one_machine(tmp_path, monkeypatch, postgres, redis_server):
    import dagster as dg
    import psycopg

    from talos_assets.definitions import defs

    assert "render_shot_on_farm" in {job.name for job in defs.jobs or []}, \
        "talos_assets.definitions must register talos_assets.defs.automation.render_shot_on_farm"
    story = tmp_path / "farm.yaml"
    story.write_text(STORY)
    plan, one_machine_s = _single_machine(tmp_path, monkeypatch, story)

    postgres.create_database("farm_dagster")
    postgres.create_database("farm_ichor")
    farm = tmp_path / "farm"
    services = dict(TALOS_DAGSTER_PG_URL=postgres.url("farm_dagster", driver="postgresql+psycopg2"),
                    TALOS_ICHOR_URL=postgres.url("farm_ichor", driver="postgresql+psycopg"),
                    TALOS_CELERY_BROKER_URL=redis_server.url, TALOS_SHARED_STORE=(tmp_path / "shared").as_uri())
    from talos_assets.defs.pools import apply_pool_limits
    from talos_assets.home import prepare_home

    worker_envs = {}
    for name in WORKERS:  # each worker's machine: its own homes, prepared as `talos` prepares one
        worker_envs[name] = _use_home(monkeypatch, farm / name, **services)
        prepare_home()
        # the machine's image carries the compiled Warp kernels (compiling them is not what is tested)
        shutil.copytree(tmp_path / "one" / "home" / "warp-cache", farm / name / "home" / "warp-cache",
                        dirs_exist_ok=True)
    env = _use_home(monkeypatch, farm / "launcher", **services)  # plans the film and launches its runs
    prepare_home()
    instance = dg.DagsterInstance.get()
    apply_pool_limits(instance)  # as the studio does on a new instance: two shots reach Anima's pool at once
    config = tmp_path / "celery_worker.yaml"
    config.write_text(WORKER_YAML)
    logs = [tmp_path / f"{name}.log" for name in WORKERS]
    workers = [_start_worker(name, dict(os.environ, **worker_envs[name]), config, log)
               for name, log in zip(WORKERS, logs)]
    try:
        farm_plan, _ = _plan_film(story, instance)
        _wait_for_workers(redis_server.url, workers, logs)
        farm_s = _render_on_farm(farm_plan, dict(os.environ, **env), tmp_path)
    finally:
        for proc in workers:
            _stop_worker(proc)
    print(f"\n{len(plan.shots)} shots at 160x90: one machine (in-process) {one_machine_s:.1f} s, "
          f"two Celery workers {farm_s:.1f} s")

    runs = instance.get_runs(filters=dg.RunsFilter(job_name="render_shot_on_farm"))
    assert sorted(r.tags["dagster/partition/shot"] for r in runs if r.status == dg.DagsterRunStatus.SUCCESS) == \
        [s.slot for s in plan.shots], "\n".join(p.read_text()[-3000:] for p in sorted(tmp_path.glob("*.log")))
    # an editing machine with an empty home sees every shot's frames through the store alone
    from talos_assets.stores.shared_frames import SharedFrames

    editor = farm / "editor" / "home"
    assert SharedFrames(services["TALOS_SHARED_STORE"]).pull_film(editor, farm_plan.film_id) > 0
    assert _render_digests(editor, farm_plan) == _render_digests(tmp_path / "one" / "home", plan)

    # the runs are rows of the PostgreSQL instance, and their steps ran on both workers
    run_ids = [r.run_id for r in runs]
    with psycopg.connect(postgres.url("farm_dagster")) as conn:
        statuses = conn.execute("select status from runs where run_id = any(%s)", (run_ids,)).fetchall()
    assert statuses == [("SUCCESS",)] * len(plan.shots)
    hosts = set()
    for run_id in run_ids:
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
            entry = record.dagster_event.engine_event_data.metadata.get("Celery worker")
            if entry is not None:
                hosts.add(str(entry.value).split("@")[0])
    assert hosts == set(WORKERS)
    with psycopg.connect(postgres.url("farm_ichor")) as conn:
        rendered = conn.execute("select slot from shots where render_dir is not null order by slot").fetchall()
    assert rendered == [(s.slot,) for s in plan.shots]
