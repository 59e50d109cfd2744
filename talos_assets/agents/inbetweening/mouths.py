"""Flux lip sync: a speaking character's mouth drawn frame by frame from its line's mouth track.

Dialogue is animated on ones, as in the Preston Blair / Disney practice of a mouth chart exposed
to a phoneme breakdown: the voice agent gives, for every frame of the shot, a viseme (closed, open,
wide, round) and how far it is open (the phoneme's opening shaded by the speech envelope, closed in
silence). Flux replaces the speaker's eased `mouth_open` with that opening and sets `mouth_wide`
to the viseme's width (`MOUTH_WIDE_OF_VISEME`); everything else of the face (brows, lids, the
smile or frown of `mouth_curve`) keeps the acting. Characters without a track keep their emotion
mouth; a voice heard off screen has no track, so no mouth moves for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from talos_assets.agents.key_animation.rig import MOUTH_WIDE_OF_VISEME
from talos_assets.spec import Pose


class MouthKey(Protocol):
    """The mouth at one frame (the voice agent's `MouthFrame` is one): its viseme and opening 0..1."""

    viseme: str
    open: float


def mouth_channels(viseme: str, opening: float) -> dict[str, float]:
    """The face channels of one mouth shape: `mouth_open` and `mouth_wide`."""
    if viseme not in MOUTH_WIDE_OF_VISEME:
        raise ValueError(f"unknown mouth shape '{viseme}'; use one of {sorted(MOUTH_WIDE_OF_VISEME)}")
    opening = min(1.0, max(0.0, float(opening)))
    if viseme == "closed" or opening <= 0.0:
        return {"mouth_open": 0.0, "mouth_wide": 0.0}
    return {"mouth_open": opening, "mouth_wide": MOUTH_WIDE_OF_VISEME[viseme]}


def speak(poses: Sequence[Pose], track: Sequence[MouthKey]) -> list[Pose]:
    """A character's poses with its mouth following `track` (one entry per frame of the shot).

    Frames past the end of the track (a track shorter than the shot) are closed: the line is over.
    """
    out = []
    for f, pose in enumerate(poses):
        key = track[f] if f < len(track) else None
        face = {**pose.face, **(mouth_channels(key.viseme, key.open) if key else mouth_channels("closed", 0.0))}
        out.append(pose.model_copy(update={"face": face}))
    return out


def lip_sync_poses(poses: Mapping[str, list[Pose]], tracks: Mapping[str, Sequence[MouthKey]]) -> dict[str, list[Pose]]:
    """Every character's poses, the speakers' (those with a track) speaking their lines."""
    return {c: speak(ps, tracks[c]) if c in tracks else list(ps) for c, ps in poses.items()}
