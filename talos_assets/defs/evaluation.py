"""Echo in Dagster: the film is decoded and measured shot by shot (temporal flicker, exposure, beat
sync) and Chroma's fills are checked against the palette; scores and revision requests go to Ichor
and the report next to the film. Echo's gates are asset checks on `evaluation`."""


from pathlib import Path

import av
import cv2
import dagster as dg
import numpy as np

from resources.ichor import IchorResource, IchorVault
from resources.mlflow import MLflowResource
from resources.studio import StudioHome
from talos_assets.agents import editing as cut_tools
from talos_assets.agents import evaluation as echo
from talos_assets.agents.frames import read_layer, to_display_rgb8
from talos_assets.defs.common import StageClock, frame_name, load_film_plan, write_json
from talos_assets.defs.editing import delivery_paths, film, load_cuts
from talos_assets.partitions import films_partitions
from talos_assets.spec import BeatGrid, ShotPlan

ECHO = "echo_feedback"
GATES = {
    "temporal_stability": "no shot flickers beyond the limit (else: inpaint request)",
    "look": "palette adherence and exposure within limits (else: tone request)",
    "beat_sync": "every cut within one frame of a beat where the shot's handles allow (else: re-time request)",
}


def decoded_film_frames(path: Path, width: int = 320):
    """The delivered film's frames, decoded and downscaled (flicker is a low-frequency measure)."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            h = int(round(rgb.shape[0] * width / rgb.shape[1]))
            yield cv2.resize(rgb, (width, h), interpolation=cv2.INTER_AREA)


def graded_swatches(shot: ShotPlan) -> list[tuple[float, float, float]]:
    """The palette as Chroma's mood grade renders it for this shot: a deliberate look, not a drift."""
    from talos_assets.agents.coloring import color_transfer_for_mood
    from talos_assets.agents.frames import hex_to_linear, linear_to_srgb

    swatch = np.stack([hex_to_linear(c) for c in shot.palette.swatches.values()])[None]
    rgba = np.concatenate([swatch, np.ones_like(swatch[..., :1])], axis=2).astype(np.float32)
    graded = linear_to_srgb(color_transfer_for_mood(rgba, shot.valence, shot.arousal)[..., :3])[0]
    return [tuple(float(x) for x in c) for c in graded]


def chroma_palette_adherence(studio: StudioHome, shot: ShotPlan, every: int = 6) -> float:
    """Share of Chroma's filled pixels that stay on the shot's (mood-graded) palette, sampled frames,
    inside the figure."""
    folder = studio.shot_dir(shot.film_id, shot.slot, "colored")
    graded = graded_swatches(shot)
    scores = []
    for f in range(0, shot.frames, every):
        layer = read_layer(folder / frame_name(f))
        alpha = layer[..., 3]
        straight = layer.copy()
        straight[..., :3] = np.where(alpha[..., None] > 1e-3, layer[..., :3] / np.maximum(alpha[..., None], 1e-3), 0)
        value = echo.palette_adherence(to_display_rgb8(straight), shot.palette, mask=alpha > 0.99, extra_colors=graded)
        if np.isfinite(value):
            scores.append(value)
    return float(np.mean(scores)) if scores else float("nan")


def text_alignment(vault: IchorVault, mlflow: MLflowResource, clips: dict[str, list[np.ndarray]],  # a few frames per slot
                   shots: dict[str, ShotPlan]) -> tuple[dict[str, float], str]:
    """Echo's learned path: with a CLIP that Protoforge trained and registered (`talos lab train echo`),
    how much closer each shot's frames sit to their own line of script than to the other shots'.
    Returns ({slot: margin}, model description); empty when no model is registered."""
    links = vault.model_links("echo")
    if not links or len(shots) < 2:
        return {}, "none registered (talos lab train echo)"
    from protoforge.models.components.tiny_clip import alignment_score
    from protoforge.registry import load_registered

    try:
        model = load_registered("echo", alias="champion", tracking_uri=mlflow.tracking_uri)
    except ValueError as exc:
        return {}, f"unavailable: {exc}"
    slots = list(shots)
    captions = [f"{shots[s].description}. {shots[s].emotion.value}" for s in slots]
    margins = {}
    for i, slot in enumerate(slots):
        sample = clips.get(slot) or []
        if not sample:
            continue
        sims = np.asarray(alignment_score(model, np.stack(sample), captions))
        own = sims[:, i].mean()
        others = np.delete(sims, i, axis=1).mean()
        margins[slot] = float(own - others)
    link = links[-1]
    return margins, f"{link.registered_name} v{link.version} @champion"


@dg.asset(
    partitions_def=films_partitions, group_name=ECHO, kinds={"python"}, deps=[film],
    check_specs=[dg.AssetCheckSpec(name, asset="evaluation", description=text) for name, text in GATES.items()],
)
def evaluation(context: dg.AssetExecutionContext, studio: StudioHome, ichor: IchorResource,
               mlflow: MLflowResource) -> dg.MaterializeResult:
    """Echo: measurable checks of the finished film, per shot and overall, with revision requests."""
    clock = StageClock()
    plan = load_film_plan(studio, context.partition_key)
    cuts = load_cuts(studio, plan.film_id)
    beats = BeatGrid.model_validate_json((studio.film_dir(plan.film_id) / "beat_grid.json").read_text())
    offsets = cut_tools.beat_sync_offsets(cuts, beats, plan.fps)
    shots = {s.slot: s for s in plan.shots}
    film_path = delivery_paths(plan.film_id, Path(studio.renders))["film"]
    if not film_path.exists():
        raise dg.Failure(f"film '{plan.film_id}' has not been encoded: materialize film first.")

    # one clip's frames in memory at a time: scored when the clip ends, then dropped
    vault = ichor.vault()
    per_shot: dict[str, dict[str, float]] = {}
    samples: dict[str, list[np.ndarray]] = {}
    clip_of_frame = np.concatenate([np.full(c.source_frames, k) for k, c in enumerate(cuts)])
    current: list[np.ndarray] = []
    decoded = 0

    def finish(k: int) -> None:
        cut, shot = cuts[k], shots[cuts[k].slot]
        # a transition into this clip blends two shots (or dips to black): not this shot's own flicker
        own = current[cuts[k - 1].transition_frames:] if k > 0 else current
        scores = echo.score_frames(own, shot.palette) if own else {"frames": 0.0}
        scores["palette_adherence"] = chroma_palette_adherence(studio, shot)
        if k < len(cuts) - 1:  # the last cut is the end of the film, not an edit point
            scores["beat_offset_frames"] = float(offsets[k])
        per_shot[cut.slot] = scores
        samples[cut.slot] = current[:: max(1, len(current) // 8)]

    clip = 0
    for i, rgb in enumerate(decoded_film_frames(film_path)):
        decoded += 1
        k = int(clip_of_frame[min(i, len(clip_of_frame) - 1)])
        if k != clip:
            finish(clip)
            current, clip = [], k
        current.append(rgb)
    finish(clip)
    alignment, align_model = text_alignment(vault, mlflow, samples, shots)
    for slot, margin in alignment.items():
        per_shot[slot]["text_alignment"] = margin
    per_shot = {shots[slot].shot_id: scores for slot, scores in per_shot.items()}
    report = echo.build_report(plan.film_id, per_shot, film_scores={"decoded_frames": float(decoded)})

    for shot_id, scores in per_shot.items():
        for metric, value in scores.items():
            if np.isfinite(value):
                vault.record_evaluation(plan.film_id, metric, value, shot_id=shot_id)
    for gate, passed in report.gates.items():
        vault.record_evaluation(plan.film_id, f"gate:{gate}", 1.0 if passed else 0.0, passed=passed)
    for line in report.revision_requests:
        shot_id, kind, reason = (line.split(": ", 2) + ["", ""])[:3]
        vault.record_revision(plan.film_id, kind, reason, shot_id=shot_id)
    out = delivery_paths(plan.film_id, Path(studio.renders))["evaluation"]
    write_json(out, report.model_dump_json(indent=1))

    def fmt(v: float) -> str:
        return f"{v:.3f}" if np.isfinite(v) else "-"

    rows = "\n".join(f"| {sid} | {fmt(s.get('flicker', np.nan))} | {fmt(s.get('palette_adherence', np.nan))} | "
                     f"{fmt(s.get('mean_luma', np.nan))} | {fmt(s.get('beat_offset_frames', np.nan))} |" for sid, s in per_shot.items())
    requests_by_kind = {g: [r for r in report.revision_requests if f": {k}: " in r]
                        for g, k in (("temporal_stability", "inpaint"), ("look", "tone"), ("beat_sync", "re-time"))}
    return dg.MaterializeResult(
        metadata={
            "decoded_frames": decoded, "path": dg.MetadataValue.path(str(out)), "seconds": round(clock.seconds, 3),
            **{k: round(v, 4) for k, v in report.scores.items() if np.isfinite(v)},
            "revision_requests": len(report.revision_requests), "alignment_model": align_model,
            "per_shot": dg.MetadataValue.md("| shot | flicker (L*) | palette | luma | beat offset (frames) |\n|---|---|---|---|---|\n" + rows),
        },
        check_results=[
            dg.AssetCheckResult(check_name=gate, passed=bool(report.gates.get(gate, True)),
                                metadata={"reason": "; ".join(requests_by_kind[gate]) or "ok"})
            for gate in GATES
        ],
    )
