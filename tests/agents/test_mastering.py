"""Anima mastering: colour pipeline (BT.2408 / BT.2390 / ST 2084 through OCIO) and the four deliverables."""

from __future__ import annotations

import subprocess
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from talos_assets.agents import mastering as m
from talos_assets.agents.mastering import Deliverable

W, H, FPS, N = 160, 90, 24, 24


@pytest.fixture(scope="module")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture(scope="module")
def tone_wav(tmp_path_factory, ffmpeg_exe) -> Path:
    path = tmp_path_factory.mktemp("audio") / "tone.wav"
    subprocess.run([ffmpeg_exe, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=3", str(path)], check=True)
    return path


def sample_frame(i: int = 0, emissive: float = 4.0) -> np.ndarray:
    """Mid-grey background, a large emissive white patch, a moving dark square."""
    f = np.full((H, W, 3), 0.18, np.float32)
    f[20:70, 60:120] = emissive
    x = (i * 5) % (W - 16)
    f[4:16, x : x + 12] = 0.02
    return f


def frames(n: int = N, emissive: float = 4.0):
    for i in range(n):
        yield sample_frame(i, emissive)


def decoded_planes(path: Path, index: int = 0) -> tuple[str, list[np.ndarray]]:
    """Decode one frame with PyAV and return its raw planes as integer code values."""
    import av

    with av.open(str(path)) as c:
        for i, fr in enumerate(c.decode(video=0)):
            if i < index:
                continue
            dtype = np.uint16 if fr.format.name.endswith(("10le", "12le")) else np.uint8
            planes = []
            for pl in fr.planes:
                arr = np.frombuffer(bytes(pl), dtype).reshape(pl.height, pl.line_size // np.dtype(dtype).itemsize)
                planes.append(arr[:, : pl.width])
            return fr.format.name, planes
    raise AssertionError("no frame decoded")


def no_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ---- the colour pipeline -----------------------------------------------------------------------


def test_pq_and_bt2408_mapping():
    nits = np.array([0.0, 0.01, 1.0, 100.0, 203.0, 1000.0, 10000.0])
    np.testing.assert_allclose(m.pq_decode(m.pq_encode(nits)), nits, rtol=1e-9, atol=1e-9)
    assert float(m.pq_encode(10000.0)) == pytest.approx(1.0)
    assert float(m.pq_encode(100.0)) == pytest.approx(0.5081, abs=2e-4)  # ST 2084 reference value
    assert float(m.pq_encode(1000.0)) == pytest.approx(0.7518, abs=2e-4)
    # BT.2408: scene 1.0 = 203 nits; everything below the EETF knee is exactly x * 203 nits.
    assert float(m.scene_to_hdr_nits(1.0)) == pytest.approx(203.0, rel=1e-9)
    assert float(m.scene_to_hdr_nits(0.18)) == pytest.approx(0.18 * 203.0, rel=1e-9)
    xs = np.geomspace(1e-3, 200.0, 4000)
    hdr = m.scene_to_hdr_nits(xs)
    assert np.all(np.diff(hdr[xs < 49]) > 0)  # strictly rising up to the 10,000-nit grade limit
    assert hdr.max() <= 1000.0 + 1e-6 and float(m.scene_to_hdr_nits(4.93)) < 1000.0
    sdr = m.scene_to_sdr(xs)
    np.testing.assert_allclose(sdr[xs <= 0.5], xs[xs <= 0.5], rtol=1e-9)  # colorimetric below the knee
    assert np.all(np.diff(sdr[xs < 49]) > 0) and sdr.max() <= 1.0


def test_bt2390_eetf_shape():
    e = np.linspace(0.0, 1.0, 10001)
    out = m.bt2390_eetf(e, 10000.0, 1000.0)
    peak = float(m.pq_encode(1000.0))
    assert out.max() == pytest.approx(peak, abs=1e-9)  # source peak -> target peak
    assert np.all(np.diff(out) >= -1e-12)  # monotonic
    knee = 1.5 * peak - 0.5
    np.testing.assert_allclose(out[e < knee], e[e < knee])  # identity below the knee
    slope = np.diff(out) / np.diff(e)
    assert np.abs(np.diff(slope)).max() < 1e-2  # no kink at the knee (C1)


def test_ocio_processors_match_the_reference_curves():
    ramp = np.geomspace(1e-4, 60.0, 2048).astype(np.float32)
    grey = np.repeat(ramp[None, :, None], 3, axis=2)
    hdr = m.display_encode(grey, Deliverable.HDR10_HEVC)
    assert hdr.dtype == np.uint16 and hdr.shape == grey.shape
    np.testing.assert_allclose(hdr[0, :, 0] / 65535.0, m.pq_encode(m.scene_to_hdr_nits(ramp)), atol=2e-4)
    sdr = m.display_encode(grey, Deliverable.SDR_H264)
    assert sdr.dtype == np.uint8
    ref = np.round(m.scene_to_sdr(ramp) ** (1 / 2.4) * 255.0)
    assert np.abs(sdr[0, :, 0].astype(int) - ref).max() <= 1
    # Gamut: pure Rec.709 red lands inside Rec.2020 at the BT.2087 matrix's first column.
    red = np.zeros((1, 1, 3), np.float32)
    red[..., 0] = 1.0
    code = m.display_encode(red, Deliverable.HDR10_HEVC)[0, 0] / 65535.0
    want = m.pq_encode(m.scene_to_hdr_nits(np.array([0.6274, 0.0691, 0.0164])))
    np.testing.assert_allclose(code, want, atol=1e-3)
    # The tabulated fast path gives OCIO's own answer (exact=True runs the processor) within a code.
    rng = np.random.default_rng(5)
    colours = np.concatenate([rng.uniform(-0.1, 1.2, (40, W, 3)) ** 3 * 8, np.repeat(grey[:, :W], 8, axis=0)]).astype(np.float32)
    for deliverable in (Deliverable.SDR_H264, Deliverable.HDR10_HEVC, Deliverable.PRORES_4444):
        fast, exact = m.display_encode(colours, deliverable), m.display_encode(colours, deliverable, exact=True)
        assert fast.shape == exact.shape and fast.dtype == exact.dtype
        tolerance = 1 if fast.dtype == np.uint8 else 7  # 7 of 65535 = 0.11 of a 10-bit code
        assert np.abs(fast.astype(int) - exact.astype(int)).max() <= tolerance, deliverable
    # Negative light (ringing) is no light.
    assert m.display_encode(np.full((1, 1, 3), -1.0, np.float32), Deliverable.HDR10_HEVC).max() == 0


# ---- deliverables ------------------------------------------------------------------------------


def test_sdr_h264_master_tags_duration_audio_and_mid_grey(tmp_path, ffmpeg_exe, tone_wav):
    out = tmp_path / "film.mp4"
    facts = m.master_film(frames(), out, Deliverable.SDR_H264, FPS, W, H, ffmpeg_exe=ffmpeg_exe, audio_path=tone_wav,
                          crf=4)
    assert out.is_file() and no_leftovers(tmp_path) == []
    assert (facts.codec, facts.pix_fmt, facts.width, facts.height) == ("h264", "yuv420p", W, H)
    assert (facts.color_primaries, facts.color_trc, facts.colorspace, facts.color_range) == ("bt709", "bt709", "bt709", "tv")
    assert facts.fps == pytest.approx(FPS)
    assert facts.duration_s == pytest.approx(N / FPS, abs=1.0 / FPS)  # audio (3 s) cut at the picture
    assert facts.has_audio and facts.audio_codec == "aac"
    assert facts.max_cll is None and facts.mastering_display is None
    _, (y, _u, _v) = decoded_planes(out)
    # Mid-grey 0.18 is kept: BT.1886 signal 0.18^(1/2.4), limited range 16..235.
    assert abs(float(np.median(y[40:80, 5:50])) - (16 + 219 * 0.18 ** (1 / 2.4))) <= 2.0


def test_sdr_tone_mapping_keeps_highlight_gradation(tmp_path, ffmpeg_exe):
    """A horizontal ramp of emissive light from diffuse white to 16x white: the SDR version rises
    monotonically with many distinct codes, and the 1000-nit-ungraded highlight (x = 4.93) is not
    clipped to the top code, where a plain clip would flatten everything above 1.0."""
    xs = np.geomspace(1.0, 16.0, W).astype(np.float32)
    frame = np.repeat(np.repeat(xs[None, :, None], H, axis=0), 3, axis=2)
    frame[: H // 3] = 0.18
    out = tmp_path / "ramp.mp4"
    m.master_film([frame] * 2, out, Deliverable.SDR_H264, FPS, W, H, ffmpeg_exe=ffmpeg_exe, crf=0)
    _, (y, _u, _v) = decoded_planes(out)
    row = np.median(y[H // 2 : H - 4].astype(float), axis=0)
    assert np.all(np.diff(row) >= -1.0)  # rising (one code of slack for the codec)
    assert len(np.unique(row)) >= 18
    at_1000 = row[np.argmin(np.abs(xs - 1000.0 / 203.0))]
    assert at_1000 < 235 - 2 and row[0] < at_1000 - 15  # below the top, well above diffuse white
    clipped = np.round(16 + 219 * np.minimum(xs, 1.0) ** (1 / 2.4))
    assert len(np.unique(clipped)) == 1  # what clipping would have delivered


def test_hdr10_master_signals_the_intended_nits(tmp_path, ffmpeg_exe, tone_wav):
    out = tmp_path / "film_hdr.mp4"
    emissive = 4.0
    facts = m.master_film(lambda: frames(12, emissive), out, Deliverable.HDR10_HEVC, FPS, W, H, ffmpeg_exe=ffmpeg_exe,
                          audio_path=tone_wav, frame_count=12, crf=4)
    assert (facts.codec, facts.pix_fmt, facts.profile) == ("hevc", "yuv420p10le", "Main 10")
    assert (facts.color_primaries, facts.color_trc, facts.colorspace) == ("bt2020", "smpte2084", "bt2020nc")
    assert facts.duration_s == pytest.approx(12 / FPS, abs=1e-3) and facts.has_audio
    md = facts.mastering_display
    assert md["max_nits"] == pytest.approx(1000.0) and md["min_nits"] == pytest.approx(0.0001)
    assert md["r"] == pytest.approx((0.680, 0.320)) and md["wp"] == pytest.approx((0.3127, 0.3290))
    want = float(m.scene_to_hdr_nits(emissive))  # 644 nits: past the EETF knee, below the peak
    assert 600 < want < 700
    # MaxCLL/MaxFALL: measured in a pre-pass, signalled in the stream, equal to the encoded frames'.
    assert facts.content_light_source == "pre-pass"
    assert facts.max_cll == int(np.ceil(facts.measured_max_cll - 1e-6))
    assert facts.measured_max_cll == pytest.approx(want, rel=0.01)
    assert 0 < facts.max_fall < facts.max_cll
    # Decode the 10-bit frame and invert PQ: the patch shows the nits it was mapped to.
    fmt, (y, u, v) = decoded_planes(out, index=5)
    assert fmt == "yuv420p10le"
    code = float(np.median(y[30:60, 70:110]))
    nits = float(m.pq_decode((code - 64.0) / 876.0))
    assert nits == pytest.approx(want, rel=0.03)
    grey = float(m.pq_decode((float(np.median(y[40:80, 5:50])) - 64.0) / 876.0))
    assert grey == pytest.approx(0.18 * 203.0, rel=0.05)
    assert abs(float(np.median(u[15:30, 35:55])) - 512) <= 2  # neutral stays neutral


def test_hdr10_content_light_without_a_pre_pass(tmp_path, ffmpeg_exe):
    once = m.master_film(frames(4), tmp_path / "a.mp4", Deliverable.HDR10_HEVC, FPS, W, H, ffmpeg_exe=ffmpeg_exe)
    assert once.content_light_source == "upper-bound" and (once.max_cll, once.max_fall) == (1000, 1000)
    given = m.master_film(frames(4), tmp_path / "b.mp4", Deliverable.HDR10_HEVC, FPS, W, H, ffmpeg_exe=ffmpeg_exe,
                          content_light=(700, 120))
    assert given.content_light_source == "given" and (given.max_cll, given.max_fall) == (700, 120)


def test_prores4444_keeps_alpha(tmp_path, ffmpeg_exe, tone_wav):
    alpha = np.repeat(np.linspace(0.0, 1.0, W, dtype=np.float32)[None, :], H, axis=0)[..., None]
    rgba = np.concatenate([np.full((H, W, 3), 0.5, np.float32) * alpha, alpha], axis=2)  # premultiplied
    out = tmp_path / "comp.mov"
    facts = m.master_film([rgba] * 6, out, Deliverable.PRORES_4444, FPS, W, H, ffmpeg_exe=ffmpeg_exe,
                          audio_path=tone_wav)
    assert facts.codec == "prores" and facts.profile == "4444"
    assert facts.pix_fmt.startswith("yuva444p")  # encoded yuva444p10le; FFmpeg decodes ProRes to 12 bits
    assert facts.colorspace == "bt709" and facts.has_audio and facts.audio_codec == "pcm_s24le"
    assert facts.duration_s == pytest.approx(6 / FPS, abs=1e-3)
    fmt, planes = decoded_planes(out)
    bits = 12 if fmt.endswith("12le") else 10
    a = planes[3].astype(float) / (2**bits - 1)
    np.testing.assert_allclose(a, alpha[..., 0], atol=0.01)
    # Straight colour: wherever the layer is visible, luma is the un-premultiplied 0.5 grey.
    y = planes[0].astype(float) / 2 ** (bits - 8)
    want = 16 + 219 * float(m.scene_to_sdr(0.5)) ** (1 / 2.4)
    assert np.abs(y[:, W // 4 :] - want).max() <= 2.0


def test_exr_sequence_reads_back_within_half_precision(tmp_path):
    import OpenEXR

    rng = np.random.default_rng(3)
    src = []
    for i in range(5):
        f = rng.uniform(0.0, 1.0, (H, W, 4)).astype(np.float32)
        f[..., :3] *= f[..., 3:]  # premultiplied
        f[10:20, 10:20, :3] = 12.5 + i  # emissive, far above 1.0
        src.append(f)
    out = tmp_path / "shot_exr"
    facts = m.master_film(iter(src), out, Deliverable.EXR_SEQUENCE, FPS, W, H, ffmpeg_exe=None, frame_count=5)
    assert (facts.codec, facts.frame_count, facts.width, facts.height, facts.fps) == ("exr", 5, W, H, FPS)
    assert facts.color_trc == "linear" and facts.duration_s == pytest.approx(5 / FPS)
    files = sorted(out.glob("*.exr"))
    assert [p.name for p in files] == [m.exr_frame_name(out, i) for i in range(5)]
    for f, path in zip(src, files):
        exr = OpenEXR.File(str(path))
        px = exr.channels()["RGBA"].pixels
        assert px.dtype == np.float16
        np.testing.assert_allclose(px.astype(np.float32), f, rtol=2**-11, atol=2**-24)
        assert exr.header()["chromaticities"][:2] == pytest.approx((0.64, 0.33))
    assert no_leftovers(tmp_path) == []
    # A second master replaces the first as a whole.
    m.master_film([src[0][..., :3]] * 2, out, Deliverable.EXR_SEQUENCE, FPS, W, H, ffmpeg_exe=None)
    assert len(list(out.glob("*.exr"))) == 2 and no_leftovers(tmp_path) == []


def test_4k_master(tmp_path, ffmpeg_exe):
    w, h = 3840, 2160
    frame = np.zeros((h, w, 3), np.float32)
    frame[:] = np.linspace(0.0, 3.0, w, dtype=np.float32)[None, :, None]
    facts = m.master_film([frame, frame], tmp_path / "uhd.mp4", Deliverable.SDR_H264, FPS, w, h, ffmpeg_exe=ffmpeg_exe,
                          preset="ultrafast")
    assert (facts.width, facts.height, facts.frame_count) == (w, h, 2)
    with pytest.raises(ValueError):
        m.master_film([frame], tmp_path / "x.mp4", Deliverable.SDR_H264, FPS, 4098, 2160, ffmpeg_exe=ffmpeg_exe)


# ---- failure and streaming ---------------------------------------------------------------------


def test_failures_leave_nothing_at_the_final_path(tmp_path, ffmpeg_exe):
    out = tmp_path / "film.mp4"
    # ffmpeg refuses (unknown preset): RuntimeError naming the cause, nothing written.
    with pytest.raises(RuntimeError, match="ffmpeg failed"):
        m.master_film(frames(6), out, Deliverable.SDR_H264, FPS, W, H, ffmpeg_exe=ffmpeg_exe, preset="no-such-preset")
    assert not out.exists() and no_leftovers(tmp_path) == []

    def interrupted():
        yield from frames(5)
        raise KeyboardInterrupt

    for deliverable, path in ((Deliverable.HDR10_HEVC, out), (Deliverable.EXR_SEQUENCE, tmp_path / "seq")):
        with pytest.raises(KeyboardInterrupt):
            m.master_film(interrupted(), path, deliverable, FPS, W, H, ffmpeg_exe=ffmpeg_exe, content_light=(600, 100))
        assert not path.exists() and no_leftovers(tmp_path) == []
    # A bad frame mid-film, a short source: the old master stays as it was.
    out.write_bytes(b"previous master")
    with pytest.raises(ValueError, match="frame 3"):
        m.master_film([sample_frame()] * 3 + [np.zeros((H, W + 2, 3), np.float32)], out, Deliverable.SDR_H264,
                      FPS, W, H, ffmpeg_exe=ffmpeg_exe)
    with pytest.raises(ValueError, match="expected 10 frames"):
        m.master_film(frames(4), out, Deliverable.SDR_H264, FPS, W, H, ffmpeg_exe=ffmpeg_exe, frame_count=10)
    assert out.read_bytes() == b"previous master" and no_leftovers(tmp_path) == []
    with pytest.raises(ValueError):
        m.master_film(frames(2), out, Deliverable.SDR_H264, FPS, W + 1, H, ffmpeg_exe=ffmpeg_exe)  # odd width in 4:2:0
    with pytest.raises(ValueError):
        m.master_film(frames(2), tmp_path / "s", Deliverable.EXR_SEQUENCE, FPS, W, H, ffmpeg_exe=None, audio_path=out)
    # The ffmpeg executable is the caller's setting: a video master without one is refused up front.
    with pytest.raises(ValueError, match="pass ffmpeg_exe"):
        m.master_film(frames(2), tmp_path / "v.mp4", Deliverable.SDR_H264, FPS, W, H, ffmpeg_exe=None)
    assert not (tmp_path / "v.mp4").exists()


def test_frames_stream_lazily_with_bounded_memory(tmp_path, ffmpeg_exe):
    """500 float frames would be 86 MB held at once; streaming keeps a handful alive."""
    produced = []

    def source(n: int):
        for i in range(n):
            produced.append(i)
            yield sample_frame(i)

    m.display_encode(sample_frame(), Deliverable.SDR_H264)  # build (and cache) the OCIO processor first
    gen = source(500)
    assert produced == []  # nothing pulled before mastering starts
    tracemalloc.start()
    try:
        facts = m.master_film(gen, tmp_path / "long.mp4", Deliverable.SDR_H264, FPS, W, H, ffmpeg_exe=ffmpeg_exe,
                              preset="ultrafast", frame_count=500)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert facts.frame_count == 500 and facts.duration_s == pytest.approx(500 / FPS, abs=1e-3)
    frame_bytes = H * W * 3 * 4
    assert peak < 16 * frame_bytes, f"peak {peak / 1e6:.1f} MB for 500 frames of {frame_bytes / 1e3:.0f} kB"
