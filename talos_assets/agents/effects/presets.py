"""Stokes' looks: one preset per effect kind, its colour, the fire ramp and the mood's intensity.

Fluid kinds (smoke, fire, ink, magic, steam, dust, explosion) are simulated by `SmokeSolver`; their
`FluidPreset` holds the physical rates in frame units (lengths in frame heights, rates per second) so
a preset looks the same at any simulation size. Steam is a pale, strongly buoyant plume that thins
fast; dust a heavy ochre cloud that barely rises and drifts sideways; an explosion a short burst of
fuel and heat (`burst` seconds, emitter growing as it burns) that leaves its soot behind. Particle kinds
(sparks, splash, rain, snow) are drawn by `ballistic` and `weather`. Emissive kinds are shaded with a
blackbody-like ramp (ember red -> orange -> yellow-white) over their soot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talos_assets.agents.frames import hex_to_linear, srgb_to_linear
from talos_assets.spec import EMOTION_VA, Emotion, EffectKind, EffectSpec, Palette


@dataclass(frozen=True)
class FluidPreset:
    """Per-kind look, in frame units: lengths in frame heights, rates per second."""

    buoyancy: float  # frame heights / s^2 per unit temperature
    weight: float
    density_decay: float
    temperature_decay: float
    velocity_decay: float
    radius: float
    density_rate: float
    temperature_rate: float
    speed: float  # initial push, frame heights / s (up)
    jitter: float
    opacity: float  # Beer-Lambert coefficient per unit density
    vorticity: float = 0.0  # confinement, frame heights / s
    fuel_rate: float = 0.0  # fuel per second; burns into heat and soot
    emissive: bool = False  # shaded by temperature with the fire ramp
    drift: float = 0.0  # sideways push, frame heights / s
    burst: float = 0.0  # seconds of emission, then none (0 = steady)
    warmup: float = 0.75  # seconds simulated before frame 0 so the first frame already shows it


FLUID_PRESETS: dict[EffectKind, FluidPreset] = {
    EffectKind.smoke: FluidPreset(2.5, 0.0, 0.25, 0.9, 0.15, 0.035, 2.2, 2.0, 0.25, 0.6, 2.2, vorticity=0.08),
    EffectKind.fire: FluidPreset(4.5, 0.0, 0.9, 1.2, 0.2, 0.04, 0.2, 1.0, 0.35, 0.9, 2.5, vorticity=0.12,
                                 fuel_rate=4.0, emissive=True),
    EffectKind.ink: FluidPreset(0.6, 0.3, 0.08, 0.4, 0.3, 0.03, 2.5, 0.8, 0.08, 0.4, 3.0, vorticity=0.05),
    EffectKind.magic: FluidPreset(3.0, 0.0, 0.7, 1.2, 0.1, 0.03, 1.2, 2.5, 0.4, 1.0, 1.2, vorticity=0.15),
    # pale and quick: rises fast and is gone within a second
    EffectKind.steam: FluidPreset(4.0, 0.0, 1.3, 1.5, 0.1, 0.035, 4.5, 2.2, 0.5, 0.8, 1.6, vorticity=0.1),
    # low and wide: barely buoyant, a little heavy, pushed sideways
    EffectKind.dust: FluidPreset(0.5, 0.12, 0.3, 0.6, 0.35, 0.07, 1.6, 0.5, 0.06, 0.9, 1.7, vorticity=0.06,
                                 drift=0.22),
    # a burst: fuel and heat for a third of a second, a growing fireball, then rising soot
    EffectKind.explosion: FluidPreset(5.5, 0.0, 0.2, 2.5, 0.15, 0.06, 7.0, 8.0, 0.3, 1.0, 2.0, vorticity=0.25,
                                      fuel_rate=40.0, emissive=True, burst=0.35, warmup=0.05),
}
PARTICLE_KINDS = frozenset({EffectKind.sparks, EffectKind.splash, EffectKind.rain, EffectKind.snow})
# kinds that emit light (Anima blooms them)
EMISSIVE_KINDS = frozenset({EffectKind.fire, EffectKind.magic, EffectKind.explosion, EffectKind.sparks})

# Blackbody-like ramp over normalised temperature (linear light): ember red -> orange -> yellow-white.
_FIRE_T = np.array([0.0, 0.25, 0.5, 0.75, 1.0], np.float32)
_FIRE_RGB = np.array(
    [[0.20, 0.01, 0.0], [0.85, 0.10, 0.01], [1.0, 0.35, 0.03], [1.0, 0.65, 0.18], [1.0, 0.90, 0.55]], np.float32
)
_OCHRE = np.array([0.48, 0.33, 0.15], np.float32)  # linear light of a dusty #b89a6a
_WATER = np.array([0.70, 0.80, 0.92], np.float32)


def effect_color(effect: EffectSpec, palette: Palette) -> np.ndarray:
    """Linear RGB of an effect's body: its own hex, else a colour chosen by kind (palette-tinted)."""
    if effect.color:
        return hex_to_linear(effect.color)
    lin = {role: srgb_to_linear(np.array(palette.rgb(role), np.float32)) for role in ("sky", "line", "accent")}
    kind = effect.kind
    if kind == EffectKind.ink:
        return lin["line"]
    if kind == EffectKind.magic:
        return lin["accent"]
    if kind == EffectKind.fire:
        return np.full(3, 0.04, np.float32)  # soot
    if kind == EffectKind.explosion:
        return (0.3 * lin["sky"] + 0.7 * 0.12).astype(np.float32)  # thick grey-brown soot
    if kind == EffectKind.steam:
        return (0.15 * lin["sky"] + 0.85 * 0.92).astype(np.float32)
    if kind == EffectKind.dust:
        return (0.2 * lin["sky"] + 0.8 * _OCHRE).astype(np.float32)
    if kind == EffectKind.sparks:
        return np.array([1.0, 0.55, 0.12], np.float32)
    if kind in (EffectKind.splash, EffectKind.rain):
        return (0.25 * lin["sky"] + 0.75 * _WATER).astype(np.float32)
    if kind == EffectKind.snow:
        return np.full(3, 0.92, np.float32)
    # Smoke reads as a light grey tinted by the sky it sits in.
    return (0.35 * lin["sky"] + 0.65 * 0.75).astype(np.float32)


def fire_ramp(t: np.ndarray) -> np.ndarray:
    """Emission colour (..., 3) for normalised temperature t in [0, 1]."""
    t = np.clip(t, 0.0, 1.0)
    return np.stack([np.interp(t, _FIRE_T, _FIRE_RGB[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def intensity(arousal: float | None = None, emotion: Emotion | str | None = None, kind: EffectKind | None = None) -> float:
    """Multiplier of an effect's strength from the shot's mood: 1 at neutral arousal, up to ~1.5 when
    aroused, down to ~0.7 when calm; anger pushes fire further (a fiercer blaze)."""
    if arousal is None and emotion is not None:
        arousal = EMOTION_VA[Emotion(emotion)][1]
    a = float(np.clip(arousal or 0.0, -1.0, 1.0))
    k = 1.0 + (0.45 * a if a > 0 else 0.3 * a)
    if emotion is not None and Emotion(emotion) == Emotion.anger and kind in (EffectKind.fire, EffectKind.explosion):
        k *= 1.25
    return k
