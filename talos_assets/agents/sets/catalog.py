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

import yaml
from pydantic import ValidationError

from talos_assets.agents.sets.spec import SetSpec

SETS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "sets"
# Backdrop names Prism used before the set library, read as (set id, time of day) so plans written
# then still render.
LEGACY_BACKGROUNDS: dict[str, tuple[str, str | None]] = {
    "dusk-hills": ("hills", "dusk"), "night-sea": ("shore", "night"), "studio": ("studio", None),
}


def set_dirs(extra_dirs: Sequence[Path | str] = ()) -> list[Path]:
    """Folders searched for `<id>.yaml` sets, first match wins: `extra_dirs` in order, then the built-ins."""
    seen: list[Path] = []
    for d in [Path(d).expanduser() for d in extra_dirs] + [SETS_DIR]:
        d = d.resolve()
        if d not in seen:
            seen.append(d)
    return seen


def set_paths(extra_dirs: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Every available set id and the file that defines it (user folders shadow built-ins)."""
    found: dict[str, Path] = {}
    for d in set_dirs(extra_dirs):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                found.setdefault(p.stem, p)
    return found


def available_sets(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Ids of the sets in `extra_dirs` and the built-in library."""
    return sorted(set_paths(extra_dirs))


def _field_name(loc: tuple, data: object) -> str:
    """'layers[3] (ridge).amp' from a pydantic error location, naming a layer by its kind."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("kind"), str):
                out += f" ({node['kind']})"
        elif isinstance(node, dict) or node is None:
            # the union's tag (the kind name) sits in the location; it is not a field of the file
            if isinstance(node, dict) and part == node.get("kind") and part not in node:
                continue
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "the top level"


def set_from_file(path: Path | str) -> SetSpec:
    """Load and validate one set file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"set file {path} cannot be read ({exc.strerror or exc}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"set file {path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(data, dict):
        raise ValueError(f"set file {path} must be a YAML mapping with id, horizon and layers, not {type(data).__name__}.")
    data.setdefault("id", path.stem)
    if data["id"] != path.stem:
        # Stories name sets by file name; a different inner id would silently split the two.
        raise ValueError(f"set file {path}: field 'id' is '{data['id']}' but must match the file name '{path.stem}'.")
    try:
        return SetSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_name(tuple(first.get("loc", ())), data)
        if first.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            field += ".kind"  # the layer's kind is what is wrong, not the layer
        msg = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
        n = exc.error_count()
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        raise ValueError(f"set file {path}: field '{field}': {msg}{more}.") from None


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
