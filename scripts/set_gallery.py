"""Contact sheet of the set library: every set at noon, dusk and night, small labelled tiles.

Each tile is painted at its own size (no resizing) by the same painter the films use, with one of
the built-in palettes. Writes docs/images/sets_gallery.jpg (or --out) and a second sheet of a few
sets in every weather and season, docs/images/sets_gallery_weather.png (or --weather-out).
Usage: `python scripts/set_gallery.py [--palette bronze-dusk] [--tile 256 144] [--per-row 2] [--weather clear]`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from talos_assets.agents.frames import to_display_rgb8
from talos_assets.agents.sets import available_sets, load_set, paint_set
from talos_assets.spec import Palette
from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.world_spec import Setting

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "sets_gallery.jpg"  # JPEG: a 32x3 sheet is 2.5 MB as PNG
TIMES = ("noon", "dusk", "night")


def _label(tile: np.ndarray, text: str) -> np.ndarray:
    """White text with a dark outline in the tile's top-left corner, readable on any sky."""
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, max(0.35, tile.shape[0] / 360)
    org = (5, int(14 * scale / 0.4))
    cv2.putText(tile, text, org, font, scale, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(tile, text, org, font, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def gallery(palette: Palette, tile: tuple[int, int], per_row: int, weather: str = "clear") -> np.ndarray:
    """The sheet as an RGB uint8 image: rows of sets, each set as noon | dusk | night."""
    w, h = tile
    cells = []
    for set_id in available_sets():
        spec = load_set(set_id)
        row = []
        for tod in TIMES:
            plate = paint_set(spec, Setting(place=set_id, time_of_day=tod, weather=weather), palette, w, h, seed=1)
            row.append(_label(to_display_rgb8(plate).copy(), f"{set_id} - {tod}"))
        cells.append(np.concatenate(row, axis=1))
    gap = 4
    blank = np.full_like(cells[0], 24)
    while len(cells) % per_row:
        cells.append(blank)
    rows = []
    for i in range(0, len(cells), per_row):
        parts = []
        for c in cells[i : i + per_row]:
            parts += [c, np.full((h, gap, 3), 24, np.uint8)]
        rows += [np.concatenate(parts[:-1], axis=1), np.full((gap, parts[0].shape[1] * per_row + gap * (per_row - 1), 3), 24, np.uint8)]
    return np.concatenate(rows[:-1], axis=0)


WEATHER_SETS = ("hills", "forest", "city-street", "shore", "village")
WEATHERS = ("clear", "cloudy", "rain", "storm", "snow", "fog", "wind")


def weather_sheet(palette: Palette, tile: tuple[int, int]) -> np.ndarray:
    """A few sets (rows) in every weather and in autumn and winter (columns), in the afternoon."""
    w, h = tile
    rows = []
    for set_id in WEATHER_SETS:
        spec = load_set(set_id)
        looks = [(wx, Setting(place=set_id, time_of_day="afternoon", weather=wx)) for wx in WEATHERS]
        looks += [(s, Setting(place=set_id, time_of_day="afternoon", season=s)) for s in ("autumn", "winter")]
        row = [_label(to_display_rgb8(paint_set(spec, st, palette, w, h, seed=1)).copy(), f"{set_id} - {name}")
               for name, st in looks]
        rows.append(np.concatenate(row, axis=1))
    return np.concatenate(rows, axis=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--palette", default="bronze-dusk", choices=sorted(BUILTIN_PALETTES))
    ap.add_argument("--tile", type=int, nargs=2, default=(256, 144), metavar=("W", "H"))
    ap.add_argument("--per-row", type=int, default=2)
    ap.add_argument("--weather", default="clear")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--weather-out", default=str(OUT.with_name("sets_gallery_weather.png")),
                    help="a second sheet: a few sets in every weather and season ('' to skip)")
    args = ap.parse_args()
    palette = Palette(name=args.palette, swatches=BUILTIN_PALETTES[args.palette])
    t0 = time.perf_counter()
    sheet = gallery(palette, tuple(args.tile), args.per_row, args.weather)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]}) in {time.perf_counter() - t0:.1f} s")
    if args.weather_out:
        sheet = weather_sheet(palette, (args.tile[0] * 3 // 4, args.tile[1] * 3 // 4))
        cv2.imwrite(str(args.weather_out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
        print(f"wrote {args.weather_out} ({sheet.shape[1]}x{sheet.shape[0]})")


if __name__ == "__main__":
    main()
