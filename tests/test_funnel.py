"""Funnel metrics on the daily table: exact numbers on tiny frames, and published references."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from shopnb import load_funnel, load_sample
from shopnb.errors import ShopDataError
from shopnb.funnel import (
    cost_chain,
    ctr_decay,
    explain_change,
    in_period,
    kpis,
    period_summary,
    product_ids,
    product_names,
    resolve_by,
    summary,
    with_format,
)
from shopnb.funnel import select as fn_select
from shopnb.rates import wilson

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
KAG = REALDATA / "fb_ads_kag_conversion" / "KAG_conversion_data.csv"


@pytest.fixture
def funnel() -> pd.DataFrame:
    """Two days x two products; counts are Int64 as the loader gives them."""
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2024-11-04", "2024-11-04", "2024-11-11", "2024-11-11"]),
        "product_id": ["1", "2", "1", "2"],
        "product_name": ["面膜", "口红", "面膜", "口红"],
        "carrier": ["live", "video", "live", "video"],
        "impressions": [1000, 3000, 2000, 2000],
        "clicks": [100, 60, 80, 40],
        "carts": [20, 10, 10, 8],
        "orders": [12, 4, 6, 6],
        "buyers": [10, 3, 5, 4],
        "gmv": [1000.0, 600.0, 450.0, 500.0],
        "refunds": [100.0, 0.0, 45.0, 50.0],
        "ad_cost": [200.0, 300.0, 150.0, 150.0],
    })
    counts = ["impressions", "clicks", "carts", "orders", "buyers"]
    return frame.astype(dict.fromkeys(counts, "Int64"))


# --- the Wilson interval ---------------------------------------------------------------------

def test_wilson_matches_the_published_r_binom_confint_row():
    # REFERENCE_RESULTS.md: 18 of 20, Wilson 95 % = (0.698966, 0.972134)
    rate, low, high = wilson([18], [20])
    assert rate[0] == 0.9
    assert low[0] == pytest.approx(0.698966, abs=5e-7)
    assert high[0] == pytest.approx(0.972134, abs=5e-7)


def test_wilson_leaves_non_proportions_without_an_interval():
    rate, low, high = wilson([5, 7, 3, -1], [0, 4, np.nan, 10])
    assert np.isnan(rate[0]) and rate[1] == 1.75 and np.isnan(rate[2])
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1, 0.2])
def test_wilson_equals_statsmodels_proportion_confint(alpha):
    rng = np.random.default_rng(7)
    nobs = np.concatenate([[1, 1, 2, 50, 10**7], rng.integers(1, 10**6, 500)]).astype(float)
    count = np.concatenate([[0, 1, 1, 0, 10**7], rng.integers(0, nobs[5:] + 1)]).astype(float)
    _, low, high = wilson(count, nobs, alpha)
    want_low, want_high = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    np.testing.assert_allclose(low, want_low, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(high, want_high, rtol=1e-12, atol=1e-15)


# --- summary ---------------------------------------------------------------------------------

def test_summary_counts_rates_and_drop_off(funnel):
    out = summary(funnel)
    assert out["stage"].tolist() == ["impressions", "clicks", "carts", "orders", "buyers"]
    assert out["count"].tolist() == [8000, 280, 48, 28, 22]
    assert out["rate_from_previous"].tolist() == [1.0, 280 / 8000, 48 / 280, 28 / 48, 22 / 28]
    assert out["rate_from_first"].tolist() == [1.0, 280 / 8000, 48 / 8000, 28 / 8000,
                                               22 / 8000]
    assert out["drop_off"].tolist() == [0, 7720, 232, 20, 6]
    assert out["drop_off_rate"].iloc[1] == pytest.approx(1 - 280 / 8000)


def test_summary_intervals_are_statsmodels_wilson(funnel):
    out = summary(funnel, alpha=0.1).set_index("stage")
    low, high = proportion_confint(48, 280, alpha=0.1, method="wilson")
    assert out.loc["carts", "rate_from_previous_ci_lower"] == pytest.approx(low)
    assert out.loc["carts", "rate_from_previous_ci_upper"] == pytest.approx(high)
    low, high = proportion_confint(22, 8000, alpha=0.1, method="wilson")
    assert out.loc["buyers", "rate_from_first_ci_lower"] == pytest.approx(low)
    assert out.loc["buyers", "rate_from_first_ci_upper"] == pytest.approx(high)
    assert np.isnan(out.loc["impressions", "rate_from_previous_ci_lower"])


def test_summary_by_product_and_week(funnel):
    out = summary(funnel, by=["product", "week"])
    assert out.columns[:3].tolist() == ["product_id", "product_name", "week"]
    clicks = out[out["stage"] == "clicks"]
    assert clicks[["product_name", "count"]].values.tolist() == [
        ["面膜", 100], ["面膜", 80], ["口红", 60], ["口红", 40]]
    assert clicks["week"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-11-04", "2024-11-11", "2024-11-04", "2024-11-11"]
    assert clicks["rate_from_previous"].tolist() == [0.1, 0.04, 0.02, 0.02]


def test_summary_uses_the_stages_the_data_has(funnel):
    out = summary(funnel.drop(columns=["carts"]).assign(orders=pd.NA))
    assert out["stage"].tolist() == ["impressions", "clicks", "buyers"]
    assert out["rate_from_previous"].iloc[2] == 22 / 280
    live = summary(pd.DataFrame({"room_impressions": [500], "views": [100], "buyers": [4]}))
    assert live["stage"].tolist() == ["room_impressions", "views", "buyers"]


def test_summary_more_orders_than_carts_keeps_the_rate_without_an_interval():
    out = summary(pd.DataFrame({"clicks": [100], "carts": [5], "orders": [8]}))
    orders = out.set_index("stage").loc["orders"]
    assert orders["rate_from_previous"] == 1.6
    assert np.isnan(orders["rate_from_previous_ci_lower"])


def test_summary_rejects_unknown_breakdowns_and_tables_without_stages(funnel):
    with pytest.raises(ShopDataError, match="channel"):
        summary(funnel, by="channel")
    with pytest.raises(ShopDataError, match="no values"):
        summary(pd.DataFrame({"clicks": [pd.NA]}, dtype="Int64"))
    with pytest.raises(ShopDataError, match="product"):
        resolve_by(funnel.drop(columns=["product_id", "product_name"]), "product")


# --- KPIs and the cost chain -----------------------------------------------------------------

def test_kpis_on_the_totals(funnel):
    row = kpis(funnel).iloc[0]
    assert row["ctr"] == 280 / 8000
    assert row["click_to_deal"] == 22 / 280
    assert row["impression_to_deal"] == 22 / 8000
    assert row["gpm"] == 2550 * 1000 / 8000
    assert row["uv_value"] == 2550 / 280
    assert row["aov"] == 2550 / 22
    assert row["refund_rate"] == 195 / 2550
    assert row["roi"] == 2550 / 800
    assert [row[f"cost_per_{s}"] for s in ("impression", "click", "cart", "order", "buyer")] == [
        800 / 8000, 800 / 280, 800 / 48, 800 / 28, 800 / 22]


def test_kpis_per_date_and_missing_denominators(funnel):
    out = kpis(funnel, by="date")
    assert out["ctr"].tolist() == [160 / 4000, 120 / 4000]
    no_cost = kpis(funnel.drop(columns=["ad_cost"]).assign(buyers=0))
    assert np.isnan(no_cost["roi"].iloc[0]) and np.isnan(no_cost["aov"].iloc[0])
    assert np.isnan(no_cost["cost_per_click"].iloc[0])


def test_cost_chain_shares_add_up_to_one(funnel):
    out = cost_chain(funnel)
    assert out["cost_per"].tolist() == [800 / 8000, 800 / 280, 800 / 48, 800 / 28, 800 / 22]
    assert out["lost"].tolist() == [7720, 232, 20, 6, 22]
    assert out["spend_share"].sum() == pytest.approx(1.0)
    assert out["spend_share"].iloc[0] == 7720 / 8000
    assert out["gmv_per_cost"].iloc[0] == 2550 / 800


# --- explaining a GPM change -----------------------------------------------------------------

def test_explain_change_effects_sum_exactly_to_the_gpm_change(funnel):
    out = explain_change(funnel, ("2024-11-04", "2024-11-04"), ("2024-11-11", "2024-11-11"))
    out = out.set_index("factor")
    gpm_a, gpm_b = 1600 * 1000 / 4000, 950 * 1000 / 4000
    assert out.loc["gpm", "control"] == pytest.approx(gpm_a)
    assert out.loc["gpm", "treatment"] == pytest.approx(gpm_b)
    assert out.loc["gpm", "gpm_effect"] == pytest.approx(gpm_b - gpm_a)
    assert out.loc[["ctr", "conversion", "aov"], "gpm_effect"].sum() == pytest.approx(
        gpm_b - gpm_a, abs=1e-9)
    assert out.loc[["ctr", "conversion", "aov"], "gpm_rel_effect"].sum() == pytest.approx(
        gpm_b / gpm_a - 1)
    assert out.loc["ctr", "control"] == 160 / 4000 and out.loc["ctr", "treatment"] == 120 / 4000
    assert out.loc["conversion", "rel_effect_size"] == pytest.approx((9 / 120) / (13 / 160) - 1)
    assert out.loc["aov", "effect_size"] == pytest.approx(950 / 9 - 1600 / 13)


def test_explain_change_shapley_values_by_hand():
    # CTR 0.05 -> 0.04, conversion 0.1 -> 0.2, AOV 100 -> 100: GPM 500 -> 800
    df = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
                       "impressions": [1000, 1000], "clicks": [50, 40], "buyers": [5, 8],
                       "gmv": [500.0, 800.0]})
    out = explain_change(df, ("2024-11-01", "2024-11-01"), ("2024-11-02", "2024-11-02"))
    effects = out.set_index("factor")["gpm_effect"]
    # Shapley for two moving factors: each gets its change times the other's mean
    assert effects["ctr"] == pytest.approx(1000 * -0.01 * (0.1 + 0.2) / 2 * 100)
    assert effects["conversion"] == pytest.approx(1000 * 0.1 * (0.05 + 0.04) / 2 * 100)
    assert effects["aov"] == pytest.approx(0.0)
    assert effects["gpm"] == pytest.approx(300.0)


def test_explain_change_per_group_and_empty_periods(funnel):
    out = explain_change(funnel, ("2024-11-04", "2024-11-05"), ("2024-11-11", "2024-11-12"),
                         by="product")
    assert out["product_name"].unique().tolist() == ["面膜", "口红"]
    for _, group in out.groupby("product_id"):
        parts = group.set_index("factor")["gpm_effect"]
        assert parts[["ctr", "conversion", "aov"]].sum() == pytest.approx(parts["gpm"])
    empty = explain_change(funnel, ("2024-10-01", "2024-10-02"), ("2024-11-11", "2024-11-11"))
    assert empty["gpm_effect"].isna().all()
    with pytest.raises(ShopDataError, match="period"):
        explain_change(funnel, ("2024-11-05", "2024-11-04"), ("2024-11-11", "2024-11-11"))


# --- the published ad funnel -----------------------------------------------------------------

@pytest.mark.realdata
def test_ad_funnel_totals_and_rates_match_the_reference():
    if not KAG.exists():
        pytest.skip(f"{KAG} is absent (../shared/realdata is not on this machine)")
    df = load_funnel(KAG, strict=False)
    out = summary(df).set_index("stage")
    # REFERENCE_RESULTS.md: impressions 213,434,828; clicks 38,165; conversions 3,264;
    # approved 1,079; spent 58,705.23
    assert out["count"].to_dict() == {"impressions": 213_434_828, "clicks": 38_165,
                                      "orders": 3_264, "buyers": 1_079}
    assert out.loc["clicks", "rate_from_previous"] == 38_165 / 213_434_828
    assert out.loc["orders", "rate_from_previous"] == 3_264 / 38_165
    assert out.loc["buyers", "rate_from_previous"] == 1_079 / 3_264
    assert out.loc["buyers", "rate_from_first"] == 1_079 / 213_434_828
    row = kpis(df).iloc[0]
    assert row["ad_cost"] == pytest.approx(58_705.23, abs=0.005)
    assert row["ctr"] == 38_165 / 213_434_828
    assert row["cost_per_click"] == pytest.approx(58_705.23 / 38_165, rel=1e-6)
    assert row["cost_per_buyer"] == pytest.approx(58_705.23 / 1_079, rel=1e-6)


# --- CTR decay of short videos ---------------------------------------------------------------

def test_ctr_decay_by_days_since_publishing():
    videos = pd.DataFrame({
        "video_id": ["a", "a", "a", "b", "b", "c"],
        "format": ["drama", "drama", "drama", "drama", "drama", "review"],
        "date": pd.to_datetime(["2024-11-01", "2024-11-02", "2024-11-05", "2024-11-03",
                                "2024-11-04", "2024-11-02"]),
        "published_at": pd.to_datetime(["2024-11-01 22:00"] * 3 + ["2024-11-03 07:00"] * 2
                                       + ["2024-11-03 09:00"]),  # c: a day before publishing
        "impressions": [1000, 800, 500, 2000, 1000, 700],
        "clicks": [30, 16, 5, 50, 20, 14]})
    out = ctr_decay(videos, max_days=3)
    assert out[["format", "days", "videos"]].values.tolist() == [
        ["drama", 0, 2], ["drama", 1, 2]]  # day 4 of a is past max_days; c before publishing
    assert out["ctr"].tolist() == [80 / 3000, 36 / 1800]
    low, high = proportion_confint(80, 3000, method="wilson")
    assert out["ctr_ci_lower"].iloc[0] == pytest.approx(low)
    assert out["ctr_ci_upper"].iloc[0] == pytest.approx(high)
    with pytest.raises(ShopDataError, match="published_at"):
        ctr_decay(videos.drop(columns="published_at"))


def test_counts_stay_integers_and_rates_floats() -> None:
    """Counts come back as int64 (a sum is never missing), rates as float64."""
    funnel = load_sample("funnel")
    assert str(funnel["clicks"].dtype) == "Int64"  # the loader's: an export cell may be empty
    out = summary(funnel, by="carrier")
    assert out["count"].dtype == "int64" and out["drop_off"].dtype == "int64"
    assert out["rate_from_previous"].dtype == "float64"
    table = kpis(funnel, by="carrier")
    assert (table[["impressions", "clicks", "carts", "orders", "buyers"]].dtypes == "int64").all()
    assert (table[["gmv", "ctr", "click_to_deal"]].dtypes == "float64").all()
    assert cost_chain(funnel)[["count", "lost"]].dtypes.eq("int64").all()


# --- selecting rows for a page -------------------------------------------------------------------

def _cells() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-11-01", "2024-11-01", "2024-11-02", "2024-11-02",
                                "2024-11-03"]),
        "product_id": ["1", "2", "1", None, "10"], "product_name": ["面膜", "口红", "面膜", "?", "眼霜"],
        "carrier": ["live", "video", "live", "live", "card"],
        "impressions": [100, 200, 300, 400, 500], "clicks": [10, 20, 30, 40, 50]})


def test_select_keeps_the_chosen_products_and_values():
    df = _cells()
    assert fn_select(df, products=["1"])["impressions"].tolist() == [100, 300]
    assert fn_select(df, products=[])["impressions"].tolist() == []
    assert fn_select(df)["impressions"].tolist() == [100, 200, 300, 400, 500]  # no id: kept
    live = fn_select(df, products=["1", "2", "10"], where={"carrier": "live"})
    assert live["impressions"].tolist() == [100, 300]  # the row without an id is nobody's
    assert fn_select(df, where={"channel": "ads"}).equals(df)  # no such column: no filter
    ids = product_ids(df)
    assert ids.categories.tolist() == ["1", "10", "2"]
    assert fn_select(df, products=["10"], ids=ids)["impressions"].tolist() == [500]
    numeric = df.dropna(subset=["product_id"]).astype({"product_id": "int64"})
    assert fn_select(numeric, products=["10"])["impressions"].tolist() == [500]
    assert fn_select(df.drop(columns="product_id"), products=["1"]).shape == (5, 5)


def test_in_period_takes_whole_days_and_none_takes_no_rows():
    orders = pd.DataFrame({"ts": pd.to_datetime(["2024-10-31 23:59:59", "2024-11-01 00:00:00",
                                                 "2024-11-02 23:59:59", "2024-11-03 00:00:00"])})
    got = in_period(orders, (pd.Timestamp("2024-11-01"), pd.Timestamp("2024-11-02")), date="ts")
    assert got.index.tolist() == [1, 2]
    assert in_period(orders, None, date="ts").empty
    assert in_period(_cells(), ("2024-11-03", "2024-11-03"))["impressions"].tolist() == [500]


def test_with_format_and_product_names():
    df = _cells()
    assert with_format(df)["format"].unique().tolist() == ["all"]
    assert with_format(df.assign(format="drama"))["format"].unique().tolist() == ["drama"]
    names = product_names(df)
    assert names.iloc[:3].to_dict() == {"1": "面膜", "10": "眼霜", "2": "口红"}  # ids sorted
    assert pd.isna(names.index[3]) and names.iloc[3] == "?"  # a row without an id: last
    ids = df.dropna(subset=["product_id"]).drop(columns="product_name")
    assert product_names(ids).to_dict() == {"1": "1", "10": "10", "2": "2"}


def test_period_summary_keeps_the_periods_in_the_order_given():
    df = _cells()
    out = period_summary({"本期": df.iloc[2:], "上期": df.iloc[:2]})
    assert out["period"].tolist() == ["本期", "本期", "上期", "上期"]
    assert out["stage"].tolist() == ["impressions", "clicks"] * 2
    assert out["count"].tolist() == [1200, 120, 300, 30]
    both = summary(df.assign(period=["b", "b", "a", "a", "a"]), by="period")
    pd.testing.assert_frame_equal(
        period_summary({"a": df.iloc[2:], "b": df.iloc[:2]}).reset_index(drop=True), both)
