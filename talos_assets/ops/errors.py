"""Environment failures explained in one sentence: a full disk, a missing permission, a corrupt store.

An exception chain (`__cause__`/`__context__`, Dagster's wrapped user exception) or the text of a
Dagster step failure is searched for the root cause the user can act on; the chain's outer layers
(`DagsterExecutionStepExecutionError`, SQLAlchemy's wrapper) only hide it. `explain` returns None
for anything else, which the CLI then treats as a bug (traceback). Plain Python, no Dagster import.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

_SQLITE_MAGIC = b"SQLite format 3\x00"
_DISK_FULL_TEXT = ("no space left on device", "[errno 28]", "database or disk is full", "disk quota exceeded")
_CORRUPT_DB_TEXT = ("file is not a database", "database disk image is malformed")
_DENIED_TEXT = re.compile(r"\[Errno (?:13|1)\] (?:Permission denied|Operation not permitted)(?:: '([^']+)')?")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [exc]
    while pending:
        e = pending.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        pending += [getattr(e, "user_exception", None), e.__cause__, e.__context__]


def _home(home: Path | None) -> Path:
    return Path(home or os.environ.get("TALOS_HOME", ".talos")).resolve()


def _nearly_full(path: Path, below: int = 16 * 2**20) -> bool:
    import shutil

    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free < below
    except OSError:
        return False


def disk_full(home: Path | None = None) -> str:
    return (f"No space left on device: free space on the disk that holds the studio home {_home(home)} "
            "(`talos clean --all` deletes the working frames of finished films) and run the command again.")


def _denied(path: str | None, home: Path | None) -> str:
    where = f" on {path}" if path else ""
    return (f"Permission denied{where}: make the studio home {_home(home)} writable by this user, "
            "or set TALOS_HOME to a folder you own.")


def _read_only(path: str | None, home: Path | None) -> str:
    return (f"{path or _home(home)} is on a read-only file system: set TALOS_HOME (and TALOS_RENDERS) to a "
            "writable folder.")


# the Dagster instance's shared SQLite files (per-run event shards sit beside index.db)
DAGSTER_DATABASES = ("history/runs.db", "storage/index.db", "schedules/schedules.db")


def _not_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError:
        return False
    return bool(head) and head != _SQLITE_MAGIC  # 0 bytes is an empty SQLite database


def corrupt_databases(home: Path | None = None) -> list[Path]:
    """SQLite files of the studio home (Dagster's, MLflow's) that are not SQLite files."""
    roots = {_home(home)} | ({Path(os.environ["DAGSTER_HOME"])} if os.environ.get("DAGSTER_HOME") else set())
    return [p for root in sorted(roots) if root.is_dir() for p in sorted(root.rglob("*.db")) if _not_sqlite(p)]


def instance_problem(dagster_home: Path) -> str | None:
    """The sentence for a Dagster instance that cannot open, checked before opening it: a dagster.yaml
    that is not YAML (or not text), or shared SQLite files that are garbage (Dagster opens a garbage
    index.db without a word, and a forge would run on with it)."""
    import yaml

    config = Path(dagster_home) / "dagster.yaml"
    try:
        if config.exists():
            yaml.safe_load(config.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        return _bad_config(str(config), f"are not valid YAML{where}")
    bad = [p for p in (Path(dagster_home) / name for name in DAGSTER_DATABASES) if _not_sqlite(p)]
    return _corrupt_file(bad[0]) if bad else None


def _bad_config(path: str, what: str) -> str:
    return f"The Dagster instance settings {path} {what}; fix the file, or delete it so talos writes a fresh one."


def _corrupt_file(path: Path) -> str:
    return f"The database {path} is corrupt (not an SQLite file); move it aside (its history is lost) and run the command again."


def _corrupt_db(home: Path | None) -> str:
    bad = corrupt_databases(home)
    if bad:
        return _corrupt_file(bad[0])
    return (f"A database of the studio home {_home(home)} is corrupt; move the damaged .db file aside "
            "and run the command again.")


def _bad_yaml(exc: BaseException) -> str | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    name = getattr(mark, "name", "") or ""
    if not name.endswith("dagster.yaml"):
        return None
    return _bad_config(name, f"are not valid YAML (line {mark.line + 1})")


def explain_text(text: str, home: Path | None = None) -> str | None:
    """The sentence for an error known only by its text (a Dagster step failure), or None."""
    low = text.lower()
    if any(t in low for t in _DISK_FULL_TEXT):
        return disk_full(home)
    denied = _DENIED_TEXT.search(text)
    if denied:
        return _denied(denied.group(1), home)
    if "[errno 30]" in low or "read-only file system" in low:
        return _read_only(None, home)
    if "disk i/o error" in low:  # SQLite's word for a journal it could not write: on a full disk, mostly
        return disk_full(home) if _nearly_full(_home(home)) else (
            f"A disk I/O error hit the studio home {_home(home)}: check the disk (free space, `dmesg`) "
            "and run the command again.")
    if any(t in low for t in _CORRUPT_DB_TEXT):
        return _corrupt_db(home)
    if "errors whilst loading dagster instance config" in low:  # valid YAML, not Dagster's schema
        config = Path(os.environ.get("DAGSTER_HOME", _home(home) / "dagster")) / "dagster.yaml"
        return _bad_config(str(config), "do not match Dagster's instance schema")
    return None


def _explain_one(e: BaseException, home: Path | None) -> str | None:
    from talos_assets.stores.ichor import StoreError

    if isinstance(e, StoreError):
        return str(e)
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(home)
    if isinstance(e, OSError) and e.errno in (errno.EACCES, errno.EPERM):
        return _denied(e.filename, home)
    if isinstance(e, OSError) and e.errno == errno.EROFS:
        return _read_only(e.filename, home)
    if type(e).__module__.startswith("yaml"):
        return _bad_yaml(e)
    return None


def explain(exc: BaseException, home: Path | None = None) -> str | None:
    """One sentence for an environment failure anywhere in `exc`'s chain, or None if it is not one."""
    chain = list(_chain(exc))
    for e in chain:  # a typed root cause first: its errno is exact
        sentence = _explain_one(e, home)
        if sentence:
            return sentence
    for e in chain:  # then the text (SQLite's errors, a step failure's message)
        sentence = explain_text(str(e), home)
        if sentence:
            return sentence
    return None


def explain_error_info(info, home: Path | None = None) -> str | None:
    """The sentence for a Dagster `SerializableErrorInfo` chain (a failed step), or None."""
    texts = []
    pending = [info]
    while pending:
        e = pending.pop(0)
        if e is None:
            continue
        texts.append(f"{e.cls_name}: {e.message}")
        pending += [e.cause, e.context]
    return explain_text("\n".join(texts), home)
