"""How well a mouth track follows its voice: the Pearson correlation between the mouth's opening
per frame and the speech envelope over that frame (the lip-sync measure of the benchmarks, target
r >= 0.6), and the share of silent frames in which the mouth is closed (target 1.0). Works on the
planned mouth (`VoicedLine.mouth`) or on openings measured from rendered frames.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from talos_assets.agents.voice.visemes import frame_envelope


class LipSync(BaseModel):
    correlation: float  # mouth opening vs voice envelope, per frame
    closed_in_silence: float  # fraction of silent frames with the mouth closed (1.0 when none is silent)
    frames: int


def lip_sync(openings: list[float] | np.ndarray, samples: np.ndarray, sr: int, start_s: float, fps: int,
             silence: float = 0.05) -> LipSync:
    """Score a mouth track (opening 0..1 per frame of the shot) against the line it should speak."""
    opening = np.asarray(openings, dtype=np.float64)
    env = frame_envelope(samples, sr, start_s, fps, opening.size)
    ref = max(float(np.percentile(env[env > 0], 95)) if np.any(env > 0) else 0.0, 1e-9)
    silent = env / ref < silence
    r = float(np.corrcoef(opening, env)[0, 1]) if opening.std() > 0 and env.std() > 0 else 0.0
    closed = float(np.mean(opening[silent] <= 0.02)) if silent.any() else 1.0
    return LipSync(correlation=r, closed_in_silence=closed, frames=int(opening.size))
