"""The competitors page, built and driven without a browser."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import altair as alt
import ipywidgets as widgets
import pandas as pd
import pytest

import shopnb as sn
from shopnb import competitors as comp
from shopnb.charts import RIVAL_SELECTION
from shopnb.pages.competitors import (
    MEASURES,
    CompetitorsPage,
    CreatorBenchmarkPage,
    _or_none,
    build_competitors,
)
from shopnb.store import check_competitors
from shopnb.theme import COLORS

W = pd.to_datetime(["2026-06-15", "2026-06-22", "2026-06-29"])
OWN = "本店"
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"


@pytest.fixture
def rivals() -> pd.DataFrame:
    """Three weeks of the own shop and rivals A (older audience, cuts a1 in week 2),
    B and C. GMV a week: A 300, B 200, own 150 (two products), C 50."""
    shops = {  # shop: (videos, lives, 31-40 share, female share, ads share)
        OWN: (5, 2, 0.27, 0.70, 0.10), "A": (9, 1, 0.52, 0.60, 0.32),
        "B": (3, 4, 0.30, 0.72, 0.12), "C": (1, 0, 0.25, 0.69, 0.08)}
    products = [(OWN, "o1", "美妆", [100.0] * 3, 100.0), (OWN, "o2", "个护", [50.0] * 3, 50.0),
                ("A", "a1", "美妆", [110.0, 110.0, 95.0], 300.0),
                ("B", "b1", "个护", [48.0] * 3, 200.0), ("C", "c1", "美妆", [120.0] * 3, 50.0)]
    rows = []
    for shop, product, category, prices, gmv in products:
        videos, lives, age, female, ads = shops[shop]
        for w, price in enumerate(prices):
            rows.append({"date": W[w], "shop": shop, "product": product, "category": category,
                         "price": price, "sales": round(gmv / price), "gmv": gmv,
                         "videos": videos + w, "lives": lives, "age_31_40_share": age,
                         "female_share": female, "male_share": round(1 - female, 2),
                         "traffic_ads_share": ads, "traffic_feed_share": 0.5})
    return pd.DataFrame(rows)


def data(jchart: alt.JupyterChart) -> pd.DataFrame:
    """The rows a chart widget draws now."""
    return jchart.chart.data


def click(page: CompetitorsPage, shop: str | None) -> None:
    """What the browser sends when a shop's area is clicked in the share chart (None: cleared)."""
    value = {"vlPoint": {"or": [{"shop": shop}]}} if shop else None
    page.charts["share"]._vl_selections = {RIVAL_SELECTION: {"value": value, "store": []}}


# --- structure -----------------------------------------------------------------------------------

def test_page_has_the_controls_and_offline_charts(rivals):
    page = build_competitors(rivals, own_shop=OWN, lang="en")
    assert isinstance(page, widgets.VBox)
    assert set(page.controls) == {"week", "category", "rivals", "measure", "own_shop", "lang"}
    assert set(page.charts) == {"share", "price_index", "content", "audience", "traffic",
                                "lifecycle"}
    assert alt.JupyterChart._is_offline
    for name in ("share", "price_index", "content", "audience", "traffic"):
        assert page.charts[name].chart is not None, name
        assert page.charts[name].embed_options["renderer"] == "svg"
    assert page.controls["week"].value == W[2]  # the latest week
    assert page.rivals == ["A", "B", "C"]
    assert page.message.layout.display == "none"


def test_share_chart_stacks_own_and_rivals_with_ranges(rivals):
    page = build_competitors(rivals, own_shop=OWN)
    share = data(page.charts["share"])
    week = share[share["date"] == W[2]].set_index("shop")
    assert week.loc[["A", "B", OWN, "C"], "share"].tolist() == pytest.approx(
        [300 / 700, 200 / 700, 150 / 700, 50 / 700])
    assert {"share_low", "share_high", "gmv_low", "gmv_high"} <= set(share.columns)
    spec = page.charts["share"].chart.to_dict()
    assert spec["params"][0]["name"] == RIVAL_SELECTION
    colours = dict(zip(share["shop"], share["colour"], strict=False))  # own first, by size
    assert colours == {s: COLORS["category"][i] for i, s in enumerate([OWN, "A", "B", "C"])}


def test_rivals_slider_and_measure(rivals):
    page = build_competitors(rivals, own_shop=OWN)
    page.controls["rivals"].value = 1
    assert page.rivals == ["A"]
    assert set(data(page.charts["share"])["shop"]) == {OWN, "A"}
    assert set(data(page.charts["audience"])["shop"]) == {"A"}
    page.controls["measure"].value = "sales"
    assert "sales" in data(page.charts["share"]).columns
    assert page.rivals == ["B"]  # B sells 4 units a week at 48, A 3 at 110 (then 95)


def test_week_moves_the_rule_without_redrawing_the_weekly_lines(rivals):
    page = build_competitors(rivals, own_shop=OWN)
    share, index = page.charts["share"].chart, page.charts["price_index"].chart
    page.controls["week"].value = W[0]
    assert page.charts["share"].chart is share and page.charts["price_index"].chart is index
    assert page.charts["share"].params.week == "2026-06-15T00:00:00"
    assert page.charts["price_index"].params.week == "2026-06-15T00:00:00"
    content = data(page.charts["content"]).set_index(["shop", "content"])
    assert content.loc[("A", "短视频数"), "posts"] == 9  # week 0: 9 videos, then 10, 11


def test_category_narrows_the_rivals(rivals):
    page = build_competitors(rivals, own_shop=OWN, lang="en")
    page.controls["category"].value = "个护"
    assert page.rivals == ["B"]
    index = data(page.charts["price_index"])
    assert index["category"].unique().tolist() == ["个护"]
    assert index["price_index"].tolist() == pytest.approx([50 / 48 * 100] * 3)


def test_price_index_and_alerts_show_the_rival_cut(rivals):
    page = build_competitors(rivals, own_shop=OWN, lang="en")
    index = data(page.charts["price_index"]).set_index(["date", "category"])
    assert index.loc[(W[2], "美妆"), "rival_cuts"] == 1
    assert index.loc[(W[2], "美妆"), "rival_median"] == pytest.approx(107.5)  # 95 and 120
    assert "Price cut · Below our price" in page.alerts.value  # one row for both alerts
    assert page.alerts.value.count("<tr>") == 2  # the header and a1
    assert "a1" in page.alerts.value and "-13.6%" in page.alerts.value
    assert page.notes["alerts"].layout.display == "none"
    page.controls["week"].value = W[1]
    assert "<table" not in page.alerts.value
    assert "No rival cut a price this week" in page.notes["alerts"].value


def test_audience_and_traffic_gaps_flag_the_older_rival(rivals):
    page = build_competitors(rivals, own_shop=OWN)
    gaps = data(page.charts["audience"]).set_index(["shop", "segment"])
    assert gaps.loc[("A", "31_40"), "gap"] == pytest.approx(25.0)
    assert gaps.loc[("A", "31_40"), "flagged"]
    assert not gaps.loc[("B", "31_40"), "flagged"]
    traffic = data(page.charts["traffic"]).set_index(["shop", "segment"])
    assert traffic.loc[("A", "ads"), "gap"] == pytest.approx(22.0)


def test_own_shop_control_changes_the_point_of_view(rivals):
    page = build_competitors(rivals, own_shop=OWN)
    page.controls["own_shop"].value = "A"
    assert "A" not in page.rivals and OWN in page.rivals
    gaps = data(page.charts["audience"]).set_index(["shop", "segment"])
    assert gaps.loc[(OWN, "31_40"), "gap"] == pytest.approx(-25.0)
    assert "A" in page.title.value


# --- the rival picked in the share chart ---------------------------------------------------------

def test_click_on_a_rival_filters_the_other_charts(rivals):
    page = build_competitors(rivals, own_shop=OWN, lang="en")
    share = page.charts["share"].chart
    click(page, "B")
    assert page.selected == "B"
    assert page.charts["share"].chart is share  # the clicked chart is not redrawn
    assert set(data(page.charts["audience"])["shop"]) == {"B"}
    assert set(data(page.charts["traffic"])["shop"]) == {"B"}
    assert set(data(page.charts["content"])["shop"]) == {OWN, "B"}
    assert data(page.charts["price_index"])["category"].unique().tolist() == ["个护"]
    assert "a1" not in page.alerts.value  # A's cut is not B's
    assert "Selected rival" in page.status.value or "B against us" in page.status.value
    assert page.clear.layout.display is None
    click(page, None)
    assert page.selected is None
    assert set(data(page.charts["audience"])["shop"]) == {"A", "B", "C"}


def test_selection_still_works_after_the_share_chart_is_redrawn(rivals):
    """Assigning jc.chart replaces jc.selections (STACK_NOTES): the page observes again."""
    page = build_competitors(rivals, own_shop=OWN)
    click(page, "A")
    page.controls["measure"].value = "sales"  # redraws the share chart, keeping A selected
    assert page.selected == "A"
    assert page.charts["share"].chart.to_dict()["params"][0]["value"] == [{"shop": "A"}]
    click(page, "C")
    assert page.selected == "C"
    assert set(data(page.charts["audience"])["shop"]) == {"C"}
    page.controls["lang"].value = "en"
    click(page, "B")
    assert page.selected == "B"


def test_clicking_the_own_shop_or_clearing_shows_all_rivals(rivals):
    page = build_competitors(rivals, own_shop=OWN)
    click(page, OWN)
    assert page.selected is None
    click(page, "A")
    page.clear.click()
    assert page.selected is None
    assert "value" not in page.charts["share"].chart.to_dict()["params"][0]
    assert page.status.layout.display == "none"
    page.controls["rivals"].value = 3
    click(page, "C")
    page.controls["rivals"].value = 2  # C drops out of the rivals shown
    assert page.selected is None


# --- language ------------------------------------------------------------------------------------

def test_language_toggle_relabels_page_controls_and_charts(rivals):
    page = build_competitors(rivals, own_shop=OWN, lang="zh")
    assert "竞品监控" in page.title.value
    assert page.controls["week"].description == "周"
    assert page.charts["audience"].chart.title.startswith("受众差异")
    page.controls["lang"].value = "en"
    assert "Competitor watch" in page.title.value
    assert "against its top 3 rivals" in page.title.value
    assert page.controls["measure"].options[0] == ("GMV", "gmv")
    assert page.controls["category"].options[0] == ("All categories", "")
    assert page.charts["audience"].chart.title.startswith("Audience gap")
    assert page.charts["share"].chart.title == \
        "Share of GMV (click a shop: the other charts show it against us)"
    assert "Price alerts" in page.alerts.value


# --- bad, partial and real data ------------------------------------------------------------------

@pytest.mark.parametrize(("data_in", "zh", "en"), [
    ([1, 2], "需要一张表格", "expected a table (DataFrame), got list"),
    (pd.DataFrame({"date": W, "店": "A"}), "数据缺少以下列", "lacks the column(s): shop"),
    (pd.DataFrame({"date": W, "shop": "A"}), "数据缺少以下列", "gmv, sales"),
    (pd.DataFrame({"date": W, "shop": "A", "gmv": ["1万", "2", "3"]}), "应为数字",
     "should hold numbers"),
    (pd.DataFrame({"date": W, "shop": "A", "gmv": 1.0, "age_31_40_share": "30%"}), "应为数字",
     "should hold numbers but do not: age_31_40_share"),
    (pd.DataFrame({"date": ["x"] * 3, "shop": "A", "gmv": 1.0}), "应为日期", "hold dates"),
    (pd.DataFrame({"date": pd.to_datetime([]), "shop": [], "gmv": []}), "没有可显示的数据",
     "Nothing to show"),
])
def test_bad_data_gives_a_friendly_message_in_both_languages(data_in, zh, en):
    page = build_competitors(data_in, lang="zh")
    assert page.charts == {}
    assert page.message.layout.display is None and zh in page.message.value
    page.controls["lang"].value = "en"
    assert en in page.message.value
    assert "Traceback" not in page.message.value


def test_check_competitors_accepts_a_good_table(rivals):
    assert check_competitors(rivals, MEASURES) == ("", {})


def test_missing_parts_hide_their_chart_behind_a_note(rivals, funnel):
    page = build_competitors(rivals.drop(columns=["age_31_40_share", "female_share",
                                                  "male_share", "price"]),
                             own_shop=OWN, lang="en")
    for name in ("audience", "price_index", "lifecycle"):
        assert page.charts[name].layout.display == "none", name
        assert page.notes[name].layout.display is None, name
    assert "age and gender shares" in page.notes["audience"].value
    assert "No usable funnel data" in page.notes["lifecycle"].value
    assert page.charts["traffic"].chart is not None


def test_own_shop_not_in_the_data_falls_back_to_the_first_shop(rivals):
    page = build_competitors(rivals, own_shop="别家", lang="en")
    assert page.own == OWN
    assert "no shop 别家" in page.message.value
    page.controls["own_shop"].value = "B"
    assert page.message.layout.display == "none"


def test_daily_rows_become_weeks(rivals):
    daily = pd.concat([rivals, rivals.assign(date=rivals["date"] + pd.Timedelta(days=2))])
    page = build_competitors(daily, own_shop=OWN)
    assert page.controls["week"].options[-1] == ("2026-06-29", W[2])
    share = data(page.charts["share"])
    assert share.loc[(share["date"] == W[2]) & (share["shop"] == "A"), "gmv"].item() == 600.0


def test_lifecycle_from_the_funnel(rivals, funnel):
    page = build_competitors(rivals, funnel, own_shop=OWN, lang="en")
    stages = page.charts["lifecycle"].chart.layer[1].data
    assert set(stages["product_id"]) == {"p1", "p2"}
    assert set(stages["label"]) == {"Introduction"}  # three days of history


def test_sample_shop_page(rivals):
    competitors, funnel = sn.load_sample("competitors"), sn.load_sample("funnel")
    page = build_competitors(competitors, funnel, own_shop="山野集官方旗舰店", lang="en")
    assert len(page.rivals) == 5
    assert all(page.charts[name].chart is not None for name in page.charts)
    older = data(page.charts["audience"])
    older = older[older["flagged"] & (older["gap"] > 0) & older["segment"].isin(
        ["31_40", "41_50", "50_plus"])]
    assert older["shop"].nunique() == 1
    click(page, older["shop"].iloc[0])
    assert set(data(page.charts["audience"])["shop"]) == {older["shop"].iloc[0]}
    assert set(page.charts["lifecycle"].chart.layer[1].data["stage"]) == {
        "introduction", "growth", "maturity", "decline"}


# --- creator rankings --------------------------------------------------------------------------

@pytest.fixture
def ranking() -> pd.DataFrame:
    return pd.DataFrame({"shop": ["甲", "乙", "丙", "丁"], "category": ["美食", "美食", "音乐", "音乐"],
                         "fans": [900, 500, 300, 100], "likes": [2e4, 3e4, 0, 5e3],
                         "videos": [10, 20, 4, 0]})


def test_a_creator_ranking_shows_a_creator_benchmark(ranking):
    page = build_competitors(ranking, lang="en")
    assert isinstance(page, CreatorBenchmarkPage)
    assert "Creator benchmark" in page.title.value and "4 creators" in page.title.value
    assert page.charts["creators"].chart.data["shop"].tolist() == ["甲", "乙"]  # likes > 0
    assert page.benchmark["likes_per_video"].tolist()[:2] == [2000.0, 1500.0]
    assert page.table.value.count("<tr>") == 5 and "2,000" in page.table.value
    page.controls["category"].value = "音乐"
    assert page.benchmark["shop"].tolist() == ["丙", "丁"]
    page.controls["lang"].value = "zh"
    assert "达人对标" in page.title.value
    assert page.controls["category"].options[0] == ("全部类目", "")
    assert page.controls["category"].value == "音乐"


@pytest.mark.realdata
def test_the_douyin_top500_ranking_as_a_page():
    path = REALDATA / "douyin_kol_2019_top500" / "抖音网红排行榜 TooBigData.com-TOP500.xlsx"
    if not path.is_file():
        pytest.skip(f"real public data not found at {path} (only present next to the repo as "
                    "../shared/realdata)")
    page = build_competitors(sn.load_competitors(path))
    assert isinstance(page, CreatorBenchmarkPage)
    assert "500 位达人, 2019-01-28" in page.title.value
    assert len(page.charts["creators"].chart.data) >= 290
    assert page.table.value.count("<tr>") == 21


# --- kept tables ---------------------------------------------------------------------------------

def test_tables_of_the_categorys_shops_narrowed_are_those_of_the_shops_shown():
    # the page computes a table once for all the category's shops (and keeps it), then
    # narrows it to the shops shown: that must be the table of those shops alone
    table = comp.weekly(sn.load_sample("competitors"))
    own, week = "山野集官方旗舰店", table["date"].max() - pd.Timedelta(weeks=2)
    computes = {"alerts": lambda d: comp.price_alerts(d, own_shop=own),
                "audience": lambda d: comp.audience_gap(d, own, week=week),
                "traffic": lambda d: comp.traffic_mix_gap(d, own, week=week),
                "content": comp.content}
    for category in (None, *table["category"].dropna().unique()):
        scope = table if category is None else table[table["category"] == category]
        shops = scope["shop"].unique().tolist()
        for focus in ([own, *shops[1:3]], [own, shops[-1]], shops):
            shown = scope[scope["shop"].isin(focus)]
            for name, compute in computes.items():
                whole = _or_none(partial(compute, scope))
                narrowed = None if whole is None else comp.of_shops(whole, focus)
                alone = _or_none(partial(compute, shown))  # None: a category without us
                if alone is None:
                    assert narrowed is None, name
                    continue
                pd.testing.assert_frame_equal(narrowed, alone.reset_index(drop=True),
                                              obj=f"{name} {category} {focus}")


def test_going_back_to_a_choice_draws_what_a_new_page_draws():
    competitors = sn.load_sample("competitors")
    page = build_competitors(competitors)
    categories = [v for _, v in page.controls["category"].options][:3]
    shops = list(page.controls["own_shop"].options)[:2]
    for category, shop, measure in [(c, s, m) for m in ("sales", "gmv") for s in shops
                                    for c in categories]:
        for key, value in (("own_shop", shop), ("category", category), ("measure", measure)):
            page.controls[key].value = value
        fresh = build_competitors(competitors, own_shop=shop)
        fresh._kept = lambda _key, compute: compute()  # a page that keeps nothing
        for key, value in (("category", category), ("measure", measure)):
            fresh.controls[key].value = value
        assert page.rivals == fresh.rivals
        for name, widget in page.charts.items():
            assert widget.spec == fresh.charts[name].spec, (name, category, shop, measure)
        assert page.alerts.value == fresh.alerts.value
