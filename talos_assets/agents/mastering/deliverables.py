"""The masters Anima delivers: one name per deliverable, shared by the colour transform, the
encoders and the probe. Each deliverable fixes its signal (ITU-R BT.709 / BT.1886 SDR, BT.2100 PQ
in BT.2020, or scene-linear OpenEXR) and its container."""

from __future__ import annotations

from enum import Enum


class Deliverable(str, Enum):
    SDR_H264 = "sdr-h264"  # H.264 yuv420p, BT.709, tone-mapped: the default delivery
    HDR10_HEVC = "hdr10-hevc"  # HEVC Main10 yuv420p10le, BT.2020 + PQ, ST 2086 + CTA-861.3 metadata
    PRORES_4444 = "prores4444"  # ProRes 4444 yuva444p10le in .mov, BT.709 tone-mapped, straight alpha
    EXR_SEQUENCE = "exr-sequence"  # half-float OpenEXR per frame, scene-linear Rec.709, premultiplied
