"""Axis model sheets: a character's turnaround and expression sheet rendered from its rig, as a PNG.

A model sheet is the reference an animation department draws on-model from: here a turnaround row
(front, three-quarter, side facing right, side facing left; the front-ish views are the side view
squeezed in x by a scaled-x projection, see `poses.front_view`), an expressions row (the
full-body pose of each of the 8 emotions of the pose library at a lively arousal) and a row of face
close-ups of the same 8 emotions. Every figure is the studio's own line art (`draw_line_art`)
flat-filled per region hint with a neutral sheet palette, so it shows the closed regions Chroma will
paint. `render_model_sheet(rig, width)` returns the image; `write_model_sheet(name, path)` is the
plain function the CLI (`talos character sheet NAME`) calls, with no Dagster or studio needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from talos_assets.agents.key_animation.characters import load_rig
from talos_assets.agents.key_animation.line_art import draw_line_art, view_scale
from talos_assets.agents.key_animation.poses import emotion_pose, front_view
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACING_KEY, Rig, forward_kinematics
from talos_assets.spec import REGION_NAMES, Emotion, Pose

# Flat sheet colours per REGION_NAMES index (RGB): neutral, but each region distinct.
SHEET_COLORS: dict[str, tuple[int, int, int]] = {
    "background": (255, 255, 255), "skin": (242, 204, 170), "hair": (120, 88, 70), "coat": (112, 150, 196),
    "accent": (226, 150, 70), "eye": (250, 250, 250),
}
PAPER = (250, 248, 242)
INK = (28, 24, 22)
VIEWS: tuple[tuple[str, float], ...] = (("front", 1.0), ("three-quarter", 0.7), ("side R", 1.0), ("side L", -1.0))
SHEET_AROUSAL = 0.6


@dataclass(frozen=True)
class Panel:
    kind: str  # "view", "expression" or "face"
    label: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the drawing area (label below it)


def model_sheet_layout(width: int) -> tuple[int, list[Panel]]:
    """Sheet height and its panels for a sheet `width` pixels wide (4 views, 8 expressions, 8 faces)."""
    if width < 320:
        raise ValueError(f"a model sheet needs at least 320 pixels of width, got {width}")
    margin = max(6, width // 100)
    title_h = max(28, width // 28)
    label_h = max(14, width // 70)
    y = title_h
    panels: list[Panel] = []
    # Turnaround: 4 tall panels.
    pw = (width - margin * 5) // 4
    ph = int(pw * 1.1)
    for i, (name, _) in enumerate(VIEWS):
        x0 = margin + i * (pw + margin)
        panels.append(Panel("view", name, (x0, y, x0 + pw, y + ph)))
    y += ph + label_h + margin
    # Expressions: 8 full-body panels, then 8 face close-ups.
    ew = (width - margin * 9) // 8
    eh = int(ew * 1.5)
    for i, e in enumerate(Emotion):
        x0 = margin + i * (ew + margin)
        panels.append(Panel("expression", e.value, (x0, y, x0 + ew, y + eh)))
    y += eh + label_h + margin
    for i, e in enumerate(Emotion):
        x0 = margin + i * (ew + margin)
        panels.append(Panel("face", e.value, (x0, y, x0 + ew, y + ew)))
    y += ew + label_h + margin
    return y + (y % 2), panels


def _view_pose(rig: Rig, name: str, side: float) -> Pose:
    pose = rig.rest_pose(0.5, 0.92, 1 if side >= 0 else -1)
    if name == "front":
        return front_view(rig, pose)
    if name == "three-quarter":
        p = front_view(rig, pose)
        # Partly turned: the limbs splay less and the view is wider than the front.
        p.face[FACING_KEY] = side * 0.75
        return rig.clamp(p)
    return pose


def _fit(rig: Rig, pose: Pose, w: int, h: int, fill: float) -> Pose:
    """The pose scaled and placed so its figure fills `fill` of the panel, centred."""
    bones = forward_kinematics(rig, pose)
    pts = np.concatenate([b.to_world(np.array([0.0, 1.0]), np.zeros(2)) for b in bones.values()])
    pad = 0.09  # part widths and the heavy outline reach past the bones
    x0, x1 = pts[:, 0].min() - pad, pts[:, 0].max() + pad
    y0, y1 = min(0.0, pts[:, 1].min()) - 0.02, pts[:, 1].max() + pad
    sx = abs(view_scale(pose))
    unit = CHARACTER_HEIGHT * h * rig.height  # pixels per character unit at pose.scale 1
    scale = fill * min(h / ((y1 - y0) * unit), w / (max(sx * (x1 - x0), 0.2) * unit))
    s = unit * scale
    f = view_scale(pose)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return pose.model_copy(update={"scale": scale, "root_x": 0.5 - f * s * cx / w, "root_y": 0.5 + s * cy / h})


def _face_pose(rig: Rig, pose: Pose, w: int, h: int) -> Pose:
    """The pose framed on its head: the head bone's middle at the panel centre, head ~60 % of it."""
    head = forward_kinematics(rig, pose)[rig.face.bone]
    c = head.to_world(np.array([0.5]), np.zeros(1))[0]
    unit = CHARACTER_HEIGHT * h * rig.height
    scale = 0.6 * h / (max(head.length, 0.12) * 1.6 * unit)
    s = unit * scale
    f = view_scale(pose)
    return pose.model_copy(update={"scale": scale, "root_x": 0.5 - f * s * c[0] / w, "root_y": 0.5 + s * c[1] / h})


def _paint(rig: Rig, pose: Pose, w: int, h: int) -> np.ndarray:
    """One figure: region fills from the hint map under the anti-aliased ink, on paper (RGB uint8)."""
    art = draw_line_art([(rig, pose)], w, h)
    lut = np.array([SHEET_COLORS.get(n, PAPER) for n in REGION_NAMES], np.float32)
    lut[0] = PAPER
    fill = lut[art.regions]
    a = art.line[..., None]
    out = fill * (1.0 - a) + np.array(INK, np.float32) * a
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def render_model_sheet(rig: Rig, width: int = 1600) -> np.ndarray:
    """The model sheet of `rig` as an RGB uint8 image `width` pixels wide."""
    height, panels = model_sheet_layout(width)
    img = np.full((height, width, 3), PAPER, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    fs = max(0.4, width / 2400)
    th = max(1, round(width / 1600))
    title = f"{rig.name.upper()}  model sheet"
    cv2.putText(img, title, (panels[0].box[0], int(panels[0].box[1] * 0.72)), font, fs * 1.5, INK, th + 1, cv2.LINE_AA)
    if rig.description:
        tx = panels[0].box[0] + cv2.getTextSize(title, font, fs * 1.5, th + 1)[0][0] + 20
        cv2.putText(img, rig.description[:110], (tx, int(panels[0].box[1] * 0.72)), font, fs * 0.8, (90, 90, 90), th,
                    cv2.LINE_AA)
    views = dict(VIEWS)
    for p in panels:
        x0, y0, x1, y1 = p.box
        w, h = x1 - x0, y1 - y0
        if p.kind == "view":
            pose = _fit(rig, _view_pose(rig, p.label, views[p.label]), w, h, 0.86)
        elif p.kind == "expression":
            pose = _fit(rig, emotion_pose(rig, Emotion(p.label), SHEET_AROUSAL, 0.5, 1), w, h, 0.86)
        else:
            pose = _face_pose(rig, emotion_pose(rig, Emotion(p.label), SHEET_AROUSAL, 0.5, 1), w, h)
        img[y0:y1, x0:x1] = _paint(rig, pose, w, h)
        # A hairline frame in paper grey: it never touches a figure (the figures are fitted inside).
        cv2.rectangle(img, (x0 - 1, y0 - 1), (x1, y1), (205, 200, 192), 1)
        cv2.putText(img, p.label, (x0 + 2, y1 + int(12 * fs / 0.4) + 2), font, fs * 0.85, INK, th, cv2.LINE_AA)
    return img


def write_model_sheet(name: str, path: Path | str | None = None, width: int = 1600,
                      extra_dirs: Sequence[Path | str] = ()) -> Path:
    """Render character `name`'s model sheet to a PNG (default `<name>_model_sheet.png` here); returns the path.

    The rig is looked up in `extra_dirs` (the user's character folders) before the built-ins; unknown
    names and broken user rigs raise the one-sentence ValueError of `load_rig`.
    """
    rig = load_rig(name, extra_dirs)
    out = Path(path) if path is not None else Path(f"{name}_model_sheet.png")
    img = render_model_sheet(rig, width)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError(f"could not encode the model sheet of '{name}' as PNG")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buf.tobytes())
    return out
