"""Prism in Dagster: the film plan (per film), then scene graph, camera plan and storyboard panel per
shot, and the storyboard sheet per film (PNG preview plus a multi-page PDF for print)."""


from collections.abc import Callable
from functools import partial

import cv2
import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from resources.mlflow import MLflowResource
from resources.studio import StudioHome
from talos_assets.agents import direction, key_animation
from talos_assets.agents import storyboard as boards
from talos_assets.agents.camera_framing import PosedFigure, acting_box
from talos_assets.agents.evaluation.acting_preview import acting_preview
from talos_assets.agents.frames import atomic_write_bytes, write_rgb8_png
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, preview_md, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.partitions import film_of_shot, films_partitions, shots_partitions
from talos_assets.stores.studio import Stage
from talos_assets.story import parse_story

GROUP = "prism_direction"


def lab_critic(vault, mlflow: MLflowResource) -> tuple[Callable[[np.ndarray], np.ndarray] | None, str]:
    """(the critic's predict function, which model) when Protoforge registered a critic @champion,
    else (None, why not): Prism then keeps its own choices."""
    links = vault.model_links("critic")
    if not links:
        return None, "none registered (talos lab train critic)"
    from protoforge.registry import load_registered

    try:
        net = load_registered("critic", alias="champion", tracking_uri=mlflow.tracking_uri, device="cpu")
    except ValueError as exc:
        return None, f"unavailable: {str(exc).split(';')[0]}"
    from talos_assets.agents.direction.candidates import FEATURE_NAMES

    if net.config["in_features"] != len(FEATURE_NAMES):  # trained before the features changed
        return None, (f"unusable: @champion reads {net.config['in_features']} features, Prism writes "
                      f"{len(FEATURE_NAMES)} (retrain with `talos lab train critic`)")

    def predict(features: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return net(torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))).numpy()

    return predict, f"{links[-1].registered_name} v{getattr(net, 'registered_version', '?')} @champion"


@dg.asset(partitions_def=films_partitions, group_name=GROUP, kinds={"python"}, retry_policy=TRANSIENT_RETRY)
def film_plan(context: dg.AssetExecutionContext, ichor: IchorResource, studio: StudioHome,
              mlflow: MLflowResource) -> dg.MaterializeResult:
    """Prism: the plan checked when the story was submitted (`talos forge` or the inbox sensor) becomes
    the film's shot list in Ichor: the film is directed once, and what was checked is what renders.
    With a critic registered by Protoforge, each shot is the critic's pick among K candidates of
    what the story left free (camera move, lens, acting variation, effect strength)."""
    clock = StageClock()
    film_id = context.partition_key
    store = studio.store()
    # an unregistered film or a corrupt Ichor fails at once; a locked Ichor is retried (TRANSIENT_RETRY)
    with user_errors_as_failures():
        vault = ichor.vault()
        film = vault.film(film_id)
        if film is None:
            raise dg.Failure(f"film '{film_id}' is not registered in Ichor: run `talos forge STORY` to add it.", allow_retries=False)
        plan = store.read_checked_plan(film_id)
        for note in plan.warnings:  # e.g. an LLM endpoint that was down: the embedded director stood in
            context.log.warning(note)
        predict, critic = lab_critic(vault, mlflow)
        picks: list[tuple[str, int, float, float]] = []
        if predict is not None:
            fixed = direction.explicit_choices(parse_story(film.story_yaml, film.story_path))
            preview = partial(acting_preview, character_dirs=studio.character_dirs(), prop_dirs=studio.prop_dirs(),
                              set_dirs=studio.set_dirs())
            plan, picks = direction.choose_candidates(plan, predict, fixed, preview=preview)
        store.write_plan(plan)
        vault.register_film(
            film_id, plan.title, film.story_path, film.story_yaml, plan.fps, plan.width, plan.height,
            palette=plan.palette.name,
            shots=[dict(shot_id=s.shot_id, slot=s.slot, position=s.index, description=s.description,
                        emotion=s.emotion.value, frames=s.frames, plan_json=s.model_dump_json()) for s in plan.shots],
        )
    rows = "\n".join(f"| {s.slot} | {s.shot_id} | {s.emotion.value} | {s.shot_size.value} | {s.lens_mm or '-'} | "
                     f"{s.camera.value} | {s.duration:.2f} | {' '.join(s.stage_order)} |" for s in plan.shots)
    return dg.MaterializeResult(metadata={
        "shot_count": len(plan.shots),
        "frame_count": plan.planned_frames,
        "duration_s": round(plan.planned_frames / plan.fps, 2),
        "resolution": f"{plan.width}x{plan.height}",
        "palette": plan.palette.name,
        "director": plan.director,
        "scenes": len(plan.scenes),
        "warnings": "; ".join(plan.warnings) or "none",
        "shots": dg.MetadataValue.md("| slot | shot | emotion | size | mm | camera | s | stage L-R |\n"
                                     "|---|---|---|---|---|---|---|---|\n" + rows),
        "critic": critic,
        **({"critic_picks": dg.MetadataValue.md(
            "| slot | candidate | predicted as planned | predicted chosen |\n|---|---|---|---|\n"
            + "\n".join(f"| {slot} | {i} | {p0:.3f} | {pc:.3f} |" for slot, i, p0, pc in picks))} if picks else {}),
        "seconds": round(clock.seconds, 3),
    })


@dg.asset(
    partitions_def=shots_partitions, group_name=GROUP, kinds={"python"},
    deps=[dg.AssetDep(film_plan, partition_mapping=film_of_shot)],
)
def scene_graph(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the shot's scene graph (who is on stage, emotion, size, camera, effects) as JSON."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    folder = store.fresh_stage(shot, Stage.scene)
    store.write_scene_graph(shot)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, emotion=shot.emotion.value, valence=round(shot.valence, 3),
        arousal=round(shot.arousal, 3), shot_size=shot.shot_size.value, camera=shot.camera.value,
        lens_mm=shot.lens_mm or 0.0, stage_order=" | ".join(shot.stage_order), location=shot.location or "-",
        characters=", ".join(shot.characters), effects=", ".join(e.kind.value for e in shot.effects) or "none",
        description=shot.description,
    ))


@dg.asset(partitions_def=shots_partitions, group_name=GROUP, kinds={"python"}, deps=[scene_graph, "key_poses"])
def camera_plan(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: per-frame camera curves (centre, zoom, roll) eased between the move's ends, framing where
    Axis's key poses put the characters and keeping their heads (and a medium shot's hands) in frame."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        poses = store.read_key_poses(shot)
        rigs = {c: key_animation.load_rig(c, studio.character_dirs()) for c in {k.character for k in poses}}
        figures = []  # the key poses as Axis draws them: the heads (and hands) the framing must keep
        for k in poses:
            r = rigs[k.character]
            figures.append(PosedFigure(k, key_animation.forward_kinematics(r, k.pose), key_animation.CHARACTER_HEIGHT
                                       * r.height * k.pose.scale, key_animation.view_scale(k.pose),
                                       r.face.bone if r.face else "head"))
        keys = direction.camera_plan(shot, poses, acting_box(shot, figures))
    store.write_camera_plan(shot, keys)
    plot = boards.plot_camera_curves(keys)
    write_rgb8_png(store.camera_plot_path(shot), plot)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, store.stage_dir(shot.film_id, shot.slot, Stage.scene), len(keys), clock, preview=plot,
        camera=shot.camera.value, lens_mm=shot.lens_mm or 0.0,
        zoom_range=f"{min(k.zoom for k in keys):.2f}-{max(k.zoom for k in keys):.2f}",
    ))


@dg.asset(partitions_def=shots_partitions, group_name=GROUP, kinds={"python"}, deps=[camera_plan, "key_poses"])
def storyboard_panel(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the shot's storyboard panel (Axis's first key drawing through the camera, id, timing,
    emotion, script line)."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        cams = store.read_camera_plan(shot)
        keys = store.read_key_poses(shot)
        rigs = {c: key_animation.load_rig(c, studio.character_dirs()) for c in {k.character for k in keys}}
    panel = boards.draw_storyboard_panel(shot, cams[0], keys, rigs)
    folder = store.fresh_stage(shot, Stage.storyboard)
    write_rgb8_png(store.storyboard_panel_path(shot), panel)
    return dg.MaterializeResult(metadata=shot_metadata(shot, folder, 1, clock, preview=panel))


@dg.asset(
    partitions_def=films_partitions, group_name=GROUP, kinds={"python"},
    deps=[dg.AssetDep(storyboard_panel, partition_mapping=film_of_shot)],
)
def storyboard(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the film's storyboard sheet, one panel per shot, delivered next to the film as PNG and PDF."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
    panels = []
    for shot in plan.shots:
        img = cv2.imread(str(store.storyboard_panel_path(shot)))
        if img is None:
            raise dg.Failure(f"shot {shot.slot} ({shot.shot_id}) has no storyboard panel: materialize storyboard_panel for "
                             f"{plan.film_id}|{shot.slot}.", allow_retries=False)
        panels.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    sheet = boards.compose_storyboard_sheet(panels, f"{plan.title} - storyboard")
    delivery = store.delivery(plan.film_id)
    store.delivery_dir(plan.film_id)
    write_rgb8_png(delivery.storyboard, sheet)
    pages = boards.storyboard_pdf_pages(panels, plan.title)
    atomic_write_bytes(delivery.storyboard_pdf, boards.storyboard_pdf_bytes(pages))
    return dg.MaterializeResult(metadata={
        "panel_count": len(panels), "path": dg.MetadataValue.path(str(delivery.storyboard)),
        "pdf": dg.MetadataValue.path(str(delivery.storyboard_pdf)), "pdf_pages": len(pages),
        "resolution": f"{sheet.shape[1]}x{sheet.shape[0]}", "seconds": round(clock.seconds, 3),
        "preview": preview_md(sheet, 480),
    })
