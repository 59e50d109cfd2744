"""The per-film lock for runs that are not a forge's: a run launched from the Dagster UI, a sensor
or a schedule takes the film's lock shared for its whole execution (`ops.locks.film_run_lock`), so it
never renders beside a `talos forge` of the same film (which would empty its stage folders under it).

It is held by the `studio` resource, which every shot and film asset requires: Dagster sets a
resource up before a run's first step and tears it down after its last (with the in-process
executor of the studio's jobs; once per step where each step has its own process), and the
resource sees the run's partition tags. A forge's own runs execute in its process, which already
holds the lock exclusively, so for them this is a no-op.

With a shared store configured (`TALOS_SHARED_STORE`, `stores/shared_frames.py`), the same two hooks
pull the film's working files other workers pushed before the first step, and push what this run
wrote after the last, while the lock is held.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from resources.studio import StudioHome
from talos_assets.ops.locks import FilmBusy, film_run_lock

FILM_TAG, PARTITION_TAG = "dagster/partition/film", "dagster/partition"


def film_of_run(tags: dict[str, str]) -> str | None:
    """The film a run renders: its film dimension (a shot run), else its film partition (an edit run)."""
    if tags.get(FILM_TAG):
        return tags[FILM_TAG]
    key = tags.get(PARTITION_TAG, "")
    return key if key and "|" not in key else None


class FilmLockedStudio(StudioHome):
    """The studio home, holding the film's run lock while a run of that film executes."""

    lock_wait_s: float = 30.0  # how long a run waits for a forge of its film before it fails
    _held: ExitStack | None = PrivateAttr(default=None)
    _film: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.run
        film = film_of_run(dict(run.tags)) if run is not None else None
        if film is None:
            return
        stack = ExitStack()
        try:
            stack.enter_context(film_run_lock(Path(self.root), film, self.lock_wait_s, run_id=run.run_id))
        except FilmBusy as exc:
            # one sentence, and no retry: the run is started again once the forge has finished
            raise dg.Failure(str(exc), allow_retries=False) from None
        self._held, self._film = stack, film
        self.pull_film(film)  # what other workers rendered, before the first step reads it

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._film is not None:
            self.push_film(self._film)  # what this run wrote, before the lock lets another run in
            self._film = None
        if self._held is not None:
            self._held.close()
            self._held = None
