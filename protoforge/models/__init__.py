"""LightningModules (loss, metrics, optimiser) for each agent model, and what they share."""

from __future__ import annotations

import math


def with_cosine_schedule(module, optimizer):
    """Cosine-decay the learning rate to zero over the run, stepped per batch: with the few hundred
    steps a studio's own renders give, ending at a small rate is what lets the weights settle."""
    import torch

    steps = module.trainer.estimated_stepping_batches if module._trainer is not None else math.inf
    if not math.isfinite(steps):  # open-ended training (max_epochs=-1): keep the rate constant
        return optimizer
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, int(steps)))
    return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
