"""Raygen: 2.5D cel lighting for flat-coloured characters, cast shadows, and the key light of a shot.

A drawn character has no geometry, so lighting reconstructs a plausible one from the drawing itself,
the way "Lumo"-style tools (Johnston 2002, "Lumo: illumination for cel animation") do: each closed
region is inflated into a pillow whose height comes from the distance transform to the region border
(`cv2.distanceTransform`). With d the distance to the border and R the region's largest inscribed
radius, the height profile h(d) = R·sqrt(1 - (1 - d/R)²) is a circular arc, so a disc becomes a
hemisphere; its normal follows in closed form from ∇h = h'(d)·∇d, i.e. the in-plane component is
-∇d/|∇d|·(1 - d/R) and the z component is what is left for unit length. A Lambert term against the
key-light direction is quantised into three cel tones (shadow, base, highlight) with a one-step
soft edge for anti-aliasing; the shadow tone multiplies towards a cool shadow colour (ambient), and
a rim light is added on the silhouette band whose outward normal faces away from the key light.
`drop_shadow` casts the character's alpha onto the ground plane (a shear + squash anchored at the
ground line, away from the light) with a blur that grows with distance from the contact.
`light_for_setting` places the key where the set's plate shows its light: the sun or moon of the
time of day (the same `sets.sky` position the plate paints) outdoors, the strongest named source
(lamp, fire, window) indoors, with the emotion's mood on top (`light_for_emotion`). The plates
themselves are painted by the set library (agents/sets). All layers are float32 (H, W, 4), linear
light, premultiplied alpha.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from talos_assets.agents.frames import hex_to_linear, linear_to_srgb
from talos_assets.agents.sets import SetSpec, interior_lights, setting_sky
from talos_assets.spec import EMOTION_VA, HEX_RE, Emotion
from talos_assets.world_spec import Setting

# Cool blue-violet that shadows multiply towards (straight linear RGB, max channel 1): the classic
# cel convention that shade is not just darker but bluer, complementary to a warm key.
SHADOW_TINT = np.array([0.55, 0.62, 1.0], dtype=np.float32)
# Cel tone levels (multiples of the key light) and the Lambert thresholds between them.
TONE_SHADOW, TONE_BASE, TONE_HIGHLIGHT = 0.0, 1.0, 1.22
LAMBERT_SHADOW, LAMBERT_HIGHLIGHT = 0.30, 0.80
TONE_EDGE = 0.04  # Lambert-width of the tone transition: ~1 px of anti-aliasing, still a hard cel edge


class KeyLight(BaseModel):
    """The key light of a shot.

    azimuth_deg: direction the light comes FROM, in the picture plane, counter-clockwise on screen:
    0 = from the right, 90 = from above, 180 = from the left, 270 = from below.
    elevation_deg: angle out of the picture plane towards the viewer: 0 = grazing (pure side light),
    90 = frontal (from the camera, no modelling).
    color: sRGB hex of the light; intensity scales the key; ambient is the share of light that fills
    the shadows (through the cool shadow tint); rim_strength scales the back/rim light.
    """

    model_config = ConfigDict(extra="forbid")
    azimuth_deg: float = 45.0
    elevation_deg: float = Field(35.0, ge=0.0, le=90.0)
    color: str = "#fff1dc"
    intensity: float = Field(1.0, ge=0.0, le=4.0)
    ambient: float = Field(0.35, ge=0.0, le=1.0)
    rim_strength: float = Field(0.5, ge=0.0, le=2.0)

    @field_validator("color")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not HEX_RE.match(v):
            raise ValueError(f"'{v}' is not a #rrggbb colour")
        return v if v.startswith("#") else f"#{v}"

    def direction(self) -> np.ndarray:
        """Unit vector towards the light in image axes (x right, y DOWN, z towards the viewer)."""
        az, el = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        return np.array([math.cos(el) * math.cos(az), -math.cos(el) * math.sin(az), math.sin(el)], np.float32)

    def rgb(self) -> np.ndarray:
        """Linear light colour scaled by intensity."""
        return hex_to_linear(self.color) * np.float32(self.intensity)


# Where the key sits for each emotion (azimuth, elevation): staging conventions from live action —
# high warm three-quarter light for joy, low side light for anger, under-light for fear, top light
# for awe, a low back-side light for sadness.
_EMOTION_KEY: dict[Emotion, tuple[float, float]] = {
    Emotion.joy: (60.0, 50.0),
    Emotion.sadness: (150.0, 20.0),
    Emotion.anger: (10.0, 15.0),
    Emotion.fear: (280.0, 25.0),
    Emotion.surprise: (75.0, 45.0),
    Emotion.calm: (120.0, 45.0),
    Emotion.determination: (30.0, 25.0),
    Emotion.awe: (90.0, 40.0),
}
_WARM = np.array([1.0, 0.84, 0.62], dtype=np.float32)  # sRGB
_COOL = np.array([0.66, 0.78, 1.0], dtype=np.float32)
_NEUTRAL = np.array([1.0, 0.97, 0.92], dtype=np.float32)
_RED = np.array([1.0, 0.55, 0.42], dtype=np.float32)


def _to_hex(srgb: np.ndarray) -> str:
    c = np.clip(np.round(np.asarray(srgb) * 255.0), 0, 255).astype(int)
    return "#{:02x}{:02x}{:02x}".format(*c)


def light_for_emotion(emotion: Emotion | str, valence: float | None = None, arousal: float | None = None) -> KeyLight:
    """A key light for an emotion on the valence/arousal circumplex.

    Placement comes from the emotion; colour leans warm for positive valence and cool for negative
    (anger is pushed towards red); high arousal means a harder, stronger key with less fill and more
    rim, low arousal a softer key with more fill. Missing valence/arousal default to EMOTION_VA.
    """
    emo = Emotion(emotion)
    v0, a0 = EMOTION_VA[emo]
    v = float(np.clip(v0 if valence is None else valence, -1.0, 1.0))
    a = float(np.clip(a0 if arousal is None else arousal, -1.0, 1.0))
    az, el = _EMOTION_KEY[emo]
    color = _NEUTRAL + max(v, 0.0) * (_WARM - _NEUTRAL) + max(-v, 0.0) * (_COOL - _NEUTRAL)
    if emo == Emotion.anger:
        color = 0.5 * color + 0.5 * _RED
    return KeyLight(
        azimuth_deg=az,
        elevation_deg=float(np.clip(el - 10.0 * a, 5.0, 85.0)),  # excited -> lower, harder modelling
        color=_to_hex(color),
        intensity=float(np.clip(1.0 + 0.25 * a + 0.1 * v, 0.5, 1.5)),
        ambient=float(np.clip(0.35 - 0.12 * a + 0.05 * v, 0.12, 0.6)),
        rim_strength=float(np.clip(0.45 + 0.4 * a - 0.15 * v, 0.1, 1.2)),
    )


def _hex_of_linear(rgb: np.ndarray) -> str:
    """A light colour (linear RGB, any strength) as sRGB hex, normalised so its brightest channel is 1."""
    rgb = np.asarray(rgb, np.float32)
    return _to_hex(linear_to_srgb(rgb / max(float(rgb.max()), 1e-6)))


def _source_light(spec: SetSpec, setting: Setting) -> tuple[float, float, str, float, float, float]:
    """(azimuth, elevation, colour, intensity, ambient, rim) of the light the set shows, before the mood."""
    sky = setting_sky(setting)
    if spec.interior:
        lights = interior_lights(spec, setting.light_sources, sky)
        if lights:
            key = max(lights, key=lambda s: float(s.rgb.sum()))
            # from the middle of the stage (chest height, just below the floor line) towards the source
            dx, dy = (key.x - 0.5) * 16.0 / 9.0, (spec.horizon + 0.05) - key.y
            az = math.degrees(math.atan2(dy, dx)) % 360.0
            strength = float(key.rgb.max())
            return az, 25.0, _hex_of_linear(key.rgb), float(np.clip(0.55 + 0.45 * strength, 0.4, 1.3)), 0.22, 0.6
        return 90.0, 40.0, "#fff1dc", 0.8, 0.4, 0.4
    direct, fill = float(sky.light.max()), float(sky.ambient.max())
    share = direct / max(direct + fill, 1e-6)  # overcast: little direct light, soft and flat
    night = sky.body == "moon"
    return (
        sky.azimuth_deg(spec.horizon),
        float(np.clip(12.0 + 0.55 * sky.elevation_deg, 8.0, 60.0)),
        _hex_of_linear(sky.light),
        float(np.clip(0.3 + 0.75 * sky.exposure, 0.3, 1.3)),
        float(np.clip(0.6 - 0.4 * share, 0.15, 0.6)),
        1.0 if night else float(np.clip(0.3 + 0.5 * (1.0 - sky.height), 0.2, 0.9)),  # night: a cool moonlit rim
    )


def light_for_setting(setting: Setting, spec: SetSpec, emotion: Emotion | str = Emotion.calm,
                      valence: float | None = None, arousal: float | None = None) -> KeyLight:
    """The shot's key light: from where the set's plate shows the light, coloured by it, with the mood.

    Outdoors the key comes from the sun or moon at the position `sets.sky` paints it (low left at
    dawn, high at noon, low right at dusk, the moon at night), coloured by the time of day and
    dimmer and softer in dull weather; night is dark with a strong cool rim. Indoors it comes from the
    strongest named source (lamp, fire, window) on its side of the room. The emotion keeps its
    contribution from `light_for_emotion`: arousal hardens or softens the key and the rim, valence
    warms or cools a fifth of the colour, and the elevation leans the emotion's way.
    """
    az, el, color, intensity, ambient, rim = _source_light(spec, setting)
    mood = light_for_emotion(emotion, valence, arousal)
    base_mood = light_for_emotion(Emotion.calm, 0.0, 0.0)
    mixed = 0.8 * hex_to_linear(color) + 0.2 * hex_to_linear(mood.color)
    return KeyLight(
        azimuth_deg=round(az, 2),
        elevation_deg=float(np.clip(el + 0.3 * (mood.elevation_deg - base_mood.elevation_deg), 5.0, 85.0)),
        color=_to_hex(linear_to_srgb(mixed)),
        intensity=float(np.clip(intensity * mood.intensity / base_mood.intensity, 0.2, 2.0)),
        ambient=float(np.clip(ambient + (mood.ambient - base_mood.ambient), 0.08, 0.7)),
        rim_strength=float(np.clip(rim + (mood.rim_strength - base_mood.rim_strength), 0.1, 1.6)),
    )


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _bbox(mask: np.ndarray, margin: int) -> tuple[slice, slice] | None:
    """Bounding box of a mask grown by `margin`, so the heavy per-pixel work skips empty stage."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    h, w = mask.shape
    return (
        slice(max(rows[0] - margin, 0), min(rows[-1] + margin + 1, h)),
        slice(max(cols[0] - margin, 0), min(cols[-1] + margin + 1, w)),
    )


def _ink_width(ink: np.ndarray) -> float:
    """Typical stroke width of a line drawing in pixels: area / (boundary length / 2).

    A stroke of width t and length L has area t·L and about 2·L boundary pixels, so this holds for
    any mix of curves without tracing them; it is what the rim band has to step over.
    """
    ink_u8 = ink.astype(np.uint8)
    area = int(ink_u8.sum())
    if area == 0:
        return 0.0
    core = cv2.erode(ink_u8, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    boundary = area - int(core.sum())
    return 2.0 * area / max(boundary, 1)


def region_normals(line: np.ndarray, alpha: np.ndarray, ink_threshold: float = 0.5) -> np.ndarray:
    """Inflated-region normals (H, W, 3), image axes (x right, y down, z to viewer); (0,0,1) off-character.

    Each character region is inflated on its own, with its holes filled first: an eye or a badge
    drawn inside the head is a region of its own, and its outline must not dent the head's pillow.
    The loop runs over regions (tens per character) and works on each region's bounding box only.
    """
    paper = (np.asarray(line) < ink_threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4, ltype=cv2.CV_32S)
    # A region is part of the character when most of it is covered by the layer's alpha.
    area = np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    covered = np.bincount(labels.ravel(), weights=(np.asarray(alpha) > 0.5).ravel(), minlength=n) / area
    normals = np.zeros(paper.shape + (3,), dtype=np.float32)
    normals[..., 2] = 1.0
    for k in np.flatnonzero(covered > 0.5):
        if k == 0 or area[k] < 9:  # label 0 is ink; specks from line crossings stay flat
            continue
        x, y, w, h = stats[k, :4]
        # One pixel of padding so the distance transform sees a border all round the region.
        pad = np.zeros((h + 2, w + 2), np.uint8)
        region = labels[y : y + h, x : x + w] == k
        pad[1:-1, 1:-1] = region
        # Fill holes: flood the outside of the region from the padded corner; what stays unreached
        # and is not region is enclosed by it.
        outside = 1 - pad
        cv2.floodFill(outside, None, (0, 0), 2)
        filled = (outside != 2).astype(np.uint8)
        dist = cv2.distanceTransform(filled, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        radius = max(float(dist.max()), 1.0)
        # A light blur removes the medial-axis kink of the distance field before differentiation.
        smooth = cv2.GaussianBlur(dist, (0, 0), 1.0 + 0.02 * radius)
        # The region border is pixel-stepped (thresholded anti-aliased ink), which leaves streaks in
        # the gradient direction near it; averaging the gradient vectors over a few percent of the
        # radius straightens them without moving the terminator.
        vsig = 1.0 + 0.04 * radius
        gx = cv2.GaussianBlur(cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3), (0, 0), vsig)[1:-1, 1:-1][region]
        gy = cv2.GaussianBlur(cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3), (0, 0), vsig)[1:-1, 1:-1][region]
        gnorm = np.sqrt(gx * gx + gy * gy) + 1e-6
        # Circular-arc height h(d) = R·sqrt(1 − (1 − d/R)²): the normal's in-plane part is (1 − d/R),
        # leaning outwards (−∇d) because height rises towards the inside.
        tilt = np.clip(1.0 - dist[1:-1, 1:-1][region] / radius, 0.0, 1.0)
        view = normals[y : y + h, x : x + w]
        view[region] = np.stack([-gx / gnorm * tilt, -gy / gnorm * tilt, np.sqrt(1.0 - tilt * tilt)], axis=1)
    return normals


def light_character(colored: np.ndarray, line: np.ndarray, light: KeyLight, ink_threshold: float = 0.5,
                    scale: float = 1.0) -> np.ndarray:
    """Cel-light a coloured character layer; returns a new layer with the same alpha.

    Shading factor per pixel: ambient · SHADOW_TINT + (1 − ambient) · tone · light colour, with tone
    the quantised Lambert term of the inflated-region normals. Ink is not lit (lines keep their
    colour): the factor is blended back to 1 by the ink coverage. Rim light is added on the silhouette
    band facing away from the key.
    """
    colored = np.asarray(colored, dtype=np.float32)
    line = np.asarray(line, dtype=np.float32)
    if colored.shape[:2] != line.shape:
        raise ValueError(f"layer {colored.shape} and line art {line.shape} differ in size")
    out = colored.copy()
    alpha_full = colored[..., 3]
    h, w = line.shape
    rim_width = max(2.0, 0.012 * min(h, w) * scale)  # `scale`: the camera's zoom the figure was drawn at
    box = _bbox(alpha_full > 1e-4, margin=int(rim_width) + 4)
    if box is None:
        return out
    ln, alpha = line[box], alpha_full[box]
    col = colored[box].copy()  # contiguous, so its pixels can be addressed by flat index
    flat = col.reshape(-1, 4)
    # Shading runs on the character's pixels only (typically a small share of the bounding box).
    idx = np.flatnonzero(alpha.ravel() > 1e-4)

    normals = region_normals(ln, alpha, ink_threshold).reshape(-1, 3)[idx]
    ldir = light.direction()
    # Explicit dot product: numpy's (N, 3) @ (3,) float32 path is several times slower.
    lam = np.clip(normals[:, 0] * ldir[0] + normals[:, 1] * ldir[1] + normals[:, 2] * ldir[2], 0.0, 1.0)
    # Three cel tones: shadow below LAMBERT_SHADOW, base, highlight above LAMBERT_HIGHLIGHT.
    to_base = _smoothstep(LAMBERT_SHADOW - TONE_EDGE, LAMBERT_SHADOW + TONE_EDGE, lam)
    to_high = _smoothstep(LAMBERT_HIGHLIGHT - TONE_EDGE, LAMBERT_HIGHLIGHT + TONE_EDGE, lam)
    tone = TONE_SHADOW + (TONE_BASE - TONE_SHADOW) * to_base + (TONE_HIGHLIGHT - TONE_BASE) * to_high

    amb = np.float32(light.ambient)
    factor = amb * SHADOW_TINT + (1.0 - amb) * tone[:, None] * light.rgb()
    # Ink keeps its own colour: blend the factor towards 1 by coverage (fill under the ink is lit).
    cov = np.clip(ln.ravel()[idx], 0.0, 1.0)[:, None]
    factor = factor * (1.0 - cov) + cov
    px = np.take(flat, idx, axis=0)  # (N, 4); take() is much faster than flat[idx, :3]
    rgb = px[:, :3] * factor
    a_px = px[:, 3:4]

    # Rim: d = distance inside the silhouette, outward normal = −∇d, lit where it faces away from
    # the key (outward normal · light < 0, i.e. ∇d · light > 0).
    if light.rim_strength > 0:
        dsil = cv2.distanceTransform((alpha > 0.5).astype(np.uint8), cv2.DIST_L2, 5)
        smooth = cv2.GaussianBlur(dsil, (0, 0), 1.5)
        gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3).ravel()[idx]
        gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3).ravel()[idx]
        lxy = ldir[:2] / (np.linalg.norm(ldir[:2]) + 1e-6)
        away = np.clip((gx * lxy[0] + gy * lxy[1]) / (np.sqrt(gx * gx + gy * gy) + 1e-6), 0.0, 1.0)
        # The silhouette is the outer edge of the outline ink; the rim sits on the fill just inside it.
        inner = _ink_width(ln >= ink_threshold)
        band = 1.0 - _smoothstep(inner + 0.5 * rim_width, inner + rim_width, dsil.ravel()[idx])
        # Grazing keys (low elevation) give the strongest rims, frontal keys none; ink is not lit.
        rim = light.rim_strength * math.cos(math.radians(light.elevation_deg)) * band * (away * np.sqrt(away))
        rim *= 1.0 - cov[:, 0]
        rgb += (rim[:, None] * a_px) * light.rgb()

    px[:, :3] = np.clip(rgb, 0.0, a_px)
    flat[idx] = px
    out[box] = col
    return out


def drop_shadow(
    colored: np.ndarray, light: KeyLight, ground_y: float, opacity: float = 0.55, softness: float = 1.0,
    scale: float = 1.0,
) -> np.ndarray:
    """A soft cast shadow layer for a character standing on the ground line `ground_y`.

    `ground_y` is the contact line as a fraction of the frame height (0 = top). A point h pixels
    above the ground lands at x + shear·h, ground − 0.35·h: the ground plane is foreshortened
    (squash 0.35) and the shadow leans away from the light horizontally (shear = −cos(azimuth) ·
    (0.3 + 1.2·cos(elevation)), longer for grazing light). The warped alpha is blurred more the
    farther it is from the contact (penumbra widening), tinted a dark cool colour. `scale` is the
    camera's zoom a framed figure was drawn at: blur and penumbra grow with it, as seen through it.
    """
    colored = np.asarray(colored, dtype=np.float32)
    h, w = colored.shape[:2]
    alpha = np.ascontiguousarray(colored[..., 3])
    g = float(ground_y) * h
    az, el = math.radians(light.azimuth_deg), math.radians(light.elevation_deg)
    shear = -math.cos(az) * (0.3 + 1.2 * math.cos(el))
    squash = 0.35
    # Forward map (x, y) -> (x + shear·(g − y), g − squash·(g − y)), anchored at the ground line.
    m = np.array([[1.0, -shear, shear * g], [0.0, squash, (1.0 - squash) * g]], dtype=np.float64)
    cast = cv2.warpAffine(alpha, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    base = max(0.5, 0.004 * h * softness * scale)
    near = cv2.GaussianBlur(cast, (0, 0), base)
    # The wide penumbra is smooth, so blur it on a quarter-size copy (16x fewer pixels) and upsample.
    if min(h, w) >= 64:
        small = cv2.pyrDown(cv2.pyrDown(cast))
        far = cv2.resize(cv2.GaussianBlur(small, (0, 0), base), (w, h), interpolation=cv2.INTER_LINEAR)
    else:
        far = cv2.GaussianBlur(cast, (0, 0), base * 4.0)
    # Penumbra grows with the distance above the contact line on the ground plane.
    rows = np.arange(h, dtype=np.float32)[:, None]
    reach = max(1.0, squash * 0.5 * h * scale)
    mix = np.clip((g - rows) / reach, 0.0, 1.0)
    soft = near * (1.0 - mix) + far * mix
    a = np.clip(soft * opacity * min(1.0, light.intensity) * (1.0 - 0.5 * light.ambient), 0.0, 1.0)
    tint = np.array([0.012, 0.014, 0.03], dtype=np.float32)  # dark cool shade (straight colour)
    out = np.empty((h, w, 4), dtype=np.float32)
    out[..., :3] = a[..., None] * tint
    out[..., 3] = a
    return out


def ground_line(alpha: np.ndarray, default: float = 0.8) -> float:
    """Where the feet touch the ground: the lowest covered row, as a fraction of frame height."""
    rows = np.nonzero(alpha.max(axis=1) > 0.5)[0]
    return float(rows[-1] + 1) / alpha.shape[0] if rows.size else default


def apply_exposure(rgba: np.ndarray, exposure_ev: float) -> np.ndarray:
    """Raygen's exposure: a premultiplied linear layer scaled by 2^EV (alpha unchanged), the way a
    key light opened or closed by whole stops brightens or darkens everything it lights. 0 EV
    returns the very same array (a shot with no revision renders bit-identical frames)."""
    if exposure_ev == 0.0:
        return rgba
    out = np.array(rgba, dtype=np.float32, copy=True)
    out[..., :3] *= np.float32(2.0 ** exposure_ev)
    return out
