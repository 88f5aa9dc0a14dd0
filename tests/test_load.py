"""Loaders on small hand-made exports: every export family, every quirk, every error."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shopnb as sn
from shopnb.load import (
    load_competitors,
    load_events,
    load_experiments,
    load_funnel,
    load_live_rooms,
    load_orders,
    load_videos,
)

PRODUCT_EXPORT = """\
统计日期,日期,商品ID,商品名称,载体类型,账号类型,达人名称,用户支付金额,成交订单数,成交件数,成交人数,千次曝光用户支付金额,商品曝光次数,商品点击次数,商品加购次数,商品曝光点击率,商品点击成交转化率,商品曝光人数,商品点击人数,商品加购人数,商品曝光点击率（人数）,商品点击成交转化率(人数),退款金额,退款订单数
2024-11-01~2024-11-01,2024/11/1,3601234567890123456,保湿面霜,直播,自营,小美,"5,652.00",40,42,38,"47.10","130,000","6,100",900,4.69%,0.62%,1.2万,"5,000",800,4.17%,0.76%,120.50,2
2024-11-01~2024-11-01,2024/11/1,3601234567890123456,保湿面霜,短视频,合作,阿强,"1,000.00",8,8,8,"10.00","150,000","3,000",300,2.00%,0.27%,10万,"2,400",250,2.40%,0.33%,-,-
2024-11-01~2024-11-01,2024/11/1,3601234567890123457,洁面乳,商品卡,自营,-,880.5,11,12,10,8.80,"100,000","2,000",120,2.00%,0.50%,8万,"1,800",100,2.25%,0.56%,--,0
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_product_export_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    df = load_funnel(write(tmp_path / "罗盘.csv", PRODUCT_EXPORT, encoding))
    assert df["carrier"].tolist() == ["live", "video", "card"]
    assert df["product_id"].iloc[0] == "3601234567890123456"  # 19 digits, exact
    assert df["date"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2024-11-01"]
    # people counts win over times; times kept in *_times
    assert df["impressions"].tolist() == [12_000, 100_000, 80_000]
    assert df["impressions_times"].tolist() == [130_000, 150_000, 100_000]
    assert df["gmv"].tolist() == [5652.0, 1000.0, 880.5]
    assert df["ctr"].tolist() == pytest.approx([0.0417, 0.024, 0.0225])
    assert df["refunds"].isna().tolist() == [False, True, True]
    assert df["account_type"].tolist() == ["own", "partner", "own"]
    assert df["creator"].tolist()[:2] == ["小美", "阿强"]
    assert df["channel"].unique().tolist() == ["all"]  # no channel column: filled
    assert "统计日期" in df.columns  # unknown columns are kept
    assert str(df["impressions"].dtype) == "Int64" and str(df["gmv"].dtype) == "float64"
    assert str(df["date"].dtype) == "datetime64[us]"


def test_dataframe_and_parquet_sources(tmp_path: Path) -> None:
    frame = pd.read_csv(write(tmp_path / "a.csv", PRODUCT_EXPORT), dtype=str)
    from_frame = load_funnel(frame)
    frame.to_parquet(tmp_path / "a.parquet")
    from_parquet = load_funnel(tmp_path / "a.parquet")
    pd.testing.assert_frame_equal(from_frame, from_parquet)
    assert from_frame["gmv"].sum() == pytest.approx(7532.5)


def test_excel_with_preamble_rows_and_sheets(tmp_path: Path) -> None:
    body = pd.read_csv(write(tmp_path / "a.csv", PRODUCT_EXPORT), dtype=str)
    path = tmp_path / "live.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"说明": ["直播复盘", "导出时间 2024-11-02"]}).to_excel(
            xl, sheet_name="基本信息", index=False)
        preamble = pd.DataFrame([["商品明细"], ["统计时间: 2024-11-01"], [""]])
        preamble.to_excel(xl, sheet_name="商品明细", index=False, header=False)
        body.to_excel(xl, sheet_name="商品明细", index=False, startrow=3)
    df = load_funnel(path)
    assert len(df) == 3 and df["gmv"].sum() == pytest.approx(7532.5)


def test_old_xls_named_csv_is_read_by_content(tmp_path: Path) -> None:
    xlsx = tmp_path / "real.xlsx"
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": [3]}).to_excel(xlsx, index=False)
    disguised = tmp_path / "export.csv"
    disguised.write_bytes(xlsx.read_bytes())
    assert load_funnel(disguised)["buyers"].tolist() == [3]


def test_sycm_preamble_gives_the_date(tmp_path: Path) -> None:
    sycm = ("生意参谋 商品效果\n统计日期：2024-11-05~2024-11-05\n店铺：示例店\n\n"
            "商品ID,商品名称,商品访客数,商品浏览量,支付买家数,支付件数,支付金额,下单转化率\n"
            "101,毛巾,1200,3400,30,35,\"2,100.00\",3.10%\n")
    df = load_funnel(write(tmp_path / "sycm.csv", sycm, "gbk"))
    assert df["date"].iloc[0] == pd.Timestamp("2024-11-05")
    assert df[["clicks", "clicks_times", "buyers", "items"]].iloc[0].tolist() == [1200, 3400,
                                                                                  30, 35]
    assert df["下单转化率"].iloc[0] == pytest.approx(0.031)


def test_live_room_overview_is_live(tmp_path: Path) -> None:
    text = ("直播间名称,日期,直播时长(小时),成交金额,成交订单数,成交人数,直播间观看人数,"
            "直播间观看人次,商品曝光人数,商品点击人数,商品点击率(人数),投放消耗\n"
            "美妆专场,20241101,4.5,\"12,000\",150,140,\"2.1万\",\"3万\",\"1.5万\",900,6.0%,3000\n")
    path = write(tmp_path / "live.csv", text)
    df = load_live_rooms(path)
    row = df.iloc[0]
    assert row["carrier"] == "live" and row["creator"] == "美妆专场"
    assert (row["views"], row["views_times"], row["impressions"]) == (21_000, 30_000, 15_000)
    assert row["ad_cost"] == 3000 and row["直播时长(小时)"] == 4.5
    pd.testing.assert_frame_equal(load_funnel(path), df)  # the funnel's columns, a room a day


def test_load_experiment_is_the_deprecated_name_of_load_experiments() -> None:
    raw = pd.DataFrame({"group": ["control", "treatment"], "user_id": [1, 2]})
    with pytest.warns(DeprecationWarning, match="use 'load_experiments'"):
        old = sn.load_experiment(raw)
    pd.testing.assert_frame_equal(old, load_experiments(raw))


def test_click_to_deal_is_named_as_the_kpi() -> None:
    """The export's click-to-deal rate loads under the KPI's name; the old canonical
    header (click_to_deal_rate) still reads."""
    df = load_funnel(pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["3"],
                                   "商品点击成交转化率（人数）": ["5%"],
                                   "click_to_deal_rate_times": ["4%"]}))
    assert df[["click_to_deal", "click_to_deal_times"]].iloc[0].tolist() == [0.05, 0.04]


def test_deal_overview_and_renamed_headers(tmp_path: Path) -> None:
    old = "日期,成交金额,成交人数,商品曝光人数,商品点击人数,千次曝光成交金额\n2024-11-01,100,2,1000,50,100\n"
    new = ("日期,用户支付金额,成交人数,商品曝光人数,商品点击人数,千次曝光用户支付金额\n"
           "2024-11-02,200,4,2000,80,100\n")
    write(tmp_path / "a_old.csv", old)
    write(tmp_path / "b_new.csv", new)
    df = load_funnel(tmp_path)
    assert df["gmv"].tolist() == [100, 200] and df["gpm"].tolist() == [100, 100]
    assert df.attrs["sources"] == ["a_old.csv", "b_new.csv"]


def test_folder_duplicates_across_files(tmp_path: Path) -> None:
    head = "日期,商品ID,成交人数,商品点击人数\n"
    write(tmp_path / "1.csv", head + "2024-11-01,A,1,10\n2024-11-02,A,2,10\n")
    write(tmp_path / "2.csv", head + "2024-11-02,A,2,10\n2024-11-03,A,3,10\n")
    df = load_funnel(tmp_path)
    assert df["buyers"].tolist() == [1, 2, 3]
    assert any("appear again in a later file" in str(i) for i in df.attrs["issues"])
    write(tmp_path / "3.csv", head + "2024-11-03,A,9,10\n")
    with pytest.raises(sn.ShopDataError, match="with other values") as err:
        load_funnel(tmp_path)
    assert err.value.file == "3.csv"
    lenient = load_funnel(tmp_path, strict=False)
    assert lenient.loc[lenient["date"] == "2024-11-03", "buyers"].tolist() == [9]


def test_videos_from_creator_centre_and_qianchuan(tmp_path: Path) -> None:
    centre = ("作品名称,发布时间,体裁,发布状态,播放量,完播率,5s完播率,作品时长,2s跳出率,"
              "平均播放时长,点赞量,评论量,分享量,收藏量,主页访问量,粉丝增量\n"
              "开箱测评,2024-11-01 20:00:00,测评,已发布,1.2万,45.2%,60%,1分5秒,20%,32秒,800,"
              "50,30,20,100,15\n")
    df = load_videos(write(tmp_path / "作品.csv", centre, "utf-8-sig"))
    row = df.iloc[0]
    assert row["video_id"] == "开箱测评" and row["format"] == "review"
    assert (row["plays"], row["duration_s"], row["avg_play_s"]) == (12_000, 65.0, 32.0)
    assert row["completion_rate"] == pytest.approx(0.452)
    qc = "视频名称,曝光,3秒播放率,5秒播放率,完播率,点击量,消耗,订单数,成交金额\n素材A,50000,40%,30%,12%,1500,800.5,30,2400\n"
    creative = load_videos(write(tmp_path / "qc.csv", qc)).iloc[0]
    assert (creative["impressions"], creative["clicks"], creative["ad_cost"]) == (50_000, 1500,
                                                                                  800.5)


def test_competitor_ranges(tmp_path: Path) -> None:
    text = ("周,店铺,商品,类目,到手价,近7天销量,近7天销售额,佣金比例,31-40岁占比,女性占比\n"
            "2024-11-04,竞品A,面霜,美妆,￥129.00,7.5w~10w,支付5亿-5.5亿,10%~15%,35%,80%\n"
            "2024-11-04,竞品B,面霜,美妆,￥99.00,2500,25万,20.00%,20%,70%\n")
    df = load_competitors(write(tmp_path / "c.csv", text, "gbk"))
    assert df["sales_low"].tolist() == [75_000, 2500]
    assert df["sales_high"].tolist() == [100_000, 2500]
    assert df["gmv_low"].iloc[0] == 5e8 and df["gmv_high"].iloc[0] == 5.5e8
    assert df["commission_rate_low"].tolist() == pytest.approx([0.10, 0.20])
    assert df["price"].tolist() == [129.0, 99.0]
    assert df["age_31_40_share"].tolist() == pytest.approx([0.35, 0.20])


def test_events_codes_and_names() -> None:
    coded = load_events(pd.DataFrame({"user_id": [1, 1, 2, 2],
                                      "behavior_type": [1, 2, 3, 4],
                                      "time": ["2014-12-06 02"] * 4}))
    assert coded["event"].tolist() == ["click", "fav", "cart", "pay"]
    named = load_events(pd.DataFrame({"用户ID": ["7"], "行为类型": ["pv"],
                                      "时间戳": [1512189107]}))
    assert named["event"].tolist() == ["click"] and named["ts"].dt.year.tolist() == [2017]
    odd = load_events(pd.DataFrame({"user_id": [1], "event": ["share"], "ts": ["2024-01-01"]}))
    assert odd["event"].tolist() == ["share"]
    assert "not a known event" in str(odd.attrs["issues"][0])


def test_experiment_user_level_and_aggregates(tmp_path: Path) -> None:
    users = load_experiments(pd.DataFrame({"用户ID": ["1", "2"], "分组": ["A", "B"],
                                          "是否转化": ["是", "否"], "成交金额": ["¥10", "0"]}))
    assert users["converted"].tolist() == [True, False]
    assert users["experiment"].unique().tolist() == ["experiment"]
    daily = load_experiments(pd.DataFrame({"日期": ["2024-11-01"] * 2, "版本": ["A", "B"],
                                          "曝光人数": [1000, 1000], "点击人数": [40, 46]}))
    assert daily["clicks"].tolist() == [40, 46]  # same day, different variants: no duplicate


def test_orders_lines_and_status() -> None:
    lines = pd.DataFrame({"InvoiceNo": ["1", "1", "C2"], "StockCode": ["a", "b", "a"],
                          "Quantity": [2, 1, -1], "UnitPrice": [3.0, 4.0, 3.0],
                          "InvoiceDate": ["2011-01-01 10:00"] * 3, "CustomerID": ["9", "9", "NA"]})
    df = load_orders(lines)
    assert df["amount"].tolist() == [10.0, -3.0] and df["items"].tolist() == [3, -1]
    assert df["status"].tolist() == ["paid", "cancelled"] and df["lines"].tolist() == [2, 1]
    assert pd.isna(df["user_id"].iloc[1])
    shop = load_orders(pd.DataFrame({"订单编号": ["1", "2"], "下单时间": ["2024-11-01 23:10:00"] * 2,
                                     "订单状态": ["待支付", "已完成"], "订单应付金额": ["99.00", "1,099.00"]}))
    assert shop["status"].tolist() == ["unpaid", "completed"]
    assert shop["ts"].dt.hour.tolist() == [23, 23]


# --- errors ---------------------------------------------------------------------------------

def test_missing_column_lists_found_and_nearest(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "统计日,商品曝光人数\n2024-11-01,10\n")
    with pytest.raises(sn.ShopDataError) as err:
        load_funnel(path)
    message = str(err.value)
    assert "x.csv" in message and "no column for date" in message
    assert "columns found: 统计日, 商品曝光人数" in message
    assert "'统计日' looks like '统计日期'" in message
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "empty"), (b"   \n", "empty"),
     (b"<!DOCTYPE html><html><body>login</body></html>", "web page"),
     (b"\x00\x01\x02\x03binary", "binary"),
     (b"\xe9\xe9\xe9,\xff\xff\n1,2\n", "unknown text encoding"),
     ("日期,成交人数\n".encode(), "no data rows")],
)
def test_files_that_are_not_tables(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(sn.ShopDataError, match=match) as err:
        load_funnel(path)
    assert err.value.file == "bad.csv"


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(sn.ShopDataError, match="no such file"):
        load_funnel(tmp_path / "nope.csv")
    with pytest.raises(sn.ShopDataError, match="no export files"):
        load_funnel(tmp_path)


def test_unparseable_values_quote_rows_and_values(tmp_path: Path) -> None:
    text = "日期,商品曝光人数,商品点击人数\n2024-11-01,100,10\n2024-11-02,abc,10\n昨天,100,10\n"
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(sn.ShopDataError) as err:
        load_funnel(path)
    assert err.value.rows == [4] and "昨天" in str(err.value) and "a date" in str(err.value)
    df = load_funnel(path, strict=False)
    messages = [str(i) for i in df.attrs["issues"]]
    assert any("row 3" in m and "'abc'" in m and "商品曝光人数 (impressions)" in m
               for m in messages)
    assert df["impressions"].isna().tolist() == [False, True, False]
    assert df["date"].isna().tolist() == [False, False, True]


def test_negative_counts(tmp_path: Path) -> None:
    path = write(tmp_path / "neg.csv", "日期,商品点击人数\n2024-11-01,10\n2024-11-02,-3\n")
    with pytest.raises(sn.ShopDataError, match="zero or more") as err:
        load_funnel(path)
    assert (err.value.rows, err.value.column) == ([3], "商品点击人数")


def test_stage_larger_than_the_one_before(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "日期,商品曝光人数,商品点击人数\n2024-11-01,10,50\n")
    with pytest.raises(sn.ShopDataError, match="clicks is larger than impressions") as err:
        load_funnel(path)
    assert err.value.rows == [2]
    assert len(load_funnel(path, strict=False).attrs["issues"]) == 1


def test_duplicate_keys_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", "日期,商品ID,成交人数\n2024-11-01,A,1\n2024-11-01,A,2\n")
    with pytest.raises(sn.ShopDataError, match="repeat the key") as err:
        load_funnel(path)
    assert err.value.rows == [2, 3]
    assert len(load_funnel(path, strict=False)) == 2  # nothing dropped


def test_ragged_rows_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "日期,成交人数\n2024-11-01,1\n2024-11-02,2,extra\n")
    with pytest.raises(sn.ShopDataError, match="number of cells") as err:
        load_funnel(path)
    assert err.value.rows == [3]
    assert load_funnel(path, strict=False)["buyers"].tolist() == [1]


def test_sources_are_never_modified(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", PRODUCT_EXPORT, "gbk")
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    load_funnel(path)
    after = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    assert before == after and sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_canonical_csv_round_trip(tmp_path: Path) -> None:
    df = load_funnel(write(tmp_path / "a.csv", PRODUCT_EXPORT))
    df.to_csv(tmp_path / "canonical.csv", index=False)
    again = load_funnel(tmp_path / "canonical.csv")
    pd.testing.assert_frame_equal(df, again, check_dtype=False)
    assert np.array_equal(df["impressions"].to_numpy(), again["impressions"].to_numpy())
