"""A contact sheet of the prop library: every prop drawn by the studio's own line art, flat-coloured
by region with a fixed reference palette and named under its cell (docs/images/props_gallery.png)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from talos_assets.agents.key_animation.line_art import draw_line_art
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT
from talos_assets.agents.props.catalog import available_props, load_prop, load_prop_rig
from talos_assets.agents.props.model import PROP_BONE, prop_bounds
from talos_assets.spec import REGION_NAMES, Pose

# Reference swatches per region (RGB): paper, skin, hair, coat, accent, eye.
SWATCHES = {"background": (250, 248, 240), "skin": (238, 200, 160), "hair": (110, 72, 44),
            "coat": (70, 110, 170), "accent": (240, 180, 60), "eye": (245, 245, 250)}


def prop_cell(prop_id: str, size: int, extra_dirs: Sequence[Path | str] = (), fill: float = 0.78) -> np.ndarray:
    """One prop drawn to fit a size x size cell (RGB8), flat-coloured by region, with its outline."""
    spec, rig = load_prop(prop_id, extra_dirs), load_prop_rig(prop_id, extra_dirs)
    x0, y0, x1, y1 = prop_bounds(spec)
    unit = CHARACTER_HEIGHT * spec.height  # frame heights per prop unit at pose scale 1
    scale = fill / max(x1 - x0, y1 - y0) / unit
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    pose = Pose(root_x=0.5 - cx * unit * scale, root_y=0.5 + cy * unit * scale, scale=scale,
                joints={PROP_BONE: 0.0}, face={"facing": 1.0})
    art = draw_line_art([(rig, pose)], size, size)
    colours = np.array([SWATCHES[r] for r in REGION_NAMES], np.float32)
    img = colours[art.regions]
    ink = art.line[..., None]
    return np.round(img * (1.0 - ink) + np.array([25, 22, 20], np.float32) * ink).astype(np.uint8)


def prop_gallery(prop_ids: Sequence[str] | None = None, cell: int = 96, columns: int = 8,
                 extra_dirs: Sequence[Path | str] = ()) -> np.ndarray:
    """Every prop (or `prop_ids`) on one RGB8 sheet, `columns` cells wide, each named under it."""
    ids = list(prop_ids) if prop_ids is not None else available_props(extra_dirs)
    label_h = max(12, cell // 6)
    rows = (len(ids) + columns - 1) // columns
    sheet = np.full((rows * (cell + label_h), columns * cell, 3), 255, np.uint8)
    for i, pid in enumerate(ids):
        r, c = divmod(i, columns)
        y, x = r * (cell + label_h), c * cell
        sheet[y:y + cell, x:x + cell] = prop_cell(pid, cell, extra_dirs)
        cv2.rectangle(sheet, (x, y), (x + cell - 1, y + cell - 1), (200, 200, 200), 1)
        fs = max(0.3, cell / 260)
        tw = cv2.getTextSize(pid, cv2.FONT_HERSHEY_SIMPLEX, fs, 1)[0][0]
        cv2.putText(sheet, pid, (x + (cell - tw) // 2, y + cell + label_h - 4), cv2.FONT_HERSHEY_SIMPLEX, fs,
                    (30, 30, 30), 1, cv2.LINE_AA)
    return sheet
