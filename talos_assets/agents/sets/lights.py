"""Practical lights of an interior: where the lamp, the candle, the fire or the window is, and the
light map they cast on the room.

A source the text names (Setting.light_sources) stands where the set has one (a window layer, a
forge) or at a conventional place for its kind (a lamp on the left, a candle on a table right of
centre, a hearth low on the left), so the plate's pool of light and Raygen's key light agree.
With no source named, a set's own `lights` are lit (a bar's lamps, a smithy's forge). The light map
is an ambient level (brighter by day when a window lets daylight in) plus one soft radial pool per
source, falloff exp(-d^2 / r^2) like a lamp's inverse-square pool smoothed by bounce light, through a
soft shoulder so overlapping pools do not clip; it is smooth, so it is computed on a 1/8-size grid
and resized.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.agents.sets import spec as S
from talos_assets.agents.sets.sky import SkyState

# kind: (colour, radius as a fraction of frame height, strength, default x, default y)
SOURCES: dict[str, tuple[str, float, float, float, float]] = {
    "lamp": ("#ffc88a", 0.55, 1.1, 0.2, 0.3),
    "lantern": ("#ffb868", 0.4, 0.9, 0.3, 0.4),
    "candle": ("#ffb060", 0.3, 0.75, 0.68, 0.5),
    "fire": ("#ff8a3a", 0.6, 1.4, 0.15, 0.55),
    "torch": ("#ff9a48", 0.45, 1.1, 0.1, 0.3),
    "screen": ("#a8c4ff", 0.35, 0.6, 0.62, 0.42),
    "window": ("#fff4e0", 0.7, 1.0, 0.75, 0.3),
    "spot": ("#fff1dc", 0.8, 1.0, 0.5, 0.1),
}


@dataclass(frozen=True)
class LightSource:
    kind: str
    x: float
    y: float
    rgb: np.ndarray  # linear colour times strength
    radius: float


def interior_lights(spec: S.SetSpec, light_sources: list[str], sky: SkyState) -> list[LightSource]:
    """The sources lighting an interior set: those the text names, else the set's own."""
    names = list(light_sources) or list(spec.lights)
    windows = [ly for ly in spec.layers if isinstance(ly, S.Window)]
    forges = [ly for ly in spec.layers if isinstance(ly, S.Forge)]
    if windows and "window" not in names:
        names.append("window")  # a window always lets the outside light in
    out = []
    for name in dict.fromkeys(names):
        hexc, radius, strength, x, y = SOURCES.get(name, SOURCES["lamp"])
        rgb = hex_to_linear(hexc) * np.float32(strength)
        if name == "window":
            if windows:  # the set's own window; else one off-screen to the right, where SOURCES puts it
                w = windows[0]
                x, y = w.x + w.w / 2, w.y + w.h / 2
            # daylight (or moonlight) through the glass
            rgb = (sky.light + sky.ambient) * np.float32(0.5 * sky.exposure)
        elif name == "fire" and forges:
            x, y = forges[0].x + forges[0].w / 2, spec.horizon - 0.08
        out.append(LightSource(name, x, y, rgb.astype(np.float32), radius))
    return out


def ambient_level(sky: SkyState, has_window: bool) -> np.ndarray:
    """The room's fill light: a little daylight through windows, a dim warm base otherwise."""
    # light leaking in from outside: a room is a little darker at night even with no window in view
    base = np.array([0.22, 0.2, 0.18], np.float32) * np.float32(0.35 + 0.15 * min(sky.exposure, 1.0))
    if has_window:
        base = base + sky.ambient * np.float32(0.6 * sky.exposure)
    return base


def light_map(w: int, h: int, sky: SkyState, lights: list[LightSource], has_window: bool) -> np.ndarray:
    """(h, w, 3) multiplier of the room's albedo: ambient plus one soft pool per source."""
    sw, sh = max(2, w // 8), max(2, h // 8)
    rows = (np.arange(sh, dtype=np.float32)[:, None] + 0.5) / sh
    cols = (np.arange(sw, dtype=np.float32)[None, :] + 0.5) / sw
    lm = np.zeros((sh, sw, 3), np.float32) + ambient_level(sky, has_window)
    for src in lights:
        d2 = ((cols - src.x) * w / h) ** 2 + (rows - src.y) ** 2
        lm += np.exp(-d2 / (src.radius**2))[..., None] * src.rgb * 1.3
    # Daylight also leaks in through doors and windows out of view: by night a room is darker overall,
    # its lamps' pools standing out more.
    lm *= np.float32(0.5 + 0.5 * min(sky.exposure, 1.0))
    # A soft shoulder (x -> 1.5x / (1 + 0.5x), 1 stays 1) keeps a lamp beside a sunny window from
    # burning the wall out while dim corners stay dim.
    lm = lm * 1.5 / (1.0 + 0.5 * lm)
    return cv2.resize(lm, (w, h), interpolation=cv2.INTER_LINEAR)
