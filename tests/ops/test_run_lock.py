"""The per-film lock for runs launched outside a forge (the Dagster UI, a sensor, a schedule): such a
run holds the film's lock shared while it executes, so it never renders beside a `talos forge` of the
same film: it waits for the forge and then fails in one sentence, a forge waits for it, and runs of
one film go on side by side. A forge's own runs (in its process, under its lock) take nothing more."""

import os
import subprocess
import sys
import time

import dagster as dg
import pytest

from talos_assets.ops.locks import FilmBusy, film_lock, film_run_lock, film_run_pids
from talos_assets.ops.run_lock import FilmLockedStudio, film_of_run
from talos_assets.partitions import films_partitions

HOLD_FORGE_LOCK = """
import sys, time, pathlib
from talos_assets.ops.locks import film_lock
home, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
with film_lock(home, "film", wait_s=0):
    (home / "ready").write_text("1")
    deadline = time.monotonic() + 120
    while not stop.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
"""


@dg.asset(partitions_def=films_partitions)
def film_step(context: dg.AssetExecutionContext, studio: FilmLockedStudio) -> None:
    """Stands for any asset of a film: it writes into the film's folders."""
    (studio.store().film_dir(context.partition_key) / "written").write_text("1")


def _materialize(home, wait_s: float):
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("films", ["film"])
    studio = FilmLockedStudio(root=str(home), renders=str(home.parent / "renders"), lock_wait_s=wait_s)
    return dg.materialize([film_step], partition_key="film", instance=instance, resources={"studio": studio},
                          raise_on_error=False)


def _failure_text(result) -> str:
    return " ".join(str(e.event_specific_data) for e in result.all_events if e.is_failure)


def test_the_film_of_a_run_comes_from_its_partition_tags():
    assert film_of_run({"dagster/partition/film": "sea", "dagster/partition/shot": "s001",
                        "dagster/partition": "sea|s001"}) == "sea"
    assert film_of_run({"dagster/partition": "sea"}) == "sea"
    assert film_of_run({}) is None


def test_a_ui_run_waits_for_a_forge_of_its_film_then_fails_in_one_sentence(tmp_path):
    home, stop = tmp_path / "home", tmp_path / "stop"
    home.mkdir()
    forge = subprocess.Popen([sys.executable, "-c", HOLD_FORGE_LOCK, str(home), str(stop)])
    try:
        deadline = time.monotonic() + 60
        while not (home / "ready").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        busy = _materialize(home, wait_s=1.0)
        assert not busy.success and time.monotonic() - started >= 1.0
        assert f"film 'film' is being rendered by another talos forge (pid {forge.pid}); wait for it or stop it." \
            in _failure_text(busy)
        assert not (home / "films" / "film" / "written").exists()  # nothing written beside the forge
        stop.write_text("1")
        assert forge.wait(timeout=60) == 0
    finally:
        if forge.poll() is None:
            forge.kill()
    done = _materialize(home, wait_s=1.0)  # the forge has finished: the run goes ahead
    assert done.success and (home / "films" / "film" / "written").exists()
    assert film_run_pids(home, "film") == []  # released with the run


def test_a_forge_waits_for_ui_runs_and_names_them(tmp_path):
    with film_run_lock(tmp_path, "film", run_id="r1"), film_run_lock(tmp_path, "film", run_id="r2"):  # side by side
        assert film_run_pids(tmp_path, "film") == [os.getpid(), os.getpid()]
        messages: list[str] = []
        with pytest.raises(FilmBusy) as busy:
            with film_lock(tmp_path, "film", wait_s=0.3, on_wait=messages.append):
                pass
    assert str(busy.value) == (f"film 'film' is being rendered by 2 run(s) launched from the Dagster UI, a sensor or a "
                               f"schedule (pid {os.getpid()}, {os.getpid()}); wait for them or stop them in the UI.")
    assert "waiting up to 0.3 s" in messages[0]
    with film_lock(tmp_path, "film", wait_s=0):  # both runs ended: the forge goes ahead
        pass


def test_a_forge_s_own_runs_take_no_second_lock(tmp_path):
    with film_lock(tmp_path, "film", wait_s=0):
        started = time.monotonic()
        with film_run_lock(tmp_path, "film", wait_s=5):  # in the forge's process: a no-op, never a self-deadlock
            pass
        assert time.monotonic() - started < 1.0
    result = _materialize(tmp_path / "home", wait_s=0.5)  # and outside any forge a run takes it and lets go
    assert result.success
