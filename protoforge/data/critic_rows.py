"""The critic's training data, all from Ichor: each shot's plan (the `plan_json` Prism registered with
the film) and its acting preview as features, and its score from the film's latest Echo report (and
the latest user rating of the shot) as the target (talos_assets.agents.evaluation.shot_score). Shots
Echo never scored are skipped.

The critic's job is to choose among versions of one shot, so shots rendered from the same line of the
same story (a film forged again with other choices, the candidates of a shot) form a group: the
module learns their order within the group as well as their scores, groups are split into training
and validation by a hash of the group (a line is validated only if the critic never saw it), and a
batch holds whole groups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset

from protoforge.data.judgements import Judgements, latest_report
from talos_assets.agents.direction.candidates import plan_features
from talos_assets.agents.evaluation.acting_preview import acting_preview
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
    group: str = ""  # the story line this shot renders (film title and shot description)
    frame_paths: tuple = ()  # the lineage record lists frames for image models; the critic reads none


def line_group(title: str, description: str) -> str:
    """The group of shots that render one line of one story, however they were directed."""
    return hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:16]


def scored_shots(vault: IchorVault, character_dirs: Sequence[Path | str] = (), prop_dirs: Sequence[Path | str] = ()
                 ) -> tuple[list[ScoredShot], Judgements]:
    """Every shot with a score in its film's latest Echo report, and the rows read (the lineage)."""
    out: list[ScoredShot] = []
    read = Judgements()
    for film_id in vault.film_ids():
        film = vault.film(film_id)
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
            try:
                acting = acting_preview(shot, character_dirs, prop_dirs)
            except (OSError, ValueError):  # a rig that is gone from the studio: judged on the plan alone
                acting = None
            out.append(ScoredShot(film_id, row.shot_id, plan_features(shot, acting), float(score),
                                  line_group(film.title if film else film_id, shot.description)))
    return out, read


def is_validation_film(film_id: str, fraction: float) -> bool:
    """A stable split: the first 8 hex digits of sha256(key) as a fraction of 2^32 (a film id or a group)."""
    return int(hashlib.sha256(film_id.encode()).hexdigest()[:8], 16) / 2**32 < fraction


class GroupBatches(Sampler[list[int]]):
    """Batches of whole groups (shuffled each epoch), so the order within a group is learnt in one step."""

    def __init__(self, groups: Sequence[int], batch_size: int, seed: int = 0):
        self.members: dict[int, list[int]] = {}
        for i, g in enumerate(groups):
            self.members.setdefault(int(g), []).append(i)
        self.batch_size, self.epoch, self.seed = batch_size, 0, seed

    def _batches(self, epoch: int) -> list[list[int]]:
        out: list[list[int]] = [[]]
        for g in np.random.default_rng([self.seed, epoch]).permutation(sorted(self.members)):
            if out[-1] and len(out[-1]) + len(self.members[g]) > self.batch_size:
                out.append([])
            out[-1] += self.members[g]
        return [b for b in out if b]

    def __iter__(self):
        batches = self._batches(self.epoch)
        self.epoch += 1
        return iter(batches)

    def __len__(self) -> int:
        return len(self._batches(self.epoch))


class CriticDataModule(L.LightningDataModule):
    """(features, score, group) rows from Ichor; validation = the groups `is_validation_film` picks (at
    least one when there are two or more, so a small studio still validates)."""

    def __init__(self, ichor_url: str, batch_size: int = 32, val_fraction: float = 0.2, num_workers: int = 0,
                 character_dirs: Sequence[Path | str] = (), prop_dirs: Sequence[Path | str] = (), **_):
        super().__init__()
        self.ichor_url, self.batch_size, self.val_fraction, self.num_workers = ichor_url, batch_size, val_fraction, num_workers
        self.character_dirs, self.prop_dirs = list(character_dirs), list(prop_dirs)
        self.shots: list[ScoredShot] = []
        self.judgements = Judgements()
        self.train_set = self.val_set = None

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        self.shots, self.judgements = scored_shots(IchorVault(self.ichor_url), self.character_dirs, self.prop_dirs)
        groups = sorted({s.group for s in self.shots})
        if len(self.shots) < 4:
            raise ValueError(f"Ichor at {self.ichor_url} holds {len(self.shots)} shots Echo scored; the critic needs "
                             "at least 4: forge and evaluate a few films first.")
        val_groups = {g for g in groups if is_validation_film(g, self.val_fraction)}
        if not val_groups and len(groups) > 1 and self.val_fraction > 0:
            val_groups = {groups[-1]}
        if val_groups == set(groups):
            val_groups = set(groups[-1:]) if len(groups) > 1 else set()
        train = [s for s in self.shots if s.group not in val_groups]
        val = [s for s in self.shots if s.group in val_groups] or train
        self.train_set, self.val_set = self._tensors(train, groups), self._tensors(val, groups)

    @staticmethod
    def _tensors(shots: list[ScoredShot], groups: list[str]) -> TensorDataset:
        x = torch.from_numpy(np.stack([s.features for s in shots]).astype(np.float32))
        y = torch.tensor([s.score for s in shots], dtype=torch.float32)
        g = torch.tensor([groups.index(s.group) for s in shots], dtype=torch.long)
        return TensorDataset(x, y, g)

    @property
    def n_train(self) -> int:
        return len(self.train_set) if self.train_set is not None else 0

    @property
    def n_val(self) -> int:
        return len(self.val_set) if self.val_set is not None else 0

    def train_features(self) -> torch.Tensor:
        return self.train_set.tensors[0]

    def train_dataloader(self) -> DataLoader:
        batches = GroupBatches(self.train_set.tensors[2].tolist(), self.batch_size)
        return DataLoader(self.train_set, batch_sampler=batches, num_workers=self.num_workers)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_set, batch_size=256, num_workers=self.num_workers)
