"""Stokes' fluid effects: one `SmokeSolver` per effect, its emitter following the effect's anchor, shaded
into a premultiplied layer.

The solver gets the kind's preset (`presets.FluidPreset`) in cells: buoyant grey smoke with vorticity
confinement, fire and explosions by combustion (fuel burns above an ignition temperature into heat and
soot, cooling as T^4) shaded with a blackbody-like emission ramp over their soot, slow heavy ink in its
own closed tank, pale steam that thins within a second, ochre dust pushed sideways along the ground,
magic as faint glowing vapour plus curl-noise sparks (`particles`). An explosion emits for `burst`
seconds with an emitter that grows as it burns, throwing ballistic debris (`ballistic.SparkShower`),
then only its soot remains. The emitter moves along the anchor track, linearly between frames over the
substeps, so a plume from a moving chest is a continuous trail rather than a row of puffs. Fields are
shaded at simulation resolution (Beer-Lambert opacity 1 - exp(-k * density)).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from talos_assets.agents.effects.ballistic import SparkShower
from talos_assets.agents.effects.particles import MagicParticles
from talos_assets.agents.effects.presets import FLUID_PRESETS, fire_ramp
from talos_assets.agents.effects.solver import SmokeParams, SmokeSolver
from talos_assets.spec import EffectKind, EffectSpec

OPEN_SIDES = ("top", "left", "right")
HORIZON_SCALE = 0.6  # an effect on the set's horizon is far away: a smaller source
FALL_SIDES = ("bottom", "left", "right")
FALL_WEIGHT = 3.0  # frame heights / s^2 per unit density: what comes from the sky sinks


def make_solver(effect: EffectSpec, index: int, nx: int, ny: int, seed: int, device: str, k: float) -> SmokeSolver:
    """The effect's solver with its preset in cells and one seeded emitter at its source."""
    pr = FLUID_PRESETS[effect.kind]
    burns = pr.fuel_rate > 0.0
    # from the sky it comes down: no lift, heavy, and the fluid leaves through the bottom
    falls = effect.anchor == "sky"
    sides = () if effect.kind == EffectKind.ink else (FALL_SIDES if falls else OPEN_SIDES)
    params = SmokeParams(
        buoyancy=0.0 if falls else pr.buoyancy * ny * math.sqrt(k),
        weight=(FALL_WEIGHT if falls else pr.weight) * ny,
        density_decay=pr.density_decay,
        temperature_decay=pr.temperature_decay,
        velocity_decay=pr.velocity_decay,
        vorticity=pr.vorticity * ny * k,
        burn_rate=6.0 if burns else 0.0,
        ignition=0.15,
        heat=0.7,
        soot=0.25,
        cooling=1.5 if burns else 0.0,
        open_sides=sides,
        tolerance=1e-3,
        max_cycles=6,
    )
    # Seed per effect so two effects in one shot do not flicker in lockstep.
    solver = SmokeSolver(nx, ny, device=device, seed=seed * 1_000_003 + index, params=params)
    s = effect.strength * k
    far = HORIZON_SCALE if effect.anchor == "horizon" else 1.0  # at the horizon it is far away: smaller
    solver.add_emitter(
        x=min(max(effect.source_x * nx, 1.0), nx - 1.0),
        y=min(max(effect.source_y * ny, 1.0), ny - 1.0),
        radius=max(1.0, pr.radius * ny * math.sqrt(s) * far),
        density_rate=pr.density_rate * s,
        temperature_rate=pr.temperature_rate * s,
        speed=0.0 if falls else pr.speed * ny * math.sqrt(s),
        jitter=min(1.5, pr.jitter * k),
        fuel_rate=pr.fuel_rate * s,
        **({"drift": pr.drift * ny * math.sqrt(s)} if pr.drift else {}),
    )
    return solver


def shade(effect: EffectSpec, density: np.ndarray, temperature: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Premultiplied linear RGBA (ny, nx, 4) of one effect's fields at simulation resolution."""
    pr = FLUID_PRESETS[effect.kind]
    d = np.maximum(density, 0.0)
    a_smoke = 1.0 - np.exp(-pr.opacity * d)
    rgba = np.empty(d.shape + (4,), np.float32)
    if pr.emissive:
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


def upsample(rgba: np.ndarray, width: int, height: int, detail: np.ndarray | None = None) -> np.ndarray:
    """Simulation-resolution RGBA to the frame, bicubic, modulated by render-resolution detail noise."""
    out = cv2.resize(rgba, (width, height), interpolation=cv2.INTER_CUBIC)
    if detail is not None:
        # Sub-cell detail: modulate coverage (and with it the premultiplied colour) by a fixed noise.
        out *= detail[..., None]
    # Bicubic overshoots at sharp edges; clamp back into a valid premultiplied layer.
    np.clip(out[..., 3], 0.0, 1.0, out=out[..., 3])
    np.clip(out[..., :3], 0.0, None, out=out[..., :3])
    np.minimum(out[..., :3], out[..., 3:4], out=out[..., :3])
    return out


class FluidSource:
    """One fluid effect of a shot: its solver, emitter track and (magic, explosion) particles."""

    def __init__(self, effect: EffectSpec, index: int, nx: int, ny: int, seed: int, device: str, k: float,
                 color: np.ndarray, track: np.ndarray | None = None, blocks: bool = True) -> None:
        self.effect, self.k, self.color, self.nx, self.ny = effect, k, color, nx, ny
        self.pr = FLUID_PRESETS[effect.kind]
        self.solver = make_solver(effect, index, nx, ny, seed, device, k)
        self.emitter = self.solver.emitters[0]
        e = self.emitter
        self._base = (e.radius, e.density_rate, e.temperature_rate, e.fuel_rate)
        self.track, self.blocks, self.time = track, blocks, 0.0
        self.sparks = (
            MagicParticles(nx, ny, effect.source_x * nx, effect.source_y * ny, radius=max(1.0, 0.05 * ny),
                           rate=220.0 * effect.strength * k, swirl=0.2 * k, seed=seed * 7919 + index)
            if effect.kind == EffectKind.magic else None
        )
        self.debris: SparkShower | None = None
        self._seed = seed * 7919 + index
        if track is not None:
            self.place(*track[0])

    def place(self, x: float, y: float) -> None:
        """Move the emitter (and its particles) to frame fractions (x, y)."""
        self.emitter.x = min(max(x * self.nx, 1.0), self.nx - 1.0)
        self.emitter.y = min(max(y * self.ny, 1.0), self.ny - 1.0)
        if self.sparks is not None:
            self.sparks.x, self.sparks.y = x * self.nx, y * self.ny

    def position(self) -> tuple[float, float]:
        """The emitter's centre now, frame fractions."""
        return self.emitter.x / self.nx, self.emitter.y / self.ny

    def _step(self, dt: float, boost: float = 1.0) -> None:
        r, dr, tr, fr = self._base
        e = self.emitter
        on, grow = 1.0, 1.0
        if self.pr.burst > 0.0:
            # A burst: full emission, radius growing as the fireball spreads, then nothing.
            on = 1.0 if self.time < self.pr.burst else 0.0
            grow = 0.5 + 1.5 * min(1.0, self.time / self.pr.burst)
        k = on * boost
        e.radius, e.density_rate, e.temperature_rate, e.fuel_rate = r * grow, dr * k, tr * k, fr * k
        self.solver.step(dt)
        self.time += dt

    def warm_up(self, dt: float, frame_dt: float, fps: int) -> None:
        """Simulate the preset's warm-up so frame 0 already shows the effect."""
        for _ in range(max(1, round(self.pr.warmup / dt))):
            self._step(dt)
        if self.sparks is not None:
            u, v = self.solver.velocity_numpy()
            for _ in range(round(self.pr.warmup * fps)):
                self.sparks.step(frame_dt, u, v)
        if self.pr.burst > 0.0:
            x, y = self.position()
            aspect = self.nx / self.ny
            self.debris = SparkShower(x * aspect, y, self.effect.strength * self.k, self._seed, debris=True)

    def advance(self, f: int, substeps: int, dt: float) -> None:
        """Frame f's substeps, the emitter moving linearly from frame f-1's anchor to frame f's."""
        if self.track is None or f == 0:
            for _ in range(substeps):
                self._step(dt)
            return
        (x0, y0), (x1, y1) = self.track[f - 1], self.track[min(f, len(self.track) - 1)]
        # A moving source spreads what it emits along its path: emit more so it stays as dense (and a
        # fire as hot, so its fuel still ignites) as a source at rest, about one radius per 1/8 s.
        speed = float(np.hypot((x1 - x0) * self.nx, (y1 - y0) * self.ny)) / (dt * substeps)  # cells/s
        boost = min(4.0, 1.0 + speed * 0.125 / (2.0 * self._base[0]))
        for i in range(substeps):
            t = (i + 1) / substeps
            self.place(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            self._step(dt, boost)

    def draw(self, width: int, height: int, fps: int, detail: np.ndarray | None = None) -> np.ndarray:
        """This frame's layer: the shaded fields upsampled, under the effect's sparks or debris."""
        fields = shade(self.effect, self.solver.density_numpy(), self.solver.temperature_numpy(), self.color)
        top = upsample(fields, width, height, detail)
        if self.sparks is not None:
            self.sparks.step(1.0 / fps, *self.solver.velocity_numpy())
            glow = self.sparks.splat(width, height, self.color, brightness=self.k)
            top = glow + top * (1.0 - glow[..., 3:4])
        if self.debris is not None:
            self.debris.step(1.0 / fps)
            bits = self.debris.draw(width, height, fps)
            top = bits + top * (1.0 - bits[..., 3:4])
        return top
