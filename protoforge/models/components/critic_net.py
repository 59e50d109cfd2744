"""The critic's network: a small MLP from a shot's plan features to its predicted Echo score.

The features' standardisation (mean and spread over the training shots) lives in the network as
buffers, so the safetensors file alone reproduces the predictions: nothing about the training set
has to travel beside it.
"""

from __future__ import annotations

import torch
from torch import nn


class ShotCritic(nn.Module):
    """plan features (N, in_features) -> predicted Echo score (N,) in (0, 1)."""

    agent = "critic"

    def __init__(self, in_features: int, hidden: int = 64, layers: int = 2, dropout: float = 0.1):
        super().__init__()
        self.config = dict(in_features=in_features, hidden=hidden, layers=layers, dropout=dropout)
        blocks: list[nn.Module] = []
        width = in_features
        for _ in range(layers):
            blocks += [nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout)]
            width = hidden
        blocks.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*blocks)
        self.register_buffer("feature_mean", torch.zeros(in_features))
        self.register_buffer("feature_std", torch.ones(in_features))

    @property
    def device(self) -> torch.device:
        return self.feature_mean.device

    def fit_standardisation(self, features: torch.Tensor) -> None:
        """Set the input standardisation from the training features (constant columns keep std 1)."""
        std = features.std(dim=0, unbiased=False)
        self.feature_mean.copy_(features.mean(dim=0))
        self.feature_std.copy_(torch.where(std > 1e-6, std, torch.ones_like(std)))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        z = (features - self.feature_mean) / self.feature_std
        return torch.sigmoid(self.mlp(z)).squeeze(-1)
