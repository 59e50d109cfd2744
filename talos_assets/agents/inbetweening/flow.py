"""Optical flow for raster in-betweens: OpenCV's DIS flow (Kroeger et al., "Fast Optical Flow using
Dense Inverse Search", ECCV 2016) both ways between two drawings, and the flow-warped in-between at
any time t, the studio's fallback when no learned in-betweener is registered and the starting point
the learned one refines (protoforge.models.components.interpolator).

Frames are display sRGB, float (H,W,3) in [0, 1] or uint8; flow is (H,W,2) pixels, x then y.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

FlowPreset = Literal["fast", "medium"]


def as_float_rgb(img: np.ndarray) -> np.ndarray:
    """An RGB frame as float32 (H,W,3) in [0, 1] (uint8 scaled, floats kept, alpha dropped)."""
    img = np.asarray(img)[..., :3]
    if img.dtype == np.uint8:
        return img.astype(np.float32) / 255.0
    return np.clip(img.astype(np.float32), 0.0, 1.0)


def _luma8(img: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.ascontiguousarray((as_float_rgb(img) * 255.0 + 0.5).astype(np.uint8)), cv2.COLOR_RGB2GRAY)


def dis_flows(a: np.ndarray, b: np.ndarray, preset: FlowPreset = "medium") -> tuple[np.ndarray, np.ndarray]:
    """DIS flow on luma from a to b and from b to a, each float32 (H,W,2)."""
    import cv2

    code = {"fast": cv2.DISOpticalFlow_PRESET_FAST, "medium": cv2.DISOpticalFlow_PRESET_MEDIUM}[preset]
    dis = cv2.DISOpticalFlow_create(code)
    ga, gb = _luma8(a), _luma8(b)
    return dis.calc(ga, gb, None), dis.calc(gb, ga, None)


def warp_by(img: np.ndarray, flow: np.ndarray, scale: float) -> np.ndarray:
    """Backward warp: out(y) = img(y + scale * flow(y)), bilinear, edges replicated."""
    import cv2

    h, w = flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, gx + scale * flow[..., 0], gy + scale * flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def flow_inbetween(a: np.ndarray, b: np.ndarray, t: float = 0.5, preset: FlowPreset = "medium",
                   flows: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The frame at time t in (0, 1) between a (t=0) and b (t=1): each drawing warped along its flow
    to time t and the two mixed by closeness in time, float32 (H,W,3) in [0, 1].

    The pixel y at time t came from a at y - t*f_ab and from b at y - (1-t)*f_ba, with the flow read
    at y rather than at its true source (the usual first-order approximation, fine for the few
    pixels a drawing moves between neighbouring frames)."""
    a, b = as_float_rgb(a), as_float_rgb(b)
    if a.shape != b.shape:
        raise ValueError(f"The two drawings differ in size ({a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}); "
                         "resize one to match the other.")
    f_ab, f_ba = flows if flows is not None else dis_flows(a, b, preset)
    from_a = warp_by(a, f_ab, -t)
    from_b = warp_by(b, f_ba, -(1.0 - t))
    return np.clip((1.0 - t) * from_a + t * from_b, 0.0, 1.0)
