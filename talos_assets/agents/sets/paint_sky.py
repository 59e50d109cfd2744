"""Painters of the sky layers: the gradient, the sun or moon, stars, clouds and planets.

The sky is smooth, so its gradient, the glow around the sun and the clouds are computed on a
quarter-size grid and resized (bilinear) to the frame: the frame's own resolution, at a sixteenth
of the per-pixel work. Discs and stars are drawn at full resolution, where their edges live.
The gradient runs from the zenith colour to the horizon colour with a power curve (the sky pales
quickly near the horizon, Rayleigh-like); the sun's glow is a tight core plus a wide halo in the
light's colour, strongest when the sun is low (dawn, dusk).
"""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.agents.sets import spec as S
from talos_assets.agents.sets.canvas import Canvas, ellipse_mask, fbm
from talos_assets.agents.sets.materials import tint

SPACE = np.array([0.002, 0.002, 0.006], np.float32)


def _small(cv: Canvas, rows: int) -> tuple[int, int]:
    return max(2, cv.w // 4), max(2, rows // 4)


def _up(img: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)


def paint_sky(cv: Canvas, layer: S.Sky) -> None:
    s = cv.sky
    if layer.space:
        cv.img[:] = SPACE
        return
    sw, sh = _small(cv, cv.h)
    rows = (np.arange(sh, dtype=np.float32)[:, None] + 0.5) / sh
    cols = (np.arange(sw, dtype=np.float32)[None, :] + 0.5) / sw
    t = np.clip(rows / cv.horizon, 0.0, 1.0) ** 1.6
    k = 0.12 * min(1.0, s.exposure * 2.0)  # the palette tints a day sky; night stays blue
    zen, hor = tint(s.zenith, cv.pal_sky, k), tint(s.horizon_sky, cv.pal_sky, k)
    img = zen + (hor - zen) * t[..., None] + np.zeros((1, sw, 1), np.float32)
    # Glow around the sun (or moon), wider and stronger the lower it stands.
    if s.disc > 0:
        sy = s.y(cv.horizon)
        r2 = ((cols - s.x) * cv.w / cv.h) ** 2 + (rows - sy) ** 2
        low = 1.0 - s.height
        strength = (0.35 + 0.9 * low) * s.disc * (0.35 if s.body == "moon" else 1.0)
        glow = strength * (0.5 * np.exp(-r2 / 0.004) + 0.35 * np.exp(-r2 / (0.03 + 0.08 * low)))
        img += glow[..., None] * s.light * 0.6
        # A warm band along the horizon when the sun is low (dawn, dusk).
        img += (low * s.disc * 0.12 * np.exp(-((rows - cv.horizon) / 0.08) ** 2))[..., None] * s.light
    img *= (1.0 + 0.03 * fbm(cv.rng, sh, sw, 8, 2))[..., None]
    if s.fog > 1.0:  # in fog the sky is the fog: far things and the sky melt into one grey
        img += (cv.haze_rgb() - img) * np.float32(0.85)
    cv2.resize(img, (cv.w, cv.h), dst=cv.img, interpolation=cv2.INTER_LINEAR)


def paint_celestial(cv: Canvas, layer: S.Celestial) -> None:
    s = cv.sky
    if s.disc <= 0.01:
        return
    r = layer.size * cv.h * (1.25 if s.body == "moon" else 1.0)
    cx, cy = s.x * cv.w, s.y(cv.horizon) * cv.h
    r0, r1 = max(0, int(cy - r - 2)), min(cv.h, int(cy + r + 3))
    if r1 <= r0:
        return
    cover = ellipse_mask(r1 - r0, cv.w, [(cx, cy, r, r)], r0)
    if s.body == "sun":
        color = np.clip(s.light / max(float(s.light.max()), 1e-3), 0, 1) * 0.6 + 0.55
        cv.over(cover * s.disc, color, r0)
        return
    moon = np.array([0.85, 0.85, 0.8], np.float32)
    cv.over(cover * s.disc, moon, r0)
    # Maria: a few darker soft patches inside the disc, seeded.
    spots = [(cx + cv.rng.uniform(-0.5, 0.5) * r, cy + cv.rng.uniform(-0.5, 0.5) * r,
              r * cv.rng.uniform(0.15, 0.35), r * cv.rng.uniform(0.15, 0.3)) for _ in range(4)]
    maria = ellipse_mask(r1 - r0, cv.w, spots, r0) * cover
    cv.over(maria * 0.35 * s.disc, moon * 0.55, r0)


def paint_stars(cv: Canvas, layer: S.Stars) -> None:
    vis = 1.0 if layer.always else cv.sky.stars
    n = int(layer.density * vis * cv.w * cv.h / 2500)
    hr = max(1, min(cv.h, int(cv.horizon * cv.h)) if not layer.always else cv.h)
    if n <= 0:
        return
    field = np.zeros((hr, cv.w), np.float32)
    ys = cv.rng.integers(0, hr, n)
    xs = cv.rng.integers(0, cv.w, n)
    mag = cv.rng.uniform(0.1, 1.0, n).astype(np.float32) ** 3
    # fade towards the horizon, where the air is thick
    field[ys, xs] = mag * np.clip(1.3 - ys / hr, 0.0, 1.0)
    sigma = max(0.5, cv.h / 1400)
    field = cv2.GaussianBlur(field, (0, 0), sigma) * (2.0 + 4.0 * sigma)
    cv.emit(np.minimum(field, 1.0) * np.float32(vis), np.array([0.9, 0.93, 1.0], np.float32))  # faint in twilight


def paint_clouds(cv: Canvas, layer: S.Clouds) -> None:
    s = cv.sky
    weather = s.clouds
    cover = max(layer.cover * (1.0 - min(weather, 1.0)) + weather, 0.0)
    if cover < 0.02:
        return
    top = layer.top if weather < 0.3 else 0.0
    bottom = max(layer.bottom, cv.horizon if weather >= 0.3 else layer.bottom)
    r0, r1 = int(top * cv.h), min(cv.h, int(bottom * cv.h) + 1)
    sw, sh = _small(cv, r1 - r0)
    # Wind streaks the clouds: fewer noise cells across than down.
    cells = int(6 + 6 * (1.0 - s.wind))
    n = fbm(cv.rng, sh, sw, cells, 4)
    if s.wind > 0.3:
        n = cv2.resize(cv2.resize(n, (max(2, sw // 6), sh)), (sw, sh), interpolation=cv2.INTER_CUBIC)
    v = 0.5 + 0.5 * n
    lo = 1.0 - cover - 0.05
    density = np.clip((v - lo) / 0.25, 0.0, 1.0) ** 1.5
    if weather >= 0.6:
        density = np.maximum(density, np.float32(0.55 * weather))  # an overcast deck between the clouds
    fade = np.clip((np.linspace(0, 1, sh, dtype=np.float32)[:, None] - 0.0) * 6.0, 0.0, 1.0)
    fade *= np.clip((1.0 - np.linspace(0, 1, sh, dtype=np.float32)[:, None]) * 4.0, 0.0, 1.0) if weather < 0.3 else 1.0
    density = density * fade
    lit = (s.light * 0.8 + s.ambient * 0.7) * np.float32(s.exposure)
    white = np.clip(lit * 0.95, 0.0, 1.2)
    dark = (s.horizon_sky * 0.25 + 0.02 * s.exposure) * np.float32(1.0 - 0.5 * s.cloud_dark)
    # Thick parts are darker underneath; storm clouds are dark throughout.
    shade = np.clip(density * 1.2 - 0.2 * n, 0.0, 1.0)[..., None]
    k = np.float32(0.35 + 0.6 * s.cloud_dark)
    color = white * (1.0 - k * shade) + dark * (k * shade)
    cv.over(_up(density, cv.w, r1 - r0) * 0.97, _up(color, cv.w, r1 - r0), r0)


def paint_planet(cv: Canvas, layer: S.Planet) -> None:
    r = layer.r * cv.h
    cx, cy = layer.x * cv.w, layer.y * cv.h
    r0, r1 = max(0, int(cy - r * 1.9)), min(cv.h, int(cy + r * 1.9) + 1)
    if r1 <= r0:
        return
    own = hex_to_linear(layer.color) if layer.color else np.array([0.45, 0.22, 0.12], np.float32)
    base = tint(own, cv.pal_sky, 0.2)
    yy = np.arange(r0, r1, dtype=np.float32)[:, None] + 0.5
    xx = np.arange(cv.w, dtype=np.float32)[None, :] + 0.5
    dx, dy = (xx - cx) / r, (yy - cy) / r
    disc = np.clip((1.0 - np.sqrt(dx * dx + dy * dy)) * r + 0.5, 0.0, 1.0)
    # Lit from the upper left, a terminator across it; bands of weather along the latitude.
    shade = np.clip(0.25 - 0.7 * dx - 0.5 * dy, 0.0, 1.0) ** 0.8
    bands = 1.0 + 0.18 * np.sin(dy * 9.0 + 0.6 * np.sin(dx * 3.0))
    color = base[None, None, :] * (shade * bands)[..., None] + 0.01
    if layer.rings:
        ring = ellipse_mask(r1 - r0, cv.w, [(cx, cy, 1.8 * r, 0.35 * r)], r0) - ellipse_mask(
            r1 - r0, cv.w, [(cx, cy, 1.35 * r, 0.24 * r)], r0)
        front = (dy > 0) | (disc < 0.5)
        cv.over(disc, color, r0)
        cv.over(np.clip(ring, 0, 1) * front * 0.8, base * 1.4 + 0.05, r0)
        return
    cv.over(disc, color, r0)
