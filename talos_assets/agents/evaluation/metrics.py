"""Echo: measurable checks on rendered frames and the edit, and the revision requests they trigger.

Every score here is a plain, documented measurement, cheap enough to run on every film. Temporal
flicker is the median, over an 8x8 grid of blocks, of the absolute second temporal difference of
block-mean CIE L* (|L[t] - (L[t-1] + L[t+1]) / 2|) within a shot: block means low-pass the image, the
second difference ignores steady fades and exposure ramps, and the median over blocks ignores the
minority of blocks a moving character changes, so what remains is frame-to-frame brightness
pumping across the picture. Palette adherence is the fraction of pixels whose CIELAB colour lies
within a ΔE76 tolerance of the nearest palette swatch (or an extra allowed colour). Exposure stats
are mean luma and crushed-black / blown-white fractions. Beat sync is each cut's distance in
frames from the nearest beat. `revision_requests` turns failed thresholds into per-shot requests:
inpaint (flicker), tone (palette, exposure), re-time (cuts off the beat).
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from talos_assets.agents.frames import linear_to_srgb
from talos_assets.spec import Palette

# ---- colour helpers ---------------------------------------------------------------------------


def _srgb_float(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3+) frame -> float32 sRGB in [0, 1].

    uint8 (and uint16) input is sRGB-encoded code values; float input follows the studio's layer
    convention (frames.py): linear light, so it is encoded to sRGB first. Alpha, if any, is dropped
    (a premultiplied layer is thereby shown over black, like `to_display_rgb8`).
    """
    arr = np.asarray(frame)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"expected an (H, W, 3) or (H, W, 4) frame, got shape {arr.shape}")
    rgb = arr[..., :3]
    if rgb.dtype == np.uint8:
        return rgb.astype(np.float32) / 255.0
    if rgb.dtype == np.uint16:
        return rgb.astype(np.float32) / 65535.0
    return linear_to_srgb(rgb)


def _lab(srgb: np.ndarray) -> np.ndarray:
    # OpenCV's float path: sRGB in [0, 1] -> L* in [0, 100], a*, b* unscaled (D65).
    return cv2.cvtColor(np.ascontiguousarray(srgb, dtype=np.float32), cv2.COLOR_RGB2Lab)


def _hex_srgb(color: str | tuple[float, float, float]) -> np.ndarray:
    if isinstance(color, str):
        h = color.lstrip("#")
        if len(h) != 6:
            raise ValueError(f"'{color}' is not a #rrggbb colour")
        return np.array([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)], dtype=np.float32)
    rgb = np.asarray(color, dtype=np.float32)
    if rgb.shape != (3,):
        raise ValueError(f"an extra colour must be #rrggbb or an sRGB triple in [0, 1], got {color!r}")
    return rgb


# ---- temporal flicker -------------------------------------------------------------------------

FLICKER_GRID = 8


def _block_lightness(frame: np.ndarray, grid: int = FLICKER_GRID) -> np.ndarray:
    lightness = _lab(_srgb_float(frame))[..., 0]
    # INTER_AREA averages whole blocks: the low-pass that keeps texture and noise out of the signal.
    return cv2.resize(lightness, (grid, grid), interpolation=cv2.INTER_AREA).ravel()


def flicker_series(frames: Iterable[np.ndarray], cut_indices: set[int] | Iterable[int] = ()) -> np.ndarray:
    """Per-frame flicker (L* units) for plots; NaN where undefined.

    Frame t gets median_b |L_b[t] - (L_b[t-1] + L_b[t+1]) / 2| over the 8x8 blocks b, defined
    when t-1, t, t+1 belong to one shot. `cut_indices` holds the index of the first frame of each
    shot after the first, so a cut between frames i-1 and i never counts as flicker. Frames are
    consumed one at a time (any iterable, e.g. a generator reading files).
    """
    cuts = set(int(i) for i in cut_indices)
    values: list[float] = []
    window: list[np.ndarray] = []  # block lightness of up to the last three frames of this shot
    for t, frame in enumerate(frames):
        if t in cuts:
            window = []
        window.append(_block_lightness(frame))
        values.append(np.nan)
        if len(window) > 3:
            window.pop(0)
        if len(window) == 3:
            prev, mid, nxt = window
            values[t - 1] = float(np.median(np.abs(mid - 0.5 * (prev + nxt))))
    return np.asarray(values, dtype=np.float64)


def temporal_flicker(frames: Iterable[np.ndarray], cut_indices: set[int] | Iterable[int] = ()) -> float:
    """Mean of `flicker_series` over the frames where it is defined (0.0 when none is)."""
    series = flicker_series(frames, cut_indices)
    finite = series[np.isfinite(series)]
    return float(finite.mean()) if finite.size else 0.0


# ---- palette adherence ------------------------------------------------------------------------


def palette_adherence(
    frame_rgb8: np.ndarray,
    palette: Palette,
    mask: np.ndarray | None = None,
    tolerance_delta_e: float = 12.0,
    extra_colors: Iterable[str | tuple[float, float, float]] = (),
) -> float:
    """Fraction of (masked) pixels within ΔE76 `tolerance_delta_e` of a palette swatch.

    `extra_colors` (#rrggbb or sRGB triples in [0, 1]) are allowed too: shadow and highlight tones,
    a background plate's colours. Returns NaN when the mask selects no pixel.
    """
    srgb = _srgb_float(frame_rgb8)
    lab = _lab(srgb).reshape(-1, 3)
    if mask is not None:
        m = np.asarray(mask, dtype=bool)
        if m.shape != srgb.shape[:2]:
            raise ValueError(f"mask shape {m.shape} does not match the frame {srgb.shape[:2]}")
        lab = lab[m.ravel()]
    if lab.shape[0] == 0:
        return float("nan")
    swatches = [_hex_srgb(v) for v in palette.swatches.values()] + [_hex_srgb(c) for c in extra_colors]
    swatch_lab = _lab(np.stack(swatches)[None, :, :])[0]
    # One swatch at a time keeps memory at one float per pixel instead of pixels x swatches.
    nearest_sq = np.full(lab.shape[0], np.inf, dtype=np.float32)
    for s in swatch_lab:
        np.minimum(nearest_sq, ((lab - s) ** 2).sum(axis=1), out=nearest_sq)
    return float(np.mean(nearest_sq <= tolerance_delta_e**2))


# ---- exposure ---------------------------------------------------------------------------------


def exposure_stats(frame_rgb8: np.ndarray, black_level: int = 2, white_level: int = 253) -> dict[str, float]:
    """Mean luma and clipping of an 8-bit sRGB frame.

    mean_luma: Rec.709 luma of the code values, in [0, 1]. mean_lightness: mean CIE L* [0, 100].
    clipped_black: fraction of pixels whose every channel is <= `black_level` (crushed to black).
    clipped_white: fraction whose every channel is >= `white_level` (blown to white); a saturated
    pure colour such as (255, 0, 0) is not overexposure, so all three channels must clip.
    """
    srgb = _srgb_float(frame_rgb8)
    code = np.round(srgb * 255.0)
    luma = srgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    return {
        "mean_luma": float(luma.mean()),
        "mean_lightness": float(_lab(srgb)[..., 0].mean()),
        "clipped_black": float(np.mean(np.all(code <= black_level, axis=2))),
        "clipped_white": float(np.mean(np.all(code >= white_level, axis=2))),
    }


def score_frames(
    frames: Iterable[np.ndarray],
    palette: Palette,
    extra_colors: Iterable[str | tuple[float, float, float]] = (),
    tolerance_delta_e: float = 12.0,
    cut_indices: set[int] | Iterable[int] = (),
) -> dict[str, float]:
    """One pass over a shot's frames: flicker, mean palette adherence, mean exposure stats."""
    extra = list(extra_colors)
    cuts = set(int(i) for i in cut_indices)
    sums: dict[str, float] = {}
    count = 0

    def tap(stream: Iterable[np.ndarray]):
        nonlocal count
        for frame in stream:
            rgb8 = np.round(_srgb_float(frame) * 255.0).astype(np.uint8)
            sums["palette_adherence"] = sums.get("palette_adherence", 0.0) + palette_adherence(
                rgb8, palette, tolerance_delta_e=tolerance_delta_e, extra_colors=extra
            )
            for k, v in exposure_stats(rgb8).items():
                sums[k] = sums.get(k, 0.0) + v
            count += 1
            yield rgb8

    flicker = temporal_flicker(tap(frames), cuts)
    if count == 0:
        raise ValueError("score_frames got no frames")
    out = {k: v / count for k, v in sums.items()}
    out["flicker"] = flicker
    out["frames"] = float(count)
    return out
