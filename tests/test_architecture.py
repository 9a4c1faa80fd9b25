"""The house rules of docs/architecture.md, checked on the source: layers import only downwards, no import
cycle, modules small enough to read in one sitting, one module each for sentence_transformers and faiss."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "service", "bench")
MAX_LINES = 400
# Lowest first. A module may import its own layer and the layers below it, never one above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("index.errors", "index.clock"),
    ("index.ingest",),
    ("index.encoders",),
    ("index.search",),
    ("index.review",),
    ("index.config", "index.build"),
    ("index.catalog",),
    ("index.__main__",),
    ("service",),
    ("bench",),
)
ONLY_IMPORTER = {
    "sentence_transformers": "index.encoders.torch_backend",
    "faiss": "index.search.store",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py"))}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (function-level imports included), absolute names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def internal_graph() -> dict[str, set[str]]:
    modules = sources()
    return {name: {m for m in imported(path) if m in modules and m != name} for name, path in modules.items()}


def test_every_module_has_a_layer() -> None:
    assert [name for name in sources() if layer_of(name) is None and name not in PACKAGES] == []


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{name} (layer {layer_of(name)}) imports {target} (layer {layer_of(target)})"
        for name, targets in sorted(graph.items())
        for target in sorted(targets)
        if (layer_of(target) or 0) > (layer_of(name) or 0)
    ]


def cycles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return cycles


def test_layers_import_only_downwards() -> None:
    assert upward_imports(internal_graph()) == []


def test_no_import_cycles() -> None:
    assert cycles_in(internal_graph()) == []


def test_the_checks_find_what_they_look_for() -> None:
    """Not vacuous: an upward import and a cycle planted in a copy of the real graph are both reported."""
    graph = internal_graph()
    assert "index.search.library" in graph["index.review.engine"]  # the real graph is the one read
    planted = {**graph, "index.ingest.documents": graph["index.ingest.documents"] | {"index.search.library"}}
    assert upward_imports(planted) == [
        "index.ingest.documents (layer 1) imports index.search.library (layer 3)"
    ]
    assert any(
        c[0] == c[-1] and {"index.ingest.documents", "index.search.library"} <= set(c)
        for c in cycles_in(planted)
    )


@pytest.mark.parametrize("name", sorted(sources()))
def test_modules_are_small_enough_to_read_in_one_sitting(name: str) -> None:
    lines = sources()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by concern"


@pytest.mark.parametrize(("library", "owner"), sorted(ONLY_IMPORTER.items()))
def test_one_module_imports_each_heavy_library(library: str, owner: str) -> None:
    importers = sorted(
        name
        for name, path in sources().items()
        if any(m == library or m.startswith(library + ".") for m in imported(path))
        and not name.startswith("bench.")  # the peer benchmark drives txtai's own stack
    )
    assert importers == [owner]


@pytest.mark.parametrize("library", ["sqlalchemy", "alembic"])
def test_only_the_catalog_talks_sql(library: str) -> None:
    importers = sorted(
        name
        for name, path in sources().items()
        if any(m == library or m.startswith(library + ".") for m in imported(path))
    )
    assert importers
    assert all(name.startswith("index.catalog") for name in importers), importers
