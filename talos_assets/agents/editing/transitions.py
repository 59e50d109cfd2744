"""Transitions between shots: which one a change of feeling calls for (a cut, dissolve, dip to black
or whip pan, from the Russell circumplex distance between neighbouring shots) and how each looks,
frame by frame, in linear light: dissolves are linear-light crossfades, dips fade through black on a
display-gamma ramp, whip pans slide a strip of both shots with directional (box) motion blur for a
180-degree shutter.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from talos_assets.spec import Emotion, ShotPlan

TransitionKind = Literal["cut", "dissolve", "dip-to-black", "whip-pan"]


def choose_transition(prev: ShotPlan, next: ShotPlan, fps: int | None = None) -> tuple[TransitionKind, int]:
    """The transition from `prev` into `next` and its length in frames, from their emotional change.

    With dv, da the change of valence and arousal (Russell circumplex, each in [-1, 1]):
    - calm to calm (both arousal < -0.2), or into awe: a dissolve (0.5 s .. 1 s, longer when calmer);
      time and feeling flow on;
    - arousal jumping up by >= 0.6 into an aroused shot: a whip pan (1/4 s), the energy arrives;
    - valence dropping by >= 0.8: a dip to black (1 s), a break before bad news;
    - a small change (distance < 0.35): a cut, continuity needs no punctuation;
    - otherwise a cut when the pair is lively (mean arousal >= 0), a dissolve when it is quiet.
    The order settles pairs that match two rules (calm -> anger is a whip pan, not a dip).
    """
    rate = int(fps or next.fps)
    dv = next.valence - prev.valence
    da = next.arousal - prev.arousal
    distance = float(np.hypot(dv, da))
    mean_arousal = 0.5 * (prev.arousal + next.arousal)
    dissolve_len = max(2, int(round(rate * (0.5 + 0.5 * float(np.clip(-mean_arousal, 0.0, 1.0))))))
    if (prev.arousal < -0.2 and next.arousal < -0.2) or next.emotion == Emotion.awe:
        return "dissolve", dissolve_len
    if da >= 0.6 and next.arousal > 0.4:
        return "whip-pan", max(2, int(round(rate * 0.25)))
    if dv <= -0.8:
        return "dip-to-black", max(2, int(round(rate * 1.0)))
    if distance < 0.35:
        return "cut", 0
    return ("cut", 0) if mean_arousal >= 0.0 else ("dissolve", dissolve_len)


def transition_progress(j: int, n: int) -> float:
    """Progress of frame j (0-based) of an n-frame transition: (j + 1) / (n + 1), so neither end is
    a plain copy of one clip (that frame already exists just outside the transition)."""
    return (j + 1.0) / (n + 1.0)


def dissolve_frame(a: np.ndarray, b: np.ndarray, j: int, n: int) -> np.ndarray:
    """Frame j of an n-frame dissolve: a linear-light crossfade (light adds linearly; mixing sRGB
    code values would dip the mid-tones dark half way through)."""
    w = np.float32(transition_progress(j, n))
    return (np.float32(1.0) - w) * a + w * b


def dip_to_black_frame(a: np.ndarray, b: np.ndarray, j: int, n: int) -> np.ndarray:
    """Frame j of an n-frame dip: `a` fades out over the first half, `b` in over the second (the
    middle frame of an odd dip is black). The fade is a straight ramp in display (gamma 2.2)
    terms, i.e. gain**2.2 in linear light, so it looks even instead of dropping to black early."""
    t = (j + 0.5) / n
    gain = np.float32(abs(1.0 - 2.0 * t) ** 2.2)
    return gain * (a if t < 0.5 else b)


def _box_blur_x(img: np.ndarray, length: int) -> np.ndarray:
    """Horizontal box blur of `length` pixels (edges held), from a cumulative sum: O(pixels)."""
    if length <= 1:
        return img
    left, right = length // 2, length - 1 - length // 2
    padded = np.concatenate([np.repeat(img[:, :1], left, axis=1), img, np.repeat(img[:, -1:], right, axis=1)], axis=1)
    c = np.cumsum(padded, axis=1, dtype=np.float64)
    c = np.concatenate([np.zeros((img.shape[0], 1, img.shape[2])), c], axis=1)
    return ((c[:, length:] - c[:, :-length]) / length).astype(np.float32)


def whip_pan_frame(a: np.ndarray, b: np.ndarray, j: int, n: int, shutter: float = 0.5) -> np.ndarray:
    """Frame j of an n-frame whip pan: the camera swings right across a strip [a | b], eased in and
    out (smoothstep), with horizontal motion blur as long as the strip moves while a 180-degree
    shutter (`shutter` = 0.5 of a frame) is open. Mid-swing the blur spans a large part of the frame."""
    h, w = a.shape[:2]
    t = (j + 0.5) / n
    s = t * t * (3.0 - 2.0 * t)
    speed = 6.0 * t * (1.0 - t) * w / n  # pixels per frame: d(smoothstep)/dt * width / frames
    strip = np.concatenate([a, b], axis=1)
    x0 = int(round(s * w))
    blurred = _box_blur_x(strip, max(1, int(round(shutter * speed))))
    return np.ascontiguousarray(blurred[:, x0 : x0 + w])


# The frame blend of each transition kind (a cut has none).
BLENDS = {"dissolve": dissolve_frame, "dip-to-black": dip_to_black_frame, "whip-pan": whip_pan_frame}
