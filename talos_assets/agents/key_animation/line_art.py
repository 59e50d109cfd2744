"""Axis line art: characters drawn as anti-aliased, closed-outline line art with region hints.

The drawing is painter's-order with OpenCV (LINE_AA, 4-bit sub-pixel `shift`, weights proportional
to frame height): every part is a closed outline that first erases what it covers, so the drawing
is made of closed regions a colourist can flood-fill, and the silhouette gets a heavier outer line
than the inner construction lines. Frames under ~1440 lines are drawn supersampled within a pixel
budget and area-averaged so a small frame is the same drawing as a large one; each character is
recorded as a display list and replayed inside its own bounding box, which is what makes 4K cheap.
A turned figure is its side view squeezed in x (a signed view scale carried in the face channels).
Given the shot's camera key, the figures are drawn through it: every outline point goes through the
camera's similarity and every line width scales with its zoom, so a close-up is drawn at the size it
is seen (vectors at the crop's resolution), never a blow-up of the whole stage.
The mouth has the four shapes of a reduced Preston Blair chart - closed (a line), open (a dropped
jaw), wide (spread lips baring the teeth) and round (a pursed O) - from `mouth_open` and `mouth_wide`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from talos_assets.agents.key_animation.rig import (
    CHARACTER_HEIGHT,
    FACE_REST,
    FACING_KEY,
    Bone,
    PartSpec,
    Rig,
    forward_kinematics,
)
from talos_assets.agents.camera_framing import camera_matrix, is_identity
from talos_assets.spec import REGION_NAMES, CameraKey, Pose

# Sub-pixel precision for OpenCV drawing: coordinates are passed as fixed point with 4 fraction bits.
SHIFT = 4
_ONE = 1 << SHIFT


@dataclass
class LineArt:
    """One drawing: ink coverage, the region hint map (index into REGION_NAMES), the silhouette."""

    line: np.ndarray  # float32 (H, W) in [0, 1]
    regions: np.ndarray  # uint8 (H, W)
    silhouette: np.ndarray  # bool (H, W)
    # the lowest outline point on the stage (before any camera), a fraction of the stage height: where
    # the figures touch the ground; None when nothing was drawn
    stage_ground_y: float | None = None


def _chaikin(points: np.ndarray, passes: int) -> np.ndarray:
    for _ in range(passes):
        nxt = np.roll(points, -1, axis=0)
        points = np.stack([0.75 * points + 0.25 * nxt, 0.25 * points + 0.75 * nxt], axis=1).reshape(-1, 2)
    return points


def _part_outline(part: PartSpec, bone: Bone, segments: int) -> np.ndarray:
    """Closed outline of a part in character space, (N, 2)."""
    if part.shape == "ellipse":
        t = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
        r = math.radians(part.rotation)
        a, c = part.radii[0] * np.cos(t), part.radii[1] * np.sin(t)
        along = part.center[0] * bone.length + a * math.cos(r) - c * math.sin(r)
        across = part.center[1] + a * math.sin(r) + c * math.cos(r)
        return bone.to_world(along / bone.length, across)
    if part.shape == "capsule":
        a0, a1 = part.span[0] * bone.length, part.span[1] * bone.length
        r0, r1 = part.width
        half = max(4, segments // 2)
        # Two half-discs joined by straight flanks: a round-ended, possibly tapered limb.
        t0 = np.linspace(np.pi / 2, 3 * np.pi / 2, half)  # cap behind the start
        t1 = np.linspace(-np.pi / 2, np.pi / 2, half)  # cap beyond the end
        along = np.concatenate([a0 + r0 * np.cos(t0), a1 + r1 * np.cos(t1)])
        across = np.concatenate([-r0 * np.sin(t0), -r1 * np.sin(t1)])
        return bone.to_world(along / bone.length, across)
    pts = np.asarray(part.points, dtype=np.float64)
    pts = _chaikin(pts, part.smooth)
    return bone.to_world(pts[:, 0], pts[:, 1])


def _fixed(points_px: np.ndarray) -> np.ndarray:
    return np.round(points_px * _ONE).astype(np.int32).reshape(-1, 1, 2)


# Display-list targets: the shared ink and region layers, and two per-character scratch layers.
_INK, _REG, _UNION, _THICK = 0, 1, 2, 3


@dataclass
class _Op:
    """One OpenCV drawing call, recorded so it can be replayed into any crop / band of the canvas."""

    target: int
    pts: np.ndarray  # int32 (N, 1, 2) fixed-point canvas coordinates
    value: int
    thickness: int  # < 0: fill the polygon
    closed: bool = True
    aa: bool = True


def _face_ops(rig: Rig, pose: Pose, bone: Bone, to_px, inner: int) -> list[_Op]:
    """Eyes (closed outlines over the 'eye' region), pupils, brows and mouth as ink, in head space."""
    fs = rig.face
    f = {k: float(pose.face.get(k, v)) for k, v in FACE_REST.items()}
    eye_idx = REGION_NAMES.index("eye")
    L = bone.length
    c_along, c_across = fs.center[0] * L, fs.center[1]
    rx, ry = fs.eye_size
    t = np.linspace(0.0, 2 * np.pi, 28, endpoint=False)
    open_ = max(0.0, f["eye_open"])
    ops: list[_Op] = []
    for side in (-1.0, 1.0):
        ex = c_across + side * fs.eye_spacing / 2
        if open_ < 0.18:
            # Shut lids read as a soft downward curve, not as a region.
            u = np.linspace(-1, 1, 9)
            pts = _fixed(to_px(bone.to_world((c_along - 0.3 * ry * (1 - u**2)) / L, ex + rx * u)))
            ops.append(_Op(_INK, pts, 255, inner, closed=False))
        else:
            fx = _fixed(to_px(bone.to_world((c_along + ry * open_ * np.sin(t)) / L, ex + rx * np.cos(t))))
            ops += [_Op(_INK, fx, 0, -1), _Op(_REG, fx, eye_idx, -1, aa=False), _Op(_INK, fx, 255, inner)]
            if fs.pupils:
                pr = 0.5 * min(rx, ry * open_)
                p_along = c_along - 0.15 * ry * open_ + pr * np.sin(t)
                pts = _fixed(to_px(bone.to_world(p_along / L, ex + 0.25 * rx + pr * np.cos(t))))
                ops.append(_Op(_INK, pts, 255, -1))
        # Brow: height follows the lid and brow_raise, its inner end tilts with brow_tilt.
        b_along = c_along + ry * max(open_, 0.7) + fs.brow_gap + 0.4 * fs.brow_gap * f["brow_raise"]
        u = np.array([-0.5, 0.0, 0.5])
        across = ex + u * fs.brow_length
        inner_end = -side * u  # +0.5 at the end nearer the face centre
        along = b_along + fs.brow_gap * (0.6 * f["brow_tilt"] * inner_end + 0.15 * (1 - 4 * u**2))
        ops.append(_Op(_INK, _fixed(to_px(bone.to_world(along / L, across))), 255, inner, closed=False))
    return ops + _mouth_ops(fs, f, bone, to_px, inner, c_across)


# Mouth width factors at mouth_wide = +1 (spread, an E) and -1 (pursed, an O), and how much taller
# an O is for its opening: pursed lips push forward and part vertically rather than sideways.
_SPREAD, _PURSE, _O_TALL = 0.35, 0.4, 1.0


def _mouth_ops(fs, f: dict[str, float], bone: Bone, to_px, inner: int, c_across: float) -> list[_Op]:
    """The mouth as ink: a curve (closed) or a solid shape (open) whose width follows `mouth_wide`.

    The upper lip is a parabola whose corners rise with mouth_curve; opened, the lower lip drops by
    mouth_open. Spread lips (wide > 0) make a broad slit; pursed ones (wide < 0) a narrow oval whose
    upper lip lifts as the lower drops, with the smile or frown flattened (an O does not smile).
    """
    L = bone.length
    wide = float(np.clip(f.get("mouth_wide", 0.0), -1.0, 1.0))
    purse = max(0.0, -wide)
    width = fs.mouth_width * (1.0 + (_SPREAD * wide if wide > 0 else _PURSE * wide))
    u = np.linspace(-0.5, 0.5, 15)
    m_along = fs.mouth_along * L
    curve = f["mouth_curve"] * (1.0 - 0.8 * purse)
    upper = m_along + curve * 0.35 * fs.mouth_width * (4 * u**2 - 0.5)
    across = c_across + u * width
    if f["mouth_open"] <= 0.08:
        return [_Op(_INK, _fixed(to_px(bone.to_world(upper / L, across))), 255, inner, closed=False)]
    spread = max(0.0, wide)
    drop = f["mouth_open"] * 0.6 * fs.mouth_width * (1.0 + _O_TALL * purse)
    # A parabola for a dropped jaw, rounder (towards an ellipse) as the lips purse, flatter (towards
    # a slot) as they spread.
    profile = np.clip(1 - 4 * u**2, 0.0, 1.0) ** (1.0 - 0.5 * purse - 0.6 * spread)
    top = upper + 0.35 * purse * drop * profile
    lower = upper - (1.0 - 0.35 * purse) * drop * profile

    def ring(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _fixed(to_px(np.concatenate([bone.to_world(a / L, across), bone.to_world(b[::-1] / L, across[::-1])])))

    fx = ring(top, lower)
    ops = [_Op(_INK, fx, 255, -1), _Op(_INK, fx, 255, inner)]
    if spread > 0.5:
        # Spread lips bare the upper teeth: a paper band under the upper lip, the E of the chart.
        teeth = ring(top - 0.15 * drop * profile, top - 0.5 * drop * profile)
        ops += [_Op(_INK, teeth, 0, -1)]
    return ops


def mouth_box(rig: Rig, pose: Pose, width: int, height: int, margin: float = 1.2) -> tuple[int, int, int, int]:
    """The pixel box (x0, y0, x1, y1) a character's mouth can occupy in a width x height drawing: its
    spread width times `margin` across, from a little above the lip line to below its deepest drop.
    Used to measure a drawn mouth (the lip-sync bench and tests)."""
    fs = rig.face
    if fs is None:
        raise ValueError(f"rig '{rig.name}' has no face, so it has no mouth")
    bone = forward_kinematics(rig, pose)[fs.bone]
    sx = view_scale(pose)
    char_px = CHARACTER_HEIGHT * height * rig.height * pose.scale
    mw = fs.mouth_width
    half = 0.5 * mw * (1.0 + _SPREAD) * margin
    along = fs.mouth_along * bone.length + np.array([-1.0, 0.35, -1.0, 0.35]) * mw * margin
    across = fs.center[1] + np.array([-1.0, -1.0, 1.0, 1.0]) * half
    pts = bone.to_world(along / bone.length, across)
    xs = pose.root_x * width + sx * char_px * pts[:, 0]
    ys = pose.root_y * height - char_px * pts[:, 1]
    x0, x1 = int(np.floor(xs.min())), int(np.ceil(xs.max())) + 1
    y0, y1 = int(np.floor(ys.min())), int(np.ceil(ys.max())) + 1
    return max(0, x0), max(0, y0), min(width, x1), min(height, y1)


def line_widths(rig: Rig, height: int) -> tuple[float, float]:
    """(inner, silhouette) line widths in output pixels: proportional to frame height, never below min_px."""
    inner = max(rig.lines.min_px, rig.lines.inner * height)
    sil = max(1.5 * inner, rig.lines.silhouette * height)
    return inner, sil


def _cv_thickness(width_px: float) -> int:
    """OpenCV `thickness` whose anti-aliased stroke is closest to `width_px` wide.

    A LINE_AA stroke of thickness t covers about 2*floor(t/2) + 1.6 px (1.4 px for t = 1; measured
    by integrating coverage across the stroke), so only even thicknesses are worth asking for.
    """
    if width_px < 2.5:
        return 1
    return 2 * max(1, int(round((width_px - 1.6) / 2.0)))


# Small frames are drawn supersampled and area-averaged, so sub-pixel line widths and positions come
# out as the same drawing as a large frame, only sampled coarser. OpenCV's AA strokes only come in
# 2 px steps of width, so a 720-line frame drawn directly has ~20 % too heavy inner lines; drawn at
# about 1440 lines and averaged down it matches a 4K drawing. The pixel budget keeps 1080p and up
# drawn directly (their width steps are a smaller fraction, and they must stay fast).
SUPERSAMPLE_TARGET_HEIGHT = 1440
MAX_SUPERSAMPLE = 4
SUPERSAMPLE_MAX_PIXELS = 4_200_000


def supersample_factor(width: int, height: int) -> int:
    """How many canvas pixels per output pixel (per axis) a width x height drawing is made with."""
    ss = int(np.clip(math.ceil(SUPERSAMPLE_TARGET_HEIGHT / height), 1, MAX_SUPERSAMPLE))
    while ss > 1 and width * height * ss * ss > SUPERSAMPLE_MAX_PIXELS:
        ss -= 1
    return ss


INK_KEEP = 0.6  # coverage kept on output pixels a stroke core crosses (Chroma reads >= 0.5 as ink)
# A turned figure is drawn as its side view squeezed in x (the model sheet's front / three-quarter
# views, the middle keys of a turn); never thinner than this, so it never degenerates to a line.
MIN_VIEW_SCALE = 0.25
# Frames drawn by `draw_line_art_sequence` at once: OpenCV releases the GIL inside its drawing calls,
# so while one frame is in C++ the next frame's kinematics run in Python; two matches two cores.
SEQUENCE_WORKERS = 2


def view_scale(pose: Pose) -> float:
    """Signed x scale of the drawing: the facing sign times how side-on the view is (1 = profile)."""
    f = float(pose.face.get(FACING_KEY, 1.0))
    sign = 1.0 if f >= 0 else -1.0
    return sign * float(np.clip(abs(f), MIN_VIEW_SCALE, 1.0))


def _canvas_camera(cam: CameraKey, width: int, height: int, ss: int) -> np.ndarray:
    """The camera's 2x3 similarity on the supersampled canvas: canvas pixel X is output pixel
    (X + 0.5) / ss - 0.5 (the area average's sampling), mapped by `camera_matrix`, and back."""
    m = camera_matrix(cam, width, height)
    a, b = m[:, :2], m[:, 2]
    c0 = np.full(2, 0.5 / ss - 0.5)
    return np.concatenate([a, (ss * (a @ c0 + b) + (0.5 * ss - 0.5))[:, None]], axis=1)


def _character_ops(rig: Rig, pose: Pose, W: int, H: int, height: int, ss: int, camera: np.ndarray | None = None,
                   zoom: float = 1.0) -> tuple[list[_Op], tuple[int, int, int, int], float]:
    """The display list of one character on a W x H canvas, its pixel bounding box (x0, y0, x1, y1)
    and its lowest stage point (canvas pixels, before the camera). `camera` (2x3, canvas pixels)
    frames the outlines; `zoom` is its scale, which the line widths follow."""
    bones = forward_kinematics(rig, pose)
    sx = view_scale(pose)
    char_px = CHARACTER_HEIGHT * H * rig.height * pose.scale
    ox, oy = pose.root_x * W, pose.root_y * H
    stage_bottom = [-np.inf]

    def to_px(p: np.ndarray) -> np.ndarray:
        px = np.stack([ox + sx * char_px * p[:, 0], oy - char_px * p[:, 1]], axis=1)
        stage_bottom[0] = max(stage_bottom[0], float(px[:, 1].max()))
        return px if camera is None else px @ camera[:, :2].T + camera[:, 2]

    inner_out, sil_out = line_widths(rig, height)
    inner, sil = _cv_thickness(inner_out * ss * zoom), _cv_thickness(sil_out * ss * zoom)
    ops: list[_Op] = []
    lo, hi = np.array([np.inf, np.inf]), np.array([-np.inf, -np.inf])
    region_of = {r: i for i, r in enumerate(REGION_NAMES)}
    for part in rig.parts:
        bone = bones[part.bone]
        # Enough vertices that a curve stays smooth at this size (about one per 3 px of outline).
        size_px = char_px * zoom * max(part.radii + part.width + (bone.length,))
        segments = int(np.clip(size_px, 16, 72))
        px = to_px(_part_outline(part, bone, segments))
        lo, hi = np.minimum(lo, px.min(axis=0)), np.maximum(hi, px.max(axis=0))
        fx = _fixed(px)
        # Painter's order: erase what this part covers, then ink its closed outline.
        ops += [
            _Op(_INK, fx, 0, -1),
            _Op(_REG, fx, region_of[part.region], -1, aa=False),
            _Op(_INK, fx, 255, inner),
            _Op(_UNION, fx, 255, -1),
            _Op(_THICK, fx, 255, sil),
        ]
        if rig.face is not None and part.name == rig.face.after_part:
            ops += _face_ops(rig, pose, bones[rig.face.bone], to_px, inner)
    # The heavy outline reaches half its width (plus the AA fringe) beyond the outlines.
    pad = sil / 2.0 + 3.0
    x0, y0 = int(math.floor(lo[0] - pad)), int(math.floor(lo[1] - pad))
    x1, y1 = int(math.ceil(hi[0] + pad)) + 1, int(math.ceil(hi[1] + pad)) + 1
    return ops, (max(0, x0), max(0, y0), min(W, x1), min(H, y1)), stage_bottom[0]


def _replay(ops: list[_Op], layers: tuple[np.ndarray, ...], x0: int, y0: int) -> None:
    """Draw a display list into layers whose pixel (0, 0) is canvas pixel (x0, y0)."""
    off = np.array([x0 << SHIFT, y0 << SHIFT], np.int32)
    for op in ops:
        pts = op.pts - off
        img = layers[op.target]
        lt = cv2.LINE_AA if op.aa else cv2.LINE_8
        if op.thickness < 0:
            cv2.fillPoly(img, [pts], op.value, lt, SHIFT)
        else:
            cv2.polylines(img, [pts], op.closed, op.value, op.thickness, lt, SHIFT)


def _draw_character(ops: list[_Op], ink: np.ndarray, regions: np.ndarray, covered: np.ndarray,
               x0: int, y0: int, x1: int, y1: int) -> None:
    """One character into the canvas rectangle [y0:y1, x0:x1] (its box); scratch layers are box-sized."""
    ink_v, reg_v = ink[y0:y1, x0:x1], regions[y0:y1, x0:x1]
    union = np.zeros((y1 - y0, x1 - x0), np.uint8)
    thick = np.zeros_like(union)
    _replay(ops, (ink_v, reg_v, union, thick), x0, y0)
    # Silhouette weight: keep only the outer half of the heavy outlines (outside the body's union),
    # so outer edges get inner/2 + sil/2 while overlapping inner edges stay thin.
    outer = cv2.multiply(thick, cv2.bitwise_not(union), scale=1.0 / 255.0)
    np.maximum(ink_v, outer, out=ink_v)
    cov_v = covered[y0:y1, x0:x1]
    np.maximum(cov_v, union, out=cov_v)


def draw_line_art(rigs_and_poses: list[tuple[Rig, Pose]], width: int, height: int,
                  camera: CameraKey | None = None) -> LineArt:
    """Draw characters (later ones in front) as anti-aliased closed-outline line art with region hints,
    seen through `camera` when given (the frame as delivered, not the stage).

    Each character is recorded as a display list, then replayed only inside its bounding box: the
    per-character scratch layers and the silhouette compositing never touch the rest of the frame.
    Output conversion also only visits the union of the boxes; the rest of the frame is freshly
    zeroed memory.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"cannot draw at {width}x{height}")
    ss = supersample_factor(width, height)
    W, H = width * ss, height * ss
    framed = camera is not None and not is_identity(camera)
    canvas_camera = _canvas_camera(camera, width, height, ss) if framed else None
    zoom = camera.zoom if framed else 1.0
    ground = -np.inf
    ink = np.zeros((H, W), np.uint8)
    regions = np.zeros((H, W), np.uint8)
    covered = np.zeros((H, W), np.uint8)
    bx0, by0, bx1, by1 = W, H, 0, 0
    for rig, pose in rigs_and_poses:
        ops, (x0, y0, x1, y1), bottom = _character_ops(rig, pose, W, H, height, ss, canvas_camera, zoom)
        ground = max(ground, bottom)
        if x1 <= x0 or y1 <= y0:
            continue  # entirely off-frame
        bx0, by0, bx1, by1 = min(bx0, x0), min(by0, y0), max(bx1, x1), max(by1, y1)
        _draw_character(ops, ink, regions, covered, x0, y0, x1, y1)
    if ss == 1:
        line = np.zeros((height, width), np.float32)
        silhouette = np.zeros((height, width), bool)
        if bx1 > bx0:
            box = (slice(by0, by1), slice(bx0, bx1))
            np.multiply(ink[box], np.float32(1.0 / 255.0), out=line[box], dtype=np.float32)
            np.greater_equal(covered[box], 128, out=silhouette[box])
        return LineArt(line=line, regions=regions, silhouette=silhouette, stage_ground_y=_ground(ground, H))
    # Area-average for anti-aliasing, but every output pixel a stroke core passes through stays
    # ink (>= INK_KEEP): a connected stroke crosses a 4-connected chain of blocks, so outlines
    # thinner than a pixel still close their regions for a flood fill at ink < 0.5.
    line = ink.astype(np.float32) * np.float32(1.0 / 255.0)
    cover = covered.astype(np.float32) * np.float32(1.0 / 255.0)
    core = (ink >= 250).astype(np.float32)
    hit = cv2.resize(core, (width, height), interpolation=cv2.INTER_AREA) > 0
    line = cv2.resize(line, (width, height), interpolation=cv2.INTER_AREA)
    line = np.where(hit, np.maximum(line, INK_KEEP), line)
    cover = cv2.resize(cover, (width, height), interpolation=cv2.INTER_AREA)
    # Region hints are labels: take the sample at the centre of each output pixel, never a mean.
    regions = np.ascontiguousarray(regions[ss // 2 :: ss, ss // 2 :: ss][:height, :width])
    return LineArt(line=np.clip(line, 0.0, 1.0).astype(np.float32), regions=regions, silhouette=cover >= 0.5,
                   stage_ground_y=_ground(ground, H))


def _ground(bottom_px: float, canvas_height: int) -> float | None:
    """The lowest outline point (canvas pixels, centres at integers) as a fraction of the stage height:
    the bottom edge of that pixel, as `lighting.ground_line` reads a silhouette."""
    return None if not np.isfinite(bottom_px) else float(np.clip((bottom_px + 0.5) / canvas_height, 0.0, 1.0))


def draw_line_art_sequence(frames: Iterable[list[tuple[Rig, Pose]]], width: int, height: int,
                           workers: int = SEQUENCE_WORKERS) -> Iterator[LineArt]:
    """`draw_line_art` for many frames, in order, overlapping frames on `workers` threads.

    At most 2 * workers frames are in flight, so memory stays bounded however long the shot is.
    """
    if workers <= 1:
        for f in frames:
            yield draw_line_art(f, width, height)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="axis-draw") as pool:
        pending = []
        for f in frames:
            pending.append(pool.submit(draw_line_art, f, width, height))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for job in pending:
            yield job.result()
