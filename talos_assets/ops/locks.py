"""Exclusive locks in the studio home: the Dagster instance's first start, and one forge per film.

Two `talos forge` on a fresh home both create the instance's SQLite tables and both register dynamic
partitions, and SQLite answers the loser with "table snapshots already exists" or "UNIQUE constraint
failed"; two forges of one film empty each other's stage folders. Both are serialised with
`filelock.FileLock` (an `flock` on Unix: the kernel releases it when the holder dies, even by
kill -9, so a crash never leaves a lock behind). The holder of a film lock writes its pid next to
the lock, so a second forge can say who is rendering. Locks live in `$TALOS_HOME/locks/`; they
serialise processes of one machine (a shared home on NFS needs the PostgreSQL instance instead).

Runs launched from the Dagster UI, a sensor or a schedule render a film's shots in their own
processes: each holds the same film lock *shared* (`film_run_lock`) for as long as it runs, so runs
of one film go on side by side but never beside a forge of it, which holds the lock exclusively: a
UI run waits for the forge (then fails in one sentence), a forge waits for the UI runs. The forge's
own runs execute in its process under its exclusive lock and take nothing more.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from talos_assets.agents.frames import atomic_write_bytes


class FilmBusy(RuntimeError):
    """Another process holds the film's lock; the message is the one sentence for the user."""


# film lock files this process holds exclusively: the forge runs its steps in process, under its lock
_HELD_HERE: set[str] = set()


def locks_dir(home: Path) -> Path:
    path = Path(home) / "locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def instance_lock(home: Path, timeout_s: float = 600.0) -> Iterator[None]:
    """Held around the Dagster instance's first creation/migration and around partition registration."""
    with FileLock(str(locks_dir(home) / "instance.lock"), timeout=timeout_s):
        yield


def _film_lock_path(home: Path, film_id: str) -> Path:
    return Path(home) / "locks" / f"film-{film_id}.lock"


def _owner_path(home: Path, film_id: str) -> Path:
    return Path(home) / "locks" / f"film-{film_id}.owner"


def film_lock_owner(home: Path, film_id: str) -> int | None:
    """The pid the last holder of the film's lock recorded, or None."""
    try:
        return int(json.loads(_owner_path(home, film_id).read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _runs_dir(home: Path, film_id: str) -> Path:
    return Path(home) / "locks" / f"film-{film_id}.runs"


def film_run_pids(home: Path, film_id: str) -> list[int]:
    """The live processes of runs (launched from the UI, a sensor, a schedule) holding the film's lock."""
    from talos_assets.ops.recovery import process_alive

    pids = []
    for record in sorted(_runs_dir(home, film_id).glob("*.json")):
        try:
            pid = int(json.loads(record.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if process_alive(pid):
            pids.append(pid)
    return pids


def _busy_sentence(home: Path, film_id: str) -> str:
    from talos_assets.ops.recovery import process_alive

    pid = film_lock_owner(home, film_id)
    if pid and process_alive(pid):
        return f"film '{film_id}' is being rendered by another talos forge (pid {pid}); wait for it or stop it."
    runs = film_run_pids(home, film_id)
    if runs:
        return (f"film '{film_id}' is being rendered by {len(runs)} run(s) launched from the Dagster UI, a sensor or "
                f"a schedule (pid {', '.join(map(str, runs))}); wait for them or stop them in the UI.")
    return f"film '{film_id}' is being rendered by another talos forge; wait for it or stop it."


@contextmanager
def film_lock(home: Path, film_id: str, wait_s: float = 30.0,
              on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the film's lock while it renders; wait up to `wait_s` for another forge, then FilmBusy."""
    locks_dir(home)
    lock = FileLock(str(_film_lock_path(home, film_id)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(f"{_busy_sentence(home, film_id).split(';')[0]}; waiting up to {wait_s:g} s")
        try:
            lock.acquire(timeout=max(0.0, wait_s))
        except Timeout:
            raise FilmBusy(_busy_sentence(home, film_id)) from None
    _HELD_HERE.add(str(_film_lock_path(home, film_id)))
    try:
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        atomic_write_bytes(_owner_path(home, film_id), json.dumps(owner).encode())
        yield
    finally:
        _HELD_HERE.discard(str(_film_lock_path(home, film_id)))
        _owner_path(home, film_id).unlink(missing_ok=True)
        lock.release()


@contextmanager
def film_run_lock(home: Path, film_id: str, wait_s: float = 30.0, run_id: str = "") -> Iterator[None]:
    """Hold the film's lock shared while a run launched outside a forge renders it (module docstring):
    waits up to `wait_s` for a forge of the film, then FilmBusy. A no-op in a process that holds the
    film's lock exclusively (a forge executing its own runs)."""
    path = _film_lock_path(home, film_id)
    if str(path) in _HELD_HERE:
        yield
        return
    locks_dir(home)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    record = _runs_dir(home, film_id) / f"{os.getpid()}-{run_id or 'run'}.json"
    try:
        deadline = time.monotonic() + max(0.0, wait_s)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # the kernel drops it when the process dies
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FilmBusy(_busy_sentence(home, film_id)) from None
                time.sleep(0.2)
        record.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(record, json.dumps({"pid": os.getpid(), "run_id": run_id, "since": time.time()}).encode())
        yield
    finally:
        record.unlink(missing_ok=True)
        os.close(fd)  # closing the descriptor releases the shared lock


def film_is_busy(home: Path, film_id: str) -> bool:
    """True while another process holds the film's lock (probed without waiting)."""
    path = _film_lock_path(home, film_id)
    if not path.exists():
        return False
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def busy_films(home: Path, except_film: str | None = None) -> list[str]:
    """Films whose lock another process holds now (a forge is rendering them)."""
    names = sorted(p.name[len("film-"):-len(".lock")] for p in (Path(home) / "locks").glob("film-*.lock"))
    return [n for n in names if n != except_film and film_is_busy(home, n)]
