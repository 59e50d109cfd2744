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

import yaml
from pydantic import ValidationError

from talos_assets.agents.key_animation.characters import _field_name
from talos_assets.agents.key_animation.rig import Rig
from talos_assets.agents.props.model import PropSpec, to_rig
from talos_assets.spec import is_valid_id

PROPS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "props"


def prop_dirs(extra_dirs: Sequence[Path | str] = ()) -> list[Path]:
    """Folders searched for `<id>.yaml` props, first match wins: `extra_dirs` in order, then the built-ins."""
    seen: list[Path] = []
    for d in [Path(d).expanduser() for d in extra_dirs] + [PROPS_DIR]:
        d = d.resolve()
        if d not in seen:
            seen.append(d)
    return seen


def prop_paths(extra_dirs: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Every available prop id and the file that defines it (user folders shadow built-ins)."""
    found: dict[str, Path] = {}
    for d in prop_dirs(extra_dirs):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                if is_valid_id(p.stem):  # a file whose name can't be an id can't be named by a story
                    found.setdefault(p.stem, p)
    return found


def available_props(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Ids of the props in `extra_dirs` and the built-in talos_assets/data/props."""
    return sorted(prop_paths(extra_dirs))


def prop_from_file(path: Path | str) -> PropSpec:
    """Load and validate one prop file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"prop file {path} cannot be read ({exc.strerror or exc}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"prop file {path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(data, dict):
        raise ValueError(f"prop file {path} must be a YAML mapping with height and parts, not {type(data).__name__}.")
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        # Stories name props by file name; a different inner name would silently split the two.
        raise ValueError(f"prop file {path}: field 'name' is '{data['name']}' but must match the file name '{path.stem}'.")
    try:
        return PropSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_name(tuple(first.get("loc", ())), data)
        msg = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
        more = f" (and {exc.error_count() - 1} more problem{'s' if exc.error_count() > 2 else ''})" if exc.error_count() > 1 else ""
        raise ValueError(f"prop file {path}: field '{field}': {msg}{more}.") from None


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
