"""Echo's tiny CLIP: a contrastive image-text model (CLIP, Radford et al. 2021) small enough to train
on a laptop CPU from the studio's own renders. The architecture is an ordinary open_clip config (a
small ViT over 8x8 patches and a small causal text transformer with open_clip's BPE tokenizer),
registered with `open_clip.add_model_config` and built with `pretrained=None`, so nothing is ever
downloaded. `alignment_score` is what Echo calls: cosine similarity between frames and captions.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
import open_clip
import torch
import torch.nn.functional as F
from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD
from open_clip.tokenizer import SimpleTokenizer
from torch import nn

_MEAN = torch.tensor(OPENAI_DATASET_MEAN, dtype=torch.float32).view(1, 3, 1, 1)
_STD = torch.tensor(OPENAI_DATASET_STD, dtype=torch.float32).view(1, 3, 1, 1)


def tiny_clip_model_config(
    image_size: int = 64,
    embed_dim: int = 64,
    patch_size: int = 8,
    vision_width: int = 128,
    vision_layers: int = 2,
    vision_head_width: int = 32,
    text_width: int = 64,
    text_heads: int = 4,
    text_layers: int = 2,
    context_length: int = 32,
) -> dict:
    """The open_clip model config (the JSON schema of open_clip/model_configs/*.json)."""
    return {
        "embed_dim": embed_dim,
        "vision_cfg": {"image_size": image_size, "layers": vision_layers, "width": vision_width,
                       "head_width": vision_head_width, "patch_size": patch_size},
        "text_cfg": {"context_length": context_length, "vocab_size": 49408, "width": text_width,
                     "heads": text_heads, "layers": text_layers},
    }


def register_model_config(model_cfg: dict) -> str:
    """Register `model_cfg` with open_clip under a name derived from its content; return the name.

    open_clip only registers configs from files, so the JSON is written to a temporary folder; its
    registry keeps the parsed config after the folder is gone.
    """
    digest = hashlib.sha1(json.dumps(model_cfg, sort_keys=True).encode()).hexdigest()[:10]
    name = f"talos-tiny-clip-{digest}"
    if open_clip.get_model_config(name) is None:
        with tempfile.TemporaryDirectory(prefix="talos-openclip-") as tmp:
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(model_cfg))
            # open_clip parses the file now; later rescans skip the deleted path harmlessly.
            open_clip.add_model_config(path)
    return name


@functools.lru_cache(maxsize=4)
def clip_tokenizer(context_length: int) -> SimpleTokenizer:
    """open_clip's CLIP BPE tokenizer; its vocabulary ships inside the wheel, so this works offline."""
    return SimpleTokenizer(context_length=context_length)


def preprocess_rgb8(images: np.ndarray | Sequence[np.ndarray], image_size: int) -> torch.Tensor:
    """sRGB frames (N,H,W,3 uint8, or a list of H,W,3 arrays of any size) -> normalised (N,3,S,S).

    Resize the short side to `image_size` and centre-crop, as CLIP's own preprocessing does, so the
    aspect ratio of a 16:9 render is kept rather than squashed.
    """
    if isinstance(images, np.ndarray) and images.ndim == 3:
        images = images[None]
    out = np.empty((len(images), image_size, image_size, 3), dtype=np.float32)
    for i, img in enumerate(images):
        img = np.asarray(img)
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        img = img[..., :3]
        if img.dtype != np.uint8:
            img = np.round(np.clip(img.astype(np.float32), 0.0, 1.0) * 255.0).astype(np.uint8)
        out[i] = resize_center_crop(img, image_size).astype(np.float32) / 255.0
    x = torch.from_numpy(out).permute(0, 3, 1, 2)
    return (x - _MEAN) / _STD


def resize_center_crop(img: np.ndarray, size: int) -> np.ndarray:
    """Resize so the short side is `size` (area filter when shrinking), then take the centre square."""
    h, w = img.shape[:2]
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    if (nh, nw) != (h, w):
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        img = cv2.resize(img, (nw, nh), interpolation=interp)
    top, left = (nh - size) // 2, (nw - size) // 2
    return img[top : top + size, left : left + size]


@contextlib.contextmanager
def _quiet_open_clip():
    """Drop open_clip's root-logger warning about random initialisation (and only that one)."""

    def keep(record: logging.LogRecord) -> bool:
        return "No pretrained weights loaded" not in record.getMessage()

    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)


class TinyClip(nn.Module):
    """An open_clip CLIP built from a tiny custom config; `config` is enough to rebuild it."""

    agent = "echo"

    def __init__(self, image_size: int = 64, embed_dim: int = 64, patch_size: int = 8, vision_width: int = 128,
                 vision_layers: int = 2, vision_head_width: int = 32, text_width: int = 64, text_heads: int = 4,
                 text_layers: int = 2, context_length: int = 32):
        super().__init__()
        self.config = dict(image_size=image_size, embed_dim=embed_dim, patch_size=patch_size,
                           vision_width=vision_width, vision_layers=vision_layers,
                           vision_head_width=vision_head_width, text_width=text_width, text_heads=text_heads,
                           text_layers=text_layers, context_length=context_length)
        self.model_name = register_model_config(tiny_clip_model_config(**self.config))
        # Random initialisation is the point here; drop open_clip's "no pretrained weights" warning.
        with _quiet_open_clip():
            self.clip = open_clip.create_model(self.model_name, pretrained=None)

    @property
    def image_size(self) -> int:
        return int(self.config["image_size"])

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def tokenize(self, texts: str | Sequence[str]) -> torch.Tensor:
        return clip_tokenizer(int(self.config["context_length"]))(texts)

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised images (N,3,S,S) -> unit-length embeddings (N,D)."""
        return F.normalize(self.clip.encode_image(images), dim=-1)

    def encode_text(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token ids (M,context_length) -> unit-length embeddings (M,D)."""
        return F.normalize(self.clip.encode_text(tokens), dim=-1)

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return (image embeddings, text embeddings, logit scale) as CLIP's loss wants them."""
        # CLIP clamps the learned temperature at 100 so logits cannot blow up early in training.
        scale = self.clip.logit_scale.exp().clamp(max=100.0)
        return self.encode_image(images), self.encode_text(tokens), scale


@torch.no_grad()
def alignment_score(model: nn.Module, images_rgb8: np.ndarray | Sequence[np.ndarray],
                    texts: str | Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Cosine similarity in [-1, 1] between frames and captions.

    `images_rgb8` is one H,W,3 uint8 sRGB frame, an (N,H,W,3) array or a list of frames; `texts`
    is one caption (result shape (N,)) or a list of M captions (result shape (N, M)). `model` is a
    `TinyClip` or anything holding one as `.net` (the Lightning module).
    """
    net: TinyClip = getattr(model, "net", model)
    was_training = net.training
    net.eval()
    try:
        device = net.device
        single_text = isinstance(texts, str)
        text_list = [texts] if single_text else list(texts)
        txt = net.encode_text(net.tokenize(text_list).to(device))
        pixels = preprocess_rgb8(images_rgb8, net.image_size)
        sims = []
        for start in range(0, len(pixels), batch_size):
            img = net.encode_image(pixels[start : start + batch_size].to(device))
            sims.append(img @ txt.T)
        out = torch.cat(sims).float().cpu().numpy()
    finally:
        net.train(was_training)
    return out[:, 0] if single_text else out
