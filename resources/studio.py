"""The studio home: one folder (TALOS_HOME, default `.talos/` in the working directory) holding the
Dagster instance, the Ichor database, the Aether store, the MLflow store and every shot's working
frames. `StudioHome` builds every path from validated film and shot ids only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from talos_assets.spec import is_valid_id

STAGES = ("scene", "keys", "inbetweens", "colored", "lit", "effects", "render", "storyboard")


def studio_root() -> Path:
    return Path(os.environ.get("TALOS_HOME", ".talos")).resolve()


def renders_root() -> Path:
    return Path(os.environ.get("TALOS_RENDERS", "renders")).resolve()


def _check(kind: str, value: str) -> str:
    if not is_valid_id(value):
        raise ValueError(f"{kind} id '{value}' is not allowed: use a-z, 0-9, '_' or '-' (at most 64, no leading '_' or '-')")
    return value


class StudioHome(dg.ConfigurableResource):
    """Where the studio keeps its working data and delivers films."""

    root: str
    renders: str

    @property
    def root_path(self) -> Path:
        return Path(self.root)

    def shot_dir(self, film_id: str, slot: str, stage: str) -> Path:
        if stage not in STAGES:
            raise ValueError(f"unknown stage '{stage}'")
        return self.root_path / "films" / _check("film", film_id) / "shots" / _check("shot", slot) / stage

    def fresh_shot_dir(self, film_id: str, slot: str, stage: str) -> Path:
        """An empty folder for a stage: a re-run replaces only this shot's stage, nothing else."""
        path = self.shot_dir(film_id, slot, stage)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path

    def film_dir(self, film_id: str) -> Path:
        path = self.root_path / "films" / _check("film", film_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def delivery_dir(self, film_id: str) -> Path:
        path = Path(self.renders) / _check("film", film_id)
        path.mkdir(parents=True, exist_ok=True)
        return path
