"""Anima mastering: the studio's linear-light frames turned into SDR, HDR10, ProRes and EXR masters.

The studio composites scene-referred linear Rec.709 light (premultiplied alpha, Porter-Duff over;
see `render.py`) where 1.0 is diffuse white and emissive light goes above it. `curves` grades it per
ITU-R BT.2408 / SMPTE ST 2084 / ITU-R BT.2390 (and an extended-Reinhard SDR shoulder), `colour`
turns frames into each deliverable's code values through OpenColorIO, `content_light` measures
CTA-861.3 MaxCLL/MaxFALL, `stream` is the bounded writer the frames flow through, `encode` drives
ffmpeg per video deliverable, `exr` writes the OpenEXR sequence, `probe` reads a master's facts
back, and `master` runs the steps (`master_film`). The ffmpeg executable is always the caller's.
"""

from __future__ import annotations

from talos_assets.agents.mastering.colour import OCIO_CONFIG, display_encode
from talos_assets.agents.mastering.content_light import ContentLight
from talos_assets.agents.mastering.curves import (
    HDR_PEAK_NITS,
    PQ_MAX_NITS,
    REFERENCE_WHITE_NITS,
    SDR_KNEE,
    bt2390_eetf,
    pq_decode,
    pq_encode,
    scene_to_hdr_nits,
    scene_to_sdr,
    sdr_shoulder,
)
from talos_assets.agents.mastering.deliverables import Deliverable
from talos_assets.agents.mastering.encode import (
    MASTERING_MIN_NITS,
    MASTERING_PRIMARIES,
    encode_video,
    ffmpeg_argv,
    x265_hdr_params,
)
from talos_assets.agents.mastering.exr import exr_frame_name, write_exr_sequence
from talos_assets.agents.mastering.master import master_film
from talos_assets.agents.mastering.probe import MasterFacts, probe_master

__all__ = [
    "HDR_PEAK_NITS", "MASTERING_MIN_NITS", "MASTERING_PRIMARIES", "OCIO_CONFIG", "PQ_MAX_NITS",
    "REFERENCE_WHITE_NITS", "SDR_KNEE", "ContentLight", "Deliverable", "MasterFacts", "bt2390_eetf",
    "display_encode", "encode_video", "exr_frame_name", "ffmpeg_argv", "master_film", "pq_decode", "pq_encode",
    "probe_master", "scene_to_hdr_nits", "scene_to_sdr", "sdr_shoulder", "write_exr_sequence", "x265_hdr_params",
]
