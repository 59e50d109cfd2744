"""CTA-861.3 content light of an HDR10 master: MaxCLL and MaxFALL measured on exactly the 16-bit
PQ code values handed to the encoder, so the signalled numbers are those of the frames encoded."""

from __future__ import annotations

import math

import numpy as np

from talos_assets.agents.mastering.curves import pq_decode

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

