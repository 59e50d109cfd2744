"""Anima's title card: a screenplay's centred text (`> THE END <`) set on a plate in the film's palette.

The plate is the palette's darkest swatch with a soft vignette (a radial fall-off to 70 % at the
corners, as an old title card printed through a lens); the words are set in the swatch that
contrasts most with it (WCAG 2 contrast ratio; plain near-white or near-black when no swatch reaches
4.5:1), centred, wrapped greedily at word boundaries and shrunk until the block fits the title-safe
area (80 % of the width, 60 % of the height, as broadcast title-safe margins), with a thin accent
rule under it. Glyphs are Pillow's built-in scalable font (Aileron, shipped inside Pillow >= 10.1,
anti-aliased by FreeType), or OpenCV's Hershey triplex drawn with anti-aliased lines where that font is
missing: nothing is downloaded, and the same text gives the same pixels. Ink is blended by its
coverage in linear light; the card is opaque, premultiplied float32 RGBA like every Anima layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from talos_assets.agents.frames import hex_to_linear
from talos_assets.spec import Palette

SAFE_W, SAFE_H = 0.8, 0.6  # title-safe block, fractions of the frame
LINE_SPACING = 1.3  # baseline to baseline, in font sizes
MIN_CONTRAST = 4.5  # WCAG AA for text
_MAX_LINES = 6


def _luminance(linear_rgb: np.ndarray) -> float:
    return float(np.dot(linear_rgb, [0.2126, 0.7152, 0.0722]))


def _contrast(a: np.ndarray, b: np.ndarray) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def card_colors(palette: Palette) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(plate, ink, rule) in linear RGB: the darkest swatch, the swatch that stands out most on it
    (plain ink when none reaches `MIN_CONTRAST`), and the accent for the rule under the words."""
    swatches = {role: hex_to_linear(hex_) for role, hex_ in sorted(palette.swatches.items())}
    plate = min(swatches.values(), key=_luminance)
    ink = max(swatches.values(), key=lambda c: _contrast(c, plate))
    if _contrast(ink, plate) < MIN_CONTRAST:
        ink = np.full(3, 0.92 if _luminance(plate) < 0.18 else 0.01, np.float32)
    rule = swatches.get("accent", ink)
    return plate.astype(np.float32), ink.astype(np.float32), rule.astype(np.float32)


@dataclass
class _Face:
    """A font at one size: Pillow's FreeType font, or a Hershey scale when there is none."""

    size: int
    font: ImageFont.FreeTypeFont | None

    def width(self, text: str) -> int:
        if self.font is not None:
            x0, _, x1, _ = self.font.getbbox(text)
            return int(x1 - x0)
        (w, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_TRIPLEX, self.size / 30.0, self._thickness())
        return int(w)

    def _thickness(self) -> int:
        return max(1, int(round(self.size / 22)))

    def draw(self, mask: np.ndarray, text: str, cx: float, baseline: float) -> None:
        """Anti-aliased coverage of `text` centred on cx, sitting on `baseline`, added into mask."""
        if self.font is not None:
            img = Image.fromarray(mask)
            ImageDraw.Draw(img).text((cx, baseline), text, fill=255, font=self.font, anchor="ms")
            mask[:] = np.asarray(img)
            return
        x = int(round(cx - self.width(text) / 2))
        cv2.putText(mask, text, (x, int(round(baseline))), cv2.FONT_HERSHEY_TRIPLEX, self.size / 30.0, 255,
                    self._thickness(), cv2.LINE_AA)


def _face(size: int) -> _Face:
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: no scalable default font
        return _Face(size, None)
    return _Face(size, font if isinstance(font, ImageFont.FreeTypeFont) else None)


def wrap_words(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Greedy word wrap: each line takes words while `fits(line)`; a word longer than a line stands alone."""
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def layout(text: str, width: int, height: int) -> tuple[_Face, list[str]]:
    """The largest face (from 0.12 of the height down) whose wrapped lines fit the title-safe area."""
    box_w, box_h = SAFE_W * width, SAFE_H * height
    size = max(6, int(height * 0.12))
    while True:
        face = _face(size)
        lines = wrap_words(text, lambda s: face.width(s) <= box_w)
        block_h = size * (1 + LINE_SPACING * (len(lines) - 1))
        if size <= 6 or (len(lines) <= _MAX_LINES and block_h <= box_h and max(map(face.width, lines)) <= box_w):
            return face, lines
        size = max(6, int(size * 0.9))


def _plate(color: np.ndarray, width: int, height: int) -> np.ndarray:
    """The plate colour with a soft radial vignette: 1 at the centre, 0.7 at the corners."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r2 = ((x + 0.5) / width - 0.5) ** 2 + ((y + 0.5) / height - 0.5) ** 2
    gain = 1.0 - 0.3 * np.clip(r2 / 0.5, 0.0, 1.0)
    return gain[..., None] * color[None, None, :]


def draw_title_card(text: str, palette: Palette, width: int, height: int) -> np.ndarray:
    """The title card: (height, width, 4) float32, linear light, premultiplied and opaque."""
    if width < 8 or height < 8:
        raise ValueError(f"a title card needs at least 8x8 pixels, got {width}x{height}")
    plate_c, ink_c, rule_c = card_colors(palette)
    rgb = _plate(plate_c, width, height)
    words = " ".join(text.split())
    if words:
        face, lines = layout(words, width, height)
        step = face.size * LINE_SPACING
        # baselines that centre the block from the first line's cap height (~0.72 of the size) to
        # the last baseline
        first = height / 2 + 0.36 * face.size - (len(lines) - 1) * step / 2
        mask = np.zeros((height, width), np.uint8)
        for k, line in enumerate(lines):
            face.draw(mask, line, width / 2, first + k * step)
        rule_y = int(round(first + (len(lines) - 1) * step + 0.45 * face.size))
        rule_w = min(int(SAFE_W * width), max(map(face.width, lines))) // 3
        if rule_y < height - 1 and rule_w > 0:
            rule = np.zeros((height, width), np.uint8)
            cv2.line(rule, (width // 2 - rule_w // 2, rule_y), (width // 2 + rule_w // 2, rule_y), 255,
                     max(1, face.size // 24), cv2.LINE_AA)
            rgb = rgb + (rule.astype(np.float32)[..., None] / 255.0) * (rule_c - rgb)
        cover = mask.astype(np.float32)[..., None] / 255.0
        rgb = rgb + cover * (ink_c - rgb)
    out = np.empty((height, width, 4), np.float32)
    out[..., :3] = rgb
    out[..., 3] = 1.0
    return out
