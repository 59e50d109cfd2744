"""Dailies: every evening the shots changed since the last dailies are rendered again at preview
resolution and published as a contact sheet, one row per shot, for the director's review.

A shot has changed when it was never in dailies, when its plan (the ShotPlan JSON) differs from the
one recorded at its last dailies, or when its scene graph was materialized again after the render
the last dailies showed (someone re-rendered or re-planned it). The `dailies` schedule (stopped by
default) requests a `render_shot` run per changed shot, tagged with the day; once every run of that
day has finished, `dailies_when_rendered` requests `dailies_contact_sheet` for each film with the
shots that rendered. The sheet shows a few frames per shot at a quarter of the film's size (between
80 and 240 pixels wide), is written to `renders/<film>/<film>_dailies_<day>.png`, and what it showed
(plan hash, the shot's latest materializations) is recorded in Ichor for the next dailies to compare with.

The dailies renders are previews: a quarter of the film's width and height (at least 128 pixels
wide), about 1/16 of the pixels and of the time. They render as a film of their own, `<film>--dailies`
(its plan is the film's plan at preview size, its partitions the film's slots), so the preview frames
never replace the full-size frames the film's edit is cut from, and the render chain needs no mode.
"""


import datetime as dt
import hashlib
import json
from pathlib import Path

import cv2
import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.agents.editing import frame_rgb8
from talos_assets.agents.frames import write_rgb8_png
from talos_assets.agents.storyboard import compose_storyboard_sheet
from talos_assets.defs.automation import DAILIES_TAG, latest_storage_ids, render_shot
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, preview_md, user_errors_as_failures
from talos_assets.defs.render import shot_render
from talos_assets.ops.locks import instance_lock
from talos_assets.ops.retention import DAILIES_PREVIEW_SUFFIX as PREVIEW_SUFFIX
from talos_assets.partitions import film_of_shot, films_partitions, shot_key
from talos_assets.spec import FilmPlan, ShotPlan
from talos_assets.stores.ichor import DailiesShotRow
from talos_assets.stores.studio import Layer, StudioStore

DAILIES = "dailies"
FRAMES_PER_SHOT = 4
DAYS_KEPT = 60  # how far back the sensor looks for dailies days to publish
DAILIES_FILM_TAG = "talos/dailies-film"  # on a preview render run: the film it previews
PREVIEW_MIN_WIDTH = 128


def preview_size(width: int, height: int) -> tuple[int, int]:
    """A quarter of the film's size, at least 128 pixels wide (never more than the film), even sides."""
    w = min(width, max(PREVIEW_MIN_WIDTH, width // 4))
    w -= w % 2
    return w, max(2, 2 * int(round(height * w / width / 2)))


def preview_film_id(film_id: str) -> str:
    """The film the dailies previews of `film_id` render as (a valid film id, at most 64 characters)."""
    preview = f"{film_id}{PREVIEW_SUFFIX}"
    if len(preview) <= 64:
        return preview
    digest = hashlib.sha256(film_id.encode()).hexdigest()[:8]  # a long id cut short stays unique
    return f"{film_id[:64 - len(PREVIEW_SUFFIX) - 9]}-{digest}{PREVIEW_SUFFIX}"


def preview_plan(plan: FilmPlan) -> FilmPlan:
    """The film's plan at preview size, as the film `preview_film_id(plan.film_id)`."""
    film_id = preview_film_id(plan.film_id)
    w, h = preview_size(plan.width, plan.height)
    shots = [s.model_copy(update={"film_id": film_id, "width": w, "height": h}) for s in plan.shots]
    return plan.model_copy(update={"film_id": film_id, "width": w, "height": h, "shots": shots})


def prepare_previews(instance: dg.DagsterInstance, store: StudioStore, plan: FilmPlan, home: Path) -> FilmPlan:
    """Write the preview film's plan and register its partition (once); returns the preview plan."""
    preview = preview_plan(plan)
    store.write_plan(preview)
    with instance_lock(home):  # check-then-add races with a forge registering its film
        if not instance.has_dynamic_partition("films", preview.film_id):
            instance.add_dynamic_partitions("films", [preview.film_id])
    return preview


def shown_shot(store: StudioStore, plan: FilmPlan, shot: ShotPlan) -> ShotPlan:
    """The shot as the sheet shows it: its dailies preview when one is rendered from the shot's
    present plan, else its full-size render (a sheet published by hand, before any dailies)."""
    preview_id = preview_film_id(plan.film_id)
    if store.has_plan(preview_id):
        wanted = preview_plan(plan.model_copy(update={"shots": [shot]})).shots[0]
        stored = next((s for s in store.read_plan(preview_id).shots if s.slot == shot.slot), None)
        if stored == wanted and all(p.exists() for p in store.frames(wanted, Layer.render).paths()):
            return wanted
    return shot


def plan_hash(shot: ShotPlan) -> str:
    return hashlib.sha256(shot.model_dump_json().encode()).hexdigest()


def changed_shots(instance: dg.DagsterInstance, plan: FilmPlan, last: dict[str, DailiesShotRow]) -> list[ShotPlan]:
    """The plan's shots that changed since the dailies that last showed them (module docstring)."""
    scene_ids = latest_storage_ids(instance, "scene_graph", plan)
    changed = []
    for shot in plan.shots:
        seen = last.get(shot.slot)
        scene_id = scene_ids.get(str(shot_key(plan.film_id, shot.slot)), 0)
        if seen is None or seen.plan_hash != plan_hash(shot) or scene_id > (seen.render_storage_id or 0):
            changed.append(shot)
    return changed


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """A quarter of the film's width, kept between 80 and 240 pixels, at the film's aspect."""
    w = int(np.clip(width // 4, 80, 240))
    return w, max(1, int(round(height * w / width)))


def shot_thumbnails(store: StudioStore, shot: ShotPlan, count: int = FRAMES_PER_SHOT) -> list[np.ndarray]:
    """`count` rendered frames spread over the shot's planned frames, at thumbnail size, the first
    one labelled with the slot and shot id."""
    frames = store.frames(shot, Layer.render)
    size = thumbnail_size(shot.width, shot.height)
    picks = np.linspace(0, shot.frames - 1, count).round().astype(int)  # first to last; a short shot repeats frames
    thumbs = [cv2.resize(frame_rgb8(frames.path(int(f)), shot.width, shot.height), size, interpolation=cv2.INTER_AREA)
              for f in picks]
    cv2.putText(thumbs[0], f"{shot.slot} {shot.shot_id}"[:24], (3, size[1] - 4), cv2.FONT_HERSHEY_PLAIN, 0.8,
                (255, 255, 255), 1, cv2.LINE_AA)
    return thumbs


class DailiesConfig(dg.Config):
    day: str = ""  # YYYY-MM-DD; default: today (UTC)
    slots: list[str] = []  # the shots to show; default: every shot of the film


def _dailies_day(day: str) -> str:
    if not day:
        return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise ValueError(f"dailies day '{day}' is not a date; give it as YYYY-MM-DD") from None


@dg.asset(
    partitions_def=films_partitions, group_name=DAILIES, kinds={"python"}, retry_policy=TRANSIENT_RETRY,
    deps=[dg.AssetDep(shot_render, partition_mapping=film_of_shot)],
)
def dailies_contact_sheet(context: dg.AssetExecutionContext, config: DailiesConfig, studio: StudioHome,
                          ichor: IchorResource) -> dg.MaterializeResult:
    """Dailies: a contact sheet of the changed shots' rendered frames, one row per shot, at preview size."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():  # a shot not rendered, a bad slot or day, a full disk: no retry
        day = _dailies_day(config.day)
        plan = store.read_plan(context.partition_key)
        by_slot = {s.slot: s for s in plan.shots}
        unknown = [s for s in config.slots if s not in by_slot]
        if unknown:
            raise ValueError(f"dailies slot '{unknown[0]}' is not a shot of film '{plan.film_id}' (s001..s{len(plan.shots):03d})")
        shots = [by_slot[s] for s in sorted(set(config.slots))] if config.slots else list(plan.shots)
        store.rendered_frames(plan.model_copy(update={"shots": shots}))  # every shown shot rendered, or one sentence
        shown_as = [shown_shot(store, plan, shot) for shot in shots]
        thumbs = [t for shot in shown_as for t in shot_thumbnails(store, shot)]
        sheet = compose_storyboard_sheet(thumbs, f"{plan.title} - dailies {day}", columns=FRAMES_PER_SHOT)
        out = store.delivery_dir(plan.film_id) / f"{plan.film_id}_dailies_{day}.png"
        write_rgb8_png(out, sheet)
        # what the sheet stands for: the shot's newest scene graph or render (a preview is rendered
        # from the plan, so a later scene graph of the film's own shot is what marks it changed)
        rendered, planned = (latest_storage_ids(context.instance, a, plan) for a in ("shot_render", "scene_graph"))
        keys = {s.slot: str(shot_key(plan.film_id, s.slot)) for s in shots}
        ichor.vault().record_dailies(plan.film_id, day, str(out), [
            (s.slot, plan_hash(s), max(rendered.get(keys[s.slot], 0), planned.get(keys[s.slot], 0)) or None)
            for s in shots])
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(out)), "day": day, "shot_count": len(shots),
        "shots": ", ".join(f"{s.slot} {s.shot_id}" for s in shots), "frames_per_shot": FRAMES_PER_SHOT,
        "thumbnail": "x".join(map(str, thumbnail_size(plan.width, plan.height))),
        "rendered_at": ", ".join(sorted({f"{s.width}x{s.height}" for s in shown_as})),
        "resolution": f"{sheet.shape[1]}x{sheet.shape[0]}", "seconds": round(clock.seconds, 3),
        "preview": preview_md(sheet, 640),
    })


publish_dailies = dg.define_asset_job("publish_dailies", selection=[dailies_contact_sheet.key],
                                      executor_def=dg.in_process_executor,
                                      description="The dailies contact sheet of one film.")


@dg.schedule(job=render_shot, cron_schedule="0 19 * * *", default_status=dg.DefaultScheduleStatus.STOPPED)
def dailies(context: dg.ScheduleEvaluationContext, studio: StudioHome, ichor: IchorResource):
    """At 19:00, render every shot changed since the last dailies again at preview size (one run per
    shot of the film's preview film, tagged with the day and the film)."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    store, vault = studio.store(), ichor.vault()
    requests = []
    for film_id in vault.film_ids():
        if not store.has_plan(film_id):
            continue
        plan = store.read_plan(film_id)
        changed = changed_shots(context.instance, plan, vault.last_dailies(film_id))
        if not changed:
            continue
        preview = prepare_previews(context.instance, store, plan, Path(studio.root))
        for shot in changed:
            requests.append(dg.RunRequest(run_key=f"dailies-{film_id}-{shot.slot}-{day}",
                                          partition_key=shot_key(preview.film_id, shot.slot),
                                          tags={DAILIES_TAG: day, DAILIES_FILM_TAG: film_id}))
    return requests or dg.SkipReason("no shot changed since the last dailies")


def finished_batch(instance: dg.DagsterInstance, day: str) -> dict[str, list[str]] | None:
    """{film: slots rendered successfully} of the day's dailies runs, or None while any still runs."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={DAILIES_TAG: day}))
    if any(not run.is_finished for run in runs):
        return None
    done: dict[str, list[str]] = {}
    for run in runs:
        if run.status == dg.DagsterRunStatus.SUCCESS:  # a preview run names the film it previews
            film = run.tags.get(DAILIES_FILM_TAG) or run.tags["dagster/partition/film"]
            done.setdefault(film, []).append(run.tags["dagster/partition/shot"])
    return {film: sorted(set(slots)) for film, slots in done.items()}


@dg.sensor(job=publish_dailies, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def dailies_when_rendered(context: dg.SensorEvaluationContext):
    """When every render of a dailies day has finished, publish each film's contact sheet."""
    done: list[str] = json.loads(context.cursor) if context.cursor else []
    oldest = (dt.date.today() - dt.timedelta(days=DAYS_KEPT)).isoformat()  # older days were published or given up
    tagged = {v for _, values in context.instance.get_run_tags(tag_keys=[DAILIES_TAG]) for v in values}
    days = sorted(d for d in tagged - set(done) if d >= oldest)
    requests = []
    for day in days:
        batch = finished_batch(context.instance, day)
        if batch is None:
            continue
        done.append(day)
        requests += [dg.RunRequest(run_key=f"dailies-sheet-{film}-{day}", partition_key=film,
                                   run_config={"ops": {"dailies_contact_sheet": {"config": {"day": day, "slots": slots}}}})
                     for film, slots in sorted(batch.items())]
    cursor = json.dumps(sorted(d for d in done if d >= oldest))
    if not requests:
        return dg.SensorResult(skip_reason="no finished dailies to publish", cursor=cursor)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
