"""Warp kernels of Stokes' 2D smoke solver: stable fluids (Stam 1999) on a MAC grid (Harlow & Welch 1965).

Velocity lives on cell faces (u: ny x (nx+1), v: (ny+1) x nx), density and temperature at cell centres,
all stored as flat 1D float32 arrays, row-major, grid spacing 1. The kernels are written for Warp's CPU
backend, which runs a launch's threads one after another: one thread owns one ROW (or a band of rows),
inner loops are `while j < m:` over a row base passed through `wp.max(base, 0)` so the compiler can prove
indices non-negative and drop Warp's per-access negative-index check (that is what lets stencil loops
vectorise), and the pressure smoother does several weighted-Jacobi sweeps per launch by temporal blocking
(each band recomputes a shrinking halo in its own scratch rows). Every kernel is race-free for any band
size, so the same kernels run unchanged on CUDA with small bands.
"""

from __future__ import annotations

import warp as wp

# ---- helpers ---------------------------------------------------------------------------------


@wp.func
def sample_bilinear(q: wp.array(dtype=float), w: int, h: int, ox: float, oy: float, px: float, py: float):
    """Bilinear sample of a w x h field whose sample (i, j) sits at (i + ox, j + oy); clamped at the edges."""
    w = wp.max(w, 2)  # lets the compiler prove base + w >= 0 and drop the negative-index fix-up
    h = wp.max(h, 2)
    fx = wp.clamp(px - ox, 0.0, float(w - 1))
    fy = wp.clamp(py - oy, 0.0, float(h - 1))
    i0 = wp.max(wp.min(int(fx), w - 2), 0)
    j0 = wp.max(wp.min(int(fy), h - 2), 0)
    tx = fx - float(i0)
    ty = fy - float(j0)
    base = wp.max(j0 * w + i0, 0)
    a = q[base]
    b = q[base + 1]
    c = q[base + w]
    d = q[base + w + 1]
    return (1.0 - ty) * ((1.0 - tx) * a + tx * b) + ty * ((1.0 - tx) * c + tx * d)


@wp.func
def backtrace(
    u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, ny: int, px: float, py: float, u1: float, v1: float, dt: float
):
    """Departure point of (px, py) by a midpoint (RK2) step, given the velocity (u1, v1) at the point itself.

    Euler backtraces visibly shear rising plumes at large CFL; the callers read (u1, v1) straight from
    the grid, which is exact at their sample points and saves two of the five bilinear samples.
    """
    mx = px - 0.5 * dt * u1
    my = py - 0.5 * dt * v1
    u2 = sample_bilinear(u, nx + 1, ny, 0.0, 0.5, mx, my)
    v2 = sample_bilinear(v, nx, ny + 1, 0.5, 0.0, mx, my)
    return wp.vec2(px - dt * u2, py - dt * v2)


@wp.func
def jacobi_row(
    src: wp.array(dtype=float),
    s_c: int,
    s_u: int,
    s_d: int,
    wu: float,
    wd: float,
    b: wp.array(dtype=float),
    b_c: int,
    dst: wp.array(dtype=float),
    d_c: int,
    nx: int,
    omega: float,
):
    """One weighted-Jacobi sweep of one row of L p = b (L = sum of in-box neighbours minus centre)."""
    s_c = wp.max(s_c, 0)
    s_u = wp.max(s_u, 0)
    s_d = wp.max(s_d, 0)
    b_c = wp.max(b_c, 0)
    d_c = wp.max(d_c, 0)
    # Wall columns have one horizontal neighbour; handled outside the loop so it stays branch-free.
    inv_e = 1.0 / (1.0 + wu + wd)
    c = src[s_c]
    acc = src[s_c + 1] + wu * src[s_u] + wd * src[s_d]
    dst[d_c] = c + omega * ((acc - b[b_c]) * inv_e - c)
    last = nx - 1
    c = src[s_c + last]
    acc = src[s_c + last - 1] + wu * src[s_u + last] + wd * src[s_d + last]
    dst[d_c + last] = c + omega * ((acc - b[b_c + last]) * inv_e - c)
    inv_n = 1.0 / (2.0 + wu + wd)
    j = int(1)
    while j < last:
        c = src[s_c + j]
        acc = src[s_c + j - 1] + src[s_c + j + 1] + wu * src[s_u + j] + wd * src[s_d + j]
        dst[d_c + j] = c + omega * ((acc - b[b_c + j]) * inv_n - c)
        j += 1


# ---- transport -------------------------------------------------------------------------------


@wp.kernel
def advect_u(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    u_out: wp.array(dtype=float),
    dt: float,
    decay: float,
):
    """Semi-Lagrangian advection of the horizontal face velocity u (ny x (nx+1)) through itself."""
    y = wp.tid()
    w = nx + 1
    base = wp.max(y * w, 0)
    py = float(y) + 0.5
    j = int(0)
    while j < w:
        px = float(j)
        p = backtrace(u, v, nx, ny, px, py, u[base + j], sample_bilinear(v, nx, ny + 1, 0.5, 0.0, px, py), dt)
        u_out[base + j] = decay * sample_bilinear(u, w, ny, 0.0, 0.5, p[0], p[1])
        j += 1


@wp.kernel
def advect_v(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    v_out: wp.array(dtype=float),
    dt: float,
    decay: float,
):
    """Semi-Lagrangian advection of the vertical face velocity v ((ny+1) x nx) through itself."""
    y = wp.tid()
    base = wp.max(y * nx, 0)
    py = float(y)
    j = int(0)
    while j < nx:
        px = float(j) + 0.5
        p = backtrace(u, v, nx, ny, px, py, sample_bilinear(u, nx + 1, ny, 0.0, 0.5, px, py), v[base + j], dt)
        v_out[base + j] = decay * sample_bilinear(v, nx, ny + 1, 0.5, 0.0, p[0], p[1])
        j += 1


@wp.kernel
def advect_scalars(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    d_in: wp.array(dtype=float),
    t_in: wp.array(dtype=float),
    d_out: wp.array(dtype=float),
    t_out: wp.array(dtype=float),
    dt: float,
    d_decay: float,
    t_decay: float,
):
    """Semi-Lagrangian advection of density and temperature together (one backtrace serves both)."""
    y = wp.tid()
    base = wp.max(y * nx, 0)
    ub = wp.max(y * (nx + 1), 0)
    vn = wp.max((y + 1) * nx, 0)
    py = float(y) + 0.5
    j = int(0)
    while j < nx:
        # Face averages equal the bilinear sample at the cell centre bit for bit.
        uc = 0.5 * u[ub + j] + 0.5 * u[ub + j + 1]
        vc = 0.5 * v[base + j] + 0.5 * v[vn + j]
        p = backtrace(u, v, nx, ny, float(j) + 0.5, py, uc, vc, dt)
        d_out[base + j] = d_decay * sample_bilinear(d_in, nx, ny, 0.5, 0.5, p[0], p[1])
        t_out[base + j] = t_decay * sample_bilinear(t_in, nx, ny, 0.5, 0.5, p[0], p[1])
        j += 1


# ---- forces and sources ----------------------------------------------------------------------


@wp.kernel
def add_inflow(
    density: wp.array(dtype=float),
    temperature: wp.array(dtype=float),
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    cx: float,
    cy: float,
    radius: float,
    d_amount: float,
    t_amount: float,
    vx: float,
    vy: float,
    blend: float,
):
    """Gaussian emitter: adds density/heat at cell centres and pulls nearby face velocities toward (vx, vy)."""
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
def add_buoyancy(
    v: wp.array(dtype=float),
    density: wp.array(dtype=float),
    temperature: wp.array(dtype=float),
    nx: int,
    ny: int,
    alpha: float,
    beta: float,
    ambient: float,
    dt: float,
):
    """Boussinesq buoyancy on interior v faces: hot gas rises (toward row 0), dense smoke sinks."""
    y = wp.tid() + 1  # interior v rows 1..ny-1
    vb = wp.max(y * nx, 0)
    top = wp.max((y - 1) * nx, 0)
    bot = wp.max(y * nx, 0)
    j = int(0)
    while j < nx:
        t = 0.5 * (temperature[top + j] + temperature[bot + j])
        d = 0.5 * (density[top + j] + density[bot + j])
        v[vb + j] = v[vb + j] - dt * (alpha * (t - ambient) - beta * d)
        j += 1


@wp.kernel
def apply_boundaries(u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, ny: int):
    """Closed box: no flow through the four walls."""
    y = wp.tid()  # 0..ny
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


# ---- pressure projection (geometric multigrid, weighted Jacobi smoothing) --------------------


@wp.kernel
def divergence(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    div: wp.array(dtype=float),
    row_sq: wp.array(dtype=float),
):
    """Discrete MAC divergence per cell, plus each row's sum of squares for the norm."""
    y = wp.tid()
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
def pressure_jacobi(
    p_in: wp.array(dtype=float),
    b: wp.array(dtype=float),
    p_out: wp.array(dtype=float),
    scratch: wp.array(dtype=float),
    nx: int,
    ny: int,
    band: int,
    sweeps: int,
    halo: int,
    omega: float,
):
    """`sweeps` weighted-Jacobi sweeps p_in -> p_out in one launch, by temporal blocking per band of rows.

    Band t owns rows [t*band, t*band+band); sweep s recomputes a halo of (sweeps - s) rows each side in
    its private scratch rows, so no thread reads a row another thread writes during the launch.
    """
    t = wp.tid()
    r0 = t * band
    r1 = wp.min(r0 + band, ny)
    buf = (band + 2 * halo) * nx
    sbase = t * 2 * buf
    s = int(1)
    while s <= sweeps:
        ext = sweeps - s
        y = wp.max(r0 - ext, 0)
        hi = wp.min(r1 + ext, ny)
        while y < hi:
            yu = wp.max(y - 1, 0)
            yd = wp.min(y + 1, ny - 1)
            wu = wp.where(y > 0, 1.0, 0.0)
            wd = wp.where(y < ny - 1, 1.0, 0.0)
            # Sweep s reads buffer (s-1)%2 and writes buffer s%2; the first reads p_in, the last writes p_out.
            rbuf = sbase + ((s - 1) % 2) * buf + (halo - r0) * nx
            wbuf = sbase + (s % 2) * buf + (halo - r0) * nx
            if s == 1:
                if s == sweeps:
                    jacobi_row(p_in, y * nx, yu * nx, yd * nx, wu, wd, b, y * nx, p_out, y * nx, nx, omega)
                else:
                    jacobi_row(p_in, y * nx, yu * nx, yd * nx, wu, wd, b, y * nx, scratch, wbuf + y * nx, nx, omega)
            else:
                if s == sweeps:
                    jacobi_row(
                        scratch, rbuf + y * nx, rbuf + yu * nx, rbuf + yd * nx, wu, wd, b, y * nx, p_out, y * nx, nx, omega
                    )
                else:
                    jacobi_row(
                        scratch,
                        rbuf + y * nx,
                        rbuf + yu * nx,
                        rbuf + yd * nx,
                        wu,
                        wd,
                        b,
                        y * nx,
                        scratch,
                        wbuf + y * nx,
                        nx,
                        omega,
                    )
            y += 1
        s += 1


@wp.kernel
def residual(
    p: wp.array(dtype=float),
    b: wp.array(dtype=float),
    r: wp.array(dtype=float),
    row_sq: wp.array(dtype=float),
    nx: int,
    ny: int,
):
    """r = b - L p for the Neumann (closed box) Laplacian, plus each row's sum of squares."""
    y = wp.tid()
    base = wp.max(y * nx, 0)
    up = wp.max(wp.max(y - 1, 0) * nx, 0)
    dn = wp.max(wp.min(y + 1, ny - 1) * nx, 0)
    wu = wp.where(y > 0, 1.0, 0.0)
    wd = wp.where(y < ny - 1, 1.0, 0.0)
    last = nx - 1
    c = p[base]
    rr = b[base] - ((p[base + 1] + wu * p[up] + wd * p[dn]) - (1.0 + wu + wd) * c)
    r[base] = rr
    acc = rr * rr
    c = p[base + last]
    rr = b[base + last] - ((p[base + last - 1] + wu * p[up + last] + wd * p[dn + last]) - (1.0 + wu + wd) * c)
    r[base + last] = rr
    acc += rr * rr
    n = 2.0 + wu + wd
    j = int(1)
    while j < last:
        c = p[base + j]
        rr = b[base + j] - ((p[base + j - 1] + p[base + j + 1] + wu * p[up + j] + wd * p[dn + j]) - n * c)
        r[base + j] = rr
        acc += rr * rr
        j += 1
    row_sq[y] = acc


@wp.kernel
def restrict_residual(
    r: wp.array(dtype=float),
    nxf: int,
    nyf: int,
    b_coarse: wp.array(dtype=float),
    p_coarse: wp.array(dtype=float),
    nxc: int,
):
    """Coarse right-hand side = sum of the (up to) 2x2 fine residuals; coarse guess reset to zero.

    Summing (not averaging) keeps the unit-spacing Laplacian valid on every level: the coarse spacing
    is twice the fine one, which scales the operator by 1/4.
    """
    yc = wp.tid()
    y0 = 2 * yc
    y1 = wp.min(y0 + 1, nyf - 1)
    wy = wp.where(y0 + 1 < nyf, 1.0, 0.0)
    f0 = wp.max(y0 * nxf, 0)
    f1 = wp.max(y1 * nxf, 0)
    cb = wp.max(yc * nxc, 0)
    i = int(0)
    while i < nxc:
        x0 = 2 * i
        x1 = wp.min(x0 + 1, nxf - 1)
        wx = wp.where(x0 + 1 < nxf, 1.0, 0.0)
        b_coarse[cb + i] = (r[f0 + x0] + wx * r[f0 + x1]) + wy * (r[f1 + x0] + wx * r[f1 + x1])
        p_coarse[cb + i] = 0.0
        i += 1


@wp.kernel
def prolong_correct(
    e_coarse: wp.array(dtype=float),
    nxc: int,
    nyc: int,
    p_fine: wp.array(dtype=float),
    nxf: int,
):
    """Add the bilinearly interpolated coarse correction to the fine pressure."""
    y = wp.tid()
    base = wp.max(y * nxf, 0)
    cy = float(y) * 0.5 - 0.25
    j = int(0)
    while j < nxf:
        p_fine[base + j] = p_fine[base + j] + sample_bilinear(e_coarse, nxc, nyc, 0.0, 0.0, float(j) * 0.5 - 0.25, cy)
        j += 1


@wp.kernel
def project(u: wp.array(dtype=float), v: wp.array(dtype=float), p: wp.array(dtype=float), nx: int, ny: int):
    """Subtract the pressure gradient from interior faces; wall faces stay zero."""
    y = wp.tid()  # 0..ny
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
