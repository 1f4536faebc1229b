"""The shape of the code base: no import cycles, and the CLI assembled from the commands only."""

from __future__ import annotations

import ast
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "allocate"


def _module_name(path: Path) -> str:
    parts = ("allocate", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


@cache
def _tree(module: str) -> ast.Module:
    path = MODULES[module]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The imports Python runs when the module is imported: not in functions, not for type checkers."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            found += _module_level(node.body) + _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            found += _module_level(node.body) + _module_level(node.orelse) + _module_level(node.finalbody)
            for handler in node.handlers:
                found += _module_level(handler.body)
    return found


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The allocate modules an import statement loads (a name imported from a package may be a module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    base = node.module or ""
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    names = [f"{base}.{alias.name}" for alias in node.names]
    out = {name for name in names if name in MODULES}
    if base in MODULES and len(out) < len(names):  # some name is defined in `base` itself
        out.add(base)
    return out


def import_graph() -> dict[str, set[str]]:
    """allocate's modules, each with the allocate modules it imports when it is imported."""
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        graph[module] = {t for node in _module_level(_tree(module).body) for t in _targets(module, node)}
        graph[module].discard(module)
    return graph


def test_no_import_cycle():
    """No allocate module imports, at import time, a module that imports it back."""
    try:
        TopologicalSorter(import_graph()).prepare()
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_a_cycle_is_found():
    """The check can fail: a module importing its importer is reported as a cycle."""
    graph = import_graph()
    graph["allocate.commands._common"].add("allocate.cli")
    with pytest.raises(CycleError):
        TopologicalSorter(graph).prepare()
    assert "allocate.commands._common" in graph["allocate.cli"]
    assert sum(map(len, graph.values())) > 100


def test_nothing_imports_the_cli():
    """Only the entry point imports allocate.cli, even lazily inside a function: it imports the commands."""
    importers = set()
    for module in MODULES:
        for node in ast.walk(_tree(module)):
            if isinstance(node, ast.Import | ast.ImportFrom) and "allocate.cli" in _targets(module, node):
                importers.add(module)
    assert importers <= {"allocate.__main__"}


TESTS = Path(__file__).resolve().parent
ALLOWED_PRIVATE_MODULES = {"allocate.commands._common"}
"""Private to a package, public inside it: its names are the commands' shared helpers."""


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_path(text: str) -> bool:
    """A dotted name in allocate with an underscore part, as a string (a patch target)."""
    parts = text.split(".")
    if parts[0] != "allocate" or len(parts) < 2 or not all(p.isidentifier() for p in parts):
        return False
    return any(_private(p) for p in parts) and not any(
        text == m or (text.startswith(f"{m}.") and not _private(parts[-1])) for m in ALLOWED_PRIVATE_MODULES
    )


def private_uses(source: str) -> list[str]:
    """Underscore names of allocate a test reaches for: imported, or read as an attribute of allocate."""
    tree = ast.parse(source)
    roots: set[str] = set()  # local names bound to allocate modules or objects
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "allocate":
            module = node.module or ""
            if module not in ALLOWED_PRIVATE_MODULES and any(map(_private, module.split("."))):
                found.append(f"line {node.lineno}: module {module}")
            for alias in node.names:
                roots.add(alias.asname or alias.name)
                if _private(alias.name):
                    found.append(f"line {node.lineno}: {module}.{alias.name}")
        elif isinstance(node, ast.Import):
            roots.update(
                (a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("allocate")
            )
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _private_path(node.value):
            found.append(f"line {node.lineno}: {node.value!r}")  # monkeypatch.setattr("allocate.x._y", ...)
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in roots:
                found.append(f"line {node.lineno}: {root.id}...{node.attr}")
    return found


def test_tests_use_no_private_names():
    """Tests reach allocate through its public names only, so a private helper can change freely."""
    found = {
        path.name: uses
        for path in sorted(TESTS.glob("*.py"))
        if (uses := private_uses(path.read_text("utf-8")))
    }
    assert found == {}


def test_private_uses_are_found():
    """The check can fail: each way of reaching a private name is reported."""
    source = (
        "import allocate.solve as s\nfrom allocate.outfolder import _tag\nfrom allocate.x._y import z\n"
        "from allocate import io\ns._extract(1)\nio.load._duplicates\nm.setattr('allocate.solve._extract', 1)\n"
    )
    assert len(private_uses(source)) == 5
    assert private_uses("import pandas as pd\npd._libs\nfrom allocate.cli import app\napp.name\n") == []
