"""Flux, the inbetweener: pose-space inbetweens between Axis's key poses, and the motion curves that result.

Inbetweens are computed in pose space, not on pixels, after the timing principles of Williams'
*The Animator's Survival Kit* and Thomas & Johnston's *Illusion of Life*, one concern per module:
`timing` (easing and where each frame falls between keys), `interpolation` (eased, shortest-arc,
arced channels and `inbetween_poses`), `overlap` (follow-through from a damped spring on lagging
joints) and `curves` (motion curves and their chart). This package re-exports the names the rest
of the studio uses.
"""

from talos_assets.agents.inbetweening.curves import motion_curves, plot_motion_curves
from talos_assets.agents.inbetweening.interpolation import ARC_LIFT, inbetween_poses
from talos_assets.agents.inbetweening.overlap import FOLLOW_DAMPING, OVERLAP_RAMP, SPRING_SUBSTEPS
from talos_assets.agents.inbetweening.timing import ease

__all__ = [
    "ARC_LIFT",
    "FOLLOW_DAMPING",
    "OVERLAP_RAMP",
    "SPRING_SUBSTEPS",
    "ease",
    "inbetween_poses",
    "motion_curves",
    "plot_motion_curves",
]
