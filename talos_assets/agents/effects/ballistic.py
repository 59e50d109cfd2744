"""Stokes' ballistic particles: sparks, splash droplets, explosion debris and snow or rain that comes
out of one thing, thrown from a source and pulled down by gravity (explicit Euler with linear drag), drawn as motion-blurred streaks.

Positions are in frame heights (x from the left edge, y from the top), so a look is the same at every
resolution. A particle is launched with a seeded speed and angle inside a cone, lives a seeded
lifetime and is drawn from where it is back along its velocity for a fraction of a frame (a shutter
streak) with OpenCV's anti-aliased polylines at sub-pixel precision. Sparks cool along their life from
yellow-white to red (three colour bins) and carry a soft glow; droplets are pale water that falls back
below the surface they left. Fully vectorised NumPy: a shot holds a few thousand particles at most.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from talos_assets.spec import EffectKind

_SHIFT = 4  # sub-pixel bits for cv2.polylines
_SPARK_BINS = (  # age fraction below which a spark has this colour (linear light)
    (0.35, np.array([1.0, 0.92, 0.6], np.float32)),
    (0.7, np.array([1.0, 0.55, 0.12], np.float32)),
    (1.01, np.array([0.75, 0.16, 0.02], np.float32)),
)


class BallisticParticles:
    """Particles in frame-height units launched in a cone, with gravity (down) and linear drag."""

    def __init__(self, seed: int, gravity: float, drag: float = 0.0, max_particles: int = 6000) -> None:
        self.rng = np.random.default_rng(seed)
        self.gravity, self.drag, self.max_particles = float(gravity), float(drag), max_particles
        self.pos = np.zeros((0, 2))
        self.vel = np.zeros((0, 2))
        self.age = np.zeros(0)
        self.life = np.zeros(0)

    def emit(self, n: int, x: float, y: float, radius: float, speed: tuple[float, float], spread: float,
             life: tuple[float, float], up_bias: float = 0.0) -> None:
        """Launch n particles around (x, y) within `radius`, at a speed in `speed` (heights/s), at an angle
        from straight up uniform in +-spread (radians), living a time in `life` (s)."""
        if n <= 0:
            return
        rng = self.rng
        r, a = radius * np.sqrt(rng.random(n)), rng.uniform(0, 2 * np.pi, n)
        born = np.stack([x + r * np.cos(a), y + r * np.sin(a)], axis=1)
        theta = rng.uniform(-spread, spread, n)
        s = rng.uniform(*speed, n)
        vel = np.stack([s * np.sin(theta), -s * np.cos(theta) - up_bias * s], axis=1)
        keep = -self.max_particles
        self.pos = np.concatenate([self.pos, born])[keep:]
        self.vel = np.concatenate([self.vel, vel])[keep:]
        self.age = np.concatenate([self.age, np.zeros(n)])[keep:]
        self.life = np.concatenate([self.life, rng.uniform(*life, n)])[keep:]

    def step(self, dt: float, floor: float | None = None) -> None:
        """Move over dt seconds; retire particles past their life, off the frame, or fallen below `floor`."""
        if not len(self.pos):
            return
        self.vel[:, 1] += self.gravity * dt
        self.vel *= math.exp(-self.drag * dt)
        self.pos += self.vel * dt
        self.age += dt
        alive = (self.age < self.life) & (self.pos[:, 1] < 1.2) & (self.pos[:, 1] > -0.5)
        if floor is not None:
            alive &= ~((self.pos[:, 1] > floor) & (self.vel[:, 1] > 0))
        self.pos, self.vel, self.age, self.life = self.pos[alive], self.vel[alive], self.age[alive], self.life[alive]

    def streaks(self, sel: np.ndarray, height: int, shutter: float, origin: tuple[int, int] = (0, 0)) -> list[np.ndarray]:
        """Fixed-point polylines (one per selected particle) from the position back along the velocity,
        in pixels relative to `origin` (x, y)."""
        head = self.pos[sel] * height - np.asarray(origin, np.float64)
        tail = head - self.vel[sel] * height * shutter
        pts = np.stack([head, tail], axis=1) * (1 << _SHIFT)
        return list(np.round(pts).astype(np.int32))

    def box(self, width: int, height: int, shutter: float, margin: int) -> tuple[int, int, int, int] | None:
        """Pixel box (x0, y0, x1, y1) holding every streak plus `margin`, clipped to the frame; None if empty."""
        if not len(self.pos):
            return None
        pts = np.concatenate([self.pos, self.pos - self.vel * shutter]) * height
        x0, y0 = np.floor(pts.min(axis=0)).astype(int) - margin
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + margin + 1
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _coverage(lines: list[np.ndarray], width: int, height: int, thickness: int) -> np.ndarray:
    canvas = np.zeros((height, width), np.uint8)
    if lines:
        cv2.polylines(canvas, lines, False, 255, thickness, cv2.LINE_AA, _SHIFT)
    return canvas.astype(np.float32) * (1.0 / 255.0)


class SparkShower:
    """Bright, short-lived sparks (or an explosion's debris) thrown up from a moving source."""

    def __init__(self, x: float, y: float, strength: float, seed: int, debris: bool = False) -> None:
        self.x, self.y, self.strength, self.debris = x, y, strength, debris
        self.p = BallisticParticles(seed, gravity=1.2 if debris else 1.6, drag=1.5 if debris else 0.8)
        self.rate, self._carry, self.time = 110.0 * strength, 0.0, 0.0
        if debris:  # everything at once, in every direction, biased up
            self.p.emit(int(160 * strength), x, y, 0.02, (0.5, 1.7), math.pi, (0.5, 1.3), up_bias=0.3)

    def step(self, dt: float) -> None:
        if not self.debris:
            # Crackling: the rate flickers so sparks come in bursts.
            self._carry += self.rate * dt * (0.4 + 1.2 * self.p.rng.random())
            n = int(self._carry)
            self._carry -= n
            self.p.emit(n, self.x, self.y, 0.012, (0.45, 1.25), 1.1, (0.2, 0.7))
        self.p.step(dt)
        self.time += dt

    def draw(self, width: int, height: int, fps: int) -> np.ndarray:
        out = np.zeros((height, width, 4), np.float32)
        sigma = max(1.0, height / 160)  # the glow's width
        box = self.p.box(width, height, 0.8 / fps, int(3 * sigma) + 4)
        if box is None:
            return out
        # sparks gather in a small part of the frame: draw them in its box only
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        t = self.p.age / self.p.life
        thick = max(1, round(height / 400))
        crop = out[y0:y1, x0:x1]
        total = np.zeros((h, w), np.float32)
        lo = 0.0
        for hi, rgb in _SPARK_BINS:
            sel = (t >= lo) & (t < hi)
            lo = hi
            cov = _coverage(self.p.streaks(sel, height, 0.8 / fps, (x0, y0)), w, h, thick)
            crop[..., :3] += cov[..., None] * rgb
            total += cov
        halo = np.clip(1.5 * cv2.GaussianBlur(total, (0, 0), sigma), 0.0, 0.6)
        crop[..., :3] += halo[..., None] * np.array([1.0, 0.45, 0.1], np.float32)
        crop[..., 3] = np.clip(total + halo, 0.0, 1.0)
        np.minimum(crop[..., :3], crop[..., 3:4], out=crop[..., :3])
        return out


class Splash:
    """Droplets arcing up from a surface and falling back: a burst every half second or so."""

    def __init__(self, x: float, y: float, strength: float, seed: int) -> None:
        self.x, self.y, self.strength = x, y, strength
        self.p = BallisticParticles(seed, gravity=2.6, drag=0.3)
        self.time, self._next = 0.0, 0.0

    def step(self, dt: float) -> None:
        rng = self.p.rng
        if self.time >= self._next:
            n = int(120 * self.strength * rng.uniform(0.7, 1.3))
            self.p.emit(n, self.x, self.y, 0.03, (0.4, 1.2 * math.sqrt(self.strength)), 0.6, (0.6, 1.4))
            self._next = self.time + rng.uniform(0.45, 0.9)
        # a thin steady trickle between bursts
        self.p.emit(int(rng.random() < 0.5) * 2, self.x, self.y, 0.02, (0.2, 0.5), 0.4, (0.4, 0.8))
        self.p.step(dt, floor=self.y + 0.015)
        self.time += dt

    def draw(self, width: int, height: int, fps: int, color: np.ndarray) -> np.ndarray:
        out = np.zeros((height, width, 4), np.float32)
        thick = max(1, round(height / 150))
        box = self.p.box(width, height, 0.5 / fps, thick + 2)
        if box is None:
            return out
        x0, y0, x1, y1 = box
        lines = self.p.streaks(np.ones(len(self.p.pos), bool), height, 0.5 / fps, (x0, y0))
        a = 0.85 * _coverage(lines, x1 - x0, y1 - y0, thick)
        out[y0:y1, x0:x1, :3] = a[..., None] * color
        out[y0:y1, x0:x1, 3] = a
        return out


class Flurry:
    """Snow or rain that comes out of one thing ("snow swirls out of the open book", "rain falls from her
    palms"), not from the sky: flakes leave the source at a low speed in every direction and settle
    under light gravity and strong drag with a sideways wobble; drops fall in streaks. `over`: the
    cartoon rain cloud ("raining only on his head"): a small cloud a little above the source, and
    drops or flakes that fall from it onto the source and end there."""

    def __init__(self, x: float, y: float, strength: float, seed: int, snow: bool, over: bool = False,
                 figure: float = 0.0) -> None:
        self.x, self.y, self.strength, self.snow, self.over = x, y, strength, snow, over
        # frame heights: the cloud floats half a figure above the head it rains on, about a head wide
        self.lift = float(np.clip(0.6 * figure, 0.06, 0.3)) if figure > 0 else 0.15
        self.cloud = max(0.02, 0.35 * self.lift)
        self.p = BallisticParticles(seed, gravity=0.5 if snow else 2.2, drag=2.5 if snow else 0.4)
        self.rate, self._carry, self.time = (70.0 if snow else 90.0) * strength, 0.0, 0.0

    def step(self, dt: float) -> None:
        self._carry += self.rate * dt
        n = int(self._carry)
        self._carry -= n
        if self.over:  # from the cloud's underside, down onto the source: gone by the time they reach it
            drop = 0.85 * self.lift
            t = drop / 0.2 + 0.3 if self.snow else math.sqrt(2.0 * drop / self.p.gravity)  # snow falls at ~0.2 h/s
            self.p.emit(n, self.x, self.y - drop, 0.8 * self.cloud, (0.0, 0.05), math.pi, (0.9 * t, t))
        elif self.snow:
            self.p.emit(n, self.x, self.y, 0.015, (0.05, 0.35), math.pi, (1.5, 3.0), up_bias=0.2)
            self.p.vel[:, 0] += 0.25 * np.sin(6.0 * self.time + 40.0 * self.p.pos[:, 1]) * dt  # the wobble
        else:
            self.p.emit(n, self.x, self.y, 0.02, (0.05, 0.25), math.pi / 6, (0.5, 0.9))
        self.p.step(dt)
        self.time += dt

    def _cloud(self, out: np.ndarray) -> None:
        """A small soft cloud of three puffs above the source, over whatever falls from it."""
        height, width = out.shape[:2]
        cx, cy, r = self.x * height, (self.y - self.lift) * height, self.cloud * height
        alpha = np.zeros((height, width), np.float32)
        for dx, dy, k in ((-0.55, 0.15, 0.62), (0.0, -0.2, 0.8), (0.55, 0.15, 0.62)):
            centre = (int(round(cx + dx * r)), int(round(cy + dy * r)))
            cv2.circle(alpha, centre, max(1, int(round(k * r))), 1.0, -1, cv2.LINE_AA)
        alpha = cv2.GaussianBlur(alpha, (0, 0), max(0.6, 0.08 * r)) * 0.95
        grey = np.array((0.62, 0.64, 0.68) if self.snow else (0.17, 0.19, 0.22), np.float32)  # linear light
        keep = alpha[..., None]
        out[..., :3] = out[..., :3] * (1.0 - keep) + keep * grey
        out[..., 3] = np.maximum(out[..., 3], alpha)

    def draw(self, width: int, height: int, fps: int, color: np.ndarray) -> np.ndarray:
        out = np.zeros((height, width, 4), np.float32)
        if self.over:
            self._cloud(out)
        thick = max(2, round(height / 160)) if self.snow else max(1, round(height / 300))
        shutter = (0.25 if self.snow else 0.8) / fps
        box = self.p.box(width, height, shutter, thick + 2)
        if box is None:
            return out
        x0, y0, x1, y1 = box
        lines = self.p.streaks(np.ones(len(self.p.pos), bool), height, shutter, (x0, y0))
        a = (0.9 if self.snow else 0.7) * _coverage(lines, x1 - x0, y1 - y0, thick)
        under = out[y0:y1, x0:x1]  # premultiplied: what falls shows over the cloud
        under[..., :3] = under[..., :3] * (1.0 - a[..., None]) + a[..., None] * color
        under[..., 3] = a + under[..., 3] * (1.0 - a)
        return out


def particle_source(kind: EffectKind, x: float, y: float, strength: float, seed: int,
                    over: bool = False, figure: float = 0.0) -> SparkShower | Splash | Flurry:
    """The particle system of a ballistic effect kind at (x, y) in frame heights (rain and snow from one
    thing: a `Flurry`; `over`: from a small cloud above it)."""
    if kind == EffectKind.sparks:
        return SparkShower(x, y, strength, seed)
    if kind == EffectKind.splash:
        return Splash(x, y, strength, seed)
    if kind in (EffectKind.snow, EffectKind.rain):
        return Flurry(x, y, strength, seed, snow=kind == EffectKind.snow, over=over, figure=figure)
    raise ValueError(f"{kind.value} is not a ballistic effect")
