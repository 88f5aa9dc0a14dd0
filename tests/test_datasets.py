"""Tests for shopnb.datasets (the sample shop) and `shopnb sample`.

The shop is generated once per module; the written files once per module too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare

from shopnb import cli, schema
from shopnb.datasets import (
    CARRIER_ZH,
    CHANNEL_ZH,
    FORMAT_ZH,
    STATUS_ZH,
    ShopData,
    make_shop_data,
    write_sample,
)

FRAMES = {"funnel": "funnel", "events": "events", "videos": "videos",
          "competitors": "competitors", "experiments": "experiments", "orders": "orders",
          "live_rooms": "live_rooms"}
FILES = {  # file -> (canonical table, encoding)
    "电商罗盘_商品载体明细.csv": ("funnel", "gb18030"),
    "电商罗盘_直播间概览.xlsx": ("live_rooms", None),
    "创作者中心_作品数据.csv": ("videos", "utf-8-sig"),
    "竞品_周度监控.xlsx": ("competitors", None),
    "实验_商品卡主图.csv": ("experiments", "utf-8"),
    "实验_短视频开头.csv": ("experiments", "utf-8"),
    "实验_直播话术.csv": ("experiments", "utf-8"),
    "用户行为日志.parquet": ("events", None),
    "抖店_订单.csv": ("orders", "gbk"),
}
# Real export headers without a canonical column (kept as extras), and one alias to add.
EXTRA_HEADERS = {"直播时长(小时)", "带货商品数", "观看成交转化率(人数)", "实验前成交金额"}
CELL = ["date", "product_id", "carrier", "channel"]


@pytest.fixture(scope="module")
def shop() -> ShopData:
    return make_shop_data(seed=7)


@pytest.fixture(scope="module")
def written(shop: ShopData, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sample(shop, tmp_path_factory.mktemp("sample"))


def _read(path: Path) -> pd.DataFrame:
    encoding = FILES[path.name][1]
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
    if path.suffix == ".xlsx":
        return pd.read_excel(path)
    return pd.read_parquet(path)


# --- determinism and shape ------------------------------------------------------------------


def test_same_seed_gives_equal_frames(shop: ShopData) -> None:
    again = make_shop_data(seed=7)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(shop, name), getattr(again, name))
    pd.testing.assert_frame_equal(shop.truth["price_cuts"], again.truth["price_cuts"])


def test_other_seed_gives_other_frames(shop: ShopData) -> None:
    other = make_shop_data(seed=8)
    for name in ("funnel", "events", "orders", "competitors", "experiments"):
        assert not getattr(shop, name).equals(getattr(other, name)), name


def test_columns_and_dtypes_are_canonical(shop: ShopData) -> None:
    for name, table in FRAMES.items():
        spec = schema.TABLES[table]
        frame = getattr(shop, name)
        for column in frame.columns:
            base = column.removesuffix("_low").removesuffix("_high")
            if column == "pre_revenue":
                assert frame[column].dtype == "float64"
                continue
            assert base in spec.names, f"{name}.{column}"
            assert frame[column].dtype == spec.column(base).dtype, f"{name}.{column}"


def test_sizes(shop: ShopData) -> None:
    funnel = shop.funnel
    assert funnel["date"].nunique() >= 120
    assert (funnel["date"].max() - funnel["date"].min()).days >= 119
    assert funnel["product_id"].nunique() >= 20
    assert funnel["category"].nunique() >= 4
    assert funnel["channel"].nunique() >= 5
    assert 800_000 <= len(shop.events) <= 1_200_000
    assert funnel["product_id"].str.fullmatch(r"3\d{18}").all()


def test_codes_are_canonical_and_their_chinese_maps_back(shop: ShopData) -> None:
    funnel = shop.funnel
    assert set(funnel["carrier"]) == {"live", "video", "card"}
    assert set(funnel["channel"]) <= set(CHANNEL_ZH)
    assert set(funnel.loc[funnel["carrier"] == "video", "format"]) == set(FORMAT_ZH)
    assert set(funnel.loc[funnel["carrier"] != "video", "format"]) == {"all"}
    assert set(shop.events["event"]) == {"click", "cart", "order", "pay"}
    assert set(shop.orders["status"]) <= set(STATUS_ZH)
    for zh, maps in ((CARRIER_ZH, schema.CARRIERS), (CHANNEL_ZH, schema.CHANNELS),
                     (FORMAT_ZH, schema.FORMATS), (STATUS_ZH, schema.ORDER_STATUS)):
        assert all(maps[label] == code for code, label in zh.items())


def test_channels_by_carrier(shop: ShopData) -> None:
    channels = shop.funnel.groupby("carrier")["channel"].unique().map(set)
    assert channels["live"] == channels["video"] == {"feed", "followers", "ads", "search"}
    assert channels["card"] == {"shop_window", "search", "mall"}


# --- the funnel and the click stream --------------------------------------------------------


def test_funnel_stage_order_in_every_row(shop: ShopData) -> None:
    for frame in (shop.funnel, shop.live_rooms):
        for earlier, later in schema.TABLES["funnel"].stage_pairs:
            if {earlier, later} <= set(frame.columns):
                assert (frame[later] <= frame[earlier]).all(), (earlier, later)
    f = shop.funnel
    assert (f["carts"] <= f["clicks"]).all()
    assert (f["impressions"] <= f["impressions_times"]).all()
    assert (f["clicks"] <= f["clicks_times"]).all()
    assert not f.duplicated(CELL).any()


def test_events_agree_exactly_with_funnel(shop: ShopData) -> None:
    events = shop.events.assign(date=shop.events["ts"].dt.normalize()).rename(
        columns={"item_id": "product_id"})
    grouped = events.groupby([*CELL, "event"])["user_id"]
    people, times = grouped.nunique().unstack(fill_value=0), grouped.size().unstack(fill_value=0)
    counted = pd.DataFrame({
        "clicks": people["click"], "carts": people["cart"], "buyers": people["pay"],
        "orders": times["order"], "clicks_times": times["click"], "carts_times": times["cart"],
    })
    funnel = shop.funnel.set_index(CELL)[counted.columns].astype("int64")
    pd.testing.assert_frame_equal(counted.sort_index(), funnel.sort_index(), check_names=False)


def test_events_keep_causal_order_within_a_day(shop: ShopData) -> None:
    events = shop.events.assign(date=shop.events["ts"].dt.normalize())
    first = events.groupby(["user_id", "date", "item_id", "carrier", "channel", "event"])[
        "ts"].min().unstack()
    for earlier, later in (("click", "cart"), ("click", "order"), ("cart", "order"),
                           ("order", "pay")):
        both = first[[earlier, later]].dropna()
        assert (both[earlier] < both[later]).all(), (earlier, later)
    assert first["click"].notna().all()
    assert events["value"].notna().eq(events["event"].isin(["order", "pay"])).all()


def test_users_return_on_several_days(shop: ShopData) -> None:
    visits = pd.DataFrame({"user_id": shop.events["user_id"],
                           "date": shop.events["ts"].dt.normalize()}).drop_duplicates()
    days = visits.groupby("user_id").size()
    assert days.max() >= 30
    assert (days >= 5).mean() > 0.2
    assert (days == 1).mean() > 0.1


def test_orders_follow_the_log(shop: ShopData) -> None:
    orders, events = shop.orders, shop.events
    assert len(orders) == (events["event"] == "order").sum()
    assert orders["paid_at"].notna().sum() == (events["event"] == "pay").sum()
    assert orders["order_id"].is_unique
    assert (orders["paid_at"].dropna() > orders.loc[orders["paid_at"].notna(), "ts"]).all()
    unpaid = orders["paid_at"].isna().groupby(orders["ts"].dt.hour >= 22).mean()
    assert unpaid[True] > 2 * unpaid[False]
    assert set(orders.loc[orders["paid_at"].isna(), "status"]) <= {"unpaid", "cancelled"}
    assert (orders[orders["paid_at"].notna()].groupby("user_id")["ts"].nunique() > 1).any()
    paid = orders[orders["paid_at"].notna()]
    gmv = paid.assign(date=paid["ts"].dt.normalize()).groupby(CELL)["amount"].sum()
    funnel = shop.funnel.set_index(CELL)["gmv"]
    assert np.allclose(gmv.reindex(funnel.index, fill_value=0), funnel)


def test_carriers_channels_and_ads_differ(shop: ShopData) -> None:
    f = shop.funnel
    by = f.groupby(["carrier", "channel"])[["impressions", "clicks", "buyers", "gmv",
                                            "ad_cost"]].sum()
    ctr = by["clicks"] / by["impressions"]
    assert ctr.idxmax() == ("card", "search")
    carrier = f.groupby("carrier")[["clicks", "buyers"]].sum()
    assert (carrier["buyers"] / carrier["clicks"]).idxmax() == "live"
    assert (f.loc[f["channel"] != "ads", "ad_cost"] == 0).all()
    assert (f.loc[f["channel"] == "ads", "ad_cost"] > 0).all()
    ads = by.xs("ads", level="channel")
    assert ((ads["gmv"] / ads["ad_cost"]).between(2, 4)).all()


def test_calendar_has_trend_weekends_and_double_11(shop: ShopData) -> None:
    daily = shop.funnel.groupby("date")["gmv"].sum()
    assert daily.idxmax() == pd.Timestamp("2026-11-11")
    assert daily["2026-11-11"] > 2 * daily["2026-10-01":"2026-10-15"].mean()
    weekend = daily.index.day_of_week >= 5
    assert daily[weekend].mean() > 1.1 * daily[~weekend].mean()
    assert daily["2026-10-01":"2026-10-15"].mean() > daily["2026-07-01":"2026-07-15"].mean()


# --- videos and the live room ---------------------------------------------------------------


def test_video_clicks_are_the_funnels_video_clicks(shop: ShopData) -> None:
    videos = shop.videos
    assert not videos.duplicated(["date", "product_id"]).any()
    funnel = shop.funnel[shop.funnel["carrier"] == "video"].groupby(["date", "product_id"])[
        ["clicks", "orders"]].sum()
    summed = videos.groupby(["date", "product_id"])[["clicks", "orders"]].sum()
    pd.testing.assert_frame_equal(funnel, summed.loc[funnel.index])
    assert (summed.drop(funnel.index)["clicks"] == 0).all()


def test_video_ctr_decays_and_completion_differs_by_format(shop: ShopData) -> None:
    videos = shop.videos
    age = (videos["date"] - videos["published_at"].dt.normalize()).dt.days
    fresh, old = videos[age <= 2], videos[age >= 10]
    assert (fresh["clicks"].sum() / fresh["impressions"].sum()
            > 1.2 * old["clicks"].sum() / old["impressions"].sum())
    completion = videos.groupby("format")["completion_rate"].mean()
    assert completion.min() < 0.6 < 0.65 < completion.max()
    assert (videos["plays"] <= videos["impressions"]).all()
    assert (videos["avg_play_s"] <= videos["duration_s"]).all()


def test_live_rooms_match_live_funnel(shop: ShopData) -> None:
    rooms = shop.live_rooms.set_index("date")
    live = shop.funnel[shop.funnel["carrier"] == "live"].groupby("date")[["gmv", "orders"]].sum()
    assert np.allclose(rooms.loc[live.index, "gmv"], live["gmv"])
    assert (rooms.loc[live.index, "orders"] == live["orders"]).all()
    assert (rooms["room_impressions"] >= rooms["views"]).all()
    assert (rooms["views"] >= rooms["impressions"]).all()
    assert len(rooms) == len(shop.truth["live_sessions"])


# --- competitors and experiments ------------------------------------------------------------


def test_price_cuts_are_listed_and_are_the_only_drops(shop: ShopData) -> None:
    c = shop.competitors.sort_values(["shop", "product", "date"])
    ratio = c["price"] / c.groupby(["shop", "product"])["price"].shift()
    drops = c.loc[ratio <= 0.95, ["shop", "product", "date"]]
    cuts = shop.truth["price_cuts"]
    assert set(drops.itertuples(index=False)) == set(
        cuts[["shop", "product", "date"]].itertuples(index=False))
    assert (1 - cuts["new_price"] / cuts["old_price"]).between(0.05, 0.30).all()
    assert len(cuts) >= 5


def test_competitor_shares_ranges_and_audiences(shop: ShopData) -> None:
    c = shop.competitors
    assert c["shop"].nunique() == 6
    assert shop.truth["own_shop"] in set(c["shop"])
    assert c.groupby("shop")["product"].nunique().between(3, 5).all()
    ages = c.filter(regex=r"^age_.*_share$")
    traffic = c.filter(regex=r"^traffic_.*_share$")
    assert ages.shape[1] == 5 and traffic.shape[1] == 6
    for group in (ages, traffic, c[["female_share", "male_share"]]):
        assert np.allclose(group.sum(axis=1), 1)
    assert ((c["sales_low"] <= c["sales"]) & (c["sales"] <= c["sales_high"])).all()
    assert (c["sales"] * 2 == c["sales_low"] + c["sales_high"]).all()
    assert np.allclose(c["gmv"] * 2, c["gmv_low"] + c["gmv_high"])
    weekly = c.groupby(["date", "shop"])["age_31_40_share"].first().unstack()
    oldest = weekly.mean().idxmax()
    assert (weekly[oldest] - weekly.drop(columns=oldest).max(axis=1) >= 0.20).all()


def test_experiments(shop: ShopData) -> None:
    x = shop.experiments
    assert set(x["experiment"]) == set(shop.truth["experiments"])
    card = x[x["experiment"] == "商品卡主图"]
    assert sorted(card["variant"].unique()) == ["A", "B", "C", "D"]
    assert card["date"].nunique() == 14
    sums = card.groupby("variant")[["impressions", "clicks"]].sum()
    assert (sums["clicks"] / sums["impressions"]).idxmax() == "C"
    opening = x[x["experiment"] == "短视频开头"]
    assert opening["date"].nunique() == 14 and opening["pre_revenue"].notna().all()
    assert chisquare(opening["variant"].value_counts().to_numpy()).pvalue > 0.001
    script = x[x["experiment"] == "直播话术"]
    assert script["date"].nunique() == 10
    counts = script["variant"].value_counts()
    assert chisquare(counts.to_numpy()).pvalue < 0.001
    assert 0.51 < counts["control"] / counts.sum() < 0.53
    for users in (opening, script):
        assert users["user_id"].is_unique and users["converted"].notna().all()


# --- the written files ----------------------------------------------------------------------


def test_written_files_are_small_and_complete(written: list[Path]) -> None:
    assert sorted(p.name for p in written) == sorted(FILES)
    assert sum(p.stat().st_size for p in written) < 15_000_000
    assert not [p for p in written[0].parent.iterdir() if p.name.startswith(".")]


def test_written_files_read_with_their_encoding_and_known_headers(written: list[Path]) -> None:
    for path in written:
        table, encoding = FILES[path.name]
        if encoding:
            text = path.read_bytes()
            assert text.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig"), path.name
            text.decode(encoding)
        frame = _read(path)
        assert len(frame) > 0, path.name
        aliases = {schema.normalize_header(a) for c in schema.TABLES[table].columns
                   for a in c.aliases}
        unknown = {h for h in frame.columns if schema.normalize_header(h) not in aliases}
        assert unknown <= EXTRA_HEADERS, (path.name, unknown)


def test_written_values_round_trip(shop: ShopData, written: list[Path]) -> None:
    files = {p.name: _read(p) for p in written}
    compass = files["电商罗盘_商品载体明细.csv"]
    assert np.allclose(compass["用户支付金额"].str.replace(",", "").astype(float),
                       shop.funnel["gmv"])
    assert compass["商品曝光点击率（人数）"].str.fullmatch(r"\d+\.\d{2}%").all()
    assert compass["日期"].str.fullmatch(r"2026\d{4}").all()
    assert set(compass["载体类型"]) == {"直播", "短视频", "商品卡"}

    def wan(text: str) -> float:
        return float(text[:-1]) * 1e4 if text[-1] in "万w" else float(text)

    creator = files["创作者中心_作品数据.csv"]
    assert np.allclose(creator["播放量"].map(wan), shop.videos["plays"].astype(float))
    assert creator["播放量"].str.endswith("万").any()
    assert creator["作品时长"].str.fullmatch(r"(\d+分)?\d+秒").all()

    monitor = files["竞品_周度监控.xlsx"]
    low = monitor["近7天销量"].str.split("~").str[0].map(wan)
    assert np.allclose(low, shop.competitors["sales_low"].astype(float))
    assert monitor["到手价"].str.fullmatch(r"¥[\d,]+\.\d{2}").all()

    events = files["用户行为日志.parquet"]
    pd.testing.assert_frame_equal(events.astype({"ts": "datetime64[us]"}), shop.events)
    orders = files["抖店_订单.csv"]
    assert (orders["订单编号"] == shop.orders["order_id"]).all()
    assert set(orders["订单状态"]) <= set(schema.ORDER_STATUS)
    assert (orders["支付时间"] == "").sum() == shop.orders["paid_at"].isna().sum()


def test_cli_sample_writes_and_lists_files(shop: ShopData, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    seeds: list[int] = []
    monkeypatch.setattr(cli, "make_shop_data", lambda seed: seeds.append(seed) or shop)
    assert cli.main(["sample", "--seed", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert seeds == [3]
    assert all(name in out for name in FILES)
    assert "MB" in out and len(list(tmp_path.iterdir())) == len(FILES)
