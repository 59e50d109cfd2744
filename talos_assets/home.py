"""Where a studio lives on disk, and its Dagster instance configuration (talos_assets/instance_config.py).

`prepare_home` creates the folder tree and (re)writes `dagster/dagster.yaml` from the studio's settings:
telemetry off, a queued run coordinator with limits, concurrency pools, run monitoring, and storage on
PostgreSQL when TALOS_DAGSTER_PG_URL is set. It only writes files; opening the instance is the caller's.
"""

from __future__ import annotations

import os
from pathlib import Path

from resources.studio import renders_root, studio_root
from talos_assets.instance_config import write_dagster_yaml
from talos_assets.settings import instance_settings


def ichor_url(home: Path) -> str:
    return os.environ.get("TALOS_ICHOR_URL") or f"sqlite:///{home / 'ichor.db'}"


def prepare_home(home: Path | None = None) -> Path:
    """Create the studio folder tree and point Dagster and MLflow at it; a malformed instance setting
    in the environment is a one-sentence `talos_assets.settings.SettingsError`."""
    settings = instance_settings()
    home = (home or studio_root()).resolve()
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (home / "aether").mkdir(exist_ok=True)
    (home / "mlflow").mkdir(exist_ok=True)
    (home / "warp-cache").mkdir(exist_ok=True)
    write_dagster_yaml(dagster_home, settings)
    os.environ["TALOS_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home


__all__ = ["prepare_home", "ichor_url", "studio_root", "renders_root"]
