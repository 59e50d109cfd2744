"""Echo's temporal flicker as flow-warped frame error (Lai et al. 2018, "Learning Blind Video
Temporal Consistency", the warping error E_warp), with occlusion masks as in Ruder et al. 2016.

For each pair of consecutive frames of one shot, optical flow from frame t to frame t-1 is
estimated with OpenCV's DIS (Kroeger et al. 2016; mean-normalised patches, so a brightness pump
does not bend the flow), frame t-1 is warped onto frame t along it, and the error is the mean
absolute difference |I_t - W(I_{t-1})| over the pixels that are visible in both frames. A pixel is
occluded (or disoccluded) where forward and backward flow disagree,
|f + b(x + f)|^2 > 0.01 (|f|^2 + |b(x + f)|^2) + 0.5, or where its flow leaves the picture. Motion
therefore costs nothing, while anything the flow cannot explain (brightness pumping, boiling
lines, popping fills) does.

Choices: the error is in CIE L* (0..100, D65, OpenCV's float sRGB path), the studio's unit for
flicker, instead of Lai's squared RGB; frames are measured at `FLICKER_LONG_SIDE` px on their
longer side (flicker is a low-frequency defect; 320 px keeps DIS at a few ms per pair and the
0.5 px² slack of the occlusion test meaningful); pairs across a cut are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from talos_assets.agents.evaluation.colour_difference import largest_region
from talos_assets.agents.evaluation.findings import EchoFinding, severity_above

FLICKER_LONG_SIDE = 320
# Mean warped error in L*. Clean, flow-explainable motion of the studio's renders measures well
# under 1 (anti-aliased ink is the residue); a 10 % brightness pump on mid tones is about 4.
FLICKER_WARN = 1.5
FLICKER_ERROR = 3.0
_PRESETS = {"fast": cv2.DISOPTICAL_FLOW_PRESET_FAST, "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}
_MAX_LISTED = 12  # worst frames named in a finding; more would not help a reader


def _lightness(frame: np.ndarray, long_side: int = FLICKER_LONG_SIDE) -> np.ndarray:
    """8-bit sRGB frame -> CIE L* (float32), downscaled so its longer side is at most `long_side`."""
    arr = np.asarray(frame)
    if arr.ndim != 3 or arr.shape[2] < 3 or arr.dtype != np.uint8:
        raise ValueError(f"expected a delivered (H, W, 3) uint8 sRGB frame, got {arr.dtype} {arr.shape}")
    h, w = arr.shape[:2]
    scale = long_side / max(h, w)
    rgb = arr[..., :3]
    if scale < 1.0:
        rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)[..., 0]


def _dis(preset: str) -> cv2.DISOpticalFlow:
    if preset not in _PRESETS:
        raise ValueError(f"flow preset '{preset}' is unknown: use one of {sorted(_PRESETS)}")
    return cv2.DISOpticalFlow_create(_PRESETS[preset])


def warping_error_map(prev_l: np.ndarray, cur_l: np.ndarray, dis: cv2.DISOpticalFlow, occlusion: bool = True
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(|I_t - W(I_{t-1})| per pixel, visible mask) for two L* images of equal size."""
    a = np.clip(cur_l * 2.55, 0, 255).astype(np.uint8)
    b = np.clip(prev_l * 2.55, 0, 255).astype(np.uint8)
    fwd = dis.calc(a, b, None)  # I_t(x) ~ I_{t-1}(x + f(x))
    h, w = cur_l.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    mx, my = gx + fwd[..., 0], gy + fwd[..., 1]
    warped = cv2.remap(prev_l, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    visible = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
    if occlusion:
        bwd = dis.calc(b, a, None)  # I_{t-1}(y) ~ I_t(y + b(y))
        bw = cv2.remap(bwd, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # Ruder et al.'s forward-backward test: a round trip that does not come home is occluded.
        gap = ((fwd + bw) ** 2).sum(axis=2)
        visible &= gap <= 0.01 * ((fwd**2).sum(axis=2) + (bw**2).sum(axis=2)) + 0.5
    return np.abs(cur_l - warped), visible


def warping_error(prev_rgb8: np.ndarray, cur_rgb8: np.ndarray, preset: str = "medium", occlusion: bool = True,
                  long_side: int = FLICKER_LONG_SIDE) -> float:
    """Mean L* error of frame t against frame t-1 warped onto it, over visible pixels (NaN if none)."""
    err, visible = warping_error_map(_lightness(prev_rgb8, long_side), _lightness(cur_rgb8, long_side), _dis(preset),
                                     occlusion)
    return float(err[visible].mean()) if visible.any() else float("nan")


def _series(frames: Iterable[np.ndarray], cut_indices: Iterable[int], preset: str, long_side: int
            ) -> tuple[np.ndarray, np.ndarray | None]:
    """(per-frame error, the error map of the worst frame over its visible pixels)."""
    cuts = {int(i) for i in cut_indices}
    dis = _dis(preset)
    values: list[float] = []
    worst_map: np.ndarray | None = None  # only the worst frame's map is kept, for its region
    worst = -np.inf
    prev: np.ndarray | None = None
    for t, frame in enumerate(frames):
        cur = _lightness(frame, long_side)
        value = float("nan")
        if prev is not None and t not in cuts and prev.shape == cur.shape:
            err, visible = warping_error_map(prev, cur, dis)
            if visible.any():
                value = float(err[visible].mean())
                if value > worst:
                    worst, worst_map = value, np.where(visible, err, 0.0)
        values.append(value)
        prev = cur
    return np.asarray(values, dtype=np.float64), worst_map


def warped_flicker_series(frames: Iterable[np.ndarray], cut_indices: Iterable[int] = (), preset: str = "medium",
                          long_side: int = FLICKER_LONG_SIDE) -> np.ndarray:
    """Per-frame warping error (L*); NaN for a shot's first frame (and the first after each cut).

    `cut_indices` holds the first frame of each shot after the first. Frames are read one at a time.
    """
    return _series(frames, cut_indices, preset, long_side)[0]


def mean_warped_flicker(frames: Iterable[np.ndarray], cut_indices: Iterable[int] = (), preset: str = "medium",
                        long_side: int = FLICKER_LONG_SIDE) -> float:
    """Mean of `warped_flicker_series` where defined (Lai's E_warp in L*); 0.0 when nothing is."""
    series = warped_flicker_series(frames, cut_indices, preset, long_side)
    finite = series[np.isfinite(series)]
    return float(finite.mean()) if finite.size else 0.0


def flicker_finding(frames: Iterable[np.ndarray], cut_indices: Iterable[int] = (), warn: float = FLICKER_WARN,
                    error: float = FLICKER_ERROR, preset: str = "medium", long_side: int = FLICKER_LONG_SIDE
                    ) -> EchoFinding:
    """Per-shot flicker: mean warped error, the frames over `warn` (worst first, at most 12), and the
    box of the worst frame's unexplained change."""
    series, worst_map = _series(frames, cut_indices, preset, long_side)
    finite = np.isfinite(series)
    mean = float(series[finite].mean()) if finite.any() else 0.0
    over = [int(t) for t in np.argsort(-np.nan_to_num(series, nan=-1.0)) if finite[t] and series[t] > warn]
    sev = severity_above(mean, warn, error)
    if sev == "ok" and over and float(np.nanmax(series)) >= error:
        sev = "warn"  # steady on average, but some frames jump
    # The worst frame's unexplained change: pixels off by twice the limit (at least 1 L*).
    region = largest_region(worst_map > max(2.0 * warn, 1.0)) if over and worst_map is not None else None
    worst = f"; worst frame {over[0]} at {series[over[0]]:.2f}" if over else ""
    return EchoFinding(check="flicker", value=mean, limit=warn, unit="L* (warped frame error)", severity=sev,
                       frames=over[:_MAX_LISTED], region=region,
                       detail=f"mean warped frame error {mean:.2f} L* (limit {warn:g}){worst}")
