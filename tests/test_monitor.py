"""KPI targets and alerts on tiny hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopnb.errors import ShopDataError
from shopnb.monitor import (
    DEFAULT_TARGETS,
    Target,
    alerts,
    check_table,
    kpi_alerts,
    kpi_table,
    load_targets,
    relative_change,
    unpaid_by_hour,
)


def _days(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    dates = pd.date_range("2024-11-01", periods=n, freq="D")
    return pd.DataFrame({"date": dates, **columns})


# --- targets ---------------------------------------------------------------------------------

def test_default_targets_are_the_plans():
    assert {k: (t.value, t.direction) for k, t in DEFAULT_TARGETS.items()} == {
        "ctr": (0.04, "min"), "click_to_deal": (0.035, "min"), "completion_rate": (0.65, "min"),
        "roi": (3.0, "min"), "cost_per_impression": (0.8, "max")}
    assert load_targets() == DEFAULT_TARGETS


def test_targets_from_a_dict_keep_or_set_the_direction():
    targets = load_targets({"ctr": 0.05, "roi": {"min": 2}, "cost_per_click": {"max": 1.2},
                            "gmv": 5000})
    assert targets["ctr"] == Target("ctr", 0.05, "min")
    assert targets["roi"] == Target("roi", 2.0, "min")
    assert targets["cost_per_click"] == Target("cost_per_click", 1.2, "max")
    assert targets["gmv"] == Target("gmv", 5000.0, "min")
    assert targets["click_to_deal"] == DEFAULT_TARGETS["click_to_deal"]


def test_targets_from_a_toml_file(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text("[targets]\nctr = 0.045\ncost_per_impression = { max = 0.5 }\n",
                    encoding="utf-8")
    targets = load_targets(path)
    assert targets["ctr"].value == 0.045
    assert targets["cost_per_impression"] == Target("cost_per_impression", 0.5, "max")
    flat = tmp_path / "flat.toml"
    flat.write_text("roi = 4\n", encoding="utf-8")
    assert load_targets(str(flat))["roi"].value == 4.0


@pytest.mark.parametrize(("source", "message"), [
    ({"ctrr": 0.05}, "no KPI called 'ctrr'"),
    ({"ctr": "high"}, "expected a number"),
    ({"ctr": True}, "expected a number"),
    ({"ctr": {"above": 0.05}}, "min = x"),
])
def test_bad_targets_raise(source, message):
    with pytest.raises(ShopDataError, match=message):
        load_targets(source)


def test_bad_target_files_raise(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("ctr = = 1\n", encoding="utf-8")
    with pytest.raises(ShopDataError, match="not valid TOML") as err:
        load_targets(bad)
    assert err.value.file == str(bad)
    with pytest.raises(ShopDataError, match="cannot read"):
        load_targets(tmp_path / "missing.toml")


def test_target_gap_and_status_in_both_directions():
    ctr = Target("ctr", 0.04, "min")
    assert ctr.gap(0.05) == pytest.approx(-0.25)
    assert [ctr.status(x) for x in (0.04, 0.037, 0.035)] == ["ok", "near", "off"]
    cost = Target("cost_per_impression", 0.8, "max")
    assert [cost.status(x) for x in (0.5, 0.85, 0.9)] == ["ok", "near", "off"]
    assert ctr.status(np.nan) == "ok"


# --- the KPI table ---------------------------------------------------------------------------

def test_kpi_table_counts_roi_and_costs_on_paid_rows_only():
    df = _days(channel=["ads", "feed"], impressions=[1000, 3000], clicks=[50, 90],
               buyers=[5, 3], gmv=[600.0, 300.0], ad_cost=[150.0, 0.0]).assign(
        date=pd.Timestamp("2024-11-01"))
    row = kpi_table(df).iloc[0]
    assert row["ctr"] == 140 / 4000  # all traffic
    assert row["roi"] == 600 / 150  # GMV of the paid rows over the spend
    assert row["cost_per_impression"] == 150 / 1000
    per_channel = kpi_table(df, by="channel").set_index("channel")
    assert per_channel.loc["ads", "roi"] == 4.0 and np.isnan(per_channel.loc["feed", "roi"])


def test_kpi_table_adds_plays_weighted_completion():
    funnel = _days(product_id=["1", "1"], impressions=[100, 100], clicks=[5, 5])
    videos = pd.DataFrame({"date": funnel["date"].repeat(2).to_numpy(),
                           "product_id": ["1"] * 4, "plays": [100, 300, 200, 200],
                           "completion_rate": [0.8, 0.4, 0.5, 0.7]})
    by_day = kpi_table(funnel, videos, by="date")
    assert by_day["completion_rate"].tolist() == pytest.approx([0.5, 0.6])
    assert by_day["plays"].tolist() == [400, 400]
    assert kpi_table(funnel, videos)["completion_rate"].iloc[0] == pytest.approx(0.55)


# --- alerts ----------------------------------------------------------------------------------

def test_off_target_alerts_per_product_and_overall():
    df = pd.concat([
        _days(product_id=["1"] * 2, impressions=[10_000] * 2, clicks=[500, 370], buyers=[20] * 2,
              gmv=[1000.0] * 2),
        _days(product_id=["2"] * 2, impressions=[10_000] * 2, clicks=[500, 500], buyers=[20] * 2,
              gmv=[1000.0] * 2)])
    out = alerts(df, watch=())
    ctr = out[(out["metric"] == "ctr") & (out["kind"] == "off_target")]
    # product 1 day 2: CTR 3.7 % is 7.5 % short of 4 %: inside the 10 % band, no alert
    assert ctr.empty
    conv = out[(out["metric"] == "click_to_deal") & (out["kind"] == "off_target")]
    # 20 / 500 = 4 % meets 3.5 %; 20 / 370 = 5.4 % too: nothing
    assert conv.empty
    low = alerts(df.assign(buyers=15), watch=())
    conv = low[(low["metric"] == "click_to_deal") & (low["kind"] == "off_target")]
    # day 2: overall 30 / 870 and product 1 (15 / 370) are within the band; day 1 all are 3 %
    assert conv[["date", "scope", "value"]].assign(date=conv["date"].dt.day).values.tolist() == [
        [2, "2", 0.03], [1, "overall", 0.03], [1, "1", 0.03], [1, "2", 0.03]]
    assert conv["severity"].unique().tolist() == ["medium"]  # 14 % short: under twice the band
    assert conv["target"].unique().tolist() == [0.035]


def test_drops_day_over_day_respect_the_direction_and_the_calendar():
    df = _days(product_id=["1"] * 4, impressions=[10_000] * 4, clicks=[600, 500, 500, 300],
               buyers=[30] * 4, gmv=[2000.0] * 4, ad_cost=[1000.0, 1000.0, 1300.0, 1300.0])
    df.loc[3, "date"] = pd.Timestamp("2024-11-06")  # a gap: no day before to compare with
    out = alerts(df, by="product_id", watch=("gmv",))
    drops = out[(out["kind"] == "drop") & (out["scope"] == "overall")]
    # CTR 6 % -> 5 %: -16.7 % (medium); cost per exposure 0.10 -> 0.13: +30 % (a rise is
    # the bad direction for a cost; exactly twice the threshold, so medium)
    assert drops[["date", "metric", "change", "severity"]].assign(
        date=drops["date"].dt.day, change=drops["change"].round(4)).values.tolist() == [
        [3, "cost_per_impression", 0.3, "medium"], [3, "roi", round(1000 / 1300 - 1, 4), "medium"],
        [2, "ctr", round(5 / 6 - 1, 4), "medium"]]
    assert drops["previous"].tolist() == [0.1, 2.0, 0.06]


def test_small_groups_are_not_alerted():
    df = _days(product_id=["1", "1"], impressions=[150, 150], clicks=[15, 1], buyers=[1, 0],
               gmv=[50.0, 0.0])
    assert alerts(df, min_base=200).empty
    assert not alerts(df, min_base=10).empty


def test_alerts_come_newest_first_with_the_columns_asked_for():
    df = _days(product_id=["1"] * 3, product_name=["面膜"] * 3, impressions=[10_000] * 3,
               clicks=[100, 100, 100], buyers=[1, 1, 1], gmv=[100.0] * 3)
    out = alerts(df)
    assert out.columns.tolist() == ["date", "scope", "product_id", "product_name", "metric",
                                    "kind", "value", "target", "previous", "change", "severity"]
    assert out["date"].is_monotonic_decreasing
    assert set(out["scope"]) == {"overall", "1 / 面膜"}
    assert out["severity"].tolist()[0] == "high"  # CTR 1 %: 75 % short


# --- unpaid orders ---------------------------------------------------------------------------

def test_unpaid_orders_by_hour_and_the_late_share():
    orders = pd.DataFrame({
        "ts": pd.to_datetime(["2024-11-01 09:10", "2024-11-01 22:05", "2024-11-01 22:40",
                              "2024-11-01 23:59", "2024-11-02 09:30"]),
        "paid_at": pd.to_datetime(["2024-11-01 09:11", None, "2024-11-01 22:41", None, None]),
        "status": ["paid", "cancelled", "paid", "unpaid", "paid"]})
    result = unpaid_by_hour(orders)
    table = result.table.set_index("hour")
    assert table.loc[[9, 22, 23], "orders"].tolist() == [2, 2, 1]
    assert table.loc[[9, 22, 23], "unpaid"].tolist() == [1, 1, 1]  # paid_at decides
    assert table.loc[22, "unpaid_rate"] == 0.5
    assert table["share_of_unpaid"].sum() == pytest.approx(1.0)
    assert result.late_share == pytest.approx(2 / 3)
    assert len(result.table) == 24
    by_status = unpaid_by_hour(orders.drop(columns="paid_at"), late_from=23)
    assert by_status.table["unpaid"].sum() == 2 and by_status.late_share == 0.5


def test_unpaid_orders_need_order_times():
    with pytest.raises(ShopDataError, match="order times"):
        unpaid_by_hour(pd.DataFrame({"ts": [pd.NaT], "status": ["unpaid"]}))
    with pytest.raises(ShopDataError, match="neither"):
        unpaid_by_hour(pd.DataFrame({"ts": pd.to_datetime(["2024-11-01"])}))


def test_alerts_for_the_whole_shop_only():
    df = _days(product_id=["1"] * 2, impressions=[10_000] * 2, clicks=[500, 300],
               buyers=[20, 12], gmv=[900.0, 500.0])
    out = alerts(df, by=None)
    assert set(out["scope"]) == {"overall"}
    assert "product_id" not in out.columns
    assert len(out) == len(alerts(df).query("scope == 'overall'"))


def test_an_unknown_metric_to_follow_is_a_shop_data_error() -> None:
    days = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
                         "impressions": [1000, 1000], "clicks": [50, 40], "gmv": [9.0, 8.0]})
    with pytest.raises(ShopDataError, match="no KPI called 'gvm'"):
        alerts(days, watch=["gvm"], by=None)
    assert len(alerts(days, watch=["gmv"], by=None)) > 0  # completion_rate: no videos, skipped


# --- a page's trend and cards ----------------------------------------------------------------------

def test_kpi_alerts_are_check_tables_of_one_kpi_with_its_value_named_after_it():
    daily = _days(impressions=[5000, 5000, 5000, 5000], clicks=[250, 250, 150, 230],
                  roi=[1.0, 1.0, 1.0, 1.0]).assign(ctr=lambda d: d["clicks"] / d["impressions"])
    target = Target("ctr", 0.04, "min")
    out = kpi_alerts(daily, "ctr", target)
    assert out["kind"].tolist() == ["off_target", "drop"]  # 11-04 is back at 4.6 %
    assert out["date"].dt.day.tolist() == [3, 3]
    assert out["ctr"].tolist() == pytest.approx([0.03, 0.03])
    assert "value" not in out.columns and set(out["metric"]) == {"ctr"}
    assert out["target"].iloc[0] == pytest.approx(0.04)
    # no target: only the drops; the other KPIs' targets are not looked at
    assert kpi_alerts(daily, "ctr")["kind"].tolist() == ["drop"]
    every = check_table(daily, {"ctr": target}, watch=("ctr",))
    assert len(out) == (every["metric"] == "ctr").sum()


def test_relative_change_against_nothing_is_nan():
    assert relative_change(0.06, 0.05) == pytest.approx(0.2)
    assert relative_change(90.0, 100) == pytest.approx(-0.1)
    assert np.isnan(relative_change(1.0, 0))
    assert np.isnan(relative_change(1.0, None))
    assert np.isnan(relative_change(1.0, np.nan))
    assert np.isnan(relative_change(1.0, pd.NA))
