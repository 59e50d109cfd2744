"""Anima in Dagster: every layer of a shot composited in linear light and framed by the camera."""


import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from resources.mlflow import MLflowResource
from resources.studio import StudioHome
from talos_assets import progress
from talos_assets.agents import coloring, lighting, render, title_card
from talos_assets.agents.inbetweening.raster import REGISTERED_AGENT as FLUX_AGENT, load_inbetweener
from talos_assets.agents.inbetweening.raster_shot import drawn_frames, linear_inbetweens
from talos_assets.agents.inpaint import repair_frame
from talos_assets.agents.effects.shot import any_behind, is_emissive
from talos_assets.agents.frames import FrameWriter, read_layer
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.defs.effects import effect_layers
from talos_assets.defs.paint import lit_frames
from talos_assets.defs.pools import ANIMA_POOL
from talos_assets.partitions import shots_partitions
from talos_assets.stores.studio import Layer, Stage

ANIMA = "anima_render"


def _layer_names(shot, weather) -> str:
    used = (("background", True), ("effects behind", any_behind(shot.effects)), ("shadow", True),
            ("character", True), ("effects", bool(shot.effects)), ("weather", weather.path(0).exists()))
    return ", ".join(name for name, on in used if on)


def _champion(vault, agent: str, load, fallback: str) -> tuple[object | None, str]:
    """(the agent's @champion model, which one), or (None, the `fallback` and why): cheap without one,
    a single Ichor query and MLflow untouched. `load` returns (model or None, why not)."""
    links = vault.model_links(agent)
    if not links:
        return None, f"{fallback} (no model registered: talos lab train {agent})"
    model, why = load()
    if model is None:
        return None, f"{fallback} ({why})"
    return model, f"{links[-1].registered_name} v{getattr(model, 'registered_version', '?')} @champion"


def lab_inpainter(vault, mlflow: MLflowResource) -> tuple[object | None, str]:
    """(Protoforge's inpainter, which one) when one is registered as @champion, else (None, why not):
    Anima then repairs with OpenCV, also when the weights fail their hash check (said why)."""
    def load():
        from protoforge.registry import load_registered

        try:
            return load_registered("inpaint", alias="champion", tracking_uri=mlflow.tracking_uri, device="cpu"), ""
        except ValueError as exc:  # none @champion, or weights failing their hash
            return None, f"learned model unavailable: {str(exc).split(';')[0]}"

    return _champion(vault, "inpaint", load, "OpenCV Navier-Stokes")


def flux_inbetweener(vault, mlflow: MLflowResource) -> tuple[object | None, str]:
    """(Protoforge's in-betweener, which one) when one is registered as @champion, else (None, why
    not): Flux then in-betweens with DIS optical flow. A registered model whose weights fail their
    hash check stops the render (`UnverifiedModel`): frames drawn by a tampered model are not passed off
    as the studio's."""
    return _champion(vault, FLUX_AGENT, lambda: (load_inbetweener(mlflow.tracking_uri), "no in-betweener is @champion"),
                     "DIS optical flow")


def _in_frame_order(staged, total: int, raster_inbetweens: int, model=None):
    """(frame, picture) for every frame of the shot in order: each staged, or, with raster
    in-betweens, the drawn frames staged and the frames between them in-betweened in pixels."""
    if not raster_inbetweens:
        yield from ((f, staged(f)) for f in range(total))
        return
    last, last_frame = None, None
    for f in drawn_frames(total, raster_inbetweens):
        frame = staged(f)
        if last is not None:
            yield from enumerate(linear_inbetweens(last_frame, frame, f - last - 1, model), start=last + 1)
        yield f, frame
        last, last_frame = f, frame


def _repair(rendered, frames: list[int], box, total: int, model=None) -> int:
    """Echo's inpaint revision on the written frames: each flagged frame (all, when none are named)
    repaired against its neighbours (with the learned `model` when given) and rewritten; returns the
    pixels replaced."""
    replaced = 0
    with FrameWriter() as writer:
        for f in sorted({f for f in (frames or range(total)) if 0 <= f < total}):
            before = read_layer(rendered.path(f - 1)) if f > 0 else None
            after = read_layer(rendered.path(f + 1)) if f + 1 < total else None
            fixed, count = repair_frame(read_layer(rendered.path(f)), before, after, box, model=model)
            if count:
                writer.layer(rendered.path(f), np.ascontiguousarray(fixed[..., :3]))
                replaced += count
    return replaced


def _optional(path):
    """A layer a stage writes only when the shot has it (effects behind, effects, weather)."""
    return read_layer(path) if path.exists() else None


@dg.asset(partitions_def=shots_partitions, group_name=ANIMA, kinds={"python"}, deps=[lit_frames, effect_layers],
          pool=ANIMA_POOL, retry_policy=TRANSIENT_RETRY)
def shot_render(context: dg.AssetExecutionContext, studio: StudioHome, ichor: IchorResource,
                mlflow: MLflowResource) -> dg.MaterializeResult:
    """Anima: background, effects behind, shadow, lit character and effects in front composited
    (premultiplied, linear light), bloom on emissive effects and lightning, the camera move, then the
    weather over the framed picture; 16-bit frames ready for the edit."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():  # a stage not materialized yet, a full disk: no retry
        lit, shadows = store.frames(shot, Layer.lit), store.frames(shot, Layer.shadow)
        fx, fx_back, weather = (store.frames(shot, layer) for layer in (Layer.effects, Layer.effects_back, Layer.weather))
        # a screenplay's centred text (> TITLE <) is its words on a plate, not the shot's layers
        card = (title_card.draw_title_card(shot.title_text, shot.palette, shot.width, shot.height)
                if shot.beat == "title" and shot.title_text else None)
        # the camera each frame was drawn through (the plan's, with Echo's re-frame): the set and the
        # effects are moved by it to meet the characters, drawn as framed. Read before the old render
        # is cleared: a missing stage leaves the last render as it was.
        framing = store.read_framing(shot) if card is None else []
        folder = store.fresh_stage(shot, Stage.render)
        rendered = store.frames(shot, Layer.render)
        background = read_layer(store.background_path(shot))
        emissive = is_emissive(shot)
        revision = store.shot_revision(shot)  # Echo's revision of the shot: identity when there is none
        on_twos = shot.raster_inbetweens if card is None else 0  # 1 = on twos, 2 = on threes...
        flux_model, inbetweener = flux_inbetweener(ichor.vault(), mlflow) if on_twos else (None, "")

        def staged(f: int) -> np.ndarray:
            """Frame f as the stage and the camera show it, before the weather."""
            if card is not None:
                return card
            layers = render.framed_layers(background, read_layer(shadows.path(f)), read_layer(lit.path(f)),
                                          framing[f].camera, _optional(fx_back.path(f)), _optional(fx.path(f)))
            frame = lighting.apply_exposure(render.composite(layers), revision.exposure_ev)
            if emissive:
                frame = render.add_bloom(frame, threshold=0.6, strength=0.5)
            return coloring.pull_to_palette(frame, shot.palette, revision.palette_pull)

        preview = None
        with FrameWriter() as writer:
            for f, frame in _in_frame_order(staged, shot.total_frames, on_twos, flux_model):
                if card is None:
                    frame = render.add_weather(frame, _optional(weather.path(f)))
                writer.layer(rendered.path(f), np.ascontiguousarray(frame[..., :3]))
                if f == shot.frames // 2:
                    preview = render.to_output_rgb8(frame)
                progress.tick("Anima render", shot.slot, f + 1, shot.total_frames)
        repaired, inpainter = 0, {}
        if revision.inpaint is not None and card is None:
            model, which = lab_inpainter(ichor.vault(), mlflow)
            repaired = _repair(rendered, revision.inpaint.frames, revision.inpaint.box, shot.total_frames, model)
            inpainter = {"inpainter": which}
        # a corrupt Ichor is the user's (StoreError); a locked one (another run writing) is transient:
        # OperationalError propagates and the step is retried
        ichor.vault().set_shot_render(shot.film_id, shot.slot, str(folder))
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, preview=preview,
        layers="title card" if card is not None else _layer_names(shot, weather),
        **({"raster_inbetweens": on_twos, "drawn_frames": len(drawn_frames(shot.total_frames, on_twos)),
            "inbetweener": inbetweener} if on_twos else {}),
        **({} if revision.is_identity else {"revision": revision.model_dump_json(exclude_defaults=True),
                                            "repaired_pixels": repaired, **inpainter}),
    ))
