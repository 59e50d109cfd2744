"""Axis props that are ridden: a bicycle, a boat, a car under (or around) the character riding it.

A prop with a `ride` block is a vehicle (`acting.riding.Vehicle`) that a `ride` action mounts. Once
ridden it is staged under its rider, not beside the characters: its anchor rests on the ground line
at a fixed offset from the rider's root (the seat under the hips, `acting.riding.anchor_dx`), drawn at
the size that fits the rider (`acting.riding.ride_scale`) and facing the way the rider faces, and
on every frame it travels with the rider's root. Parts the rider sits inside (a hull, a car door)
are drawn over the rider.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from talos_assets.agents.key_animation.acting.riding import anchor_point, ride_scale
from talos_assets.agents.key_animation.acting.vehicle import Vehicle
from talos_assets.agents.key_animation.rig import FACING_KEY, Rig
from talos_assets.agents.props.catalog import load_prop
from talos_assets.agents.props.holding import PropPlacement
from talos_assets.agents.props.model import PROP_BONE, PropSpec, prop_bounds
from talos_assets.spec import Pose, ShotPlan


def vehicle(spec: PropSpec) -> Vehicle | None:
    """The prop as a vehicle, or None when it cannot be ridden."""
    r = spec.ride
    if r is None:
        return None
    x0, _, x1, _ = prop_bounds(spec)  # relative to the anchor
    return Vehicle(prop=spec.name, height=spec.height, anchor=spec.anchor, stroke=r.stroke, seat=r.seat, hands=r.hands,
                   feet=r.feet, crank=r.crank, leg_reach=r.leg_reach, min_scale=r.min_scale, roof=r.roof, speed=r.speed,
                   floats=spec.floats, span=(x0 + spec.anchor[0], x1 + spec.anchor[0]))


def shot_vehicles(shot: ShotPlan, extra_dirs: Sequence[Path | str] = ()) -> dict[str, Vehicle]:
    """The shot's ridable props by prop id (user prop folders first), in the order the shot lists them."""
    out: dict[str, Vehicle] = {}
    for u in shot.props:
        if u.prop not in out:
            v = vehicle(load_prop(u.prop, extra_dirs))
            if v is not None:
                out[u.prop] = v
    return out


def ridden_placement(key: str, spec: PropSpec, rider: str, rig: Rig, first: Pose, aspect: float,
                     frames: tuple[int, int] | None = None, last: Pose | None = None, fps: int = 24) -> PropPlacement:
    """The prop under `rider`, whose key pose where the ride starts is `first` (and ends, `last`):
    anchored below the seat, where the acting rested it (the ground line, or the water); ridden in
    `frames` (first, last) and parked where the ride starts and ends outside them. Its swinging bones
    (a horse's legs) stride once every `ride.stride` seconds while it is ridden."""
    v = vehicle(spec)
    assert v is not None, f"prop '{spec.name}' cannot be ridden"
    dx, y = anchor_point(v, rig, first, aspect)
    ends = (first.root_x + dx, (last or first).root_x + dx)
    facing = 1.0 if float(first.face.get(FACING_KEY, 1.0)) >= 0 else -1.0
    pose = Pose(root_x=first.root_x + dx, root_y=y, scale=ride_scale(v, rig) * first.scale,
                joints={PROP_BONE: 0.0}, face={FACING_KEY: facing})
    front = spec.ride.front if spec.ride else []
    stride = spec.ride.stride * fps if spec.ride and spec.gait(0.0) else None
    return PropPlacement(key=key, prop=spec.name, rider=rider, ride_dx=dx, front=list(front), pose=pose,
                         ride_frames=frames, ride_x=ends if frames is not None else None, stride_frames=stride)
