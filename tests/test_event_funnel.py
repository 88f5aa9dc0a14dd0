"""Event-log funnels in DuckDB, checked by hand and against ClickHouse's own windowFunnel (chdb)."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from shopnb import load_events
from shopnb.errors import ShopDataError
from shopnb.eventlog import (
    conversion_by_entry_day,
    event_funnel,
    prepare,
    select_events,
    time_to_convert,
)

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
TIANCHI = REALDATA / "tianchi_mobile_sample" / "tianchi_mobile_recommend_train_user_sample.csv"
STEPS = ["impression", "click", "cart", "pay"]
T0 = pd.Timestamp("2024-11-01 10:00:00")


def _log(rows: list[tuple[str, int, str]], **extra: list) -> pd.DataFrame:
    """(user, seconds after T0, event) rows as a canonical event log."""
    users, secs, events = zip(*rows, strict=True)
    return pd.DataFrame({"user_id": users, "ts": T0 + pd.to_timedelta(secs, unit="s"),
                         "event": events, **extra})


def _users(result: pd.DataFrame) -> list[int]:
    return result["count"].tolist()


def _levels(events: pd.DataFrame, steps: list[str], window: float, mode: str,
            by: tuple[str, ...] = ()) -> pd.Series:
    """Per (by, user) level from event_funnel, by splitting on a copy of the user id."""
    split = events.assign(uid=events["user_id"])
    out = event_funnel(split, steps, window, by=[*by, "uid"], mode=mode)
    return out.groupby([*by, "uid"], observed=True)["count"].sum().rename("level")


# --- by hand ---------------------------------------------------------------------------------

def test_ordered_chain_within_the_window_from_the_chains_first_event():
    log = _log([("a", 0, "impression"), ("a", 60, "click"), ("a", 3000, "cart"),
                ("a", 3700, "pay"),  # pay is 3700 s after the impression: outside 3600 s
                ("b", 0, "impression"), ("b", 10, "cart"),  # no click: stops at 1
                ("c", 0, "click"), ("c", 5, "cart")])  # no impression: level 0
    out = event_funnel(log, STEPS, window=3600)
    assert out["stage"].tolist() == STEPS
    assert _users(out) == [2, 1, 1, 0]
    assert out["rate_from_previous"].tolist()[:3] == [1.0, 0.5, 1.0]
    assert out["rate_from_first"].tolist() == [1.0, 0.5, 0.5, 0.0]
    assert _users(event_funnel(log, STEPS, window=3700)) == [2, 1, 1, 1]  # the end is inclusive


def test_a_repeated_first_step_restarts_the_window():
    # the first impression is too old for the pay, the second one is recent enough
    log = _log([("a", 0, "impression"), ("a", 100, "click"), ("a", 5000, "impression"),
                ("a", 5100, "click"), ("a", 5200, "cart"), ("a", 6000, "pay")])
    assert _users(event_funnel(log, STEPS, window=1200)) == [1, 1, 1, 1]
    # a later impression does not help a chain whose click came before it
    log2 = _log([("a", 0, "impression"), ("a", 100, "click"), ("a", 200, "impression"),
                 ("a", 5000, "cart")])
    assert _users(event_funnel(log2, STEPS, window=1000)) == [1, 1, 0, 0]


def test_ties_count_as_in_order_and_steps_may_repeat():
    log = _log([("a", 0, "impression"), ("a", 0, "click"), ("a", 0, "cart"),
                ("b", 0, "cart"), ("b", 0, "click"), ("b", 0, "impression"),  # same second
                ("c", 0, "impression"), ("c", 50, "click"), ("c", 60, "click"),
                ("c", 70, "cart")])
    assert _users(event_funnel(log, STEPS, window=0)) == [3, 2, 2, 0]
    assert _users(event_funnel(log, STEPS, window=100)) == [3, 3, 3, 0]


def test_strict_order_stops_at_another_event_or_a_skipped_step():
    log = _log([("a", 0, "impression"), ("a", 10, "fav"), ("a", 20, "click"),  # fav stops it
                ("b", 0, "fav"), ("b", 5, "impression"), ("b", 10, "click"),  # fav before: fine
                ("c", 0, "impression"), ("c", 10, "cart"), ("c", 20, "click"),  # cart skips click
                ("d", 0, "impression"), ("d", 10, "click"), ("d", 20, "click"),
                ("d", 30, "cart")])  # a repeated step does not stop it
    assert _users(event_funnel(log, STEPS, window=3600, mode="strict_order")) == [4, 2, 1, 0]
    assert _users(event_funnel(log, STEPS, window=3600)) == [4, 4, 1, 0]  # c: cart before click


def test_unordered_counts_the_first_k_steps_in_any_order_within_one_window():
    log = _log([("a", 0, "cart"), ("a", 30, "click"), ("a", 60, "impression"),
                ("b", 0, "click"), ("b", 500, "impression"),  # 500 s apart
                ("c", 0, "pay"), ("c", 10, "impression")])
    assert _users(event_funnel(log, STEPS, window=100, mode="unordered")) == [3, 1, 1, 0]
    assert _users(event_funnel(log, STEPS, window=500, mode="unordered")) == [3, 2, 1, 0]
    assert _users(event_funnel(log, STEPS, window=500, mode="default")) == [3, 0, 0, 0]


def test_by_splits_chains_and_rates_come_with_wilson_intervals():
    log = _log([("a", 0, "impression"), ("a", 10, "click"), ("b", 0, "impression"),
                ("c", 0, "impression"), ("c", 5, "click"), ("a", 20, "impression")],
               channel=["feed", "feed", "feed", "search", "search", "search"])
    out = event_funnel(log, ["impression", "click"], window=60, by="channel")
    assert out[["channel", "stage", "count"]].values.tolist() == [
        ["feed", "impression", 2], ["feed", "click", 1],
        ["search", "impression", 2], ["search", "click", 1]]
    click = out[out["stage"] == "click"].iloc[0]
    assert click["rate_from_previous"] == 0.5
    assert click["rate_from_previous_ci_lower"] < 0.5 < click["rate_from_previous_ci_upper"]


def test_inputs_dataframe_parquet_csv_and_relation_agree(tmp_path):
    log = _log([("a", 0, "impression"), ("a", 60, "click"), ("b", 0, "impression")])
    log.to_parquet(tmp_path / "log.parquet")
    log.to_csv(tmp_path / "log.csv", index=False)
    con = duckdb.connect()
    results = [event_funnel(src, STEPS[:2], window=3600) for src in (
        log, tmp_path / "log.parquet", str(tmp_path / "log.csv"),
        con.read_parquet(str(tmp_path / "log.parquet")))]
    for result in results[1:]:
        pd.testing.assert_frame_equal(result, results[0])
    assert _users(results[0]) == [2, 1]


def test_epoch_seconds_and_missing_values():
    log = pd.DataFrame({"uid": ["a", "a", None, "b"], "when": [100, 160, 100, 100],
                        "what": ["impression", "click", "impression", None]})
    out = event_funnel(log, STEPS[:2], window=60, user_id="uid", ts="when", event="what")
    assert _users(out) == [1, 1]  # the row without a user and the one without an event drop out
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = event_funnel(log, STEPS[:2], window=60, user="uid", time="when", event="what")
    assert [str(w.message) for w in caught] == [
        "'event_funnel(user=...)' is deprecated; use 'event_funnel(user_id=...)'",
        "'event_funnel(time=...)' is deprecated; use 'event_funnel(ts=...)'"]
    pd.testing.assert_frame_equal(old, out)
    with pytest.raises(TypeError, match="both time= and ts="):
        event_funnel(log, STEPS[:2], window=60, time="when", ts="when")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": ["click", "click"]}, "once"),
    ({"steps": []}, "1 to 32"),
    ({"mode": "fastest"}, "mode"),
    ({"window": "soon"}, "window"),
    ({"window": -5}, "window"),
    ({"by": "user_id"}, "distinct"),
    ({"by": "carrier"}, "carrier"),
])
def test_bad_questions_raise_shop_data_error(kwargs, message):
    log = _log([("a", 0, "impression")])
    args = {"steps": STEPS, "window": 60, **kwargs}
    with pytest.raises(ShopDataError, match=message):
        event_funnel(log, **args)


def test_bad_sources_raise_shop_data_error(tmp_path):
    with pytest.raises(ShopDataError, match="no such file"):
        event_funnel(tmp_path / "missing.parquet", STEPS, 60)
    with pytest.raises(ShopDataError, match="DataFrame"):
        event_funnel([1, 2, 3], STEPS, 60)
    with pytest.raises(ShopDataError, match="no ts column"):
        event_funnel(pd.DataFrame({"user_id": [1], "event": ["click"]}), STEPS, 60)


def test_a_connection_that_reorders_rows_is_refused():
    con = duckdb.connect(config={"preserve_insertion_order": False})
    rel = con.from_df(_log([("a", 0, "impression")]))
    with pytest.raises(ShopDataError, match="preserve_insertion_order"):
        event_funnel(rel, STEPS, 60)


def test_an_empty_log_gives_zero_users():
    out = event_funnel(_log([("a", 0, "fav")]), STEPS, 60)
    assert _users(out) == [0, 0, 0, 0]
    assert out["rate_from_previous"].isna().all()


# --- time to convert and entry-day cohorts -----------------------------------------------------

def test_time_to_convert_measures_from_the_latest_start_and_counts_each_user_once():
    log = _log([("a", 0, "click"), ("a", 600, "click"), ("a", 900, "pay"), ("a", 950, "pay"),
                ("b", 0, "click"), ("b", 30, "pay"),
                ("c", 0, "click"), ("c", 90_000, "pay"),  # outside one day
                ("d", 100, "pay"), ("d", 200, "click")])  # pay before click: no conversion
    times = time_to_convert(log, "click", "pay", window="1D")
    assert times.stats["users"].tolist() == [2]
    assert times.median_s == 165.0
    assert times.p90_s == pytest.approx(30 + 0.9 * 270)
    hist = times.histogram
    assert hist["upper_s"].iloc[-1] == 86400.0
    hit = hist[hist["users"] > 0]  # 30 s, and 300 s (a bin holds its lower edge)
    assert hit["lower_s"].tolist() == [0.0, 300.0]
    assert hit["upper_s"].tolist() == [60.0, 900.0]
    assert hit["users"].tolist() == [1, 1]
    assert hist["share"].sum() == pytest.approx(1.0)


def test_time_to_convert_agrees_with_pandas_merge_asof():
    log = _generated_log(seed=3, n_users=400)
    times = time_to_convert(log, "click", "pay", window=7200)
    clicks = log[log["event"] == "click"].sort_values("ts")
    pays = log[log["event"] == "pay"].sort_values("ts")
    pairs = pd.merge_asof(pays, clicks[["user_id", "ts"]].rename(columns={"ts": "click_ts"}),
                          left_on="ts", right_on="click_ts", by="user_id")
    pairs["d"] = (pairs["ts"] - pairs["click_ts"]).dt.total_seconds()
    first = pairs[pairs["d"] <= 7200].sort_values("ts").groupby("user_id").first()
    assert times.stats["users"].iloc[0] == len(first)
    assert times.median_s == pytest.approx(first["d"].median())
    assert times.p90_s == pytest.approx(first["d"].quantile(0.9))


def test_conversion_by_entry_day_splits_the_funnel_by_first_day():
    log = _generated_log(seed=5, n_users=300)
    days = conversion_by_entry_day(log, STEPS, window=3600)
    total = event_funnel(log, STEPS, window=3600)
    summed = days.groupby("stage", observed=True)["count"].sum()
    assert summed.tolist() == _users(total)
    first_day = log[log["event"] == "impression"].groupby("user_id")["ts"].min().dt.normalize()
    entrants = days[days["stage"] == "impression"].set_index("date")["count"]
    assert entrants.to_dict() == first_day.value_counts().sort_index().to_dict()


# --- against ClickHouse ----------------------------------------------------------------------

def _generated_log(seed: int, n_users: int) -> pd.DataFrame:
    """Logs with repeated first steps, ties (10-second grid), out-of-window and other events."""
    rng = np.random.default_rng(seed)
    names = np.array([*STEPS, "fav"])
    sizes = rng.integers(1, 14, n_users)
    users = np.repeat([f"u{i}" for i in range(n_users)], sizes)
    events = rng.choice(names, len(users), p=[0.45, 0.25, 0.14, 0.08, 0.08])
    # sessions: most events close together, some hours or days later
    secs = rng.integers(0, 360, len(users)) * 10 + rng.choice(
        [0, 0, 0, 3600, 86_400], len(users)) + rng.integers(0, 3, len(users)) * 7200
    channel = rng.choice(["feed", "search"], len(users))
    return pd.DataFrame({"user_id": users, "ts": T0 + pd.to_timedelta(secs, unit="s"),
                         "event": events, "channel": channel})


def _clickhouse_levels(chdb, path: Path, steps: list[str], window_s: float, mode: str,
                       by: tuple[str, ...] = ()) -> pd.Series:
    """windowFunnel per (by, user) on the Parquet file, microsecond timestamps."""
    ts = "toUInt64(toUnixTimestamp64Micro(ts))"
    window = int(window_s * 1_000_000)
    keys = ", ".join([*by, "user_id"])

    def funnel(conds: list[str], option: str = "") -> str:
        params = f"{window}, '{option}'" if option else str(window)
        return f"windowFunnel({params})({ts}, {', '.join(conds)})"

    conds = [f"event = '{s}'" for s in steps]
    if mode == "unordered":  # the best order of the first k steps, for each k
        per_k = [" OR ".join(f"{funnel(list(p))} = {k}" for p in itertools.permutations(conds[:k]))
                 for k in range(1, len(steps) + 1)]
        level = " + ".join(f"({p})" for p in per_k)
    else:
        level = funnel(conds, "strict_order" if mode == "strict_order" else "")
    query = (f"SELECT {keys}, {level} AS level FROM file('{path}', Parquet) GROUP BY {keys} "
             f"ORDER BY {keys}")
    found = chdb.query(query, "DataFrame")
    return found.set_index([*by, "user_id"])["level"].astype("int64")


def _compare(chdb, log: pd.DataFrame, tmp_path: Path, steps: list[str], window: float,
             mode: str, by: tuple[str, ...] = ()) -> int:
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    expected = _clickhouse_levels(chdb, path, steps, window, mode, by)
    ours = _levels(log, steps, window, mode, by)
    ours.index = ours.index.set_names([*by, "user_id"])
    ours = ours.reindex(expected.index, fill_value=0)
    mismatched = expected[ours != expected]
    assert mismatched.empty, (f"{mode}, window {window}: {len(mismatched)} users differ, e.g.\n"
                              f"{pd.concat([expected, ours], axis=1).loc[mismatched.index[:5]]}")
    counts = event_funnel(log, steps, window, by=list(by) or None, mode=mode)
    per_step = counts.groupby("stage", observed=True)["count"].sum().tolist()
    assert per_step == [(expected >= k).sum() for k in range(1, len(steps) + 1)]
    return int((expected > 1).sum())


@pytest.mark.parametrize("mode", ["ordered", "strict_order", "unordered"])
@pytest.mark.parametrize("window", [0, 600, 7200, 2 * 86_400])
def test_generated_logs_match_clickhouse_window_funnel(mode, window, tmp_path):
    chdb = pytest.importorskip("chdb", reason="chdb (ClickHouse) is in the test extras")
    log = _generated_log(seed=11, n_users=600)
    converted = _compare(chdb, log, tmp_path, STEPS, window, mode)
    assert window == 0 or converted > 20  # the comparison exercised chains, not just starts


@pytest.mark.parametrize("mode", ["ordered", "strict_order", "unordered"])
def test_generated_logs_split_by_channel_match_clickhouse(mode, tmp_path):
    chdb = pytest.importorskip("chdb", reason="chdb (ClickHouse) is in the test extras")
    _compare(chdb, _generated_log(seed=12, n_users=400), tmp_path, STEPS, 3600, mode,
             by=("channel",))


@pytest.mark.realdata
@pytest.mark.parametrize("mode", ["ordered", "strict_order", "unordered"])
@pytest.mark.parametrize("window", [3600, 86_400, 7 * 86_400])
def test_tianchi_behaviour_sample_matches_clickhouse(mode, window, tmp_path):
    if not TIANCHI.exists():
        pytest.skip(f"{TIANCHI} is absent (../shared/realdata is not on this machine)")
    chdb = pytest.importorskip("chdb", reason="chdb (ClickHouse) is in the test extras")
    log = load_events(TIANCHI, strict=False)[["user_id", "ts", "event", "item_id"]]
    # hourly timestamps: many ties; fav is the event strict_order stops at
    for steps in (["click", "cart", "pay"], ["click", "pay"]):
        _compare(chdb, log, tmp_path, steps, window, mode)
        _compare(chdb, log, tmp_path, steps, window, mode, by=("item_id",))


def test_a_log_of_many_chunks_matches_clickhouse_counts(tmp_path):
    """Enough rows for DuckDB to sort in parallel and stream many vectors through the scans."""
    chdb = pytest.importorskip("chdb", reason="chdb (ClickHouse) is in the test extras")
    log = _generated_log(seed=13, n_users=30_000)
    path = tmp_path / "big.parquet"
    log.to_parquet(path, row_group_size=20_000)
    for mode in ("ordered", "strict_order"):
        expected = _clickhouse_levels(chdb, path, STEPS, 3600, mode)
        counts = event_funnel(path, STEPS, 3600, mode=mode)
        assert _users(counts) == [int((expected >= k).sum()) for k in range(1, 5)]


# --- a prepared log for many questions -------------------------------------------------------

def test_prepare_keys_users_by_number_and_select_events_filters():
    log = _log([("bob", 0, "impression"), ("amy", 60, "impression"), ("bob", 90, "click"),
                ("amy", 86_400 + 60, "click")], carrier=["live", "live", "live", "card"])
    prepared = prepare(log)
    rows = prepared.order("ts").fetchall()
    assert [r[0] for r in rows] == [2, 1, 2, 1]  # amy 1, bob 2
    assert _users(event_funnel(prepared, STEPS[:2], 3600)) == _users(
        event_funnel(log, STEPS[:2], 3600)) == [2, 1]
    first_day = select_events(prepared, end=T0)
    assert _users(event_funnel(first_day, STEPS[:2], 3600)) == [2, 1]
    live = select_events(prepared, start=T0 + pd.Timedelta(seconds=30),
                         where={"carrier": ["live"]})
    assert live.count("*").fetchall()[0][0] == 2
    assert select_events(prepared, where={"carrier": []}).count("*").fetchall()[0][0] == 0
    with pytest.raises(ShopDataError, match="channel"):
        select_events(prepared, where={"channel": ["feed"]})
    with pytest.raises(ShopDataError, match="no uid column"):
        prepare(log, user_id="uid")
