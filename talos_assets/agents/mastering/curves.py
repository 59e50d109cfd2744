"""Anima's tone curves: scene-linear light to displayed light, per channel, in float64 numpy.

Scene light is placed in absolute luminance per ITU-R BT.2408 (1.0 = HDR reference white, 203 cd/m²),
graded for an ideal 10,000-nit SMPTE ST 2084 (PQ) display and fitted to the mastering display
(default 1000 nits) with the ITU-R BT.2390 EETF: light below its knee (317 nits, scene 1.56) is
exactly 203·x nits, brighter light rolls off smoothly toward the peak and reaches it only
asymptotically. The SDR version is that same grade relative to reference white (BT.2408: SDR
100 % ↔ 203 nits) with an extended-Reinhard shoulder above half of SDR white: mid-grey 0.18 stays
0.18, diffuse white lands at 75 % of SDR peak light (89 % signal), and highlights up to the HDR
peak keep distinct rising values instead of a clipped plateau. Curves act per channel, like film:
saturated emissive colour desaturates toward white as it brightens. OCIO has no stand-alone EETF or
shoulder, so `colour.py` hands these curves to OCIO as 1D LUTs.
"""

from __future__ import annotations

import numpy as np

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
