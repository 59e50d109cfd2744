"""Stokes' weather: rain falls (and moves between frames), snow is there, wind blows, a storm flashes;
all deterministic by seed, and a clear shot or an interior gets no rain."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from talos_assets.agents.effects.weather import WeatherLayer

W, H = 192, 108


def _frames(weather: str, n: int = 12, seed: int = 5, **kw) -> tuple[WeatherLayer, list[np.ndarray]]:
    layer = WeatherLayer(weather, W, H, n, 24, seed, **kw)
    return layer, [layer.frame(f) for f in range(n)]


def _shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """How far the pattern of a moved to become b (pixels, +y = down), by phase correlation."""
    win = cv2.createHanningWindow((W, H), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(a[..., 3].astype(np.float32), b[..., 3].astype(np.float32), win)
    return dx, dy


def test_rain_is_present_moving_and_falling_down_with_the_wind():
    layer, frames = _frames("rain")
    assert layer.kinds == ("rain",) and layer.active
    for f in frames:
        assert 0.02 < (f[..., 3] > 0.05).mean() < 0.5  # streaks, not a sheet
        assert (f[..., :3] <= f[..., 3:4] + 1e-6).all()
    assert not np.allclose(frames[3], frames[4])  # it moves frame to frame
    dx, dy = _shift(frames[3], frames[4])
    assert dy > 3.0  # falling, fast
    assert 0.0 < dx < dy  # slanted by the wind, but mostly down


def test_snow_is_present_and_drifts_slowly():
    layer, frames = _frames("snow")
    assert layer.kinds == ("snow",)
    assert (frames[0][..., 3] > 0.2).mean() > 0.01
    assert frames[0][..., :3].max() > 0.8  # white flakes
    dx, dy = _shift(frames[0], frames[6])
    assert 0.0 < dy < 12.0  # falling, slowly (a quarter of a second)


def test_wind_blows_sideways():
    layer, frames = _frames("wind")
    assert layer.kinds == ("wind",)
    dx, dy = _shift(frames[2], frames[3])
    assert dx > 1.0 and abs(dy) < dx


def test_storm_flashes_brighter_than_its_neighbours_and_is_seeded():
    layer, frames = _frames("storm", n=72)
    assert layer.kinds == ("rain", "lightning")
    flashes = layer.flash_frames
    assert 1 <= len(flashes) <= 4
    light = [float(f[..., :3].mean()) for f in frames]
    for s in flashes:
        around = [light[i] for i in (s - 2, s - 1, s + 5) if 0 <= i < len(light)]
        assert light[s] > max(around) + 0.1, (s, light[s], around)
    # the bolt: a bright thin line from the top of the frame down on the strike frame
    assert frames[flashes[0]][..., 3].max() > 0.8
    again, _ = _frames("storm", n=72)
    assert again.flash_frames == flashes
    assert WeatherLayer("storm", W, H, 72, 24, seed=99).flash_frames != flashes or len(flashes) == 1


def test_no_layer_for_clear_cloudy_fog_and_no_rain_indoors():
    for weather in ("clear", "cloudy", "fog"):
        assert not WeatherLayer(weather, W, H, 4, 24, 0).active
    inside, frames = _frames("storm", n=48, interior=True)
    assert inside.kinds == ("lightning",)
    quiet = [f for i, f in enumerate(frames) if inside.lightning.flash(i) == 0.0]
    assert all(not f.any() for f in quiet)  # no rain in the room, only the flashes through the windows
    assert not _frames("rain", interior=True)[0].active


def test_frames_are_drawn_in_order():
    layer = WeatherLayer("rain", W, H, 4, 24, 0)
    layer.frame(0)
    with pytest.raises(ValueError, match="in order"):
        layer.frame(2)


def test_a_clear_shot_without_effects_never_starts_warp():
    code = (
        "import sys\n"
        "from talos_assets.agents.effects.render import render_effect_passes\n"
        "from talos_assets.agents.effects.weather import WeatherLayer\n"
        "from talos_assets.spec import Palette, EffectKind, EffectSpec\n"
        "p = Palette.from_hex_list('t', ['#202020'])\n"
        "assert not WeatherLayer('clear', 64, 36, 3, 24, 0).active\n"
        "assert all(not x.front.any() for x in render_effect_passes([], p, 64, 36, 3, 24, 0))\n"
        "list(render_effect_passes([EffectSpec(kind=EffectKind.sparks)], p, 64, 36, 3, 24, 0))\n"
        "assert 'warp' not in sys.modules, 'warp was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
