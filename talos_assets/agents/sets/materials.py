"""Base colours of the set library's materials and foliage, tinted by the film's palette and the season.

A set must read as its place whatever the palette (sand is sand-coloured, snow is white), so each
material keeps its own base colour and the palette's `sky` and `ground` roles tint it: the hue of the
role multiplies in at a fixed share and a little of the role's colour is mixed in, so a bronze-dusk
film gets warm sand and a sea-glass film cooler sand, without a purple beach.
"""

from __future__ import annotations

import numpy as np

from talos_assets.agents.frames import hex_to_linear

MATERIALS: dict[str, str] = {
    "grass": "#5d8c3c", "sand": "#dcc38e", "snow": "#f1f4f8", "rock": "#7c756d", "dirt": "#7d5f43",
    "cobbles": "#8c8379", "road": "#4c4c50", "planks": "#8d6442", "deck": "#a27750", "stone": "#948d82",
    "tile": "#c2baa9", "concrete": "#8f8f8c", "plaster": "#d2c0a0", "wood": "#6e4a30", "brick": "#9c5c45",
    "metal": "#7a828a", "paper": "#d9d5cc", "roof": "#7c4b3b", "crops": "#c0a24c", "mud": "#5c4834",
}
FOLIAGE: dict[str, str] = {
    "pine": "#2c5230", "round": "#3f7330", "palm": "#4f7f34", "jungle": "#2a6a36", "bush": "#3d6e34", "bare": "#5a4636",
}
# Grass-like materials and foliage turn in autumn and winter.
_SEASON_TINT: dict[str, dict[str, str]] = {
    "autumn": {"grass": "#9a8a3e", "crops": "#c08a3c", "foliage": "#c4622a"},
    "winter": {"grass": "#a3a48f", "crops": "#9f9582", "foliage": "#6a5a4a"},
    "spring": {"grass": "#6aa244", "foliage": "#5a9a3e"},
}
_GREEN = ("grass", "crops")


def tint(base: np.ndarray, role: np.ndarray, share: float = 0.3) -> np.ndarray:
    """`base` (linear RGB) shifted towards the hue of a palette role, brightness kept."""
    hue = np.clip(role / max(float(role.mean()), 1e-3), 0.35, 2.2)
    out = base * (1.0 - share + share * hue)
    return (out + (role - out) * 0.1 * share).astype(np.float32)


def material_rgb(material: str, palette_ground: np.ndarray, season: str | None = None,
                 override: str | None = None) -> np.ndarray:
    """Linear albedo of a material for this palette and season; `override` (a layer's colour) wins."""
    if override:
        return tint(hex_to_linear(override), palette_ground, 0.15)
    hexc = MATERIALS[material]
    if season in _SEASON_TINT and material in _GREEN:
        hexc = _SEASON_TINT[season].get(material, hexc)
    return tint(hex_to_linear(hexc), palette_ground, 0.15)


def foliage_rgb(style: str, palette_ground: np.ndarray, season: str | None = None, override: str | None = None) -> np.ndarray:
    if override:
        return hex_to_linear(override)
    hexc = FOLIAGE[style]
    if season in _SEASON_TINT and style not in ("pine", "palm", "jungle"):
        hexc = _SEASON_TINT[season]["foliage"]
    return tint(hex_to_linear(hexc), palette_ground, 0.2)


SNOW = hex_to_linear(MATERIALS["snow"])
