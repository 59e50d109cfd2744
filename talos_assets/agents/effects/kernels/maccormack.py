"""Fused MacCormack transport of Stokes (Selle et al. 2008): every velocity face and cell scalar advected
in two launches, a forward semi-Lagrangian pass that records the limiter bounds and a correction pass
clamped to them, each row traced once into per-row scratch and then gathered field by field.
"""

from __future__ import annotations

import warp as wp

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
    """MacCormack correction of row y of every advected field: q_hat + (decay q - q_tilde) / 2, q_tilde =
    q_hat traced forward in time, clamped to the limiter bounds of the forward step."""
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
