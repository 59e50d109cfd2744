"""The canvas a set is painted on, and the small tools every layer painter shares.

Layers composite back to front with "over" on a float32 (H, W, 3) linear-light image. Outdoors a
layer's albedo is lit when it is laid down (direct light from the sun or moon plus the sky's fill,
times the time of day's exposure) and then hazed towards the horizon sky by its depth, the classic
aerial perspective of landscape painting: haze = 1 - exp(-fog * k * (1 - depth)^1.5), so far layers
melt into the sky and thick fog swallows all but the foreground. Indoors layers are laid down as
albedo and the whole room is multiplied by a light map afterwards (sets/lights.py); emissive parts
(a window's sky, coals) are queued and added after that, so they are not darkened by the room.
Shapes are drawn with OpenCV polygons on 8-bit masks with anti-aliasing; textures are value noise (a
small random grid resized bicubically), cheap at any resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from talos_assets.agents.sets.sky import SkyState

LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


@dataclass
class Canvas:
    w: int
    h: int
    horizon: float
    sky: SkyState
    pal_sky: np.ndarray
    pal_ground: np.ndarray
    rng: np.random.Generator
    interior: bool = False
    season: str | None = None
    img: np.ndarray = field(init=False)
    emissive: list = field(default_factory=list)  # (row0, cover (h', w), colour) added after the light map
    windows: list = field(default_factory=list)  # (x, y, w, h) of daylight openings, for the light map
    fires: list = field(default_factory=list)  # (x, y) of hearths painted by the set itself
    indoor: np.ndarray | None = None  # (h, w) share of each pixel painted by interior layers
    cover_row: int = 0  # rows below this are covered by a later full-width ground: fill ridges to here only

    def __post_init__(self) -> None:
        self.img = np.zeros((self.h, self.w, 3), np.float32)

    # ---- coordinates -------------------------------------------------------------------------
    def px(self, frac: float, axis: str = "y") -> int:
        return int(round(frac * (self.h if axis == "y" else self.w)))

    def rows(self, r0: int = 0, r1: int | None = None) -> np.ndarray:
        r1 = self.h if r1 is None else r1
        return (np.arange(r0, r1, dtype=np.float32)[:, None] + 0.5) / self.h

    def cols(self) -> np.ndarray:
        return (np.arange(self.w, dtype=np.float32)[None, :] + 0.5) / self.w

    # ---- light -------------------------------------------------------------------------------
    def haze_amount(self, depth: float | np.ndarray) -> float | np.ndarray:
        far = np.clip(1.0 - np.asarray(depth, np.float32), 0.0, 1.0) ** 1.5
        return 1.0 - np.exp(-self.sky.fog * 1.5 * far)

    def haze_rgb(self) -> np.ndarray:
        s = self.sky
        if s.fog > 1.0:  # fog is a bright grey veil lit by the day, not the sky's colour
            return np.full(3, float(s.horizon_sky @ LUMA) * 0.9 + 0.02 * s.exposure, np.float32)
        return s.horizon_sky * 0.9

    def light_rgb(self) -> np.ndarray:
        """What a lit surface's albedo is multiplied by outdoors (indoors the light map does it)."""
        if self.interior:
            return np.ones(3, np.float32)
        s = self.sky
        return (s.light * 0.9 + s.ambient * 0.55) * np.float32(s.exposure)

    def lit(self, albedo: np.ndarray, depth: float) -> np.ndarray:
        """A flat albedo lit and hazed for a layer at `depth` (outdoors); the albedo itself indoors."""
        c = np.asarray(albedo, np.float32) * self.light_rgb()
        if self.interior:
            return c
        a = float(self.haze_amount(depth))
        return (c + (self.haze_rgb() - c) * a).astype(np.float32)

    def shade_rows(self, albedo: np.ndarray, shade: np.ndarray, depth_rows: np.ndarray) -> np.ndarray:
        """A flat albedo (3,) times a per-pixel shade (h', w), lit and hazed with a per-row depth
        (h', 1): ground planes. Written as shade * A + B with A, B per row: two passes over the image."""
        lit = np.asarray(albedo, np.float32) * self.light_rgb()
        if self.interior:
            a = np.zeros_like(depth_rows)
        else:
            a = self.haze_amount(depth_rows).astype(np.float32)
        A = (lit[None, :] * (1.0 - a))[:, None, :]  # (h', 1, 3)
        B = (self.haze_rgb()[None, :] * a)[:, None, :]
        out = shade[..., None] * A
        out += B
        return out

    # ---- compositing -------------------------------------------------------------------------
    def over(self, cover: np.ndarray, color: np.ndarray, r0: int = 0, c0: int = 0) -> None:
        """Composite `color` ((3,), (h', 1, 3) or (h', w', 3)) with coverage `cover` (h', w') whose
        top-left corner is at (row r0, column c0).

        OpenCV's blendLinear does the per-pixel mix in one vectorised pass (about 5x numpy's three)."""
        r1 = min(self.h, r0 + cover.shape[0])
        c1 = min(self.w, c0 + cover.shape[1])
        if r1 <= r0 or c1 <= c0:
            return
        cover = np.ascontiguousarray(cover[: r1 - r0, : c1 - c0], dtype=np.float32)
        band = self.img[r0:r1, c0:c1]
        color = np.asarray(color, np.float32)
        color = color[: r1 - r0, : c1 - c0] if color.ndim == 3 else color
        if color.shape != band.shape:
            color = np.ascontiguousarray(np.broadcast_to(color, band.shape))
        cv2.blendLinear(color, band, cover, 1.0 - cover, dst=band)
        if self.indoor is not None:  # which pixels the room's light map lights
            ind = self.indoor[r0:r1, c0:c1]
            ind += ((1.0 if self.interior else 0.0) - ind) * cover

    def emit(self, cover: np.ndarray, color: np.ndarray, r0: int = 0, mode: str = "add", c0: int = 0) -> None:
        """Light the surface gives off itself (stars, lit windows, coals): not darkened by the room's
        light map, so indoors it is queued until after it; `mode` "add" adds light, "over" replaces."""
        color = np.asarray(color, np.float32)
        if self.interior:
            self.emissive.append((r0, c0, cover, color, mode))
        else:
            self.apply_emission(r0, c0, cover, color, mode)

    def apply_emission(self, r0: int, c0: int, cover: np.ndarray, color: np.ndarray, mode: str) -> None:
        if mode == "over":
            self.over(cover, color, r0, c0)
            return
        r1, c1 = min(self.h, r0 + cover.shape[0]), min(self.w, c0 + cover.shape[1])
        add = cover[: r1 - r0, : c1 - c0, None] * (color[: r1 - r0, : c1 - c0] if color.ndim == 3 else color)
        self.img[r0:r1, c0:c1] += add


# ---- shapes and noise ------------------------------------------------------------------------
def noise(rng: np.random.Generator, h: int, w: int, cells: int, aspect_cells: bool = True) -> np.ndarray:
    """Smooth value noise in [-1, 1]: a small random grid upscaled bicubically to (h, w)."""
    gh = max(2, int(round(cells * h / max(w, 1)))) if aspect_cells else max(2, cells)
    grid = rng.uniform(-1.0, 1.0, size=(gh + 1, cells + 1)).astype(np.float32)
    return cv2.resize(grid, (max(w, 1), max(h, 1)), interpolation=cv2.INTER_CUBIC)


def fbm(rng: np.random.Generator, h: int, w: int, cells: int, octaves: int = 3) -> np.ndarray:
    """Fractal value noise in about [-1, 1] (octaves of noise at doubling frequency, halving amplitude)."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        out += amp * noise(rng, h, w, min(cells * 2**o, max(w // 2, 2)))
        total += amp
        amp *= 0.5
    return out / total


def ridge_line(rng: np.random.Generator, w: int, base: float, amp: float, rough: float) -> np.ndarray:
    """Per-column y (pixels) of a ridge: 1D fBm of random sines; `rough` adds sharp peaks (|sin| folds)."""
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)
    y = np.zeros(w, np.float32)
    for octave in range(5):
        freq = (1.0 + rng.uniform(0.0, 1.0)) * 2.0**octave
        phase = rng.uniform(0.0, 2.0 * math.pi)
        wave = np.sin(2.0 * math.pi * freq * x + phase)
        # Jagged mountains: folded sine waves give sharp crests; soft hills stay sinusoidal.
        wave = (1.0 - rough) * wave + rough * (1.0 - 2.0 * np.abs(wave))
        y += wave / (1.6 ** octave) * (0.55 if octave else 1.0)
    y = (y - y.min()) / max(float(np.ptp(y)), 1e-6)  # 0 = highest peak... 1 = lowest trough
    return (base + amp * (y - 1.0)).astype(np.float32)


def below_line(line_y: np.ndarray, r0: int, r1: int) -> np.ndarray:
    """Anti-aliased coverage (r1 - r0, w) of everything below a per-column line (pixels)."""
    yy = np.arange(r0, r1, dtype=np.float32)[:, None] + 0.5
    return np.clip(yy - line_y[None, :] + 0.5, 0.0, 1.0)


def poly_mask(polys: list[np.ndarray], h: int, w: int, r0: int = 0) -> np.ndarray:
    """Anti-aliased coverage (h, w) of filled polygons given in pixels (full-frame rows, offset by r0)."""
    mask = np.zeros((h, w), np.uint8)
    shift = 3
    pts = [np.round((np.asarray(p, np.float64) - [0, r0]) * (1 << shift)).astype(np.int32) for p in polys if len(p) >= 3]
    if pts:
        cv2.fillPoly(mask, pts, 255, cv2.LINE_AA, shift)
    return mask.astype(np.float32) * np.float32(1.0 / 255.0)


def ellipse_mask(h: int, w: int, items: list[tuple[float, float, float, float]], r0: int = 0) -> np.ndarray:
    """Anti-aliased coverage of filled ellipses (cx, cy, rx, ry) in pixels."""
    mask = np.zeros((h, w), np.uint8)
    for cx, cy, rx, ry in items:
        cv2.ellipse(mask, (int(cx * 8), int((cy - r0) * 8)), (max(int(rx * 8), 1), max(int(ry * 8), 1)),
                    0, 0, 360, 255, -1, cv2.LINE_AA, 3)
    return mask.astype(np.float32) * np.float32(1.0 / 255.0)


def rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


class Shapes:
    """Many flat-coloured shapes of one layer composited in one pass: each shape's lit colour is
    drawn straight into a colour image (later shapes on top, widened a pixel under the fringe), the
    union is drawn once more with anti-aliasing for the coverage, and one "over" lays the layer
    down. Glowing shapes (lit windows) go to a separate emission pass."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object, np.ndarray]] = []
        self.glows: list[tuple[str, object, np.ndarray]] = []

    def poly(self, pts, albedo: np.ndarray) -> None:
        self.items.append(("p", np.asarray(pts, np.float64), np.asarray(albedo, np.float32)))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, albedo: np.ndarray) -> None:
        self.items.append(("e", (cx, cy, rx, ry), np.asarray(albedo, np.float32)))

    def glow(self, pts, color: np.ndarray) -> None:
        self.glows.append(("p", np.asarray(pts, np.float64), np.asarray(color, np.float32)))

    @staticmethod
    def _box(items, h: int, w: int) -> tuple[int, int, int, int]:
        """Rows and columns (r0, r1, c0, c1) the shapes touch, a pixel of margin around them."""
        lo, hi, left, right = h, 0, w, 0
        for kind, g, _ in items:
            if kind == "p":
                y0, y1, x0, x1 = g[:, 1].min(), g[:, 1].max(), g[:, 0].min(), g[:, 0].max()
            else:
                y0, y1, x0, x1 = g[1] - g[3], g[1] + g[3], g[0] - g[2], g[0] + g[2]
            lo, hi, left, right = min(lo, int(y0) - 2), max(hi, int(y1) + 3), min(left, int(x0) - 2), max(right, int(x1) + 3)
        return max(lo, 0), min(hi, h), max(left, 0), min(right, w)

    @staticmethod
    def _draw(img: np.ndarray, kind: str, g, value, origin: tuple[int, int], aa: bool) -> None:
        s = 3
        line = cv2.LINE_AA if aa else cv2.LINE_8
        c0, r0 = origin
        if kind == "p":
            pts = np.round((g - [c0, r0]) * (1 << s)).astype(np.int32)
            cv2.fillPoly(img, [pts], value, line, s)
            if not aa:  # widen the flat colour by a pixel under the anti-aliased fringe
                cv2.polylines(img, [pts], True, value, 2, cv2.LINE_8, s)
        else:
            cx, cy, rx, ry = g
            centre, axes = (int((cx - c0) * 8), int((cy - r0) * 8)), (max(int(rx * 8), 1), max(int(ry * 8), 1))
            cv2.ellipse(img, centre, axes, 0, 0, 360, value, -1, line, s)
            if not aa:
                cv2.ellipse(img, centre, axes, 0, 0, 360, value, 2, cv2.LINE_8, s)

    def _layer(self, cv: Canvas, items, colors: list[np.ndarray]) -> tuple[int, int, np.ndarray, np.ndarray] | None:
        """Flat colours drawn straight into a float image of the shapes' box, and the anti-aliased
        coverage of their union."""
        r0, r1, c0, c1 = self._box(items, cv.h, cv.w)
        if r1 <= r0 or c1 <= c0:
            return None
        color = np.zeros((r1 - r0, c1 - c0, 3), np.float32)
        cover = np.zeros((r1 - r0, c1 - c0), np.uint8)
        for (kind, g, _), c in zip(items, colors):
            self._draw(color, kind, g, tuple(float(v) for v in c), (c0, r0), False)
            self._draw(cover, kind, g, 255, (c0, r0), True)
        return r0, c0, color, cover.astype(np.float32) * np.float32(1 / 255)

    def paint(self, cv: Canvas, depth: float, texture: float = 0.0) -> None:
        if self.items and (done := self._layer(cv, self.items, [cv.lit(c, depth) for _, _, c in self.items])):
            r0, c0, color, cover = done
            if texture > 0:
                color *= (1.0 + texture * noise(cv.rng, color.shape[0], color.shape[1], 60))[..., None]
            cv.over(cover, color, r0, c0)
        if self.glows and (done := self._layer(cv, self.glows, [c for _, _, c in self.glows])):
            r0, c0, color, cover = done
            cv.emit(cover, color, r0, mode="over", c0=c0)
