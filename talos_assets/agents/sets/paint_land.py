"""Painters of the land and water: ridges of hills and mountains, the sea, the ground, rivers, cliffs.

Ridges are 1D fractal lines (folded sines for jagged peaks), lit brighter on the side that faces the
sun and capped with snow above a noisy snow line. Ground and water are planes seen in perspective:
a row t of the way from the horizon to the bottom of the frame lies at distance ~ 1/(t + e), so a
texture is sampled at (x / (t + e), 1 / (t + e)) with `cv2.remap` from one small noise tile; boards,
furrows and cobbles converge to the vanishing point and crowd towards the horizon the way they do in
a photograph, at the cost of one remap per plane. Water reflects the sky near the horizon and shows
its own colour near the viewer (Fresnel), with ripples as perspective bands and a glitter path under
the sun or moon.
"""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.agents.sets import spec as S
from talos_assets.agents.sets.canvas import Canvas, below_line, fbm, noise, poly_mask, ridge_line
from talos_assets.agents.sets.materials import SNOW, material_rgb, tint

WATER = hex_to_linear("#1f5a73")
TILE = 256


def _snowy(cv: Canvas, albedo: np.ndarray, share: float = 0.85) -> np.ndarray:
    """Outdoor surfaces under snow (weather or winter) turn towards white."""
    if cv.interior:
        return albedo
    k = share * cv.sky.snow + (0.25 if cv.season == "winter" else 0.0)
    return albedo + (SNOW - albedo) * min(k, 0.95)


def paint_ridge(cv: Canvas, layer: S.Ridge) -> None:
    base_albedo = _snowy(cv, material_rgb(layer.material, cv.pal_ground, cv.season, layer.color), 0.6)
    snow_share = min(1.0, layer.snow + 0.5 * cv.sky.snow)
    for b in range(layer.bands):
        near = b / max(layer.bands - 1, 1) if layer.bands > 1 else 0.0
        depth = min(1.0, layer.depth + 0.35 * near)
        base = (layer.y + b * layer.spacing) * cv.h
        amp = layer.amp * cv.h * (1.0 - 0.35 * near)
        line = ridge_line(cv.rng, cv.w, base, amp, layer.rough)
        r0 = max(0, int(line.min()) - 1)
        r1 = min(cv.h, int(max(float(line.max()), cv.cover_row)) + 3)
        if r1 <= r0:
            continue
        cover = below_line(line, r0, r1)
        yy = np.arange(r0, r1, dtype=np.float32)[:, None] + 0.5
        below = yy - line[None, :]
        # Slopes that face the sun are lit; the foot of each ridge darkens.
        k = max(3, cv.w // 80) | 1  # smoothed: faces, not every pixel's wiggle, catch the light
        smooth = np.convolve(np.pad(line, k // 2, mode="edge"), np.ones(k, np.float32) / k, mode="valid")
        slope = (np.gradient(smooth) if cv.w > 1 else np.zeros(1, np.float32)) * (1.0 if cv.sky.x > 0.5 else -1.0)
        side = np.clip(-slope / max(1.0, 0.004 * cv.w), -1.0, 1.0) * (0.25 + 0.25 * layer.rough)
        shade = 1.0 + side[None, :] * np.exp(-below / max(amp, 4.0)) - 0.3 * np.clip(below / (0.3 * cv.h), 0, 1)
        if layer.material == "rock":
            shade = shade * (1.0 + 0.12 * noise(cv.rng, r1 - r0, cv.w, 40))
        a = float(cv.haze_amount(depth))
        lit = cv.light_rgb()
        A = base_albedo * lit * (1.0 - a) * (0.85 + 0.15 * depth)
        Hz = cv.haze_rgb() * a
        edge = noise(cv.rng, 1, cv.w, 24)[0]  # drawn even without snow, so the next band's line stays put
        if snow_share > 0.0:
            snowline = base - amp * (1.0 - snow_share) + 0.12 * amp * edge
            snowmask = np.clip((snowline[None, :] - yy) / max(1.0, 0.01 * cv.h) + 0.5, 0.0, 1.0)
            As = SNOW * lit * (1.0 - a)
            color = shade[..., None] * (A + (As - A) * snowmask[..., None]) + Hz
        else:
            color = shade[..., None] * A + Hz
        cv.over(cover, color, r0)


def _plane(cv: Canvas, r0: int, cells: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, u, v) of the ground plane below row r0: t in [0, 1] down the frame, u across and v into
    the distance in plane units (perspective: both scale with 1 / (t + e))."""
    hz = cv.horizon * cv.h
    t = (np.arange(r0, cv.h, dtype=np.float32)[:, None] + 0.5 - hz) / max(cv.h - hz, 1.0)
    t = np.maximum(t, 0.0)
    z = 1.0 / (t + 0.04)
    u = (np.arange(cv.w, dtype=np.float32)[None, :] + 0.5 - cv.w / 2) / cv.h * z
    v = z + np.zeros_like(u[:1])
    return t, u, v


def _sample(tile: np.ndarray, u: np.ndarray, v: np.ndarray, scale: float) -> np.ndarray:
    mx = np.mod(u * scale, TILE).astype(np.float32)
    my = np.mod(np.broadcast_to(v * scale, u.shape), TILE).astype(np.float32)
    return cv2.remap(tile, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)


def _tile(cv: Canvas) -> np.ndarray:
    """A seamless noise tile: a quarter mirrored both ways, so the plane's texture has no seam."""
    q = fbm(cv.rng, TILE // 2, TILE // 2, 6, 3)
    half = np.concatenate([q, q[:, ::-1]], axis=1)
    return np.ascontiguousarray(np.concatenate([half, half[::-1]], axis=0))


def _pattern(cv: Canvas, material: str, t, u, v, tile) -> np.ndarray:
    """Per-pixel brightness factor (around 1) of a material's texture on the plane."""
    tex = _sample(tile, u, v, 40.0)
    fine = np.clip(1.0 - 2.5 * t, 0.0, 1.0)  # detail fades where it would alias near the horizon
    if material in ("planks", "deck", "crops"):
        n = 9.0 if material != "crops" else 14.0
        k = u * n / 10.0 + 0.5
        seam = np.abs(np.mod(k, 1.0) - 0.5) * 2.0
        tones = cv.rng.uniform(0.82, 1.12, 64).astype(np.float32)
        board = tones[np.floor(k).astype(np.int32) % 64]
        if material == "crops":
            return (0.65 + 0.5 * (seam > 0.45)) * (1.0 + 0.1 * tex)
        line = np.clip((seam - 0.9) * 20.0, 0.0, 1.0) * (1.0 - 0.6 * (1 - fine))
        return board * (1.0 - 0.45 * line) * (1.0 + 0.08 * tex)
    if material in ("cobbles", "tile"):
        n = 6.0 if material == "cobbles" else 3.0
        gu, gv = u * n, v * n * 0.5
        gu = gu + 0.5 * (np.floor(gv) % 2) if material == "cobbles" else gu
        du, dv = np.abs(np.mod(gu, 1.0) - 0.5), np.abs(np.mod(gv, 1.0) - 0.5)
        mortar = np.clip((np.maximum(du, dv) - 0.4) * 12.0, 0.0, 1.0) * (0.3 + 0.7 * fine)
        tones = cv.rng.uniform(0.85, 1.12, 97).astype(np.float32)
        stone = tones[(np.floor(gu).astype(np.int32) * 7 + np.floor(gv).astype(np.int32) * 13) % 97]
        return stone * (1.0 - 0.4 * mortar) * (1.0 + 0.1 * tex)
    if material == "road":
        dash = (np.abs(u) < 0.025) & (np.mod(v, 4.0) < 2.0)
        curb = np.abs(u) > 1.6
        return np.where(dash, 3.2, np.where(curb, 1.7, 1.0)) * (1.0 + 0.1 * tex)
    if material == "sand":
        ripple = 0.5 + 0.5 * np.sin(v * 30.0 + 3.0 * tex)
        return 1.0 + 0.12 * tex + 0.06 * ripple * fine
    amount = {"grass": 0.22, "snow": 0.06, "rock": 0.3, "dirt": 0.25, "mud": 0.25, "paper": 0.02}.get(material, 0.15)
    return 1.0 + amount * tex


def paint_ground(cv: Canvas, layer: S.Ground) -> None:
    top = cv.horizon if layer.top is None else layer.top
    r0 = max(0, int(top * cv.h) - int(layer.shore * 0.03 * cv.h) - 1)
    if r0 >= cv.h:
        return
    albedo = material_rgb(layer.material, cv.pal_ground, cv.season, layer.color)
    if layer.material not in ("planks", "tile", "stone", "concrete", "deck"):
        albedo = _snowy(cv, albedo)
    elif not cv.interior:
        albedo = _snowy(cv, albedo, 0.6)
    t, u, v = _plane(cv, r0)
    tile = _tile(cv)
    pat = _pattern(cv, layer.material, t, u, v, tile).astype(np.float32, copy=False)
    if not cv.interior and cv.sky.snow > 0:  # snow hides the cobbles and the furrows
        pat = 1.0 + (pat - 1.0) * (1.0 - 0.85 * cv.sky.snow)
    pat = 1.0 + (pat - 1.0) * (0.4 + 1.2 * layer.texture)
    if layer.dunes > 0:
        swell = np.sin(u * 0.7 + 2.0 * _sample(tile, u, v, 3.0) + v * 0.9)
        pat = pat * (1.0 + 0.35 * layer.dunes * swell)
    pat = pat * (1.0 - 0.25 * t)  # the near ground darkens a little: it holds the eye up
    wet = cv.sky.wet * (0.0 if cv.interior else 1.0)
    # the plane recedes: hazed like the far distance at the horizon, like the foreground at the bottom
    near = 0.25 * layer.depth
    depth_rows = near + (1.0 - near) * np.minimum(1.0, t * 1.15)
    color = cv.shade_rows(albedo * (1.0 - 0.45 * wet), pat, depth_rows)
    if wet > 0:  # puddles mirror the grey sky
        sheen = np.clip(_sample(tile, u * 2.0, v, 6.0) * 3.0 - 0.6, 0.0, 1.0) * wet * 0.25 * np.clip(t * 2.5, 0.0, 1.0)
        color += sheen[..., None] * cv.sky.horizon_sky
    line = np.full(cv.w, top * cv.h, np.float32)
    if layer.shore > 0:
        line += layer.shore * 0.02 * cv.h * np.sin(np.linspace(0, 9.0, cv.w, dtype=np.float32) + noise(cv.rng, 1, cv.w, 6)[0] * 2)
        foam = np.clip(1.0 - np.abs(np.arange(r0, cv.h, dtype=np.float32)[:, None] + 0.5 - line[None, :]) / max(1.5, 0.006 * cv.h), 0, 1)
        color += foam[..., None] * cv.light_rgb() * 0.5
    cover = below_line(line, r0, cv.h)
    if layer.flowers > 0:
        _flowers(cv, layer, color, t)
    cv.over(cover, color, r0)


def _flowers(cv: Canvas, layer: S.Ground, color: np.ndarray, t: np.ndarray) -> None:
    n = int(layer.flowers * cv.w * color.shape[0] / 350)
    ys = (cv.rng.uniform(0, 1, n) ** 0.7 * (color.shape[0] - 1)).astype(int)
    xs = cv.rng.integers(0, cv.w, n)
    hues = np.array([[0.9, 0.2, 0.3], [0.95, 0.85, 0.2], [0.9, 0.9, 0.95], [0.7, 0.3, 0.8]], np.float32) ** 2.2
    dots = np.zeros(color.shape, np.float32)
    dots[ys, xs] = hues[cv.rng.integers(0, 4, n)]
    size = max(2, int(cv.h / 200))
    if size > 1:
        dots = cv2.dilate(dots, np.ones((size, size), np.uint8))
    m = (dots.max(axis=2, keepdims=True) > 0) * np.clip(t * 3.0, 0, 1)[..., None]
    color += (dots * cv.light_rgb() - color) * m


def paint_sea(cv: Canvas, layer: S.Sea) -> None:
    top = cv.horizon if layer.top is None else layer.top
    r0, r1 = max(0, int(round(top * cv.h))), min(cv.h, int(round(layer.bottom * cv.h)))
    if r1 <= r0:
        return
    s = cv.sky
    t = (np.arange(r0, r1, dtype=np.float32)[:, None] + 0.5 - r0) / max(cv.h - r0, 1)
    water = tint(WATER, cv.pal_sky, 0.2) if layer.color is None else hex_to_linear(layer.color)
    own = water * cv.light_rgb()
    reflect = s.horizon_sky * 0.85 + (s.zenith - s.horizon_sky) * 0.3
    fres = np.clip(t * 2.2, 0.0, 1.0) ** 0.6  # grazing angle near the horizon mirrors the sky
    rough = min(1.0, layer.waves * (1.0 + 1.5 * s.wind + 0.5 * s.cloud_dark))
    n = noise(cv.rng, r1 - r0, cv.w, 24)
    ripple = 0.5 + 0.5 * np.sin(30.0 * (1.0 + rough) / (t + 0.05) + 2.5 * n)
    rate = 30.0 / (t + 0.05) ** 2 / max(cv.h - r0, 1)
    amp = np.clip((2.0 - rate) / 1.5, 0.0, 1.0)
    base = reflect[None, None, :] * (1.0 - fres[..., None]) + own[None, None, :] * fres[..., None]
    color = base * (0.85 + 0.3 * rough * ripple * amp)[..., None]
    if s.disc > 0 and layer.shimmer > 0:
        cols = cv.cols()
        path_w = 0.015 + 0.12 * t
        path = np.exp(-(((cols - s.x) * cv.w / cv.h) ** 2) / (2.0 * path_w**2))
        glint = (ripple**8) * path * (0.2 + 0.8 * amp) * layer.shimmer * s.disc
        color += glint[..., None] * s.light * (1.2 if s.body == "sun" else 0.8) * np.float32(max(s.exposure, 0.3))
    if rough > 0.6:  # whitecaps in wind and storm
        caps = np.clip((ripple * (0.5 + 0.5 * n) - 0.8) * 6.0, 0, 1) * amp * (rough - 0.6) * 2.0
        color += (cv.light_rgb() * 0.8 - color) * caps[..., None]
    color = color + (cv.haze_rgb() - color) * cv.haze_amount(layer.depth + (1 - layer.depth) * t)[..., None]
    cv.over(np.ones((r1 - r0, cv.w), np.float32), color, r0)


def paint_river(cv: Canvas, layer: S.River) -> None:
    r0 = int(cv.horizon * cv.h)
    if r0 >= cv.h:
        return
    t = (np.arange(r0, cv.h, dtype=np.float32) + 0.5 - r0) / max(cv.h - r0, 1)
    centre = layer.x + 0.12 * np.sin(t * 5.0 + cv.rng.uniform(0, 6)) * t + (0.5 - layer.x) * (1 - t) * 0.3
    half = 0.5 * layer.width * (0.03 + t) / 1.03
    cols = cv.cols()
    d = np.abs(cols - centre[:, None]) - half[:, None]
    cover = np.clip(-d * cv.w + 0.5, 0.0, 1.0)
    s = cv.sky
    water = tint(WATER, cv.pal_sky, 0.2) * 1.2
    fres = np.clip(t * 1.6, 0, 1)[:, None, None]
    color = s.horizon_sky * 0.8 * (1 - fres) + water * cv.light_rgb() * fres
    ripple = 0.92 + 0.16 * noise(cv.rng, cv.h - r0, cv.w, 30)[..., None]
    bank = np.clip(1.0 - np.abs(d) * cv.w / max(2.0, 0.01 * cv.w), 0, 1)[..., None] * 0.4
    color = color * ripple * (1 - bank) + cv.light_rgb() * 0.2 * bank
    color = color + (cv.haze_rgb() - color) * cv.haze_amount(layer.depth * np.minimum(1, 0.3 + t))[:, None, None]
    cv.over(cover, color, r0)


def paint_cliff(cv: Canvas, layer: S.Cliff) -> None:
    w = layer.width * cv.w
    edge = cv.w if layer.side == "right" else 0.0
    sign = -1.0 if layer.side == "right" else 1.0
    n = 24
    ys = np.linspace(layer.top * cv.h, cv.h, n)
    jag = cv.rng.uniform(-0.06, 0.06, n) * cv.w + np.linspace(0, -0.15 * w, n)
    pts = [[edge, layer.top * cv.h - 0.02 * cv.h], [edge + sign * (w * 0.85), layer.top * cv.h]]
    pts += [[edge + sign * (w + j), y] for y, j in zip(ys, jag)]
    pts += [[edge, cv.h]]
    cover = poly_mask([np.array(pts)], cv.h, cv.w)
    rock = _snowy(cv, material_rgb("rock", cv.pal_ground, cv.season, layer.color), 0.5)
    yy = cv.rows()
    strata = 1.0 + 0.18 * np.sin(yy * 90.0 + 3.0 * noise(cv.rng, cv.h, cv.w, 10)) + 0.12 * noise(cv.rng, cv.h, cv.w, 40)
    face = 0.8 + 0.35 * (cv.cols() < 0.5 if cv.sky.x < 0.5 else cv.cols() > 0.5)
    color = cv.lit(rock, layer.depth)[None, None, :] * (strata * face)[..., None]
    cv.over(cover, color)
    # grass on the cliff top
    grass = cv.lit(_snowy(cv, material_rgb("grass", cv.pal_ground, cv.season)), layer.depth)
    top = poly_mask([np.array(pts[:2] + [[pts[1][0], pts[1][1] + 0.02 * cv.h], [edge, pts[0][1] + 0.03 * cv.h]])], cv.h, cv.w)
    cv.over(top, grass)
