"""Lightning training of Echo's tiny CLIP with the symmetric InfoNCE loss of CLIP (Radford et al.
2021). A studio has few captions and many frames per caption, so a batch usually holds several
frames of the same shot; plain CLIP would push those apart as negatives. The loss here therefore
treats every pair that shares a caption as a positive (multi-positive InfoNCE, spreading the target
mass over them), and validation reports retrieval recall@1 of each held-out frame among all the
validation captions.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F

from protoforge.models import with_cosine_schedule
from protoforge.models.components.tiny_clip import TinyClip, alignment_score

__all__ = ["EchoClipModule", "alignment_score", "multi_positive_info_nce"]


def multi_positive_info_nce(logits: torch.Tensor, caption_ids: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE over an (N, N) image-text logit matrix where pairs with equal caption ids
    are all positives; with distinct ids it is exactly CLIP's loss. Its floor is the mean log of the
    number of positives per row (log 2 for pairs of frames per caption), not zero."""
    pos = (caption_ids[:, None] == caption_ids[None, :]).float()
    target = pos / pos.sum(dim=1, keepdim=True)
    loss_img = -(F.log_softmax(logits, dim=1) * target).sum(dim=1).mean()
    loss_txt = -(F.log_softmax(logits.T, dim=1) * target).sum(dim=1).mean()
    return 0.5 * (loss_img + loss_txt)


class EchoClipModule(L.LightningModule):
    """Owns the loss, metrics and optimiser; the network is the plain `TinyClip` in `self.net`."""

    def __init__(self, net_config: dict | None = None, lr: float = 1e-3, weight_decay: float = 0.01):
        super().__init__()
        self.save_hyperparameters()
        self.net = TinyClip(**(net_config or {}))
        self._val_images: list[torch.Tensor] = []
        self._val_ids: list[torch.Tensor] = []
        self._val_texts: dict[int, torch.Tensor] = {}

    def forward(self, images: torch.Tensor, tokens: torch.Tensor):
        return self.net(images, tokens)

    def model_step(self, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        images, tokens, caption_ids = batch
        img, txt, scale = self.net(images, tokens)
        loss = multi_positive_info_nce(scale * img @ txt.T, caption_ids)
        return loss, img, txt, caption_ids

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        loss, *_ = self.model_step(batch)
        self.log("train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(batch[0]))
        return loss

    def on_validation_epoch_start(self) -> None:
        self._val_images, self._val_ids, self._val_texts = [], [], {}

    def validation_step(self, batch, batch_idx: int) -> None:
        loss, img, txt, ids = self.model_step(batch)
        self.log("val/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(ids))
        self._val_images.append(img.detach())
        self._val_ids.append(ids.detach())
        for cid, emb in zip(ids.tolist(), txt.detach()):
            self._val_texts.setdefault(cid, emb)

    def on_validation_epoch_end(self) -> None:
        if not self._val_images:
            return
        # Retrieval over the whole validation set, not per batch: each frame must pick its own
        # caption among every caption validation has seen.
        img = torch.cat(self._val_images)
        ids = torch.cat(self._val_ids)
        caption_ids = torch.tensor(sorted(self._val_texts), device=img.device)
        texts = torch.stack([self._val_texts[c] for c in caption_ids.tolist()])
        predicted = caption_ids[(img @ texts.T).argmax(dim=1)]
        self.log("val/recall@1", (predicted == ids).float().mean())

    def configure_optimizers(self):
        # No weight decay on the temperature, biases and norms (CLIP's recipe): decaying them only
        # fights the contrastive objective.
        decay, no_decay = [], []
        for name, p in self.net.named_parameters():
            (no_decay if p.ndim < 2 or "logit_scale" in name else decay).append(p)
        optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": self.hparams.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=self.hparams.lr,
        )
        return with_cosine_schedule(self, optimizer)
