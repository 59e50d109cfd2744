"""Training data the studio renders for itself: every shot in Ichor with a `render_dir` is a folder of
final frames (f0000.exr, ... half-float linear EXR; PNG also read) plus its description and emotion. Echo learns from
(frame, caption) pairs, caption = "<description>. <emotion>", the supervision CLIP (Radford et al.
2021) learns from; Flux learns from consecutive triplets (t-1, t, t+1), the ground truth RIFE-style
interpolation (Huang et al. 2022) is trained on. Shots Echo's latest report failed (a failed gate
joined to the shot's revision request) and shots users rated 1-2 are left out, so the lab does not
learn from renders the studio rejected (protoforge.data.judgements).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from protoforge.data.judgements import Judgements, read_judgements
from protoforge.models.components.tiny_clip import clip_tokenizer, preprocess_rgb8, resize_center_crop
from talos_assets.agents.frames import read_layer_png, to_display_rgb8
from talos_assets.spec import FrameSequence
from talos_assets.stores.ichor import IchorVault


@dataclass(frozen=True)
class RenderedShot:
    """One rendered shot: where its frames are and what it is about."""

    film_id: str
    shot_id: str
    caption: str
    frame_paths: tuple[Path, ...]


def shot_caption(description: str, emotion: str) -> str:
    """The text Echo aligns frames with: the shot's description and its emotion."""
    return f"{description.strip().rstrip('.')}. {emotion.strip()}"


def frame_paths(render_dir: str | Path) -> list[Path]:
    """The shot's final frames in temporal order: the f0000.exr... sequence, else f0000.png...
    (temp files and other names ignored; a gap in the numbering raises ValueError)."""
    for suffix in (".exr", ".png"):
        frames = FrameSequence(folder=Path(render_dir), prefix="f", suffix=suffix).found()
        if frames.count:
            return frames.paths()
    return []


def rendered_shots(vault: IchorVault, exclude_failed: bool = True) -> list[RenderedShot]:
    """Every shot of every film in Ichor that has rendered frames on disk (less those Echo failed or
    users rated low, with `exclude_failed`; see protoforge.data.judgements)."""
    return judged_shots(vault, exclude_failed)[0]


def judged_shots(vault: IchorVault, exclude_failed: bool = True) -> tuple[list[RenderedShot], Judgements]:
    """`rendered_shots` and the judgements read to choose them (the run's data lineage)."""
    judgements = read_judgements(vault) if exclude_failed else Judgements()
    shots = []
    for film_id in vault.film_ids():
        for row in vault.shots(film_id):
            if not row.render_dir or judgements.is_excluded(film_id, row.shot_id):
                continue
            try:
                paths = frame_paths(row.render_dir)
            except ValueError as exc:
                raise ValueError(f"film '{film_id}' shot '{row.shot_id}': {exc}; re-render the shot before training.") from None
            if paths:
                shots.append(RenderedShot(film_id, row.shot_id, shot_caption(row.description, row.emotion),
                                          tuple(paths)))
    return shots, judgements


def load_frames_rgb8(paths: list[Path], image_size: int) -> np.ndarray:
    """Frames as display sRGB uint8 (N, S, S, 3): short side resized to S, centre-cropped."""
    out = np.empty((len(paths), image_size, image_size, 3), dtype=np.uint8)
    for i, path in enumerate(paths):
        out[i] = resize_center_crop(to_display_rgb8(read_layer_png(path)), image_size)
    return out


def evenly(n: int, k: int) -> np.ndarray:
    """k indices spread evenly over range(n) (all of them when k >= n)."""
    if k >= n:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, k)).astype(int))


class CaptionedFrames(Dataset):
    """(normalised image (3,S,S), caption tokens (context_length,), caption id) triples."""

    def __init__(self, images_rgb8: np.ndarray, caption_ids: np.ndarray, tokens: torch.Tensor, image_size: int):
        self.images = images_rgb8
        self.caption_ids = torch.as_tensor(caption_ids, dtype=torch.long)
        self.tokens = tokens
        self.image_size = image_size

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        cid = self.caption_ids[i]
        return preprocess_rgb8(self.images[i], self.image_size)[0], self.tokens[cid], cid


class FrameTriplets(Dataset):
    """(prev, middle, next) frames as float (3,S,S) in [0, 1]; `augment` flips space and time."""

    def __init__(self, triplets: list[np.ndarray], augment: bool = False):
        self.triplets = triplets
        self.augment = augment

    def __len__(self) -> int:
        return len(self.triplets)

    def __getitem__(self, i: int):
        t = torch.from_numpy(self.triplets[i]).permute(0, 3, 1, 2).float() / 255.0
        if self.augment:
            # Both are exact symmetries of the task: the middle of a mirrored or time-reversed
            # triplet is the mirrored / same middle frame. They double the motions the net sees.
            if torch.rand(()) < 0.5:
                t = t.flip(-1)
            if torch.rand(()) < 0.5:
                t = t.flip(0)
        return t[0], t[1], t[2]


class ShotFramesDataModule(L.LightningDataModule, abc.ABC):
    """Reads Ichor's rendered shots once; subclasses turn them into the agent's samples."""

    def __init__(self, ichor_url: str, image_size: int = 64, batch_size: int = 16, val_fraction: float = 0.2,
                 max_frames_per_shot: int = 64, exclude_failed_shots: bool = True, num_workers: int = 0):
        super().__init__()
        self.save_hyperparameters()
        self.train_set: Dataset | None = None
        self.val_set: Dataset | None = None
        self.shots: list[RenderedShot] = []
        self.judgements = Judgements()

    def setup(self, stage: str | None = None) -> None:
        # Idempotent: train() calls it early to fail fast on an empty Ichor, Lightning calls it again.
        if self.train_set is not None:
            return
        hp = self.hparams
        self.shots, self.judgements = judged_shots(IchorVault(hp.ichor_url, create=False),
                                                   exclude_failed=hp.exclude_failed_shots)
        if not self.shots:
            raise ValueError(
                f"Ichor at {hp.ichor_url} has no rendered shots to learn from: render a film first "
                "(every shot needs a render_dir with f0000.exr... frames that Echo did not fail)."
            )
        self._build()

    @abc.abstractmethod
    def _build(self) -> None:
        """Turn `self.shots` into `self.train_set` and `self.val_set`."""

    @property
    def n_train(self) -> int:
        return len(self.train_set) if self.train_set is not None else 0

    @property
    def n_val(self) -> int:
        return len(self.val_set) if self.val_set is not None else 0

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.hparams.batch_size, shuffle=True,
                          num_workers=self.hparams.num_workers)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_set, batch_size=self.hparams.batch_size, shuffle=False,
                          num_workers=self.hparams.num_workers)


class EchoFramesDataModule(ShotFramesDataModule):
    """Frames paired with their shot's caption; validation holds out evenly spaced frames of every
    shot, so it measures whether unseen frames of a shot still find their caption."""

    def __init__(self, ichor_url: str, context_length: int = 32, **kwargs):
        super().__init__(ichor_url, **kwargs)
        self.context_length = context_length
        self.captions: list[str] = []

    def _build(self) -> None:
        hp = self.hparams
        self.captions = sorted({s.caption for s in self.shots})
        cid_of = {c: i for i, c in enumerate(self.captions)}
        tokens = clip_tokenizer(self.context_length)(self.captions)
        parts = {"train": ([], []), "val": ([], [])}
        for shot in self.shots:
            picked = evenly(len(shot.frame_paths), hp.max_frames_per_shot)
            images = load_frames_rgb8([shot.frame_paths[i] for i in picked], hp.image_size)
            is_val = np.zeros(len(images), dtype=bool)
            n_val = _n_val(len(images), hp.val_fraction)
            if n_val:
                is_val[evenly(len(images), n_val)] = True
            for name, mask in (("train", ~is_val), ("val", is_val)):
                parts[name][0].append(images[mask])
                parts[name][1].append(np.full(int(mask.sum()), cid_of[shot.caption]))

        def dataset(name: str) -> CaptionedFrames:
            imgs, cids = parts[name]
            return CaptionedFrames(np.concatenate(imgs), np.concatenate(cids), tokens, hp.image_size)

        self.train_set = dataset("train")
        # With too few frames to hold any out, validate on the training frames rather than on nothing.
        self.val_set = dataset("val") if sum(len(c) for c in parts["val"][1]) else self.train_set


class FluxTripletsDataModule(ShotFramesDataModule):
    """Consecutive (t-1, t, t+1) triplets; validation is the tail of every shot, separated from the
    training triplets by one frame so no validation target is ever a training input."""

    def _build(self) -> None:
        hp = self.hparams
        train, val = [], []
        for shot in self.shots:
            n = len(shot.frame_paths)
            if n < 3:
                continue
            train_c, val_c = triplet_split(n, hp.max_frames_per_shot, hp.val_fraction)
            needed = sorted({int(c + d) for c in np.concatenate([train_c, val_c]) for d in (-1, 0, 1)})
            frames = dict(zip(needed, load_frames_rgb8([shot.frame_paths[i] for i in needed], hp.image_size)))
            train += [np.stack([frames[c - 1], frames[c], frames[c + 1]]) for c in map(int, train_c)]
            val += [np.stack([frames[c - 1], frames[c], frames[c + 1]]) for c in map(int, val_c)]
        if not train and not val:
            raise ValueError(f"Ichor at {hp.ichor_url} has no rendered shot with 3 or more frames to learn in-betweens from.")
        self.train_set = FrameTriplets(train or val, augment=True)
        self.val_set = FrameTriplets(val or train, augment=False)


def triplet_split(n_frames: int, max_centers: int, val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) middle-frame indices of one shot of `n_frames`: centres spread evenly, the
    tail held out, one centre skipped between them so no held-out target is a training input."""
    if n_frames < 3:
        return np.arange(0), np.arange(0)
    centers = np.arange(1, n_frames - 1)[evenly(n_frames - 2, max_centers)]
    n_val = _n_val(len(centers), val_fraction)
    if not n_val:
        return centers, centers[:0]
    val_c = centers[len(centers) - n_val:]
    return centers[centers <= val_c.min() - 2], val_c


def _n_val(n: int, fraction: float) -> int:
    """How many of n samples to hold out: at least one when asked for any, never all of them."""
    if fraction <= 0 or n < 2:
        return 0
    return min(n - 1, max(1, round(n * fraction)))
