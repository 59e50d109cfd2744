"""A rigged shot in-betweened in pixels: the rig is drawn on twos (or threes, fours...), the way a
studio animates to save drawings, and the frames between the drawn ones are Flux's raster in-betweens
of the rendered frames (`raster`: Protoforge's registered in-betweener when one is @champion, else
DIS flow). A shot asks for it with `raster_inbetweens: n` (n frames between each pair of drawings).

Rendered frames are linear light and may pass 1.0 (bloom, fire), while the in-betweener works on
display sRGB in [0, 1], the encoding it was trained on (`protoforge.data.shot_frames`). So the part
of a frame up to 1.0 is in-betweened as display sRGB, and the light above 1.0 is carried along the
same DIS flow, unclipped: an emissive highlight keeps its HDR value in every in-between.
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.frames import linear_to_srgb, srgb_to_linear
from talos_assets.agents.inbetweening.flow import FlowPreset, dis_flows, warp_by
from talos_assets.agents.inbetweening.raster import inbetween_frames, inbetween_times

MAX_RASTER_INBETWEENS = 7  # drawn on eights at most: beyond, the motion between drawings is too large to guess


def drawn_frames(total: int, raster_inbetweens: int) -> list[int]:
    """The frames the rig draws when `raster_inbetweens` frames lie between drawings: every
    (n+1)-th from the first, and always the last, so no frame is extrapolated."""
    if total < 1:
        return []
    step = raster_inbetweens + 1
    frames = list(range(0, total, step))
    if frames[-1] != total - 1:
        frames.append(total - 1)
    return frames


def linear_inbetweens(a: np.ndarray, b: np.ndarray, n: int, model=None,
                      preset: FlowPreset = "medium") -> list[np.ndarray]:
    """`n` in-betweens of two rendered frames `a` and `b` (linear light, RGB or premultiplied RGBA,
    float), each float32 (H,W,4) linear RGBA: colour up to 1.0 through `inbetween_frames` on display
    sRGB, light above 1.0 warped along the DIS flow, alpha blended in time."""
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    if a.shape != b.shape:
        raise ValueError(f"The two rendered frames differ in shape ({a.shape} vs {b.shape}).")
    if n <= 0:
        return []
    rgb_a, rgb_b = a[..., :3], b[..., :3]
    shown_a, shown_b = linear_to_srgb(rgb_a), linear_to_srgb(rgb_b)  # clips to [0, 1]
    over_a, over_b = np.maximum(rgb_a - 1.0, 0.0), np.maximum(rgb_b - 1.0, 0.0)
    hdr = bool(over_a.any() or over_b.any())
    # one DIS flow serves the fallback's in-betweens and the light above 1.0
    flows = dis_flows(shown_a, shown_b, preset) if hdr or model is None else None
    middles = inbetween_frames(shown_a, shown_b, n, model=model, preset=preset, flows=flows)
    alpha_a = a[..., 3:4] if a.shape[-1] == 4 else np.ones_like(rgb_a[..., :1])
    alpha_b = b[..., 3:4] if b.shape[-1] == 4 else np.ones_like(rgb_b[..., :1])
    out = []
    for t, shown in zip(inbetween_times(n), middles):
        rgb = srgb_to_linear(shown)
        if hdr:
            rgb = rgb + (1.0 - t) * warp_by(over_a, flows[0], -t) + t * warp_by(over_b, flows[1], -(1.0 - t))
        alpha = (1.0 - t) * alpha_a + t * alpha_b
        out.append(np.concatenate([rgb, alpha], axis=-1).astype(np.float32))
    return out


__all__ = ["MAX_RASTER_INBETWEENS", "drawn_frames", "linear_inbetweens"]
