"""Competitor metrics: exact numbers on hand-made frames, the sample shop's planted facts,
and the real Douyin creator rankings and Datafiniti merchant prices (../shared/realdata)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopnb import competitors as comp
from shopnb.datasets import make_shop_data
from shopnb.errors import ShopDataError
from shopnb.load import load_competitors

W = pd.to_datetime(["2026-06-15", "2026-06-22", "2026-06-29", "2026-07-06"])  # Mondays
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
KOL_TOP500_CSV = "douyin_kol_2019_top500/douyin.csv"
KOL_TOP500_XLSX = "douyin_kol_2019_top500/抖音网红排行榜 TooBigData.com-TOP500.xlsx"
KOL_5000 = "douyin_kol_5000/douyin.csv"
DATAFINITI = "datafiniti_electronics_prices_by_merchant/ElectronicsProductsPricingData.csv"


def rows(*records: tuple, columns: str) -> pd.DataFrame:
    """A competitors frame from tuples; `columns` is space-separated, `w` holds week numbers."""
    df = pd.DataFrame(records, columns=columns.split())
    return df.assign(date=W[df.pop("w")]) if "w" in df else df


# --- errors --------------------------------------------------------------------------------------

def test_not_a_table_and_missing_columns_raise_shop_data_error():
    with pytest.raises(ShopDataError, match="needs a table .* got list"):
        comp.top([1, 2])
    with pytest.raises(ShopDataError, match=r"competitors.top needs the column\(s\) gmv; "
                                            r"columns found: date, shop") as caught:
        comp.top(pd.DataFrame({"date": W[:1], "shop": ["A"]}))
    assert caught.value.column == "gmv"


def test_arguments_are_checked():
    df = rows((0, "A", "p", 1.0), columns="w shop product gmv")
    with pytest.raises(ShopDataError, match="n must be a whole number"):
        comp.top(df, n=0)
    with pytest.raises(ShopDataError, match="min_drop must be between 0 and 1"):
        comp.price_alerts(df.assign(price=1.0, category="c"), min_drop=5)
    with pytest.raises(ShopDataError, match="by must be 'category' or 'product'"):
        comp.price_index(df.assign(price=1.0), "A", by="brand")
    with pytest.raises(ShopDataError, match=r"own shop 'X' is not in the table; shops found: A"):
        comp.price_index(df.assign(price=1.0, category="c"), "X")
    with pytest.raises(ShopDataError, match="no data on or before 2026-06-01; the data starts "
                                            "2026-06-15"):
        comp.top(df, week="2026-06-01")
    with pytest.raises(ShopDataError, match="no rows with a date"):
        comp.top(df.iloc[:0])


def test_column_names_are_keyword_arguments_and_come_back_as_given():
    df = rows((0, "A", 2.0), (0, "B", 1.0), columns="w merchant revenue").rename(
        columns={"date": "week"})
    out = comp.top(df, by="revenue", date="week", shop="merchant")
    assert out.columns[:3].tolist() == ["week", "merchant", "revenue"]
    assert out["merchant"].tolist() == ["A", "B"]


# --- weekly --------------------------------------------------------------------------------------

def test_weekly_sums_flows_keeps_last_stock_and_averages_shares():
    days = pd.DataFrame({
        "date": pd.to_datetime(["2026-06-15", "2026-06-16", "2026-06-21", "2026-06-22"]),
        "shop": "A", "product": "p", "category": "美妆",
        "price": [10.0, 9.0, 9.5, 9.5], "sales": pd.array([3, 4, None, 5], dtype="Int64"),
        "sales_low": pd.array([2, 3, None, 4], dtype="Int64"),
        "fans": [100, 110, 120, 130], "videos": [1, 0, 2, 1],
        "age_18_23_share": [0.2, 0.3, 0.4, 0.5]})
    out = comp.weekly(days)
    assert out["date"].tolist() == [W[0], W[1]]
    assert out["price"].tolist() == [9.5, 9.5]  # the shelf price at the end of the week
    assert out["sales"].tolist() == [7, 5]
    assert out["sales_low"].tolist() == [5, 4]
    assert out["fans"].tolist() == [120, 130]
    assert out["videos"].tolist() == [3, 1]
    assert out["age_18_23_share"].tolist() == pytest.approx([0.3, 0.5])
    assert out.columns.tolist() == days.columns.tolist()


def test_weekly_keeps_weeks_without_values_missing_and_passes_weekly_data_through():
    df = rows((0, "A", "p", 3.0), (1, "A", "p", None), columns="w shop product gmv")
    out = comp.weekly(df)
    assert out["gmv"].iloc[0] == 3.0 and np.isnan(out["gmv"].iloc[1])
    sunday = df.assign(date=df["date"] + pd.Timedelta(days=6))
    pd.testing.assert_frame_equal(comp.weekly(sunday), out)


# --- top -----------------------------------------------------------------------------------------

@pytest.fixture
def market() -> pd.DataFrame:
    """Week 0: A 100 (two products), B 80, own 50, C 30. Week 1: D 100 (new), B 90, A 70, own 50."""
    return rows(
        (0, "own", "o1", "美妆", 50.0, 900), (0, "A", "a1", "美妆", 60.0, 1000),
        (0, "A", "a2", "个护", 40.0, 1000), (0, "B", "b1", "美妆", 80.0, 1500),
        (0, "C", "c1", "个护", 30.0, 200),
        (1, "own", "o1", "美妆", 50.0, 950), (1, "A", "a1", "美妆", 45.0, 1100),
        (1, "A", "a2", "个护", 25.0, 1100), (1, "B", "b1", "美妆", 90.0, 1600),
        (1, "D", "d1", "个护", 100.0, 50),
        columns="w shop product category gmv fans")


def test_top_ranks_all_shops_and_reports_rank_change(market):
    out = comp.top(market, n=3, own_shop="own")
    assert out["date"].unique().tolist() == [W[1]]
    assert out["shop"].tolist() == ["D", "B", "A"]
    assert out["gmv"].tolist() == [100.0, 90.0, 70.0]
    assert out["share"].tolist() == pytest.approx([100 / 310, 90 / 310, 70 / 310])
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["prev_rank"].tolist() == [pd.NA, 2, 1]  # D is new
    assert out["rank_change"].tolist() == [pd.NA, 0, -2]


def test_top_the_own_shop_keeps_its_place_in_the_ranking(market):
    assert comp.top(market, n=5)["shop"].tolist() == ["D", "B", "A", "own"]
    week0 = comp.top(market, n=5, own_shop="own", week="2026-06-17")  # a Wednesday: week 0
    assert week0["shop"].tolist() == ["A", "B", "C"]
    assert week0["rank"].tolist() == [1, 2, 4]
    assert week0["rank_change"].isna().all()  # no week before


def test_top_in_a_category_and_by_a_shop_level_column(market):
    care = comp.top(market, category="个护", week=W[0])
    assert care["shop"].tolist() == ["A", "C"] and care["gmv"].tolist() == [40.0, 30.0]
    fans = comp.top(market, by="fans", week=W[0])
    # A's fans repeat on its two product rows: counted once, not summed
    assert dict(zip(fans["shop"], fans["fans"], strict=True)) == {
        "B": 1500.0, "A": 1000.0, "own": 900.0, "C": 200.0}


def test_top_carries_ranges():
    df = rows((0, "A", "p", 7.5, 5.0, 10.0), (0, "A", "q", 15.0, 10.0, 20.0),
              (0, "B", "r", 30.0, 25.0, 35.0), columns="w shop product sales sales_low sales_high")
    out = comp.top(df, by="sales")
    assert out[["shop", "sales", "sales_low", "sales_high"]].values.tolist() == [
        ["B", 30.0, 25.0, 35.0], ["A", 22.5, 15.0, 30.0]]


# --- share ---------------------------------------------------------------------------------------

def test_share_bounds_from_ranges():
    df = rows((0, "A", "p", 7.5, 5.0, 10.0), (0, "A", "q", 7.5, 5.0, 10.0),
              (0, "B", "r", 5.0, 5.0, 5.0), (1, "A", "p", 10.0, 10.0, 10.0),
              columns="w shop product gmv gmv_low gmv_high")
    out = comp.share(df)
    first = out[out["date"] == W[0]]
    assert first["shop"].tolist() == ["A", "B"]
    assert first[["gmv", "gmv_low", "gmv_high"]].values.tolist() == [[15, 10, 20], [5, 5, 5]]
    assert first["share"].tolist() == pytest.approx([0.75, 0.25])
    assert first["share_low"].tolist() == pytest.approx([10 / 15, 5 / 25])
    assert first["share_high"].tolist() == pytest.approx([20 / 25, 5 / 15])
    assert first["rank"].tolist() == [1, 2]
    last = out[out["date"] == W[1]]
    assert last[["share", "share_low", "share_high"]].values.tolist() == [[1.0, 1.0, 1.0]]


def test_share_without_ranges_has_bounds_equal_to_share(market):
    out = comp.share(market)
    assert (out["share_low"] == out["share"]).all() and (out["share_high"] == out["share"]).all()
    assert out.groupby("date")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert out.loc[out["date"] == W[1], "shop"].tolist() == ["D", "B", "A", "own"]


# --- prices --------------------------------------------------------------------------------------

@pytest.fixture
def prices() -> pd.DataFrame:
    """Own 美妆 prices 10 and 12 (reference 11); rivals a1, a2, b1 in 美妆, b2 in 个护."""
    own = [(w, "own", p, "美妆", v) for w in range(4) for p, v in (("o1", 10.0), ("o2", 12.0))]
    rival = [
        *((w, "A", "a1", "美妆", v) for w, v in enumerate([12.2, 11.59, 11.59, 10.5])),
        *((w, "A", "a2", "美妆", v) for w, v in enumerate([20.0, 19.02, 21.0, 21.0])),
        *((w, "B", "b1", "美妆", v) for w, v in enumerate([10.5, 10.5, 12.0, 10.8])),
        (0, "B", "b2", "个护", 5.0), (1, "B", "b2", "个护", 4.0), (3, "B", "b2", "个护", 4.0),
    ]
    return rows(*own, *rival, columns="w shop product category price")


def test_price_alerts_cuts_and_prices_falling_below_ours(prices):
    out = comp.price_alerts(prices, own_shop="own")
    got = [(d.strftime("%m-%d"), s, p, k, o, n) for d, s, p, k, o, n in out[
        ["date", "shop", "product", "kind", "old_price", "new_price"]].itertuples(index=False)]
    assert got == [
        ("06-22", "A", "a1", "cut", 12.2, 11.59),  # exactly 5 % (0.04999... in floating point)
        ("06-22", "B", "b2", "cut", 5.0, 4.0),  # a2's 4.9 % is not a cut
        ("07-06", "A", "a1", "below_own", 11.59, 10.5),
        ("07-06", "A", "a1", "cut", 11.59, 10.5),
        ("07-06", "B", "b1", "below_own", 12.0, 10.8),  # b1 began below ours: no alert then
        ("07-06", "B", "b1", "cut", 12.0, 10.8),
    ]
    assert out["category"].tolist() == ["美妆", "个护", "美妆", "美妆", "美妆", "美妆"]
    assert out["change"].tolist() == pytest.approx([11.59 / 12.2 - 1, -0.2, 10.5 / 11.59 - 1,
                                                    10.5 / 11.59 - 1, -0.1, -0.1])
    assert out["own_price"].iloc[[0, 2, 4]].tolist() == [11.0, 11.0, 11.0]
    assert np.isnan(out["own_price"].iloc[1])  # we sell nothing in 个护


def test_price_alerts_ignore_own_cuts_and_respect_min_drop(prices):
    own_cut = prices.copy()
    own_cut.loc[(own_cut["shop"] == "own") & (own_cut["date"] == W[3]), "price"] = 5.0
    kinds = comp.price_alerts(own_cut, own_shop="own")
    assert "own" not in kinds["shop"].tolist()
    big = comp.price_alerts(prices, own_shop="own", min_drop=0.15)
    assert big[["product", "kind"]].values.tolist() == [["b2", "cut"], ["a1", "below_own"],
                                                        ["b1", "below_own"]]
    # without an own shop every shop's cuts count and nothing is "below ours"
    everyone = comp.price_alerts(own_cut)
    assert set(everyone["kind"]) == {"cut"} and "own" in everyone["shop"].tolist()


def test_price_alerts_by_product():
    df = rows((0, "own", "X", 100.0), (1, "own", "X", 100.0), (0, "A", "X", 110.0),
              (1, "A", "X", 95.0), (0, "A", "Y", 50.0), (1, "A", "Y", 40.0),
              columns="w shop product price")
    out = comp.price_alerts(df, own_shop="own", by="product")
    assert out[["product", "kind"]].values.tolist() == [["X", "below_own"], ["X", "cut"],
                                                        ["Y", "cut"]]
    assert out["own_price"].tolist()[:2] == [100.0, 100.0] and np.isnan(out["own_price"].iloc[2])
    assert "category" not in out.columns


def test_price_index_against_the_rival_median(prices):
    out = comp.price_index(prices, "own")
    assert out["category"].tolist() == ["美妆"] * 4  # 个护: no own price to compare
    assert out["own_price"].tolist() == [11.0] * 4
    assert out["rival_median"].tolist() == [12.2, 11.59, 12.0, 10.8]
    assert out["rivals"].tolist() == [2] * 4
    assert out["price_index"].tolist() == pytest.approx(
        [1100 / 12.2, 1100 / 11.59, 1100 / 12.0, 1100 / 10.8])
    assert out["rival_cuts"].tolist() == [0, 1, 0, 2]
    # the alerts a page has at hand give the same counts; others give theirs
    alerts = comp.price_alerts(prices, own_shop="own")
    pd.testing.assert_frame_equal(comp.price_index(prices, "own", alerts=alerts), out)
    fewer = comp.price_index(prices, "own", alerts=alerts[alerts["date"] != W[3]])
    assert fewer["rival_cuts"].tolist() == [0, 1, 0, 0]


def test_price_index_by_product_uses_matched_products_only():
    df = rows((0, "own", "X", "c", 100.0), (0, "A", "X", "c", 80.0), (0, "B", "X", "c", 90.0),
              (0, "own", "Z", "c", 10.0), (0, "A", "Y", "c", 1.0),
              columns="w shop product category price")
    out = comp.price_index(df, "own", by="product")
    assert out[["product", "own_price", "rival_median", "rivals"]].values.tolist() == [
        ["X", 100.0, 85.0, 2]]
    assert out["price_index"].iloc[0] == pytest.approx(100 / 85 * 100)


def test_price_comparison_across_merchants_reports_rows_it_cannot_use():
    df = pd.DataFrame({
        "merchant": ["A", "A", "B", "C", "C", "D", "B", "E"],
        "product": ["tv", "tv", "tv", "tv", None, "radio", "tv", "all"],
        "price": [90.0, 110.0, 120.0, 60.0, 10.0, 5.0, None, 1.0]})
    out = comp.price_comparison(df, shop="merchant")
    assert out[["product", "merchant", "offers", "price"]].values.tolist() == [
        ["tv", "C", 1, 60.0], ["tv", "A", 2, 100.0], ["tv", "B", 1, 120.0]]  # radio: one shop
    assert out["product_median"].tolist() == [100.0] * 3
    assert out["price_index"].tolist() == pytest.approx([60.0, 100.0, 120.0])
    assert out["cheapest"].tolist() == [True, False, False]
    assert out["spread"].tolist() == pytest.approx([1.0] * 3)
    assert [str(i) for i in out.attrs["issues"]] == [
        "column product: 2 rows without a product key cannot be compared (left out; index 4, 7)",
        "column price: 1 row without a price cannot be compared (left out; index 6)"]


# --- content and audience ------------------------------------------------------------------------

def test_content_takes_shop_columns_once_and_reports_change():
    df = rows((0, "A", "p", 100.0, 10, 2, 5000), (0, "A", "q", 200.0, 10, 2, 5000),
              (1, "A", "p", 170.0, 14, 3, 8400), (1, "A", "q", None, 14, 3, 8400),
              (1, "B", "r", 50.0, 0, 2, 0),
              columns="w shop product gmv videos lives likes")
    out = comp.content(df)
    assert out[["shop", "videos", "lives", "posts", "likes"]].values.tolist() == [
        ["A", 10, 2, 12, 5000], ["A", 14, 3, 17, 8400], ["B", 0, 2, 2, 0]]
    assert out["likes_per_video"].tolist()[:2] == [500.0, 600.0]
    assert np.isnan(out["likes_per_video"].iloc[2])  # no videos
    assert out["gmv_per_post"].tolist() == pytest.approx([25.0, 10.0, 25.0])
    assert out["videos_change"].tolist()[1] == 4 and out["lives_change"].tolist()[1] == 1
    assert out["likes_per_video_change"].tolist()[1] == 100.0
    assert out["gmv_per_post_change"].tolist()[1] == pytest.approx(-15.0)
    assert out[["videos_change", "posts_change"]].iloc[[0, 2]].isna().all().all()


def test_content_needs_videos_or_lives():
    with pytest.raises(ShopDataError, match="needs videos or lives"):
        comp.content(rows((0, "A", 1.0), columns="w shop gmv"))


@pytest.fixture
def audience() -> pd.DataFrame:
    cols = "w shop product age_31_40_share age_50_plus_share female_share male_share"
    return rows(
        (0, "own", "o1", 0.27, 0.05, 0.70, 0.30), (0, "own", "o2", 0.27, 0.05, 0.70, 0.30),
        (0, "A", "a", 0.52, 0.10, 0.60, 0.40), (0, "B", "b", 0.37, 0.05, 0.70, 0.30),
        (0, "C", "c", 0.369, 0.05, 0.801, 0.199),
        (1, "own", "o1", 0.30, 0.05, 0.70, 0.30), (1, "A", "a", 0.30, 0.05, 0.70, 0.30),
        columns=cols)


def test_audience_gap_in_points_with_flags(audience):
    out = comp.audience_gap(audience, "own", week=W[0])
    a = out[out["shop"] == "A"]
    assert a["segment"].tolist() == ["31_40", "50_plus", "female", "male"]
    assert a["group"].tolist() == ["age", "age", "gender", "gender"]
    assert a["own_share"].tolist() == [0.27, 0.05, 0.70, 0.30]
    assert a["gap"].tolist() == pytest.approx([25.0, 5.0, -10.0, 10.0])
    assert a["flagged"].tolist() == [True, False, True, True]
    b31 = out[(out["shop"] == "B") & (out["segment"] == "31_40")]
    c31 = out[(out["shop"] == "C") & (out["segment"] == "31_40")]
    assert b31["flagged"].item() and not c31["flagged"].item()  # 10.0 points yes, 9.9 no
    assert out["shop"].unique().tolist() == ["A", "B", "C"]


def test_audience_gap_uses_the_latest_week_by_default(audience):
    out = comp.audience_gap(audience, "own")
    assert out["date"].unique().tolist() == [W[1]]
    assert out["shop"].unique().tolist() == ["A"] and not out["flagged"].any()
    with pytest.raises(ShopDataError, match="needs share columns such as age_18_23_share"):
        comp.audience_gap(audience[["date", "shop"]], "own")


def test_traffic_mix_gap():
    df = rows((0, "own", 0.40, 0.10), (0, "A", 0.30, 0.32),
              columns="w shop traffic_feed_share traffic_ads_share")
    out = comp.traffic_mix_gap(df, "own", min_gap=15)
    assert out[["segment", "group"]].values.tolist() == [["feed", "traffic"], ["ads", "traffic"]]
    assert out["gap"].tolist() == pytest.approx([-10.0, 22.0])
    assert out["flagged"].tolist() == [False, True]


# --- life cycle ----------------------------------------------------------------------------------

def _funnel(**products: tuple) -> pd.DataFrame:
    """10 weeks of days; each product: (first day, last day, (gmv, clicks, buyers, ad_cost)
    a day before day 42, the same from day 42 on)."""
    days = pd.date_range("2026-09-01", periods=70, freq="D")
    out = []
    for name, (first, last, before, after) in products.items():
        for i in range(first, last + 1):
            gmv, clicks, buyers, ad = before if i < 42 else after
            out.append((days[i], name, f"商品{name}", gmv, clicks, buyers, ad))
    return pd.DataFrame(out, columns=["date", "product_id", "product_name", "gmv", "clicks",
                                      "buyers", "ad_cost"])


STEADY = (100.0, 100, 5, 10.0)  # conversion 5 %, traffic cost 10 %


@pytest.fixture
def life() -> pd.DataFrame:
    return _funnel(
        new=(40, 69, STEADY, STEADY),  # first seen in the last two windows
        bought=(0, 69, STEADY, (150.0, 500, 5, 75.0)),  # +50 %, conversion 1 %, cost 50 %
        grow=(0, 69, STEADY, (150.0, 100, 5, 15.0)),  # +50 %
        flat=(0, 69, STEADY, (110.0, 100, 5, 11.0)),  # +10 %
        fall=(0, 69, STEADY, (70.0, 100, 5, 7.0)),  # -30 %
        slide=(0, 69, STEADY, (90.0, 100, 3.5, 9.0)),  # -10 %, conversion 5 % -> 3.5 %
        dead=(0, 13, STEADY, STEADY),  # nothing in either window
    )


@pytest.mark.parametrize(("product", "stage"), [
    ("new", "introduction"), ("bought", "introduction"), ("grow", "growth"),
    ("flat", "maturity"), ("fall", "decline"), ("slide", "decline"), ("dead", "decline")])
def test_lifecycle_stage(life, product, stage):
    out = comp.lifecycle(life, relative=False).set_index("product_id")
    assert out.at[product, "stage"] == stage


def test_lifecycle_numbers(life):
    out = comp.lifecycle(life, relative=False).set_index("product_id")
    assert out.loc["grow", ["gmv", "prev_gmv"]].tolist() == [4200.0, 2800.0]
    assert out.loc[["bought", "grow", "flat", "fall", "slide"], "gmv_trend"].tolist() == \
        pytest.approx([0.5, 0.5, 0.1, -0.3, -0.1])
    assert out.at["bought", "conversion"] == pytest.approx(0.01)
    assert out.at["bought", "traffic_cost"] == pytest.approx(0.5)
    assert out.at["slide", "prev_conversion"] == pytest.approx(0.05)
    assert out.at["new", "first_date"] == pd.Timestamp("2026-10-11")
    assert out.at["grow", "product_name"] == "商品grow"
    assert out.at["new", "gmv_trend"] == pytest.approx(13.0)  # 2 days before, 28 after
    assert np.isnan(out.at["dead", "gmv_trend"])
    assert (out["growth"].dropna() == out["gmv_trend"].dropna()).all()


def test_lifecycle_growth_is_relative_to_the_shop_by_default():
    both = _funnel(p=(0, 69, STEADY, (200.0, 100, 5, 20.0)), q=(0, 69, STEADY,
                                                              (200.0, 100, 5, 20.0)))
    assert comp.lifecycle(both, window=4)["stage"].tolist() == ["maturity", "maturity"]
    assert comp.lifecycle(both, relative=False)["stage"].tolist() == ["growth", "growth"]
    skew = _funnel(p=(0, 69, STEADY, (300.0, 100, 5, 30.0)), q=(0, 69, STEADY, STEADY))
    out = comp.lifecycle(skew).set_index("product_id")
    assert out["shop_trend"].tolist() == pytest.approx([1.0, 1.0])
    assert out["growth"].tolist() == pytest.approx([0.5, -0.5])
    assert out["stage"].tolist() == ["growth", "decline"]


def test_lifecycle_without_ad_cost_and_with_bad_input():
    f = _funnel(p=(0, 69, STEADY, STEADY)).drop(columns="ad_cost")
    out = comp.lifecycle(f)
    assert np.isnan(out["traffic_cost"].iloc[0]) and out["stage"].tolist() == ["maturity"]
    with pytest.raises(ShopDataError, match=r"lifecycle needs the column\(s\) buyers"):
        comp.lifecycle(f.drop(columns="buyers"))
    with pytest.raises(ShopDataError, match="no dated rows"):
        comp.lifecycle(f.iloc[:0])


# --- creator benchmark ---------------------------------------------------------------------------

def test_creator_benchmark_latest_snapshot_and_group_percentiles():
    df = pd.DataFrame({
        "date": pd.to_datetime(["2019-01-01", "2019-02-01", "2019-01-01", "2019-01-01"]),
        "shop": ["A", "A", "B", "C"], "category": ["美食", "美食", "美食", "音乐"],
        "fans": [100, 300, 200, 50], "likes": [1000, 4000, 1000, 10],
        "videos": [10, 20, 5, 0]})
    out = comp.creator_benchmark(df, group="category")
    assert out["shop"].tolist() == ["A", "B", "C"]
    assert out["fans"].tolist() == [300.0, 200.0, 50.0]  # A's later snapshot
    assert out["likes_per_video"].tolist()[:2] == [200.0, 200.0]
    assert np.isnan(out["likes_per_video"].iloc[2])
    assert out["fans_rank"].tolist() == [1, 2, 3]
    assert out["likes_per_video_pct"].tolist()[:2] == [0.75, 0.75]  # a tie in 美食


# --- the sample shop -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shop():
    return make_shop_data(seed=7)


def test_sample_planted_price_cuts_are_all_found_and_nothing_else(shop):
    alerts = comp.price_alerts(shop.competitors, own_shop=shop.truth["own_shop"])
    cuts = alerts[alerts["kind"] == "cut"][["shop", "product", "date", "old_price",
                                           "new_price"]]
    planted = shop.truth["price_cuts"]
    assert len(planted) > 0
    pd.testing.assert_frame_equal(cuts.sort_values(["date", "shop", "product"],
                                                   ignore_index=True),
                                  planted.sort_values(["date", "shop", "product"],
                                                      ignore_index=True),
                                  check_dtype=False)


def test_sample_one_rival_has_a_clearly_older_audience(shop):
    gaps = comp.audience_gap(shop.competitors, shop.truth["own_shop"])
    older = gaps[gaps["segment"].isin(["31_40", "41_50", "50_plus"]) & gaps["flagged"]
                 & (gaps["gap"] > 0)]
    assert older["shop"].nunique() == 1
    assert older["gap"].max() >= 20  # "20 points more 31-40-year-olds"


def test_sample_top_share_and_index(shop):
    df, own = shop.competitors, shop.truth["own_shop"]
    rivals = comp.top(df, own_shop=own)
    assert len(rivals) == 5 and own not in rivals["shop"].tolist()
    shares = comp.share(df)
    assert shares.groupby("date")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert ((shares["share_low"] <= shares["share"])
            & (shares["share"] <= shares["share_high"])).all()
    index = comp.price_index(df, own)
    own_categories = set(df.loc[df["shop"] == own, "category"])
    assert set(index["category"]) == own_categories & set(df.loc[df["shop"] != own, "category"])
    stages = comp.lifecycle(shop.funnel)
    assert set(stages["stage"]) <= set(comp.STAGES)
    assert stages["product_id"].is_unique


# --- real data -----------------------------------------------------------------------------------

def real(relative: str) -> Path:
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"real public data not found at {path} (only present next to the repo as "
                    "../shared/realdata)")
    return path


@pytest.mark.realdata
@pytest.mark.parametrize("relative", [KOL_TOP500_CSV, KOL_TOP500_XLSX], ids=["csv", "xlsx"])
def test_douyin_top500_creator_benchmark(relative):
    path = real(relative)
    plain = (pd.read_excel(path, sheet_name="TooBigData-KOL") if path.suffix == ".xlsx"
             else pd.read_csv(path, encoding="utf-8-sig"))
    out = comp.creator_benchmark(load_competitors(path))
    assert len(out) == 500
    expected = plain.set_index("抖音号")
    expected.index = expected.index.astype(str)
    got = out.set_index("account_id")
    videos = expected.loc[got.index, "视频数"].to_numpy()
    likes = expected.loc[got.index, "获赞数"].to_numpy()
    assert got["fans"].to_numpy() == pytest.approx(expected.loc[got.index, "粉丝数"])
    with np.errstate(divide="ignore", invalid="ignore"):
        per_video = np.where(videos > 0, likes / videos, np.nan)
    np.testing.assert_allclose(got["likes_per_video"].to_numpy(), per_video)
    assert got["likes_per_video"].isna().sum() == (plain["视频数"] == 0).sum() == 3
    assert out["fans"].is_monotonic_decreasing and out["fans_rank"].iloc[0] == 1
    pct = out["likes_per_video_pct"]
    assert pct.isna().sum() == 3 and pct.dropna().between(0, 1).all() and pct.max() == 1.0


@pytest.mark.realdata
def test_douyin_kol_5000_creator_benchmark_by_category():
    path = real(KOL_5000)
    plain = pd.read_csv(path, encoding="utf-8-sig")
    out = comp.creator_benchmark(load_competitors(path), group="category")
    assert len(out) == len(plain) == 5_025  # no dates: every row is a creator
    assert out["fans"].sum() == plain["fans"].sum()
    top = plain.sort_values("fans", ascending=False).iloc[0]
    assert out["shop"].iloc[0] == top["name"]
    assert out["likes_per_video"].iloc[0] == pytest.approx(top["likes"] / top["videos"])
    # percentiles are within each category: each category's best creator scores 1.0
    best = out.groupby("category")["likes_per_video_pct"].max()
    assert (best == 1.0).all()


@pytest.mark.realdata
def test_datafiniti_cross_merchant_price_comparison():
    path = real(DATAFINITI)
    plain = pd.read_csv(path, dtype=str, keep_default_na=False)
    loaded = load_competitors(path, strict=False)
    assert len(loaded) == len(plain) == 7_249
    assert loaded.attrs["issues"]  # messy rows are reported, not crashed on

    out = comp.price_comparison(loaded)

    # the column-shifted rows: no model number (manufacturerNumber: the loader fills the
    # empty key with "all"), the category in `ean`
    shifted = plain["manufacturerNumber"].str.strip() == ""
    assert shifted.sum() == 3_683
    assert not plain.loc[shifted, "ean"].str.strip().str.match(r"^[\d.E+]+$").any()
    assert [str(i).split(" (left out")[0] for i in out.attrs["issues"]] == [
        "column product: 3,683 rows without a product key cannot be compared"]

    # the same comparison computed by hand from the raw text
    raw = plain[~shifted].assign(product=lambda p: p["manufacturerNumber"].str.strip(),
                                 shop=lambda p: p["merchant"].str.strip(),
                                 price=lambda p: p["amountMin"].astype(float))
    per = raw.groupby(["product", "shop"])["price"].agg(["size", "median"])
    shops = per.groupby(level="product").size()
    per = per[per.index.get_level_values("product").isin(shops[shops >= 2].index)]
    got = out.set_index(["product", "shop"]).sort_index()
    assert got.index.equals(per.sort_index().index)
    assert got["offers"].tolist() == per.sort_index()["size"].tolist()
    assert got["price"].to_numpy() == pytest.approx(per.sort_index()["median"].to_numpy())
    assert out["product"].nunique() == (shops >= 2).sum()
    assert (out.groupby("product")["cheapest"].sum() >= 1).all()


def test_old_column_keywords_still_work_with_a_warning():
    df = pd.DataFrame({"week": W[:1].repeat(2), "merchant": ["A", "B"], "gmv": [1.0, 3.0],
                       "cat": ["x", "y"]})
    with pytest.warns(DeprecationWarning, match=r"use 'top\(shop=...\)'"):
        old = comp.top(df, date="week", shop_col="merchant")
    pd.testing.assert_frame_equal(old, comp.top(df, date="week", shop="merchant"))
    with pytest.warns(DeprecationWarning, match="a column named 'category'"):
        only_x = comp.top(df, category="x", date="week", shop="merchant", category_col="cat")
    assert only_x["merchant"].tolist() == ["A"]


def test_a_key_column_named_but_absent_is_an_error_even_beside_the_canonical_one():
    df = pd.DataFrame({"date": W[:1], "shop": ["A"], "gmv": [1.0]})
    with pytest.raises(ShopDataError, match="needs the column"):
        comp.weekly(df, date="week")


# --- narrowing a table for a page ------------------------------------------------------------------

def test_of_category_of_shops_and_of_week_keep_the_rows_asked_for():
    df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-15", "2026-06-22",
                                               "2026-06-22"]),
                       "shop": ["own", "A", "own", "B"], "category": ["美妆", "个护", "美妆", "美妆"],
                       "gmv": [1.0, 2.0, 3.0, 4.0]})
    assert comp.of_category(df, None) is df
    assert comp.of_category(df, "美妆")["gmv"].tolist() == [1.0, 3.0, 4.0]
    assert comp.of_category(df, "饮料").empty
    mine = comp.of_shops(df, ["B", "own"])
    assert mine["gmv"].tolist() == [1.0, 3.0, 4.0] and mine.index.tolist() == [0, 1, 2]
    assert comp.of_week(df, pd.Timestamp("2026-06-22"))["shop"].tolist() == ["own", "B"]
    assert comp.of_week(df.rename(columns={"date": "week"}), pd.Timestamp("2026-06-15"),
                        date="week")["gmv"].tolist() == [1.0, 2.0]


def test_shop_totals_sum_every_week_and_product():
    df = pd.DataFrame({"shop": ["own", "A", "own", "A", "B"], "sales": [5, 7, 6, None, 0]})
    assert comp.shop_totals(df, "sales").to_dict() == {"A": 7.0, "B": 0.0, "own": 11.0}
    cat = df.assign(shop=pd.Categorical(df["shop"], categories=["own", "A", "B", "C"]))
    assert comp.shop_totals(cat, "sales").to_dict() == {"own": 11.0, "A": 7.0, "B": 0.0}


def test_alerts_by_product_joins_a_cut_and_a_fall_below_ours():
    df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"] * 3),
                       "shop": ["own", "own", "A", "A", "B", "B"],
                       "product": ["p", "p", "q", "q", "r", "r"], "category": "美妆",
                       "price": [50.0, 50.0, 55.0, 45.0, 49.0, 46.0]})
    alerts = comp.price_alerts(df, own_shop="own")
    assert alerts["kind"].tolist() == ["below_own", "cut", "cut"]
    out = comp.alerts_by_product(alerts)
    assert out["shop"].tolist() == ["A", "B"]
    assert out["kind"].tolist() == [("cut", "below_own"), ("cut",)]
    assert out["new_price"].tolist() == [45.0, 46.0]
    assert out["change"].round(4).tolist() == [round(45 / 55 - 1, 4), round(46 / 49 - 1, 4)]
    assert comp.alerts_by_product(alerts.iloc[0:0]).empty


def test_is_creator_ranking_wants_fans_likes_videos_and_no_sales():
    ranking = pd.DataFrame({"shop": ["A"], "fans": [10], "likes": [5], "videos": [2]})
    assert comp.is_creator_ranking(ranking)
    assert not comp.is_creator_ranking(ranking.assign(sales=3))
    assert not comp.is_creator_ranking(ranking.assign(gmv=3.0))
    assert not comp.is_creator_ranking(ranking.drop(columns="likes"))
    assert not comp.is_creator_ranking("not a table")
    assert comp.is_creator_ranking(ranking.assign(gmv=3.0), measures=("sales",))
