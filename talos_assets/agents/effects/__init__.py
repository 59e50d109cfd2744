"""Stokes, the effects agent: 2D stable fluids (Stam 1999) in NVIDIA Warp and particle systems, rendered
to layers at the anchors the story names, and the weather of the shot's setting.

`kernels/` holds the Warp kernels, one module per phase of the step (row-per-thread, CPU-first,
CUDA-compatible); `solver` the `SmokeSolver` (MAC grid, MacCormack advection with Selle et al. 2008's
limiter, vorticity confinement after Fedkiw et al. 2001, buoyancy, combustion, viscosity, solids and open
sides, multigrid pressure projection to a residual tolerance), built from `params` (`SmokeParams`),
`emitter` (seeded wandering inflows), `box` (the setup both twins share), `hierarchy` and `multigrid`
(the pressure solve) and `bands` (recorded launches on two row-band threads); `presets` the look of each
effect kind; `fluid` one simulated effect; `particles` the curl-noise magic sparks (Bridson et al.
2007); `ballistic` sparks, splash droplets and explosion debris; `weather` and `lightning` rain, snow,
wind and a storm's flashes; `anchors` where each effect comes from on every frame (a joint through the
rigs' forward kinematics, the horizon, the ground, the sky, a prop); `render` turns `EffectSpec`s into
premultiplied linear RGBA passes (behind and in front of the characters); `shot` gathers what one shot
needs; `reference` is the NumPy twin used by tests and benchmarks. Names are resolved lazily so
importing the package does not load Warp.
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
    "render_effect_passes": "render",
    "EffectPasses": "render",
    "AnchorResolver": "anchors",
    "WeatherLayer": "weather",
    "Lightning": "lightning",
    "ReferenceSmokeSolver": "reference",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
