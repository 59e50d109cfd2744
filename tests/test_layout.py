"""The tree is the architecture: sizes a reader can hold, no import cycles, data flowing forward.

Read with `ast` (nothing is imported): no module under talos_assets/, resources/ or protoforge/ over
500 lines or function over 80; the package import graph has no cycle; an agent never imports
Dagster, a resource, or an agent that runs later in the film's pipeline.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("talos_assets", "resources", "protoforge")
# the order agents run in a film; shared helpers (frames, camera framing) rank first
AGENT_RANK = {
    "frames": 0, "camera_framing": 0, "yaml_library": 0,
    "direction": 1, "key_animation": 2, "props": 2, "storyboard": 2, "inbetweening": 3, "coloring": 4, "lighting": 5,
    "sets": 5, "effects": 6, "render": 7, "inpaint": 7, "title_card": 7, "mastering": 7, "music": 8, "voice": 8, "editing": 8, "evaluation": 9,
}


def _modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def _internal(target: str) -> str | None:
    """The studio module an import names (longest known prefix), or None for third-party code."""
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        cand = ".".join(parts[:n])
        if cand in MODULES:
            return cand
    return None


def test_no_module_over_500_lines_and_no_function_over_80():
    long_modules, long_functions = [], []
    for name, path in MODULES.items():
        text = path.read_text()
        if len(text.splitlines()) > 500:
            long_modules.append(f"{name}: {len(text.splitlines())}")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    long_functions.append(f"{name}.{node.name}: {length}")
    assert not long_modules, long_modules
    assert not long_functions, long_functions


def test_no_import_cycle_between_modules():
    graph = {name: {m for t in _imports(path, name) if (m := _internal(t)) and m != name} for name, path in MODULES.items()}
    # a package's __init__ re-exporting its own modules is not a cycle of design
    graph = {n: {m for m in deps if not m.startswith(n + ".")} for n, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def _agent_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["talos_assets", "agents"] else None


def test_agents_import_no_dagster_no_resource_and_no_later_agent():
    problems = []
    for name, path in MODULES.items():
        agent = _agent_of(name)
        if agent is None:
            continue
        for target in _imports(path, name):
            if target.split(".")[0] in ("dagster", "resources"):
                problems.append(f"{name} imports {target}")
            assert agent in AGENT_RANK, f"agent module {name} has no place in the pipeline order (AGENT_RANK)"
            other = _agent_of(target)
            if other and other != agent and AGENT_RANK.get(other, 0) > AGENT_RANK.get(agent, 0):
                problems.append(f"{name} ({agent}) imports the later agent {target}")
    assert not problems, problems
