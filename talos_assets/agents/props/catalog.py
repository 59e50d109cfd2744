"""Axis prop library: finding prop files in the user's folders and the built-ins, and loading them.

A prop is a `<id>.yaml` file (`PropSpec`). The caller names the user's prop folders (the studio
passes TALOS_PROPS, then `$TALOS_HOME/props`); they are searched in order before the props shipped
with the package, first match wins, so a studio can redraw a built-in or add its own. As with the
characters (`key_animation.characters`), a broken file is one sentence naming the file and the
field, and props are cached by path and modification time so an edited file is re-read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from talos_assets.agents.key_animation.rig import Rig
from talos_assets.agents.props.model import PropSpec, to_rig
from talos_assets.agents.yaml_library import check_id, library_paths, read_mapping, search_dirs, validate
from talos_assets.spec import is_valid_id

PROPS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "props"


def prop_dirs(extra_dirs: Sequence[Path | str] = ()) -> list[Path]:
    """Folders searched for `<id>.yaml` props, first match wins: `extra_dirs` in order, then the built-ins."""
    return search_dirs(extra_dirs, PROPS_DIR)


def prop_paths(extra_dirs: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Every available prop id and the file that defines it (user folders shadow built-ins); a file whose
    name cannot be an id cannot be named by a story, so it is left out."""
    return library_paths(extra_dirs, PROPS_DIR, usable=is_valid_id)


def available_props(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Ids of the props in `extra_dirs` and the built-in talos_assets/data/props."""
    return sorted(prop_paths(extra_dirs))


def prop_from_file(path: Path | str) -> PropSpec:
    """Load and validate one prop file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    data = read_mapping(path, "prop", "height and parts")
    check_id(data, path, "prop", "name")
    return validate(PropSpec, data, path, "prop")


@lru_cache(maxsize=128)
def _load_cached(path: str, mtime_ns: int) -> PropSpec:
    # Keyed on the modification time, so an edited user prop is re-read without restarting.
    return prop_from_file(Path(path))


def load_prop(prop_id: str, extra_dirs: Sequence[Path | str] = ()) -> PropSpec:
    """Load a prop by id, searching `extra_dirs` before the built-ins; an unknown id lists the available ones."""
    paths = prop_paths(extra_dirs)
    if prop_id not in paths:
        raise ValueError(f"unknown prop '{prop_id}'; available props: {', '.join(sorted(paths)) or 'none'}")
    path = paths[prop_id]
    return _load_cached(str(path), path.stat().st_mtime_ns).model_copy(deep=True)


@lru_cache(maxsize=128)
def _rig_cached(path: str, mtime_ns: int) -> Rig:
    return to_rig(prop_from_file(Path(path)))


def load_prop_rig(prop_id: str, extra_dirs: Sequence[Path | str] = ()) -> Rig:
    """The prop as a face-less rig for `draw_line_art` (its root on the prop's anchor)."""
    load_prop(prop_id, extra_dirs)  # the same errors as load_prop
    path = prop_paths(extra_dirs)[prop_id]
    return _rig_cached(str(path), path.stat().st_mtime_ns).model_copy(deep=True)


def prop_vocabulary(extra_dirs: Sequence[Path | str] = ()) -> dict[str, list[str]]:
    """{prop id: the extra words its file names it by} for every available prop ([] for most built-ins).

    A broken user file is skipped here (the words of the others still count); loading it by id reports it.
    """
    out: dict[str, list[str]] = {}
    for pid in available_props(extra_dirs):
        try:
            out[pid] = list(load_prop(pid, extra_dirs).words)
        except ValueError:
            out[pid] = []
    return out


def prop_sources(extra_dirs: Sequence[Path | str] = ()) -> dict[str, list[str]]:
    """{effect kind: the prop ids whose files say they give it off} (user props' `gives_off`)."""
    out: dict[str, list[str]] = {}
    for pid in available_props(extra_dirs):
        try:
            kinds = load_prop(pid, extra_dirs).gives_off
        except ValueError:
            continue
        for kind in kinds:
            out.setdefault(kind.value, []).append(pid)
    return out


def prop_rows(extra_dirs: Sequence[Path | str] = ()) -> list[dict[str, object]]:
    """One row per available prop for `talos props`: id, holdable, placement, source (built-in or the file), words.

    A broken file is listed with its one-sentence problem in `words`' place (`error`), not raised.
    """
    rows: list[dict[str, object]] = []
    for pid, path in prop_paths(extra_dirs).items():
        source = "built-in" if path.parent == PROPS_DIR.resolve() else str(path)
        try:
            spec = load_prop(pid, extra_dirs)
        except ValueError as exc:
            rows.append({"id": pid, "holdable": False, "placement": "", "source": source, "words": [], "error": str(exc)})
            continue
        rows.append({"id": pid, "holdable": spec.holdable, "placement": spec.placement, "source": source,
                     "words": list(spec.words), "error": ""})
    return rows
