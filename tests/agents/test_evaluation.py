"""Echo: flicker, palette adherence, exposure, and the revision requests they raise."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import evaluation as ev
from talos_assets.spec import Palette

PALETTE = Palette.from_hex_list("test", ["#1b1b1b", "#e0b08a", "#3a2a1a", "#8c5a2b", "#d4a017", "#2a6f97", "#f2c6a0", "#4a5d23"])
H, W = 72, 128


def scene(t: int, brightness: float = 0.0) -> np.ndarray:
    """A sky over ground with a character square walking right; `brightness` adds to every pixel."""
    img = np.zeros((H, W, 3), np.float32)
    img[: H // 2] = (242, 198, 160)
    img[H // 2 :] = (74, 93, 35)
    x = 5 + 3 * t
    img[30:50, x : x + 16] = (140, 90, 43)
    return np.clip(img + brightness, 0, 255).astype(np.uint8)


def test_flicker_is_high_for_pumping_low_for_motion_and_fades():
    steady = [scene(t) for t in range(20)]
    pumping = [scene(t, brightness=12.0 if t % 2 else -12.0) for t in range(20)]
    fade = [scene(t, brightness=-40.0 + 4.0 * t) for t in range(20)]
    f_steady = ev.temporal_flicker(steady, set())
    f_pump = ev.temporal_flicker(pumping, set())
    f_fade = ev.temporal_flicker(fade, set())
    assert f_steady < 0.05  # the walking square moves through few blocks: the median ignores it
    assert f_pump > 3.0
    assert f_fade < 0.5 < f_pump  # a steady ramp is not flicker


def test_flicker_excludes_cuts():
    shot_a = [scene(0, brightness=-60.0)] * 6
    shot_b = [scene(0, brightness=+60.0)] * 6
    film = shot_a + shot_b
    assert ev.temporal_flicker(film, {6}) == pytest.approx(0.0, abs=1e-6)
    assert ev.temporal_flicker(film, set()) > 1.0  # the same jump, unmarked, reads as flicker
    series = ev.flicker_series(iter(film), {6})  # any iterable, e.g. a generator
    assert series.shape == (12,)
    assert np.isnan(series[[0, 5, 6, 11]]).all() and np.isfinite(series[[1, 4, 7, 10]]).all()


def test_flicker_accepts_linear_float_frames():
    lin = [np.full((H, W, 3), 0.2 + (0.05 if t % 2 else 0.0), np.float32) for t in range(8)]
    assert ev.temporal_flicker(lin, set()) > 1.0


def test_palette_adherence():
    rng = np.random.default_rng(0)
    colours = np.array([PALETTE.rgb(r) for r in PALETTE.swatches], dtype=np.float64)
    labels = rng.integers(0, len(colours), size=(H, W))
    palette_img = np.round(colours[labels] * 255).astype(np.uint8)
    assert ev.palette_adherence(palette_img, PALETTE) == 1.0
    noise = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
    assert ev.palette_adherence(noise, PALETTE) < 0.2
    # Magenta is off-palette until allowed; a mask restricts the judged pixels.
    img = palette_img.copy()
    img[:, : W // 2] = (255, 0, 255)
    assert ev.palette_adherence(img, PALETTE) == pytest.approx(0.5)
    assert ev.palette_adherence(img, PALETTE, extra_colors=["#ff00ff"]) == 1.0
    mask = np.zeros((H, W), bool)
    mask[:, W // 2 :] = True
    assert ev.palette_adherence(img, PALETTE, mask=mask) == 1.0
    assert np.isnan(ev.palette_adherence(img, PALETTE, mask=np.zeros((H, W), bool)))
    # Within tolerance: a swatch nudged by a few code values still counts.
    nudged = np.clip(palette_img.astype(int) + 3, 0, 255).astype(np.uint8)
    assert ev.palette_adherence(nudged, PALETTE) == 1.0
    assert ev.palette_adherence(nudged, PALETTE, tolerance_delta_e=0.1) < 0.1


def test_exposure_stats():
    black = np.zeros((H, W, 3), np.uint8)
    white = np.full((H, W, 3), 255, np.uint8)
    red = np.zeros((H, W, 3), np.uint8)
    red[..., 0] = 255
    s = ev.exposure_stats(black)
    assert s["clipped_black"] == 1.0 and s["clipped_white"] == 0.0 and s["mean_luma"] == 0.0
    s = ev.exposure_stats(white)
    assert s["clipped_white"] == 1.0 and s["mean_luma"] == pytest.approx(1.0) and s["mean_lightness"] == pytest.approx(100, abs=0.5)
    s = ev.exposure_stats(red)
    assert s["clipped_white"] == 0.0 and s["clipped_black"] == 0.0
    assert s["mean_luma"] == pytest.approx(0.2126, abs=1e-3)


def test_report_and_revision_requests():
    good = ev.score_frames([scene(t) for t in range(10)], PALETTE)
    flickery = ev.score_frames([scene(t, brightness=15.0 * (-1) ** t) for t in range(10)], PALETTE)
    noisy = ev.score_frames(
        [np.random.default_rng(t).integers(0, 256, (H, W, 3), dtype=np.uint8) for t in range(4)], PALETTE
    )
    assert good["palette_adherence"] > 0.9 and good["flicker"] < 0.1 and good["frames"] == 10
    per_shot = {
        "dawn": {**good, "beat_offset_frames": 0.0},
        "storm": {**flickery, "beat_offset_frames": 0.0},
        "static": {**noisy, "beat_offset_frames": 0.0},
        "late": {**good, "beat_offset_frames": 5.0},
    }
    th = ev.EvaluationThresholds()
    report = ev.build_report("film", per_shot, th)
    lines = ev.revision_requests(report, th)
    assert lines == report.revision_requests
    assert not any(line.startswith("dawn:") for line in lines)
    assert any(line.startswith("storm: inpaint:") for line in lines)
    assert any(line.startswith("static: tone:") and "palette" in line for line in lines)
    assert any(line.startswith("late: re-time:") for line in lines)
    assert report.gates == {"temporal_stability": False, "look": False, "beat_sync": False,
                            "motion": True, "dialogue": True, "story": True}  # nothing measured there: nothing failed
    assert not report.passed
    assert set(report.scores) >= {"flicker", "palette_adherence", "mean_luma", "beat_offset_frames"}
    clean = ev.build_report("film", {"dawn": per_shot["dawn"]}, th)
    assert clean.passed and clean.revision_requests == []
    # The report is plain data: it survives JSON.
    assert ev.EvaluationReport.model_validate_json(report.model_dump_json()) == report


@pytest.mark.parametrize("size", [(160, 90), (640, 360)])
def test_chromas_own_fills_stay_on_palette_at_any_size_and_a_foreign_fill_does_not(tmp_path, size):
    """Echo's check of Chroma's layers: a figure Chroma filled from the palette and graded reads on
    palette however small the frame (its outlines' anti-aliased edges are blends of the line colour
    with a fill, not a drift); the same figure filled with colours off the palette reads off it."""
    from talos_assets.agents import coloring
    from talos_assets.agents import key_animation as ka
    from talos_assets.agents.evaluation.chroma import chroma_palette_adherence
    from talos_assets.agents.frames import write_layer
    from talos_assets.frame_sequence import FrameSequence
    from talos_assets.spec import CameraMove, Emotion, ShotPlan, ShotSize

    w, h = size
    # line, skin, hair, coat, accent, eye, sky, ground
    palette = Palette.from_hex_list("meadow", ["#1b1b1b", "#e8c39e", "#6b3e26", "#4f7d3a", "#c94f3d", "#3a5a8c",
                                                "#f2e8cf", "#8a9a5b"])
    shot = ShotPlan(film_id="f", shot_id="s", slot="s001", index=0, description="d", emotion=Emotion.joy,
                    valence=0.7, arousal=0.5, shot_size=ShotSize.wide, camera=CameraMove.static, duration=0.5,
                    frames=6, handle_frames=0, fps=12, width=w, height=h, characters=["mira"], effects=[],
                    palette=palette)
    rig = ka.load_rig("mira")
    art = ka.draw_line_art([(rig, ka.emotion_pose(rig, Emotion.joy, 0.5, 0.5, 1))], w, h)
    graded = coloring.color_transfer_for_mood(coloring.color_frame(art.line, art.regions, palette), 0.7, 0.5)
    own, foreign = FrameSequence(folder=tmp_path / "own"), FrameSequence(folder=tmp_path / "foreign")
    for seq in (own, foreign):
        seq.folder.mkdir()
    write_layer(own.path(0), graded)
    odd = Palette.from_hex_list("odd", ["#1b1b1b", "#7a00ff", "#00ffd0", "#ff00aa", "#b0ff00", "#0030ff",
                                        "#f2e8cf", "#8a9a5b"])
    write_layer(foreign.path(0), coloring.color_transfer_for_mood(coloring.color_frame(art.line, art.regions, odd), 0.7, 0.5))
    assert chroma_palette_adherence(shot, own) >= 0.9
    assert chroma_palette_adherence(shot, foreign) < 0.5
