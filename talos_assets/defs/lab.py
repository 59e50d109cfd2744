"""Protoforge in Dagster: the lab's models as assets (`agent_model`, one partition per agent) trained by
`train_lab_models`, which `train_when_judged` starts once enough new judgements (Echo's evaluation
rows plus users' ratings) have reached Ichor since the last training it started (its cursor holds the
last row ids it counted, as the inbox sensor in `automation.py` holds its stories). `rate_shot` lets a
user rate a shot from the UI with the same fields as `talos rate`. Thin: the training itself is
`protoforge.train.train`; the ratings are `IchorVault.record_rating`.
"""

import json

import dagster as dg
from pydantic import Field

from resources.ichor import IchorResource
from resources.mlflow import MLflowResource
from resources.studio import StudioHome

LAB = "protoforge_lab"
# New Echo evaluation rows + ratings that start a training: one Echo report of a 10-shot film writes
# about 70 rows, so this is roughly "after a couple of films were judged, or many shots were rated".
TRAIN_AFTER_JUDGEMENTS = 150
# echo: Echo's alignment CLIP; flux: the in-betweener; critic: Prism's shot critic; inpaint: Anima's repair
agent_partitions = dg.StaticPartitionsDefinition(["echo", "flux", "critic", "inpaint"])


class TrainModelConfig(dg.Config):
    epochs: int = Field(default=20, ge=1, description="training epochs")
    seed: int = 0


@dg.asset(partitions_def=agent_partitions, group_name=LAB, kinds={"pytorch", "mlflow"})
def agent_model(context: dg.AssetExecutionContext, config: TrainModelConfig, ichor: IchorResource,
                mlflow: MLflowResource, studio: StudioHome) -> dg.MaterializeResult:
    """One agent's model trained on the studio's renders and judgements, registered in MLflow; it takes
    @champion only when it beats the current one on the held-out set (else @challenger)."""
    from protoforge.config import TrainConfig
    from protoforge.train import train

    agent = context.partition_key
    cfg = TrainConfig(agent=agent, ichor_url=ichor.url, mlflow_tracking_uri=mlflow.tracking_uri,
                      mlflow_artifact_location=mlflow.artifact_location, max_epochs=config.epochs, seed=config.seed,
                      run_name=f"{agent}-dagster-{context.run.run_id[:8]}",
                      character_dirs=[str(d) for d in studio.character_dirs()],
                      prop_dirs=[str(d) for d in studio.prop_dirs()])
    try:
        result = train(cfg)
    except ValueError as exc:  # nothing to learn from yet: the user's next step, not a retry
        raise dg.Failure(str(exc), allow_retries=False) from None
    evaluation_rows, rating_rows = ichor.vault().judgement_marks()
    return dg.MaterializeResult(metadata={
        "mlflow_run_id": result.run_id or "", "registered": f"{result.registered_name} v{result.version}",
        "alias": result.alias or "", "promoted": bool(result.promoted), "promotion": result.promotion_reason or "",
        "n_train": result.n_train, "n_val": result.n_val, "last_evaluation_id": evaluation_rows,
        "last_rating_id": rating_rows,
        **{k.replace("@", ""): round(v, 5) for k, v in sorted(result.metrics.items())},
    })


train_lab_models = dg.define_asset_job("train_lab_models", selection=[agent_model],
                                       description="Train, track and (if it beats the champion) promote one agent model.")


def read_lab_cursor(raw: str | None) -> tuple[int, int]:
    data = json.loads(raw) if raw else {}
    return int(data.get("evaluation_id", 0)), int(data.get("rating_id", 0))


def build_training_sensor(threshold: int = TRAIN_AFTER_JUDGEMENTS) -> dg.SensorDefinition:
    """A sensor that requests one training run per agent once `threshold` new judgements exist."""

    @dg.sensor(name="train_when_judged", job=train_lab_models, minimum_interval_seconds=300,
               default_status=dg.DefaultSensorStatus.STOPPED,
               description=f"Train the lab's models when {threshold} new Echo evaluation rows or ratings are in Ichor.")
    def train_when_judged(context: dg.SensorEvaluationContext, ichor: IchorResource) -> dg.SensorResult:
        seen_eval, seen_rating = read_lab_cursor(context.cursor)
        last_eval, last_rating = ichor.vault().judgement_marks()
        # ids only grow, so the difference of the last ids counts the rows added since (never fewer)
        new_evals, new_ratings = max(0, last_eval - seen_eval), max(0, last_rating - seen_rating)
        if new_evals + new_ratings < threshold:
            return dg.SensorResult(skip_reason=f"{new_evals} new evaluation rows and {new_ratings} new ratings since "
                                               f"the last training; training starts at {threshold}")
        tags = {"talos/new_evaluations": str(new_evals), "talos/new_ratings": str(new_ratings)}
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"lab-{last_eval}-{last_rating}-{agent}", partition_key=agent, tags=tags)
                          for agent in agent_partitions.get_partition_keys()],
            cursor=json.dumps({"evaluation_id": last_eval, "rating_id": last_rating}),
        )

    return train_when_judged


train_when_judged = build_training_sensor()


class RateShotConfig(dg.Config):
    film: str = Field(description="film id")
    shot: str = Field(description="shot id or slot")
    rating: int = Field(description="1 (reject) to 5 (keep as it is); checked by Ichor with a one-sentence error")
    note: str = ""


@dg.op(description="Store a user's 1-5 rating of a shot in Ichor, beside Echo's scores.")
def record_rating(context: dg.OpExecutionContext, config: RateShotConfig, ichor: IchorResource) -> None:
    try:
        row = ichor.vault().record_rating(config.film, config.shot, config.rating, config.note)
    except ValueError as exc:  # an unknown film or shot, a rating outside 1-5: one sentence, no retry
        raise dg.Failure(str(exc), allow_retries=False) from None
    context.log.info(f"rated {row.film_id}/{row.shot_id} {row.rating}/5")
    context.add_output_metadata({"film": row.film_id, "shot": row.shot_id, "rating": row.rating, "note": row.note})


@dg.job(description="Rate a shot 1-5 from the UI (the fields of `talos rate`).")
def rate_shot() -> None:
    record_rating()
