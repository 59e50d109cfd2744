"""One number for how well a shot did by Echo's measures: what Protoforge's critic learns to predict.

Each metric a shot carries becomes a score in (0, 1] that is 0.5 exactly at its limit, near 1 far on
the good side and falls towards 0 the further past the limit it goes (1 / (1 + r^2), r = value /
limit for a "lower is better" metric, limit / value for "higher is better"); mean luma, good inside
a window, scores 1 at the window's middle and 0.5 at its edges. The shot's score is the mean over
the metrics it has, so a shot is not punished for a check that did not apply (no dialogue, no cut).
A user's rating, when there is one, counts as much as all of Echo's metrics together: people are
the judge Echo stands in for.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# metric -> (limit, "max" | "min"): the limits of Echo's default thresholds (evaluation/gates.py)
SCORED_METRICS: dict[str, tuple[float, str]] = {
    "flicker": (1.0, "max"),
    "warped_flicker": (1.5, "max"),
    "palette_adherence": (0.6, "min"),
    "palette_de2000": (0.5, "min"),
    "clipped_black": (0.25, "max"),
    "clipped_white": (0.05, "max"),
    "beat_offset_frames": (1.0, "max"),
    "jerk": (0.08, "max"),  # figure heights per frame^3
    "foot_sliding": (0.005, "max"),  # figure heights per frame
    "lip_sync": (45.0, "max"),  # ms
    "story_fidelity": (0.9, "min"),
}
LUMA_WINDOW = (0.08, 0.92)


def metric_score(metric: str, value: float) -> float | None:
    """The metric's score in (0, 1], or None when Echo does not score this metric (or it is NaN)."""
    if value is None or not np.isfinite(value):
        return None
    if metric == "mean_luma":
        lo, hi = LUMA_WINDOW
        half = (hi - lo) / 2
        r = abs(value - (lo + hi) / 2) / half  # 1 at either edge
        return float(1.0 / (1.0 + r**2))
    if metric not in SCORED_METRICS:
        return None
    limit, direction = SCORED_METRICS[metric]
    if direction == "max":
        r = max(0.0, value) / limit
    else:
        r = limit / max(value, 1e-6)
    return float(1.0 / (1.0 + r**2))


def echo_shot_score(metrics: Mapping[str, float], rating: int | None = None) -> float:
    """The shot's score in (0, 1]: the mean of its metric scores, averaged with the user's rating
    (1-5 mapped to 0-1) when it was rated. NaN when nothing was scored and nobody rated it."""
    scores = [s for m, v in metrics.items() if (s := metric_score(m, v)) is not None]
    echo = float(np.mean(scores)) if scores else float("nan")
    if rating is None:
        return echo
    person = (int(rating) - 1) / 4.0
    return person if not scores else 0.5 * (echo + person)
