"""Axis prop staging: where each prop of a shot goes, next to the key poses of its characters.

A standing prop rests its anchor on the characters' ground line, beside them and not over them:
candidate spots hug each side of the space the characters use over the whole shot (their forward
kinematics at every key, so a walk's path counts), and the one inside the camera's window nearest
its middle wins; an explicit `x` is obeyed. A wall prop hangs `elevation` above that line, a sky
prop (the moon) near the top of the window on the side away from the characters. A held prop goes
in its holder's hand (`holding.held_pose`), and the holding arm lifts forward by the prop's `lift`
so a raised lantern reads; a ridden one under its rider (`riding.ridden_placement`). An insert shot draws its first prop alone, large and centred in the
camera's window (the characters are left out), so "The lantern flickers" shows the lantern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from talos_assets.agents.direction.camera import camera_plan
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACING_KEY, Rig, forward_kinematics
from talos_assets.agents.key_animation.staging import SHOT_STAGING
from talos_assets.agents.props.catalog import load_prop
from talos_assets.agents.props.holding import PropPlacement, hand_bone, hand_point, held_pose
from talos_assets.agents.props.model import PROP_BONE, PropSpec, prop_bounds
from talos_assets.agents.props.riding import ridden_placement
from talos_assets.spec import KeyPose, Pose, PropUse, ShotPlan, ShotSize, Water

GAP = 0.025  # free space between a standing prop and a character, frame widths
BODY_PAD = 0.07  # a figure's half thickness around its bones, character heights
INSERT_FILL = 0.8  # an insert's prop fills this much of the camera window (the tighter way)
SKY_MARGIN = 0.06  # sky props sit this far below the window's top, frame heights
HAND_OVER_SLACK = 0.01  # keys whose hands are this much farther apart (frame heights) still count as the hold


def camera_window(shot: ShotPlan, keys: Sequence[KeyPose]) -> tuple[float, float, float, float]:
    """The part of the stage the camera always sees during the shot: (x0, y0, x1, y1) frame fractions."""
    cams = camera_plan(shot, keys)
    x0 = max(c.center_x - 0.5 / c.zoom for c in cams)
    x1 = min(c.center_x + 0.5 / c.zoom for c in cams)
    y0 = max(c.center_y - 0.5 / c.zoom for c in cams)
    y1 = min(c.center_y + 0.5 / c.zoom for c in cams)
    return x0, y0, x1, y1


def _character_spans(keys: Sequence[KeyPose], rigs: Mapping[str, Rig], aspect: float) -> list[tuple[float, float]]:
    """Each character's x extent (frame fractions) over all its keys."""
    spans: dict[str, tuple[float, float]] = {}
    for k in keys:
        rig = rigs.get(k.character)
        if rig is None:
            continue
        bones = forward_kinematics(rig, k.pose).values()
        xs = np.array([x for b in bones for x in (b.start[0], b.to_world([1.0], [0.0])[0][0])])
        h = CHARACTER_HEIGHT * rig.height * k.pose.scale
        sx = view_scale(k.pose)
        lo = k.pose.root_x + (min(sx * xs.min(), sx * xs.max()) - BODY_PAD) * h / aspect
        hi = k.pose.root_x + (max(sx * xs.min(), sx * xs.max()) + BODY_PAD) * h / aspect
        a, b = spans.get(k.character, (lo, hi))
        spans[k.character] = (min(a, lo), max(b, hi))
    return list(spans.values())


def _free_x(extent: tuple[float, float], taken: list[tuple[float, float]], window: tuple[float, float],
            seen_first: bool = False) -> float:
    """Root x for a prop whose drawing spans root + extent: beside `taken`, inside `window` when it can be.

    `seen_first` ranks being inside the window above being clear of `taken` (a wall prop may hang
    behind someone, but should not leave the frame)."""
    left, right = extent
    wlo, whi = window
    mid = (wlo + whi) / 2
    cands = [mid - (left + right) / 2]
    for lo, hi in taken:
        cands += [hi + GAP - left, lo - GAP - right]

    def overlap(x: float) -> float:
        return sum(max(0.0, min(hi, x + right) - max(lo, x + left)) for lo, hi in taken)

    def outside(x: float) -> float:
        return max(0.0, wlo - (x + left)) + max(0.0, (x + right) - whi)

    def rank(x: float) -> tuple[float, float, float]:
        clear, seen = round(overlap(x), 6), round(outside(x), 6)
        # Free of everyone first (in the window first, for wall props), then near the window's middle.
        return (seen, clear, abs(x + (left + right) / 2 - mid)) if seen_first else (clear, seen, abs(x + (left + right) / 2 - mid))

    return min(cands, key=rank)


def _prop_pose(x: float, y: float, scale: float, angle: float = 0.0, facing: float = 1.0) -> Pose:
    return Pose(root_x=x, root_y=y, scale=scale, joints={PROP_BONE: angle}, face={FACING_KEY: facing})


def _lift_arm(rig: Rig, keys: list[KeyPose], hand: str, lift: float) -> None:
    """Raise the holding arm forward to at least `lift` degrees above rest, in every key (in place)."""
    side = hand_bone(hand).split("_")[0]
    sh, el = f"{side}_shoulder", f"{side}_elbow"
    jm = rig.joint_map
    if sh not in jm or lift <= 0:
        return
    for k in keys:
        joints = dict(k.pose.joints)
        # Both arms raise forward as their shoulder angle falls (see key_animation.poses).
        joints[sh] = min(joints.get(sh, jm[sh].rest), jm[sh].rest - lift)
        if el in jm:
            joints[el] = min(joints.get(el, jm[el].rest), jm[el].rest - 0.4 * lift)
        k.pose = rig.clamp(k.pose.model_copy(update={"joints": joints}))


def _insert(shot: ShotPlan, use: PropUse, spec: PropSpec, aspect: float) -> PropPlacement:
    """The insert's subject: alone, upright, as large as fits INSERT_FILL of the camera window, centred."""
    wx0, wy0, wx1, wy1 = camera_window(shot, [])
    x0, y0, x1, y1 = prop_bounds(spec)
    unit = CHARACTER_HEIGHT * spec.height  # frame heights per prop unit at scale 1
    s = INSERT_FILL * min((wy1 - wy0) / ((y1 - y0) * unit), (wx1 - wx0) * aspect / ((x1 - x0) * unit))
    cx, cy = (wx0 + wx1) / 2, (wy0 + wy1) / 2
    pose = _prop_pose(cx - (x0 + x1) / 2 * unit * s / aspect, cy + (y0 + y1) / 2 * unit * s, s)
    return PropPlacement(key=use.prop, prop=use.prop, pose=pose, insert=True)


def _keys_of(uses: Sequence[PropUse]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for u in uses:
        seen[u.prop] = seen.get(u.prop, 0) + 1
        out.append(u.prop if seen[u.prop] == 1 else f"{u.prop}-{seen[u.prop]}")
    return out


def _receiver_pose_at(keys: Sequence[KeyPose], frame: int) -> Pose:
    """The receiver's pose at `frame` as its keys hold it (the last key at or before it)."""
    before = [k for k in keys if k.frame <= frame]
    return (before[-1] if before else keys[0]).pose


def hand_over_frame(use: PropUse, giver: Sequence[KeyPose], receiver: Sequence[KeyPose], rigs: Mapping[str, Rig],
                    aspect: float) -> int:
    """The frame a given prop changes hands: where the giver's hand comes closest to the receiver's
    right hand, in the middle of the hold when both keep their hands out together for a while."""
    def gap(k: KeyPose) -> float:
        gx, gy, _ = hand_point(rigs[k.character], k.pose, use.hand, aspect)
        other = _receiver_pose_at(receiver, k.frame)
        rx, ry, _ = hand_point(rigs[receiver[0].character], other, "right", aspect)
        return float(np.hypot((gx - rx) * aspect, gy - ry))

    gaps = [gap(k) for k in giver]
    best = int(np.argmin(gaps))
    lo = hi = best
    while lo > 0 and gaps[lo - 1] <= gaps[best] + HAND_OVER_SLACK:
        lo -= 1
    while hi + 1 < len(gaps) and gaps[hi + 1] <= gaps[best] + HAND_OVER_SLACK:
        hi += 1
    return int(round((giver[lo].frame + giver[hi].frame) / 2))


def stage_props(shot: ShotPlan, keys: list[KeyPose], rigs: Mapping[str, Rig], extra_dirs: Sequence[Path | str] = (),
                riders: Mapping[str, str] | None = None, water: Water | None = None,
                ride_frames: Mapping[str, tuple[int, int]] | None = None) -> tuple[list[KeyPose], list[PropPlacement]]:
    """The shot's key poses (holding arms lifted) and its props placed; no props = the keys untouched.

    `rigs` are the characters' rigs by name; props are looked up in `extra_dirs` (the user's prop
    folders) before the built-ins, and an unknown or broken prop is a one-sentence ValueError.
    `riders` (prop id -> character, the acting's) puts a ridden prop under its rider (`riding`) in the
    `ride_frames` (prop id -> first, last frame; the acting's) it is ridden;
    `water` (`sets.water_line`) is where a floating prop (a boat) rests instead of the ground, drawn
    smaller by its distance (a ship out at sea).
    """
    if not shot.props:
        return keys, []
    aspect = shot.width / max(1, shot.height)
    specs = {u.prop: load_prop(u.prop, extra_dirs) for u in shot.props}
    if shot.shot_size == ShotSize.insert:
        return [], [_insert(shot, shot.props[0], specs[shot.props[0].prop], aspect)]
    keys = [k.model_copy(deep=True) for k in keys]
    by_char: dict[str, list[KeyPose]] = {}
    for k in keys:
        by_char.setdefault(k.character, []).append(k)
    stage_scale, ground = SHOT_STAGING.get(shot.shot_size, (1.0, 0.84))
    held = [(u, key) for u, key in zip(shot.props, _keys_of(shot.props))
            if u.holder in by_char and u.holder in rigs and specs[u.prop].holdable]
    for u, _ in held:
        _lift_arm(rigs[u.holder], by_char[u.holder], u.hand, specs[u.prop].lift)
    wx0, wy0, wx1, _ = camera_window(shot, keys)
    taken = _character_spans(keys, rigs, aspect)
    placements: list[PropPlacement] = []
    held_keys = {key for _, key in held}
    ridden = {u.prop: key for u, key in zip(shot.props, _keys_of(shot.props))
              if (riders or {}).get(u.prop) in by_char and specs[u.prop].ride is not None and key == u.prop}
    for u, key in zip(shot.props, _keys_of(shot.props)):
        spec = specs[u.prop]
        if ridden.get(u.prop) == key:
            rider = (riders or {})[u.prop]
            span = (ride_frames or {}).get(u.prop)
            mine = [k for k in by_char[rider] if span is None or span[0] <= k.frame <= span[1]] or by_char[rider]
            placements.append(ridden_placement(key, spec, rider, rigs[rider], mine[0].pose, aspect, span, mine[-1].pose,
                                                 shot.fps))
            continue
        if key in held_keys:
            first = by_char[u.holder][0].pose  # type: ignore[index]
            pose = held_pose(spec, rigs[u.holder], first, u.hand, u.scale, aspect)  # type: ignore[index]
            given = u.given_to if u.given_to in by_char and u.given_to in rigs else None
            meet = hand_over_frame(u, by_char[u.holder], by_char[given], rigs, aspect) if given else None  # type: ignore[index]
            placements.append(PropPlacement(key=key, prop=u.prop, holder=u.holder, hand=u.hand, scale=u.scale, pose=pose,
                                            given_to=given, hand_over_frame=meet))
            continue
        if spec.follows and u.owner in by_char and u.owner in rigs and u.x is None:  # (an x: acted on where Axis marked it)
            placements.append(_follower(key, spec, u, by_char[u.owner][0].pose, rigs[u.owner], stage_scale, ground, aspect))
            continue
        x0, y0, x1, y1 = prop_bounds(spec)
        s = u.scale * (1.0 if spec.placement == "sky" else stage_scale)
        if spec.floats and water is not None:
            s *= water.scale_at(ground)
        unit = CHARACTER_HEIGHT * spec.height * s  # frame heights per prop unit
        extent = (x0 * unit / aspect, x1 * unit / aspect)
        if spec.placement == "sky":
            y = wy0 + SKY_MARGIN + y1 * unit
            side = 0.78 if np.mean([(a + b) / 2 for a, b in taken] or [0.5]) < 0.5 else 0.22
            x = u.x if u.x is not None else wx0 + side * (wx1 - wx0) - (x0 + x1) / 2 * unit / aspect
        else:
            y = water.y if spec.floats and water is not None else ground - spec.elevation * CHARACTER_HEIGHT * stage_scale
            wall = spec.placement == "wall"
            x = u.x if u.x is not None else _free_x(extent, taken, (wx0, wx1), seen_first=wall)
            taken.append((x + extent[0] - GAP / 2, x + extent[1] + GAP / 2))
        placement = PropPlacement(key=key, prop=u.prop, pose=_prop_pose(x, y, s))
        if u.moves is not None and u.x is None:
            placement = _crossing(placement, spec, u.moves, (wx0, wx1), extent, unit, aspect, shot.total_frames)
        placements.append(placement)
    idle = {pid for pid, spec in specs.items() if spec.idling(0.0)}
    return keys, [pl.model_copy(update={"idle_frames": specs[pl.prop].idle_cycle * shot.fps}) if pl.prop in idle else pl
                  for pl in placements]


# how far a thing crossing the shot on its own goes, camera-window widths
CROSSING = {"walk": 0.3, "run": 0.6, "fly": 0.7}


def _crossing(pl: PropPlacement, spec: PropSpec, moves: str, window: tuple[float, float], extent: tuple[float, float],
              unit: float, aspect: float, n_frames: int) -> PropPlacement:
    """A prop that crosses the shot on its own ("a dog runs along the beach", "gulls wheel overhead"): from
    where it was staged toward the wider side of the camera window, a walk a third of the way, a run or a
    flight most of it, facing its way, its legs striding with the ground it covers."""
    x = pl.pose.root_x
    left, right = x - window[0], window[1] - x
    way = 1.0 if right >= left else -1.0
    reach = (right if way > 0 else left) - max(abs(extent[0]), abs(extent[1]))  # facing its way, mirrored or not
    dist = max(0.0, min(CROSSING[moves] * (window[1] - window[0]), reach))
    pose = pl.pose.model_copy(update={"face": {**pl.pose.face, FACING_KEY: way}})
    return pl.model_copy(update={"pose": pose, "travel_x": (x, x + way * dist), "travel_frames": max(1, n_frames - 1),
                                 "strides_per_x": aspect / (unit * spec.stride_length)})


FOLLOW_GAP = 0.12  # character heights between an owner's back and the nose of what walks behind them


def _follower(key: str, spec: PropSpec, u: PropUse, owner: Pose, rig: Rig, stage_scale: float, ground: float,
              aspect: float) -> PropPlacement:
    """A prop that walks behind its owner (a dog on a walk): on the ground line, facing the owner's way,
    its nose a little behind the owner's back, travelling with the owner's root on every frame."""
    x0, _, x1, _ = prop_bounds(spec)
    s = u.scale * stage_scale
    unit = CHARACTER_HEIGHT * spec.height * s  # frame heights per prop unit
    back = (0.2 * rig.height + FOLLOW_GAP) * CHARACTER_HEIGHT * owner.scale
    dx = -(back + x1 * unit) / aspect
    facing = 1.0 if float(owner.face.get(FACING_KEY, 1.0)) >= 0 else -1.0
    pose = _prop_pose(owner.root_x + facing * dx, ground, s)
    pose.face[FACING_KEY] = facing
    return PropPlacement(key=key, prop=u.prop, pose=pose, follower_of=u.owner, follow_dx=dx)


def describe_placements(placements: Sequence[PropPlacement]) -> str:
    """'lantern (held by mira, right hand), table (at x 0.71, y 0.82)': the key_poses metadata line."""
    out = []
    for p in placements:
        if p.insert:
            out.append(f"{p.prop} (insert)")
        elif p.holder:
            given = f", handed to {p.given_to} at frame {p.hand_over_frame}" if p.given_to else ""
            out.append(f"{p.prop} (held by {p.holder}, {p.hand} hand{given})")
        elif p.rider:
            out.append(f"{p.prop} (ridden by {p.rider})")
        elif p.follower_of:
            out.append(f"{p.prop} (walking with {p.follower_of})")
        else:
            out.append(f"{p.prop} (at x {p.pose.root_x:.2f}, y {p.pose.root_y:.2f})")
    return ", ".join(out) or "none"
