"""Echo's learned path: with a CLIP that Protoforge trained (`talos lab train echo`), does each shot's
caption find that shot among the film's shots? Captions are paraphrases of the shot's scene graph (set,
time of day, weather, props, effects, actions, emotion; protoforge.data.captions), the text the model
was trained on, not the film's own lines. Per shot: its own score (mean cosine of its frames with its
captions), the best other shot's, the margin between them, and whether its own caption ranks it first,
so a gate can act on a shot whose frames show another world than its plan.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from pydantic import BaseModel

EVAL_CAPTION_SEED = "eval"


class ShotRetrieval(BaseModel):
    """How one shot's captions rank the film's shots (cosine similarities in [-1, 1])."""

    slot: str
    own: float
    best_other: float | None  # None when the film has one shot: nothing to confuse it with
    best_other_slot: str | None
    margin: float  # own - best_other (own alone for a one-shot film)
    top1: bool  # the own shot scores highest for its captions
    rank: int  # 1 = first


def shot_captions(shot, n: int = 3) -> list[str]:
    """Scene-graph paraphrases of a ShotPlan (the description and emotion for anything without a setting)."""
    if getattr(shot, "setting", None) is None:
        return [f"{shot.description}. {shot.emotion.value}"]
    from protoforge.data.captions import captions_for, scene_of

    return captions_for(scene_of(shot), n, EVAL_CAPTION_SEED)


def caption_retrieval(model, clips: dict[str, Sequence[np.ndarray]], captions: dict[str, list[str]]) -> dict[str, ShotRetrieval]:
    """Per slot with frames and captions, how its captions rank the slots' frames (see ShotRetrieval).

    S[i, j] is the mean cosine of slot j's frames with slot i's captions; slot i is retrieved at top-1
    when S[i, i] is the row's maximum (a tie counts as a miss)."""
    from protoforge.models.components.tiny_clip import alignment_score

    slots = [s for s in captions if len(clips.get(s) or []) and captions[s]]
    if not slots:
        return {}
    texts = [c for s in slots for c in captions[s]]
    owner = np.array([i for i, s in enumerate(slots) for _ in captions[s]])
    frames = [np.asarray(f) for s in slots for f in clips[s]]
    frame_slot = np.array([j for j, s in enumerate(slots) for _ in clips[s]])
    sims = np.asarray(alignment_score(model, frames, texts))  # (frames, texts)
    n = len(slots)
    per_text = np.stack([sims[frame_slot == j].mean(axis=0) for j in range(n)], axis=1)  # (texts, slots)
    table = np.stack([per_text[owner == i].mean(axis=0) for i in range(n)])  # (slots, slots)
    out = {}
    for i, slot in enumerate(slots):
        row = table[i]
        own = float(row[i])
        others = np.delete(row, i)
        best = int(np.delete(np.arange(n), i)[others.argmax()]) if n > 1 else None
        best_other = float(row[best]) if best is not None else None
        out[slot] = ShotRetrieval(slot=slot, own=own, best_other=best_other,
                                  best_other_slot=slots[best] if best is not None else None,
                                  margin=own - best_other if best_other is not None else own,
                                  top1=best_other is None or own > best_other, rank=1 + int((others >= own).sum()))
    return out


def text_retrieval(model, clips: dict[str, Sequence[np.ndarray]], shots: dict, n_captions: int = 3) -> dict[str, ShotRetrieval]:
    """Per slot of a film's ShotPlans, how its scene-graph captions rank the film's shots."""
    return caption_retrieval(model, clips, {slot: shot_captions(shot, n_captions) for slot, shot in shots.items()})


def text_alignment_margins(model, clips: dict[str, list[np.ndarray]], shots: dict) -> dict[str, float]:
    """{slot: own-caption similarity minus the best other shot's} (the margin of `text_retrieval`)."""
    return {slot: r.margin for slot, r in text_retrieval(model, clips, shots).items()}
