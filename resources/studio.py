"""The studio home as a Dagster resource: where the working store and the deliveries live.

TALOS_HOME (default `.talos/` in the working directory) holds the Dagster instance, the Ichor
database, the Aether store, the MLflow store and every shot's working frames; TALOS_RENDERS (default
`renders/`) receives the films. The typed reads and writes are `talos_assets.stores.studio.StudioStore`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from talos_assets.settings import StudioSettings, studio_settings
from talos_assets.stores.studio import StudioStore


def studio_root() -> Path:
    return Path(os.environ.get("TALOS_HOME", ".talos")).resolve()


def renders_root() -> Path:
    return Path(os.environ.get("TALOS_RENDERS", "renders")).resolve()


class StudioHome(dg.ConfigurableResource):
    """Where the studio keeps its working data and delivers films."""

    root: str
    renders: str
    characters: list[str] = []  # the user's rig folders (TALOS_CHARACTERS), searched before the studio's
    sets: list[str] = []  # the user's set folders (TALOS_SETS)
    props: list[str] = []  # the user's prop folders (TALOS_PROPS)
    shared_store: str = ""  # fsspec URL where workers share working frames (TALOS_SHARED_STORE); "" = this disk only

    def character_dirs(self) -> list[Path]:
        """Where Axis looks for character rigs beyond the built-in cast, in search order."""
        return [Path(d) for d in self.characters] + [Path(self.root) / "characters"]

    def set_dirs(self) -> list[Path]:
        """Where Raygen looks for sets beyond the built-in library, in search order."""
        return [Path(d) for d in self.sets] + [Path(self.root) / "sets"]

    def prop_dirs(self) -> list[Path]:
        """Where Axis looks for props beyond the built-in library, in search order."""
        return [Path(d) for d in self.props] + [Path(self.root) / "props"]

    def store(self) -> StudioStore:
        return StudioStore(self.root, self.renders)

    def pull_film(self, film_id: str) -> int:
        """Fetch the film's working files other workers pushed to the shared store (none without one)."""
        if not self.shared_store:
            return 0
        from talos_assets.stores.shared_frames import SharedFrames

        return SharedFrames(self.shared_store).pull_film(Path(self.root), film_id)

    def push_film(self, film_id: str) -> int:
        """Send what this worker wrote for the film to the shared store (nothing without one)."""
        if not self.shared_store:
            return 0
        from talos_assets.stores.shared_frames import SharedFrames

        return SharedFrames(self.shared_store).push_film(Path(self.root), film_id)

    def settings(self) -> StudioSettings:
        """The studio's settings for checking a story (the LLM endpoints come from the environment)."""
        return studio_settings().model_copy(update={"home": Path(self.root), "renders": Path(self.renders),
                                                    "character_dirs": self.character_dirs(),
                                                    "set_dirs": self.set_dirs(), "prop_dirs": self.prop_dirs()})
