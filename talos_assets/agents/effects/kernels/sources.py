"""Sources of Stokes' fluid: Gaussian inflow emitters (density, heat, fuel and a push on nearby faces) and
combustion (fuel above an ignition temperature burns at a first-order rate into heat and soot, with
exactly integrated T^4 radiative cooling).
"""

from __future__ import annotations

import warp as wp


@wp.kernel
def add_inflow(
    density: wp.array(dtype=float),
    temperature: wp.array(dtype=float),
    fuel: wp.array(dtype=float),
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    cx: float,
    cy: float,
    radius: float,
    d_amount: float,
    t_amount: float,
    f_amount: float,
    vx: float,
    vy: float,
    blend: float,
):
    """Gaussian emitter: adds density/heat/fuel at cell centres and pulls nearby face velocities toward (vx, vy)."""
    y = wp.tid()  # 0..ny: row y of the centred fields and u, row y of v
    reach = 3.0 * radius
    fy = float(y)
    if fy + 0.5 < cy - reach - 1.0 or fy - 0.5 > cy + reach + 1.0:
        return
    inv_r2 = 1.0 / (radius * radius)
    j0 = wp.max(int(cx - reach) - 1, 0)
    j1 = wp.min(int(cx + reach) + 2, nx)
    if y < ny:
        base = wp.max(y * nx, 0)
        ubase = wp.max(y * (nx + 1), 0)
        dy = fy + 0.5 - cy
        j = int(j0)
        while j < j1:
            dx = float(j) + 0.5 - cx
            g = wp.exp(-(dx * dx + dy * dy) * inv_r2)
            density[base + j] = density[base + j] + d_amount * g
            temperature[base + j] = temperature[base + j] + t_amount * g
            fuel[base + j] = fuel[base + j] + f_amount * g
            dxf = float(j) - cx
            gu = blend * wp.exp(-(dxf * dxf + dy * dy) * inv_r2)
            u[ubase + j] = u[ubase + j] + (vx - u[ubase + j]) * gu
            j += 1
    vbase = wp.max(y * nx, 0)
    dyv = fy - cy
    j = int(j0)
    while j < j1:
        dx = float(j) + 0.5 - cx
        gv = blend * wp.exp(-(dx * dx + dyv * dyv) * inv_r2)
        v[vbase + j] = v[vbase + j] + (vy - v[vbase + j]) * gv
        j += 1


@wp.kernel
def combust(
    density: wp.array(dtype=float),
    temperature: wp.array(dtype=float),
    fuel: wp.array(dtype=float),
    nx: int,
    ignition: float,
    burn: float,
    heat: float,
    soot: float,
    cooling: float,
    dt: float,
    row0: int,
):
    """Fuel above the ignition temperature burns at a first-order rate, releasing heat and soot; then
    radiative cooling dT/dt = -cooling * T^4, integrated exactly: T / (1 + 3 cooling dt T^3)^(1/3)."""
    y = wp.tid() + row0
    base = wp.max(y * nx, 0)
    j = int(0)
    while j < nx:
        i = base + j
        t = temperature[i]
        f = fuel[i]
        burned = wp.where(t > ignition, f * burn, 0.0)
        fuel[i] = f - burned
        density[i] = density[i] + soot * burned
        t = wp.max(t + heat * burned, 0.0)
        temperature[i] = t / wp.pow(1.0 + 3.0 * cooling * dt * t * t * t, 1.0 / 3.0)
        j += 1
