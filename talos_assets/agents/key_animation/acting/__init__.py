"""Axis acting: the 47 story actions performed on the rigs, with contacts, IK, targets, partners, vehicles and mocap.

One concern per module: `context` (a character's stage, the emotion layer, timing), `postures`
(seated, kneeling, lying, airborne and the moves between them), `gestures` (aimed and one-shot
actions), `cycles` (rhythmic actions and walk variants), `pairs` (two characters whose hands meet),
`layers` (a posture held under upper-body actions: sit, then gaze up seated), `riding` (on a
bicycle, in a boat, behind a car's wheel; `vehicle` is its geometry), `perform` (one action,
or a whole shot, mocap included) and `checks` (the pose checks measured from the key poses' joints).
"""

from talos_assets.agents.key_animation.acting.checks import POSE_CHECKS, check_action, check_held, check_pair, check_ride
from talos_assets.agents.key_animation.acting.context import Partner, Stage
from talos_assets.agents.key_animation.acting.perform import BUILDERS, ActedShot, load_motion, perform, perform_shot

__all__ = ["BUILDERS", "ActedShot", "POSE_CHECKS", "Partner", "Stage", "check_action", "check_held", "check_pair",
           "check_ride", "load_motion", "perform", "perform_shot"]
