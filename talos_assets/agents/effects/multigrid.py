"""Stokes' multigrid pressure solve (Briggs et al., A Multigrid Tutorial): `MultigridPoisson` owns the level
buffers, records one V(pre, post)-cycle of the kernels in `kernels.multigrid` (weighted-Jacobi smoothing,
fused residual and 2x2-sum restriction, bilinear prolongation, face-weight coarsening for solids and open
sides) and repeats it until the residual |b - Lp| meets the relative or absolute tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import warp as wp

from talos_assets.agents.effects.bands import BandLauncher
from talos_assets.agents.effects.hierarchy import coarsen_weights, multigrid_shapes
from talos_assets.agents.effects.kernels import multigrid as K
from talos_assets.agents.effects.params import SmokeParams


class _Level:
    """Buffers of one level: pressure p, right-hand side b, smoother output t, residual r, face weights and
    the smoother's per-band scratch rows (two buffers of band + 2 halo rows each)."""

    def __init__(self, nx: int, ny: int, nbands: int, max_sweeps: int, device: str, p=None, b=None) -> None:
        self.nx, self.ny = nx, ny
        self.nbands = max(1, min(nbands, ny))
        self.band = (ny + self.nbands - 1) // self.nbands
        self.nbands = (ny + self.band - 1) // self.band
        self.halo = max(max_sweeps - 1, 0)
        n = nx * ny
        self.p = p if p is not None else wp.zeros(n, dtype=float, device=device)
        self.b = b if b is not None else wp.zeros(n, dtype=float, device=device)
        self.t = wp.zeros(n, dtype=float, device=device)
        self.r = wp.zeros(n, dtype=float, device=device)
        self.row_sq = wp.zeros(ny, dtype=float, device=device)
        self.wx = wp.zeros(ny * (nx + 1), dtype=float, device=device)
        self.wy = wp.zeros((ny + 1) * nx, dtype=float, device=device)
        rows = self.band + 2 * self.halo
        self.scratch = wp.zeros(max(1, self.nbands * 2 * rows * nx), dtype=float, device=device)


class MultigridPoisson:
    """V-cycles of L p = b on a solver's pressure `p` and divergence `b` (the finest level's buffers)."""

    def __init__(self, nx: int, ny: int, params: SmokeParams, launcher: BandLauncher, p, b) -> None:
        self.params = params
        self.launcher = launcher
        self.weighted = False
        # On the CPU a launch's threads run in sequence, so a level gets one band per Python thread;
        # on CUDA bands of 4 rows give one GPU thread per few rows.
        self.coarse_half = max(1, (params.coarse_sweeps + 1) // 2)
        self.levels: list[_Level] = []
        shapes = multigrid_shapes(nx, ny)
        for i, (lx, ly) in enumerate(shapes):
            coarsest = i == len(shapes) - 1
            sweeps = self.coarse_half if coarsest else max(params.pre_sweeps, params.post_sweeps)
            if launcher.cpu:
                nbands = launcher.threads if ly >= max(params.split_rows, params.mg_split_rows) else 1
            else:
                nbands = (ly + 3) // 4
            kw = {"p": p, "b": b} if i == 0 else {}
            self.levels.append(_Level(lx, ly, nbands, sweeps, launcher.device, **kw))

    def set_weights(self, wx: np.ndarray, wy: np.ndarray, weighted: bool) -> None:
        """Fine-level face weights (coarsened onto every level) and whether the weighted Laplacian applies."""
        self.weighted = weighted
        for i, lv in enumerate(self.levels):
            if i > 0:
                wx, wy = coarsen_weights(wx, wy, lv.nx, lv.ny)
            lv.wx.assign(wx.ravel())
            lv.wy.assign(wy.ravel())
        self._record()

    def _jacobi(self, lv: _Level, src, dst, sweeps: int) -> tuple:
        dev = self.launcher.device
        args = [src, lv.b, dst, lv.scratch, lv.wx, lv.wy, int(self.weighted), lv.nx, lv.ny, lv.band, sweeps, lv.halo]
        if self.launcher.cpu and lv.nbands > 1:
            return tuple(
                wp.launch(K.pressure_jacobi, dim=1, inputs=[*args, self.params.omega, t], device=dev, record_cmd=True)
                for t in range(lv.nbands)
            )
        return (
            wp.launch(K.pressure_jacobi, dim=lv.nbands, inputs=[*args, self.params.omega, 0], device=dev, record_cmd=True),
        )

    def _record(self) -> None:
        # The V-cycle touches only fixed per-level buffers, so its launches are recorded once and replayed
        # (a replay costs ~2 us against ~7 us plus Python argument packing for a fresh launch).
        p = self.params
        rec = self.launcher.record
        cpu = self.launcher.cpu
        wf = int(self.weighted)
        stages = []
        lv = self.levels
        for i in range(len(lv) - 1):
            f, c = lv[i], lv[i + 1]
            split = cpu and f.nbands > 1
            stages.append(self._jacobi(f, f.p, f.t, p.pre_sweeps))
            # Residual and restriction fused: each thread computes the two fine residual rows it sums.
            restrict_args = [f.t, f.b, f.r, f.wx, f.wy, wf, f.nx, f.ny, c.b, c.p, c.nx]
            stages.append(rec(K.residual_restrict, c.ny, restrict_args, split=split))
        last = lv[-1]
        stages.append(self._jacobi(last, last.p, last.t, self.coarse_half))
        stages.append(self._jacobi(last, last.t, last.p, self.coarse_half))
        for i in range(len(lv) - 2, -1, -1):
            f, c = lv[i], lv[i + 1]
            stages.append(rec(K.prolong_correct, f.ny, [c.p, c.nx, c.ny, f.t, f.nx], split=cpu and f.nbands > 1))
            stages.append(self._jacobi(f, f.t, f.p, p.post_sweeps))
        self._vcycle = stages
        f = lv[0]
        # The convergence check is a single cheap pass: below 2 * mg_split_rows rows the barrier costs more
        # than the second band saves (measured at 512^2: 71 us on one thread, 99 us on two).
        check_split = cpu and f.nbands > 1 and f.ny >= 2 * p.mg_split_rows
        check_args = [f.p, f.b, f.r, f.row_sq, f.wx, f.wy, wf, f.nx, f.ny, 1]
        self._residual_stage = rec(K.residual, f.ny, check_args, split=check_split)

    def residual_norm(self) -> float:
        """|b - L p| on the finest level."""
        self.launcher.run(self._residual_stage)
        return math.sqrt(float(self.levels[0].row_sq.numpy().astype(np.float64).sum()))

    def solve(self, b_norm: float, last_cycles: int) -> tuple[float, int]:
        """V-cycles from the current pressure until |b - Lp| <= tolerance * b_norm (or the absolute floor, or
        max_cycles); returns (residual norm reached, cycles run). `last_cycles` is the previous solve's count."""
        p = self.params
        top = self.levels[0]
        # Below the absolute floor the right-hand side is float noise and no relative target is reachable.
        floor = p.abs_tolerance * math.sqrt(top.nx * top.ny)
        res = self.residual_norm()
        # When the previous projection needed >= 3 cycles, one cycle will not do: skip the check after
        # the first (it depends only on the previous cycle count, identical in the Warp and NumPy twins).
        skip_first = last_cycles >= 3 and p.max_cycles >= 2
        cycles = 0
        while res > p.tolerance * b_norm and res > floor and cycles < p.max_cycles:
            for stage in self._vcycle:
                self.launcher.run(stage)
            cycles += 1
            if skip_first and cycles == 1:
                continue
            prev, res = res, self.residual_norm()
            if res > prev:
                # Open sides on odd grid sizes put the coarse Dirichlet face half a cell off; should a
                # cycle stop contracting, stop rather than amplify (render grids are kept even).
                break
        return res, cycles
