"""The camera plan drawn as a line plot (centre x/y, zoom, roll over frames) with OpenCV, no display needed."""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.spec import CameraKey


def plot_camera_curves(keys: list[CameraKey], width: int = 480, height: int = 200) -> np.ndarray:
    """A line plot of centre x/y, zoom and roll over frames."""
    img = np.full((height, width, 3), 250, np.uint8)
    n = max(2, len(keys))
    series = {
        "x": ([k.center_x for k in keys], (200, 60, 40)),
        "y": ([k.center_y for k in keys], (40, 140, 60)),
        "zoom/2": ([k.zoom / 2 for k in keys], (40, 60, 200)),
        "roll/10+.5": ([k.roll / 10 + 0.5 for k in keys], (120, 120, 120)),
    }
    for i, (name, (vals, color)) in enumerate(series.items()):
        pts = np.array([[int(8 + (width - 16) * f / (n - 1)), int(height - 8 - (height - 16) * min(max(v, 0), 1))]
                        for f, v in enumerate(vals)], np.int32)
        cv2.polylines(img, [pts], False, color, 2, cv2.LINE_AA)
        cv2.putText(img, name, (10, 18 + 16 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.45, color, 1, cv2.LINE_AA)
    return img
