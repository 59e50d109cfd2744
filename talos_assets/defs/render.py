"""Anima in Dagster: every layer of a shot composited in linear light and framed by the camera."""


import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import render
from talos_assets.agents.frames import FrameWriter, read_layer
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.defs.direction import camera_plan
from talos_assets.defs.effects import effect_layers
from talos_assets.defs.paint import lit_frames
from talos_assets.defs.pools import ANIMA_POOL
from talos_assets.partitions import shots_partitions
from talos_assets.spec import EffectKind
from talos_assets.stores.studio import Layer, Stage

ANIMA = "anima_render"


@dg.asset(partitions_def=shots_partitions, group_name=ANIMA, kinds={"python"}, deps=[lit_frames, effect_layers, camera_plan],
          pool=ANIMA_POOL, retry_policy=TRANSIENT_RETRY)
def shot_render(context: dg.AssetExecutionContext, studio: StudioHome, ichor: IchorResource) -> dg.MaterializeResult:
    """Anima: background, shadow, lit character and effects composited (premultiplied, linear light),
    bloom on emissive fire, then the camera move; 16-bit frames ready for the edit."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():  # a stage not materialized yet, a full disk: no retry
        cams = store.read_camera_plan(shot)
        lit, shadows, fx = store.frames(shot, Layer.lit), store.frames(shot, Layer.shadow), store.frames(shot, Layer.effects)
        folder = store.fresh_stage(shot, Stage.render)
        rendered = store.frames(shot, Layer.render)
        background = read_layer(store.background_path(shot))
        emissive = any(e.kind in (EffectKind.fire, EffectKind.magic) for e in shot.effects)
        preview = None
        with FrameWriter() as writer:
            for f in range(shot.total_frames):
                layers = [background, read_layer(shadows.path(f)), read_layer(lit.path(f))]
                fx_path = fx.path(f)
                if fx_path.exists():
                    layers.append(read_layer(fx_path))
                frame = render.composite(layers)
                if emissive:
                    frame = render.add_bloom(frame, threshold=0.6, strength=0.5)
                frame = render.apply_camera(frame, cams[f])  # the camera plan has one key per rendered frame
                writer.layer(rendered.path(f), np.ascontiguousarray(frame[..., :3]))
                if f == shot.frames // 2:
                    preview = render.to_output_rgb8(frame)
                progress.tick("Anima render", shot.slot, f + 1, shot.total_frames)
        # a corrupt Ichor is the user's (StoreError); a locked one (another run writing) is transient:
        # OperationalError propagates and the step is retried
        ichor.vault().set_shot_render(shot.film_id, shot.slot, str(folder))
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, layers="background, shadow, character" + (", effects" if shot.effects else ""),
    ))
