"""Row-band launches of Stokes' kernels: each launch is recorded once (`record_cmd=True`) and replayed, and
on the CPU a large grid is split into two row bands, the second run on a persistent worker thread while
the caller runs the first (Warp's CPU backend is single-threaded per launch and releases the GIL).
"""

from __future__ import annotations

import threading
import weakref

import warp as wp


class BandWorker:
    """One persistent thread that runs the second row band of a stage.

    The hand-off is two raw locks used as binary semaphores (a futex each way, no Future, queue or
    Condition): ~2-3x cheaper per barrier than a ThreadPoolExecutor round trip, which matters with
    ~20 barriers per step. The thread holds no reference to its launcher; a finalizer stops it.
    """

    def __init__(self) -> None:
        self._go = threading.Lock()
        self._done = threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._job = None
        self._err: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="stokes-band", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self._go.acquire()
            job = self._job
            if job is None:
                self._done.release()
                return
            try:
                job.launch()
            except BaseException as e:  # re-raised on the caller's thread
                self._err = e
            self._done.release()

    def start(self, job) -> None:
        self._job = job
        self._go.release()

    def wait(self) -> None:
        self._done.acquire()
        if self._err is not None:
            err, self._err = self._err, None
            raise err

    def stop(self) -> None:
        if self._thread.is_alive():
            self.start(None)
            self._done.acquire()


class BandLauncher:
    """Records row-kernel launches on one device, as one launch or as two row bands, and runs them.

    A stage is a tuple of recorded launches: one runs on the caller's thread; of two, the second runs on
    the band worker at the same time. The worker stops when the launcher is collected.
    """

    def __init__(self, device: str, threads: int, split_rows: int) -> None:
        self.device = device
        self.cpu = wp.get_device(device).is_cpu
        self.threads = max(1, min(2, threads)) if self.cpu else 1
        self.split_rows = split_rows
        self._pool = BandWorker() if self.threads > 1 else None
        if self._pool is not None:
            weakref.finalize(self, self._pool.stop)

    def split(self, rows: int) -> bool:
        """Whether a row kernel over `rows` rows pays for a second band (the step's default threshold)."""
        return self.threads > 1 and rows >= self.split_rows

    def record(self, kernel, rows: int, inputs: list, split: bool | None = None) -> tuple:
        """Recorded launch(es) of a row kernel whose last argument is the first row: one, or two bands."""
        if split is None:
            split = self.split(rows)
        if not split:
            return (wp.launch(kernel, dim=rows, inputs=[*inputs, 0], device=self.device, record_cmd=True),)
        h = (rows + 1) // 2
        return (
            wp.launch(kernel, dim=h, inputs=[*inputs, 0], device=self.device, record_cmd=True),
            wp.launch(kernel, dim=rows - h, inputs=[*inputs, h], device=self.device, record_cmd=True),
        )

    def run(self, stage: tuple) -> None:
        """Run a recorded stage; two launches run at once, the second on the band worker."""
        if len(stage) == 1:
            stage[0].launch()
            return
        # wp.launch releases the GIL, so the second band really runs on the other core.
        self._pool.start(stage[1])
        try:
            stage[0].launch()
        finally:
            self._pool.wait()
