"""Champion/challenger promotion: a newly trained model takes the `@champion` alias only when it beats
the current champion on the same held-out set with the same metric, both scored here in one pass;
otherwise it is registered as `@challenger` and the refusal (both scores, the reason) is recorded on
the run, on the model version and in Ichor. Held-out metrics: Flux, mean PSNR of the clamped middle
frame over the held-out triplets; Echo, retrieval recall@1 of each held-out frame among the held-out
captions, ties broken by the mean cosine margin of the own caption over the best other one; the
critic, the share of same-line pairs it puts in Echo's order (it chooses among versions of a shot),
ties broken by the Spearman rank correlation of its predictions with Echo's scores and then by the
negated mean absolute error; the inpainter, mean PSNR inside the hole over the held-out
shots' holed crops (the same holes for both, fixed by the sample's index). Where a model replaces a
classical method (the inpainter, OpenCV's Navier-Stokes fill), that method holds the alias until a
model beats it: an agent loads whatever is @champion, so a model worse than the fallback must not be.
"""

from __future__ import annotations

import math

import torch
from pydantic import BaseModel
from torch import nn
from torch.utils.data import DataLoader, Dataset

CHAMPION, CHALLENGER = "champion", "challenger"
# compared in order (lexicographically); higher is better for every one
HELD_OUT_METRICS: dict[str, tuple[str, ...]] = {"flux": ("heldout/psnr",), "echo": ("heldout/recall1", "heldout/margin"),
                                                "critic": ("heldout/pair_accuracy", "heldout/spearman", "heldout/neg_mae"),
                                                "inpaint": ("heldout/psnr_mask",)}


class Decision(BaseModel):
    """The outcome of one promotion: which alias the new version took and why."""

    promoted: bool
    alias: str
    reason: str
    challenger: dict[str, float]
    champion: dict[str, float] | None = None
    champion_version: str | None = None


@torch.no_grad()
def _flux_score(net: nn.Module, val_set: Dataset) -> dict[str, float]:
    psnrs = []
    for prev, mid, nxt in DataLoader(val_set, batch_size=8):
        pred = net(prev.to(net.device), nxt.to(net.device)).clamp(0.0, 1.0).cpu()
        mse = ((pred - mid) ** 2).flatten(1).mean(dim=1).clamp_min(1e-12)
        psnrs += (10.0 * torch.log10(1.0 / mse)).tolist()
    return {"heldout/psnr": float(sum(psnrs) / max(1, len(psnrs)))}


@torch.no_grad()
def _echo_score(net: nn.Module, val_set: Dataset) -> dict[str, float]:
    images, ids, texts = [], [], {}
    for image, tokens, cid in DataLoader(val_set, batch_size=32):
        images.append(net.encode_image(image.to(net.device)).cpu())
        ids.append(cid)
        for c, t in zip(cid.tolist(), tokens):
            texts.setdefault(c, t)
    img, ids = torch.cat(images), torch.cat(ids)
    caption_ids = sorted(texts)
    txt = net.encode_text(torch.stack([texts[c] for c in caption_ids]).to(net.device)).cpu()
    sims = img @ txt.T
    own_col = torch.tensor([caption_ids.index(int(c)) for c in ids])
    own = sims[torch.arange(len(ids)), own_col]
    others = sims.clone()
    others[torch.arange(len(ids)), own_col] = -math.inf
    best_other = others.max(dim=1).values if len(caption_ids) > 1 else torch.zeros_like(own)
    recall = (sims.argmax(dim=1) == own_col).float().mean()
    return {"heldout/recall1": float(recall), "heldout/margin": float((own - best_other).mean())}


@torch.no_grad()
def _critic_score(net: nn.Module, val_set: Dataset) -> dict[str, float]:
    from protoforge.models.critic_module import spearman

    from protoforge.models.critic_module import pair_accuracy

    features, target, group = (torch.cat(t) for t in zip(*DataLoader(val_set, batch_size=256)))
    pred = net(features.to(net.device)).cpu()
    return {"heldout/pair_accuracy": float(pair_accuracy(pred, target, group)),
            "heldout/spearman": float(spearman(pred, target)), "heldout/neg_mae": -float((pred - target).abs().mean())}


@torch.no_grad()
def _inpaint_score(net: nn.Module, val_set: Dataset) -> dict[str, float]:
    from protoforge.models.components.inpaint_net import masked_psnr

    psnrs = []
    for rgb, hole in DataLoader(val_set, batch_size=8):
        pred = net(rgb.to(net.device), hole.to(net.device)).clamp(0.0, 1.0).cpu()
        psnrs += masked_psnr(pred, rgb, hole).tolist()
    return {"heldout/psnr_mask": float(sum(psnrs) / max(1, len(psnrs)))}


def held_out_score(agent: str, net: nn.Module, val_set: Dataset) -> dict[str, float]:
    """The agent's held-out metrics of `net` on `val_set` (the DataModule's validation split)."""
    net = getattr(net, "net", net).eval()
    scorer = {"flux": _flux_score, "echo": _echo_score, "critic": _critic_score, "inpaint": _inpaint_score}[agent]
    return scorer(net, val_set)


def beats(agent: str, challenger: dict[str, float], champion: dict[str, float]) -> bool:
    """Strictly better on the agent's held-out metrics, compared in order."""
    keys = HELD_OUT_METRICS[agent]
    return tuple(challenger[k] for k in keys) > tuple(champion[k] for k in keys)


def baseline_score(agent: str, val_set: Dataset) -> tuple[str, dict[str, float]] | None:
    """(name, held-out metrics) of the classical method an agent's model replaces, or None. It holds the
    alias while no model does: Anima repairs with OpenCV whenever no inpainter is @champion, so a
    model that fills worse than OpenCV must not become one."""
    if agent != "inpaint":
        return None
    from protoforge.models.components.inpaint_net import masked_psnr, opencv_fill

    psnrs = []
    for rgb, hole in DataLoader(val_set, batch_size=8):
        psnrs += masked_psnr(opencv_fill(rgb, hole).clamp(0.0, 1.0), rgb, hole).tolist()
    return "OpenCV Navier-Stokes", {"heldout/psnr_mask": float(sum(psnrs) / max(1, len(psnrs)))}


def _contest(agent: str, mine: dict[str, float], theirs: dict[str, float], holder: str, alias: str,
             version: str | None = None) -> Decision:
    """`holder` names what is beaten or not: '@champion' (its version is added) or a baseline's name."""
    named = f"{holder} v{version}" if version is not None else holder
    keys = ", ".join(HELD_OUT_METRICS[agent])
    summary = (f"{keys}: new {', '.join(f'{mine[k]:.4f}' for k in HELD_OUT_METRICS[agent])} vs {named} "
               f"{', '.join(f'{theirs[k]:.4f}' for k in HELD_OUT_METRICS[agent])} on the same held-out set")
    if beats(agent, mine, theirs):
        return Decision(promoted=True, alias=alias, challenger=mine, champion=theirs, champion_version=version,
                        reason=f"promoted: {summary}")
    return Decision(promoted=False, alias=CHALLENGER, challenger=mine, champion=theirs, champion_version=version,
                    reason=f"refused: it does not beat {holder} ({summary})")


def decide(agent: str, net: nn.Module, val_set: Dataset, tracking_uri: str, alias: str = CHAMPION) -> Decision:
    """Score the new `net` and the model now holding `alias` on the same `val_set`; the new one takes
    `alias` when it scores strictly higher, or when nothing usable holds it (none yet, or a holder that
    cannot be loaded or scored: a tampered or foreign model is no champion) and it beats the agent's
    classical baseline where it has one (`baseline_score`); else it becomes `@challenger`."""
    from protoforge.registry import load_registered

    mine = held_out_score(agent, net, val_set)
    try:
        current = load_registered(agent, alias=alias, tracking_uri=tracking_uri, device="cpu")
        version = getattr(current, "registered_version", None)
    except ValueError as exc:
        why, version, theirs = f"no usable @{alias} to beat ({str(exc).split(';')[0]})", None, None
    else:
        try:
            theirs = held_out_score(agent, current, val_set)
        except (RuntimeError, ValueError) as exc:  # another architecture or input size: not comparable
            why, theirs = f"@{alias} v{version} cannot be scored on this held-out set ({type(exc).__name__})", None
    if theirs is not None:
        return _contest(agent, mine, theirs, f"@{alias}", alias, version)
    baseline = baseline_score(agent, val_set)
    if baseline is None:
        return Decision(promoted=True, alias=alias, challenger=mine, champion_version=version, reason=why)
    decision = _contest(agent, mine, baseline[1], baseline[0], alias)
    decision.reason += f"; {why}"
    return decision
