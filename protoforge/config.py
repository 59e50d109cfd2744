"""Typed configuration for the Protoforge lab: what to train (`TrainConfig`, with the architecture of
each agent model in `EchoNetConfig` / `FluxNetConfig` / `CriticNetConfig` / `InpaintNetConfig`) and
what a training run hands back (`TrainResult`). Plain pydantic models stand in for
lightning-hydra-template's Hydra configs: they validate at the boundary, serialise to MLflow params and
need no heavy imports.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, model_validator

Agent = Literal["echo", "flux", "critic", "inpaint"]

# Names under which each agent's model lives in the MLflow model registry.
REGISTERED_NAMES: dict[str, str] = {"echo": "talos-echo-clip", "flux": "talos-flux-interp", "critic": "talos-shot-critic",
                                    "inpaint": "talos-anima-inpaint"}


class EchoNetConfig(BaseModel):
    """Architecture of Echo's tiny CLIP (an open_clip model config, built with pretrained=None)."""

    model_config = ConfigDict(extra="forbid")

    embed_dim: int = 64
    patch_size: int = 8
    vision_width: int = 128
    vision_layers: int = 2
    vision_head_width: int = 32
    text_width: int = 64
    text_heads: int = 4
    text_layers: int = 2
    # Captions are one short sentence; 32 tokens keeps the text tower's attention cheap.
    context_length: int = 32


class FluxNetConfig(BaseModel):
    """Architecture of Flux's interpolation UNet (a diffusers UNet2DModel with a fixed timestep)."""

    model_config = ConfigDict(extra="forbid")

    block_out_channels: tuple[int, ...] = (16, 32, 32)
    layers_per_block: int = 1
    norm_num_groups: int = 8


class CriticNetConfig(BaseModel):
    """Architecture of the shot critic (an MLP over the plan's features)."""

    model_config = ConfigDict(extra="forbid")

    hidden: int = 64
    layers: int = 2
    dropout: float = 0.1


class InpaintNetConfig(BaseModel):
    """Architecture of Anima's inpainting UNet (a diffusers UNet2DModel refining OpenCV's fill, fixed timestep)."""

    model_config = ConfigDict(extra="forbid")

    block_out_channels: tuple[int, ...] = (16, 32, 64)
    layers_per_block: int = 1
    norm_num_groups: int = 8


# `register` is the natural name for "register the trained model"; it only shadows ABCMeta.register,
# which nobody calls on a config, so pydantic's shadowing warning is silenced for this one class.
warnings.filterwarnings("ignore", message='Field name "register" in "TrainConfig" shadows', category=UserWarning)


class TrainConfig(BaseModel):
    """One Protoforge training run: which agent, where its data and tracking live, how to train."""

    model_config = ConfigDict(extra="forbid")

    agent: Agent
    ichor_url: str = Field(description="SQLAlchemy URL of the Ichor Vault whose rendered shots are the data.")
    mlflow_tracking_uri: str = "sqlite:///mlflow.db"
    mlflow_artifact_location: str | None = Field(
        default=None,
        description="Where run artifacts go; derived next to a sqlite/file tracking store when omitted.",
    )
    experiment_name: str | None = Field(default=None, description="Defaults to 'protoforge-<agent>'.")
    run_name: str | None = None
    max_epochs: int = Field(default=20, ge=1)
    batch_size: int = Field(default=16, ge=1)
    image_size: int = Field(default=64, ge=16, description="Square training resolution (multiple of 8 for both nets).")
    lr: float | None = Field(default=None, gt=0, description="Peak learning rate; None picks the agent's default.")
    weight_decay: float = Field(default=0.01, ge=0)
    seed: int = 0
    fast_dev_run: bool = Field(
        default=False, description="One batch of train and val as a smoke test; Lightning then skips tracking."
    )
    register: bool = True
    alias: str = Field(default="champion", description="The alias a new version contests; it takes it only by "
                       "beating the holder on the held-out set, else it becomes 'challenger'.")
    accelerator: str = "auto"
    val_fraction: float = Field(default=0.2, ge=0.0, lt=1.0)
    max_frames_per_shot: int = Field(default=64, ge=3, description="Frames sampled evenly from each shot.")
    exclude_failed_shots: bool = Field(
        default=True, description="Skip shots with an Echo evaluation in Ichor that did not pass."
    )
    num_workers: int = 0
    character_dirs: list[str] = Field(default_factory=list, description="The studio's own rig folders: the critic "
                                      "previews each shot's acting with them (the built-in cast is always found).")
    prop_dirs: list[str] = Field(default_factory=list, description="The studio's own prop folders, for the same preview.")
    cpu_threads: int | None = Field(
        default=None, ge=1,
        description="Torch intra-op threads while training on CPU; these nets are small enough that one "
                    "thread beats several, and far beats threads contending with other work.",
    )
    echo: EchoNetConfig = EchoNetConfig()
    flux: FluxNetConfig = FluxNetConfig()
    critic: CriticNetConfig = CriticNetConfig()
    inpaint: InpaintNetConfig = InpaintNetConfig()

    @model_validator(mode="after")
    def _check(self) -> "TrainConfig":
        if self.image_size % 8:
            raise ValueError(f"image_size must be a multiple of 8 (patches and UNet strides), got {self.image_size}")
        if self.agent == "echo" and self.image_size % self.echo.patch_size:
            raise ValueError(f"image_size {self.image_size} is not a multiple of the patch size {self.echo.patch_size}")
        return self

    @property
    def registered_name(self) -> str:
        return REGISTERED_NAMES[self.agent]

    def resolved_lr(self) -> float:
        if self.lr is not None:
            return self.lr
        # Flux's output layer starts at zero and Adam moves every weight by about `lr` per step, so
        # a large rate throws the residual far from the blend at once; measured on studio triplets,
        # 3e-4 gains ~5 dB over the blend where 1e-3 gains ~2 dB. Echo's CLIP trains well at 1e-3.
        # The critic is a small MLP on standardised features; 3e-3 settles in a few hundred steps.
        # The inpainter's output layer also starts at zero (OpenCV's fill); measured on studio renders
        # (bench/inpaint.py, 200-300 CPU steps), 1e-3 and 3e-3 end within 0.02 dB of each other.
        return {"echo": 1e-3, "flux": 3e-4, "critic": 3e-3, "inpaint": 1e-3}[self.agent]

    def resolved_experiment_name(self) -> str:
        return self.experiment_name or f"protoforge-{self.agent}"

    def resolved_artifact_location(self) -> str:
        """The explicit artifact root (MLflow's default is ./mlruns of whatever the working directory is)."""
        if self.mlflow_artifact_location:
            return self.mlflow_artifact_location
        parsed = urlparse(self.mlflow_tracking_uri)
        if parsed.scheme.startswith("sqlite"):
            db = Path(self.mlflow_tracking_uri.split(":///", 1)[1])
            return (db.resolve().parent / "mlartifacts").as_uri()
        if parsed.scheme in ("", "file"):
            root = Path(parsed.path if parsed.scheme else self.mlflow_tracking_uri)
            return (root.resolve() / "artifacts").as_uri()
        raise ValueError(
            f"mlflow_artifact_location is required for the tracking URI {self.mlflow_tracking_uri!r}."
        )


class TrainResult(BaseModel):
    """What `protoforge.train.train` hands back; ids are None when Lightning ran a fast_dev_run."""

    agent: Agent
    run_id: str | None
    model_uri: str | None = Field(description="MLflow URI of the logged model (loadable with mlflow.pytorch).")
    registered_name: str | None = None
    version: str | None = None
    alias: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    promoted: bool | None = Field(default=None, description="Whether the version took the contested alias.")
    promotion_reason: str | None = None
    n_train: int = 0
    n_val: int = 0
    net: Any = Field(default=None, exclude=True, repr=False,
                     description="The trained network itself, in memory (not serialised).")
