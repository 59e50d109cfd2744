"""Stokes, the fluid-effects agent: 2D stable fluids (Stam 1999) in NVIDIA Warp, rendered to layers.

`kernels/` holds the Warp kernels, one module per phase of the step (row-per-thread, CPU-first,
CUDA-compatible); `solver` the `SmokeSolver` (MAC grid, MacCormack advection with Selle et al. 2008's
limiter, vorticity confinement after Fedkiw et al. 2001, buoyancy, combustion, viscosity, solids and open
sides, multigrid pressure projection to a residual tolerance), built from `params` (`SmokeParams`),
`emitter` (seeded wandering inflows), `box` (the setup both twins share), `hierarchy` and `multigrid`
(the pressure solve) and `bands` (recorded launches on two row-band threads); `particles` the curl-noise
magic sparks (Bridson et al. 2007); `render` turns `EffectSpec`s into premultiplied linear RGBA frames;
and `reference` is the NumPy twin used by tests and benchmarks. Names are resolved lazily so importing
the package does not load Warp.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SmokeSolver": "solver",
    "SmokeParams": "params",
    "Emitter": "emitter",
    "pick_device": "solver",
    "render_effect_frames": "render",
    "obstacle_grid": "render",
    "intensity": "render",
    "MagicParticles": "particles",
    "ReferenceSmokeSolver": "reference",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
