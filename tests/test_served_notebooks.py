"""The notebooks as `shopnb serve` runs them, on a data folder whose files are missing or
broken: every page says which file and what to do, none shows a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from shopnb.datasets import SAMPLE_FILES
from shopnb.store import ENV_DATA

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
FUNNEL_FILE = SAMPLE_FILES["funnel"][0]


@pytest.fixture(scope="module")
def broken_shop(tmp_path_factory) -> Path:
    """A data folder whose funnel export is a saved login page; nothing else is there."""
    folder = tmp_path_factory.mktemp("shop")
    (folder / FUNNEL_FILE).write_text("<html><body>请登录</body></html>", encoding="utf-8")
    return folder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_page_on_broken_data_says_what_to_do_without_a_traceback(path, broken_shop,
                                                                   monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv(ENV_DATA, str(broken_shop))
    monkeypatch.setenv("XDG_CACHE_HOME", str(broken_shop.parent / "cache"))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    state = json.dumps(nb.metadata["widgets"], ensure_ascii=False)
    assert "Traceback" not in state
    assert "然后刷新页面" in state  # what to do, in the page's language
    expected = FUNNEL_FILE if path.stem in ("index", "funnel") else "没有"
    assert expected in state
    assert os.listdir(broken_shop) == [FUNNEL_FILE]  # the data folder is only read
