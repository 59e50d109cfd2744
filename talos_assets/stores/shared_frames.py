"""Working frames on a shared store by URL, so workers on other machines see them.

A render farm's workers each keep a local studio home; with `TALOS_SHARED_STORE` set to an fsspec URL
(`file:///mnt/farm/talos`, `s3://bucket/talos` with s3fs installed, ...) every run pulls its film's
working files before its first step and pushes what it wrote after its last, so a shot rendered on
one machine is edited on another. Plain Python over fsspec: no Dagster (`resources/studio.py` calls it).

The unit of transfer is a folder: a film's own files (`films/<film>/`, its plans and edit files, not
its shots) or one shot (`films/<film>/shots/<slot>/`, every stage). Each unit has a manifest on the
shared store (`.talos-manifest.json`: file -> [bytes, mtime ns]), written after its files, so a reader
never trusts a unit whose files are still being written; locally `.talos-synced.json` keeps the
manifest as last pushed or pulled, so only changed files travel, and a stage run again (its old
frames deleted) deletes them on the shared store too. Pulled files take the writer's mtime and are
written to a temporary name first, then renamed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import fsspec

MANIFEST = ".talos-manifest.json"  # on the shared store, one per unit
SYNCED = ".talos-synced.json"  # in the local unit: the manifest as last pushed or pulled

Manifest = dict[str, list[int]]  # path in the unit (posix) -> [bytes, mtime ns]


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

    def remote_manifest(self, unit: str) -> Manifest | None:
        path = self._remote(unit, MANIFEST)
        if not self.fs.exists(path):
            return None
        with self.fs.open(path, "r") as fh:
            return json.load(fh)

    # ---- transfer -------------------------------------------------------------------------------
    def push(self, root: Path, unit: str) -> int:
        """Upload the unit's files that changed since it was last synced, delete those gone; the
        manifest last. Returns the number of files uploaded."""
        local, synced = self.local_manifest(root, unit), self._read_synced(root, unit)
        changed = [f for f, m in local.items() if synced.get(f) != m]
        gone = [f for f in synced if f not in local]
        if not changed and not gone and self.remote_manifest(unit) is not None:
            return 0
        for name in changed:
            target = self._remote(unit, name)
            self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(root / unit / name), target)
        for name in gone:
            if self.fs.exists(self._remote(unit, name)):
                self.fs.rm(self._remote(unit, name))
        self.fs.makedirs(self._remote(unit), exist_ok=True)
        with self.fs.open(self._remote(unit, MANIFEST), "w") as fh:
            json.dump(local, fh)
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
