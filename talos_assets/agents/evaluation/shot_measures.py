"""Echo's per-shot measures read from what the shot's own stages wrote (its rendered frames before the
edit, so a dissolve into the next shot is never counted as its flicker), each as an `EchoFinding`:

- flicker: flow-warped frame error (Lai et al. 2018) over the planned frames, at 160 px on the long
  side with DIS FAST -- a few hundredths of a second per frame, so every film can afford it;
- palette: CIEDE2000 adherence of the characters as delivered (the render, inside Chroma's figure
  mask, which Flux drew through the same camera) to the palette as Chroma's mood grade renders it and Raygen's key
  light shades it (the base cel tone), every 6th frame;
- line continuity: the share of Flux's region boundaries that carry ink (closed outlines), every 6th
  drawing;
- motion: jerk of every joint and foot sliding of planted feet, from Flux's in-between poses;
- lip sync: the drawn mouth against the voiced line, for on-screen speakers;
- story fidelity: each element the scene graph names, checked against what the shot rendered.

The severities are the measures' own (their modules document the limits); Echo's gate table
(`gates.CHECKS`) decides what a failure means for the film.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from talos_assets.agents.camera_framing import to_output_rgb8
from talos_assets.agents.evaluation.chroma import graded_swatches, lit_swatches
from talos_assets.agents.evaluation.colour_difference import palette_finding
from talos_assets.agents.evaluation.dialogue_sync import drawn_openings, lip_sync_finding
from talos_assets.agents.evaluation.findings import EchoFinding
from talos_assets.agents.evaluation.line_continuity import line_continuity_finding
from talos_assets.agents.evaluation.motion_quality import (
    FOOT_SLIDE_ERROR,
    FOOT_SLIDE_WARN,
    JERK_ERROR,
    JERK_WARN,
    figure_heights,
    foot_sliding_finding,
    jerk_finding,
    joint_tracks,
    planted_feet,
)
from talos_assets.agents.evaluation.story_fidelity import story_fidelity_finding
from talos_assets.agents.evaluation.story_fidelity_store import shot_fidelity_from_store
from talos_assets.agents.evaluation.warped_flicker import flicker_finding
from talos_assets.agents.frames import read_gray_png, read_layer
from talos_assets.agents.lighting import KeyLight
from talos_assets.spec import ShotPlan
from talos_assets.stores.studio import Layer, MissingStageError, StudioStore

FLICKER_LONG_SIDE = 160  # px; DIS FAST at this size keeps Echo's pass cheap beside the render
PALETTE_EVERY = 6  # frames
FIGURE_ALPHA = 0.99  # Chroma's fill inside the figure (not the anti-aliased edge)
# Figures as rendered read 0.91-0.95 on the lit palette in a 720p workshop shot, and 0.56-0.73 in
# eight shots at 160x90 and 320x180 (dusk shores, cloudy skies, a sad grade: the set's light and
# weather tint them beyond the key light); with red and blue swapped 0.11-0.27 (one dim sad shot at
# 0.54), over-exposed 4 stops 0.43 (2026-12-01, bench/revision.py and tests/defs/test_shot_measures.py).
FIGURE_PALETTE_WARN, FIGURE_PALETTE_ERROR = 0.5, 0.3


READ_THREADS = 2  # OpenEXR and OpenCV release the GIL: two readers halve Echo's pass over the frames


def _rendered(store: StudioStore, shot: ShotPlan, frames: range, long_side: int | None = None,
              box: tuple[int, int, int, int] | None = None) -> Iterator[np.ndarray]:
    """The shot's rendered frames as delivered (8-bit sRGB), in order: cropped to `box` (x0, y0, x1,
    y1 px), or scaled down in linear light to `long_side` first (an area average, cheaper than
    encoding 720p). Read on `READ_THREADS` threads."""
    seq = store.frames(shot, Layer.render)

    def load(f: int) -> np.ndarray:
        layer = read_layer(seq.path(f))[..., :3]
        if box is not None:
            layer = layer[box[1]:box[3], box[0]:box[2]]
        elif long_side is not None and max(layer.shape[:2]) > long_side:
            k = long_side / max(layer.shape[:2])
            size = (max(1, round(layer.shape[1] * k)), max(1, round(layer.shape[0] * k)))
            layer = cv2.resize(layer, size, interpolation=cv2.INTER_AREA)
        return to_output_rgb8(layer)

    with ThreadPoolExecutor(READ_THREADS) as pool:
        yield from pool.map(load, frames)


def flicker(store: StudioStore, shot: ShotPlan) -> EchoFinding:
    frames = _rendered(store, shot, range(shot.frames), long_side=FLICKER_LONG_SIDE)
    finding = flicker_finding(frames, preset="fast", long_side=FLICKER_LONG_SIDE)
    return finding.model_copy(update={"check": "warped_flicker"})


def _figure_box(masks: Sequence[np.ndarray], pad: int = 2) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1 px) holding every mask's figure pixels, `pad` px wider."""
    union = np.logical_or.reduce(masks)
    ys, xs = np.nonzero(union)
    h, w = union.shape
    return (max(0, xs.min() - pad), max(0, ys.min() - pad), min(w, xs.max() + 1 + pad), min(h, ys.max() + 1 + pad))


def palette(store: StudioStore, shot: ShotPlan) -> EchoFinding | None:
    """CIEDE2000 adherence of the figures as delivered; None for a shot with no figure on screen.
    Only the box around the figures is converted to Lab: the rest of the frame is never judged."""
    colored = store.frames(shot, Layer.colored)
    picked = range(0, shot.frames, PALETTE_EVERY)
    # Chroma colours the figures as Flux drew them, through the camera: the masks are the frame's own
    masks = [read_layer(colored.path(f))[..., 3] > FIGURE_ALPHA for f in picked]
    if not any(m.any() for m in masks):
        return None
    light = KeyLight.model_validate_json(store.key_light_path(shot).read_text())
    swatches = list(shot.palette.swatches.values()) + graded_swatches(shot) + lit_swatches(shot, light)
    x0, y0, x1, y1 = box = _figure_box(masks)
    finding = palette_finding(_rendered(store, shot, picked, box=box), swatches, masks=[m[y0:y1, x0:x1] for m in masks],
                              warn_below=FIGURE_PALETTE_WARN, error_below=FIGURE_PALETTE_ERROR)
    if finding.region is not None:  # the region in fractions of the box -> of the frame
        h, w = masks[0].shape
        rx0, ry0, rx1, ry1 = finding.region
        bw, bh = x1 - x0, y1 - y0
        finding = finding.model_copy(update={"region": ((x0 + rx0 * bw) / w, (y0 + ry0 * bh) / h,
                                                       (x0 + rx1 * bw) / w, (y0 + ry1 * bh) / h)})
    return finding


def line_continuity(store: StudioStore, shot: ShotPlan) -> EchoFinding | None:
    """Closed outlines in Flux's drawings (every `PALETTE_EVERY`-th); None for a shot with no figure."""
    lines, regions = store.frames(shot, Layer.line), store.frames(shot, Layer.regions)
    if not lines.path(0).exists():  # `talos clean` removed the drawings: the measure is left out
        raise MissingStageError(f"the drawings of shot {shot.slot} were cleaned")
    return line_continuity_finding((f, read_gray_png(lines.path(f)), read_gray_png(regions.path(f), as_float=False))
                                   for f in range(0, shot.frames, PALETTE_EVERY))


MOTION_FPS = 24  # the frame rate the motion limits are stated at (motion_quality.py)


def _in_figure_heights(finding: EchoFinding, limit: float, per_frame: float, unit: str) -> EchoFinding:
    """A finding in px/frame^k rescaled by its own figure height (value / (limit / warn)) and to
    frames of 1/24 s (x per_frame = (24/fps)^-k), so shots of any size and frame rate read on one
    scale, the one Echo's gate table and the critic use."""
    height = finding.limit / (limit / per_frame) if finding.limit > 0 else 1.0
    return finding.model_copy(update={"value": finding.value / height * per_frame, "limit": limit, "unit": unit})


def motion(poses: Mapping[str, list], rigs: Mapping, shot: ShotPlan) -> list[EchoFinding]:
    """Jerk and foot sliding of the characters (props ride their holders and are left out).

    The same swing drawn at 12 fps moves twice as far per frame as at 24 fps, and its third
    difference eight times as far: the limits are scaled by the shot's frame rate so a gesture is
    judged by its speed in seconds, not by how many frames the film has."""
    people = {c: p for c, p in poses.items() if c in rigs and len(p) >= 4}
    if not people:
        return []
    tracks = joint_tracks(people, rigs, shot.width, shot.height)
    heights = figure_heights(people, rigs, shot.height)
    step = MOTION_FPS / shot.fps  # how many 24-fps frames one of the shot's frames spans
    jerk = jerk_finding(tracks, heights, JERK_WARN * step ** 3, JERK_ERROR * step ** 3)
    slide = foot_sliding_finding(tracks, heights, planted_feet(rigs), FOOT_SLIDE_WARN * step, FOOT_SLIDE_ERROR * step)
    return [_in_figure_heights(jerk, JERK_WARN, step ** -3, "figure heights/frame^3 at 24 fps"),
            _in_figure_heights(slide, FOOT_SLIDE_WARN, step ** -1, "figure heights/frame at 24 fps")]


def story_fidelity(set_dirs: Sequence[Path | str] = (), character_dirs: Sequence[Path | str] = (),
                   prop_dirs: Sequence[Path | str] = ()) -> Callable[[StudioStore, ShotPlan], EchoFinding]:
    """The story-fidelity measure with the studio's own set, character and prop folders."""
    def measure(store: StudioStore, shot: ShotPlan) -> EchoFinding:
        return story_fidelity_finding(shot_fidelity_from_store(store, shot, set_dirs, character_dirs, prop_dirs))

    return measure


def lip_sync(lines: list, poses: Mapping[str, list], shot: ShotPlan) -> EchoFinding | None:
    """The worst on-screen speaker's offset as a magnitude (early or late alike fail), or None."""
    if not lines:
        return None
    finding = lip_sync_finding(lines, drawn_openings(poses), shot.fps)
    if not finding.characters and finding.severity == "ok" and finding.value == 0.0:
        return None  # nobody on screen speaking a voiced line
    return finding.model_copy(update={"value": abs(finding.value)})


def shot_findings(store: StudioStore, shot: ShotPlan, rigs: Mapping, lines: list,
                  fidelity: Callable[[StudioStore, ShotPlan], EchoFinding | None] | None = None) -> list[EchoFinding]:
    """Every per-shot measure that applies to the shot (a title card has only its picture). A measure
    whose inputs `talos clean` has since removed (in-betweens, lit and effect layers) is left out:
    it was taken when the shot was rendered, and re-editing the film does not change it."""
    out = [flicker(store, shot)]
    if shot.beat == "title":
        return out
    poses = _kept(lambda: store.read_inbetween_poses(shot))
    measures = [lambda: palette(store, shot), lambda: line_continuity(store, shot)]
    if poses is not None:
        measures += [lambda: lip_sync(lines, poses, shot), lambda: motion(poses, rigs, shot)]
    if fidelity is not None:
        measures.append(lambda: fidelity(store, shot))
    for measure in measures:
        found = _kept(measure)
        out += found if isinstance(found, list) else [found] if found is not None else []
    return out


def _kept(measure: Callable):
    """The measure's result, or None when a stage it reads was cleaned away."""
    try:
        return measure()
    except (MissingStageError, FileNotFoundError):
        return None
