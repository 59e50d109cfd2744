"""Aether Vault: a content-addressed store for backgrounds, textures and lighting presets.

Objects are stored by the SHA-256 of their bytes under `objects/ab/cdef...`; a small JSON index maps
(kind, name) to a digest so presets can be looked up by name. The root is a local folder by default
or any fsspec URL (`memory://`, `s3://...` where the filesystem package is installed). Plain Python:
`resources.aether.AetherResource` is its Dagster face.
"""

from __future__ import annotations

import hashlib
import json
import re

import fsspec

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KINDS = ("background", "texture", "lighting")


class AetherVault:
    """A content-addressed object store under one folder or fsspec URL."""

    def __init__(self, url: str):
        self.fs, self.root = fsspec.core.url_to_fs(url)
        self.fs.makedirs(self.root, exist_ok=True)

    def _index_path(self) -> str:
        return f"{self.root}/index.json"

    def _index(self) -> dict[str, str]:
        if not self.fs.exists(self._index_path()):
            return {}
        with self.fs.open(self._index_path(), "r") as fh:
            return json.load(fh)

    def put(self, kind: str, name: str, payload: bytes) -> str:
        """Store bytes under (kind, name); returns the content digest. Same bytes are stored once."""
        if kind not in KINDS:
            raise ValueError(f"Aether kind '{kind}' is not one of {KINDS}")
        if not _NAME_RE.match(name):
            raise ValueError(f"Aether name '{name}' must match {_NAME_RE.pattern}")
        digest = hashlib.sha256(payload).hexdigest()
        path = f"{self.root}/objects/{digest[:2]}/{digest[2:]}"
        if not self.fs.exists(path):
            self.fs.makedirs(f"{self.root}/objects/{digest[:2]}", exist_ok=True)
            tmp = path + ".part"
            with self.fs.open(tmp, "wb") as fh:
                fh.write(payload)
            self.fs.mv(tmp, path)
        index = self._index()
        index[f"{kind}/{name}"] = digest
        tmp_index = self._index_path() + ".part"
        with self.fs.open(tmp_index, "w") as fh:
            json.dump(index, fh, indent=1, sort_keys=True)
        self.fs.mv(tmp_index, self._index_path())
        return digest

    def digest(self, kind: str, name: str) -> str | None:
        return self._index().get(f"{kind}/{name}")

    def get(self, kind: str, name: str) -> bytes | None:
        digest = self.digest(kind, name)
        if digest is None:
            return None
        with self.fs.open(f"{self.root}/objects/{digest[:2]}/{digest[2:]}", "rb") as fh:
            payload = fh.read()
        if hashlib.sha256(payload).hexdigest() != digest:
            raise ValueError(f"Aether object {kind}/{name} is corrupt (digest mismatch); delete it to rebuild")
        return payload

    def names(self, kind: str) -> list[str]:
        prefix = f"{kind}/"
        return sorted(k[len(prefix):] for k in self._index() if k.startswith(prefix))
