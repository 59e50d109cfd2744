"""`train(cfg) -> TrainResult`: one Protoforge run, laid out like lightning-hydra-template's train
task without Hydra. It seeds everything, reads the studio's rendered shots from Ichor into the
agent's DataModule, fits the agent's LightningModule (CLIP-style contrastive alignment for Echo,
Radford et al. 2021; RIFE-style middle-frame prediction for Flux, Huang et al. 2022; the shot critic's
regression of Echo's score; Anima's inpainting of random holes, Pathak et al. 2016) with an
explicit MLflow logger, logs the network with `mlflow.pytorch.log_model` (plus a safetensors copy),
registers it under the agent's registered name, records the safetensors file's SHA-256 on the new
version and points the alias at it only if it beats the current holder on the same held-out set
(else `@challenger`, protoforge.promotion), and records the link in Ichor, so agents pick it up with
`protoforge.registry.load_registered` (which loads only those verified safetensors). The run's data
lineage (films, shots, the Ichor evaluation/rating rows read, shots left out) is logged with it.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

from protoforge.config import TrainConfig, TrainResult
from protoforge.registry import WEIGHTS_FILE, log_model, mlflow_tracking, promote, save_checkpoint


def build_datamodule(cfg: TrainConfig):
    """The agent's DataModule over Ichor's rendered shots."""
    from protoforge.data.shot_frames import EchoFramesDataModule, FluxTripletsDataModule

    if cfg.agent == "critic":
        from protoforge.data.critic_rows import CriticDataModule

        return CriticDataModule(cfg.ichor_url, batch_size=cfg.batch_size, val_fraction=cfg.val_fraction,
                                num_workers=cfg.num_workers, character_dirs=cfg.character_dirs,
                                prop_dirs=cfg.prop_dirs)

    common = dict(image_size=cfg.image_size, batch_size=cfg.batch_size, val_fraction=cfg.val_fraction,
                  max_frames_per_shot=cfg.max_frames_per_shot, exclude_failed_shots=cfg.exclude_failed_shots,
                  num_workers=cfg.num_workers)
    if cfg.agent == "inpaint":
        from protoforge.data.inpaint_frames import InpaintFramesDataModule

        return InpaintFramesDataModule(cfg.ichor_url, **common)
    if cfg.agent == "echo":
        return EchoFramesDataModule(cfg.ichor_url, context_length=cfg.echo.context_length, **common)
    return FluxTripletsDataModule(cfg.ichor_url, **common)


def build_module(cfg: TrainConfig):
    """The agent's LightningModule, its network sized by the config."""
    if cfg.agent == "echo":
        from protoforge.models.echo_clip_module import EchoClipModule

        net_config = {"image_size": cfg.image_size, **cfg.echo.model_dump(mode="json")}
        return EchoClipModule(net_config=net_config, lr=cfg.resolved_lr(), weight_decay=cfg.weight_decay)
    if cfg.agent == "critic":
        from protoforge.models.critic_module import CriticModule
        from talos_assets.agents.direction.candidates import FEATURE_NAMES

        return CriticModule(net_config={"in_features": len(FEATURE_NAMES), **cfg.critic.model_dump(mode="json")},
                            lr=cfg.resolved_lr(), weight_decay=cfg.weight_decay)
    if cfg.agent == "inpaint":
        from protoforge.models.inpaint_module import InpaintModule

        net_config = {"sample_size": cfg.image_size, **cfg.inpaint.model_dump(mode="json")}
        return InpaintModule(net_config=net_config, lr=cfg.resolved_lr(), weight_decay=cfg.weight_decay)
    from protoforge.models.flux_interp_module import FluxInterpModule

    net_config = {"sample_size": cfg.image_size, **cfg.flux.model_dump(mode="json")}
    return FluxInterpModule(net_config=net_config, lr=cfg.resolved_lr(), weight_decay=cfg.weight_decay)


def _pip_requirements() -> list[str]:
    # Pinned explicitly: MLflow would otherwise infer them by re-loading the model in a subprocess.
    reqs = []
    for dist in ("torch", "open-clip-torch", "diffusers", "safetensors", "mlflow", "studio-talos"):
        try:
            reqs.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return reqs


def _flat(prefix: str, value, out: dict) -> dict:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}/{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = value
    return out


def train(cfg: TrainConfig) -> TrainResult:
    """Train, track and (when `cfg.register`) register one agent model; see the module docstring.

    Raises ValueError when Ichor holds no rendered shot to learn from. With `fast_dev_run`, Lightning
    runs one batch as a smoke test and nothing is tracked or registered (run_id is None).
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import torch

    threads = torch.get_num_threads()
    if cfg.cpu_threads:
        torch.set_num_threads(cfg.cpu_threads)
    try:
        return _train(cfg)
    finally:
        torch.set_num_threads(threads)


def _train(cfg: TrainConfig) -> TrainResult:
    import lightning as L
    import mlflow
    from lightning.pytorch.loggers import MLFlowLogger

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = build_datamodule(cfg)
    datamodule.setup("fit")  # fail fast, before a run is opened, when Ichor has nothing to learn from
    module = build_module(cfg)
    if hasattr(module.net, "fit_standardisation"):  # the critic standardises its inputs by the training shots
        module.net.fit_standardisation(datamodule.train_features())

    logger = None
    if not cfg.fast_dev_run:
        logger = MLFlowLogger(
            experiment_name=cfg.resolved_experiment_name(),
            run_name=cfg.run_name or f"{cfg.agent}-seed{cfg.seed}",
            tracking_uri=cfg.mlflow_tracking_uri,
            artifact_location=cfg.resolved_artifact_location(),
            tags={"talos.agent": cfg.agent},
        )

    with mlflow_tracking(cfg.mlflow_tracking_uri), tempfile.TemporaryDirectory(prefix="protoforge-") as tmp:
        trainer = L.Trainer(
            accelerator=cfg.accelerator,
            devices=1,
            max_epochs=cfg.max_epochs,
            fast_dev_run=cfg.fast_dev_run,
            logger=logger if logger is not None else False,
            # The model is logged to MLflow explicitly below; Lightning's own checkpoints would only
            # litter the working directory.
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            log_every_n_steps=1,
            default_root_dir=tmp,
        )
        if logger is not None:
            logger.log_hyperparams(_flat("cfg", cfg.model_dump(mode="json"), {}) | lineage_params(datamodule))
        with warnings.catch_warnings():
            # Small studio datasets: Lightning's hints about worker counts and batch counts are noise.
            warnings.filterwarnings("ignore", message=".*does not have many workers.*")
            warnings.filterwarnings("ignore", message=".*number of training batches.*")
            # MLflow metric names cannot hold '@': the logger stores val/recall@1 as val/recall1.
            warnings.filterwarnings("ignore", message=".*Replacing val/recall@1 with val/recall1.*")
            trainer.fit(module, datamodule=datamodule)
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items()}
        if getattr(module, "tile_sweep", None):  # Flux: the tile threshold chosen after the fit
            metrics |= {"val/tile_min_255": module.net.tile_min * 255.0,
                        "val/psnr_tiled": module.tile_sweep[module.net.tile_min],
                        "val/psnr_tiled_every_tile": module.tile_sweep[0.0]}
        result = TrainResult(agent=cfg.agent, run_id=None, model_uri=None, metrics=metrics,
                             n_train=datamodule.n_train, n_val=datamodule.n_val, net=module.net.eval())
        if logger is None:
            return result

        net = module.net.cpu().eval()
        weights = save_checkpoint(net, Path(tmp) / WEIGHTS_FILE)
        name = cfg.registered_name if cfg.register else None
        # the run's own experiment: an experiment set earlier in this process (another studio's) must
        # not be taken as the active one, which makes start_run refuse the run id
        mlflow.set_experiment(experiment_id=logger.experiment_id)
        with mlflow.start_run(run_id=logger.run_id):
            mlflow.log_dict(lineage(datamodule), "lineage.json")
            mlflow.log_metrics({k: v for k, v in metrics.items() if k.startswith(("val/tile", "val/psnr_tiled"))})
            info = log_model(net, weights, name, _pip_requirements())
        result.run_id, result.model_uri = logger.run_id, info.model_uri
        if name is not None:
            _register(cfg, result, net, datamodule, name, str(info.registered_model_version), weights)
    return result


def lineage_params(datamodule) -> dict:
    """The run's data lineage as MLflow params: films, shots, and the Ichor rows it read."""
    j = datamodule.judgements
    films = sorted({s.film_id for s in datamodule.shots})
    return {"data/films": ",".join(films)[:500], "data/n_films": len(films), "data/n_shots": len(datamodule.shots),
            "data/n_train": datamodule.n_train, "data/n_val": datamodule.n_val,
            "data/n_evaluation_rows": len(j.evaluation_ids), "data/max_evaluation_id": max(j.evaluation_ids, default=0),
            "data/n_rating_rows": len(j.rating_ids), "data/max_rating_id": max(j.rating_ids, default=0),
            "data/n_excluded_shots": len(j.excluded)}


def lineage(datamodule) -> dict:
    """The full lineage artifact: every shot trained on, every Ichor row read, every shot left out and why."""
    return {"shots": [{"film": s.film_id, "shot": s.shot_id, "frames": len(s.frame_paths)} for s in datamodule.shots],
            **datamodule.judgements.model_dump(mode="json")}


def _register(cfg: TrainConfig, result: TrainResult, net, datamodule, name: str, version: str, weights: Path) -> None:
    """Champion/challenger: the new version takes `cfg.alias` only if it beats the holder on the same
    held-out set (protoforge.promotion); the decision is logged on the run and the version, and linked in Ichor."""
    import mlflow

    from protoforge.promotion import decide
    from talos_assets.stores.ichor import IchorVault

    decision = decide(cfg.agent, net, datamodule.val_set, cfg.mlflow_tracking_uri, cfg.alias)
    promote(name, version, decision.alias, weights, cfg.mlflow_tracking_uri)
    client = mlflow.MlflowClient(tracking_uri=cfg.mlflow_tracking_uri, registry_uri=cfg.mlflow_tracking_uri)
    # what it was compared with: the registered champion, or (none usable yet) the agent's classical baseline
    holder = "heldout/champion_" if decision.champion_version is not None else "heldout/baseline_"
    scores = decision.challenger | {k.replace("heldout/", holder): v for k, v in (decision.champion or {}).items()}
    for key, value in scores.items():
        client.log_metric(result.run_id, key, value)
    outcome = "promoted" if decision.promoted else "refused"
    for key, value in (("talos.promotion", outcome), ("talos.promotion_reason", decision.reason[:5000])):
        client.set_tag(result.run_id, key, value)
        client.set_model_version_tag(name, version, key, value)
    result.metrics |= scores
    result.registered_name, result.version, result.alias = name, version, decision.alias
    result.promoted, result.promotion_reason = decision.promoted, decision.reason
    IchorVault(cfg.ichor_url).link_model(cfg.agent, name, version, decision.alias, result.metrics)
