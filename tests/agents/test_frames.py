"""Frame files: linear premultiplied layers survive PNG and EXR round trips; writes are atomic."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import frames


def _layer(h=18, w=32, peak=1.0):
    rng = np.random.default_rng(0)
    layer = rng.random((h, w, 4)).astype(np.float32)
    layer[..., :3] *= layer[..., 3:] * peak
    return layer


def test_png_round_trip_within_16_bit_precision(tmp_path):
    layer = _layer()
    frames.write_layer_png(tmp_path / "a.png", layer)
    back = frames.read_layer(tmp_path / "a.png")
    assert np.abs(back - layer).max() < 1e-3


def test_exr_keeps_emissive_values_above_one(tmp_path):
    layer = _layer(peak=6.0)  # fire and bloom are brighter than paper white
    frames.write_layer(tmp_path / "a.exr", layer)
    back = frames.read_layer(tmp_path / "a.exr")
    assert back.max() > 2.0
    assert np.allclose(back, layer, rtol=1e-3, atol=1e-3)
    rgb = frames.write_layer(tmp_path / "b.exr", layer[..., :3])
    assert np.allclose(frames.read_layer(rgb)[..., 3], 1.0)


def test_srgb_lookup_tables_match_the_formula():
    x = np.linspace(0, 1, 10001, dtype=np.float32)
    exact = frames.linear_to_srgb(x) * 65535.0
    assert np.abs(frames.encode_srgb16(x).astype(np.float64) - exact).max() <= 0.5 + 1e-6 + 0.4
    codes = np.arange(0, 65536, 7, dtype=np.uint16)
    assert np.allclose(frames.decode_srgb(codes), frames.srgb_to_linear(codes / 65535.0), atol=1e-6)


def test_writes_leave_no_partial_files(tmp_path, monkeypatch):
    frames.write_layer(tmp_path / "ok.exr", _layer())

    def killed(*_args):  # the process dies between writing the temp file and the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(frames.os, "replace", killed)
    for name in ("bad.exr", "bad.png"):
        with pytest.raises(KeyboardInterrupt):
            frames.write_layer(tmp_path / name, _layer())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.exr"]


def test_frame_writer_writes_all_and_reraises(tmp_path):
    with frames.FrameWriter() as writer:
        for i in range(6):
            writer.layer(tmp_path / f"f{i:04d}.exr", _layer())
    assert len(list(tmp_path.glob("f*.exr"))) == 6
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(OSError):
        with frames.FrameWriter() as writer:
            writer.layer(blocker / "x.exr", _layer())
