"""One storyboard panel: the shot's first key drawing (Axis's stored key poses, and the props placed
beside them) washed grey, framed by the camera's first key, with the storyboard artist's camera marks
and the shot's notes under it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from talos_assets.agents import key_animation, props
from talos_assets.agents.camera_framing import to_output_rgb8
from talos_assets.agents.props import PropPlacement
from talos_assets.spec import CameraKey, CameraMove, KeyPose, Pose, ShotPlan


def first_key_drawing(keys: list[KeyPose]) -> dict[str, Pose]:
    """Each character's first key pose in frame order: what the panel shows."""
    first: dict[str, Pose] = {}
    for key in sorted(keys, key=lambda k: k.frame):
        first.setdefault(key.character, key.pose)
    return first


def _with_props(shot: ShotPlan, first: dict[str, Pose], rigs: dict[str, "key_animation.Rig"],
                placements: Sequence[PropPlacement], prop_dirs: Sequence[Path | str]) -> list:
    """The first key drawing's (rig, pose) list with the shot's props: held ones in the first key's hand,
    ridden ones under the rider."""
    specs = props.placement_specs(placements, prop_dirs)
    prop_rigs = {p.prop: props.load_prop_rig(p.prop, prop_dirs) for p in placements}
    aspect = shot.width / shot.height
    placements = [p.at_frame(0) for p in placements]  # a vehicle ridden later stands parked at first
    at_key = {p.key: props.prop_pose_at(p, specs[p.prop], rigs, first, aspect) for p in placements}
    return props.frame_drawables(rigs, first, placements, prop_rigs, at_key)


def draw_storyboard_panel(shot: ShotPlan, cam: CameraKey, keys: list[KeyPose], rigs: dict[str, "key_animation.Rig"],
                          width: int = 480, placements: Sequence[PropPlacement] = (),
                          prop_dirs: Sequence[Path | str] = ()) -> np.ndarray:
    """The panel as RGB8: the key drawing through the camera, then id, timing, emotion and script line.

    `placements` are the props Axis placed (`store.read_prop_placements`), drawn with the characters;
    `prop_dirs` are the user's prop folders.
    """
    height = int(round(width * shot.height / shot.width))
    first = first_key_drawing(keys)
    scene = _with_props(shot, first, rigs, placements, prop_dirs) if placements else [(rigs[c], first[c]) for c in first]
    # drawn through the camera, as Flux draws the shot: a close-up panel is as crisp as a wide one
    art = key_animation.draw_line_art(scene, width, height, camera=cam)
    paper = np.ones((height, width, 4), np.float32)
    tone = np.where(art.silhouette, 0.82, 1.0).astype(np.float32)[..., None]  # grey wash marks the figures
    paper[..., :3] = tone * (1.0 - art.line[..., None])
    image = to_output_rgb8(paper)
    _draw_camera_glyph(image, shot)
    return _with_notes(image, shot, width, height)


def _with_notes(image: np.ndarray, shot: ShotPlan, width: int, height: int) -> np.ndarray:
    strip_h = 84
    panel = np.full((height + strip_h, width, 3), 255, np.uint8)
    panel[:height] = image
    cv2.rectangle(panel, (0, 0), (width - 1, height - 1), (20, 20, 20), 2)
    font = cv2.FONT_HERSHEY_SIMPLEX
    head = f"{shot.slot}  {shot.shot_id}  {shot.duration:.1f}s  {shot.emotion.value}"
    cv2.putText(panel, head, (6, height + 18), font, 0.45, (10, 10, 10), 1, cv2.LINE_AA)
    note = shot.camera_note or f"{shot.shot_size.value}, {shot.lens_mm or 0:.0f}mm, {shot.camera.value}"
    cv2.putText(panel, _fit(note, width - 12, font, 0.4), (6, height + 36), font, 0.4, (40, 40, 140), 1, cv2.LINE_AA)
    words, line, row = _ascii(shot.description).split(), "", 0
    for word in words:  # wrap the script line into the strip
        if cv2.getTextSize(line + " " + word, font, 0.4, 1)[0][0] > width - 12 and line:
            cv2.putText(panel, line, (6, height + 54 + 16 * row), font, 0.4, (60, 60, 60), 1, cv2.LINE_AA)
            line, row = word, row + 1
            if row > 1:
                break
        else:
            line = (line + " " + word).strip()
    if row <= 1 and line:
        cv2.putText(panel, line, (6, height + 54 + 16 * row), font, 0.4, (60, 60, 60), 1, cv2.LINE_AA)
    return panel


def _ascii(text: str) -> str:
    """OpenCV's Hershey fonts draw ASCII only: typographic quotes and dashes become their plain forms."""
    table = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
    return "".join(table.get(c, c) for c in text).encode("ascii", "replace").decode()


def _fit(text: str, width: int, font: int, scale: float) -> str:
    text = _ascii(text)
    while text and cv2.getTextSize(text, font, scale, 1)[0][0] > width:
        text = text[:-2] + "~"
    return text


def _draw_camera_glyph(image: np.ndarray, shot: ShotPlan) -> None:
    """The storyboard artist's camera marks: an arrow for pans/dollies/tilts, the end frame for
    push-ins and pull-outs, a zig-zag for handheld, drawn in the thumbnail's corner and frame."""
    h, w = image.shape[:2]
    red = (200, 40, 40)
    move = shot.camera
    m = max(4, w // 40)
    if move in (CameraMove.pan, CameraMove.dolly):
        cv2.arrowedLine(image, (w // 2 - w // 6, h - 3 * m), (w // 2 + w // 6, h - 3 * m), red, 2, cv2.LINE_AA, tipLength=0.2)
    elif move == CameraMove.tilt:
        cv2.arrowedLine(image, (w - 3 * m, h // 2 + h // 6), (w - 3 * m, h // 2 - h // 6), red, 2, cv2.LINE_AA, tipLength=0.2)
    elif move in (CameraMove.push_in, CameraMove.pull_out):
        f = 1 / 1.3  # the move's zoom ratio (direction.camera_plan)
        bw, bh = int(w * f), int(h * f)
        x0, y0 = (w - bw) // 2, (h - bh) // 2
        cv2.rectangle(image, (x0, y0), (x0 + bw, y0 + bh), red, 1, cv2.LINE_AA)
        tip = (x0, y0) if move == CameraMove.push_in else (m, m)
        tail = (m, m) if move == CameraMove.push_in else (x0, y0)
        cv2.arrowedLine(image, tail, tip, red, 2, cv2.LINE_AA, tipLength=0.3)
    elif move == CameraMove.handheld:
        pts = np.array([[m + i * m, 2 * m + (m if i % 2 else 0)] for i in range(6)], np.int32)
        cv2.polylines(image, [pts], False, red, 2, cv2.LINE_AA)
