"""Chart builders: the spec they produce, on tiny hand-made frames."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from shopnb import theme
from shopnb.charts import MAX_DOTS, daily_trend


@pytest.fixture
def daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-03"]),
            "gmv": [1200.5, 980.0, 1500.25],
            "orders": pd.array([12, 9, 15], dtype="Int64"),
        }
    )


def _rows(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def test_daily_trend_is_an_undisplayed_line_chart(daily):
    chart = daily_trend(daily, "gmv", lang="en")
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    assert spec["mark"] == {"type": "line", "point": {"opacity": 1}}
    assert spec["encoding"]["x"]["field"] == "date"
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert spec["encoding"]["y"] == {"field": "gmv", "type": "quantitative", "title": "GMV"}
    assert spec["title"] == "Daily GMV"


def test_daily_trend_passes_the_aggregated_rows_through_unchanged(daily):
    spec = daily_trend(daily, "orders", lang="en").to_dict()
    rows = _rows(spec)
    assert [r["orders"] for r in rows] == [12, 9, 15]
    assert [r["date"][:10] for r in rows] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert set(rows[0]) == {"date", "orders"}  # only what the chart draws
    # the chart aggregates nothing itself: no transforms, no aggregate encodings
    assert "transform" not in spec
    assert all("aggregate" not in enc for enc in spec["encoding"].values())


def test_daily_trend_tooltips_show_date_and_measure(daily):
    tooltip = daily_trend(daily, "gmv", lang="en").to_dict()["encoding"]["tooltip"]
    assert [(t["field"], t["title"], t["format"]) for t in tooltip] == [
        ("date", "Date", "%Y-%m-%d"),
        ("gmv", "GMV", ",.2f"),
    ]


def test_daily_trend_speaks_chinese(daily):
    spec = daily_trend(daily, "orders", lang="zh").to_dict()
    assert spec["title"] == "每日订单数"
    assert spec["encoding"]["x"]["title"] == "日期"
    assert spec["encoding"]["y"]["title"] == "订单数"


def test_daily_trend_names_no_colour_or_font(daily):
    """Rule 6: the chart leaves colours and fonts to the theme."""
    chart = daily_trend(daily, "gmv")
    with alt.theme.enable("none"):
        spec = chart.to_dict()
    assert "config" not in spec
    text = str(spec)
    assert "color" not in text
    assert "font" not in text.lower()


def test_daily_trend_gets_fonts_and_colours_from_the_theme(daily):
    assert alt.theme.active == theme.THEME_NAME
    config = daily_trend(daily, "gmv").to_dict()["config"]
    assert "Noto Sans CJK SC" in config["font"]
    assert config["line"]["color"] == theme.COLORS["primary"]


def test_daily_trend_hides_the_dots_of_a_long_trend_but_keeps_their_tooltips():
    days = pd.date_range("2024-01-01", periods=MAX_DOTS + 1)
    long = pd.DataFrame({"date": days, "gmv": range(len(days))})
    spec = daily_trend(long, "gmv").to_dict()
    assert spec["mark"]["point"] == {"opacity": 0}
    assert len(_rows(spec)) == MAX_DOTS + 1
    assert "tooltip" in spec["encoding"]
    short = daily_trend(long.iloc[:MAX_DOTS], "gmv").to_dict()
    assert short["mark"]["point"] == {"opacity": 1}


def test_daily_trend_rejects_a_missing_measure(daily):
    with pytest.raises(ValueError, match="clicks"):
        daily_trend(daily, "clicks")
