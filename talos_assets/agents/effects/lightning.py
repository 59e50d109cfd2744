"""Stokes' lightning: a storm's flashes, seeded per shot, as full-frame light plus a jagged bolt.

A shot gets a few flashes (about one per 2.5 s, at least one, at most four) at seeded frames kept
apart; each flickers over four frames (strike, dim, restrike, fade). The flash is premultiplied additive
light (colour with zero coverage) so it brightens whatever lies beneath; on the bright frames a bolt is
drawn from the top of the frame down to the horizon by recursive midpoint displacement (the classic
fractal bolt: each segment's midpoint is pushed sideways by a seeded offset proportional to its length),
with one or two branches, as an anti-aliased core and a Gaussian glow.
"""

from __future__ import annotations

import cv2
import numpy as np

_FLICKER = (1.0, 0.3, 0.85, 0.15)  # brightness over a flash's frames: strike, dim, restrike, fade
_FLASH_RGB = np.array([0.78, 0.84, 1.0], np.float32)
_SHIFT = 4


def _bolt(rng: np.random.Generator, start: np.ndarray, end: np.ndarray, levels: int, rough: float) -> np.ndarray:
    """Polyline (2**levels + 1, 2) from start to end by midpoint displacement."""
    pts = np.stack([start, end]).astype(np.float64)
    for _ in range(levels):
        seg = pts[1:] - pts[:-1]
        length = np.hypot(seg[:, 0], seg[:, 1])[:, None]
        normal = np.stack([-seg[:, 1], seg[:, 0]], axis=1) / np.maximum(length, 1e-9)
        mid = 0.5 * (pts[1:] + pts[:-1]) + normal * length * rough * rng.standard_normal((len(seg), 1))
        out = np.empty((2 * len(pts) - 1, 2))
        out[0::2], out[1::2] = pts, mid
        pts = out
    return pts


class Lightning:
    """The flashes of one shot: `flash(f)` is frame f's brightness (0 = none), `draw(f, w, h)` its light."""

    def __init__(self, n_frames: int, fps: int, seed: int, aspect: float, horizon: float = 0.6,
                 bolt: bool = True, brightness: float = 0.45) -> None:
        rng = np.random.default_rng(seed)
        self.brightness, self.aspect = brightness, aspect
        n = int(np.clip(round(n_frames / fps / 2.5), 1, 4))
        span = max(1, n_frames - len(_FLICKER))
        slots = np.sort(rng.choice(np.arange(span), size=min(n, span), replace=False)) if span > 1 else np.zeros(1, int)
        # keep flashes apart so each reads as its own strike
        self.starts: list[int] = []
        for s in slots:
            if not self.starts or s - self.starts[-1] >= len(_FLICKER) + 2:
                self.starts.append(int(s))
        self.bolts: dict[int, list[np.ndarray]] = {}
        for s in self.starts:
            x0 = rng.uniform(0.15, 0.85) * aspect
            end = np.array([x0 + rng.uniform(-0.2, 0.2), horizon * rng.uniform(0.85, 1.05)])
            main = _bolt(rng, np.array([x0, -0.02]), end, 6, 0.12)
            strokes = [main] if bolt else []
            for _ in range(rng.integers(1, 3) if bolt else 0):
                i = int(rng.integers(len(main) // 5, len(main) * 3 // 5))
                tip = main[i] + np.array([rng.uniform(-0.25, 0.25), rng.uniform(0.1, 0.25)])
                strokes.append(_bolt(rng, main[i], tip, 4, 0.15))
            self.bolts[s] = strokes

    @property
    def flash_frames(self) -> list[int]:
        """Frames where a flash strikes (its first, brightest frame)."""
        return list(self.starts)

    def flash(self, f: int) -> float:
        for s in self.starts:
            if 0 <= f - s < len(_FLICKER):
                return _FLICKER[f - s]
        return 0.0

    def draw(self, f: int, width: int, height: int) -> np.ndarray:
        """Frame f's lightning, premultiplied linear RGBA (zeros when no flash)."""
        out = np.zeros((height, width, 4), np.float32)
        k = self.flash(f)
        if k <= 0.0:
            return out
        out[..., :3] = self.brightness * k * _FLASH_RGB  # light without coverage: brightens what is beneath
        start = next(s for s in self.starts if 0 <= f - s < len(_FLICKER))
        if k < 0.5 or not self.bolts[start]:
            return out
        canvas = np.zeros((height, width), np.uint8)
        pts = [np.round(b * height * (1 << _SHIFT)).astype(np.int32) for b in self.bolts[start]]
        cv2.polylines(canvas, pts[:1], False, 255, max(1, round(height / 300)), cv2.LINE_AA, _SHIFT)
        cv2.polylines(canvas, pts[1:], False, 160, 1, cv2.LINE_AA, _SHIFT)
        core = canvas.astype(np.float32) * (k / 255.0)
        glow = cv2.GaussianBlur(core, (0, 0), max(1.0, height / 120))
        out[..., :3] += (core + 1.5 * glow)[..., None] * _FLASH_RGB
        out[..., 3] = np.clip(core, 0.0, 1.0)
        return out
