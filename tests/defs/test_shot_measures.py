"""Echo's per-shot measures on a real render (the conftest's forged two-shot film, 160x90 at 12 fps):
the shots as rendered pass every measure; the same shot with red and blue swapped fails the
palette, and with every other frame flashing fails the warped flicker, on the frames where it
happens."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import key_animation
from talos_assets.agents.evaluation import shot_measures
from talos_assets.agents.evaluation.gates import CHECKS
from talos_assets.agents.evaluation.report import build_report


def _findings(film, shot):
    studio = film.resources["studio"]
    store = studio.store()
    poses = store.read_inbetween_poses(shot)
    rigs = {n: key_animation.load_rig(n, studio.character_dirs()) for n in poses if not n.startswith("prop:")}
    fidelity = shot_measures.story_fidelity(studio.set_dirs(), studio.character_dirs(), studio.prop_dirs())
    return {f.check: f for f in shot_measures.shot_findings(store, shot, rigs, [], fidelity=fidelity)}


def test_rendered_shots_pass_every_measure(service_film):
    for shot in service_film.plan.shots:
        found = _findings(service_film, shot)
        assert {"warped_flicker", "palette_de2000", "line_continuity", "jerk", "foot_sliding", "story_fidelity"} <= set(found)
        assert found["line_continuity"].value == 1.0  # Flux's drawings are closed outlines
        assert set(found) <= set(CHECKS)  # every measure has its rule in Echo's table
        assert found["story_fidelity"].value == 1.0, found["story_fidelity"].detail
        for f in found.values():
            assert np.isfinite(f.value) and f.severity == "ok", f
        report = build_report("service", {shot.shot_id: {}}, findings={shot.shot_id: list(found.values())})
        assert report.failures() == [] and report.publishable


def _swapped(rendered):
    def frames(store, shot, picked, **kw):
        for frame in rendered(store, shot, picked, **kw):
            yield frame[..., ::-1].copy()
    return frames


def _flashing(rendered):
    def frames(store, shot, picked, **kw):
        for i, frame in enumerate(rendered(store, shot, picked, **kw)):
            yield np.clip(frame.astype(np.int16) + (60 if i % 2 else 0), 0, 255).astype(np.uint8)
    return frames


def test_swapped_colours_fail_the_palette_and_a_flash_fails_the_flicker(service_film, monkeypatch):
    shot = service_film.plan.shots[0]
    clean = _findings(service_film, shot)
    monkeypatch.setattr(shot_measures, "_rendered", _swapped(shot_measures._rendered))
    swapped = _findings(service_film, shot)["palette_de2000"]
    assert swapped.value < shot_measures.FIGURE_PALETTE_WARN < clean["palette_de2000"].value - 0.1
    assert swapped.severity in ("warn", "error") and swapped.frames

    monkeypatch.undo()
    monkeypatch.setattr(shot_measures, "_rendered", _flashing(shot_measures._rendered))
    flicker = _findings(service_film, shot)["warped_flicker"]
    assert flicker.value > flicker.limit > clean["warped_flicker"].value
    assert flicker.frames  # where it flickers, for the inpaint fix
    report = build_report("service", {shot.shot_id: {}}, findings={shot.shot_id: [flicker]})
    [failed] = report.failures()
    # a WARN measure in an ERROR gate reports and asks for its fix, and never blocks publication
    assert (failed.check, failed.gate, failed.severity) == ("warped_flicker", "temporal_stability", "warn")
    assert report.publishable and report.gates["temporal_stability"] is False


@pytest.mark.parametrize("check", ["jerk", "foot_sliding"])
def test_motion_is_measured_in_figure_heights(service_film, check):
    shot = service_film.plan.shots[0]
    f = _findings(service_film, shot)[check]
    assert f.unit.startswith("figure heights") and f.limit == CHECKS[check].limit(None)
    assert 0.0 <= f.value < f.limit


def test_a_broken_outline_fails_line_continuity_and_asks_for_a_redraw(service_film, monkeypatch):
    """Ink erased from a band across the figure in every drawing Echo reads (as a corrupted drawing
    would be): the outlines there are open, the finding says where, and the shot is re-posed."""
    shot = service_film.plan.shots[1]
    read = shot_measures.read_gray_png

    def broken(path, *args, **kwargs):
        image = read(path, *args, **kwargs)
        if path.name.startswith("line_"):
            image = image.copy()
            h = image.shape[0]
            image[h // 3 : h // 2] = 0.0
        return image

    monkeypatch.setattr(shot_measures, "read_gray_png", broken)
    found = _findings(service_film, shot)["line_continuity"]
    assert found.value < 0.9 and found.severity == "error" and found.frames
    x0, y0, x1, y1 = found.region
    assert 1 / 3 - 0.05 <= y0 and y1 <= 1 / 2 + 0.05  # the open stretch is the erased band
    report = build_report("service", {shot.shot_id: {}}, findings={shot.shot_id: [found]})
    [failed] = report.failures()
    assert (failed.check, failed.gate) == ("line_continuity", "look") and report.publishable and failed.revise
    assert report.revision_requests == [f"{shot.shot_id}: re-pose: region boundaries inked (closed outlines) "
                                        f"{found.value:.2f} < 0.99"]
