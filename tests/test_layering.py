"""Layering: the agents, the plain stores and Protoforge import without Dagster and without the
Dagster resources (`resources.*`), so a training job, a notebook or a test can use them with no
Dagster instance. Each check runs in a fresh interpreter, where nothing was imported before it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Top-level packages that belong to the Dagster layer: dagster itself, its integrations, our resources.
_DAGSTER_LAYER = "('dagster', 'resources')"
_LEAKS = f"sorted(m for m in sys.modules if m.split('.')[0] in {_DAGSTER_LAYER} or m.startswith('dagster_'))"


def _modules(package: str) -> list[str]:
    """Every module of a package, found on disk (importing it to walk it would defeat the test)."""
    root = REPO.joinpath(*package.split("."))
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_protoforge_entry_points_never_load_dagster():
    done = _python("import protoforge.train, protoforge.data.shot_frames, protoforge.registry; import sys; "
                   "assert 'dagster' not in sys.modules")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("package", ["protoforge", "talos_assets.stores", "talos_assets.agents"])
def test_every_module_imports_without_the_dagster_layer(package):
    modules = _modules(package)
    assert modules, f"no modules found under {package}"
    code = (f"import importlib, sys\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
            f"leaked = {_LEAKS}\nassert not leaked, leaked")
    done = _python(code)
    assert done.returncode == 0, done.stderr[-4000:]
