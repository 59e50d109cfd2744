"""Aether's set library: finding set files in the user's folders and the built-ins, and loading them.

A set is a `<id>.yaml` file (format in sets/spec.py). The caller names the user's set folders (the
studio passes TALOS_SETS, then `$TALOS_HOME/sets`); they are searched before the sets shipped in
talos_assets/data/sets, first match wins, so a studio can override a built-in set or add its own, as
the character library does. A broken file is reported in one sentence naming the file and the field;
sets are cached by path and modification time so an edited user set is re-read without a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from talos_assets.agents.sets.spec import SetSpec
from talos_assets.spec import Water
from talos_assets.agents.yaml_library import check_id, library_paths, read_mapping, search_dirs, validate

SETS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "sets"
# Backdrop names Prism used before the set library, read as (set id, time of day) so plans written
# then still render.
LEGACY_BACKGROUNDS: dict[str, tuple[str, str | None]] = {
    "dusk-hills": ("hills", "dusk"), "night-sea": ("shore", "night"), "studio": ("studio", None),
}


def set_dirs(extra_dirs: Sequence[Path | str] = ()) -> list[Path]:
    """Folders searched for `<id>.yaml` sets, first match wins: `extra_dirs` in order, then the built-ins."""
    return search_dirs(extra_dirs, SETS_DIR)


def set_paths(extra_dirs: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Every available set id and the file that defines it (user folders shadow built-ins)."""
    return library_paths(extra_dirs, SETS_DIR)


def available_sets(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Ids of the sets in `extra_dirs` and the built-in library."""
    return sorted(set_paths(extra_dirs))


def set_from_file(path: Path | str) -> SetSpec:
    """Load and validate one set file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    data = read_mapping(path, "set", "id, horizon and layers")
    check_id(data, path, "set", "id")
    return validate(SetSpec, data, path, "set")


@lru_cache(maxsize=128)
def _load_cached(path: str, mtime_ns: int) -> SetSpec:
    return set_from_file(Path(path))


def set_file(set_id: str, extra_dirs: Sequence[Path | str] = ()) -> Path:
    """The file that defines `set_id`; an unknown id lists the available ones."""
    paths = set_paths(extra_dirs)
    if set_id not in paths:
        raise ValueError(f"unknown set '{set_id}'; available sets: {', '.join(sorted(paths)) or 'none'} "
                         f"(add your own as <id>.yaml in a set folder).")
    return paths[set_id]


def load_set(set_id: str, extra_dirs: Sequence[Path | str] = ()) -> SetSpec:
    """Load and validate a set by id, searching `extra_dirs` before the built-ins."""
    path = set_file(set_id, extra_dirs)
    return _load_cached(str(path), path.stat().st_mtime_ns).model_copy(deep=True)


def water_line(set_id: str, extra_dirs: Sequence[Path | str] = ()) -> Water | None:
    """Where a boat floats in the set (frame fraction of the stage), or None: no water, or no such set."""
    try:
        spec = load_set(set_id, extra_dirs)
    except (ValueError, OSError):
        return None
    return Water(y=spec.water, horizon=spec.horizon) if spec.water is not None else None


def set_vocabulary(extra_dirs: Sequence[Path | str] = ()) -> dict[str, list[str]]:
    """{set id: the extra words that name it}: a user set's `words`, [] for built-ins (Prism's own
    words for those live in data/world_words.yaml)."""
    out: dict[str, list[str]] = {}
    for set_id, path in set_paths(extra_dirs).items():
        spec = _load_cached(str(path), path.stat().st_mtime_ns)
        out[set_id] = [] if path.parent == SETS_DIR else list(spec.words)
    return out


def interior_sets(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Ids of the sets that are interiors (a room, a cave...)."""
    return sorted(i for i, p in set_paths(extra_dirs).items() if _load_cached(str(p), p.stat().st_mtime_ns).interior)


def set_rows(extra_dirs: Sequence[Path | str] = ()) -> list[dict[str, object]]:
    """One row per set for `talos sets`: id, interior, source path, words (built-in sets: the
    description stands in for words Prism keeps elsewhere). A broken user file raises its sentence."""
    rows = []
    for set_id, path in set_paths(extra_dirs).items():
        spec = _load_cached(str(path), path.stat().st_mtime_ns)
        rows.append({"id": set_id, "interior": spec.interior, "source": str(path),
                     "builtin": path.parent == SETS_DIR, "words": list(spec.words), "description": spec.description})
    return rows
