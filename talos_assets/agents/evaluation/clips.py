"""Echo's pass over a decoded film: frames are grouped by the edit's clips and each clip is scored as
its frames stream past (flicker, exposure, palette; Chroma's fills; distance of its cut from the
beat), so memory holds a few frames whatever the film's or the shot's length: `score_frames` keeps a
window of three. A few frames per clip may be kept as samples for the learned text-alignment check;
only when asked, because they are the one thing here that grows with the number of shots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from talos_assets.agents.evaluation.chroma import chroma_palette_adherence
from talos_assets.agents.evaluation.metrics import score_frames
from talos_assets.spec import ClipCut, FrameSequence, ShotPlan

SAMPLES_PER_CLIP = 8


class _Clip:
    """The frames of one clip as they stream past: counted, a few sampled, the ones after the
    incoming transition handed on to the scorer."""

    def __init__(self, first: np.ndarray, rest: Iterator[np.ndarray], length: int, skip: int, stride: int):
        self.first, self.rest, self.length, self.skip, self.stride = first, rest, length, skip, stride
        self.samples: list[np.ndarray] = []
        self.seen = 0
        self.scored = 0
        self.stream = self._frames()

    def _frames(self) -> Iterator[np.ndarray]:
        """Every frame of the clip (`length` of them, or fewer if the film ends first), once."""
        frame = self.first
        while True:
            if self.stride and self.seen % self.stride == 0:
                self.samples.append(frame)
            self.seen += 1
            yield frame
            if self.seen >= self.length:
                return
            frame = next(self.rest, None)
            if frame is None:
                return

    def own(self) -> Iterator[np.ndarray]:
        """The clip's frames after the transition into it (a blend of two shots is not its own flicker)."""
        for frame in self.stream:
            if self.seen > self.skip:
                self.scored += 1
                yield frame

    def drain(self) -> None:
        """Read past what the scorer left (it stops at the clip's last frame, or never started)."""
        for _ in self.stream:
            pass


def score_clips(frames: Iterable[np.ndarray], cuts: list[ClipCut], shots: dict[str, ShotPlan],
                beat_offsets: list[float], colored: Callable[[ShotPlan], FrameSequence],
                samples_per_clip: int = SAMPLES_PER_CLIP,
                ) -> tuple[dict[str, dict[str, float]], dict[str, list[np.ndarray]], int]:
    """({slot: scores}, {slot: sample frames}, decoded frame count) for a film cut as `cuts`.

    Frames beyond the edit's length count as the last clip's; a film that ends early scores the
    clips it reached. `samples_per_clip=0` keeps no samples (nothing then grows with the film)."""
    per_shot: dict[str, dict[str, float]] = {}
    samples: dict[str, list[np.ndarray]] = {}
    stream = iter(frames)
    decoded = 0
    for k, cut in enumerate(cuts):
        first = next(stream, None)
        if first is None:
            break
        last = k == len(cuts) - 1
        skip = cuts[k - 1].transition_frames if k > 0 else 0
        # every `stride`-th frame: the same ones as slicing the whole clip with [::length // samples],
        # known from the edit's length, so no frame is held to pick them
        stride = max(1, cut.source_frames // samples_per_clip) if samples_per_clip else 0
        # frames beyond the edit's length belong to the last clip
        clip = _Clip(first, stream, 1 << 62 if last else cut.source_frames, skip, stride)
        try:
            scores = score_frames(clip.own(), shots[cut.slot].palette)
        except ValueError:
            if clip.scored:
                raise
            scores = {"frames": 0.0}  # only transition frames: nothing of the shot's own to score
        clip.drain()
        decoded += clip.seen
        scores["palette_adherence"] = chroma_palette_adherence(shots[cut.slot], colored(shots[cut.slot]))
        if not last:  # the last cut is the end of the film, not an edit point
            scores["beat_offset_frames"] = float(beat_offsets[k])
        per_shot[cut.slot] = scores
        if samples_per_clip:
            samples[cut.slot] = clip.samples
    return per_shot, samples, decoded
