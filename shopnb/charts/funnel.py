"""The funnel page's charts (`shopnb.pages.funnel`), and the words and formats they share.

The charts: the funnel, KPI trends, the heat map, CTR decay, time to convert, the GPM
waterfall.

Example:
    >>> value_label("channel", "ads", "zh"), kpi_format("ctr"), duration_text(90, "en")
    ('千川', '.2%', '1.5 min')
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from shopnb.charts.layout import _WIDTH, MAX_DOTS, _needs, _with_rows
from shopnb.labels import LABELS, t
from shopnb.theme import COLORS

__all__ = ["FUNNEL_WIDTH", "conversion_time_chart", "ctr_decay_chart", "duration_text",
           "funnel_chart", "gpm_waterfall", "kpi_format", "kpi_label", "kpi_trend_chart",
           "rate_heatmap", "value_label"]

FUNNEL_WIDTH = 380  # each half of the funnel chart
# total, up (red, as prices rise on Chinese screens), down (green)
_WATERFALL_COLORS = [COLORS["muted"], COLORS["category"][0], COLORS["category"][4]]
_RATE_KPIS = ("ctr", "click_to_deal", "impression_to_deal", "refund_rate", "completion_rate")


def kpi_label(kpi: str, lang: str = "zh") -> str:
    """A KPI's name in `lang` (``fn_kpi_*`` labels), or the KPI's own name."""
    key = f"fn_kpi_{kpi}"
    return t(key, lang) if key in LABELS[lang] else kpi


def kpi_format(kpi: str) -> str:
    """The d3 format of a KPI: percentages for rates, two decimals for money and ROI."""
    if kpi in _RATE_KPIS:
        return ".2%"
    return ",.0f" if kpi in ("gmv", "impressions", "clicks", "carts", "orders", "buyers") \
        else ",.2f"


def value_label(kind: str, value: object, lang: str = "zh") -> str:
    """A code shown in words: ``value_label("channel", "ads", "zh") == "千川"``.

    For stages, events, carriers, channels and formats (``fn_stage_*``, ``fn_carrier_*``
    ...).
    """
    key = f"fn_{kind}_{value}"
    return t(key, lang) if key in LABELS[lang] else str(value)


def duration_text(seconds: float, lang: str = "zh") -> str:
    """Seconds as the largest whole unit that fits: 90 -> "1.5 分钟" / "1.5 min"."""
    units = {"zh": ((86_400, "天"), (3_600, "小时"), (60, "分钟"), (1, "秒")),
             "en": ((86_400, " d"), (3_600, " h"), (60, " min"), (1, " s"))}[lang]
    if not pd.notna(seconds):
        return "–"
    for size, unit in units:
        if abs(seconds) >= size or size == 1:
            return f"{seconds / size:.3g}{unit if lang == 'en' else ' ' + unit}"
    return f"{seconds:g}"


def funnel_chart(df: pd.DataFrame, *, title: str = "fn_funnel_title",
                 lang: str = "zh", **title_fields: object) -> alt.HConcatChart:
    """People at each stage (bars, log scale) beside the step rates with their intervals.

    Takes `shopnb.funnel.summary` or `shopnb.eventlog.event_funnel` output
    (``stage, count`` ...).
    A ``period`` column (already in words: this period, comparison) draws the
    periods side by side, in the order they come.

    Example:
        >>> df = pd.DataFrame({"stage": ["impressions", "clicks"], "count": [1000.0, 50.0],
        ...                    "rate_from_previous": [1.0, 0.05],
        ...                    "rate_from_previous_ci_lower": [None, 0.038],
        ...                    "rate_from_previous_ci_upper": [None, 0.065],
        ...                    "rate_from_first": [1.0, 0.05]})
        >>> chart = funnel_chart(df, lang="en")
        >>> chart.data["label"].tolist()
        ['Impressions', 'Clicks']
    """
    cols = ["stage", "count", "rate_from_previous", "rate_from_previous_ci_lower",
            "rate_from_previous_ci_upper", "rate_from_first"]
    _needs(df, cols, "funnel_chart")
    stages = list(dict.fromkeys(df["stage"].astype(str)))
    labels = [value_label("stage", s, lang) for s in stages]
    data_first = stages[0]
    data = df[[*cols, *(["period"] if "period" in df.columns else [])]].assign(
        stage=lambda d: d["stage"].astype(str),
        label=lambda d: d["stage"].map(dict(zip(stages, labels, strict=True))),
        drop_off=lambda d: 1 - d["rate_from_previous"],
        # a log scale has no zero: bars start a decade below the smallest count
        one=_decade_below(df["count"]), bar=lambda d: d["count"].clip(lower=d["one"]))
    # the first stage has no step rate: missing values are not drawn
    data.loc[data["stage"] == data_first, "rate_from_previous"] = np.nan
    order = list(dict.fromkeys(data["period"])) if "period" in data.columns else []
    return _with_rows(_funnel_layout(tuple(labels), tuple(order), lang),  # ours first
                      data, title=t(title, lang, **title_fields))


@lru_cache(maxsize=64)
def _funnel_layout(labels: tuple[str, ...], order: tuple[str, ...], lang: str
                   ) -> alt.HConcatChart:
    periods = bool(order)
    y = alt.Y("label:N").sort(list(labels)).title(None)
    offset = [alt.YOffset("period:N").sort(list(order))] if periods else []
    color = [alt.Color("period:N").scale(domain=list(order)).title(t("fn_period", lang))
             .legend(orient="top")] if periods else []
    tooltip = [alt.Tooltip("label:N").title(t("stage", lang)),
               *([alt.Tooltip("period:N").title(t("fn_period", lang))] if periods else []),
               alt.Tooltip("count:Q").title(t("fn_count", lang)).format(",.0f"),
               alt.Tooltip("rate_from_previous:Q").title(t("fn_step_rate", lang)).format(".2%"),
               alt.Tooltip("rate_from_previous_ci_lower:Q").title(f"{t('fn_ci', lang)} ↓")
               .format(".2%"),
               alt.Tooltip("rate_from_previous_ci_upper:Q").title(f"{t('fn_ci', lang)} ↑")
               .format(".2%"),
               alt.Tooltip("drop_off:Q").title(t("fn_drop_off", lang)).format(".1%"),
               alt.Tooltip("rate_from_first:Q").title(t("fn_rate_from_first", lang))
               .format(".3%")]
    base = alt.Chart()  # the data sits once at the top (Altair then copies far less)
    x = alt.X("bar:Q").scale(type="log").title(t("fn_count", lang)).axis(format="~s")
    bars = base.mark_bar().encode(x, alt.X2("one:Q"), y, *offset, *color, tooltip=tooltip)
    counts = base.mark_text(align="left", dx=4).encode(
        x, y, *offset, text=alt.Text("count:Q").format(",.0f"))
    rate_x = alt.X("rate_from_previous:Q").title(t("fn_step_rate_ci", lang)).axis(format="%")
    interval = base.mark_rule(strokeWidth=2).encode(
        alt.X("rate_from_previous_ci_lower:Q"), alt.X2("rate_from_previous_ci_upper:Q"), y,
        *offset, *color)
    points = base.mark_point(filled=True, size=60).encode(rate_x, y, *offset, *color,
                                                          tooltip=tooltip)
    rate_text = base.mark_text(align="left", dx=8, dy=-8).encode(
        rate_x, y, *offset, text=alt.Text("rate_from_previous:Q").format(".1%"))
    return alt.hconcat(
        alt.LayerChart(layer=[bars, counts]).properties(width=FUNNEL_WIDTH),
        alt.LayerChart(layer=[interval, points, rate_text]).properties(width=FUNNEL_WIDTH * 0.7),
    )


def _decade_below(counts: pd.Series) -> float:
    positive = pd.to_numeric(counts, errors="coerce")
    positive = positive[positive > 0]
    return float(10 ** np.floor(np.log10(positive.min()))) if len(positive) else 1.0


def kpi_trend_chart(daily: pd.DataFrame, *, kpi: str, target: float | None = None,
                    alerts: pd.DataFrame | None = None, lang: str = "zh") -> alt.LayerChart:
    """A KPI per day with its target as a dashed rule and the days with an alert marked.

    Args:
        daily: ``date`` and the column `kpi`, one row per day.
        kpi: the KPI drawn (a column of `daily`), e.g. ``"ctr"``.
        target: the KPI's target, or None for no rule.
        alerts: ``date``, ``kind`` ("off_target" or "drop") and the column `kpi` (the
            value marked); the kinds are told apart by shape and colour.
        lang: ``"zh"`` or ``"en"``, for titles and tooltips.

    Example:
        >>> daily = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
        ...                       "ctr": [0.05, 0.03]})
        >>> chart = kpi_trend_chart(daily, kpi="ctr", target=0.04,
        ...                         alerts=daily.iloc[[1]].assign(kind="off_target"), lang="en")
        >>> [layer.mark.type if hasattr(layer.mark, "type") else layer.mark
        ...  for layer in chart.layer]
        ['line', 'rule', 'point']
    """
    _needs(daily, ["date", kpi], "kpi_trend_chart")
    kinds = {k: t(f"fn_alert_{k}", lang) for k in ("off_target", "drop")}
    marked = (alerts[["date", "kind", kpi]].assign(kind=alerts["kind"].map(kinds))
              if alerts is not None and len(alerts) else None)
    rows = pd.concat([daily[["date", kpi]].assign(kind=""), marked], ignore_index=True)
    target = float(target) if target is not None and pd.notna(target) else None
    return _with_rows(_trend_layout(kpi, target, marked is not None, len(daily) <= MAX_DOTS,
                                    lang), rows)


@lru_cache(maxsize=64)
def _trend_layout(kpi: str, target: float | None, alerts: bool, dots: bool,
                  lang: str) -> alt.LayerChart:
    """The line (rows whose ``kind`` is ""), the target rule and the alerts (rows with one)."""
    label, number = kpi_label(kpi, lang), kpi_format(kpi)
    date_label = t("date", lang)
    x = alt.X("date:T").title(date_label).axis(format="%m-%d", labelOverlap=True)
    y = alt.Y(f"{kpi}:Q").title(label).axis(format=number.replace(",", "").replace(".2", ""))
    tooltip = [alt.Tooltip("date:T").title(date_label).format("%Y-%m-%d"),
               alt.Tooltip(f"{kpi}:Q").title(label).format(number)]
    line = alt.Chart().mark_line(point=alt.OverlayMarkDef(opacity=1 if dots else 0)).encode(
        x, y, tooltip=tooltip).transform_filter("datum.kind === ''")
    layers: list[alt.Chart] = [line]
    if target is not None:
        rule = pd.DataFrame({"target": [target], "what": [t("fn_target", lang)]})
        layers.append(alt.Chart(rule).mark_rule(strokeDash=[6, 4]).encode(
            alt.Y("target:Q"), tooltip=[alt.Tooltip("what:N").title(" "),
                                        alt.Tooltip("target:Q").title(label).format(number)]))
    if alerts:
        kinds = [t(f"fn_alert_{k}", lang) for k in ("off_target", "drop")]
        layers.append(alt.Chart().mark_point(size=110, filled=True).encode(
            x, y, alt.Shape("kind:N").scale(domain=kinds, range=["triangle-down", "diamond"])
            .title(t("fn_alert", lang)).legend(orient="top"),
            alt.Color("kind:N").scale(domain=kinds).title(t("fn_alert", lang)),
            tooltip=[*tooltip, alt.Tooltip("kind:N").title(t("fn_alert", lang))],
        ).transform_filter("datum.kind !== ''"))
    return alt.LayerChart(layer=layers).properties(title=t("fn_trend_title", lang, kpi=label),
                                                   width=_WIDTH)


def rate_heatmap(df: pd.DataFrame, *, kpi: str, rows: str = "channel", columns: str = "carrier",
                 lang: str = "zh") -> alt.LayerChart:
    """A KPI for each pair of two breakdowns (channel x carrier by default), with its value.

    Takes `shopnb.funnel.kpis` (or `shopnb.monitor.kpi_table`) by ``[rows, columns]``.

    Example:
        >>> df = pd.DataFrame({"channel": ["feed", "ads"], "carrier": ["live", "live"],
        ...                    "ctr": [0.05, 0.02]})
        >>> rate_heatmap(df, kpi="ctr", lang="en").data["row_label"].tolist()
        ['Feed', 'Ads (千川)']
    """
    _needs(df, [rows, columns, kpi], "rate_heatmap")
    label, number = kpi_label(kpi, lang), kpi_format(kpi)
    data = df[[rows, columns, kpi]].dropna(subset=[kpi]).assign(
        row_label=lambda d: d[rows].map(lambda v: value_label(rows, v, lang)),
        col_label=lambda d: d[columns].map(lambda v: value_label(columns, v, lang)),
        dark=lambda d: d[kpi] > (d[kpi].min() + d[kpi].max()) / 2)  # light text on dark cells
    base = alt.Chart(data).encode(
        alt.X("col_label:N").title(t(f"fn_{columns}", lang) if f"fn_{columns}" in LABELS[lang]
                                   else columns).axis(labelAngle=0, orient="top"),
        alt.Y("row_label:N").title(t(f"fn_{rows}", lang) if f"fn_{rows}" in LABELS[lang]
                                   else rows))
    cells = base.mark_rect().encode(
        alt.Color(f"{kpi}:Q").title(label).legend(format=number.replace(",", "")),
        tooltip=[alt.Tooltip("row_label:N").title(t(f"fn_{rows}", lang)),
                 alt.Tooltip("col_label:N").title(t(f"fn_{columns}", lang)),
                 alt.Tooltip(f"{kpi}:Q").title(label).format(number)])
    text = base.mark_text(baseline="middle").encode(
        text=alt.Text(f"{kpi}:Q").format(number),
        color=alt.when(alt.datum.dark).then(alt.value(COLORS["background"]))
        .otherwise(alt.value(COLORS["text"])))
    return alt.LayerChart(layer=[cells, text]).properties(
        title=t("fn_heatmap_title", lang, kpi=label), width=420, height=34 * max(
            1, data["row_label"].nunique()))


def ctr_decay_chart(df: pd.DataFrame, *, lang: str = "zh") -> alt.Chart:
    """CTR by days since publishing, one line per content format.

    Takes `shopnb.funnel.ctr_decay` output (``format, days, ctr, ...``).

    Example:
        >>> df = pd.DataFrame({"format": ["drama", "drama"], "days": [0, 1],
        ...                    "videos": [3, 3], "impressions": [900.0, 600.0],
        ...                    "clicks": [18.0, 9.0], "ctr": [0.02, 0.015]})
        >>> ctr_decay_chart(df, lang="en").data["format_label"].unique().tolist()
        ['Drama']
    """
    _needs(df, ["format", "days", "ctr", "videos", "impressions"], "ctr_decay_chart")
    data = df[["format", "days", "ctr", "videos", "impressions"]].assign(
        format_label=lambda d: d["format"].map(lambda v: value_label("format", v, lang)))
    formats = list(dict.fromkeys(data.sort_values("format")["format_label"]))
    return alt.Chart(data).mark_line(point=True).encode(
        alt.X("days:Q").title(t("fn_days_since", lang)),
        alt.Y("ctr:Q").title(kpi_label("ctr", lang)).axis(format="%"),
        alt.Color("format_label:N").scale(domain=formats).title(t("fn_format", lang))
        .legend(orient="top"),
        tooltip=[alt.Tooltip("format_label:N").title(t("fn_format", lang)),
                 alt.Tooltip("days:Q").title(t("fn_days_since", lang)),
                 alt.Tooltip("ctr:Q").title(kpi_label("ctr", lang)).format(".2%"),
                 alt.Tooltip("videos:Q").title(t("fn_videos", lang)).format(",.0f"),
                 alt.Tooltip("impressions:Q").title(t("impressions", lang)).format(",.0f")],
    ).properties(title=t("fn_decay_title", lang), width=_WIDTH)


def conversion_time_chart(histogram: pd.DataFrame, *, median_s: float, p90_s: float,
                          start: str, end: str, lang: str = "zh") -> alt.Chart:
    """Users by the time they took from one step to another, in human-sized bins.

    Takes `shopnb.eventlog.time_to_convert(...).histogram` (``lower_s, upper_s,
    users, share``); `start` and `end` are the steps (event names).

    Example:
        >>> h = pd.DataFrame({"lower_s": [0.0, 60.0], "upper_s": [60.0, 300.0],
        ...                   "users": [5, 3], "share": [0.625, 0.375]})
        >>> chart = conversion_time_chart(h, median_s=40, p90_s=200, start="click",
        ...                               end="pay", lang="en")
        >>> chart.data["bin"].tolist()
        ['0 s–1 min', '1 min–5 min']
    """
    _needs(histogram, ["lower_s", "upper_s", "users", "share"], "conversion_time_chart")
    data = histogram[["lower_s", "upper_s", "users", "share"]].assign(
        bin=lambda d: [f"{duration_text(lo, lang)}–{duration_text(hi, lang)}"
                       for lo, hi in zip(d["lower_s"], d["upper_s"], strict=True)])
    return alt.Chart(data).mark_bar().encode(
        alt.X("bin:N").sort(data["bin"].tolist()).title(t("fn_duration", lang))
        .axis(labelAngle=-30),
        alt.Y("users:Q").title(t("fn_users", lang)),
        tooltip=[alt.Tooltip("bin:N").title(t("fn_duration", lang)),
                 alt.Tooltip("users:Q").title(t("fn_users", lang)).format(",.0f"),
                 alt.Tooltip("share:Q").title("%").format(".1%")],
    ).properties(title=t("fn_ttc_title", lang, start=value_label("stage", start, lang),
                         end=value_label("stage", end, lang),
                         median=duration_text(median_s, lang),
                         p90=duration_text(p90_s, lang)), width=_WIDTH)


def gpm_waterfall(df: pd.DataFrame, *, lang: str = "zh") -> alt.LayerChart:
    """The GPM of the comparison period, the CTR, conversion and AOV effects, and this period's.

    Takes `shopnb.funnel.explain_change` output (one group): rows ``gpm``,
    ``ctr``, ``conversion``, ``aov`` with ``control``, ``treatment``,
    ``gpm_effect`` and ``gpm_rel_effect``. The effects float from where the
    previous one ended (their sum is the change, by the decomposition).

    Example:
        >>> df = pd.DataFrame({"factor": ["gpm", "ctr", "conversion", "aov"],
        ...                    "control": [200.0, 0.05, 0.04, 100.0],
        ...                    "treatment": [150.0, 0.04, 0.04, 93.75],
        ...                    "gpm_effect": [-50.0, -40.0, 0.0, -10.0],
        ...                    "gpm_rel_effect": [-0.25, -0.2, 0.0, -0.05]})
        >>> gpm_waterfall(df, lang="en").data[["start", "end"]].values.tolist()
        [[0.0, 200.0], [200.0, 160.0], [160.0, 160.0], [160.0, 150.0], [0.0, 150.0]]
    """
    _needs(df, ["factor", "control", "treatment", "gpm_effect", "gpm_rel_effect"],
           "gpm_waterfall")
    rows = df.assign(factor=df["factor"].astype(str)).set_index("factor")
    before, after = float(rows.loc["gpm", "control"]), float(rows.loc["gpm", "treatment"])
    kinds = {k: t(f"fn_{k}", lang) for k in ("total", "up", "down")}
    bars, level = [(t("fn_gpm_before", lang), 0.0, before, kinds["total"], before, 0.0)], before
    for factor in ("ctr", "conversion", "aov"):
        effect = float(rows.loc[factor, "gpm_effect"])
        bars.append((t(f"fn_factor_{factor}", lang), level, level + effect,
                     kinds["up" if effect >= 0 else "down"], effect,
                     float(rows.loc[factor, "gpm_rel_effect"])))
        level += effect
    bars.append((t("fn_gpm_after", lang), 0.0, after, kinds["total"], after,
                 float(rows.loc["gpm", "gpm_rel_effect"])))
    data = pd.DataFrame(bars, columns=["step", "start", "end", "kind", "value", "rel"])
    return _with_rows(_waterfall_layout(tuple(data["step"]), lang), data)


@lru_cache(maxsize=16)
def _waterfall_layout(order: tuple[str, ...], lang: str) -> alt.LayerChart:
    kinds = [t(f"fn_{k}", lang) for k in ("total", "up", "down")]
    x = alt.X("step:N").sort(list(order)).title(None).axis(labelAngle=0)
    tooltip = [alt.Tooltip("step:N").title(" "),
               alt.Tooltip("value:Q").title(t("fn_effect", lang)).format(",.2f"),
               alt.Tooltip("rel:Q").title("%").format("+.1%")]
    bar = alt.Chart().mark_bar().encode(
        x, alt.Y("start:Q").title(kpi_label("gpm", lang)), alt.Y2("end:Q"),
        alt.Color("kind:N").scale(domain=kinds, range=_WATERFALL_COLORS)
        .title(None).legend(orient="top"), tooltip=tooltip)
    text = alt.Chart().mark_text(dy=-8).encode(
        x, alt.Y("top:Q"), text=alt.Text("value:Q").format(",.1f")).transform_calculate(
        top="max(datum.start, datum.end)")
    return alt.LayerChart(layer=[bar, text]).properties(title=t("fn_waterfall_title", lang),
                                                        width=460)
