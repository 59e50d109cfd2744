"""Dailies: the schedule asks for the changed shots only, the sensor publishes once the day's renders
finished, and the contact sheet is a real image with one row of the shot's frames per shot."""

from __future__ import annotations

import datetime as dt

import cv2
import dagster as dg
import numpy as np
import pytest

from talos_assets.defs import dailies
from talos_assets.defs.automation import DAILIES_TAG
from talos_assets.partitions import shot_key
from talos_assets.stores.ichor import IchorVault

TODAY = dt.date.today().isoformat()
PAD, HEAD = 16, 48  # compose_storyboard_sheet's layout


def _publish(film, day: str, slots: list[str]):
    config = {"ops": {"dailies_contact_sheet": {"config": {"day": day, "slots": slots}}}}
    result = dg.materialize(film.assets, selection=[dailies.dailies_contact_sheet.key], partition_key=film.film_id,
                            instance=film.instance, resources=film.resources, run_config=config, raise_on_error=False)
    assert result.success
    return film.resources["studio"].store().delivery(film.film_id).folder / f"{film.film_id}_dailies_{day}.png"


def _schedule(film) -> list[str]:
    """The slots tonight's dailies would render (an empty list when it skips)."""
    # `with`: the context opens its own instance from the ref and must close it (it sets Dagster's
    # current defs-state storage, which would otherwise point at a collected instance afterwards)
    with dg.build_schedule_context(instance=film.instance, scheduled_execution_time=dt.datetime.now(dt.timezone.utc),
                                   resources={"studio": film.resources["studio"], "ichor": film.resources["ichor"]}) as context:
        out = dailies.dailies(context)
    if isinstance(out, dg.SkipReason):
        return []
    assert all(r.tags[DAILIES_TAG] == TODAY and r.run_key.endswith(TODAY) for r in out)
    ours = [r for r in out if r.tags[dailies.DAILIES_FILM_TAG] == film.film_id]
    # the film's shots are rendered as its preview film's: the film's own frames stay as they are
    assert all(r.partition_key.keys_by_dimension["film"] == dailies.preview_film_id(film.film_id) for r in ours)
    return [r.partition_key.keys_by_dimension["shot"] for r in ours]


def _render_preview(film, slot: str):
    """What a dailies render run does: the shot's whole chain, as the preview film's shot."""
    from talos_assets.definitions import SHOT_ASSETS

    store = film.resources["studio"].store()
    preview = dailies.prepare_previews(film.instance, store, store.read_plan(film.film_id), film.root / "home")
    done = dg.materialize(film.assets, selection=[a.key for a in SHOT_ASSETS], partition_key=shot_key(preview.film_id, slot),
                          instance=film.instance, resources=film.resources,
                          tags={DAILIES_TAG: TODAY, dailies.DAILIES_FILM_TAG: film.film_id})
    assert done.success
    return preview


def _thumbs(sheet: np.ndarray, rows: int) -> list[list[np.ndarray]]:
    tw, th = dailies.thumbnail_size(160, 90)
    return [[sheet[HEAD + PAD + r * (th + PAD):HEAD + PAD + r * (th + PAD) + th, PAD + c * (tw + PAD):PAD + c * (tw + PAD) + tw]
             for c in range(dailies.FRAMES_PER_SHOT)] for r in range(rows)]


def test_contact_sheet_has_one_row_of_real_frames_per_shot(service_film):
    path = _publish(service_film, "2026-11-01", [])
    sheet = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    tw, th = dailies.thumbnail_size(160, 90)
    assert (tw, th) == (80, 45)  # a quarter of 160x90 is below the 80-pixel floor
    assert sheet.shape[:2] == (HEAD + 2 * (th + PAD) + PAD, dailies.FRAMES_PER_SHOT * (tw + PAD) + PAD)
    rows = _thumbs(sheet, 2)
    for row in rows:
        for thumb in row:
            assert thumb.std() > 8 and np.abs(thumb.astype(float) - 255).mean() > 20  # a picture, not the white page
    # each row is its own shot: Talos's frames are not Mira's
    assert np.abs(rows[0][2].astype(float) - rows[1][2].astype(float)).mean() > 3
    # the thumbnail is the rendered frame at preview size (the label sits on the first one only)
    from talos_assets.agents.editing import frame_rgb8

    shot = service_film.plan.shots[1]
    last = service_film.resources["studio"].store().frames(shot, "render").path(shot.frames - 1)
    expected = cv2.resize(frame_rgb8(last, 160, 90), (tw, th), interpolation=cv2.INTER_AREA)
    assert np.abs(rows[1][3].astype(int) - expected.astype(int)).max() <= 1
    shown = IchorVault(service_film.resources["ichor"].url).last_dailies(service_film.film_id)
    assert sorted(shown) == ["s001", "s002"] and all(r.sheet_path == str(path) for r in shown.values())


def test_only_changed_shots_are_rendered_for_dailies(service_film):
    film, store = service_film, service_film.resources["studio"].store()
    _publish(film, "2026-11-02", [])
    assert _schedule(film) == []  # nothing changed since that sheet
    # s002 is rendered again after that sheet (its chain materializes anew): it changed, s001 did not
    for asset in ("scene_graph", "shot_render"):
        film.instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=str(shot_key(film.film_id, "s002"))))
    assert _schedule(film) == ["s002"]
    original = store.read_plan(film.film_id)
    try:  # s001's plan is edited: its hash differs from the one the last dailies recorded
        edited = original.model_copy(deep=True)
        edited.shots[0].description = "Talos waves twice at the sea."
        store.write_plan(edited)
        assert _schedule(film) == ["s001", "s002"]
    finally:
        store.write_plan(original)
    _publish(film, "2026-11-03", ["s002"])  # a sheet showing s002 as it is now
    assert _schedule(film) == []


def test_sensor_publishes_when_every_render_of_the_day_finished(service_film):
    from dagster._core.test_utils import create_run_for_test

    film = service_film
    preview_id = dailies.preview_film_id(film.film_id)
    pending = create_run_for_test(film.instance, job_name="render_shot", status=dg.DagsterRunStatus.STARTED,
                                  tags={DAILIES_TAG: TODAY, "dagster/partition/film": preview_id,
                                        "dagster/partition/shot": "s001", dailies.DAILIES_FILM_TAG: film.film_id})
    preview = _render_preview(film, "s002")
    sense = dailies.dailies_when_rendered
    waiting = sense(dg.build_sensor_context(instance=film.instance))
    assert not waiting.run_requests  # s001 still renders
    film.instance.report_run_failed(pending)  # and then fails: the sheet shows what rendered
    ready = sense(dg.build_sensor_context(instance=film.instance, cursor=waiting.cursor))
    (request,) = ready.run_requests
    assert request.partition_key == film.film_id and request.run_key == f"dailies-sheet-{film.film_id}-{TODAY}"
    assert request.run_config["ops"]["dailies_contact_sheet"]["config"] == {"day": TODAY, "slots": ["s002"]}
    assert not sense(dg.build_sensor_context(instance=film.instance, cursor=ready.cursor)).run_requests  # once
    path = _publish(film, TODAY, ["s002"])
    sheet = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert sheet.shape[0] == HEAD + dailies.thumbnail_size(160, 90)[1] + 2 * PAD  # one shot, one row
    # the row is the preview render, at thumbnail size
    from talos_assets.agents.editing import frame_rgb8

    shot = preview.shots[1]
    last = film.resources["studio"].store().frames(shot, "render").path(shot.frames - 1)
    expected = cv2.resize(frame_rgb8(last, 128, 72), dailies.thumbnail_size(160, 90), interpolation=cv2.INTER_AREA)
    assert np.abs(_thumbs(sheet, 1)[0][3].astype(int) - expected.astype(int)).max() <= 1


def test_dailies_render_at_preview_size_and_leave_the_film_s_frames_alone(service_film):
    film, store = service_film, service_film.resources["studio"].store()
    shot = film.plan.shots[0]
    full = store.frames(shot, "render").paths()
    before = {p: p.stat().st_mtime_ns for p in full}
    preview = _render_preview(film, shot.slot)
    assert preview.film_id == "service--dailies" and (preview.width, preview.height) == (128, 72)
    small = store.frames(preview.shots[0], "render").paths()
    from talos_assets.agents.frames import read_layer

    assert len(small) == len(full) and read_layer(small[0]).shape[:2] == (72, 128)
    assert {p: p.stat().st_mtime_ns for p in full} == before  # the film's full-size frames were not touched
    assert read_layer(full[0]).shape[:2] == (90, 160)
    # `talos clean` keeps only what the sheet shows of a preview film (it is never delivered)
    from talos_assets.ops.retention import clean_film

    cleaned = clean_film(store, preview.film_id)
    assert not cleaned.skipped and cleaned.removed and all(p.name in ("inbetweens", "lit", "effects", "colored") for p in cleaned.removed)
    assert all(p.exists() for p in small)


@pytest.mark.parametrize("size,preview", [((1920, 1080), (480, 270)), ((854, 480), (212, 120)), ((160, 90), (128, 72)),
                                          ((64, 36), (64, 36))])
def test_preview_is_a_quarter_at_least_128_wide(size, preview):
    assert dailies.preview_size(*size) == preview


def test_a_long_film_id_still_has_a_valid_preview_id():
    import re

    long_a, long_b = "a" * 60 + "-one", "a" * 60 + "-two"
    ids = {dailies.preview_film_id(long_a), dailies.preview_film_id(long_b)}
    assert len(ids) == 2 and all(re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", i) and i.endswith("--dailies") for i in ids)


def test_a_bad_dailies_slot_is_one_sentence(service_film):
    config = {"ops": {"dailies_contact_sheet": {"config": {"day": "2026-11-04", "slots": ["s009"]}}}}
    result = dg.materialize(service_film.assets, selection=[dailies.dailies_contact_sheet.key],
                            partition_key=service_film.film_id, instance=service_film.instance,
                            resources=service_film.resources, run_config=config, raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data
    assert failure.user_failure_data.description == "dailies slot 's009' is not a shot of film 'service' (s001..s002)"
    assert not any(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events)


@pytest.mark.parametrize("size,thumb", [((1920, 1080), (240, 135)), ((640, 360), (160, 90)), ((160, 90), (80, 45))])
def test_thumbnail_is_a_quarter_within_bounds(size, thumb):
    assert dailies.thumbnail_size(*size) == thumb
