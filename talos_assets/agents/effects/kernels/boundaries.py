"""Boundary conditions of Stokes' fluid before the projection: a closed box zeroes the wall faces; with
solids or open sides every face is scaled by its weight (0 closed, 1 open) and smoke inside solids is
removed.
"""

from __future__ import annotations

import warp as wp


@wp.kernel
def apply_boundaries(u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, ny: int, row0: int):
    """Closed box: no flow through the four walls."""
    y = wp.tid() + row0  # 0..ny
    if y < ny:
        ub = wp.max(y * (nx + 1), 0)
        u[ub] = 0.0
        u[ub + nx] = 0.0
    if y == 0 or y == ny:
        vb = wp.max(y * nx, 0)
        j = int(0)
        while j < nx:
            v[vb + j] = 0.0
            j += 1


@wp.kernel
def apply_solids(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    fluid: wp.array(dtype=float),
    density: wp.array(dtype=float),
    temperature: wp.array(dtype=float),
    fuel: wp.array(dtype=float),
    nx: int,
    ny: int,
    row0: int,
):
    """Static solids and walls: zero flow through closed faces (weight 0) and no smoke inside solid cells."""
    y = wp.tid() + row0  # 0..ny
    if y < ny:
        ub = wp.max(y * (nx + 1), 0)
        cb = wp.max(y * nx, 0)
        j = int(0)
        while j <= nx:
            u[ub + j] = u[ub + j] * wx[ub + j]
            j += 1
        j = int(0)
        while j < nx:
            m = fluid[cb + j]
            density[cb + j] = density[cb + j] * m
            temperature[cb + j] = temperature[cb + j] * m
            fuel[cb + j] = fuel[cb + j] * m
            j += 1
    vb = wp.max(y * nx, 0)
    j = int(0)
    while j < nx:
        v[vb + j] = v[vb + j] * wy[vb + j]
        j += 1
