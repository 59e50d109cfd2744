"""The OpenEXR sequence master: the scene-linear, premultiplied compositing master as a folder of
half-float OpenEXR files (ZIP, scanline, Rec.709 chromaticities and framesPerSecond in every
header), streamed through the bounded writer of `stream.py` into a temp folder that replaces the
old master only when every frame is on disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from talos_assets.agents.mastering.deliverables import Deliverable
from talos_assets.agents.mastering.probe import MasterFacts, probe_master
from talos_assets.agents.mastering.stream import Pump, WriterFailed, check_count, check_frame, frame_source

_HALF_MAX = 65504.0  # beyond half's range a value would become inf: clip to the largest finite half


def exr_frame_name(out_path: Path, index: int) -> str:
    return f"{Path(out_path).name}.{index:05d}.exr"


def write_exr_sequence(frames, out_path: Path, width: int, height: int, rate: Fraction, frame_count: int | None,
                       depth: int) -> MasterFacts:
    """Half-float EXRs (ZIP, scanline): scene-linear Rec.709, premultiplied as EXR expects, with
    chromaticities and framesPerSecond in every header; written into a temp folder that replaces
    `out_path` only when every frame is on disk."""
    from talos_assets.agents.frames import write_layer_exr

    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent))

    def write(item) -> None:
        index, half = item
        write_layer_exr(tmp / exr_frame_name(out_path, index), half, fps=rate, compression="zip")

    pump = Pump(write, depth)
    old = None
    try:
        count = 0
        for frame in frame_source(frames):
            frame = check_frame(frame, width, height, count)
            # Halved on the producer's thread, so queued frames take half the memory.
            pump.put((count, np.clip(frame, -_HALF_MAX, _HALF_MAX).astype(np.float16)))
            count += 1
        try:
            pump.close()
        except WriterFailed as exc:
            raise RuntimeError(f"writing EXR frames for {out_path.name} failed: {exc.__cause__}") from exc.__cause__
        check_count(count, frame_count)
        if out_path.exists():
            # A folder cannot be renamed over a non-empty one: move the old master aside first.
            old = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.", suffix=".old", dir=out_path.parent))
            os.replace(out_path, old / "prev")
        os.replace(tmp, out_path)
    except BaseException:
        pump.abort()
        if old is not None and not out_path.exists() and (old / "prev").exists():
            os.replace(old / "prev", out_path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    facts = probe_master(out_path)
    facts.deliverable = Deliverable.EXR_SEQUENCE.value
    return facts
