"""Fit Echo's tiny CLIP on a prepared data file (`bench/echo_retrieval.py prepare`), on whatever device
torch finds (an accelerator when there is one, else the CPU), with only torch, numpy, safetensors and
open_clip needed: the same network (TinyClip) and loss (multi-positive InfoNCE) as
protoforge.models.echo_clip_module, in a plain loop so it runs where the studio's own stack is not
installed. Frames are shrunk once (short side to the net's size with the area filter of Echo's own
preprocessing); augmentation is then one batched resample on the device: a random square window at a
zoom from 1 to 1.8, Prism's range from a wide shot to a close-up (the camera framing the same world
closer or wider), anywhere in the frame, mirrored half the time.
The tuning films pick the best epoch (pooled top-1 among each film's shots, then margin); held-out
films are not in the file at all. Writes `weights.safetensors` (protoforge's checkpoint format) and
`fit.json` to the output folder.

    python3 bench/echo_clip_fit.py DATA.npz OUT_DIR [--minutes 6] [--batch 256]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import types
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
# Import protoforge's network and loss without running protoforge/__init__ (it loads the lab's config
# and its pydantic/MLflow stack, which a bare accelerator machine does not have).
if "protoforge" not in sys.modules:
    _pkg = types.ModuleType("protoforge")
    _pkg.__path__ = [str(REPO / "protoforge")]
    sys.modules["protoforge"] = _pkg
from protoforge.models.components.tiny_clip import TinyClip  # noqa: E402

CHECKPOINT_FORMAT = "protoforge-checkpoint-v1"  # protoforge.checkpoint.CHECKPOINT_FORMAT


def multi_positive_info_nce(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """protoforge.models.echo_clip_module.multi_positive_info_nce (copied: that module needs Lightning)."""
    pos = (ids[:, None] == ids[None, :]).float()
    target = pos / pos.sum(dim=1, keepdim=True)
    return 0.5 * (-(F.log_softmax(logits, 1) * target).sum(1).mean() - (F.log_softmax(logits.T, 1) * target).sum(1).mean())


MEAN = torch.tensor((0.48145466, 0.4578275, 0.40821073)).view(1, 3, 1, 1)
STD = torch.tensor((0.26862954, 0.26130258, 0.27577711)).view(1, 3, 1, 1)
# Prism frames a shot from wide (zoom 1.0) to close-up (1.8; talos_assets.agents.direction.camera._SIZE_ZOOM):
# training windows span the same range, so a close-up of a set is still that set
MAX_ZOOM = 1.8


def shrink(images: np.ndarray, size: int) -> torch.Tensor:
    """uint8 (N,H,W,3) -> float (N,3,size,W') in [0,1]: short side to `size` with the area filter of
    tiny_clip.preprocess_rgb8 (what Echo feeds the net at evaluation), done once so each step only crops."""
    h, w = images.shape[1:3]
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    out = np.stack([cv2.resize(np.ascontiguousarray(im), (nw, nh), interpolation=interp) for im in images])
    return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(255.0)


def windows(x: torch.Tensor, size: int, augment: bool, gen: torch.Generator | None, max_zoom: float = MAX_ZOOM) -> torch.Tensor:
    """Shrunk frames (N,3,size,W') -> normalised (N,3,size,size): the centre square (as
    tiny_clip.preprocess_rgb8) or, with `augment`, a random square window of the frame at a zoom drawn
    from 1 to `max_zoom` (side = height / zoom), anywhere in the frame, mirrored half the time (one
    batched affine resample)."""
    n, _, h, w = x.shape
    if not augment:
        left = (w - h) // 2
        out = x[:, :, :, left : left + h]
        if h != size:
            out = F.interpolate(out, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    else:
        side = h / (1 + (max_zoom - 1) * torch.rand(n, generator=gen))  # window side in pixels
        cx = side / 2 + torch.rand(n, generator=gen) * (w - side)  # window centre, pixels
        cy = side / 2 + torch.rand(n, generator=gen) * (h - side)
        flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0], theta[:, 0, 2] = flip * side / w, 2 * cx / w - 1
        theta[:, 1, 1], theta[:, 1, 2] = side / h, 2 * cy / h - 1
        grid = F.affine_grid(theta.to(x.device), [n, 3, size, size], align_corners=False)
        out = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    return (out - MEAN.to(x.device)) / STD.to(x.device)


@torch.no_grad()
def tuning_score(net: TinyClip, data: dict, device) -> tuple[float, float]:
    """(pooled top-1, mean margin) of each tuning shot's captions among its film's shots."""
    net.eval()
    img = torch.cat([net.encode_image(windows(data["tune_images"][i : i + 256], net.image_size, False, None))
                     for i in range(0, len(data["tune_images"]), 256)])
    shots = data["tune_shot_of"].to(device)
    n_shots = int(shots.max()) + 1
    shot_emb = torch.zeros(n_shots, img.shape[1], device=device).index_add_(0, shots, img)
    shot_emb /= torch.bincount(shots, minlength=n_shots)[:, None]
    tok = data["tune_tokens"].to(device)  # (shots, captions, context)
    txt = net.encode_text(tok.flatten(0, 1)).view(tok.shape[0], tok.shape[1], -1)
    table = torch.einsum("icd,jd->ij", txt, shot_emb) / tok.shape[1]  # caption-mean similarity
    film = data["tune_film_of"].to(device)
    hits, margins = [], []
    for i in range(n_shots):
        same = (film == film[i]).nonzero().flatten()
        others = same[same != i]
        best = table[i, others].max() if len(others) else table[i, i] * 0
        hits.append(float(table[i, i] > best))
        margins.append(float(table[i, i] - best))
    net.train()
    return float(np.mean(hits)), float(np.mean(margins))


def save(net: TinyClip, path: Path) -> None:
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    save_file(tensors, str(path), metadata={"format": CHECKPOINT_FORMAT, "agent": net.agent, "config": json.dumps(net.config)})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--minutes", type=float, default=6.0)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-zoom", type=float, default=MAX_ZOOM, help="augmentation: closest framing (1 = none)")
    parser.add_argument("--init", help="start from this weights.safetensors (same net config) instead of random")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    with np.load(args.data, allow_pickle=False) as raw:
        data = {k: torch.from_numpy(raw[k]) for k in raw.files if k != "net"}
        net_config = json.loads(str(raw["net"]))
    net = TinyClip(**net_config)
    if args.init:
        from safetensors.torch import load_file

        net.load_state_dict(load_file(args.init))
    net = net.to(device)
    images = shrink(data["images"].numpy(), net.image_size).to(device)
    data["tune_images"] = shrink(data["tune_images"].numpy(), net.image_size).to(device)
    shot_of, tokens = data["shot_of"].to(device), data["tokens"].to(device)
    decay = [p for n, p in net.named_parameters() if p.ndim >= 2 and "logit_scale" not in n]
    no_decay = [p for n, p in net.named_parameters() if not (p.ndim >= 2 and "logit_scale" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started, step, epoch, history, best = time.perf_counter(), 0, 0, [], (-1.0, -1.0)
    budget = args.minutes * 60
    while time.perf_counter() - started < budget:
        order = torch.randperm(len(images), generator=gen).to(device)
        for b in range(0, len(order) - args.batch + 1, args.batch):
            if time.perf_counter() - started >= budget:
                break
            idx = order[b : b + args.batch]
            frac = min(1.0, (time.perf_counter() - started) / budget)  # cosine decay over the time budget
            for g in opt.param_groups:
                g["lr"] = args.lr * (min(1.0, step / 30) * 0.5 * (1 + np.cos(np.pi * frac)))
            caps = torch.randint(0, tokens.shape[1], (len(idx),), generator=gen).to(device)
            ids = shot_of[idx]
            img, txt, scale = net(windows(images[idx], net.image_size, True, gen, args.max_zoom), tokens[ids, caps])
            loss = multi_positive_info_nce(scale * img @ txt.T, ids)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
        epoch += 1
        if epoch % 2 == 0 or time.perf_counter() - started >= budget:  # and after the last epoch
            score = tuning_score(net, data, device)
            history.append({"epoch": epoch, "step": step, "loss": float(loss.detach()), "tuning_top1": score[0],
                            "tuning_margin": score[1], "seconds": round(time.perf_counter() - started, 1)})
            print(json.dumps(history[-1]), flush=True)
            if score > best:
                best = score
                save(net, out / "weights.safetensors")
    if not (out / "weights.safetensors").exists():  # too short a budget for one tuning check
        save(net, out / "weights.safetensors")
    (out / "fit.json").write_text(json.dumps({"device": str(device), "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
                                              "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus",
                                              "args": {k: v for k, v in vars(args).items() if k not in ("data", "out")},
                                              "epochs": epoch, "steps": step, "seconds": round(time.perf_counter() - started, 1),
                                              "best_tuning": best, "history": history, "net": net_config,
                                              "params": sum(p.numel() for p in net.parameters())}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
