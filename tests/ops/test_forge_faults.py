"""Faults a studio meets with real `talos forge` processes: two forges on a fresh home, a second forge
of a film that is rendering, and a forge killed with SIGKILL in the middle of a shot.

Every forge here is a separate interpreter on its own studio home (tiny stories: 160x90, 12 fps,
one 0.5 s shot), asserted on what the instance and the disk hold afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

from talos_assets.ops.locks import film_lock


@pytest.fixture(scope="module")
def two_films_one_home(tmp_path_factory, make_studio):
    """Two different films forged at once on one fresh studio home: both race on the instance's first start."""
    studio = make_studio(tmp_path_factory.mktemp("race") / "studio")
    stories = {film: studio.story(film) for film in ("race-a", "race-b")}
    logs = {film: studio.root / f"{film}.log" for film in stories}
    procs = {film: studio.popen("forge", str(path), log=logs[film]) for film, path in stories.items()}
    codes = {film: proc.wait(timeout=900) for film, proc in procs.items()}
    return studio, codes, {film: log.read_text() for film, log in logs.items()}


def test_two_forges_on_a_fresh_home_both_succeed(two_films_one_home):
    studio, codes, logs = two_films_one_home
    for film in ("race-a", "race-b"):
        assert codes[film] == 0, logs[film][-3000:]
        assert "already exists" not in logs[film] and "UNIQUE constraint" not in logs[film]
        assert (studio.renders / film / f"{film}.mp4").stat().st_size > 0
    import dagster as dg

    instance = studio.instance()
    assert set(instance.get_dynamic_partitions("films")) == {"race-a", "race-b"}
    runs = instance.get_runs()
    # per film: the plan, its one shot, the edit; every one a success, each tagged with its forge's pid
    assert len(runs) == 6
    assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    assert len({r.tags["talos/pid"] for r in runs}) == 2


def test_a_second_forge_of_a_rendering_film_waits_then_says_who_is_busy(studio):
    story = studio.story("busy")
    studio.home.mkdir(parents=True)
    with film_lock(studio.home, "busy", wait_s=0):  # the test is "the other forge" rendering the film
        done = studio.talos("forge", "--wait", "1", str(story))
    studio.assert_one_sentence(done, f"film 'busy' is being rendered by another talos forge (pid {os.getpid()}); "
                                     "wait for it or stop it.")
    assert "waiting up to 1 s" in " ".join(done.stdout.split())
    assert not (studio.home / "films" / "busy" / "shots").exists()  # nothing rendered, nothing emptied


def test_film_lock_waits_for_the_other_forge_to_finish(tmp_path):
    import threading

    messages: list[str] = []
    holder = film_lock(tmp_path, "film", wait_s=0)
    holder.__enter__()
    threading.Timer(0.5, lambda: holder.__exit__(None, None, None)).start()
    with film_lock(tmp_path, "film", wait_s=60, on_wait=messages.append):
        owner = (tmp_path / "locks" / "film-film.owner").read_text()
    assert messages and "waiting up to 60 s" in messages[0]
    assert f'"pid": {os.getpid()}' in owner
    assert not (tmp_path / "locks" / "film-film.owner").exists()  # released: no owner left behind


def _started_shot_run(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            rows = con.execute("SELECT run_body FROM runs WHERE status = 'STARTED'").fetchall()
    except sqlite3.Error:
        return False
    return any("|s001" in body for (body,) in rows)


def _kill_mid_shot(studio, story: Path, film: str) -> int:
    """Start a forge and SIGKILL it while its shot's run is STARTED and the shot is half painted."""
    proc = studio.popen("forge", str(story), log=studio.root / "killed.log")
    shot = studio.home / "films" / film / "shots" / "s001"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if (shot / "colored").is_dir() and _started_shot_run(studio.home / "dagster" / "history" / "runs.db"):
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    assert proc.wait(timeout=60) == -signal.SIGKILL, (studio.root / "killed.log").read_text()[-3000:]
    return proc.pid


def test_kill9_mid_shot_then_forge_again_equals_an_uninterrupted_render(studio, two_films_one_home):
    import dagster as dg

    uninterrupted = two_films_one_home[0]
    story = studio.story("race-a")  # the very story the race fixture rendered without interruption
    pid = _kill_mid_shot(studio, story, "race-a")

    left = [r for r in studio.instance().get_runs() if r.tags.get("talos/pid") == str(pid)]
    assert sorted(r.status.value for r in left) == ["STARTED", "SUCCESS"]  # the plan done, the shot cut short
    killed_run = next(r for r in left if r.status == dg.DagsterRunStatus.STARTED)
    # what a kill between a write and its rename leaves: temps older than the next forge
    stale = [studio.home / "films" / "race-a" / "shots" / "s001" / "colored" / ".f0003.exr.k3j2.part",
             studio.renders / "race-a" / ".race-a.x8f2.part.mp4"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
        os.utime(path, (time.time() - 60, time.time() - 60))

    done = studio.talos("forge", str(story))
    assert done.returncode == 0, done.stderr[-3000:]
    out = " ".join(done.stdout.split())
    assert f"was left STARTED by a stopped talos forge (pid {pid}): marked failed" in out
    # the two planted, and any the kill itself left between a write and its rename
    swept = re.search(r"swept (\d+) temp file\(s\)", out)
    assert swept and int(swept.group(1)) >= 2, out
    assert not any(p.exists() for p in stale) and not list(studio.home.rglob("*.part*"))
    instance = studio.instance()
    assert instance.get_run_by_id(killed_run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert not [r for r in instance.get_runs() if r.status == dg.DagsterRunStatus.STARTED]

    # frame for frame the film the race fixture rendered from the same story without a kill
    ours, theirs = (s.film_frames(s.renders / "race-a" / "race-a.mp4") for s in (studio, uninterrupted))
    assert len(ours) == len(theirs) > 0
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))


def _wrapped_ffmpeg(folder: Path, mark: Path) -> dict[str, str]:
    """PATH with an `ffmpeg` first that, when it is asked to encode from a pipe, writes its pid to
    `mark` and holds still for two seconds before it becomes the real ffmpeg (exec keeps the pid)."""
    from resources.ffmpeg import find_ffmpeg

    folder.mkdir(parents=True, exist_ok=True)
    wrapper = folder / "ffmpeg"
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in *pipe:0*) echo $$ > "{mark}.tmp"; mv "{mark}.tmp" "{mark}"; sleep 2;; esac\n'
                       f'exec "{find_ffmpeg()}" "$@"\n')
    wrapper.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def _gone(pid: int, timeout: float) -> bool:
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_kill9_mid_encode_then_forge_again_equals_an_uninterrupted_render(studio, two_films_one_home):
    import subprocess

    import dagster as dg

    uninterrupted = two_films_one_home[0]
    story = studio.story("race-a")
    mark = studio.root / "encoding.pid"
    env = {**studio.env(), **_wrapped_ffmpeg(studio.root / "bin", mark)}
    with open(studio.root / "killed.log", "w") as log:
        proc = subprocess.Popen(studio.argv("forge", str(story)), cwd=studio.root, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    encoder = None
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None and not mark.exists():
            time.sleep(0.01)
        assert mark.exists(), (studio.root / "killed.log").read_text()[-3000:]
        encoder = int(mark.read_text())
        os.kill(proc.pid, signal.SIGKILL)  # the forge only: its ffmpeg is orphaned, as a real kill -9 leaves it
        assert proc.wait(timeout=60) == -signal.SIGKILL
        assert _gone(encoder, 60)  # the orphan reads the end of its pipe and exits
        encoder = None
    finally:
        if encoder is not None:
            os.kill(encoder, signal.SIGKILL)
    film_dir = studio.renders / "race-a"
    assert not (film_dir / "race-a.mp4").exists()  # a killed encode never shows as the film
    stale = sorted(p.name for p in film_dir.glob(".race-a.*.part.mp4"))
    assert stale, sorted(p.name for p in film_dir.iterdir())  # what the kill left: the half-written master
    killed = [r for r in studio.instance().get_runs() if r.tags.get("talos/pid") == str(proc.pid)]
    assert sorted(r.status.value for r in killed).count("STARTED") == 1  # the edit run, cut short

    done = studio.talos("forge", str(story))
    assert done.returncode == 0, done.stderr[-3000:]
    out = " ".join(done.stdout.split())
    assert f"was left STARTED by a stopped talos forge (pid {proc.pid}): marked failed" in out
    assert "swept" in out and not list(film_dir.glob("*.part*"))
    assert not [r for r in studio.instance().get_runs() if r.status == dg.DagsterRunStatus.STARTED]
    ours, theirs = (s.film_frames(s.renders / "race-a" / "race-a.mp4") for s in (studio, uninterrupted))
    assert len(ours) == len(theirs) > 0
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))
