"""Echo's palette check in CIEDE2000 on the delivered frames.

Colour difference follows CIE 2000 (Luo, Cui & Rigg 2001; implementation notes and test data in
Sharma, Wu & Dalal 2005), computed by colour-science's `colour.delta_E(..., method="CIE 2000")`,
the well-kept implementation the tests hold to Sharma's 34 published pairs. Frames are 8-bit sRGB
code values (what the viewer gets), decoded with the sRGB transfer function and taken to CIELAB
under D65 (CIE 1931 2°) by colour-science. A pixel adheres when its ΔE00 to the nearest swatch is
within the tolerance; adherence is the share of (masked) pixels that do.

Memory and time: a delivered frame has far fewer distinct colours than pixels (flat fills, shading
ramps), so ΔE00 is computed once per distinct colour, in chunks of `_CHUNK` colours against all
swatches, and mapped back to the pixels; a 1280x720 frame never holds pixels x swatches floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import colour
import cv2
import numpy as np

from talos_assets.agents.evaluation.findings import EchoFinding, severity_below

# ΔE00 ~2 is a difference a viewer notices side by side; the key light, shading and the mood grade
# legitimately move a fill by several units, a colour from outside the palette moves much further.
PALETTE_TOLERANCE_DE00 = 10.0
# Share of pixels on the palette under which a frame is off-look (the studio's existing gate is 0.6).
PALETTE_WARN_BELOW = 0.6
# Under this, most of the picture is foreign to the palette: the shot needs a re-tone, not a nudge.
PALETTE_ERROR_BELOW = 0.4
PaletteColour = str | tuple[float, float, float]  # '#rrggbb', or an sRGB triple in [0, 1]
_CHUNK = 16384  # distinct colours per ΔE00 batch: 16384 x swatches float64 stays a few MB


def palette_lab(colors: Iterable[PaletteColour]) -> np.ndarray:
    """Palette colours (#rrggbb, or sRGB triples in [0, 1] such as Chroma's graded swatches) -> (S, 3)
    CIELAB (D65)."""
    rgb = []
    for value in colors:
        if isinstance(value, str):
            h = value.lstrip("#")
            if len(h) != 6 or any(c not in "0123456789abcdefABCDEF" for c in h):
                raise ValueError(f"palette colour '{value}' is not #rrggbb: write each swatch as six hex digits")
            rgb.append([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])
        else:
            triple = [float(c) for c in value]
            if len(triple) != 3 or not all(0.0 <= c <= 1.0 for c in triple):
                raise ValueError(f"palette colour {value!r} is neither #rrggbb nor an sRGB triple in [0, 1]")
            rgb.append(triple)
    if not rgb:
        raise ValueError("the palette has no colours: give at least one #rrggbb swatch")
    return colour.XYZ_to_Lab(colour.sRGB_to_XYZ(np.asarray(rgb, dtype=np.float64)))


def srgb8_to_lab(rgb8: np.ndarray) -> np.ndarray:
    """(..., 3) 8-bit sRGB code values -> CIELAB (L* 0..100), D65 white, via colour-science."""
    rgb = np.asarray(rgb8, dtype=np.float64) / 255.0
    return colour.XYZ_to_Lab(colour.sRGB_to_XYZ(rgb))


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 between CIELAB arrays (broadcasting), colour-science's implementation."""
    return np.asarray(colour.delta_E(np.asarray(lab1, float), np.asarray(lab2, float), method="CIE 2000"))


def nearest_swatch_de2000(lab: np.ndarray, swatch_lab: np.ndarray) -> np.ndarray:
    """(N, 3) colours -> (N,) ΔE00 to the nearest of the (S, 3) swatches, in chunks of colours."""
    out = np.empty(lab.shape[0], dtype=np.float64)
    for i in range(0, lab.shape[0], _CHUNK):
        block = lab[i : i + _CHUNK, None, :]
        out[i : i + _CHUNK] = delta_e2000(block, swatch_lab[None, :, :]).min(axis=1)
    return out


def _rgb8(frame: np.ndarray) -> np.ndarray:
    arr = np.asarray(frame)
    if arr.ndim != 3 or arr.shape[2] < 3 or arr.dtype != np.uint8:
        raise ValueError(f"expected a delivered (H, W, 3) uint8 sRGB frame, got {arr.dtype} {arr.shape}")
    return arr[..., :3]


def off_palette_map(frame_rgb8: np.ndarray, swatch_lab: np.ndarray, tolerance: float = PALETTE_TOLERANCE_DE00
                    ) -> np.ndarray:
    """(H, W) bool: pixels farther than `tolerance` ΔE00 from every swatch (swatches as CIELAB)."""
    rgb = _rgb8(frame_rgb8)
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    # One ΔE00 per distinct colour, mapped back to the pixels through the inverse index.
    codes, inverse = np.unique(packed.ravel(), return_inverse=True)
    distinct = np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)
    far = nearest_swatch_de2000(srgb8_to_lab(distinct), swatch_lab) > tolerance
    return far[inverse].reshape(rgb.shape[:2])


def palette_adherence_de2000(frame_rgb8: np.ndarray, palette_hexes: Sequence[PaletteColour],
                             mask: np.ndarray | None = None, tolerance: float = PALETTE_TOLERANCE_DE00) -> float:
    """Share of (masked) pixels within `tolerance` ΔE00 of a palette colour; NaN for an empty mask."""
    off = off_palette_map(frame_rgb8, palette_lab(palette_hexes), tolerance)
    if mask is not None:
        m = np.asarray(mask, dtype=bool)
        if m.shape != off.shape:
            raise ValueError(f"mask shape {m.shape} does not match the frame {off.shape}: give one bool per pixel")
        off = off[m]
    return float(1.0 - off.mean()) if off.size else float("nan")


def largest_region(off: np.ndarray) -> tuple[float, float, float, float] | None:
    """Box (x0, y0, x1, y1, fractions) of the largest connected patch of True in `off`; None if none."""
    m = np.asarray(off, dtype=np.uint8)
    if not m.any():
        return None
    # Closing joins a patch broken by ink lines or anti-aliased edges into the one region it is.
    k = max(3, int(round(min(m.shape) / 90)) | 1)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = (int(v) for v in stats[best, :4])  # left, top, width, height
    H, W = m.shape
    return (x / W, y / H, (x + w) / W, (y + h) / H)


def palette_finding(frames: Iterable[np.ndarray], palette_hexes: Sequence[PaletteColour],
                    masks: Iterable[np.ndarray | None] | None = None, tolerance: float = PALETTE_TOLERANCE_DE00,
                    warn_below: float = PALETTE_WARN_BELOW, error_below: float = PALETTE_ERROR_BELOW) -> EchoFinding:
    """Per-shot palette check: mean adherence over the frames, the frames under `warn_below`, and
    the box of the largest region off the palette in more than half of those frames."""
    swatch_lab = palette_lab(palette_hexes)
    mask_iter = iter(masks) if masks is not None else None
    values: list[float] = []
    failing: list[int] = []
    off_sum: np.ndarray | None = None
    for f, frame in enumerate(frames):
        off = off_palette_map(frame, swatch_lab, tolerance)
        mask = next(mask_iter, None) if mask_iter is not None else None
        m = None if mask is None else np.asarray(mask, dtype=bool)
        if m is not None and m.shape != off.shape:
            raise ValueError(f"mask {f} has shape {m.shape}, frame {f} is {off.shape}: give one bool per pixel")
        inside = off if m is None else off & m
        n = off.size if m is None else int(m.sum())
        if n == 0:
            continue
        value = 1.0 - float(inside.sum()) / n
        values.append(value)
        if value < warn_below:
            failing.append(f)
            off_sum = inside.astype(np.float32) if off_sum is None else off_sum + inside
    if not values:
        raise ValueError("palette_finding got no frames with pixels to judge: pass the shot's delivered frames")
    mean = float(np.mean(values))
    region = largest_region(off_sum > 0.5 * len(failing)) if off_sum is not None else None
    sev = severity_below(mean, warn_below, error_below)
    if sev == "ok" and failing:
        sev = "warn"  # the shot holds the look on average, but some frames leave it
    detail = (f"{mean:.0%} of pixels within ΔE00 {tolerance:g} of the palette (limit {warn_below:.0%}); "
              f"{len(failing)} of {len(values)} frames under it")
    return EchoFinding(check="palette_de2000", value=mean, limit=warn_below, unit="fraction of pixels",
                       severity=sev, frames=failing, region=region, detail=detail)
