"""Stokes' effect layers: every `EffectSpec` of a shot simulated and shaded into RGBA frames, split into
the pass behind the characters and the pass in front of them.

Fluid kinds (smoke, fire, ink, magic, steam, dust, explosion) run a `SmokeSolver` each (`fluid`) on a
grid with the frame's aspect (`sim_height` rows); particle kinds run seeded particle systems: sparks and
splash droplets thrown ballistically (`ballistic`), rain and snow asked for as effects drawn like the
weather (`weather`). Each effect's source follows its anchor track (`anchors`: a joint through the
in-between poses, the horizon, the ground, the sky or a prop), frame by frame. The shot's arousal and
emotion scale intensity (`presets.intensity`). Characters' silhouettes, given per frame, become solid
obstacles so smoke flows around them — except for effects drawn behind them (asked for, or on the set's
horizon: no contact in depth) and those anchored to a joint (they come out of the body). Every frame advances a fixed dt = 1/fps in equal
substeps; fluids are shaded at simulation resolution (Beer-Lambert), upsampled bicubically with a little
seeded high-frequency density noise so upsampled smoke is not blurry, and composited in list order
(later over earlier) into the back or front pass. Frames are yielded one at a time, so memory does not
grow with the shot length; a shot without effects never starts Warp.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from talos_assets.agents.effects.anchors import drawn_behind
from talos_assets.agents.effects.ballistic import particle_source
from talos_assets.agents.effects.presets import (
    FLUID_PRESETS,
    PARTICLE_KINDS,
    effect_color,
    fire_ramp,
    intensity,
)
from talos_assets.agents.effects.weather import Rain, Snow, over_into
from talos_assets.spec import Emotion, EffectKind, EffectSpec, Palette

# re-exported: callers and tests import these from here
PRESETS = FLUID_PRESETS
__all__ = ["PRESETS", "EffectPasses", "effect_color", "fire_ramp", "intensity", "obstacle_grid",
           "render_effect_frames", "render_effect_passes"]

CFL_CELLS = 3.0  # largest advection displacement per substep we accept, in cells
TYPICAL_SPEED = 1.2  # frame heights per second a strong plume reaches
PARTICLE_WARMUP = 0.5  # seconds of sparks and splashes thrown before frame 0


@dataclass
class EffectPasses:
    """One frame's effects: premultiplied linear RGBA behind the characters and in front of them."""

    back: np.ndarray
    front: np.ndarray
    positions: list[tuple[float, float]]  # each effect's source this frame, frame fractions


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


def _detail_noise(width: int, height: int, cells: float, seed: int, amount: float = 0.18) -> np.ndarray:
    """1 + amount * smooth noise with features about one simulation cell wide (render-resolution detail)."""
    rng = np.random.default_rng(seed)
    gw, gh = max(2, int(width / cells * 2)), max(2, int(height / cells * 2))
    n = cv2.resize(rng.standard_normal((gh, gw)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return (1.0 + amount * np.clip(n, -2.0, 2.0)).astype(np.float32)


class ParticleSource:
    """A particle effect (sparks, splash, rain, snow) with the same interface as `fluid.FluidSource`."""

    blocks = False

    def __init__(self, effect: EffectSpec, index: int, seed: int, k: float, color: np.ndarray, aspect: float,
                 track: np.ndarray | None, figure: float = 0.0) -> None:
        self.effect, self.color, self.aspect, self.track = effect, color, aspect, track
        s, sub_seed = effect.strength * k, seed * 7919 + 101 + index
        x, y = (track[0] if track is not None else (effect.source_x, effect.source_y))
        # rain and snow fill the frame unless the story names the one thing they come from
        self.spread = effect.kind in (EffectKind.rain, EffectKind.snow) and effect.anchor is None
        if self.spread and effect.kind == EffectKind.rain:
            self.system = Rain(aspect, sub_seed, strength=s, wind=0.15, color=color)
        elif self.spread:
            self.system = Snow(aspect, sub_seed, strength=s, color=color)
        else:
            self.system = particle_source(effect.kind, x * aspect, y, s, sub_seed, over=effect.over, figure=figure)
        self._pos = (float(x), float(y))

    def place(self, x: float, y: float) -> None:
        self._pos = (float(x), float(y))
        if hasattr(self.system, "x"):
            self.system.x, self.system.y = x * self.aspect, y

    def position(self) -> tuple[float, float]:
        return self._pos

    def warm_up(self, dt: float, frame_dt: float, fps: int) -> None:
        if not self.spread:  # rain and snow over the whole frame start spread over it
            for _ in range(round(PARTICLE_WARMUP * fps)):
                self.system.step(frame_dt)

    def advance(self, f: int, substeps: int, dt: float) -> None:
        if self.track is not None:
            self.place(*self.track[min(f, len(self.track) - 1)])
        self.system.step(dt * substeps)

    def draw(self, width: int, height: int, fps: int, detail: np.ndarray | None = None) -> np.ndarray:
        if self.effect.kind == EffectKind.splash or not (self.spread or self.effect.kind == EffectKind.sparks):
            return self.system.draw(width, height, fps, self.color)
        if self.effect.kind == EffectKind.sparks:
            return self.system.draw(width, height, fps)
        return self.system.draw(width, height)


def _grid(sim_height: int, width: int, height: int) -> tuple[int, int]:
    # Multiples of 8 keep three multigrid levels even, where open sides converge best.
    ny = max(8, 8 * round(int(sim_height) / 8))
    return max(8, 8 * round(ny * width / height / 8)), ny


def _sources(effects, palette, width, height, seed, device, sim_height, ks, tracks, anchored, figures):
    nx, ny = _grid(sim_height, width, height)
    out = []
    for i, (e, k) in enumerate(zip(effects, ks)):
        track = tracks[i] if tracks is not None else None
        if e.kind in PARTICLE_KINDS:
            figure = figures[i] if figures is not None else 0.0
            out.append(ParticleSource(e, i, seed, k, effect_color(e, palette), width / height, track, figure))
            continue
        from talos_assets.agents.effects.fluid import FluidSource  # Warp loads only for a fluid effect

        blocks = not drawn_behind(e) and not anchored[i]
        out.append(FluidSource(e, i, nx, ny, seed, device, k, effect_color(e, palette), track, blocks=blocks))
    return out, nx, ny


def render_effect_passes(
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
    tracks: list[np.ndarray | None] | None = None,
    joint_anchored: list[bool] | None = None,
    figures: list[float] | None = None,
) -> Iterator[EffectPasses]:
    """Yield n_frames `EffectPasses` (back and front float32 (height, width, 4) linear premultiplied).

    `tracks[i]` is effect i's source per frame, (n_frames, 2) frame fractions (`anchors`), or None for
    its source_x/source_y; `joint_anchored[i]` says it comes out of a character (no obstacle for it);
    `figures[i]` is that character's height on screen (frame heights; sizes a rain cloud over a head).
    `arousal`/`emotion` scale intensity; `obstacles(f)` returns frame f's character mask (any resolution,
    > 0 = character, or None). Deterministic for a seed on a given device.
    """
    if width <= 0 or height <= 0 or n_frames < 0 or fps <= 0:
        raise ValueError(f"bad frame request {width}x{height}, {n_frames} frames at {fps} fps")
    if not effects:
        for _ in range(n_frames):
            yield EffectPasses(np.zeros((height, width, 4), np.float32), np.zeros((height, width, 4), np.float32), [])
        return
    ks = [intensity(arousal, emotion, e.kind) for e in effects]
    anchored = joint_anchored or [False] * len(effects)
    sources, nx, ny = _sources(effects, palette, width, height, seed, device, sim_height, ks, tracks, anchored,
                               figures)
    noise = _detail_noise(width, height, height / ny, seed) if detail else None
    frame_dt = 1.0 / fps
    substeps = max(1, math.ceil(frame_dt * TYPICAL_SPEED * ny / CFL_CELLS))
    dt = frame_dt / substeps
    blocking = [s for s in sources if s.blocks]
    behind = [drawn_behind(e) for e in effects]

    def set_obstacles(f: int) -> None:
        mask = obstacles(f) if obstacles is not None and blocking else None
        solid = obstacle_grid(mask, nx, ny) if mask is not None else None
        for s in blocking:
            s.solver.set_obstacles(solid if solid is not None and solid.any() else None)

    set_obstacles(0)
    for s in sources:
        s.warm_up(dt, frame_dt, fps)
    for f in range(n_frames):
        if obstacles is not None and f > 0:
            set_obstacles(f)
        back, front = np.zeros((height, width, 4), np.float32), np.zeros((height, width, 4), np.float32)
        for s, under in zip(sources, behind):
            s.advance(f, substeps, dt)
            over_into(back if under else front, s.draw(width, height, fps, noise))
        np.clip(back, 0.0, 1.0, out=back)
        np.clip(front, 0.0, 1.0, out=front)
        yield EffectPasses(back, front, [s.position() for s in sources])


def render_effect_frames(effects: list[EffectSpec], palette: Palette, width: int, height: int, n_frames: int, fps: int,
                         seed: int, device: str = "cpu", sim_height: int = 96, **options) -> Iterator[np.ndarray]:
    """Yield n_frames float32 (height, width, 4) linear premultiplied layers: both passes, front over back.

    Options are `render_effect_passes`'; no effects gives fully transparent layers.
    """
    for p in render_effect_passes(effects, palette, width, height, n_frames, fps, seed, device, sim_height, **options):
        yield over_into(p.back, p.front)
