"""The one Dagster entry point: every agent's assets, Echo's checks and revision sensor, the render
service's jobs, sensors and schedules, and the studio's resources.

Resources point into the studio home (TALOS_HOME, default `.talos/` in the working directory), so
`dagster dev` in the repo root and `talos forge` share one instance, one Ichor and one Aether. The
heavy agents' concurrency pools and their limits are in `defs/pools.py`.
"""

from __future__ import annotations

import dagster as dg

from resources.aether import AetherResource
from resources.ffmpeg import FFmpegResource
from resources.ichor import IchorResource
from resources.mlflow import MLflowResource
from resources.warp_device import WarpDeviceResource
from talos_assets.defs import (
    animation, automation, dailies, direction, editing, effects, evaluation, failures, lab, paint, render,
    revision, voice,
)
from talos_assets.home import prepare_home
from talos_assets.ops.run_lock import FilmLockedStudio
from talos_assets.settings import studio_settings

# the per-shot chain, in the order one shot's run materializes it
SHOT_ASSETS = [
    direction.scene_graph, voice.dialogue_line, animation.key_poses, direction.camera_plan, animation.line_art_keys,
    direction.storyboard_panel, animation.inbetweens, animation.motion_curves, paint.colored_frames,
    paint.lit_frames, effects.effect_layers, render.shot_render,
]
# film-level: the plan first (before any shot), then the edit and the evaluation
FILM_ASSETS = [
    direction.film_plan, editing.soundtrack, direction.storyboard, editing.timeline, editing.film_mix, editing.film, evaluation.evaluation,
]
# after the evaluation, in the same run: the publication (Dagster skips it when an ERROR gate failed)
PUBLISH_ASSETS = [evaluation.published_film]
# review, outside the film's chain: the dailies contact sheet (its schedule picks the shots)
REVIEW_ASSETS = [dailies.dailies_contact_sheet]
# the Protoforge lab: agent models trained from the studio's renders and judgements
LAB_ASSETS = [lab.agent_model]


def build_resources() -> dict:
    home = prepare_home()
    settings = studio_settings()
    user_rigs = [str(d) for d in settings.character_dirs if d != home / "characters"]
    user_sets = [str(d) for d in settings.set_dirs if d != home / "sets"]
    user_props = [str(d) for d in settings.prop_dirs if d != home / "props"]
    return {
        # the studio home, holding the film's lock while a UI-, sensor- or schedule-launched run renders
        "studio": FilmLockedStudio(root=str(home), renders=str(settings.renders), characters=user_rigs, sets=user_sets,
                                   props=user_props, shared_store=settings.shared_store),
        "ichor": IchorResource(url=settings.ichor_url),
        "aether": AetherResource(url=settings.aether_url),
        "ffmpeg": FFmpegResource(),
        "warp_device": WarpDeviceResource(kernel_cache=str(home / "warp-cache")),
        "mlflow": MLflowResource(tracking_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
                                 artifact_location=str(home / "mlflow" / "artifacts")),
    }


defs = dg.Definitions(
    assets=SHOT_ASSETS + FILM_ASSETS + PUBLISH_ASSETS + REVIEW_ASSETS + LAB_ASSETS,
    jobs=[automation.plan_film, automation.render_shot, automation.edit_film, automation.evaluate_film,
          dailies.publish_dailies, automation.render_shot_on_farm,
          lab.train_lab_models, lab.rate_shot],
    sensors=[automation.story_inbox, automation.shots_after_plan, failures.record_run_failures,
             dailies.dailies_when_rendered, lab.train_when_judged, revision.revise_shots],
    schedules=[automation.nightly_evaluation, dailies.dailies],
    resources=build_resources(),
    executor=dg.in_process_executor,
)
