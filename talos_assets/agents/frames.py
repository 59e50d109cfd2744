"""Frame conventions shared by every agent, and safe frame files.

Inside the studio a layer is a float32 array (H, W, 4) in **linear light, premultiplied alpha**,
values in [0, 1] (emissive light such as fire may exceed 1). On disk a colour layer is an OpenEXR
file (half float, linear, premultiplied, RLE: the compositing industry's own format, which keeps
values above 1 for HDR masters and costs ~12 ms to write at 720p against ~70 ms for a 16-bit PNG);
line and region maps and deliverable stills are PNG. Every file is written to a temp name and
renamed, so a killed render never leaves a half-written frame where a finished one belongs.
`read_layer`/`write_layer` pick the format from the suffix.
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


# Lookup tables make the transfer functions ~6x cheaper on whole frames. The encode table samples
# linear light at 2^20 steps: near black the sRGB slope is 12.92, so one step moves the output by
# 0.8 of a 16-bit code value (error <= 0.4 code): exact enough for the 16-bit frames we store.
_ENC_STEPS = (1 << 20) - 1
_ENCODE16 = np.round(linear_to_srgb(np.linspace(0.0, 1.0, _ENC_STEPS + 1, dtype=np.float64)) * 65535.0).astype(np.uint16)
_DECODE16 = srgb_to_linear(np.arange(65536, dtype=np.float32) / 65535.0)
_DECODE8 = srgb_to_linear(np.arange(256, dtype=np.float32) / 255.0)


def encode_srgb16(linear: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] -> 16-bit sRGB code values, through the lookup table."""
    scaled = np.clip(np.asarray(linear, dtype=np.float32), 0.0, 1.0)
    scaled *= np.float32(_ENC_STEPS)
    scaled += np.float32(0.5)
    return _ENCODE16[scaled.astype(np.int32)]


def decode_srgb(code: np.ndarray) -> np.ndarray:
    """8- or 16-bit sRGB code values -> linear light float32, through the lookup table."""
    return (_DECODE16 if code.dtype == np.uint16 else _DECODE8)[code]


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
        straight = np.zeros(layer.shape[:2] + (3,), np.float32)
        np.divide(layer[..., :3], alpha, out=straight, where=alpha > 1e-6)
        code = np.empty(layer.shape, np.uint16)
        code[..., :3] = encode_srgb16(straight[..., ::-1])
        code[..., 3] = np.round(alpha[..., 0] * 65535.0)
    else:
        code = encode_srgb16(layer[..., 2::-1])
    ok, buf = cv2.imencode(".png", code, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise OSError(f"could not encode {path.name} as PNG")
    return atomic_write_bytes(path, buf.tobytes())


def read_layer_png(path: Path) -> np.ndarray:
    """Load a layer file (PNG from `write_layer_png`, or EXR) as linear premultiplied float32 RGBA."""
    return read_layer(path)


def _read_png_layer(path: Path) -> np.ndarray:
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise FileNotFoundError(f"cannot read frame {path}")
    scale = 65535.0 if raw.dtype == np.uint16 else 255.0
    if raw.ndim == 2:
        raw = np.repeat(raw[..., None], 3, axis=2)
    out = np.empty(raw.shape[:2] + (4,), np.float32)
    out[..., :3] = decode_srgb(raw[..., 2::-1])
    if raw.shape[2] == 3:
        out[..., 3] = 1.0
        return out
    np.multiply(raw[..., 3], np.float32(1.0 / scale), out=out[..., 3], casting="unsafe")
    out[..., :3] *= out[..., 3:4]
    return out


_HALF_MAX = 65504.0
_REC709_CHROMATICITIES = (0.64, 0.33, 0.30, 0.60, 0.15, 0.06, 0.3127, 0.3290)


def write_layer_exr(path: Path, layer: np.ndarray, fps=None, compression: str = "rle") -> Path:
    """Save a linear Rec.709 layer ((H, W, 3) RGB or (H, W, 4) premultiplied RGBA) as half-float
    OpenEXR, atomically. Values above 1.0 (emissive light) are kept; beyond half's range they are
    clipped rather than becoming inf. The header carries Rec.709 chromaticities and, when given,
    framesPerSecond. RLE is the fast choice for working layers; "zip" suits deliverables."""
    import OpenEXR
    from fractions import Fraction

    layer = np.asarray(layer)
    if layer.ndim != 3 or layer.shape[2] not in (3, 4):
        raise ValueError(f"an EXR frame must be (H, W, 3) or (H, W, 4), got {layer.shape}")
    half = layer if layer.dtype == np.float16 else np.clip(layer, -_HALF_MAX, _HALF_MAX).astype(np.float16)
    channels = {"RGBA" if half.shape[2] == 4 else "RGB": np.ascontiguousarray(half)}
    codec = {"rle": OpenEXR.RLE_COMPRESSION, "zip": OpenEXR.ZIP_COMPRESSION}[compression]
    header = {"compression": codec, "type": OpenEXR.scanlineimage, "chromaticities": _REC709_CHROMATICITIES}
    if fps is not None:
        header["framesPerSecond"] = fps if isinstance(fps, Fraction) else Fraction(fps).limit_denominator(1001)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        with OpenEXR.File(header, channels) as exr:
            exr.write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_layer_exr(path: Path, as_stored: bool = False) -> np.ndarray:
    """Load an EXR layer as float32 RGBA (opaque alpha added to RGB files), or as stored (3 or 4
    channels) with `as_stored`."""
    import OpenEXR

    if not Path(path).is_file():
        raise FileNotFoundError(f"cannot read frame {path}")
    with OpenEXR.File(str(path)) as exr:
        channels = exr.channels()
        name = "RGBA" if "RGBA" in channels else "RGB" if "RGB" in channels else None
        if name is None:
            raise ValueError(f"{path} has no RGB(A) channels (found {sorted(channels)})")
        pixels = channels[name].pixels.astype(np.float32)
    if as_stored or pixels.shape[2] == 4:
        return pixels
    return np.concatenate([pixels, np.ones_like(pixels[..., :1])], axis=2)


def write_layer(path: Path, layer: np.ndarray) -> Path:
    """Save a layer in the format its suffix names (.exr or .png)."""
    return write_layer_exr(path, layer) if Path(path).suffix.lower() == ".exr" else write_layer_png(path, layer)


def read_layer(path: Path) -> np.ndarray:
    """Load a layer (.exr or .png) as linear premultiplied float32 RGBA."""
    return read_layer_exr(path) if Path(path).suffix.lower() == ".exr" else _read_png_layer(path)


def write_rgb8_png(path: Path, image_rgb8: np.ndarray) -> Path:
    """Save an 8-bit RGB picture (plot, storyboard, still) as PNG, atomically."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(image_rgb8), cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"could not encode {Path(path).name} as PNG")
    return atomic_write_bytes(path, buf.tobytes())


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


class FrameWriter:
    """Writes frames on worker threads so PNG deflate (which releases the GIL) overlaps the next
    frame's work. At most `depth` frames wait, so memory stays bounded; leaving the `with` block
    waits for every write and re-raises the first failure."""

    def __init__(self, workers: int = 2, depth: int = 4):
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="frame-writer")
        self._pending: list = []
        self._depth = depth

    def _submit(self, fn, *args) -> None:
        self._pending.append(self._pool.submit(fn, *args))
        while len(self._pending) > self._depth:
            self._pending.pop(0).result()

    def layer(self, path: Path, layer: np.ndarray) -> None:
        self._submit(write_layer, path, layer)

    def gray(self, path: Path, gray: np.ndarray, bits: int = 8) -> None:
        self._submit(write_gray_png, path, gray, bits)

    def __enter__(self) -> "FrameWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            for fut in self._pending:
                if exc_type is None:
                    fut.result()
                else:
                    fut.cancel()
        finally:
            self._pool.shutdown(wait=True)
