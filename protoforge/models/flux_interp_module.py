"""Lightning training of Flux's in-betweener (RIFE-style middle-frame prediction, Huang et al. 2022)
on the studio's own ground-truth triplets: an L1 reconstruction loss, as RIFE uses, and validation
PSNR of the prediction next to the PSNR of the plain linear blend of the neighbours, the baseline a
learned interpolator has to beat to be worth using.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from torchmetrics.image import PeakSignalNoiseRatio

from protoforge.models import with_cosine_schedule
from protoforge.models.components.interpolator import FrameInterpolator, interpolate_midframe

__all__ = ["FluxInterpModule", "interpolate_midframe"]


class FluxInterpModule(L.LightningModule):
    """Owns the loss, metrics and optimiser; the network is the plain `FrameInterpolator` in `self.net`."""

    def __init__(self, net_config: dict | None = None, lr: float = 1e-3, weight_decay: float = 0.0):
        super().__init__()
        self.save_hyperparameters()
        self.net = FrameInterpolator(**(net_config or {}))
        # Per-image PSNR averaged over the epoch (dim=...), so one bright frame cannot dominate.
        self.val_psnr = PeakSignalNoiseRatio(data_range=1.0, dim=(1, 2, 3))
        self.val_psnr_blend = PeakSignalNoiseRatio(data_range=1.0, dim=(1, 2, 3))

    def forward(self, prev: torch.Tensor, nxt: torch.Tensor) -> torch.Tensor:
        return self.net(prev, nxt)

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        prev, mid, nxt = batch
        loss = F.l1_loss(self.net(prev, nxt), mid)
        self.log("train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(mid))
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        prev, mid, nxt = batch
        pred = self.net(prev, nxt)
        self.log("val/loss", F.l1_loss(pred, mid), on_step=False, on_epoch=True, prog_bar=True, batch_size=len(mid))
        # Scored as it would be shipped: clamped to the displayable range.
        self.val_psnr(pred.clamp(0.0, 1.0), mid)
        self.val_psnr_blend(0.5 * (prev + nxt), mid)
        self.log("val/psnr", self.val_psnr, on_step=False, on_epoch=True, prog_bar=True)
        self.log("val/psnr_blend", self.val_psnr_blend, on_step=False, on_epoch=True)

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.net.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        return with_cosine_schedule(self, optimizer)

