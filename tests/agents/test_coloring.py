"""Chroma: closed-region segmentation, flat palette fill, anti-aliased ink, mood grading."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from talos_assets.agents.coloring import LUMA, color_frame, color_transfer_for_mood, segment_regions
from talos_assets.agents.frames import hex_to_linear
from talos_assets.spec import REGION_NAMES, Palette

W, H = 160, 90
SHIFT = 4  # cv2 sub-pixel bits: coordinates are in 1/16 px so small shapes stay round


@pytest.fixture
def palette() -> Palette:
    return Palette.from_hex_list(
        "test", ["#1c1410", "#f2c9a0", "#5a3a22", "#8c5a2b", "#d9a441", "#3b6ea5", "#f0a868", "#4e5b3a"]
    )


def _ellipse(img: np.ndarray, c: tuple[float, float], ax: tuple[float, float], value: int, thickness: int) -> None:
    s = 1 << SHIFT
    cv2.ellipse(
        img,
        (round(c[0] * W * s), round(c[1] * H * s)),
        (round(ax[0] * W * s), round(ax[1] * H * s)),
        0, 0, 360, value, thickness, cv2.LINE_AA if thickness > 0 else cv2.LINE_8, SHIFT,
    )


# Body parts (centre, axes as frame fractions, REGION_NAMES index). Hair overlaps the head, so the
# line art has overlap regions whose hint majority decides their colour.
PARTS = [
    ((0.50, 0.70), (0.14, 0.24), REGION_NAMES.index("coat")),
    ((0.50, 0.36), (0.10, 0.18), REGION_NAMES.index("skin")),
    ((0.50, 0.22), (0.11, 0.08), REGION_NAMES.index("hair")),
    ((0.46, 0.38), (0.025, 0.05), REGION_NAMES.index("eye")),
    ((0.50, 0.62), (0.035, 0.06), REGION_NAMES.index("accent")),
]


def make_character() -> tuple[np.ndarray, np.ndarray]:
    """Axis-like input: anti-aliased closed outlines (float coverage) + a filled region-hint map."""
    line = np.zeros((H, W), np.uint8)
    regions = np.zeros((H, W), np.uint8)
    for c, ax, reg in PARTS:
        _ellipse(regions, c, ax, reg, -1)
    for c, ax, _ in PARTS:
        _ellipse(line, c, ax, 255, 2)
    return line.astype(np.float32) / 255.0, regions


def test_segment_single_outline_gives_inside_and_outside():
    line = np.zeros((H, W), np.uint8)
    _ellipse(line, (0.5, 0.5), (0.2, 0.3), 255, 2)
    labels = segment_regions(line.astype(np.float32) / 255.0)
    assert labels.dtype == np.int32 and labels.shape == (H, W)
    assert set(np.unique(labels)) == {0, 1, 2}
    assert labels[H // 2, W // 2] != labels[0, 0]  # inside and outside are different regions
    assert np.all(labels[line >= 128] == 0)


def test_segment_uses_4_connectivity():
    # A 1-px 8-connected diagonal staircase: 4-connected paper cannot cross it, 8-connected could.
    line = np.zeros((H, W), np.float32)
    cv2.line(line, (0, 0), (H - 1, H - 1), 1.0, 1, cv2.LINE_8)
    cv2.line(line, (H - 1, H - 1), (W - 1, H - 1), 1.0, 1, cv2.LINE_8)
    labels = segment_regions(line)
    assert len(np.unique(labels[labels > 0])) == 2


def test_every_closed_region_is_one_palette_colour(palette):
    line, regions = make_character()
    out = color_frame(line, regions, palette)
    assert out.dtype == np.float32 and out.shape == (H, W, 4)
    labels = segment_regions(line)
    clean = line == 0.0  # untouched by any ink, not even anti-aliasing
    swatches = {i: hex_to_linear(palette.swatches[n]) for i, n in enumerate(REGION_NAMES) if i}
    coloured = set()
    for lab in np.unique(labels[labels > 0]):
        inside = (labels == lab) & clean
        if not inside.any():
            continue
        majority = np.bincount(regions[labels == lab], minlength=len(REGION_NAMES)).argmax()
        px = out[inside]
        if majority == 0:
            assert np.all(px == 0.0), "background-majority region must be transparent"
        else:
            np.testing.assert_allclose(px[:, :3], np.broadcast_to(swatches[majority], px[:, :3].shape), atol=1e-6)
            assert np.all(px[:, 3] == 1.0)
            coloured.add(int(majority))
    assert coloured == {1, 2, 3, 4, 5}  # every body-part role appears in the frame
    # The head centre is skin, the outside corner is transparent.
    np.testing.assert_allclose(out[int(0.33 * H), int(0.55 * W), :3], swatches[1], atol=1e-6)
    assert np.all(out[0, 0] == 0.0)


def test_majority_vote_tolerates_misregistered_hints(palette):
    line, regions = make_character()
    shifted = np.roll(regions, (1, -1), axis=(0, 1))  # hint map a pixel off the line art
    np.testing.assert_array_equal(color_frame(line, regions, palette), color_frame(line, shifted, palette))


def test_ink_is_line_colour_without_halo(palette):
    line, regions = make_character()
    out = color_frame(line, regions, palette)
    ink_col = hex_to_linear(palette.swatches["line"])
    solid = line >= 0.98
    assert solid.sum() > 50
    assert np.abs(out[solid][:, :3] - ink_col).max() < 0.02
    # The eye outline lies wholly inside the head: every pixel on and around it is opaque (no
    # transparent or dark fringe), and its soft edge mixes line colour with a real fill colour.
    eye_zone = np.zeros((H, W), np.uint8)
    (c, ax, _) = PARTS[3]
    _ellipse(eye_zone, c, (ax[0] + 0.012, ax[1] + 0.025), 1, -1)
    zone = eye_zone.astype(bool)
    np.testing.assert_allclose(out[zone][:, 3], 1.0, atol=1e-6)
    edge = zone & (line > 0.1) & (line < 0.9)
    assert edge.any()
    cov = line[edge][:, None]
    fill_part = out[edge][:, :3] - cov * ink_col
    darkest_fill = min(hex_to_linear(palette.swatches["skin"]).min(), hex_to_linear(palette.swatches["eye"]).min())
    assert np.all(fill_part >= (1.0 - cov) * darkest_fill - 1e-5)


def test_alpha_is_character_coverage(palette):
    line, regions = make_character()
    out = color_frame(line, regions, palette)
    alpha = out[..., 3]
    labels = segment_regions(line)
    majority = np.zeros(labels.max() + 1, np.int64)
    for lab in range(1, labels.max() + 1):
        majority[lab] = np.bincount(regions[labels == lab], minlength=len(REGION_NAMES)).argmax()
    filled = (labels > 0) & (majority[labels] > 0)
    outside = (labels > 0) & (majority[labels] == 0)
    np.testing.assert_allclose(alpha[filled], 1.0, atol=1e-6)
    np.testing.assert_allclose(alpha[outside], line[outside], atol=1e-6)  # anti-aliased outer edge
    ink = labels == 0
    assert np.all(alpha[ink] >= line[ink] - 1e-6)
    # Premultiplied: colour never exceeds alpha.
    assert np.all(out[..., :3] <= alpha[..., None] + 1e-6)


def test_color_frame_rejects_mismatched_inputs(palette):
    line, regions = make_character()
    with pytest.raises(ValueError):
        color_frame(line, regions[:-1], palette)


def _rb_ratio(rgba: np.ndarray) -> float:
    m = rgba[..., 3] > 0.99
    return float(rgba[m][:, 0].mean() / rgba[m][:, 2].mean())


def _chroma(rgba: np.ndarray) -> float:
    m = rgba[..., 3] > 0.99
    rgb = rgba[m][:, :3]
    return float((rgb.max(axis=1) - rgb.min(axis=1)).mean())


def test_mood_grading_direction(palette):
    line, regions = make_character()
    base = color_frame(line, regions, palette)
    warm = color_transfer_for_mood(base, valence=0.8, arousal=0.3)
    cool = color_transfer_for_mood(base, valence=-0.8, arousal=-0.3)
    assert _rb_ratio(warm) > _rb_ratio(base) * 1.05  # positive valence: warmer
    assert _rb_ratio(cool) < _rb_ratio(base) / 1.05  # negative valence: cooler
    assert _chroma(warm) > _chroma(base) > _chroma(cool)  # and more / less saturated
    for graded in (warm, cool):
        assert graded.dtype == np.float32
        np.testing.assert_array_equal(graded[..., 3], base[..., 3])
        assert np.all(graded[..., :3] >= 0.0) and np.all(graded[..., :3] <= graded[..., 3:] + 1e-6)
    np.testing.assert_allclose(color_transfer_for_mood(base, 0.0, 0.0), base, atol=1e-6)


def test_mood_arousal_raises_contrast(palette):
    line, regions = make_character()
    base = color_frame(line, regions, palette)
    lum = lambda x: x[..., :3] @ LUMA  # noqa: E731
    m = base[..., 3] > 0.99
    punchy = color_transfer_for_mood(base, 0.0, 1.0)
    # Contrast pivots on 18 % grey: relative spread of luminance grows with arousal.
    spread = lambda x: float(np.std(np.log(lum(x)[m] + 1e-4)))  # noqa: E731
    assert spread(punchy) > spread(base)
