"""Pressure projection of Stokes' fluid on the MAC grid (Harlow & Welch 1965, Stam 1999): the discrete
divergence that is the Poisson right-hand side, and the subtraction of the pressure gradient that makes
the velocity divergence-free (closed box, or face-weighted for solids and open sides, where p = 0 on
the open boundary face).
"""

from __future__ import annotations

import warp as wp


@wp.kernel
def divergence(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    div: wp.array(dtype=float),
    row_sq: wp.array(dtype=float),
    row0: int,
):
    """Discrete MAC divergence per cell, plus each row's sum of squares for the norm."""
    y = wp.tid() + row0
    base = wp.max(y * nx, 0)
    ub = wp.max(y * (nx + 1), 0)
    vb = wp.max(y * nx, 0)
    vn = wp.max((y + 1) * nx, 0)
    acc = float(0.0)
    j = int(0)
    while j < nx:
        d = (u[ub + j + 1] - u[ub + j]) + (v[vn + j] - v[vb + j])
        div[base + j] = d
        acc += d * d
        j += 1
    row_sq[y] = acc


@wp.kernel
def project(u: wp.array(dtype=float), v: wp.array(dtype=float), p: wp.array(dtype=float), nx: int, ny: int, row0: int):
    """Closed box: subtract the pressure gradient from interior faces; wall faces stay zero."""
    y = wp.tid() + row0  # 0..ny
    if y < ny:
        ub = wp.max(y * (nx + 1), 0)
        pb = wp.max(y * nx, 0)
        j = int(1)
        while j < nx:
            u[ub + j] = u[ub + j] - (p[pb + j] - p[pb + j - 1])
            j += 1
    if y > 0 and y < ny:
        vb = wp.max(y * nx, 0)
        pt = wp.max((y - 1) * nx, 0)
        pb2 = wp.max(y * nx, 0)
        j = int(0)
        while j < nx:
            v[vb + j] = v[vb + j] - (p[pb2 + j] - p[pt + j])
            j += 1


@wp.kernel
def project_weighted(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    p: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    nx: int,
    ny: int,
    row0: int,
):
    """Solids and open sides: open faces lose the pressure gradient (p = 0 on open boundary faces, so
    their gradient is 2 p over a unit spacing), closed faces (weight 0) are zeroed."""
    y = wp.tid() + row0  # 0..ny
    if y < ny:
        ub = wp.max(y * (nx + 1), 0)
        pb = wp.max(y * nx, 0)
        u[ub] = wx[ub] * (u[ub] - 2.0 * p[pb])
        u[ub + nx] = wx[ub + nx] * (u[ub + nx] + 2.0 * p[pb + nx - 1])
        j = int(1)
        while j < nx:
            u[ub + j] = wx[ub + j] * (u[ub + j] - (p[pb + j] - p[pb + j - 1]))
            j += 1
    vb = wp.max(y * nx, 0)
    pt = wp.max((y - 1) * nx, 0)
    j = int(0)
    if y == 0:
        while j < nx:
            v[vb + j] = wy[vb + j] * (v[vb + j] - 2.0 * p[vb + j])
            j += 1
    elif y == ny:
        while j < nx:
            v[vb + j] = wy[vb + j] * (v[vb + j] + 2.0 * p[pt + j])
            j += 1
    else:
        while j < nx:
            v[vb + j] = wy[vb + j] * (v[vb + j] - (p[vb + j] - p[pt + j]))
            j += 1
