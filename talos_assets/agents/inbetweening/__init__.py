"""Flux, the inbetweener: pose-space inbetweens between Axis's key poses, and the motion curves that result.

Inbetweens are computed in pose space, not on pixels, after the timing principles of Williams'
*The Animator's Survival Kit* and Thomas & Johnston's *Illusion of Life*, one concern per module:
`timing` (easing and where each frame falls between keys), `interpolation` (eased, shortest-arc,
arced channels and `inbetween_poses`), `overlap` (follow-through from a damped spring on lagging
joints), `curves` (motion curves and their chart), `props` (each placed prop's
per-frame pose, a held one following its holder's hand) and `mouths` (lip sync: a speaker's mouth
following its line's mouth track frame by frame). This package re-exports the names the rest
of the studio uses.
"""

from talos_assets.agents.inbetweening.curves import motion_curves, plot_motion_curves
from talos_assets.agents.inbetweening.interpolation import ARC_LIFT, inbetween_poses
from talos_assets.agents.inbetweening.mouths import lip_sync_poses, mouth_channels, speak
from talos_assets.agents.inbetweening.overlap import FOLLOW_DAMPING, OVERLAP_RAMP, SPRING_SUBSTEPS
from talos_assets.agents.inbetweening.props import PROP_PREFIX, inbetween_prop_poses, placements_at
from talos_assets.agents.inbetweening.timing import ease

__all__ = [
    "ARC_LIFT",
    "FOLLOW_DAMPING",
    "OVERLAP_RAMP",
    "PROP_PREFIX",
    "SPRING_SUBSTEPS",
    "ease",
    "inbetween_poses",
    "inbetween_prop_poses",
    "placements_at",
    "lip_sync_poses",
    "motion_curves",
    "mouth_channels",
    "plot_motion_curves",
    "speak",
]
