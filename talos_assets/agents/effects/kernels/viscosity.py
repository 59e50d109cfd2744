"""Explicit viscosity of Stokes' fluid: one forward-Euler step of nu * Laplacian(u) per face field, walls
held fixed and free-slip along them (the solver sub-steps it so nu dt stays below the 0.25 stability limit).
"""

from __future__ import annotations

import warp as wp


@wp.kernel
def diffuse_u(src: wp.array(dtype=float), dst: wp.array(dtype=float), nx: int, ny: int, a: float, row0: int):
    """One explicit viscosity step on u faces (a = nu dt <= 0.25): walls stay put, free-slip (zero
    tangential gradient) at the top and bottom walls."""
    y = wp.tid() + row0
    w = nx + 1
    base = wp.max(y * w, 0)
    up = wp.max(wp.max(y - 1, 0) * w, 0)
    dn = wp.max(wp.min(y + 1, ny - 1) * w, 0)
    dst[base] = src[base]
    dst[base + nx] = src[base + nx]
    j = int(1)
    while j < nx:
        c = src[base + j]
        lap = src[base + j - 1] + src[base + j + 1] + src[up + j] + src[dn + j] - 4.0 * c
        dst[base + j] = c + a * lap
        j += 1


@wp.kernel
def diffuse_v(src: wp.array(dtype=float), dst: wp.array(dtype=float), nx: int, ny: int, a: float, row0: int):
    """One explicit viscosity step on v faces: walls stay put, free-slip at the left and right walls."""
    y = wp.tid() + row0  # 0..ny
    base = wp.max(y * nx, 0)
    last = nx - 1
    if y == 0 or y == ny:
        j = int(0)
        while j < nx:
            dst[base + j] = src[base + j]
            j += 1
        return
    up = wp.max((y - 1) * nx, 0)
    dn = wp.max((y + 1) * nx, 0)
    c = src[base]
    dst[base] = c + a * (src[base + 1] + src[up] + src[dn] - 3.0 * c)
    c = src[base + last]
    dst[base + last] = c + a * (src[base + last - 1] + src[up + last] + src[dn + last] - 3.0 * c)
    j = int(1)
    while j < last:
        c = src[base + j]
        dst[base + j] = c + a * (src[base + j - 1] + src[base + j + 1] + src[up + j] + src[dn + j] - 4.0 * c)
        j += 1
