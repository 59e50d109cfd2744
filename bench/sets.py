"""Benchmark of Aether's set plates: ms per plate at 1080p and 4K, painted and from the cache.

For a few sets (outdoor, city, interior) at dusk, each resolution is timed three ways: `paint` is the
painter alone (`sets.paint_set`); `cold` is Raygen's first request (`defs.paint.background_plate` on an
empty vault: paint, encode the 16-bit PNG, store in Aether, decode); `cached` is every later request
of the same shot (read from Aether and decode, no painting). `paint` is also measured in process CPU
time, since the machine may be shared; the load average is recorded per row. Each configuration runs
`--repeats` times (a fresh vault per cold run) and the median is kept. Prints a table and writes
bench/results/sets.json. Usage: `python bench/sets.py [--repeats 3] [--sets hills shore city-street bar]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import cv2

from resources.aether import AetherResource
from talos_assets.agents import sets
from talos_assets.defs.paint import background_plate
from talos_assets.spec import CameraMove, Emotion, Palette, ShotPlan, ShotSize
from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.world_spec import Setting

RESULTS = Path(__file__).resolve().parent / "results" / "sets.json"
RESOLUTIONS = {"1080p": (1920, 1080), "4K": (3840, 2160)}
PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])


def _shot(set_id: str, width: int, height: int) -> ShotPlan:
    return ShotPlan(
        film_id="bench", shot_id="plate", slot="s001", index=0, description="a plate", emotion=Emotion.calm,
        valence=0.0, arousal=0.0, shot_size=ShotSize.wide, camera=CameraMove.static, duration=1.0, frames=1,
        handle_frames=0, fps=24, width=width, height=height, characters=[], effects=[], palette=PALETTE,
        background=set_id, setting=Setting(place=set_id, time_of_day="dusk"),
    )


def run_once(set_id: str, width: int, height: int) -> dict:
    shot = _shot(set_id, width, height)
    spec = sets.load_set(set_id)
    t0, c0 = time.perf_counter(), time.process_time()
    sets.paint_set(spec, shot.setting, PALETTE, width, height, seed=0)
    paint_ms, paint_cpu_ms = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
    with tempfile.TemporaryDirectory(prefix="bench-sets-") as tmp:
        aether = AetherResource(url=tmp)
        t0 = time.perf_counter()
        background_plate(aether, shot)
        cold_ms = (time.perf_counter() - t0) * 1e3
        t0 = time.perf_counter()
        background_plate(aether, shot)
        cached_ms = (time.perf_counter() - t0) * 1e3
    return {"paint_ms": paint_ms, "paint_cpu_ms": paint_cpu_ms, "cold_ms": cold_ms, "cached_ms": cached_ms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sets", nargs="+", default=["hills", "shore", "city-street", "forest", "bar"])
    args = ap.parse_args()
    run_once("hills", 320, 180)  # warm-up: imports, set cache, OpenCV
    rows = []
    for res, (w, h) in RESOLUTIONS.items():
        for set_id in args.sets:
            runs = [run_once(set_id, w, h) for _ in range(args.repeats)]
            med = {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]}
            row = {"resolution": res, "width": w, "height": h, "set": set_id, **med,
                   "load_avg_1min": round(os.getloadavg()[0], 2)}
            rows.append(row)
            print(f"{res:>5} {set_id:<12} paint {row['paint_ms']:7.1f} ms (CPU {row['paint_cpu_ms']:7.1f})  "
                  f"cold {row['cold_ms']:7.1f} ms  cached {row['cached_ms']:6.1f} ms  [load {row['load_avg_1min']}]", flush=True)
    out = {
        "benchmark": "set plates per shot: painted, first request (paint + store in Aether), cached (read from Aether)",
        "time_of_day": "dusk", "palette": PALETTE.name, "repeats": args.repeats, "statistic": "median",
        "painter_version": sets.PAINTER_VERSION,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "opencv": cv2.__version__},
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
