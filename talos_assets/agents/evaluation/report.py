"""Echo's report: every check of every shot judged against `gates.CHECKS`, the film's gates (ERROR
or WARN), whether the film may be published (no ERROR check failed), the revision requests with
their adjusted configurations, and the report id that ties its rows in Ichor together."""

from __future__ import annotations

import uuid
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from talos_assets.agents.evaluation.gates import CHECKS, EvaluationThresholds, gates, judge_shot
from talos_assets.agents.evaluation.revision import CheckOutcome
from talos_assets.revision_spec import RevisionRequest as ShotRevisionRequest

__all__ = ["EvaluationReport", "EvaluationThresholds", "RevisionKind", "RevisionRequest", "build_report",
           "revision_requests"]

RevisionKind = Literal["inpaint", "tone", "re-time", "re-light", "re-simulate", "re-pose", "re-frame"]


class RevisionRequest(BaseModel):
    """A request as one line of the report ('<shot_id>: <kind>: <why>')."""

    shot_id: str
    kind: RevisionKind
    reason: str

    def __str__(self) -> str:
        return f"{self.shot_id}: {self.kind}: {self.reason}"


class EvaluationReport(BaseModel):
    """Echo's verdict on one film: film-level scores, per-shot scores and checks, gates, requests."""

    film_id: str
    report_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    scores: dict[str, float] = Field(default_factory=dict)
    per_shot: dict[str, dict[str, float]] = Field(default_factory=dict, description="shot_id -> metric -> value")
    gates: dict[str, bool] = Field(default_factory=dict, description="gate name -> passed")
    gate_severity: dict[str, str] = Field(default_factory=dict, description="gate name -> 'error' | 'warn'")
    checks: list[CheckOutcome] = Field(default_factory=list, description="every check of every shot")
    revision_requests: list[str] = Field(default_factory=list)
    requests: list[ShotRevisionRequest] = Field(default_factory=list, description="the requests with their revisions")
    blocked_by: list[str] = Field(default_factory=list, description="why the film is not published (failed ERROR checks)")
    published: bool | None = Field(None, description="None until Echo decides; False when an ERROR check failed")

    @property
    def passed(self) -> bool:
        return all(self.gates.values())

    @property
    def publishable(self) -> bool:
        """No ERROR check failed (WARN failures are reported, and the film is still published)."""
        return not self.blocked_by

    def failures(self, gate: str | None = None) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and (gate is None or c.gate == gate)]


def _line(c: CheckOutcome) -> RevisionRequest:
    rule = CHECKS[c.check]
    unit = f" {c.unit}" if c.unit else ""
    side = ">" if c.bound == "max" else "<"
    return RevisionRequest(shot_id=c.shot_id, kind=rule.kind(1, c),
                           reason=f"{rule.what or c.check} {c.value:.2f}{unit} {side} {c.limit:.2f}{unit}")


def revision_requests(report: EvaluationReport, thresholds: EvaluationThresholds | None = None) -> list[str]:
    """Which shot needs what, one line per failed check: '<shot_id>: <kind>: <why>'.

    Measures a shot does not carry are not judged. Order: shots as in the report, then the checks'."""
    if thresholds is None and report.checks:
        return [str(_line(c)) for c in report.failures() if c.revise]
    th = thresholds or EvaluationThresholds()
    return [str(_line(c)) for sid, s in report.per_shot.items() for c in judge_shot(report.film_id, sid, sid, s, th)
            if not c.passed]


def build_report(
    film_id: str,
    per_shot: dict[str, dict[str, float]],
    thresholds: EvaluationThresholds | None = None,
    film_scores: dict[str, float] | None = None,
    slots: dict[str, str] | None = None,
    film_frames: dict[str, tuple[int, int]] | None = None,
    findings: dict[str, list] | None = None,
) -> EvaluationReport:
    """Aggregate per-shot scores (frame-weighted when shots carry 'frames'), judge every check, set
    the gates (a gate passes when none of its checks failed) and what blocks publication.

    `slots` (shot_id -> slot) and `film_frames` (shot_id -> first, last film frame) say where a
    failure is; without them the shot id stands for the slot. `findings` (shot_id -> EchoFindings)
    are judged too, by the rule of their check (see `gates.judge_shot`)."""
    th = thresholds or EvaluationThresholds()
    scores = dict(film_scores or {})
    keys = sorted({k for s in per_shot.values() for k in s if k != "frames"})
    for k in keys:
        vals = [(s[k], s.get("frames", 1.0)) for s in per_shot.values() if k in s and np.isfinite(s[k])]
        if vals:
            v, w = np.array(vals).T
            scores.setdefault(k, float(np.average(v, weights=w)) if w.sum() > 0 else float(v.mean()))
    checks = [c for sid, s in per_shot.items()
              for c in judge_shot(film_id, sid, (slots or {}).get(sid, sid), s, th, (film_frames or {}).get(sid),
                                  (findings or {}).get(sid, ()))]
    severity = gates()
    failed = {c.gate for c in checks if not c.passed}
    blocked = [f"{c.gate} ({c.severity.upper()}): {c.check} {c.value:.3g} vs limit {c.limit:.3g} at {c.where()}"
               for c in checks if not c.passed and c.severity == "error"]
    report = EvaluationReport(film_id=film_id, scores=scores, per_shot=per_shot,
                              gates={g: g not in failed for g in severity}, gate_severity=severity, checks=checks,
                              blocked_by=blocked)
    report.revision_requests = revision_requests(report)
    return report
