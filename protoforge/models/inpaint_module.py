"""Lightning training of Anima's learned inpainter on holed crops of the studio's own renders: an L1
loss over the hole's pixels only (outside it the output is the input, so there is nothing to learn
there), and held-out PSNR inside the hole next to OpenCV's Navier-Stokes inpainting (Bertalmio,
Bertozzi and Sapiro 2001, the repair Anima uses without a model, which the net refines) on the same
holes: the baseline a learned inpainter has to beat to be worth loading.
"""

from __future__ import annotations

import lightning as L
import torch

from protoforge.models import with_cosine_schedule
from protoforge.models.components.inpaint_net import FrameInpainter, inpaint_frame, masked_psnr, opencv_fill

__all__ = ["InpaintModule", "inpaint_frame", "masked_l1"]


def masked_l1(pred: torch.Tensor, target: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """Mean absolute error over the hole's pixels (and channels) of the whole batch."""
    return ((pred - target).abs() * hole).sum() / (hole.sum() * pred.shape[1]).clamp_min(1.0)


class InpaintModule(L.LightningModule):
    """Owns the loss, metrics and optimiser; the network is the plain `FrameInpainter` in `self.net`."""

    def __init__(self, net_config: dict | None = None, lr: float = 1e-3, weight_decay: float = 0.0):
        super().__init__()
        self.save_hyperparameters()
        self.net = FrameInpainter(**(net_config or {}))

    def forward(self, rgb: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
        return self.net(rgb, hole)

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        rgb, hole = batch
        loss = masked_l1(self.net(rgb, hole), rgb, hole)
        self.log("train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(rgb))
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        rgb, hole = batch
        pred = self.net(rgb, hole)
        n = len(rgb)
        self.log("val/loss", masked_l1(pred, rgb, hole), on_step=False, on_epoch=True, prog_bar=True, batch_size=n)
        # Scored as it would be shipped: clamped to the displayable range, per image, then averaged.
        self.log("val/psnr_mask", masked_psnr(pred.clamp(0.0, 1.0), rgb, hole).mean(), on_step=False, on_epoch=True,
                 prog_bar=True, batch_size=n)
        self.log("val/psnr_mask_cv2", masked_psnr(opencv_fill(rgb, hole).clamp(0.0, 1.0), rgb, hole).mean(), on_step=False,
                 on_epoch=True, batch_size=n)

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.net.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        return with_cosine_schedule(self, optimizer)
