"""Benchmark of Stokes' fluid step: Warp kernels (CPU, and CUDA when present) against the NumPy reference.

Both run the identical step (MacCormack advection of velocity, density and temperature; vorticity
confinement and buoyancy; one emitter; multigrid V(4,4) projection to a relative residual of 1e-4, warm
started from the previous pressure; V(4,4) needs 3 cycles where V(2,2) needs 4-5, for both) on square closed-box grids, after a few warm-up steps so the plume
and the kernel cache are in place. Printed per size: ms/step (mean, and the median step) for Warp and NumPy in the same run and
their ratio, mean V-cycles, ms for the projection alone to reach a divergence residual of 1e-4 from a
cold start (p = 0), and the effective memory bandwidth of the Warp step: the bytes each phase must move
at least once (a per-phase count of float32 arrays read and written per cell, see `BYTES_PER_CELL`)
over its time. Writes bench/results/stokes.json.
Warp on the CPU is timed with two row-band threads and with one, in the same run; the load average
is recorded before and after (the VM is shared: numbers taken at load > 1.5 are pessimistic).
Usage: `python bench/stokes.py [--sizes 256 512 1024] [--steps 10] [--threads 2]`.
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
# float32 arrays touched per cell: MacCormack u, v (13 each) and cells (24), vorticity + confinement +
# forces (14), divergence (3), projection (5); per V-cycle ~24 (fine level x 4/3 for the coarse ones)
# plus 3 for the residual check.
BYTES_PER_CELL_FIXED = 4 * (13 + 13 + 24 + 14 + 3 + 5 + 3)
BYTES_PER_CELL_CYCLE = 4 * (24 + 3)


def _setup(solver, n: int) -> None:
    solver.add_emitter(n * 0.5, n * 0.85, n / 32, density_rate=4.0, temperature_rate=4.0, speed=n / 4, jitter=0.5)


def _sync(solver) -> None:
    if getattr(solver, "device", "cpu") != "cpu":
        wp.synchronize_device(solver.device)


def time_solver(make, n: int, steps: int, warmup: int, dt: float) -> dict:
    solver = make()
    _setup(solver, n)
    for _ in range(warmup):
        solver.step(dt)
    _sync(solver)
    cycles = []
    per_step = []
    t0 = time.perf_counter()
    for _ in range(steps):
        t1 = time.perf_counter()
        solver.step(dt)
        _sync(solver)
        per_step.append(time.perf_counter() - t1)
        cycles.append(solver.last_cycles)
    _sync(solver)
    ms = (time.perf_counter() - t0) * 1e3 / steps
    # Projection alone from a cold start, on the divergence the last step left before projecting.
    u, v = solver.velocity_numpy()
    rng = np.random.default_rng(0)
    solver.set_fields(u + rng.standard_normal(u.shape).astype(np.float32), v)
    solver.reset_pressure()
    _sync(solver)
    t0 = time.perf_counter()
    solver.project()
    _sync(solver)
    proj_ms = (time.perf_counter() - t0) * 1e3
    mean_cycles = float(np.mean(cycles))
    out = {
        "ms_per_step": round(ms, 3),
        "ms_per_step_median": round(float(np.median(per_step)) * 1e3, 3),
        "mean_cycles": mean_cycles,
        "residual": solver.last_residual,
        "ms_to_1e-4": round(proj_ms, 3),
        "cycles_to_1e-4": solver.last_cycles,
    }
    gbytes = n * n * (BYTES_PER_CELL_FIXED + mean_cycles * BYTES_PER_CELL_CYCLE) / 1e9
    out["effective_GBps"] = round(gbytes / (ms / 1e3), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2, help="CPU row bands on Python threads (1 or 2)")
    ap.add_argument("--numpy-max", type=int, default=1024, help="skip the NumPy reference above this size")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    wp.config.quiet = True
    wp.init()
    devices = ["cpu"] + (["cuda:0"] if wp.is_cuda_available() else [])
    rows = []
    for n in args.sizes:
        # Buoyancy, confinement and speed scale with the grid so every size sees the same flow in frame units.
        kw = dict(buoyancy=2.5 * n, vorticity=0.1 * n, tolerance=1e-4, max_cycles=12, pre_sweeps=4, post_sweeps=4)
        p = SmokeParams(**kw, threads=args.threads)
        dt = 1.0 / 48.0
        row = {"grid": n, "loadavg_before": os.getloadavg()[0]}
        for dev in devices:
            row[f"warp_{dev}"] = time_solver(lambda: SmokeSolver(n, n, device=dev, seed=1, params=p), n, args.steps, args.warmup, dt)
        if args.threads > 1:
            p1 = SmokeParams(**kw, threads=1)
            row["warp_cpu_1thread"] = time_solver(lambda: SmokeSolver(n, n, device="cpu", seed=1, params=p1), n, args.steps, args.warmup, dt)
        if n <= args.numpy_max:
            row["numpy"] = time_solver(lambda: ReferenceSmokeSolver(n, n, seed=1, params=p), n, args.steps, args.warmup, dt)
            row["numpy_over_warp_cpu"] = round(row["numpy"]["ms_per_step"] / row["warp_cpu"]["ms_per_step"], 2)
            row["numpy_over_warp_cpu_median"] = round(
                row["numpy"]["ms_per_step_median"] / row["warp_cpu"]["ms_per_step_median"], 2
            )
        row["loadavg_after"] = os.getloadavg()[0]
        rows.append(row)
        print(f"{n}^2 done", flush=True)

    header = (
        f"{'grid':>6} | {'warp cpu ms':>11} | {'median':>6} | {'1 thread':>8} | {'numpy ms':>9} | {'numpy/warp':>10} | {'cycles':>6} | "
        f"{'warp ms to 1e-4':>15} | {'numpy ms to 1e-4':>16} | {'warp GB/s':>9}"
    )
    if "cuda:0" in devices:
        header += f" | {'cuda ms':>8} | {'cuda ms to 1e-4':>15}"
    print(header)
    print("-" * len(header))
    nan = float("nan")
    for r in rows:
        w, npy = r["warp_cpu"], r.get("numpy", {})
        line = (
            f"{r['grid']:>4}^2 | {w['ms_per_step']:>11.2f} | {w['ms_per_step_median']:>6.2f} | {r.get('warp_cpu_1thread', {}).get('ms_per_step', nan):>8.2f} | {npy.get('ms_per_step', nan):>9.2f} | "
            f"{r.get('numpy_over_warp_cpu', nan):>9.2f}x ({r.get('numpy_over_warp_cpu_median', nan):.2f}x med) | {w['mean_cycles']:>6.1f} | {w['ms_to_1e-4']:>15.2f} | "
            f"{npy.get('ms_to_1e-4', nan):>16.2f} | {w['effective_GBps']:>9.1f} | load {r['loadavg_before']:.2f}"
        )
        if "cuda:0" in devices:
            c = r["warp_cuda:0"]
            line += f" | {c['ms_per_step']:>8.2f} | {c['ms_to_1e-4']:>15.2f}"
        print(line)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "benchmark": "stokes step (MacCormack advection + vorticity confinement + buoyancy + emitter + "
        "multigrid V(4,4) projection to 1e-4, warm start); ms_to_1e-4 = projection alone from p = 0",
        "warp": wp.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "threads": args.threads,
        "steps": args.steps,
        "results": rows,
    }
    args.out.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
