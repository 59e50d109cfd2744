"""Axis model sheets: turnaround views and the 8 emotion expressions of a rig, as a PNG."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import yaml

from talos_assets.agents import key_animation as ka
from talos_assets.agents.key_animation import model_sheet as ms
from talos_assets.spec import Emotion

FILLS = np.array([c for n, c in ms.SHEET_COLORS.items() if n not in ("background", "eye")], np.int16)


def _figure_mask(img: np.ndarray) -> np.ndarray:
    """Pixels painted in a region fill colour (flat fills are exact away from the ink)."""
    d = np.abs(img[:, :, None, :].astype(np.int16) - FILLS[None, None]).max(axis=3)
    return (d <= 2).any(axis=2)


@pytest.mark.parametrize("name", ["talos", "mira", "pip"])
def test_model_sheet_has_turnaround_and_expressions(name):
    rig = ka.load_rig(name)
    img = ms.render_model_sheet(rig, 1200)
    height, panels = ms.model_sheet_layout(1200)
    assert img.shape == (height, 1200, 3) and img.dtype == np.uint8
    kinds = [p.kind for p in panels]
    assert kinds.count("view") >= 3 and kinds.count("expression") == 8 and kinds.count("face") == 8
    assert {p.label for p in panels if p.kind == "expression"} == {e.value for e in Emotion}
    figures = _figure_mask(img)
    crops = {}
    for p in panels:
        x0, y0, x1, y1 = p.box
        m = figures[y0:y1, x0:x1]
        assert m.mean() > 0.02, (p.kind, p.label)  # every panel shows its figure
        if p.kind != "face":
            # Full figures are fitted inside their panel: nothing touches the panel edge.
            assert not (m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any()), (p.kind, p.label)
        crops[(p.kind, p.label)] = img[y0:y1, x0:x1]
    # One connected figure (fills and ink) per full-figure panel, counted over the drawing areas.
    drawn = np.zeros(img.shape[:2], np.uint8)
    paper = np.abs(img.astype(np.int16) - np.array(ms.PAPER, np.int16)).max(axis=2) > 12
    for p in panels:
        if p.kind != "face":
            x0, y0, x1, y1 = p.box
            drawn[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1] = paper[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1]
    n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(drawn, np.ones((3, 3), np.uint8)), connectivity=8)
    assert int((stats[1:, cv2.CC_STAT_AREA] > 400).sum()) == kinds.count("view") + 8
    # The turnaround really changes view, and every expression differs from every other one.
    side_r, side_l = crops[("view", "side R")], crops[("view", "side L")]
    assert np.mean(np.abs(side_r[:, ::-1].astype(int) - side_l.astype(int))) < np.mean(np.abs(side_r.astype(int) - side_l.astype(int)))
    front = _figure_mask(crops[("view", "front")]).any(axis=0).sum()
    side = _figure_mask(side_r).any(axis=0).sum()
    assert front != side
    exprs = [crops[("expression", e.value)] for e in Emotion]
    for i in range(8):
        for j in range(i + 1, 8):
            assert np.mean(exprs[i] != exprs[j]) > 0.01


def test_write_model_sheet_png_and_user_rig(tmp_path):
    data = yaml.safe_load((ka.CHARACTERS_DIR / "mira.yaml").read_text())
    data.update(name="nova", description="a user-made character")
    (tmp_path / "rigs").mkdir()
    (tmp_path / "rigs" / "nova.yaml").write_text(yaml.safe_dump(data))
    out = ms.write_model_sheet("nova", tmp_path / "out" / "nova.png", width=800, extra_dirs=[tmp_path / "rigs"])
    img = cv2.imread(str(out))
    assert img is not None and img.shape[1] == 800
    with pytest.raises(ValueError, match="unknown character"):
        ms.write_model_sheet("nobody", tmp_path / "x.png")
    with pytest.raises(ValueError, match="at least 320"):
        ms.render_model_sheet(ka.load_rig("talos"), 200)
