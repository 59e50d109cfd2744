"""Geometry of Stokes' multigrid hierarchy (Briggs et al., A Multigrid Tutorial): the level sizes, halving
to a few cells, and the face weights of the pressure Laplacian (1 where fluid may cross, 0 at walls and
solids) on the fine level and coarsened level by level; plain NumPy, shared by the Warp solver and its twin.
"""

from __future__ import annotations

import numpy as np


def multigrid_shapes(nx: int, ny: int) -> list[tuple[int, int]]:
    """Grid sizes of the multigrid hierarchy, finest first; coarsening halves (rounding up) to ~2-3 cells."""
    shapes = [(nx, ny)]
    while min(shapes[-1]) >= 4:
        cx, cy = shapes[-1]
        shapes.append(((cx + 1) // 2, (cy + 1) // 2))
    return shapes


def face_weights(
    fluid: np.ndarray | None, nx: int, ny: int, open_sides: tuple[str, ...] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Fine-level face weights (wx: (ny, nx+1), wy: (ny+1, nx)): 1 where fluid may cross, 0 at closed
    walls and at any face touching a solid cell (`fluid` is a (ny, nx) 0/1 mask; None = all fluid)."""
    f = np.ones((ny, nx), np.float32) if fluid is None else np.asarray(fluid, np.float32)
    wx = np.zeros((ny, nx + 1), np.float32)
    wy = np.zeros((ny + 1, nx), np.float32)
    wx[:, 1:-1] = f[:, 1:] * f[:, :-1]
    wy[1:-1, :] = f[1:, :] * f[:-1, :]
    if "left" in open_sides:
        wx[:, 0] = f[:, 0]
    if "right" in open_sides:
        wx[:, -1] = f[:, -1]
    if "top" in open_sides:
        wy[0, :] = f[0, :]
    if "bottom" in open_sides:
        wy[-1, :] = f[-1, :]
    return wx, wy


def coarsen_weights(wx: np.ndarray, wy: np.ndarray, nxc: int, nyc: int) -> tuple[np.ndarray, np.ndarray]:
    """Coarse face weight = mean of the (one or two) fine faces it covers.

    On odd sizes the last coarse cell sticks out past the fine grid; its outer face takes the fine
    boundary face's weight, so walls stay walls and open sides stay open on every level.
    """
    nyf, nxf = wx.shape[0], wx.shape[1] - 1
    cols = np.minimum(2 * np.arange(nxc + 1), nxf)
    r0 = np.minimum(2 * np.arange(nyc), nyf - 1)
    r1 = np.minimum(2 * np.arange(nyc) + 1, nyf - 1)
    cwx = 0.5 * (wx[r0][:, cols] + wx[r1][:, cols])
    rows = np.minimum(2 * np.arange(nyc + 1), nyf)
    c0 = np.minimum(2 * np.arange(nxc), nxf - 1)
    c1 = np.minimum(2 * np.arange(nxc) + 1, nxf - 1)
    cwy = 0.5 * (wy[rows][:, c0] + wy[rows][:, c1])
    return cwx.astype(np.float32), cwy.astype(np.float32)
