"""Echo's pass over a decoded film: frames are grouped by the edit's clips, each clip is scored when
it ends (flicker, exposure, palette; Chroma's fills; distance of its cut from the beat) and then
dropped, so one clip's frames are in memory at a time. A few frames per clip are kept as samples
for the learned text-alignment check."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from talos_assets.agents.evaluation.chroma import chroma_palette_adherence
from talos_assets.agents.evaluation.metrics import score_frames
from talos_assets.spec import ClipCut, FrameSequence, ShotPlan


def score_clips(frames: Iterable[np.ndarray], cuts: list[ClipCut], shots: dict[str, ShotPlan],
                beat_offsets: list[float], colored: Callable[[ShotPlan], FrameSequence],
                ) -> tuple[dict[str, dict[str, float]], dict[str, list[np.ndarray]], int]:
    """({slot: scores}, {slot: sample frames}, decoded frame count) for a film cut as `cuts`."""
    per_shot: dict[str, dict[str, float]] = {}
    samples: dict[str, list[np.ndarray]] = {}
    clip_of_frame = np.concatenate([np.full(c.source_frames, k) for k, c in enumerate(cuts)])
    current: list[np.ndarray] = []
    decoded = 0

    def finish(k: int) -> None:
        cut, shot = cuts[k], shots[cuts[k].slot]
        # a transition into this clip blends two shots (or dips to black): not this shot's own flicker
        own = current[cuts[k - 1].transition_frames:] if k > 0 else current
        scores = score_frames(own, shot.palette) if own else {"frames": 0.0}
        scores["palette_adherence"] = chroma_palette_adherence(shot, colored(shot))
        if k < len(cuts) - 1:  # the last cut is the end of the film, not an edit point
            scores["beat_offset_frames"] = float(beat_offsets[k])
        per_shot[cut.slot] = scores
        samples[cut.slot] = current[:: max(1, len(current) // 8)]

    clip = 0
    for i, rgb in enumerate(frames):
        decoded += 1
        k = int(clip_of_frame[min(i, len(clip_of_frame) - 1)])
        if k != clip:
            finish(clip)
            current, clip = [], k
        current.append(rgb)
    finish(clip)
    return per_shot, samples, decoded
