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

import yaml
from pydantic import ValidationError

from talos_assets.agents.key_animation.rig import Rig

CHARACTERS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "characters"


def character_dirs(extra_dirs: Sequence[Path | str] = ()) -> list[Path]:
    """Folders searched for `<name>.yaml` rigs, first match wins: `extra_dirs` in order, then the built-ins.

    Each folder is user-expanded and resolved; a folder named twice is searched once, at its first place.
    """
    dirs = [Path(d).expanduser() for d in extra_dirs]
    dirs.append(CHARACTERS_DIR)
    seen: list[Path] = []
    for d in dirs:
        d = d.resolve()
        if d not in seen:
            seen.append(d)
    return seen


def character_paths(extra_dirs: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Every available character name and the rig file that defines it (user folders shadow built-ins)."""
    found: dict[str, Path] = {}
    for d in character_dirs(extra_dirs):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                found.setdefault(p.stem, p)
    return found


def available_characters(extra_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Names of the character rigs in `extra_dirs` and the built-in talos_assets/data/characters."""
    return sorted(character_paths(extra_dirs))


def _field_name(loc: tuple, data: object) -> str:
    """'joints[3] (l_knee).length' from a pydantic error location, naming list items when they have a name."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "the top level"


def rig_from_file(path: Path | str) -> Rig:
    """Load and validate one rig file; any problem is a one-sentence ValueError naming the file and field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"character file {path} cannot be read ({exc.strerror or exc}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"character file {path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(data, dict):
        raise ValueError(f"character file {path} must be a YAML mapping with joints, parts and face, not {type(data).__name__}.")
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        # Stories name characters by file name; a different inner name would silently split the two.
        raise ValueError(f"character file {path}: field 'name' is '{data['name']}' but must match the file name '{path.stem}'.")
    if "face" not in data:
        # Rigs without a face are props (talos_assets.agents.props); a character always has one.
        raise ValueError(f"character file {path}: field 'face' is missing: give the face's bone and after_part.")
    try:
        return Rig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_name(tuple(first.get("loc", ())), data)
        msg = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
        more = f" (and {exc.error_count() - 1} more problem{'s' if exc.error_count() > 2 else ''})" if exc.error_count() > 1 else ""
        raise ValueError(f"character file {path}: field '{field}': {msg}{more}.") from None


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
