"""Chroma and Raygen in Dagster: colored frames from line art + palette, then lit frames, cast
shadows and the shot's set plate (painted by the set library, kept in the Aether vault)."""

from collections.abc import Sequence
from pathlib import Path

import cv2
import dagster as dg
import numpy as np

from resources.aether import AetherResource
from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import coloring, lighting, sets
from talos_assets.agents.camera_framing import stage_to_frame_y
from talos_assets.agents.frames import (
    FrameWriter, atomic_write_bytes, decode_srgb, encode_srgb16, read_gray_png, read_layer, to_display_rgb8,
)
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


def plate_seed(shot: ShotPlan) -> int:
    """Every shot of a scene gets the same plate (trees and houses stay put across the cut)."""
    return shot.scene_index


def background_plate_png(aether: AetherResource, shot: ShotPlan, set_dirs: Sequence[Path | str] = ()) -> bytes:
    """The shot's set painted for its setting, palette and size as a 16-bit sRGB PNG, kept in the
    Aether vault under a hash of everything that determines the pixels (`sets.plate_key`): painted
    and stored on the first request, read back on every later one."""
    vault = aether.vault()
    setting = sets.shot_setting(shot.background, shot.setting)
    spec = sets.load_set(setting.place, set_dirs)
    seed = plate_seed(shot)
    name = sets.plate_key(spec, setting, shot.palette, shot.width, shot.height, seed)
    payload = vault.get("background", name)
    if payload is None:
        plate = sets.paint_set(spec, setting, shot.palette, shot.width, shot.height, seed=seed)
        # lossless either way; the fastest deflate level encodes a 4K plate several times faster
        ok, buf = cv2.imencode(".png", encode_srgb16(np.ascontiguousarray(plate[..., 2::-1])), [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:
            raise dg.Failure(f"could not encode the background plate {name}")
        payload = buf.tobytes()
        vault.put("background", name, payload)
    return payload


def background_plate(aether: AetherResource, shot: ShotPlan, set_dirs: Sequence[Path | str] = ()) -> np.ndarray:
    """The shot's plate (H, W, 4) linear light, always decoded from the stored bytes, so a first and
    a later run agree."""
    payload = background_plate_png(aether, shot, set_dirs)
    raw = cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_UNCHANGED)
    rgb = decode_srgb(cv2.cvtColor(raw, cv2.COLOR_BGR2RGB))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA)  # alpha 1


@dg.asset(partitions_def=shots_partitions, group_name=RAYGEN, kinds={"python"}, deps=[colored_frames])
def lit_frames(context: dg.AssetExecutionContext, studio: StudioHome, aether: AetherResource) -> dg.MaterializeResult:
    """Raygen: 2.5D cel lighting (normals from region shapes, key + rim) from the set's sun, moon or
    lamp, a cast shadow per frame away from it, and the set's plate for the shot's setting."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():  # colors not painted yet, an unknown or broken set, a full disk: one sentence
        setting = sets.shot_setting(shot.background, shot.setting)
        spec = sets.load_set(setting.place, studio.set_dirs())
        light = lighting.light_for_setting(setting, spec, shot.emotion, shot.valence, shot.arousal)
        lines, colored_layers = store.frames(shot, Layer.line), store.frames(shot, Layer.colored)
        framing = store.read_framing(shot)
        folder = store.fresh_stage(shot, Stage.lit)
        lit_layers, shadows = store.frames(shot, Layer.lit), store.frames(shot, Layer.shadow)
        # the vault's PNG is the shot's background file as it is: no decode and re-encode per shot
        atomic_write_bytes(store.background_path(shot), background_plate_png(aether, shot, studio.set_dirs()))
        write_json(store.key_light_path(shot), light.model_dump_json(indent=1))
        preview = None
        with FrameWriter() as writer:
            for f in range(shot.total_frames):
                colored = read_layer(colored_layers.path(f))
                line = read_gray_png(lines.path(f))
                # the figures are drawn as framed: light and shadow in the frame, scaled by its zoom,
                # the shadow cast on the stage's ground as the camera sees it
                framed = framing[f]
                lit = lighting.light_character(colored, line, light, scale=framed.camera.zoom)
                ground = (lighting.ground_line(colored[..., 3]) if framed.stage_ground_y is None else
                          stage_to_frame_y(framed.camera, framed.stage_ground_y, shot.width, shot.height))
                shadow = lighting.drop_shadow(colored, light, ground, scale=framed.camera.zoom)
                writer.layer(lit_layers.path(f), lit)
                writer.layer(shadows.path(f), shadow)
                if f == shot.frames // 2:
                    preview = to_display_rgb8(lit)
                progress.tick("Raygen light", shot.slot, f + 1, shot.total_frames)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview, key_light_azimuth=light.azimuth_deg,
        key_light_elevation=light.elevation_deg, key_light_color=light.color,
        key_light_intensity=round(light.intensity, 3), background=setting.place, set_id=setting.place,
        set_interior=spec.interior, set_horizon=spec.horizon, time_of_day=setting.time_of_day.value,
        weather=setting.weather.value, season=setting.season.value if setting.season else "",
        light_sources=", ".join(setting.light_sources) or ", ".join(spec.lights),
    ))
