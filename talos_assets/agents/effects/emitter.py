"""Stokes' inflow emitters: a Gaussian source whose position, strength and push wander by a seeded
Ornstein-Uhlenbeck process, so a plume flickers like a real source yet a shot re-renders identically.
"""

from __future__ import annotations

import math

import numpy as np


class Emitter:
    """A Gaussian inflow whose position, strength and push wander (Ornstein-Uhlenbeck, seeded).

    Positions and radius are in cells, rates per second, speeds in cells/s; `jitter` scales the
    wander (0 = steady), `drift` a steady sideways push. The same seed gives the same sequence, so a
    shot re-renders identically.
    """

    def __init__(
        self,
        x: float,
        y: float,
        radius: float,
        density_rate: float = 1.0,
        temperature_rate: float = 1.0,
        speed: float = 0.0,
        jitter: float = 0.3,
        seed: int | np.random.SeedSequence = 0,
        fuel_rate: float = 0.0,
        drift: float = 0.0,
    ) -> None:
        self.x, self.y, self.radius = float(x), float(y), float(radius)
        self.density_rate, self.temperature_rate = float(density_rate), float(temperature_rate)
        self.fuel_rate = float(fuel_rate)
        self.speed, self.jitter = float(speed), float(jitter)
        self.drift = float(drift)  # steady sideways push (cells/s): dust blown along the ground
        self._rng = np.random.default_rng(seed)
        self._state = np.zeros(4)  # x offset, y offset, strength, lateral push; all in [-1, 1]-ish

    def advance(self, dt: float) -> tuple[float, float, float, float, float, float, float, float]:
        """Next (cx, cy, density, temperature, fuel amounts, vx, vy, blend) for a step of dt seconds."""
        # OU process relaxing over ~0.25 s: slow enough to read as a flickering source, not noise.
        theta = min(1.0, dt / 0.25)
        self._state += -theta * self._state + math.sqrt(2.0 * theta) * self._rng.standard_normal(4)
        j = self.jitter
        sx, sy, ss, sp = self._state
        scale = max(0.1, 1.0 + 0.5 * j * ss)
        cx = self.x + j * 0.6 * self.radius * sx
        cy = self.y + j * 0.3 * self.radius * sy
        vx = self.drift + j * 0.35 * self.speed * sp
        blend = min(1.0, 8.0 * dt) if self.speed > 0.0 or self.drift != 0.0 else 0.0
        return (
            cx,
            cy,
            self.density_rate * scale * dt,
            self.temperature_rate * scale * dt,
            self.fuel_rate * scale * dt,
            vx,
            -self.speed,
            blend,
        )
