"""Shared by the film-level scripts in bench/: a story rendered on a fresh studio home in a temp folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def story_on_fresh_studio(story: str | Path, width: int, height: int, prefix: str) -> Path:
    """Point TALOS_HOME/TALOS_RENDERS/DAGSTER_HOME at a new temp folder (Warp compiles once, as on a new
    machine) and write the story there at `width`x`height`; returns the copied story's path."""
    import yaml

    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(TALOS_HOME=str(work / "home"), TALOS_RENDERS=str(work / "renders"),
                      DAGSTER_HOME=str(work / "home" / "dagster"))
    spec = yaml.safe_load(Path(story).read_text())
    spec["resolution"] = [width, height]
    story_path = work / Path(story).name
    story_path.write_text(yaml.safe_dump(spec))
    return story_path
