"""Echo's report: thresholds a film must pass, per-shot revision requests (inpaint for flicker, tone for
palette and exposure, re-time for cuts off the beat) and the film's gates."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field


class EvaluationThresholds(BaseModel):
    """Gates a film must pass; a failing shot gets a revision request."""

    max_flicker: float = Field(1.0, description="L* units, mean second temporal difference")
    min_palette_adherence: float = Field(0.6, ge=0.0, le=1.0)
    min_mean_luma: float = Field(0.08, ge=0.0, le=1.0)
    max_mean_luma: float = Field(0.92, ge=0.0, le=1.0)
    max_clipped_black: float = Field(0.25, ge=0.0, le=1.0)
    max_clipped_white: float = Field(0.05, ge=0.0, le=1.0)
    max_beat_offset_frames: float = Field(1.0, ge=0.0, description="cut to nearest beat, frames")


RevisionKind = Literal["inpaint", "tone", "re-time"]


class RevisionRequest(BaseModel):
    shot_id: str
    kind: RevisionKind
    reason: str

    def __str__(self) -> str:
        return f"{self.shot_id}: {self.kind}: {self.reason}"


class EvaluationReport(BaseModel):
    """Echo's verdict on one film: film-level scores, per-shot scores, gates, revision requests."""

    film_id: str
    scores: dict[str, float] = Field(default_factory=dict)
    per_shot: dict[str, dict[str, float]] = Field(default_factory=dict, description="shot_id -> metric -> value")
    gates: dict[str, bool] = Field(default_factory=dict, description="gate name -> passed")
    revision_requests: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(self.gates.values())


def _shot_requests(shot_id: str, s: dict[str, float], th: EvaluationThresholds) -> list[RevisionRequest]:
    out: list[RevisionRequest] = []

    def has(key: str) -> bool:
        return key in s and s[key] is not None and np.isfinite(s[key])

    if has("flicker") and s["flicker"] > th.max_flicker:
        out.append(RevisionRequest(shot_id=shot_id, kind="inpaint",
                                   reason=f"temporal flicker {s['flicker']:.2f} L* > {th.max_flicker:.2f}; "
                                          "re-render or inpaint the unstable frames"))  # fmt: skip
    if has("palette_adherence") and s["palette_adherence"] < th.min_palette_adherence:
        out.append(RevisionRequest(shot_id=shot_id, kind="tone",
                                   reason=f"palette adherence {s['palette_adherence']:.2f} < "
                                          f"{th.min_palette_adherence:.2f}; pull colours back to the palette"))  # fmt: skip
    if has("mean_luma") and s["mean_luma"] < th.min_mean_luma:
        out.append(RevisionRequest(shot_id=shot_id, kind="tone",
                                   reason=f"underexposed: mean luma {s['mean_luma']:.2f} < {th.min_mean_luma:.2f}"))  # fmt: skip
    if has("mean_luma") and s["mean_luma"] > th.max_mean_luma:
        out.append(RevisionRequest(shot_id=shot_id, kind="tone",
                                   reason=f"overexposed: mean luma {s['mean_luma']:.2f} > {th.max_mean_luma:.2f}"))  # fmt: skip
    if has("clipped_black") and s["clipped_black"] > th.max_clipped_black:
        out.append(RevisionRequest(shot_id=shot_id, kind="tone",
                                   reason=f"{100 * s['clipped_black']:.1f}% of pixels crushed to black "
                                          f"(limit {100 * th.max_clipped_black:.1f}%)"))  # fmt: skip
    if has("clipped_white") and s["clipped_white"] > th.max_clipped_white:
        out.append(RevisionRequest(shot_id=shot_id, kind="tone",
                                   reason=f"{100 * s['clipped_white']:.1f}% of pixels blown to white "
                                          f"(limit {100 * th.max_clipped_white:.1f}%)"))  # fmt: skip
    if has("beat_offset_frames") and s["beat_offset_frames"] > th.max_beat_offset_frames:
        out.append(RevisionRequest(shot_id=shot_id, kind="re-time",
                                   reason=f"cut lands {s['beat_offset_frames']:.1f} frames off the nearest beat "
                                          f"(limit {th.max_beat_offset_frames:.1f}); lengthen or shorten the shot"))  # fmt: skip
    return out


def revision_requests(report: EvaluationReport, thresholds: EvaluationThresholds | None = None) -> list[str]:
    """Which shot needs what, one line per problem: '<shot_id>: <inpaint|tone|re-time>: <why>'.

    Metrics a shot does not carry are not judged. Order: shots as in the report, then problem.
    """
    th = thresholds or EvaluationThresholds()
    lines: list[str] = []
    for shot_id, scores in report.per_shot.items():
        lines.extend(str(r) for r in _shot_requests(shot_id, scores, th))
    return lines


def build_report(
    film_id: str,
    per_shot: dict[str, dict[str, float]],
    thresholds: EvaluationThresholds | None = None,
    film_scores: dict[str, float] | None = None,
) -> EvaluationReport:
    """Aggregate per-shot scores (frame-weighted when shots carry 'frames'), set gates, add requests.

    A gate per request kind: 'temporal_stability' (inpaint), 'look' (tone), 'beat_sync' (re-time);
    it passes when no shot raised that kind of request.
    """
    th = thresholds or EvaluationThresholds()
    scores = dict(film_scores or {})
    keys = sorted({k for s in per_shot.values() for k in s if k != "frames"})
    for k in keys:
        vals = [(s[k], s.get("frames", 1.0)) for s in per_shot.values() if k in s and np.isfinite(s[k])]
        if vals:
            v, w = np.array(vals).T
            scores.setdefault(k, float(np.average(v, weights=w)) if w.sum() > 0 else float(v.mean()))
    requests = [r for sid, s in per_shot.items() for r in _shot_requests(sid, s, th)]
    kinds = {r.kind for r in requests}
    gates = {
        "temporal_stability": "inpaint" not in kinds,
        "look": "tone" not in kinds,
        "beat_sync": "re-time" not in kinds,
    }
    return EvaluationReport(
        film_id=film_id, scores=scores, per_shot=per_shot, gates=gates, revision_requests=[str(r) for r in requests]
    )
