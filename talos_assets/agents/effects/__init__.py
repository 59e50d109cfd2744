"""Stokes, the fluid-effects agent: 2D stable-fluids smoke and fire (Stam 1999) in NVIDIA Warp, rendered to layers.

`kernels` holds the Warp kernels (row-per-thread, CPU-first, CUDA-compatible), `solver` the `SmokeSolver`
(MAC grid, RK2 semi-Lagrangian advection, buoyancy, seeded emitters, multigrid pressure projection),
`render` turns `EffectSpec`s into premultiplied linear RGBA frames, and `reference` is the NumPy twin used
by tests and benchmarks. Names are resolved lazily so importing the package does not load Warp.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SmokeSolver": "solver",
    "SmokeParams": "solver",
    "Emitter": "solver",
    "pick_device": "solver",
    "render_effect_frames": "render",
    "ReferenceSmokeSolver": "reference",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
