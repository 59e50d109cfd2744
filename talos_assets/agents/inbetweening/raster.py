"""Flux's raster in-betweens: frames between two drawings that have no rig (a pair of keys drawn by
hand, two rendered frames), in pixels rather than in pose space. With Protoforge's registered
in-betweener (`talos-flux-interp@champion`, a RIFE-style net trained on the studio's own renders,
loaded only as hash-verified safetensors) each in-between is its middle frame, recursively: the
middle of the pair, then the middles of each half, the way an animator in-betweens on ones and
twos. Without a model, each frame is the DIS flow in-between at its time (`flow`).

1, 3 or 7 in-betweens fall exactly on recursive middles. Other counts (2 in-betweens at 1/3 and
2/3) are warped with DIS flow between the two nearest recursive middles, so the learned model still
draws all but the last fraction of the motion.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from talos_assets.agents.inbetweening.flow import FlowPreset, as_float_rgb, dis_flows, flow_inbetween

REGISTERED_AGENT = "flux"


def load_inbetweener(tracking_uri: str, alias: str = "champion", device: str = "cpu"):
    """The registered in-betweener `talos-flux-interp@<alias>` in the MLflow store at `tracking_uri`,
    or None when none is registered there (the caller then in-betweens with flow alone).

    A registered model whose weights fail their hash check is not silently replaced by the fallback:
    `protoforge.registry.UnverifiedModel` propagates, since it means the store was tampered with."""
    from protoforge.registry import UnverifiedModel, load_registered

    try:
        return load_registered(REGISTERED_AGENT, alias=alias, tracking_uri=tracking_uri, device=device)
    except UnverifiedModel:
        raise
    except ValueError:
        return None


def load_inbetweener_file(path: str | Path, device: str = "cpu"):
    """A Flux in-betweener from a checkpoint file (safetensors, or a weights-only torch file)."""
    from protoforge.checkpoint import load_checkpoint

    net = load_checkpoint(path, device)
    if getattr(net, "agent", None) != REGISTERED_AGENT:
        raise ValueError(f"Checkpoint {path} holds an {net.agent} model, not Flux's in-betweener; point to a Flux checkpoint.")
    return net


def inbetween_times(n: int) -> list[float]:
    """The times of `n` evenly spaced in-betweens strictly between two drawings (t=0 and t=1)."""
    return [(i + 1) / (n + 1) for i in range(n)]


def inbetween_frames(a: np.ndarray, b: np.ndarray, n: int, model=None,
                     preset: FlowPreset = "medium", flows: tuple[np.ndarray, np.ndarray] | None = None) -> list[np.ndarray]:
    """`n` frames evenly spaced between drawings `a` and `b` (RGB, uint8 or float in [0, 1], display
    sRGB, same size), each float32 (H,W,3) in [0, 1]. `model` is Flux's in-betweener (a
    protoforge FrameInterpolator, e.g. from `load_inbetweener`) or None for the DIS flow fallback,
    which uses `flows` (a -> b, b -> a) when the caller has them."""
    if n < 0:
        raise ValueError(f"The number of in-betweens must be 0 or more, got {n}.")
    a, b = as_float_rgb(a), as_float_rgb(b)
    if a.shape != b.shape:
        raise ValueError(f"The two drawings differ in size ({a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}); "
                         "resize one to match the other.")
    times = inbetween_times(n)
    if model is None:
        flows = flows if flows is not None else dis_flows(a, b, preset)  # one flow field serves every time
        return [flow_inbetween(a, b, t, flows=flows) for t in times]
    return _recursive_middles(a, b, times, model, preset)


def _recursive_middles(a: np.ndarray, b: np.ndarray, times: list[float], model, preset: FlowPreset) -> list[np.ndarray]:
    """Frames at `times` from the model's recursive middles on a grid of 2**depth steps, deep
    enough that each time lies within one step of a grid frame; only the grid frames needed are drawn."""
    from protoforge.models.components.interpolator import interpolate_midframe

    steps = 2 ** max(1, math.ceil(math.log2(len(times) + 1)))
    grid: dict[int, np.ndarray] = {0: a, steps: b}

    def frame(k: int) -> np.ndarray:
        if k not in grid:
            half = k & -k  # k's lowest set bit: its parents on the coarser grid are k -/+ half
            grid[k] = interpolate_midframe(model, frame(k - half), frame(k + half))
        return grid[k]

    out = []
    for t in times:
        pos = t * steps
        k = int(math.floor(pos + 1e-9))
        local = pos - k
        if local < 1e-6:
            out.append(frame(k))
        else:
            out.append(flow_inbetween(frame(k), frame(k + 1), local, preset))
    return out
