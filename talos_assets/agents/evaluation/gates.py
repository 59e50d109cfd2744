"""Echo's checks and gates in one table: which measure, against which limit, in which gate, how
serious a failure is (ERROR stops the film from being published, WARN is reported), and which fix
it asks for. Adding a measure is one `CheckRule` in `CHECKS`; a rule naming a new gate makes a new
asset check on `evaluation`.

The gates: `temporal_stability` (flicker; ERROR), `look` (exposure, clipping and palette; ERROR),
`beat_sync` (each cut within a frame of a beat; WARN: an off-beat cut is a flaw of craft, the film
still plays), `motion`, `dialogue` and `story` (WARN). A gate's result takes the severity of the
worst check that failed in it, so a WARN check in an ERROR gate reports without blocking. Pure code:
no Dagster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

import talos_assets.agents.evaluation.revision as fixes
from talos_assets.agents.evaluation.dialogue_sync import SYNC_WARN_EARLY_MS
from talos_assets.agents.evaluation.line_continuity import LINE_WARN
from talos_assets.agents.evaluation.motion_quality import FOOT_SLIDE_WARN, JERK_WARN
from talos_assets.agents.evaluation.shot_measures import FIGURE_PALETTE_WARN
from talos_assets.agents.evaluation.warped_flicker import FLICKER_WARN
from talos_assets.agents.evaluation.revision import Bound, CheckOutcome


class EvaluationThresholds(BaseModel):
    """Limits a film must stay within; a failing shot gets a revision request."""

    max_flicker: float = Field(1.0, description="L* units, mean second temporal difference")
    min_palette_adherence: float = Field(0.6, ge=0.0, le=1.0)
    min_mean_luma: float = Field(0.08, ge=0.0, le=1.0)
    max_mean_luma: float = Field(0.92, ge=0.0, le=1.0)
    max_clipped_black: float = Field(0.25, ge=0.0, le=1.0)
    max_clipped_white: float = Field(0.05, ge=0.0, le=1.0)
    max_beat_offset_frames: float = Field(1.0, ge=0.0, description="cut to nearest beat, frames")


@dataclass(frozen=True)
class CheckRule:
    """One check: the measure it reads, its bound and limit, its gate and severity, and its fix
    (`kinds[r-1]` in round r, the last one repeating; `revise` computes the configuration)."""

    check: str
    metric: str
    gate: str
    severity: str  # 'error' | 'warn'
    bound: Bound
    limit: Callable[[EvaluationThresholds], float]
    kinds: tuple[str, ...]
    revise: fixes.Revise
    unit: str = ""
    what: str = ""
    # a finding past its warning but not its error limit asks for a revision too (else it is reported only)
    revise_on_warn: bool = False
    # reported, never revised: a learned judge's verdict is shown to the user, not acted on alone
    report_only: bool = False

    def kind(self, round_: int, outcome: CheckOutcome | None = None) -> str:
        if self.revise is fixes.restage and outcome is not None:  # the fix follows what is missing
            return fixes.restage_kind(outcome)
        return self.kinds[min(round_, len(self.kinds)) - 1]


FIDELITY_WARN = 1.0  # every element the scene graph names should be on screen
# A rule whose measure reports an EchoFinding reads it from the findings (with its frames and region),
# never from the shot's scores, where the same value is kept for Ichor and the critic.
FINDING = "(finding)"

CHECKS: dict[str, CheckRule] = {rule.check: rule for rule in (
    CheckRule("flicker", "flicker", "temporal_stability", "error", "max", lambda th: th.max_flicker,
              ("inpaint", "re-simulate"), fixes.repair_flicker, "L*", "temporal flicker"),
    CheckRule("palette_adherence", "palette_adherence", "look", "error", "min", lambda th: th.min_palette_adherence,
              ("tone",), fixes.tone, "", "palette adherence"),
    CheckRule("underexposed", "mean_luma", "look", "error", "min", lambda th: th.min_mean_luma,
              ("re-light",), fixes.relight, "", "mean luma"),
    CheckRule("overexposed", "mean_luma", "look", "error", "max", lambda th: th.max_mean_luma,
              ("re-light",), fixes.relight, "", "mean luma"),
    CheckRule("clipped_black", "clipped_black", "look", "error", "max", lambda th: th.max_clipped_black,
              ("re-light",), fixes.relight, "", "pixels crushed to black"),
    CheckRule("clipped_white", "clipped_white", "look", "error", "max", lambda th: th.max_clipped_white,
              ("re-light",), fixes.relight, "", "pixels blown to white"),
    CheckRule("beat_offset", "beat_offset_frames", "beat_sync", "warn", "max", lambda th: th.max_beat_offset_frames,
              ("re-time",), fixes.retime, "frames", "cut to the nearest beat"),
    # the measures that report an EchoFinding with its own limit (agents/evaluation/shot_measures.py):
    # WARN until their limits are set on more than the one film they were tuned on
    CheckRule("warped_flicker", FINDING, "temporal_stability", "warn", "max", lambda th: FLICKER_WARN,
              ("inpaint", "re-simulate"), fixes.repair_flicker, "L*", "flow-warped flicker"),
    CheckRule("palette_de2000", FINDING, "look", "warn", "min", lambda th: FIGURE_PALETTE_WARN,
              ("tone",), fixes.tone, "", "figures within CIEDE2000 10 of the palette"),
    # a broken outline is redrawn: the shot's chain again from Axis's key poses
    CheckRule("line_continuity", FINDING, "look", "warn", "min", lambda th: LINE_WARN,
              ("re-pose",), fixes.repose, "", "region boundaries inked (closed outlines)"),
    CheckRule("jerk", FINDING, "motion", "warn", "max", lambda th: JERK_WARN,
              ("re-pose",), fixes.repose, "figure heights/frame^3", "peak jerk of a joint"),
    CheckRule("foot_sliding", FINDING, "motion", "warn", "max", lambda th: FOOT_SLIDE_WARN,
              ("re-pose",), fixes.repose, "figure heights/frame", "a planted foot sliding"),
    CheckRule("lip_sync", FINDING, "dialogue", "warn", "max", lambda th: SYNC_WARN_EARLY_MS,
              ("re-pose",), fixes.repose, "ms", "mouth against voice"),
    # an element the story names and the shot does not show is worth a re-render even when the
    # rest of the shot holds: the fix (a stronger effect, a wider frame) is aimed at what is missing
    CheckRule("story_fidelity", FINDING, "story", "warn", "min", lambda th: FIDELITY_WARN,
              ("re-simulate", "re-frame"), fixes.restage, "", "elements of the story the shot shows",
              revise_on_warn=True),
    # with a CLIP registered by Protoforge: the margin of the shot's own scene-graph captions over the
    # best other shot's (alignment.text_retrieval); under 0, its captions find another shot first
    CheckRule("text_alignment", "text_alignment", "story", "warn", "min", lambda th: 0.0,
              ("re-frame",), fixes.reframe, "", "its captions find it first among the film's shots (CLIP margin)",
              report_only=True),
)}

GATE_TEXT: dict[str, str] = {
    "temporal_stability": "no shot flickers beyond the limit (else: inpaint, then re-simulate with a new seed)",
    "look": "palette adherence, exposure and clipping within limits, closed outlines (else: tone or re-light; "
            "redraw a broken outline)",
    "beat_sync": "every cut within one frame of a beat where the shot's handles allow (else: re-time)",
    "motion": "no joint jerks and no planted foot slides beyond the limits (else: re-pose)",
    "dialogue": "each on-screen speaker's mouth moves with the voice, within ITU-R BT.1359's limits (else: re-pose)",
    "story": "every element the story names (set, time, props, effects, actions, speakers) is on screen "
             "(else: re-simulate a missing effect, re-frame the rest); with a registered CLIP, each shot's "
             "captions find it first among the film's shots (reported)",
}


def gates(checks: dict[str, CheckRule] | None = None) -> dict[str, str]:
    """gate -> severity ('error' when any of its checks is ERROR), in the table's order."""
    out: dict[str, str] = {}
    for rule in (checks or CHECKS).values():
        out[rule.gate] = "error" if rule.severity == "error" or out.get(rule.gate) == "error" else "warn"
    return out


def judge_shot(film_id: str, shot_id: str, slot: str, scores: dict[str, float],
               thresholds: EvaluationThresholds | None = None, film_frames: tuple[int, int] | None = None,
               findings: Iterable = (), checks: dict[str, CheckRule] | None = None) -> list[CheckOutcome]:
    """Every check the shot's scores (and findings: anything with check, value, limit, frames,
    region, detail) carry; a measure the shot lacks is not judged."""
    th = thresholds or EvaluationThresholds()
    table = checks or CHECKS
    out: list[CheckOutcome] = []
    for rule in table.values():
        value = scores.get(rule.metric)
        if value is None or not np.isfinite(value):
            continue
        limit = float(rule.limit(th))
        passed = bool(value <= limit) if rule.bound == "max" else bool(value >= limit)
        out.append(CheckOutcome(film_id=film_id, shot_id=shot_id, slot=slot, check=rule.check, gate=rule.gate,
                                severity=rule.severity, value=float(value), limit=limit, bound=rule.bound,
                                unit=rule.unit, passed=passed, film_frames=film_frames, detail=rule.what,
                                revise=not rule.report_only))
    for f in findings:  # the newer measures report a finding with its own limit and where it failed
        rule = table.get(f.check)
        if rule is None or not np.isfinite(f.value):
            continue
        passed = getattr(f, "severity", None) != "error" and (f.value <= f.limit if rule.bound == "max" else f.value >= f.limit)
        out.append(CheckOutcome(film_id=film_id, shot_id=shot_id, slot=slot, check=rule.check, gate=rule.gate,
                                severity=rule.severity, value=float(f.value), limit=float(f.limit), bound=rule.bound,
                                unit=getattr(f, "unit", rule.unit), passed=bool(passed), frames=list(f.frames),
                                film_frames=film_frames, region=f.region, detail=f.detail or rule.what,
                                revise=not rule.report_only and (rule.revise_on_warn
                                                                 or getattr(f, "severity", "error") == "error")))
    return out
