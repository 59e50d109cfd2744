"""Working frames on a shared store by URL, so workers on other machines see them.

A render farm's workers each keep a local studio home; with `TALOS_SHARED_STORE` set to an fsspec URL
(`file:///mnt/farm/talos`, `s3://bucket/talos` with s3fs installed, ...) every run pulls its film's
working files before its first step and pushes what it wrote after its last, so a shot rendered on
one machine is edited on another. Plain Python over fsspec: no Dagster (`resources/studio.py` calls it).

The unit of transfer is a folder: a film's own files (`films/<film>/`, its plans and edit files, not
its shots) or one shot (`films/<film>/shots/<slot>/`, every stage). Several machines write one unit at
once (two steps of a shot on two Celery workers), so a unit has no single manifest that the last
writer would overwrite: each studio home keeps its own on the shared store (`.talos-manifests/<writer>.json`:
file -> [bytes, mtime ns], a deleted file -> [-1, when deleted]), written after its files, and a reader
folds them, the latest event for each file winning. So a reader never trusts a file still being
written, and one writer never hides another's. Locally `.talos-synced.json` keeps the unit as last
pushed or pulled, so only changed files travel, and a stage run again (its old frames deleted)
deletes them on the shared store too. Pulled files take the writer's mtime and are written to a
temporary name first, then renamed.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import fsspec

MANIFESTS = ".talos-manifests"  # on the shared store, in each unit: one manifest per writing home
SYNCED = ".talos-synced.json"  # in the local unit: the unit as last pushed or pulled
WRITER = ".talos-writer"  # in the studio home: this home's writer name on the shared store
DELETED = -1  # the size recorded for a file its writer deleted

Manifest = dict[str, list[int]]  # path in the unit (posix) -> [bytes, mtime ns]


def writer_name(root: Path) -> str:
    """This studio home's name on the shared store, made once (every process of the home shares it)."""
    path = root / WRITER
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        part = root / f"{WRITER}.{os.getpid()}.part"
        part.write_text(uuid.uuid4().hex)
        try:
            os.link(part, path)  # atomic: the first process of the home to get here names it
        except FileExistsError:
            pass
        finally:
            part.unlink()
    return path.read_text().strip()


@contextmanager
def _home_push_lock(root: Path):
    """Processes of one home push one at a time: they share its manifest on the store."""
    with open(root / f"{WRITER}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def fold(manifests: list[Manifest]) -> Manifest:
    """The unit as its writers left it: for each file the latest event (write by mtime, deletion by
    time) wins; deleted files are left out."""
    latest: Manifest = {}
    for manifest in manifests:
        for name, entry in manifest.items():
            if name not in latest or entry[1] > latest[name][1]:
                latest[name] = entry
    return {name: entry for name, entry in latest.items() if entry[0] != DELETED}


class SharedFrames:
    """One studio's working files on a shared fsspec store."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fs, self.base = fsspec.core.url_to_fs(url)

    # ---- units ----------------------------------------------------------------------------------
    def _remote(self, unit: str, name: str = "") -> str:
        return "/".join(p for p in (self.base.rstrip("/"), unit, name) if p)

    def units(self, root: Path, film_id: str) -> list[str]:
        """The film's units known here or on the shared store: the film's own files, then each shot."""
        slots = set()
        local = root / "films" / film_id / "shots"
        if local.is_dir():
            slots |= {p.name for p in local.iterdir() if p.is_dir()}
        remote = self._remote(f"films/{film_id}/shots")
        if self.fs.isdir(remote):
            slots |= {Path(p.rstrip("/")).name for p in self.fs.ls(remote, detail=False)}
        return [f"films/{film_id}"] + [f"films/{film_id}/shots/{slot}" for slot in sorted(slots)]

    @staticmethod
    def local_manifest(root: Path, unit: str) -> Manifest:
        """The unit's files here (a film's own files exclude its shots; dotfiles are the sync's own)."""
        folder = root / unit
        if not folder.is_dir():
            return {}
        is_film = unit.count("/") == 1
        files = folder.glob("*") if is_film else folder.rglob("*")
        out: Manifest = {}
        for path in files:
            if path.is_file() and not path.name.startswith("."):
                st = path.stat()
                out[path.relative_to(folder).as_posix()] = [st.st_size, st.st_mtime_ns]
        return out

    @staticmethod
    def _read_synced(root: Path, unit: str) -> Manifest:
        path = root / unit / SYNCED
        return json.loads(path.read_text()) if path.exists() else {}

    @staticmethod
    def _write_synced(root: Path, unit: str, manifest: Manifest) -> None:
        folder = root / unit
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{SYNCED}.part"
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, folder / SYNCED)

    def _writer_manifest(self, unit: str, writer: str) -> str:
        return self._remote(unit, f"{MANIFESTS}/{writer}.json")

    def _read_json(self, path: str) -> Manifest:
        with self.fs.open(path, "r") as fh:
            return json.load(fh)

    def remote_manifest(self, unit: str) -> Manifest | None:
        """The unit on the shared store, folded from its writers' manifests; None if no one pushed it."""
        folder = self._remote(unit, MANIFESTS)
        if not self.fs.isdir(folder):
            return None
        paths = [p for p in self.fs.ls(folder, detail=False) if p.endswith(".json")]
        return fold([self._read_json(p) for p in sorted(paths)]) if paths else None

    # ---- transfer -------------------------------------------------------------------------------
    def push(self, root: Path, unit: str) -> int:
        """Upload the unit's files that changed since it was last synced, delete those gone; this home's
        manifest last. Returns the number of files uploaded."""
        local, synced = self.local_manifest(root, unit), self._read_synced(root, unit)
        changed = [f for f, m in local.items() if synced.get(f) != m]
        gone = [f for f in synced if f not in local]
        if not changed and not gone:
            return 0
        for name in changed:
            target = self._remote(unit, name)
            self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(root / unit / name), target)
        for name in gone:
            if self.fs.exists(self._remote(unit, name)):
                self.fs.rm(self._remote(unit, name))
        with _home_push_lock(root):
            path = self._writer_manifest(unit, writer_name(root))
            mine = self._read_json(path) if self.fs.exists(path) else {}
            mine.update({name: local[name] for name in changed})
            now = time.time_ns()
            mine.update({name: [DELETED, now] for name in gone})
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            part = f"{path}.{os.getpid()}.part"
            with self.fs.open(part, "w") as fh:
                json.dump(mine, fh)
            self.fs.mv(part, path)  # a reader never sees half a manifest
        self._write_synced(root, unit, local)
        return len(changed)

    def pull(self, root: Path, unit: str) -> int:
        """Download the unit's files that changed on the shared store since this home last synced it
        (or are missing here), delete those the writer deleted. Returns the number downloaded."""
        remote = self.remote_manifest(unit)
        if remote is None:
            return 0
        synced, local = self._read_synced(root, unit), self.local_manifest(root, unit)
        fetched = 0
        for name, (size, mtime_ns) in remote.items():
            if synced.get(name) == [size, mtime_ns] and name in local:
                continue  # unchanged there since this home synced it (a local change is pushed later)
            target = root / unit / name
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(f".{target.name}.part")
            self.fs.get_file(self._remote(unit, name), str(part))
            os.utime(part, ns=(mtime_ns, mtime_ns))
            os.replace(part, target)
            fetched += 1
        for name, entry in synced.items():
            if name not in remote and local.get(name) == entry:  # deleted there, untouched here
                (root / unit / name).unlink()
        self._write_synced(root, unit, remote)
        return fetched

    def push_film(self, root: Path, film_id: str) -> int:
        return sum(self.push(root, unit) for unit in self.units(root, film_id) if (root / unit).is_dir())

    def pull_film(self, root: Path, film_id: str) -> int:
        return sum(self.pull(root, unit) for unit in self.units(root, film_id))
