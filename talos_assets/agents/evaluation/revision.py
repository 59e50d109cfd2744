"""Echo acts: a measured failure of one shot becomes a `RevisionRequest` carrying the adjusted
configuration (`ShotRevision`) the shot is re-rendered with, computed from the measurement and
escalated per round.

Each kind of fix is one function `(outcome, context) -> ShotRevision`, starting from the revision
already in force (a shot may be in its second round, or carry an earlier fix):
- re-light: Raygen's exposure moves by the stops between the shot's mean luma and the film's
  (both decoded from sRGB to linear light, so the step is in the units exposure works in); a shot
  that clips gets at least half a stop; each further round moves 50% further.
- tone: Chroma pulls colours towards the nearest palette swatch, by the measured shortfall (twice it,
  at least a quarter), more each round.
- re-time: the shot's planned length becomes the one whose planned cut lands on the nearest beat
  the edit can reach (the next nearest in round 2); Cuttura then snaps the cut onto it.
- inpaint, then re-simulate: round 1 repairs the flagged frames (all, when the measure gives none)
  where it failed; round 2 re-renders the shot's variations with a new seed.
- re-simulate (a missing effect): every effect of the shot is made stronger, more each round.
- re-frame: the camera frames wider, more each round.
- re-pose: Axis acts the shot again from a new seed (jerk, foot sliding, lip sync).
- restage (story fidelity): a missing effect is re-simulated stronger, anything else re-framed wider.
Pure code: no Dagster, no stores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from talos_assets.revision_spec import REVISION_AGENT, InpaintRegion, RevisionRequest, ShotRevision
from talos_assets.spec import ClipCut, ShotPlan

Bound = Literal["max", "min"]


class CheckOutcome(BaseModel):
    """One Echo check of one shot: the value against its limit, and where it failed."""

    film_id: str
    shot_id: str
    slot: str
    check: str
    gate: str
    severity: Literal["error", "warn"] = Field(..., description="what a failure of this check means for the film")
    value: float
    limit: float
    bound: Bound = Field(..., description="'max': the value must stay at or under the limit; 'min': at or over")
    unit: str = ""
    passed: bool
    frames: list[int] = Field(default_factory=list, description="shot-relative frames where it failed (none: the shot)")
    film_frames: tuple[int, int] | None = Field(None, description="the clip's first and last frame in the film")
    region: tuple[float, float, float, float] | None = None
    detail: str = ""
    revise: bool = Field(True, description="a failure asks for a revision; a finding past its warning but not its "
                                           "error limit is reported only")

    @property
    def excess(self) -> float:
        """How far past the limit (0 when it passed), in the check's unit."""
        over = self.value - self.limit if self.bound == "max" else self.limit - self.value
        return max(0.0, over)

    def where(self) -> str:
        frames = f"film frames {self.film_frames[0]}-{self.film_frames[1]}" if self.film_frames else "the shot"
        if self.frames:
            frames += f" (shot frames {', '.join(str(f) for f in self.frames[:8])}{'...' if len(self.frames) > 8 else ''})"
        return f"{self.shot_id} ({self.slot}), {frames}"


class ReviseContext(BaseModel):
    """What a fix is computed from beside the failure: the shot as rendered and the edit around it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    shot: ShotPlan
    current: ShotRevision = Field(default_factory=ShotRevision, description="the revision in force now")
    round: int = Field(1, ge=1, description="which attempt at this check the revision is (1 = first fix); it escalates")
    scores: dict[str, float] = Field(default_factory=dict, description="the shot's measured scores")
    cut: ClipCut | None = None
    planned_start: int = Field(0, description="planned frames of the shots before this one (the edit's target)")
    beat_frames: list[float] = Field(default_factory=list, description="the music's beats, in film frames")
    reference_luma: float = Field(0.45, description="mean luma the film's other shots have")


Revise = Callable[[CheckOutcome, ReviseContext], ShotRevision]


def _linear(srgb: float) -> float:
    srgb = min(max(srgb, 1e-4), 1.0)
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def _escalation(round_: int) -> float:
    return 1.0 + 0.5 * (round_ - 1)


def relight(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """Exposure moved by the stops between the film's luma and the shot's (at least half a stop
    towards the side that clips), escalated per round."""
    measured = ctx.scores.get("mean_luma", outcome.value if "luma" in outcome.check else ctx.reference_luma)
    target = min(0.6, max(0.3, ctx.reference_luma))
    stops = math.log2(_linear(target) / _linear(measured))
    if outcome.check in ("clipped_white", "overexposed"):
        stops = min(stops, -0.5)
    elif outcome.check in ("clipped_black", "underexposed"):
        stops = max(stops, 0.5)
    ev = ctx.current.exposure_ev + stops * _escalation(ctx.round)
    return ctx.current.model_copy(update={"exposure_ev": round(min(4.0, max(-4.0, ev)), 3)})


def tone(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """Colours pulled towards the palette by twice the measured shortfall (at least a quarter)."""
    step = max(0.25, 2.0 * outcome.excess) * _escalation(ctx.round)
    return ctx.current.model_copy(update={"palette_pull": round(min(1.0, ctx.current.palette_pull + step), 3)})


def retime(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """The planned length whose planned cut lands on the nearest reachable beat (round 2: the next)."""
    if ctx.cut is None or not ctx.beat_frames:
        return ctx.current
    end = ctx.cut.record_start + ctx.cut.source_frames
    beats = sorted({int(round(b)) for b in ctx.beat_frames}, key=lambda b: (abs(b - end), b))
    lengths = [b - ctx.planned_start for b in beats if b - ctx.planned_start >= 1]
    lengths = [n for n in lengths if n != ctx.shot.frames] or lengths
    if not lengths:
        return ctx.current
    return ctx.current.model_copy(update={"frames": lengths[min(ctx.round, len(lengths)) - 1]})


def repair_flicker(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """Round 1: inpaint the flagged frames (region when measured); later: a new seed for the shot."""
    if ctx.round == 1:
        return ctx.current.model_copy(update={"inpaint": InpaintRegion(frames=list(outcome.frames), box=outcome.region)})
    return ctx.current.model_copy(update={"inpaint": None, "seed": ctx.shot.seed + 1009 * ctx.round})


def resimulate(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """Every effect stronger (x1.5 per round, past a shortfall-sized step), within the spec's 4x; never
    from under the planned strength (an effect already weakened is first brought back to it)."""
    factor = (1.0 + max(0.5, outcome.excess)) ** _escalation(ctx.round)
    base = max(1.0, ctx.current.effect_strength)
    return ctx.current.model_copy(update={"effect_strength": round(min(4.0, base * factor), 3)})


def reframe(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """The camera 15% wider per round (at most twice as wide)."""
    return ctx.current.model_copy(update={"zoom_out": round(min(2.0, ctx.current.zoom_out * (1.0 + 0.15 * ctx.round)), 3)})


def repose(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """Axis acts the shot again from a new seed: a jerky or sliding take is one draw of its variation."""
    return ctx.current.model_copy(update={"seed": ctx.shot.seed + 7919 * ctx.round})


def restage_kind(outcome: CheckOutcome) -> str:
    """The fix for a story element the shot did not show: 're-simulate' for an effect, else 're-frame'."""
    return "re-simulate" if "effect" in outcome.detail else "re-frame"


def restage(outcome: CheckOutcome, ctx: ReviseContext) -> ShotRevision:
    """An element of the story the shot did not show: a missing effect is simulated stronger, anything
    else (a prop or a character out of the picture) is framed wider."""
    return resimulate(outcome, ctx) if restage_kind(outcome) == "re-simulate" else reframe(outcome, ctx)


def request_for(outcome: CheckOutcome, kind: str, revise: Revise, ctx: ReviseContext,
                report_id: str | None = None) -> RevisionRequest:
    """The request a failed check raises: its kind, its agent and the revision to render with."""
    revision = revise(outcome, ctx)
    unit = f" {outcome.unit}" if outcome.unit else ""
    side = "over" if outcome.bound == "max" else "under"
    reason = (f"{outcome.check} {outcome.value:.3g}{unit} is {side} the limit {outcome.limit:.3g}{unit} "
              f"at {outcome.where()}; round {ctx.round}: {describe(revision, ctx.current)}")
    return RevisionRequest(film_id=outcome.film_id, shot_id=outcome.shot_id, slot=outcome.slot, kind=kind,
                           agent=REVISION_AGENT[kind], check=outcome.check, value=outcome.value, limit=outcome.limit,
                           reason=reason, revision=revision, report_id=report_id)


def describe(revision: ShotRevision, before: ShotRevision) -> str:
    """The fields a revision changes, as a user reads them."""
    changed = [f"{key} {value}" for key, value in revision.model_dump().items() if value != before.model_dump()[key]]
    return ", ".join(changed) or "no change left to try"
