"""NumPy reference of Stokes' fluid step: the same algorithm as `SmokeSolver`, vectorised.

Same MAC grid, Gaussian emitters (same seeded jitter), MacCormack advection with Selle et al. (2008)'s
limiter over a first-order semi-Lagrangian step (or plain semi-Lagrangian), combustion with exact T^4
cooling, vorticity confinement (Fedkiw et al. 2001), Boussinesq buoyancy, explicit viscosity, walls,
solids and open sides, and the same multigrid V(2,2) pressure solve (weighted Jacobi, residual
summation, bilinear prolongation, coarsened face weights, identical sweep and cycle counts and tolerance
test). It exists to check the Warp kernels and as the fair baseline of `bench/stokes.py`: whole-array
float32 operations, sample stencils of fixed points precomputed once, `out=` buffers where they help;
no Python loops over cells.
"""

from __future__ import annotations

import math

import numpy as np

from talos_assets.agents.effects.box import SmokeBox
from talos_assets.agents.effects.emitter import Emitter
from talos_assets.agents.effects.hierarchy import coarsen_weights, face_weights, multigrid_shapes
from talos_assets.agents.effects.params import SmokeParams

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


def _corners(q, w, idx):
    """The four samples around each point: (i0, j0), (i0 + 1, j0), (i0, j0 + 1), (i0 + 1, j0 + 1)."""
    return q[idx], q[idx + 1], q[idx + w], q[idx + w + 1]


def _lerp(a, b, c, d, tx, ty):
    sx = F32(1.0) - tx
    return (F32(1.0) - ty) * (sx * a + tx * b) + ty * (sx * c + tx * d)


def _bilinear_apply(q, w, idx, tx, ty):
    return _lerp(*_corners(q, w, idx), tx, ty)


def _bilinear_minmax(q, w, idx, tx, ty):
    """(bilinear value, min, max) of the four samples: MacCormack's limiter bounds."""
    a, b, c, d = _corners(q, w, idx)
    return _lerp(a, b, c, d, tx, ty), np.minimum(np.minimum(a, b), np.minimum(c, d)), np.maximum(np.maximum(a, b), np.maximum(c, d))


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
        self.weighted = False
        self.wx = self.wy = None

    def set_weights(self, wx: np.ndarray | None, wy: np.ndarray | None) -> None:
        self.weighted = wx is not None
        if not self.weighted:
            return
        self.wxi = np.ascontiguousarray(wx[:, 1:-1])
        self.wyi = np.ascontiguousarray(wy[1:-1, :])
        diag = wx[:, :-1] + wx[:, 1:] + wy[:-1, :] + wy[1:, :]
        # Open sides hold p = 0 on the boundary face itself (ghost = -p): the same place on every level.
        diag[:, 0] += wx[:, 0]
        diag[:, -1] += wx[:, -1]
        diag[0, :] += wy[0, :]
        diag[-1, :] += wy[-1, :]
        self.diag = diag.astype(F32)
        self.inv_diag = (F32(1.0) / np.maximum(self.diag, F32(1e-6))).astype(F32)

    def neighbour_sum(self, p: np.ndarray) -> np.ndarray:
        acc = self.acc
        acc.fill(0.0)
        if self.weighted:
            acc[:, 1:] += self.wxi * p[:, :-1]
            acc[:, :-1] += self.wxi * p[:, 1:]
            acc[1:, :] += self.wyi * p[:-1, :]
            acc[:-1, :] += self.wyi * p[1:, :]
        else:
            acc[:, 1:] += p[:, :-1]
            acc[:, :-1] += p[:, 1:]
            acc[1:, :] += p[:-1, :]
            acc[:-1, :] += p[1:, :]
        return acc

    def jacobi(self, src: np.ndarray, dst: np.ndarray, sweeps: int, omega: float) -> None:
        om = F32(omega)
        inv = self.inv_diag if self.weighted else self.inv_count
        cur = src
        for _ in range(sweeps):
            acc = self.neighbour_sum(cur)
            acc -= self.b
            acc *= inv
            acc -= cur
            acc *= om
            np.add(cur, acc, out=dst)
            cur = dst

    def residual(self, p: np.ndarray) -> np.ndarray:
        acc = self.neighbour_sum(p)
        return self.b - (acc - (self.diag if self.weighted else self.count) * p)


class ReferenceSmokeSolver(SmokeBox):
    """NumPy twin of `SmokeSolver` (same constructor, emitters, obstacles, step, projection and read-back)."""

    def __init__(self, nx: int, ny: int, seed: int = 0, params: SmokeParams | None = None) -> None:
        super().__init__(nx, ny, seed, params)
        nx, ny = self.nx, self.ny
        self.u = np.zeros((ny, nx + 1), F32)
        self.v = np.zeros((ny + 1, nx), F32)
        self.density = np.zeros((ny, nx), F32)
        self.temperature = np.zeros((ny, nx), F32)
        self.fuel = np.zeros((ny, nx), F32)
        self.levels = [_RefLevel(lx, ly) for lx, ly in multigrid_shapes(nx, ny)]
        self.pressure = self.levels[0].p
        # Sample points of each staggered field (x right, y down, cell (i, j) spans [i, i+1] x [j, j+1]).
        self._pts_u = self._grid(nx + 1, ny, 0.0, 0.5)
        self._pts_v = self._grid(nx, ny + 1, 0.5, 0.0)
        self._pts_c = self._grid(nx, ny, 0.5, 0.5)
        # The cross component of the velocity at face points is a fixed bilinear stencil: precompute it.
        self._v_at_u = _Stencil(nx, ny + 1, 0.5, 0.0, *self._pts_u)
        self._u_at_v = _Stencil(nx + 1, ny, 0.0, 0.5, *self._pts_v)
        self._prolong = []
        for f, c in zip(self.levels[:-1], self.levels[1:]):
            xs = np.arange(f.nx, dtype=F32) * F32(0.5) - F32(0.25)
            ys = np.arange(f.ny, dtype=F32) * F32(0.5) - F32(0.25)
            px, py = np.meshgrid(xs, ys)
            self._prolong.append(_Stencil(c.nx, c.ny, 0.0, 0.0, px, py))
        self.fluid = np.ones((ny, nx), F32)
        self._set_weights(None)

    @staticmethod
    def _grid(w: int, h: int, ox: float, oy: float) -> tuple[np.ndarray, np.ndarray]:
        xs = np.arange(w, dtype=F32) + F32(ox)
        ys = np.arange(h, dtype=F32) + F32(oy)
        return np.meshgrid(xs, ys)

    def _set_weights(self, fluid: np.ndarray | None) -> None:
        p = self.params
        self.weighted = fluid is not None or bool(p.open_sides)
        wx, wy = face_weights(fluid, self.nx, self.ny, p.open_sides)
        self.wx, self.wy = wx, wy
        self.fluid = np.ones((self.ny, self.nx), F32) if fluid is None else np.asarray(fluid, F32)
        for i, lv in enumerate(self.levels):
            if i > 0:
                wx, wy = coarsen_weights(wx, wy, lv.nx, lv.ny)
            lv.set_weights(wx if self.weighted else None, wy if self.weighted else None)

    def set_fields(self, u=None, v=None, density=None, temperature=None, fuel=None) -> None:
        for name, val in (("u", u), ("v", v), ("density", density), ("temperature", temperature), ("fuel", fuel)):
            if val is not None:
                cur = getattr(self, name)
                val = np.asarray(val, dtype=F32)
                if val.shape != cur.shape:
                    raise ValueError(f"expected shape {cur.shape}, got {val.shape}")
                cur[...] = val

    # ---- the step ------------------------------------------------------------------------------

    def _inflow(self, e: Emitter, dt: float) -> None:
        cx, cy, da, ta, fa, vx, vy, blend = (F32(x) for x in e.advance(dt))
        if self.params.burn_rate <= 0.0:
            fa = F32(0.0)
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
            self.fuel[y0 : y0 + yc.size, j0:j1] += fa * g
            dxf = (xs - cx)[None, :]
            gu = blend * np.exp(-(dxf * dxf + dy * dy) * inv_r2)
            us = self.u[y0 : y0 + yc.size, j0:j1]
            us += (vx - us) * gu
        dyv = (ys[y0:y1] - cy)[:, None]
        dx = (xs + F32(0.5) - cx)[None, :]
        gv = blend * np.exp(-(dx * dx + dyv * dyv) * inv_r2)
        vs = self.v[y0:y1, j0:j1]
        vs += (vy - vs) * gv

    def _advect(self, fields, w, h, ox, oy, pts, vel, dt, decays, maccormack):
        """Advect same-grid fields through `vel` (velocity at the sample points `pts`)."""
        px, py = pts
        ux, uy = vel
        dt32 = F32(dt)
        fwd = _bilinear_setup(w, h, ox, oy, px - dt32 * ux, py - dt32 * uy)
        if not maccormack:
            return [F32(dec) * _bilinear_apply(q.ravel(), w, *fwd) for q, dec in zip(fields, decays)]
        back = _bilinear_setup(w, h, ox, oy, px + dt32 * ux, py + dt32 * uy)
        out = []
        for q, dec in zip(fields, decays):
            dec = F32(dec)
            val, lo, hi = _bilinear_minmax(q.ravel(), w, *fwd)
            hat = dec * val
            corr = hat + F32(0.5) * (dec * q - _bilinear_apply(hat.ravel(), w, *back))
            out.append(np.clip(corr, dec * lo, dec * hi))
        return out

    def step(self, dt: float) -> None:
        """Advance dt seconds exactly as `SmokeSolver.step` does."""
        p = self.params
        nx, ny = self.nx, self.ny
        for e in self.emitters:
            self._inflow(e, dt)
        mc = p.advection == "maccormack"
        u, v = self.u, self.v
        vel_u = (u, self._v_at_u(v.ravel()))
        vel_v = (self._u_at_v(u.ravel()), v)
        vel_c = (F32(0.5) * u[:, :-1] + F32(0.5) * u[:, 1:], F32(0.5) * v[:-1, :] + F32(0.5) * v[1:, :])
        vdec = math.exp(-p.velocity_decay * dt)
        (u_new,) = self._advect([u], nx + 1, ny, 0.0, 0.5, self._pts_u, vel_u, dt, [vdec], mc)
        (v_new,) = self._advect([v], nx, ny + 1, 0.5, 0.0, self._pts_v, vel_v, dt, [vdec], mc)
        burning = p.burn_rate > 0.0
        fields = [self.density, self.temperature] + ([self.fuel] if burning else [])
        decays = [math.exp(-p.density_decay * dt), math.exp(-p.temperature_decay * dt), 1.0]
        cells = self._advect(fields, nx, ny, 0.5, 0.5, self._pts_c, vel_c, dt, decays[: len(fields)], mc)
        self.u, self.v = u_new.astype(F32, copy=False), v_new.astype(F32, copy=False)
        self.density, self.temperature = cells[0].astype(F32, copy=False), cells[1].astype(F32, copy=False)
        if burning:
            self.fuel = cells[2].astype(F32, copy=False)
            self._combust(dt)
        self._forces(dt)
        n_visc = p.viscosity_substeps(dt)
        for _ in range(n_visc):
            self._diffuse(F32(p.viscosity * dt / n_visc))
        self.project()
        self.time += dt
        self.steps += 1

    def _combust(self, dt: float) -> None:
        p = self.params
        burn = F32(1.0 - math.exp(-p.burn_rate * dt))
        t, f = self.temperature, self.fuel
        burned = np.where(t > F32(p.ignition), f * burn, F32(0.0)).astype(F32)
        self.fuel = f - burned
        self.density = self.density + F32(p.soot) * burned
        t = np.maximum(t + F32(p.heat) * burned, F32(0.0))
        self.temperature = (t / np.power(F32(1.0) + F32(3.0 * p.cooling * dt) * t * t * t, F32(1.0 / 3.0))).astype(F32)

    def _forces(self, dt: float) -> None:
        p = self.params
        dt32 = F32(dt)
        confine = p.vorticity > 0.0
        if not (confine or p.buoyancy != 0.0 or p.weight != 0.0):
            return
        u, v = self.u, self.v
        fv = np.zeros((self.ny - 1, self.nx), F32)
        if confine:
            uc = F32(0.5) * (u[:, :-1] + u[:, 1:])
            vc = F32(0.5) * (v[:-1, :] + v[1:, :])
            curl = np.gradient(vc, axis=1) - np.gradient(uc, axis=0)
            mag = np.abs(curl)
            gx = np.gradient(mag, axis=1)
            gy = np.gradient(mag, axis=0)
            inv = F32(1.0) / (np.sqrt(gx * gx + gy * gy) + F32(1e-5))
            eps = F32(p.vorticity)
            fx = eps * gy * inv * curl
            fy = -eps * gx * inv * curl
            u[:, 1:-1] += dt32 * F32(0.5) * (fx[:, :-1] + fx[:, 1:])
            fv += dt32 * F32(0.5) * (fy[:-1] + fy[1:])
        t, d = self.temperature, self.density
        force = F32(p.buoyancy) * (F32(0.5) * (t[:-1] + t[1:]) - F32(p.ambient)) - F32(p.weight) * (F32(0.5) * (d[:-1] + d[1:]))
        fv -= dt32 * force
        v[1:-1] += fv

    def _diffuse(self, a: np.float32) -> None:
        u, v = self.u, self.v
        lap = np.zeros_like(u)
        c = u[:, 1:-1]
        lap[:, 1:-1] = u[:, :-2] + u[:, 2:] - F32(2.0) * c
        lap[1:, 1:-1] += u[:-1, 1:-1] - c[1:]
        lap[:-1, 1:-1] += u[1:, 1:-1] - c[:-1]
        self.u = u + a * lap
        lap = np.zeros_like(v)
        c = v[1:-1]
        lap[1:-1] = v[:-2] + v[2:] - F32(2.0) * c
        lap[1:-1, 1:] += v[1:-1, :-1] - c[:, 1:]
        lap[1:-1, :-1] += v[1:-1, 1:] - c[:, :-1]
        self.v = v + a * lap

    def project(self) -> float:
        """Pressure projection with the same multigrid schedule and boundaries as the Warp solver."""
        p = self.params
        u, v = self.u, self.v
        if self.weighted:
            u *= self.wx
            v *= self.wy
            self.density *= self.fluid
            self.temperature *= self.fluid
            self.fuel *= self.fluid
        else:
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
            # When the previous projection needed >= 3 cycles, one cycle will not do: skip the check after
            # the first (it depends only on the previous cycle count, identical in the Warp and NumPy twins).
            skip_first = self.last_cycles >= 3 and p.max_cycles >= 2
            while res > p.tolerance * b_norm and res > floor and cycles < p.max_cycles:
                self._vcycle()
                cycles += 1
                if skip_first and cycles == 1:
                    continue
                prev, res = res, self._residual_norm()
                if res > prev:
                    break
            rel = res / b_norm
            pr = top.p
            if self.weighted:
                pp = np.zeros((self.ny + 2, self.nx + 2), F32)
                pp[1:-1, 1:-1] = pr
                # Ghost pressure -p beyond open sides puts p = 0 on the boundary face.
                pp[1:-1, 0] = -pr[:, 0]
                pp[1:-1, -1] = -pr[:, -1]
                pp[0, 1:-1] = -pr[0]
                pp[-1, 1:-1] = -pr[-1]
                u -= pp[1:-1, 1:] - pp[1:-1, :-1]
                u *= self.wx
                v -= pp[1:, 1:-1] - pp[:-1, 1:-1]
                v *= self.wy
            else:
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

    def reset_pressure(self) -> None:
        self.pressure.fill(0.0)

    # ---- read-back -----------------------------------------------------------------------------

    def divergence_norm(self) -> float:
        d = (self.u[:, 1:] - self.u[:, :-1]) + (self.v[1:, :] - self.v[:-1, :])
        d = d.astype(np.float64) * self.fluid
        return float(np.sqrt(np.sum(d**2)))

    def density_numpy(self) -> np.ndarray:
        return self.density.copy()

    def temperature_numpy(self) -> np.ndarray:
        return self.temperature.copy()

    def fuel_numpy(self) -> np.ndarray:
        return self.fuel.copy()

    def velocity_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        return self.u.copy(), self.v.copy()

    def mass(self) -> float:
        return float(self.density.astype(np.float64).sum())

    def kinetic_energy(self) -> float:
        return 0.5 * float((self.u.astype(np.float64) ** 2).sum() + (self.v.astype(np.float64) ** 2).sum())
