"""Flux for props: every frame's pose of each prop Axis placed, a held one following its holder's hand.

A standing prop holds the pose Axis gave it. A held prop is re-placed on every in-between frame by
the holder's forward kinematics (`props.holding.held_pose`: the prop's grip on the centre of the
hand riding the wrist bone), so it follows the hand through arcs, overlap and follow-through
exactly as the drawn hand moves. The poses are keyed `prop:<key>` beside the characters' poses,
the form Stokes' anchors and the line art read them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from talos_assets.agents.key_animation import Rig
from talos_assets.agents.props import PropPlacement, PropSpec, held_pose
from talos_assets.spec import Pose

PROP_PREFIX = "prop:"


def inbetween_prop_poses(placements: Sequence[PropPlacement], poses: Mapping[str, list[Pose]],
                         rigs: Mapping[str, Rig], specs: Mapping[str, PropSpec], n_frames: int,
                         aspect: float) -> dict[str, list[Pose]]:
    """Per prop (`prop:<key>`), `n_frames` poses: held props on their holder's hand, standing ones still."""
    out: dict[str, list[Pose]] = {}
    for pl in placements:
        spec = specs[pl.prop]
        track = poses.get(pl.holder or "")
        if pl.holder and track and pl.holder in rigs:
            out[PROP_PREFIX + pl.key] = [held_pose(spec, rigs[pl.holder], track[min(f, len(track) - 1)], pl.hand,
                                                   pl.scale, aspect) for f in range(n_frames)]
        else:
            out[PROP_PREFIX + pl.key] = [pl.pose.model_copy(deep=True) for _ in range(n_frames)]
    return out
