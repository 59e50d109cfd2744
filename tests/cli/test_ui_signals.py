"""`talos ui` owns `dagster dev` (webserver, daemon, code servers) as one process group: when it is
told to stop (SIGTERM from a service manager, SIGHUP from a closed terminal), nothing of it keeps
running and reading the inbox."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _dagster_children_of(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_ui_stops_its_whole_process_group(tmp_path, sig):
    import psutil

    port = _free_port()
    env = dict(os.environ, TALOS_HOME=str(tmp_path / "home"), TALOS_RENDERS=str(tmp_path / "renders"),
               DAGSTER_HOME=str(tmp_path / "home" / "dagster"))
    proc = subprocess.Popen([sys.executable, "-m", "talos_assets.cli", "ui", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster UI did not answer within 120 s")
        children = _dagster_children_of(proc.pid)
        assert children, "talos ui should have started dagster dev"
        proc.send_signal(sig)
        proc.wait(timeout=60)
        deadline = time.time() + 30
        while time.time() < deadline and any(psutil.pid_exists(c) and psutil.Process(c).status() != psutil.STATUS_ZOMBIE
                                             for c in children):
            time.sleep(0.5)
        left = [c for c in children if psutil.pid_exists(c) and psutil.Process(c).status() != psutil.STATUS_ZOMBIE]
        assert not left, f"processes of dagster dev still running after {sig.name}: {left}"
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        for c in _dagster_children_of(proc.pid):
            try:
                os.kill(c, signal.SIGKILL)
            except ProcessLookupError:
                pass
