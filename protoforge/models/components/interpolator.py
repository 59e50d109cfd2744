"""Flux's learned in-betweener: predict the middle frame from its two neighbours, in the spirit of RIFE
(Huang et al., "Real-Time Intermediate Flow Estimation for Video Frame Interpolation", ECCV 2022),
trained on ground-truth triplets the studio renders itself. Instead of RIFE's IFNet flow pyramid it
uses a small diffusers `UNet2DModel` (timestep fixed at 0, no attention) that sees both neighbours
and predicts a residual over their linear blend; the output layer starts at zero, so an untrained
net is exactly the blend baseline and training can only have to improve on it.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import UNet2DModel
from torch import nn


class FrameInterpolator(nn.Module):
    """(prev, next) in [0, 1], shape (N,3,H,W) each -> predicted middle frame (N,3,H,W)."""

    agent = "flux"

    def __init__(self, block_out_channels: tuple[int, ...] | list[int] = (16, 32, 32), layers_per_block: int = 1,
                 norm_num_groups: int = 8, sample_size: int = 64):
        super().__init__()
        block_out_channels = tuple(int(c) for c in block_out_channels)
        self.config = dict(block_out_channels=list(block_out_channels), layers_per_block=layers_per_block,
                           norm_num_groups=norm_num_groups, sample_size=sample_size)
        n = len(block_out_channels)
        self.unet = UNet2DModel(
            sample_size=sample_size,
            in_channels=6,
            out_channels=3,
            block_out_channels=block_out_channels,
            layers_per_block=layers_per_block,
            down_block_types=("DownBlock2D",) * n,
            up_block_types=("UpBlock2D",) * n,
            norm_num_groups=norm_num_groups,
            # No attention: the net must run fully convolutionally on 1080p/4K frames, where a
            # mid-block self-attention over every pixel of the bottleneck would not fit in memory.
            add_attention=False,
        )
        # Zero output layer: start as the linear blend, learn only what the blend gets wrong.
        nn.init.zeros_(self.unet.conv_out.weight)
        nn.init.zeros_(self.unet.conv_out.bias)
        self.stride = 2 ** (n - 1)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, prev: torch.Tensor, nxt: torch.Tensor) -> torch.Tensor:
        blend = 0.5 * (prev + nxt)
        h, w = prev.shape[-2:]
        x = torch.cat([prev, nxt], dim=1) * 2.0 - 1.0
        # The UNet halves the resolution n-1 times; pad to a multiple of that and crop back.
        ph, pw = (-h) % self.stride, (-w) % self.stride
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="replicate")
        timestep = torch.zeros(x.shape[0], device=x.device, dtype=torch.long)
        residual = self.unet(x, timestep).sample[..., :h, :w]
        # Unclamped on purpose: clamping here would zero the gradient wherever the target is 0 or 1.
        return blend + residual


@torch.no_grad()
def interpolate_midframe(model: nn.Module, frame_a: np.ndarray, frame_b: np.ndarray) -> np.ndarray:
    """The in-between of two RGB frames (H,W,3; uint8 or float in [0, 1], same encoding as training:
    display sRGB). Returns float32 (H,W,3) in [0, 1]. `model` is a `FrameInterpolator` or anything
    holding one as `.net` (the Lightning module)."""
    net: FrameInterpolator = getattr(model, "net", model)

    def to_tensor(img: np.ndarray) -> torch.Tensor:
        img = np.asarray(img)[..., :3]
        arr = img.astype(np.float32) / 255.0 if img.dtype == np.uint8 else img.astype(np.float32)
        return torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1)[None].to(net.device)

    was_training = net.training
    net.eval()
    try:
        out = net(to_tensor(frame_a), to_tensor(frame_b)).clamp(0.0, 1.0)
    finally:
        net.train(was_training)
    return out[0].permute(1, 2, 0).float().cpu().numpy()
