"""What the lab's tests set up the same way: one torch thread for tiny nets, a studio whose Ichor knows
one film with rendered shots, and a network registered and promoted as a champion (the last two as
session fixtures holding the functions, so module-scoped fixtures can use them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from protoforge.registry import WEIGHTS_FILE, log_model, mlflow_tracking, promote, save_checkpoint
from talos_assets.agents.frames import write_layer_png
from talos_assets.stores.ichor import IchorVault


@pytest.fixture
def one_torch_thread():
    """Tiny nets: one thread beats two contending with other work on a small machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _rendered_studio(root: Path, shots: list[dict], frames: int, width: int, height: int,
                    frame: Callable[[dict, int], np.ndarray], renders: Path | None = None,
                    film_id: str = "demo") -> IchorVault:
    """Ichor at `root/ichor.db` with film `film_id` and each shot's `frames` PNG frames (`frame(shot, t)`)
    written under `renders/<shot_id>/` (default `root/renders`) and recorded as its render."""
    vault = IchorVault(f"sqlite:///{root}/ichor.db")
    vault.register_film(film_id, film_id.title(), str(root / "story.yaml"), "", 24, width, height, "sea-glass", shots)
    for shot in shots:
        folder = (renders or root / "renders") / shot["shot_id"]
        for t in range(frames):
            write_layer_png(folder / f"f{t:04d}.png", frame(shot, t))
        vault.set_shot_render(film_id, shot["slot"], str(folder))
    return vault


def _register_champion(net, name: str, tracking: str, folder: Path, experiment: str = "t") -> None:
    """Log `net` as a new version of `name` (safetensors weights under `folder`) and promote it to @champion."""
    import mlflow

    with mlflow_tracking(tracking):
        exp = mlflow.create_experiment(experiment, artifact_location=(folder / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=exp):
            weights = save_checkpoint(net, folder / "weights" / WEIGHTS_FILE)
            info = log_model(net, weights, name, pip_requirements=[])
    promote(name, str(info.registered_model_version), "champion", weights, tracking)


@pytest.fixture(scope="session")
def rendered_studio():
    return _rendered_studio


@pytest.fixture(scope="session")
def register_champion():
    return _register_champion
