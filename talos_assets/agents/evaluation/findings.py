"""Echo's finding: one measured check of one shot, as a reader (and a revision request) needs it —
what was measured, against which limit, how bad it is, and where: which frames, which region of
the picture, which characters. Every per-shot measure (`*_finding`) returns one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["ok", "warn", "error"]


class EchoFinding(BaseModel):
    """One check of one shot: its value against its limit, and where it failed."""

    check: str  # 'flicker', 'palette_de2000', 'jerk', 'foot_sliding', 'lip_sync', 'loudness', ...
    value: float
    limit: float
    unit: str
    severity: Severity
    frames: list[int] = Field(default_factory=list)  # shot-relative frames where it failed
    region: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 as fractions of the frame
    characters: list[str] = Field(default_factory=list)
    detail: str = ""  # one sentence a user reads


def severity_above(value: float, warn: float, error: float) -> Severity:
    """Severity of a measure where larger is worse: 'error' at or past `error`, 'warn' past `warn`."""
    if value >= error:
        return "error"
    return "warn" if value > warn else "ok"


def severity_below(value: float, warn: float, error: float) -> Severity:
    """Severity of a measure where smaller is worse: 'error' at or under `error`, 'warn' under `warn`."""
    if value <= error:
        return "error"
    return "warn" if value < warn else "ok"
