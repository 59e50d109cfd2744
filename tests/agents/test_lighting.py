"""Raygen: 2.5D cel lighting, cast shadows, key lights for emotions and for the set's sun, moon or lamp."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from talos_assets.agents.coloring import LUMA, color_frame
from talos_assets.agents.lighting import KeyLight, drop_shadow, light_character, light_for_emotion, light_for_setting
from talos_assets.agents.sets import load_set, setting_sky
from talos_assets.spec import Emotion, Palette
from talos_assets.world_spec import Setting

W, H = 160, 90
CX, CY, R = 80, 45, 30  # the test disc


@pytest.fixture
def palette() -> Palette:
    return Palette.from_hex_list(
        "test", ["#1c1410", "#f2c9a0", "#5a3a22", "#b07a4b", "#d9a441", "#3b6ea5", "#f0a868", "#4e5b3a"]
    )


def make_disc(palette: Palette) -> tuple[np.ndarray, np.ndarray]:
    """A coat-coloured disc with a closed anti-aliased outline: (coloured layer, line)."""
    line = np.zeros((H, W), np.uint8)
    regions = np.zeros((H, W), np.uint8)
    cv2.circle(regions, (CX, CY), R, 3, -1)
    cv2.circle(line, (CX * 16, CY * 16), R * 16, 255, 2, cv2.LINE_AA, 4)
    line_f = line.astype(np.float32) / 255.0
    return color_frame(line_f, regions, palette), line_f


def _fill_mask(line: np.ndarray, colored: np.ndarray) -> np.ndarray:
    return (line == 0.0) & (colored[..., 3] > 0.99)


def _lum(rgba: np.ndarray) -> np.ndarray:
    return rgba[..., :3] @ LUMA


def test_lit_side_brighter_than_far_side(palette):
    colored, line = make_disc(palette)
    fill = _fill_mask(line, colored)
    xs = np.arange(W)[None, :]
    right, left = fill & (xs > CX + 5), fill & (xs < CX - 5)
    from_right = light_character(colored, line, KeyLight(azimuth_deg=0, elevation_deg=30, rim_strength=0))
    from_left = light_character(colored, line, KeyLight(azimuth_deg=180, elevation_deg=30, rim_strength=0))
    assert _lum(from_right)[right].mean() > 1.5 * _lum(from_right)[left].mean()
    assert _lum(from_left)[left].mean() > 1.5 * _lum(from_left)[right].mean()
    for lit in (from_right, from_left):
        assert lit.dtype == np.float32 and lit.shape == colored.shape
        np.testing.assert_array_equal(lit[..., 3], colored[..., 3])  # alpha unchanged
        assert np.abs(lit - colored).max() > 0.05  # it did light something
        assert np.all(lit[..., :3] >= 0) and np.all(lit[..., :3] <= lit[..., 3:] + 1e-6)


def test_light_from_above_lights_the_top(palette):
    colored, line = make_disc(palette)
    fill = _fill_mask(line, colored)
    ys = np.arange(H)[:, None]
    lit = _lum(light_character(colored, line, KeyLight(azimuth_deg=90, elevation_deg=30, rim_strength=0)))
    assert lit[fill & (ys < CY - 5)].mean() > 1.5 * lit[fill & (ys > CY + 5)].mean()


def test_cel_tones_are_quantised_and_shadow_is_cool(palette):
    colored, line = make_disc(palette)
    fill = _fill_mask(line, colored)
    light = KeyLight(azimuth_deg=0, elevation_deg=30, color="#fff0d0", rim_strength=0, ambient=0.3)
    lit = light_character(colored, line, light)
    lum = _lum(lit)[fill]
    # Almost every fill pixel sits on one of at most three tones (shadow, base, highlight); only the
    # one-pixel anti-aliased transitions fall between.
    levels, counts = np.unique(np.round(lum, 3), return_counts=True)
    assert np.sort(counts)[::-1][:3].sum() >= 0.85 * fill.sum()
    assert len(levels) >= 2
    # The shadow tone is bluer than the lit tone (cool shadow colour multiplies in).
    dark = fill & (_lum(lit) <= np.percentile(lum, 20) + 1e-6)
    bright = fill & (_lum(lit) >= np.percentile(lum, 80) - 1e-6)
    ratio = lit[..., 2] / np.maximum(lit[..., 0], 1e-6)
    assert ratio[dark].mean() > 1.3 * ratio[bright].mean()


def test_ink_is_not_lit(palette):
    colored, line = make_disc(palette)
    lit = light_character(colored, line, KeyLight(azimuth_deg=0, elevation_deg=20))
    solid = line >= 0.999
    np.testing.assert_allclose(lit[solid], colored[solid], atol=1e-6)


def test_rim_light_on_the_side_away_from_the_light(palette):
    colored, line = make_disc(palette)
    key = dict(azimuth_deg=0, elevation_deg=10, ambient=0.3)
    with_rim = light_character(colored, line, KeyLight(rim_strength=1.5, **key))
    without = light_character(colored, line, KeyLight(rim_strength=0.0, **key))
    added = _lum(with_rim) - _lum(without)
    assert added.min() >= -1e-6 and added.sum() > 1.0
    xs = np.arange(W)[None, :].repeat(H, 0)
    centroid_x = float((added * xs).sum() / added.sum())
    assert centroid_x < CX - 0.5 * R  # light from the right -> rim on the left edge


def test_empty_layer_lights_to_itself(palette):
    empty = np.zeros((H, W, 4), np.float32)
    np.testing.assert_array_equal(light_character(empty, np.zeros((H, W), np.float32), KeyLight()), empty)


def _centroid(a: np.ndarray) -> tuple[float, float]:
    ys, xs = np.mgrid[0 : a.shape[0], 0 : a.shape[1]]
    return float((a * xs).sum() / a.sum()), float((a * ys).sum() / a.sum())


@pytest.mark.parametrize("azimuth, sign", [(0.0, -1), (30.0, -1), (180.0, 1), (150.0, 1)])
def test_drop_shadow_falls_away_from_the_light(palette, azimuth, sign):
    colored, _ = make_disc(palette)
    ground = (CY + R) / H
    shadow = drop_shadow(colored, KeyLight(azimuth_deg=azimuth, elevation_deg=25), ground_y=ground)
    assert shadow.dtype == np.float32 and shadow.shape == colored.shape
    a = shadow[..., 3]
    assert a.sum() > 10.0 and a.max() < 0.9  # soft and semi-transparent
    assert np.all(shadow[..., :3] <= a[..., None] * 0.05 + 1e-7)  # dark, premultiplied
    char_x, _ = _centroid(colored[..., 3])
    shadow_x, shadow_y = _centroid(a)
    assert sign * (shadow_x - char_x) > 5.0
    assert abs(shadow_y - ground * H) < 0.25 * H  # lies on the ground, near the contact line


def test_low_light_casts_longer_shadows(palette):
    colored, _ = make_disc(palette)
    ground = (CY + R) / H
    char_x, _ = _centroid(colored[..., 3])
    low = _centroid(drop_shadow(colored, KeyLight(azimuth_deg=0, elevation_deg=10), ground)[..., 3])[0]
    high = _centroid(drop_shadow(colored, KeyLight(azimuth_deg=0, elevation_deg=80), ground)[..., 3])[0]
    assert char_x - low > char_x - high


def test_light_for_emotion_is_valid_and_mood_coloured():
    lights = {e: light_for_emotion(e) for e in Emotion}
    for light in lights.values():
        assert isinstance(light, KeyLight)
        assert 0.0 <= light.elevation_deg <= 90.0 and light.intensity > 0
    warmth = lambda k: (lambda c: c[0] - c[2])(KeyLight.model_validate(k).rgb())  # noqa: E731
    assert warmth(lights[Emotion.joy]) > 0 > warmth(lights[Emotion.sadness])
    assert light_for_emotion("joy", 0.5, 1.0).intensity > light_for_emotion("joy", 0.5, -1.0).intensity
    with pytest.raises(ValueError):
        light_for_emotion("boredom")


def test_key_light_validates():
    with pytest.raises(ValidationError):
        KeyLight(elevation_deg=120)
    with pytest.raises(ValidationError):
        KeyLight(color="orange")
    assert KeyLight(color="a0b0c0").color == "#a0b0c0"


def _warmth(light: KeyLight) -> float:
    c = light.rgb()
    return float(c[0] - c[2])


def test_key_light_follows_the_sun_across_the_day():
    hills = load_set("hills")
    az = {t: light_for_setting(Setting(place="hills", time_of_day=t), hills).azimuth_deg
          for t in ("dawn", "noon", "dusk")}
    assert 120.0 < az["dawn"] < 180.0  # low, from the left
    assert 60.0 < az["noon"] < 120.0  # from above
    assert 0.0 < az["dusk"] < 60.0  # low, from the right
    # the same position the plate paints the sun at: the key points from the figure towards the disc
    for t, a in az.items():
        sky = setting_sky(Setting(place="hills", time_of_day=t))
        assert (math.cos(math.radians(a)) > 0) == (sky.x > 0.5)
        assert a == pytest.approx(sky.azimuth_deg(hills.horizon), abs=0.01)


def test_night_is_dark_and_cool_with_a_rim_dusk_is_warm():
    shore = load_set("shore")
    night = light_for_setting(Setting(place="shore", time_of_day="night"), shore)
    noon = light_for_setting(Setting(place="shore", time_of_day="noon"), shore)
    dusk = light_for_setting(Setting(place="shore", time_of_day="dusk"), shore)
    assert night.intensity < 0.7 * noon.intensity
    assert _warmth(night) < 0 < _warmth(dusk)
    assert night.rim_strength > noon.rim_strength
    storm = light_for_setting(Setting(place="shore", time_of_day="noon", weather="storm"), shore)
    assert storm.intensity < noon.intensity and storm.ambient > noon.ambient  # dull and flat


def test_interiors_are_lit_from_the_named_source_and_emotion_still_counts():
    room = load_set("room")
    lamp_left = light_for_setting(Setting(place="room", time_of_day="night", light_sources=["lamp"], interior=True), room)
    assert 90.0 < lamp_left.azimuth_deg < 270.0  # the lamp stands on the left
    assert _warmth(lamp_left) > 0
    window = light_for_setting(Setting(place="room", time_of_day="noon", interior=True), room)
    assert window.azimuth_deg < 90.0  # the window is right of centre
    joy = light_for_setting(Setting(place="room", light_sources=["lamp"]), room, "joy", 0.8, 1.0)
    calm = light_for_setting(Setting(place="room", light_sources=["lamp"]), room, "joy", 0.8, -1.0)
    assert joy.intensity > calm.intensity and joy.rim_strength > calm.rim_strength


def test_drop_shadow_falls_away_from_the_sun(palette):
    colored, _ = make_disc(palette)
    ground = (CY + R) / H
    char_x, _ = _centroid(colored[..., 3])
    hills = load_set("hills")
    for tod, sign in (("dawn", 1), ("dusk", -1)):
        light = light_for_setting(Setting(place="hills", time_of_day=tod), hills)
        shadow_x, _ = _centroid(drop_shadow(colored, light, ground)[..., 3])
        assert sign * (shadow_x - char_x) > 3.0


@pytest.mark.parametrize("center_y, zoom", [(0.55, 1.8), (0.45, 2.2)])  # feet in shot; feet cut off
def test_a_framed_figures_shadow_is_the_stage_shadow_seen_through_the_camera(center_y, zoom):
    """Flux draws a close-up through the camera, so Raygen casts its shadow in the frame: on the
    stage's ground as the camera sees it (not the framed silhouette's lowest row, which is the frame's
    edge once the feet are cut off), blurred as much more as the camera magnifies."""
    from talos_assets.agents.camera_framing import apply_camera, stage_to_frame_y
    from talos_assets.agents.lighting import ground_line
    from talos_assets.spec import CameraKey

    h, w = 180, 320
    stage = np.zeros((h, w, 4), np.float32)
    stage[60:130, 150:175] = 1.0  # a standing figure, its feet on row 129
    light = KeyLight(azimuth_deg=150, elevation_deg=25)
    cam = CameraKey(frame=0, center_x=0.5, center_y=center_y, zoom=zoom)
    ground = ground_line(stage[..., 3])
    truth = apply_camera(drop_shadow(stage, light, ground), cam)[..., 3]
    framed = apply_camera(stage, cam)
    cast = drop_shadow(framed, light, stage_to_frame_y(cam, ground, w, h), scale=zoom)[..., 3]
    assert np.abs(cast - truth).sum() < 0.2 * truth.sum()
    unscaled = drop_shadow(framed, light, stage_to_frame_y(cam, ground, w, h))[..., 3]
    assert np.abs(cast - truth).sum() < np.abs(unscaled - truth).sum()
