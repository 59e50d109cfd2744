"""Shared plumbing for the asset layer: the running shot's plan, previews, metadata, errors and the
retry policy.

Faults are sorted in two: a user or environment error (a bad story value, a stage not yet
materialized, a corrupt store, a full disk) fails the step at once with its one sentence and is never
retried (`dg.Failure(..., allow_retries=False)`); anything else that escapes a heavy step (a locked
database, an ffmpeg that crashed or closed its pipe, a dropped connection) is taken as transient and
retried by `TRANSIENT_RETRY`, with exponential backoff and jitter so runs that collided do not collide
again.
"""


import base64
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import cv2
import dagster as dg
import numpy as np

from talos_assets.ops.errors import explain
from talos_assets.partitions import split_shot_key
from talos_assets.spec import ShotPlan
from talos_assets.stores.studio import MissingStageError, StudioStore

# Two retries, about 1 s then 3 s apart (EXPONENTIAL: (2^n - 1) x delay), +/- 1 s of jitter.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=1.0, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def shot_plan_for(context: dg.AssetExecutionContext, store: StudioStore) -> ShotPlan:
    """The ShotPlan of the running partition; padding slots are rejected with a clear message."""
    film_id, slot = split_shot_key(context)
    with user_errors_as_failures():
        plan = store.read_plan(film_id)
    for shot in plan.shots:
        if shot.slot == slot:
            return shot
    raise dg.Failure(
        f"slot {slot} is padding: film '{film_id}' has {len(plan.shots)} shots (s001..s{len(plan.shots):03d}).",
        allow_retries=False,
    )


def preview_md(image_rgb8: np.ndarray, width: int = 320) -> dg.MetadataValue:
    """A small inline PNG the Dagster UI shows in the materialization's metadata."""
    h, w = image_rgb8.shape[:2]
    thumb = cv2.resize(image_rgb8, (width, max(1, int(round(h * width / w)))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(thumb, cv2.COLOR_RGB2BGR))
    data = base64.b64encode(buf.tobytes()).decode() if ok else ""
    return dg.MetadataValue.md(f"![preview](data:image/png;base64,{data})")


class StageClock:
    """Seconds spent in a stage, reported as metadata."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def shot_metadata(shot: ShotPlan, folder: Path, frames: int, clock: StageClock, preview: np.ndarray | None = None,
                  **extra) -> dict:
    meta = {
        "shot_id": shot.shot_id,
        "frame_count": frames,
        "resolution": f"{shot.width}x{shot.height}",
        "path": dg.MetadataValue.path(str(folder)),
        "seconds": round(clock.seconds, 3),
        "seconds_per_frame": round(clock.seconds / max(1, frames), 4),
    }
    if preview is not None:
        meta["preview"] = preview_md(preview)
    meta.update(extra)
    return meta


@contextmanager
def user_errors_as_failures() -> Iterator[None]:
    """A ValueError from an agent or the store (a missing stage, a corrupt Ichor), a missing file, or
    an environment failure (a full disk, a missing permission, a read-only or corrupt store, as
    `talos_assets.ops.errors.explain` names them) is the user's to fix: fail the step with its one
    sentence and no retry. Anything else propagates, so the step's retry policy retries it."""
    try:
        yield
    except dg.Failure:
        raise
    except (ValueError, MissingStageError, FileNotFoundError) as exc:
        raise dg.Failure(str(exc), allow_retries=False) from None
    except Exception as exc:
        sentence = explain(exc)
        if sentence is None:
            raise  # a locked database, a broken pipe, a crashed ffmpeg: transient
        raise dg.Failure(sentence, allow_retries=False) from None
