"""Anima: composite the layers of a shot, move the camera over them, encode display frames.

Compositing is Porter-Duff "over" on premultiplied, linear-light float32 layers (out = top +
bottom·(1 − αtop)), folded bottom to top, so blends and soft edges are physically additive and
never darken at transparency edges the way straight-alpha sRGB blending does. The virtual camera is
an affine similarity per frame (zoom about a stage point, roll about the frame centre) applied with
`cv2.warpAffine` in bilinear interpolation; interpolating premultiplied values keeps alpha and colour
consistent at edges. Camera keys are eased with smoothstep, zoom geometrically (equal ratios per
frame read as constant speed). Bloom is a threshold + multi-scale Gaussian glow computed at quarter
resolution and added as light (premultiplied additive). Emissive light (bloom, fire) may exceed
1.0: shot frames are kept scene-linear in half-float OpenEXR (`frames.write_layer`; a 16-bit sRGB PNG
would clip at 1.0), which the HDR master needs. `to_output_rgb8` flattens over black and
sRGB-encodes for previews only; delivery masters go through OpenColorIO in `mastering.py` (SMPTE
ST 2084 / ITU-R BT.2020 / BT.2100 HDR10, BT.2408 reference white, BT.2390 tone mapping).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from talos_assets.agents.coloring import LUMA
from talos_assets.agents.frames import linear_to_srgb
from talos_assets.spec import CameraKey


def over(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Premultiplied Porter-Duff over: top + bottom · (1 − top.alpha), all four channels."""
    top = np.asarray(top, dtype=np.float32)
    bottom = np.asarray(bottom, dtype=np.float32)
    if top.shape != bottom.shape or top.shape[-1] != 4:
        raise ValueError(f"over() needs two (H, W, 4) layers of one size, got {top.shape} and {bottom.shape}")
    return top + bottom * (1.0 - top[..., 3:4])


def composite(layers: list[np.ndarray]) -> np.ndarray:
    """Composite layers listed bottom -> top; float32 (H, W, 4), linear light, premultiplied."""
    if not layers:
        raise ValueError("composite() needs at least one layer")
    out = np.array(layers[0], dtype=np.float32, copy=True)
    if out.ndim != 3 or out.shape[2] != 4:
        raise ValueError(f"layers must be (H, W, 4), got {out.shape}")
    for i, layer in enumerate(layers[1:], start=1):
        layer = np.asarray(layer, dtype=np.float32)
        if layer.shape != out.shape:
            raise ValueError(f"layer {i} is {layer.shape}, expected {out.shape}")
        # In place: out = layer + out·(1 − α); avoids a fresh full-frame array per layer.
        out *= 1.0 - layer[..., 3:4]
        out += layer
    return out


def _smoothstep(t: float) -> float:
    return t * t * (3.0 - 2.0 * t)


def interpolate_camera(keys: list[CameraKey], frame: int) -> CameraKey:
    """Camera at `frame`: held before the first / after the last key, smoothstep-eased between keys.

    Centre and roll are lerped, zoom is interpolated geometrically; a frame that lands on a key
    returns that key's values exactly.
    """
    if not keys:
        raise ValueError("interpolate_camera() needs at least one camera key")
    ordered = sorted(keys, key=lambda k: k.frame)
    if frame <= ordered[0].frame:
        src = ordered[0]
        return src.model_copy(update={"frame": frame})
    if frame >= ordered[-1].frame:
        src = ordered[-1]
        return src.model_copy(update={"frame": frame})
    # First key strictly after `frame`; its predecessor is at or before it.
    j = next(i for i, k in enumerate(ordered) if k.frame > frame)
    a, b = ordered[j - 1], ordered[j]
    if frame == a.frame:
        return a.model_copy(update={"frame": frame})
    s = _smoothstep((frame - a.frame) / (b.frame - a.frame))
    zoom = math.exp(math.log(a.zoom) + s * (math.log(b.zoom) - math.log(a.zoom)))
    return CameraKey(
        frame=frame,
        center_x=a.center_x + s * (b.center_x - a.center_x),
        center_y=a.center_y + s * (b.center_y - a.center_y),
        zoom=zoom,
        roll=a.roll + s * (b.roll - a.roll),
    )


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


def add_bloom(rgba: np.ndarray, threshold: float = 0.8, strength: float = 0.6) -> np.ndarray:
    """Add a glow around emissive pixels (luminance above `threshold`); alpha unchanged.

    The part of each pixel brighter than the threshold (soft knee: scaled by (L − t)/L so hue is
    kept) is blurred at two radii (~1 % and ~3 % of the frame height) on a quarter-resolution copy,
    upsampled and added to the colour times `strength`. Glow is emitted light, so it is added to the
    premultiplied colour without raising alpha (premultiplied additive), as a light would be.
    """
    rgba = np.asarray(rgba, dtype=np.float32)
    h, w = rgba.shape[:2]
    rgb = rgba[..., :3]
    lum = rgb[..., 0] * LUMA[0] + rgb[..., 1] * LUMA[1] + rgb[..., 2] * LUMA[2]
    keep = np.clip(lum - threshold, 0.0, None) / np.maximum(lum, 1e-6)
    out = rgba.copy()
    if not bool(keep.any()) or strength <= 0:
        return out
    # All four channels stay together (contiguous, fast in OpenCV); the glow's alpha is dropped.
    bright = rgba * keep[..., None]
    small = cv2.pyrDown(cv2.pyrDown(bright)) if min(h, w) >= 64 else bright
    scale = small.shape[0] / h
    glow = 0.6 * cv2.GaussianBlur(small, (0, 0), max(0.5, 0.01 * h * scale))
    glow += 0.4 * cv2.GaussianBlur(small, (0, 0), max(1.0, 0.03 * h * scale))
    glow[..., 3] = 0.0
    out += np.float32(strength) * cv2.resize(glow, (w, h), interpolation=cv2.INTER_LINEAR)
    return out


def to_output_rgb8(rgba: np.ndarray) -> np.ndarray:
    """Premultiplied linear RGBA (or RGB) -> uint8 (H, W, 3) sRGB, flattened over black."""
    rgb = np.asarray(rgba, dtype=np.float32)[..., :3]  # over black, premultiplied colour is the answer
    return (linear_to_srgb(rgb) * 255.0 + 0.5).astype(np.uint8)

