"""Anima in Dagster: every layer of a shot composited in linear light and framed by the camera."""


import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import render
from talos_assets.agents.frames import FrameWriter, read_layer
from talos_assets.defs.common import StageClock, frame_name, shot_metadata, shot_plan_for
from talos_assets.defs.direction import camera_plan, load_camera_plan
from talos_assets.defs.effects import effect_layers
from talos_assets.defs.paint import lit_frames
from talos_assets.partitions import shots_partitions
from talos_assets.spec import EffectKind

ANIMA = "anima_render"


@dg.asset(partitions_def=shots_partitions, group_name=ANIMA, kinds={"python"}, deps=[lit_frames, effect_layers, camera_plan])
def shot_render(context: dg.AssetExecutionContext, studio: StudioHome, ichor: IchorResource) -> dg.MaterializeResult:
    """Anima: background, shadow, lit character and effects composited (premultiplied, linear light),
    bloom on emissive fire, then the camera move; 16-bit frames ready for the edit."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    cams = load_camera_plan(studio, shot)
    lit = studio.shot_dir(shot.film_id, shot.slot, "lit")
    fx = studio.shot_dir(shot.film_id, shot.slot, "effects")
    folder = studio.fresh_shot_dir(shot.film_id, shot.slot, "render")
    background = read_layer(lit / "background.png")
    emissive = any(e.kind in (EffectKind.fire, EffectKind.magic) for e in shot.effects)
    preview = None
    with FrameWriter() as writer:
        for f in range(shot.total_frames):
            layers = [background, read_layer(lit / frame_name(f, "shadow_")), read_layer(lit / frame_name(f))]
            fx_path = fx / frame_name(f)
            if fx_path.exists():
                layers.append(read_layer(fx_path))
            frame = render.composite(layers)
            if emissive:
                frame = render.add_bloom(frame, threshold=0.6, strength=0.5)
            frame = render.apply_camera(frame, render.interpolate_camera(cams, f) if len(cams) <= f else cams[f])
            writer.layer(folder / frame_name(f), np.ascontiguousarray(frame[..., :3]))
            if f == shot.frames // 2:
                preview = render.to_output_rgb8(frame)
            progress.tick("Anima render", shot.slot, f + 1, shot.total_frames)
    ichor.vault().set_shot_render(shot.film_id, shot.slot, str(folder))
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, layers="background, shadow, character" + (", effects" if shot.effects else ""),
    ))
