"""Warp kernels of Stokes' 2D fluid solver: stable fluids (Stam 1999) on a MAC grid (Harlow & Welch 1965)
with MacCormack advection (Selle et al. 2008), vorticity confinement (Fedkiw et al. 2001), combustion and
a multigrid pressure projection with solid and open boundaries.

Velocity lives on cell faces (u: ny x (nx+1), v: (ny+1) x nx), scalars at cell centres, all stored as flat
1D float32 arrays, row-major, grid spacing 1, y pointing down. The kernels are written for Warp's CPU
backend, which runs a launch's threads one after another: one thread owns one ROW (or a band of rows),
inner loops are `while j < m:` over a row base passed through `wp.max(base, 0)` so the compiler can prove
indices non-negative and drop Warp's per-access negative-index check (that is what lets stencil loops
vectorise). Row kernels take a `row0` offset so the solver can split a grid into two row bands launched
from two Python threads (`wp.launch` releases the GIL). The pressure smoother does several weighted-Jacobi
sweeps per launch by temporal blocking (each band recomputes a shrinking halo in its own scratch rows).
Every kernel is race-free for any band size, so the same kernels run unchanged on CUDA.
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
def sample_minmax(q: wp.array(dtype=float), w: int, h: int, ox: float, oy: float, px: float, py: float):
    """(bilinear value, min, max) of the four samples around (px, py): MacCormack's limiter bounds."""
    w = wp.max(w, 2)
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
    val = (1.0 - ty) * ((1.0 - tx) * a + tx * b) + ty * ((1.0 - tx) * c + tx * d)
    return wp.vec3(val, wp.min(wp.min(a, b), wp.min(c, d)), wp.max(wp.max(a, b), wp.max(c, d)))


@wp.func
def face_velocity(
    kind: int, u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, ny: int, y: int, j: int
):
    """Velocity at the sample point (j, y) of field `kind` (0: u faces, 1: v faces, 2: cell centres).

    The own component is read exactly; the other is the 4- (faces) or 2-point (centres) average, which
    is what a bilinear sample at that point returns.
    """
    vel = wp.vec2(0.0, 0.0)
    if kind == 0:
        vel = wp.vec2(u[wp.max(y * (nx + 1) + j, 0)], sample_bilinear(v, nx, ny + 1, 0.5, 0.0, float(j), float(y) + 0.5))
    elif kind == 1:
        vel = wp.vec2(sample_bilinear(u, nx + 1, ny, 0.0, 0.5, float(j) + 0.5, float(y)), v[wp.max(y * nx + j, 0)])
    else:
        ub = wp.max(y * (nx + 1) + j, 0)
        vb = wp.max(y * nx + j, 0)
        vel = wp.vec2(0.5 * u[ub] + 0.5 * u[ub + 1], 0.5 * v[vb] + 0.5 * v[vb + nx])
    return vel


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
    """One weighted-Jacobi sweep of one row of L p = b in a closed box (L = in-box neighbours minus centre)."""
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


@wp.func
def jacobi_row_weighted(
    src: wp.array(dtype=float),
    s_c: int,
    s_u: int,
    s_d: int,
    hu: float,
    hd: float,
    b: wp.array(dtype=float),
    b_c: int,
    wx: wp.array(dtype=float),
    x_c: int,
    wy: wp.array(dtype=float),
    y_c: int,
    dst: wp.array(dtype=float),
    d_c: int,
    nx: int,
    omega: float,
):
    """Weighted-Jacobi sweep of one row of the variable-coefficient Laplacian sum_f w_f (p_n - p_c) = b.

    Face weights are 0 at walls and solids, 1 between fluid cells and at open boundaries (fractional on
    coarse levels). A weighted boundary face is an open side: p = 0 on the face itself (ghost = -p, a
    Dirichlet condition that sits at the same place on every multigrid level), so it counts twice in
    the diagonal and never as a neighbour; hu/hd say whether the row above/below exists.
    """
    s_c = wp.max(s_c, 0)
    s_u = wp.max(s_u, 0)
    s_d = wp.max(s_d, 0)
    b_c = wp.max(b_c, 0)
    x_c = wp.max(x_c, 0)
    y_c = wp.max(y_c, 0)
    d_c = wp.max(d_c, 0)
    last = nx - 1
    # Open sides hold p = 0 on the boundary face (ghost = -p), which doubles their diagonal weight.
    eu = 2.0 - hu
    ed = 2.0 - hd
    # First and last columns: their outer face has no neighbour inside the grid.
    l = wx[x_c]
    r = wx[x_c + 1]
    t = wy[y_c]
    d = wy[y_c + nx]
    c = src[s_c]
    acc = r * src[s_c + 1] + hu * t * src[s_u] + hd * d * src[s_d]
    dst[d_c] = c + omega * ((acc - b[b_c]) / wp.max(2.0 * l + r + eu * t + ed * d, 1.0e-6) - c)
    l = wx[x_c + last]
    r = wx[x_c + last + 1]
    t = wy[y_c + last]
    d = wy[y_c + nx + last]
    c = src[s_c + last]
    acc = l * src[s_c + last - 1] + hu * t * src[s_u + last] + hd * d * src[s_d + last]
    dst[d_c + last] = c + omega * ((acc - b[b_c + last]) / wp.max(l + 2.0 * r + eu * t + ed * d, 1.0e-6) - c)
    j = int(1)
    while j < last:
        l = wx[x_c + j]
        r = wx[x_c + j + 1]
        t = wy[y_c + j]
        d = wy[y_c + nx + j]
        c = src[s_c + j]
        acc = l * src[s_c + j - 1] + r * src[s_c + j + 1] + hu * t * src[s_u + j] + hd * d * src[s_d + j]
        dst[d_c + j] = c + omega * ((acc - b[b_c + j]) / wp.max(l + r + eu * t + ed * d, 1.0e-6) - c)
        j += 1


@wp.func
def smooth_row(
    weighted: int,
    src: wp.array(dtype=float),
    s_c: int,
    s_u: int,
    s_d: int,
    hu: float,
    hd: float,
    b: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    y: int,
    dst: wp.array(dtype=float),
    d_c: int,
    nx: int,
    omega: float,
):
    """Row y of one Jacobi sweep: the constant-coefficient closed-box kernel or the face-weighted one."""
    if weighted != 0:
        jacobi_row_weighted(src, s_c, s_u, s_d, hu, hd, b, y * nx, wx, y * (nx + 1), wy, y * nx, dst, d_c, nx, omega)
    else:
        jacobi_row(src, s_c, s_u, s_d, hu, hd, b, y * nx, dst, d_c, nx, omega)


# ---- transport (MacCormack over a first-order semi-Lagrangian step) -------------------------


@wp.kernel
def advect_forward(
    kind: int,
    q: wp.array(dtype=float),
    w: int,
    h: int,
    ox: float,
    oy: float,
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    dt: float,
    decay: float,
    q_hat: wp.array(dtype=float),
    q_min: wp.array(dtype=float),
    q_max: wp.array(dtype=float),
    row0: int,
):
    """Semi-Lagrangian step of one face field: q_hat(x) = decay * q(x - dt u(x)), plus the limiter bounds."""
    y = wp.tid() + row0
    base = wp.max(y * w, 0)
    j = int(0)
    while j < w:
        vel = face_velocity(kind, u, v, nx, ny, y, j)
        s = sample_minmax(q, w, h, ox, oy, float(j) + ox - dt * vel[0], float(y) + oy - dt * vel[1])
        q_hat[base + j] = decay * s[0]
        q_min[base + j] = decay * s[1]
        q_max[base + j] = decay * s[2]
        j += 1


@wp.kernel
def advect_correct(
    kind: int,
    q: wp.array(dtype=float),
    q_hat: wp.array(dtype=float),
    q_min: wp.array(dtype=float),
    q_max: wp.array(dtype=float),
    w: int,
    h: int,
    ox: float,
    oy: float,
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    dt: float,
    decay: float,
    q_out: wp.array(dtype=float),
    row0: int,
):
    """MacCormack correction: q_hat + (decay q - q_tilde) / 2, q_tilde = q_hat traced back forward in time.

    The result is clamped to the range of the four samples the forward step interpolated (Selle et al.
    2008), which keeps the scheme stable and free of new extrema.
    """
    y = wp.tid() + row0
    base = wp.max(y * w, 0)
    j = int(0)
    while j < w:
        vel = face_velocity(kind, u, v, nx, ny, y, j)
        back = sample_bilinear(q_hat, w, h, ox, oy, float(j) + ox + dt * vel[0], float(y) + oy + dt * vel[1])
        val = q_hat[base + j] + 0.5 * (decay * q[base + j] - back)
        q_out[base + j] = wp.clamp(val, q_min[base + j], q_max[base + j])
        j += 1


@wp.kernel
def advect_cells_forward(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    dt: float,
    n_fields: int,
    a: wp.array(dtype=float),
    b: wp.array(dtype=float),
    c: wp.array(dtype=float),
    decay_a: float,
    decay_b: float,
    decay_c: float,
    a_hat: wp.array(dtype=float),
    b_hat: wp.array(dtype=float),
    c_hat: wp.array(dtype=float),
    a_lim: wp.array(dtype=float),
    b_lim: wp.array(dtype=float),
    c_lim: wp.array(dtype=float),
    row0: int,
):
    """Forward semi-Lagrangian step of 2 or 3 cell-centred scalars sharing one backtrace.

    The limiter bounds go to *_lim as interleaved (min, max) pairs.
    """
    y = wp.tid() + row0
    base = wp.max(y * nx, 0)
    py = float(y) + 0.5
    j = int(0)
    while j < nx:
        vel = face_velocity(2, u, v, nx, ny, y, j)
        px = float(j) + 0.5 - dt * vel[0]
        qy = py - dt * vel[1]
        k = wp.max(2 * (base + j), 0)
        s = sample_minmax(a, nx, ny, 0.5, 0.5, px, qy)
        a_hat[base + j] = decay_a * s[0]
        a_lim[k] = decay_a * s[1]
        a_lim[k + 1] = decay_a * s[2]
        s = sample_minmax(b, nx, ny, 0.5, 0.5, px, qy)
        b_hat[base + j] = decay_b * s[0]
        b_lim[k] = decay_b * s[1]
        b_lim[k + 1] = decay_b * s[2]
        if n_fields > 2:
            s = sample_minmax(c, nx, ny, 0.5, 0.5, px, qy)
            c_hat[base + j] = decay_c * s[0]
            c_lim[k] = decay_c * s[1]
            c_lim[k + 1] = decay_c * s[2]
        j += 1


@wp.kernel
def advect_cells_correct(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    dt: float,
    n_fields: int,
    a: wp.array(dtype=float),
    b: wp.array(dtype=float),
    c: wp.array(dtype=float),
    decay_a: float,
    decay_b: float,
    decay_c: float,
    a_hat: wp.array(dtype=float),
    b_hat: wp.array(dtype=float),
    c_hat: wp.array(dtype=float),
    a_lim: wp.array(dtype=float),
    b_lim: wp.array(dtype=float),
    c_lim: wp.array(dtype=float),
    a_out: wp.array(dtype=float),
    b_out: wp.array(dtype=float),
    c_out: wp.array(dtype=float),
    row0: int,
):
    """MacCormack correction of the cell scalars (see `advect_correct`), one forward trace for all."""
    y = wp.tid() + row0
    base = wp.max(y * nx, 0)
    py = float(y) + 0.5
    j = int(0)
    while j < nx:
        vel = face_velocity(2, u, v, nx, ny, y, j)
        px = float(j) + 0.5 + dt * vel[0]
        qy = py + dt * vel[1]
        k = wp.max(2 * (base + j), 0)
        i = base + j
        val = a_hat[i] + 0.5 * (decay_a * a[i] - sample_bilinear(a_hat, nx, ny, 0.5, 0.5, px, qy))
        a_out[i] = wp.clamp(val, a_lim[k], a_lim[k + 1])
        val = b_hat[i] + 0.5 * (decay_b * b[i] - sample_bilinear(b_hat, nx, ny, 0.5, 0.5, px, qy))
        b_out[i] = wp.clamp(val, b_lim[k], b_lim[k + 1])
        if n_fields > 2:
            val = c_hat[i] + 0.5 * (decay_c * c[i] - sample_bilinear(c_hat, nx, ny, 0.5, 0.5, px, qy))
            c_out[i] = wp.clamp(val, c_lim[k], c_lim[k + 1])
        j += 1


# ---- fused MacCormack step (velocity faces and cell scalars in one launch per pass) -------------
# Each row is traced in two loops: the first computes every sample point's bilinear cell index and
# weights into per-row scratch (unit-stride loads and stores only, so it vectorises); the second does
# the gathers, which stay scalar but no longer carry the clamp/convert arithmetic (1.8x measured).


@wp.func
def trace_point(
    w: int, h: int, ox: float, oy: float, px: float, py: float,
    sb: int, j: int, idx: wp.array(dtype=int), tx: wp.array(dtype=float), ty: wp.array(dtype=float),
):
    """Store the clamped bilinear (flat index, tx, ty) of point (px, py) in a w x h field at scratch sb + j."""
    fx = wp.clamp(px - ox, 0.0, float(w - 1))
    fy = wp.clamp(py - oy, 0.0, float(h - 1))
    i0 = wp.max(wp.min(int(fx), w - 2), 0)
    j0 = wp.max(wp.min(int(fy), h - 2), 0)
    tx[sb + j] = fx - float(i0)
    ty[sb + j] = fy - float(j0)
    idx[sb + j] = j0 * w + i0


@wp.func
def gather_forward_row(
    q: wp.array(dtype=float), w: int, n: int, decay: float,
    idx: wp.array(dtype=int), tx: wp.array(dtype=float), ty: wp.array(dtype=float), sb: int,
    q_hat: wp.array(dtype=float), lim: wp.array(dtype=float), base: int,
):
    """q_hat = decay * bilinear sample and lim = decay * (min, max) of its four samples, n points of a row."""
    w = wp.max(w, 2)
    sb = wp.max(sb, 0)
    base = wp.max(base, 0)
    j = int(0)
    while j < n:
        i = wp.max(idx[sb + j], 0)
        x = tx[sb + j]
        y = ty[sb + j]
        a = q[i]
        b = q[i + 1]
        c = q[i + w]
        d = q[i + w + 1]
        k = wp.max(2 * (base + j), 0)
        q_hat[base + j] = decay * ((1.0 - y) * ((1.0 - x) * a + x * b) + y * ((1.0 - x) * c + x * d))
        lim[k] = decay * wp.min(wp.min(a, b), wp.min(c, d))
        lim[k + 1] = decay * wp.max(wp.max(a, b), wp.max(c, d))
        j += 1


@wp.func
def gather_correct_row(
    q: wp.array(dtype=float), q_hat: wp.array(dtype=float), lim: wp.array(dtype=float), w: int, n: int, decay: float,
    idx: wp.array(dtype=int), tx: wp.array(dtype=float), ty: wp.array(dtype=float), sb: int,
    q_out: wp.array(dtype=float), base: int,
):
    """q_out = clamp(q_hat + (decay q - q_hat(forward-traced point)) / 2, lim) for n points of a row."""
    w = wp.max(w, 2)
    sb = wp.max(sb, 0)
    base = wp.max(base, 0)
    j = int(0)
    while j < n:
        i = wp.max(idx[sb + j], 0)
        x = tx[sb + j]
        y = ty[sb + j]
        back = (1.0 - y) * ((1.0 - x) * q_hat[i] + x * q_hat[i + 1]) + y * ((1.0 - x) * q_hat[i + w] + x * q_hat[i + w + 1])
        k = wp.max(2 * (base + j), 0)
        val = q_hat[base + j] + 0.5 * (decay * q[base + j] - back)
        q_out[base + j] = wp.clamp(val, lim[k], lim[k + 1])
        j += 1


@wp.func
def trace_rows(
    u: wp.array(dtype=float), v: wp.array(dtype=float), nx: int, ny: int, y: int, sdt: float, part: int,
    idx: wp.array(dtype=int), tx: wp.array(dtype=float), ty: wp.array(dtype=float), sb: int,
):
    """Trace the sample points of row y of one field (part 0: u faces, 1: v faces, 2: cells) by sdt * velocity
    (sdt = -dt backward, +dt forward) into scratch sb.. ."""
    nx = wp.max(nx, 2)
    ny = wp.max(ny, 2)
    sb = wp.max(sb, 0)
    fy = float(y)
    vb = wp.max(y * nx, 0)
    ub = wp.max(y * (nx + 1), 0)
    if part == 0:
        # u face (j, y): v is the 4-point average, columns clamped at the walls (= a clamped bilinear sample).
        last = nx
        j = int(0)
        while j <= last:
            jl = wp.max(wp.min(j - 1, nx - 1), 0)
            jr = wp.min(j, nx - 1)
            if j > 0 and j < last:
                jl = j - 1
                jr = j
            vv = 0.25 * ((v[vb + jl] + v[vb + jr]) + (v[vb + nx + jl] + v[vb + nx + jr]))
            trace_point(nx + 1, ny, 0.0, 0.5, float(j) + sdt * u[ub + j], fy + 0.5 + sdt * vv, sb, j, idx, tx, ty)
            j += 1
    elif part == 1:
        uu = wp.max(wp.max(wp.min(y - 1, ny - 1), 0) * (nx + 1), 0)
        ud = wp.max(wp.min(y, ny - 1) * (nx + 1), 0)
        j = int(0)
        while j < nx:
            uv = 0.25 * ((u[uu + j] + u[uu + j + 1]) + (u[ud + j] + u[ud + j + 1]))
            trace_point(nx, ny + 1, 0.5, 0.0, float(j) + 0.5 + sdt * uv, fy + sdt * v[vb + j], sb, j, idx, tx, ty)
            j += 1
    else:
        j = int(0)
        while j < nx:
            px = float(j) + 0.5 + sdt * (0.5 * u[ub + j] + 0.5 * u[ub + j + 1])
            py = fy + 0.5 + sdt * (0.5 * v[vb + j] + 0.5 * v[vb + nx + j])
            trace_point(nx, ny, 0.5, 0.5, px, py, sb, j, idx, tx, ty)
            j += 1


@wp.kernel
def maccormack_forward(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    dt: float,
    vdec: float,
    u_hat: wp.array(dtype=float),
    u_lim: wp.array(dtype=float),
    v_hat: wp.array(dtype=float),
    v_lim: wp.array(dtype=float),
    n_fields: int,
    a: wp.array(dtype=float),
    b: wp.array(dtype=float),
    c: wp.array(dtype=float),
    decay_a: float,
    decay_b: float,
    decay_c: float,
    a_hat: wp.array(dtype=float),
    b_hat: wp.array(dtype=float),
    c_hat: wp.array(dtype=float),
    a_lim: wp.array(dtype=float),
    b_lim: wp.array(dtype=float),
    c_lim: wp.array(dtype=float),
    idx: wp.array(dtype=int),
    tx: wp.array(dtype=float),
    ty: wp.array(dtype=float),
    row0: int,
):
    """Forward semi-Lagrangian step of row y of v (y <= ny), u and the cell scalars (y < ny), with the
    limiter bounds as interleaved (min, max) pairs. One launch for the whole transport; row y uses scratch
    row y of idx/tx/ty (nx + 1 wide), so bands never share scratch."""
    y = wp.tid() + row0
    sb = wp.max(y * (nx + 1), 0)
    trace_rows(u, v, nx, ny, y, -dt, 1, idx, tx, ty, sb)
    gather_forward_row(v, nx, nx, vdec, idx, tx, ty, sb, v_hat, v_lim, y * nx)
    if y >= ny:
        return
    trace_rows(u, v, nx, ny, y, -dt, 0, idx, tx, ty, sb)
    gather_forward_row(u, nx + 1, nx + 1, vdec, idx, tx, ty, sb, u_hat, u_lim, y * (nx + 1))
    trace_rows(u, v, nx, ny, y, -dt, 2, idx, tx, ty, sb)
    gather_forward_row(a, nx, nx, decay_a, idx, tx, ty, sb, a_hat, a_lim, y * nx)
    gather_forward_row(b, nx, nx, decay_b, idx, tx, ty, sb, b_hat, b_lim, y * nx)
    if n_fields > 2:
        gather_forward_row(c, nx, nx, decay_c, idx, tx, ty, sb, c_hat, c_lim, y * nx)


@wp.kernel
def maccormack_correct(
    u: wp.array(dtype=float),
    v: wp.array(dtype=float),
    nx: int,
    ny: int,
    dt: float,
    vdec: float,
    u_hat: wp.array(dtype=float),
    u_lim: wp.array(dtype=float),
    v_hat: wp.array(dtype=float),
    v_lim: wp.array(dtype=float),
    u_out: wp.array(dtype=float),
    v_out: wp.array(dtype=float),
    n_fields: int,
    a: wp.array(dtype=float),
    b: wp.array(dtype=float),
    c: wp.array(dtype=float),
    decay_a: float,
    decay_b: float,
    decay_c: float,
    a_hat: wp.array(dtype=float),
    b_hat: wp.array(dtype=float),
    c_hat: wp.array(dtype=float),
    a_lim: wp.array(dtype=float),
    b_lim: wp.array(dtype=float),
    c_lim: wp.array(dtype=float),
    a_out: wp.array(dtype=float),
    b_out: wp.array(dtype=float),
    c_out: wp.array(dtype=float),
    idx: wp.array(dtype=int),
    tx: wp.array(dtype=float),
    ty: wp.array(dtype=float),
    row0: int,
):
    """MacCormack correction of row y of every advected field (see `advect_correct`), clamped to the
    limiter bounds of the forward step."""
    y = wp.tid() + row0
    sb = wp.max(y * (nx + 1), 0)
    trace_rows(u, v, nx, ny, y, dt, 1, idx, tx, ty, sb)
    gather_correct_row(v, v_hat, v_lim, nx, nx, vdec, idx, tx, ty, sb, v_out, y * nx)
    if y >= ny:
        return
    trace_rows(u, v, nx, ny, y, dt, 0, idx, tx, ty, sb)
    gather_correct_row(u, u_hat, u_lim, nx + 1, nx + 1, vdec, idx, tx, ty, sb, u_out, y * (nx + 1))
    trace_rows(u, v, nx, ny, y, dt, 2, idx, tx, ty, sb)
    gather_correct_row(a, a_hat, a_lim, nx, nx, decay_a, idx, tx, ty, sb, a_out, y * nx)
    gather_correct_row(b, b_hat, b_lim, nx, nx, decay_b, idx, tx, ty, sb, b_out, y * nx)
    if n_fields > 2:
        gather_correct_row(c, c_hat, c_lim, nx, nx, decay_c, idx, tx, ty, sb, c_out, y * nx)


# ---- forces and sources ----------------------------------------------------------------------


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


# ---- pressure projection (geometric multigrid, weighted Jacobi smoothing) --------------------


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
def pressure_jacobi(
    p_in: wp.array(dtype=float),
    b: wp.array(dtype=float),
    p_out: wp.array(dtype=float),
    scratch: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    weighted: int,
    nx: int,
    ny: int,
    band: int,
    sweeps: int,
    halo: int,
    omega: float,
    t0: int,
):
    """`sweeps` weighted-Jacobi sweeps p_in -> p_out in one launch, by temporal blocking per band of rows.

    Band t owns rows [t*band, t*band+band); sweep s recomputes a halo of (sweeps - s) rows each side in
    its private scratch rows, so no thread reads a row another thread writes during the launch (and two
    launches of different bands may run at once from two Python threads).
    """
    t = wp.tid() + t0
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
            hu = wp.where(y > 0, 1.0, 0.0)
            hd = wp.where(y < ny - 1, 1.0, 0.0)
            # Sweep s reads buffer (s-1)%2 and writes buffer s%2; the first reads p_in, the last writes p_out.
            rbuf = sbase + ((s - 1) % 2) * buf + (halo - r0) * nx
            wbuf = sbase + (s % 2) * buf + (halo - r0) * nx
            if s == 1:
                if s == sweeps:
                    smooth_row(weighted, p_in, y * nx, yu * nx, yd * nx, hu, hd, b, wx, wy, y, p_out, y * nx, nx, omega)
                else:
                    smooth_row(weighted, p_in, y * nx, yu * nx, yd * nx, hu, hd, b, wx, wy, y, scratch, wbuf + y * nx, nx, omega)
            else:
                if s == sweeps:
                    smooth_row(
                        weighted, scratch, rbuf + y * nx, rbuf + yu * nx, rbuf + yd * nx, hu, hd, b, wx, wy, y,
                        p_out, y * nx, nx, omega,
                    )
                else:
                    smooth_row(
                        weighted, scratch, rbuf + y * nx, rbuf + yu * nx, rbuf + yd * nx, hu, hd, b, wx, wy, y,
                        scratch, wbuf + y * nx, nx, omega,
                    )
            y += 1
        s += 1


@wp.func
def restrict_row(
    r: wp.array(dtype=float),
    nxf: int,
    nyf: int,
    b_coarse: wp.array(dtype=float),
    p_coarse: wp.array(dtype=float),
    nxc: int,
    yc: int,
):
    """Coarse row yc of `restrict_residual`."""
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


@wp.func
def residual_row(
    p: wp.array(dtype=float),
    b: wp.array(dtype=float),
    r: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    weighted: int,
    nx: int,
    ny: int,
    norm: int,
    y: int,
):
    """Row y of r = b - L p (closed-box or face-weighted Laplacian); returns the row's sum of squares
    when `norm` is set (else 0)."""
    base = wp.max(y * nx, 0)
    up = wp.max(wp.max(y - 1, 0) * nx, 0)
    dn = wp.max(wp.min(y + 1, ny - 1) * nx, 0)
    hu = wp.where(y > 0, 1.0, 0.0)
    hd = wp.where(y < ny - 1, 1.0, 0.0)
    last = nx - 1
    if weighted != 0:
        xb = wp.max(y * (nx + 1), 0)
        j = int(0)
        while j < nx:
            l = wx[xb + j]
            rr = wx[xb + j + 1]
            t = wy[base + j]
            d = wy[base + nx + j]
            jl = wp.max(j - 1, 0)
            jr = wp.min(j + 1, last)
            c = p[base + j]
            # Open sides have weight but no neighbour inside the grid: ghost pressure -p (p = 0 on the face).
            hl = wp.where(j > 0, 1.0, 0.0)
            hr = wp.where(j < last, 1.0, 0.0)
            diag = (2.0 - hl) * l + (2.0 - hr) * rr + (2.0 - hu) * t + (2.0 - hd) * d
            lp = hl * l * p[base + jl] + hr * rr * p[base + jr] + hu * t * p[up + j] + hd * d * p[dn + j] - diag * c
            r[base + j] = b[base + j] - lp
            j += 1
    else:
        c = p[base]
        r[base] = b[base] - ((p[base + 1] + hu * p[up] + hd * p[dn]) - (1.0 + hu + hd) * c)
        c = p[base + last]
        r[base + last] = b[base + last] - ((p[base + last - 1] + hu * p[up + last] + hd * p[dn + last]) - (1.0 + hu + hd) * c)
        n = 2.0 + hu + hd
        j = int(1)
        # No reduction in this loop, so it vectorises.
        while j < last:
            c = p[base + j]
            r[base + j] = b[base + j] - ((p[base + j - 1] + p[base + j + 1] + hu * p[up + j] + hd * p[dn + j]) - n * c)
            j += 1
    acc = float(0.0)
    if norm != 0:
        # Sum of squares in eight independent chains (a single chain is bound by the add latency).
        a0 = float(0.0)
        a1 = float(0.0)
        a2 = float(0.0)
        a3 = float(0.0)
        a4 = float(0.0)
        a5 = float(0.0)
        a6 = float(0.0)
        a7 = float(0.0)
        j = int(0)
        while j + 8 <= nx:
            q = base + j
            a0 += r[q] * r[q]
            a1 += r[q + 1] * r[q + 1]
            a2 += r[q + 2] * r[q + 2]
            a3 += r[q + 3] * r[q + 3]
            a4 += r[q + 4] * r[q + 4]
            a5 += r[q + 5] * r[q + 5]
            a6 += r[q + 6] * r[q + 6]
            a7 += r[q + 7] * r[q + 7]
            j += 8
        while j < nx:
            a0 += r[base + j] * r[base + j]
            j += 1
        acc = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    return acc


@wp.kernel
def residual(
    p: wp.array(dtype=float),
    b: wp.array(dtype=float),
    r: wp.array(dtype=float),
    row_sq: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    weighted: int,
    nx: int,
    ny: int,
    norm: int,
    row0: int,
):
    """r = b - L p (closed-box or face-weighted Laplacian), plus each row's sum of squares (closed box:
    only when `norm` is set)."""
    y = wp.tid() + row0
    row_sq[y] = residual_row(p, b, r, wx, wy, weighted, nx, ny, norm, y)


@wp.kernel
def residual_restrict(
    p: wp.array(dtype=float),
    b: wp.array(dtype=float),
    r: wp.array(dtype=float),
    wx: wp.array(dtype=float),
    wy: wp.array(dtype=float),
    weighted: int,
    nxf: int,
    nyf: int,
    b_coarse: wp.array(dtype=float),
    p_coarse: wp.array(dtype=float),
    nxc: int,
    row0: int,
):
    """Fused residual + restriction for coarse row yc: the fine residual rows 2yc and 2yc+1 (this thread's
    own rows of r), then their 2x2 sums as the coarse right-hand side and a zero coarse guess."""
    yc = wp.tid() + row0
    y0 = 2 * yc
    residual_row(p, b, r, wx, wy, weighted, nxf, nyf, 0, y0)
    if y0 + 1 < nyf:
        residual_row(p, b, r, wx, wy, weighted, nxf, nyf, 0, y0 + 1)
    restrict_row(r, nxf, nyf, b_coarse, p_coarse, nxc, yc)


@wp.kernel
def restrict_residual(
    r: wp.array(dtype=float),
    nxf: int,
    nyf: int,
    b_coarse: wp.array(dtype=float),
    p_coarse: wp.array(dtype=float),
    nxc: int,
    row0: int,
):
    """Coarse right-hand side = sum of the (up to) 2x2 fine residuals; coarse guess reset to zero.

    Summing (not averaging) keeps the unit-spacing Laplacian valid on every level: the coarse spacing
    is twice the fine one, which scales the operator by 1/4.
    """
    restrict_row(r, nxf, nyf, b_coarse, p_coarse, nxc, wp.tid() + row0)


@wp.kernel
def prolong_correct(
    e_coarse: wp.array(dtype=float),
    nxc: int,
    nyc: int,
    p_fine: wp.array(dtype=float),
    nxf: int,
    row0: int,
):
    """Add the bilinearly interpolated coarse correction to the fine pressure.

    Fine cell j sits at coarse coordinate j/2 - 1/4, so the weights are always (1/4, 3/4) and
    (3/4, 1/4) between neighbouring coarse samples, clamped at the edges (= `sample_bilinear` with the
    clamp); written per coarse column pair so the loop carries no float-to-int conversions.
    """
    y = wp.tid() + row0
    k = y / 2
    ka = wp.max(k - 1, 0)
    kb = k
    wa = 0.25
    wb = 0.75
    if y % 2 == 1:
        ka = k
        kb = wp.min(k + 1, nyc - 1)
        wa = 0.75
        wb = 0.25
    if ka == kb:
        wa = 0.0
        wb = 1.0
    ra = wp.max(ka * nxc, 0)
    rb = wp.max(kb * nxc, 0)
    base = wp.max(y * nxf, 0)
    last = nxc - 1
    # Column 0 and the last coarse column clamp their outer neighbour.
    c0 = wa * e_coarse[ra] + wb * e_coarse[rb]
    c1 = wa * e_coarse[ra + wp.min(1, last)] + wb * e_coarse[rb + wp.min(1, last)]
    p_fine[base] = p_fine[base] + c0
    if 1 < nxf:
        p_fine[base + 1] = p_fine[base + 1] + (0.75 * c0 + 0.25 * c1)
    i = int(1)
    while i < last:
        cl = wa * e_coarse[ra + i - 1] + wb * e_coarse[rb + i - 1]
        cc = wa * e_coarse[ra + i] + wb * e_coarse[rb + i]
        cr = wa * e_coarse[ra + i + 1] + wb * e_coarse[rb + i + 1]
        f = base + 2 * i
        p_fine[f] = p_fine[f] + (0.25 * cl + 0.75 * cc)
        p_fine[f + 1] = p_fine[f + 1] + (0.75 * cc + 0.25 * cr)
        i += 1
    if last > 0:
        cl = wa * e_coarse[ra + last - 1] + wb * e_coarse[rb + last - 1]
        cc = wa * e_coarse[ra + last] + wb * e_coarse[rb + last]
        f = wp.max(base + 2 * last, 0)
        p_fine[f] = p_fine[f] + (0.25 * cl + 0.75 * cc)
        if 2 * last + 1 < nxf:
            p_fine[f + 1] = p_fine[f + 1] + cc


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
