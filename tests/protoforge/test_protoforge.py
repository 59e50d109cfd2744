"""Protoforge on CPU: a temporary Ichor with one film of two rendered shots (moving shapes drawn with
the studio's own frame writer), Lightning fast_dev_run for both modules, short real trainings that
must learn something measurable, MLflow tracking and registry aliases in a temporary store, and the
checkpoint loaders' error messages.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

import lightning as L  # noqa: E402

from protoforge.config import REGISTERED_NAMES, TrainConfig  # noqa: E402
from protoforge.data.shot_frames import (  # noqa: E402
    EchoFramesDataModule, FluxTripletsDataModule, frame_paths, load_frames_rgb8, rendered_shots, shot_caption,
)
from protoforge.models.components.interpolator import interpolate_midframe  # noqa: E402
from protoforge.models.components.tiny_clip import alignment_score  # noqa: E402
from protoforge.models.echo_clip_module import EchoClipModule  # noqa: E402
from protoforge.models.flux_interp_module import FluxInterpModule  # noqa: E402
from protoforge.registry import (  # noqa: E402
    WEIGHTS_FILE, UnverifiedModel, load_checkpoint, load_registered, log_model, mlflow_tracking, promote,
    save_checkpoint,
)
from protoforge.train import train  # noqa: E402
from talos_assets.stores.ichor import IchorVault  # noqa: E402

SIZE, FRAMES = 64, 12
SHOTS = [
    dict(slot="s001", shot_id="ball", position=0, description="A red ball rolls across the blue sky",
         emotion="joy", frames=FRAMES, plan_json="{}"),
    dict(slot="s002", shot_id="crate", position=1, description="A green crate falls through the night",
         emotion="fear", frames=FRAMES, plan_json="{}"),
]


def _shape_frame(kind: str, t: int) -> np.ndarray:
    """One linear-light RGB frame: an anti-aliased shape moving several pixels per frame."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5
    if kind == "ball":
        bg, fg = np.array([0.2, 0.4, 0.9]), np.array([0.9, 0.1, 0.05])
        cx, cy, r = 8 + 4.5 * t, 32 + 6 * np.sin(t / 2), 9
        dist = np.hypot(xx - cx, yy - cy)
    else:
        bg, fg = np.array([0.02, 0.02, 0.05]), np.array([0.1, 0.8, 0.15])
        cx, cy, r = 30 + 3 * np.cos(t / 3), 6 + 5 * t, 8
        dist = np.maximum(np.abs(xx - cx), np.abs(yy - cy))
    cover = np.clip(r - dist + 0.5, 0.0, 1.0)[..., None]
    return (bg * (1 - cover) + fg * cover).astype(np.float32)


@pytest.fixture(scope="module")
def studio(tmp_path_factory, rendered_studio) -> dict:
    root = tmp_path_factory.mktemp("studio")
    vault = rendered_studio(root, SHOTS, FRAMES, SIZE, SIZE, lambda shot, t: _shape_frame(shot["shot_id"], t))
    cwd = root / "cwd"
    cwd.mkdir()
    return {"root": root, "ichor_url": vault.url, "mlflow": f"sqlite:///{root}/mlflow.db",
            "artifacts": (root / "artifacts").as_uri(), "cwd": cwd}


@pytest.fixture(autouse=True)
def _in_scratch_dir(studio, monkeypatch):
    # Run from an empty folder so a stray default (./mlruns, ./mlflow.db) would be caught below.
    monkeypatch.chdir(studio["cwd"])
    # These nets are tiny: one thread is faster than two, and far faster than two threads that
    # contend with other processes on a small CI machine (measured: 12 s vs 20 s vs 110 s).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _cfg(studio, agent: str, **kw) -> TrainConfig:
    kw = {"experiment_name": f"test-{agent}", "batch_size": 4, "cpu_threads": 1, **kw}
    return TrainConfig(agent=agent, ichor_url=studio["ichor_url"], mlflow_tracking_uri=studio["mlflow"],
                       mlflow_artifact_location=studio["artifacts"], **kw)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / max(float(np.mean((a - b) ** 2)), 1e-12)))


def test_rendered_shots_become_samples(studio):
    shots = rendered_shots(IchorVault(studio["ichor_url"]))
    assert [s.shot_id for s in shots] == ["ball", "crate"]
    assert shots[0].caption == "A red ball rolls across the blue sky. joy"
    assert shot_caption("Calm sea.", "calm") == "Calm sea. calm"
    # with its plan, a shot is captioned from its scene graph, the words Echo retrieves it by
    from talos_assets.agents.direction import direct_film
    from talos_assets.spec import Palette, StorySpec

    story = StorySpec.model_validate({"title": "Cap", "script": "Mira lights a lantern in the forest at night."})
    plan = direct_film(story, Palette.from_hex_list("p", ["#101010", "#e0b090"]), cast=["mira"]).shots[0]
    caption = shot_caption(plan.description, plan.emotion.value, plan.model_dump_json())
    assert ("forest" in caption or "wood" in caption) and "lantern" in caption and "night" in caption
    assert caption != shot_caption(plan.description, plan.emotion.value)
    assert [p.name for p in shots[0].frame_paths][:2] == ["f0000.png", "f0001.png"]

    echo = EchoFramesDataModule(studio["ichor_url"], image_size=SIZE, batch_size=4, val_fraction=0.25)
    echo.setup("fit")
    assert echo.n_train + echo.n_val == 2 * FRAMES and echo.n_val == 2 * 3
    image, tokens, cid = echo.train_set[0]
    assert image.shape == (3, SIZE, SIZE) and tokens.shape == (32,) and tokens.dtype == torch.long
    assert echo.captions[int(cid)] == shots[0].caption

    flux = FluxTripletsDataModule(studio["ichor_url"], image_size=SIZE, batch_size=4, val_fraction=0.2)
    flux.setup("fit")
    # 10 centres per shot: 2 held out at the tail, one skipped as a gap, 7 for training.
    assert (flux.n_train, flux.n_val) == (14, 4)
    prev, mid, nxt = flux.val_set[0]
    assert prev.shape == mid.shape == (3, SIZE, SIZE) and 0.0 <= float(mid.min()) <= float(mid.max()) <= 1.0


def test_failed_shots_are_left_out(tmp_path, rendered_studio):
    vault = rendered_studio(tmp_path, SHOTS, 3, SIZE, SIZE, lambda shot, t: _shape_frame(shot["shot_id"], t),
                            renders=tmp_path, film_id="f")
    # A per-shot verdict row (shot and passed=False) is honoured; the rows Echo's pipeline really
    # writes (gates without a shot) are covered in test_lab_loop.py.
    vault.record_evaluation("f", "temporal_flicker", 0.9, shot_id="crate", passed=False)
    assert [s.shot_id for s in rendered_shots(vault)] == ["ball"]
    assert len(rendered_shots(vault, exclude_failed=False)) == 2


def test_empty_ichor_is_a_clear_error(tmp_path):
    IchorVault(f"sqlite:///{tmp_path}/empty.db")
    cfg = TrainConfig(agent="flux", ichor_url=f"sqlite:///{tmp_path}/empty.db",
                      mlflow_tracking_uri=f"sqlite:///{tmp_path}/mlflow.db")
    with pytest.raises(ValueError, match="no rendered shots to learn from"):
        train(cfg)
    assert not (tmp_path / "mlflow.db").exists()  # failed before any run was opened


@pytest.mark.parametrize("agent", ["echo", "flux"])
def test_fast_dev_run(studio, agent):
    if agent == "echo":
        module, dm = EchoClipModule(), EchoFramesDataModule(studio["ichor_url"], batch_size=4)
    else:
        module, dm = FluxInterpModule(), FluxTripletsDataModule(studio["ichor_url"], batch_size=4)
    trainer = L.Trainer(fast_dev_run=True, accelerator="cpu", logger=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(module, datamodule=dm)
    assert np.isfinite(float(trainer.callback_metrics["val/loss"]))
    # Through train(): Lightning's smoke test, so nothing is tracked or registered.
    result = train(_cfg(studio, agent, fast_dev_run=True, experiment_name="smoke"))
    assert result.run_id is None and result.version is None and "train/loss" in result.metrics


def test_flux_learns_registers_and_reloads(studio):
    import mlflow

    result = train(_cfg(studio, "flux", max_epochs=30, register=True))
    m = result.metrics
    # The blend is already a strong baseline (far above an all-black guess); the net must beat it
    # on held-out triplets, and its training loss must have gone down epoch after epoch overall.
    dm = FluxTripletsDataModule(studio["ichor_url"])
    dm.setup("fit")
    black = np.mean([_psnr(np.zeros((SIZE, SIZE, 3)), mid.permute(1, 2, 0).numpy()) for _, mid, _ in dm.val_set])
    assert m["val/psnr_blend"] > black + 10
    assert m["val/psnr"] > m["val/psnr_blend"] + 0.5, m
    client = mlflow.MlflowClient(tracking_uri=studio["mlflow"])
    losses = [x.value for x in sorted(client.get_metric_history(result.run_id, "train/loss"), key=lambda x: x.step)]
    # the net starts as the DIS in-between (its loss starts low): training keeps only weights that beat it
    assert len(losses) == 30 and m["val/psnr_kept"] > m["val/psnr_dis"], m
    run = client.get_run(result.run_id)
    assert run.data.params["cfg/agent"] == "flux" and "val/psnr" in run.data.metrics
    assert run.info.artifact_uri.startswith(studio["artifacts"])

    assert (result.registered_name, result.version, result.alias) == ("talos-flux-interp", "1", "champion")
    assert str(client.get_model_version_by_alias("talos-flux-interp", "champion").version) == "1"
    loaded = load_registered("flux", tracking_uri=studio["mlflow"])
    a, b = _shape_frame("ball", 4), _shape_frame("ball", 6)
    assert np.array_equal(interpolate_midframe(loaded, a, b), interpolate_midframe(result.net, a, b))
    # Frames of any size go through (the net pads to its stride and crops back).
    assert interpolate_midframe(loaded, a[:50, :61], b[:50, :61]).shape == (50, 61, 3)

    # A worse newcomer (one epoch) is refused: it stays @challenger, the refusal is recorded, and
    # agents loading @champion still get version 1.
    again = train(_cfg(studio, "flux", max_epochs=1, register=True, seed=1))
    assert (again.version, again.alias, again.promoted) == ("2", "challenger", False)
    assert again.metrics["heldout/psnr"] < again.metrics["heldout/champion_psnr"]
    assert str(client.get_model_version_by_alias("talos-flux-interp", "champion").version) == "1"
    assert str(client.get_model_version_by_alias("talos-flux-interp", "challenger").version) == "2"
    refused = client.get_run(again.run_id).data
    assert refused.tags["talos.promotion"] == "refused"
    assert "does not beat @champion (heldout/psnr: new" in refused.tags["talos.promotion_reason"]
    assert "vs @champion v1" in refused.tags["talos.promotion_reason"]
    assert client.get_model_version("talos-flux-interp", "2").tags["talos.promotion"] == "refused"
    assert load_registered("flux", tracking_uri=studio["mlflow"]).registered_version == "1"
    assert load_registered("flux", alias="challenger", tracking_uri=studio["mlflow"]).registered_version == "2"
    links = IchorVault(studio["ichor_url"]).model_links("flux")
    assert [(x.version, x.alias) for x in links] == [("1", "champion"), ("2", "challenger")]
    assert "val/psnr" in links[0].metrics and "heldout/champion_psnr" in links[1].metrics


def test_echo_learns_registers_and_reloads(studio):
    result = train(_cfg(studio, "echo", max_epochs=15, register=True))
    assert result.metrics["val/recall@1"] == 1.0
    assert result.version == "1" and result.registered_name == REGISTERED_NAMES["echo"]
    import mlflow

    # MLflow metric names cannot hold '@', so Lightning's logger stores val/recall@1 as val/recall1.
    tracked = mlflow.MlflowClient(tracking_uri=studio["mlflow"]).get_run(result.run_id).data.metrics
    assert tracked["val/recall1"] == 1.0 and "train/loss" in tracked and "val/loss" in tracked

    # On the training frames, a frame's own caption must score above the other shot's caption.
    shots = rendered_shots(IchorVault(studio["ichor_url"]))
    captions = [s.caption for s in shots]
    match, mismatch = [], []
    for i, shot in enumerate(shots):
        sims = alignment_score(result.net, load_frames_rgb8(list(shot.frame_paths), SIZE), captions)
        assert sims.shape == (FRAMES, 2) and np.all(np.abs(sims) <= 1.0 + 1e-5)
        match.append(sims[:, i].mean())
        mismatch.append(sims[:, 1 - i].mean())
    assert np.mean(match) > np.mean(mismatch) + 0.1, (match, mismatch)

    loaded = load_registered("echo", alias="champion", tracking_uri=studio["mlflow"])
    frames = load_frames_rgb8(list(shots[0].frame_paths[:3]), SIZE)
    assert np.array_equal(alignment_score(loaded, frames, captions), alignment_score(result.net, frames, captions))
    assert alignment_score(loaded, frames[0], captions[0]).shape == (1,)
    with pytest.raises(ValueError, match="talos-echo-clip@staging"):
        load_registered("echo", alias="staging", tracking_uri=studio["mlflow"])


def test_checkpoints_round_trip_and_fail_clearly(studio, tmp_path):
    net = FluxInterpModule(net_config={"block_out_channels": [8, 16]}).net
    torch.nn.init.normal_(net.unet.conv_out.weight, std=0.05)  # not the zero init, so outputs differ from a blend
    x = torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32)
    expected = net(*x)

    saved = save_checkpoint(net, tmp_path / "flux.safetensors")
    assert torch.equal(load_checkpoint(saved, device="cpu")(*x), expected)
    torch.save({"agent": "flux", "config": net.config, "state_dict": net.state_dict()}, tmp_path / "flux.pt")
    assert torch.equal(load_checkpoint(tmp_path / "flux.pt", device="cpu")(*x), expected)

    # A Lightning checkpoint of a Protoforge module loads with weights_only=True.
    module = EchoClipModule(net_config={"vision_layers": 1, "text_layers": 1})
    trainer = L.Trainer(accelerator="cpu", logger=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.strategy.connect(module)
    trainer.save_checkpoint(tmp_path / "echo.ckpt")
    clip = load_checkpoint(tmp_path / "echo.ckpt", device="cpu")
    assert alignment_score(clip, np.zeros((SIZE, SIZE, 3), np.uint8), "x") == pytest.approx(
        alignment_score(module.net, np.zeros((SIZE, SIZE, 3), np.uint8), "x"))

    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(saved.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"corrupt\.safetensors is corrupt"):
        load_checkpoint(corrupt)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError, match=r"junk\.pt is corrupt"):
        load_checkpoint(junk)
    with pytest.raises(ValueError, match=r"missing\.safetensors does not exist"):
        load_checkpoint(tmp_path / "missing.safetensors")
    # Right format, wrong shapes: the declared architecture does not match the tensors.
    torch.save({"agent": "flux", "config": {"block_out_channels": [16, 32, 32]}, "state_dict": net.state_dict()},
               tmp_path / "mismatch.pt")
    with pytest.raises(ValueError, match=r"mismatch\.pt does not match the flux architecture"):
        load_checkpoint(tmp_path / "mismatch.pt")


def test_frames_are_read_as_one_sequence(tmp_path):
    for name in ("f0000.exr", "f0001.exr", "f0002.exr", "f0000.png", ".f0003.exr.part", "notes.txt"):
        (tmp_path / "exr" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "exr" / name).write_bytes(b"")
    assert [p.name for p in frame_paths(tmp_path / "exr")] == ["f0000.exr", "f0001.exr", "f0002.exr"]
    assert frame_paths(tmp_path / "nowhere") == []
    (tmp_path / "gap").mkdir()
    for name in ("f0000.png", "f0002.png"):
        (tmp_path / "gap" / name).write_bytes(b"")
    with pytest.raises(ValueError, match="breaks the sequence"):
        frame_paths(tmp_path / "gap")


# ---- registered models load only from safetensors verified by hash --------------------------------

_UNPICKLED: list[str] = []


class _Tripwire(torch.nn.Linear):
    """A module that notes every time pickle rebuilds it: proof of whether anything was unpickled."""

    def __setstate__(self, state):
        _UNPICKLED.append("unpickled")
        super().__setstate__(state)


def _register(tmp_path, net, agent: str, safetensors: bool) -> str:
    """Register `net` as `agent`'s champion in a fresh MLflow store; returns the tracking URI. With
    `safetensors`, the way Protoforge registers (log_model + promote); without, a plain pickled
    `mlflow.pytorch.log_model` as anyone with registry access could write."""
    import mlflow

    tracking = f"sqlite:///{tmp_path}/mlflow.db"
    name = REGISTERED_NAMES[agent]
    with mlflow_tracking(tracking):
        experiment = mlflow.create_experiment("registry", artifact_location=(tmp_path / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment):
            if safetensors:
                weights = save_checkpoint(net, tmp_path / "export" / WEIGHTS_FILE)
                info = log_model(net, weights, name, pip_requirements=[])
            else:
                info = mlflow.pytorch.log_model(net, name="model", serialization_format="pickle",
                                                pip_requirements=[], registered_model_name=name)
    version = str(info.registered_model_version)
    if safetensors:
        promote(name, version, "champion", weights, tracking)
    else:
        mlflow.MlflowClient(tracking_uri=tracking, registry_uri=tracking).set_registered_model_alias(
            name, "champion", version)
    return tracking


def test_tampered_registered_weights_are_refused(tmp_path):
    net = FluxInterpModule(net_config={"block_out_channels": [8, 16]}).net
    tracking = _register(tmp_path, net, "flux", safetensors=True)
    a, b = _shape_frame("ball", 1), _shape_frame("ball", 3)
    assert np.array_equal(interpolate_midframe(load_registered("flux", tracking_uri=tracking, device="cpu"), a, b),
                          interpolate_midframe(net, a, b))

    [stored] = list((tmp_path / "artifacts").rglob(WEIGHTS_FILE))
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0x01  # one bit of one weight: still a valid safetensors file, no longer the registered one
    stored.write_bytes(bytes(data))
    load_checkpoint(stored, device="cpu")
    with pytest.raises(UnverifiedModel, match=r"talos-flux-interp version 1 .*talos lab train flux"):
        load_registered("flux", tracking_uri=tracking, device="cpu")

    stored.unlink()
    with pytest.raises(UnverifiedModel, match=rf"talos-flux-interp version 1 .*has no {WEIGHTS_FILE}"):
        load_registered("flux", tracking_uri=tracking, device="cpu")


def test_pickled_only_registered_model_is_refused_unopened(tmp_path, monkeypatch):
    import mlflow

    tracking = _register(tmp_path, _Tripwire(4, 4), "echo", safetensors=False)

    def never(*args, **kwargs):
        raise AssertionError("load_registered tried to unpickle a model")

    _UNPICKLED.clear()
    with monkeypatch.context() as patched:
        patched.setattr(mlflow.pytorch, "load_model", never)
        patched.setattr(torch, "load", never)
        with pytest.raises(UnverifiedModel, match=r"talos-echo-clip version 1 .*no safetensors hash.*talos lab train echo"):
            load_registered("echo", tracking_uri=tracking, device="cpu")
        # A hash tag without a safetensors file behind it is refused as well.
        mlflow.MlflowClient(tracking_uri=tracking, registry_uri=tracking).set_model_version_tag(
            REGISTERED_NAMES["echo"], "1", "talos.weights_sha256", "0" * 64)
        with pytest.raises(UnverifiedModel, match=r"talos-echo-clip version 1 .*has no weights\.safetensors"):
            load_registered("echo", tracking_uri=tracking, device="cpu")
    assert _UNPICKLED == []
    # The tripwire works: MLflow's own loader does unpickle the registered module.
    with mlflow_tracking(tracking):
        mlflow.pytorch.load_model(f"models:/{REGISTERED_NAMES['echo']}@champion", map_location="cpu")
    assert _UNPICKLED == ["unpickled"]


def test_nothing_was_written_to_the_working_directory(studio):
    # Every MLflow path above was explicit: no ./mlruns, ./mlflow.db or lightning_logs appeared.
    assert list(studio["cwd"].iterdir()) == []
