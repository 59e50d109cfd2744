"""The split Prism's labelled sets are scored by: a line is held out when int(sha256(text)[:8], 16) % 10 < 3.

The learnt readings (`emotion_model.py`, `world_reading.py`) fit only on the tuning part, so the
held-out part the benchmarks report is never read.
"""

from __future__ import annotations

import hashlib


def tuning_part(text: str) -> bool:
    """True for a line of the tuning part (int(sha256[:8], 16) % 10 >= 3)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 10 >= 3
