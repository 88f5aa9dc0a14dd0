"""The analyst's path: docs/analyst.ipynb (the guide, docs/analyst.md, as a notebook) run
in a real JupyterLab in headless Chromium, offline.

The server is `jupyter lab` from this Python's environment on 127.0.0.1, with a random
token, a temporary root holding a copy of the notebook, and temporary Jupyter config,
data and runtime folders: nothing of the user's own Jupyter set-up is read or written,
and the lab extensions (ipywidgets', anywidget's) still come from the environment's
share/jupyter. The browser can reach 127.0.0.1 only (the `page` fixture). The test runs
every cell from the Run menu, then checks that each cell that draws (its last line calls
a `sn.charts` builder, or it builds a page) shows an SVG chart with marks, that no cell
failed, and that no request left the machine.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT, _free_port, _stop, wait_until_answers

pytestmark = pytest.mark.browser

NOTEBOOK = ROOT / "docs" / "analyst.ipynb"
# JupyterLab settings for a test run: every cell stays in the page (no windowing, so each
# output renders without scrolling to it), and no news or update checks (they go online)
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}
WIDGET_EXTENSIONS = {"@jupyter-widgets/jupyterlab-manager", "anywidget"}
KERNEL_TIMEOUT_MS = 90_000  # the kernel starts and reports idle
RUN_TIMEOUT_MS = 300_000  # every cell, on two cores shared with the other tests
DRAW_TIMEOUT_MS = 60_000  # a cell's chart after its cell ran
# a drawn chart: vega-embed's SVG with at least one mark item in a mark's group
MARKS = "svg.marks .role-mark > *"
# the notebook's code cells as JupyterLab holds them (the app is exposed for this): execution
# count, whether running, and the error outputs (in the page, an error looks like stderr)
CODE_CELLS = """() => [...window.jupyterapp.shell.currentWidget.content.model.cells]
    .filter((cell) => cell.type === 'code')
    .map((cell) => ({
        count: cell.executionCount,
        running: cell.executionState === 'running',
        errors: [...Array(cell.outputs.length).keys()].map((i) => cell.outputs.get(i).toJSON())
            .filter((out) => out.output_type === 'error')
            .map((out) => `${out.ename}: ${out.evalue}`),
    }))"""


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path


@pytest.fixture(scope="module")
def jupyter_lab(artifacts: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """`jupyter lab` serving a temporary folder with a copy of docs/analyst.ipynb."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root)
    config = home / "config"
    for plugin, values in SETTINGS.items():
        path = config / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    token, port = secrets.token_hex(16), _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        # the kernel imports this tree's shopnb, whatever the environment has installed
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",  # to read the cells' outputs (CODE_CELLS)
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    log_path = artifacts / "jupyterlab.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # and kernels
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(proc, f"{url}/api/status?token={token}", log_path, "JupyterLab")
        yield Lab(url, token, root)
    finally:
        _stop(proc)


def _draws(source: str) -> bool:
    """Whether a cell shows a chart: its last line calls a `sn.charts` builder, or the
    cell builds a page (`build_<page>`)."""
    body = ast.parse(source).body
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    last = body[-1].value
    if isinstance(last, ast.Call) and ast.unparse(last.func).startswith("sn.charts."):
        return True
    return any(isinstance(node, ast.Call) and ast.unparse(node.func).startswith("build_")
               for node in ast.walk(ast.Module(body=body, type_ignores=[])))


def test_the_analyst_notebook_runs_offline(jupyter_lab: Lab, page, artifacts: Path):
    code = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells
            if c.cell_type == "code"]
    drawing = [i for i, source in enumerate(code) if _draws(source)]
    assert len(drawing) >= 4, "the guide draws charts and a page"
    extensions: set[str] = set()
    timeout_error = pytest.importorskip("playwright.sync_api").TimeoutError

    def loaded(request):  # /lab/extensions/<@scope/name>/static/...
        path = request.url.split("?")[0]
        if "/lab/extensions/" in path:
            parts = path.split("/lab/extensions/", 1)[1].split("/")
            extensions.add("/".join(parts[:2] if parts[0].startswith("@") else parts[:1]))

    page.on("request", loaded)
    try:
        page.goto(f"{jupyter_lab.url}/lab/tree/analyst.ipynb?token={jupyter_lab.token}")
        # every cell on the page, and the kernel started (the status bar: "... | Idle")
        page.wait_for_function(
            """(n) => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === n
                && [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                    .some((item) => /[|] Idle$/.test(item.textContent.trim()))""",
            arg=len(code), timeout=KERNEL_TIMEOUT_MS)
        cells = page.locator(".jp-Notebook .jp-CodeCell")

        page.locator(".lm-MenuBar-itemLabel").get_by_text("Run", exact=True).click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        # done: every cell numbered, or a cell failed (Run All stops there)
        page.wait_for_function(
            f"""() => {{
                const cells = ({CODE_CELLS})();
                return cells.some((c) => c.errors.length)
                    || cells.every((c) => c.count !== null && !c.running);
            }}""", timeout=RUN_TIMEOUT_MS)
        ran = page.evaluate(CODE_CELLS)
        failed = [(i, c["errors"]) for i, c in enumerate(ran) if c["errors"]]
        assert not failed, f"cell {failed[0][0]} failed: {failed[0][1]}\n{code[failed[0][0]]}"

        for i in drawing:
            output = cells.nth(i).locator(".jp-OutputArea")
            try:
                output.locator(MARKS).first.wait_for(state="attached", timeout=DRAW_TIMEOUT_MS)
            except timeout_error:
                pytest.fail(f"cell {i} shows no chart:\n{code[i]}\nits output: "
                            f"{output.inner_text()[:500]!r}\n"
                            f"requests that left the machine: {page.offsite_requests}")
        assert page.locator(".jp-Notebook .widget-tab").count() == 1, "the page's tabs"
    finally:
        page.screenshot(path=artifacts / "jupyterlab.png")
    assert extensions >= WIDGET_EXTENSIONS, f"lab extensions loaded: {sorted(extensions)}"
    assert page.offsite_requests == []
