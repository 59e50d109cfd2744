"""NumPy reference of Stokes' smoke step: the same stable-fluids algorithm as `SmokeSolver`, vectorised.

Same MAC grid, Gaussian emitters (same seeded jitter), RK2 semi-Lagrangian advection with clamped
bilinear sampling, Boussinesq buoyancy, closed-box walls and the same multigrid V(2,2) pressure solve
(weighted Jacobi, residual summation, bilinear prolongation, identical sweep and cycle counts and
tolerance test). It exists to check the Warp kernels and as the fair baseline of `bench/stokes.py`:
whole-array float32 operations, precomputed sample positions and prolongation stencils, `out=` buffers
where they help; no Python loops over cells.
"""

from __future__ import annotations

import math

import numpy as np

from talos_assets.agents.effects.solver import Emitter, SmokeParams, multigrid_shapes

F32 = np.float32


class _Stencil:
    """Precomputed clamped-bilinear gather (flat indices and weights) for fixed sample points."""

    def __init__(self, w: int, h: int, ox: float, oy: float, px: np.ndarray, py: np.ndarray) -> None:
        self.idx, self.tx, self.ty = _bilinear_setup(w, h, ox, oy, px, py)
        self.w = w

    def __call__(self, q: np.ndarray) -> np.ndarray:
        return _bilinear_apply(q, self.w, self.idx, self.tx, self.ty)


def _bilinear_setup(w, h, ox, oy, px, py):
    fx = np.clip(px - F32(ox), F32(0.0), F32(w - 1))
    fy = np.clip(py - F32(oy), F32(0.0), F32(h - 1))
    i0 = np.minimum(fx.astype(np.int32), w - 2)
    j0 = np.minimum(fy.astype(np.int32), h - 2)
    np.maximum(i0, 0, out=i0)
    np.maximum(j0, 0, out=j0)
    tx = fx - i0.astype(F32)
    ty = fy - j0.astype(F32)
    return j0 * w + i0, tx, ty


def _bilinear_apply(q, w, idx, tx, ty):
    a = q[idx]
    b = q[idx + 1]
    c = q[idx + w]
    d = q[idx + w + 1]
    sx = F32(1.0) - tx
    return (F32(1.0) - ty) * (sx * a + tx * b) + ty * (sx * c + tx * d)


def sample_bilinear(q: np.ndarray, w: int, h: int, ox: float, oy: float, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Clamped bilinear sample of a flat w x h field whose sample (i, j) sits at (i + ox, j + oy)."""
    idx, tx, ty = _bilinear_setup(w, h, ox, oy, px, py)
    return _bilinear_apply(q, w, idx, tx, ty)


class _RefLevel:
    def __init__(self, nx: int, ny: int) -> None:
        self.nx, self.ny = nx, ny
        self.p = np.zeros((ny, nx), F32)
        self.b = np.zeros((ny, nx), F32)
        self.t = np.zeros((ny, nx), F32)
        self.acc = np.zeros((ny, nx), F32)
        count = np.full((ny, nx), 4.0, F32)
        count[:, 0] -= 1
        count[:, -1] -= 1
        count[0, :] -= 1
        count[-1, :] -= 1
        self.count = count
        self.inv_count = (F32(1.0) / count).astype(F32)

    def neighbour_sum(self, p: np.ndarray) -> np.ndarray:
        acc = self.acc
        acc.fill(0.0)
        acc[:, 1:] += p[:, :-1]
        acc[:, :-1] += p[:, 1:]
        acc[1:, :] += p[:-1, :]
        acc[:-1, :] += p[1:, :]
        return acc

    def jacobi(self, src: np.ndarray, dst: np.ndarray, sweeps: int, omega: float) -> None:
        om = F32(omega)
        cur = src
        for _ in range(sweeps):
            acc = self.neighbour_sum(cur)
            acc -= self.b
            acc *= self.inv_count
            acc -= cur
            acc *= om
            np.add(cur, acc, out=dst)
            cur = dst

    def residual(self, p: np.ndarray) -> np.ndarray:
        acc = self.neighbour_sum(p)
        return self.b - (acc - self.count * p)


class ReferenceSmokeSolver:
    """NumPy twin of `SmokeSolver` (same constructor, emitters, step, projection and read-back)."""

    def __init__(self, nx: int, ny: int, seed: int = 0, params: SmokeParams | None = None) -> None:
        if nx < 4 or ny < 4:
            raise ValueError(f"grid {nx}x{ny} is too small; need at least 4x4 cells")
        self.nx, self.ny = int(nx), int(ny)
        self.seed = int(seed)
        self.params = params or SmokeParams()
        self._seeds = np.random.SeedSequence(self.seed)
        self.emitters: list[Emitter] = []
        self.time = 0.0
        self.steps = 0
        self.last_residual = 0.0
        self.last_cycles = 0
        nx, ny = self.nx, self.ny
        self.u = np.zeros((ny, nx + 1), F32)
        self.v = np.zeros((ny + 1, nx), F32)
        self.density = np.zeros((ny, nx), F32)
        self.temperature = np.zeros((ny, nx), F32)
        self.levels = [_RefLevel(lx, ly) for lx, ly in multigrid_shapes(nx, ny)]
        self.pressure = self.levels[0].p
        # Sample points of each staggered field (x right, y down, cell (i, j) spans [i, i+1] x [j, j+1]).
        self._pts_u = self._grid(nx + 1, ny, 0.0, 0.5)
        self._pts_v = self._grid(nx, ny + 1, 0.5, 0.0)
        self._pts_c = self._grid(nx, ny, 0.5, 0.5)
        self._prolong = []
        for f, c in zip(self.levels[:-1], self.levels[1:]):
            xs = np.arange(f.nx, dtype=F32) * F32(0.5) - F32(0.25)
            ys = np.arange(f.ny, dtype=F32) * F32(0.5) - F32(0.25)
            px, py = np.meshgrid(xs, ys)
            self._prolong.append(_Stencil(c.nx, c.ny, 0.0, 0.0, px, py))

    @staticmethod
    def _grid(w: int, h: int, ox: float, oy: float) -> tuple[np.ndarray, np.ndarray]:
        xs = np.arange(w, dtype=F32) + F32(ox)
        ys = np.arange(h, dtype=F32) + F32(oy)
        return np.meshgrid(xs, ys)

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
        e = Emitter(x, y, radius, density_rate, temperature_rate, speed, jitter, seed=self._seeds.spawn(1)[0])
        self.emitters.append(e)
        return e

    def set_fields(self, u=None, v=None, density=None, temperature=None) -> None:
        for name, val in (("u", u), ("v", v), ("density", density), ("temperature", temperature)):
            if val is not None:
                cur = getattr(self, name)
                val = np.asarray(val, dtype=F32)
                if val.shape != cur.shape:
                    raise ValueError(f"expected shape {cur.shape}, got {val.shape}")
                cur[...] = val

    # ---- the step ------------------------------------------------------------------------------

    def _velocity_at(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nx, ny = self.nx, self.ny
        return (
            sample_bilinear(self.u.ravel(), nx + 1, ny, 0.0, 0.5, px, py),
            sample_bilinear(self.v.ravel(), nx, ny + 1, 0.5, 0.0, px, py),
        )

    def _backtrace(self, px: np.ndarray, py: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        dt32 = F32(dt)
        half = F32(0.5) * dt32
        u1, v1 = self._velocity_at(px, py)
        u2, v2 = self._velocity_at(px - half * u1, py - half * v1)
        return px - dt32 * u2, py - dt32 * v2

    def _inflow(self, e: Emitter, dt: float) -> None:
        cx, cy, da, ta, vx, vy, blend = (F32(x) for x in e.advance(dt))
        nx, ny = self.nx, self.ny
        radius = F32(e.radius)
        reach = F32(3.0) * radius
        inv_r2 = F32(1.0) / (radius * radius)
        ys = np.arange(ny + 1, dtype=F32)
        keep = ~((ys + F32(0.5) < cy - reach - F32(1.0)) | (ys - F32(0.5) > cy + reach + F32(1.0)))
        rows = np.nonzero(keep)[0]
        if rows.size == 0:
            return
        y0, y1 = int(rows[0]), int(rows[-1]) + 1
        j0 = max(int(cx - reach) - 1, 0)
        j1 = min(int(cx + reach) + 2, nx)
        if j1 <= j0:
            return
        xs = np.arange(j0, j1, dtype=F32)
        yc = ys[y0 : min(y1, ny)]
        if yc.size:
            dy = (yc + F32(0.5) - cy)[:, None]
            dx = (xs + F32(0.5) - cx)[None, :]
            g = np.exp(-(dx * dx + dy * dy) * inv_r2)
            self.density[y0 : y0 + yc.size, j0:j1] += da * g
            self.temperature[y0 : y0 + yc.size, j0:j1] += ta * g
            dxf = (xs - cx)[None, :]
            gu = blend * np.exp(-(dxf * dxf + dy * dy) * inv_r2)
            us = self.u[y0 : y0 + yc.size, j0:j1]
            us += (vx - us) * gu
        dyv = (ys[y0:y1] - cy)[:, None]
        dx = (xs + F32(0.5) - cx)[None, :]
        gv = blend * np.exp(-(dx * dx + dyv * dyv) * inv_r2)
        vs = self.v[y0:y1, j0:j1]
        vs += (vy - vs) * gv

    def step(self, dt: float) -> None:
        """Advance dt seconds exactly as `SmokeSolver.step` does."""
        p = self.params
        nx, ny = self.nx, self.ny
        for e in self.emitters:
            self._inflow(e, dt)
        vdecay = F32(math.exp(-p.velocity_decay * dt))
        bu = self._backtrace(*self._pts_u, dt)
        bv = self._backtrace(*self._pts_v, dt)
        bc = self._backtrace(*self._pts_c, dt)
        u_new = vdecay * sample_bilinear(self.u.ravel(), nx + 1, ny, 0.0, 0.5, *bu)
        v_new = vdecay * sample_bilinear(self.v.ravel(), nx, ny + 1, 0.5, 0.0, *bv)
        idx, tx, ty = _bilinear_setup(nx, ny, 0.5, 0.5, *bc)
        d_new = F32(math.exp(-p.density_decay * dt)) * _bilinear_apply(self.density.ravel(), nx, idx, tx, ty)
        t_new = F32(math.exp(-p.temperature_decay * dt)) * _bilinear_apply(self.temperature.ravel(), nx, idx, tx, ty)
        self.u, self.v = u_new.astype(F32, copy=False), v_new.astype(F32, copy=False)
        self.density, self.temperature = d_new.astype(F32, copy=False), t_new.astype(F32, copy=False)
        if p.buoyancy != 0.0 or p.weight != 0.0:
            t = self.temperature
            d = self.density
            force = F32(p.buoyancy) * (F32(0.5) * (t[:-1] + t[1:]) - F32(p.ambient)) - F32(p.weight) * (
                F32(0.5) * (d[:-1] + d[1:])
            )
            self.v[1:-1] -= F32(dt) * force
        self.project()
        self.time += dt
        self.steps += 1

    def project(self) -> float:
        """Closed-box pressure projection with the same multigrid schedule as the Warp solver."""
        p = self.params
        u, v = self.u, self.v
        u[:, 0] = 0.0
        u[:, -1] = 0.0
        v[0, :] = 0.0
        v[-1, :] = 0.0
        top = self.levels[0]
        np.subtract(u[:, 1:], u[:, :-1], out=top.b)
        top.b += v[1:, :] - v[:-1, :]
        b_norm = float(np.sqrt(np.sum(top.b.astype(np.float64) ** 2)))
        cycles = 0
        rel = 0.0
        if b_norm > 1e-30:
            floor = p.abs_tolerance * math.sqrt(self.nx * self.ny)
            res = self._residual_norm()
            while res > p.tolerance * b_norm and res > floor and cycles < p.max_cycles:
                self._vcycle()
                cycles += 1
                res = self._residual_norm()
            rel = res / b_norm
            pr = top.p
            u[:, 1:-1] -= pr[:, 1:] - pr[:, :-1]
            v[1:-1, :] -= pr[1:, :] - pr[:-1, :]
        self.last_residual = rel
        self.last_cycles = cycles
        return rel

    def _residual_norm(self) -> float:
        r = self.levels[0].residual(self.levels[0].p)
        return float(np.sqrt(np.sum(r.astype(np.float64) ** 2)))

    def _vcycle(self) -> None:
        p = self.params
        lv = self.levels
        for f, c in zip(lv[:-1], lv[1:]):
            f.jacobi(f.p, f.t, p.pre_sweeps, p.omega)
            r = f.residual(f.t)
            # Sum each 2x2 block of fine residuals (zero-padded when a size is odd).
            pad = np.zeros((2 * c.ny, 2 * c.nx), F32)
            pad[: f.ny, : f.nx] = r
            c.b[...] = pad.reshape(c.ny, 2, c.nx, 2).sum(axis=(1, 3))
            c.p.fill(0.0)
        last = lv[-1]
        half = max(1, (p.coarse_sweeps + 1) // 2)
        last.jacobi(last.p, last.t, half, p.omega)
        last.jacobi(last.t, last.p, half, p.omega)
        for i in range(len(lv) - 2, -1, -1):
            f, c = lv[i], lv[i + 1]
            f.t += self._prolong[i](c.p.ravel()).reshape(f.ny, f.nx)
            f.jacobi(f.t, f.p, p.post_sweeps, p.omega)

    # ---- read-back -----------------------------------------------------------------------------

    def divergence_norm(self) -> float:
        d = (self.u[:, 1:] - self.u[:, :-1]) + (self.v[1:, :] - self.v[:-1, :])
        return float(np.sqrt(np.sum(d.astype(np.float64) ** 2)))

    def density_numpy(self) -> np.ndarray:
        return self.density.copy()

    def temperature_numpy(self) -> np.ndarray:
        return self.temperature.copy()

    def velocity_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        return self.u.copy(), self.v.copy()

    def mass(self) -> float:
        return float(self.density.astype(np.float64).sum())
