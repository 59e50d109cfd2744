"""Echo's check of Chroma's fills: the share of filled pixels inside the figure that stay on the shot's
palette as Chroma's mood grade renders it (a deliberate look is not a drift), on sampled frames."""

from __future__ import annotations

import numpy as np

from talos_assets.agents.coloring import color_transfer_for_mood
from talos_assets.agents.evaluation.metrics import palette_adherence
from talos_assets.agents.frames import hex_to_linear, linear_to_srgb, read_layer, srgb_to_linear, to_display_rgb8
from talos_assets.agents.lighting import SHADOW_TINT, TONE_BASE, KeyLight
from talos_assets.spec import FrameSequence, ShotPlan


def graded_swatches(shot: ShotPlan, outline_blends: tuple[float, ...] = ()) -> list[tuple[float, float, float]]:
    """The palette as Chroma's mood grade renders it for this shot; with `outline_blends`, also each
    swatch under the outline colour at those ink coverages (the anti-aliased edge of a line over a
    fill, as `coloring.color_frame` lays it, graded the same way)."""
    linear = [hex_to_linear(c) for c in shot.palette.swatches.values()]
    line = hex_to_linear(shot.palette.swatches["line"]) if "line" in shot.palette.swatches else None
    if line is not None:
        linear += [fill * (1.0 - c) + line * c for fill in linear for c in outline_blends]
    swatch = np.stack(linear)[None]
    rgba = np.concatenate([swatch, np.ones_like(swatch[..., :1])], axis=2).astype(np.float32)
    graded = linear_to_srgb(color_transfer_for_mood(rgba, shot.valence, shot.arousal)[..., :3])[0]
    return [tuple(float(x) for x in c) for c in graded]


# Outline coverages whose blends count as on palette: a small frame's figure is mostly anti-aliased
# line edges (at 160x90 the fills alone read 0.47 in a joyful shot whose every pixel Chroma painted
# from the palette); 12 ΔE76 around each blend covers the coverages between them.
OUTLINE_BLENDS = (0.2, 0.4, 0.6, 0.8)


def lit_swatches(shot: ShotPlan, light: KeyLight, tones: tuple[float, ...] = (TONE_BASE,)) -> list[tuple[float, float, float]]:
    """The palette as Chroma grades it and Raygen lights it: each graded swatch under the key light at
    the given cel tones (Raygen's shading factor, `lighting.light_character`), sRGB in [0, 1].

    The base tone alone by default: every swatch in its shadow, base and highlight tones together
    spans so much of colour space that a film with red and blue swapped still read 81% on palette
    (measured on a workshop shot), where the base tone alone gives 54-58% against 91-95% as rendered.
    """
    graded = srgb_to_linear(np.asarray(graded_swatches(shot), dtype=np.float32))
    out = []
    for tone in tones:
        factor = light.ambient * SHADOW_TINT + (1.0 - light.ambient) * tone * light.rgb()
        out += [tuple(float(x) for x in c) for c in linear_to_srgb(np.clip(graded * factor, 0.0, 1.0))]
    return out


def chroma_palette_adherence(shot: ShotPlan, colored: FrameSequence, every: int = 6) -> float:
    """Mean palette adherence of Chroma's colored layers (every `every`-th frame), inside the figure."""
    graded = graded_swatches(shot, OUTLINE_BLENDS)
    scores = []
    for f in range(0, shot.frames, every):
        layer = read_layer(colored.path(f))
        alpha = layer[..., 3]
        straight = layer.copy()
        straight[..., :3] = np.where(alpha[..., None] > 1e-3, layer[..., :3] / np.maximum(alpha[..., None], 1e-3), 0)
        value = palette_adherence(to_display_rgb8(straight), shot.palette, mask=alpha > 0.99, extra_colors=graded)
        if np.isfinite(value):
            scores.append(value)
    return float(np.mean(scores)) if scores else float("nan")
