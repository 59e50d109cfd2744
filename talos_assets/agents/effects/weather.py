"""Stokes' weather: rain, snow, wind and a storm's lightning as a moving layer, one frame at a time.

Every system is a seeded population of particles in frame-height units that persists from frame to
frame (so the layer moves) and wraps around the frame when it leaves it. Rain is streaks falling at an
angle set by the wind, drawn along their velocity for a short shutter (anti-aliased polylines), near
drops longer, faster and brighter than far ones (parallax); snow is flakes with depth that fall slowly
and sway on a seeded sine each, splatted and blurred by depth (near flakes bigger and softer); wind is
dust motes and tumbling leaves blown sideways through divergence-free curl noise (`particles.CurlNoise`,
Bridson et al. 2007). A storm is heavy rain plus lightning: a few flashes per shot at seeded frames,
each a short flicker envelope of full-frame light (premultiplied additive: colour with no coverage, so
it brightens whatever lies beneath) and a jagged bolt from the top of the frame to the horizon made by
midpoint displacement with a branch or two. Fog is the set plate's depth haze, not a layer here; inside
(an interior set) there is no rain or snow, only the flashes through the windows.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from talos_assets.agents.effects.lightning import Lightning
from talos_assets.agents.effects.particles import CurlNoise
from talos_assets.world_spec import Weather

_SHIFT = 4
_RAIN_RGB = np.array([0.62, 0.68, 0.78], np.float32)
_SNOW_RGB = np.array([0.93, 0.95, 1.0], np.float32)
_LEAF_RGB = (np.array([0.45, 0.22, 0.04], np.float32), np.array([0.30, 0.12, 0.03], np.float32),
             np.array([0.22, 0.25, 0.05], np.float32))
_DUST_RGB = np.array([0.50, 0.38, 0.22], np.float32)


def _polylines(lines: np.ndarray, width: int, height: int, thickness: int) -> np.ndarray:
    """Coverage in [0, 1] of anti-aliased segments given as (N, 2, 2) pixel coordinates."""
    canvas = np.zeros((height, width), np.uint8)
    if len(lines):
        pts = list(np.round(lines * (1 << _SHIFT)).astype(np.int32))
        cv2.polylines(canvas, pts, False, 255, thickness, cv2.LINE_AA, _SHIFT)
    return canvas.astype(np.float32) * (1.0 / 255.0)


def _splat(pos: np.ndarray, width: int, height: int, sigma: float) -> np.ndarray:
    """Soft round dots of peak ~1 at pixel positions pos (N, 2)."""
    acc = np.zeros((height, width), np.float32)
    inside = (pos[:, 0] >= 0) & (pos[:, 0] < width) & (pos[:, 1] >= 0) & (pos[:, 1] < height)
    p = pos[inside].astype(np.int64)
    np.add.at(acc, (p[:, 1], p[:, 0]), 1.0)
    if sigma > 0.3:
        acc = cv2.GaussianBlur(acc, (0, 0), sigma) * np.float32(2.0 * math.pi * sigma * sigma)
    return np.clip(acc, 0.0, 1.0)


def _cover(alpha: np.ndarray, a: np.ndarray) -> None:
    """alpha = a over alpha, in place (one colour: coverage alone composites)."""
    alpha *= 1.0 - a
    alpha += a


def _tinted(alpha: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA of one colour at coverage alpha."""
    r, g, b = (float(c) for c in rgb)
    # contiguous planes merged by OpenCV: a few times faster than filling strided colour channels
    return cv2.merge([alpha * np.float32(r), alpha * np.float32(g), alpha * np.float32(b), alpha])


class Rain:
    """Streaks falling at the wind's angle; `strength` 1 is steady rain, 2 a downpour."""

    def __init__(self, aspect: float, seed: int, strength: float = 1.0, wind: float = 0.2, color=None) -> None:
        rng = self.rng = np.random.default_rng(seed)
        n = int(420 * strength * aspect / 1.78)
        self.aspect, self.wind = aspect, wind
        self.z = rng.uniform(0.15, 1.0, n)  # depth: 1 = near
        self.pos = np.stack([rng.uniform(-0.3, aspect + 0.1, n), rng.uniform(-0.1, 1.05, n)], axis=1)
        vy = 1.6 + 1.8 * self.z
        self.vel = np.stack([wind * vy, vy], axis=1)
        self.color = _RAIN_RGB if color is None else np.asarray(color, np.float32)

    def step(self, dt: float) -> None:
        self.pos += self.vel * dt
        gone = self.pos[:, 1] > 1.05
        if gone.any():
            k = int(gone.sum())
            self.pos[gone, 1] -= 1.15
            self.pos[gone, 0] = self.rng.uniform(-0.3, self.aspect + 0.1, k)
        self.pos[:, 0] = (self.pos[:, 0] + 0.3) % (self.aspect + 0.4) - 0.3

    def draw(self, width: int, height: int) -> np.ndarray:
        alpha = np.zeros((height, width), np.float32)
        shutter = 0.03  # seconds of fall drawn as a streak
        for near, strength, thick in ((False, 0.28, 1), (True, 0.5, max(1, round(height / 360)))):
            sel = (self.z >= 0.55) == near
            head = self.pos[sel] * height
            tail = head - self.vel[sel] * height * shutter
            _cover(alpha, strength * _polylines(np.stack([tail, head], axis=1), width, height, thick))
        return _tinted(alpha, self.color)


class Snow:
    """Flakes drifting down and swaying, near ones larger and softer."""

    def __init__(self, aspect: float, seed: int, strength: float = 1.0, wind: float = 0.03, color=None) -> None:
        rng = self.rng = np.random.default_rng(seed)
        n = int(380 * strength * aspect / 1.78)
        self.aspect, self.wind = aspect, wind
        self.z = rng.uniform(0.2, 1.0, n)
        self.base = np.stack([rng.uniform(0, aspect, n), rng.uniform(-0.05, 1.05, n)], axis=1)
        self.fall = 0.05 + 0.12 * self.z
        self.amp = rng.uniform(0.006, 0.02, n) * (0.5 + self.z)
        self.freq = rng.uniform(0.4, 1.2, n) * 2 * math.pi
        self.phase = rng.uniform(0, 2 * math.pi, n)
        self.time = 0.0
        self.color = _SNOW_RGB if color is None else np.asarray(color, np.float32)

    def step(self, dt: float) -> None:
        self.time += dt
        self.base[:, 1] += self.fall * dt
        self.base[:, 0] += self.wind * (0.5 + self.z) * dt
        gone = self.base[:, 1] > 1.03
        self.base[gone, 1] -= 1.08
        self.base[:, 0] %= self.aspect

    def draw(self, width: int, height: int) -> np.ndarray:
        alpha = np.zeros((height, width), np.float32)
        x = self.base[:, 0] + self.amp * np.sin(self.freq * self.time + self.phase)
        pos = np.stack([x, self.base[:, 1]], axis=1) * height
        px = height / 360.0
        for lo, hi, strength in ((0.2, 0.5, 0.55), (0.5, 0.8, 0.75), (0.8, 1.01, 0.9)):
            sel = (self.z >= lo) & (self.z < hi)
            _cover(alpha, strength * _splat(pos[sel], width, height, (0.4 + 2.0 * (lo + hi) / 2) * px))
        return _tinted(alpha, self.color)


class Wind:
    """Dust motes and tumbling leaves blown sideways, eddying in curl noise."""

    def __init__(self, aspect: float, seed: int, strength: float = 1.0) -> None:
        rng = self.rng = np.random.default_rng(seed)
        n_dust, n_leaf = int(260 * strength * aspect / 1.78), int(28 * strength * aspect / 1.78)
        self.aspect = aspect
        self.n_dust = n_dust
        n = n_dust + n_leaf
        self.z = rng.uniform(0.2, 1.0, n)
        # leaves keep low (they blow along the ground), dust fills the air
        y = np.concatenate([rng.uniform(0.2, 1.0, n_dust), rng.uniform(0.45, 0.98, n_leaf)])
        self.pos = np.stack([rng.uniform(0, aspect, n), y], axis=1)
        self.speed = (0.45 + 0.7 * self.z) * strength ** 0.5
        self.angle = rng.uniform(0, 2 * math.pi, n)
        self.spin = rng.uniform(-9.0, 9.0, n)
        self.shade = rng.integers(0, len(_LEAF_RGB), n)
        self.noise = CurlNoise(rng, scale=0.35, speed=0.35)
        self.time = 0.0

    def step(self, dt: float) -> None:
        vx, vy = self.noise(self.pos[:, 0], self.pos[:, 1], self.time)
        self.pos[:, 0] += (self.speed + vx) * dt
        self.pos[:, 1] += (0.5 * vy + 0.03) * dt
        self.pos[:, 0] %= self.aspect + 0.05
        self.pos[:, 1] = np.clip(self.pos[:, 1], 0.05, 1.0)
        self.angle += self.spin * dt
        self.time += dt

    def draw(self, width: int, height: int) -> np.ndarray:
        out = np.zeros((height, width, 4), np.float32)
        dust = self.pos[: self.n_dust] * height
        a = 0.35 * _splat(dust, width, height, max(0.5, 1.2 * height / 360))
        out[..., :3] = a[..., None] * _DUST_RGB
        out[..., 3] = a
        leaves = slice(self.n_dust, None)
        half = 0.011 * (0.6 + self.z[leaves]) * height
        d = np.stack([np.cos(self.angle[leaves]), np.sin(self.angle[leaves])], axis=1) * half[:, None]
        c = self.pos[leaves] * height
        segs = np.stack([c - d, c + d], axis=1)
        thick = max(1, round(height / 200))
        for i, rgb in enumerate(_LEAF_RGB):
            a = 0.95 * _polylines(segs[self.shade[leaves] == i], width, height, thick)
            ys, xs = np.nonzero(a)  # leaves are sparse: composite only where they are
            ai = a[ys, xs][:, None]
            out[ys, xs] = out[ys, xs] * (1.0 - ai) + ai * np.append(rgb, 1.0).astype(np.float32)
        return out


def over_into(dst: np.ndarray, top: np.ndarray) -> np.ndarray:
    """dst = top over dst, in place (premultiplied)."""
    dst *= 1.0 - top[..., 3:4]
    dst += top
    return dst


# what each weather brings as a moving layer; clear, cloudy and fog bring none (fog is the plate's haze)
WEATHER_LAYERS: dict[Weather, tuple[str, ...]] = {
    Weather.rain: ("rain",), Weather.storm: ("rain", "lightning"), Weather.snow: ("snow",), Weather.wind: ("wind",),
}


class WeatherLayer:
    """A shot's weather, frame after frame: `frame(f)` for f = 0, 1, ... in order.

    Deterministic by seed; `kinds` names what it draws (empty = no layer). Inside an interior set there
    is no rain, snow or wind, and a storm is only its flashes, dimmer, with no bolt.
    """

    def __init__(self, weather: Weather | str, width: int, height: int, n_frames: int, fps: int, seed: int,
                 *, horizon: float = 0.6, interior: bool = False) -> None:
        self.weather = Weather(weather)
        self.width, self.height, self.fps = width, height, fps
        aspect = width / height
        kinds = WEATHER_LAYERS.get(self.weather, ())
        if interior:
            kinds = tuple(k for k in kinds if k == "lightning")
        self.kinds: tuple[str, ...] = kinds
        seeds = np.random.SeedSequence([seed, 0x57A7]).spawn(4)
        self.systems: list[Rain | Snow | Wind] = []
        if "rain" in kinds:
            storm = self.weather == Weather.storm
            self.systems.append(Rain(aspect, seeds[0], strength=1.6 if storm else 1.0, wind=0.4 if storm else 0.15))
        if "snow" in kinds:
            self.systems.append(Snow(aspect, seeds[1]))
        if "wind" in kinds:
            self.systems.append(Wind(aspect, seeds[2]))
        self.lightning = (Lightning(n_frames, fps, int(seeds[3].generate_state(1)[0]), aspect, horizon,
                                    bolt=not interior, brightness=0.15 if interior else 0.3)
                          if "lightning" in kinds else None)
        self._next = 0

    @property
    def active(self) -> bool:
        return bool(self.kinds)

    @property
    def flash_frames(self) -> list[int]:
        return self.lightning.flash_frames if self.lightning is not None else []

    def frame(self, f: int) -> np.ndarray:
        """Premultiplied linear RGBA (height, width, 4) of frame f (frames are drawn in order)."""
        if f != self._next:
            raise ValueError(f"weather frames are drawn in order: expected frame {self._next}, got {f}")
        self._next += 1
        out = None
        for system in self.systems:
            if f > 0:
                system.step(1.0 / self.fps)
            layer = system.draw(self.width, self.height)
            out = layer if out is None else over_into(out, layer)
        if self.lightning is not None:
            flash = self.lightning.draw(f, self.width, self.height)
            out = flash if out is None else over_into(out, flash)
        return out if out is not None else np.zeros((self.height, self.width, 4), np.float32)
