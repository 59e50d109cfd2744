"""Chroma: line art + palette -> flat-coloured cel frames, plus a small mood grade.

Colouring is closed-region segmentation, the classic "bucket fill" of ink-and-paint departments done
for every region at once: pixels whose ink coverage is below a threshold are split into 4-connected
components (the outlines Axis draws are closed and 8-connected, so 4-connectivity never leaks
through a diagonal gap). Each component takes ONE flat colour, the palette swatch of the majority
label of the region-hint map inside it (a vote, so a hint map a pixel or two off the line art still
colours correctly); components whose majority is "background" stay transparent. Ink pixels have no
region of their own, so the fill is grown into them from the nearest non-ink pixel (a discrete
Voronoi fill via `cv2.distanceTransformWithLabels`), and only then is the palette "line" colour laid
over with the ink coverage as opacity: the anti-aliased line edge blends with the region colour
that sits under it instead of with black, which is what removes the dark/transparent halo. All
colours are linear light, premultiplied alpha, like every layer in the studio (see `frames`).
`color_transfer_for_mood` is a tiny linear-light grade driven by the shot's valence/arousal.
"""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.frames import hex_to_linear, linear_to_srgb
from talos_assets.spec import REGION_NAMES, Palette

# Rec.709 / sRGB luminance weights, valid for linear-light RGB.
LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def segment_regions(line: np.ndarray, ink_threshold: float = 0.5) -> np.ndarray:
    """Label the closed regions of a line drawing.

    `line` is ink coverage (H, W) in [0, 1]. Pixels with coverage >= `ink_threshold` are ink and get
    label 0; the remaining pixels are split into 4-connected components labelled 1..N (int32).
    The component touching the frame edge is an ordinary label: whether it is background is decided
    by the hint map in `color_frame`, not here.
    """
    line = np.asarray(line, dtype=np.float32)
    if line.ndim != 2:
        raise ValueError(f"line art must be (H, W), got shape {line.shape}")
    paper = (line < ink_threshold).astype(np.uint8)
    _, labels = cv2.connectedComponents(paper, connectivity=4, ltype=cv2.CV_32S)
    return labels


def region_majority(labels: np.ndarray, regions: np.ndarray, n_labels: int | None = None) -> np.ndarray:
    """Majority region-hint value for each label (index = label), via one joint histogram."""
    k = len(REGION_NAMES)
    n = int(labels.max()) + 1 if n_labels is None else n_labels
    hint = np.asarray(regions).astype(np.int64, copy=False)
    hint = np.where((hint >= 0) & (hint < k), hint, 0)  # unknown hint values count as background
    # One bincount over (label, hint) pairs is a label x hint vote table in a single pass.
    votes = np.bincount((labels.astype(np.int64) * k + hint).ravel(), minlength=n * k).reshape(n, k)
    return votes.argmax(axis=1)


def nearest_paper_index(ink: np.ndarray) -> np.ndarray:
    """For every pixel, the flat index of the nearest non-ink pixel (itself when it is not ink).

    `cv2.distanceTransformWithLabels` with DIST_LABEL_PIXEL numbers the zero (non-ink) pixels in
    raster order starting at 1 and labels every pixel with the number of its nearest zero pixel,
    so a lookup into the raster-ordered list of zero pixels gives their positions.
    """
    ink_u8 = ink.astype(np.uint8)
    paper_idx = np.flatnonzero(ink_u8.ravel() == 0)
    if paper_idx.size == 0:
        raise ValueError("line art is ink everywhere: there is no region to colour")
    _, vor = cv2.distanceTransformWithLabels(ink_u8, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    return paper_idx[vor.ravel() - 1].reshape(ink.shape)


def palette_table(palette: Palette) -> np.ndarray:
    """Linear RGB colour for each REGION_NAMES index (row 0, background, is black/unused)."""
    table = np.zeros((len(REGION_NAMES), 3), dtype=np.float32)
    for i, name in enumerate(REGION_NAMES):
        if i and name in palette.swatches:
            table[i] = hex_to_linear(palette.swatches[name])
    return table


def color_frame(line: np.ndarray, regions: np.ndarray, palette: Palette, ink_threshold: float = 0.5) -> np.ndarray:
    """Flat-colour one frame: (H, W, 4) float32, linear light, premultiplied alpha.

    Every closed region is one flat palette colour (majority hint vote); background-majority regions
    are transparent; ink takes the grown neighbour colour under the palette line colour at the ink
    coverage, so alpha = filled regions union ink coverage, anti-aliased on the outer outline.
    """
    line = np.clip(np.asarray(line, dtype=np.float32), 0.0, 1.0)
    regions = np.asarray(regions)
    if regions.shape != line.shape:
        raise ValueError(f"region hints {regions.shape} do not match line art {line.shape}")
    labels = segment_regions(line, ink_threshold)
    n = int(labels.max()) + 1
    owner = region_majority(labels, regions, n)
    owner[0] = 0  # label 0 is ink: it has no colour of its own, it borrows one below

    # Per-label premultiplied RGBA lookup table: one gather colours the whole frame.
    lut = np.zeros((n, 4), dtype=np.float32)
    lut[:, :3] = palette_table(palette)[owner]
    lut[:, 3] = (owner > 0).astype(np.float32)

    ink = labels == 0
    grown = labels
    if ink.any() and not ink.all():  # all-ink: nothing to grow from, the line colour covers it all
        # Grow region labels into the ink (nearest non-ink pixel) so the line blends with its own fill.
        grown = labels.copy()
        grown[ink] = labels.ravel()[nearest_paper_index(ink)[ink]]
    # (H, W, 4), premultiplied already (alpha is 0 or 1); np.take is ~10x faster than lut[grown].
    out = np.take(lut, grown, axis=0)

    # Lay the line colour over the fill with coverage as opacity (premultiplied "over"), only
    # where there is any coverage: most of a frame is untouched paper.
    line_rgba = np.ones(4, dtype=np.float32)
    line_rgba[:3] = hex_to_linear(palette.swatches["line"])
    touched = np.flatnonzero(line.ravel() > 0.0)
    cov = line.ravel()[touched][:, None]
    flat = out.reshape(-1, 4)
    flat[touched] = flat[touched] * (1.0 - cov) + cov * line_rgba
    return out


def color_transfer_for_mood(rgba: np.ndarray, valence: float, arousal: float) -> np.ndarray:
    """Grade a premultiplied linear RGBA layer for the shot's mood; alpha is unchanged.

    Direction (valence v, arousal a, both clipped to [-1, 1]):
      * temperature: red gain 1 + 0.08 v, blue gain 1 - 0.08 v -> positive valence warmer (R/B up),
        negative valence cooler (R/B down);
      * saturation: chroma around Rec.709 luminance scaled by 1 + 0.20 v + 0.10 a -> happy/excited
        shots more saturated, sad/calm ones more muted;
      * contrast: a power curve pivoting on 18 % grey, exponent 1 + 0.15 a -> high arousal punchier.
    Gains and the saturation lerp are linear in colour, so they act on premultiplied values directly;
    only the contrast curve needs straight (un-premultiplied) colour.
    v = a = 0 returns a valid layer unchanged.
    """
    rgba = np.asarray(rgba, dtype=np.float32)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"mood grading needs an (H, W, 4) layer, got {rgba.shape}")
    v = float(np.clip(valence, -1.0, 1.0))
    a = float(np.clip(arousal, -1.0, 1.0))

    # Temperature gains then saturation about luminance are both linear maps of RGB, so they fold
    # into one 4x4 colour matrix (alpha row = identity) applied in a single cv2.transform pass.
    gains = np.diag([1.0 + 0.08 * v, 1.0, 1.0 - 0.08 * v]).astype(np.float32)
    sat = 1.0 + 0.20 * v + 0.10 * a
    to_lum = np.tile(LUMA, (3, 1))  # every output channel gets the luminance
    m = np.eye(4, dtype=np.float32)
    m[:3, :3] = (sat * np.eye(3, dtype=np.float32) + (1.0 - sat) * to_lum) @ gains
    out = cv2.transform(np.ascontiguousarray(rgba), m)
    alpha = np.ascontiguousarray(out[..., 3])

    gamma = 1.0 + 0.15 * a
    if abs(gamma - 1.0) > 1e-6:
        # Contrast on straight colour s = c/α: 0.18·(s/0.18)^g·α = c^g · α^(1−g) · 0.18^(1−g), so one
        # power of the premultiplied layer (all four channels, contiguous, fast) and a per-pixel
        # scale α/α^g do it without ever dividing colour by a near-zero alpha.
        powed = cv2.pow(np.maximum(out, 1e-10), gamma)  # exact zeros hit a slow path in cv2.pow
        scale = alpha / np.maximum(powed[..., 3], 1e-12) * np.float32(0.18 ** (1.0 - gamma))
        out = powed * scale[..., None]
        out[..., 3] = alpha
    # Premultiplied colour stays within [0, alpha] (alpha itself is unchanged by both steps).
    np.minimum(out, alpha[..., None], out=out)
    np.maximum(out, 0.0, out=out)
    return out


def pull_to_palette(rgba: np.ndarray, palette: Palette, amount: float) -> np.ndarray:
    """Chroma's tone fix: every pixel's colour moved `amount` (0..1) of the way to its nearest
    palette swatch, nearest in CIELAB (perceptual distance) on the sRGB-encoded colour; alpha is
    unchanged. 0 returns the very same array (no revision, bit-identical frames)."""
    if amount <= 0.0:
        return rgba
    rgb = np.asarray(rgba, dtype=np.float32)[..., :3]
    alpha = np.asarray(rgba, dtype=np.float32)[..., 3:4] if rgba.shape[-1] == 4 else None
    straight = rgb / np.maximum(alpha, 1e-6) if alpha is not None else rgb
    srgb = np.clip(linear_to_srgb(np.clip(straight, 0.0, 1.0)), 0.0, 1.0)
    lab = cv2.cvtColor(np.ascontiguousarray(srgb), cv2.COLOR_RGB2Lab).reshape(-1, 3)
    swatches = np.stack([hex_to_linear(h) for h in palette.swatches.values()]).astype(np.float32)
    swatch_lab = cv2.cvtColor(np.clip(linear_to_srgb(swatches), 0, 1)[None], cv2.COLOR_RGB2Lab)[0]
    nearest = np.argmin(((lab[:, None, :] - swatch_lab[None]) ** 2).sum(axis=2), axis=1)
    target = swatches[nearest].reshape(straight.shape)
    pulled = straight + np.float32(min(1.0, amount)) * (target - straight)
    out = np.array(rgba, dtype=np.float32, copy=True)
    out[..., :3] = pulled * alpha if alpha is not None else pulled
    return out
