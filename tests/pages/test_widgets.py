"""Shared page pieces: the offline chart widget and the friendly message."""

from __future__ import annotations

import altair as alt
import pandas as pd

import shopnb as sn
from shopnb.charts.layout import _with_rows, layout_of
from shopnb.pages import _widgets
from shopnb.pages.competitors import build_competitors
from shopnb.pages.experiments import build_experiments
from shopnb.pages.funnel import build_funnel, shop_tables


def test_offline_bundle_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_widgets, "_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)

    _widgets.enable_offline_charts()  # builds the bundle with vl-convert, keeps a copy
    (cached,) = (tmp_path / "shopnb").glob("jupyterchart-altair-*-vlc-*.js")
    bundle = cached.read_text(encoding="utf-8")
    assert alt.JupyterChart._is_offline
    assert alt.JupyterChart._esm == bundle
    assert "cdn.jsdelivr" not in bundle  # no imports from a CDN left

    # a new kernel: reads the file instead of loading vl-convert
    monkeypatch.setattr(_widgets, "_offline", False)
    alt.JupyterChart._is_offline = False
    alt.JupyterChart._esm = "online"
    _widgets.enable_offline_charts()
    assert alt.JupyterChart._esm == bundle
    assert alt.JupyterChart._is_offline


def test_under_shopnb_serve_charts_import_the_served_bundle(tmp_path, monkeypatch):
    monkeypatch.setattr(_widgets, "_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    name = _widgets.static_bundle(tmp_path)
    assert name == _widgets.bundle_name()
    assert "export{__default as default}" in (tmp_path / name).read_text(encoding="utf-8")

    monkeypatch.setenv(_widgets.ENV_STATIC_BUNDLE, name)
    _widgets.enable_offline_charts()
    esm = alt.JupyterChart._esm
    assert f"static/{name}?v=1" in esm and "document.body.dataset.baseUrl" in esm
    assert len(esm) < 5000  # not the 0.9 MB bundle in every chart's state
    assert alt.JupyterChart._is_offline


def test_a_served_bundle_of_other_versions_is_not_used(monkeypatch):
    monkeypatch.setattr(_widgets, "_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    monkeypatch.setenv(_widgets.ENV_STATIC_BUNDLE, "jupyterchart-altair-0.0-vlc-0.0.js")
    _widgets.enable_offline_charts()
    assert len(alt.JupyterChart._esm) > 100_000  # the bundle itself


def test_chart_widget_renders_svg_offline():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
    widget = _widgets.chart_widget(chart)
    assert isinstance(widget, alt.JupyterChart)
    assert widget.chart is chart
    assert widget.embed_options["renderer"] == "svg"
    assert alt.JupyterChart._is_offline


def test_message_is_escaped_text_not_a_traceback():
    html = _widgets.message_html("<b>列 gmv</b> 缺失")
    assert "&lt;b&gt;列 gmv&lt;/b&gt; 缺失" in html
    assert 'class="shopnb-message"' in html


def _redraws(page, changes: list[tuple[str, object]]) -> dict[str, int]:
    """Make `changes` to `page`'s controls; assert that every chart redrawn sent what Altair
    makes of it (validated against the schema, as the widget does not); count the redraws."""
    redrawn: dict[str, int] = {}
    for key, value in changes:
        before = {name: widget.spec for name, widget in page.charts.items()}
        page.controls[key].value = value
        for name, widget in page.charts.items():
            if widget.chart is not None and widget.spec is not before.get(name):
                assert layout_of(widget.chart) is not None, name
                assert widget.spec == widget.chart.to_dict(validate=True), (key, name)
                redrawn[name] = redrawn.get(name, 0) + 1
    return redrawn


def test_a_redraw_on_a_cached_layout_sends_the_same_spec_as_altair():
    page = build_funnel(shop_tables(), lang="en")
    redrawn = _redraws(page, [("carrier", "live"), ("channel", "search"), ("compare", "week"),
                              ("kpi", "roi"), ("format", "drama"), ("compare", "none")])
    # the KPI redraws the trend only; without a comparison, no waterfall
    assert redrawn == {"funnel": 3, "trend": 3, "waterfall": 3}


def test_the_competitors_and_ab_pages_redraw_on_cached_layouts_too():
    page = build_competitors(sn.load_sample("competitors"), sn.load_sample("funnel"),
                             own_shop="山野集官方旗舰店", lang="en")
    category = page.controls["category"].options[1][1]
    redrawn = _redraws(page, [("category", category), ("measure", "sales"),
                              ("week", page.controls["week"].options[-3][1]), ("category", "")])
    assert set(redrawn) == {"share", "price_index", "content", "audience", "traffic"}
    page = build_experiments(sn.load_sample("experiments"), lang="zh")
    redrawn = _redraws(page, [("confidence", 0.99), ("method", "bayesian"),
                              ("experiment", page.controls["experiment"].options[-1])])
    assert set(redrawn) == {"forest", "cumulative", "daily", "planner", "posterior"}


def test_parameters_and_selections_are_set_up_by_altair_at_each_redraw():
    week = alt.param(name="week", value="2024-05-06")
    pick = alt.selection_point(name="pick", fields=["x"])
    layout = alt.Chart().mark_point().encode(x="x:Q").add_params(week, pick)
    widget = _widgets.ShopChart(None)
    for rows in ([1], [2]):
        widget.chart = _with_rows(layout, pd.DataFrame({"x": rows}))
        assert widget.spec == widget.chart.to_dict()
        assert widget.params.week == "2024-05-06"  # the layout's, as Altair sets it
        assert widget.selections.pick.value == []
        assert widget._vl_selections == {"pick": {"value": None, "store": []}}
        widget.params.week = "2024-05-13"  # moved by the page, until the next chart
