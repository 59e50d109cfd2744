"""Axis and Flux in Dagster: key poses and line-art keys, then every frame's in-between drawing and
the motion curves, per shot."""


import dagster as dg
import numpy as np

from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import inbetweening, key_animation
from talos_assets.agents.frames import FrameWriter, write_gray_png, write_rgb8_png
from talos_assets.defs.common import StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.defs.direction import scene_graph
from talos_assets.partitions import shots_partitions
from talos_assets.stores.studio import Layer, Stage

AXIS, FLUX = "axis_key_animation", "flux_inbetweening"


def _ink_preview(line: np.ndarray) -> np.ndarray:
    gray = np.round((1.0 - np.clip(line, 0, 1)) * 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def _rigs(studio: StudioHome, characters) -> dict:
    with user_errors_as_failures():
        return {c: key_animation.load_rig(c, studio.character_dirs()) for c in characters}


@dg.asset(partitions_def=shots_partitions, group_name=AXIS, kinds={"python"}, deps=[scene_graph])
def key_poses(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Axis: each character's key poses on the shot's action beats, from the emotion pose library."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        keys = key_animation.plan_key_poses(shot, studio.character_dirs())
    folder = store.fresh_stage(shot, Stage.keys)
    store.write_key_poses(shot, keys)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, len(keys), clock, key_frames=", ".join(f"{k.character}@{k.frame}" for k in keys),
    ))


@dg.asset(partitions_def=shots_partitions, group_name=AXIS, kinds={"python"}, deps=[key_poses])
def line_art_keys(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Axis: the key drawings, one anti-aliased line-art frame (and region map) per key pose."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        keys = store.read_key_poses(shot)
    rigs = _rigs(studio, {k.character for k in keys})
    last = None
    for i, key in enumerate(keys):
        art = key_animation.draw_line_art([(rigs[key.character], key.pose)], shot.width, shot.height)
        write_gray_png(store.key_drawing_path(shot, i, key), 1.0 - art.line)
        last = art
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, store.stage_dir(shot.film_id, shot.slot, Stage.keys), len(keys), clock,
        preview=_ink_preview(last.line) if last is not None else None,
    ))


@dg.asset(partitions_def=shots_partitions, group_name=FLUX, kinds={"python"}, deps=[key_poses])
def inbetweens(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Flux: every frame's pose by eased pose-space interpolation, drawn as line art + region map."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        keys = store.read_key_poses(shot)
    rigs = _rigs(studio, sorted({k.character for k in keys}))
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    folder = store.fresh_stage(shot, Stage.inbetweens)
    store.write_inbetween_poses(shot, poses)
    lines, regions = store.frames(shot, Layer.line), store.frames(shot, Layer.regions)
    preview = None
    with FrameWriter() as writer:
        for f in range(shot.total_frames):
            art = key_animation.draw_line_art([(rigs[c], poses[c][f]) for c in poses], shot.width, shot.height)
            writer.gray(lines.path(f), art.line)
            writer.gray(regions.path(f), art.regions.astype(np.uint8))
            if f == shot.frames // 2:
                preview = _ink_preview(art.line)
            progress.tick("Flux inbetweens", shot.slot, f + 1, shot.total_frames)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, characters=", ".join(poses),
    ))


@dg.asset(partitions_def=shots_partitions, group_name=FLUX, kinds={"python"}, deps=[inbetweens])
def motion_curves(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Flux: per-joint motion curves of the shot (JSON) and their plot."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        curves = inbetweening.motion_curves(store.read_inbetween_poses(shot))
    store.write_motion_curves(shot, curves)
    plot = inbetweening.plot_motion_curves(curves, 640, 320)
    write_rgb8_png(store.motion_plot_path(shot), plot)
    moving = sum(1 for v in curves.values() if max(v) - min(v) > 1e-3)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, store.stage_dir(shot.film_id, shot.slot, Stage.inbetweens), shot.total_frames, clock, preview=plot,
        curve_count=len(curves), moving_curves=moving,
    ))
