"""Sensor-triggered and scheduled renders, driven by Dagster's daemon (`dagster dev` / `talos ui`).

A story dropped into the studio's inbox (`$TALOS_HOME/inbox/*.yaml`) becomes a film with no
command typed: `story_inbox` validates it, registers it in Ichor, adds its `films` partition and
requests the film plan; `shots_after_plan` requests one `render_shot` run per real shot (never a
padding slot) once the plan succeeds; `edit_when_shots_rendered` requests the film-level edit when
every shot of the film has been rendered since its latest plan. `nightly_evaluation` re-runs Echo
on every film. Each sensor keeps a cursor or run key so a story or a render is acted on once.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.partitions import films_partitions, shot_key, shots_partitions
from talos_assets.spec import FilmPlan

plan_film = dg.define_asset_job("plan_film", selection=["film_plan"], executor_def=dg.in_process_executor, description="Prism's film plan for one film.")
render_shot = dg.define_asset_job(
    "render_shot",
    selection=["scene_graph", "key_poses", "camera_plan", "line_art_keys", "storyboard_panel", "inbetweens",
               "motion_curves", "colored_frames", "lit_frames", "effect_layers", "shot_render"],
    executor_def=dg.in_process_executor,
    description="One shot's whole chain, Prism to Anima, in one process.",
)
edit_film = dg.define_asset_job(
    "edit_film", selection=["soundtrack", "storyboard", "timeline", "film", "evaluation"],
    executor_def=dg.in_process_executor,
    description="Soundtrack, storyboard, timeline, film and evaluation of one film.",
)
evaluate_film = dg.define_asset_job("evaluate_film", selection=["evaluation"], executor_def=dg.in_process_executor, description="Echo's evaluation of one film.")


def inbox_dir(studio: StudioHome) -> Path:
    return Path(studio.root) / "inbox"


@dg.sensor(job=plan_film, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def story_inbox(context: dg.SensorEvaluationContext, studio: StudioHome, ichor: IchorResource):
    """New or changed story files in $TALOS_HOME/inbox become films: registered, partitioned, planned."""
    from talos_assets.checking import ForgeError, check_story

    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    inbox = inbox_dir(studio)
    if not inbox.is_dir():
        return dg.SkipReason(f"no inbox folder at {inbox}")
    new_films, requests, skipped = [], [], []
    for path in sorted(inbox.glob("*.yaml")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if seen.get(path.name) == digest:
            continue
        seen[path.name] = digest
        try:
            checked = check_story(path, studio.settings())
        except ForgeError as exc:
            skipped.append(str(exc))
            context.log.warning(str(exc))
            continue
        plan, story = checked.plan, checked.story
        ichor.vault().register_film(plan.film_id, story.title, str(checked.path), checked.text, story.fps,
                                    *story.resolution, palette=plan.palette.name, shots=[])
        studio.store().write_checked_plan(plan)  # what was checked is what renders: film_plan reads it
        if not context.instance.has_dynamic_partition("films", plan.film_id):
            new_films.append(plan.film_id)
        requests.append(dg.RunRequest(run_key=f"plan-{plan.film_id}-{digest[:12]}", partition_key=plan.film_id,
                                      tags={"talos/story": path.name}))
    if not requests:
        return dg.SensorResult(skip_reason="; ".join(skipped) or "no new story in the inbox", cursor=json.dumps(seen))
    return dg.SensorResult(
        run_requests=requests, cursor=json.dumps(seen),
        dynamic_partitions_requests=[films_partitions.build_add_request(new_films)] if new_films else [],
    )


def shot_run_requests(plan: FilmPlan, plan_run_id: str) -> list[dg.RunRequest]:
    """One render_shot run per real shot of the plan (padding slots are never requested)."""
    return [dg.RunRequest(run_key=f"render-{plan_run_id}-{s.slot}", job_name=render_shot.name,
                          partition_key=shot_key(plan.film_id, s.slot)) for s in plan.shots]


def film_ready_for_edit(instance: dg.DagsterInstance, plan: FilmPlan) -> tuple[bool, int]:
    """(every shot rendered since the latest plan, newest render's storage id for a run key)."""
    plan_records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("film_plan"), asset_partitions=[plan.film_id]), limit=1).records
    if not plan_records:
        return False, 0
    planned_at = plan_records[0].storage_id
    newest = 0
    for shot in plan.shots:
        recs = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("shot_render"), asset_partitions=[str(shot_key(plan.film_id, shot.slot))]),
            limit=1).records
        if not recs or recs[0].storage_id < planned_at:
            return False, 0
        newest = max(newest, recs[0].storage_id)
    return True, newest


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[plan_film, render_shot],
                      request_jobs=[render_shot, edit_film], default_status=dg.DefaultSensorStatus.RUNNING,
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
