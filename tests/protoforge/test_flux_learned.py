"""Flux's learned raster in-betweener on CPU: DIS-initialised training batches, the raster in-betweens
Flux draws with and without the registered model (a translated disc, whose true in-between is known),
the registry path by alias, and `talos inbetween`.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

import lightning as L  # noqa: E402

from protoforge.data.shot_frames import FrameTriplets  # noqa: E402
from protoforge.models.components.interpolator import FrameInterpolator, interpolate_midframe  # noqa: E402
from protoforge.models.flux_interp_module import FluxInterpModule, dis_middle  # noqa: E402
from protoforge.registry import (  # noqa: E402
    WEIGHTS_FILE, UnverifiedModel, save_checkpoint,
)
from talos_assets.agents.inbetweening.flow import dis_flows  # noqa: E402
from talos_assets.agents.inbetweening.raster import (  # noqa: E402
    inbetween_frames, inbetween_times, load_inbetweener, load_inbetweener_file,
)

H, W = 64, 96


def disc(cx: float, cy: float = 32.0, r: float = 10.0) -> np.ndarray:
    """A light anti-aliased disc on a dark, horizontally shaded ground, display RGB float (H,W,3)."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32) + 0.5
    cover = np.clip(r - np.hypot(xx - cx, yy - cy) + 0.5, 0.0, 1.0)[..., None]
    ground = np.stack([0.1 + 0.2 * xx / W, 0.15 + 0.0 * yy, 0.3 - 0.1 * xx / W], axis=-1)
    return (ground * (1 - cover) + np.array([0.95, 0.8, 0.2]) * cover).astype(np.float32)


def centre_x(img: np.ndarray) -> float:
    """x of the disc's centroid, from the yellow coverage (red minus blue)."""
    weight = np.clip(img[..., 0] - img[..., 2] - 0.2, 0, None)
    return float((weight * (np.arange(W) + 0.5)).sum() / weight.sum())


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / max(float(np.mean((a - b) ** 2)), 1e-12)))


def noisy_net(seed: int = 0) -> FrameInterpolator:
    """A net whose output layer is not the zero init: it no longer reproduces the DIS in-between."""
    torch.manual_seed(seed)
    net = FrameInterpolator(block_out_channels=[8, 16], norm_num_groups=4).eval()
    torch.nn.init.normal_(net.unet.conv_out.weight, std=0.05)
    return net


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_flow_inbetweens_beat_the_blend_on_a_moving_disc():
    a, mid, b = disc(30.0), disc(38.0), disc(46.0)
    blend = psnr(0.5 * (a + b), mid)
    fallback = inbetween_frames(a, b, 1)[0]
    untrained = inbetween_frames(a, b, 1, model=FrameInterpolator(block_out_channels=[8, 16], norm_num_groups=4))[0]
    # The blend shows two half-bright discs; warping along the flow puts one disc in the middle.
    assert psnr(fallback, mid) > blend + 8, (psnr(fallback, mid), blend)
    assert psnr(untrained, mid) > blend + 8, (psnr(untrained, mid), blend)
    # The untrained net's output layer is zero: it is the DIS in-between, up to the warp's rounding.
    assert np.abs(untrained - fallback).max() < 0.03
    assert abs(centre_x(fallback) - 38.0) < 0.5 and abs(centre_x(untrained) - 38.0) < 0.5


def test_inbetweens_land_at_their_times():
    a, b = disc(24.0), disc(40.0)
    assert inbetween_times(3) == [0.25, 0.5, 0.75]
    for model in (None, FrameInterpolator(block_out_channels=[8, 16], norm_num_groups=4)):
        for n in (1, 2, 3):
            frames = inbetween_frames(a, b, n, model=model)
            assert len(frames) == n and all(f.shape == (H, W, 3) and f.dtype == np.float32 for f in frames)
            xs = [centre_x(f) for f in frames]
            expected = [24.0 + 16.0 * t for t in inbetween_times(n)]
            assert np.allclose(xs, expected, atol=1.0), (model, n, xs, expected)
    assert inbetween_frames(a, b, 0) == []
    with pytest.raises(ValueError, match="differ in size"):
        inbetween_frames(a, b[:, :50], 1)


def test_a_loaded_model_changes_the_inbetween(tmp_path):
    a, b = disc(30.0), disc(46.0)
    net = noisy_net()
    path = save_checkpoint(net, tmp_path / "flux.safetensors")
    loaded = load_inbetweener_file(path)
    with_model = inbetween_frames(a, b, 1, model=loaded)[0]
    assert np.array_equal(with_model, interpolate_midframe(net, a, b))
    assert np.abs(with_model - inbetween_frames(a, b, 1)[0]).mean() > 1e-3


def test_training_batches_carry_flows_that_flip_with_the_frames():
    a, mid, b = disc(30.0), disc(38.0), disc(46.0)
    to8 = lambda x: np.round(x * 255).astype(np.uint8)  # noqa: E731
    triplet = np.stack([to8(a), to8(mid), to8(b)])
    f_ab, f_ba = dis_flows(triplet[0], triplet[2])  # on the whole frames, as the DataModule does
    flows = np.concatenate([f_ab, f_ba], axis=-1).astype(np.float16)
    for width in (W, H):  # 64x96 (mirror, flip, time) and a square 64x64 crop (also transposed)
        data = FrameTriplets([triplet[None, :, :, :width]], augment=True, flows=[flows[None, :, :width]])
        torch.manual_seed(0)
        seen = set()
        for _ in range(24):
            prev, middle, nxt, flow = data[0]
            assert flow.shape == (4, H, width)
            # Whatever the symmetry, warping along the transformed flows lands the disc in the middle.
            assert (dis_middle(prev[None], nxt[None], flow[None])[0] - middle).abs().mean() < 0.01
            # Which way the disc moves from prev to next, as the frames and as the flow say.
            moves = (prev - nxt).abs().sum(0)
            vertical = bool(moves.sum(1).count_nonzero() > moves.sum(0).count_nonzero())
            fx, fy = float(flow[0].mean()), float(flow[1].mean())
            assert vertical == (abs(fy) > abs(fx))
            seen.add((vertical, (fy if vertical else fx) > 0))
        # mirrored and time-reversed draws move the disc both ways; only a square crop is transposed
        assert seen == ({(False, True), (False, False)} if width == W else
                        {(False, True), (False, False), (True, True), (True, False)}), seen


def test_fast_dev_run_on_flow_batches():
    a, mid, b = disc(30.0), disc(38.0), disc(46.0)
    triplet = np.stack([np.round(x * 255).astype(np.uint8) for x in (a, mid, b)])
    f_ab, f_ba = dis_flows(triplet[0], triplet[2])
    flows = np.concatenate([f_ab, f_ba], axis=-1).astype(np.float16)
    train = FrameTriplets([triplet[None]] * 4, augment=True, flows=[flows[None]] * 4)
    val = FrameTriplets([triplet] * 2)
    module = FluxInterpModule(net_config={"block_out_channels": [8, 16], "norm_num_groups": 4})
    trainer = L.Trainer(fast_dev_run=True, accelerator="cpu", logger=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(module, torch.utils.data.DataLoader(train, batch_size=2), torch.utils.data.DataLoader(val, batch_size=2))
    m = trainer.callback_metrics
    # Validation scores both baselines beside the net; the untrained net is the DIS in-between.
    assert float(m["val/psnr_dis"]) > float(m["val/psnr_blend"]) + 8
    assert abs(float(m["val/psnr"]) - float(m["val/psnr_dis"])) < 2.0


def test_flux_uses_the_registered_model_and_refuses_a_tampered_one(tmp_path, register_champion):
    import mlflow

    a, b = disc(30.0), disc(46.0)
    assert load_inbetweener(f"sqlite:///{tmp_path}/empty.db") is None  # nothing registered: DIS fallback
    net = noisy_net(1)
    tracking = f"sqlite:///{tmp_path}/mlflow.db"
    register_champion(net, "talos-flux-interp", tracking, tmp_path)
    loaded = load_inbetweener(tracking)
    assert loaded.registered_version == "1"
    assert np.array_equal(inbetween_frames(a, b, 1, model=loaded)[0], interpolate_midframe(net, a, b))
    # The registered weights are changed after registration: Flux refuses them instead of falling back.
    client = mlflow.MlflowClient(tracking_uri=tracking)
    source = client.get_model_version_download_uri("talos-flux-interp", "1")
    weights = os.path.join(source.removeprefix("file://"), "extra_files", WEIGHTS_FILE)
    with open(weights, "r+b") as fh:
        fh.seek(-8, os.SEEK_END)
        fh.write(b"\x00" * 8)
    with pytest.raises(UnverifiedModel, match="talos-flux-interp version 1"):
        load_inbetweener(tracking)


def test_talos_inbetween_writes_the_sequence(tmp_path, monkeypatch):
    import cv2
    from typer.testing import CliRunner

    from talos_assets.cli import app

    monkeypatch.setenv("TALOS_HOME", str(tmp_path / "home"))  # no registry there: DIS fallback
    for name, x in (("a.png", 24.0), ("b.png", 40.0)):
        cv2.imwrite(str(tmp_path / name), cv2.cvtColor(np.round(disc(x) * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["inbetween", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "-n", "3", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "DIS optical flow" in run.output
    assert sorted(p.name for p in out.iterdir()) == [f"f{i:04d}.png" for i in range(5)]
    middle = cv2.cvtColor(cv2.imread(str(out / "f0002.png")), cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    assert abs(centre_x(middle) - 32.0) < 1.0
    cv2.imwrite(str(tmp_path / "small.png"), np.zeros((10, 10, 3), np.uint8))
    bad = CliRunner().invoke(app, ["inbetween", str(tmp_path / "a.png"), str(tmp_path / "small.png"), "-o", str(out)])
    assert bad.exit_code == 2 and "resize one so both drawings match" in bad.output
    missing = CliRunner().invoke(app, ["inbetween", str(tmp_path / "nope.png"), str(tmp_path / "a.png")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    # A bad checkpoint path is one sentence and exit code 2, never a traceback or a silent fallback.
    pair = [str(tmp_path / "a.png"), str(tmp_path / "b.png"), "-o", str(out)]
    for checkpoint, says in ((tmp_path / "none.safetensors", "does not exist"), (tmp_path, "is a folder")):
        bad = CliRunner().invoke(app, ["inbetween", *pair, "--checkpoint", str(checkpoint)])
        assert bad.exit_code == 2 and says in bad.output and "Traceback" not in bad.output, bad.output
        assert not isinstance(bad.exception, Exception) or isinstance(bad.exception, SystemExit)


def test_the_tile_threshold_leaves_to_dis_what_the_net_would_spoil(tmp_path):
    """A net whose corrections only add error: the threshold chosen on validation triplets hands no
    tile to it (the result is the DIS in-between), and the choice travels with the weights."""
    from protoforge.models.components.interpolator import TILE_MIN_CHOICES

    def tensor(img):
        return torch.from_numpy(img).permute(2, 0, 1)[None]

    triplets = [tuple(tensor(disc(x0 + d)) for d in (0.0, 2.0, 4.0)) for x0 in (30.0, 44.0)]
    batch = [tuple(torch.cat(t) for t in zip(*triplets))]
    net = noisy_net()
    sweep = net.choose_tile_min(batch)
    assert set(sweep) == set(TILE_MIN_CHOICES)
    assert sweep[net.tile_min] > sweep[0.0] + 1.0, sweep  # the spoiling net kept off the tiles
    prev, mid, nxt = (t[0] for t in triplets[0])
    dis = dis_middle(prev[None], nxt[None], net.estimate_flows(prev[None], nxt[None]))
    assert torch.allclose(net.middle_tiled(prev[None], nxt[None]), dis, atol=1e-6)
    path = save_checkpoint(net, tmp_path / WEIGHTS_FILE)
    assert load_inbetweener_file(path).tile_min == net.tile_min == net.config["tile_min"]
    zero = FrameInterpolator(block_out_channels=[8, 16], norm_num_groups=4).eval()
    zero.choose_tile_min(batch)  # exactly DIS on every tile: a tie, settled for the larger threshold
    assert zero.tile_min == max(TILE_MIN_CHOICES)


def test_a_rigged_shot_on_twos_is_inbetweened_by_the_registered_model(tmp_path, register_champion):
    """Anima's in-betweener for a shot drawn on twos: DIS flow (said so, MLflow untouched) while Ichor
    links no Flux model, the registered @champion once it does, and that model changes the frames."""
    from resources.mlflow import MLflowResource
    from talos_assets.agents.frames import srgb_to_linear
    from talos_assets.agents.inbetweening.raster_shot import linear_inbetweens
    from talos_assets.defs.render import flux_inbetweener
    from talos_assets.stores.ichor import IchorVault

    vault = IchorVault(f"sqlite:///{tmp_path}/ichor.db")
    untouched = MLflowResource(tracking_uri=f"sqlite:///{tmp_path}/none.db", artifact_location=str(tmp_path / "none"))
    model, which = flux_inbetweener(vault, untouched)
    assert model is None and which.startswith("DIS optical flow") and not (tmp_path / "none.db").exists()

    tracking = f"sqlite:///{tmp_path}/mlflow.db"
    register_champion(noisy_net(2), "talos-flux-interp", tracking, tmp_path)
    vault.link_model("flux", "talos-flux-interp", "1", "champion", {})
    model, which = flux_inbetweener(vault, MLflowResource(tracking_uri=tracking, artifact_location=str(tmp_path / "artifacts")))
    assert model is not None and which == "talos-flux-interp v1 @champion"
    a, b = (np.concatenate([srgb_to_linear(disc(x)), np.ones((H, W, 1), np.float32)], axis=-1) for x in (30.0, 46.0))
    learned, flow = linear_inbetweens(a, b, 1, model=model)[0], linear_inbetweens(a, b, 1)[0]
    assert np.abs(learned - flow).max() > 0.01  # the model drew it, not the DIS fallback
    assert abs(centre_x(learned[..., :3] ** (1 / 2.2)) - 38.0) < 1.5
