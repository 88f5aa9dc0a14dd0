"""The analyst's guide (docs/analyst.md) runs as written, and its notebook is the guide.

Its ```python blocks run in order in one namespace, from the repository root, on the
sample shop, each as a notebook cell would (a last expression is evaluated; a chart
there must convert to a valid Vega-Lite spec). ```text blocks are shown, not run.
docs/analyst.ipynb is the same guide cut into cells (the JupyterLab browser test opens
it); after editing the guide, rewrite it with ``python tests/test_docs.py``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import altair as alt
import nbformat

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "analyst.md"
NOTEBOOK = GUIDE.with_suffix(".ipynb")
# a fenced block at the start of a line: its language and its body
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$\n?", re.DOTALL | re.MULTILINE)
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def snippets(text: str) -> list[str]:
    """The guide's ```python blocks, in order."""
    return [body for lang, body in FENCE.findall(text) if lang == "python"]


def guide_notebook(text: str) -> nbformat.NotebookNode:
    """The guide as a notebook: its ```python blocks as code cells, the rest as markdown
    (with stable cell ids, so that rewriting an unchanged guide changes nothing)."""
    parts, start = [], 0
    for match in FENCE.finditer(text):
        if match.group(1) == "python":
            parts += [("markdown", text[start:match.start()]), ("code", match.group(2))]
            start = match.end()
    parts.append(("markdown", text[start:]))
    cells = []
    for kind, source in parts:
        source = source.strip()
        if source:
            new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
            cells.append(new(source, id=f"cell-{len(cells)}"))
    return nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})


def _run_cell(source: str, namespace: dict, name: str) -> object:
    """Run `source` as a notebook cell does; the value of its last expression (or None)."""
    tree = ast.parse(source, filename=name)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), name, "eval"), namespace)


def test_the_guide_has_snippets():
    assert len(snippets(GUIDE.read_text(encoding="utf-8"))) >= 10


def test_every_snippet_runs_in_order(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__analyst__"}
    charts = 0
    for i, source in enumerate(snippets(GUIDE.read_text(encoding="utf-8")), 1):
        value = _run_cell(source, namespace, f"docs/analyst.md, python block {i}")
        if isinstance(value, alt.TopLevelMixin):
            value.to_dict()  # validates against the Vega-Lite schema
            charts += 1
    assert charts >= 3, "the guide shows its charts as the last line of a snippet"


def test_the_notebook_is_the_guide():
    committed = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(committed)
    expected = guide_notebook(GUIDE.read_text(encoding="utf-8"))
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in expected.cells], (
        "docs/analyst.ipynb differs from docs/analyst.md: run `python tests/test_docs.py`")
    assert committed.metadata.kernelspec.name == KERNELSPEC["name"]
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit it without outputs"


def test_the_readme_links_the_guide():
    assert "(docs/analyst.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


if __name__ == "__main__":  # rewrite the notebook after editing the guide
    nbformat.write(guide_notebook(GUIDE.read_text(encoding="utf-8")), NOTEBOOK)
    print(f"wrote {NOTEBOOK.relative_to(ROOT)}")
