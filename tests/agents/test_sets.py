"""Aether's set library: the catalog and its errors, and the plates' measurable properties (time of
day, weather, determinism, size, the sun where the key light says it is)."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
import yaml

from talos_assets.agents.sets import (
    available_sets, interior_sets, load_set, paint_set, plate_key, set_rows, set_vocabulary, setting_sky, shot_setting,
)
from talos_assets.spec import Palette
from talos_assets.world_spec import Setting

W, H = 192, 108
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)
CONTRACT_SETS = ("hills studio shore ocean-cliff forest jungle meadow farm mountains snowy-peaks desert lake river "
                 "city-street rooftop village market castle ruins cave space room bedroom workshop kitchen hall garage "
                 "bar ship-deck library garden harbor").split()
CONTRACT_INTERIORS = {"studio", "cave", "room", "bedroom", "workshop", "kitchen", "hall", "garage", "bar", "library"}


@pytest.fixture(scope="module")
def palette() -> Palette:
    return Palette.from_hex_list("t", ["#2a1a12", "#e8b48a", "#5a3a2a", "#b8863b", "#ffb347", "#2e6f8e", "#f2a66b", "#5b4a6e"])


def plate(set_id: str, palette: Palette, w: int = W, h: int = H, seed: int = 0, **setting) -> np.ndarray:
    return paint_set(load_set(set_id), Setting(place=set_id, **setting), palette, w, h, seed=seed)


def lum(img: np.ndarray) -> np.ndarray:
    return img[..., :3] @ LUMA


def test_every_contract_set_loads_and_interiors_are_marked():
    assert set(CONTRACT_SETS) <= set(available_sets())
    for set_id in CONTRACT_SETS:
        spec = load_set(set_id)
        assert spec.id == set_id and spec.layers and 0.1 <= spec.horizon <= 0.95
    assert set(interior_sets()) == CONTRACT_INTERIORS
    rows = {r["id"]: r for r in set_rows()}
    assert rows["shore"]["interior"] is False and rows["bar"]["interior"] is True
    assert rows["shore"]["source"].endswith("shore.yaml") and rows["shore"]["words"] == []


@pytest.mark.parametrize("set_id", CONTRACT_SETS)
def test_plates_have_the_requested_size_and_are_deterministic(palette, set_id):
    a = plate(set_id, palette, 160, 90, seed=3, time_of_day="noon")
    assert a.shape == (90, 160, 4) and a.dtype == np.float32
    assert np.all(a[..., 3] == 1.0) and np.isfinite(a).all() and a.min() >= 0.0 and a.max() <= 1.0
    assert lum(a).std() > 0.02  # painted, not a flat fill
    np.testing.assert_array_equal(a, plate(set_id, palette, 160, 90, seed=3, time_of_day="noon"))


def test_the_seed_matters_and_odd_sizes_are_painted_natively(palette):
    a, b = plate("forest", palette, seed=1), plate("forest", palette, seed=2)
    assert np.abs(a - b).max() > 0.05
    odd = plate("village", palette, 333, 77)
    assert odd.shape == (77, 333, 4)


@pytest.mark.parametrize("set_id", ["hills", "shore", "city-street", "mountains", "room", "castle", "bar", "cave"])
def test_night_is_darker_than_dusk_darker_than_noon(palette, set_id):
    mean = {t: float(lum(plate(set_id, palette, time_of_day=t)).mean()) for t in ("noon", "dusk", "night")}
    assert mean["noon"] > mean["dusk"] > mean["night"]
    # outdoors night is a different world; a room keeps its lamps lit but is still clearly darker
    assert mean["night"] < (0.7 if load_set(set_id).interior else 0.5) * mean["noon"]


def test_colour_temperature_warm_dusk_cool_night(palette):
    def warmth(img):
        sky = img[: int(0.5 * H), :, :3].reshape(-1, 3).mean(0)
        return sky[0] / max(sky[2], 1e-6)
    dusk, noon, night = (warmth(plate("desert", palette, time_of_day=t)) for t in ("dusk", "noon", "night"))
    assert dusk > noon and night < 1.0 and dusk > 1.0


def _ground(img: np.ndarray, horizon: float) -> np.ndarray:
    return lum(img)[int((horizon + 0.08) * img.shape[0]):]


@pytest.mark.parametrize("set_id", ["meadow", "village", "forest"])
def test_snow_brightens_the_ground_and_rain_darkens_it(palette, set_id):
    h = load_set(set_id).horizon
    clear = _ground(plate(set_id, palette, time_of_day="noon"), h).mean()
    snow = _ground(plate(set_id, palette, time_of_day="noon", weather="snow"), h).mean()
    rain = _ground(plate(set_id, palette, time_of_day="noon", weather="rain"), h).mean()
    assert snow > 1.3 * clear
    assert rain < clear


@pytest.mark.parametrize("set_id", ["city-street", "mountains", "lake"])
def test_fog_lowers_contrast_more_with_distance(palette, set_id):
    spec = load_set(set_id)
    far = slice(int(0.3 * H), int(spec.horizon * H))  # the distance above the horizon
    near = slice(int(0.9 * H), H)  # the ground at the viewer's feet

    def contrast(x):  # relative contrast: fog's dimmer light alone does not count
        return x.std() / x.mean()
    clear = lum(plate(set_id, palette, time_of_day="noon"))
    fog = lum(plate(set_id, palette, time_of_day="noon", weather="fog"))
    far_ratio = contrast(fog[far]) / contrast(clear[far])
    near_ratio = contrast(fog[near]) / contrast(clear[near])
    assert far_ratio < 0.5 and far_ratio < 0.6 * near_ratio


def test_weather_adds_clouds_and_keeps_the_scenery_in_place(palette):
    clear = plate("meadow", palette, time_of_day="noon")
    cloudy = plate("meadow", palette, time_of_day="noon", weather="cloudy")
    sky = slice(0, int(0.4 * H))
    assert lum(cloudy)[sky].std() > 0 and np.abs(clear[sky] - cloudy[sky]).mean() > 0.02
    storm = plate("meadow", palette, time_of_day="noon", weather="storm")
    assert lum(storm)[sky].mean() < 0.6 * lum(clear)[sky].mean()


def test_stars_at_night_only_and_the_sun_where_the_sky_puts_it(palette):
    spec = load_set("desert")
    sky_rows = int(spec.horizon * H) - 2
    night = lum(plate("desert", palette, W * 2, H * 2, time_of_day="night"))[: sky_rows * 2]
    noon = lum(plate("desert", palette, W * 2, H * 2, time_of_day="noon"))[: sky_rows * 2]
    # stars: isolated bright points above their neighbourhood
    def points(x):
        local = cv2.blur(x, (7, 7))
        return int(((x - local > 0.01) & (x > 3.0 * local)).sum())
    assert points(night) > points(noon) + 5
    for tod in ("dawn", "noon", "dusk"):
        img = lum(plate("desert", palette, W * 2, H * 2, time_of_day=tod))[: sky_rows * 2]
        y, x = np.unravel_index(np.argmax(img), img.shape)
        sky = setting_sky(Setting(place="desert", time_of_day=tod))
        assert abs(x / (W * 2) - sky.x) < 0.06 and abs(y / (H * 2) - sky.y(spec.horizon)) < 0.08


def test_a_named_lamp_lights_its_side_of_the_room(palette):
    spec = load_set("bar")
    lamp = plate("bar", palette, time_of_day="night", light_sources=["lamp"])
    candle = plate("bar", palette, time_of_day="night", light_sources=["candle"])
    left, right = slice(0, W // 3), slice(2 * W // 3, W)
    wall = slice(0, int(spec.horizon * H))
    assert lum(lamp)[wall, left].mean() > 1.3 * lum(lamp)[wall, right].mean()  # the lamp stands left
    assert lum(candle)[wall, right].mean() > lum(candle)[wall, left].mean()  # the candle right of centre


def test_plate_key_hashes_everything_that_sets_the_pixels(palette):
    spec = load_set("shore")
    base = plate_key(spec, Setting(place="shore"), palette, 1280, 720, 0)
    assert re.match(r"^[a-z0-9][a-z0-9_.-]{0,63}$", base)
    assert base == plate_key(load_set("shore"), Setting(place="shore"), palette, 1280, 720, 0)
    other = palette.model_copy(update={"swatches": palette.swatches | {"sky": "#000000"}})
    changed = [
        plate_key(spec, Setting(place="shore"), other, 1280, 720, 0),
        plate_key(spec, Setting(place="shore", time_of_day="night"), palette, 1280, 720, 0),
        plate_key(spec, Setting(place="shore", weather="fog"), palette, 1280, 720, 0),
        plate_key(spec, Setting(place="shore"), palette, 1920, 1080, 0),
        plate_key(spec, Setting(place="shore"), palette, 1280, 720, 1),
        plate_key(spec.model_copy(update={"horizon": 0.5}), Setting(place="shore"), palette, 1280, 720, 0),
    ]
    assert len(set(changed) | {base}) == len(changed) + 1
    long_id = load_set("shore").model_copy(update={"id": "a" * 64})
    assert len(plate_key(long_id, Setting(place="shore"), palette, 3840, 2160, 0)) <= 64


def test_legacy_backgrounds_map_to_sets():
    assert shot_setting("night-sea", Setting()).place == "shore"
    assert shot_setting("night-sea", Setting()).time_of_day.value == "night"
    assert shot_setting("castle", Setting(place="castle")).place == "castle"


def _write(folder, name: str, data) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return str(path)


def test_user_sets_come_first_and_bring_their_words(tmp_path, palette):
    good = {"id": "moon-base", "description": "a base on the moon", "horizon": 0.7, "words": ["moon base", "lunar base"],
            "layers": [{"kind": "sky", "space": True}, {"kind": "stars", "always": True},
                       {"kind": "ground", "material": "rock"}]}
    _write(tmp_path, "moon-base", good)
    _write(tmp_path, "bar", {"horizon": 0.6, "interior": True, "layers": [{"kind": "wall"}, {"kind": "floor"}]})
    assert "moon-base" in available_sets([tmp_path])
    assert set_vocabulary([tmp_path])["moon-base"] == ["moon base", "lunar base"]
    assert set_vocabulary([tmp_path])["shore"] == []
    assert len(load_set("bar", [tmp_path]).layers) == 2  # the user's bar shadows the built-in one
    assert "bar" in interior_sets([tmp_path]) and "moon-base" not in interior_sets([tmp_path])
    img = paint_set(load_set("moon-base", [tmp_path]), Setting(place="moon-base"), palette, 64, 36)
    assert img.shape == (36, 64, 4)


@pytest.mark.parametrize("data, field", [
    ({"horizon": 0.6, "layers": [{"kind": "sky"}, {"kind": "ridge", "y": 0.5, "amp": -1}]}, "layers[1] (ridge).amp"),
    ({"horizon": 0.6, "layers": [{"kind": "volcano"}]}, "layers[0] (volcano).kind"),
    ({"horizon": 0.6, "layers": [{"kind": "sky", "colour": "#ffffff"}]}, "layers[0] (sky).colour"),
    ({"horizon": 2.0, "layers": [{"kind": "sky"}]}, "horizon"),
    ({"id": "other", "horizon": 0.6, "layers": [{"kind": "sky"}]}, "id"),
    ("horizon: [0.6\n", None),
    ("- just a list\n", None),
])
def test_a_broken_set_file_is_one_sentence_naming_file_and_field(tmp_path, data, field):
    path = _write(tmp_path, "broken", data)
    with pytest.raises(ValueError) as err:
        load_set("broken", [tmp_path])
    msg = str(err.value)
    assert path in msg and "\n" not in msg and msg.endswith(".")
    if field:
        assert f"'{field}'" in msg


def test_unknown_set_lists_the_available_ones():
    with pytest.raises(ValueError, match="unknown set 'moon-base'.*shore"):
        load_set("moon-base")
