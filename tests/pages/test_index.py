"""The landing page, built and driven without a browser."""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd
import pytest

from shopnb.digest import Digest, build_digest
from shopnb.errors import LoadProblem
from shopnb.funnel import daily_totals
from shopnb.pages import IndexPage, build_index
from shopnb.pages.index import MEASURES
from shopnb.store import check_funnel


def _drawn(page: IndexPage) -> pd.DataFrame:
    """The rows the page's chart draws right now."""
    return page.jchart.chart.data


def test_daily_totals_sums_products_carriers_and_channels(funnel):
    daily = daily_totals(funnel, MEASURES)
    assert list(daily.columns) == ["date", "gmv", "orders", "buyers", "clicks"]
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-05-01",
        "2024-05-02",
        "2024-05-03",
    ]
    assert daily["gmv"].tolist() == [100.0, 260.0, 420.0]
    assert daily["orders"].tolist() == [8, 16, 24]
    assert daily["buyers"].tolist() == [6, 14, 22]
    assert daily["clicks"].tolist() == [46, 62, 78]


def test_daily_totals_skips_rows_without_a_date_and_missing_values(funnel):
    funnel.loc[0, "date"] = pd.NaT
    funnel.loc[1, "orders"] = pd.NA
    daily = daily_totals(funnel, ["gmv", "orders"])
    assert daily["gmv"].tolist() == [90.0, 260.0, 420.0]  # row 0 (gmv 10) has no date
    assert daily["orders"].tolist() == [5, 16, 24]  # 8 - row 0 (no date) - row 1 (missing)


def test_page_is_a_widget_with_controls_and_an_offline_chart(funnel):
    page = build_index(funnel, lang="en")
    assert isinstance(page, widgets.VBox)
    assert set(page.controls) == {"measure", "lang", "upload"}
    assert isinstance(page.jchart, alt.JupyterChart)
    assert page.jchart in page.trend.children
    assert alt.JupyterChart._is_offline  # JS from the kernel, not from a CDN
    assert page.jchart.embed_options["renderer"] == "svg"
    assert page.message.layout.display == "none"


def test_page_first_draws_daily_gmv(funnel):
    page = build_index(funnel)
    assert page.controls["measure"].value == "gmv"
    assert _drawn(page)["gmv"].tolist() == [100.0, 260.0, 420.0]
    assert len(_drawn(page)) == 3  # aggregated by date before charting


@pytest.mark.parametrize(
    ("measure", "expected"),
    [("orders", [8, 16, 24]), ("buyers", [6, 14, 22]), ("clicks", [46, 62, 78])],
)
def test_measure_dropdown_redraws_the_same_chart_widget(funnel, measure, expected):
    page = build_index(funnel, lang="en")
    jchart = page.jchart
    page.controls["measure"].value = measure
    assert page.jchart is jchart  # redrawn by assignment, not displayed again
    assert _drawn(page)[measure].tolist() == expected
    assert page.jchart.chart.to_dict()["encoding"]["y"]["field"] == measure


def test_measure_dropdown_offers_the_four_measures_in_the_page_language(funnel):
    page = build_index(funnel, lang="zh")
    options = page.controls["measure"].options
    assert [value for _, value in options] == ["gmv", "orders", "buyers", "clicks"]
    assert [label for label, _ in options] == ["成交金额 (GMV)", "订单数", "成交人数", "点击人数"]


def test_language_toggle_relabels_page_and_chart_and_keeps_the_measure(funnel):
    page = build_index(funnel, lang="zh")
    page.controls["measure"].value = "orders"
    assert "店铺概览" in page.title.value
    assert page.jchart.chart.to_dict()["title"] == "每日订单数"

    page.controls["lang"].value = "en"

    assert page.lang == "en"
    assert "Shop overview" in page.title.value
    assert "2024-05-01 to 2024-05-03" in page.title.value
    assert page.controls["measure"].value == "orders"
    assert page.controls["measure"].label == "Orders"
    assert page.controls["measure"].description == "Measure"
    assert page.jchart.chart.to_dict()["title"] == "Daily Orders"
    assert _drawn(page)["orders"].tolist() == [8, 16, 24]


def test_page_offers_only_the_measures_the_data_has(funnel):
    page = build_index(funnel.drop(columns=["buyers", "clicks"]), lang="en")
    assert [v for _, v in page.controls["measure"].options] == ["gmv", "orders"]
    assert page.jchart is not None


@pytest.mark.parametrize(
    ("bad", "zh", "en"),
    [
        (lambda f: f.iloc[0:0], "没有可显示的数据", "Nothing to show"),
        (lambda f: f.drop(columns=["date"]), "date", "lacks the column(s): date"),
        (
            lambda f: f[["date", "product_id"]],
            "gmv, orders, buyers, clicks",
            "lacks the column(s): gmv, orders, buyers, clicks",
        ),
        (lambda f: f.assign(gmv=f["gmv"].astype(str)), "gmv", "hold numbers but do not: gmv"),
        (lambda f: f.assign(date=f["date"].astype(str)), "日期", "should hold dates"),
        (lambda f: f.assign(date=pd.NaT), "没有可显示的数据", "Nothing to show"),
        (lambda f: None, "DataFrame", "got NoneType"),
    ],
)
def test_bad_or_empty_data_shows_a_friendly_message_in_both_languages(funnel, bad, zh, en):
    page = build_index(bad(funnel), lang="zh")
    assert page.jchart is None
    assert page.message in page.trend.children
    assert page.message.layout.display != "none"
    assert zh in page.message.value
    assert "Traceback" not in page.message.value

    page.controls["lang"].value = "en"
    assert en in page.message.value


def test_check_funnel_accepts_good_data(funnel):
    assert check_funnel(funnel, MEASURES) == ("", {})


def test_unknown_language_is_refused(funnel):
    with pytest.raises(ValueError, match="zh, en"):
        build_index(funnel, lang="fr")


# --- the landing page's header, alerts and links ----------------------------------------------

@pytest.fixture
def competitors() -> pd.DataFrame:
    """Two weeks of prices: rival A cuts q below our p's price, rival B cuts r a little."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-04-22"] * 3 + ["2024-04-29"] * 3),
        "shop": ["own", "A", "B"] * 2, "product": ["p", "q", "r"] * 2, "category": "美妆",
        "price": [50.0, 55.0, 80.0, 50.0, 45.0, 72.0], "gmv": [100.0, 80.0, 60.0] * 2})


def test_header_links_the_pages_whose_notebooks_exist_and_keeps_the_language(funnel):
    page = build_index(funnel, lang="zh")
    assert page.header in page.children
    nav = page.header.nav.value
    assert 'href="index.ipynb?lang=zh"' in nav and "aria-current=page" in nav
    assert 'href="competitors.ipynb?lang=zh"' in nav  # notebooks/competitors.ipynb exists
    page.controls["lang"].value = "en"
    assert 'href="competitors.ipynb?lang=en"' in page.header.nav.value
    assert "Competitors" in page.header.nav.value


def test_open_alerts_list_rival_price_cuts_most_severe_first(funnel, competitors):
    page = build_index(funnel, build_digest({"competitors": competitors}, own_shop="own"),
                       lang="en")
    assert page.open_alerts[["kind", "subject"]].values.tolist() == [
        ["price_below_own", "A · q"], ["price_cut", "B · r"]]
    text = page.alerts.value
    assert "Open alerts (2)" in text
    assert "A · q cut its price -18.2% (55.00 → 45.00), below our 50.00" in text
    assert text.index("A · q") < text.index("B · r")
    assert 'href="competitors.ipynb?lang=en"' in text
    assert "2 alerts" in page.links.value  # on the competitors card
    page.controls["lang"].value = "zh"
    assert "A · q 降价 -18.2%（55.00 → 45.00），低于本店价 50.00" in page.alerts.value


def test_without_alerts_the_page_says_so(funnel):
    page = build_index(funnel, lang="en")
    assert page.open_alerts.empty
    assert "No open alerts." in page.alerts.value


def test_cards_link_every_other_page(funnel):
    page = build_index(funnel, lang="en")
    assert 'class="shopnb-page-card shopnb-page-card-competitors"' in page.links.value
    assert "shopnb-page-card-index" not in page.links.value


def test_unreadable_tables_give_the_file_and_what_to_do_not_a_traceback(funnel):
    missing = LoadProblem("funnel", "missing", "罗盘.csv", "no such file", "/srv/shop")
    broken = LoadProblem("competitors", "broken", "竞品.xlsx", "竞品.xlsx, column 价格, row 3: "
                         "expected a number", "/srv/shop")
    page = build_index(missing, build_digest({"competitors": broken}), lang="en")
    assert page.jchart is None
    assert "the data folder /srv/shop has no 罗盘.csv" in page.message.value
    assert "reload the page" in page.message.value
    assert "Cannot read the data file 竞品.xlsx" in page.alerts.value
    assert "Traceback" not in page.message.value + page.alerts.value


def test_experiment_alerts_and_failed_parts_are_listed(funnel):
    alerts = pd.DataFrame({
        "page": ["experiments", "experiments"], "severity": ["high", "medium"],
        "kind": ["ab_srm", "ab_ship"], "date": pd.to_datetime(["2024-05-03"] * 2),
        "subject": ["直播话术", "商品卡主图"], "metric": ["conversion", "ctr"],
        "value": [2e-7, 0.1155], "reference": [float("nan")] * 2, "change": [float("nan")] * 2,
        "limit": [float("nan")] * 2, "detail": ["", "C"]})
    digest = Digest(alerts=alerts, failures=[("competitors", "no prices")])
    page = build_index(funnel, digest, lang="en")
    text = page.alerts.value
    assert "Test “直播话术”: sample ratio mismatch (p = 2e-07)" in text
    assert "Test “商品卡主图”: ship C (CTR +11.6%)" in text
    assert "The Competitors alerts cannot be computed now: no prices" in text
    assert 'href="experiments.ipynb?lang=en"' in text


# --- uploading an export ------------------------------------------------------------------------

def _upload(page, name: str, content: bytes) -> None:
    page.controls["upload"].value = (
        {"name": name, "type": "text/csv", "size": len(content), "content": memoryview(content),
         "last_modified": pd.Timestamp("2024-11-03", tz="UTC").to_pydatetime()},)


UPLOAD = "日期,商品ID,成交人数,订单数,用户支付金额\n2024-11-01,1,3,4,300\n2024-11-02,1,5,6,500\n"


def test_an_uploaded_export_replaces_the_trend_in_the_same_chart(funnel):
    page = build_index(funnel, lang="en")
    jchart = page.jchart
    page.controls["measure"].value = "orders"
    _upload(page, "罗盘.csv", UPLOAD.encode())
    assert page.jchart is jchart and page.source == "罗盘.csv"
    assert page.daily["date"].dt.strftime("%m-%d").tolist() == ["11-01", "11-02"]
    assert page.jchart.chart.data["orders"].tolist() == [4, 6]  # the measure is kept
    assert [v for _, v in page.controls["measure"].options] == ["gmv", "orders", "buyers"]
    assert "from the uploaded 罗盘.csv" in page.title.value
    assert page.upload_note.layout.display == "none"


def test_a_bad_upload_says_why_and_keeps_the_trend(funnel):
    page = build_index(funnel, lang="zh")
    _upload(page, "罗盘.csv", b"<html>login</html>")
    assert page.source is None and len(page.daily) == 3
    assert page.upload_note.layout.display != "none"
    assert "无法读取数据文件 罗盘.csv" in page.upload_note.value
    page.controls["lang"].value = "en"
    assert "web page (HTML)" in page.upload_note.value
    _upload(page, "罗盘.csv", "商品ID,成交人数\n1,3\n".encode())  # no dates
    assert "date" in page.upload_note.value


def test_an_upload_brings_a_page_without_data_to_life():
    page = build_index(LoadProblem("funnel", "missing", "罗盘.csv", "no such file", "/srv"),
                       lang="en")
    assert page.jchart is None and page.message in page.trend.children
    _upload(page, "mine.csv", UPLOAD.encode())
    assert page.jchart is not None and page.jchart in page.trend.children
    assert page.jchart.chart.data["gmv"].tolist() == [300.0, 500.0]


# --- today's and this week's KPIs -----------------------------------------------------------------

def test_kpi_cards_show_today_and_this_week_against_their_targets(funnel):
    page = build_index(funnel, lang="en")
    cards = page.kpis.value
    assert "Today, 2024-05-03" in cards and "This week, 04-29 to 05-03" in cards
    assert "¥420" in cards and "+61.5% on the day before" in cards  # GMV 420 after 260
    ctr = page.kpi_table.set_index(["period", "kpi"]).loc[("today", "ctr")]
    assert ctr["value"] == pytest.approx(78 / 438) and ctr["status"] == "ok"
    assert "target ≥ 4.00%" in cards and "shopnb-card-ok" in cards
    page.controls["lang"].value = "zh"
    assert "今天 2024-05-03" in page.kpis.value and "较前一天 +61.5%" in page.kpis.value


def test_kpi_cards_follow_the_shops_targets_and_an_upload(funnel):
    page = build_index(funnel, targets={"ctr": 0.5}, lang="en")
    assert page.kpi_table.set_index(["period", "kpi"]).loc[("today", "ctr"), "status"] == "off"
    assert "target ≥ 50.00%" in page.kpis.value
    _upload(page, "罗盘.csv", UPLOAD.encode())
    assert "Today, 2024-11-02" in page.kpis.value


def test_funnel_alerts_read_as_sentences(funnel):
    alerts = pd.DataFrame({
        "page": ["funnel", "funnel"], "severity": ["high", "medium"],
        "kind": ["kpi_drop", "kpi_off_target"], "date": pd.to_datetime(["2024-05-03"] * 2),
        "subject": ["面膜", ""], "metric": ["ctr", "roi"], "value": [0.03, 2.4],
        "reference": [0.05, 3.0], "change": [-0.4, -0.2], "limit": [0.04, 3.0],
        "detail": ["1", "overall"]})
    page = build_index(funnel, Digest(alerts=alerts), lang="en")
    assert "面膜: CTR 3.00%, -40.0% on the day before (5.00%)" in page.alerts.value
    assert "Whole shop: Ad ROI 2.40, off its target 3.00 (-20.0%)" in page.alerts.value
    page.controls["lang"].value = "zh"
    assert "全店 投放 ROI 2.40，未达目标 3.00（-20.0%）" in page.alerts.value
