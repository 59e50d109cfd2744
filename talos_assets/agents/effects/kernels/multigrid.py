"""Geometric multigrid kernels of Stokes' pressure solve (Briggs et al., A Multigrid Tutorial): weighted-
Jacobi smoothing of L p = b (several sweeps per launch by temporal blocking), the fused residual and 2x2
restriction, the residual with its norm for the convergence test, and bilinear prolongation of the
coarse correction; L is the closed-box 5-point Laplacian or, with solids and open sides, the
face-weighted one whose weights are coarsened per level.
"""

from __future__ import annotations

import warp as wp


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
    """Coarse row yc of the restriction: the sum of the (up to) 2x2 fine residuals, and a zero coarse guess.

    Summing (not averaging) keeps the unit-spacing Laplacian valid on every level: the coarse spacing
    is twice the fine one, which scales the operator by 1/4.
    """
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
