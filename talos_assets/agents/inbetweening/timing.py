"""Flux timing: the easing curves of a segment and where each frame of a shot falls between its keys.

Each segment between two keys is timed by the easing of the key it leaves, in the CSS keyframe
convention ("ease-in" = slow out of that key, "ease-out" = cushion into the next, "ease-in-out" =
slow in and slow out), with the smoothstep and quadratic curves of Williams' *The Animator's
Survival Kit* slow-in / slow-out charts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talos_assets.spec import KeyPose


def ease(t: np.ndarray, easing: str) -> np.ndarray:
    """Map linear segment time t in [0, 1] to eased progress in [0, 1]."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    if easing == "linear":
        return t
    if easing == "ease-in":  # slow start (slow out of the key)
        return t * t
    if easing == "ease-out":  # slow end (cushion into the next key)
        return 1.0 - (1.0 - t) ** 2
    if easing == "ease-in-out":  # smoothstep: zero velocity at both keys, fastest at the middle
        return t * t * (3.0 - 2.0 * t)
    raise ValueError(f"unknown easing '{easing}'")


def _segment_progress(frames: np.ndarray, key_frames: list[int], easings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each output frame: index of the segment it lies in and eased progress within it."""
    seg = np.clip(np.searchsorted(key_frames, frames, side="right") - 1, 0, max(0, len(key_frames) - 2))
    s = np.zeros(len(frames))
    if len(key_frames) > 1:
        k0 = np.asarray(key_frames)[seg]
        k1 = np.asarray(key_frames)[seg + 1]
        t = (frames - k0) / np.maximum(k1 - k0, 1)
        for i, e in enumerate(easings[:-1]):
            m = seg == i
            s[m] = ease(t[m], e)
    return seg, s


@dataclass(frozen=True)
class KeyTiming:
    """One character's keys (one per frame, in time order) and, per output frame, its segment and progress."""

    keys: list[KeyPose]
    key_frames: list[int]
    easings: list[str]
    frames: np.ndarray  # float64 output frame numbers 0 .. n_frames - 1
    seg: np.ndarray  # index of the segment each frame lies in
    s: np.ndarray  # eased progress within that segment

    @property
    def n_frames(self) -> int:
        return len(self.frames)

    @property
    def n_keys(self) -> int:
        return len(self.keys)


def key_timing(keys: list[KeyPose], n_frames: int) -> KeyTiming:
    """The timing of `keys` over `n_frames` frames; of two keys on one frame the last given wins."""
    by_frame: dict[int, KeyPose] = {}
    for k in keys:
        by_frame[k.frame] = k
    ordered = [by_frame[f] for f in sorted(by_frame)]
    key_frames = [k.frame for k in ordered]
    easings = [k.easing for k in ordered]
    frames = np.arange(n_frames, dtype=np.float64)
    seg, s = _segment_progress(frames, key_frames, easings)
    return KeyTiming(ordered, key_frames, easings, frames, seg, s)
