"""Axis and Flux in Dagster: key poses and line-art keys, then every frame's in-between drawing and
the motion curves, per shot."""


import json

import cv2
import dagster as dg
import numpy as np

from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import inbetweening, key_animation
from talos_assets.agents.frames import FrameWriter, write_gray_png, write_rgb8_png
from talos_assets.defs.common import StageClock, frame_name, shot_metadata, shot_plan_for, write_json
from talos_assets.defs.direction import scene_graph
from talos_assets.partitions import shots_partitions
from talos_assets.spec import KeyPose, Pose, ShotPlan

AXIS, FLUX = "axis_key_animation", "flux_inbetweening"


def _ink_preview(line: np.ndarray) -> np.ndarray:
    gray = np.round((1.0 - np.clip(line, 0, 1)) * 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def load_key_poses(studio: StudioHome, shot: ShotPlan) -> list[KeyPose]:
    path = studio.shot_dir(shot.film_id, shot.slot, "keys") / "key_poses.json"
    if not path.exists():
        raise dg.Failure(f"shot {shot.slot} of '{shot.film_id}' has no key poses: materialize key_poses first.")
    return [KeyPose.model_validate(k) for k in json.loads(path.read_text())]


@dg.asset(partitions_def=shots_partitions, group_name=AXIS, kinds={"python"}, deps=[scene_graph])
def key_poses(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Axis: each character's key poses on the shot's action beats, from the emotion pose library."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    keys = key_animation.plan_key_poses(shot)
    folder = studio.fresh_shot_dir(shot.film_id, shot.slot, "keys")
    write_json(folder / "key_poses.json", [k.model_dump() for k in keys])
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, len(keys), clock, key_frames=", ".join(f"{k.character}@{k.frame}" for k in keys),
    ))


@dg.asset(partitions_def=shots_partitions, group_name=AXIS, kinds={"python"}, deps=[key_poses])
def line_art_keys(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Axis: the key drawings, one anti-aliased line-art frame (and region map) per key pose."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    keys = load_key_poses(studio, shot)
    folder = studio.shot_dir(shot.film_id, shot.slot, "keys")
    rigs = {c: key_animation.load_rig(c) for c in {k.character for k in keys}}
    last = None
    for i, key in enumerate(keys):
        art = key_animation.draw_line_art([(rigs[key.character], key.pose)], shot.width, shot.height)
        write_gray_png(folder / f"key{i:02d}_{key.character}_f{key.frame:04d}.png", 1.0 - art.line)
        last = art
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, len(keys), clock, preview=_ink_preview(last.line) if last is not None else None,
    ))


@dg.asset(partitions_def=shots_partitions, group_name=FLUX, kinds={"python"}, deps=[key_poses])
def inbetweens(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Flux: every frame's pose by eased pose-space interpolation, drawn as line art + region map."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    keys = load_key_poses(studio, shot)
    poses = inbetweening.inbetween_poses(keys, shot.total_frames)
    rigs = {c: key_animation.load_rig(c) for c in poses}
    folder = studio.fresh_shot_dir(shot.film_id, shot.slot, "inbetweens")
    write_json(folder / "poses.json", {c: [p.model_dump() for p in ps] for c, ps in poses.items()})
    preview = None
    with FrameWriter() as writer:
        for f in range(shot.total_frames):
            art = key_animation.draw_line_art([(rigs[c], poses[c][f]) for c in poses], shot.width, shot.height)
            writer.gray(folder / frame_name(f, "line_"), art.line)
            writer.gray(folder / frame_name(f, "regions_"), art.regions.astype(np.uint8))
            if f == shot.frames // 2:
                preview = _ink_preview(art.line)
            progress.tick("Flux inbetweens", shot.slot, f + 1, shot.total_frames)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, characters=", ".join(poses),
    ))


def load_inbetween_poses(studio: StudioHome, shot: ShotPlan) -> dict[str, list[Pose]]:
    path = studio.shot_dir(shot.film_id, shot.slot, "inbetweens") / "poses.json"
    if not path.exists():
        raise dg.Failure(f"shot {shot.slot} of '{shot.film_id}' has no in-betweens: materialize inbetweens first.")
    return {c: [Pose.model_validate(p) for p in ps] for c, ps in json.loads(path.read_text()).items()}


@dg.asset(partitions_def=shots_partitions, group_name=FLUX, kinds={"python"}, deps=[inbetweens])
def motion_curves(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Flux: per-joint motion curves of the shot (JSON) and their plot."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    curves = inbetweening.motion_curves(load_inbetween_poses(studio, shot))
    folder = studio.shot_dir(shot.film_id, shot.slot, "inbetweens")
    write_json(folder / "motion_curves.json", curves)
    plot = inbetweening.plot_motion_curves(curves, 640, 320)
    write_rgb8_png(folder / "motion_curves.png", plot)
    moving = sum(1 for v in curves.values() if max(v) - min(v) > 1e-3)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=plot, curve_count=len(curves), moving_curves=moving,
    ))
