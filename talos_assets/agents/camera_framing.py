"""The virtual camera over a stage: an affine similarity per frame (zoom about a stage point, roll
about the frame centre) applied with `cv2.warpAffine` in bilinear interpolation, and the sRGB
preview encoding of a framed layer. Shared by Prism's storyboard and Anima's render, so neither
imports the other.
"""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.frames import linear_to_srgb
from talos_assets.spec import CameraKey


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


def apply_camera(layer: np.ndarray, cam: CameraKey) -> np.ndarray:
    """Frame a layer through the camera; same size out. Identity camera returns an exact copy.

    Fully opaque layers (backdrops) replicate their border so a roll or a pull-out never shows
    black corners; layers with transparency use a transparent border so nothing is smeared.
    """
    layer = np.asarray(layer, dtype=np.float32)
    h, w = layer.shape[:2]
    if cam.zoom == 1.0 and cam.roll == 0.0 and cam.center_x == 0.5 and cam.center_y == 0.5:
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

