"""Body forces of Stokes' fluid: vorticity confinement (Fedkiw et al. 2001) from the cell-centred curl, and
Boussinesq buoyancy (hot gas rises, dense smoke sinks), added together onto the interior faces.
"""

from __future__ import annotations

import warp as wp


@wp.func
def cell_curl(
    u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, base: int, ub_u: int, ub_d: int, inv_dy: float,
    j: int, jl: int, jr: int, inv_dx: float,
):
    vr = 0.5 * (v[base + jr] + v[base + nx + jr])
    vl = 0.5 * (v[base + jl] + v[base + nx + jl])
    ud = 0.5 * (u[ub_d + j] + u[ub_d + j + 1])
    uu = 0.5 * (u[ub_u + j] + u[ub_u + j + 1])
    return (vr - vl) * inv_dx - (ud - uu) * inv_dy


@wp.kernel
def vorticity(u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, ny: int, curl: wp.array(dtype=float), row0: int):
    """Cell-centred curl dv/dx - du/dy of the cell-centred velocity (central differences, one-sided at walls)."""
    y = wp.tid() + row0
    yu = wp.max(y - 1, 0)
    yd = wp.min(y + 1, ny - 1)
    inv_dy = 1.0 / float(wp.max(yd - yu, 1))
    ub_u = wp.max(yu * (nx + 1), 0)
    ub_d = wp.max(yd * (nx + 1), 0)
    base = wp.max(y * nx, 0)
    last = wp.max(nx - 1, 1)
    # Wall columns are one-sided; the interior loop has no clamps so it vectorises.
    curl[base] = cell_curl(u, v, nx, base, ub_u, ub_d, inv_dy, 0, 0, 1, 1.0)
    curl[base + last] = cell_curl(u, v, nx, base, ub_u, ub_d, inv_dy, last, last - 1, last, 1.0)
    j = int(1)
    while j < last:
        vr = 0.5 * (v[base + j + 1] + v[base + nx + j + 1])
        vl = 0.5 * (v[base + j - 1] + v[base + nx + j - 1])
        ud = 0.5 * (u[ub_d + j] + u[ub_d + j + 1])
        uu = 0.5 * (u[ub_u + j] + u[ub_u + j + 1])
        curl[base + j] = (vr - vl) / 2.0 - (ud - uu) * inv_dy
        j += 1


@wp.func
def confine_at(
    curl: wp.array(dtype=float), base: int, bu: int, bd: int, inv_dy: float, j: int, jl: int, jr: int, inv_dx: float,
    eps: float, fx: wp.array(dtype=float), fy: wp.array(dtype=float),
):
    gx = (wp.abs(curl[base + jr]) - wp.abs(curl[base + jl])) * inv_dx
    gy = (wp.abs(curl[bd + j]) - wp.abs(curl[bu + j])) * inv_dy
    inv = 1.0 / (wp.sqrt(gx * gx + gy * gy) + 1.0e-5)
    w = curl[base + j]
    fx[base + j] = eps * gy * inv * w
    fy[base + j] = -eps * gx * inv * w


@wp.kernel
def confinement_force(
    curl: wp.array(dtype=float), nx: int, ny: int, eps: float, fx: wp.array(dtype=float), fy: wp.array(dtype=float)
, row0: int):
    """Vorticity confinement f = eps (N x w), N = grad|w| / |grad|w||: puts back the small swirls that
    numerical dissipation removes (Fedkiw et al. 2001)."""
    y = wp.tid() + row0
    yu = wp.max(y - 1, 0)
    yd = wp.min(y + 1, ny - 1)
    inv_dy = 1.0 / float(wp.max(yd - yu, 1))
    bu = wp.max(yu * nx, 0)
    bd = wp.max(yd * nx, 0)
    base = wp.max(y * nx, 0)
    last = wp.max(nx - 1, 1)
    confine_at(curl, base, bu, bd, inv_dy, 0, 0, 1, 1.0, eps, fx, fy)
    confine_at(curl, base, bu, bd, inv_dy, last, last - 1, last, 1.0, eps, fx, fy)
    j = int(1)
    while j < last:
        gx = (wp.abs(curl[base + j + 1]) - wp.abs(curl[base + j - 1])) / 2.0
        gy = (wp.abs(curl[bd + j]) - wp.abs(curl[bu + j])) * inv_dy
        inv = 1.0 / (wp.sqrt(gx * gx + gy * gy) + 1.0e-5)
        w = curl[base + j]
        fx[base + j] = eps * gy * inv * w
        fy[base + j] = -eps * gx * inv * w
        j += 1


@wp.kernel
def add_forces(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    density: wp.array(dtype=float),
    temperature: wp.array(dtype=float),
    fx: wp.array(dtype=float),
    fy: wp.array(dtype=float),
    nx: int,
    ny: int,
    alpha: float,
    beta: float,
    ambient: float,
    confine: float,
    dt: float,
    row0: int,
):
    """Interior faces: Boussinesq buoyancy (hot gas rises toward row 0, dense smoke sinks) plus the
    cell-centred confinement force averaged onto the faces (scaled by `confine`, 0 or 1)."""
    y = wp.tid() + row0  # 0..ny-1
    ub = wp.max(y * (nx + 1), 0)
    cb = wp.max(y * nx, 0)
    cdt = confine * dt
    j = int(1)
    while j < nx:
        u[ub + j] = u[ub + j] + cdt * 0.5 * (fx[cb + j - 1] + fx[cb + j])
        j += 1
    if y > 0:
        top = wp.max((y - 1) * nx, 0)
        j = int(0)
        while j < nx:
            t = 0.5 * (temperature[top + j] + temperature[cb + j])
            d = 0.5 * (density[top + j] + density[cb + j])
            f = cdt * 0.5 * (fy[top + j] + fy[cb + j]) - dt * (alpha * (t - ambient) - beta * d)
            v[cb + j] = v[cb + j] + f
            j += 1
