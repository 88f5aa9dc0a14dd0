"""Imports inside shopnb go one way: a module imports only from its own layer or below.

Every module of ``shopnb/`` is read with `ast` (no import is run), and every
import statement in it counts: at module level, inside functions and under
``if TYPE_CHECKING:`` alike, since a type hint that needs a higher layer is a
dependency all the same. The test fails on any import against `LAYERS`, on an
import of the package namespace itself (``import shopnb`` / ``from shopnb
import x`` where ``x`` is no module: `shopnb/__init__.py` is the public face,
for notebooks, and nothing inside shopnb leans on it), on a cycle between
modules, and on a module that `LAYERS` does not place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "shopnb"

# lowest first; a key places the module of that name and every module below it
# (``shopnb.pages`` places shopnb/pages/__init__.py and shopnb/pages/*.py)
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("errors", ("shopnb.errors",)),
    ("schema", ("shopnb.schema",)),
    ("parse / sources", ("shopnb.parse", "shopnb.sources")),
    ("load", ("shopnb.load", "shopnb.targets")),
    ("datasets", ("shopnb.datasets",)),
    ("store", ("shopnb.store",)),
    ("metrics", ("shopnb.rates", "shopnb.funnel", "shopnb.eventlog", "shopnb.monitor",
                 "shopnb.competitors", "shopnb.experiments")),
    ("digest", ("shopnb.digest",)),
    ("labels / theme", ("shopnb.labels", "shopnb.theme")),
    ("charts", ("shopnb.charts",)),
    ("pages", ("shopnb.pages",)),
    ("serve / report / cli", ("shopnb.serve", "shopnb.report", "shopnb.cli")),
    # its own process (the pages' kernels): it imports nothing of shopnb
    ("kernel", ("shopnb.kernel",)),
    # the public face: it may import anything, nothing imports it
    ("package", ("shopnb",)),
)


def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package under `root`, by its dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def layer(module: str) -> int | None:
    """The index in `LAYERS` of `module` (the longest key that places it), None if none does."""
    found = [(len(key), i) for i, (_, keys) in enumerate(LAYERS) for key in keys
             if module == key or (key != "shopnb" and module.startswith(key + "."))]
    return max(found)[1] if found else None


def imports_of(module: str, source: str, modules: set[str]) -> set[str]:
    """The shopnb modules `module` imports, anywhere in `source` (``"shopnb"``: the package
    namespace itself).

    ``from shopnb import funnel`` is the module ``shopnb.funnel``; ``from
    shopnb.store import table`` is ``shopnb.store``; relative imports are resolved.

    Example:
        >>> code = "def f():\\n    from shopnb import funnel, x\\n    import shopnb.pages.index"
        >>> sorted(imports_of("shopnb.store", code, {"shopnb", "shopnb.funnel", "shopnb.pages",
        ...                                          "shopnb.pages.index"}))
        ['shopnb', 'shopnb.funnel', 'shopnb.pages.index']
    """
    package = module if f"{module}.__init__" in modules or any(
        m.startswith(module + ".") for m in modules) else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                     for alias in node.names]
        else:
            continue
        for name in names:
            if name != "shopnb" and not name.startswith("shopnb."):
                continue
            while name not in modules and "." in name:  # a submodule's name up to its module
                name = name.rpartition(".")[0]
            if name != module:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each shopnb module and the shopnb modules it imports."""
    names = module_names()
    return {m: imports_of(m, p.read_text(encoding="utf-8"), set(names))
            for m, p in names.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, round and round (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, ()):
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


GRAPH = import_graph()


def test_every_module_has_a_layer():
    unplaced = [m for m in GRAPH if layer(m) is None]
    assert not unplaced, (f"{', '.join(unplaced)}: not in any layer; add each to LAYERS in "
                          f"tests/test_imports.py, at the layer its role in DESIGN.md gives it")


def test_no_module_imports_a_higher_layer():
    upward = [f"{m} ({LAYERS[layer(m)][0]}) imports {i} ({LAYERS[layer(i)][0]})"
              for m, imported in sorted(GRAPH.items()) for i in sorted(imported)
              if i != "shopnb" and layer(m) is not None and layer(i) is not None
              and layer(i) > layer(m)]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_no_module_imports_the_package_namespace():
    leaning = sorted(m for m, imported in GRAPH.items() if "shopnb" in imported)
    assert not leaning, (f"{', '.join(leaning)} import the package namespace (import shopnb, "
                         f"or from shopnb import a name that is no module); import the module "
                         f"that defines the name instead")


def test_kernel_imports_nothing_of_shopnb():
    assert GRAPH["shopnb.kernel"] == set()


def test_no_import_cycle():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("import pandas\nfrom shopnb.store import table", {"shopnb.store"}),
    ("def f():\n    from shopnb.pages.funnel import build_funnel", {"shopnb.pages.funnel"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shopnb.digest import Digest",
     {"shopnb.digest"}),
    ("from shopnb import funnel as fn, monitor", {"shopnb.funnel", "shopnb.monitor"}),
    ("from shopnb import load_sample", {"shopnb"}),
    ("from . import header\nfrom ._widgets import chart_widget",
     {"shopnb.pages.header", "shopnb.pages._widgets"}),
])
def test_the_walk_counts_every_import(source, expected):
    modules = {"shopnb", "shopnb.store", "shopnb.funnel", "shopnb.monitor", "shopnb.digest",
               "shopnb.pages", "shopnb.pages.funnel", "shopnb.pages.header",
               "shopnb.pages._widgets", "shopnb.pages.index"}
    assert imports_of("shopnb.pages.index", source, modules) == expected


def test_the_layers_and_the_cycles_are_found():
    assert LAYERS[layer("shopnb.charts.ab")][0] == "charts"  # a package by its prefix
    assert layer("shopnb.pages._html") > layer("shopnb.labels") > layer("shopnb.digest")
    assert layer("shopnb.nothing") is None
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
