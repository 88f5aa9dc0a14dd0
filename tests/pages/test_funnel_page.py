"""The funnel page, built and driven without a browser."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest

from shopnb import charts, eventlog, monitor
from shopnb import funnel as fn
from shopnb.errors import ShopDataError
from shopnb.pages.funnel import CHARTS, TABS, FunnelPage, build_funnel
from shopnb.store import ShopTables, read_exports, shop_tables

DAYS = pd.date_range("2024-11-01", periods=14, freq="D")
CELLS = [("live", "feed", "all"), ("video", "ads", None)]  # carrier, channel, format
FORMATS = {"1": "review", "2": "drama"}
NOW = dt.datetime(2024, 11, 15, tzinfo=dt.UTC)


@pytest.fixture
def tables() -> ShopTables:
    """14 days x 2 products x 2 cells; video rows carry the product's format; ads cost 100."""
    rows = []
    for d, day in enumerate(DAYS):
        for p in ("1", "2"):
            for carrier, channel, fmt in CELLS:
                rows.append({"date": day, "product_id": p,
                             "product_name": {"1": "面膜", "2": "口红"}[p],
                             "carrier": carrier, "channel": channel,
                             "format": fmt or FORMATS[p],
                             "impressions": 1000 + 10 * d + (500 if p == "2" else 0),
                             "clicks": 50 + d, "carts": 10, "orders": 5, "buyers": 4 + (d >= 7),
                             "gmv": 400.0 + 10 * d, "refunds": 0.0,
                             "ad_cost": 100.0 if channel == "ads" else 0.0})
    funnel = pd.DataFrame(rows).astype({c: "Int64" for c in
                                        ("impressions", "clicks", "carts", "orders", "buyers")})
    events = []
    for u in range(12):
        day = DAYS[u]
        item, carrier = ("1", "live") if u % 2 else ("2", "video")
        steps = ["click", "cart", "order", "pay"][: 1 + u % 4]
        for i, step in enumerate(steps):
            events.append({"user_id": f"u{u}", "ts": day + pd.Timedelta(hours=20, minutes=5 * i),
                           "event": step, "item_id": item, "carrier": carrier,
                           "channel": "feed" if carrier == "live" else "ads"})
    videos = pd.DataFrame([
        {"video_id": v, "format": FORMATS[p], "product_id": p, "date": day,
         "published_at": DAYS[0] - pd.Timedelta(hours=4), "impressions": 2000 - 50 * d,
         "clicks": 60 - 2 * d, "plays": 1000, "completion_rate": 0.6 if p == "1" else 0.7}
        for v, p in (("v1", "1"), ("v2", "2")) for d, day in enumerate(DAYS)])
    orders = pd.DataFrame({
        "order_id": ["a", "b", "c", "d"], "product_id": ["1", "1", "2", "2"],
        "carrier": ["live", "live", "video", "video"], "channel": ["feed", "feed", "ads", "ads"],
        "ts": pd.to_datetime(["2024-11-10 21:00", "2024-11-10 22:30", "2024-11-11 23:10",
                              "2024-11-12 09:00"]),
        "paid_at": pd.to_datetime(["2024-11-10 21:01", None, None, "2024-11-12 09:05"]),
        "status": ["paid", "cancelled", "unpaid", "paid"]})
    return ShopTables(funnel=funnel, events=pd.DataFrame(events), videos=videos, orders=orders)


def drawn(page: FunnelPage, name: str) -> pd.DataFrame:
    """The rows a chart widget draws now (top-level data, or its first layer's)."""
    chart = page.charts[name].chart
    data = chart.data
    if isinstance(data, pd.DataFrame):
        return data
    return chart.layer[0].data


def last_week(page: FunnelPage) -> None:
    page.controls["dates"].value = (DAYS[7], DAYS[13])


# --- structure -----------------------------------------------------------------------------------

def test_page_has_controls_tabs_upload_and_offline_charts(tables):
    page = build_funnel(tables, lang="en")
    assert isinstance(page, widgets.VBox)
    assert set(page.controls) == {"dates", "products", "carrier", "channel", "format", "kpi",
                                  "compare", "window", "lang"}
    assert set(page.charts) == set(CHARTS)
    assert alt.JupyterChart._is_offline
    assert all(c.embed_options["renderer"] == "svg" for c in page.charts.values())
    assert isinstance(page.upload, widgets.FileUpload)
    assert page.period() == (DAYS[0], DAYS[13])  # all 14 days (fewer than 30)
    assert page.controls["products"].value == ("1", "2")
    assert page.message.layout.display == "none"
    # the first tab is drawn, the others wait until they are opened
    assert all(page.charts[n].chart is not None for n in ("funnel", "trend"))
    assert all(page.charts[n].chart is None for n in ("decay", "events", "ttc"))


def test_funnel_chart_draws_the_summary_of_the_selection(tables):
    page = build_funnel(tables, lang="en")
    rows = drawn(page, "funnel")
    expected = fn.summary(tables.funnel)
    assert rows["count"].tolist() == expected["count"].tolist()
    assert rows["count"].iloc[0] == sum(2 * (1000 + 10 * d) + 2 * (1500 + 10 * d)
                                        for d in range(14))
    assert rows["rate_from_previous_ci_lower"].iloc[1] == pytest.approx(
        expected["rate_from_previous_ci_lower"].iloc[1])
    page.controls["products"].value = ("2",)
    page.controls["carrier"].value = "live"
    rows = drawn(page, "funnel")
    assert rows["count"].iloc[0] == sum(1500 + 10 * d for d in range(14))
    assert page.controls["format"].options[0][1] == ""


def test_comparison_period_adds_a_series_and_splits_gpm_exactly(tables):
    page = build_funnel(tables, lang="en")
    assert page.charts["waterfall"].chart is None  # no days before the data
    assert "comparison" in page.notes["waterfall"].value.lower()
    last_week(page)
    assert page.comparison() == (DAYS[0], DAYS[6])
    rows = drawn(page, "funnel")
    assert rows["period"].unique().tolist() == ["This period", "Comparison"]
    water = drawn(page, "waterfall").set_index("step")
    split = fn.explain_change(tables.funnel, (DAYS[0], DAYS[6]), (DAYS[7], DAYS[13]))
    effects = split.set_index("factor")["gpm_effect"]
    assert water.loc["GPM, this period", "end"] == pytest.approx(
        split.set_index("factor").loc["gpm", "treatment"])
    assert water.loc["AOV", "end"] == pytest.approx(water.loc["GPM, this period", "end"])
    assert water.loc["Conversion", "value"] == pytest.approx(effects["conversion"])
    rel = split.set_index("factor")["gpm_rel_effect"]
    word = "rose" if rel["gpm"] >= 0 else "fell"
    assert (f"GPM {word} {abs(rel['gpm']):.1%}: CTR {rel['ctr']:+.1%}, conversion "
            f"{rel['conversion']:+.1%}, AOV {rel['aov']:+.1%}") in page.gpm_note.value
    page.controls["compare"].value = "none"
    assert drawn(page, "funnel")["period"].unique().tolist() == ["This period"]
    assert page.charts["waterfall"].chart is None and page.gpm_note.value == ""


def test_kpi_control_redraws_the_trend_with_target_and_alerts(tables):
    page = build_funnel(tables, lang="en", targets={"ctr": 0.06})
    trend = page.charts["trend"].chart
    line, marked = trend.data[trend.data["kind"] == ""], trend.data[trend.data["kind"] != ""]
    assert line["ctr"].tolist() == pytest.approx(
        monitor.kpi_table(tables.funnel, by="date")["ctr"].tolist())
    assert trend.layer[1].data["target"].tolist() == [0.06]
    # every day's CTR (about 4 %) is over 10 % short of 6 %
    assert (marked["kind"] == "Off target").sum() == 14
    page.controls["kpi"].value = "roi"
    spec = page.charts["trend"].chart.to_dict()
    assert spec["title"] == "Daily Ad ROI"
    assert drawn(page, "trend").columns.tolist() == ["date", "roi", "kind"]


def test_cards_are_coloured_by_target_status(tables):
    page = build_funnel(tables, lang="en", targets={"ctr": {"min": 0.03},
                                                     "click_to_deal": 0.2})
    cards = page.cards.value
    assert "shopnb-card-ok" in cards and "shopnb-card-off" in cards
    assert "CTR" in cards and "target ≥ 3.00%" in cards
    last_week(page)
    assert "vs comparison" in page.cards.value


def test_tabs_are_drawn_when_opened(tables):
    page = build_funnel(tables, lang="en")
    page.tabs.selected_index = 1
    decay = drawn(page, "decay")
    assert sorted(decay["format"].unique()) == ["drama", "review"]
    # published the evening before the first day: that day is day 1
    assert decay[(decay["format"] == "review") & (decay["days"] == 1)]["ctr"].iloc[0] == 60 / 2000
    heat = page.charts["heatmap"].chart.data
    assert set(heat["row_label"]) == {"Feed", "Ads (千川)"}
    page.controls["format"].value = "review"  # the videos follow the format control
    assert drawn(page, "decay")["format"].unique().tolist() == ["review"]


def test_only_the_selected_tab_is_drawn_until_draw_all(tables):
    page = build_funnel(tables, lang="en")
    later = [*TABS["content"], *TABS["events"]]
    assert all(page.charts[name].chart is None for name in later)
    assert page.alerts.value == ""
    page.draw_all()  # as a report does
    assert all(page.charts[name].chart is not None for name in later)
    assert "Alerts (" in page.alerts.value
    assert page.tabs.selected_index == 0
    page.controls["products"].value = ()  # nothing selected: the tabs are hidden and
    page.draw_all()  # draw_all leaves them (drawing an empty selection would fail)
    assert page.tabs.layout.display == "none"


def test_event_funnel_tab_follows_dates_products_and_window(tables):
    page = build_funnel(tables, lang="en")
    page.tabs.selected_index = 2
    rows = drawn(page, "events")
    expected = eventlog.event_funnel(tables.events, ["click", "cart", "order", "pay"], 86_400)
    assert rows["count"].tolist() == expected["count"].tolist() == [12, 9, 6, 3]
    page.controls["products"].value = ("1",)  # the odd users: 1, 3, 5, 7, 9, 11
    assert drawn(page, "events")["count"].tolist() == [6, 6, 3, 3]
    assert page.charts["ttc"].chart.data["users"].sum() == 3
    page.controls["window"].value = "1h"  # everything happens within 15 minutes
    assert drawn(page, "events")["count"].tolist() == [6, 6, 3, 3]
    page.controls["dates"].value = (DAYS[0], DAYS[1])
    assert drawn(page, "events")["count"].tolist() == [1, 1, 0, 0]


def test_alerts_tab_lists_alerts_and_unpaid_orders(tables):
    page = build_funnel(tables, lang="en", targets={"ctr": 0.06})
    page.tabs.selected_index = 3
    assert "Alerts (" in page.alerts.value and "Off target" in page.alerts.value
    assert len(page.alert_table) == len(monitor.alerts(tables.funnel, {"ctr": monitor.Target(
        "ctr", 0.06)}, videos=tables.videos))
    # two unpaid orders, placed at 22:30 and 23:10
    assert "100% of unpaid orders were placed after 22:00" in page.unpaid.value
    assert "shopnb_alerts_20241101_20241114.csv" in page.alerts.value


def test_download_link_holds_the_current_table(tables):
    page = build_funnel(tables, lang="en")
    link = page.download.value
    assert 'download="shopnb_funnel_20241101_20241114.csv"' in link
    href = link.split('href="', 1)[1].split('"', 1)[0]
    assert href.startswith("data:text/csv;charset=utf-8,")
    text = urllib.parse.unquote(href.split(",", 1)[1])
    assert text.startswith("\ufeffdate,")
    back = pd.read_csv(pd.io.common.StringIO(text.lstrip("\ufeff")))
    assert len(back) == 14 and back["ctr"].tolist() == pytest.approx(page.table["ctr"].tolist())
    page.controls["products"].value = ("1",)
    assert page.table["impressions"].iloc[0] == 2000


# --- friendly messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_selection_shows_a_message_and_recovers(tables, lang):
    page = build_funnel(tables, lang=lang)
    page.controls["products"].value = ()
    assert page.message.layout.display is None
    assert ("至少选择一个商品" if lang == "zh" else "pick at least one product") in \
        page.message.value
    assert page.tabs.layout.display == "none" and page.cards.layout.display == "none"
    assert page.download.value == ""
    page.controls["products"].value = ("1",)
    assert page.message.layout.display == "none" and page.tabs.layout.display is None


@pytest.mark.parametrize("bad", [pd.DataFrame({"date": []}), "not a table",
                                 pd.DataFrame({"date": ["x"], "gmv": [1.0]})])
def test_bad_data_gives_a_message_not_a_traceback(bad):
    for lang in ("zh", "en"):
        page = build_funnel(bad, lang=lang)
        assert page.message.layout.display is None
        assert page.message.value
        assert page._body.layout.display == "none"
        page.controls["lang"].value = "en" if lang == "zh" else "zh"  # still no traceback


def test_language_switch_relabels_page_and_charts(tables):
    page = build_funnel(tables, lang="zh")
    assert "转化漏斗" in page.title.value
    assert page.tabs.get_title(0) == "漏斗与指标"
    before = charts.rows_title(page.charts["funnel"].chart)
    page.controls["lang"].value = "en"
    assert "Conversion funnel" in page.title.value
    assert charts.rows_title(page.charts["funnel"].chart) != before
    assert page.controls["carrier"].options[1] == ("Live", "live")
    assert page.controls["kpi"].value == "ctr"  # relabelling keeps the choices


# --- data sources --------------------------------------------------------------------------------

def _exports(tables: ShopTables, folder) -> list:
    """The tables as 罗盘 / creator-centre / order / log exports with Chinese headers."""
    paths = [folder / "电商罗盘_商品.csv", folder / "作品.csv", folder / "订单.csv",
             folder / "行为日志.csv"]
    f = tables.funnel.rename(columns={"date": "日期", "product_id": "商品ID",
                                      "product_name": "商品名称", "carrier": "载体类型",
                                      "impressions": "商品曝光人数", "clicks": "商品点击人数",
                                      "buyers": "成交人数", "gmv": "用户支付金额"})
    f["载体类型"] = f["载体类型"].map({"live": "直播", "video": "短视频"})
    f[["日期", "商品ID", "商品名称", "载体类型", "channel", "商品曝光人数", "商品点击人数",
       "成交人数", "用户支付金额"]].to_csv(paths[0], index=False, encoding="gbk")
    tables.videos.rename(columns={"video_id": "作品ID"}).to_csv(paths[1], index=False)
    tables.orders.rename(columns={"order_id": "订单编号", "ts": "下单时间"}).to_csv(
        paths[2], index=False, encoding="utf-8-sig")
    tables.events.to_csv(paths[3], index=False)
    return paths


def test_read_exports_sorts_files_by_kind(tables, tmp_path):
    found = read_exports(_exports(tables, tmp_path))
    assert len(found.funnel) == 56 and set(found.funnel["carrier"]) == {"live", "video"}
    assert len(found.videos) == 28 and len(found.orders) == 4 and len(found.events) == 30
    assert found.sources[0] == "电商罗盘_商品.csv"
    (tmp_path / "junk.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ShopDataError, match="junk.csv"):
        read_exports([tmp_path / "junk.csv"])
    with pytest.raises(ShopDataError, match="no funnel data"):
        read_exports([tmp_path / "订单.csv"])


def test_shop_tables_reads_the_folder_in_shopnb_data(tables, tmp_path, monkeypatch):
    _exports(tables, tmp_path)
    monkeypatch.setenv("SHOPNB_DATA", str(tmp_path))
    found = shop_tables()
    assert len(found.funnel) == 56 and found.events is not None
    page = build_funnel(found, lang="en")
    assert "电商罗盘_商品.csv" in page.title.value
    monkeypatch.setenv("SHOPNB_DATA", str(tmp_path / "missing"))
    with pytest.raises(ShopDataError, match="no such folder"):
        shop_tables()


def test_uploading_exports_replaces_the_data(tables, tmp_path):
    page = build_funnel(tables, lang="en")
    path = _exports(tables, tmp_path)[0]
    one = pd.read_csv(path, encoding="gbk")
    one[one["商品ID"] == 1].to_csv(path, index=False, encoding="gbk")
    page.upload.value = ({"name": path.name, "type": "text/csv", "size": path.stat().st_size,
                          "content": memoryview(path.read_bytes()), "last_modified": NOW},)
    assert "Loaded: 电商罗盘_商品.csv" in page.info.value
    assert page.controls["products"].options == (("面膜", "1"),)
    assert drawn(page, "funnel")["count"].iloc[0] == sum(2 * (1000 + 10 * d) for d in range(14))
    page.upload.value = ({"name": "broken.csv", "type": "text/csv", "size": 3,
                          "content": memoryview(b"\x00\x01\x02"), "last_modified": NOW},)
    assert "broken.csv: not a known export" in page.info.value
    assert "Cannot read the uploaded file(s)" in page.info.value
    assert page.controls["products"].options == (("面膜", "1"),)  # the data stays
    orders = _exports(tables, tmp_path)[2]
    page.controls["lang"].value = "zh"
    page.upload.value = ({"name": orders.name, "type": "text/csv", "size": 1,
                          "content": memoryview(orders.read_bytes()), "last_modified": NOW},)
    assert "没有漏斗数据" in page.info.value


# --- the sample shop -----------------------------------------------------------------------------

def test_sample_shop_page_draws_every_tab():
    page = build_funnel(shop_tables(), lang="zh")
    for index in range(4):
        page.tabs.selected_index = index
    for name in CHARTS:
        assert page.charts[name].chart is not None, name
    assert np.isfinite(page.table["gpm"]).all()
    before = drawn(page, "events")["count"].tolist()
    page.controls["carrier"].value = "live"  # on another tab: the user paths wait
    assert drawn(page, "events")["count"].tolist() == before
    page.tabs.selected_index = 2
    assert drawn(page, "events")["count"].tolist() != before


def test_downloads_hold_no_cell_a_spreadsheet_would_run(tables):
    hostile = tables.funnel.assign(product_name=tables.funnel["product_name"].replace(
        {"口红": '=HYPERLINK("http://x","口红")'}))
    page = build_funnel(ShopTables(funnel=hostile, videos=tables.videos), lang="en",
                        targets={"ctr": 0.06})
    page.tabs.selected_index = list(TABS).index("alerts")
    links = [page.download.value, page.alerts.value]
    texts = [urllib.parse.unquote(href.split('"', 1)[0].split(",", 1)[1])
             for link in links for href in link.split('href="')[1:]]
    assert len(texts) == 2
    cells = [cell for text in texts for row in pd.read_csv(
        pd.io.common.StringIO(text.lstrip("\ufeff")), dtype=str).itertuples(index=False)
        for cell in row if isinstance(cell, str)]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # the alerts name the product
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
