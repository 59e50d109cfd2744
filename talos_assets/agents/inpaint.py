"""Anima's repair of flagged frames after rendering (Echo's `inpaint` revision).

A flickering frame differs from what its neighbours agree on. Within the region Echo flagged (the
whole frame without one), pixels that stray from the mean of the previous and the next frame by
more than `tolerance` (linear light) are masked. Where the two neighbours agree (nothing moves
there) a masked pixel takes their mean: temporal repair. Where they disagree (something moves, and
their mean would be a double image) the pixel is filled from its surroundings in the frame itself
with OpenCV's Navier-Stokes inpainting (Bertalmio, Bertozzi and Sapiro 2001, `cv2.inpaint`, per
channel: its float path), or, when a model is passed in, by Protoforge's learned inpainter
(protoforge.models.components.inpaint_net, trained on the studio's own renders) on the display-encoded
frame. A frame with one neighbour (the first or the last) takes the one it has.
Pure code: frames (and the model, already loaded) in, frames out.
"""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.frames import linear_to_srgb, srgb_to_linear


def _box_mask(shape: tuple[int, int], box: tuple[float, float, float, float] | None) -> np.ndarray:
    h, w = shape
    mask = np.zeros((h, w), dtype=bool)
    if box is None:
        mask[:] = True
        return mask
    x0, y0, x1, y1 = box
    mask[int(np.floor(y0 * h)):int(np.ceil(y1 * h)), int(np.floor(x0 * w)):int(np.ceil(x1 * w))] = True
    return mask


def learned_fill(model, frame: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """`frame` (linear light) with the RGB of its `hole` pixels filled by the learned inpainter `model`,
    which works on display sRGB as it was trained; every other pixel and channel is the frame's."""
    from protoforge.models.components.inpaint_net import inpaint_frame

    out = frame.copy()
    filled = srgb_to_linear(inpaint_frame(model, linear_to_srgb(frame[..., :3]), hole))
    out[..., :3][hole] = filled[hole]
    return out


def repair_frame(frame: np.ndarray, before: np.ndarray | None, after: np.ndarray | None,
                 box: tuple[float, float, float, float] | None = None, tolerance: float = 0.02,
                 model=None) -> tuple[np.ndarray, int]:
    """(repaired frame, pixels replaced): the frame's outliers against its neighbours' mean, inside
    `box` (fractions x0, y0, x1, y1), replaced by that mean with an inpainted seam. Moving pixels are
    filled by `model` (Protoforge's `FrameInpainter`, loaded by the caller) when given, else by OpenCV."""
    neighbours = [n for n in (before, after) if n is not None]
    if not neighbours:
        return frame, 0
    frame = np.asarray(frame, dtype=np.float32)
    agreed = np.mean(np.stack(neighbours), axis=0).astype(np.float32)
    stray = np.abs(frame[..., :3] - agreed[..., :3]).max(axis=2) > tolerance
    mask = stray & _box_mask(frame.shape[:2], box)
    count = int(mask.sum())
    if count == 0:
        return frame, 0
    out = frame.copy()
    moving = np.zeros_like(mask)
    if len(neighbours) == 2:
        moving = mask & (np.abs(before[..., :3] - after[..., :3]).max(axis=2) > tolerance)
    still = mask & ~moving
    out[still] = agreed[still]
    if moving.any() and model is not None:
        out = learned_fill(model, out, moving)
    elif moving.any():
        for c in range(out.shape[2]):
            out[..., c] = cv2.inpaint(np.ascontiguousarray(out[..., c]), moving.astype(np.uint8), 3, cv2.INPAINT_NS)
    return out, count
