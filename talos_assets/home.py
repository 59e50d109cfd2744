"""Where a studio lives on disk, and its Dagster instance settings (telemetry off)."""

from __future__ import annotations

import os
from pathlib import Path

from resources.studio import renders_root, studio_root

DAGSTER_YAML = """# written by Studio Talos
telemetry:
  enabled: false
"""


def ichor_url(home: Path) -> str:
    return os.environ.get("TALOS_ICHOR_URL") or f"sqlite:///{home / 'ichor.db'}"


def prepare_home(home: Path | None = None) -> Path:
    """Create the studio folder tree and point Dagster and MLflow at it."""
    home = (home or studio_root()).resolve()
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (home / "aether").mkdir(exist_ok=True)
    (home / "mlflow").mkdir(exist_ok=True)
    (home / "warp-cache").mkdir(exist_ok=True)
    cfg = dagster_home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text(DAGSTER_YAML)
    os.environ["TALOS_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home


__all__ = ["prepare_home", "ichor_url", "studio_root", "renders_root"]
