"""Benchmark of Stokes' smoke step: Warp kernels (CPU, and CUDA when present) against the NumPy reference.

Both run the identical stable-fluids step (RK2 semi-Lagrangian advection, buoyancy, one emitter, multigrid
V(2,2) projection to a relative residual of 1e-3) on square grids, after a few warm-up steps so the plume
and the kernel cache are in place. Prints ms/step and the NumPy/Warp ratio, and writes
bench/results/stokes.json. Usage: `python bench/stokes.py [--sizes 256 512 1024] [--steps 10]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import warp as wp

from talos_assets.agents.effects.reference import ReferenceSmokeSolver
from talos_assets.agents.effects.solver import SmokeParams, SmokeSolver

RESULTS = Path(__file__).resolve().parent / "results" / "stokes.json"


def _setup(solver, n: int) -> None:
    solver.add_emitter(n * 0.5, n * 0.85, n / 32, density_rate=4.0, temperature_rate=4.0, speed=n / 4, jitter=0.5)


def time_solver(make, n: int, steps: int, warmup: int, dt: float) -> dict:
    solver = make()
    _setup(solver, n)
    for _ in range(warmup):
        solver.step(dt)
    cycles = []
    t0 = time.perf_counter()
    for _ in range(steps):
        solver.step(dt)
        cycles.append(solver.last_cycles)
    if getattr(solver, "device", "cpu") != "cpu":
        wp.synchronize_device(solver.device)
    ms = (time.perf_counter() - t0) * 1e3 / steps
    return {"ms_per_step": round(ms, 3), "mean_cycles": float(np.mean(cycles)), "residual": solver.last_residual}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--numpy-max", type=int, default=1024, help="skip the NumPy reference above this size")
    args = ap.parse_args()
    wp.init()
    devices = ["cpu"] + (["cuda:0"] if wp.is_cuda_available() else [])
    rows = []
    for n in args.sizes:
        # Buoyancy and speed scale with the grid so every size sees the same flow in frame units.
        p = SmokeParams(buoyancy=2.5 * n, tolerance=1e-3)
        dt = 1.0 / 48.0
        row = {"grid": n}
        for dev in devices:
            row[f"warp_{dev}"] = time_solver(lambda: SmokeSolver(n, n, device=dev, seed=1, params=p), n, args.steps, args.warmup, dt)
        if n <= args.numpy_max:
            row["numpy"] = time_solver(lambda: ReferenceSmokeSolver(n, n, seed=1, params=p), n, args.steps, args.warmup, dt)
            row["numpy_over_warp_cpu"] = round(row["numpy"]["ms_per_step"] / row["warp_cpu"]["ms_per_step"], 2)
        rows.append(row)

    header = f"{'grid':>6} | {'warp cpu ms':>11} | {'numpy ms':>9} | {'numpy/warp':>10} | {'MG cycles':>9}"
    if "cuda:0" in devices:
        header += f" | {'warp cuda ms':>12}"
    print(header)
    print("-" * len(header))
    for r in rows:
        line = (
            f"{r['grid']:>4}^2 | {r['warp_cpu']['ms_per_step']:>11.2f} | "
            f"{r.get('numpy', {}).get('ms_per_step', float('nan')):>9.2f} | "
            f"{r.get('numpy_over_warp_cpu', float('nan')):>9.2f}x | {r['warp_cpu']['mean_cycles']:>9.1f}"
        )
        if "cuda:0" in devices:
            line += f" | {r['warp_cuda:0']['ms_per_step']:>12.2f}"
        print(line)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "benchmark": "stokes smoke step (advection RK2 + buoyancy + emitter + multigrid projection, tol 1e-3)",
        "warp": wp.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "steps": args.steps,
        "results": rows,
    }
    RESULTS.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
