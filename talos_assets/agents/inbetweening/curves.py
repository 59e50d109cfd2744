"""Flux motion curves: the per-frame channels of the inbetweened poses, and a chart of them.

The curves are what an animator reads in a graph editor: joint angles (unwrapped across the +-180
seam so a shortest-arc move stays continuous), root position and face channels, one value per
frame. The chart draws joint angles above the root path with OpenCV, a legend for the curves that
move most, in the Tableau 10 qualitative palette.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from talos_assets.agents.key_animation import FACING_KEY
from talos_assets.spec import Pose


def motion_curves(poses: dict[str, list[Pose]]) -> dict[str, list[float]]:
    """Per-frame channels: '<char>.<joint>' (degrees, unwrapped), '<char>.root_x/root_y', '<char>.face.<k>'."""
    curves: dict[str, list[float]] = {}
    for char, seq in poses.items():
        if not seq:
            continue
        curves[f"{char}.root_x"] = [p.root_x for p in seq]
        curves[f"{char}.root_y"] = [p.root_y for p in seq]
        names = list(dict.fromkeys(n for p in seq for n in p.joints))
        for n in names:
            vals = np.array([p.joints.get(n, math.nan) for p in seq], dtype=np.float64)
            vals = np.where(np.isnan(vals), np.nanmean(vals) if np.isfinite(vals).any() else 0.0, vals)
            # A shortest-arc move may cross the +-180 seam; unwrap so the curve is continuous.
            curves[f"{char}.{n}"] = np.unwrap(vals, period=360.0).tolist()
        for n in dict.fromkeys(n for p in seq for n in p.face):
            if n == FACING_KEY:
                continue
            curves[f"{char}.face.{n}"] = [float(p.face.get(n, 0.0)) for p in seq]
    return curves


# A qualitative palette (Tableau 10), RGB.
_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def _panel(img: np.ndarray, box: tuple[int, int, int, int], curves: list[tuple[str, np.ndarray]], title: str,
           unit: str, max_legend: int) -> None:
    x0, y0, x1, y1 = box
    h = img.shape[0]
    fs = max(0.3, h / 1400.0)
    th = max(1, round(h / 500))
    cv2.rectangle(img, (x0, y0), (x1, y1), (90, 90, 90), 1, cv2.LINE_AA)
    cv2.putText(img, title, (x0 + 4, y0 - 4), cv2.FONT_HERSHEY_SIMPLEX, fs, (30, 30, 30), 1, cv2.LINE_AA)
    if not curves:
        return
    n = max(len(c) for _, c in curves)
    allv = np.concatenate([c for _, c in curves])
    lo, hi = float(np.min(allv)), float(np.max(allv))
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.06 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    for q in np.linspace(0.0, 1.0, 5):  # horizontal grid with values
        y = int(round(y1 - q * (y1 - y0)))
        cv2.line(img, (x0, y), (x1, y), (225, 225, 225), 1)
        cv2.putText(img, f"{lo + q * (hi - lo):.3g}{unit}", (2, y + 4), cv2.FONT_HERSHEY_SIMPLEX, fs * 0.8,
                    (100, 100, 100), 1, cv2.LINE_AA)
    step = max(1, int(round(n / 10)))
    for f in range(0, n, step):  # vertical grid every ~tenth of the shot, labelled in frames
        x = int(round(x0 + f / max(n - 1, 1) * (x1 - x0)))
        cv2.line(img, (x, y0), (x, y1), (235, 235, 235), 1)
        cv2.putText(img, str(f), (x - 6, y1 + int(14 * fs / 0.4)), cv2.FONT_HERSHEY_SIMPLEX, fs * 0.8,
                    (100, 100, 100), 1, cv2.LINE_AA)
    # Legend only for the curves that move most; still ones are drawn but not named.
    ranked = sorted(range(len(curves)), key=lambda i: -float(np.ptp(curves[i][1])))
    colors = {i: _COLORS[r % len(_COLORS)] for r, i in enumerate(ranked[:max_legend])}
    for i in ranked[::-1]:  # most-moving curves last, so they sit on top
        _, c = curves[i]
        color = colors.get(i, (200, 200, 200))
        xs = x0 + np.arange(len(c)) / max(len(c) - 1, 1) * (x1 - x0)
        ys = y1 - (c - lo) / (hi - lo) * (y1 - y0)
        pts = np.round(np.stack([xs, ys], 1) * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [pts], False, color, th, cv2.LINE_AA, 4)
    ly = y0 + int(16 * fs / 0.4)
    for i in ranked[:max_legend]:
        name, _ = curves[i]
        color = colors[i]
        cv2.line(img, (x1 - int(150 * fs / 0.4), ly - 4), (x1 - int(132 * fs / 0.4), ly - 4), color, th + 1)
        cv2.putText(img, name, (x1 - int(128 * fs / 0.4), ly), cv2.FONT_HERSHEY_SIMPLEX, fs * 0.8, color, 1,
                    cv2.LINE_AA)
        ly += int(13 * fs / 0.4)


def plot_motion_curves(curves: dict[str, list[float]], width: int, height: int) -> np.ndarray:
    """Motion-curve chart (uint8 RGB, height x width): joint/face angles on top, root path below."""
    if width < 64 or height < 48:
        raise ValueError(f"a motion-curve plot needs at least 64x48 pixels, got {width}x{height}")
    img = np.full((height, width, 3), 255, np.uint8)
    angles = [(k, np.asarray(v, dtype=np.float64)) for k, v in curves.items()
              if ".root_" not in k and ".face." not in k]
    roots = [(k, np.asarray(v, dtype=np.float64)) for k, v in curves.items() if ".root_" in k]
    left = max(36, width // 14)
    right = width - max(6, width // 60)
    top_h = int(height * 0.62)
    gap = max(14, height // 22)
    _panel(img, (left, gap, right, top_h - gap), angles, "joint angles", "", max_legend=8)
    _panel(img, (left, top_h + gap // 2, right, height - gap), roots, "root position (stage fractions)", "",
           max_legend=4)
    return img
