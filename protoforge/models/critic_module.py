"""Lightning training of the shot critic: regression of Echo's shot score (evaluation/shot_score.py)
from the plan's features, with mean absolute error and Spearman rank correlation on the validation
shots -- the critic is used to rank a shot's candidates, so ranking them right is what counts."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F

from protoforge.models import with_cosine_schedule
from protoforge.models.components.critic_net import ShotCritic


def spearman(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Spearman's rank correlation (ties ranked by order; NaN-free for constant inputs: 0)."""
    if pred.numel() < 2:
        return torch.tensor(0.0)
    rp = pred.argsort().argsort().float()
    rt = target.argsort().argsort().float()
    rp, rt = rp - rp.mean(), rt - rt.mean()
    denom = (rp.norm() * rt.norm()).clamp_min(1e-12)
    return (rp * rt).sum() / denom


class CriticModule(L.LightningModule):
    def __init__(self, net_config: dict, lr: float = 3e-3, weight_decay: float = 1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.net = ShotCritic(**net_config)
        self._val: list[tuple[torch.Tensor, torch.Tensor]] = []

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        features, score = batch
        loss = F.mse_loss(self.net(features), score)
        self.log("train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(score))
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        features, score = batch
        pred = self.net(features)
        self._val.append((pred.detach().cpu(), score.detach().cpu()))
        self.log("val/loss", F.mse_loss(pred, score), on_step=False, on_epoch=True, batch_size=len(score))

    def on_validation_epoch_end(self) -> None:
        if not self._val:
            return
        pred = torch.cat([p for p, _ in self._val])
        target = torch.cat([t for _, t in self._val])
        self._val.clear()
        self.log("val/mae", (pred - target).abs().mean())
        self.log("val/spearman", spearman(pred, target))

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.net.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        return with_cosine_schedule(self, optimizer)
