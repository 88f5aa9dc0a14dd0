"""The notebooks: thin (DESIGN rule 9), committed without outputs, and run headless.

Execution uses nbclient with a short cell timeout, so a stalled kernel fails
fast instead of hanging CI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120  # s; a page notebook runs in 3-6 s
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ has no .ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in _code(nb):
        assert cell.outputs == [], f"{path.name}: clear the outputs before committing"
        assert cell.execution_count is None, f"{path.name}: clear the execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_thin(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "a markdown title"
    for cell in _code(nb):
        tree = ast.parse(cell.source)
        defined = [
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        assert not defined, f"{path.name} defines {defined}: move them into the package"
    tagged = [c for c in _code(nb) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) <= 1, "at most one cell tagged parameters"
    last = ast.parse(_code(nb)[-1].source).body
    assert len(last) == 1 and isinstance(last[0], ast.Expr), "the page is the last expression"
    call = last[0].value
    assert isinstance(call, ast.Call) and ast.unparse(call.func).split(".")[-1].startswith(
        "build_"
    ), "the last cell builds the page: build_<page>(...)"


def _with_parameters(nb: nbformat.NotebookNode, **params: str) -> nbformat.NotebookNode:
    """Insert an ``injected-parameters`` cell after the ``parameters`` cell (as papermill does)."""
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    source = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)
    return nb


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_headless_and_shows_a_page(path, lang):
    nb = _with_parameters(nbformat.read(path, as_version=4), lang=lang)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [o for c in _code(nb) for o in c.outputs if o.output_type == "error"]
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    page = _code(nb)[-1].outputs
    assert any(WIDGET_VIEW in o.get("data", {}) for o in page), "the last cell shows no widget"
