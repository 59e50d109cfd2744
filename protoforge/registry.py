"""How agents get Protoforge's models: by MLflow registry alias (`models:/talos-echo-clip@champion`,
the promotion mechanism of the MLflow model registry) or from a checkpoint file a user points to.
Weights travel as safetensors with the architecture in the file's metadata, so loading never runs
pickled code and survives refactors of the classes; torch files are read with weights_only=True.
Every registered model also carries its safetensors file inside the MLflow model (extra_files), and
`load_registered` prefers it over the pickled `mlflow.pytorch` copy for the same reasons.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from protoforge.config import REGISTERED_NAMES

WEIGHTS_FILE = "weights.safetensors"
CHECKPOINT_FORMAT = "protoforge-checkpoint-v1"


def default_device() -> torch.device:
    """CUDA when present, else CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def build_net(agent: str, config: dict) -> nn.Module:
    """A fresh, untrained network of `agent`'s architecture."""
    if agent == "echo":
        from protoforge.models.components.tiny_clip import TinyClip

        return TinyClip(**config)
    if agent == "flux":
        from protoforge.models.components.interpolator import FrameInterpolator

        return FrameInterpolator(**config)
    raise ValueError(f"Unknown agent {agent!r}: Protoforge trains 'echo' and 'flux'.")


def save_checkpoint(model: nn.Module, path: str | Path) -> Path:
    """Write a network (or a Lightning module holding it as `.net`) as a self-describing safetensors file."""
    from safetensors.torch import save_file

    net = getattr(model, "net", model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    metadata = {"format": CHECKPOINT_FORMAT, "agent": net.agent, "config": json.dumps(net.config)}
    # Temp-then-rename, so a killed export never leaves a half-written checkpoint under the real name.
    tmp = path.with_name(f".{path.name}.part")
    save_file(tensors, str(tmp), metadata=metadata)
    os.replace(tmp, path)
    return path


def _read_safetensors(path: Path) -> tuple[str | None, dict, dict[str, torch.Tensor]]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt", device="cpu") as fh:
        meta = fh.metadata() or {}
        state = {k: fh.get_tensor(k) for k in fh.keys()}
    return meta.get("agent"), json.loads(meta.get("config", "{}")), state


def _read_torch(path: Path) -> tuple[str | None, dict, dict[str, torch.Tensor]]:
    obj = torch.load(str(path), map_location="cpu", weights_only=True)
    if not isinstance(obj, dict) or not isinstance(obj.get("state_dict"), dict):
        raise TypeError("no state_dict in it")
    if "hyper_parameters" in obj:
        # A Lightning checkpoint of EchoClipModule / FluxInterpModule: the net lives under "net.".
        hp = obj["hyper_parameters"] or {}
        state = {k[len("net."):]: v for k, v in obj["state_dict"].items() if k.startswith("net.")}
        return None, dict(hp.get("net_config") or {}), state
    return obj.get("agent"), dict(obj.get("config") or {}), obj["state_dict"]


def _infer_agent(state: dict) -> str | None:
    if any(k.startswith("clip.") for k in state):
        return "echo"
    if any(k.startswith("unet.") for k in state):
        return "flux"
    return None


def load_checkpoint(path: str | Path, device: str | torch.device | None = None) -> nn.Module:
    """Load a user-given checkpoint into a ready network in eval mode.

    Accepts a safetensors file written by `save_checkpoint` (or found inside a registered MLflow
    model), a torch file holding {"agent", "config", "state_dict"}, or a Lightning .ckpt of a
    Protoforge module. Anything missing, corrupt or foreign raises ValueError naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(
            f"Checkpoint {path} does not exist; pass the path of a Protoforge .safetensors/.pt/.ckpt file."
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
        # safetensors starts with an 8-byte header length then a JSON header; zip/pickle do not.
        is_safetensors = path.suffix == ".safetensors" or head[8:9] == b"{"
        agent, config, state = _read_safetensors(path) if is_safetensors else _read_torch(path)
    except Exception as exc:  # any parse failure means the same thing to the caller
        raise ValueError(
            f"Checkpoint {path} is corrupt or not a Protoforge checkpoint ({type(exc).__name__}); "
            "re-export it with protoforge.registry.save_checkpoint or retrain with protoforge.train."
        ) from exc
    agent = agent or _infer_agent(state)
    if agent not in REGISTERED_NAMES:
        raise ValueError(f"Checkpoint {path} holds no Echo or Flux network; point to a Protoforge checkpoint instead.")
    try:
        net = build_net(agent, config)
        net.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError) as exc:
        first = str(exc).splitlines()[0]
        raise ValueError(
            f"Checkpoint {path} does not match the {agent} architecture it declares ({first}); "
            "it was written by another version, retrain or re-export it."
        ) from exc
    return net.to(device or default_device()).eval()


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


def load_registered(agent: str, alias: str = "champion", tracking_uri: str | None = None,
                    device: str | torch.device | None = None) -> nn.Module:
    """The network registered for `agent` under `alias` (models:/<name>@<alias>), in eval mode.

    `tracking_uri` is the MLflow store the model was registered in (default: MLflow's current one).
    """
    if agent not in REGISTERED_NAMES:
        raise ValueError(f"Unknown agent {agent!r}: registered models exist for {sorted(REGISTERED_NAMES)}.")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow
    from mlflow.exceptions import MlflowException

    name = REGISTERED_NAMES[agent]
    uri = f"models:/{name}@{alias}"
    tracking_uri = tracking_uri or mlflow.get_tracking_uri()
    client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    try:
        client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        raise ValueError(
            f"No model is registered as {name}@{alias} in {tracking_uri}; train one with "
            f"protoforge.train.train(TrainConfig(agent={agent!r}, register=True))."
        ) from exc
    # download_artifacts resolves models:/ URIs through MLflow's *global* registry URI whatever
    # tracking_uri it is given (it would open ./mlflow.db), so point the globals there meanwhile.
    with tempfile.TemporaryDirectory(prefix="protoforge-model-") as tmp, mlflow_tracking(tracking_uri):
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=tmp))
        weights = local / "extra_files" / WEIGHTS_FILE
        if weights.is_file():
            return load_checkpoint(weights, device)
        # A model logged by other means: fall back to MLflow's own (pickled) copy.
        net = mlflow.pytorch.load_model(str(local), map_location=device or default_device())
    return net.eval()
