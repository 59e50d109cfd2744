"""Anima: premultiplied compositing, virtual camera, bloom, display encoding."""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.frames import read_layer_exr, write_layer_exr
import pytest

from talos_assets.agents.frames import linear_to_srgb
from talos_assets.agents.render import (
    add_bloom,
    add_weather,
    apply_camera,
    composite,
    framed_layers,
    over,
    shot_layers,
    to_output_rgb8,
)
from talos_assets.spec import CameraKey

W, H = 160, 90


def random_layer(seed: int, opaque: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    alpha = np.ones((H, W, 1), np.float32) if opaque else rng.uniform(0, 1, (H, W, 1)).astype(np.float32)
    rgb = rng.uniform(0, 1, (H, W, 3)).astype(np.float32) * alpha  # premultiplied
    return np.concatenate([rgb, alpha], axis=2)


def smooth_image() -> np.ndarray:
    """An opaque image of low-frequency waves: bilinear resampling barely changes it."""
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    rgb = np.stack(
        [
            0.5 + 0.4 * np.sin(xs / 11.0) * np.cos(ys / 13.0),
            0.5 + 0.4 * np.cos(xs / 17.0 + ys / 19.0),
            0.5 + 0.4 * np.sin((xs - ys) / 23.0),
        ],
        axis=2,
    )
    return np.concatenate([rgb, np.ones((H, W, 1), np.float32)], axis=2).astype(np.float32)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def test_over_matches_premultiplied_formula():
    top, bottom = random_layer(1), random_layer(2)
    out = over(top, bottom)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, top + bottom * (1.0 - top[..., 3:4]), atol=1e-6)
    # Result stays a valid premultiplied layer.
    assert np.all(out[..., 3] <= 1.0 + 1e-6) and np.all(out[..., :3] <= out[..., 3:] + 1e-6)


def test_over_identities():
    layer = random_layer(3)
    clear = np.zeros_like(layer)
    np.testing.assert_array_equal(over(clear, layer), layer)
    np.testing.assert_array_equal(over(layer, clear), layer)
    opaque = random_layer(4, opaque=True)
    np.testing.assert_array_equal(over(opaque, layer), opaque)
    with pytest.raises(ValueError):
        over(layer, layer[:, :-1])


def test_composite_folds_bottom_to_top():
    a, b, c = random_layer(5, opaque=True), random_layer(6), random_layer(7)
    out = composite([a, b, c])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, over(c, over(b, a)), atol=1e-6)
    single = composite([a])
    np.testing.assert_array_equal(single, a)
    assert single is not a
    composite([a, b])
    np.testing.assert_array_equal(a, random_layer(5, opaque=True))  # inputs untouched
    with pytest.raises(ValueError):
        composite([])
    with pytest.raises(ValueError):
        composite([a, b[:-1]])


def test_shot_layers_put_back_effects_under_the_characters_and_weather_on_top():
    bg, back, shadow, char, front, rain = (random_layer(i) for i in range(10, 16))
    order = shot_layers(bg, shadow, char, effects_back=back, effects_front=front)
    assert [id(x) for x in order] == [id(x) for x in (bg, back, shadow, char, front)]
    assert [id(x) for x in shot_layers(bg, shadow, char)] == [id(bg), id(shadow), id(char)]
    # an opaque character hides what burns behind him
    body = np.zeros((H, W, 4), np.float32)
    body[20:70, 60:100] = [0.2, 0.2, 0.2, 1.0]
    fire = np.zeros((H, W, 4), np.float32)
    fire[30:60, 70:90] = [1.0, 0.5, 0.1, 1.0]
    opaque_bg = random_layer(3, opaque=True)
    none = np.zeros((H, W, 4), np.float32)
    hidden = composite(shot_layers(opaque_bg, none, body, effects_back=fire))
    shown = composite(shot_layers(opaque_bg, none, body, effects_front=fire))
    assert np.allclose(hidden[40, 80], body[40, 80]) and np.allclose(shown[40, 80], fire[40, 80])
    # the weather goes over everything; a flash (light without coverage) brightens what is beneath
    np.testing.assert_allclose(add_weather(shown, rain), over(rain, shown), atol=1e-6)
    assert add_weather(shown, None) is shown
    flash = np.zeros((H, W, 4), np.float32)
    flash[..., :3] = 0.3
    lit = add_weather(shown, flash)
    assert (lit[..., :3] > shown[..., :3]).all() and np.array_equal(lit[..., 3], shown[..., 3])


def test_apply_camera_identity_is_exact():
    layer = random_layer(8)
    out = apply_camera(layer, CameraKey(frame=0))
    np.testing.assert_array_equal(out, layer)
    assert out is not layer


def test_apply_camera_2x_zoom_is_centre_crop_upscaled():
    img = smooth_image()
    out = apply_camera(img, CameraKey(frame=0, zoom=2.0))
    crop = img[H // 4 : H // 4 + H // 2, W // 4 : W // 4 + W // 2]
    ref = cv2.resize(crop, (W, H), interpolation=cv2.INTER_LINEAR)
    assert psnr(out, ref) > 30.0
    np.testing.assert_allclose(out[..., 3], 1.0, atol=1e-6)


def test_apply_camera_moves_the_stage_point_to_the_centre():
    layer = np.zeros((H, W, 4), np.float32)
    layer[20:24, 30:34] = 1.0  # a white dot at (32, 22)
    cam = CameraKey(frame=0, center_x=32 / W, center_y=22 / H, zoom=1.0)
    out = apply_camera(layer, cam)
    ys, xs = np.nonzero(out[..., 3] > 0.5)
    assert abs(xs.mean() - (W / 2 - 0.5 + 0.0)) <= 1.0 and abs(ys.mean() - (H / 2 - 0.5)) <= 1.0


def test_apply_camera_roll_and_alpha():
    layer = random_layer(9)
    flipped = apply_camera(layer, CameraKey(frame=0, roll=180.0))
    np.testing.assert_allclose(flipped, layer[::-1, ::-1], atol=1e-5)  # 180 deg about the centre
    # Pulling out on a transparent layer leaves a transparent border ...
    small = apply_camera(layer, CameraKey(frame=0, zoom=0.5))
    assert np.all(small[:5] == 0.0) and np.all(small[:, :5] == 0.0)
    assert np.all(small[..., :3] <= small[..., 3:] + 1e-6)
    # ... while an opaque backdrop stays opaque (border replicated).
    bg = apply_camera(random_layer(10, opaque=True), CameraKey(frame=0, zoom=0.7, roll=12.0))
    np.testing.assert_allclose(bg[..., 3], 1.0, atol=1e-6)


def test_bloom_spreads_bright_pixels_only():
    img = np.zeros((H, W, 4), np.float32)
    img[..., 3] = 1.0
    img[..., :3] = 0.1
    img[40:44, 60:64, :3] = 1.0  # emissive spot
    out = add_bloom(img, threshold=0.5, strength=1.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[..., 3], img[..., 3])
    assert out[42, 70, 0] > img[42, 70, 0] + 0.005  # glow around the spot
    assert np.all(out[..., :3] >= img[..., :3] - 1e-6)
    assert np.abs(out[:, :20] - img[:, :20]).max() < 1e-3  # far away: untouched
    dark = img.copy()
    dark[40:44, 60:64, :3] = 0.2
    np.testing.assert_array_equal(add_bloom(dark, threshold=0.5, strength=1.0), dark)


def test_to_output_rgb8_encodes_srgb_over_black():
    layer = np.zeros((H, W, 4), np.float32)
    layer[..., :3] = 0.25
    layer[..., 3] = 0.5  # premultiplied: 50 % covered by straight 0.5 grey
    layer[0, 0] = [0.5, 0.5, 0.5, 1.0]
    out = to_output_rgb8(layer)
    assert out.dtype == np.uint8 and out.shape == (H, W, 3)
    assert out[0, 0, 0] == 188  # linear 0.5 -> sRGB 0.7354
    assert out[1, 1, 0] == int(np.round(linear_to_srgb(np.float32(0.25)) * 255))
    hot = layer.copy()
    hot[..., :3] = 3.0
    assert np.all(to_output_rgb8(hot) == 255)  # over-range light clips, never wraps


def test_linear_exr_keeps_emissive_light(tmp_path):
    """Bloomed fire above 1.0 survives the shot's frame file (a 16-bit sRGB PNG would clip it)."""
    img = random_layer(11)
    img[40:44, 60:64, :3] = 6.0  # emissive, premultiplied with alpha 1
    img[40:44, 60:64, 3] = 1.0
    img[0, 0, :3] = 1e6  # beyond half's range: clipped to the largest half, never inf
    bloomed = add_bloom(img, threshold=0.8, strength=0.5)
    path = write_layer_exr(tmp_path / "f_0000.exr", bloomed, fps=24)
    back = read_layer_exr(path)
    assert back.dtype == np.float32 and back.shape == (H, W, 4)
    assert np.isfinite(back).all() and back[0, 0, 0] == 65504.0
    np.testing.assert_allclose(back[1:], bloomed[1:], rtol=2**-11, atol=2**-24)
    assert back[..., :3].max() > 1.0
    rgb = write_layer_exr(tmp_path / "rgb.exr", bloomed[..., :3])
    assert read_layer_exr(rgb, as_stored=True).shape == (H, W, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f_0000.exr", "rgb.exr"]  # no temp files
    with pytest.raises(ValueError):
        write_layer_exr(tmp_path / "bad.exr", bloomed[..., 0])
    with pytest.raises(FileNotFoundError):
        read_layer_exr(tmp_path / "missing.exr")


def test_framed_layers_move_the_stage_layers_and_keep_the_drawn_ones():
    """The set and the effects are made on the stage and framed here; the characters and their shadow
    arrive drawn through the camera already, so they are composited as they are."""
    rng = np.random.default_rng(3)
    h, w = 36, 64
    background = np.concatenate([rng.random((h, w, 3), dtype=np.float32), np.ones((h, w, 1), np.float32)], axis=2)
    fx = np.zeros((h, w, 4), np.float32)
    fx[10:20, 30:40] = 0.5
    character = np.zeros((h, w, 4), np.float32)
    character[5:30, 5:15] = 1.0
    shadow = np.zeros((h, w, 4), np.float32)
    cam = CameraKey(frame=0, center_x=0.6, center_y=0.4, zoom=1.7)
    layers = framed_layers(background, shadow, character, cam, effects_front=fx)
    assert len(layers) == 4
    assert np.array_equal(layers[0], apply_camera(background, cam)) and not np.allclose(layers[0], background)
    assert layers[1] is shadow and layers[2] is character
    assert np.array_equal(layers[3], apply_camera(fx, cam))
