"""Benchmark of Axis + Flux per frame: key poses, pose-space inbetweens and line art, 1-3 characters.

For each resolution (1080p, 4K) and cast size (1, 2, 3 characters) a walking shot is planned
(`plan_key_poses`), inbetweened (`inbetween_poses`) and every frame drawn (`draw_line_art`), once
frame by frame on one thread and once with `draw_line_art_sequence` overlapping two frames on two
threads. Poses are timed separately (per frame, amortised over the shot). Each configuration runs
`--repeats` times and the median is kept; because the machine may be shared, the single-thread
draw is also measured in thread CPU time (fps_cpu) and the load average is recorded per row. Prints a table and
writes bench/results/axis.json. Usage: `python bench/axis.py [--frames 48] [--repeats 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import cv2

from talos_assets.agents import inbetweening, key_animation
from talos_assets.spec import CameraMove, Emotion, Palette, ShotPlan, ShotSize

RESULTS = Path(__file__).resolve().parent / "results" / "axis.json"
CAST = ["talos", "mira", "pip"]
RESOLUTIONS = {"1080p": (1920, 1080), "4K": (3840, 2160)}


def _shot(n_chars: int, frames: int, width: int, height: int) -> ShotPlan:
    return ShotPlan(
        film_id="bench", shot_id="walk", slot="s001", index=0, description="they walk across the square",
        emotion=Emotion.joy, valence=0.8, arousal=0.5, shot_size=ShotSize.wide, camera=CameraMove.static,
        duration=frames / 24, frames=frames, handle_frames=0, fps=24, width=width, height=height,
        characters=CAST[:n_chars], effects=[], palette=Palette.from_hex_list("p", ["#000000"]), seed=1,
    )


def run_once(n_chars: int, width: int, height: int, frames: int) -> dict:
    shot = _shot(n_chars, frames, width, height)
    t0 = time.perf_counter()
    keys = key_animation.plan_key_poses(shot)
    poses = inbetweening.inbetween_poses(keys, shot.total_frames)
    pose_ms = (time.perf_counter() - t0) * 1e3 / frames
    rigs = {c: key_animation.load_rig(c) for c in poses}
    scenes = [[(rigs[c], poses[c][f]) for c in poses] for f in range(frames)]
    t0, c0 = time.perf_counter(), time.thread_time()
    for s in scenes:
        key_animation.draw_line_art(s, width, height)
    serial_ms = (time.perf_counter() - t0) * 1e3 / frames
    # CPU time of this thread: what a frame costs when the machine is not shared with other jobs.
    cpu_ms = (time.thread_time() - c0) * 1e3 / frames
    t0 = time.perf_counter()
    for _ in key_animation.draw_line_art_sequence(scenes, width, height, workers=2):
        pass
    threaded_ms = (time.perf_counter() - t0) * 1e3 / frames
    return {"pose_ms": pose_ms, "draw_ms": serial_ms, "draw_cpu_ms": cpu_ms, "draw_ms_2threads": threaded_ms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    run_once(1, 640, 360, 4)  # warm-up: imports, rig cache, OpenCV
    rows = []
    for res, (w, h) in RESOLUTIONS.items():
        for n in (1, 2, 3):
            runs = [run_once(n, w, h, args.frames) for _ in range(args.repeats)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            row = {
                "resolution": res, "width": w, "height": h, "characters": n,
                "pose_ms": round(med["pose_ms"], 3), "draw_ms": round(med["draw_ms"], 3),
                "draw_cpu_ms": round(med["draw_cpu_ms"], 3), "draw_ms_2threads": round(med["draw_ms_2threads"], 3),
                "fps": round(1e3 / (med["pose_ms"] + med["draw_ms"]), 1),
                "fps_2threads": round(1e3 / (med["pose_ms"] + med["draw_ms_2threads"]), 1),
                "fps_cpu": round(1e3 / (med["pose_ms"] + med["draw_cpu_ms"]), 1),
                "load_avg_1min": round(os.getloadavg()[0], 2),
            }
            rows.append(row)
            print(f"{res:>5} {n} char  poses {row['pose_ms']:6.2f} ms  line art {row['draw_ms']:6.2f} ms "
                  f"({row['draw_ms_2threads']:6.2f} ms on 2 threads)  ->  {row['fps']:6.1f} fps "
                  f"({row['fps_2threads']:6.1f} fps); CPU {row['draw_cpu_ms']:6.2f} ms -> {row['fps_cpu']:6.1f} fps  "
                  f"[load {row['load_avg_1min']}]", flush=True)
    out = {
        "benchmark": "axis+flux poses and line art per frame (walking shot)",
        "frames": args.frames, "repeats": args.repeats, "statistic": "median",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "opencv": cv2.__version__},
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
