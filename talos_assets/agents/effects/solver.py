"""Stokes' smoke solver: a 2D Eulerian stable-fluids step (Stam 1999) in Warp, on CPU or CUDA.

`SmokeSolver` owns the state of a closed box of nx x ny cells (MAC-staggered velocity, cell-centred
density and temperature) and advances it with `step(dt)`: Gaussian inflow emitters with seeded,
smoothly wandering jitter, RK2 semi-Lagrangian advection with bilinear sampling, Boussinesq buoyancy,
and a pressure projection solved by geometric multigrid V(2,2) cycles (weighted-Jacobi smoothing,
residual summation, bilinear prolongation) until the relative residual |b - Lp| / |b| meets a
tolerance. Units are grid cells and seconds; the projection works with a pressure scaled by dt/rho so
the divergence after `step` equals the final multigrid residual. The layout follows Warp's
`example_fluid.py`: kernels in `kernels.py`, state allocated once, buffers swapped after advection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import warp as wp

from talos_assets.agents.effects import kernels as K


def pick_device() -> str:
    """'cuda:0' when Warp sees a CUDA device, else 'cpu'."""
    wp.init()
    return "cuda:0" if wp.is_cuda_available() else "cpu"


@dataclass(frozen=True)
class SmokeParams:
    """Physical and numerical knobs of the step (rates per second, lengths in cells)."""

    buoyancy: float = 40.0  # upward acceleration per unit temperature (cells/s^2)
    weight: float = 0.0  # downward acceleration per unit density (cells/s^2)
    ambient: float = 0.0
    density_decay: float = 0.0  # exponential fade per second; 0 conserves (up to advection error)
    temperature_decay: float = 0.0
    velocity_decay: float = 0.0
    tolerance: float = 1e-3  # relative residual at which the pressure solve stops
    abs_tolerance: float = 1e-6  # RMS residual (cells/s) that counts as converged on a near-still field
    max_cycles: int = 8
    pre_sweeps: int = 2
    post_sweeps: int = 2
    coarse_sweeps: int = 40
    omega: float = 0.8  # damped Jacobi weight that smooths the 5-point Laplacian best


class Emitter:
    """A Gaussian inflow whose position, strength and push wander (Ornstein-Uhlenbeck, seeded).

    Positions and radius are in cells, rates per second, speeds in cells/s; `jitter` scales the
    wander (0 = steady). The same seed gives the same sequence, so a shot re-renders identically.
    """

    def __init__(
        self,
        x: float,
        y: float,
        radius: float,
        density_rate: float = 1.0,
        temperature_rate: float = 1.0,
        speed: float = 0.0,
        jitter: float = 0.3,
        seed: int | np.random.SeedSequence = 0,
    ) -> None:
        self.x, self.y, self.radius = float(x), float(y), float(radius)
        self.density_rate, self.temperature_rate = float(density_rate), float(temperature_rate)
        self.speed, self.jitter = float(speed), float(jitter)
        self._rng = np.random.default_rng(seed)
        self._state = np.zeros(4)  # x offset, y offset, strength, lateral push; all in [-1, 1]-ish

    def advance(self, dt: float) -> tuple[float, float, float, float, float, float, float]:
        """Next (cx, cy, density_amount, temperature_amount, vx, vy, blend) for a step of dt seconds."""
        # OU process relaxing over ~0.25 s: slow enough to read as a flickering source, not noise.
        theta = min(1.0, dt / 0.25)
        self._state += -theta * self._state + math.sqrt(2.0 * theta) * self._rng.standard_normal(4)
        j = self.jitter
        sx, sy, ss, sp = self._state
        scale = max(0.1, 1.0 + 0.5 * j * ss)
        cx = self.x + j * 0.6 * self.radius * sx
        cy = self.y + j * 0.3 * self.radius * sy
        vx = j * 0.35 * self.speed * sp
        blend = min(1.0, 8.0 * dt) if self.speed > 0.0 else 0.0
        return (
            cx,
            cy,
            self.density_rate * scale * dt,
            self.temperature_rate * scale * dt,
            vx,
            -self.speed,
            blend,
        )


def multigrid_shapes(nx: int, ny: int) -> list[tuple[int, int]]:
    """Grid sizes of the multigrid hierarchy, finest first; coarsening halves (rounding up) to ~2-3 cells."""
    shapes = [(nx, ny)]
    while min(shapes[-1]) >= 4:
        cx, cy = shapes[-1]
        shapes.append(((cx + 1) // 2, (cy + 1) // 2))
    return shapes


class _Level:
    def __init__(self, nx: int, ny: int, band: int, max_sweeps: int, device: str, p=None, b=None) -> None:
        self.nx, self.ny = nx, ny
        self.band = min(band, ny)
        self.nbands = (ny + self.band - 1) // self.band
        self.halo = max(max_sweeps - 1, 0)
        n = nx * ny
        self.p = p if p is not None else wp.zeros(n, dtype=float, device=device)
        self.b = b if b is not None else wp.zeros(n, dtype=float, device=device)
        self.t = wp.zeros(n, dtype=float, device=device)
        self.r = wp.zeros(n, dtype=float, device=device)
        self.row_sq = wp.zeros(ny, dtype=float, device=device)
        rows = self.band + 2 * self.halo
        self.scratch = wp.zeros(max(1, self.nbands * 2 * rows * nx), dtype=float, device=device)


class SmokeSolver:
    """2D smoke in a closed box of nx x ny cells, advanced with `step(dt)` on a Warp device."""

    def __init__(
        self,
        nx: int,
        ny: int,
        device: str | None = None,
        seed: int = 0,
        params: SmokeParams | None = None,
    ) -> None:
        if nx < 4 or ny < 4:
            raise ValueError(f"grid {nx}x{ny} is too small; need at least 4x4 cells")
        wp.init()
        self.nx, self.ny = int(nx), int(ny)
        self.device = device or pick_device()
        self.seed = int(seed)
        self.params = params or SmokeParams()
        self._seeds = np.random.SeedSequence(self.seed)
        self.emitters: list[Emitter] = []
        self.time = 0.0
        self.steps = 0
        self.last_residual = 0.0
        self.last_cycles = 0
        nx, ny, dev = self.nx, self.ny, self.device

        with wp.ScopedDevice(dev):
            self.u = wp.zeros(ny * (nx + 1), dtype=float)
            self.v = wp.zeros((ny + 1) * nx, dtype=float)
            self.density = wp.zeros(nx * ny, dtype=float)
            self.temperature = wp.zeros(nx * ny, dtype=float)
            self.u_next = wp.zeros_like(self.u)
            self.v_next = wp.zeros_like(self.v)
            self.density_next = wp.zeros_like(self.density)
            self.temperature_next = wp.zeros_like(self.temperature)
            self.pressure = wp.zeros(nx * ny, dtype=float)
            self.div = wp.zeros(nx * ny, dtype=float)
            self.div_row_sq = wp.zeros(ny, dtype=float)

        # On the CPU a launch's threads run in sequence, so one band (no halo recomputation) is fastest;
        # on CUDA small bands give one thread per few rows.
        p = self.params
        band = ny if wp.get_device(dev).is_cpu else 4
        coarse_half = max(1, (p.coarse_sweeps + 1) // 2)
        shapes = multigrid_shapes(nx, ny)
        self.levels: list[_Level] = []
        for i, (lx, ly) in enumerate(shapes):
            coarsest = i == len(shapes) - 1
            sweeps = coarse_half if coarsest else max(p.pre_sweeps, p.post_sweeps)
            if i == 0:
                self.levels.append(_Level(lx, ly, band, sweeps, dev, p=self.pressure, b=self.div))
            else:
                self.levels.append(_Level(lx, ly, band, sweeps, dev))
        self._record_multigrid(coarse_half)

    # ---- setup ---------------------------------------------------------------------------------

    def _jacobi(self, lv: _Level, src, dst, sweeps: int):
        return wp.launch(
            K.pressure_jacobi,
            dim=lv.nbands,
            inputs=[src, lv.b, dst, lv.scratch, lv.nx, lv.ny, lv.band, sweeps, lv.halo, self.params.omega],
            device=self.device,
            record_cmd=True,
        )

    def _record_multigrid(self, coarse_half: int) -> None:
        # The V-cycle touches only fixed per-level buffers, so its launches are recorded once and replayed
        # (a replay costs ~2 us against ~7 us plus Python argument packing for a fresh launch).
        p = self.params
        cmds = []
        lv = self.levels
        for i in range(len(lv) - 1):
            f, c = lv[i], lv[i + 1]
            cmds.append(self._jacobi(f, f.p, f.t, p.pre_sweeps))
            cmds.append(
                wp.launch(
                    K.residual, dim=f.ny, inputs=[f.t, f.b, f.r, f.row_sq, f.nx, f.ny], device=self.device, record_cmd=True
                )
            )
            cmds.append(
                wp.launch(
                    K.restrict_residual,
                    dim=c.ny,
                    inputs=[f.r, f.nx, f.ny, c.b, c.p, c.nx],
                    device=self.device,
                    record_cmd=True,
                )
            )
        last = lv[-1]
        cmds.append(self._jacobi(last, last.p, last.t, coarse_half))
        cmds.append(self._jacobi(last, last.t, last.p, coarse_half))
        for i in range(len(lv) - 2, -1, -1):
            f, c = lv[i], lv[i + 1]
            cmds.append(
                wp.launch(
                    K.prolong_correct, dim=f.ny, inputs=[c.p, c.nx, c.ny, f.t, f.nx], device=self.device, record_cmd=True
                )
            )
            cmds.append(self._jacobi(f, f.t, f.p, p.post_sweeps))
        self._vcycle = cmds
        f = lv[0]
        self._residual_cmd = wp.launch(
            K.residual, dim=f.ny, inputs=[f.p, f.b, f.r, f.row_sq, f.nx, f.ny], device=self.device, record_cmd=True
        )

    def add_emitter(
        self,
        x: float,
        y: float,
        radius: float,
        density_rate: float = 1.0,
        temperature_rate: float = 1.0,
        speed: float = 0.0,
        jitter: float = 0.3,
    ) -> Emitter:
        """Add an inflow at cell coordinates (x, y) (row 0 = top); its jitter is seeded from the solver's seed."""
        e = Emitter(x, y, radius, density_rate, temperature_rate, speed, jitter, seed=self._seeds.spawn(1)[0])
        self.emitters.append(e)
        return e

    def set_fields(
        self,
        u: np.ndarray | None = None,
        v: np.ndarray | None = None,
        density: np.ndarray | None = None,
        temperature: np.ndarray | None = None,
    ) -> None:
        """Overwrite state from numpy: u (ny, nx+1), v (ny+1, nx), density/temperature (ny, nx)."""
        for arr, val, shape in (
            (self.u, u, (self.ny, self.nx + 1)),
            (self.v, v, (self.ny + 1, self.nx)),
            (self.density, density, (self.ny, self.nx)),
            (self.temperature, temperature, (self.ny, self.nx)),
        ):
            if val is None:
                continue
            val = np.ascontiguousarray(val, dtype=np.float32)
            if val.shape != shape:
                raise ValueError(f"expected shape {shape}, got {val.shape}")
            wp.copy(arr, wp.array(val.ravel(), dtype=float, device=self.device))

    # ---- the step ------------------------------------------------------------------------------

    def step(self, dt: float) -> None:
        """Advance dt seconds: inflow, advection, buoyancy, walls, pressure projection."""
        nx, ny, dev, p = self.nx, self.ny, self.device, self.params
        dt = float(dt)
        for e in self.emitters:
            cx, cy, da, ta, vx, vy, blend = e.advance(dt)
            wp.launch(
                K.add_inflow,
                dim=ny + 1,
                inputs=[self.density, self.temperature, self.u, self.v, nx, ny, cx, cy, e.radius, da, ta, vx, vy, blend],
                device=dev,
            )

        vdecay = math.exp(-p.velocity_decay * dt)
        wp.launch(K.advect_u, dim=ny, inputs=[self.u, self.v, nx, ny, self.u_next, dt, vdecay], device=dev)
        wp.launch(K.advect_v, dim=ny + 1, inputs=[self.u, self.v, nx, ny, self.v_next, dt, vdecay], device=dev)
        wp.launch(
            K.advect_scalars,
            dim=ny,
            inputs=[
                self.u,
                self.v,
                nx,
                ny,
                self.density,
                self.temperature,
                self.density_next,
                self.temperature_next,
                dt,
                math.exp(-p.density_decay * dt),
                math.exp(-p.temperature_decay * dt),
            ],
            device=dev,
        )
        self.u, self.u_next = self.u_next, self.u
        self.v, self.v_next = self.v_next, self.v
        self.density, self.density_next = self.density_next, self.density
        self.temperature, self.temperature_next = self.temperature_next, self.temperature

        if p.buoyancy != 0.0 or p.weight != 0.0:
            wp.launch(
                K.add_buoyancy,
                dim=ny - 1,
                inputs=[self.v, self.density, self.temperature, nx, ny, p.buoyancy, p.weight, p.ambient, dt],
                device=dev,
            )
        self.project()
        self.time += dt
        self.steps += 1

    def project(self) -> float:
        """Make the velocity divergence-free in the closed box; returns the relative residual reached."""
        nx, ny, dev, p = self.nx, self.ny, self.device, self.params
        wp.launch(K.apply_boundaries, dim=ny + 1, inputs=[self.u, self.v, nx, ny], device=dev)
        wp.launch(K.divergence, dim=ny, inputs=[self.u, self.v, nx, ny, self.div, self.div_row_sq], device=dev)
        b_norm = math.sqrt(float(self.div_row_sq.numpy().astype(np.float64).sum()))
        cycles = 0
        rel = 0.0
        if b_norm > 1e-30:
            # Below the absolute floor the right-hand side is float noise and no relative target is reachable.
            floor = p.abs_tolerance * math.sqrt(nx * ny)
            res = self._residual_norm()
            while res > p.tolerance * b_norm and res > floor and cycles < p.max_cycles:
                for cmd in self._vcycle:
                    cmd.launch()
                cycles += 1
                res = self._residual_norm()
            rel = res / b_norm
            wp.launch(K.project, dim=ny + 1, inputs=[self.u, self.v, self.pressure, nx, ny], device=dev)
        self.last_residual = rel
        self.last_cycles = cycles
        return rel

    def _residual_norm(self) -> float:
        self._residual_cmd.launch()
        return math.sqrt(float(self.levels[0].row_sq.numpy().astype(np.float64).sum()))

    # ---- read-back -----------------------------------------------------------------------------

    def divergence_norm(self) -> float:
        """L2 norm of the current discrete velocity divergence (cells/s summed over the grid)."""
        tmp = wp.zeros(self.nx * self.ny, dtype=float, device=self.device)
        rows = wp.zeros(self.ny, dtype=float, device=self.device)
        wp.launch(K.divergence, dim=self.ny, inputs=[self.u, self.v, self.nx, self.ny, tmp, rows], device=self.device)
        return math.sqrt(float(rows.numpy().astype(np.float64).sum()))

    def density_numpy(self) -> np.ndarray:
        """Density as a (ny, nx) float32 array (row 0 = top)."""
        return self.density.numpy().reshape(self.ny, self.nx).copy()

    def temperature_numpy(self) -> np.ndarray:
        """Temperature as a (ny, nx) float32 array (row 0 = top)."""
        return self.temperature.numpy().reshape(self.ny, self.nx).copy()

    def velocity_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        """Face velocities (u: (ny, nx+1), v: (ny+1, nx)) in cells/s; v > 0 points down."""
        return (
            self.u.numpy().reshape(self.ny, self.nx + 1).copy(),
            self.v.numpy().reshape(self.ny + 1, self.nx).copy(),
        )

    def mass(self) -> float:
        """Total smoke density in the box."""
        return float(self.density.numpy().astype(np.float64).sum())
