"""A ridable prop as the acting sees it: a bicycle's, a boat's or a car's geometry and how it is ridden
(built from a prop's `ride` block by `props.riding.vehicle`; ridden by `acting.riding`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vehicle:
    """A ridable prop's geometry (prop units, y up, height 1) and how it is ridden (a prop's `ride`)."""

    prop: str
    height: float  # the prop's height next to the standard character
    anchor: tuple[float, float]
    stroke: str  # pedal | row | steer
    seat: tuple[float, float]
    hands: tuple[float, float]
    feet: tuple[float, float]
    crank: float = 0.0
    leg_reach: float = 0.9
    min_scale: float = 0.0
    roof: float | None = None
    speed: float = 1.0
    floats: bool = False  # rides on the set's water, not its ground line
    span: tuple[float, float] = (-0.5, 0.5)  # the drawing's x extent (back, front), prop units
