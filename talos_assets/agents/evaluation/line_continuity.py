"""Line continuity: are Flux's drawings closed, unbroken outlines?

Axis and Flux draw every part as a closed outline over its region hint (`key_animation.line_art`), so
wherever two regions meet (a figure against the empty stage, a sleeve against a hand, an eye in a
face) an ink stroke runs along the boundary. A break in a stroke (a frame drawn wrong, a corrupted
or badly interpolated drawing) leaves a stretch of boundary with no ink, and Chroma's flood fill
leaks through it. The measure is, per frame, the share of region-boundary pixels with ink (coverage
at least 0.5) within one pixel; the frame's own border is the camera's cut, not a drawn edge, and is
left out. A clean drawing scores 1.0 at every size the studio renders (160x90 to 1280x720); the
shot's value is its worst sampled frame.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from talos_assets.agents.evaluation.findings import EchoFinding, severity_below

# Clean drawings read exactly 1.0; a band of one drawing erased across a figure at 320x180 left 9 % of
# its boundaries open (bench/revision.py): plainly broken. A few pixels open is reported only.
LINE_WARN = 0.99
LINE_ERROR = 0.95
_NEAR = np.ones((3, 3), np.uint8)


def open_boundary(line: np.ndarray, regions: np.ndarray) -> tuple[np.ndarray, int]:
    """(mask of region-boundary pixels with no ink within one pixel, number of boundary pixels)."""
    labels = np.ascontiguousarray(regions, dtype=np.uint8)
    edge = cv2.dilate(labels, _NEAR) != cv2.erode(labels, _NEAR)
    edge[0, :] = edge[-1, :] = False
    edge[:, 0] = edge[:, -1] = False
    inked = cv2.dilate((np.asarray(line) >= 0.5).astype(np.uint8), _NEAR) > 0
    return edge & ~inked, int(edge.sum())


def inked_fraction(line: np.ndarray, regions: np.ndarray) -> float:
    """The share of the drawing's region boundaries that carry ink; NaN when nothing is drawn."""
    gaps, n = open_boundary(line, regions)
    return 1.0 - float(gaps.sum()) / n if n else float("nan")


def line_continuity_finding(drawings: Iterable[tuple[int, np.ndarray, np.ndarray]],
                            warn_below: float = LINE_WARN, error_below: float = LINE_ERROR) -> EchoFinding | None:
    """The worst of (frame, line coverage, region map) drawings; None when none has a figure. The
    frames listed are those under the warning limit; the region is the worst frame's open stretch."""
    worst, worst_frame, worst_gaps, failing = np.inf, -1, None, []
    for frame, line, regions in drawings:
        gaps, n = open_boundary(line, regions)
        if not n:
            continue
        value = 1.0 - float(gaps.sum()) / n
        if value < warn_below:
            failing.append(frame)
        if value < worst:
            worst, worst_frame, worst_gaps = value, frame, gaps
    if worst_gaps is None:
        return None
    region = None
    if worst_gaps.any():
        ys, xs = np.nonzero(worst_gaps)
        h, w = worst_gaps.shape
        region = (xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
    severity = severity_below(worst, warn_below, error_below)
    detail = (f"every region boundary inked (worst frame {worst_frame})" if severity == "ok" else
              f"frame {worst_frame} has {100 * (1 - worst):.1f}% of its outlines open")
    return EchoFinding(check="line_continuity", value=worst, limit=warn_below, unit="",
                       severity=severity, frames=failing, region=region, detail=detail)
