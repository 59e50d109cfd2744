"""Cut points conformed to the music: each planned cut moves onto a beat of the shot's pacing grid
(any beat when the shot is excited, every second beat when it is middling, bar lines or section
starts when it is calm), within the handle frames each shot is rendered with, and each clip's
transition into the next comes from the change of feeling (`transitions.choose_transition`), cut
down to the handle frames it can play on into.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np

from talos_assets.agents.direction.craft import screenplay_transition
from talos_assets.agents.editing.transitions import choose_transition
from talos_assets.agents.music.analysis import MusicAnalysis
from talos_assets.spec import BeatGrid, ClipCut, ShotPlan

Pacing = Literal["beat", "half-bar", "bar"]
# Finer grids a shot falls back to, in order, when its own grid has no beat inside its handles.
_FALLBACK: dict[str, tuple[str, ...]] = {"bar": ("bar", "half-bar", "beat"), "half-bar": ("half-bar", "beat"), "beat": ("beat",)}


def clip_frame_range(shot: ShotPlan) -> tuple[int, int]:
    """Shortest and longest clip (in source frames) a shot may become in the edit."""
    return max(1, shot.frames - shot.handle_frames), shot.frames + shot.handle_frames


def pacing_for_arousal(arousal: float) -> Pacing:
    """Which beats a shot may be cut on: excited shots on any beat, middling ones every second beat
    (half bars), calm ones only on downbeats (or section starts): calm moods hold, tense ones cut fast."""
    if arousal > 0.4:
        return "beat"
    if arousal >= -0.2:
        return "half-bar"
    return "bar"


def pacing_grids(beats: BeatGrid | MusicAnalysis) -> dict[str, np.ndarray]:
    """Beat times (seconds) of each pacing grid: every beat, every second beat counted from the bar
    line, and the downbeats plus section starts.

    With a bare BeatGrid the meter is unknown: 4/4 with the first beat on a bar line is assumed.
    """
    times = np.asarray(beats.beat_times, dtype=np.float64)
    if times.size == 0:
        return {"beat": times, "half-bar": times, "bar": times}
    if isinstance(beats, MusicAnalysis) and beats.downbeat_times:
        meter = max(1, beats.beats_per_bar)
        # Position of each beat in its bar, counted from the nearest preceding detected downbeat.
        down_idx = np.unique([int(np.argmin(np.abs(times - d))) for d in beats.downbeat_times])
        pos = np.empty(times.size, dtype=np.int64)
        for i in range(times.size):
            before = down_idx[down_idx <= i]
            # Beats before the first downbeat: count backwards from it in whole bars.
            pos[i] = (i - before[-1]) if before.size else (i - down_idx[0]) % meter
        bar = times[pos == 0]
        sections = np.asarray(beats.section_times, dtype=np.float64)
        if sections.size:
            # A section start is a phrase boundary: as good a place for a calm cut as a bar line.
            near = times[np.argmin(np.abs(times[None, :] - sections[:, None]), axis=1)]
            bar = np.union1d(bar, near)
    else:
        meter = 4
        pos = np.arange(times.size) % meter
        bar = times[pos == 0]
    half = times[(pos % meter) % 2 == 0]
    return {"beat": times, "half-bar": half, "bar": bar}


def conform_cuts(
    shots: list[ShotPlan],
    beats: BeatGrid | MusicAnalysis,
    fps: int,
    analysis: MusicAnalysis | None = None,
    *,
    pacing: bool = True,
    transitions: bool = True,
    min_frames: Mapping[str, int] | None = None,
) -> list[ClipCut]:
    """Snap each cumulative cut point (including the film's end) to the shot's pacing grid, within
    its handles, and choose the transition into the next shot.

    `beats` is a BeatGrid or a MusicAnalysis (`analysis=` also takes one; it wins over `beats` and
    brings the detected meter, downbeats and sections). With `pacing` each shot's arousal picks
    its grid (`pacing_for_arousal`); without it every beat is allowed (the old behaviour).
    Cuts are decided in order. For shot k the planned cut is the sum of planned frames up to and
    including k (measured from the film start, so adjustments never accumulate as drift). Grid beats
    are rounded to frames (so a cut lies within half a frame of its beat); among those that keep
    this clip within `clip_frame_range`, the one nearest the planned cut is taken. If the shot's
    grid has none, the next finer grid is tried (bar -> half-bar -> beat), and with no beat at all
    the planned cut is kept, clamped into the range. Clips start at source frame 0 and sit back to
    back on the record side.

    With `transitions`, each clip's transition into the next comes from `choose_transition`, its
    length cut down to the outgoing shot's unused rendered frames (a transition plays the outgoing
    clip on into its handles) and to half the incoming clip; under two frames it becomes a cut.

    `min_frames` (slot -> frames) keeps a clip at least that long within its range: a dialogue
    shot is never cut before its line's last word.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    source = analysis if analysis is not None else beats
    grid_frames = {name: _frames_of(t, fps) for name, t in pacing_grids(source).items()}
    lengths = _snapped_lengths(shots, grid_frames, pacing, min_frames or {})
    cuts: list[ClipCut] = []
    record = 0
    for k, (shot, length) in enumerate(zip(shots, lengths)):
        kind, n = "cut", 0
        if transitions and k + 1 < len(shots):
            # the screenplay's written transition (CUT TO:, DISSOLVE TO:, SMASH CUT TO:) wins over the mood's
            kind, n = screenplay_transition(shot, fps) or choose_transition(shot, shots[k + 1], fps=fps)
            spare = shot.total_frames - length  # rendered frames after this clip's out point
            n = min(n, spare, lengths[k + 1] // 2)
            if n < 2:
                kind, n = "cut", 0
        cuts.append(
            ClipCut(
                shot_id=shot.shot_id, slot=shot.slot, source_start=0, source_frames=length, record_start=record,
                transition=kind, transition_frames=n,
            )
        )
        record += length
    return cuts


def _frames_of(times: np.ndarray, fps: int) -> np.ndarray:
    """Beat times rounded to film frames, unique, after the film's first frame."""
    f = np.unique(np.round(times * fps).astype(np.int64))
    return f[f > 0]


def _snapped_lengths(shots: list[ShotPlan], grid_frames: dict[str, np.ndarray], pacing: bool,
                     min_frames: Mapping[str, int]) -> list[int]:
    """Each clip's length in frames: its cumulative planned end moved to the nearest frame of its
    pacing grid (or a finer one) that keeps it within `clip_frame_range` (raised to the slot's
    `min_frames`), else clamped there."""
    lengths: list[int] = []
    record = 0
    planned_end = 0
    for shot in shots:
        planned_end += shot.frames
        lo, hi = clip_frame_range(shot)
        lo = min(hi, max(lo, int(min_frames.get(shot.slot, 0))))
        length = None
        for name in _FALLBACK[pacing_for_arousal(shot.arousal) if pacing else "beat"]:
            candidates = grid_frames[name]
            lens = candidates - record
            ok = (lens >= lo) & (lens <= hi)
            if np.any(ok):
                fits = candidates[ok]
                length = int(fits[np.argmin(np.abs(fits - planned_end))] - record)
                break
        if length is None:
            length = int(np.clip(planned_end - record, lo, hi))
        lengths.append(length)
        record += length
    return lengths


def beat_sync_offsets(cuts: list[ClipCut], beats: BeatGrid | MusicAnalysis, fps: int) -> list[float]:
    """For each cut's end, the distance in frames to the nearest beat (inf with no beats)."""
    beat_frames = np.asarray(beats.beat_times, dtype=np.float64) * fps
    out = []
    for cut in cuts:
        end = cut.record_start + cut.source_frames
        out.append(float(np.min(np.abs(beat_frames - end))) if beat_frames.size else float("inf"))
    return out

