"""Axis character library: finding rig files in the user's folders and the built-ins, and loading them.

A character is a `<name>.yaml` rig file. The caller names the user's character folders (the studio
passes the TALOS_CHARACTERS folders, then `$TALOS_HOME/characters`); they are searched in that
order before the rigs shipped with the package, first match wins, so a studio can override a
built-in character or add its own. A broken file is reported in one sentence naming the file and
the field, and rigs are cached by path and modification time so an edited user rig is re-read
without a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from talos_assets.agents.key_animation.rig import Rig
from talos_assets.agents.yaml_library import check_id, library_paths, read_mapping, search_dirs, validate

CHARACTERS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "characters"


def character_dirs(extra_dirs: Sequence[Path | str] = ()) -> list[Path]:
    """Folders searched for `<name>.yaml` rigs, first match wins: `extra_dirs` in order, then the built-ins."""
    return search_dirs(extra_dirs, CHARACTERS_DIR)


def character_paths(extra_dirs: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Every available character name and the rig file that defines it (user folders shadow built-ins)."""
    return library_paths(extra_dirs, CHARACTERS_DIR)


def available_characters(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Names of the character rigs in `extra_dirs` and the built-in talos_assets/data/characters."""
    return sorted(character_paths(extra_dirs))


def rig_from_file(path: Path | str) -> Rig:
    """Load and validate one rig file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    data = read_mapping(path, "character", "joints, parts and face")
    check_id(data, path, "character", "name")
    if "face" not in data:
        # Rigs without a face are props (talos_assets.agents.props); a character always has one.
        raise ValueError(f"character file {path}: field 'face' is missing: give the face's bone and after_part.")
    return validate(Rig, data, path, "character")


@lru_cache(maxsize=64)
def _load_rig_cached(path: str, mtime_ns: int) -> Rig:
    # Keyed on the modification time, so an edited user rig is re-read without restarting.
    return rig_from_file(Path(path))


def load_rig(name: str, extra_dirs: Sequence[Path | str] = ()) -> Rig:
    """Load and validate a character rig by name, searching `extra_dirs` before the built-ins.

    An unknown name lists the available ones; a broken file is `rig_from_file`'s one-sentence ValueError.
    """
    paths = character_paths(extra_dirs)
    if name not in paths:
        raise ValueError(f"unknown character '{name}'; available characters: {', '.join(sorted(paths)) or 'none'}")
    path = paths[name]
    # Rigs are cached; hand out copies so callers can't mutate the shared one.
    return _load_rig_cached(str(path), path.stat().st_mtime_ns).model_copy(deep=True)
