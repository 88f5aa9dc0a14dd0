"""shopnb.digest: the other pages' alerts as the landing page lists them, worked out apart and cached."""

from __future__ import annotations

import os
import shutil
import time

import pandas as pd
import pytest

import shopnb as sn
from shopnb import digest
from shopnb.datasets import SAMPLE_FILES, sample_dir
from shopnb.digest import (
    ALERT_COLUMNS,
    Digest,
    build_digest,
    competitor_alerts,
    experiment_alerts,
    funnel_alerts,
    kpi_summary,
    sort_alerts,
)
from shopnb.errors import LoadProblem


@pytest.fixture
def prices() -> pd.DataFrame:
    """Three weeks; in the last, A cuts q below our p (55 -> 45), B cuts r by 10 %, C by 2 %."""
    weeks = pd.to_datetime(["2024-04-15", "2024-04-22", "2024-04-29"])
    rows = []
    for i, week in enumerate(weeks):
        last = i == 2
        rows += [(week, "own", "p", 50.0), (week, "A", "q", 45.0 if last else 55.0),
                 (week, "B", "r", 72.0 if last else 80.0), (week, "C", "s", 98.0 if last else 100.0)]
    return pd.DataFrame(rows, columns=["date", "shop", "product", "price"]).assign(
        category="美妆", gmv=100.0)


def test_competitor_alerts_are_the_latest_weeks_one_row_per_rival_product(prices):
    alerts = competitor_alerts(prices, own_shop="own")
    assert list(alerts.columns) == list(ALERT_COLUMNS)
    assert alerts[["severity", "kind", "subject"]].values.tolist() == [
        ["high", "price_below_own", "A · q"], ["medium", "price_cut", "B · r"]]
    a = alerts.iloc[0]
    assert (a["value"], a["reference"], a["limit"]) == (45.0, 55.0, 50.0)
    assert a["change"] == pytest.approx(45 / 55 - 1)
    assert (alerts["date"] == pd.Timestamp("2024-04-29")).all()


def test_competitor_alerts_of_an_earlier_week_are_not_open(prices):
    calm = prices.assign(price=prices.groupby(["shop", "product"])["price"].transform("first"))
    calm.loc[(calm["shop"] == "B") & (calm["date"] == "2024-04-22"), "price"] = 60.0
    assert competitor_alerts(calm, own_shop="own").empty  # B's cut was the week before


def test_the_own_shop_defaults_to_the_first_shop(prices):
    assert competitor_alerts(prices)["subject"].tolist() == ["A · q", "B · r"]


def test_experiment_alerts_on_the_sample_shop_match_its_planted_facts():
    truth = sn.make_shop_data(seed=7).truth["experiments"]
    alerts = experiment_alerts(sn.load_sample("experiments"))
    by_test = alerts.set_index("subject")
    assert by_test.loc["直播话术", "kind"] == "ab_srm"  # the broken 50/50 split
    assert by_test.loc["直播话术", "severity"] == "high" and by_test.loc["直播话术", "value"] < 1e-3
    assert by_test.loc["商品卡主图", "kind"] == "ab_ship"
    assert by_test.loc["商品卡主图", "detail"] == truth["商品卡主图"]["winner"]
    assert by_test.loc["商品卡主图", "value"] == pytest.approx(0.15, abs=0.06)  # +15 % CTR
    assert "短视频开头" not in by_test.index  # no effect yet, too little power: keep running


def test_experiment_alerts_need_variants():
    with pytest.raises(sn.ShopDataError, match="no variant column"):
        experiment_alerts(pd.DataFrame({"clicks": [1]}))


def test_sort_alerts_puts_high_first_and_lets_the_pages_take_turns():
    alerts = pd.DataFrame({
        "page": ["competitors"] * 3 + ["experiments", "funnel"],
        "severity": ["medium", "medium", "high", "medium", "medium"],
        "date": pd.to_datetime(["2024-05-03", "2024-05-02", "2024-05-01", "2024-04-20",
                                "2024-05-03"]),
        "subject": ["c1", "c2", "c3", "e1", "f1"]})
    assert sort_alerts(alerts)["subject"].tolist() == ["c3", "c1", "f1", "e1", "c2"]


def test_build_digest_keeps_what_could_not_be_read_or_worked_out(prices):
    missing = LoadProblem("experiments", "missing", "实验.csv", "no such file", "/srv")
    found = build_digest({"competitors": prices.drop(columns="price"), "experiments": missing})
    assert found.alerts.empty
    assert found.problems == [missing]
    assert [page for page, _ in found.failures] == ["competitors"]
    assert "price" in found.failures[0][1]


def test_a_digest_comes_back_from_json_as_it_went(prices):
    missing = LoadProblem("experiments", "missing", "实验.csv", "no such file", "/srv")
    found = build_digest({"competitors": prices, "experiments": missing}, own_shop="own")
    back = Digest.from_json(found.to_json())
    pd.testing.assert_frame_equal(back.alerts, found.alerts, check_dtype=False)
    assert back.alerts["date"].dtype == "datetime64[ns]"
    assert back.problems == found.problems and back.failures == found.failures


# --- the funnel's KPIs and alerts -----------------------------------------------------------------

@pytest.fixture
def days() -> pd.DataFrame:
    """Ten days of one product: every day 10,000 impressions, 500 clicks (CTR 5 %), 20 buyers,
    1,000 yuan; on the last day (a Wednesday) clicks fall to 300 (CTR 3 %) and GMV to 600."""
    dates = pd.date_range("2024-11-04", periods=10)  # Monday 11-04 .. Wednesday 11-13
    frame = pd.DataFrame({"date": dates, "product_id": "1", "product_name": "面膜",
                          "impressions": 10_000, "clicks": 500, "buyers": 20, "gmv": 1000.0})
    frame.loc[9, ["clicks", "gmv"]] = [300, 600.0]
    return frame


def test_kpi_summary_compares_today_and_this_week_with_the_span_before(days):
    summary = kpi_summary(days, kpis=("gmv", "ctr")).set_index(["period", "kpi"])
    today, week = summary.loc["today"], summary.loc["week"]
    assert (today.loc["gmv", "value"], today.loc["gmv", "previous"]) == (600.0, 1000.0)
    assert today.loc["ctr", "value"] == pytest.approx(0.03)
    assert today.loc["ctr", "status"] == "off" and today.loc["ctr", "target"] == 0.04
    # this week: Monday 11-11 to Wednesday 11-13, against 11-04 .. 11-06
    assert (week.loc["gmv", "value"], week.loc["gmv", "previous"]) == (2600.0, 3000.0)
    assert week.loc["ctr", "value"] == pytest.approx(1300 / 30_000)
    assert week.loc["ctr", "status"] == "ok"
    assert summary.loc[("week", "gmv"), "start"] == pd.Timestamp("2024-11-11")


def test_kpi_summary_takes_the_shops_targets(days):
    summary = kpi_summary(days, targets={"ctr": 0.047}, kpis=("ctr",))
    assert summary["target"].tolist() == [0.047, 0.047]
    assert summary["status"].tolist() == ["off", "near"]  # 3 % is 36 % short, 4.33 % 7.8 %


def test_funnel_alerts_are_the_latest_days(days):
    alerts = funnel_alerts(days)
    assert set(alerts["page"]) == {"funnel"} and set(alerts["date"]) == {pd.Timestamp("2024-11-13")}
    ctr = alerts[alerts["metric"] == "ctr"].set_index(["kind", "detail"])
    assert ctr.loc[("kpi_off_target", "overall"), "subject"] == ""
    assert ctr.loc[("kpi_off_target", "overall"), "reference"] == 0.04
    assert ctr.loc[("kpi_drop", "1"), "subject"] == "面膜"
    assert ctr.loc[("kpi_drop", "1"), "reference"] == pytest.approx(0.05)
    assert ctr.loc[("kpi_drop", "1"), "change"] == pytest.approx(-0.4)


def test_the_digest_has_the_funnel_alerts_with_the_shops_targets(days):
    found = build_digest({"funnel": days}, targets={"ctr": 0.02})
    assert "kpi_off_target" not in set(found.alerts["kind"])  # 3 % meets a 2 % target
    assert "kpi_drop" in set(found.alerts["kind"])


# --- digest: worked out in another process, cached ----------------------------------------------

def test_digest_is_worked_out_once_and_read_from_the_cache(data_folder, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copy(sample_dir() / SAMPLE_FILES["competitors"][0], data_folder)
    first = digest.cached_digest("山野集官方旗舰店")
    assert set(first.alerts["page"]) == {"competitors"}
    assert [p.table for p in first.problems] == ["funnel", "experiments"]  # not in the folder
    cached = sorted((tmp_path / "cache" / "shopnb").glob("digest-*.json"))
    assert len(cached) == 1
    marked = Digest.from_json(cached[0].read_text())
    marked.alerts.loc[0, "subject"] = "CACHED"
    cached[0].write_text(marked.to_json())
    assert digest.cached_digest("山野集官方旗舰店").alerts["subject"][0] == "CACHED"
    # another own shop is another digest
    assert "CACHED" not in digest.cached_digest("悦家生活馆").alerts["subject"].tolist()


def test_digests_unused_for_a_month_are_deleted_when_a_new_one_is_written(data_folder,
                                                                          monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "shopnb"
    folder.mkdir(parents=True)
    month = digest.DIGEST_UNUSED_S
    for name, age in (("old", month + 60), ("recent", month - 3600)):
        for suffix in (".json", ".lock"):
            path = folder / f"digest-{name}{suffix}"
            path.write_text("{}")
            os.utime(path, (time.time() - age,) * 2)
    digest.cached_digest()
    left = sorted(p.name for p in folder.iterdir())
    assert "digest-old.json" not in left and "digest-old.lock" not in left
    assert {"digest-recent.json", "digest-recent.lock"} <= set(left)
    (current,) = set(folder.glob("digest-*.json")) - {folder / "digest-recent.json"}
    # reading a digest marks it used: its age counts from then
    os.utime(current, (time.time() - month - 60,) * 2)
    digest.cached_digest()
    assert time.time() - current.stat().st_mtime < 60


def test_a_failed_digest_says_so_on_the_page_not_with_a_traceback(data_folder, monkeypatch,
                                                                  tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(digest.sys, "executable", str(tmp_path / "no-python"))
    found = digest.cached_digest()
    assert found.alerts.empty
    assert found.failures == [("index", "the alerts could not be worked out; the server log "
                                        "has the details")]
