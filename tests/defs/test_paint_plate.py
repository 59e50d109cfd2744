"""Raygen's set plates in Aether: keyed by everything that determines the pixels, painted once."""

from __future__ import annotations

import numpy as np
import pytest

from resources.aether import AetherResource
from talos_assets.defs import paint
from talos_assets.spec import CameraMove, Emotion, Palette, ShotPlan, ShotSize
from talos_assets.world_spec import Setting

PALETTE = Palette.from_hex_list("p", ["#2a1a12", "#e8b48a", "#5a3a2a", "#b8863b", "#ffb347", "#2e6f8e", "#f2a66b", "#5b4a6e"])


def shot(film_id: str = "film", width: int = 96, height: int = 54, **setting) -> ShotPlan:
    place = setting.get("place", "shore")
    return ShotPlan(
        film_id=film_id, shot_id="s", slot="s001", index=0, description="they stand on the shore",
        emotion=Emotion.calm, valence=0.0, arousal=0.0, shot_size=ShotSize.wide, camera=CameraMove.static,
        duration=1.0, frames=12, handle_frames=0, fps=12, width=width, height=height, characters=[], effects=[],
        palette=PALETTE, background=place, setting=Setting(**({"place": place} | setting)),
    )


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = paint.sets.paint_set

    def paint_set(*args, **kwargs):
        calls.append(args[1].time_of_day)
        return real(*args, **kwargs)

    monkeypatch.setattr(paint.sets, "paint_set", paint_set)
    return calls


def test_a_second_call_reads_the_plate_from_aether(tmp_path, counted):
    aether = AetherResource(url=str(tmp_path / "aether"))
    first = paint.background_plate(aether, shot())
    again = paint.background_plate(aether, shot())
    assert len(counted) == 1  # painted once, then read back
    np.testing.assert_array_equal(first, again)
    assert first.shape == (54, 96, 4) and np.all(first[..., 3] == 1.0)


def test_palette_time_of_day_and_resolution_each_get_their_own_plate(tmp_path, counted):
    aether = AetherResource(url=str(tmp_path / "aether"))
    base = paint.background_plate(aether, shot())
    night = paint.background_plate(aether, shot(time_of_day="night"))
    bigger = paint.background_plate(aether, shot(width=128, height=72))
    recoloured = shot()
    recoloured = recoloured.model_copy(update={"palette": PALETTE.model_copy(update={"swatches": PALETTE.swatches | {"sky": "#1030a0"}})})
    other_palette = paint.background_plate(aether, recoloured)
    assert len(counted) == 4
    assert night[..., :3].mean() < base[..., :3].mean()
    assert bigger.shape == (72, 128, 4)
    assert np.abs(other_palette - base).max() > 0.01
    assert len(aether.vault().names("background")) == 4


def test_long_film_ids_keep_the_resolution_apart(tmp_path, counted):
    aether = AetherResource(url=str(tmp_path / "aether"))
    long_id = "a" * 64
    small = paint.background_plate(aether, shot(film_id=long_id, width=96, height=54))
    large = paint.background_plate(aether, shot(film_id=long_id, width=160, height=90))
    assert small.shape[:2] == (54, 96) and large.shape[:2] == (90, 160) and len(counted) == 2


def test_plans_from_before_the_set_library_still_render(tmp_path, counted):
    aether = AetherResource(url=str(tmp_path / "aether"))
    old = shot().model_copy(update={"background": "night-sea", "setting": Setting()})
    plate = paint.background_plate(aether, old)
    assert counted == ["night"] and plate.shape == (54, 96, 4)


def test_an_unknown_set_is_one_sentence(tmp_path):
    aether = AetherResource(url=str(tmp_path / "aether"))
    with pytest.raises(ValueError, match="unknown set 'moon-base'"):
        paint.background_plate(aether, shot(place="moon-base"))


def test_the_stored_png_is_the_shots_background_file(tmp_path):
    from talos_assets.agents.frames import atomic_write_bytes, read_layer

    aether = AetherResource(url=str(tmp_path / "aether"))
    path = atomic_write_bytes(tmp_path / "background.png", paint.background_plate_png(aether, shot(time_of_day="noon")))
    np.testing.assert_array_equal(read_layer(path), paint.background_plate(aether, shot(time_of_day="noon")))
