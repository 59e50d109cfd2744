"""Stokes' effect layers: simulate each `EffectSpec` with `SmokeSolver` and shade it into RGBA frames.

Each effect gets its own closed-box smoke simulation on a grid with the frame's aspect (`sim_height`
rows), a seeded emitter at the spec's source, and a per-kind preset (buoyant grey smoke, hot fire
with soot, slow heavy ink, quick glowing magic). Every frame advances a fixed dt = 1/fps in equal
substeps, then shades the fields at simulation resolution (Beer-Lambert opacity 1 - exp(-k * density);
fire adds a blackbody-like emission ramp over temperature) into linear premultiplied RGBA, upsamples
it bicubically to the frame and composites the effects in list order (later over earlier). Frames are
yielded one at a time, so memory does not grow with the shot length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from talos_assets.agents.effects.solver import SmokeParams, SmokeSolver
from talos_assets.agents.frames import hex_to_linear, srgb_to_linear
from talos_assets.spec import EffectKind, EffectSpec, Palette

WARMUP_SECONDS = 0.75  # simulated before frame 0 so the first frame already shows a plume
CFL_CELLS = 3.0  # largest advection displacement per substep we accept, in cells
TYPICAL_SPEED = 1.2  # frame heights per second a strong plume reaches


@dataclass(frozen=True)
class _Preset:
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


PRESETS: dict[EffectKind, _Preset] = {
    EffectKind.smoke: _Preset(2.5, 0.0, 0.25, 0.9, 0.15, 0.035, 2.2, 2.0, 0.25, 0.6, 2.2),
    EffectKind.fire: _Preset(4.5, 0.0, 0.9, 2.2, 0.2, 0.04, 1.2, 5.0, 0.35, 0.9, 2.5),
    EffectKind.ink: _Preset(0.6, 0.3, 0.08, 0.4, 0.3, 0.03, 2.5, 0.8, 0.08, 0.4, 3.0),
    EffectKind.magic: _Preset(3.0, 0.0, 0.7, 1.2, 0.1, 0.03, 2.5, 2.5, 0.4, 1.0, 2.0),
}

# Blackbody-like ramp over normalised temperature (linear light): ember red -> orange -> yellow-white.
_FIRE_T = np.array([0.0, 0.25, 0.5, 0.75, 1.0], np.float32)
_FIRE_RGB = np.array(
    [[0.20, 0.01, 0.0], [0.85, 0.10, 0.01], [1.0, 0.35, 0.03], [1.0, 0.65, 0.18], [1.0, 0.90, 0.55]], np.float32
)


def effect_color(effect: EffectSpec, palette: Palette) -> np.ndarray:
    """Linear RGB of an effect's smoke: its own hex, else a palette colour chosen by kind."""
    if effect.color:
        return hex_to_linear(effect.color)
    lin = {role: srgb_to_linear(np.array(palette.rgb(role), np.float32)) for role in ("sky", "line", "accent")}
    if effect.kind == EffectKind.ink:
        return lin["line"]
    if effect.kind == EffectKind.magic:
        return lin["accent"]
    if effect.kind == EffectKind.fire:
        return np.full(3, 0.04, np.float32)  # soot
    # Smoke reads as a light grey tinted by the sky it sits in.
    return (0.35 * lin["sky"] + 0.65 * 0.75).astype(np.float32)


def fire_ramp(t: np.ndarray) -> np.ndarray:
    """Emission colour (..., 3) for normalised temperature t in [0, 1]."""
    t = np.clip(t, 0.0, 1.0)
    return np.stack([np.interp(t, _FIRE_T, _FIRE_RGB[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def _make_solver(effect: EffectSpec, index: int, nx: int, ny: int, seed: int, device: str) -> SmokeSolver:
    pr = PRESETS[effect.kind]
    params = SmokeParams(
        buoyancy=pr.buoyancy * ny,
        weight=pr.weight * ny,
        density_decay=pr.density_decay,
        temperature_decay=pr.temperature_decay,
        velocity_decay=pr.velocity_decay,
        tolerance=1e-3,
        max_cycles=6,
    )
    # Seed per effect so two effects in one shot do not flicker in lockstep.
    solver = SmokeSolver(nx, ny, device=device, seed=seed * 1_000_003 + index, params=params)
    s = effect.strength
    solver.add_emitter(
        x=min(max(effect.source_x * nx, 1.0), nx - 1.0),
        y=min(max(effect.source_y * ny, 1.0), ny - 1.0),
        radius=max(1.0, pr.radius * ny * math.sqrt(s)),
        density_rate=pr.density_rate * s,
        temperature_rate=pr.temperature_rate * s,
        speed=pr.speed * ny * math.sqrt(s),
        jitter=pr.jitter,
    )
    return solver


def shade(effect: EffectSpec, density: np.ndarray, temperature: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Premultiplied linear RGBA (ny, nx, 4) of one effect's fields at simulation resolution."""
    pr = PRESETS[effect.kind]
    d = np.maximum(density, 0.0)
    a_smoke = 1.0 - np.exp(-pr.opacity * d)
    rgba = np.empty(d.shape + (4,), np.float32)
    if effect.kind == EffectKind.fire:
        # Emissive flame over its own soot: the flame's coverage follows temperature, its colour the ramp.
        t = np.clip(np.maximum(temperature, 0.0) / (0.6 * effect.strength + 0.4), 0.0, 1.0)
        a_flame = np.clip((t - 0.08) / 0.5, 0.0, 1.0) * 0.97
        emit = fire_ramp(t)
        under = 1.0 - a_flame
        rgba[..., :3] = emit * a_flame[..., None] + color * (a_smoke * under)[..., None]
        rgba[..., 3] = a_flame + a_smoke * under
    else:
        rgba[..., :3] = color * a_smoke[..., None]
        rgba[..., 3] = a_smoke
    return rgba


def _upsample(rgba: np.ndarray, width: int, height: int) -> np.ndarray:
    out = cv2.resize(rgba, (width, height), interpolation=cv2.INTER_CUBIC)
    # Bicubic overshoots at sharp edges; clamp back into a valid premultiplied layer.
    np.clip(out[..., 3], 0.0, 1.0, out=out[..., 3])
    np.clip(out[..., :3], 0.0, None, out=out[..., :3])
    np.minimum(out[..., :3], out[..., 3:4], out=out[..., :3])
    return out


def render_effect_frames(
    effects: list[EffectSpec],
    palette: Palette,
    width: int,
    height: int,
    n_frames: int,
    fps: int,
    seed: int,
    device: str = "cpu",
    sim_height: int = 96,
) -> Iterator[np.ndarray]:
    """Yield n_frames float32 (height, width, 4) linear premultiplied effect layers, one per frame.

    Deterministic for a seed on a given device; no effects gives fully transparent layers.
    """
    if width <= 0 or height <= 0 or n_frames < 0 or fps <= 0:
        raise ValueError(f"bad frame request {width}x{height}, {n_frames} frames at {fps} fps")
    if not effects:
        for _ in range(n_frames):
            yield np.zeros((height, width, 4), np.float32)
        return

    ny = max(8, int(sim_height))
    nx = max(8, int(round(ny * width / height)))
    solvers = [_make_solver(e, i, nx, ny, seed, device) for i, e in enumerate(effects)]
    colors = [effect_color(e, palette) for e in effects]
    frame_dt = 1.0 / fps
    substeps = max(1, math.ceil(frame_dt * TYPICAL_SPEED * ny / CFL_CELLS))
    dt = frame_dt / substeps
    for _ in range(max(1, round(WARMUP_SECONDS / dt))):
        for s in solvers:
            s.step(dt)

    for _ in range(n_frames):
        layer = np.zeros((height, width, 4), np.float32)
        for effect, solver, color in zip(effects, solvers, colors):
            for _ in range(substeps):
                solver.step(dt)
            top = _upsample(shade(effect, solver.density_numpy(), solver.temperature_numpy(), color), width, height)
            layer *= 1.0 - top[..., 3:4]
            layer += top
        np.clip(layer, 0.0, 1.0, out=layer)
        yield layer
