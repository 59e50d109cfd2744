"""Sweeping the temp files a killed process left behind.

Every writer in the studio writes to a temp name in the final folder and renames it when complete
(`.f0001.exr.k3j2.part`, `.film.x8f.part.mp4`, `.film.otio.part.otio`, an EXR-sequence folder
`.film_exr.q1.part`, Aether's `<digest>.part`). A kill -9 between the two leaves the temp behind,
and nothing else ever removes it. A temp is stale when it is older than the sweeping process (it
cannot belong to this forge) and no live writer can still own it: the forge sweeps a film's folders
while holding the film's lock, and the shared Aether store only when no other forge is running.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

# ".part" as the last suffix, or ".part.<ext>" for writers that keep the media extension for ffmpeg
_TEMP_NAME = re.compile(r"\.part(\.[A-Za-z0-9]{1,8})?$")


def is_temp_name(name: str) -> bool:
    return bool(_TEMP_NAME.search(name))


def stale_temps(roots: Iterable[Path], started_before: float) -> list[Path]:
    """Temp files and folders under `roots` last modified before `started_before` (a Unix time)."""
    found: list[Path] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if not is_temp_name(path.name) or any(p in found for p in path.parents):
                continue
            try:
                if path.lstat().st_mtime < started_before:
                    found.append(path)
            except FileNotFoundError:  # renamed by its writer while we looked
                continue
    return found


def sweep_stale_temps(roots: Iterable[Path], started_before: float) -> list[Path]:
    """Remove stale temps under `roots`; returns what was removed."""
    removed = []
    for path in stale_temps(roots, started_before):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed
