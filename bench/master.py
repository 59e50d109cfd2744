"""Benchmark: Anima mastering throughput and memory.

1. Encode speed. For 1080p and 4K, SDR H.264 and HDR10 HEVC: `master_film` streaming float frames
   (OCIO colour transform + writer thread + ffmpeg on the pipe) vs ffmpeg alone encoding the very
   same code values read from a raw file (`-f rawvideo`, same filters and encoder settings), in the
   same run, interleaved, best of two each. The frame source pans across a pre-rendered textured gradient with emissive highlights
   (a slice per frame), so rendering costs nothing and content moves.
2. Memory. Peak RSS of a 1-minute and a 3-minute film (24 fps) mastered from a generator of
   synthetic moving-gradient frames at 640x360 (low resolution so the long films finish in minutes;
   the streaming design does not depend on size), each in a fresh process: the Python process's own
   peak RSS and ffmpeg's (/proc VmHWM). Equal within 10 % means memory does not grow with film length.

Prints a table and writes bench/results/master.json. Usage: python bench/master.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from talos_assets.agents import mastering as m  # noqa: E402
from talos_assets.agents.mastering import Deliverable  # noqa: E402

FPS = 24
PAN = 24  # pixels the camera pans per frame


def panorama(width: int, height: int, frames: int) -> np.ndarray:
    """A wide float32 scene: a colour gradient with film-grain-like texture and emissive blobs."""
    rng = np.random.default_rng(7)
    w = width + PAN * frames
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    pano = np.empty((height, w, 3), np.float32)
    pano[..., 0] = 0.05 + 0.6 * xs * (1 - 0.5 * ys)
    pano[..., 1] = 0.05 + 0.5 * ys
    pano[..., 2] = 0.05 + 0.4 * (1 - xs) * ys
    pano *= 1.0 + 0.15 * rng.standard_normal((height, w, 1), dtype=np.float32)
    for _ in range(max(4, w // 300)):  # fire-like emissive spots, up to 6x diffuse white
        cx, cy, r = rng.integers(0, w), rng.integers(0, height), rng.integers(height // 30, height // 8)
        y0, y1, x0, x1 = max(0, cy - r), min(height, cy + r), max(0, cx - r), min(w, cx + r)
        gy, gx = np.ogrid[y0:y1, x0:x1]
        fall = np.exp(-(((gx - cx) ** 2 + (gy - cy) ** 2) / (0.3 * r * r))).astype(np.float32)
        pano[y0:y1, x0:x1] += fall[..., None] * np.array([6.0, 3.0, 0.8], np.float32)
    return pano


def pan_frames(pano: np.ndarray, width: int, frames: int):
    for i in range(frames):
        yield pano[:, i * PAN : i * PAN + width]


def encode_speed(deliverable: Deliverable, width: int, height: int, frames: int, ffmpeg: str, work: Path,
                 repeats: int = 2) -> dict:
    """Best of `repeats` interleaved runs each (the 2 cores are shared with other work, so single
    runs are noisy; interleaving exposes both sides to the same background load)."""
    pano = panorama(width, height, frames)
    # HDR: content light given (as when known), so neither side pays for a pre-pass.
    light = (1000, 400) if deliverable is Deliverable.HDR10_HEVC else None
    raw = work / f"frames_{deliverable.value}_{height}.raw"
    with open(raw, "wb") as fh:  # the very code values the pipeline produces
        for f in pan_frames(pano, width, frames):
            fh.write(m.display_encode(f, deliverable).tobytes())
    hdr = m.x265_hdr_params(m.HDR_PEAK_NITS, *light) if light else None
    argv = m.ffmpeg_argv(deliverable, ffmpeg, width, height, Fraction(FPS), None, frames, None, None, hdr,
                         work / f"alone_{deliverable.value}_{height}.mp4")
    argv[argv.index("pipe:0")] = f"file:{raw}"
    pipeline, alone = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        m.master_film(pan_frames(pano, width, frames), work / f"pipe_{deliverable.value}_{height}.mp4", deliverable,
                      FPS, width, height, ffmpeg_exe=ffmpeg, frame_count=frames, content_light=light)
        pipeline.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)
        alone.append(time.perf_counter() - t0)
    raw.unlink()
    return {
        "deliverable": deliverable.value, "resolution": f"{width}x{height}", "frames": frames, "repeats": repeats,
        "pipeline_fps": round(frames / min(pipeline), 2), "ffmpeg_alone_fps": round(frames / min(alone), 2),
        "ratio": round(min(alone) / min(pipeline), 3),
        "pipeline_s_all": [round(t, 2) for t in pipeline], "ffmpeg_alone_s_all": [round(t, 2) for t in alone],
    }


def _status_kb(pid: int | str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children() -> list[str]:
    pids = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            pass
    return pids


def child_film(seconds: int, deliverable: str, out: str, ffmpeg: str) -> None:
    """Runs in a fresh process: master a synthetic film, print peak RSS (self and ffmpeg) as JSON.

    Peaks come from /proc VmHWM (per address space, so a parent's size inherited through fork/exec
    does not count, unlike ru_maxrss); ffmpeg's is read by a sampler thread every 0.1 s."""
    import threading

    width, height = 640, 360
    n = seconds * FPS
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]

    def moving_gradient():
        for i in range(n):
            t = i / FPS
            f = np.empty((height, width, 3), np.float32)
            f[..., 0] = 0.5 + 0.5 * np.sin(6.0 * xs + t)
            f[..., 1] = 0.5 + 0.5 * np.sin(4.0 * ys - 0.7 * t)
            f[..., 2] = 0.3 * xs * ys
            x = int((i * 7) % (width - 40))
            f[150:190, x : x + 40] = 5.0  # an emissive spot crossing the frame
            yield f

    ffmpeg_peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            for pid in _children():
                ffmpeg_peak[0] = max(ffmpeg_peak[0], _status_kb(pid, "VmHWM"))

    sampler = threading.Thread(target=sample, daemon=True)
    baseline = _status_kb("self", "VmRSS")
    sampler.start()
    t0 = time.perf_counter()
    facts = m.master_film(moving_gradient(), out, deliverable, FPS, width, height, ffmpeg_exe=ffmpeg, frame_count=n,
                          content_light=(1000, 400) if deliverable == Deliverable.HDR10_HEVC.value else None)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    print(json.dumps({
        "python_rss_before_mb": round(baseline / 1024, 1),
        "python_peak_rss_mb": round(_status_kb("self", "VmHWM") / 1024, 1),
        "ffmpeg_peak_rss_mb": round(ffmpeg_peak[0] / 1024, 1),
        "frames": n, "duration_s": facts.duration_s, "seconds": round(wall, 1), "fps": round(n / wall, 1),
    }))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer frames, 20 s / 60 s films")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "master.json"))
    parser.add_argument("--child-film", nargs=3, metavar=("SECONDS", "DELIVERABLE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    if args.child_film:
        child_film(int(args.child_film[0]), args.child_film[1], args.child_film[2], ffmpeg)
        return

    started = time.perf_counter()
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="talos-master-bench-"))
    scale = 0.5 if args.quick else 1.0
    cases = [  # (deliverable, width, height, frames): sized so each encode takes a few seconds here
        (Deliverable.SDR_H264, 1920, 1080, 96), (Deliverable.HDR10_HEVC, 1920, 1080, 48),
        (Deliverable.SDR_H264, 3840, 2160, 24), (Deliverable.HDR10_HEVC, 3840, 2160, 12),
    ]
    speed = []
    for deliverable, w, h, n in cases:
        row = encode_speed(deliverable, w, h, max(6, int(n * scale)), ffmpeg, work)
        speed.append(row)
        print(f"{row['deliverable']:<11} {row['resolution']:>9} {row['frames']:>4} frames  pipeline "
              f"{row['pipeline_fps']:6.2f} fps  ffmpeg alone {row['ffmpeg_alone_fps']:6.2f} fps  ratio {row['ratio']:.2f}",
              flush=True)

    memory = []
    lengths = (20, 60) if args.quick else (60, 180)
    for deliverable in (Deliverable.SDR_H264, Deliverable.HDR10_HEVC):
        for seconds in lengths:
            out = work / f"long_{deliverable.value}_{seconds}.mp4"
            res = subprocess.run([sys.executable, __file__, "--child-film", str(seconds), deliverable.value, str(out)],
                                 check=True, capture_output=True, text=True)
            row = {"deliverable": deliverable.value, "film_s": seconds, "resolution": "640x360",
                   **json.loads(res.stdout.strip().splitlines()[-1])}
            memory.append(row)
            out.unlink(missing_ok=True)
            print(f"{row['deliverable']:<11} {seconds:>4} s film ({row['frames']} frames, {row['fps']} fps)  "
                  f"python peak RSS {row['python_peak_rss_mb']} MB  ffmpeg peak RSS {row['ffmpeg_peak_rss_mb']} MB",
                  flush=True)
    growth = {}
    for deliverable in (Deliverable.SDR_H264, Deliverable.HDR10_HEVC):
        short, long = (r for r in memory if r["deliverable"] == deliverable.value)
        growth[deliverable.value] = {
            "python_rss_ratio_long_over_short": round(long["python_peak_rss_mb"] / short["python_peak_rss_mb"], 3),
            "ffmpeg_rss_ratio_long_over_short": round(long["ffmpeg_peak_rss_mb"] / short["ffmpeg_peak_rss_mb"], 3),
        }
    print("RSS long/short:", json.dumps(growth))
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "ffmpeg": ffmpeg, "quick": args.quick, "encode_speed": speed, "memory": memory, "rss_growth": growth,
        "notes": "ratio = pipeline fps / ffmpeg-alone fps on the same code values. Memory films are synthetic "
                 "moving gradients at 640x360, 24 fps, one fresh process each. Other work may share the 2 cores.",
        "load_average_at_start": [round(v, 2) for v in load_before],
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out} in {result['bench_seconds']} s")
    for p in work.iterdir():
        p.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
