"""The A/B chart builders in shopnb.charts: what they draw from what `shopnb.experiments` gives."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import vl_convert as vlc

from shopnb import charts
from shopnb import experiments as ex
from shopnb.theme import COLORS


@pytest.fixture
def result() -> pd.DataFrame:
    df = pd.DataFrame({"variant": ["A", "B", "C"], "impressions": [10_000] * 3,
                       "clicks": [400, 410, 520], "buyers": [20, 21, 22]})
    res = ex.analyze(df, {"ctr": ("clicks", "impressions"), "click_to_buy": ("buyers", "clicks")})
    res["significance"] = ex.significance(res)
    return res


def test_forest_draws_each_lift_and_interval_in_metric_order(result):
    chart = charts.ab_forest(result, variants=result.attrs["variants"], level=0.95, lang="en")
    spec = chart.to_dict()
    assert spec["facet"]["row"]["sort"] == {"field": "metric_order", "op": "min"}
    assert dict(zip(chart.data["metric"], chart.data["metric_order"], strict=False)) == {
        "CTR": 0, "Click-to-buy rate": 1}
    layers = spec["spec"]["layer"]
    assert layers[1]["encoding"]["x"]["field"] == "lower"
    assert layers[1]["encoding"]["x2"]["field"] == "upper"
    assert layers[2]["encoding"]["shape"]["scale"]["domain"] == [
        "Significantly better", "Not significant", "Significantly worse"]
    drawn = chart.data.set_index(["metric", "variant"])
    assert drawn.loc[("CTR", "C"), "lift"] == pytest.approx(0.3)
    assert drawn.loc[("CTR", "C"), "significance"] == "Significantly better"
    assert drawn.loc[("CTR", "C"), "control"] == "4.00%"
    assert charts.rows_title(chart) == "Lift over A (95% intervals)"
    assert (drawn.loc[("CTR", "C"), "interval"], drawn.loc[("CTR", "C"), "level"]) == (
        f"[{drawn.loc[('CTR', 'C'), 'lower']:+.1%}, {drawn.loc[('CTR', 'C'), 'upper']:+.1%}]",
        "95%")
    tooltip = [(x["field"], x["title"]) for x in layers[1]["encoding"]["tooltip"]]
    assert ("interval", "Interval") in tooltip and ("level", "Confidence") in tooltip


def test_a_new_level_metric_or_experiment_draws_on_the_same_layouts(result):
    variants = result.attrs["variants"]
    daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 3), "variant": variants,
                          "value": [0.04, 0.041, 0.052]})

    def layouts(level: float, metric: str, control: str) -> tuple:
        forest = charts.ab_forest(result, variants=[control, *variants[1:]], level=level)
        chart = charts.ab_daily(daily, variants=variants, metric=metric, percent=True)
        return charts.layout_of(forest), charts.layout_of(chart), chart

    forest, day, chart = layouts(0.95, "ctr", "A")
    assert layouts(0.99, "click_to_buy", "B")[:2] == (forest, day)  # the same objects
    assert chart.data["metric"].unique().tolist() == ["点击率 (CTR)"]  # named in the tooltip
    assert chart.to_dict()["encoding"]["y"]["title"] is None  # and in the title, not the axis


def test_variants_keep_their_colour_across_charts(result):
    variants = result.attrs["variants"]
    forest = charts.ab_forest(result, variants=variants, level=0.9, lang="zh")
    colour = {v: COLORS["category"][i] for i, v in enumerate(variants)}  # control's first
    assert dict(zip(forest.data["variant"], forest.data["colour"], strict=False)) == {
        v: colour[v] for v in ("B", "C")}
    assert forest.to_dict()["spec"]["layer"][1]["encoding"]["color"] == {
        "field": "colour", "type": "nominal", "scale": None}
    daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 3), "variant": variants,
                          "value": [0.04, 0.041, 0.052]})
    chart = charts.ab_daily(daily, variants=variants, metric="ctr", percent=True, lang="zh")
    assert dict(zip(chart.data["variant"], chart.data["colour"], strict=True)) == colour
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == ".1%"
    assert charts.rows_title(chart) == "点击率 (CTR)：每日各版本"


def test_planner_curve_is_on_a_log_scale_with_the_chosen_lift_marked(result):
    curve = ex.plan_for(result, "ctr", [0.05, 0.1, 0.2])
    spec = charts.ab_sample_size(curve, mde=0.1, metric="ctr", lang="en").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert spec["layer"][1]["encoding"]["x"]["datum"] == 0.1


def test_builders_name_the_columns_they_miss():
    with pytest.raises(ValueError, match="ab_posterior needs the column\\(s\\) density"):
        charts.ab_posterior(pd.DataFrame({"variant": [], "rel_effect_size": []}),
                            variants=["a"], metric="ctr")
    assert charts.metric_label("ctr", "zh") == "点击率 (CTR)"
    assert charts.metric_label("gmv_per_fan", "en") == "gmv_per_fan"


def test_each_variant_is_drawn_in_its_colour_whatever_the_order_of_names():
    # colours come from the rows (control first); Vega pairs them with the names in order
    variants = ["control", "B", "A"]
    daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 3), "variant": variants,
                          "value": [0.04, 0.041, 0.052]})
    svg = vlc.vegalite_to_svg(charts.ab_daily(daily, variants=variants, metric="ctr",
                                              percent=True).to_dict())
    legend = re.findall(r'<g class="mark-symbol role-legend-symbol".*?(?:fill|stroke)="([^"]+)"'
                        r'.*?<g class="mark-text role-legend-label".*?<text[^>]*>([^<]+)</text>',
                        svg, re.S)
    assert {label: colour for colour, label in legend} == {
        v: COLORS["category"][i] for i, v in enumerate(variants)}


def test_the_cumulative_legend_shows_the_lines_colours_not_the_faint_bands():
    cum = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-05-02"]),
                        "variant": ["B", "B"], "rel_effect_size": [0.1, 0.05],
                        "rel_effect_size_ci_lower": [-0.1, -0.05],
                        "rel_effect_size_ci_upper": [0.3, 0.15]})
    chart = charts.ab_cumulative(cum, variants=["A", "B"], metric="ctr", lang="en")
    band, _, line = chart.to_dict()["layer"]
    assert band["mark"]["opacity"] == 0.15  # the legend is this first layer's
    assert band["encoding"]["color"]["legend"] == line["encoding"]["color"]["legend"] == {
        "orient": "top", "symbolOpacity": 1}
