"""Echo's learned path: with a CLIP that Protoforge trained (`talos lab train echo`), how much closer
each shot's frames sit to their own line of script than to the other shots' (a margin per shot)."""

from __future__ import annotations

import numpy as np

from talos_assets.spec import ShotPlan


def text_alignment_margins(model, clips: dict[str, list[np.ndarray]], shots: dict[str, ShotPlan]) -> dict[str, float]:
    """{slot: own-caption similarity minus the mean similarity to the other shots' captions}."""
    from protoforge.models.components.tiny_clip import alignment_score

    slots = list(shots)
    captions = [f"{shots[s].description}. {shots[s].emotion.value}" for s in slots]
    margins = {}
    for i, slot in enumerate(slots):
        sample = clips.get(slot) or []
        if not sample:
            continue
        sims = np.asarray(alignment_score(model, np.stack(sample), captions))
        own = sims[:, i].mean()
        others = np.delete(sims, i, axis=1).mean()
        margins[slot] = float(own - others)
    return margins
