"""Chart builders of the funnel page: the spec they produce, on tiny hand-made frames."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from shopnb import charts
from shopnb.charts import (
    conversion_time_chart,
    ctr_decay_chart,
    duration_text,
    funnel_chart,
    gpm_waterfall,
    kpi_trend_chart,
    rate_heatmap,
)


@pytest.fixture
def stages() -> pd.DataFrame:
    return pd.DataFrame({"stage": ["impressions", "clicks", "buyers"],
                         "count": [10_000.0, 400.0, 0.0],
                         "rate_from_previous": [1.0, 0.04, 0.0],
                         "rate_from_previous_ci_lower": [np.nan, 0.036, 0.0],
                         "rate_from_previous_ci_upper": [np.nan, 0.044, 0.0095],
                         "rate_from_first": [1.0, 0.04, 0.0]})


def _marks(chart: alt.LayerChart) -> list[str]:
    return [layer.mark if isinstance(layer.mark, str) else layer.mark.type
            for layer in chart.layer]


def test_funnel_chart_bars_on_a_log_scale_beside_step_rates(stages):
    chart = funnel_chart(stages, lang="en")
    left, right = chart.hconcat
    assert _marks(left) == ["bar", "text"] and _marks(right) == ["rule", "point", "text"]
    data = chart.data
    assert data["label"].tolist() == ["Impressions", "Clicks", "Buyers"]
    # bars start a decade below the smallest count; zero is drawn at that floor
    assert data["one"].unique().tolist() == [100.0]
    assert data["bar"].tolist() == [10_000.0, 400.0, 100.0]
    assert np.isnan(data["rate_from_previous"].iloc[0])  # no step rate for the first stage
    spec = chart.to_dict()
    assert spec["hconcat"][0]["layer"][0]["encoding"]["x"]["scale"] == {"type": "log"}
    assert charts.rows_title(chart) == "Funnel: people at each stage and step rates"


def test_funnel_chart_of_an_event_funnel_with_periods(stages):
    steps = stages.assign(stage=["click", "cart", "pay"])
    both = pd.concat([steps.assign(period="now"), steps.assign(period="before")])
    chart = funnel_chart(both, title="fn_events_title", window="1 day", lang="en")
    assert charts.rows_title(chart) == "User-path funnel (within 1 day, per user)"
    enc = chart.hconcat[0].layer[0].encoding
    assert enc.yOffset.shorthand == "period:N" and enc.color.shorthand == "period:N"
    with pytest.raises(ValueError, match="funnel_chart"):
        funnel_chart(stages.drop(columns="rate_from_first"))


def test_kpi_trend_layers_the_target_and_alerts():
    daily = pd.DataFrame({"date": pd.date_range("2024-11-01", periods=3), "roi": [3.5, 2.0, 3.1]})
    alerts = daily.iloc[[1]].assign(kind="off_target")
    chart = kpi_trend_chart(daily, kpi="roi", target=3.0, alerts=alerts, lang="zh")
    assert _marks(chart) == ["line", "rule", "point"]
    assert chart.layer[1].data["target"].tolist() == [3.0]
    assert chart.data["kind"].tolist() == ["", "", "", "偏离目标"]  # the line's rows, an alert's
    assert chart.data["roi"].tolist() == [3.5, 2.0, 3.1, 2.0]
    assert chart.to_dict()["title"] == "每日投放 ROI"
    assert _marks(kpi_trend_chart(daily, kpi="roi", lang="en")) == ["line"]


def test_rate_heatmap_labels_codes_and_darkens_text_on_dark_cells():
    df = pd.DataFrame({"channel": ["feed", "feed", "search"], "carrier": ["live", "video", "card"],
                       "click_to_deal": [0.05, 0.02, np.nan]})
    chart = rate_heatmap(df, kpi="click_to_deal", lang="zh")
    data = chart.data
    assert data["row_label"].tolist() == ["推荐", "推荐"]  # the missing cell is left out
    assert data["col_label"].tolist() == ["直播", "短视频"]
    assert data["dark"].tolist() == [True, False]
    assert chart.layer[0].encoding.color.shorthand == "click_to_deal:Q"


def test_ctr_decay_one_line_per_format():
    df = pd.DataFrame({"format": ["review", "review", "drama"], "days": [0, 1, 0],
                       "videos": [2, 2, 1], "impressions": [1000.0, 800.0, 500.0],
                       "ctr": [0.02, 0.015, 0.03]})
    spec = ctr_decay_chart(df, lang="en").to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Drama", "Review"]
    assert spec["encoding"]["x"]["field"] == "days"


def test_conversion_time_chart_names_bins_in_human_units():
    hist = pd.DataFrame({"lower_s": [0.0, 3600.0], "upper_s": [3600.0, 86_400.0],
                         "users": [8, 2], "share": [0.8, 0.2]})
    chart = conversion_time_chart(hist, median_s=1800, p90_s=7200, start="click", end="pay",
                                  lang="zh")
    assert chart.data["bin"].tolist() == ["0 秒–1 小时", "1 小时–1 天"]
    assert chart.to_dict()["title"] == "从点击到支付的用时（中位数 30 分钟，P90 2 小时）"
    assert duration_text(90, "en") == "1.5 min" and duration_text(float("nan")) == "–"


def test_gpm_waterfall_floats_the_effects_to_the_new_gpm():
    df = pd.DataFrame({"factor": ["gpm", "ctr", "conversion", "aov"],
                       "control": [200.0, 0.05, 0.04, 100.0],
                       "treatment": [230.0, 0.05, 0.05, 92.0],
                       "gpm_effect": [30.0, 0.0, 45.0, -15.0],
                       "gpm_rel_effect": [0.15, 0.0, 0.225, -0.075]})
    chart = gpm_waterfall(df, lang="en")
    data = chart.data
    assert data["step"].tolist() == ["GPM, comparison", "CTR", "Conversion", "AOV",
                                     "GPM, this period"]
    assert data[["start", "end"]].values.tolist() == [[0.0, 200.0], [200.0, 200.0],
                                                       [200.0, 245.0], [245.0, 230.0],
                                                       [0.0, 230.0]]
    assert data["kind"].tolist() == ["Total", "Up", "Up", "Down", "Total"]
    color = chart.to_dict()["layer"][0]["encoding"]["color"]
    assert color["scale"]["range"] == charts.funnel._WATERFALL_COLORS


def test_builders_name_no_colour_outside_the_theme():
    from shopnb import theme

    assert set(charts.funnel._WATERFALL_COLORS) <= {theme.COLORS["muted"], *theme.COLORS["category"]}
