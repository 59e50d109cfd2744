"""Stokes' fluid solver: a 2D Eulerian stable-fluids step (Stam 1999) in NVIDIA Warp, on CPU or CUDA.

`SmokeSolver` owns the state of a box of nx x ny cells (MAC-staggered velocity; cell-centred density,
temperature and fuel) and advances it with `step(dt)`: Gaussian inflow emitters with seeded, smoothly
wandering jitter; MacCormack advection with Selle et al. (2008)'s min/max limiter over a first-order
semi-Lagrangian step (plain semi-Lagrangian on request); combustion (fuel burns above an ignition
temperature into heat and soot, T^4 radiative cooling); vorticity confinement (Fedkiw et al. 2001);
Boussinesq buoyancy from temperature and density; optional explicit viscosity; static solids and closed
or open sides; and a pressure projection solved by geometric multigrid V(2,2) cycles (`multigrid`) until
the relative residual |b - Lp| / |b| meets a tolerance. Units are grid cells and seconds; the pressure is
scaled by dt/rho so the divergence after `step` equals the final multigrid residual. The layout follows
Warp's `example_fluid.py`: kernels in `kernels/`, state allocated once, buffers swapped after advection.
On the CPU every launch of the step is recorded once per (buffer parity, dt) and replayed, and large
grids are split into two row bands run from two Python threads (`bands`).
"""

from __future__ import annotations

import math

import numpy as np
import warp as wp

from talos_assets.agents.effects import kernels as K
from talos_assets.agents.effects.bands import BandLauncher
from talos_assets.agents.effects.box import SmokeBox
from talos_assets.agents.effects.emitter import Emitter
from talos_assets.agents.effects.hierarchy import face_weights, multigrid_shapes
from talos_assets.agents.effects.multigrid import MultigridPoisson
from talos_assets.agents.effects.params import SIDES, SmokeParams

# Emitter, SIDES, SmokeParams and multigrid_shapes are re-exported: callers import them from here.
__all__ = ["SIDES", "Emitter", "SmokeParams", "SmokeSolver", "multigrid_shapes", "pick_device"]


def pick_device() -> str:
    """'cuda:0' when Warp sees a CUDA device, else 'cpu'."""
    wp.init()
    return "cuda:0" if wp.is_cuda_available() else "cpu"


def _current(name: str, doc: str) -> property:
    """The buffer of a double-buffered field that holds the current step."""
    return property(lambda self: getattr(self, name)[self._cur], doc=doc)


class SmokeSolver(SmokeBox):
    """2D smoke and fire in a box of nx x ny cells, advanced with `step(dt)` on a Warp device."""

    def __init__(
        self,
        nx: int,
        ny: int,
        device: str | None = None,
        seed: int = 0,
        params: SmokeParams | None = None,
    ) -> None:
        super().__init__(nx, ny, seed, params)
        wp.init()
        self.device = device or pick_device()
        p = self.params
        nx, ny, dev = self.nx, self.ny, self.device
        self.bands = BandLauncher(dev, p.threads, p.split_rows)
        for module in K.MODULES:
            wp.load_module(module, device=dev)  # compile/load before any concurrent launch

        nc, nu, nv = nx * ny, ny * (nx + 1), (ny + 1) * nx
        with wp.ScopedDevice(dev):
            z = wp.zeros
            # Double-buffered state: index self._cur holds the current step.
            self._u = [z(nu, dtype=float), z(nu, dtype=float)]
            self._v = [z(nv, dtype=float), z(nv, dtype=float)]
            self._d = [z(nc, dtype=float), z(nc, dtype=float)]
            self._t = [z(nc, dtype=float), z(nc, dtype=float)]
            self._f = [z(nc, dtype=float), z(nc, dtype=float)]
            self._cur = 0
            # MacCormack intermediates: forward estimate and limiter bounds per field.
            self.u_hat, self.u_min, self.u_max = z(nu, dtype=float), z(nu, dtype=float), z(nu, dtype=float)
            self.v_hat, self.v_min, self.v_max = z(nv, dtype=float), z(nv, dtype=float), z(nv, dtype=float)
            self.u_lim, self.v_lim = z(2 * nu, dtype=float), z(2 * nv, dtype=float)  # interleaved (min, max)
            # Per-row trace scratch of the fused MacCormack kernels (bilinear index and weights).
            ns = (ny + 1) * (nx + 1)
            self.tr_idx, self.tr_x, self.tr_y = z(ns, dtype=int), z(ns, dtype=float), z(ns, dtype=float)
            self.c_hat = [z(nc, dtype=float) for _ in range(3)]
            self.c_lim = [z(2 * nc, dtype=float) for _ in range(3)]
            self.curl = z(nc, dtype=float)
            self.fx, self.fy = z(nc, dtype=float), z(nc, dtype=float)
            self.pressure = z(nc, dtype=float)
            self.div = z(nc, dtype=float)
            self.div_row_sq = z(ny, dtype=float)
            self.fluid = wp.array(np.ones(nc, np.float32), dtype=float)
        self.multigrid = MultigridPoisson(nx, ny, p, self.bands, self.pressure, self.div)
        self._weighted = False
        self._set_weights(None)
        self._step_cmds: dict[tuple[int, float], list[tuple]] = {}

    # ---- state views ---------------------------------------------------------------------------

    u = _current("_u", "Face velocity u, ny x (nx+1) flat (cells/s).")
    v = _current("_v", "Face velocity v, (ny+1) x nx flat (cells/s, > 0 points down).")
    density = _current("_d", "Smoke density per cell, flat.")
    temperature = _current("_t", "Temperature per cell, flat.")
    fuel = _current("_f", "Unburnt fuel per cell, flat.")

    # ---- setup ---------------------------------------------------------------------------------

    def _set_weights(self, fluid: np.ndarray | None) -> None:
        p = self.params
        wx, wy = face_weights(fluid, self.nx, self.ny, p.open_sides)
        self._weighted = fluid is not None or bool(p.open_sides)
        self.multigrid.set_weights(wx, wy, self._weighted)
        f = np.ones(self.nx * self.ny, np.float32) if fluid is None else np.asarray(fluid, np.float32).ravel()
        self.fluid.assign(f)
        self._step_cmds = {}

    def set_fields(
        self,
        u: np.ndarray | None = None,
        v: np.ndarray | None = None,
        density: np.ndarray | None = None,
        temperature: np.ndarray | None = None,
        fuel: np.ndarray | None = None,
    ) -> None:
        """Overwrite state from numpy: u (ny, nx+1), v (ny+1, nx), density/temperature/fuel (ny, nx)."""
        for arr, val, shape in (
            (self.u, u, (self.ny, self.nx + 1)),
            (self.v, v, (self.ny + 1, self.nx)),
            (self.density, density, (self.ny, self.nx)),
            (self.temperature, temperature, (self.ny, self.nx)),
            (self.fuel, fuel, (self.ny, self.nx)),
        ):
            if val is None:
                continue
            val = np.ascontiguousarray(val, dtype=np.float32)
            if val.shape != shape:
                raise ValueError(f"expected shape {shape}, got {val.shape}")
            arr.assign(val.ravel())
        if fuel is not None and self.params.burn_rate <= 0.0:
            # Without combustion fuel is inert and not transported: keep it in both buffers.
            self._f[1 - self._cur].assign(np.ascontiguousarray(fuel, dtype=np.float32).ravel())

    # ---- the step ------------------------------------------------------------------------------

    def _build_step(self, dt: float) -> list[tuple]:
        """Recorded launches of one step after the emitters, up to (not including) the projection."""
        nx, ny, p = self.nx, self.ny, self.params
        a, b = self._cur, 1 - self._cur
        u, v, d, t, f = self._u[a], self._v[a], self._d[a], self._t[a], self._f[a]
        u2, v2, d2, t2, f2 = self._u[b], self._v[b], self._d[b], self._t[b], self._f[b]
        vdec = math.exp(-p.velocity_decay * dt)
        ddec = math.exp(-p.density_decay * dt)
        tdec = math.exp(-p.temperature_decay * dt)
        nf = 3 if p.burn_rate > 0.0 else 2
        st: list[tuple] = []
        rec = self.bands.record
        vel_args = [u, v, nx, ny, dt]
        chat = self.c_hat
        clim = self.c_lim
        if p.advection == "maccormack":
            # Two launches for the whole transport: every forward estimate, then every correction.
            cells = [nf, d, t, f, ddec, tdec, 1.0, *chat]
            trace = [self.tr_idx, self.tr_x, self.tr_y]
            st.append(rec(K.maccormack_forward, ny + 1, [
                u, v, nx, ny, dt, vdec, self.u_hat, self.u_lim, self.v_hat, self.v_lim, *cells, *clim, *trace,
            ]))
            st.append(rec(K.maccormack_correct, ny + 1, [
                u, v, nx, ny, dt, vdec, self.u_hat, self.u_lim, self.v_hat, self.v_lim, u2, v2, *cells, *clim, d2, t2, f2, *trace,
            ]))
        else:
            st.append(rec(K.advect_forward, ny, [0, u, nx + 1, ny, 0.0, 0.5, *vel_args, vdec, u2, self.u_min, self.u_max]))
            st.append(rec(K.advect_forward, ny + 1, [1, v, nx, ny + 1, 0.5, 0.0, *vel_args, vdec, v2, self.v_min, self.v_max]))
            st.append(rec(K.advect_cells_forward, ny, [*vel_args, nf, d, t, f, ddec, tdec, 1.0, d2, t2, f2, *clim]))
        # Cheap per-cell kernels only pay for a second thread on large grids (a barrier costs ~50 us).
        small = self.bands.split(ny) and ny >= p.mg_split_rows * 2
        if p.burn_rate > 0.0:
            burn = 1.0 - math.exp(-p.burn_rate * dt)
            st.append(rec(K.combust, ny, [d2, t2, f2, nx, p.ignition, burn, p.heat, p.soot, p.cooling, dt]))
        if p.vorticity > 0.0:
            st.append(rec(K.vorticity, ny, [u2, v2, nx, ny, self.curl], split=small))
            st.append(rec(K.confinement_force, ny, [self.curl, nx, ny, p.vorticity, self.fx, self.fy], split=small))
        if p.vorticity > 0.0 or p.buoyancy != 0.0 or p.weight != 0.0:
            st.append(rec(K.add_forces, ny, [
                u2, v2, d2, t2, self.fx, self.fy, nx, ny, p.buoyancy, p.weight, p.ambient, float(p.vorticity > 0.0), dt,
            ], split=small))
        n_visc = p.viscosity_substeps(dt)
        for _ in range(n_visc // 2):
            a_v = p.viscosity * dt / n_visc
            # Ping-pong through the other buffer pair and back, so the result lands where it started.
            st.append(rec(K.diffuse_u, ny, [u2, u, nx, ny, a_v]))
            st.append(rec(K.diffuse_v, ny + 1, [v2, v, nx, ny, a_v]))
            st.append(rec(K.diffuse_u, ny, [u, u2, nx, ny, a_v]))
            st.append(rec(K.diffuse_v, ny + 1, [v, v2, nx, ny, a_v]))
        return st

    def step(self, dt: float) -> None:
        """Advance dt seconds: inflow, advection, combustion, forces, viscosity, walls, pressure projection."""
        nx, ny, dev = self.nx, self.ny, self.device
        dt = float(dt)
        for e in self.emitters:
            cx, cy, da, ta, fa, vx, vy, blend = e.advance(dt)
            fa = fa if self.params.burn_rate > 0.0 else 0.0  # fuel is only simulated when it can burn
            wp.launch(
                K.add_inflow,
                dim=ny + 1,
                inputs=[self.density, self.temperature, self.fuel, self.u, self.v, nx, ny, cx, cy, e.radius, da, ta, fa, vx, vy, blend],
                device=dev,
            )
        key = (self._cur, dt)
        stages = self._step_cmds.get(key)
        if stages is None:
            if len(self._step_cmds) > 8:  # a varying dt should not grow the cache without bound
                self._step_cmds.clear()
            stages = self._step_cmds[key] = self._build_step(dt)
        for stage in stages:
            self.bands.run(stage)
        self._cur = 1 - self._cur
        self.project()
        self.time += dt
        self.steps += 1

    def transport(self, dt: float) -> None:
        """Advect only the cell scalars through the current (frozen) velocity: for prescribed flows such as
        the solid-body-rotation check, where the velocity must not evolve."""
        p, nx, ny = self.params, self.nx, self.ny
        a = self._cur
        d, t, f = self._d[a], self._t[a], self._f[a]
        outs = [self._d[1 - a], self._t[1 - a], self._f[1 - a]]
        vel_args = [self.u, self.v, nx, ny, float(dt)]
        nf = 3 if p.burn_rate > 0.0 else 2
        run, rec = self.bands.run, self.bands.record
        if p.advection == "maccormack":
            run(rec(K.advect_cells_forward, ny, [*vel_args, nf, d, t, f, 1.0, 1.0, 1.0, *self.c_hat, *self.c_lim]))
            run(rec(K.advect_cells_correct, ny, [*vel_args, nf, d, t, f, 1.0, 1.0, 1.0, *self.c_hat, *self.c_lim, *outs]))
        else:
            run(rec(K.advect_cells_forward, ny, [*vel_args, nf, d, t, f, 1.0, 1.0, 1.0, *outs, *self.c_lim]))
        for src, dst in zip(outs[:nf], (d, t, f)):
            wp.copy(dst, src)
        self.time += dt

    def project(self) -> float:
        """Make the velocity divergence-free (walls, solids, open sides); returns the relative residual reached."""
        nx, ny, dev = self.nx, self.ny, self.device
        top = self.multigrid.levels[0]
        if self._weighted:
            wp.launch(
                K.apply_solids, dim=ny + 1,
                inputs=[self.u, self.v, top.wx, top.wy, self.fluid, self.density, self.temperature, self.fuel, nx, ny, 0],
                device=dev,
            )
        else:
            wp.launch(K.apply_boundaries, dim=ny + 1, inputs=[self.u, self.v, nx, ny, 0], device=dev)
        self.bands.run(self.bands.record(K.divergence, ny, [self.u, self.v, nx, ny, self.div, self.div_row_sq]))
        b_norm = math.sqrt(float(self.div_row_sq.numpy().astype(np.float64).sum()))
        cycles = 0
        rel = 0.0
        if b_norm > 1e-30:
            res, cycles = self.multigrid.solve(b_norm, self.last_cycles)
            rel = res / b_norm
            if self._weighted:
                wp.launch(K.project_weighted, dim=ny + 1, inputs=[self.u, self.v, self.pressure, top.wx, top.wy, nx, ny, 0], device=dev)
            else:
                self.bands.run(self.bands.record(K.project, ny + 1, [self.u, self.v, self.pressure, nx, ny]))
        self.last_residual = rel
        self.last_cycles = cycles
        return rel

    def reset_pressure(self) -> None:
        """Forget the warm start: the next projection starts from p = 0."""
        self.pressure.zero_()

    # ---- read-back -----------------------------------------------------------------------------

    def divergence_norm(self) -> float:
        """L2 norm of the current discrete velocity divergence over fluid cells (cells/s summed)."""
        tmp = wp.zeros(self.nx * self.ny, dtype=float, device=self.device)
        rows = wp.zeros(self.ny, dtype=float, device=self.device)
        wp.launch(K.divergence, dim=self.ny, inputs=[self.u, self.v, self.nx, self.ny, tmp, rows, 0], device=self.device)
        d = tmp.numpy().astype(np.float64) * self.fluid.numpy()
        return math.sqrt(float((d * d).sum()))

    def density_numpy(self) -> np.ndarray:
        """Density as a (ny, nx) float32 array (row 0 = top)."""
        return self.density.numpy().reshape(self.ny, self.nx).copy()

    def temperature_numpy(self) -> np.ndarray:
        """Temperature as a (ny, nx) float32 array (row 0 = top)."""
        return self.temperature.numpy().reshape(self.ny, self.nx).copy()

    def fuel_numpy(self) -> np.ndarray:
        """Unburnt fuel as a (ny, nx) float32 array."""
        return self.fuel.numpy().reshape(self.ny, self.nx).copy()

    def velocity_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        """Face velocities (u: (ny, nx+1), v: (ny+1, nx)) in cells/s; v > 0 points down."""
        return (
            self.u.numpy().reshape(self.ny, self.nx + 1).copy(),
            self.v.numpy().reshape(self.ny + 1, self.nx).copy(),
        )

    def mass(self) -> float:
        """Total smoke density in the box."""
        return float(self.density.numpy().astype(np.float64).sum())

    def kinetic_energy(self) -> float:
        """0.5 * sum of squared face velocities (each face weighted by its cell area, spacing 1)."""
        u, v = self.velocity_numpy()
        return 0.5 * float((u.astype(np.float64) ** 2).sum() + (v.astype(np.float64) ** 2).sum())
