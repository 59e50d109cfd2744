"""A rigged shot asked to be drawn on twos (`raster_inbetweens: 1`): Anima renders the frames the rig
draws exactly as it renders them otherwise, and the frames between are Flux's raster in-betweens of
those renders (DIS flow here: no model is registered), close to what the rig would have drawn."""

from __future__ import annotations

from types import SimpleNamespace

import dagster as dg
import numpy as np
import pytest

STORY = """\
title: On Twos
id: twos
palette: sea-glass
fps: 12
resolution: [160, 90]
shots:
  - {id: wave, description: Talos waves at the sea., emotion: joy, duration: 1.0, characters: [talos],
     raster_inbetweens: 1}
"""


@pytest.fixture(scope="module")
def twos(tmp_path_factory, own_studio):
    with own_studio(tmp_path_factory, "twos") as root:
        (root / "twos.yaml").write_text(STORY)
        from talos_assets.definitions import SHOT_ASSETS, build_resources, defs
        from talos_assets.forge import check_story, forge_film
        from talos_assets.settings import studio_settings

        instance = dg.DagsterInstance.ephemeral()
        checked = check_story(root / "twos.yaml", studio_settings())
        forge_film(checked, instance=instance)
        resources = build_resources()
        yield SimpleNamespace(instance=instance, resources=resources, assets=list(defs.assets),
                              shot_keys=[a.key for a in SHOT_ASSETS], store=resources["studio"].store())


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    from talos_assets.agents.frames import linear_to_srgb

    err = np.mean((linear_to_srgb(a[..., :3]) - linear_to_srgb(b[..., :3])) ** 2)
    return float(10 * np.log10(1.0 / max(float(err), 1e-12)))


def _frames(store, shot) -> list[np.ndarray]:
    from talos_assets.agents.frames import read_layer
    from talos_assets.stores.studio import Layer

    return [read_layer(p) for p in store.frames(shot, Layer.render).paths()]


def test_a_shot_on_twos_renders_its_drawings_and_inbetweens_the_rest(twos):
    from talos_assets.agents.inbetweening.raster_shot import drawn_frames
    from talos_assets.partitions import shot_key

    plan = twos.store.read_plan("twos")
    shot = plan.shots[0]
    assert shot.raster_inbetweens == 1
    events = twos.instance.get_latest_materialization_event(dg.AssetKey("shot_render"))
    meta = events.asset_materialization.metadata
    drawn = drawn_frames(shot.total_frames, 1)
    assert meta["raster_inbetweens"].value == 1 and meta["drawn_frames"].value == len(drawn)
    assert meta["inbetweener"].value.startswith("DIS optical flow")
    on_twos = _frames(twos.store, shot)
    assert len(on_twos) == shot.total_frames

    # The same shot with every frame from the rig: only shot_render runs again, from the same layers.
    plan.shots[0] = shot.model_copy(update={"raster_inbetweens": 0})
    twos.store.write_plan(plan)
    result = dg.materialize(twos.assets, selection=[dg.AssetKey("shot_render")], partition_key=shot_key("twos", shot.slot),
                            instance=twos.instance, resources=twos.resources, raise_on_error=False)
    assert result.success
    on_ones = _frames(twos.store, shot)
    moving = 0
    for f in range(shot.total_frames):
        if f in drawn:
            assert np.array_equal(on_twos[f], on_ones[f]), f  # a drawn frame is the rig's own render
        else:
            assert not np.array_equal(on_twos[f], on_ones[f]), f  # in-betweened in pixels
            assert _psnr(on_twos[f], on_ones[f]) > 28.0, (f, _psnr(on_twos[f], on_ones[f]))
            # it is not a copy of a neighbour: it lies between them
            moving += _psnr(on_ones[f - 1], on_ones[f + 1]) < 60.0
            assert _psnr(on_twos[f], on_ones[f]) >= min(_psnr(on_ones[f - 1], on_ones[f]), _psnr(on_ones[f + 1], on_ones[f])) - 1.0
    assert moving >= 2  # Talos waves: there was motion to in-between
