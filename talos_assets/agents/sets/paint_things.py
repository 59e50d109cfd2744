"""Painters of the things that stand in a landscape: trees, buildings, boats and a ship's deck.

Each is a row of simple silhouettes built from polygons and ellipses (sets/canvas.py `Shapes`),
the way a background painter blocks in a flat: a pine is three stacked triangles, a round tree a
cluster of ellipses on a trunk, a house a box under a gable, a castle a keep between crenellated
towers. Sizes and places are drawn from the seeded generator, so a set looks the same every time for
a seed. Wind bends tree tops to the right; snow whitens canopies and roofs; at night a share of the
windows is lit warm and glows (emission, not lit by the moon).
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.agents.sets import spec as S
from talos_assets.agents.sets.canvas import Canvas, Shapes, rect
from talos_assets.agents.sets.materials import SNOW, foliage_rgb, material_rgb, tint

TRUNK = hex_to_linear("#4a3324")
WINDOW_DAY = hex_to_linear("#3c4a5a")
WINDOW_LIT = np.array([1.0, 0.62, 0.25], np.float32)
ROOFS = [hex_to_linear(c) for c in ("#8c3b2e", "#6b4a3a", "#4f5560", "#9a6a3c")]
WALLS = [hex_to_linear(c) for c in ("#d8c8a8", "#c9b28e", "#b8a58a", "#e0d4bc", "#a89a86")]
AWNINGS = [hex_to_linear(c) for c in ("#c0392b", "#e2b33c", "#2e7d9a", "#3e8e4f")]


def _snow(cv: Canvas, c: np.ndarray, k: float = 0.7) -> np.ndarray:
    amount = k * cv.sky.snow + (0.2 if cv.season == "winter" else 0.0)
    return c + (SNOW - c) * min(amount, 0.9)


def _night(cv: Canvas) -> bool:
    return cv.sky.exposure < 0.35 or cv.interior


def paint_trees(cv: Canvas, layer: S.Trees) -> None:
    leaf = foliage_rgb(layer.style, cv.pal_ground, cv.season, layer.color)
    shapes = Shapes()
    xs = np.sort(cv.rng.uniform(layer.x0, layer.x1, layer.count))
    bend = cv.sky.wind * 0.35
    for x in xs:
        base = (layer.y + cv.rng.uniform(-1, 1) * layer.jitter) * cv.h
        hgt = layer.height * cv.h * cv.rng.uniform(0.7, 1.3)
        cx, tone = x * cv.w, cv.rng.uniform(0.8, 1.15)
        lean = bend * hgt
        c = leaf * tone
        if layer.style == "pine":
            shapes.poly(rect(cx - 0.03 * hgt, base - 0.25 * hgt, cx + 0.03 * hgt, base), TRUNK)
            for k in range(3):
                y0, y1 = base - hgt * (0.2 + 0.27 * k), base - hgt * (0.55 + 0.22 * k + 0.23)
                half = hgt * (0.28 - 0.07 * k)
                tip = cx + lean * (0.4 + 0.3 * k)
                shapes.poly([[cx - half, y0], [cx + half, y0], [tip, y1]], _snow(cv, c) if k == 2 else c)
        elif layer.style == "palm":
            for k in range(6):
                f, g = k / 6.0, (k + 1) / 6.0
                shapes.poly([[cx + 0.2 * hgt * f * f + lean * f - 0.03 * hgt, base - hgt * f],
                             [cx + 0.2 * hgt * g * g + lean * g - 0.025 * hgt, base - hgt * g],
                             [cx + 0.2 * hgt * g * g + lean * g + 0.025 * hgt, base - hgt * g],
                             [cx + 0.2 * hgt * f * f + lean * f + 0.03 * hgt, base - hgt * f]], TRUNK * 1.3)
            tx, ty = cx + 0.2 * hgt + lean, base - hgt
            for ang in np.linspace(-2.8, -0.3, 6):
                ex, ey = tx + np.cos(ang) * 0.45 * hgt + lean * 0.3, ty + 0.15 * hgt - np.sin(-ang) * 0.1 * hgt
                shapes.poly([[tx, ty - 0.03 * hgt], [ex, ey], [tx, ty + 0.03 * hgt]], c)
                shapes.poly([[tx, ty - 0.03 * hgt], [2 * tx - ex + lean * 0.3, ey], [tx, ty + 0.03 * hgt]], c)
        elif layer.style == "bush":
            for k in range(3):
                shapes.ellipse(cx + (k - 1) * 0.25 * hgt + lean * 0.3, base - 0.3 * hgt, 0.35 * hgt, 0.32 * hgt, c * (0.9 + 0.1 * k))
        elif layer.style == "bare":
            shapes.poly([[cx - 0.04 * hgt, base], [cx + 0.04 * hgt, base],
                         [cx + 0.01 * hgt + lean, base - hgt], [cx - 0.01 * hgt + lean, base - hgt]], TRUNK)
            for k in range(4):
                y = base - hgt * (0.45 + 0.13 * k)
                d = (1 if k % 2 else -1) * hgt * (0.3 - 0.05 * k)
                shapes.poly([[cx + lean * 0.5, y], [cx + d + lean * 0.8, y - 0.25 * hgt], [cx + lean * 0.5, y - 0.03 * hgt]], TRUNK)
        else:  # round and jungle: a trunk under a cluster of ellipses
            tall = 1.0 if layer.style == "round" else 1.3
            bark = TRUNK if layer.style == "round" else c * 0.45 + TRUNK * 0.3  # mossy trunks in the shade
            shapes.poly([[cx - 0.05 * hgt, base], [cx + 0.05 * hgt, base], [cx + 0.03 * hgt + lean * 0.6, base - 0.6 * hgt * tall],
                         [cx - 0.03 * hgt + lean * 0.6, base - 0.6 * hgt * tall]], bark)
            jungle = layer.style == "jungle"  # broad, low, overlapping crowns with vines hanging from them
            if jungle:
                for v in range(3):
                    vx = cx + cv.rng.uniform(-0.3, 0.3) * hgt + lean
                    vy = base - 0.75 * hgt * tall
                    shapes.poly(rect(vx - 0.006 * hgt, vy, vx + 0.006 * hgt, vy + cv.rng.uniform(0.2, 0.45) * hgt), c * 0.7)
            for k in range(6 if jungle else 4):
                ox, oy = cv.rng.uniform(-0.22, 0.22) * hgt * (1.6 if jungle else 1.0), cv.rng.uniform(-0.15, 0.12) * hgt
                r = hgt * cv.rng.uniform(0.2, 0.3) * (1.35 if jungle else 1.0)
                top = k >= 3
                shapes.ellipse(cx + ox + lean, base - 0.72 * hgt * tall + oy, r * 1.1, r * 0.9,
                               _snow(cv, c * 1.1) if top else c * (0.85 + 0.08 * k))
    shapes.paint(cv, layer.depth, texture=0.08)


def _windows(cv: Canvas, shapes: Shapes, x0, x1, y0, y1, cols: int, rows: int, size: float, lit_share: float) -> None:
    night = _night(cv)
    for r in range(rows):
        for c in range(cols):
            wx = x0 + (x1 - x0) * (c + 0.5) / cols
            wy = y0 + (y1 - y0) * (r + 0.5) / rows
            pts = rect(wx - size, wy - size * 1.3, wx + size, wy + size * 1.3)
            lit = cv.rng.uniform() < lit_share  # drawn day and night, so the buildings stay put
            if night and lit:
                shapes.glow(pts, WINDOW_LIT * cv.rng.uniform(0.5, 0.9))
            else:
                shapes.poly(pts, WINDOW_DAY * (1.4 if cv.sky.exposure > 0.8 else 1.0))


def paint_buildings(cv: Canvas, layer: S.Buildings) -> None:
    shapes = Shapes()
    n = layer.count
    edges = np.sort(cv.rng.uniform(layer.x0, layer.x1, n - 1)) if n > 1 else np.array([])
    xs = np.concatenate([[layer.x0], edges, [layer.x1]]) * cv.w
    base = layer.y * cv.h
    wall = material_rgb("stone", cv.pal_ground, None, layer.color)
    for i in range(n):
        a, b = xs[i], xs[i + 1]
        if b - a < 2:
            continue
        hgt = layer.height * cv.h * cv.rng.uniform(0.6, 1.3)
        gap = (b - a) * cv.rng.uniform(0.04, 0.15)
        a, b = a + gap, b - gap
        _building(cv, shapes, layer, a, b, base, hgt, wall, i)
    shapes.paint(cv, layer.depth, texture=0.06)


def _building(cv: Canvas, shapes: Shapes, layer: S.Buildings, a, b, base, hgt, wall, i) -> None:
    style, w = layer.style, b - a
    roof = _snow(cv, ROOFS[i % len(ROOFS)], 0.8)
    if style == "skyline":
        body = tint(hex_to_linear(["#6f7682", "#8a8478", "#5c6470", "#9a968c"][i % 4]), cv.pal_ground, 0.2)
        shapes.poly(rect(a, base - hgt, b, base), body)
        if cv.rng.uniform() < 0.3:
            shapes.poly(rect(a + 0.4 * w, base - hgt * 1.12, a + 0.6 * w, base - hgt), body * 0.9)
        if layer.windows:
            _windows(cv, shapes, a + 0.1 * w, b - 0.1 * w, base - hgt * 0.95, base - hgt * 0.05,
                     max(1, int(w / (0.022 * cv.h))), max(1, int(hgt / (0.04 * cv.h))), 0.006 * cv.h, 0.45)
    elif style in ("houses", "warehouses"):
        body = WALLS[i % len(WALLS)] if style == "houses" else tint(hex_to_linear("#7a6a5a"), cv.pal_ground, 0.2)
        body_h = hgt * (0.6 if style == "houses" else 0.5)
        shapes.poly(rect(a, base - body_h, b, base), body)
        shapes.poly([[a - 0.06 * w, base - body_h], [b + 0.06 * w, base - body_h], [(a + b) / 2, base - hgt]], roof)
        shapes.poly(rect((a + b) / 2 - 0.1 * w, base - 0.45 * body_h, (a + b) / 2 + 0.1 * w, base), TRUNK)
        if layer.windows:
            _windows(cv, shapes, a + 0.05 * w, b - 0.05 * w, base - body_h * 0.85, base - body_h * 0.5, 2, 1, 0.07 * min(w, body_h), 0.7)
    elif style == "castle":
        stone = wall * (0.9 + 0.1 * (i % 2))
        tower = i % 2 == 0
        top = base - hgt * (1.25 if tower else 0.7)
        shapes.poly(rect(a, top, b, base), stone)
        k = max(3, int(w / (0.02 * cv.h)))
        for j in range(k):  # crenellations
            if j % 2 == 0:
                shapes.poly(rect(a + w * j / k, top - 0.025 * cv.h, a + w * (j + 1) / k, top), stone)
        if tower:
            shapes.poly([[a - 0.1 * w, top - 0.025 * cv.h], [b + 0.1 * w, top - 0.025 * cv.h], [(a + b) / 2, top - 0.5 * w - 0.04 * cv.h]], roof)
            if layer.windows:
                _windows(cv, shapes, a + 0.3 * w, b - 0.3 * w, top + 0.2 * hgt, top + 0.45 * hgt, 1, 1, 0.08 * w, 0.8)
        else:
            shapes.poly([[(a + b) / 2 - 0.15 * w, base], [(a + b) / 2 - 0.15 * w, base - 0.3 * hgt], [(a + b) / 2, base - 0.4 * hgt],
                         [(a + b) / 2 + 0.15 * w, base - 0.3 * hgt], [(a + b) / 2 + 0.15 * w, base]], TRUNK * 0.6)
    elif style == "ruins":
        stone = wall * cv.rng.uniform(0.8, 1.05)
        n = 7
        xs = np.linspace(a, b, n)
        tops = base - hgt * cv.rng.uniform(0.2, 1.0, n)
        shapes.poly(np.array([[a, base]] + [[x, t] for x, t in zip(xs, tops)] + [[b, base]]), stone)
        if w > 0.08 * cv.h:  # a broken arch opening
            cx = (a + b) / 2
            shapes.poly(rect(cx - 0.15 * w, base - 0.35 * hgt, cx + 0.15 * w, base), stone * 0.35)
            shapes.ellipse(cx, base - 0.35 * hgt, 0.15 * w, 0.1 * w, stone * 0.35)
    elif style == "stalls":
        awning = AWNINGS[i % len(AWNINGS)]
        shapes.poly(rect(a + 0.05 * w, base - 0.35 * hgt, b - 0.05 * w, base), material_rgb("wood", cv.pal_ground))
        stripes = 6
        for j in range(stripes):
            c = awning if j % 2 == 0 else hex_to_linear("#f2ead8")
            x0, x1 = a + w * j / stripes, a + w * (j + 1) / stripes
            shapes.poly([[x0 + 0.05 * w, base - hgt], [x1 + 0.05 * w, base - hgt], [x1, base - 0.7 * hgt], [x0, base - 0.7 * hgt]], c)
        shapes.poly(rect(a + 0.05 * w, base - 0.7 * hgt, a + 0.08 * w, base), TRUNK)
        shapes.poly(rect(b - 0.08 * w, base - 0.7 * hgt, b - 0.05 * w, base), TRUNK)
        for j in range(4):  # goods on the counter
            shapes.ellipse(a + w * (0.2 + 0.2 * j), base - 0.37 * hgt, 0.06 * w, 0.04 * w, AWNINGS[(i + j + 1) % 4] * 1.2)
    elif style == "chimneys":
        body = material_rgb("brick", cv.pal_ground)
        shapes.poly(rect(a + 0.3 * w, base - hgt, a + 0.3 * w + 0.1 * cv.h * 0.5, base), body)
        shapes.poly(rect(a + 0.28 * w, base - hgt - 0.015 * cv.h, a + 0.32 * w + 0.1 * cv.h * 0.5, base - hgt), body * 0.8)


def paint_boats(cv: Canvas, layer: S.Boats) -> None:
    shapes = Shapes()
    wood = material_rgb("wood", cv.pal_ground, None, layer.color)
    sail = hex_to_linear("#ece4d2")
    if layer.pier:
        top = layer.y * cv.h - 0.02 * cv.h
        shapes.poly(rect(-1, top, 0.42 * cv.w, top + 0.025 * cv.h), material_rgb("planks", cv.pal_ground))
        for k in range(6):
            x = 0.42 * cv.w * (k + 0.5) / 6
            shapes.poly(rect(x - 0.006 * cv.h, top, x + 0.006 * cv.h, top + 0.09 * cv.h), wood * 0.6)
    for k in range(layer.count):
        x = cv.w * (0.5 + 0.45 * (k + cv.rng.uniform(0.2, 0.8)) / layer.count)
        y = layer.y * cv.h + cv.rng.uniform(-0.01, 0.02) * cv.h
        s = layer.size * cv.h * cv.rng.uniform(0.7, 1.2)
        shapes.poly([[x - s, y - 0.25 * s], [x + s, y - 0.25 * s], [x + 0.75 * s, y + 0.12 * s], [x - 0.7 * s, y + 0.12 * s]], wood)
        shapes.poly(rect(x - 0.03 * s, y - 1.5 * s, x + 0.03 * s, y - 0.25 * s), wood * 0.7)
        shapes.poly([[x + 0.06 * s, y - 1.45 * s], [x + 0.06 * s, y - 0.35 * s], [x + 0.75 * s, y - 0.35 * s]], sail)
    shapes.paint(cv, layer.depth)


def paint_ship(cv: Canvas, layer: S.Ship) -> None:
    shapes = Shapes()
    wood = material_rgb("wood", cv.pal_ground, None, layer.color)
    sail = hex_to_linear("#efe6d0")
    mx, rail = layer.mast * cv.w, layer.rail * cv.h
    mw = 0.018 * cv.h
    shapes.poly(rect(mx - mw, -1, mx + mw, rail), wood * 0.8)
    for yard, span in ((0.08, 0.22), (0.38, 0.26)):
        y = yard * cv.h
        shapes.poly(rect(mx - span * cv.w, y, mx + span * cv.w, y + 0.012 * cv.h), wood * 0.7)
        # a sail bellied by the wind hangs from each yard
        belly = (0.03 + 0.05 * cv.sky.wind) * cv.w
        lo = y + 0.26 * cv.h
        shapes.poly([[mx - span * cv.w * 0.95, y + 0.012 * cv.h], [mx + span * cv.w * 0.95, y + 0.012 * cv.h],
                     [mx + span * cv.w * 0.9 + belly, (y + lo) / 2], [mx + span * cv.w * 0.85, lo],
                     [mx - span * cv.w * 0.85, lo], [mx - span * cv.w * 0.9 + belly, (y + lo) / 2]], sail)
    for k in range(3):  # rigging from the mast down to the rail
        x = cv.w * (0.55 + 0.2 * k)
        shapes.poly([[mx, 0.05 * cv.h], [mx + 0.004 * cv.h, 0.05 * cv.h], [x + 0.003 * cv.h, rail], [x, rail]], wood * 0.35)
    shapes.poly(rect(-1, rail - 0.035 * cv.h, cv.w + 1, rail - 0.015 * cv.h), wood)
    for k in range(24):
        x = cv.w * (k + 0.5) / 24
        shapes.poly(rect(x - 0.006 * cv.h, rail - 0.016 * cv.h, x + 0.006 * cv.h, rail + 0.03 * cv.h), wood * 0.85)
    shapes.poly(rect(-1, rail + 0.03 * cv.h, cv.w + 1, rail + 0.04 * cv.h), wood * 0.7)
    shapes.paint(cv, layer.depth, texture=0.05)
