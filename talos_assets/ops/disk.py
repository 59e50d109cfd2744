"""The disk-space check before a render: an estimate of the bytes a render writes, against free space.

The estimate is measured, not guessed: a two-shot film (one shot with smoke) at 160x90, 12 fps was
forged and each stage folder's bytes divided by its frames and pixels (docs/operations.md gives the
numbers and the command). Stage bytes grow more slowly than the pixel count (PNG and RLE-compressed
EXR compress flat cel areas better at larger sizes: 320x180 measured 25-30 % fewer bytes per pixel),
so scaling the 160x90 figures by pixel count over-estimates larger renders: a safe upper bound.
The folders of the shots being re-rendered are replaced, so their current bytes count as free.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from talos_assets.spec import FilmPlan

# bytes per pixel per frame of each working stage folder (max of the two measured shots, 160x90)
STAGE_BYTES_PER_PIXEL = {
    "inbetweens": 0.41, "colored": 0.59, "lit": 1.62, "render": 3.66,
    "keys": 0.04, "scene": 0.06, "storyboard": 0.12,  # per-shot files, spread over the shot's frames
}
EFFECTS_BYTES_PER_PIXEL = 1.02  # only shots with effects write effect layers
# bytes per pixel per planned film frame of each deliverable (renders/<film>/), same film, all four masters
DELIVERABLE_BYTES_PER_PIXEL = {"sdr-h264": 0.15, "hdr10-hevc": 0.17, "prores4444": 1.41, "exr-sequence": 1.69}
EXTRAS_BYTES_PER_PIXEL = 0.37  # storyboard sheet and PDF, still, timeline, evaluation (per film frame)
RESERVE_BYTES = 64 * 2**20  # Dagster's event logs, Ichor rows, the encoder's temp output


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def working_bytes(plan: FilmPlan, slots: list[str], shots_root: Path | None = None) -> int:
    """Bytes the render of `slots` adds to the studio home (minus what it replaces under `shots_root`)."""
    pixels = plan.width * plan.height
    per_frame = sum(STAGE_BYTES_PER_PIXEL.values())
    total = 0.0
    for shot in (s for s in plan.shots if s.slot in slots):
        total += shot.total_frames * pixels * (per_frame + (EFFECTS_BYTES_PER_PIXEL if shot.effects else 0.0))
        if shots_root is not None:
            total -= _folder_bytes(shots_root / shot.slot)
    return max(0, int(total))


def delivery_bytes(plan: FilmPlan, deliverables: list[str]) -> int:
    """Bytes of the film's deliverables (its masters and side files) at the plan's size and length."""
    per_pixel = EXTRAS_BYTES_PER_PIXEL + sum(DELIVERABLE_BYTES_PER_PIXEL.get(d, 1.69) for d in deliverables)
    return int(plan.planned_frames * plan.width * plan.height * per_pixel)


def _existing(path: Path) -> Path:
    path = Path(path).resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


class DiskSpaceError(RuntimeError):
    """Too little free space for a render; the message is the one sentence for the user."""


def check_free_space(plan: FilmPlan, slots: list[str], home: Path, renders: Path) -> int:
    """Raise DiskSpaceError unless the disks of `home` and `renders` hold the render; returns the estimate."""
    needs: dict[int, list] = {}
    shots_root = Path(home) / "films" / plan.film_id / "shots"
    for folder, need in ((Path(home), working_bytes(plan, slots, shots_root) + RESERVE_BYTES),
                         (Path(renders), delivery_bytes(plan, list(plan.deliverables)))):
        where = _existing(folder)
        entry = needs.setdefault(where.stat().st_dev, [where, 0])
        entry[1] += need
    for where, need in needs.values():
        free = shutil.disk_usage(where).free
        if free < need:
            raise DiskSpaceError(
                f"film '{plan.film_id}' needs about {human_bytes(need)} of disk space in {where} "
                f"({len(slots)} shots at {plan.width}x{plan.height}) but only {human_bytes(free)} is free: "
                "free some space (`talos clean --all` deletes the working frames of finished films) "
                "or set TALOS_HOME to a larger disk.")
    return sum(need for _, need in needs.values())
