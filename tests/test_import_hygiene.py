"""The headless core must be importable without textual or rich (harlequin's idiom)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import briefing


def _core_modules() -> list[str]:
    """Every module of the package but the TUI's: listed from the tree, so a new module is
    checked without anyone adding it here."""
    found = ["briefing"]
    for info in pkgutil.walk_packages(briefing.__path__, "briefing."):
        if info.name.startswith("briefing.ui") or info.name == "briefing.__main__":
            continue
        found.append(info.name)
    return found


CORE = _core_modules()
FORBIDDEN = ("textual", "rich", "spacy")


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui(module: str) -> None:
    # httpx's __init__ imports its optional command-line client, which imports rich when rich is
    # installed; block that one module so the test sees only what briefing itself imports.
    code = (
        "import sys; sys.modules['httpx._main'] = None\n"
        f"import {module}\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulled in {out.stdout.strip()}"


def test_the_first_screen_loads_no_network_parsing_or_nlp_code() -> None:
    # Startup reads the store only: fetching, parsing, feed editing, extraction and spaCy
    # load when a refresh, the feeds screen or x first needs them (the startup benchmark).
    heavy = ("httpx", "feedparser", "tomlkit", "trafilatura", "spacy", "lxml")
    code = (
        "import sys; import briefing.ui.app, briefing.cli\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the app's import pulled in {out.stdout.strip()}"


def test_the_module_list_finds_the_packages() -> None:
    # The listing walks into the packages: their modules are checked one by one.
    assert {"briefing.store.base", "briefing.entities.gazetteer", "briefing.threads.engine"} <= set(
        CORE
    )
    assert not [m for m in CORE if m.startswith("briefing.ui")]


def import_circles(package: str = "briefing") -> list[list[str]]:
    """Groups of modules that import each other at run time, at module level or inside a
    function (imports under TYPE_CHECKING are not run). Tarjan's strongly connected components
    over grimp's graph (the one import-linter checks)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    edges = {
        m: sorted(d for d in graph.find_modules_directly_imported_by(m) if d in graph.modules)
        for m in sorted(graph.modules)
    }
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in order:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], order[nxt])
        if low[node] == order[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in edges:
        if node not in order:
            visit(node)
    return circles


def test_no_module_imports_itself_through_others() -> None:
    assert import_circles() == []


def test_the_circle_check_sees_a_function_level_circle(tmp_path: Path) -> None:
    pkg = tmp_path / "circle_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from circle_pkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from circle_pkg import a\n    return a\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from circle_pkg import a\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        assert import_circles("circle_pkg") == [["circle_pkg.a", "circle_pkg.b"]]
    finally:
        sys.path.remove(str(tmp_path))


def private_imports(root: Path) -> list[str]:
    """`from briefing.x import _name` (or `import briefing.x._y`) anywhere under root: a
    leading underscore means "this module's own", so no other module may reach for it."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("briefing"):
                found += [
                    f"{path.name}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    here = Path(__file__).resolve().parents[1]
    assert private_imports(here / "briefing") + private_imports(here / "benchmarks") == []


def test_the_private_import_check_sees_one(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from briefing.enrich import _hidden, public\n")
    assert private_imports(tmp_path) == ["a.py: briefing.enrich._hidden"]
