"""Stokes in Dagster: the shot's effect layers (Warp fluids and particles) at their anchors, flowing around
the characters drawn by Flux (each frame's region map becomes a solid obstacle), split into the pass
behind the characters and the pass in front, plus the moving weather layer of the shot's setting."""


import dagster as dg
import numpy as np

from resources.studio import StudioHome
from resources.warp_device import WarpDeviceResource
from talos_assets import progress
from talos_assets.agents.camera_framing import frame_to_stage
from talos_assets.agents.effects import shot as stokes
from talos_assets.agents.frames import FrameWriter, read_gray_png, to_display_rgb8
from talos_assets.defs.animation import inbetweens
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.defs.direction import scene_graph
from talos_assets.defs.pools import STOKES_POOL
from talos_assets.partitions import shots_partitions
from talos_assets.stores.studio import Layer, Stage

STOKES = "stokes_effects"


def _tracks(shot, store, studio: StudioHome, geometry):
    """Each effect's anchor track, reading the in-between poses only when an anchor needs them."""
    poses = rigs = None
    if stokes.needs_poses(shot.effects):
        poses = store.read_inbetween_poses(shot)
        rigs = stokes.load_anchor_rigs(list(poses), studio.character_dirs(), studio.prop_dirs())
    return stokes.shot_tracks(shot, poses, rigs, geometry.horizon)


def _obstacles(store, shot):
    region_maps = store.frames(shot, Layer.regions)
    used, framing = [0], []

    def character_mask(f: int) -> np.ndarray | None:
        # Region maps are uint8, > 0 where a character is; a shot without characters (or without an
        # in-between for this frame) has no obstacle. Flux drew them as framed: the fluid runs on the
        # stage, so each map goes back through its frame's camera (what the camera cut off is free).
        path = region_maps.path(f)
        if not path.exists():
            return None
        if not framing:
            framing.extend(store.read_framing(shot))
        used[0] += 1
        return frame_to_stage(read_gray_png(path, as_float=False), framing[f].camera)

    return character_mask, used


@dg.asset(partitions_def=shots_partitions, group_name=STOKES, kinds={"python", "warp"}, deps=[scene_graph, inbetweens],
          pool=STOKES_POOL, retry_policy=TRANSIENT_RETRY)
def effect_layers(context: dg.AssetExecutionContext, studio: StudioHome, warp_device: WarpDeviceResource) -> dg.MaterializeResult:
    """Stokes: fluid and particle effect layers (RGBA, premultiplied, linear) at their anchors (a joint,
    the horizon, the ground, the sky, a prop), behind or in front of the characters, with the characters'
    silhouettes as obstacles and the shot's arousal setting the intensity; and the setting's weather (rain,
    snow, wind, a storm's lightning) as a moving layer. None when the shot has neither."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():  # a bad effect spec, a missing region map, a full disk: no retry
        folder = store.fresh_stage(shot, Stage.effects)
        geometry = stokes.set_geometry(shot, studio.set_dirs())
        weather = stokes.shot_weather(shot, geometry)
        if not shot.effects and not weather.active:
            return dg.MaterializeResult(metadata=shot_metadata(shot, folder, 0, clock, effects="none", device="-"))
        # before the kernels import, so Warp starts quietly with our cache; particles alone never start it
        device = warp_device.device_name() if stokes.uses_fluids(shot.effects) else "-"
        from talos_assets.agents.effects.render import render_effect_passes

        tracks = _tracks(shot, store, studio, geometry)
        character_mask, n_masks = _obstacles(store, shot)
        passes = render_effect_passes(
            shot.effects, shot.palette, shot.width, shot.height, shot.total_frames, shot.fps, seed=shot.seed,
            device=device, arousal=shot.arousal, emotion=shot.emotion, obstacles=character_mask,
            tracks=[t.points if t.moving or e.anchor else None for e, t in zip(shot.effects, tracks)],
            joint_anchored=stokes.joint_anchored(shot.effects, tracks), figures=[t.figure for t in tracks])
        preview, coverage = _write_passes(shot, store, passes, weather)
    summary = stokes.effects_summary(shot.effects, tracks, weather, geometry)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, device=device,
        effects=", ".join(e.kind.value for e in shot.effects) or "none",
        effect_anchors=", ".join(f"{k}@{a}{' (behind)' if b else ''}" for k, a, b in
                                 zip(summary["kinds"], summary["anchors"], summary["behind"])) or "none",
        weather=summary["weather"], weather_layers=", ".join(summary["weather_layers"]) or "none",
        stokes=dg.MetadataValue.json(summary),
        mean_coverage=round(float(np.mean(coverage["front"])), 4) if coverage["front"] else 0.0,
        back_coverage=round(float(np.mean(coverage["back"])), 4) if coverage["back"] else 0.0,
        weather_coverage=round(float(np.mean(coverage["weather"])), 4) if coverage["weather"] else 0.0,
        obstacle_frames=n_masks[0], arousal=round(float(shot.arousal), 3),
    ))


def _write_passes(shot, store, passes, weather):
    """Write each frame's front (and, when used, back) effect pass and weather layer; the preview shows
    them composited (back, front, weather) at the middle of the shot."""
    front_seq, back_seq, weather_seq = (store.frames(shot, layer) for layer in (Layer.effects, Layer.effects_back, Layer.weather))
    any_back = stokes.any_behind(shot.effects)
    coverage: dict[str, list[float]] = {"front": [], "back": [], "weather": []}
    preview = None
    with FrameWriter() as writer:
        for f in range(shot.total_frames):
            p = next(passes) if shot.effects else None
            sky = weather.frame(f) if weather.active else None
            if p is not None:
                writer.layer(front_seq.path(f), p.front)
                coverage["front"].append(float(np.mean(p.front[..., 3] > 0.05)))
                if any_back:
                    writer.layer(back_seq.path(f), p.back)
                    coverage["back"].append(float(np.mean(p.back[..., 3] > 0.05)))
            if sky is not None:
                writer.layer(weather_seq.path(f), sky)
                coverage["weather"].append(float(np.mean(sky[..., 3] > 0.05)))
            if f == shot.frames // 2:
                shown = [x for x in ((p.back, p.front) if p is not None else ()) + (sky,) if x is not None]
                preview = to_display_rgb8(_stack(shown))
            progress.tick("Stokes effects", shot.slot, f + 1, shot.total_frames)
    return preview, coverage


def _stack(layers: list[np.ndarray]) -> np.ndarray:
    out = np.zeros_like(layers[0])
    for layer in layers:
        out = layer + out * (1.0 - layer[..., 3:4])
    return out
