"""Lightning training of the shot critic: regression of Echo's shot score (evaluation/shot_score.py)
from the plan's features, plus a RankNet loss (Burges et al. 2005) on pairs of shots that render the
same line: the critic chooses among versions of one shot, whose scores differ by a fraction of the
spread between different shots, and a regression alone learns the large differences and not those.
Validation reports mean absolute error, Spearman rank correlation and the share of same-line pairs
put in Echo's order (`pair_accuracy`, 0.5 = chance), the figure that says whether its picks help."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F

from protoforge.models import with_cosine_schedule
from protoforge.models.components.critic_net import ShotCritic


PAIR_MIN_GAP = 0.002  # same-line pairs closer than this in Echo's score are a tie, neither right nor wrong


def same_group_pairs(target: torch.Tensor, group: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(i, j) index pairs of one group where Echo scored i clearly above j."""
    gap = target[:, None] - target[None, :]
    mask = (group[:, None] == group[None, :]) & (gap > PAIR_MIN_GAP)
    return mask.nonzero(as_tuple=True)


def pair_accuracy(pred: torch.Tensor, target: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
    """The share of same-group pairs predicted in Echo's order (0.5 when there are none)."""
    i, j = same_group_pairs(target, group)
    if i.numel() == 0:
        return torch.tensor(0.5)
    return (pred[i] > pred[j]).float().mean()


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
    def __init__(self, net_config: dict, lr: float = 3e-3, weight_decay: float = 1e-4, rank_weight: float = 0.01,
                 rank_temperature: float = 0.01):
        super().__init__()
        self.save_hyperparameters()
        self.net = ShotCritic(**net_config)
        self._val: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)

    def rank_loss(self, pred: torch.Tensor, score: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
        """RankNet on same-group pairs: -log sigmoid((p_i - p_j) / T) where Echo scored i above j; T is
        about the gap between versions of one shot, so a pair a hundredth apart still pulls."""
        i, j = same_group_pairs(score, group)
        if i.numel() == 0:
            return pred.sum() * 0.0
        return F.softplus(-(pred[i] - pred[j]) / self.hparams.rank_temperature).mean()

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        features, score, group = batch
        pred = self.net(features)
        loss = F.mse_loss(pred, score) + self.hparams.rank_weight * self.rank_loss(pred, score, group)
        self.log("train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(score))
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        features, score, group = batch
        pred = self.net(features)
        self._val.append((pred.detach().cpu(), score.detach().cpu(), group.detach().cpu()))
        self.log("val/loss", F.mse_loss(pred, score), on_step=False, on_epoch=True, batch_size=len(score))

    def on_validation_epoch_end(self) -> None:
        if not self._val:
            return
        pred, target, group = (torch.cat(t) for t in zip(*self._val))
        self._val.clear()
        self.log("val/mae", (pred - target).abs().mean())
        self.log("val/spearman", spearman(pred, target))
        self.log("val/pair_accuracy", pair_accuracy(pred, target, group))

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.net.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        return with_cosine_schedule(self, optimizer)
