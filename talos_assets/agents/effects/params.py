"""Knobs of Stokes' fluid step: `SmokeParams`, the physical rates (buoyancy, decay, vorticity confinement
after Fedkiw et al. 2001, viscosity, combustion, cooling) and the numerical settings (advection scheme,
open sides, multigrid V-cycle tolerance and sweeps, CPU row-band threading) shared by the Warp solver and
its NumPy twin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIDES = ("left", "right", "top", "bottom")


@dataclass(frozen=True)
class SmokeParams:
    """Physical and numerical knobs of the step (rates per second, lengths in cells)."""

    buoyancy: float = 40.0  # upward acceleration per unit temperature (cells/s^2)
    weight: float = 0.0  # downward acceleration per unit density (cells/s^2)
    ambient: float = 0.0
    density_decay: float = 0.0  # exponential fade per second; 0 conserves (up to advection error)
    temperature_decay: float = 0.0
    velocity_decay: float = 0.0
    advection: str = "maccormack"  # or "semi-lagrangian" (first order)
    vorticity: float = 0.0  # confinement strength eps (cells/s per unit vorticity gradient direction)
    viscosity: float = 0.0  # kinematic viscosity (cells^2/s), explicit, sub-stepped for stability
    burn_rate: float = 0.0  # fraction of fuel burnt per second above ignition (0 = no combustion)
    ignition: float = 0.2  # temperature above which fuel burns
    heat: float = 3.0  # temperature released per unit fuel burnt
    soot: float = 0.4  # density (smoke) released per unit fuel burnt
    cooling: float = 0.0  # radiative cooling dT/dt = -cooling T^4
    open_sides: tuple[str, ...] = ()  # subset of SIDES where fluid may leave (pressure 0 outside)
    tolerance: float = 1e-3  # relative residual at which the pressure solve stops
    abs_tolerance: float = 1e-6  # RMS residual (cells/s) that counts as converged on a near-still field
    max_cycles: int = 8
    pre_sweeps: int = 2
    post_sweeps: int = 2
    coarse_sweeps: int = 40
    omega: float = 0.8  # damped Jacobi weight that smooths the 5-point Laplacian best
    threads: int = 2  # CPU row bands run concurrently (1 or 2)
    split_rows: int = 192  # step kernels on grids with at least this many rows are split across the threads
    mg_split_rows: int = 384  # multigrid levels with at least this many rows are split (below, a barrier costs more)

    def __post_init__(self) -> None:
        if self.advection not in ("maccormack", "semi-lagrangian"):
            raise ValueError(f"advection must be 'maccormack' or 'semi-lagrangian', not {self.advection!r}")
        bad = [s for s in self.open_sides if s not in SIDES]
        if bad:
            raise ValueError(f"unknown open sides {bad}; choose from {SIDES}")

    def viscosity_substeps(self, dt: float) -> int:
        """Even number of explicit diffusion substeps keeping nu dt / n <= 0.2 (stable: < 0.25)."""
        if self.viscosity <= 0.0:
            return 0
        return 2 * max(1, math.ceil(self.viscosity * dt / 0.4))
