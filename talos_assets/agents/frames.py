"""Frame conventions shared by every agent, and safe frame files.

Inside the studio a layer is a float32 array (H, W, 4) in **linear light, premultiplied alpha**,
values in [0, 1]. On disk a layer is a 16-bit PNG (sRGB-encoded, straight alpha), written to a temp
name and renamed, so a killed render never leaves a half-written frame where a finished one belongs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=np.float32)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(np.asarray(c, dtype=np.float32), 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(c, 1.0 / 2.4) - 0.055).astype(np.float32)


def hex_to_linear(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    srgb = np.array([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)], dtype=np.float32)
    return srgb_to_linear(srgb)


def atomic_write_bytes(path: Path, payload: bytes) -> Path:
    """Write bytes to `path` through a temp file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_layer_png(path: Path, layer: np.ndarray) -> Path:
    """Save a linear premultiplied RGBA (or RGB) float layer as a 16-bit sRGB PNG, atomically."""
    layer = np.asarray(layer, dtype=np.float32)
    if layer.ndim == 3 and layer.shape[2] == 4:
        alpha = np.clip(layer[..., 3:4], 0.0, 1.0)
        straight = np.where(alpha > 1e-6, layer[..., :3] / np.maximum(alpha, 1e-6), 0.0)
        rgba = np.concatenate([linear_to_srgb(straight), alpha], axis=2)
        bgr = rgba[..., [2, 1, 0, 3]]
    else:
        bgr = linear_to_srgb(layer[..., :3])[..., ::-1]
    ok, buf = cv2.imencode(".png", np.round(bgr * 65535.0).astype(np.uint16), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise OSError(f"could not encode {path.name} as PNG")
    return atomic_write_bytes(path, buf.tobytes())


def read_layer_png(path: Path) -> np.ndarray:
    """Load a PNG written by `write_layer_png` back to linear premultiplied float32 RGBA."""
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise FileNotFoundError(f"cannot read frame {path}")
    scale = 65535.0 if raw.dtype == np.uint16 else 255.0
    img = raw.astype(np.float32) / scale
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if img.shape[2] == 3:
        rgb = srgb_to_linear(img[..., ::-1])
        return np.concatenate([rgb, np.ones_like(rgb[..., :1])], axis=2)
    rgb = srgb_to_linear(img[..., [2, 1, 0]])
    alpha = img[..., 3:4]
    return np.concatenate([rgb * alpha, alpha], axis=2).astype(np.float32)


def write_gray_png(path: Path, gray: np.ndarray, bits: int = 8) -> Path:
    """Save a single-channel map (line coverage, region labels) losslessly, atomically."""
    gray = np.asarray(gray)
    if gray.dtype == np.uint8 or gray.dtype == np.uint16:
        data = gray
    else:
        peak = 65535.0 if bits == 16 else 255.0
        data = np.round(np.clip(gray, 0.0, 1.0) * peak).astype(np.uint16 if bits == 16 else np.uint8)
    ok, buf = cv2.imencode(".png", data, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise OSError(f"could not encode {path.name} as PNG")
    return atomic_write_bytes(path, buf.tobytes())


def read_gray_png(path: Path, as_float: bool = True) -> np.ndarray:
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise FileNotFoundError(f"cannot read map {path}")
    if not as_float:
        return raw
    return raw.astype(np.float32) / (65535.0 if raw.dtype == np.uint16 else 255.0)


def to_display_rgb8(layer: np.ndarray) -> np.ndarray:
    """Linear premultiplied layer -> 8-bit sRGB RGB over black, for previews and encoders."""
    rgb = np.asarray(layer, dtype=np.float32)[..., :3]
    return np.round(linear_to_srgb(rgb) * 255.0).astype(np.uint8)
