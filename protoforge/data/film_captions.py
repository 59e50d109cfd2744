"""Echo's CLIP data from generated films (protoforge.data.story_films): frames paired with paraphrased
captions of their shot's scene graph (protoforge.data.captions), split by film. Training never sees a
held-out or tuning film: not its frames, not its scene graphs, not its text, and no training caption
equals a held-out caption (`split_films` checks all three and drops what would leak).

Each training sample is one frame of a shot with one of its paraphrases drawn afresh every epoch; the
caption id is the shot, so the multi-positive InfoNCE of EchoClipModule treats every frame/paraphrase
of the same shot as a positive.
"""

from __future__ import annotations

import lightning as L
import numpy as np
import torch
from pydantic import BaseModel
from torch.utils.data import DataLoader, Dataset

from protoforge.data.captions import ShotScene, captions_for
from protoforge.data.story_films import RenderedFilm
from protoforge.models.components.tiny_clip import clip_tokenizer, preprocess_rgb8, resize_center_crop

TRAIN_SEED, EVAL_SEED = "train", "eval"  # paraphrase seeds: the evaluation wording is drawn apart


class FilmSplits(BaseModel):
    """Films by split, and what was dropped from training to keep the held-out films unseen."""

    model_config = {"arbitrary_types_allowed": True}
    train: list[RenderedFilm]
    tuning: list[RenderedFilm]
    held_out: list[RenderedFilm]
    dropped_train_shots: int = 0

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: {"films": len(fs), "shots": sum(len(f.scenes) for f in fs)}
                for name, fs in (("train", self.train), ("tuning", self.tuning), ("held-out", self.held_out))}


def split_films(films: list[RenderedFilm], n_train_captions: int = 8) -> FilmSplits:
    """Films by the SHA-256 split of their story text; a training shot whose scene graph equals an
    evaluated film's shot is dropped (it would show the model a held-out world), as is any training
    caption equal to an evaluation caption or containing a line of an evaluated film's text."""
    by = {"train": [], "tuning": [], "held-out": []}
    for film in films:
        by[film.split].append(film)
    evaluated = by["tuning"] + by["held-out"]
    keys = {s.key() for f in evaluated for s in f.scenes}
    dropped = 0
    train = []
    for film in by["train"]:
        keep = [i for i, s in enumerate(film.scenes) if s.key() not in keys]
        dropped += len(film.scenes) - len(keep)
        if keep:
            train.append(film.model_copy(update={"scenes": [film.scenes[i] for i in keep],
                                                 "frames": [film.frames[i] for i in keep]}))
    return FilmSplits(train=train, tuning=by["tuning"], held_out=by["held-out"], dropped_train_shots=dropped)


def training_captions(splits: FilmSplits, n: int = 8) -> list[list[str]]:
    """Per training shot (in film order), its paraphrases less any that would leak evaluated text."""
    evaluated = splits.tuning + splits.held_out
    banned = {c for f in evaluated for s in f.scenes for c in captions_for(s, n, TRAIN_SEED) + captions_for(s, n, EVAL_SEED)}
    lines = [line.strip().lower() for f in evaluated for line in f.text.splitlines() if line.strip()]
    out = []
    for film in splits.train:
        for scene in film.scenes:
            caps = [c for c in captions_for(scene, n, TRAIN_SEED)
                    if c not in banned and not any(line in c.lower() for line in lines)]
            out.append(caps)
    return out


class ShotCaptionFrames(Dataset):
    """(image (3,S,S), tokens of a random paraphrase, shot id) for every frame of every shot."""

    def __init__(self, frames: list[np.ndarray], captions: list[list[str]], image_size: int, context_length: int,
                 seed: int = 0, augment: bool = True):
        tok = clip_tokenizer(context_length)
        self.tokens = [tok(c) for c in captions]
        self.images = [f for shot in frames for f in shot]  # source size: augmentation crops before resizing
        self.shot_of = np.concatenate([np.full(len(shot), i) for i, shot in enumerate(frames)])
        self.image_size = image_size
        self.rng = np.random.default_rng(seed)
        self.augment = augment

    def __len__(self) -> int:
        return len(self.images)

    def _crop(self, image: np.ndarray) -> np.ndarray:
        """A random window of 75-100% of the frame, mirrored half the time: the camera of a rendered
        shot frames the same world closer or wider, and a mirrored world is the same world."""
        h, w = image.shape[:2]
        scale = self.rng.uniform(0.75, 1.0)
        ch, cw = max(2, round(h * scale)), max(2, round(w * scale))
        y, x = self.rng.integers(0, h - ch + 1), self.rng.integers(0, w - cw + 1)
        image = image[y : y + ch, x : x + cw]
        return image[:, ::-1] if self.rng.random() < 0.5 else image

    def __getitem__(self, i: int):
        shot = int(self.shot_of[i])
        image = self.images[i]
        tokens = self.tokens[shot][0]
        if self.augment:
            image = self._crop(image)
            tokens = self.tokens[shot][self.rng.integers(len(self.tokens[shot]))]
        pixels = resize_center_crop(np.ascontiguousarray(image), self.image_size)
        return preprocess_rgb8(pixels, self.image_size)[0], tokens, torch.tensor(shot)


class FilmCaptionsDataModule(L.LightningDataModule):
    """Training frames of the train films; validation is the tuning films (frames with one caption)."""

    def __init__(self, splits: FilmSplits, image_size: int = 64, context_length: int = 48, batch_size: int = 64,
                 n_captions: int = 8, frames_per_shot: int = 6, plates: dict[str, np.ndarray] | None = None):
        super().__init__()
        self.plates = plates or {}
        self.splits, self.image_size, self.context_length = splits, image_size, context_length
        self.batch_size, self.n_captions, self.frames_per_shot = batch_size, n_captions, frames_per_shot
        self.train_set: Dataset | None = None
        self.val_set: Dataset | None = None

    def _frames(self, films: list[RenderedFilm]) -> list[np.ndarray]:
        out = []
        for film in films:
            for shot in film.frames:
                idx = np.unique(np.round(np.linspace(0, len(shot) - 1, min(len(shot), self.frames_per_shot))).astype(int))
                out.append(shot[idx])
        return out

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        captions = training_captions(self.splits, self.n_captions)
        keep = [i for i, c in enumerate(captions) if c]
        frames = self._frames(self.splits.train)
        if not keep:
            raise ValueError("No training film is left after the split: generate more films (--films) before training.")
        frames, captions = [frames[i] for i in keep], [captions[i] for i in keep]
        for key, plate in self.plates.items():  # set plates: one more "shot" of one picture each
            frames.append(plate[None])
            captions.append(captions_for(ShotScene.model_validate_json(key), self.n_captions, TRAIN_SEED))
        self.train_set = ShotCaptionFrames(frames, captions, self.image_size, self.context_length)
        tuning = self.splits.tuning or self.splits.train
        val_caps = [captions_for(s, 1, EVAL_SEED) for f in tuning for s in f.scenes]
        self.val_set = ShotCaptionFrames(self._frames(tuning), val_caps, self.image_size, self.context_length,
                                          augment=False)

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True, drop_last=len(self.train_set) > self.batch_size)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_set, batch_size=self.batch_size, shuffle=False)


def evaluated_worlds(splits: FilmSplits) -> set[tuple[str, str, str]]:
    """(set, time, weather) of every tuning and held-out shot: worlds no training plate may show."""
    return {(s.place, s.time_of_day, s.weather) for f in splits.tuning + splits.held_out for s in f.scenes}
