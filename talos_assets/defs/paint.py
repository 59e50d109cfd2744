"""Chroma and Raygen in Dagster: colored frames from line art + palette, then lit frames, cast
shadows and the shot's painted background plate (kept in the Aether vault)."""


import cv2
import dagster as dg
import numpy as np

from resources.aether import AetherResource
from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import coloring, lighting
from talos_assets.agents.frames import FrameWriter, decode_srgb, encode_srgb16, read_gray_png, read_layer, to_display_rgb8, write_layer_png
from talos_assets.defs.animation import inbetweens
from talos_assets.defs.common import StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.partitions import shots_partitions
from talos_assets.spec import ShotPlan
from talos_assets.stores.studio import Layer, Stage, write_json

CHROMA, RAYGEN = "chroma_coloring", "raygen_lighting"


@dg.asset(partitions_def=shots_partitions, group_name=CHROMA, kinds={"python"}, deps=[inbetweens])
def colored_frames(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Chroma: closed regions of each line-art frame filled from the palette, graded for the mood."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():  # in-betweens not drawn yet, a full disk: one sentence
        lines, region_maps = store.frames(shot, Layer.line), store.frames(shot, Layer.regions)
        folder = store.fresh_stage(shot, Stage.colored)
        colored = store.frames(shot, Layer.colored)
        preview, region_counts = None, []
        with FrameWriter() as writer:
            for f in range(shot.total_frames):
                line = read_gray_png(lines.path(f))
                regions = read_gray_png(region_maps.path(f), as_float=False)
                rgba = coloring.color_frame(line, regions, shot.palette)
                rgba = coloring.color_transfer_for_mood(rgba, shot.valence, shot.arousal)
                writer.layer(colored.path(f), rgba)
                if f % 8 == 0:
                    region_counts.append(int(coloring.segment_regions(line).max()))
                if f == shot.frames // 2:
                    preview = to_display_rgb8(rgba)
                progress.tick("Chroma color", shot.slot, f + 1, shot.total_frames)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, palette=shot.palette.name,
        mean_closed_regions=round(float(np.mean(region_counts)), 1) if region_counts else 0.0,
    ))


def background_plate(aether: AetherResource, shot: ShotPlan) -> np.ndarray:
    """The shot's backdrop, painted once per (preset, palette, size) and kept content-addressed in
    Aether; always returned as decoded from the stored bytes, so a first and a later run agree."""
    vault = aether.vault()
    name = f"{shot.background}.{shot.palette.name}.{shot.width}x{shot.height}"[:64].lower()
    payload = vault.get("background", name)
    if payload is None:
        plate = lighting.paint_background(shot.background, shot.palette, shot.width, shot.height, seed=0)
        ok, buf = cv2.imencode(".png", encode_srgb16(np.ascontiguousarray(plate[..., 2::-1])))
        if not ok:
            raise dg.Failure(f"could not encode the background plate {name}")
        payload = buf.tobytes()
        vault.put("background", name, payload)
    raw = cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_UNCHANGED)
    rgb = decode_srgb(np.ascontiguousarray(raw[..., ::-1]))
    return np.concatenate([rgb, np.ones_like(rgb[..., :1])], axis=2)


@dg.asset(partitions_def=shots_partitions, group_name=RAYGEN, kinds={"python"}, deps=[colored_frames])
def lit_frames(context: dg.AssetExecutionContext, studio: StudioHome, aether: AetherResource) -> dg.MaterializeResult:
    """Raygen: 2.5D cel lighting (normals from region shapes, key + rim), a cast shadow per frame and
    the painted background plate."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    light = lighting.light_for_emotion(shot.emotion, shot.valence, shot.arousal)
    with user_errors_as_failures():  # colors not painted yet, a full disk: one sentence
        lines, colored_layers = store.frames(shot, Layer.line), store.frames(shot, Layer.colored)
        folder = store.fresh_stage(shot, Stage.lit)
        lit_layers, shadows = store.frames(shot, Layer.lit), store.frames(shot, Layer.shadow)
        write_layer_png(store.background_path(shot), background_plate(aether, shot))
        write_json(store.key_light_path(shot), light.model_dump_json(indent=1))
        preview = None
        with FrameWriter() as writer:
            for f in range(shot.total_frames):
                colored = read_layer(colored_layers.path(f))
                line = read_gray_png(lines.path(f))
                lit = lighting.light_character(colored, line, light)
                shadow = lighting.drop_shadow(colored, light, lighting.ground_line(colored[..., 3]))
                writer.layer(lit_layers.path(f), lit)
                writer.layer(shadows.path(f), shadow)
                if f == shot.frames // 2:
                    preview = to_display_rgb8(lit)
                progress.tick("Raygen light", shot.slot, f + 1, shot.total_frames)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, key_light_azimuth=light.azimuth_deg,
        key_light_color=light.color, background=shot.background,
    ))
