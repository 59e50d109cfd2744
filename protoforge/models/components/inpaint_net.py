"""Anima's learned inpainter: fill the masked pixels of a frame from the rest of it, trained on the
studio's own renders with random holes (protoforge.data.inpaint_frames). A small diffusers
`UNet2DModel` (timestep fixed at 0, no attention, as Flux's in-betweener) sees the frame with its
hole filled by OpenCV's Navier-Stokes inpainting (Bertalmio, Bertozzi and Sapiro 2001, the repair
Anima uses without a model) plus the mask, and predicts a residual over that fill inside the hole, as
Flux's net refines the flow in-between; the output layer starts at zero, so an untrained net is
exactly OpenCV's fill and training only learns what it gets wrong (edges, lines, texture that
diffusion smears). Pixels outside the hole are the input's, exactly.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from diffusers import UNet2DModel
from torch import nn


@torch.no_grad()
def opencv_fill(rgb: torch.Tensor, hole: torch.Tensor, method: int = cv2.INPAINT_NS, radius: int = 3) -> torch.Tensor:
    """`rgb` (N,C,H,W) with its `hole` (N,1,H,W, 1 = unknown) filled by OpenCV's inpainting, channel by
    channel on float images: what Anima's repair does without a model (Navier-Stokes by default;
    cv2.INPAINT_TELEA for Telea 2004). A constant of the net: no gradient flows through it."""
    out = rgb.detach().cpu().float().numpy().copy()
    masks = (hole.detach().cpu().numpy()[:, 0] > 0.5).astype(np.uint8)
    for img, mask in zip(out, masks):
        if mask.any():
            for c in range(img.shape[0]):
                img[c] = cv2.inpaint(np.ascontiguousarray(img[c]), mask, radius, method)
    return torch.from_numpy(out).to(rgb.device, rgb.dtype)


def masked_psnr(pred: torch.Tensor, target: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR (N,) over the hole's pixels only (data range 1): what an inpainter is judged on,
    since every pixel outside the hole is the input's anyway."""
    err = ((pred - target) ** 2 * hole).flatten(1).sum(dim=1)
    count = (hole.flatten(1).sum(dim=1) * pred.shape[1]).clamp_min(1.0)
    return 10.0 * torch.log10(1.0 / (err / count).clamp_min(1e-12))


class FrameInpainter(nn.Module):
    """(rgb (N,3,H,W) in [0, 1] display sRGB, hole (N,1,H,W) 1 = to fill) -> rgb with the hole filled."""

    agent = "inpaint"

    def __init__(self, block_out_channels: tuple[int, ...] | list[int] = (16, 32, 64), layers_per_block: int = 1,
                 norm_num_groups: int = 8, sample_size: int = 64):
        super().__init__()
        block_out_channels = tuple(int(c) for c in block_out_channels)
        self.config = dict(block_out_channels=list(block_out_channels), layers_per_block=layers_per_block,
                           norm_num_groups=norm_num_groups, sample_size=sample_size)
        n = len(block_out_channels)
        self.unet = UNet2DModel(
            sample_size=sample_size, in_channels=4, out_channels=3, block_out_channels=block_out_channels,
            layers_per_block=layers_per_block, down_block_types=("DownBlock2D",) * n, up_block_types=("UpBlock2D",) * n,
            norm_num_groups=norm_num_groups,
            # No attention: the net runs fully convolutionally on whatever region a revision flags.
            add_attention=False,
        )
        # Zero output layer: start as OpenCV's fill, learn only what it gets wrong.
        nn.init.zeros_(self.unet.conv_out.weight)
        nn.init.zeros_(self.unet.conv_out.bias)
        self.stride = 2 ** (n - 1)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, rgb: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
        base = opencv_fill(rgb, hole)  # the hole's own (faulty) pixels never reach the net
        h, w = rgb.shape[-2:]
        x = torch.cat([base * 2.0 - 1.0, hole * 2.0 - 1.0], dim=1)
        # The UNet halves the resolution n-1 times; pad to a multiple of that and crop back.
        ph, pw = (-h) % self.stride, (-w) % self.stride
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="replicate")
        timestep = torch.zeros(x.shape[0], device=x.device, dtype=torch.long)
        residual = self.unet(x, timestep).sample[..., :h, :w]
        # Unclamped on purpose (a clamp zeroes the gradient at 0 and 1); outside the hole: the input.
        return rgb * (1.0 - hole) + (base + residual) * hole


# Known pixels kept around a hole's bounding box when only that part of a frame is inpainted:
# about the context the net had in its 64-pixel training crops.
CONTEXT_PX = 24


@torch.no_grad()
def inpaint_frame(model: nn.Module, rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """`rgb` (H,W,3 float in [0, 1] display sRGB, or uint8) with the pixels where `hole` (H,W bool)
    is set filled by `model` (a `FrameInpainter`, or anything holding one as `.net`); float32 (H,W,3),
    every pixel outside the hole exactly the input's. Only the hole's bounding box and `CONTEXT_PX`
    around it go through the net, so a small flagged region of a large frame costs little."""
    net: FrameInpainter = getattr(model, "net", model)
    img = np.asarray(rgb)[..., :3]
    img = img.astype(np.float32) / 255.0 if img.dtype == np.uint8 else img.astype(np.float32)
    hole = np.asarray(hole, dtype=bool)
    out = img.copy()
    if not hole.any():
        return out
    ys, xs = np.nonzero(hole)
    y0, y1 = max(0, ys.min() - CONTEXT_PX), min(img.shape[0], ys.max() + 1 + CONTEXT_PX)
    x0, x1 = max(0, xs.min() - CONTEXT_PX), min(img.shape[1], xs.max() + 1 + CONTEXT_PX)
    crop = torch.from_numpy(np.ascontiguousarray(img[y0:y1, x0:x1])).permute(2, 0, 1)[None].to(net.device)
    mask = torch.from_numpy(hole[y0:y1, x0:x1].astype(np.float32))[None, None].to(net.device)
    was_training = net.training
    net.eval()
    try:
        filled = net(crop, mask).clamp(0.0, 1.0)[0].permute(1, 2, 0).float().cpu().numpy()
    finally:
        net.train(was_training)
    region = out[y0:y1, x0:x1]
    region[hole[y0:y1, x0:x1]] = filled[hole[y0:y1, x0:x1]]
    return out
