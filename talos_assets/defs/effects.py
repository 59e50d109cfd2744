"""Stokes in Dagster: the shot's fluid effect layers simulated with NVIDIA Warp kernels, flowing around the
characters drawn by Flux (each frame's region map becomes a solid obstacle)."""


import dagster as dg
import numpy as np

from resources.studio import StudioHome
from resources.warp_device import WarpDeviceResource
from talos_assets import progress
from talos_assets.agents.frames import FrameWriter, read_gray_png, to_display_rgb8
from talos_assets.defs.animation import inbetweens
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.defs.direction import scene_graph
from talos_assets.defs.pools import STOKES_POOL
from talos_assets.partitions import shots_partitions
from talos_assets.stores.studio import Layer, Stage

STOKES = "stokes_effects"


@dg.asset(partitions_def=shots_partitions, group_name=STOKES, kinds={"python", "warp"}, deps=[scene_graph, inbetweens],
          pool=STOKES_POOL, retry_policy=TRANSIENT_RETRY)
def effect_layers(context: dg.AssetExecutionContext, studio: StudioHome, warp_device: WarpDeviceResource) -> dg.MaterializeResult:
    """Stokes: smoke/fire/ink/magic layers (RGBA, premultiplied, linear) from a Warp fluid solver, with the
    characters' silhouettes as obstacles and the shot's arousal setting the intensity; none when the shot
    has no effects."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():  # a bad effect spec, a missing region map, a full disk: no retry
        folder = store.fresh_stage(shot, Stage.effects)
        if not shot.effects:
            return dg.MaterializeResult(metadata=shot_metadata(shot, folder, 0, clock, effects="none", device="-"))
        device = warp_device.device_name()  # before the kernels import, so Warp starts quietly with our cache
        from talos_assets.agents.effects.render import render_effect_frames

        region_maps, effect_frames = store.frames(shot, Layer.regions), store.frames(shot, Layer.effects)
        n_masks = 0

        def character_mask(f: int) -> np.ndarray | None:
            # Region maps are uint8, > 0 where a character is; a shot without characters (or without an
            # in-between for this frame) has no obstacle.
            nonlocal n_masks
            path = region_maps.path(f)
            if not path.exists():
                return None
            n_masks += 1
            return read_gray_png(path, as_float=False)

        preview, coverage = None, []
        frames = render_effect_frames(shot.effects, shot.palette, shot.width, shot.height, shot.total_frames, shot.fps,
                                      seed=shot.seed, device=device, arousal=shot.arousal, emotion=shot.emotion,
                                      obstacles=character_mask)
        with FrameWriter() as writer:
            for f, layer in enumerate(frames):
                writer.layer(effect_frames.path(f), layer)
                coverage.append(float(np.mean(layer[..., 3] > 0.05)))
                if f == shot.frames // 2:
                    preview = to_display_rgb8(layer)
                progress.tick("Stokes fluids", shot.slot, f + 1, shot.total_frames)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, len(coverage), clock, preview=preview, device=device,
        effects=", ".join(e.kind.value for e in shot.effects), mean_coverage=round(float(np.mean(coverage)), 4),
        obstacle_frames=n_masks, arousal=round(float(shot.arousal), 3),
    ))
