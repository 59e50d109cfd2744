"""A process-local progress hook: agents' asset code reports frames done; the CLI draws bars.

In-process materialization runs assets in the CLI's own process, so a plain callback is enough;
under `dagster dev` nobody listens and `tick` costs nothing.
"""

from __future__ import annotations

from typing import Callable

Reporter = Callable[[str, str, int, int], None]  # (stage, shot label, done, total)
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    _reporter = reporter


def tick(stage: str, label: str, done: int, total: int) -> None:
    if _reporter is not None:
        _reporter(stage, label, done, total)
