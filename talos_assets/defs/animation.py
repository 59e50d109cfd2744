"""Axis and Flux in Dagster: key poses (and the props placed beside them) and line-art keys, then
every frame's in-between drawing, props included, and the motion curves, per shot."""


import dagster as dg
import numpy as np

from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import inbetweening, key_animation, props, sets
from talos_assets.agents.frames import FrameWriter, write_gray_png, write_rgb8_png
from talos_assets.defs.common import StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.agents.camera_framing import zoomed_out
from talos_assets.defs.direction import camera_plan, scene_graph
from talos_assets.spec import FramedFrame
from talos_assets.defs.voice import dialogue_line
from talos_assets.partitions import shots_partitions
from talos_assets.stores.studio import Layer, Stage

AXIS, FLUX = "axis_key_animation", "flux_inbetweening"


def _ink_preview(line: np.ndarray) -> np.ndarray:
    gray = np.round((1.0 - np.clip(line, 0, 1)) * 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def _rigs(studio: StudioHome, characters) -> dict:
    with user_errors_as_failures():
        return {c: key_animation.load_rig(c, studio.character_dirs()) for c in characters}


def _prop_rigs(studio: StudioHome, placed) -> dict:
    """Each placed prop's face-less rig by prop id (user prop folders first)."""
    return {p.prop: props.load_prop_rig(p.prop, studio.prop_dirs()) for p in placed}


@dg.asset(partitions_def=shots_partitions, group_name=AXIS, kinds={"python"}, deps=[scene_graph])
def key_poses(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Axis: each character acting the shot's actions (or its motion capture) as key poses, props placed beside them."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        water = sets.water_line(shot.background, studio.set_dirs())  # where a boat floats
        acted = key_animation.plan_acting(shot, studio.character_dirs(),
                                          vehicles=props.shot_vehicles(shot, studio.prop_dirs()),
                                          water=water.y if water else None)
        keys = acted.keys
        rigs = {c: key_animation.load_rig(c, studio.character_dirs()) for c in {k.character for k in keys}}
        # Props go where the acting put them (a prop reached for, a load carried, a bicycle ridden).
        keys, placed = props.stage_props(key_animation.with_prop_marks(shot, acted), keys, rigs, studio.prop_dirs(),
                                         riders=acted.riders, water=water,
                                         ride_frames=acted.ride_frames)
    folder = store.fresh_stage(shot, Stage.keys)
    store.write_key_poses(shot, keys)
    store.write_prop_placements(shot, placed)
    # The realisation check reads which props the render used (ids, and who holds them) from here.
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, len(keys), clock, key_frames=", ".join(f"{k.character}@{k.frame}" for k in keys),
        props=props.describe_placements(placed), prop_ids=", ".join(p.prop for p in placed) or "none",
        prop_holders=", ".join(f"{p.prop}:{p.holder}" for p in placed if p.holder) or "none",
        prop_riders=", ".join(f"{p.prop}:{p.rider}" for p in placed if p.rider) or "none",
    ))


@dg.asset(partitions_def=shots_partitions, group_name=AXIS, kinds={"python"}, deps=[key_poses])
def line_art_keys(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Axis: the key drawings, one anti-aliased line-art frame (and region map) per key pose."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        keys = store.read_key_poses(shot)
        placed = store.read_prop_placements(shot)
        specs, prop_rigs = props.placement_specs(placed, studio.prop_dirs()), _prop_rigs(studio, placed)
    rigs = _rigs(studio, {k.character for k in keys})
    aspect = shot.width / shot.height
    last = None
    for i, key in enumerate(keys):
        # The key drawing with the props: standing ones where they stand, held (ridden) ones in this key's
        # hand (under it).
        now = [p.at_frame(key.frame) for p in placed]
        mine = [p for p in now if p.owner in (None, key.character)]
        at_key = {p.key: props.prop_pose_at(p, specs[p.prop], rigs, {key.character: key.pose}, aspect) for p in mine}
        scene = props.frame_drawables(rigs, {key.character: key.pose}, mine, prop_rigs, at_key)
        art = key_animation.draw_line_art(scene, shot.width, shot.height)
        write_gray_png(store.key_drawing_path(shot, i, key), 1.0 - art.line)
        last = art
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, store.stage_dir(shot.film_id, shot.slot, Stage.keys), len(keys), clock,
        preview=_ink_preview(last.line) if last is not None else None,
    ))


@dg.asset(partitions_def=shots_partitions, group_name=FLUX, kinds={"python"}, deps=[key_poses, dialogue_line, camera_plan])
def inbetweens(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Flux: every frame's pose by eased pose-space interpolation, each on-screen speaker's mouth
    following its line, drawn as line art + region map through the frame's camera (a close-up is drawn
    at the size it is seen)."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        keys = store.read_key_poses(shot)
        placed = store.read_prop_placements(shot)
        specs, prop_rigs = props.placement_specs(placed, studio.prop_dirs()), _prop_rigs(studio, placed)
        mouths = store.read_mouth_tracks(shot)
        # the camera plan has one key per rendered frame; Echo's re-frame widens it for every layer
        zoom_out = store.shot_revision(shot).zoom_out
        cameras = [zoomed_out(cam, zoom_out) for cam in store.read_camera_plan(shot)]
    rigs = _rigs(studio, sorted({k.character for k in keys}))
    poses = inbetweening.lip_sync_poses(inbetweening.inbetween_poses(keys, shot.total_frames, rigs), mouths)
    prop_poses = inbetweening.inbetween_prop_poses(placed, poses, rigs, specs, shot.total_frames, shot.width / shot.height)
    folder = store.fresh_stage(shot, Stage.inbetweens)
    # Props ride beside the characters as `prop:<key>`, so every reader of the poses sees them.
    store.write_inbetween_poses(shot, {**poses, **prop_poses})
    lines, regions = store.frames(shot, Layer.line), store.frames(shot, Layer.regions)
    preview, framing = None, []
    with FrameWriter() as writer:
        for f in range(shot.total_frames):
            at_f = {p.key: prop_poses[inbetweening.PROP_PREFIX + p.key][f] for p in placed}
            scene = props.frame_drawables(rigs, {c: poses[c][f] for c in poses}, inbetweening.placements_at(placed, f),
                                          prop_rigs, at_f)
            art = key_animation.draw_line_art(scene, shot.width, shot.height, camera=cameras[f])
            framing.append(FramedFrame(camera=cameras[f], stage_ground_y=art.stage_ground_y))
            writer.gray(lines.path(f), art.line)
            writer.gray(regions.path(f), art.regions.astype(np.uint8))
            if f == shot.frames // 2:
                preview = _ink_preview(art.line)
            progress.tick("Flux inbetweens", shot.slot, f + 1, shot.total_frames)
    store.write_framing(shot, framing)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, characters=", ".join(poses),
        props=", ".join(p.key for p in placed) or "none", speaking=", ".join(c for c in mouths if c in poses) or "none",
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
