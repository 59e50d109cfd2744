"""Protoforge checkpoints as files: a network is written as safetensors with its agent and
architecture in the file's metadata, so loading runs no pickled code and survives refactors of the
classes; torch files (plain state dicts or Lightning .ckpt of a Protoforge module) are read with
weights_only=True. `load_checkpoint` turns anything missing, corrupt or foreign into one ValueError.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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
    if agent == "critic":
        from protoforge.models.components.critic_net import ShotCritic

        return ShotCritic(**config)
    if agent == "inpaint":
        from protoforge.models.components.inpaint_net import FrameInpainter

        return FrameInpainter(**config)
    raise ValueError(f"Unknown agent {agent!r}: Protoforge trains 'echo', 'flux', 'critic' and 'inpaint'.")


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
    if "feature_mean" in state:
        return "critic"
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
        raise ValueError(f"Checkpoint {path} holds no Echo, Flux or critic network; point to a Protoforge checkpoint instead.")
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
