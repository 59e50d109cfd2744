"""Warp kernels of Stokes' 2D fluid solver (stable fluids, Stam 1999, on a MAC grid, Harlow & Welch 1965),
one module per phase of the step: `sources`, `advection` and `maccormack` (Selle et al. 2008), `forces`
(Fedkiw et al. 2001), `viscosity`, `boundaries`, `projection` and `multigrid`; `MODULES` lists them so a
solver can load every Warp module before its first concurrent launch.
"""

# Layout shared by every kernel: velocity lives on cell faces (u: ny x (nx+1), v: (ny+1) x nx), scalars at
# cell centres, all flat 1D float32 arrays, row-major, grid spacing 1, y pointing down. The kernels are
# written for Warp's CPU backend, which runs a launch's threads one after another: one thread owns one ROW
# (or a band of rows), inner loops are `while j < m:` over a row base passed through `wp.max(base, 0)` so
# the compiler can prove indices non-negative and drop Warp's per-access negative-index check (that is
# what lets stencil loops vectorise). Row kernels take a `row0` offset so the solver can split a grid into
# two row bands launched from two Python threads (`wp.launch` releases the GIL). Every kernel is race-free
# for any band size, so the same kernels run unchanged on CUDA.

from __future__ import annotations

from talos_assets.agents.effects.kernels import (
    advection,
    boundaries,
    forces,
    maccormack,
    multigrid,
    projection,
    sources,
    viscosity,
)
from talos_assets.agents.effects.kernels.advection import advect_cells_correct, advect_cells_forward, advect_forward
from talos_assets.agents.effects.kernels.boundaries import apply_boundaries, apply_solids
from talos_assets.agents.effects.kernels.forces import add_forces, confinement_force, vorticity
from talos_assets.agents.effects.kernels.maccormack import maccormack_correct, maccormack_forward
from talos_assets.agents.effects.kernels.multigrid import pressure_jacobi, prolong_correct, residual, residual_restrict
from talos_assets.agents.effects.kernels.projection import divergence, project, project_weighted
from talos_assets.agents.effects.kernels.sources import add_inflow, combust
from talos_assets.agents.effects.kernels.viscosity import diffuse_u, diffuse_v

MODULES = (sources, advection, maccormack, forces, viscosity, boundaries, projection, multigrid)

__all__ = [
    "MODULES",
    "add_forces",
    "add_inflow",
    "advect_cells_correct",
    "advect_cells_forward",
    "advect_forward",
    "apply_boundaries",
    "apply_solids",
    "combust",
    "confinement_force",
    "diffuse_u",
    "diffuse_v",
    "divergence",
    "maccormack_correct",
    "maccormack_forward",
    "pressure_jacobi",
    "project",
    "project_weighted",
    "prolong_correct",
    "residual",
    "residual_restrict",
    "vorticity",
]
