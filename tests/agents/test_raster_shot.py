"""A rigged shot drawn on twos with the frames between in-betweened in pixels: which frames the rig
draws, and in-betweens of linear-light renders that keep light above 1.0 and land the motion where
the true middle frame has it."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents.frames import srgb_to_linear
from talos_assets.agents.inbetweening.raster_shot import drawn_frames, linear_inbetweens

H, W = 64, 96


def lamp(cx: float, core: float = 3.0) -> np.ndarray:
    """A linear-light RGBA render: a glowing disc (its core at `core`, above 1.0 like a bloom) on a
    shaded ground, opaque."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32) + 0.5
    cover = np.clip(10.0 - np.hypot(xx - cx, yy - 32.0) + 0.5, 0.0, 1.0)[..., None]
    ground = srgb_to_linear(np.stack([0.1 + 0.3 * xx / W, 0.2 + 0.0 * yy, 0.4 - 0.2 * xx / W], axis=-1))
    rgb = ground * (1 - cover) + np.array([core, 0.8 * core, 0.3], np.float32) * cover
    return np.concatenate([rgb, np.ones((H, W, 1), np.float32)], axis=-1).astype(np.float32)


def centre_x(rgba: np.ndarray) -> float:
    weight = np.clip(rgba[..., 0] - 1.0, 0, None)  # only the glowing disc passes 1.0
    return float((weight * (np.arange(W) + 0.5)).sum() / weight.sum())


@pytest.mark.parametrize("total, n, expected", [
    (10, 1, [0, 2, 4, 6, 8, 9]),  # on twos; the last frame is always drawn, never extrapolated
    (9, 1, [0, 2, 4, 6, 8]),
    (10, 3, [0, 4, 8, 9]),
    (5, 0, [0, 1, 2, 3, 4]),  # every frame from the rig
    (1, 3, [0]),
])
def test_the_rig_draws_every_n_plus_first_frame_and_the_last(total, n, expected):
    assert drawn_frames(total, n) == expected


def test_inbetweens_of_a_render_keep_its_light_above_one_and_its_motion():
    a, b = lamp(30.0), lamp(46.0)
    truth = [lamp(34.0), lamp(38.0), lamp(42.0)]
    middles = linear_inbetweens(a, b, 3)
    assert len(middles) == 3 and all(m.shape == (H, W, 4) and m.dtype == np.float32 for m in middles)
    for got, true, x in zip(middles, truth, (34.0, 38.0, 42.0)):
        assert abs(centre_x(got) - x) < 1.0, (centre_x(got), x)
        # the glowing core keeps its HDR value (a clipped in-between would read 1.0 there)
        assert got[32, int(x), 0] > 2.5
        assert np.allclose(got[..., 3], 1.0)
        err = np.abs(got[..., :3] - true[..., :3])
        assert np.median(err) < 0.01 and err.mean() < 0.05
    # a linear blend would show two half-bright discs, not one at the middle: at x=22 only the
    # first disc glows, the true middle frame shows the ground
    blend = 0.5 * (a + b)
    assert np.abs(blend[32, 22, 0] - truth[1][32, 22, 0]) > 1.0 > 10 * np.abs(middles[1][32, 22, 0] - truth[1][32, 22, 0])


def test_a_render_without_light_above_one_is_in_betweened_as_the_display_frames_are():
    from talos_assets.agents.frames import linear_to_srgb
    from talos_assets.agents.inbetweening.raster import inbetween_frames

    a, b = lamp(30.0, core=0.9), lamp(46.0, core=0.9)
    got = linear_inbetweens(a, b, 1)[0]
    shown = inbetween_frames(linear_to_srgb(a[..., :3]), linear_to_srgb(b[..., :3]), 1)[0]
    assert np.allclose(got[..., :3], srgb_to_linear(shown), atol=1e-6)


def test_no_inbetweens_and_mismatched_frames():
    assert linear_inbetweens(lamp(30.0), lamp(40.0), 0) == []
    with pytest.raises(ValueError, match="differ in shape"):
        linear_inbetweens(lamp(30.0), lamp(40.0)[:32], 1)
