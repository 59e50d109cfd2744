"""Echo's per-shot measures on cases with known answers: CIEDE2000 against Sharma, Wu & Dalal (2005),
palette adherence and its off-palette region, flow-warped flicker (Lai et al. 2018), jerk and foot
sliding of pose curves, lip-sync offset and loudness."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from talos_assets.agents.evaluation import colour_difference as cd
from talos_assets.agents.evaluation import dialogue_sync as ds
from talos_assets.agents.evaluation import motion_quality as mq
from talos_assets.agents.evaluation import warped_flicker as wf
from talos_assets.agents.evaluation.findings import EchoFinding

# ---- CIEDE2000: Sharma, Wu & Dalal (2005), Table 1 -------------------------------------------
# (L1, a1, b1, L2, a2, b2, ΔE00), typed from the paper's 34 test pairs.
SHARMA_2005 = [
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
    (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
    (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_ciede2000_matches_sharma_2005_all_34_pairs():
    table = np.array(SHARMA_2005)
    assert table.shape == (34, 7)
    got = cd.delta_e2000(table[:, 0:3], table[:, 3:6])
    np.testing.assert_allclose(got, table[:, 6], atol=1e-4)
    # symmetric, as the formula is
    np.testing.assert_allclose(cd.delta_e2000(table[:, 3:6], table[:, 0:3]), table[:, 6], atol=1e-4)


def test_ciede2000_is_not_cie76():
    # Pair 17: CIE76 (plain Lab distance) says 36.87; CIEDE2000 weighs the difference to 27.1492.
    a, b = np.array([50.0, 2.5, 0.0]), np.array([73.0, 25.0, -18.0])
    assert np.linalg.norm(a - b) == pytest.approx(36.868, abs=1e-3)
    assert float(cd.delta_e2000(a, b)) == pytest.approx(27.1492, abs=1e-4)


def test_srgb_white_and_palette_colours_are_d65_lab():
    white = cd.srgb8_to_lab(np.array([255, 255, 255], np.uint8))
    np.testing.assert_allclose(white, [100.0, 0.0, 0.0], atol=0.02)
    # '#ff0000' is sRGB red: CIELAB (53.24, 80.09, 67.20) under D65
    np.testing.assert_allclose(cd.palette_lab(["#ff0000"])[0], [53.24, 80.09, 67.20], atol=0.05)
    np.testing.assert_allclose(cd.palette_lab([(1.0, 0.0, 0.0)]), cd.palette_lab(["#FF0000"]), atol=1e-9)
    with pytest.raises(ValueError, match="#rrggbb"):
        cd.palette_lab(["#12345"])


# ---- palette adherence on delivered frames ----------------------------------------------------
PALETTE = ["#2a1a12", "#e8b48a", "#2e6f8e", "#b8863b"]


def _frame_with_block(h: int = 72, w: int = 128, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 2] = (0xE8, 0xB4, 0x8A)  # sky: a swatch
    img[h // 2 :] = (0x2E, 0x6F, 0x8E)  # sea: a swatch
    img[h // 2 :, : w // 4] = (0x2E + 3, 0x6F - 2, 0x8E + 2)  # a few code values off: still the palette
    if box is not None:
        x0, y0, x1, y1 = box
        img[y0:y1, x0:x1] = (20, 220, 40)  # a green no swatch is near
    return img


def test_palette_adherence_counts_near_colours_and_rejects_far_ones():
    assert cd.palette_adherence_de2000(_frame_with_block(), PALETTE) == 1.0
    frame = _frame_with_block(box=(0, 0, 64, 72))  # the left half green
    assert cd.palette_adherence_de2000(frame, PALETTE) == pytest.approx(0.5)
    mask = np.zeros(frame.shape[:2], bool)
    mask[:, :64] = True
    assert cd.palette_adherence_de2000(frame, PALETTE, mask=mask) == 0.0
    assert cd.palette_adherence_de2000(frame, PALETTE, mask=~mask) == 1.0
    assert np.isnan(cd.palette_adherence_de2000(frame, PALETTE, mask=np.zeros_like(mask)))
    # ΔE00 of the shifted sea to its swatch is small but not zero: a tight tolerance rejects it
    shifted = 0.5 * 0.25  # the left quarter of the lower half
    assert cd.palette_adherence_de2000(_frame_with_block(), PALETTE, tolerance=0.5) == pytest.approx(1.0 - shifted)


def test_palette_adherence_runs_on_a_720p_frame_with_many_colours():
    rng = np.random.default_rng(3)
    colours = rng.integers(0, 256, size=(40000, 3), dtype=np.uint8)  # a noisy decode's worth of colours
    frame = colours[rng.integers(0, len(colours), size=(720, 1280))]
    value = cd.palette_adherence_de2000(frame, PALETTE)
    assert 0.0 < value < 0.2  # random colours are rarely near one of four swatches


def test_palette_finding_names_the_failing_frames_and_the_off_palette_box():
    good = _frame_with_block()
    bad = _frame_with_block(box=(32, 8, 112, 64))  # 80 x 56 of 128 x 72: 49 % of the frame
    finding = cd.palette_finding([good, bad, good, bad], PALETTE)
    assert isinstance(finding, EchoFinding) and finding.check == "palette_de2000"
    assert finding.frames == [1, 3]
    assert finding.value == pytest.approx(1.0 - 0.5 * (80 * 56) / (128 * 72))
    assert finding.severity == "warn"  # the mean holds, two frames do not
    np.testing.assert_allclose(finding.region, (32 / 128, 8 / 72, 112 / 128, 64 / 72), atol=0.02)
    assert cd.palette_finding([bad] * 3, PALETTE, warn_below=0.6, error_below=0.55).severity == "error"
    clean = cd.palette_finding([good] * 3, PALETTE)
    assert clean.severity == "ok" and clean.frames == [] and clean.region is None


# ---- flow-warped flicker ----------------------------------------------------------------------
FH, FW = 180, 320


def _texture(h: int, w: int, seed: int) -> np.ndarray:
    """Smooth random colour texture (blobs ~8 px), so optical flow has something to hold on to."""
    coarse = np.random.default_rng(seed).random((h // 8 + 2, w // 8 + 2, 3)).astype(np.float32)
    return np.clip(40 + 170 * cv2.resize(coarse, (w + 16, h + 16), interpolation=cv2.INTER_CUBIC), 0, 255)[:h, :w]


BACKGROUND = _texture(FH + 64, FW + 64, seed=0)


def _panning(t: int) -> np.ndarray:
    """The texture translated by (2, 0.5) px per frame: pure, smooth camera motion."""
    m = np.float32([[1, 0, -2.0 * t], [0, 1, -0.5 * t]])
    return cv2.warpAffine(BACKGROUND, m, (FW, FH), borderMode=cv2.BORDER_REFLECT).astype(np.uint8)


def test_translation_costs_nothing_while_a_plain_frame_difference_is_large():
    frames = [_panning(t) for t in range(10)]
    series = wf.warped_flicker_series(frames)
    assert np.isnan(series[0]) and np.isfinite(series[1:]).all()
    plain = np.mean([np.abs(wf._lightness(frames[t]) - wf._lightness(frames[t - 1])).mean() for t in range(1, 10)])
    assert plain > 2.0
    assert wf.mean_warped_flicker(frames) < 0.25
    assert wf.mean_warped_flicker(frames) < plain / 10


def test_brightening_every_other_frame_by_ten_percent_is_clear_flicker():
    frames = [_panning(t) for t in range(10)]
    pumped = [np.clip(f * (1.1 if t % 2 else 1.0), 0, 255).astype(np.uint8) for t, f in enumerate(frames)]
    steady = wf.flicker_finding(frames)
    finding = wf.flicker_finding(pumped)
    assert finding.value > 2.5 and finding.value > 10 * steady.value
    assert finding.check == "flicker" and finding.severity == "error"
    assert len(finding.frames) == 9 and finding.region is not None
    assert steady.severity == "ok" and steady.frames == [] and steady.region is None
    assert wf.mean_warped_flicker(pumped, preset="fast") > 2.5


def test_an_occluding_moving_square_is_masked_out():
    ground = (BACKGROUND[:FH, :FW] * 0.4).astype(np.uint8)
    square = np.clip(_texture(60, 60, seed=5) * 0.3 + 170, 0, 255).astype(np.uint8)

    def frame(t: int) -> np.ndarray:
        f = ground.copy()
        f[50:110, 20 + 8 * t : 80 + 8 * t] = square  # slides right, uncovering ground behind it
        return f

    frames = [frame(t) for t in range(10)]
    masked = wf.mean_warped_flicker(frames)
    dis = wf._dis("medium")
    light = [wf._lightness(f) for f in frames]
    unmasked, occluded = [], []
    for t in range(1, 10):
        err, visible = wf.warping_error_map(light[t - 1], light[t], dis, occlusion=False)
        unmasked.append(err[visible].mean())
        occluded.append(1.0 - wf.warping_error_map(light[t - 1], light[t], dis)[1].mean())
    assert np.mean(occluded) > 0.01  # the uncovered strip (8 x 60 px of 320 x 180) and its edges
    assert masked < 0.6 * np.mean(unmasked)
    assert masked < 0.25


def test_cuts_are_not_flicker():
    a = [_panning(t) for t in range(5)]
    b = [np.ascontiguousarray(_panning(t)[::-1]) for t in range(5)]  # another shot
    series = wf.warped_flicker_series(a + b, cut_indices={5})
    assert np.isnan(series[5]) and np.isfinite(series[6:]).all()
    assert wf.mean_warped_flicker(a + b, cut_indices={5}) < 0.25
    uncut = wf.warped_flicker_series(a + b)  # without the cut, the change of shot counts
    assert uncut[5] > 2.0 and uncut[5] > 10 * np.nanmax(np.delete(uncut, 5))


# ---- motion smoothness: jerk and foot sliding -------------------------------------------------


def test_constant_acceleration_has_no_jerk_and_a_pop_shows_on_its_frame():
    t = np.arange(40, dtype=np.float64)
    path = np.stack([2 + 3 * t + 0.35 * t**2, 100 - 0.4 * t**2], axis=1)
    assert np.abs(mq.jerk_series(path)).max() < 1e-9
    popped = path.copy()
    popped[17, 0] += 5.0  # one frame drawn 5 px off
    series = mq.jerk_series(popped)
    assert int(np.argmax(series)) == 17
    assert series[17] == pytest.approx(15.0)  # |d3| is 3δ on both stencils around the pop
    # a joint set: the worst joint wins
    joints = np.stack([path, popped], axis=1)
    assert int(np.argmax(mq.jerk_series(joints))) == 17


def _walk(n: int, drift: float = 0.0, step: float = 60.0, lift: float = 40.0, period: int = 24) -> np.ndarray:
    """A foot's (n, 2) px track: planted half the cycle (drifting `drift` px/frame), then a swing that
    eases `step` px forward while lifting up to `lift` px."""
    x, pts = 100.0, []
    for f in range(n):
        phase = f % period
        if phase < period // 2:
            pts.append((x + drift * phase, 600.0))
        else:
            s = (phase - period // 2 + 1) / (period // 2)  # 1/12 .. 1 through the swing
            base = x + drift * (period // 2 - 1)
            pts.append((base + step * (1 - np.cos(np.pi * s)) / 2, 600.0 - lift * np.sin(np.pi * s)))
            if phase == period - 1:
                x = base + step
    return np.array(pts)


def test_foot_sliding_known_answers():
    h = 400.0
    t = np.arange(30, dtype=np.float64)
    drifting = np.stack([100 + 3.0 * t, np.full_like(t, 600.0)], axis=1)
    assert mq.foot_sliding(drifting, h) == pytest.approx(3.0)
    still = np.tile([[250.0, 600.0]], (30, 1))
    assert mq.foot_sliding(still, h) == 0.0
    walking = _walk(72)
    speed, planted = mq.foot_sliding_series(walking, h)
    assert speed.max() > 7.0  # the swing moves ~7.9 px/frame at its fastest
    lifted = (600.0 - walking[:, 1]) > mq.PLANT_HEIGHT * h
    assert not (planted & lifted).any()  # a foot in the air is never judged for sliding
    assert mq.foot_sliding(walking, h) < 0.3
    assert mq.foot_sliding(_walk(72, drift=3.0), h) == pytest.approx(3.0, abs=0.3)


def test_motion_findings_name_the_character_and_frames():
    h = {"mira": 400.0, "pip": 300.0}
    t = np.arange(48, dtype=np.float64)
    smooth = np.stack([100 + 2 * t, np.full_like(t, 500.0)], axis=1)
    popped = smooth.copy()
    popped[20] += (0.0, -40.0)  # pip's head pops 40 px up for one frame: 120 px/frame^3 = 0.4 heights
    tracks = {"mira": {"head": smooth, "r_ankle": _walk(48)}, "pip": {"head": popped, "r_ankle": _walk(48, drift=3.0)}}
    jerk = mq.jerk_finding(tracks, h)
    assert jerk.check == "jerk" and jerk.severity == "error" and jerk.characters == ["pip"]
    assert 20 in jerk.frames and jerk.value == pytest.approx(120.0) and jerk.limit == pytest.approx(mq.JERK_WARN * 300)
    slide = mq.foot_sliding_finding(tracks, h, {"mira": ["r_ankle"], "pip": ["r_ankle"]})
    assert slide.check == "foot_sliding" and slide.characters == ["pip"]
    assert slide.value == pytest.approx(3.0, abs=0.3) and slide.severity == "warn"  # 1 % of 300 px: 0.5..1.5 %
    assert slide.limit == pytest.approx(mq.FOOT_SLIDE_WARN * 300) and set(slide.frames) <= set(range(48))
    skating = {"pip": {"r_ankle": _walk(48, drift=6.0)}}
    assert mq.foot_sliding_finding(skating, h, {"pip": ["r_ankle"]}).severity == "error"  # 2 % of the figure
    calm = {"mira": {"head": smooth, "r_ankle": _walk(48)}}
    assert mq.jerk_finding(calm, h).severity == "ok"
    assert mq.foot_sliding_finding(calm, h, {"mira": ["r_ankle"]}).severity == "ok"


def test_joint_tracks_follow_the_rig_a_gliding_figure_slides_at_its_root_speed():
    from talos_assets.agents.key_animation.characters import load_rig

    rig = load_rig("mira")
    rest = rig.rest_pose(root_x=0.3, root_y=0.8)
    poses = {"mira": [rest.model_copy(update={"root_x": 0.3 + 0.002 * f}) for f in range(30)]}
    tracks = mq.joint_tracks(poses, {"mira": rig}, 1280, 720)
    heights = mq.figure_heights(poses, {"mira": rig}, 720)
    assert set(tracks["mira"]) == {j.name for j in rig.joints}
    feet = mq.planted_feet({"mira": rig})["mira"]
    assert feet and all(f in tracks["mira"] for f in feet)
    # the figure does not move its legs, so its planted feet glide at the root's 0.002 * 1280 px/frame
    assert mq.foot_sliding(tracks["mira"][feet[0]], heights["mira"]) == pytest.approx(2.56, abs=1e-6)
    assert mq.jerk_finding(tracks, heights).value < 1e-6


# ---- dialogue: lip-sync offset and loudness ---------------------------------------------------
SR, FPS = 16000, 24


def _syllables(duration_s: float, seed: int = 7) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """A speech-like line: a 150 Hz buzz under syllable bumps of random loudness every ~0.2 s, and its
    amplitude envelope A(t) (seconds from the line's first sample)."""
    rng = np.random.default_rng(seed)
    onsets = np.cumsum(rng.uniform(0.14, 0.3, size=int(duration_s / 0.14)))
    onsets = onsets[onsets < duration_s - 0.2]
    amps = rng.uniform(0.3, 1.0, size=onsets.size)
    lengths = rng.uniform(0.08, 0.16, size=onsets.size)

    def envelope(t: np.ndarray) -> np.ndarray:
        out = np.zeros_like(t, dtype=np.float64)
        for o, a, length in zip(onsets, amps, lengths):
            inside = (t >= o) & (t < o + length)
            out[inside] += a * np.sin(np.pi * (t[inside] - o) / length) ** 2
        return out

    t = np.arange(int(duration_s * SR)) / SR
    buzz = np.sin(2 * np.pi * 150 * t) + 0.5 * np.sin(2 * np.pi * 300 * t + 1.0)
    return (0.3 * envelope(t) * buzz).astype(np.float32), envelope


def _mouth(envelope, frames: int, start_s: float, delay_s: float) -> np.ndarray:
    """The opening per frame: the envelope at the frame's middle, `delay_s` late."""
    mid = (np.arange(frames) + 0.5) / FPS - start_s - delay_s
    return np.clip(envelope(mid), 0.0, 1.0)


@pytest.mark.parametrize("delay_ms", [120.0, 0.0, -120.0, 250.0])
def test_lip_sync_offset_recovers_a_known_delay_within_one_frame(delay_ms):
    samples, envelope = _syllables(3.0)
    frames, start_s = int(3.6 * FPS), 0.2
    mouth = _mouth(envelope, frames, start_s, delay_ms / 1000.0)
    offset, r = ds.lip_sync_offset_ms(mouth, samples, SR, FPS, start_s)
    assert offset == pytest.approx(delay_ms, abs=1000.0 / FPS)
    assert r > 0.7


def test_the_voice_agents_own_mouth_track_is_in_sync_and_a_late_one_is_not():
    from talos_assets.agents.voice.visemes import MouthFrame, envelope_visemes, mouth_frames

    samples, _ = _syllables(3.0)
    frames, start_s = int(3.6 * FPS), 0.2
    track = mouth_frames(envelope_visemes(samples, SR), samples, SR, start_s, FPS, frames)
    offset, _ = ds.lip_sync_offset_ms(track, samples, SR, FPS, start_s)  # MouthFrames are read by `open`
    assert abs(offset) < 1000.0 / FPS
    late = [MouthFrame(frame=f, viseme="closed", open=0.0) for f in range(3)] + track[:-3]  # drawn 3 frames late
    offset, _ = ds.lip_sync_offset_ms(late, samples, SR, FPS, start_s)
    assert offset == pytest.approx(3 * 1000.0 / FPS, abs=1000.0 / FPS)
    stereo = np.stack([samples, samples], axis=1)
    assert ds.lip_sync_offset_ms(late, stereo, SR, FPS, start_s)[0] == pytest.approx(offset, abs=1e-6)


def test_lip_sync_finding_applies_bt1359_limits():
    from talos_assets.agents.voice.speech import VoicedLine

    samples, envelope = _syllables(3.0)
    frames, start_s = int(3.6 * FPS), 0.2
    line = VoicedLine(text="...", speaker="mira", source="recorded:test.wav", sample_rate=SR, duration_s=3.0,
                      onset_s=0.0, offset_s=3.0, start_s=start_s, samples=samples)
    in_sync = ds.lip_sync_finding([line], {"mira": _mouth(envelope, frames, start_s, 0.0)}, FPS)
    assert in_sync.check == "lip_sync" and in_sync.severity == "ok" and abs(in_sync.value) < 1000 / FPS
    late_mouth = ds.lip_sync_finding([line], {"mira": _mouth(envelope, frames, start_s, 0.12)}, FPS)
    assert late_mouth.severity == "error" and late_mouth.characters == ["mira"]  # sound 120 ms early > 90
    assert late_mouth.frames[0] == int(start_s * FPS) and late_mouth.limit == ds.SYNC_WARN_EARLY_MS
    early_mouth = ds.lip_sync_finding([line], {"mira": _mouth(envelope, frames, start_s, -0.1)}, FPS)
    assert early_mouth.severity == "ok"  # sound 100 ms late is under BT.1359's 125 ms
    off = line.model_copy(update={"off_screen": True})
    assert ds.lip_sync_finding([off], {"mira": _mouth(envelope, frames, start_s, 0.3)}, FPS).severity == "ok"


def test_drawn_openings_read_the_mouth_channel():
    from talos_assets.spec import Pose

    poses = {"mira": [Pose(face={"mouth_open": v}) for v in (0.0, 0.4, 1.0)], "pip": []}
    np.testing.assert_allclose(ds.drawn_openings(poses)["mira"], [0.0, 0.4, 1.0])
    assert "pip" not in ds.drawn_openings(poses)


def _tone(level_dbfs: float, seconds: float = 5.0, sr: int = 48000, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    x = 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * 1000.0 * t)
    return np.repeat(x[:, None], channels, axis=1) if channels > 1 else x


def test_loudness_of_a_1khz_tone_is_known():
    # BS.1770: a 1 kHz sine at 0 dBFS peak in one channel reads -3.01 LKFS; in two, 3 dB more.
    for level in (-20.0, -11.0):
        f = ds.loudness_finding(_tone(level), 48000)
        assert f.value == pytest.approx(level - 3.01, abs=0.5)
    assert ds.loudness_finding(_tone(-20.0, channels=2), 48000).value == pytest.approx(-20.0, abs=0.5)


def test_loudness_finding_against_the_mix_target():
    on_target = ds.loudness_finding(_tone(-14.0 + 3.01), 48000)
    assert on_target.severity == "ok" and on_target.limit == ds.MIX_TARGET_LUFS
    assert ds.loudness_finding(_tone(-14.0 + 3.01 - 1.5), 48000).severity == "warn"
    assert ds.loudness_finding(_tone(-23.0 + 3.01), 48000).severity == "error"
    assert ds.loudness_finding(_tone(-23.0 + 3.01), 48000, target_lufs=-23.0).severity == "ok"
    # on target loudness but peaking over -1 dBTP: clips on delivery
    assert ds.loudness_finding(_tone(-0.5), 48000, target_lufs=-3.5).severity == "error"


# ---- line continuity ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(160, 90), (640, 360), (1280, 720)])
def test_a_drawn_figure_has_every_region_boundary_inked_at_any_size(size):
    from talos_assets.agents import key_animation as ka
    from talos_assets.agents.evaluation.line_continuity import inked_fraction
    from talos_assets.spec import CameraKey, Emotion

    rigs = [ka.load_rig("talos"), ka.load_rig("mira")]
    poses = [ka.emotion_pose(rigs[0], Emotion.joy, 0.6, 0.35, 1), ka.emotion_pose(rigs[1], Emotion.fear, 0.7, 0.65, -1)]
    for camera in (None, CameraKey(frame=0, center_y=0.4, zoom=1.8)):  # whole stage; a close-up cut by the frame
        art = ka.draw_line_art(list(zip(rigs, poses)), *size, camera=camera)
        assert inked_fraction(art.line, art.regions) == 1.0


def test_an_open_outline_is_found_where_it_is_open():
    from talos_assets.agents.evaluation.line_continuity import inked_fraction, line_continuity_finding

    regions = np.zeros((90, 160), np.uint8)
    cv2.rectangle(regions, (40, 20), (119, 69), 3, -1)  # one region, 80x50
    line = np.zeros((90, 160), np.float32)
    cv2.rectangle(line, (40, 20), (119, 69), 1.0, 1)  # its outline
    assert inked_fraction(line, regions) == 1.0
    gap = line.copy()
    gap[15:75, 100:125] = 0.0  # the right side and the corners next to it erased
    value = inked_fraction(gap, regions)
    # the boundary band is 2 px wide (both sides of the edge): about 2 x (50 + 2 x 20) of ~2 x 260 open
    assert 0.6 < value < 0.75
    drawings = [(0, line, regions), (6, gap, regions), (12, line, regions), (18, np.zeros_like(line), np.zeros_like(regions))]
    found = line_continuity_finding(drawings)
    assert found.value == pytest.approx(value) and found.severity == "error" and found.frames == [6]
    x0, y0, x1, y1 = found.region
    assert 95 / 160 <= x0 and x1 <= 126 / 160 and 15 / 90 <= y0 and y1 <= 75 / 90
    assert line_continuity_finding([(0, line, regions)]).severity == "ok"
    assert line_continuity_finding([(0, np.zeros_like(line), np.zeros_like(regions))]) is None  # no figure
