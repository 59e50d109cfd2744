"""Training data for Anima's learned inpainter: the studio's own rendered shot frames (read from Ichor
through `FrameSequence`, less the shots Echo failed or users rated low, as protoforge.data.shot_frames
reads them) with random holes cut in them, the self-supervised setup of learned inpainting (Pathak et
al., "Context Encoders", CVPR 2016; free-form masks as in Yu et al., "Free-Form Image Inpainting with
Gated Convolution", ICCV 2019). Holes are boxes and flash-like blobs (thresholded smooth noise, the
irregular patches a flicker leaves). Crops keep the render's own resolution, since inpainting is
about texture and edges at the scale they are drawn. Shots, not frames, are split into training and
held-out (by a hash of film/shot), so the held-out score is on shots the net never saw; held-out holes
are fixed by the sample's index, so a challenger and the champion are scored on the same holes.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from protoforge.data.critic_rows import is_validation_film
from protoforge.data.shot_frames import RenderedShot, ShotFramesDataModule, evenly, fit_short_side
from talos_assets.agents.frames import read_layer, to_display_rgb8

# Share of a crop a hole covers: under 3% teaches little, over 40% is no repair but a repaint.
MIN_HOLE, MAX_HOLE = 0.03, 0.40


def box_hole(size: int, rng: np.random.Generator) -> np.ndarray:
    """1-3 axis-aligned rectangles, each 10-45% of the crop's side: a region Echo flagged."""
    hole = np.zeros((size, size), dtype=bool)
    for _ in range(int(rng.integers(1, 4))):
        h, w = (int(rng.uniform(0.10, 0.45) * size) + 1 for _ in range(2))
        y, x = int(rng.integers(0, size - h + 1)), int(rng.integers(0, size - w + 1))
        hole[y:y + h, x:x + w] = True
    return hole


def flash_hole(size: int, rng: np.random.Generator) -> np.ndarray:
    """An irregular blob: smooth noise (a coarse random grid, bicubically enlarged) above its
    quantile for a random coverage of 5-30%, the shape of a flash or a flickering patch."""
    cells = int(rng.integers(3, 7))
    noise = cv2.resize(rng.random((cells, cells)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    return noise > np.quantile(noise, 1.0 - rng.uniform(0.05, 0.30))


def random_hole(size: int, rng: np.random.Generator) -> np.ndarray:
    """A box, a flash-like blob or both (size, size) bool, covering MIN_HOLE..MAX_HOLE of the crop."""
    for _ in range(8):
        kind = rng.random()
        hole = box_hole(size, rng) if kind < 0.4 else flash_hole(size, rng)
        if kind > 0.8:
            hole |= box_hole(size, rng)
        if MIN_HOLE <= hole.mean() <= MAX_HOLE:
            return hole
    # rare: eight draws out of range; a centred box of ~12% always is in it
    hole = np.zeros((size, size), dtype=bool)
    a, b = int(size * 0.33), int(size * 0.67)
    hole[a:b, a:b] = True
    return hole


def frame_crops(frame: np.ndarray, size: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """`k` random square crops (k, size, size, 3) of a display frame, at its own resolution."""
    frame = fit_short_side(frame, size)
    h, w = frame.shape[:2]
    corners = [(int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))) for _ in range(k)]
    return np.stack([frame[y:y + size, x:x + size] for y, x in corners])


class HoledFrames(Dataset):
    """(rgb (3,S,S) float in [0, 1], hole (1,S,S) float 1 = to fill) samples from uint8 crops (K,S,S,3)
    per frame. Training (`augment`) draws a crop, a fresh hole and a mirror each time, so every epoch
    shows new holes; held-out samples take crop 0 and a hole fixed by `seed` and the index."""

    def __init__(self, crops: list[np.ndarray], augment: bool = False, seed: int = 0):
        self.crops, self.augment, self.seed = crops, augment, seed

    def __len__(self) -> int:
        return len(self.crops)

    def __getitem__(self, i: int):
        if self.augment:  # drawn from torch's generator, so seed_everything makes a run repeatable
            rng = np.random.default_rng(int(torch.randint(2**31 - 1, ())))
            crop = self.crops[i][int(rng.integers(len(self.crops[i])))]
            if rng.random() < 0.5:
                crop = crop[:, ::-1]
        else:
            rng = np.random.default_rng([self.seed, i])
            crop = self.crops[i][0]
        hole = random_hole(crop.shape[0], rng)
        rgb = torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1).float() / 255.0
        return rgb, torch.from_numpy(hole.astype(np.float32))[None]


def split_shots(shots: list[RenderedShot], fraction: float) -> tuple[list[RenderedShot], list[RenderedShot]]:
    """(training, held-out) shots: held out by a stable hash of 'film/shot'; with two or more shots at
    least one is held out and at least one is trained on. One shot: it is both (nothing to hold out)."""
    if len(shots) < 2 or fraction <= 0:
        return shots, shots
    keys = [f"{s.film_id}/{s.shot_id}" for s in shots]
    held = {k for k in keys if is_validation_film(k, fraction)}
    if not held:  # a small studio still validates: the shot with the lowest hash is held out
        held = {min(keys, key=lambda k: zlib.crc32(k.encode()))}
    if held == set(keys):
        held.discard(max(keys, key=lambda k: zlib.crc32(k.encode())))
    return ([s for s, k in zip(shots, keys) if k not in held], [s for s, k in zip(shots, keys) if k in held])


class InpaintFramesDataModule(ShotFramesDataModule):
    """Holed crops of the studio's rendered frames; training and held-out shots are disjoint."""

    def __init__(self, ichor_url: str, crops_per_frame: int = 4, **kwargs):
        super().__init__(ichor_url, **kwargs)
        self.crops_per_frame = crops_per_frame
        self.val_shots: list[RenderedShot] = []

    def _crops(self, shot: RenderedShot, k: int) -> list[np.ndarray]:
        hp = self.hparams
        # Seeded by the shot's name: the same crops every run, independent of Python's hash salt.
        rng = np.random.default_rng(zlib.crc32(f"{shot.film_id}/{shot.shot_id}".encode()))
        picked = evenly(len(shot.frame_paths), hp.max_frames_per_shot)
        return [frame_crops(to_display_rgb8(read_layer(shot.frame_paths[i])), hp.image_size, k, rng) for i in picked]

    def _build(self) -> None:
        train_shots, self.val_shots = split_shots(self.shots, self.hparams.val_fraction)
        train = [c for s in train_shots for c in self._crops(s, self.crops_per_frame)]
        val = [c for s in self.val_shots for c in self._crops(s, 1)]
        self.train_set = HoledFrames(train, augment=True)
        self.val_set = HoledFrames(val, augment=False, seed=0)
