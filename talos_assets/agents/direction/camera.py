"""Prism's camera plan: one framing key (centre, zoom, roll) per rendered frame of a shot.

The zoom comes from the lens (`grammar.lens_zoom`) or the shot size; the move (pan, tilt, push-in,
pull-out, dolly) runs between a start and an end framing eased with smoothstep, and a handheld shot
adds two incommensurate sines seeded per shot. A single in medium or close-up is aimed at where the
key poses stand the character, with look room on the side of the partner it faces (the 180-degree
rule in a single); a group shot is widened to hold the whole group. Given the acting box (the heads,
and in a medium shot the acting hands, over all key poses: `camera_framing.acting_box`), every key
keeps that box in frame with a small margin: the planned zoom stays when the box fits, else the
camera zooms out just enough, and the centre moves only as far as it must (a push-in stops where
it would cut a face). The frame never leaves the stage. The key poses and the box come from the
caller (Axis runs first), so direction does not import a later agent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from talos_assets.agents.direction.grammar import lens_zoom
from talos_assets.spec import CameraKey, CameraMove, KeyPose, ShotPlan, ShotSize

FRAME_MARGIN = 0.04  # the acting box stays this far inside the frame's edges, fractions of the frame
_SIZE_ZOOM = {ShotSize.establishing: 1.0, ShotSize.wide: 1.05, ShotSize.medium: 1.35, ShotSize.close_up: 1.8,
              ShotSize.insert: 2.2}


def _smoothstep(t: float) -> float:
    return t * t * (3.0 - 2.0 * t)


def view_width(shot: ShotPlan) -> float:
    """How much of the stage's width the shot's lens sees at the tightest point of its move (1 = all of it)."""
    zoom = lens_zoom(shot.lens_mm) if shot.lens_mm else _SIZE_ZOOM[shot.shot_size]
    # the tightest end of a move (see camera_plan): a push-in ends, a pull-out starts 1.3x tighter
    tighter = {CameraMove.push_in: 1.3, CameraMove.pull_out: 1.3, CameraMove.dolly: 1.12}.get(shot.camera, 1.0)
    return 1.0 / (zoom * tighter)


def subject_x(key_poses: Sequence[KeyPose]) -> float:
    """Mean stage x of a shot's key poses (0.5, the middle, when there are none to look at)."""
    xs = [k.pose.root_x for k in key_poses]
    return float(sum(xs) / len(xs)) if xs else 0.5


def fit_box(key: dict[str, float], box: tuple[float, float, float, float], margin: float = FRAME_MARGIN) -> None:
    """Make the framing `key` (center_x, center_y, zoom) hold the stage `box` with `margin` to spare:
    lower the zoom only as far as the box needs, then move the centre the least that brings it in."""
    x0, y0, x1, y1 = box
    span = max(x1 - x0, y1 - y0, 1e-6)
    # never wider than the whole stage (1): what lies beyond it cannot be framed anyway
    key["zoom"] = max(1.0, min(key["zoom"], (1.0 - 2.0 * margin) / span))
    inner = (0.5 - margin) / key["zoom"]  # half the frame, less the margin
    for name, lo, hi in (("center_x", x0, x1), ("center_y", y0, y1)):
        c = key[name]
        c = min(c, lo + inner)  # the box's near edge is not cut ...
        c = max(c, hi - inner)  # ... nor its far edge (the zoom above leaves room for both)
        key[name] = c


def camera_plan(shot: ShotPlan, key_poses: Sequence[KeyPose] = (),
                acting_box: tuple[float, float, float, float] | None = None) -> list[CameraKey]:
    """One CameraKey per rendered frame (planned frames plus the edit handle), eased between the ends.

    `key_poses` are the shot's key poses from Axis (`key_animation.plan_key_poses`); leave them out
    (or pass none when the rig is unknown) and a single is aimed at the middle of the stage.
    `acting_box` (x0, y0, x1, y1 stage fractions, `camera_framing.acting_box`) is what every frame
    must show: the heads, and in a medium shot the hands; without it the planned framing stands.
    """
    n = shot.total_frames
    zoom0 = lens_zoom(shot.lens_mm) if shot.lens_mm else _SIZE_ZOOM[shot.shot_size]
    # characters stand with their heads at about a third of the stage height: tighter sizes frame
    # head and shoulders, so the centre rises as the zoom grows
    cy = {ShotSize.close_up: 0.42, ShotSize.insert: 0.45, ShotSize.medium: 0.48}.get(shot.shot_size, 0.5)
    cx = 0.5
    if len(shot.characters) == 1 and shot.shot_size in (ShotSize.medium, ShotSize.close_up):
        # a single is aimed at where Axis stages the character, and a character who stands left in
        # the scene is framed left of centre, with the look room towards the partner off screen right
        # (and vice versa): the 180-degree rule in a single
        cx = subject_x(key_poses)
        side = shot.screen_side.get(shot.characters[0], "center")
        cx += {"left": 0.12, "right": -0.12}.get(side, 0.0) / zoom0
    start = dict(center_x=cx, center_y=cy, zoom=zoom0, roll=0.0)
    end = dict(start)
    move = shot.camera
    if move == CameraMove.pan:
        start["center_x"], end["center_x"] = cx - 0.08, cx + 0.08
    elif move == CameraMove.tilt:
        start["center_y"], end["center_y"] = cy + 0.08, cy - 0.08
    elif move == CameraMove.push_in:
        end["zoom"] = zoom0 * 1.3
    elif move == CameraMove.pull_out:
        start["zoom"] = zoom0 * 1.3
    elif move == CameraMove.dolly:
        start["center_x"], end["center_x"] = cx - 0.05, cx + 0.05
        end["zoom"] = zoom0 * 1.12
    cast = len(dict.fromkeys(shot.characters))
    if acting_box is not None:
        if cast > 1:
            # a two-shot is aimed at the middle of what it must hold; the fit below zooms out only
            # as far as the faces (and hands) need, instead of the group rule of thumb
            mid = (acting_box[0] + acting_box[2]) / 2
            shift = mid - cx
            start["center_x"] += shift
            end["center_x"] += shift
        fit_box(start, acting_box)
        fit_box(end, acting_box)
    elif cast > 1:
        # a group shot must hold the whole group: Axis spreads n characters over min(0.62, 0.3(n-1))
        # of the stage, plus about a figure's width of margin, so a "close-up" of two is a tight two-shot
        fit = 1.0 / (min(0.62, 0.3 * (cast - 1)) + 0.35)
        start["zoom"], end["zoom"] = min(start["zoom"], fit), min(end["zoom"], fit)
    keys = []
    for f in range(n):
        t = _smoothstep(f / max(1, shot.frames - 1)) if f < shot.frames else 1.0
        k = {name: start[name] + (end[name] - start[name]) * t for name in start}
        if move == CameraMove.handheld:
            # two incommensurate sines read as an operator's hand, seeded so each shot differs
            ph = (shot.seed % 1000) / 1000.0 * 2 * math.pi
            amp = 0.006 + 0.01 * max(0.0, shot.arousal)
            k["center_x"] += amp * (math.sin(f * 0.37 + ph) + 0.5 * math.sin(f * 0.91 + 2 * ph))
            k["center_y"] += amp * (math.sin(f * 0.29 + 3 * ph) + 0.5 * math.sin(f * 1.13 + ph))
            k["roll"] = 0.8 * amp * 100 * math.sin(f * 0.21 + ph)
        if acting_box is not None:
            # the ends hold the box; the eased frames between them (and a handheld wobble) must too
            fit_box(k, acting_box)
        half = 0.5 / k["zoom"]
        # keep the frame inside the stage so no empty border shows
        k["center_x"] = min(max(k["center_x"], half), 1 - half)
        k["center_y"] = min(max(k["center_y"], half), 1 - half)
        keys.append(CameraKey(frame=f, **k))
    return keys
