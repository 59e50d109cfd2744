"""Per-field advection kernels of Stokes: a first-order semi-Lagrangian step (Stam 1999) that also records
MacCormack's limiter bounds, and the MacCormack correction of the cell scalars (Selle et al. 2008), with
clamped bilinear sampling on the MAC grid; they serve the semi-Lagrangian mode and
`SmokeSolver.transport`, while the default step uses the fused kernels of `maccormack`.
"""

from __future__ import annotations

import warp as wp


@wp.func
def sample_minmax(q: wp.array(dtype=float), w: int, h: int, ox: float, oy: float, px: float, py: float):
    """(bilinear value, min, max) of the four samples around (px, py) in a w x h field whose sample (i, j)
    sits at (i + ox, j + oy), clamped at the edges; the min and max are MacCormack's limiter bounds."""
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
    val = (1.0 - ty) * ((1.0 - tx) * a + tx * b) + ty * ((1.0 - tx) * c + tx * d)
    return wp.vec3(val, wp.min(wp.min(a, b), wp.min(c, d)), wp.max(wp.max(a, b), wp.max(c, d)))


@wp.func
def sample_bilinear(q: wp.array(dtype=float), w: int, h: int, ox: float, oy: float, px: float, py: float):
    """Bilinear sample of a w x h field whose sample (i, j) sits at (i + ox, j + oy); clamped at the edges."""
    # The compiler drops the unused min/max once this is inlined.
    return sample_minmax(q, w, h, ox, oy, px, py)[0]


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
    """MacCormack correction of the cell scalars, one forward trace for all: q_hat + (decay q - q_tilde) / 2,
    q_tilde = q_hat traced forward in time, clamped to the range of the four samples the forward step
    interpolated (Selle et al. 2008), which keeps the scheme stable and free of new extrema."""
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
