"""The critic's training data, all from Ichor: each shot's plan (the `plan_json` Prism registered with
the film) as features, and its score from the film's latest Echo report (and the latest user rating
of the shot) as the target (talos_assets.agents.evaluation.shot_score). Shots Echo never scored are
skipped. Films, not shots, are split into training and validation by a hash of the film id, so the
critic is validated on films it never saw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from protoforge.data.judgements import Judgements, latest_report
from talos_assets.agents.direction.candidates import plan_features
from talos_assets.agents.evaluation.shot_score import echo_shot_score
from talos_assets.spec import ShotPlan
from talos_assets.stores.ichor import IchorVault


@dataclass(frozen=True)
class ScoredShot:
    """One shot the critic learns from: its plan features and Echo's score of it."""

    film_id: str
    shot_id: str
    features: np.ndarray
    score: float
    frame_paths: tuple = ()  # the lineage record lists frames for image models; the critic reads none


def scored_shots(vault: IchorVault) -> tuple[list[ScoredShot], Judgements]:
    """Every shot with a score in its film's latest Echo report, and the rows read (the lineage)."""
    out: list[ScoredShot] = []
    read = Judgements()
    for film_id in vault.film_ids():
        rows = vault.evaluations(film_id)
        report, _ = latest_report(rows)
        read.evaluation_ids += [r.id for r in report]
        metrics: dict[str, dict[str, float]] = {}
        for r in report:
            if r.shot_id is not None:
                metrics.setdefault(r.shot_id, {})[r.metric] = r.value
        ratings: dict[str, int] = {}
        for rating in vault.ratings(film_id):
            read.rating_ids.append(rating.id)
            ratings[rating.shot_id] = rating.rating  # the latest counts
        for row in vault.shots(film_id):
            score = echo_shot_score(metrics.get(row.shot_id, {}), ratings.get(row.shot_id))
            if not np.isfinite(score):
                continue
            shot = ShotPlan.model_validate_json(row.plan_json)
            out.append(ScoredShot(film_id, row.shot_id, plan_features(shot), float(score)))
    return out, read


def is_validation_film(film_id: str, fraction: float) -> bool:
    """A stable split by film: the first 8 hex digits of sha256(film id) as a fraction of 2^32."""
    return int(hashlib.sha256(film_id.encode()).hexdigest()[:8], 16) / 2**32 < fraction


class CriticDataModule(L.LightningDataModule):
    """(features, score) pairs from Ichor; validation = the films `is_validation_film` picks (at
    least one film when there are two or more, so a small studio still validates)."""

    def __init__(self, ichor_url: str, batch_size: int = 32, val_fraction: float = 0.2, num_workers: int = 0, **_):
        super().__init__()
        self.ichor_url, self.batch_size, self.val_fraction, self.num_workers = ichor_url, batch_size, val_fraction, num_workers
        self.shots: list[ScoredShot] = []
        self.judgements = Judgements()
        self.train_set = self.val_set = None

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        self.shots, self.judgements = scored_shots(IchorVault(self.ichor_url))
        films = sorted({s.film_id for s in self.shots})
        if len(self.shots) < 4:
            raise ValueError(f"Ichor at {self.ichor_url} holds {len(self.shots)} shots Echo scored; the critic needs "
                             "at least 4: forge and evaluate a few films first.")
        val_films = {f for f in films if is_validation_film(f, self.val_fraction)}
        if not val_films and len(films) > 1 and self.val_fraction > 0:
            val_films = {films[-1]}
        if val_films == set(films):
            val_films = set(films[-1:]) if len(films) > 1 else set()
        train = [s for s in self.shots if s.film_id not in val_films]
        val = [s for s in self.shots if s.film_id in val_films] or train
        self.train_set, self.val_set = self._tensors(train), self._tensors(val)

    @staticmethod
    def _tensors(shots: list[ScoredShot]) -> TensorDataset:
        x = torch.from_numpy(np.stack([s.features for s in shots]).astype(np.float32))
        y = torch.tensor([s.score for s in shots], dtype=torch.float32)
        return TensorDataset(x, y)

    @property
    def n_train(self) -> int:
        return len(self.train_set) if self.train_set is not None else 0

    @property
    def n_val(self) -> int:
        return len(self.val_set) if self.val_set is not None else 0

    def train_features(self) -> torch.Tensor:
        return self.train_set.tensors[0]

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True, num_workers=self.num_workers)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_set, batch_size=256, num_workers=self.num_workers)
