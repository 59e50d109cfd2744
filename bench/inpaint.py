"""Bench: Anima's learned inpainter against OpenCV on frames the studio renders for the purpose.

Three small films (3 shots each, 1.5 s at 12 fps, 256x144 by default) are forged in-process with the
real pipeline in a temporary TALOS_HOME; their shots are the data, split by shot (protoforge.data.
inpaint_frames: held-out shots are never trained on). `protoforge.train` trains the inpainter for a
wall-clock budget (epochs sized from a measured step), registers and promotes it. On the held-out
shots, with the same holes for every method:
- crops: the held-out 64x64 crops with their fixed holes (the promotion set);
- frames: every held-out frame whole, at render resolution, with one random hole each;
PSNR and SSIM inside the holes for cv2 Navier-Stokes (float, per channel: Anima's repair without a
model), cv2 Telea (8-bit colour, OpenCV's path for it), the learned model (Navier-Stokes refined by
the UNet) and the unrepaired fault (a flash over the hole), plus milliseconds per whole frame.
Prints the table and writes bench/results/inpaint.json.

    .venv/bin/python bench/inpaint.py [--train-minutes 6] [--width 256 --height 144] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FILMS = {
    "harbor-lantern": [("Talos lifts the lantern in the harbor at night.", "calm", ["talos"]),
                       ("Mira waves from the boat as rain falls.", "joy", ["mira"]),
                       ("Pip runs along the pier.", "surprise", ["pip"])],
    "forest-walk": [("Mira walks through the forest at dawn.", "calm", ["mira"]),
                    ("Talos kneels by the river and smoke rises.", "sadness", ["talos"]),
                    ("Pip dances in the meadow at noon.", "joy", ["pip"])],
    "workshop-fire": [("Talos strikes the anvil in the workshop and sparks fly.", "determination", ["talos"]),
                      ("Mira reads in the library by candlelight.", "calm", ["mira"]),
                      ("Pip and Mira laugh in the kitchen.", "joy", ["pip", "mira"])],
}


def _story(film_id: str, width: int, height: int) -> str:
    import yaml

    shots = [{"id": f"shot{i}", "description": text, "emotion": emotion, "duration": 1.5, "characters": cast}
             for i, (text, emotion, cast) in enumerate(FILMS[film_id])]
    return yaml.safe_dump({"title": film_id.replace("-", " ").title(), "id": film_id, "fps": 12,
                           "resolution": [width, height], "shots": shots})


def forge_films(work: Path, width: int, height: int) -> float:
    """Render every film of FILMS with the real pipeline; returns the seconds it took."""
    import dagster as dg

    from talos_assets.forge import check_story, forge_film
    from talos_assets.settings import studio_settings

    started = time.perf_counter()
    (work / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(work / "dagster")) as instance:
        for film_id in FILMS:
            path = work / f"{film_id}.yaml"
            path.write_text(_story(film_id, width, height))
            forge_film(check_story(path, studio_settings()), instance=instance)
            print(f"[forged {film_id}] {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def ssim_in_hole(pred: np.ndarray, target: np.ndarray, hole: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004: Gaussian window sigma 1.5, on luma) over the hole's pixels."""
    import cv2

    def luma(img):
        return (img[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.float64)

    x, y = luma(pred), luma(target)
    blur = lambda a: cv2.GaussianBlur(a, (11, 11), 1.5)  # noqa: E731
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    smap = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(smap[hole].mean())


def psnr_in_hole(pred: np.ndarray, target: np.ndarray, hole: np.ndarray) -> float:
    mse = float(((pred[hole] - target[hole]) ** 2).mean())
    return 10.0 * np.log10(1.0 / max(mse, 1e-12))


def methods(net):
    """name -> fill(rgb float (H,W,3) in [0, 1], hole (H,W) bool) -> rgb float, each exactly as shipped."""
    import cv2
    import torch

    from protoforge.models.components.inpaint_net import inpaint_frame, opencv_fill

    def ns(rgb, hole):
        t = torch.from_numpy(rgb).permute(2, 0, 1)[None]
        m = torch.from_numpy(hole.astype(np.float32))[None, None]
        return opencv_fill(t, m)[0].permute(1, 2, 0).numpy().clip(0, 1)

    def telea(rgb, hole):
        rgb8 = np.round(rgb * 255).astype(np.uint8)
        return cv2.inpaint(rgb8, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA).astype(np.float32) / 255.0

    def fault(rgb, hole):
        out = rgb.copy()
        out[hole] = np.clip(out[hole] + 0.5, 0, 1)  # a flash left in place
        return out

    return {"cv2_ns": ns, "cv2_telea": telea, "learned": lambda rgb, hole: inpaint_frame(net, rgb, hole),
            "unrepaired": fault}


def score(fills: dict, samples: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    out = {}
    for name, fill in fills.items():
        psnr, ssim, seconds = [], [], 0.0
        for rgb, hole in samples:
            started = time.perf_counter()
            pred = fill(rgb, hole)
            seconds += time.perf_counter() - started
            assert np.array_equal(pred[~hole], rgb[~hole]) or name == "unrepaired", name
            psnr.append(psnr_in_hole(pred, rgb, hole))
            ssim.append(ssim_in_hole(pred, rgb, hole))
        out[name] = {"psnr_mask": round(float(np.mean(psnr)), 3), "ssim_mask": round(float(np.mean(ssim)), 4),
                     "ms_per_frame": round(1000 * seconds / len(samples), 2)}
    return out


def held_out(data, width: int, height: int) -> tuple[list, list]:
    """(crops, whole frames): each (rgb float in [0, 1], hole bool) with the hole fixed by its index."""
    from protoforge.data.inpaint_frames import random_hole
    from talos_assets.agents.frames import read_layer, to_display_rgb8

    crops = []
    for i in range(len(data.val_set)):
        rgb, hole = data.val_set[i]
        crops.append((rgb.permute(1, 2, 0).numpy().copy(), hole[0].numpy() > 0.5))
    frames = []
    for s in data.val_shots:
        for k, path in enumerate(s.frame_paths):
            rng = np.random.default_rng([7, len(frames)])
            rgb = to_display_rgb8(read_layer(path)).astype(np.float32) / 255.0
            side = min(rgb.shape[:2])
            hole = np.zeros(rgb.shape[:2], bool)
            y, x = int(rng.integers(0, rgb.shape[0] - side + 1)), int(rng.integers(0, rgb.shape[1] - side + 1))
            hole[y:y + side, x:x + side] = random_hole(side, rng)
            frames.append((rgb, hole))
    return crops, frames


def train_for(cfg_kw: dict, budget_s: float, n_train: int):
    """`protoforge.train` with epochs sized so training takes about `budget_s` (from a timed step)."""
    import torch

    from protoforge.config import TrainConfig
    from protoforge.models.components.inpaint_net import FrameInpainter
    from protoforge.models.inpaint_module import masked_l1

    torch.set_num_threads(1)
    cfg = TrainConfig(agent="inpaint", **cfg_kw)
    net = FrameInpainter(**cfg.inpaint.model_dump(), sample_size=cfg.image_size)
    x = torch.rand(cfg.batch_size, 3, cfg.image_size, cfg.image_size)
    m = (torch.rand(cfg.batch_size, 1, cfg.image_size, cfg.image_size) > 0.8).float()
    masked_l1(net(x, m), x, m).backward()  # warm-up
    started = time.perf_counter()
    for _ in range(3):
        masked_l1(net(x, m), x, m).backward()
    step_s = (time.perf_counter() - started) / 3
    steps_per_epoch = max(1, -(-n_train // cfg.batch_size))
    # ~15% of the budget goes to validation, data loading and registration
    epochs = max(1, int(0.85 * budget_s / (step_s * steps_per_epoch)))
    print(f"[train] {step_s:.2f} s/step, {steps_per_epoch} steps/epoch -> {epochs} epochs", flush=True)
    from protoforge.train import train

    started = time.perf_counter()
    result = train(cfg.model_copy(update={"max_epochs": epochs}))
    return result, time.perf_counter() - started, epochs, step_s


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-minutes", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--height", type=int, default=144)
    parser.add_argument("--lr", type=float, default=None, help="peak learning rate (default: the lab's)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--work", type=Path, default=None, help="a folder to forge in, reused when already forged")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="talos-inpaint-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    forged = (work / "home" / "ichor.db").exists()
    os.environ.update(TALOS_HOME=str(work / "home"), TALOS_RENDERS=str(work / "renders"),
                      DAGSTER_HOME=str(work / "home" / "dagster"))
    os.environ.pop("TALOS_ICHOR_URL", None)
    from talos_assets.home import ichor_url, prepare_home

    home = prepare_home()
    forge_s = 0.0 if forged else forge_films(work, args.width, args.height)
    cfg_kw = dict(ichor_url=ichor_url(home), mlflow_tracking_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
                  mlflow_artifact_location=str(home / "mlflow" / "artifacts"), batch_size=args.batch_size,
                  image_size=64, val_fraction=0.34, cpu_threads=1, seed=0, lr=args.lr)
    from protoforge.data.inpaint_frames import InpaintFramesDataModule

    data = InpaintFramesDataModule(cfg_kw["ichor_url"], image_size=64, val_fraction=0.34, max_frames_per_shot=64)
    data.setup("fit")
    result, train_s, epochs, step_s = train_for(cfg_kw, 60 * args.train_minutes, data.n_train)
    net = result.net.cpu().eval()
    crops, frames = held_out(data, args.width, args.height)
    fills = methods(net)
    out = {"resolution": [args.width, args.height], "films": list(FILMS), "forge_seconds": round(forge_s, 1),
           "train_shots": sorted(f"{s.film_id}/{s.shot_id}" for s in data.shots if s not in data.val_shots),
           "held_out_shots": sorted(f"{s.film_id}/{s.shot_id}" for s in data.val_shots),
           "n_train_frames": data.n_train, "train_seconds": round(train_s, 1), "epochs": epochs,
           "step_seconds": round(step_s, 3), "model": f"{result.registered_name} v{result.version} @{result.alias}",
           "promotion": result.promotion_reason, "net": result.net.config,
           "train_metrics": {k: round(v, 4) for k, v in sorted(result.metrics.items())},
           "crops_64": {"n": len(crops), **score(fills, crops)},
           "frames": {"n": len(frames), **score(fills, frames)}}
    for part in ("crops_64", "frames"):
        print(f"\n{part} (n={out[part]['n']}, held-out shots)   PSNR-in-hole  SSIM-in-hole  ms/frame")
        for name in fills:
            r = out[part][name]
            print(f"  {name:<12} {r['psnr_mask']:>12.2f} {r['ssim_mask']:>13.4f} {r['ms_per_frame']:>9.2f}")
    print(f"\n{out['model']}: {out['promotion']}; trained {epochs} epochs in {train_s:.0f} s")
    (REPO / "bench" / "results" / "inpaint.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
