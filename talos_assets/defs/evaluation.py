"""Echo in Dagster: the film is decoded and measured shot by shot (temporal flicker, exposure, beat
sync) and Chroma's fills are checked against the palette; scores and revision requests go to Ichor
and the report next to the film. Echo's gates are asset checks on `evaluation`."""


import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from talos_assets.stores.ichor import IchorVault
from resources.mlflow import MLflowResource
from resources.studio import StudioHome
from talos_assets.agents import editing as cut_tools
from talos_assets.agents import evaluation as echo
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, user_errors_as_failures
from talos_assets.defs.editing import film
from talos_assets.partitions import films_partitions
from talos_assets.spec import BeatGrid, ShotPlan
from talos_assets.stores.studio import Layer, write_json

ECHO = "echo_feedback"
GATES = {
    "temporal_stability": "no shot flickers beyond the limit (else: inpaint request)",
    "look": "palette adherence and exposure within limits (else: tone request)",
    "beat_sync": "every cut within one frame of a beat where the shot's handles allow (else: re-time request)",
}


def text_alignment(vault: IchorVault, mlflow: MLflowResource, clips: dict[str, list[np.ndarray]],  # a few frames per slot
                   shots: dict[str, ShotPlan]) -> tuple[dict[str, float], str]:
    """Echo's learned path when Protoforge has registered a CLIP: ({slot: margin}, model description);
    empty when no model is registered."""
    links = vault.model_links("echo")
    if not links or len(shots) < 2:
        return {}, "none registered (talos lab train echo)"
    from protoforge.registry import load_registered

    try:
        model = load_registered("echo", alias="champion", tracking_uri=mlflow.tracking_uri)
    except ValueError as exc:
        return {}, f"unavailable: {exc}"
    link = links[-1]
    return echo.text_alignment_margins(model, clips, shots), f"{link.registered_name} v{link.version} @champion"


@dg.asset(
    partitions_def=films_partitions, group_name=ECHO, kinds={"python"}, deps=[film], retry_policy=TRANSIENT_RETRY,
    check_specs=[dg.AssetCheckSpec(name, asset="evaluation", description=text) for name, text in GATES.items()],
)
def evaluation(context: dg.AssetExecutionContext, studio: StudioHome, ichor: IchorResource,
               mlflow: MLflowResource) -> dg.MaterializeResult:
    """Echo: measurable checks of the finished film, per shot and overall, with revision requests."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
        cuts = store.read_cuts(plan.film_id)
        beats = BeatGrid.model_validate_json(store.read_beat_grid_json(plan.film_id))
    offsets = cut_tools.beat_sync_offsets(cuts, beats, plan.fps)
    shots = {s.slot: s for s in plan.shots}
    delivery = store.delivery(plan.film_id)
    film_path = delivery.film
    if not film_path.exists():
        raise dg.Failure(f"film '{plan.film_id}' has not been encoded: materialize film first.", allow_retries=False)

    with user_errors_as_failures():
        vault = ichor.vault()
    # sample frames only for a registered CLIP: they are the one part of the pass that grows with the film
    wants_samples = bool(vault.model_links("echo")) and len(shots) >= 2
    per_shot, samples, decoded = echo.score_clips(echo.decoded_film_frames(film_path), cuts, shots, offsets,
                                                  lambda shot: store.frames(shot, Layer.colored),
                                                  samples_per_clip=echo.SAMPLES_PER_CLIP if wants_samples else 0)
    alignment, align_model = text_alignment(vault, mlflow, samples, shots)
    for slot, margin in alignment.items():
        per_shot[slot]["text_alignment"] = margin
    per_shot = {shots[slot].shot_id: scores for slot, scores in per_shot.items()}
    report = echo.build_report(plan.film_id, per_shot, film_scores={"decoded_frames": float(decoded)})

    score_rows = [(shot_id, metric, value, None) for shot_id, scores in per_shot.items()
                  for metric, value in scores.items() if np.isfinite(value)]
    score_rows += [(None, f"gate:{gate}", 1.0 if passed else 0.0, passed) for gate, passed in report.gates.items()]
    revisions = []
    for line in report.revision_requests:
        shot_id, kind, reason = (line.split(": ", 2) + ["", ""])[:3]
        revisions.append((shot_id, kind, reason))
    with user_errors_as_failures():  # a corrupt Ichor: no retry; a locked one: retried, and the report is one transaction
        vault.record_report(plan.film_id, score_rows, revisions)
    out = delivery.evaluation
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
