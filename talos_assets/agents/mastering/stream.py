"""Streaming frames to a master's writer: frames are produced (rendered, colour converted) on the
caller's thread while a writer thread stores the previous ones, through a bounded queue, so memory
stays bounded whatever the film's length (a producer-consumer pipeline)."""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator

import numpy as np

_STOP = object()


class Pump:
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
                raise WriterFailed() from self.error
            try:
                self._q.put(item, timeout=0.25)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        self._q.put(_STOP)
        self._thread.join()
        if self.error is not None:
            raise WriterFailed() from self.error

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


class WriterFailed(Exception):
    """The writer thread's write raised; the cause is chained as `__cause__`."""


def frame_source(frames) -> Iterator[np.ndarray]:
    return iter(frames() if callable(frames) else frames)


def check_frame(frame: np.ndarray, width: int, height: int, index: int) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[:2] != (height, width) or frame.shape[2] not in (3, 4):
        raise ValueError(f"frame {index} is {frame.shape}, the master is ({height}, {width}, 3|4)")
    return frame


def check_count(count: int, frame_count: int | None) -> None:
    """After the last frame: a master needs frames, and exactly `frame_count` when it was given."""
    if count == 0:
        raise ValueError("no frames to master")
    if frame_count is not None and count != frame_count:
        raise ValueError(f"expected {frame_count} frames, the source gave {count}")
