"""Chart builders of the competitors page: the specs they produce on tiny hand-made frames,
and the creator benchmark on the real Douyin rankings (../shared/realdata)."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from shopnb import charts
from shopnb import competitors as comp
from shopnb.load import load_competitors
from shopnb.theme import COLORS

W = pd.to_datetime(["2026-06-15", "2026-06-22"])
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"


def rows(chart: alt.TopLevelMixin, layer: int = 0) -> pd.DataFrame:
    """The rows a layer draws (Altair lifts data shared by all layers to the top)."""
    own = chart.layer[layer].data
    return chart.data if own is alt.Undefined else own


@pytest.fixture
def shares() -> pd.DataFrame:
    df = pd.DataFrame({"date": W.repeat(2), "shop": ["own", "A"] * 2,
                       "gmv": [7.5, 22.5, 10.0, 30.0], "gmv_low": [5.0, 15.0, 10.0, 30.0],
                       "gmv_high": [10.0, 30.0, 10.0, 30.0]})
    return comp.share(df)


def test_share_chart_stacks_areas_over_range_bands_and_selects_a_shop(shares):
    chart = charts.share_chart(shares, shops=["own", "A"], selected="A", week=W[1], lang="en")
    spec = chart.to_dict()
    band, area, rule = spec["layer"]
    assert band["mark"]["type"] == "area" and area["mark"]["type"] == "area"
    assert area["encoding"]["y"]["stack"] == "zero"
    assert area["encoding"]["color"]["scale"] == {"range": {"field": "colour"}}
    assert band["encoding"]["y"]["field"] == "band_low"
    assert band["encoding"]["y2"]["field"] == "band_high"
    assert {"stack": "share", "groupby": ["date"], "sort": [{"field": "order"}],
            "as": ["base_low", "base_high"]} in band["transform"]
    params = {p["name"]: p for p in spec["params"]}
    assert params[charts.RIVAL_SELECTION]["select"] == {
        "type": "point", "fields": ["shop"], "on": "click", "clear": "dblclick"}
    assert params[charts.RIVAL_SELECTION]["bind"] == "legend"
    assert params[charts.RIVAL_SELECTION]["value"] == [{"shop": "A"}]
    assert params[charts.WEEK_PARAM]["value"] == "2026-06-22T00:00:00"
    assert rule["encoding"]["x"]["datum"] == {"expr": f"toDate({charts.WEEK_PARAM})"}
    data = rows(chart, 1)
    assert dict(zip(data["shop"], data["order"], strict=True)) == {"own": 0, "A": 1}
    assert dict(zip(data["shop"], data["colour"], strict=True)) == {
        "own": COLORS["category"][0], "A": COLORS["category"][1]}
    own = data[(data["shop"] == "own") & (data["date"] == W[0])]
    assert own[["share_low", "share_high"]].values.tolist()[0] == pytest.approx(
        [5 / 35, 10 / 25])
    assert spec["title"] == "Share of GMV (click a shop: the other charts show it against us)"


def test_share_chart_draws_only_the_shops_asked_and_needs_its_columns(shares):
    assert set(rows(charts.share_chart(shares, shops=["A"]))["shop"]) == {"A"}
    assert "value" not in charts.share_chart(shares).to_dict()["params"][0]
    with pytest.raises(ValueError, match="share_chart needs the column"):
        charts.share_chart(shares.drop(columns="share_low"))


def test_price_index_chart_marks_weeks_with_cuts():
    df = pd.DataFrame({"date": W, "category": "美妆", "own_price": 11.0,
                       "rival_median": [12.0, 10.0], "rivals": 2, "price_index": [91.7, 110.0],
                       "rival_cuts": [0, 1]})
    spec = charts.price_index_chart(df, week=W[0], lang="zh").to_dict()
    parity, lines, cuts, rule = spec["layer"]
    assert parity["encoding"]["y"] == {"datum": 100}
    assert lines["encoding"]["color"]["field"] == "category"
    assert cuts["transform"] == [{"filter": "datum.rival_cuts > 0"}]
    assert cuts["mark"]["shape"] == "triangle-down"
    assert spec["title"].startswith("价格指数")


def test_content_chart_pairs_videos_and_lives_per_shop():
    df = pd.DataFrame({"shop": ["A", "B"], "videos": [10.0, 4.0], "lives": [2.0, 5.0],
                       "videos_change": [1.0, -2.0], "lives_change": [0.0, 1.0],
                       "likes_per_video": [300.0, None], "gmv_per_post": [10.0, 20.0]})
    chart = charts.content_chart(df, shops=["B", "A"], week=W[0], lang="en")
    assert chart.data[["shop", "content", "posts", "change"]].values.tolist() == [
        ["A", "Videos", 10.0, 1.0], ["B", "Videos", 4.0, -2.0],
        ["A", "Live sessions", 2.0, 0.0], ["B", "Live sessions", 5.0, 1.0]]
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["sort"] == {"field": "order", "op": "min"}
    assert dict(zip(chart.data["shop"], chart.data["order"], strict=False)) == {"B": 0, "A": 1}
    assert charts.rows_title(chart) == "Content output, week of 2026-06-15"


def test_gap_chart_solid_when_flagged_with_limits():
    df = pd.DataFrame({"shop": ["A", "A"], "segment": ["31_40", "ads"], "own_share": [0.27, 0.1],
                       "rival_share": [0.52, 0.15], "gap": [25.0, 5.0], "flagged": [True, False]})
    chart = charts.gap_chart(df, shops=["own", "A"], min_gap=15, title="traffic_title",
                             lang="en")
    bars, limits, _zero = chart.layer
    assert rows(chart)["label"].tolist() == ["31–40", "Ads"]
    assert limits.data["gap"].tolist() == [-15, 15]
    spec = chart.to_dict()
    opacity = spec["layer"][0]["encoding"]["opacity"]
    assert opacity["condition"] == [{"test": "datum.flagged", "value": 1.0}]
    assert opacity["value"] == 0.35
    assert spec["layer"][0]["encoding"]["xOffset"]["sort"] == {"field": "order", "op": "min"}
    assert rows(chart)["colour"].tolist() == [COLORS["category"][1]] * 2  # A's, after own's
    assert spec["title"] == "Traffic-source gap: rival − own (points; dashed at ±15)"


def test_each_shop_is_drawn_in_its_colour_whatever_the_order_of_names():
    # the colour scale reads its range from the rows; Vega pairs the colours with the shops
    # (sorted by name), so a shop must keep the colour of its place in every chart
    shops = ["zeta", "alpha", "mid", *(f"s{i:02d}" for i in range(10))]  # 13: past the palette
    df = pd.DataFrame({"date": W[0], "shop": shops, "gmv": range(1, len(shops) + 1)})
    for chart in (charts.share_chart(comp.share(df), shops=shops),
                  charts.gap_chart(pd.DataFrame({"shop": shops[1:], "segment": "ads",
                                                 "own_share": 0.1, "rival_share": 0.2,
                                                 "gap": 10.0, "flagged": True}), shops=shops)):
        svg = vlc.vegalite_to_svg(chart.to_dict())
        legend = re.findall(r'<g class="mark-symbol role-legend-symbol".*?fill="([^"]+)".*?'
                            r'<g class="mark-text role-legend-label".*?<text[^>]*>([^<]+)</text>',
                            svg, re.S)
        drawn = dict((label, colour) for colour, label in legend)
        assert len(drawn) == len(set(rows(chart)["shop"]))
        for shop, place in zip(shops, range(len(shops)), strict=True):
            if shop in drawn:
                assert drawn[shop] == charts.layout._colour_at(place), shop  # as we wrote it


def test_lifecycle_chart_colours_stages_in_order():
    df = pd.DataFrame({"product_name": ["a", "b"], "gmv": [1.0, 2.0], "gmv_trend": [0.5, -0.4],
                       "growth": [0.3, -0.5], "conversion": [0.04, 0.02],
                       "traffic_cost": [0.1, 0.2], "stage": ["growth", "decline"]})
    spec = charts.lifecycle_chart(df, weeks=4, lang="zh").to_dict()
    dots = spec["layer"][1]
    assert dots["encoding"]["color"]["scale"]["domain"] == ["导入期", "成长期", "成熟期", "衰退期"]
    assert dots["encoding"]["x"]["field"] == "growth"
    assert dots["encoding"]["y"]["field"] == "conversion"
    assert spec["title"] == "本店商品生命周期：相对增长 × 转化率（近4周对比前4周）"


def test_creator_chart_keeps_the_top_creators_with_likes():
    bench = comp.creator_benchmark(pd.DataFrame({
        "shop": ["A", "B", "C", "D"], "fans": [900, 500, 300, 100],
        "likes": [2e4, 0, 3e4, 5e3], "videos": [10, 20, 0, 5]}))
    chart = charts.creator_chart(bench, n=3, lang="en")
    assert chart.data["shop"].tolist() == ["A"]  # B has no likes, C no videos, D not top 3
    assert chart.to_dict()["title"] == "Creator benchmark: fans × likes per video (top 1)"


@pytest.mark.realdata
@pytest.mark.parametrize("relative", ["douyin_kol_2019_top500/douyin.csv",
                                      "douyin_kol_2019_top500/抖音网红排行榜 TooBigData.com-TOP500.xlsx",
                                      "douyin_kol_5000/douyin.csv"])
def test_creator_chart_on_real_rankings(relative):
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"real public data not found at {path} (only present next to the repo as "
                    "../shared/realdata)")
    bench = comp.creator_benchmark(load_competitors(path))
    chart = charts.creator_chart(bench, n=300)
    assert 290 <= len(chart.data) <= 300  # a few of the top 300 have no videos or likes
    assert (chart.data["likes_per_video"] > 0).all()
    assert isinstance(chart, alt.Chart) and chart.to_dict()["mark"]["type"] == "circle"
