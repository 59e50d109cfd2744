"""Exclusive locks in the studio home: the Dagster instance's first start, and one forge per film.

Two `talos forge` on a fresh home both create the instance's SQLite tables and both register dynamic
partitions, and SQLite answers the loser with "table snapshots already exists" or "UNIQUE constraint
failed"; two forges of one film empty each other's stage folders. Both are serialised with
`filelock.FileLock` (an `flock` on Unix: the kernel releases it when the holder dies, even by
kill -9, so a crash never leaves a lock behind). The holder of a film lock writes its pid next to
the lock, so a second forge can say who is rendering. Locks live in `$TALOS_HOME/locks/`; they
serialise processes of one machine (a shared home on NFS needs the PostgreSQL instance instead).
"""

from __future__ import annotations

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


def _busy_sentence(home: Path, film_id: str) -> str:
    pid = film_lock_owner(home, film_id)
    who = f"another talos forge (pid {pid})" if pid else "another talos forge"
    return f"film '{film_id}' is being rendered by {who}; wait for it or stop it."


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
            on_wait(f"film '{film_id}' is being rendered by another talos forge "
                    f"(pid {film_lock_owner(home, film_id) or '?'}); waiting up to {wait_s:g} s")
        try:
            lock.acquire(timeout=max(0.0, wait_s))
        except Timeout:
            raise FilmBusy(_busy_sentence(home, film_id)) from None
    try:
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        atomic_write_bytes(_owner_path(home, film_id), json.dumps(owner).encode())
        yield
    finally:
        _owner_path(home, film_id).unlink(missing_ok=True)
        lock.release()


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
