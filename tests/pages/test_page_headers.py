"""What every page shares: the header with the navigation and the language switch, and a
friendly message when its data file cannot be read."""

from __future__ import annotations

import pytest

from shopnb.errors import LoadProblem
from shopnb.pages.competitors import build_competitors
from shopnb.pages.experiments import build_experiments
from shopnb.pages.funnel import build_funnel
from shopnb.pages.header import PageHeader
from shopnb.pages.index import build_index

BUILDERS = {"index": build_index, "funnel": build_funnel, "competitors": build_competitors,
            "experiments": build_experiments}


def _header(page) -> PageHeader:
    (header,) = [w for w in page.children if isinstance(w, PageHeader)]
    return header


@pytest.mark.parametrize("name", list(BUILDERS))
def test_a_page_without_its_file_says_which_file_and_what_to_do(name):
    problem = LoadProblem(name, "missing", "导出.csv", "no such file", "/srv/shop")
    page = BUILDERS[name](problem, lang="en")
    text = page.message.value
    assert "the data folder /srv/shop has no 导出.csv" in text and "reload the page" in text
    assert page.message.layout.display != "none"
    page.controls["lang"].value = "zh"
    assert "数据文件夹 /srv/shop 里没有 导出.csv" in page.message.value


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_page_has_the_shared_header_with_its_own_language_toggle(name):
    problem = LoadProblem(name, "missing", "导出.csv", "no such file", "/srv/shop")
    page = BUILDERS[name](problem, lang="en")
    header = _header(page)
    assert header.page == name and header.lang is page.controls["lang"]
    assert f'{name}.ipynb?lang=en" ' in header.nav.value and "aria-current=page" in header.nav.value
    page.controls["lang"].value = "zh"
    assert f'{name}.ipynb?lang=zh" ' in header.nav.value
