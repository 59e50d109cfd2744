"""Training data the studio renders for itself: every shot in Ichor with a `render_dir` is a folder of
final frames (f0000.exr, ... half-float linear EXR; PNG also read) plus its plan. Echo learns from
(frame, caption) pairs, the supervision CLIP (Radford et al. 2021) learns from; the caption is a
paraphrase of the shot's scene graph (`protoforge.data.captions`: set, time, weather, props, effects,
actions, emotion), the words Echo later retrieves the shot by, or "<description>. <emotion>" for a
shot registered without a plan; Flux learns from consecutive triplets (t-1, t, t+1), the ground truth RIFE-style
interpolation (Huang et al. 2022) is trained on. Shots Echo's latest report failed (a failed gate
joined to the shot's revision request) and shots users rated 1-2 are left out, so the lab does not
learn from renders the studio rejected (protoforge.data.judgements).
"""

from __future__ import annotations

import abc
import zlib
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


TRAIN_CAPTION_SEED = "train"  # Echo scores with other paraphrases (alignment.EVAL_CAPTION_SEED)


def shot_caption(description: str, emotion: str, plan_json: str | None = None) -> str:
    """The text Echo aligns frames with: a paraphrase of the shot's scene graph when its plan is
    known, else its description and emotion."""
    if plan_json:
        from protoforge.data.captions import captions_for, scene_of
        from talos_assets.spec import ShotPlan

        try:
            plan = ShotPlan.model_validate_json(plan_json)
        except ValueError:
            plan = None  # a plan from an older studio: fall back to its words
        if plan is not None and plan.setting is not None:
            return captions_for(scene_of(plan), 1, TRAIN_CAPTION_SEED)[0]
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
                shots.append(RenderedShot(film_id, row.shot_id, shot_caption(row.description, row.emotion, row.plan_json),
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
    """(prev, middle, next) frames as float (3,S,S) in [0, 1], plus their DIS flows (4,S,S: a->b then
    b->a, pixels, computed on the whole frames) when given. Each sample may hold several crops of
    one triplet (K,3,S,S,3); `augment` picks one at random and applies a random symmetry of the
    square (mirror, flip, transpose when square) and of time."""

    def __init__(self, triplets: list[np.ndarray], augment: bool = False, flows: list[np.ndarray] | None = None):
        self.triplets = triplets
        self.flows = flows
        self.augment = augment

    def __len__(self) -> int:
        return len(self.triplets)

    def __getitem__(self, i: int):
        crops = self.triplets[i] if self.triplets[i].ndim == 5 else self.triplets[i][None]
        k = int(torch.randint(len(crops), ())) if self.augment else 0
        t = torch.from_numpy(crops[k]).permute(0, 3, 1, 2).float() / 255.0
        f = None
        if self.flows is not None:
            fk = self.flows[i] if self.flows[i].ndim == 4 else self.flows[i][None]
            f = torch.from_numpy(fk[k].astype(np.float32)).permute(2, 0, 1)
        if self.augment:
            # Each is an exact symmetry of the task: the middle of a mirrored, flipped, transposed or
            # time-reversed triplet is the same transform of its middle. A shot's motions are mostly
            # one way (a ball rolls right); the symmetries show the net every direction of them.
            sign = lambda *s: torch.tensor(s)[:, None, None]  # noqa: E731
            if torch.rand(()) < 0.5:  # mirror: x components negated
                t = t.flip(-1)
                f = None if f is None else f.flip(-1) * sign(-1.0, 1.0, -1.0, 1.0)
            if torch.rand(()) < 0.5:  # upside down: y components negated
                t = t.flip(-2)
                f = None if f is None else f.flip(-2) * sign(1.0, -1.0, 1.0, -1.0)
            if t.shape[-1] == t.shape[-2] and torch.rand(()) < 0.5:  # transpose: x and y swap
                t = t.transpose(-1, -2)
                f = None if f is None else f[[1, 0, 3, 2]].transpose(-1, -2)
            if torch.rand(()) < 0.5:  # time reversed: a->b becomes b->a
                t = t.flip(0)
                f = None if f is None else f[[2, 3, 0, 1]]
        t = t.contiguous()
        return (t[0], t[1], t[2]) if f is None else (t[0], t[1], t[2], f.contiguous())


def fit_short_side(frame: np.ndarray, size: int) -> np.ndarray:
    """A frame enlarged (bicubic) so its short side is at least `size`; larger frames are kept as they are."""
    import cv2

    h, w = frame.shape[:2]
    if min(h, w) >= size:
        return frame
    scale = size / min(h, w)
    return cv2.resize(frame, (max(size, round(w * scale)), max(size, round(h * scale))), interpolation=cv2.INTER_CUBIC)


def motion_crops(frames: np.ndarray, size: int, k: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Top-left corners of `k` square crops of a triplet (3,H,W,3), centred on moving pixels three
    times in four: most of a shot holds still, and a still crop teaches an in-betweener nothing."""
    h, w = frames.shape[1:3]
    diff = np.abs(frames[0].astype(np.int16) - frames[2].astype(np.int16)).max(axis=-1)
    ys, xs = np.nonzero(diff > 6)
    corners = []
    for _ in range(k):
        if len(ys) and rng.random() < 0.75:
            j = rng.integers(len(ys))
            cy, cx = int(ys[j]), int(xs[j])
        else:
            cy, cx = int(rng.integers(h)), int(rng.integers(w))
        corners.append((min(max(0, cy - size // 2), h - size), min(max(0, cx - size // 2), w - size)))
    return corners


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
    """Consecutive (t-1, t, t+1) triplets as crops of `image_size` at the render's own resolution
    (in-betweening is about motion in pixels, which resizing would change); validation is the tail
    of every shot, separated from the training triplets by one frame so no validation target is
    ever a training input. Training triplets carry DIS flows computed on the whole frames, as the
    in-betweener sees them on a real shot, and `crops_per_triplet` crops to draw from."""

    def __init__(self, ichor_url: str, crops_per_triplet: int = 4, **kwargs):
        super().__init__(ichor_url, **kwargs)
        self.crops_per_triplet = crops_per_triplet

    def _build(self) -> None:
        from talos_assets.agents.inbetweening.flow import dis_flows

        hp, size = self.hparams, self.hparams.image_size
        train, train_flows, val = [], [], []
        for shot in self.shots:
            n = len(shot.frame_paths)
            if n < 3:
                continue
            # Seeded by the shot's name: the same crops every run, independent of Python's hash salt.
            rng = np.random.default_rng(zlib.crc32(f"{shot.film_id}/{shot.shot_id}".encode()))
            train_c, val_c = triplet_split(n, hp.max_frames_per_shot, hp.val_fraction)
            needed = sorted({int(c + d) for c in np.concatenate([train_c, val_c]) for d in (-1, 0, 1)})
            frames = {i: fit_short_side(to_display_rgb8(read_layer_png(shot.frame_paths[i])), size) for i in needed}
            for c, is_val in [(int(c), False) for c in train_c] + [(int(c), True) for c in val_c]:
                triplet = np.stack([frames[c - 1], frames[c], frames[c + 1]])
                corners = motion_crops(triplet, size, 1 if is_val else self.crops_per_triplet, rng)
                crops = np.stack([triplet[:, y:y + size, x:x + size] for y, x in corners])
                if is_val:
                    val.append(crops[0])
                    continue
                f_ab, f_ba = dis_flows(triplet[0], triplet[2])
                flow = np.concatenate([f_ab, f_ba], axis=-1).astype(np.float16)
                train.append(crops)
                train_flows.append(np.stack([flow[y:y + size, x:x + size] for y, x in corners]))
        if not train and not val:
            raise ValueError(f"Ichor at {hp.ichor_url} has no rendered shot with 3 or more frames to learn in-betweens from.")
        # Validation pairs get their flows from DIS inside the net, exactly as promotion scores them.
        self.train_set = FrameTriplets(train, augment=True, flows=train_flows) if train else FrameTriplets(val, augment=True)
        self.val_set = FrameTriplets(val or [t[0] for t in train], augment=False)


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
