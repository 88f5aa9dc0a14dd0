"""shopnb.report and `shopnb report`: a page as one HTML file (opened in a browser in
tests/browser/test_reports_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import ipywidgets as widgets
import nbformat
import pandas as pd
import pytest

from shopnb import charts, cli, report
from shopnb.errors import ShopDataError
from shopnb.labels import t
from shopnb.pages._jupyterchart import chart_widget
from shopnb.pages.funnel import CHARTS, TABS
from shopnb.store import notebooks_folder


def _notebook(cells: list[tuple[str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags} if tags else {})
                for src, tags in cells]
    return nb


# --- parameters --------------------------------------------------------------------------------

def test_parse_params_reads_literals_and_keeps_the_rest_as_text():
    assert report.parse_params(["n=3", "x=1.5", "lang=en", "none=None", "s='a b'",
                                "name=商品卡主图", "eq=a=b"]) == {
        "n": 3, "x": 1.5, "lang": "en", "none": None, "s": "a b", "name": "商品卡主图",
        "eq": "a=b"}


@pytest.mark.parametrize("bad", ["lang", "=en", "two words=1"])
def test_parse_params_refuses_what_is_not_key_value(bad):
    with pytest.raises(ShopDataError, match="key=value"):
        report.parse_params([bad])


def test_parameters_go_in_a_cell_after_the_parameters_cell():
    nb = _notebook([("import x", []), ("lang = None\nweeks = 4", ["parameters"]),
                    ("page(lang)", [])])
    report.inject_parameters(nb, {"lang": "en"})
    assert [c.source for c in nb.cells] == ["import x", "lang = None\nweeks = 4",
                                            "lang = 'en'", "page(lang)"]
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]


def test_an_unknown_parameter_is_an_error_not_ignored():
    nb = _notebook([("lang = None", ["parameters"]), ("page(lang)", [])])
    with pytest.raises(ShopDataError, match="no parameter langg; it has lang"):
        report.inject_parameters(nb, {"langg": "en"})
    with pytest.raises(ShopDataError, match="it has none"):
        report.inject_parameters(_notebook([("page()", [])]), {"lang": "en"})


# --- the page as static HTML -------------------------------------------------------------------

def test_static_page_keeps_text_choices_and_charts_and_drops_the_app_controls():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q")
    nav, lang = widgets.HTML('<a href="index.ipynb">概览</a>'), widgets.ToggleButtons(
        options=["zh", "en"])
    nav.add_class("shopnb-nav")
    lang.add_class("shopnb-control-lang")
    hidden = widgets.HTML("secret", layout=widgets.Layout(display="none"))
    page = widgets.VBox([
        widgets.HBox([nav, lang]),
        widgets.HTML('<h1>竞品</h1> <a href="funnel.ipynb?lang=zh">漏斗</a>'),
        widgets.HBox([widgets.Dropdown(description="周", options=[("W1", 1), ("W2", 2)], value=2),
                      widgets.Checkbox(description="CUPED", value=True),
                      widgets.SelectionRangeSlider(description="日期", options=["a", "b", "c"],
                                                   index=(0, 2)),
                      widgets.Button(description="清除")]),
        hidden, chart_widget(chart), chart_widget(None)])
    static = report.static_page(page)
    assert static.body.count('class="shopnb-report-row"') == 2
    for shown in ("<h1>竞品</h1>", "<div>漏斗</div>", "周: <b>W2</b>", "CUPED: <b>✓</b>",
                  "日期: <b>a – c</b>", 'id="shopnb-chart-0"'):
        assert shown in static.body
    for left_out in ("概览", "index.ipynb", "funnel.ipynb", "secret", "清除", "shopnb-chart-1"):
        assert left_out not in static.body
    assert static.charts == [chart.to_dict()]
    assert static.embed_options["renderer"] == "svg"


def test_static_page_shows_every_tab_under_its_title():
    def bars(title: str) -> alt.JupyterChart:
        return chart_widget(alt.Chart(pd.DataFrame({"x": [1]}), title=title).mark_bar()
                            .encode(x="x:Q"))

    tabs = widgets.Tab(children=[widgets.VBox([bars("first")]),
                                 widgets.VBox([widgets.HTML("nothing <b>yet</b>"), bars("second")]),
                                 widgets.VBox([widgets.HTML("hidden", layout=widgets.Layout(
                                     display="none"))])],
                       titles=("Funnel & KPIs", "Content", "Empty"), selected_index=0)
    static = report.static_page(tabs)
    assert [c["title"] for c in static.charts] == ["first", "second"]
    first, second, empty = static.body.split("<h2>")[1:]
    assert first.startswith("Funnel &amp; KPIs</h2>") and 'id="shopnb-chart-0"' in first
    assert second.startswith("Content</h2><div") and "nothing <b>yet</b>" in second
    assert 'id="shopnb-chart-1"' in second
    assert empty.startswith("Empty</h2>") and "hidden" not in empty


def test_the_document_inlines_its_javascript_and_escapes_the_specs():
    static = report.StaticPage(body='<div id="shopnb-chart-0"></div>',
                               charts=[{"title": "</script><script>alert(1)</script>"}],
                               title="店铺概览", lang="zh")
    doc = report.render_document(static, page="index", params={"lang": "zh"},
                                 vega_script="window.vegaEmbed = () => Promise.resolve();")
    assert doc.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in doc
    assert "<title>店铺概览</title>" in doc and "window.vegaEmbed" in doc
    assert "</script><script>alert" not in doc
    assert "src=" not in doc and "href=" not in doc  # nothing to fetch
    assert "shopnb report index · lang=&#x27;zh&#x27;" in doc


# --- running a page's notebook -----------------------------------------------------------------

def test_write_report_runs_the_page_with_its_parameters(tmp_path):
    out = report.write_report("index", tmp_path / "index.html", params={"lang": "en"})
    doc = out.read_text(encoding="utf-8")
    assert "Shop overview" in doc and "Open alerts" in doc
    specs = json.loads(doc.split("const shopnbSpecs = ")[1].split(";\n")[0])
    assert len(specs) == 1 and specs[0]["title"] == "Daily GMV"
    assert "sn.store.table" not in doc and "build_index" not in doc  # no code cells
    assert "vegaEmbed" in doc and len(doc) > 500_000  # the JavaScript is in the file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_a_failing_notebook_leaves_no_file_behind(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(_notebook([("n = 1", ["parameters"]), ("1 / (n - 1)", [])]),
                   folder / "broken.ipynb")
    out = tmp_path / "out"
    out.mkdir()
    (out / "broken.html").write_text("the report of yesterday")
    with pytest.raises(ShopDataError, match="ZeroDivisionError"):
        report.write_report("broken", out / "broken.html", notebooks=folder)
    assert [p.name for p in out.iterdir()] == ["broken.html"]
    assert (out / "broken.html").read_text() == "the report of yesterday"


def test_report_command_says_what_is_wrong(tmp_path, capsys):
    assert cli.main(["report", "nope", "--out", str(tmp_path / "x.html")]) == 1
    assert "no page 'nope'; the pages are" in capsys.readouterr().err
    assert cli.main(["report", "index", "--out", str(tmp_path / "no" / "x.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["report", "index", "--param", "langg=en",
                     "--out", str(tmp_path / "x.html")]) == 1
    assert "no parameter langg" in capsys.readouterr().err
    assert not list(Path(tmp_path).iterdir())


def _sections(static: report.StaticPage) -> dict[str, str]:
    """The report's tab sections by their heading."""
    return {part.split("</h2>")[0]: part for part in static.body.split("<h2>")[1:]}


def test_the_funnel_report_shows_every_tab_with_its_charts():
    static = report.run_notebook(notebooks_folder() / "funnel.ipynb", {"lang": "en"})
    tabs = _sections(static)
    assert list(tabs) == [t(f"fn_tab_{name}", "en").replace("&", "&amp;") for name in TABS]
    assert len(static.charts) == len(CHARTS) == 7
    assert [part.count('class="shopnb-report-chart"') for part in tabs.values()] == [
        len(TABS[name]) for name in TABS] == [3, 2, 2, 0]
    title = {param["name"]: param.get("value") for param in static.charts[5]["params"]}
    assert title[charts.TITLE_PARAM].startswith("User-path funnel")
    assert "Alerts (" in tabs["Alerts"]


def test_a_tab_with_nothing_to_draw_shows_its_note_in_the_report(tmp_path):
    setup = ("import pandas as pd\nfrom shopnb.pages.funnel import build_funnel\n"
             "funnel = pd.DataFrame({'date': pd.to_datetime(['2024-11-01', '2024-11-02']),\n"
             "    'product_id': ['1', '1'], 'product_name': ['面膜', '面膜'],\n"
             "    'impressions': [1000, 1200], 'clicks': [50, 40], 'buyers': [3, 2],\n"
             "    'gmv': [300.0, 200.0]})")
    nbformat.write(_notebook([("lang = 'en'", ["parameters"]), (setup, []),
                              ("build_funnel(funnel, lang=lang)", [])]), tmp_path / "bare.ipynb")
    tabs = _sections(report.run_notebook(tmp_path / "bare.ipynb", {}))
    assert t("fn_empty_events", "en") in tabs["User paths"]  # no event log
    assert t("fn_empty_decay", "en") in tabs["Channels &amp; content"]  # no videos


def test_a_language_the_pages_do_not_speak_is_refused():
    nb = _notebook([("lang = None", ["parameters"]), ("page()", [])])
    with pytest.raises(ShopDataError, match="lang must be one of zh, en; got 'fr'"):
        report.inject_parameters(nb, {"lang": "fr"})
    assert report.inject_parameters(nb, {"lang": "en"}).cells[1].source == "lang = 'en'"
