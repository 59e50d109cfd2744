"""Protoforge bench: training throughput of each lab model on CPU, and Flux's registered in-betweener
against a linear blend and OpenCV DIS optical flow (Kroeger et al. 2016; PRESET_FAST and
PRESET_MEDIUM, both frames warped halfway along the flow and averaged: Flux's fallback without a
model) on ground-truth triplets the pipeline rendered, all in one run: PSNR, SSIM (Wang et al.
2004, Gaussian 11x11, sigma 1.5, on RGB) and ms per frame at 720p and 1080p.

The training studio is one a pipeline run left behind (`--studio`, e.g. the home bench/scale.py
renders), or a story forged here on a fresh home (`--story`, `--width/--height`). Its Ichor is
copied, never written. Each model trains briefly through protoforge.train with MLflow in a temp
folder; the registered in-betweener is then loaded by alias (`@champion`, hash-verified) and scored.
With `--heldout-studio` (e.g. the 1280x720 Bronze Heart home bench/film.py renders) the scored
triplets come from films the lab never trained on, spread over all their shots; without it they
are the tail of every trained shot (protoforge's own held-out split). A 1080p row scores frames
upscaled (bicubic) from the renders when the render is smaller: its timings are real, its quality
numbers then describe upscaled content and are flagged so.

The figures in bench/results/protoforge.json (about 4 minutes on 2 shared CPU cores): Ember Pulse
forged at 384x216 to train on, The Bronze Heart forged at 384x216 held out, scored at render size:

    .venv/bin/python bench/protoforge.py --studio EMBER_HOME --heldout-studio BRONZE_HOME --skip-echo \
        --steps 0 --sizes --frames-per-shot 48 --flux-epochs 16 --triplets 24
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}


# ---- baselines and metrics ------------------------------------------------------------------------
def blend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 0.5 * (a + b)


def dis_midframe(a: np.ndarray, b: np.ndarray, preset: int) -> np.ndarray:
    """DIS flow both ways on luma, each frame warped halfway towards the middle, the two averaged."""
    import cv2

    ga, gb = (cv2.cvtColor((x * 255).astype(np.uint8), cv2.COLOR_RGB2GRAY) for x in (a, b))
    dis = cv2.DISOpticalFlow_create(preset)
    f_ab, f_ba = dis.calc(ga, gb, None), dis.calc(gb, ga, None)
    h, w = ga.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    # the middle pixel y came from a at y - f/2 and from b at y + f/2 (flow sampled at y: the usual
    # first-order approximation of the flow at the middle frame)
    mid_a = cv2.remap(a, gx - 0.5 * f_ab[..., 0], gy - 0.5 * f_ab[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    mid_b = cv2.remap(b, gx - 0.5 * f_ba[..., 0], gy - 0.5 * f_ba[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return 0.5 * (mid_a + mid_b)


def psnr(x: np.ndarray, y: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / max(float(np.mean((np.clip(x, 0, 1) - y) ** 2)), 1e-12)))


def ssim(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM over the RGB channels, Gaussian window sigma 1.5 (Wang et al. 2004), data range 1."""
    import cv2

    x, y = np.clip(x, 0, 1).astype(np.float64), y.astype(np.float64)
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    g = lambda img: cv2.GaussianBlur(img, (11, 11), 1.5)  # noqa: E731
    mx, my = g(x), g(y)
    sxx, syy, sxy = g(x * x) - mx * mx, g(y * y) - my * my, g(x * y) - mx * my
    ssim_map = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(ssim_map.mean())


# ---- data -----------------------------------------------------------------------------------------
def copy_studio(studio: Path, work: Path) -> str:
    """Ichor copied into `work` (the frames stay where the pipeline wrote them; render_dirs are absolute)."""
    shutil.copy2(studio / "ichor.db", work / "ichor.db")
    return f"sqlite:///{work / 'ichor.db'}"


def forge_studio(story: Path, width: int, height: int) -> Path:
    # bench/ is on the path as the script's folder, after the repository: inserting it first would make
    # `protoforge` this script rather than the lab's package
    from common import story_on_fresh_studio
    from rich.console import Console

    from talos_assets.forge import check_story, forge_film
    from talos_assets.settings import studio_settings

    story_path = story_on_fresh_studio(story, width, height, prefix="talos-protoforge-")
    forge_film(check_story(story_path, studio_settings()), console=Console(stderr=True, quiet=True))
    return Path(os.environ["TALOS_HOME"])


def held_out_triplets(ichor_url: str, k: int, max_centers: int = 64, val_fraction: float = 0.2) -> list[np.ndarray]:
    """`k` held-out triplets (the FluxTripletsDataModule split), spread over the shots, at render size,
    display sRGB as float (3, H, W, 3) in [0, 1]."""
    from protoforge.data.shot_frames import evenly, rendered_shots, triplet_split
    from talos_assets.agents.frames import read_layer_png, to_display_rgb8
    from talos_assets.stores.ichor import IchorVault

    picks = []
    for shot in rendered_shots(IchorVault(ichor_url, create=False)):
        _, val_c = triplet_split(len(shot.frame_paths), max_centers, val_fraction)
        picks += [(shot, int(c)) for c in val_c]
    out = []
    for i in evenly(len(picks), k):
        shot, c = picks[int(i)]
        out.append(np.stack([to_display_rgb8(read_layer_png(shot.frame_paths[c + d])).astype(np.float32) / 255.0
                             for d in (-1, 0, 1)]))
    return out


def unseen_film_triplets(ichor_url: str, k: int) -> list[np.ndarray]:
    """`k` triplets spread evenly over every shot of a studio the lab did not train on, at render
    size, display sRGB as float (3, H, W, 3) in [0, 1]."""
    from protoforge.data.shot_frames import evenly, rendered_shots
    from talos_assets.agents.frames import read_layer_png, to_display_rgb8
    from talos_assets.stores.ichor import IchorVault

    picks = [(shot, c) for shot in rendered_shots(IchorVault(ichor_url, create=False))
             for c in range(1, len(shot.frame_paths) - 1)]
    return [np.stack([to_display_rgb8(read_layer_png(shot.frame_paths[c + d])).astype(np.float32) / 255.0
                      for d in (-1, 0, 1)])
            for shot, c in (picks[int(i)] for i in evenly(len(picks), k))]


def at_size(triplet: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    if triplet.shape[1:3] == (size[1], size[0]):
        return triplet
    return np.stack([np.clip(cv2.resize(f, size, interpolation=cv2.INTER_CUBIC), 0, 1) for f in triplet])


# ---- training -------------------------------------------------------------------------------------
def throughput(agent: str, ichor_url: str, image_size: int, batch_size: int, steps: int, frames: int) -> dict:
    """Training samples per second of one optimiser step loop (forward, backward, step) on CPU."""
    import torch

    from protoforge.config import TrainConfig
    from protoforge.train import build_datamodule, build_module

    cfg = TrainConfig(agent=agent, ichor_url=ichor_url, image_size=image_size, batch_size=batch_size,
                      max_frames_per_shot=frames)
    dm = build_datamodule(cfg)
    dm.setup("fit")
    module = build_module(cfg)
    optimizer = torch.optim.AdamW(module.net.parameters(), lr=cfg.resolved_lr())
    batches = iter(dm.train_dataloader())
    module.train()
    times = []
    for step in range(steps + 1):
        try:
            batch = next(batches)
        except StopIteration:
            batches = iter(dm.train_dataloader())
            batch = next(batches)
        t0 = time.perf_counter()
        if agent == "flux":
            prev, mid, nxt, *flows = batch  # training triplets carry their DIS flows
            loss = torch.nn.functional.l1_loss(module.net(prev, nxt, *flows), mid)
        else:
            loss = module.model_step(batch)[0]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step:  # the first step warms allocators and kernels
            times.append(time.perf_counter() - t0)
    return {"agent": agent, "image_size": image_size, "batch_size": batch_size, "steps": steps,
            "samples_per_s": round(batch_size * len(times) / sum(times), 1), "n_train": dm.n_train,
            "parameters": sum(p.numel() for p in module.net.parameters())}


def train_and_register(agent: str, ichor_url: str, work: Path, epochs: int, image_size: int, frames: int,
                       lr: float | None = None, seed: int = 0) -> dict:
    from protoforge.config import TrainConfig
    from protoforge.train import train

    cfg = TrainConfig(agent=agent, ichor_url=ichor_url, mlflow_tracking_uri=f"sqlite:///{work / 'mlflow.db'}",
                      mlflow_artifact_location=(work / "artifacts").as_uri(), max_epochs=epochs, lr=lr,
                      image_size=image_size, experiment_name=f"bench-{agent}", max_frames_per_shot=frames, seed=seed)
    t0 = time.perf_counter()
    result = train(cfg)
    wall = time.perf_counter() - t0
    return {"agent": agent, "epochs": epochs, "image_size": image_size, "lr": cfg.resolved_lr(), "wall_s": round(wall, 1),
            "parameters": sum(p.numel() for p in result.net.parameters()),
            "n_train": result.n_train, "n_val": result.n_val, "version": result.version, "alias": result.alias,
            "metrics": {k: round(v, 4) if math.isfinite(v) else None for k, v in sorted(result.metrics.items())}}


# ---- evaluation -----------------------------------------------------------------------------------
def methods(model) -> dict:
    import cv2

    from protoforge.models.components.interpolator import interpolate_midframe

    return {
        "linear blend": blend,
        "DIS FAST": lambda a, b: dis_midframe(a, b, cv2.DISOpticalFlow_PRESET_FAST),
        "DIS MEDIUM": lambda a, b: dis_midframe(a, b, cv2.DISOpticalFlow_PRESET_MEDIUM),
        "Flux learned (@champion)": lambda a, b: interpolate_midframe(model, a, b),
    }


def evaluate(model, triplets: list[np.ndarray], size_name: str, size: tuple[int, int], upscaled: bool) -> list[dict]:
    rows = []
    for name, fn in methods(model).items():
        scores, ms = [], []
        for t in triplets:
            prev, mid, nxt = at_size(t, size)
            t0 = time.perf_counter()
            pred = fn(prev, nxt)
            ms.append(1000 * (time.perf_counter() - t0))
            scores.append((psnr(pred, mid), ssim(pred, mid)))
        p, s = np.array(scores).T
        rows.append({"size": size_name, "method": name, "psnr": round(float(p.mean()), 2), "ssim": round(float(s.mean()), 4),
                     "ms_per_frame": round(float(np.median(ms)), 1), "triplets": len(triplets),
                     "upscaled_from_render": upscaled})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studio", type=Path, help="a studio home the pipeline rendered (holds ichor.db): training data")
    ap.add_argument("--heldout-studio", type=Path, help="a studio home whose films are never trained on: scored triplets")
    ap.add_argument("--story", type=Path, default=REPO / "examples" / "bronze_heart.yaml")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--epochs", type=int, default=3, help="Echo epochs")
    ap.add_argument("--image-size", type=int, default=64, help="Echo training resolution")
    ap.add_argument("--frames-per-shot", type=int, default=16, help="frames (Echo) / triplet centres (Flux) per shot")
    ap.add_argument("--flux-epochs", type=int, default=12)
    ap.add_argument("--flux-crop", type=int, default=128, help="Flux training crop, at the render's resolution")
    ap.add_argument("--flux-lr", type=float, default=None)
    ap.add_argument("--skip-echo", action="store_true", help="train and time only Flux")
    ap.add_argument("--triplets", type=int, default=12, help="held-out triplets scored per size")
    ap.add_argument("--steps", type=int, default=10, help="optimiser steps timed per model")
    ap.add_argument("--sizes", nargs="*", default=list(SIZES), choices=list(SIZES),
                    help="display sizes also scored (frames resized from the render; timings are real)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0, help="training seed (initialisation and batch order)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "protoforge.json")
    ap.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    args = ap.parse_args()

    import cv2
    import torch

    # On a shared 2-core machine one thread per library beats OpenMP threads spinning against each other.
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    studio = args.studio or forge_studio(args.story, args.width, args.height)
    work = Path(tempfile.mkdtemp(prefix="talos-protoforge-bench-"))
    ichor = copy_studio(studio, work)
    trained_on = film_ids(ichor)
    held = None
    if args.heldout_studio:  # checked before any training: a held-out film must be one never trained on
        held = copy_studio(args.heldout_studio, Path(tempfile.mkdtemp(prefix="talos-protoforge-heldout-")))
        if set(film_ids(held)) & set(trained_on):
            raise SystemExit("--heldout-studio holds a film the lab trains on; hold out a different film.")
    result = {"studio": str(studio), "heldout_studio": str(args.heldout_studio or ""), "threads": args.threads, "seed": args.seed,
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
              "load_avg_start": os.getloadavg(), "trained_on": trained_on, "throughput": [], "training": [],
              "interpolation": []}
    plans = [("flux", args.flux_crop, args.frames_per_shot, args.flux_epochs, args.flux_lr)]
    if not args.skip_echo:
        plans.append(("echo", args.image_size, args.frames_per_shot, args.epochs, None))
    for agent, size, frames, epochs, lr in plans:
        if args.steps:  # a timed step loop; it reads the training data a second time
            result["throughput"].append(throughput(agent, ichor, size, 16, args.steps, frames))
            print(f"throughput {result['throughput'][-1]}", flush=True)
        result["training"].append(train_and_register(agent, ichor, work, epochs, size, frames, lr, args.seed))
        print(f"training {result['training'][-1]}", flush=True)

    from protoforge.registry import load_registered

    model = load_registered("flux", "champion", tracking_uri=f"sqlite:///{work / 'mlflow.db'}", device="cpu")
    if held is not None:
        triplets = unseen_film_triplets(held, args.triplets)
        result["heldout"] = "films never trained on: " + ", ".join(film_ids(held))
    else:
        triplets = held_out_triplets(ichor, args.triplets, max_centers=args.frames_per_shot)
        result["heldout"] = "tail of every trained shot"
    render_h, render_w = triplets[0].shape[1:3]
    result["render_size"] = [render_w, render_h]
    # At the render's own size first (the quality figures), then at each display size asked for.
    sizes = {f"{render_w}x{render_h} (render)": (render_w, render_h)} | {n: SIZES[n] for n in args.sizes}
    for name, size in sizes.items():
        result["interpolation"] += evaluate(model, triplets, name, size, upscaled=size[0] > render_w)
        print(*result["interpolation"][-4:], sep="\n", flush=True)
    result["load_avg_end"] = os.getloadavg()
    report(result)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    if args.markdown:
        args.markdown.write_text(markdown(result))
        print(f"wrote {args.markdown}")


def film_ids(ichor_url: str) -> list[str]:
    from talos_assets.stores.ichor import IchorVault

    return list(IchorVault(ichor_url, create=False).film_ids())


def machine() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def report(result: dict) -> None:
    print("\ntraining throughput (CPU, %d threads)" % result["threads"])
    for t in result["throughput"]:
        print(f"  {t['agent']:<5} {t['samples_per_s']:>7.1f} samples/s  ({t['image_size']}px, batch {t['batch_size']}, "
              f"{t['parameters'] / 1e6:.2f} M params)")
    for t in result["training"]:
        print(f"  {t['agent']:<5} {t['epochs']} epochs on {t['n_train']} samples: {t['wall_s']} s -> v{t['version']} @{t['alias']}")
    print(f"\nsplit: trained on {', '.join(result['trained_on'])}; held out: {result['heldout']}")
    print(f"\nin-betweens on held-out triplets ({result['heldout']}; render {result['render_size'][0]}x{result['render_size'][1]})")
    print(f"  {'size':<26} {'method':<26} {'PSNR dB':>8} {'SSIM':>7} {'ms/frame':>9}")
    for r in result["interpolation"]:
        flag = "  (upscaled)" if r["upscaled_from_render"] else ""
        print(f"  {r['size']:<26} {r['method']:<26} {r['psnr']:>8.2f} {r['ssim']:>7.4f} {r['ms_per_frame']:>9.1f}{flag}")


def markdown(result: dict) -> str:
    """The run as Markdown tables: training, then in-betweens per size (best PSNR in bold)."""
    lines = [f"`python bench/protoforge.py` ({result['date']}, {result['machine']}, {result['threads']} torch threads, "
             f"load average {result['load_avg_start'][0]:.1f} at start, {result['load_avg_end'][0]:.1f} at end).",
             f"Training studio: `{result['studio']}`. Held-out: {result['heldout']}, "
             f"{result['interpolation'][0]['triplets']} triplets, render {result['render_size'][0]}x{result['render_size'][1]}.",
             "", "| model | train samples/s (timed loop) | parameters | epochs | train wall s (data, fit, register) | n train / val | val metrics |",
             "|---|---:|---:|---:|---:|---|---|"]
    speed = {t["agent"]: t["samples_per_s"] for t in result["throughput"]}
    for r in result["training"]:
        shown = {k: v for k, v in r["metrics"].items() if k.startswith(("val/", "heldout/"))}
        lines.append(f"| {r['agent']} ({r['image_size']} px) | {speed.get(r['agent'], 'not timed')} | {r['parameters'] / 1e6:.2f} M | "
                     f"{r['epochs']} | {r['wall_s']} | {r['n_train']} / {r['n_val']} | "
                     + ", ".join(f"{k} {v}" for k, v in shown.items()) + " |")
    lines += ["", "| size | method | PSNR dB | SSIM | ms / frame |", "|---|---|---:|---:|---:|"]
    for size in dict.fromkeys(r["size"] for r in result["interpolation"]):
        rows = [r for r in result["interpolation"] if r["size"] == size]
        best = max(r["psnr"] for r in rows)
        for r in rows:
            label = size + (" (upscaled from render)" if r["upscaled_from_render"] else "")
            value = f"**{r['psnr']:.2f}**" if r["psnr"] == best else f"{r['psnr']:.2f}"
            lines.append(f"| {label} | {r['method']} | {value} | {r['ssim']:.4f} | {r['ms_per_frame']:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
