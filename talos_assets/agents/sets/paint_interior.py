"""Painters of interiors: walls, floors, windows, doors, shelves, counters, a forge, columns, caves.

Interior layers are laid down as albedo; the plate multiplies them by the room's light map
(sets/lights.py) afterwards, so a lamp's pool brightens the wall and the floor alike. A window's
glass shows the sky of the time of day and a forge's coals glow: both are emission, added after the
light map. Wall textures are patterns in frame space (boards, bricks, blocks); the floor is the
ground plane of sets/paint_land.py seen in perspective towards the back wall.
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.agents.sets import spec as S
from talos_assets.agents.sets.canvas import Canvas, Shapes, noise, poly_mask, rect
from talos_assets.agents.sets.materials import material_rgb
from talos_assets.agents.sets.paint_land import paint_ground

BOOKS = [hex_to_linear(c) for c in ("#7a2e2a", "#2f4f6f", "#3e6b3a", "#8a6a2a", "#5a3a5e", "#a8763e", "#2a2a2a")]
GLASS = [hex_to_linear(c) for c in ("#4f7a3a", "#7a5a2a", "#3a5a7a", "#8a8a6a", "#6a2a2a")]


def paint_wall(cv: Canvas, layer: S.Wall) -> None:
    bottom = cv.horizon if layer.bottom is None else layer.bottom
    r1 = min(cv.h, int(bottom * cv.h) + 2)
    albedo = material_rgb(layer.material, cv.pal_ground, None, layer.color)
    if layer.color is None:  # walls lean towards the palette's sky role: the film's colour key
        albedo = albedo * 0.8 + material_rgb(layer.material, cv.pal_sky) * 0.2
    rows = cv.rows(0, r1)
    cols = cv.cols()
    m = layer.material
    if m in ("wood", "planks"):
        k = cols * 28.0
        pat = 0.85 + 0.2 * np.abs(np.sin(np.floor(k) * 12.9898) % 1.0) - 0.35 * (np.mod(k, 1.0) < 0.06)
        pat = pat + 0.06 * noise(cv.rng, r1, cv.w, 80)
    elif m in ("brick", "stone", "rock"):
        bh = 0.035 if m == "brick" else 0.07
        row_i = np.floor(rows / bh)
        bw = bh * (2.2 if m == "brick" else 1.6) * cv.h / cv.w
        u = cols / bw + 0.5 * (row_i % 2)
        joint = (np.mod(rows / bh, 1.0) < 0.1) | (np.mod(u, 1.0) < 0.05 * (1 if m == "brick" else 0.7))
        tone = 0.85 + 0.25 * ((np.floor(u) * 7.0 + row_i * 13.0) % 5.0) / 5.0
        pat = np.where(joint, 0.6, tone) + 0.08 * noise(cv.rng, r1, cv.w, 50)
        if m == "rock":
            pat = 0.9 + 0.25 * noise(cv.rng, r1, cv.w, 12) + 0.1 * noise(cv.rng, r1, cv.w, 60)
    elif m == "metal":
        pat = 0.9 + 0.15 * (np.mod(cols * 10.0, 1.0) < 0.04) * -1.0 + 0.05 * noise(cv.rng, r1, cv.w, 30)
        pat = pat + 0.05 * (np.mod(rows * 4.0, 1.0) < 0.01)
    elif m == "tile":
        pat = 1.0 - 0.25 * ((np.mod(cols * cv.w / cv.h * 12.0, 1.0) < 0.06) | (np.mod(rows * 12.0, 1.0) < 0.06))
    else:  # plaster: a soft mottle; a paper backdrop is smooth
        k = 0.015 if m == "paper" else 0.06
        pat = 1.0 + k * noise(cv.rng, r1, cv.w, 12) + 0.5 * k * noise(cv.rng, r1, cv.w, 80)
    pat = (np.broadcast_to(pat, (r1, cv.w)) * (0.8 + 0.25 * np.clip(rows / max(bottom, 0.1), 0, 1))).astype(np.float32)
    if m not in ("paper", "rock"):  # a skirting board where the wall meets the floor
        pat[int((bottom - 0.02) * cv.h):] = 0.55
    cv.over(np.ones((r1, cv.w), np.float32), pat[..., None] * albedo.astype(np.float32), 0)


def paint_floor(cv: Canvas, layer: S.Floor) -> None:
    paint_ground(cv, S.Ground(kind="ground", top=layer.top, material=layer.material, texture=0.6, depth=layer.depth,
                              color=layer.color))


def paint_window(cv: Canvas, layer: S.Window) -> None:
    x0, y0 = layer.x * cv.w, layer.y * cv.h
    x1, y1 = x0 + layer.w * cv.w, y0 + layer.h * cv.h
    frame = material_rgb("wood", cv.pal_ground)
    f = 0.012 * cv.h
    Shapes_ = Shapes()
    Shapes_.poly(rect(x0 - f, y0 - f, x1 + f, y1 + f * 1.8), frame)
    Shapes_.paint(cv, layer.depth)
    r0, r1 = int(y0), int(np.ceil(y1))
    s = cv.sky
    t = np.linspace(0.0, 1.0, max(r1 - r0, 1), dtype=np.float32)[:, None, None]
    glass = (s.zenith + (s.horizon_sky - s.zenith) * t) * 1.1 + np.zeros((1, cv.w, 3), np.float32)
    cover = poly_mask([rect(x0, y0, x1, y1)], r1 - r0, cv.w, r0)
    # Mullions split the glass into panes.
    cols = np.arange(cv.w, dtype=np.float32)[None, :] + 0.5
    for k in range(1, layer.panes):
        xm = x0 + (x1 - x0) * k / layer.panes
        cover = cover * np.clip(np.abs(cols - xm) - 0.5 * f + 0.5, 0, 1)
    ym = (y0 + y1) / 2 - r0
    cover = cover * np.clip(np.abs(np.arange(r1 - r0, dtype=np.float32)[:, None] + 0.5 - ym) - 0.5 * f + 0.5, 0, 1)
    cv.emit(cover, glass, r0, mode="over")
    cv.windows.append((layer.x, layer.y, layer.w, layer.h))


def paint_door(cv: Canvas, layer: S.Door) -> None:
    shapes = Shapes()
    x0, x1 = layer.x * cv.w, (layer.x + layer.w) * cv.w
    y1 = cv.horizon * cv.h + 0.005 * cv.h
    y0 = y1 - layer.h * cv.h
    f = 0.012 * cv.h
    wood = material_rgb("metal" if layer.style in ("rollup", "metal") else "wood", cv.pal_ground, None, layer.color)
    wood = wood * (0.6 if layer.style == "rollup" else 1.0)  # a steel door reads darker than the wall
    shapes.poly(rect(x0 - f, y0 - f, x1 + f, y1), wood * 0.6)
    if layer.style == "arch":
        shapes.ellipse((x0 + x1) / 2, y0, (x1 - x0) / 2 + f, (x1 - x0) / 3 + f, wood * 0.6)
        shapes.ellipse((x0 + x1) / 2, y0, (x1 - x0) / 2, (x1 - x0) / 3, wood)
    shapes.poly(rect(x0, y0, x1, y1), wood)
    if layer.style == "rollup":
        for k in range(int(layer.h * 40)):
            y = y0 + (y1 - y0) * k / int(layer.h * 40)
            shapes.poly(rect(x0, y, x1, y + 0.003 * cv.h), wood * 0.75)
    else:
        for k in range(3):  # boards or panels
            xx = x0 + (x1 - x0) * (k + 1) / 4
            shapes.poly(rect(xx - 0.002 * cv.h, y0, xx + 0.002 * cv.h, y1), wood * 0.7)
        shapes.ellipse(x1 - 0.15 * (x1 - x0), (y0 + y1) / 2, 0.008 * cv.h, 0.008 * cv.h, hex_to_linear("#c8a040"))
    shapes.paint(cv, layer.depth, texture=0.05)


def paint_shelves(cv: Canvas, layer: S.Shelves) -> None:
    shapes = Shapes()
    wood = material_rgb("wood", cv.pal_ground, None, layer.color)
    x0, x1 = layer.x * cv.w, (layer.x + layer.w) * cv.w
    y0, y1 = layer.y * cv.h, (layer.y + layer.h) * cv.h
    shapes.poly(rect(x0, y0, x1, y1), wood * 0.45)
    step = (y1 - y0) / layer.rows
    for r in range(layer.rows):
        sy = y0 + step * (r + 1)
        x = x0 + 0.01 * cv.h
        while x < x1 - 0.02 * cv.h:
            if layer.items == "books":
                bw = cv.rng.uniform(0.008, 0.016) * cv.h
                bh = step * cv.rng.uniform(0.6, 0.88)
                shapes.poly(rect(x, sy - bh, x + bw, sy), BOOKS[cv.rng.integers(len(BOOKS))])
                x += bw + 0.001 * cv.h
            elif layer.items in ("bottles", "jars"):
                bw = 0.012 * cv.h if layer.items == "bottles" else 0.03 * cv.h
                bh = step * (0.7 if layer.items == "bottles" else 0.45)
                c = GLASS[cv.rng.integers(len(GLASS))]
                shapes.poly(rect(x, sy - bh * 0.7, x + bw, sy), c)
                if layer.items == "bottles":
                    shapes.poly(rect(x + 0.3 * bw, sy - bh, x + 0.7 * bw, sy - bh * 0.7), c)
                x += bw + cv.rng.uniform(0.005, 0.02) * cv.h
            elif layer.items == "plates":
                r_ = step * 0.35
                shapes.ellipse(x + r_, sy - r_, r_, r_, hex_to_linear("#e8e2d4"))
                x += 2.3 * r_
            else:  # tools hanging on the board
                tw = 0.01 * cv.h  # a hammer or a wrench hung by its handle: steel head on top
                shapes.poly(rect(x, sy - step * 0.8, x + tw, sy - step * 0.1), hex_to_linear("#6a4a2a"))
                shapes.poly(rect(x - 2 * tw, sy - step * 0.9, x + 3 * tw, sy - step * 0.72), hex_to_linear("#8a9099"))
                x += 0.06 * cv.h
        shapes.poly(rect(x0, sy - 0.006 * cv.h, x1, sy + 0.006 * cv.h), wood)
    shapes.paint(cv, layer.depth)


def paint_counter(cv: Canvas, layer: S.Counter) -> None:
    shapes = Shapes()
    top = material_rgb(layer.material, cv.pal_ground, None, layer.color)
    x0, x1, y, hh = layer.x0 * cv.w, layer.x1 * cv.w, layer.y * cv.h, layer.h * cv.h
    shapes.poly(rect(x0, y + 0.02 * cv.h, x1, y + hh), top * 0.65)
    for k in range(1, 6):
        xx = x0 + (x1 - x0) * k / 6
        shapes.poly(rect(xx - 0.002 * cv.h, y + 0.03 * cv.h, xx + 0.002 * cv.h, y + hh), top * 0.45)
    shapes.poly(rect(x0 - 0.01 * cv.h, y, x1 + 0.01 * cv.h, y + 0.022 * cv.h), top * 1.15)
    shapes.paint(cv, layer.depth, texture=0.05)


def paint_forge(cv: Canvas, layer: S.Forge) -> None:
    shapes = Shapes()
    stone = material_rgb("stone", cv.pal_ground) * 0.8
    x0, x1 = layer.x * cv.w, (layer.x + layer.w) * cv.w
    base = cv.horizon * cv.h
    top = base - 0.22 * cv.h
    shapes.poly([[x0 + 0.2 * (x1 - x0), -1], [x1 - 0.2 * (x1 - x0), -1], [x1, top - 0.12 * cv.h], [x0, top - 0.12 * cv.h]], stone * 0.8)
    shapes.poly(rect(x0, top - 0.12 * cv.h, x1, base), stone)
    shapes.poly(rect(x0 + 0.15 * (x1 - x0), top - 0.02 * cv.h, x1 - 0.15 * (x1 - x0), top + 0.09 * cv.h), np.full(3, 0.02, np.float32))
    if layer.anvil:
        ax = x1 + 0.12 * cv.w
        ab = cv.horizon * cv.h + 0.12 * cv.h
        iron = hex_to_linear("#3a3d42")
        shapes.poly(rect(ax - 0.03 * cv.h, ab - 0.08 * cv.h, ax + 0.03 * cv.h, ab), iron)
        shapes.poly([[ax - 0.09 * cv.h, ab - 0.12 * cv.h], [ax + 0.07 * cv.h, ab - 0.12 * cv.h], [ax + 0.12 * cv.h, ab - 0.105 * cv.h],
                     [ax + 0.05 * cv.h, ab - 0.08 * cv.h], [ax - 0.05 * cv.h, ab - 0.08 * cv.h]], iron)
    shapes.paint(cv, layer.depth, texture=0.08)
    # the coals glow (emission), brightest at the bottom of the hearth mouth
    r0, r1 = int(top - 0.02 * cv.h), int(top + 0.09 * cv.h) + 1
    m = poly_mask([rect(x0 + 0.16 * (x1 - x0), top + 0.02 * cv.h, x1 - 0.16 * (x1 - x0), top + 0.09 * cv.h)], r1 - r0, cv.w, r0)
    flicker = 0.7 + 0.3 * noise(cv.rng, r1 - r0, cv.w, 40)
    cv.emit(m * flicker, np.array([1.6, 0.55, 0.12], np.float32), r0)
    cv.fires.append(((x0 + x1) / 2 / cv.w, (top + 0.05 * cv.h) / cv.h))


def paint_columns(cv: Canvas, layer: S.Columns) -> None:
    shapes = Shapes()
    stone = material_rgb(layer.material, cv.pal_ground, None, layer.color)
    floor = cv.horizon * cv.h
    cw = 0.045 * cv.h
    banner = hex_to_linear("#8a1f24")
    for k in range(layer.count):
        x = cv.w * (layer.x0 + (layer.x1 - layer.x0) * (k + 0.5) / layer.count)
        shapes.poly(rect(x - cw, -1, x + cw, floor), stone)
        shapes.poly(rect(x - cw * 0.3, -1, x - cw * 0.1, floor), stone * 0.85)  # fluting
        shapes.poly(rect(x - cw * 1.4, floor - 0.03 * cv.h, x + cw * 1.4, floor + 0.005 * cv.h), stone * 0.9)
        shapes.poly(rect(x - cw * 1.4, 0.08 * cv.h, x + cw * 1.4, 0.11 * cv.h), stone * 0.9)
        if layer.banners and k < layer.count - 1:
            bx = x + (cv.w * (layer.x1 - layer.x0) / layer.count) / 2
            shapes.poly([[bx - 1.2 * cw, 0.12 * cv.h], [bx + 1.2 * cw, 0.12 * cv.h], [bx + 1.2 * cw, 0.42 * cv.h],
                         [bx, 0.38 * cv.h], [bx - 1.2 * cw, 0.42 * cv.h]], banner)
    shapes.paint(cv, layer.depth, texture=0.05)


def paint_cave(cv: Canvas, layer: S.Cave) -> None:
    """Rock all round, open where the cave's mouth lets the outside in (layers painted before show)."""
    rock = material_rgb("rock", cv.pal_ground, None, layer.color) * 0.8
    mask = np.ones((cv.h, cv.w), np.float32)
    if layer.opening > 0:
        n = 20
        ang = np.linspace(0, np.pi, n)
        cx, w = layer.opening_x * cv.w, layer.opening * cv.w / 2
        rad = 1.0 + 0.12 * cv.rng.uniform(-1, 1, n)
        top = cv.horizon * cv.h
        pts = [[cx + np.cos(a) * w * r, top + 0.02 * cv.h - np.sin(a) * w * 1.4 * r] for a, r in zip(ang, rad)]
        mask -= poly_mask([np.array(pts + [[cx - w, top + 0.05 * cv.h], [cx + w, top + 0.05 * cv.h]])], cv.h, cv.w)
    rows, cols = cv.rows(), cv.cols()
    pat = 0.8 + 0.3 * noise(cv.rng, cv.h, cv.w, 10) + 0.12 * noise(cv.rng, cv.h, cv.w, 50)
    # darker towards the frame edges: the walls curve towards the viewer
    pat = pat * (1.0 - 0.45 * np.clip(np.abs(cols - 0.5) * 2.0, 0, 1) ** 2 - 0.3 * np.clip(0.25 - rows, 0, 1) * 4)
    cv.over(mask, rock[None, None, :] * pat[..., None])
