"""The virtual camera over a stage: an affine similarity per frame (zoom about a stage point, roll
about the frame centre) applied with `cv2.warpAffine` in bilinear interpolation, and the sRGB
preview encoding of a framed layer, and the acting box a shot size must keep in frame (heads, and
for a medium shot the acting hands, found by forward kinematics over all the key poses). Shared by
Prism's storyboard and camera plan and Anima's render, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import cv2
import numpy as np

from talos_assets.agents.frames import linear_to_srgb
from talos_assets.spec import CameraKey, KeyPose, ShotPlan, ShotSize

HEAD_PAD = 0.11  # around the head bone's axis (chin, face, crown): the head and hair, character heights
HAND_PAD = 0.05  # around a wrist bone's end: the hand, character heights
_HEAD_ALONG = (0.0, 0.5, 1.0)  # chin, face and crown along the head bone


def camera_matrix(cam: CameraKey, width: int, height: int) -> np.ndarray:
    """2x3 affine from stage pixels to frame pixels (pixel centres at integer coordinates).

    The stage point (center_x·W, center_y·H) lands in the frame centre, scaled by zoom and rotated
    by roll degrees (positive = counter-clockwise on screen, cv2.getRotationMatrix2D convention).
    """
    if cam.zoom <= 0:
        raise ValueError(f"camera zoom must be positive, got {cam.zoom}")
    c = (cam.center_x * width - 0.5, cam.center_y * height - 0.5)
    o = ((width - 1) / 2.0, (height - 1) / 2.0)
    m = cv2.getRotationMatrix2D(c, cam.roll, cam.zoom)  # A·(p − c) + c
    m[0, 2] += o[0] - c[0]
    m[1, 2] += o[1] - c[1]
    return m


def is_identity(cam: CameraKey) -> bool:
    """The camera that frames the whole stage as it is (no zoom, roll or offset)."""
    return cam.zoom == 1.0 and cam.roll == 0.0 and cam.center_x == 0.5 and cam.center_y == 0.5


def stage_to_frame_y(cam: CameraKey, stage_y: float, width: int, height: int) -> float:
    """Where the stage row `stage_y` (a fraction of the height, at the camera's centre column) lands
    in the frame, as a fraction of the frame height (beyond [0, 1] when it is out of shot)."""
    m = camera_matrix(cam, width, height)
    x, y = cam.center_x * width - 0.5, stage_y * height - 0.5
    return float((m[1, 0] * x + m[1, 1] * y + m[1, 2] + 0.5) / height)


def frame_to_stage(layer: np.ndarray, cam: CameraKey) -> np.ndarray:
    """A framed label map (uint8) back on the stage, nearest neighbour: what the camera did not see
    is 0. Stokes uses it to find the figures, drawn as framed, on the stage it simulates."""
    if is_identity(cam):
        return layer
    h, w = layer.shape[:2]
    return cv2.warpAffine(layer, camera_matrix(cam, w, h), (w, h), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def apply_camera(layer: np.ndarray, cam: CameraKey) -> np.ndarray:
    """Frame a layer through the camera; same size out. Identity camera returns an exact copy.

    Fully opaque layers (backdrops) replicate their border so a roll or a pull-out never shows
    black corners; layers with transparency use a transparent border so nothing is smeared.
    """
    layer = np.asarray(layer, dtype=np.float32)
    h, w = layer.shape[:2]
    if is_identity(cam):
        return layer.copy()
    m = camera_matrix(cam, w, h)
    opaque = layer.ndim == 2 or layer.shape[2] < 4 or bool(layer[..., 3].min() >= 1.0 - 1e-6)
    border = cv2.BORDER_REPLICATE if opaque else cv2.BORDER_CONSTANT
    out = cv2.warpAffine(layer, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)
    return out.astype(np.float32, copy=False)


def to_output_rgb8(rgba: np.ndarray) -> np.ndarray:
    """Premultiplied linear RGBA (or RGB) -> uint8 (H, W, 3) sRGB, flattened over black."""
    rgb = np.asarray(rgba, dtype=np.float32)[..., :3]  # over black, premultiplied colour is the answer
    return (linear_to_srgb(rgb) * 255.0 + 0.5).astype(np.uint8)




class PosedFigure(NamedTuple):
    """One key pose as Axis draws it, handed in by the caller (this module imports no agent): the
    world bones from `forward_kinematics` (duck-typed: `to_world(along, across)`), the figure's height
    (frame-height fractions), its signed x drawing scale (`view_scale`) and the name of its head bone."""

    key: KeyPose
    bones: Mapping[str, Any]
    height: float
    view_x: float
    head: str = "head"


def acting_points(fig: PosedFigure, aspect: float, hands: bool) -> list[tuple[float, float, float, float]]:
    """Stage points (x, y, pad_x, pad_y as frame fractions) of one key pose that the framing must show:
    chin, face and crown of the head, and with `hands` both wrists' ends."""
    marks: list[tuple[np.ndarray, float]] = []
    head = fig.bones.get(fig.head)
    if head is not None:
        marks += [(p, HEAD_PAD) for p in head.to_world(np.array(_HEAD_ALONG), np.zeros(len(_HEAD_ALONG)))]
    if hands:
        marks += [(fig.bones[w].to_world(np.array([1.0]), np.zeros(1))[0], HAND_PAD)
                  for w in ("l_wrist", "r_wrist") if w in fig.bones]
    pose, h = fig.key.pose, fig.height
    return [(pose.root_x + fig.view_x * h * float(p[0]) / aspect, pose.root_y - h * float(p[1]),
             pad * h / aspect, pad * h) for p, pad in marks]


def acting_box(shot: ShotPlan, figures: Sequence[PosedFigure]) -> tuple[float, float, float, float] | None:
    """The stage box (x0, y0, x1, y1, frame fractions) a close-up or medium shot must keep in frame over
    all its key poses: every head, and in a medium shot the acting hands too. None for other sizes or
    when there is no posed figure (the camera then keeps its planned framing)."""
    if shot.shot_size not in (ShotSize.close_up, ShotSize.medium):
        return None
    aspect = shot.width / shot.height
    pts = [p for f in figures for p in acting_points(f, aspect, hands=shot.shot_size == ShotSize.medium)]
    if not pts:
        return None
    x0 = min(x - px for x, _, px, _ in pts)
    y0 = min(y - py for _, y, _, py in pts)
    x1 = max(x + px for x, _, px, _ in pts)
    y1 = max(y + py for _, y, _, py in pts)
    # nothing outside the stage can be framed: the camera never leaves it
    return max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1)


def zoomed_out(cam: CameraKey, factor: float) -> CameraKey:
    """Prism's re-frame: the same camera `factor` times wider (zoom divided by it), its centre pulled
    towards the stage centre as far as the wider view needs to stay on the stage."""
    if factor == 1.0:
        return cam
    zoom = max(1e-3, cam.zoom / factor)
    half = 0.5 / max(zoom, 1.0)  # half the visible stage; a view wider than the stage stays centred

    def inside(c: float) -> float:
        return min(1.0 - half, max(half, c)) if half < 0.5 else 0.5

    return cam.model_copy(update={"zoom": zoom, "center_x": inside(cam.center_x), "center_y": inside(cam.center_y)})
