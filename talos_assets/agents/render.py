"""Anima: composite the layers of a shot, move the camera over them, encode display frames.

Compositing is Porter-Duff "over" on premultiplied, linear-light float32 layers (out = top +
bottom·(1 − αtop)), folded bottom to top, so blends and soft edges are physically additive and
never darken at transparency edges the way straight-alpha sRGB blending does. The virtual camera is
an affine similarity per frame (zoom about a stage point, roll about the frame centre) applied with
`cv2.warpAffine` in bilinear interpolation to the layers made on the stage (the set, the effects);
interpolating premultiplied values keeps alpha and colour consistent at edges. The characters and
their shadow arrive already framed: Flux draws them through the same camera. Camera keys are eased with smoothstep, zoom geometrically (equal ratios per
frame read as constant speed). Bloom is a threshold + multi-scale Gaussian glow computed at quarter
resolution and added as light (premultiplied additive). Emissive light (bloom, fire) may exceed
1.0: shot frames are kept scene-linear in half-float OpenEXR (`frames.write_layer`; a 16-bit sRGB PNG
would clip at 1.0), which the HDR master needs. `to_output_rgb8` flattens over black and
sRGB-encodes for previews only; delivery masters go through OpenColorIO in `mastering/` (SMPTE
ST 2084 / ITU-R BT.2020 / BT.2100 HDR10, BT.2408 reference white, BT.2390 tone mapping).
"""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.coloring import LUMA
from talos_assets.agents.camera_framing import apply_camera, camera_matrix, to_output_rgb8
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


def shot_layers(background: np.ndarray, shadow: np.ndarray, character: np.ndarray, effects_back: np.ndarray | None = None,
                effects_front: np.ndarray | None = None) -> list[np.ndarray]:
    """A shot's stage layers in Anima's depth order, bottom to top: the set, effects behind the
    characters (a fire behind him, smoke rising from the sea), the characters' shadow, the characters,
    effects in front. Missing layers are left out. The weather is not among them: it falls between the
    lens and the stage and goes over the framed picture (`add_weather`)."""
    order = (background, effects_back, shadow, character, effects_front)
    return [layer for layer in order if layer is not None]


def framed_layers(background: np.ndarray, shadow: np.ndarray, character: np.ndarray, cam: CameraKey,
                  effects_back: np.ndarray | None = None, effects_front: np.ndarray | None = None) -> list[np.ndarray]:
    """`shot_layers` as the camera sees them: the set and the effects, painted and simulated on the
    stage, moved by the camera; the characters and their shadow, already drawn through it (Flux draws
    a close-up at the size it is seen, Raygen lights that drawing), as they are."""
    def framed(layer: np.ndarray | None) -> np.ndarray | None:
        return None if layer is None else apply_camera(layer, cam)

    return shot_layers(framed(background), shadow, character, framed(effects_back), framed(effects_front))


def add_weather(framed: np.ndarray, weather: np.ndarray | None) -> np.ndarray:
    """The weather over a frame already moved by the camera: rain and snow are in screen space, so a
    close-up does not magnify the streaks, and a flash's light (colour without coverage) brightens all."""
    if weather is None:
        return framed
    return over(weather, framed)


__all__ = ["over", "composite", "shot_layers", "framed_layers", "add_weather", "add_bloom", "apply_camera", "camera_matrix", "to_output_rgb8"]
