"""Lightning training of Flux's in-betweener (RIFE-style middle-frame prediction, Huang et al. 2022)
on the studio's own ground-truth triplets: an L1 reconstruction loss, as RIFE uses, and validation
PSNR of the prediction next to the PSNR of the two baselines a learned interpolator has to beat to be
worth using: the plain linear blend of the neighbours and the DIS flow in-between it starts from.

The weights kept at the end of a fit are those of the best validation epoch, the untrained net (which
is exactly the DIS in-between) counting as epoch -1: on a studio's few hundred triplets a net can
learn its training shots' occlusions and get worse on others (measured on the two-shot test studio
with mirror and time symmetries only: 32.1 dB DIS, 30.3 dB after 30 epochs). The validation split is
the tail of the trained shots, the same one promotion scores, so `val/psnr_kept` is optimistic;
bench/protoforge.py scores the kept model on films it never trained on.
"""

from __future__ import annotations

import copy

import lightning as L
import torch
import torch.nn.functional as F
from torchmetrics import MeanMetric

from protoforge.models import with_cosine_schedule
from protoforge.models.components.interpolator import FrameInterpolator, backward_warp, interpolate_midframe

__all__ = ["FluxInterpModule", "interpolate_midframe"]


def dis_middle(prev: torch.Tensor, nxt: torch.Tensor, flows: torch.Tensor) -> torch.Tensor:
    """The untrained in-between: both neighbours warped halfway along their DIS flows and averaged."""
    return 0.5 * (backward_warp(prev, -0.5 * flows[:, :2]) + backward_warp(nxt, -0.5 * flows[:, 2:]))


def _psnr_per_image(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    mse = ((pred.clamp(0.0, 1.0) - target) ** 2).flatten(1).mean(dim=1).clamp_min(1e-12)
    return 10.0 * torch.log10(1.0 / mse)


class FluxInterpModule(L.LightningModule):
    """Owns the loss, metrics and optimiser; the network is the plain `FrameInterpolator` in `self.net`.
    Batches are (prev, middle, next) or (prev, middle, next, flows) with flows precomputed on the
    whole frames (protoforge.data.shot_frames.FrameTriplets). `best_epoch` is the validation epoch
    whose weights the net holds after `fit` (-1: the untrained DIS in-between)."""

    def __init__(self, net_config: dict | None = None, lr: float = 1e-3, weight_decay: float = 0.0):
        super().__init__()
        self.save_hyperparameters()
        self.net = FrameInterpolator(**(net_config or {}))
        # Per-image PSNR averaged over the epoch, so one bright frame cannot dominate; computed as
        # promotion computes it (MSE floored at 1e-12, 120 dB), so a still crop, which the blend
        # reproduces exactly, counts as 120 dB rather than infinity.
        self.val_psnr, self.val_psnr_blend, self.val_psnr_dis = MeanMetric(), MeanMetric(), MeanMetric()
        self._epoch_psnr: list[torch.Tensor] = []
        self._epoch_psnr_dis: list[torch.Tensor] = []
        self._best: tuple[float, int, dict] | None = None  # (val PSNR, epoch, weights)
        self.best_epoch: int | None = None
        self.tile_sweep: dict[float, float] = {}  # tile_min candidate -> validation PSNR, tiled

    def forward(self, prev: torch.Tensor, nxt: torch.Tensor, flows: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(prev, nxt, flows)

    def _unpack(self, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        prev, mid, nxt = batch[:3]
        flows = batch[3] if len(batch) > 3 else self.net.estimate_flows(prev, nxt)
        return prev, mid, nxt, flows

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        prev, mid, nxt, flows = self._unpack(batch)
        loss = F.l1_loss(self.net(prev, nxt, flows), mid)
        self.log("train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(mid))
        return loss

    def on_fit_start(self) -> None:
        # The untrained net is the DIS in-between (zero output layer): the candidate to beat.
        self._best = (-float("inf"), -1, copy.deepcopy(self.net.state_dict()))

    def validation_step(self, batch, batch_idx: int) -> None:
        prev, mid, nxt, flows = self._unpack(batch)
        pred = self.net(prev, nxt, flows)
        dis = dis_middle(prev, nxt, flows)
        self.log("val/loss", F.l1_loss(pred, mid), on_step=False, on_epoch=True, prog_bar=True, batch_size=len(mid))
        # Scored as it would be shipped: clamped to the displayable range.
        psnr, psnr_dis = _psnr_per_image(pred.detach(), mid), _psnr_per_image(dis, mid)
        self.val_psnr(psnr)
        self.val_psnr_blend(_psnr_per_image(0.5 * (prev + nxt), mid))
        self.val_psnr_dis(psnr_dis)
        self.log("val/psnr", self.val_psnr, on_step=False, on_epoch=True, prog_bar=True)
        self.log("val/psnr_blend", self.val_psnr_blend, on_step=False, on_epoch=True)
        self.log("val/psnr_dis", self.val_psnr_dis, on_step=False, on_epoch=True)
        self._epoch_psnr.append(psnr.cpu())
        self._epoch_psnr_dis.append(psnr_dis.cpu())

    def on_validation_epoch_end(self) -> None:
        scores, dis_scores = self._epoch_psnr, self._epoch_psnr_dis
        self._epoch_psnr, self._epoch_psnr_dis = [], []
        if self.trainer.sanity_checking or self._best is None or not scores:
            return  # the sanity check sees only a few batches
        score, dis_score = float(torch.cat(scores).mean()), float(torch.cat(dis_scores).mean())
        if self._best[1] == -1:  # first epoch: now the untrained net's score (the DIS one) is known
            self._best = (dis_score, -1, self._best[2])
        if score > self._best[0]:
            self._best = (score, self.current_epoch, copy.deepcopy(self.net.state_dict()))
        self.log("val/psnr_kept", self._best[0])
        self.log("val/kept_epoch", float(self._best[1]))

    def on_fit_end(self) -> None:
        if self._best is not None:
            self.net.load_state_dict(self._best[2])
            self.best_epoch = self._best[1]
        datamodule = getattr(self.trainer, "datamodule", None)
        if self.best_epoch is not None and self.best_epoch >= 0 and datamodule is not None and not self.trainer.fast_dev_run:
            # which tiles the trained net may touch, chosen on the validation triplets as shipped (tiled)
            self.net.eval()
            self.tile_sweep = self.net.choose_tile_min(datamodule.val_dataloader())

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.net.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        return with_cosine_schedule(self, optimizer)
