"""The lab's browsable history: the command that serves MLflow's UI over the studio's tracking store
(every training run, its data lineage, the registry's champion and challenger). MLflow's UI has no
authentication and can change aliases, so it binds a loopback interface only; any other host is refused.
"""

from __future__ import annotations

import ipaddress
import sys

DEFAULT_HOST = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the name localhost."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # any other name may resolve to a public interface


def check_loopback(host: str) -> str:
    """`host` itself, or ValueError (one sentence) when it is not a loopback interface."""
    if not is_loopback(host):
        raise ValueError(f"--host {host} is not a loopback address; the lab's MLflow UI has no login and can move "
                         "model aliases, so it binds 127.0.0.1 (or ::1) only: drop --host, or reach it over an SSH tunnel.")
    return host


def mlflow_ui_command(tracking_uri: str, artifact_root: str, host: str = DEFAULT_HOST, port: int = 5000) -> list[str]:
    """`mlflow ui` over the studio's store, bound to `host`; ValueError when `host` is not loopback."""
    check_loopback(host)
    return [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", tracking_uri, "--registry-store-uri",
            tracking_uri, "--default-artifact-root", artifact_root, "--host", host, "--port", str(port)]
