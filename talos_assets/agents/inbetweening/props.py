"""Flux for props: every frame's pose of each prop Axis placed, a held one following its holder's hand.

A standing prop holds the pose Axis gave it. A given prop rides the giver's hand up to the hand-over
frame Axis chose (where the two hands meet) and the receiver's right hand from then on. A held prop is re-placed on every in-between frame by
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
        track: list[Pose] = []
        for f in range(n_frames):
            holder, hand = pl.holder_at(f)
            hands = poses.get(holder or "")
            if holder and hands and holder in rigs:
                track.append(held_pose(spec, rigs[holder], hands[min(f, len(hands) - 1)], hand, pl.scale, aspect))
            else:
                track.append(pl.pose.model_copy(deep=True))
        out[PROP_PREFIX + pl.key] = track
    return out


def placements_at(placements: Sequence[PropPlacement], frame: int) -> list[PropPlacement]:
    """The placements as they stand at `frame`: a given prop is drawn with its receiver after the hand-over."""
    return [pl.at_frame(frame) for pl in placements]
