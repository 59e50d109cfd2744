"""Echo's revision requests as typed specs: what a failing check asks an agent to change in one shot.

A `ShotRevision` is the adjusted configuration of one shot. It is stored as an override beside the
shot (and logged in Ichor with the request that produced it); applied to a `ShotPlan` it yields the
plan the shot is re-rendered from. Every field's default leaves the shot exactly as Prism planned
it, so a film with no revisions renders bit-identical frames.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field

from talos_assets.spec import ShotPlan

RevisionKind = Literal["re-time", "re-pose", "re-light", "tone", "re-simulate", "re-frame", "inpaint"]

# Which agent a kind of fix goes back to.
REVISION_AGENT: dict[str, str] = {
    "re-time": "cuttura",
    "re-pose": "axis",
    "re-light": "raygen",
    "tone": "chroma",
    "re-simulate": "stokes",
    "re-frame": "prism",
    "inpaint": "anima",
}

RevisionStatus = Literal["open", "running", "fixed", "given-up"]


class InpaintRegion(BaseModel):
    """Frames (shot-relative) and an optional box (fractions of the frame) to repair."""

    frames: list[int] = Field(default_factory=list)
    box: tuple[float, float, float, float] | None = Field(None, description="x0, y0, x1, y1 in [0, 1]; None = whole frame")


class ShotRevision(BaseModel):
    """The adjusted configuration of one shot; defaults change nothing."""

    frames: int | None = Field(None, ge=1, description="re-time: the shot's planned length in frames")
    seed: int | None = Field(None, description="re-pose / re-simulate: a new seed for the shot's variations")
    exposure_ev: float = Field(0.0, ge=-4.0, le=4.0, description="re-light: Raygen's exposure change in stops")
    palette_pull: float = Field(0.0, ge=0.0, le=1.0, description="tone: how far Chroma pulls colours to the nearest swatch")
    effect_strength: float = Field(1.0, gt=0.0, le=4.0, description="re-simulate: multiplier on every effect's strength")
    zoom_out: float = Field(1.0, ge=1.0, le=2.0, description="re-frame: how much wider the camera frames")
    inpaint: InpaintRegion | None = Field(None, description="inpaint: frames and region Anima repairs after rendering")

    @property
    def is_identity(self) -> bool:
        return self == ShotRevision()


class RevisionRequest(BaseModel):
    """One failing check turned into a fix for one shot."""

    film_id: str
    shot_id: str
    slot: str
    kind: RevisionKind
    agent: str
    check: str = Field(..., description="the Echo check that failed (e.g. 'flicker', 'story_fidelity')")
    value: float = Field(..., description="what the check measured")
    limit: float = Field(..., description="the threshold it crossed")
    reason: str = Field(..., description="one sentence a user reads")
    revision: ShotRevision = Field(default_factory=ShotRevision, description="the configuration to re-render with")
    report_id: str | None = Field(None, description="the evaluation report that raised it")

    def __str__(self) -> str:
        return f"{self.shot_id}: {self.kind}: {self.reason}"


# ---- applying a revision to the plan -----------------------------------------------------------

MAX_ROUNDS = 2  # revision rounds a shot gets before Echo gives up on it (per plan of the shot)


def plan_digest(shot: ShotPlan) -> str:
    """A short hash of one shot's plan: an override applies only to the plan it was measured on."""
    return hashlib.sha256(shot.model_dump_json().encode()).hexdigest()[:16]


def revised_shot(shot: ShotPlan, revision: ShotRevision) -> ShotPlan:
    """The plan a shot is re-rendered from: the plan-level fields of the revision applied (length,
    seed, effect strength); the identity revision returns the very same plan object."""
    if revision.is_identity:
        return shot
    update: dict = {}
    if revision.frames is not None and revision.frames != shot.frames:
        update.update(frames=revision.frames, duration=revision.frames / shot.fps)
    if revision.seed is not None:
        update["seed"] = revision.seed
    if revision.effect_strength != 1.0 and shot.effects:
        update["effects"] = [e.model_copy(update={"strength": min(4.0, e.strength * revision.effect_strength)})
                             for e in shot.effects]
    return shot.model_copy(update=update) if update else shot


def merged(current: ShotRevision, *changes: ShotRevision) -> ShotRevision:
    """`current` with every field each change moved away from `current` taken from that change
    (later changes win): two tickets on one shot (too bright and off the beat) become one run."""
    out = current.model_dump()
    base = current.model_dump()
    for change in changes:
        for key, value in change.model_dump().items():
            if value != base[key]:
                out[key] = value
    return ShotRevision.model_validate(out)


class ShotOverride(BaseModel):
    """The revision stored beside a shot: which shot and which of its plans it was made for."""

    shot_id: str
    plan_digest: str = Field(..., description="digest of the shot's plan (as Prism directed it) the revision applies to")
    revised_digest: str = Field(..., description="digest of the plan with the revision applied")
    revision: ShotRevision
    tickets: list[int] = Field(default_factory=list, description="the Ichor revision tickets it answers")
