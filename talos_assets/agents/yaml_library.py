"""The studio's YAML libraries (character rigs, sets, props): one file per item, named by its id, in the
user's folders first and then the built-in folder; a broken file is one sentence naming the file and
the field. Shared by Axis (`key_animation.characters`, `props.catalog`) and Raygen (`sets.catalog`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def search_dirs(extra_dirs: Sequence[Path | str], builtin: Path) -> list[Path]:
    """Folders searched for `<id>.yaml`, first match wins: `extra_dirs` in order, then `builtin`.
    Each folder is user-expanded and resolved; a folder named twice is searched once, at its first place."""
    seen: list[Path] = []
    for d in [Path(d).expanduser() for d in extra_dirs] + [builtin]:
        d = d.resolve()
        if d not in seen:
            seen.append(d)
    return seen


def library_paths(extra_dirs: Sequence[Path | str], builtin: Path,
                  usable: Callable[[str], bool] = lambda _: True) -> dict[str, Path]:
    """Every id and the file that defines it (user folders shadow the built-ins); `usable` filters ids."""
    found: dict[str, Path] = {}
    for d in search_dirs(extra_dirs, builtin):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                if usable(p.stem):
                    found.setdefault(p.stem, p)
    return found


def field_name(loc: tuple, data: object) -> str:
    """'joints[3] (l_knee).length' or 'layers[1] (ridge).amp' from a pydantic error location, naming a
    list item by its `name` or its `kind`; a discriminated union's tag is not a field of the file."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            label = next((node[k] for k in ("name", "kind") if isinstance(node, dict) and isinstance(node.get(k), str)), None)
            if label is not None:
                out += f" ({label})"
        elif isinstance(node, dict) or node is None:
            if isinstance(node, dict) and part == node.get("kind") and part not in node:
                continue
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "the top level"


def read_mapping(path: Path, kind: str, needs: str) -> dict:
    """A library file's YAML mapping; unreadable, invalid or not a mapping is one sentence."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{kind} file {path} cannot be read ({exc.strerror or exc}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"{kind} file {path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(data, dict):
        raise ValueError(f"{kind} file {path} must be a YAML mapping with {needs}, not {type(data).__name__}.")
    return data


def check_id(data: dict, path: Path, kind: str, key: str) -> None:
    """The file's own id (`key`) defaults to its file name and must equal it: stories name items by file
    name, and a different inner id would silently split the two."""
    data.setdefault(key, path.stem)
    if data[key] != path.stem:
        raise ValueError(f"{kind} file {path}: field '{key}' is '{data[key]}' but must match the file name '{path.stem}'.")


def validate(model: type[Model], data: dict, path: Path, kind: str) -> Model:
    """`model` from a file's mapping; the first problem is one sentence naming the file and field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = field_name(tuple(first.get("loc", ())), data)
        if first.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            field += ".kind"  # the item's kind is what is wrong, not the item
        msg = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
        n = exc.error_count()
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        raise ValueError(f"{kind} file {path}: field '{field}': {msg}{more}.") from None
