"""The sky of a setting: where the sun or moon stands, what colour the sky and the light are, how
bright the world is, for a time of day and a weather.

One function, `sky_state`, serves both the plate painter (which draws the disc, the gradient and the
stars) and Raygen's key light (which comes from the same disc), so a character is lit from where the
picture shows the sun. The sun follows a simple day arc across the frame, as a painter stages it:
low on the left at dawn, high at noon, low on the right at dusk; the moon stands high at night.
Colours follow daylight practice: warm (about 2500-3500 K) near sunrise and sunset, neutral at noon,
a cool blue night at a fraction of day exposure; weather greys and darkens the sky and softens the
light (more ambient, less direct).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from talos_assets.agents.frames import hex_to_linear
from talos_assets.world_spec import TimeOfDay, Weather


@dataclass(frozen=True)
class SkyState:
    """A setting's sky and light. Positions are frame fractions (x right, y down); colours linear RGB."""

    body: str            # "sun" or "moon"
    x: float             # disc centre
    height: float        # disc height above the horizon as a fraction of the sky's height (0..1)
    elevation_deg: float  # the body's altitude, for the key light's modelling
    zenith: np.ndarray   # sky colour at the top of the frame
    horizon_sky: np.ndarray  # sky colour at the horizon
    light: np.ndarray    # colour of direct light (sun or moon), times its strength
    ambient: np.ndarray  # colour of the sky's fill light
    exposure: float      # overall brightness of the world, 1 = noon
    stars: float         # star visibility 0..1
    clouds: float        # cloud cover 0..1 added by the weather
    cloud_dark: float    # 0 = white clouds, 1 = storm clouds
    disc: float          # visibility of the sun or moon disc 0..1
    fog: float           # depth-haze density (aerial perspective at 0.25, thick fog at 2.6)
    wet: float           # rain on the ground 0..1
    snow: float          # snow cover 0..1
    wind: float          # wind strength 0..1

    def y(self, horizon: float) -> float:
        """The disc centre's row (fraction of frame height) for a set whose horizon is at `horizon`."""
        return horizon * (1.0 - self.height) + 0.04 * self.height

    def azimuth_deg(self, horizon: float) -> float:
        """Screen direction the light comes FROM (0 = right, 90 = above, 180 = left), as KeyLight uses.

        From a figure in the middle of the frame towards the disc; the frame's aspect (16:9) stretches x."""
        dx = (self.x - 0.5) * 16.0 / 9.0
        dy = max(horizon - self.y(horizon), 0.02) + 0.15  # the figure's chest stands below the horizon
        return math.degrees(math.atan2(dy, dx)) % 360.0


def _c(hex_color: str) -> np.ndarray:
    return hex_to_linear(hex_color)


# time: (body, x, height above horizon 0..1, elevation deg, zenith, horizon sky, light, light strength,
#        ambient, exposure, stars)
_TIMES: dict[TimeOfDay, tuple] = {
    TimeOfDay.dawn: ("sun", 0.16, 0.2, 5.0, "#4d5f99", "#f7b48c", "#ffb87a", 0.9, "#7f86b0", 0.62, 0.15),
    TimeOfDay.morning: ("sun", 0.28, 0.45, 25.0, "#4f8fdc", "#cfe4f4", "#fff0d6", 1.0, "#9cb8dc", 0.9, 0.0),
    TimeOfDay.noon: ("sun", 0.56, 0.92, 70.0, "#3d7bd4", "#bcdcf4", "#fffaf0", 1.05, "#a9c6e8", 1.0, 0.0),
    TimeOfDay.afternoon: ("sun", 0.72, 0.55, 35.0, "#4a86d6", "#d6e4ee", "#ffeccc", 1.0, "#a2bcda", 0.93, 0.0),
    TimeOfDay.dusk: ("sun", 0.82, 0.2, 4.0, "#39407a", "#ff9656", "#ff9a58", 0.85, "#8a6f9a", 0.58, 0.25),
    TimeOfDay.night: ("moon", 0.7, 0.72, 40.0, "#02050f", "#0d1a36", "#a8c0ff", 0.4, "#22305c", 0.26, 1.0),
}

# weather: (grey mix of the sky, sky darkening, exposure factor, direct-light factor, clouds, cloud
#           darkness, disc visibility, fog, wet, snow, wind)
_WEATHER: dict[Weather, tuple] = {
    Weather.clear: (0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.25, 0.0, 0.0, 0.0),
    Weather.cloudy: (0.45, 0.9, 0.85, 0.45, 0.65, 0.25, 0.35, 0.5, 0.0, 0.0, 0.1),
    Weather.rain: (0.7, 0.7, 0.7, 0.25, 0.85, 0.55, 0.0, 0.6, 1.0, 0.0, 0.3),
    Weather.storm: (0.75, 0.45, 0.5, 0.15, 1.0, 0.9, 0.0, 0.8, 1.0, 0.0, 0.8),
    Weather.snow: (0.7, 0.95, 0.9, 0.3, 0.8, 0.15, 0.15, 0.9, 0.0, 1.0, 0.1),
    Weather.fog: (0.6, 1.0, 0.9, 0.35, 0.0, 0.0, 0.3, 2.6, 0.2, 0.0, 0.0),
    Weather.wind: (0.1, 1.0, 1.0, 0.9, 0.35, 0.1, 1.0, 0.25, 0.0, 0.0, 1.0),
}


def sky_state(time_of_day: TimeOfDay | str = TimeOfDay.dusk, weather: Weather | str = Weather.clear) -> SkyState:
    """The sky and light for a time of day and weather (no randomness: the key light must match)."""
    tod, wx = TimeOfDay(time_of_day), Weather(weather)
    body, x, height, elev, zen, hor, light, strength, amb, exposure, stars = _TIMES[tod]
    grey_mix, darken, exp_f, direct_f, clouds, cloud_dark, disc, fog, wet, snow, wind = _WEATHER[wx]
    zenith, horizon_sky = _c(zen), _c(hor)
    # Weather greys the sky towards its own luminance (overcast is colourless), then darkens it.
    lum = lambda c: float(c @ np.array([0.2126, 0.7152, 0.0722], np.float32))  # noqa: E731
    grey = lambda c: c + (np.full(3, lum(c) * 1.1, np.float32) - c) * grey_mix  # noqa: E731
    return SkyState(
        body=body, x=x, height=height, elevation_deg=elev,
        zenith=grey(zenith) * darken, horizon_sky=grey(horizon_sky) * darken,
        light=_c(light) * np.float32(strength * direct_f), ambient=grey(_c(amb)) * np.float32(0.55 + 0.45 * (1 - direct_f)),
        exposure=exposure * exp_f, stars=stars * (1.0 - clouds), clouds=clouds, cloud_dark=cloud_dark,
        disc=disc, fog=fog, wet=wet, snow=snow, wind=wind,
    )


def with_season(sky: SkyState, season: str | None) -> SkyState:
    """Winter light is lower and paler; the ground's colours are tinted by sets/materials.py."""
    if season == "winter":
        return replace(sky, exposure=sky.exposure * 0.95, light=sky.light * np.array([0.95, 0.97, 1.0], np.float32))
    return sky
