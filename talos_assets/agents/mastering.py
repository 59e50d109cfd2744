"""Anima mastering: the studio's linear-light frames turned into SDR, HDR10, ProRes and EXR masters.

The studio composites scene-referred linear Rec.709 light (premultiplied alpha, Porter-Duff over;
see `render.py`) where 1.0 is diffuse white and emissive light (fire, bloom) goes above it. Scene
light is placed in absolute luminance per ITU-R BT.2408 (1.0 = HDR reference white, 203 cd/m²),
graded for an ideal 10,000-nit SMPTE ST 2084 (PQ) display and fitted to the mastering display
(default 1000 nits) with the ITU-R BT.2390 EETF: light below its knee (317 nits, scene 1.56) is
exactly 203·x nits, brighter light rolls off smoothly toward the peak and reaches it only
asymptotically. The HDR10 master carries that grade in ITU-R BT.2020 primaries with PQ (BT.2100),
10-bit HEVC, with SMPTE ST 2086 mastering-display and CTA-861.3 MaxCLL/MaxFALL metadata measured on
the encoded frames. The SDR version is that same grade relative to reference white (BT.2408: SDR
100 % ↔ 203 nits) with an extended-Reinhard shoulder above half of SDR white: mid-grey 0.18 stays
0.18, diffuse white lands at 75 % of SDR peak light (89 % signal), and highlights up to the HDR
peak keep distinct rising values instead of a clipped plateau; it is encoded for a BT.709 /
BT.1886 (gamma 2.4) display. Tone curves act per channel, like film: saturated emissive colour
desaturates toward white as it brightens. Every colour-space conversion is an OpenColorIO
processor built from the built-in studio config (Linear Rec.709 → Linear Rec.2020 matrix, OCIO's
ST 2084 curve, Rec.709 gamma-2.4 encoding); OCIO has no stand-alone EETF or shoulder, so those 1D
curves are computed in numpy and handed to OCIO as a 1D LUT over the PQ signal (the documented
numpy part). Per frame, the processor's per-channel part is used as a table OCIO filled once (the
Rec.709 → Rec.2020 matrix, also taken from OCIO, applied by OpenCV): same codes within one, 4-10x
faster than OCIO's CPU path on this machine. R'G'B' → Y'CbCr is zimg's (ffmpeg zscale), exact
limited-range BT.709 / BT.2020-NCL. ProRes 4444 keeps alpha (straight, as ProRes readers expect);
the OpenEXR sequence is the scene-linear, premultiplied compositing master. Frames stream through
a bounded queue into ffmpeg's stdin, so memory does not grow with film length.
"""

from __future__ import annotations

import math
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from pydantic import BaseModel

# ---- the studio's light, in nits ----------------------------------------------------------------

REFERENCE_WHITE_NITS = 203.0  # ITU-R BT.2408: HDR reference (diffuse) white; scene 1.0 lands here
HDR_PEAK_NITS = 1000.0  # the mastering display's peak; emissive light rolls off toward it
PQ_MAX_NITS = 10000.0  # SMPTE ST 2084 full scale

# SMPTE ST 2084 constants.
_M1 = 2610.0 / 16384.0
_M2 = 2523.0 / 4096.0 * 128.0
_C1 = 3424.0 / 4096.0
_C2 = 2413.0 / 4096.0 * 32.0
_C3 = 2392.0 / 4096.0 * 32.0

# The mastering display we claim in SMPTE ST 2086 metadata: a P3-D65 reference monitor (the usual
# HDR grading display). Our colours never leave Rec.709, which P3 contains.
MASTERING_PRIMARIES = {"r": (0.680, 0.320), "g": (0.265, 0.690), "b": (0.150, 0.060), "wp": (0.3127, 0.3290)}
MASTERING_MIN_NITS = 0.0001


def pq_encode(nits: np.ndarray | float) -> np.ndarray:
    """SMPTE ST 2084 inverse EOTF: absolute luminance (cd/m²) -> PQ signal in [0, 1]."""
    y = np.clip(np.asarray(nits, dtype=np.float64) / PQ_MAX_NITS, 0.0, 1.0)
    p = y**_M1
    return ((_C1 + _C2 * p) / (1.0 + _C3 * p)) ** _M2


def pq_decode(signal: np.ndarray | float) -> np.ndarray:
    """SMPTE ST 2084 EOTF: PQ signal in [0, 1] -> absolute luminance (cd/m²)."""
    e = np.clip(np.asarray(signal, dtype=np.float64), 0.0, 1.0) ** (1.0 / _M2)
    return PQ_MAX_NITS * (np.maximum(e - _C1, 0.0) / (_C2 - _C3 * e)) ** (1.0 / _M1)


def bt2390_eetf(signal: np.ndarray | float, source_peak_nits: float, target_peak_nits: float) -> np.ndarray:
    """ITU-R BT.2390 EETF (black level 0): PQ signal mastered up to `source_peak_nits` -> PQ signal
    for a display peaking at `target_peak_nits`. Identity below the knee KS = 1.5·maxLum − 0.5
    (in signal normalised to the source peak), a Hermite spline above that meets the target peak
    with slope 0 exactly at the source peak: monotonic, continuous in value and slope."""
    e = np.asarray(signal, dtype=np.float64)
    if target_peak_nits >= source_peak_nits:
        return np.clip(e, 0.0, float(pq_encode(source_peak_nits)))
    src = float(pq_encode(source_peak_nits))
    max_lum = float(pq_encode(target_peak_nits)) / src
    ks = 1.5 * max_lum - 0.5
    if ks < 0:
        raise ValueError(f"BT.2390 EETF cannot compress {source_peak_nits} nits into {target_peak_nits} nits (ratio too large)")
    e1 = np.clip(e / src, 0.0, 1.0)
    t = (e1 - ks) / (1.0 - ks)
    t2, t3 = t * t, t * t * t
    spline = (2 * t3 - 3 * t2 + 1) * ks + (t3 - 2 * t2 + t) * (1.0 - ks) + (-2 * t3 + 3 * t2) * max_lum
    return np.where(e1 < ks, e1, spline) * src


def scene_to_hdr_nits(x: np.ndarray | float, peak_nits: float = HDR_PEAK_NITS,
                      white_nits: float = REFERENCE_WHITE_NITS) -> np.ndarray:
    """The HDR grade, per channel: scene-linear value -> displayed cd/m² on the mastering display.

    x·white_nits on an ideal 10,000-nit PQ display, then the BT.2390 EETF to `peak_nits`. Below the
    knee (317 nits for 1000-nit mastering, scene 1.56) light is exactly x·203 nits.
    """
    graded = pq_encode(np.maximum(np.asarray(x, dtype=np.float64), 0.0) * white_nits)
    return pq_decode(bt2390_eetf(graded, PQ_MAX_NITS, peak_nits))


SDR_KNEE = 0.5  # SDR light (relative to SDR white) below which the SDR version is colorimetric


def sdr_shoulder(y: np.ndarray | float, peak_ratio: float, knee: float = SDR_KNEE) -> np.ndarray:
    """HDR light relative to reference white (0 .. peak_ratio) -> SDR light relative to SDR peak.

    Identity below `knee`; above it the extended-Reinhard shoulder k + (1−k)·u(1 + u/uw²)/(1 + u),
    u = (y − k)/(1 − k), which has slope 1 at the knee (no kink) and reaches 1.0 exactly at the
    HDR peak (u = uw). Chosen over BT.2390's EETF for this step because the EETF's zero slope at
    its end put scene 3..5 (540..1000 HDR nits) on two 8-bit codes; this shoulder keeps ~26 codes
    between diffuse white and the HDR peak.
    """
    y = np.maximum(np.asarray(y, dtype=np.float64), 0.0)
    if peak_ratio <= 1.0:
        return np.minimum(y, 1.0)
    u = np.maximum(y - knee, 0.0) / (1.0 - knee)
    uw = (peak_ratio - knee) / (1.0 - knee)
    shoulder = knee + (1.0 - knee) * u * (1.0 + u / (uw * uw)) / (1.0 + u)
    return np.where(y < knee, y, np.minimum(shoulder, 1.0))


def scene_to_sdr(x: np.ndarray | float, peak_nits: float = HDR_PEAK_NITS,
                 white_nits: float = REFERENCE_WHITE_NITS) -> np.ndarray:
    """The SDR version, per channel: scene-linear value -> SDR display light relative to SDR peak
    (1.0 = 100 % white of a BT.1886 display). The HDR grade expressed relative to reference white
    (BT.2408: SDR 100 % corresponds to HDR reference white) and compressed by `sdr_shoulder`, so
    x -> x up to 0.5 (mid-grey 0.18 is kept), diffuse white 1.0 -> 0.75, and the HDR peak -> 1.0,
    reached only asymptotically like the HDR grade itself: no highlight is clipped flat."""
    return sdr_shoulder(scene_to_hdr_nits(x, peak_nits, white_nits) / white_nits, peak_nits / white_nits)


# ---- deliverables ------------------------------------------------------------------------------


class Deliverable(str, Enum):
    SDR_H264 = "sdr-h264"  # H.264 yuv420p, BT.709, tone-mapped: the default delivery
    HDR10_HEVC = "hdr10-hevc"  # HEVC Main10 yuv420p10le, BT.2020 + PQ, ST 2086 + CTA-861.3 metadata
    PRORES_4444 = "prores4444"  # ProRes 4444 yuva444p10le in .mov, BT.709 tone-mapped, straight alpha
    EXR_SEQUENCE = "exr-sequence"  # half-float OpenEXR per frame, scene-linear Rec.709, premultiplied


class MasterFacts(BaseModel):
    """What a master holds (read back with PyAV / OpenEXR), plus what mastering measured."""

    path: str
    deliverable: str | None = None
    codec: str | None = None
    profile: str | None = None  # e.g. "Main 10", "4444", "High"
    pix_fmt: str | None = None  # as the decoder reports it (FFmpeg decodes ProRes 4444 to yuva444p12le)
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    duration_s: float = 0.0
    frame_count: int | None = None
    color_primaries: str | None = None
    color_trc: str | None = None
    colorspace: str | None = None
    color_range: str | None = None
    has_audio: bool = False
    audio_codec: str | None = None
    # SMPTE ST 2086 as decoded from the stream: {"r": (x, y), "g": .., "b": .., "wp": .., "min_nits", "max_nits"}
    mastering_display: dict | None = None
    max_cll: int | None = None  # CTA-861.3 content light level as signalled in the stream (cd/m²)
    max_fall: int | None = None
    content_light_source: str | None = None  # "pre-pass" | "given" | "upper-bound" (HDR10 only)
    measured_max_cll: float | None = None  # measured on the frames actually encoded (HDR10 only)
    measured_max_fall: float | None = None
    size_bytes: int | None = None
    encode_seconds: float | None = None


# ---- OpenColorIO processors --------------------------------------------------------------------

OCIO_CONFIG = "studio-config-latest"
_LIN709 = "Linear Rec.709 (sRGB)"
_LIN2020 = "Linear Rec.2020"
_G24_709 = "Gamma 2.4 Encoded Rec.709"
_LUT_SIZE = 16384  # PQ-domain 1D LUT: linear interpolation error < 1e-6 of the curve, far below 10-bit steps


@lru_cache(maxsize=1)
def _ocio_config():
    import PyOpenColorIO as ocio

    return ocio.Config.CreateFromBuiltinConfig(OCIO_CONFIG)


def _pq_lut(curve: Callable[[np.ndarray], np.ndarray]):
    """A 1D LUT over PQ signal [0, 1] (OCIO's domain for a Lut1DTransform) holding `curve`."""
    import PyOpenColorIO as ocio

    domain = np.linspace(0.0, 1.0, _LUT_SIZE, dtype=np.float64)
    values = np.asarray(curve(domain), dtype=np.float32)
    lut = ocio.Lut1DTransform(length=_LUT_SIZE, inputHalfDomain=False)
    lut.setData(np.ascontiguousarray(np.repeat(values[:, None], 3, axis=1)).ravel())
    return lut


def _scene_to_pq100(white_nits: float) -> list:
    """Scene linear -> clamp -> ST 2084 signal; OCIO's built-in curve takes linear nits/100."""
    import PyOpenColorIO as ocio

    s = white_nits / 100.0
    cap = PQ_MAX_NITS / 100.0
    return [
        ocio.MatrixTransform(matrix=[s, 0, 0, 0, 0, s, 0, 0, 0, 0, s, 0, 0, 0, 0, 1]),
        # Negative light (out-of-gamut ringing) is no light; beyond 10,000 nits PQ has no code.
        ocio.RangeTransform(minInValue=0.0, maxInValue=cap, minOutValue=0.0, maxOutValue=cap),
        ocio.BuiltinTransform("CURVE - LINEAR_to_ST-2084"),
    ]


def _colorspace_step(src: str, dst: str):
    import PyOpenColorIO as ocio

    cfg = _ocio_config()
    if cfg.getColorSpace(src) is not None and cfg.getColorSpace(dst) is not None:
        return ocio.ColorSpaceTransform(src=src, dst=dst)
    if (src, dst) == (_LIN709, _G24_709):
        # Older built-in configs (OCIO 2.3) lack the gamma-2.4 colour space: the same BT.1886
        # inverse EOTF (black = 0) as a plain OCIO exponent, negatives clamped.
        return ocio.ExponentTransform(value=[2.4, 2.4, 2.4, 1.0], negativeStyle=ocio.NEGATIVE_CLAMP,
                                      direction=ocio.TRANSFORM_DIR_INVERSE)
    raise ValueError(f"OCIO config '{OCIO_CONFIG}' has no colour space '{src}' or '{dst}'")


@lru_cache(maxsize=16)
def _processor(deliverable: Deliverable, peak_nits: float, white_nits: float, out_bits: int,
               with_gamut: bool = True):
    """The OCIO CPU processor from scene-linear Rec.709 float to the deliverable's code values
    (`with_gamut=False`: the same chain without HDR's Rec.709 -> Rec.2020 matrix, per channel only)."""
    import PyOpenColorIO as ocio

    if deliverable is Deliverable.HDR10_HEVC:
        steps = [*_scene_to_pq100(white_nits), _pq_lut(lambda e: bt2390_eetf(e, PQ_MAX_NITS, peak_nits))]
        if with_gamut:
            steps.insert(0, _colorspace_step(_LIN709, _LIN2020))
    elif deliverable in (Deliverable.SDR_H264, Deliverable.PRORES_4444):
        # PQ-graded scene -> HDR grade -> SDR light relative to SDR peak; then OCIO's Rec.709
        # gamma-2.4 encoding.
        def to_sdr(e: np.ndarray) -> np.ndarray:
            hdr_nits = pq_decode(bt2390_eetf(e, PQ_MAX_NITS, peak_nits))
            return sdr_shoulder(hdr_nits / white_nits, peak_nits / white_nits)

        steps = [*_scene_to_pq100(white_nits), _pq_lut(to_sdr), _colorspace_step(_LIN709, _G24_709)]
    else:
        raise ValueError(f"{deliverable.value} is stored scene-linear; it has no display processor")
    proc = _ocio_config().getProcessor(ocio.GroupTransform(steps))
    depth = {8: ocio.BIT_DEPTH_UINT8, 16: ocio.BIT_DEPTH_UINT16}[out_bits]
    return proc.getOptimizedCPUProcessor(ocio.BIT_DEPTH_F32, depth, ocio.OPTIMIZATION_DEFAULT)


def _apply(cpu, src: np.ndarray, out: np.ndarray) -> np.ndarray:
    import PyOpenColorIO as ocio

    h, w, ch = src.shape
    ob = out.itemsize
    cpu.apply(
        ocio.PackedImageDesc(src, w, h, ch, ocio.BIT_DEPTH_F32, 4, 4 * ch, 4 * ch * w),
        ocio.PackedImageDesc(out, w, h, ch, ocio.BIT_DEPTH_UINT8 if ob == 1 else ocio.BIT_DEPTH_UINT16, ob, ob * ch, ob * ch * w),
    )
    return out


# Fast path. Every step after HDR's gamut matrix acts on each channel alone, so the OCIO
# processor's answer for every float32 value is tabulated once, indexed by the float's top 20 bits
# (sign, exponent, 11 of 23 mantissa bits; each entry evaluated at its bin's midpoint, so the input
# is off by at most 1/4096 relative: < 0.03 of a 10-bit PQ code). The gamut matrix comes from OCIO
# too (its Rec.709 -> Rec.2020 processor applied to the unit vectors) and is applied by OpenCV.
# Measured at 1080p on this 2-core machine: OCIO's CPU processor 75-150 ms per frame, the table
# 10-30 ms; the table agrees with OCIO to one code value (tested).
_INDEX_SHIFT = 12


@lru_cache(maxsize=16)
def _fast_tables(deliverable: Deliverable, peak_nits: float, white_nits: float, out_bits: int):
    cpu = _processor(deliverable, peak_nits, white_nits, out_bits, with_gamut=False)
    size, chunk = 1 << (32 - _INDEX_SHIFT), 1 << 16
    table = np.empty(size, np.uint8 if out_bits == 8 else np.uint16)
    for start in range(0, size, chunk):  # in chunks: a few MB of scratch instead of ~90 MB
        bits = (np.arange(start, start + chunk, dtype=np.uint32) << _INDEX_SHIFT) | (1 << (_INDEX_SHIFT - 1))
        # NaN entries become no light; infinities the largest finite value of their sign.
        values = np.nan_to_num(bits.view(np.float32), nan=0.0, posinf=3.0e38, neginf=-3.0e38)
        grey = np.ascontiguousarray(np.repeat(values.reshape(1, -1, 1), 3, axis=2))
        table[start : start + chunk] = _apply(cpu, grey, np.empty(grey.shape, table.dtype))[0, :, 0]
    matrix = None
    if deliverable is Deliverable.HDR10_HEVC:
        import PyOpenColorIO as ocio

        basis = np.ascontiguousarray(np.eye(3, dtype=np.float32).reshape(1, 3, 3))
        gamut = _ocio_config().getProcessor(_colorspace_step(_LIN709, _LIN2020)).getDefaultCPUProcessor()
        gamut.apply(ocio.PackedImageDesc(basis, 3, 1, 3))
        matrix = np.ascontiguousarray(basis[0].T)  # row i of the image = image of unit vector i
    return matrix, table


def display_encode(frame: np.ndarray, deliverable: Deliverable | str, peak_nits: float = HDR_PEAK_NITS,
                   white_nits: float = REFERENCE_WHITE_NITS, out_bits: int | None = None,
                   exact: bool = False) -> np.ndarray:
    """One scene-linear frame -> the code values a deliverable's encoder is fed.

    (H, W, 3) float -> (H, W, 3) uint8 (SDR H.264) or uint16 (HDR10: full-range PQ in BT.2020;
    ProRes: gamma-2.4 Rec.709). An (H, W, 4) premultiplied frame is flattened over black, except
    for ProRes, which keeps alpha: colour is un-premultiplied (ProRes 4444 readers expect straight
    alpha) and the result is (H, W, 4) uint16. `exact=True` runs the OCIO processor itself instead
    of its tabulated fast path (same result within one code value, 4-10x slower).
    """
    deliverable = Deliverable(deliverable)
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ValueError(f"a frame must be (H, W, 3) linear RGB or (H, W, 4) premultiplied RGBA, got {frame.shape}")
    if out_bits is None:
        out_bits = 8 if deliverable is Deliverable.SDR_H264 else 16
    peak_nits, white_nits = float(peak_nits), float(white_nits)
    h, w = frame.shape[:2]
    keep_alpha = deliverable is Deliverable.PRORES_4444
    alpha = None
    if keep_alpha and frame.shape[2] == 4:
        alpha = np.clip(frame[..., 3:4].astype(np.float32), 0.0, 1.0)
        rgb = np.zeros((h, w, 3), np.float32)
        np.divide(frame[..., :3], alpha, out=rgb, where=alpha > 1e-6)
    else:
        # Premultiplied colour over black is the colour itself: just drop alpha.
        rgb = np.ascontiguousarray(frame[..., :3], dtype=np.float32)
    dtype = np.uint8 if out_bits == 8 else np.uint16
    if exact:
        src = rgb
        if keep_alpha:
            src = np.ascontiguousarray(np.concatenate([rgb, np.ones((h, w, 1), np.float32) if alpha is None else alpha], axis=2))
        return _apply(_processor(deliverable, peak_nits, white_nits, out_bits), src, np.empty(src.shape, dtype))
    import cv2

    matrix, table = _fast_tables(deliverable, peak_nits, white_nits, out_bits)
    if matrix is not None:
        rgb = cv2.transform(rgb, matrix)
    index = np.right_shift(rgb.view(np.uint32), _INDEX_SHIFT)
    if not keep_alpha:
        return table[index]
    out = np.empty((h, w, 4), dtype)
    out[..., :3] = table[index]
    out[..., 3:] = 65535 if alpha is None else np.round(alpha * 65535.0).astype(np.uint16)
    return out


# ---- content light (CTA-861.3) -----------------------------------------------------------------

# Nits of every 16-bit PQ code: MaxCLL/MaxFALL are measured on exactly the values we encode.
_PQ16_NITS = pq_decode(np.arange(65536, dtype=np.float64) / 65535.0).astype(np.float32)


class ContentLight:
    """Running CTA-861.3 statistics over PQ frames: MaxCLL = brightest max(R,G,B) of any pixel,
    MaxFALL = highest frame average of max(R,G,B), both in cd/m² of the BT.2020 signal."""

    def __init__(self) -> None:
        self.max_cll = 0.0
        self.max_fall = 0.0
        self.frames = 0

    def update(self, pq16: np.ndarray) -> None:
        peak = np.maximum(np.maximum(pq16[..., 0], pq16[..., 1]), pq16[..., 2])
        self.max_cll = max(self.max_cll, float(_PQ16_NITS[int(peak.max())]))
        self.max_fall = max(self.max_fall, float(_PQ16_NITS[peak].mean(dtype=np.float64)))
        self.frames += 1

    def signalled(self) -> tuple[int, int]:
        # Integer cd/m², rounded up so the signal is never below the content.
        return int(math.ceil(self.max_cll - 1e-6)), int(math.ceil(self.max_fall - 1e-6))


# ---- streaming into ffmpeg ---------------------------------------------------------------------

_STOP = object()


class _Pump:
    """One writer thread fed through a bounded queue: frames are produced (rendered, colour
    converted) on the caller's thread while the previous ones are written, and at most `depth`
    frames wait, so memory is bounded whatever the film's length. After a write fails the thread
    keeps draining, so the producer can never block on a full queue."""

    def __init__(self, write: Callable[[object], None], depth: int):
        self._write = write
        self._q: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="master-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is _STOP:
                return
            if self.error is None:
                try:
                    self._write(item)
                except BaseException as exc:  # noqa: BLE001 - handed to the producer
                    self.error = exc

    def put(self, item: object) -> None:
        while True:
            if self.error is not None:
                raise _WriterFailed() from self.error
            try:
                self._q.put(item, timeout=0.25)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        self._q.put(_STOP)
        self._thread.join()
        if self.error is not None:
            raise _WriterFailed() from self.error

    def abort(self) -> None:
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        try:
            self._q.put_nowait(_STOP)
        except queue.Full:
            pass
        self._thread.join(timeout=30)


class _WriterFailed(Exception):
    pass


def _fraction(fps: float | int | Fraction) -> Fraction:
    f = Fraction(fps).limit_denominator(1001) if not isinstance(fps, Fraction) else fps
    if f <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    return f


def _frame_source(frames) -> Iterator[np.ndarray]:
    return iter(frames() if callable(frames) else frames)


def _check_frame(frame: np.ndarray, width: int, height: int, index: int) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[:2] != (height, width) or frame.shape[2] not in (3, 4):
        raise ValueError(f"frame {index} is {frame.shape}, the master is ({height}, {width}, 3|4)")
    return frame


def _x265_hdr_params(peak_nits: float, max_cll: int, max_fall: int) -> str:
    # ST 2086 in x265 units: chromaticity × 50000, luminance × 10000 (cd/m²).
    def xy(key: str) -> str:
        x, y = MASTERING_PRIMARIES[key]
        return f"({round(x * 50000)},{round(y * 50000)})"

    md = (f"G{xy('g')}B{xy('b')}R{xy('r')}WP{xy('wp')}"
          f"L({round(peak_nits * 10000)},{round(MASTERING_MIN_NITS * 10000)})")
    return (f"hdr10=1:repeat-headers=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:"
            f"master-display={md}:max-cll={max_cll},{max_fall}:log-level=error")


def _ffmpeg_argv(deliverable: Deliverable, ffmpeg_exe: str, width: int, height: int, rate: Fraction,
                 audio_path: Path | None, frame_count: int | None, crf: int | None, preset: str | None,
                 hdr_params: str | None, out: Path) -> list[str]:
    in_fmt = {Deliverable.SDR_H264: "rgb24", Deliverable.HDR10_HEVC: "rgb48le", Deliverable.PRORES_4444: "rgba64le"}[deliverable]
    fr = f"{rate.numerator}/{rate.denominator}"
    argv = [ffmpeg_exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", in_fmt, "-s", f"{width}x{height}", "-framerate", fr, "-i", "pipe:0"]
    if audio_path is not None:
        # "file:" keeps a name that starts with "-" or holds ":" from being read as an option/protocol.
        acodec = ["-c:a", "pcm_s24le"] if deliverable is Deliverable.PRORES_4444 else ["-c:a", "aac", "-b:a", "192k"]
        argv += ["-i", f"file:{audio_path}", "-map", "0:v:0", "-map", "1:a:0", "-af", "apad", *acodec]
        if frame_count is None:
            argv += ["-shortest"]  # padded audio ends with the picture
    else:
        argv += ["-map", "0:v:0"]
    # RGB -> Y'CbCr with the deliverable's own matrix, limited range; swscale would assume BT.601.
    # R'G'B' -> Y'CbCr with zimg (zscale): exact BT.2020-NCL / BT.709 matrices and limited-range
    # codes (64..940 at 10 bits). swscale measured ~0.4 % high on luma here (219·257 scaling), which
    # is +2.5 % in PQ nits at 650 nits. Chroma is sited left (H.264/HEVC default); 16 -> 10-bit
    # uses error diffusion so PQ gradients do not band. setparams then tags the frames themselves:
    # encoders take their VUI colour description from the frames, and raw RGB arrives untagged.
    if deliverable is Deliverable.HDR10_HEVC:
        matrix, tags = "2020_ncl", "color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc"
    else:
        matrix, tags = "709", "color_primaries=bt709:color_trc=bt709:colorspace=bt709"
    dither = "none" if deliverable is Deliverable.SDR_H264 else "error_diffusion"
    argv += ["-vf", f"zscale=m={matrix}:r=limited:c=left:d={dither},setparams=range=tv:{tags}"]
    if deliverable is Deliverable.SDR_H264:
        argv += ["-c:v", "libx264", "-preset", preset or "veryfast", "-crf", str(18 if crf is None else crf),
                 "-pix_fmt", "yuv420p", "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                 "-color_range", "tv", "-movflags", "+faststart", "-f", "mp4"]
    elif deliverable is Deliverable.HDR10_HEVC:
        argv += ["-c:v", "libx265", "-preset", preset or "fast", "-crf", str(18 if crf is None else crf),
                 "-pix_fmt", "yuv420p10le", "-profile:v", "main10", "-x265-params", hdr_params or "",
                 "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
                 "-color_range", "tv", "-tag:v", "hvc1", "-movflags", "+faststart", "-f", "mp4"]
    else:
        argv += ["-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le", "-alpha_bits", "16",
                 "-vendor", "apl0", "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                 "-color_range", "tv", "-f", "mov"]
    argv += ["-r", fr]
    if frame_count is not None:
        # -t takes decimal seconds; any frame with pts < t is kept, so six decimals never lose one.
        argv += ["-t", f"{frame_count / float(rate):.6f}"]
    argv += [str(out)]
    return argv


def _tail(errlog) -> str:
    errlog.flush()
    errlog.seek(0)
    lines = errlog.read().decode("utf-8", "replace").strip().splitlines()[-6:]
    return " | ".join(lines) or "(no message)"


def master_film(
    frames: Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]],
    out_path: Path | str,
    deliverable: Deliverable | str = Deliverable.SDR_H264,
    fps: float | int | Fraction = 24,
    width: int = 1920,
    height: int = 1080,
    ffmpeg_exe: str | None = None,
    audio_path: Path | str | None = None,
    *,
    frame_count: int | None = None,
    peak_nits: float = HDR_PEAK_NITS,
    white_nits: float = REFERENCE_WHITE_NITS,
    content_light: tuple[int, int] | None = None,
    crf: int | None = None,
    preset: str | None = None,
    queue_depth: int = 3,
) -> MasterFacts:
    """Stream scene-linear frames into a finished master at `out_path`; nothing appears there unless
    the master is complete.

    `fps`: int, float or Fraction (Fraction(24000, 1001) for 23.976).
    `frames`: float32 (H, W, 3) linear Rec.709 (values above 1.0 are emissive light), or (H, W, 4)
    premultiplied RGBA; either an iterable consumed once, lazily, or a callable returning a fresh
    iterator. HDR10 needs MaxCLL/MaxFALL before the first frame is encoded (they live in the
    stream headers): with a callable the frames are first run through the same colour transform
    without encoding (exact statistics; costs one more pass of the frame source and of OCIO),
    with `content_light=(max_cll, max_fall)` those are signalled as given, and with a one-shot
    iterable and no numbers the honest upper bound (peak, peak) is signalled. The values measured
    on the frames actually encoded are always reported in `measured_max_cll/fall`.

    Video deliverables pipe raw frames (rgb24 for H.264, rgb48le for HEVC, rgba64le for ProRes) to
    `ffmpeg_exe` from a writer thread through a bounded queue; stderr goes to a temp file; output
    goes to a temp name in the same folder and is renamed on success. `audio_path` is muxed (AAC in
    MP4, 24-bit PCM in MOV), padded with silence and cut at the picture's end. `frame_count`, when
    known, fixes the duration exactly and is checked against the frames received. The EXR sequence
    is a folder of half-float files written the same way (temp folder, renamed at the end); it
    carries no audio. On any failure or KeyboardInterrupt ffmpeg is killed, the temp output
    removed, and the error re-raised; an older master at `out_path` is left untouched.
    """
    deliverable = Deliverable(deliverable)
    out_path = Path(out_path)
    width, height = int(width), int(height)
    rate = _fraction(fps)
    if width < 16 or height < 16 or max(width, height) > 4096 or min(width, height) > 2304:
        raise ValueError(f"{width}x{height} is outside 16x16 .. 4K (4096x2304)")
    if deliverable in (Deliverable.SDR_H264, Deliverable.HDR10_HEVC) and (width % 2 or height % 2):
        raise ValueError(f"4:2:0 video needs even width and height, got {width}x{height}")
    if frame_count is not None and frame_count <= 0:
        raise ValueError(f"frame_count must be positive, got {frame_count}")
    if audio_path is not None:
        if deliverable is Deliverable.EXR_SEQUENCE:
            raise ValueError("an EXR sequence carries no audio; master the sound with a video deliverable")
        audio_path = Path(audio_path)
        if not audio_path.is_file():
            raise FileNotFoundError(f"audio file {audio_path} does not exist")
    if deliverable is not Deliverable.EXR_SEQUENCE and not ffmpeg_exe:
        import imageio_ffmpeg  # the static build the studio ships with (resources.ffmpeg prefers PATH)

        ffmpeg_exe = imageio_ffmpeg.get_ffmpeg_exe()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if deliverable is Deliverable.EXR_SEQUENCE:
        facts = _master_exr(frames, out_path, width, height, rate, frame_count, queue_depth)
        facts.encode_seconds = round(time.perf_counter() - start, 3)
        return facts

    hdr = deliverable is Deliverable.HDR10_HEVC
    hdr_params = None
    light_source = None
    if hdr:
        if content_light is not None:
            cll, fall = (int(v) for v in content_light)
            light_source = "given"
        elif callable(frames):
            pre = ContentLight()
            for i, frame in enumerate(_frame_source(frames)):
                pre.update(display_encode(_check_frame(frame, width, height, i), deliverable, peak_nits, white_nits))
            cll, fall = pre.signalled()
            light_source = "pre-pass"
        else:
            cll = fall = int(math.ceil(peak_nits))
            light_source = "upper-bound"
        hdr_params = _x265_hdr_params(peak_nits, cll, fall)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=".part" + (out_path.suffix or ".mp4"),
                                    dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    argv = _ffmpeg_argv(deliverable, ffmpeg_exe, width, height, rate, audio_path, frame_count, crf, preset, hdr_params, tmp)
    measured = ContentLight() if hdr else None
    proc = None
    pump = None
    # stderr goes to a file, not a pipe: a chatty ffmpeg can never block on a full pipe while we
    # are blocked writing its stdin.
    with tempfile.TemporaryFile() as errlog:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errlog)
            stdin = proc.stdin
            # The writer hands ffmpeg the array's own buffer (no bytes copy).
            pump = _Pump(lambda code: stdin.write(memoryview(code).cast("B")), queue_depth)
            count = 0
            try:
                for frame in _frame_source(frames):
                    code = display_encode(_check_frame(frame, width, height, count), deliverable, peak_nits, white_nits)
                    if measured is not None:
                        measured.update(code)
                    pump.put(code)
                    count += 1
                pump.close()
                stdin.close()
            except _WriterFailed:
                # ffmpeg stopped reading (it failed): its exit status and log say why.
                pump.abort()
                try:
                    stdin.close()
                except BrokenPipeError:
                    pass
                rc = proc.wait()
                raise RuntimeError(f"ffmpeg failed (exit {rc}) mastering {out_path.name}: {_tail(errlog)}") from None
            if count == 0:
                raise ValueError("no frames to master")
            if frame_count is not None and count != frame_count:
                raise ValueError(f"expected {frame_count} frames, the source gave {count}")
            rc = proc.wait()
            if rc != 0:
                raise RuntimeError(f"ffmpeg failed (exit {rc}) mastering {out_path.name}: {_tail(errlog)}")
            if tmp.stat().st_size == 0:
                raise RuntimeError(f"ffmpeg wrote nothing for {out_path.name}")
            os.replace(tmp, out_path)
        except BaseException:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            if pump is not None:
                pump.abort()
            tmp.unlink(missing_ok=True)
            raise
    facts = probe_master(out_path)
    facts.deliverable = deliverable.value
    facts.encode_seconds = round(time.perf_counter() - start, 3)
    if measured is not None:
        facts.content_light_source = light_source
        facts.measured_max_cll = round(measured.max_cll, 2)
        facts.measured_max_fall = round(measured.max_fall, 2)
    return facts


# ---- OpenEXR sequence --------------------------------------------------------------------------

_HALF_MAX = 65504.0  # beyond half's range a value would become inf: clip to the largest finite half


def exr_frame_name(out_path: Path, index: int) -> str:
    return f"{Path(out_path).name}.{index:05d}.exr"


def _master_exr(frames, out_path: Path, width: int, height: int, rate: Fraction, frame_count: int | None,
                depth: int) -> MasterFacts:
    """Half-float EXRs (ZIP, scanline): scene-linear Rec.709, premultiplied as EXR expects, with
    chromaticities and framesPerSecond in every header; written into a temp folder that replaces
    `out_path` only when every frame is on disk."""
    from talos_assets.agents.frames import write_layer_exr

    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent))

    def write(item) -> None:
        index, half = item
        write_layer_exr(tmp / exr_frame_name(out_path, index), half, fps=rate, compression="zip")

    pump = _Pump(write, depth)
    old = None
    try:
        count = 0
        for frame in _frame_source(frames):
            frame = _check_frame(frame, width, height, count)
            # Halved on the producer's thread, so queued frames take half the memory.
            pump.put((count, np.clip(frame, -_HALF_MAX, _HALF_MAX).astype(np.float16)))
            count += 1
        try:
            pump.close()
        except _WriterFailed as exc:
            raise RuntimeError(f"writing EXR frames for {out_path.name} failed: {exc.__cause__}") from exc.__cause__
        if count == 0:
            raise ValueError("no frames to master")
        if frame_count is not None and count != frame_count:
            raise ValueError(f"expected {frame_count} frames, the source gave {count}")
        if out_path.exists():
            # A folder cannot be renamed over a non-empty one: move the old master aside first.
            old = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.", suffix=".old", dir=out_path.parent))
            os.replace(out_path, old / "prev")
        os.replace(tmp, out_path)
    except BaseException:
        pump.abort()
        if old is not None and not out_path.exists() and (old / "prev").exists():
            os.replace(old / "prev", out_path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    facts = probe_master(out_path)
    facts.deliverable = Deliverable.EXR_SEQUENCE.value
    return facts


# ---- probing -----------------------------------------------------------------------------------

# FFmpeg's AVColorPrimaries / AVColorTransferCharacteristic / AVColorSpace / AVColorRange numbers.
_PRIMARIES = {1: "bt709", 2: None, 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020",
              11: "smpte431", 12: "smpte432"}
_TRC = {1: "bt709", 2: None, 4: "gamma22", 5: "gamma28", 6: "smpte170m", 8: "linear", 13: "iec61966-2-1",
        14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}
_SPACE = {0: "rgb", 1: "bt709", 2: None, 5: "bt470bg", 6: "smpte170m", 9: "bt2020nc", 10: "bt2020c"}
_RANGE = {0: None, 1: "tv", 2: "pc"}


def _enum_name(value, table: dict) -> str | None:
    if value is None:
        return None
    try:
        return table.get(int(value), str(value))
    except (TypeError, ValueError):
        return str(getattr(value, "name", value)).lower()


def _side_data(frame) -> dict:
    """SMPTE ST 2086 and CTA-861.3 side data of a decoded frame (FFmpeg's AVMasteringDisplayMetadata:
    AVRational primaries[3][2], white[2], min, max, int has_primaries, has_luminance;
    AVContentLightMetadata: unsigned MaxCLL, MaxFALL)."""
    import struct

    import av

    out: dict = {}
    for sd in frame.side_data:
        kind = getattr(sd, "type", None)
        raw = bytes(sd)
        if kind == av.sidedata.sidedata.Type.MASTERING_DISPLAY_METADATA and len(raw) >= 88:
            v = struct.unpack("<20i2i", raw[:88])
            q = [v[i] / v[i + 1] if v[i + 1] else 0.0 for i in range(0, 20, 2)]
            if v[20]:  # FFmpeg orders primaries R, G, B
                out["mastering_display"] = {"r": (q[0], q[1]), "g": (q[2], q[3]), "b": (q[4], q[5]), "wp": (q[6], q[7]),
                                            "min_nits": q[8], "max_nits": q[9]}
            if v[21]:
                out.setdefault("mastering_display", {}).update(min_nits=q[8], max_nits=q[9])
        elif kind == av.sidedata.sidedata.Type.CONTENT_LIGHT_LEVEL and len(raw) >= 8:
            out["max_cll"], out["max_fall"] = struct.unpack("<2I", raw[:8])
    return out


def probe_master(path: Path | str) -> MasterFacts:
    """Facts of a master: video via PyAV (codec, pix_fmt, size, fps, duration, colour tags, audio,
    mastering-display and content-light side data from the first decoded frame); an EXR sequence
    folder via OpenEXR headers. ValueError when it cannot be read."""
    path = Path(path)
    if path.is_dir():
        return _probe_exr(path)
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"could not open master '{path}' ({exc})") from exc
    facts: dict = {"path": str(path), "size_bytes": path.stat().st_size}
    with container:
        if container.streams.audio:
            facts.update(has_audio=True, audio_codec=container.streams.audio[0].codec_context.name)
        if not container.streams.video:
            raise ValueError(f"'{path}' has no video stream")
        vs = container.streams.video[0]
        cc = vs.codec_context
        facts.update(
            codec=cc.name, profile=cc.profile or None, pix_fmt=cc.format.name if cc.format is not None else None,
            width=cc.width, height=cc.height,
            fps=float(vs.average_rate) if vs.average_rate else None,
            color_primaries=_enum_name(cc.color_primaries, _PRIMARIES), color_trc=_enum_name(cc.color_trc, _TRC),
            colorspace=_enum_name(cc.colorspace, _SPACE), color_range=_enum_name(cc.color_range, _RANGE),
        )
        if vs.frames:
            facts["frame_count"] = int(vs.frames)
        if vs.duration is not None and vs.time_base is not None:
            facts["duration_s"] = float(vs.duration * vs.time_base)
        elif container.duration is not None:
            facts["duration_s"] = container.duration / av.time_base
        for frame in container.decode(vs):
            facts.update(_side_data(frame))
            break
    return MasterFacts(**facts)


def _probe_exr(folder: Path) -> MasterFacts:
    import OpenEXR

    files = sorted(folder.glob("*.exr"))
    if not files:
        raise ValueError(f"'{folder}' holds no EXR frames")
    header = OpenEXR.File(str(files[0]), header_only=True).header()
    (x0, y0), (x1, y1) = (tuple(int(v) for v in corner) for corner in header["dataWindow"])
    names = {c.name for c in header["channels"]}
    rate = header.get("framesPerSecond")
    fps = float(rate) if rate else None
    return MasterFacts(
        path=str(folder), deliverable=Deliverable.EXR_SEQUENCE.value, codec="exr",
        pix_fmt="rgbaf16le" if "A" in names else "rgbf16le", width=x1 - x0 + 1, height=y1 - y0 + 1, fps=fps,
        duration_s=len(files) / fps if fps else 0.0, frame_count=len(files), color_primaries="bt709",
        color_trc="linear", colorspace="rgb", size_bytes=sum(f.stat().st_size for f in files),
    )
