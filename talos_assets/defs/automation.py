"""Sensor-triggered and scheduled renders, driven by Dagster's daemon (`dagster dev` / `talos ui`).

A story dropped into the studio's inbox (`$TALOS_HOME/inbox/*.yaml`) becomes a film with no
command typed: `story_inbox` validates it, registers it in Ichor, adds its `films` partition and
requests the film plan, once per story content. `shots_after_plan` then requests one `render_shot`
run per real shot (never a padding slot), and requests the film-level edit once every shot of the
film has been rendered since its latest plan (Echo's revision renders excepted: `defs/revision.py`
re-edits the film once they settle). `nightly_evaluation` re-runs Echo on every film.
Each sensor keeps a cursor or run key so a story or a render is acted on once. Failed runs are
recorded by `defs/failures.py`; dailies live in `defs/dailies.py`.
"""

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.defs.celery import CELERY_BROKER_ENV, farm_executor
from talos_assets.partitions import films_partitions, shot_key
from talos_assets.spec import FilmPlan

DAILIES_TAG = "talos/dailies"  # on the render_shot runs the dailies schedule requests: the day (YYYY-MM-DD)
REVISION_TAG = "talos/revision-tickets"  # on the render_shot runs revise_shots requests: the ticket ids

plan_film = dg.define_asset_job("plan_film", selection=["film_plan"], executor_def=dg.in_process_executor, description="Prism's film plan for one film.")
render_shot = dg.define_asset_job(
    "render_shot",
    selection=["scene_graph", "dialogue_line", "key_poses", "camera_plan", "line_art_keys", "storyboard_panel", "inbetweens",
               "motion_curves", "colored_frames", "lit_frames", "effect_layers", "shot_render"],
    executor_def=dg.in_process_executor,
    description="One shot's whole chain, Prism to Anima, in one process.",
)
render_shot_on_farm = dg.define_asset_job(
    "render_shot_on_farm",
    selection=render_shot.selection,
    executor_def=farm_executor,
    description="One shot's whole chain, Prism to Anima, each step on a Celery worker (render farm).",
)
SHOT_JOBS = [render_shot, render_shot_on_farm]


def shot_job_name(environ: Mapping[str, str] | None = None) -> str:
    """The job a sensor renders a shot with: on the farm when the studio has a Celery broker."""
    env = os.environ if environ is None else environ
    return render_shot_on_farm.name if env.get(CELERY_BROKER_ENV, "").strip() else render_shot.name


edit_film = dg.define_asset_job(
    "edit_film", selection=["soundtrack", "storyboard", "timeline", "film_mix", "film", "evaluation", "published_film"],
    executor_def=dg.in_process_executor,
    description="Soundtrack, storyboard, timeline, dialogue mix, film, evaluation and (when no ERROR gate failed) "
                "publication of one film.",
)
evaluate_film = dg.define_asset_job("evaluate_film", selection=["evaluation"], executor_def=dg.in_process_executor, description="Echo's evaluation of one film.")


def inbox_dir(studio: StudioHome) -> Path:
    return Path(studio.root) / "inbox"


# The inbox cursor: {"films": {film_id: [content digest of the story it was planned from, plans so
# far]}, "rejected": [digests of stories that failed their check]}. Keyed by content, not by file
# name: the same story under two names, or dropped again, is the film's current story and starts
# nothing; an edited story (even one edited back to an earlier version) differs from it and re-plans.
REJECTED_KEPT = 500


def story_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def read_inbox_cursor(raw: str | None) -> tuple[dict[str, list], list[str]]:
    """(films, rejected) from a cursor; the older cursor of {file name: sha256} is read as rejected
    digests, so stories acted on under it are not started again."""
    data = json.loads(raw) if raw else {}
    if "films" in data or "rejected" in data:
        return dict(data.get("films", {})), list(data.get("rejected", []))
    return {}, [str(d)[:32] for d in data.values()]


def _story_film_id(path: Path) -> str:
    from talos_assets.story import load_story

    return load_story(path)[0].film_id  # parsing only (limits checked): directing waits for a new story


def _submit_story(path: Path, studio: StudioHome, ichor: IchorResource) -> str:
    """Check, register and store one new story's plan; returns its film id (raises ForgeError)."""
    from talos_assets.checking import check_story

    checked = check_story(path, studio.settings())
    plan, story = checked.plan, checked.story
    ichor.vault().register_film(plan.film_id, story.title, str(checked.path), checked.text, story.fps,
                                *story.resolution, palette=plan.palette.name, shots=[])
    studio.store().write_checked_plan(plan)  # what was checked is what renders: film_plan reads it
    return plan.film_id


@dg.sensor(job=plan_film, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def story_inbox(context: dg.SensorEvaluationContext, studio: StudioHome, ichor: IchorResource):
    """Story files in $TALOS_HOME/inbox whose content is new for their film become films: registered,
    partitioned and planned, once per content (see the cursor above)."""
    from talos_assets.checking import ForgeError
    from talos_assets.story import MAX_STORY_BYTES, StoryError

    films, rejected = read_inbox_cursor(context.cursor)
    inbox = inbox_dir(studio)
    if not inbox.is_dir():
        return dg.SkipReason(f"no inbox folder at {inbox}")
    requests: dict[str, dg.RunRequest] = {}
    skipped: list[str] = []
    for path in sorted(inbox.glob("*.yaml")):
        stat = path.stat()
        # an oversized file is never read whole to hash it: its name, size and time stand for its content
        content = path.read_bytes() if stat.st_size <= MAX_STORY_BYTES else f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        digest = story_digest(content)
        if digest in rejected:
            continue
        try:
            if films.get(_story_film_id(path), [None])[0] == digest:
                continue  # this content is already the film's story
            film_id = _submit_story(path, studio, ichor)
        except (ForgeError, StoryError) as exc:
            rejected = (rejected + [digest])[-REJECTED_KEPT:]
            skipped.append(str(exc))
            context.log.warning(str(exc))
            continue
        count = films.get(film_id, [None, 0])[1] + 1
        films[film_id] = [digest, count]
        # the last story of a film in one tick wins: its checked plan is the one stored
        requests[film_id] = dg.RunRequest(run_key=f"plan-{film_id}-{digest[:12]}-{count}", partition_key=film_id,
                                          tags={"talos/story": path.name, "talos/story-digest": digest})
    cursor = json.dumps({"films": films, "rejected": rejected})
    if not requests:
        return dg.SensorResult(skip_reason="; ".join(skipped) or "no new story in the inbox", cursor=cursor)
    new_films = [f for f in requests if not context.instance.has_dynamic_partition("films", f)]
    return dg.SensorResult(
        run_requests=list(requests.values()), cursor=cursor,
        dynamic_partitions_requests=[films_partitions.build_add_request(new_films)] if new_films else [],
    )


def shot_run_requests(plan: FilmPlan, plan_run_id: str) -> list[dg.RunRequest]:
    """One render run per real shot of the plan (padding slots are never requested), on the farm when
    the studio has a Celery broker (`shot_job_name`).

    A 100-shot film asks for 100 runs at once; the instance's queued run coordinator holds them
    (max_concurrent_runs) and the pools (talos_assets.defs.pools) bound the heavy steps. The run key
    is the plan run and the slot: a re-evaluation of the same plan run never doubles a render, and a
    new plan renders again."""
    job_name = shot_job_name()
    return [dg.RunRequest(run_key=f"render-{plan_run_id}-{s.slot}", job_name=job_name,
                          partition_key=shot_key(plan.film_id, s.slot), tags={"talos/plan-run": plan_run_id})
            for s in plan.shots]


def latest_storage_ids(instance: dg.DagsterInstance, asset: str, plan: FilmPlan) -> dict[str, int]:
    """{shot partition key: storage id of its latest materialization of `asset`} for the plan's shots."""
    keys = {str(shot_key(plan.film_id, s.slot)) for s in plan.shots}
    return dict(instance.get_latest_storage_id_by_partition(dg.AssetKey(asset), dg.DagsterEventType.ASSET_MATERIALIZATION,
                                                            partitions=keys))


def film_ready_for_edit(instance: dg.DagsterInstance, plan: FilmPlan) -> tuple[bool, int]:
    """(every shot rendered since the latest plan, newest render's storage id for a run key)."""
    plan_records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("film_plan"), asset_partitions=[plan.film_id]), limit=1).records
    if not plan_records:
        return False, 0
    planned_at = plan_records[0].storage_id
    # one query for every shot (not one per shot): a 200-shot film is checked after each of its renders
    latest = latest_storage_ids(instance, "shot_render", plan)
    ids = [latest.get(str(shot_key(plan.film_id, shot.slot)), 0) for shot in plan.shots]
    if not ids or min(ids) < planned_at:
        return False, 0
    newest = max(ids)
    return True, newest


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[plan_film, *SHOT_JOBS],
                      request_jobs=[*SHOT_JOBS, edit_film], default_status=dg.DefaultSensorStatus.RUNNING,
                      minimum_interval_seconds=10)
def shots_after_plan(context: dg.RunStatusSensorContext, studio: StudioHome):
    """After a plan: render every shot. After a shot: edit the film once all its shots are rendered."""
    store = studio.store()
    run = context.dagster_run
    if run.job_name == plan_film.name:
        film_id = run.tags.get("dagster/partition")
        return shot_run_requests(store.read_plan(film_id), run.run_id)
    film_id = run.tags.get("dagster/partition/film")
    if not film_id:
        return dg.SkipReason("render run without a film partition tag")
    if DAILIES_TAG in run.tags:
        return dg.SkipReason("a dailies render: the dailies sensor publishes its contact sheet, the film is left as it is")
    if REVISION_TAG in run.tags:
        return dg.SkipReason("a revision render: revise_shots re-edits the film once all its revisions are rendered")
    plan = store.read_plan(film_id)
    ready, newest = film_ready_for_edit(context.instance, plan)
    if not ready:
        return dg.SkipReason(f"film '{film_id}' still has shots to render")
    return dg.RunRequest(run_key=f"edit-{film_id}-{newest}", job_name=edit_film.name, partition_key=film_id)


@dg.schedule(job=evaluate_film, cron_schedule="0 3 * * *", default_status=dg.DefaultScheduleStatus.STOPPED)
def nightly_evaluation(context: dg.ScheduleEvaluationContext, ichor: IchorResource):
    """Every night, Echo re-measures every finished film (new gates or a newly trained model apply)."""
    vault = ichor.vault()
    films = [f for f in vault.film_ids() if (vault.film(f) and vault.film(f).film_path)]
    if not films:
        return dg.SkipReason("no finished film to evaluate")
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [dg.RunRequest(run_key=f"eval-{f}-{day}", partition_key=f) for f in films]
