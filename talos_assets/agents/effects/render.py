"""Stokes' effect layers: simulate each `EffectSpec` with `SmokeSolver` and shade it into RGBA frames.

Each effect gets its own fluid simulation on a grid with the frame's aspect (`sim_height` rows), open
at the top and sides (closed for ink, which swirls in its own tank), a seeded emitter at the spec's
source and a per-kind preset: buoyant grey smoke with vorticity confinement, fire by combustion (fuel
burns above an ignition temperature into heat and soot, cooling as T^4) shaded with a blackbody-like
emission ramp, slow heavy ink, and magic (faint glowing vapour plus curl-noise sparks from
`particles`). The shot's arousal/emotion scales intensity (anger gives a fiercer, faster fire; calm a
gentler one). Characters' silhouettes, given per frame, become solid obstacles so smoke flows around
them. Every frame advances a fixed dt = 1/fps in equal substeps, then shades the fields at simulation
resolution (Beer-Lambert opacity 1 - exp(-k * density)) into linear premultiplied RGBA, upsamples it
bicubically to the frame, adds a little seeded high-frequency density noise so upsampled smoke is not
blurry, and composites the effects in list order (later over earlier). Frames are yielded one at a
time, so memory does not grow with the shot length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from talos_assets.agents.effects.particles import MagicParticles
from talos_assets.agents.effects.solver import SmokeParams, SmokeSolver
from talos_assets.agents.frames import hex_to_linear, srgb_to_linear
from talos_assets.spec import EMOTION_VA, Emotion, EffectKind, EffectSpec, Palette

WARMUP_SECONDS = 0.75  # simulated before frame 0 so the first frame already shows a plume
CFL_CELLS = 3.0  # largest advection displacement per substep we accept, in cells
TYPICAL_SPEED = 1.2  # frame heights per second a strong plume reaches
OPEN_SIDES = ("top", "left", "right")


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
    vorticity: float = 0.0  # confinement, frame heights / s
    fuel_rate: float = 0.0  # fire only: fuel per second; burns into heat and soot


PRESETS: dict[EffectKind, _Preset] = {
    EffectKind.smoke: _Preset(2.5, 0.0, 0.25, 0.9, 0.15, 0.035, 2.2, 2.0, 0.25, 0.6, 2.2, vorticity=0.08),
    EffectKind.fire: _Preset(4.5, 0.0, 0.9, 1.2, 0.2, 0.04, 0.2, 1.0, 0.35, 0.9, 2.5, vorticity=0.12, fuel_rate=4.0),
    EffectKind.ink: _Preset(0.6, 0.3, 0.08, 0.4, 0.3, 0.03, 2.5, 0.8, 0.08, 0.4, 3.0, vorticity=0.05),
    EffectKind.magic: _Preset(3.0, 0.0, 0.7, 1.2, 0.1, 0.03, 1.2, 2.5, 0.4, 1.0, 1.2, vorticity=0.15),
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


def intensity(arousal: float | None = None, emotion: Emotion | str | None = None, kind: EffectKind | None = None) -> float:
    """Multiplier of an effect's strength from the shot's mood: 1 at neutral arousal, up to ~1.5 when
    aroused, down to ~0.7 when calm; anger pushes fire further (a fiercer blaze)."""
    if arousal is None and emotion is not None:
        arousal = EMOTION_VA[Emotion(emotion)][1]
    a = float(np.clip(arousal or 0.0, -1.0, 1.0))
    k = 1.0 + (0.45 * a if a > 0 else 0.3 * a)
    if emotion is not None and Emotion(emotion) == Emotion.anger and kind == EffectKind.fire:
        k *= 1.25
    return k


def obstacle_grid(mask: np.ndarray, nx: int, ny: int, dilate: float = 0.012) -> np.ndarray:
    """(ny, nx) bool solids from a frame-resolution character mask (> 0 = character), dilated by
    `dilate` frame heights so the smoke keeps a little air around the silhouette."""
    m = (np.asarray(mask) > 0).astype(np.uint8)
    if not m.any():
        return np.zeros((ny, nx), bool)
    r = int(round(dilate * m.shape[0]))
    if r > 0:
        m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    cover = cv2.resize(m.astype(np.float32), (nx, ny), interpolation=cv2.INTER_AREA)
    return cover > 0.5


def _make_solver(effect: EffectSpec, index: int, nx: int, ny: int, seed: int, device: str, k: float) -> SmokeSolver:
    pr = PRESETS[effect.kind]
    fire = effect.kind == EffectKind.fire
    params = SmokeParams(
        buoyancy=pr.buoyancy * ny * math.sqrt(k),
        weight=pr.weight * ny,
        density_decay=pr.density_decay,
        temperature_decay=pr.temperature_decay,
        velocity_decay=pr.velocity_decay,
        vorticity=pr.vorticity * ny * k,
        burn_rate=6.0 if fire else 0.0,
        ignition=0.15,
        heat=0.7,
        soot=0.25,
        cooling=1.5 if fire else 0.0,
        open_sides=() if effect.kind == EffectKind.ink else OPEN_SIDES,
        tolerance=1e-3,
        max_cycles=6,
    )
    # Seed per effect so two effects in one shot do not flicker in lockstep.
    solver = SmokeSolver(nx, ny, device=device, seed=seed * 1_000_003 + index, params=params)
    s = effect.strength * k
    solver.add_emitter(
        x=min(max(effect.source_x * nx, 1.0), nx - 1.0),
        y=min(max(effect.source_y * ny, 1.0), ny - 1.0),
        radius=max(1.0, pr.radius * ny * math.sqrt(s)),
        density_rate=pr.density_rate * s,
        temperature_rate=pr.temperature_rate * s,
        speed=pr.speed * ny * math.sqrt(s),
        jitter=min(1.5, pr.jitter * k),
        fuel_rate=pr.fuel_rate * s,
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


def _upsample(rgba: np.ndarray, width: int, height: int, detail: np.ndarray | None = None) -> np.ndarray:
    out = cv2.resize(rgba, (width, height), interpolation=cv2.INTER_CUBIC)
    if detail is not None:
        # Sub-cell detail: modulate coverage (and with it the premultiplied colour) by a fixed noise.
        out *= detail[..., None]
    # Bicubic overshoots at sharp edges; clamp back into a valid premultiplied layer.
    np.clip(out[..., 3], 0.0, 1.0, out=out[..., 3])
    np.clip(out[..., :3], 0.0, None, out=out[..., :3])
    np.minimum(out[..., :3], out[..., 3:4], out=out[..., :3])
    return out


def _detail_noise(width: int, height: int, cells: float, seed: int, amount: float = 0.18) -> np.ndarray:
    """1 + amount * smooth noise with features about one simulation cell wide (render-resolution detail)."""
    rng = np.random.default_rng(seed)
    gw, gh = max(2, int(width / cells * 2)), max(2, int(height / cells * 2))
    n = cv2.resize(rng.standard_normal((gh, gw)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return (1.0 + amount * np.clip(n, -2.0, 2.0)).astype(np.float32)


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
    *,
    arousal: float | None = None,
    emotion: Emotion | str | None = None,
    obstacles: Callable[[int], np.ndarray | None] | None = None,
    detail: bool = True,
) -> Iterator[np.ndarray]:
    """Yield n_frames float32 (height, width, 4) linear premultiplied effect layers, one per frame.

    `arousal`/`emotion` (the shot's mood) scale the effects' intensity; `obstacles(f)` returns frame f's
    character mask (any resolution, > 0 = character, or None) which becomes solid for the fluid.
    Deterministic for a seed on a given device; no effects gives fully transparent layers.
    """
    if width <= 0 or height <= 0 or n_frames < 0 or fps <= 0:
        raise ValueError(f"bad frame request {width}x{height}, {n_frames} frames at {fps} fps")
    if not effects:
        for _ in range(n_frames):
            yield np.zeros((height, width, 4), np.float32)
        return

    # Multiples of 8 keep three multigrid levels even, where open sides converge best.
    ny = max(8, 8 * round(int(sim_height) / 8))
    nx = max(8, 8 * round(ny * width / height / 8))
    ks = [intensity(arousal, emotion, e.kind) for e in effects]
    solvers = [_make_solver(e, i, nx, ny, seed, device, k) for i, (e, k) in enumerate(zip(effects, ks))]
    colors = [effect_color(e, palette) for e in effects]
    sparks = {
        i: MagicParticles(
            nx, ny, e.source_x * nx, e.source_y * ny, radius=max(1.0, 0.05 * ny), rate=220.0 * e.strength * k,
            swirl=0.2 * k, seed=seed * 7919 + i,
        )
        for i, (e, k) in enumerate(zip(effects, ks))
        if e.kind == EffectKind.magic
    }
    noise = _detail_noise(width, height, height / ny, seed) if detail else None
    frame_dt = 1.0 / fps
    substeps = max(1, math.ceil(frame_dt * TYPICAL_SPEED * ny / CFL_CELLS))
    dt = frame_dt / substeps

    def set_obstacles(f: int) -> None:
        mask = obstacles(f) if obstacles is not None else None
        solid = obstacle_grid(mask, nx, ny) if mask is not None else None
        for s in solvers:
            s.set_obstacles(solid if solid is not None and solid.any() else None)

    set_obstacles(0)
    for _ in range(max(1, round(WARMUP_SECONDS / dt))):
        for s in solvers:
            s.step(dt)
    for i, p in sparks.items():
        u, v = solvers[i].velocity_numpy()
        for _ in range(round(WARMUP_SECONDS * fps)):
            p.step(frame_dt, u, v)

    for f in range(n_frames):
        if obstacles is not None and f > 0:
            set_obstacles(f)
        layer = np.zeros((height, width, 4), np.float32)
        for i, (effect, solver, color) in enumerate(zip(effects, solvers, colors)):
            for _ in range(substeps):
                solver.step(dt)
            top = _upsample(shade(effect, solver.density_numpy(), solver.temperature_numpy(), color), width, height, noise)
            if i in sparks:
                sparks[i].step(frame_dt, *solver.velocity_numpy())
                glow = sparks[i].splat(width, height, color, brightness=ks[i])
                top = glow + top * (1.0 - glow[..., 3:4])
            layer *= 1.0 - top[..., 3:4]
            layer += top
        np.clip(layer, 0.0, 1.0, out=layer)
        yield layer
