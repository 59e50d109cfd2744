"""Flux for props: every frame's pose of each prop Axis placed, a held one following its holder's hand,
a ridden one travelling under its rider, a dog walking behind its owner with its legs striding.

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
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT
from talos_assets.agents.props import PropPlacement, PropSpec, prop_pose_at
from talos_assets.spec import Pose

PROP_PREFIX = "prop:"


def inbetween_prop_poses(placements: Sequence[PropPlacement], poses: Mapping[str, list[Pose]],
                         rigs: Mapping[str, Rig], specs: Mapping[str, PropSpec], n_frames: int,
                         aspect: float) -> dict[str, list[Pose]]:
    """Per prop (`prop:<key>`), `n_frames` poses: held props on their holder's hand, ridden ones under their
    rider, standing ones still."""
    out: dict[str, list[Pose]] = {}
    for pl in placements:
        spec = specs[pl.prop]
        track: list[Pose] = []
        travelled = 0.0  # a follower's legs stride with the ground it covers, so its paws do not slide
        for f in range(n_frames):
            now = pl.at_frame(f)
            at_f = {c: poses[c][min(f, len(poses[c]) - 1)] for c in (now.holder, now.rider, now.follower_of)
                    if c in poses and poses[c]}
            if now.follower_of in at_f and f > 0:
                step = abs(at_f[now.follower_of].root_x - poses[now.follower_of][min(f - 1, len(poses[now.follower_of]) - 1)].root_x)
                travelled += step * aspect / (CHARACTER_HEIGHT * spec.height * pl.pose.scale)
            if now.follower_of in at_f:
                now = now.model_copy(update={"stride_at": travelled / spec.stride_length})
            track.append(prop_pose_at(now, spec, rigs, at_f, aspect))
        out[PROP_PREFIX + pl.key] = track
    return out


def placements_at(placements: Sequence[PropPlacement], frame: int) -> list[PropPlacement]:
    """The placements as they stand at `frame`: a given prop is drawn with its receiver after the hand-over."""
    return [pl.at_frame(frame) for pl in placements]
