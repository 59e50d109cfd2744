"""Shared fixtures: every test that touches a studio gets its own TALOS_HOME and renders folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def studio_env(tmp_path, monkeypatch):
    home, renders = tmp_path / "home", tmp_path / "renders"
    monkeypatch.setenv("TALOS_HOME", str(home))
    monkeypatch.setenv("TALOS_RENDERS", str(renders))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.delenv("TALOS_ICHOR_URL", raising=False)
    return home, renders
