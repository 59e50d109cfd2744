"""Stokes' magic sparks: a seeded particle system carried by the fluid and by curl noise (Bridson et al. 2007).

Particles are born at the emitter with a lifetime, move with the simulated velocity (bilinear sample of
the MAC faces) plus a divergence-free wander from the curl of an analytic noise potential (a few seeded
travelling sine products, so the curl is exact and costs no grid), fade over their life and are splatted
into a render-resolution glow (a sharp core plus a wide halo by two Gaussian blurs). Fully vectorised
NumPy: a shot carries a few thousand sparks, far below where a kernel would pay off; the same seed gives
the same sparks.
"""

from __future__ import annotations

import cv2
import numpy as np


class CurlNoise:
    """Divergence-free 2D velocity field v = (d psi/dy, -d psi/dx) of a seeded sum of sine products."""

    def __init__(self, rng: np.random.Generator, scale: float, speed: float, octaves: int = 3) -> None:
        self.k = []
        for o in range(octaves):
            f = (2.0**o) * 2.0 * np.pi / scale
            kx, ky = f * rng.uniform(0.7, 1.3, 2)
            self.k.append((kx, ky, rng.uniform(0, 2 * np.pi, 2), rng.uniform(0.5, 1.5), speed / (f * 2.0**o)))

    def __call__(self, x: np.ndarray, y: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        vx = np.zeros_like(x)
        vy = np.zeros_like(y)
        for kx, ky, (px, py), w, amp in self.k:
            # psi = amp sin(kx x + px + w t) sin(ky y + py)
            sx, cx = np.sin(kx * x + px + w * t), np.cos(kx * x + px + w * t)
            sy, cy = np.sin(ky * y + py), np.cos(ky * y + py)
            vx += amp * ky * sx * cy
            vy -= amp * kx * cx * sy
        return vx, vy


def sample_faces(u: np.ndarray, v: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Velocity (cells/s) at points (x, y) in cell units from MAC faces u (ny, nx+1) and v (ny+1, nx)."""

    def bilerp(q, px, py):
        h, w = q.shape
        fx = np.clip(px, 0.0, w - 1.0)
        fy = np.clip(py, 0.0, h - 1.0)
        i0 = np.minimum(fx.astype(np.int32), w - 2)
        j0 = np.minimum(fy.astype(np.int32), h - 2)
        tx, ty = fx - i0, fy - j0
        a, b = q[j0, i0], q[j0, i0 + 1]
        c, d = q[j0 + 1, i0], q[j0 + 1, i0 + 1]
        return (1 - ty) * ((1 - tx) * a + tx * b) + ty * ((1 - tx) * c + tx * d)

    return bilerp(u, x, y - 0.5), bilerp(v, x - 0.5, y)


class MagicParticles:
    """Sparks in a sim grid of nx x ny cells, emitted around (x, y) with a radius (cells)."""

    def __init__(
        self,
        nx: int,
        ny: int,
        x: float,
        y: float,
        radius: float,
        rate: float,
        lifetime: float = 1.6,
        swirl: float = 0.25,
        seed: int = 0,
        max_particles: int = 20000,
    ) -> None:
        self.nx, self.ny = nx, ny
        self.x, self.y, self.radius = float(x), float(y), float(radius)
        self.rate, self.lifetime = float(rate), float(lifetime)
        self.rng = np.random.default_rng(seed)
        self.noise = CurlNoise(self.rng, scale=0.35 * ny, speed=swirl * ny)
        self.max_particles = max_particles
        self.pos = np.zeros((0, 2))
        self.age = np.zeros(0)
        self.life = np.zeros(0)
        self.time = 0.0
        self._carry = 0.0

    def step(self, dt: float, u: np.ndarray, v: np.ndarray) -> None:
        """Emit, advect (fluid + curl noise, midpoint rule) and retire particles over dt seconds."""
        self._carry += self.rate * dt
        n_new = min(int(self._carry), self.max_particles)
        self._carry -= n_new
        if n_new:
            r = self.radius * np.sqrt(self.rng.random(n_new))
            a = self.rng.uniform(0, 2 * np.pi, n_new)
            born = np.stack([self.x + r * np.cos(a), self.y + r * np.sin(a)], axis=1)
            self.pos = np.concatenate([self.pos, born])[-self.max_particles :]
            self.age = np.concatenate([self.age, np.zeros(n_new)])[-self.max_particles :]
            life = self.lifetime * self.rng.uniform(0.6, 1.4, n_new)
            self.life = np.concatenate([self.life, life])[-self.max_particles :]
        if len(self.pos):
            x, y = self.pos[:, 0], self.pos[:, 1]
            vx, vy = self._velocity(u, v, x, y, self.time)
            mx, my = x + 0.5 * dt * vx, y + 0.5 * dt * vy
            vx, vy = self._velocity(u, v, mx, my, self.time + 0.5 * dt)
            self.pos = np.stack([x + dt * vx, y + dt * vy], axis=1)
            self.age += dt
            alive = (self.age < self.life) & (self.pos[:, 0] > -2) & (self.pos[:, 0] < self.nx + 2)
            alive &= (self.pos[:, 1] > -2) & (self.pos[:, 1] < self.ny + 2)
            self.pos, self.age, self.life = self.pos[alive], self.age[alive], self.life[alive]
        self.time += dt

    def _velocity(self, u, v, x, y, t):
        fx, fy = sample_faces(u, v, x, y)
        nx_, ny_ = self.noise(x, y, t)
        return fx + nx_, fy + ny_

    def splat(self, width: int, height: int, color: np.ndarray, brightness: float = 1.0) -> np.ndarray:
        """Premultiplied linear RGBA (height, width, 4) glow of the live sparks."""
        out = np.zeros((height, width, 4), np.float32)
        if not len(self.pos):
            return out
        sx, sy = width / self.nx, height / self.ny
        px = np.clip((self.pos[:, 0] * sx).astype(np.int64), 0, width - 1)
        py = np.clip((self.pos[:, 1] * sy).astype(np.int64), 0, height - 1)
        # Sparks flare after birth and fade out toward the end of their life.
        t = np.clip(self.age / self.life, 0.0, 1.0)
        energy = (np.minimum(1.0, 6.0 * t) * (1.0 - t) ** 1.5).astype(np.float32)
        acc = np.zeros((height, width), np.float32)
        np.add.at(acc, (py, px), energy)
        s = max(1.0, height / 360.0)
        core = cv2.GaussianBlur(acc, (0, 0), 0.9 * s)
        halo = cv2.GaussianBlur(acc, (0, 0), 7.0 * s)
        glow = brightness * (1.5 * core + 4.0 * halo)
        alpha = np.clip(0.9 * core + 2.0 * halo, 0.0, 1.0)
        rgb = np.minimum(glow[..., None] * (0.35 + 0.65 * np.asarray(color, np.float32)), 1.0)
        # Premultiplied and valid: a spark's light never exceeds its coverage.
        out[..., 3] = np.maximum(alpha, rgb.max(axis=-1))
        out[..., :3] = rgb
        return out
