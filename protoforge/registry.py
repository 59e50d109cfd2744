"""How agents get Protoforge's models: by MLflow registry alias (`models:/talos-echo-clip@champion`,
the promotion mechanism of the MLflow model registry) or from a checkpoint file a user points to.
A registered model is trusted only through its safetensors file: at registration the file's SHA-256
is recorded as a tag of the model version (in the registry, apart from the artifact store), and
`load_registered` downloads that one file, checks it against the tag and reads it with
`load_checkpoint`. MLflow's pickled `mlflow.pytorch` copy is never loaded: unpickling a file runs
whatever code its author put in it, so a model without verified safetensors is refused instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from protoforge.checkpoint import (
    CHECKPOINT_FORMAT, WEIGHTS_FILE, build_net, default_device, load_checkpoint, save_checkpoint,
)
from protoforge.config import REGISTERED_NAMES

__all__ = [
    "CHECKPOINT_FORMAT", "WEIGHTS_FILE", "WEIGHTS_SHA256_TAG", "UnverifiedModel", "build_net", "default_device",
    "load_checkpoint", "load_registered", "log_model", "mlflow_tracking", "promote", "save_checkpoint", "sha256_file",
]

# The model-version tag that holds the SHA-256 of the version's safetensors file.
WEIGHTS_SHA256_TAG = "talos.weights_sha256"


class UnverifiedModel(ValueError):
    """A registered model Protoforge will not load: it has no safetensors weights with a hash recorded
    at registration, or its weights are no longer the ones that were registered."""


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def mlflow_tracking(uri: str) -> Iterator[None]:
    """Point MLflow's global tracking URI at `uri` for a block and restore the previous one after:
    MLflow (and Lightning's MLFlowLogger) keep it in a global and in MLFLOW_TRACKING_URI."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow

    previous_env = os.environ.get("MLFLOW_TRACKING_URI")
    previous = mlflow.get_tracking_uri() if previous_env else None
    mlflow.set_tracking_uri(uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(previous)
        if previous_env is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)


def log_model(net: nn.Module, weights: Path, registered_name: str | None, pip_requirements: list[str]):
    """Log `net` to the active MLflow run with its safetensors file `weights` as an extra file, and
    register it as a new version of `registered_name` when one is given; returns MLflow's ModelInfo."""
    import mlflow

    with warnings.catch_warnings():
        # Agents call the net with tensors, not a DataFrame; a serving signature means nothing here.
        warnings.filterwarnings("ignore", message=".*signature.*")
        # MLflow 3.17 defaults to "pt2" (torch.export), which needs an input example and freezes the
        # frame size; the pickled module keeps Flux fully convolutional for MLflow's own users. The
        # studio itself never loads that copy (see load_registered).
        return mlflow.pytorch.log_model(net, name="model", serialization_format="pickle",
                                        extra_files=[str(weights)], pip_requirements=pip_requirements,
                                        registered_model_name=registered_name)


def promote(name: str, version: str, alias: str, weights: Path, tracking_uri: str) -> None:
    """Record the SHA-256 of `weights` on the model version, then point `alias` at it: in that order,
    so an alias never names a version whose weights cannot be verified."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    client.set_model_version_tag(name, version, WEIGHTS_SHA256_TAG, sha256_file(weights))
    client.set_registered_model_alias(name, alias, version)


def load_registered(agent: str, alias: str = "champion", tracking_uri: str | None = None,
                    device: str | torch.device | None = None) -> nn.Module:
    """The network registered for `agent` under `alias` (models:/<name>@<alias>), in eval mode.

    `tracking_uri` is the MLflow store the model was registered in (default: MLflow's current one).
    Raises UnverifiedModel (a ValueError) when the version has no safetensors weights whose SHA-256
    matches the one recorded at registration.
    """
    if agent not in REGISTERED_NAMES:
        raise ValueError(f"Unknown agent {agent!r}: registered models exist for {sorted(REGISTERED_NAMES)}.")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow
    from mlflow.exceptions import MlflowException

    name = REGISTERED_NAMES[agent]
    tracking_uri = tracking_uri or mlflow.get_tracking_uri()
    client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        raise ValueError(
            f"No model is registered as {name}@{alias} in {tracking_uri}; train one with "
            f"protoforge.train.train(TrainConfig(agent={agent!r}, register=True))."
        ) from exc
    label = f"Registered model {name} version {version.version} (@{alias})"
    retrain = f"retrain it with `talos lab train {agent}`"
    expected = (version.tags or {}).get(WEIGHTS_SHA256_TAG)
    if not expected:
        raise UnverifiedModel(f"{label} has no safetensors hash recorded at registration, so it is not loaded; {retrain}.")
    # Artifact URIs such as mlflow-artifacts:/ resolve through MLflow's *global* tracking URI, so
    # point the globals at this store meanwhile.
    with tempfile.TemporaryDirectory(prefix="protoforge-model-") as tmp, mlflow_tracking(tracking_uri):
        source = client.get_model_version_download_uri(name, version.version).rstrip("/")
        try:
            weights = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"{source}/extra_files/{WEIGHTS_FILE}",
                                                               dst_path=tmp))
        except (MlflowException, OSError) as exc:
            raise UnverifiedModel(f"{label} has no {WEIGHTS_FILE} in its artifacts, so it is not loaded; {retrain}.") from exc
        if not weights.is_file() or sha256_file(weights) != expected:
            raise UnverifiedModel(
                f"{label}: {WEIGHTS_FILE} is not the file whose SHA-256 was recorded at registration (it was "
                f"changed or replaced since), so it is not loaded; {retrain}."
            )
        net = load_checkpoint(weights, device)
        net.registered_version = str(version.version)  # which version the alias named, for reports
        return net
