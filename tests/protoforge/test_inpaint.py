"""Anima's learned inpainter on CPU: a temporary Ichor with one film of three rendered shots (shapes on
graded backgrounds, written with the studio's own frame writer), holed crops split by shot, Lightning
fast_dev_run, a short real training registered and promoted in a temporary MLflow store, its
safetensors round trip with the hash recorded at registration, the held-out comparison with OpenCV
and with the unrepaired fault, and Anima's repair with and without the loaded model.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from protoforge.config import InpaintNetConfig, TrainConfig  # noqa: E402
from protoforge.data.inpaint_frames import InpaintFramesDataModule, random_hole  # noqa: E402
from protoforge.models.components.inpaint_net import FrameInpainter, masked_psnr, opencv_fill  # noqa: E402
from protoforge.registry import (  # noqa: E402
    WEIGHTS_FILE, WEIGHTS_SHA256_TAG, UnverifiedModel, load_checkpoint, load_registered, save_checkpoint, sha256_file,
)
from protoforge.train import train  # noqa: E402
from talos_assets.agents.inpaint import repair_frame  # noqa: E402
from talos_assets.stores.ichor import IchorVault  # noqa: E402

W, H, FRAMES = 64, 48, 8
KINDS = ("ball", "crate", "bar")
SHOTS = [dict(slot=f"s{i + 1:03d}", shot_id=k, position=i, description=f"A {k} moves", emotion="joy", frames=FRAMES,
              plan_json="{}") for i, k in enumerate(KINDS)]
# tiny on purpose: the tests check the plumbing and properties that hold after a few steps
NET = InpaintNetConfig(block_out_channels=(8, 16, 16), norm_num_groups=4)


def _frame(kind: str, t: int) -> np.ndarray:
    """Linear-light RGB: a shape moving over a graded background (edges and gradients to repair)."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32) + 0.5
    grade = np.stack([0.15 + 0.5 * xx / W, 0.2 + 0.4 * yy / H, 0.6 - 0.3 * xx / W], axis=-1)
    fg = {"ball": (0.9, 0.1, 0.05), "crate": (0.1, 0.8, 0.15), "bar": (0.95, 0.85, 0.2)}[kind]
    cx, cy = 10 + 5 * t, 24 + 4 * np.sin(t / 2)
    dist = {"ball": np.hypot(xx - cx, yy - cy), "crate": np.maximum(np.abs(xx - cx), np.abs(yy - cy)),
            "bar": np.abs(xx - cx) * 3 + np.abs(yy - cy) * 0.3}[kind]
    cover = np.clip(9 - dist + 0.5, 0.0, 1.0)[..., None]
    return (grade * (1 - cover) + np.array(fg) * cover).astype(np.float32)


@pytest.fixture(scope="module")
def studio(tmp_path_factory, rendered_studio) -> dict:
    root = tmp_path_factory.mktemp("inpaint")
    vault = rendered_studio(root, SHOTS, FRAMES, W, H, lambda shot, t: _frame(shot["shot_id"], t))
    return {"root": root, "ichor_url": vault.url, "mlflow": f"sqlite:///{root}/mlflow.db",
            "artifacts": (root / "artifacts").as_uri()}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _cfg(studio, **kw) -> TrainConfig:
    kw = {"experiment_name": "test-inpaint", "batch_size": 8, "image_size": 32, "cpu_threads": 1, "inpaint": NET,
          "val_fraction": 0.34, **kw}
    return TrainConfig(agent="inpaint", ichor_url=studio["ichor_url"], mlflow_tracking_uri=studio["mlflow"],
                       mlflow_artifact_location=studio["artifacts"], **kw)


@pytest.fixture(scope="module")
def trained(studio) -> dict:
    """A short real training (registered, promoted) shared by the tests that need a learned model."""
    torch.set_num_threads(1)
    result = train(_cfg(studio, max_epochs=12, lr=2e-3))
    data = InpaintFramesDataModule(studio["ichor_url"], image_size=32, val_fraction=0.34, max_frames_per_shot=64)
    data.setup("fit")
    return {"result": result, "data": data}


def test_holes_are_boxes_or_blobs_and_shots_split_into_train_and_held_out(studio):
    rng = np.random.default_rng(0)
    cover = [random_hole(32, rng).mean() for _ in range(200)]
    assert 0.03 <= min(cover) and max(cover) <= 0.40
    data = InpaintFramesDataModule(studio["ichor_url"], image_size=32, val_fraction=0.34)
    data.setup("fit")
    held = {s.shot_id for s in data.val_shots}
    assert held and held < set(KINDS)  # disjoint by shot, both sides non-empty
    assert data.n_val == FRAMES * len(held) and data.n_train == FRAMES * (len(KINDS) - len(held))
    (rgb, hole), (again, hole2) = data.val_set[3], data.val_set[3]
    assert rgb.shape == (3, 32, 32) and hole.shape == (1, 32, 32)
    assert torch.equal(rgb, again) and torch.equal(hole, hole2)  # held-out holes are fixed: fair promotion


def test_fast_dev_run(studio):
    result = train(_cfg(studio, fast_dev_run=True))
    assert result.run_id is None and result.n_train and result.n_val
    assert np.isfinite(result.metrics["val/psnr_mask"]) and np.isfinite(result.metrics["val/psnr_mask_cv2"])


def test_training_contests_opencv_and_registers_safetensors_that_round_trip_with_their_hash(studio, trained, tmp_path):
    import mlflow

    result, m = trained["result"], trained["result"].metrics
    assert result.registered_name == "talos-anima-inpaint" and result.version == "1"
    # with no champion yet, OpenCV's fill (what Anima uses without a model) is the one to beat
    assert "OpenCV Navier-Stokes" in result.promotion_reason
    assert result.promoted == (m["heldout/psnr_mask"] > m["heldout/baseline_psnr_mask"]), result.promotion_reason
    assert result.alias == ("champion" if result.promoted else "challenger")
    loaded = load_registered("inpaint", alias=result.alias, tracking_uri=studio["mlflow"], device="cpu")
    client = mlflow.MlflowClient(tracking_uri=studio["mlflow"])
    version = client.get_model_version_by_alias("talos-anima-inpaint", result.alias)
    source = client.get_model_version_download_uri("talos-anima-inpaint", version.version).removeprefix("file://")
    weights = os.path.join(source, "extra_files", WEIGHTS_FILE)
    assert version.tags[WEIGHTS_SHA256_TAG] == sha256_file(weights)  # the hash recorded at registration
    rgb, hole = next(iter(torch.utils.data.DataLoader(trained["data"].val_set, batch_size=4)))
    path = save_checkpoint(loaded, tmp_path / WEIGHTS_FILE)
    with torch.no_grad():  # the registered file, and a re-export of it, are the trained net exactly
        assert torch.equal(loaded(rgb, hole), result.net.cpu()(rgb, hole))
        assert torch.equal(load_checkpoint(weights, "cpu")(rgb, hole), loaded(rgb, hole))
        assert torch.equal(load_checkpoint(path, "cpu")(rgb, hole), loaded(rgb, hole))
    # a worse challenger (the net with a noisy output layer) is refused on the same held-out holes,
    # by the champion or, when there is none, by OpenCV
    from protoforge.promotion import decide

    worse = FrameInpainter(**NET.model_dump(), sample_size=32)
    torch.manual_seed(0)
    torch.nn.init.normal_(worse.unet.conv_out.weight, std=0.05)
    refused = decide("inpaint", worse, trained["data"].val_set, studio["mlflow"])
    assert not refused.promoted and refused.alias == "challenger", refused.reason
    # weights changed after registration are refused, not loaded
    original = open(weights, "rb").read()
    try:
        with open(weights, "r+b") as fh:
            fh.seek(-8, os.SEEK_END)
            fh.write(b"\x00" * 8)
        with pytest.raises(UnverifiedModel, match="talos-anima-inpaint"):
            load_registered("inpaint", alias=result.alias, tracking_uri=studio["mlflow"], device="cpu")
    finally:
        open(weights, "wb").write(original)


def test_on_held_out_shots_the_learned_fill_repairs_the_fault_and_leaves_the_rest(trained):
    net = trained["result"].net.cpu().eval()
    rgb, hole = (torch.cat(t) for t in zip(*torch.utils.data.DataLoader(trained["data"].val_set, batch_size=16)))
    fault = rgb * (1 - hole) + hole * (rgb + 0.5).clamp(0, 1)  # a flash over the hole, left unrepaired
    with torch.no_grad():
        learned = net(fault, hole).clamp(0, 1)
    cv2_ns = opencv_fill(rgb, hole).clamp(0, 1)
    psnr = {k: float(masked_psnr(v, rgb, hole).mean()) for k, v in
            (("learned", learned), ("cv2_ns", cv2_ns), ("fault", fault))}
    assert torch.isfinite(learned).all()
    assert torch.equal(learned * (1 - hole), rgb * (1 - hole))  # outside the hole: the input, exactly
    with torch.no_grad():  # untrained (zero output layer), the net is OpenCV's fill exactly
        assert torch.equal(FrameInpainter(**NET.model_dump())(rgb, hole), rgb * (1 - hole) + opencv_fill(rgb, hole) * hole)
    assert psnr["learned"] > psnr["fault"] + 6.0, psnr  # the flash is repaired, not kept
    # it refines OpenCV's fill: a few steps on three tiny shots keep it within a dB of it
    assert psnr["learned"] > psnr["cv2_ns"] - 1.0, psnr
    assert trained["result"].metrics["heldout/psnr_mask"] > psnr["fault"] + 6.0


def test_a_loaded_model_changes_animas_repair_and_only_the_moving_pixels(trained):
    frame = np.full((30, 40, 3), 0.3, np.float32)
    frame[:, 20:] = 0.6  # an edge, so the fill has something to get right or wrong
    before, after = frame.copy(), frame.copy()
    before[10:14, 5:9] = 0.9  # something passes: the neighbours disagree there
    after[10:14, 25:29] = 0.9
    flash = frame.copy()
    flash[10:14, 5:9] = 0.0
    plain, count = repair_frame(flash, before, after)
    learned, learned_count = repair_frame(flash, before, after, model=trained["result"].net)
    assert count == learned_count == 32
    moving = np.zeros((30, 40), bool)
    moving[10:14, 5:9] = moving[10:14, 25:29] = True  # where this frame strays and its neighbours disagree
    assert not np.array_equal(plain[moving], learned[moving])  # the model, not OpenCV, filled the hole
    assert np.array_equal(plain[~moving], learned[~moving])
    assert np.isfinite(learned).all()
    assert np.abs(learned[10:14, 5:9] - 0.3).max() < 0.2 and np.abs(learned[10:14, 25:29] - 0.6).max() < 0.2


def test_the_render_loads_the_champion_only_when_one_is_registered(studio, trained, tmp_path):
    from resources.mlflow import MLflowResource
    from talos_assets.defs.render import lab_inpainter

    empty = IchorVault(f"sqlite:///{tmp_path}/empty.db")
    model, which = lab_inpainter(empty, MLflowResource(tracking_uri=f"sqlite:///{tmp_path}/none.db",
                                                       artifact_location=str(tmp_path / "a")))
    assert model is None and which.startswith("OpenCV") and not (tmp_path / "none.db").exists()
    if not trained["result"].promoted:  # it did not beat OpenCV here: a user promotes it by hand
        import mlflow

        mlflow.MlflowClient(tracking_uri=studio["mlflow"]).set_registered_model_alias(
            "talos-anima-inpaint", "champion", trained["result"].version)
    model, which = lab_inpainter(IchorVault(studio["ichor_url"]),
                                 MLflowResource(tracking_uri=studio["mlflow"], artifact_location=studio["artifacts"]))
    assert model is not None and which == "talos-anima-inpaint v1 @champion"
