"""Flux's learned in-betweener: the middle frame of two neighbours, after RIFE (Huang et al.,
"Real-Time Intermediate Flow Estimation for Video Frame Interpolation", ECCV 2022), trained on
ground-truth triplets the studio renders itself.

RIFE's IFNet estimates the flow to the middle frame and a fusion mask, and a refinement net adds a
residual. On CPU, learning flow from scratch is too slow, so the flow here starts from OpenCV's DIS
flow both ways (talos_assets.agents.inbetweening.flow, the studio's fallback in-betweener): both
neighbours are warped halfway, and a small diffusers `UNet2DModel` (timestep fixed at 0, no
attention) at half resolution sees the neighbours, the two warps and the flows, and predicts a
residual flow for each side, a fusion mask (which side to trust where one is occluded) and a small
residual image. Its output layer starts at zero, so an untrained net is exactly the DIS in-between
(mask 0.5, no correction) and training only has to learn what DIS gets wrong; and its corrections
are gated to where the two warps disagree, so what DIS already gets right stays as it is.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import UNet2DModel
from torch import nn

# Flow features are divided by this many pixels so typical motions land near [-1, 1].
FLOW_SCALE = 16.0
# Gains on the refinement outputs (flow in pixels, mask logit, image residual). Adam moves every
# weight by about the learning rate per step whatever its gradient, so without them the first
# steps would shift the DIS flows by pixels and tint the frame (measured: -15 dB after one step at
# lr 1e-3); with them the net departs from the DIS in-between only as fast as the loss asks.
OUT_GAIN = (1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1)
# Corrections apply only where the two DIS warps disagree by more than GATE_FLOOR (an occlusion, a
# flow error; fully from GATE_FLOOR + 1/GATE_GAIN), widened by GATE_WIDTH pixels: where they agree
# to within 8-bit rounding (a held pose, a background) the DIS in-between is already exact to 60-90
# dB, and any learned correction there only adds error (measured: -0.8 dB mean over unseen-film
# triplets without the floor, all of it on near-still frames).
GATE_FLOOR, GATE_GAIN, GATE_WIDTH = 2.0 / 255.0, 20.0, 7
# Whole frames are in-betweened in tiles of TILE px seen with TILE_MARGIN px of context on each
# side, about the crops the net is trained on: its GroupNorm statistics are taken per input, and
# over a mostly still 720p frame they differ from a training crop's (measured: -0.15 dB vs DIS on
# whole frames, +0.1 dB on crops, same model). Tiles where the warps agree are the DIS in-between.
TILE, TILE_MARGIN = 64, 16
# A tile is handed to the net only when the two warps disagree over it by more than `tile_min` (mean
# absolute difference over the tile, 0-1): a tile where a small part moved a little is one DIS
# already draws to 60-90 dB, and there a learned correction tends to cost more than it gains. The
# threshold is the model's own, chosen after training on the validation triplets (`choose_tile_min`)
# from these candidates, and saved with its weights.
TILE_MIN_CHOICES = tuple(v / 255.0 for v in (0.0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4))
# Refinement outputs: residual flow to a (2), to b (2), fusion-mask logit (1), residual image (3).
N_OUT = 8
# Net inputs: prev, next, both warps (3 each) and both flows to the middle (2 each).
N_IN = 16


def backward_warp(img: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """out(y) = img(y + flow(y)), bilinear, edges replicated; img (N,C,H,W), flow (N,2,H,W) pixels."""
    n, _, h, w = img.shape
    ys, xs = torch.meshgrid(torch.arange(h, device=img.device, dtype=img.dtype),
                            torch.arange(w, device=img.device, dtype=img.dtype), indexing="ij")
    x = (xs + flow[:, 0]) * (2.0 / max(w - 1, 1)) - 1.0
    y = (ys + flow[:, 1]) * (2.0 / max(h - 1, 1)) - 1.0
    return F.grid_sample(img, torch.stack([x, y], dim=-1), mode="bilinear", padding_mode="border", align_corners=True)


def _to_rgb(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)[..., :3]
    return img.astype(np.float32) / 255.0 if img.dtype == np.uint8 else img.astype(np.float32)


class FrameInterpolator(nn.Module):
    """(prev, next) in [0, 1], shape (N,3,H,W) each, optionally their DIS flows (N,4,H,W: a->b then
    b->a, pixels) -> predicted middle frame (N,3,H,W). Without flows, DIS computes them (CPU)."""

    agent = "flux"

    def __init__(self, block_out_channels: tuple[int, ...] | list[int] = (16, 32, 32), layers_per_block: int = 1,
                 norm_num_groups: int = 8, sample_size: int = 64, refine_scale: int = 2, flow_preset: str = "medium",
                 tile_min: float = 0.0):
        super().__init__()
        block_out_channels = tuple(int(c) for c in block_out_channels)
        self.config = dict(block_out_channels=list(block_out_channels), layers_per_block=layers_per_block,
                           norm_num_groups=norm_num_groups, sample_size=sample_size, refine_scale=refine_scale,
                           flow_preset=flow_preset, tile_min=float(tile_min))
        self.tile_min = float(tile_min)
        n = len(block_out_channels)
        self.unet = UNet2DModel(
            sample_size=max(8, sample_size // refine_scale),
            in_channels=N_IN,
            out_channels=N_OUT,
            block_out_channels=block_out_channels,
            layers_per_block=layers_per_block,
            down_block_types=("DownBlock2D",) * n,
            up_block_types=("UpBlock2D",) * n,
            norm_num_groups=norm_num_groups,
            # No attention: the net must run fully convolutionally on 1080p/4K frames, where a
            # mid-block self-attention over every pixel of the bottleneck would not fit in memory.
            add_attention=False,
        )
        # Zero output layer: start as the DIS in-between, learn only what it gets wrong.
        nn.init.zeros_(self.unet.conv_out.weight)
        nn.init.zeros_(self.unet.conv_out.bias)
        self.register_buffer("out_gain", torch.tensor(OUT_GAIN)[None, :, None, None], persistent=False)
        self.refine_scale = int(refine_scale)
        self.flow_preset = flow_preset
        self.stride = self.refine_scale * 2 ** (n - 1)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @torch.no_grad()
    def estimate_flows(self, prev: torch.Tensor, nxt: torch.Tensor) -> torch.Tensor:
        """DIS flows a->b and b->a of each pair in the batch, (N,4,H,W) in pixels."""
        from talos_assets.agents.inbetweening.flow import dis_flows

        out = []
        for a, b in zip(prev.detach().float().cpu().numpy(), nxt.detach().float().cpu().numpy()):
            f_ab, f_ba = dis_flows(a.transpose(1, 2, 0), b.transpose(1, 2, 0), self.flow_preset)
            out.append(np.concatenate([f_ab, f_ba], axis=-1).transpose(2, 0, 1))
        return torch.from_numpy(np.stack(out)).to(device=prev.device, dtype=prev.dtype)

    def forward(self, prev: torch.Tensor, nxt: torch.Tensor, flows: torch.Tensor | None = None) -> torch.Tensor:
        if flows is None:
            flows = self.estimate_flows(prev, nxt)
        h, w = prev.shape[-2:]
        # Pad to the UNet's stride at the refinement scale; replicate keeps warps at the edge sane.
        ph, pw = (-h) % self.stride, (-w) % self.stride
        if ph or pw:
            prev, nxt, flows = (F.pad(x, (0, pw, 0, ph), mode="replicate") for x in (prev, nxt, flows))
        # The middle pixel y came from a at y - f_ab/2 and from b at y - f_ba/2 (first order).
        to_a, to_b = -0.5 * flows[:, :2], -0.5 * flows[:, 2:]
        warp_a, warp_b = backward_warp(prev, to_a), backward_warp(nxt, to_b)
        x = torch.cat([prev, nxt, warp_a, warp_b], dim=1) * 2.0 - 1.0
        x = torch.cat([x, to_a / FLOW_SCALE, to_b / FLOW_SCALE], dim=1)
        if self.refine_scale > 1:
            x = F.avg_pool2d(x, self.refine_scale)
        timestep = torch.zeros(x.shape[0], device=x.device, dtype=torch.long)
        out = self.unet(x, timestep).sample * self.out_gain
        if self.refine_scale > 1:
            out = F.interpolate(out, scale_factor=self.refine_scale, mode="bilinear", align_corners=False)
        disagree = (((warp_a - warp_b).abs().mean(dim=1, keepdim=True) - GATE_FLOOR) * GATE_GAIN).clamp(0.0, 1.0)
        gate = F.max_pool2d(disagree, GATE_WIDTH, stride=1, padding=GATE_WIDTH // 2)
        out = out * gate
        to_a = to_a + out[:, 0:2]
        to_b = to_b + out[:, 2:4]
        mask = torch.sigmoid(out[:, 4:5])
        middle = mask * backward_warp(prev, to_a) + (1.0 - mask) * backward_warp(nxt, to_b) + out[:, 5:8]
        # Unclamped on purpose: clamping here would zero the gradient wherever the target is 0 or 1.
        return middle[..., :h, :w]

    @torch.no_grad()
    def middle_tiled(self, prev: torch.Tensor, nxt: torch.Tensor, flows: torch.Tensor | None = None) -> torch.Tensor:
        """`forward` for whole frames at inference: tile by tile (TILE, TILE_MARGIN), the net run only
        on tiles where the two DIS warps disagree, the DIS in-between elsewhere."""
        if flows is None:
            flows = self.estimate_flows(prev, nxt)
        warp_a, warp_b = backward_warp(prev, -0.5 * flows[:, :2]), backward_warp(nxt, -0.5 * flows[:, 2:])
        out = 0.5 * (warp_a + warp_b)
        disagree = (warp_a - warp_b).abs().mean(dim=1)
        active = disagree > GATE_FLOOR
        h, w = prev.shape[-2:]
        for y0 in range(0, h, TILE):
            for x0 in range(0, w, TILE):
                # a tile's corrections reach GATE_WIDTH // 2 px beyond the disagreeing pixels
                g = GATE_WIDTH // 2
                window = (slice(None), slice(max(0, y0 - g), y0 + TILE + g), slice(max(0, x0 - g), x0 + TILE + g))
                if not bool(active[window].any()) or float(disagree[window].mean()) <= self.tile_min:
                    continue
                ya, xa = max(0, y0 - TILE_MARGIN), max(0, x0 - TILE_MARGIN)
                yb, xb = min(h, y0 + TILE + TILE_MARGIN), min(w, x0 + TILE + TILE_MARGIN)
                pred = self(prev[..., ya:yb, xa:xb], nxt[..., ya:yb, xa:xb], flows[..., ya:yb, xa:xb])
                out[..., y0:y0 + TILE, x0:x0 + TILE] = pred[..., y0 - ya:y0 - ya + TILE, x0 - xa:x0 - xa + TILE]
        return out


    @torch.no_grad()
    def choose_tile_min(self, triplets) -> dict[float, float]:
        """Set `tile_min` to the candidate with the best mean PSNR of `middle_tiled` over `triplets`
        (batches of prev, middle, next[, flows], the validation split); on a tie the larger threshold,
        the one that leaves more to DIS. Returns {threshold: mean PSNR}."""
        was = self.tile_min
        scores: dict[float, list[float]] = {t: [] for t in TILE_MIN_CHOICES}
        for batch in triplets:
            prev, mid, nxt = (x.to(self.device) for x in batch[:3])
            flows = batch[3].to(self.device) if len(batch) > 3 else self.estimate_flows(prev, nxt)
            for i in range(len(prev)):
                for t in TILE_MIN_CHOICES:
                    self.tile_min = t
                    pred = self.middle_tiled(prev[i:i + 1], nxt[i:i + 1], flows[i:i + 1]).clamp(0.0, 1.0)
                    mse = float(((pred - mid[i:i + 1]) ** 2).mean().clamp_min(1e-12))
                    scores[t].append(10.0 * float(np.log10(1.0 / mse)))
        means = {t: float(np.mean(v)) for t, v in scores.items() if v}
        self.tile_min = max(means, key=lambda t: (round(means[t], 4), t)) if means else was
        self.config["tile_min"] = self.tile_min
        return means


@torch.no_grad()
def interpolate_midframe(model: nn.Module, frame_a: np.ndarray, frame_b: np.ndarray) -> np.ndarray:
    """The in-between of two RGB frames (H,W,3; uint8 or float in [0, 1], same encoding as training:
    display sRGB). Returns float32 (H,W,3) in [0, 1]. `model` is a `FrameInterpolator` or anything
    holding one as `.net` (the Lightning module). DIS flows are computed on the whole frames."""
    net: FrameInterpolator = getattr(model, "net", model)

    def to_tensor(img: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(_to_rgb(img))).permute(2, 0, 1)[None].to(net.device)

    was_training = net.training
    net.eval()
    try:
        out = net.middle_tiled(to_tensor(frame_a), to_tensor(frame_b)).clamp(0.0, 1.0)
    finally:
        net.train(was_training)
    return out[0].permute(1, 2, 0).float().cpu().numpy()
