"""The film's picture rendered from the edit: an OTIO timeline (or a cut list with each shot's frame
files) played out one frame at a time in linear light, each transition blended over the outgoing
clip's handle frames (`transitions.BLENDS`). The frames go on to Anima's masters
(`mastering.master_film`), which own display transforms and encoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import opentimelineio as otio

from talos_assets.agents import frames as framelib
from talos_assets.agents.editing.timeline import as_timeline, read_timeline_cuts, timeline_frame_files
from talos_assets.agents.editing.transitions import BLENDS
from talos_assets.spec import ClipCut


def _shot_layer(path: Path, width: int, height: int) -> np.ndarray:
    # Through the studio's layer reader: 16-bit sRGB straight-alpha PNGs (and plain 8-bit ones)
    # come back as linear premultiplied RGBA.
    layer = framelib.read_layer_png(path)
    if layer.shape[:2] != (height, width):
        raise ValueError(f"frame {path} is {layer.shape[1]}x{layer.shape[0]}, the film is {width}x{height}")
    return layer


def _linear_rgb(path: Path, width: int, height: int) -> np.ndarray:
    # Linear premultiplied RGBA shown over black is just its RGB.
    return np.ascontiguousarray(_shot_layer(path, width, height)[..., :3])


def frame_rgb8(path: Path, width: int, height: int) -> np.ndarray:
    """One rendered frame as 8-bit display RGB over black, exactly as previews show it (a still)."""
    return np.ascontiguousarray(framelib.to_display_rgb8(_shot_layer(path, width, height)))


def _render_plan(
    timeline_or_cuts: otio.schema.Timeline | str | Path | list[ClipCut],
    shot_frame_files: dict[str, list[Path]] | None,
) -> tuple[list[ClipCut], dict[str, list[Path]]]:
    if isinstance(timeline_or_cuts, list):
        if shot_frame_files is None:
            raise ValueError("rendering a list of cuts needs shot_frame_files")
        cuts = list(timeline_or_cuts)
    else:
        tl = as_timeline(timeline_or_cuts)
        cuts = read_timeline_cuts(tl)
        if shot_frame_files is None:
            shot_frame_files = timeline_frame_files(tl)
    files = {slot: [Path(f) for f in fs] for slot, fs in shot_frame_files.items()}
    for k, cut in enumerate(cuts):
        got = files.get(cut.slot)
        if got is None:
            raise ValueError(f"no rendered frames given for slot '{cut.slot}' (shot '{cut.shot_id}')")
        if cut.source_start < 0 or cut.source_start + cut.source_frames > len(got):
            raise ValueError(
                f"cut of shot '{cut.shot_id}' needs source frames {cut.source_start}.."
                f"{cut.source_start + cut.source_frames - 1}, only {len(got)} were rendered"
            )
        if cut.transition != "cut" and cut.transition_frames > 0 and k + 1 < len(cuts):
            end = cut.source_start + cut.source_frames + cut.transition_frames
            if end > len(got):
                raise ValueError(
                    f"{cut.transition} out of shot '{cut.shot_id}' needs its frames up to {end - 1}, "
                    f"only {len(got)} were rendered (not enough handle frames)"
                )
            if cut.transition_frames > cuts[k + 1].source_frames:
                raise ValueError(f"{cut.transition} out of shot '{cut.shot_id}' is longer than the next clip")
    return cuts, files


def render_timeline_frames(
    timeline_or_cuts: otio.schema.Timeline | str | Path | list[ClipCut],
    shot_frame_files: dict[str, list[Path]] | None,
    fps: int,
    width: int,
    height: int,
) -> Iterator[np.ndarray]:
    """The film's frames in order, each float32 linear RGB (H, W, 3), one at a time.

    Takes an OTIO timeline (object or .otio path; frame files then default to its image-sequence
    references) or a list of ClipCut with each slot's files. A transition out of clip k over n
    frames plays in the first n frames of clip k+1's record range: clip k runs on into its handle
    frames (source end .. end + n - 1) and is blended with clip k+1's own frames as a dissolve,
    dip to black or whip pan. So transitions never change the film's length: it is the sum of the
    clips' source frames. At most two frames are held in memory. The edit is validated when this is
    called, before any frame is read. `fps` is the film's rate (the timeline is in frames already;
    kept for symmetry with mastering.master_film and validated).
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    # The edit is checked here, before the first frame is asked for (and before an encoder starts).
    cuts, files = _render_plan(timeline_or_cuts, shot_frame_files)
    return _play(cuts, files, width, height)


def _play(cuts: list[ClipCut], files: dict[str, list[Path]], width: int, height: int) -> Iterator[np.ndarray]:
    for k, cut in enumerate(cuts):
        own = files[cut.slot]
        prev = cuts[k - 1] if k > 0 else None
        blend = BLENDS.get(prev.transition) if prev is not None and prev.transition_frames > 0 else None
        for j in range(cut.source_frames):
            frame = _linear_rgb(own[cut.source_start + j], width, height)
            if blend is not None and j < prev.transition_frames:
                outgoing = files[prev.slot][prev.source_start + prev.source_frames + j]
                frame = blend(_linear_rgb(outgoing, width, height), frame, j, prev.transition_frames)
            yield frame.astype(np.float32, copy=False)

