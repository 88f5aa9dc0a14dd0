"""The overview page, built and driven without a browser."""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd
import pytest

from shopnb.pages import OverviewPage, build_overview
from shopnb.pages.overview import check_funnel, daily_totals


def _drawn(page: OverviewPage) -> pd.DataFrame:
    """The rows the page's chart draws right now."""
    return page.jchart.chart.data


def test_daily_totals_sums_products_carriers_and_channels(funnel):
    daily = daily_totals(funnel)
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
    page = build_overview(funnel, lang="en")
    assert isinstance(page, widgets.VBox)
    assert set(page.controls) == {"measure", "lang"}
    assert isinstance(page.jchart, alt.JupyterChart)
    assert page.jchart in page.children
    assert alt.JupyterChart._is_offline  # JS from the kernel, not from a CDN
    assert page.jchart.embed_options["renderer"] == "svg"
    assert page.message.layout.display == "none"


def test_page_first_draws_daily_gmv(funnel):
    page = build_overview(funnel)
    assert page.controls["measure"].value == "gmv"
    assert _drawn(page)["gmv"].tolist() == [100.0, 260.0, 420.0]
    assert len(_drawn(page)) == 3  # aggregated by date before charting


@pytest.mark.parametrize(
    ("measure", "expected"),
    [("orders", [8, 16, 24]), ("buyers", [6, 14, 22]), ("clicks", [46, 62, 78])],
)
def test_measure_dropdown_redraws_the_same_chart_widget(funnel, measure, expected):
    page = build_overview(funnel, lang="en")
    jchart = page.jchart
    page.controls["measure"].value = measure
    assert page.jchart is jchart  # redrawn by assignment, not displayed again
    assert _drawn(page)[measure].tolist() == expected
    assert page.jchart.chart.to_dict()["encoding"]["y"]["field"] == measure


def test_measure_dropdown_offers_the_four_measures_in_the_page_language(funnel):
    page = build_overview(funnel, lang="zh")
    options = page.controls["measure"].options
    assert [value for _, value in options] == ["gmv", "orders", "buyers", "clicks"]
    assert [label for label, _ in options] == ["成交金额 (GMV)", "订单数", "成交人数", "点击人数"]


def test_language_toggle_relabels_page_and_chart_and_keeps_the_measure(funnel):
    page = build_overview(funnel, lang="zh")
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
    page = build_overview(funnel.drop(columns=["buyers", "clicks"]), lang="en")
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
    page = build_overview(bad(funnel), lang="zh")
    assert page.jchart is None
    assert page.message in page.children
    assert page.message.layout.display != "none"
    assert zh in page.message.value
    assert "Traceback" not in page.message.value

    page.controls["lang"].value = "en"
    assert en in page.message.value


def test_check_funnel_accepts_good_data(funnel):
    assert check_funnel(funnel) == ("", {})


def test_unknown_language_is_refused(funnel):
    with pytest.raises(ValueError, match="zh, en"):
        build_overview(funnel, lang="fr")
