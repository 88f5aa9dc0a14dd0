"""The pages' chart widget and the Altair private parts it rests on
(`shopnb.pages._jupyterchart`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import altair as alt
import pandas as pd
from packaging.version import Version

import shopnb as sn
from shopnb import charts
from shopnb.charts.layout import _with_rows, layout_of
from shopnb.pages import _jupyterchart
from shopnb.pages.competitors import build_competitors
from shopnb.pages.experiments import build_experiments
from shopnb.pages.funnel import build_funnel
from shopnb.store import shop_tables

ROOT = Path(__file__).resolve().parents[2]
RECHECK = ("shopnb.pages._jupyterchart rests on Altair's private parts (see its docstring); "
           "re-check each of them against this Altair, run tests/browser/test_chart_module.py "
           "and the page browser tests, then move TESTED_ALTAIR and the altair cap in "
           "pyproject.toml and environment.yml together")


def test_offline_bundle_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_jupyterchart, "_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)

    _jupyterchart.enable_offline_charts()  # builds the bundle with vl-convert, keeps a copy
    (cached,) = (tmp_path / "shopnb").glob("jupyterchart-altair-*-vlc-*.js")
    bundle = cached.read_text(encoding="utf-8")
    assert alt.JupyterChart._is_offline
    assert alt.JupyterChart._esm == bundle
    assert "cdn.jsdelivr" not in bundle  # no imports from a CDN left

    # a new kernel: reads the file instead of loading vl-convert
    monkeypatch.setattr(_jupyterchart, "_offline", False)
    alt.JupyterChart._is_offline = False
    alt.JupyterChart._esm = "online"
    _jupyterchart.enable_offline_charts()
    assert alt.JupyterChart._esm == bundle
    assert alt.JupyterChart._is_offline


def test_under_shopnb_serve_charts_import_the_served_bundle(tmp_path, monkeypatch):
    monkeypatch.setattr(_jupyterchart, "_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    name = _jupyterchart.static_bundle(tmp_path)
    assert name == _jupyterchart.bundle_name()
    assert "export{__default as default}" in (tmp_path / name).read_text(encoding="utf-8")

    monkeypatch.setenv(_jupyterchart.ENV_STATIC_BUNDLE, name)
    _jupyterchart.enable_offline_charts()
    esm = alt.JupyterChart._esm
    assert f"static/{name}?v=1" in esm and "document.body.dataset.baseUrl" in esm
    assert len(esm) < 5000  # not the 0.9 MB bundle in every chart's state
    assert alt.JupyterChart._is_offline


def test_a_served_bundle_of_other_versions_is_not_used(monkeypatch):
    monkeypatch.setattr(_jupyterchart, "_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    monkeypatch.setenv(_jupyterchart.ENV_STATIC_BUNDLE, "jupyterchart-altair-0.0-vlc-0.0.js")
    _jupyterchart.enable_offline_charts()
    assert len(alt.JupyterChart._esm) > 100_000  # the bundle itself


def test_chart_widget_renders_svg_offline():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
    widget = _jupyterchart.chart_widget(chart)
    assert isinstance(widget, alt.JupyterChart)
    assert widget.chart is chart
    assert widget.embed_options["renderer"] == "svg"
    assert alt.JupyterChart._is_offline


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
    widget = _jupyterchart.ShopChart(None)
    for rows in ([1], [2]):
        widget.chart = _with_rows(layout, pd.DataFrame({"x": rows}))
        assert widget.spec == widget.chart.to_dict()
        assert widget.params.week == "2024-05-06"  # the layout's, as Altair sets it
        assert widget.selections.pick.value == []
        assert widget._vl_selections == {"pick": {"value": None, "store": []}}
        widget.params.week = "2024-05-13"  # moved by the page, until the next chart


def test_a_changed_chart_is_drawn_as_changed_and_leaves_the_layout_s_spec_alone():
    daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 2), "variant": ["A", "B"],
                          "value": [0.1, 0.2]})

    def build(metric: str) -> alt.TopLevelMixin:
        return charts.ab_daily(daily, variants=["A", "B"], metric=metric, percent=True,
                               lang="en")

    changed = build("ctr")
    changed.encoding.y.title = "Changed"  # before the layout's first chart is converted
    widget = _jupyterchart.ShopChart(changed)
    assert widget.spec["encoding"]["y"]["title"] == "Changed"
    widget.chart = build("cvr")
    assert widget.spec == widget.chart.to_dict()
    assert widget.spec["encoding"]["y"]["title"] is None
    changed = build("ctr")
    changed.mark.point = False  # after: the layout's converted spec is not drawn for it
    widget.chart = changed
    assert widget.spec == changed.to_dict() and widget.spec["mark"]["point"] is False
    widget.chart = build("cvr")
    assert widget.spec == widget.chart.to_dict() and widget.spec["mark"]["point"] is True


def test_altair_is_a_version_the_fence_was_tested_with():
    low, high = _jupyterchart.TESTED_ALTAIR
    assert Version(low) <= Version(alt.__version__) < Version(high), (
        f"Altair {alt.__version__} is outside the tested {low} <= altair < {high}: {RECHECK}")


def test_the_altair_cap_is_the_tested_range():
    low, high = _jupyterchart.TESTED_ALTAIR
    cap = f"altair>={low},<{high}"
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert cap in deps["project"]["dependencies"], RECHECK
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(rf"^\s*- {re.escape(cap)}\b", env, re.M), RECHECK


def test_the_private_names_the_fence_uses_are_still_there():
    handler = alt.JupyterChart.__dict__.get("_on_change_chart")
    assert handler is not None and "chart" in getattr(handler, "trait_names", ()), (
        f"JupyterChart._on_change_chart no longer observes 'chart': {RECHECK}")
    for name in ("_esm", "_is_offline"):
        assert hasattr(alt.JupyterChart, name), f"JupyterChart.{name} is gone: {RECHECK}"
    for trait in ("spec", "_params", "_vl_selections", "_py_to_js_updates"):
        assert alt.JupyterChart.class_traits().get(trait) is not None, (
            f"JupyterChart has no trait {trait!r}: {RECHECK}")


def test_altair_s_javascript_still_listens_where_the_stub_hooks_in():
    bundle = _jupyterchart._offline_bundle()
    missing = [name for name in _jupyterchart.ALTAIR_JS_NAMES if name not in bundle]
    assert not missing, f"Altair's chart module no longer names {missing}: {RECHECK}"
    assert "render" in bundle and "export{" in bundle.replace(" ", ""), RECHECK
    stub = _jupyterchart._import_stub("x.js")
    assert all(name in stub for name in _jupyterchart.ALTAIR_JS_NAMES)


def test_the_fence_is_the_only_module_that_touches_altair_s_private_parts():
    private = re.compile(r"\b(_on_change_chart|_esm|_is_offline|_importers|_py_to_js_updates"
                         r"|_vl_selections)\b")
    touching = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "shopnb").rglob("*.py")
                      if private.search(path.read_text(encoding="utf-8")))
    assert touching == ["shopnb/pages/_jupyterchart.py"]
