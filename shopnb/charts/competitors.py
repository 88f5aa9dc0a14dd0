"""Altair chart builders: aggregated data in, an undisplayed `alt.Chart` out.

A builder never computes a metric and never names a colour or a font (those
live in `shopnb.theme`); it only maps columns to marks, titles and tooltips in
the language asked for.

Example:
    >>> import pandas as pd
    >>> daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-05-02"]),
    ...                       "gmv": [1200.0, 1500.0]})
    >>> chart = daily_trend(daily, measure="gmv", lang="en")
    >>> chart.to_dict()["mark"]["type"]
    'line'
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from shopnb.labels import LABELS, t
from shopnb.theme import COLORS

__all__ = ["ab_cumulative", "ab_daily", "ab_forest", "ab_posterior", "ab_sample_size",
           "daily_trend", "interval_text", "metric_label"]

# d3-format strings for tooltips; money keeps its cents, counts do not.
_NUMBER_FORMATS = {"gmv": ",.2f", "refunds": ",.2f", "ad_cost": ",.2f"}
# Up to this many days a trend shows a dot per day; beyond, the dots stay
# (for the tooltips) but are not drawn, so the line stays readable.
MAX_DOTS = 62


_LAYOUT = "_shopnb_layout"
_BY_ORDER = alt.EncodingSortField("order", op="min")  # in their place (`_placed`)


def _with_rows(layout: alt.TopLevelMixin, rows: pd.DataFrame, title: str | None = None
               ) -> alt.TopLevelMixin:
    """`layout` (a chart without data, cached per look) holding `rows` (and `title`, when
    the title names what the rows are of): a shallow copy that remembers its layout, so
    that a redraw can send the layout's spec with the new rows and title
    (`shopnb.pages._widgets.ShopChart`). Layouts are shared: never change one.

    Such a title is the value of the parameter `TITLE_PARAM`, so that the spec of a redraw
    differs from the last one only in its rows and its parameters' values, which a chart
    on screen takes without a new view.

    Example:
        >>> layout = alt.Chart().mark_bar().encode(x="n:Q")
        >>> chart = _with_rows(layout, pd.DataFrame({"n": [1, 2]}), title="Orders")
        >>> len(chart.data), layout_of(chart) is layout, layout.data is alt.Undefined
        (2, True, True)
        >>> chart.to_dict()["title"], rows_title(chart)
        ({'text': {'expr': 'shopnb_title'}}, 'Orders')
    """
    chart = layout.copy(deep=False)
    chart.data = rows
    if title is not None:
        chart.title = alt.Title(alt.expr(TITLE_PARAM))
        chart.params = [*_params_of(layout), alt.VariableParameter(name=TITLE_PARAM, value=title)]
    object.__setattr__(chart, _LAYOUT, layout)  # Altair's own setattr would set a property
    return chart


TITLE_PARAM = "shopnb_title"


def _params_of(chart: alt.TopLevelMixin) -> list:
    return [] if chart.params is alt.Undefined else list(chart.params)


def layout_of(chart: object) -> alt.TopLevelMixin | None:
    """The cached layout `chart` was built on (see `_with_rows`), or None."""
    return getattr(chart, _LAYOUT, None) if isinstance(chart, alt.TopLevelMixin) else None


def rows_title(chart: alt.TopLevelMixin) -> str | None:
    """The title `_with_rows` gave `chart` (the value of its `TITLE_PARAM`), or None."""
    return next((param.value for param in _params_of(chart)
                 if getattr(param, "name", None) == TITLE_PARAM), None)


def daily_trend(df: pd.DataFrame, measure: str = "gmv", lang: str = "zh") -> alt.Chart:
    """A line with a dot per day: `measure` per day, one row of `df` per date.

    Each day's dot carries a tooltip; past `MAX_DOTS` days the dots are not
    drawn (but still answer the mouse).

    Args:
        df: already aggregated by day, with a ``date`` column (datetime64) and
            a numeric column named `measure`.
        measure: the column to draw, e.g. ``"gmv"``, ``"orders"``.
        lang: ``"zh"`` or ``"en"``, for titles and tooltips.

    Raises:
        ValueError: if `df` lacks ``date`` or `measure`.

    Example (the sample shop's daily GMV, as the landing page draws it):
        >>> import shopnb as sn  # doctest: +SKIP
        >>> from shopnb.pages.index import daily_totals  # doctest: +SKIP
        >>> daily_trend(daily_totals(sn.load_sample("funnel")), "gmv")  # doctest: +SKIP
    """
    _needs(df, ["date", measure], "daily_trend")
    label = t(measure, lang)
    date_label = t("date", lang)
    number_format = _NUMBER_FORMATS.get(measure, ",.0f")
    return (
        alt.Chart(df[["date", measure]], title=t("daily_trend_title", lang, measure=label))
        .mark_line(point=alt.OverlayMarkDef(opacity=1 if len(df) <= MAX_DOTS else 0))
        .encode(
            alt.X("date:T").title(date_label).axis(format="%m-%d", labelOverlap=True),
            alt.Y(f"{measure}:Q").title(label),
            tooltip=[
                alt.Tooltip("date:T").title(date_label).format("%Y-%m-%d"),
                alt.Tooltip(f"{measure}:Q").title(label).format(number_format),
            ],
        )
    )


# --- A/B tests (shopnb.pages.experiments) -----------------------------------------------------
# Each takes what shopnb.experiments computed; variants are coloured in the order given
# (control first), so a variant keeps its colour in every chart of the page.

AB_WIDTH = 760
_SIGNIFICANCE_SHAPES = {1: "triangle-up", 0: "circle", -1: "triangle-down"}
_SIGNIFICANCE_LABELS = {1: "ab_better", 0: "ab_not_significant", -1: "ab_worse"}


def metric_label(name: str, lang: str = "zh") -> str:
    """The label of an A/B metric (``metric_<name>``), or the name itself if it has none.

    Example:
        >>> metric_label("ctr", "en"), metric_label("my_metric", "en")
        ('CTR', 'my_metric')
    """
    return t(f"metric_{name}", lang) if f"metric_{name}" in LABELS[lang] else name


def interval_text(lower: float, upper: float) -> str:
    """A relative lift's interval as the page's table and the forest's tooltip show it.

    Example:
        >>> interval_text(-0.078, 0.01)
        '[-7.8%, +1.0%]'
    """
    return f"[{lower:+.1%}, {upper:+.1%}]"


def _variant_color(lang: str) -> alt.Color:
    return _color_of("variant", t("ab_variant", lang))


def _value_text(values: pd.Series, kinds: pd.Series) -> list[str]:
    return [f"{v:.2%}" if k == "proportion" else f"{v:,.3f}" for v, k in zip(values, kinds,
                                                                            strict=True)]


def ab_forest(result: pd.DataFrame, *, variants: list[str], level: float, lang: str = "zh"
              ) -> alt.FacetChart:
    """Forest plot: each treatment's relative lift over control with its interval, one row
    of panels per metric; the marker's shape says whether it is significant.

    Args:
        result: `shopnb.experiments.analyze` output with a ``significance`` column
            (`shopnb.experiments.significance`: +1, 0, -1).
        variants: all variant names, control first (for stable colours).
        level: the interval's level, e.g. 0.95, for the title.

    Example:
        >>> import shopnb as sn  # doctest: +SKIP
        >>> res = sn.experiments.analyze(df, {"ctr": ("clicks", "impressions")})  # doctest: +SKIP
        >>> res["significance"] = sn.experiments.significance(res)  # doctest: +SKIP
        >>> ab_forest(res, variants=res.attrs["variants"], level=0.95)  # doctest: +SKIP
    """
    _needs(result, ["metric", "variant", "rel_effect_size", "rel_effect_size_ci_lower",
                    "rel_effect_size_ci_upper", "significance", "control", "treatment", "kind",
                    "pvalue_adjusted", "chance_to_win"], "ab_forest")
    data = pd.DataFrame({
        "metric": [metric_label(m, lang) for m in result["metric"]],
        "variant": result["variant"].astype("str"),
        "lift": result["rel_effect_size"], "lower": result["rel_effect_size_ci_lower"],
        "upper": result["rel_effect_size_ci_upper"],
        "significance": [t(_SIGNIFICANCE_LABELS[int(s)], lang) for s in result["significance"]],
        "control": _value_text(result["control"], result["kind"]),
        "treatment": _value_text(result["treatment"], result["kind"]),
        "interval": [interval_text(lo, hi) for lo, hi in zip(
            result["rel_effect_size_ci_lower"], result["rel_effect_size_ci_upper"], strict=True)],
        "level": f"{level:.0%}",
        "p": result["pvalue_adjusted"], "chance": result["chance_to_win"],
    })
    metrics = {m: i for i, m in enumerate(dict.fromkeys(data["metric"]))}
    data = _placed(data, "variant", variants).assign(metric_order=data["metric"].map(metrics))
    return _with_rows(_forest_layout(lang), data, title=t(
        "ab_forest_title", lang, control=variants[0], level=f"{level:.0%}"))


@lru_cache(maxsize=64)
def _forest_layout(lang: str) -> alt.FacetChart:
    """The forest's layout; the level rides on the rows and the title, so that a new level
    builds no layout."""
    sig = [t(_SIGNIFICANCE_LABELS[k], lang) for k in (1, 0, -1)]
    lift = t("ab_rel_effect", lang)
    tooltip = [
        alt.Tooltip("metric:N").title(t("ab_metric", lang)),
        alt.Tooltip("variant:N").title(t("ab_variant", lang)),
        alt.Tooltip("control:N").title(t("ab_control_value", lang)),
        alt.Tooltip("treatment:N").title(t("ab_treatment_value", lang)),
        alt.Tooltip("lift:Q").title(lift).format("+.1%"),
        alt.Tooltip("interval:N").title(t("ab_interval_bounds", lang)),
        alt.Tooltip("level:N").title(t("ab_confidence", lang)),
        alt.Tooltip("p:Q").title(t("ab_pvalue_adjusted", lang)).format(".4f"),
        alt.Tooltip("chance:Q").title(t("ab_chance_to_win", lang)).format(".1%"),
    ]
    y = alt.Y("variant:N").title(None).sort(_BY_ORDER)
    # each variant in its rows' colour as it is (the rows name the variants; Vega-Lite's
    # colour range from a field does not work in a facet)
    color = alt.Color("colour:N").scale(None)
    base = alt.Chart().encode(y=y)
    interval = base.mark_rule(strokeWidth=3).encode(
        alt.X("lower:Q").title(lift).axis(format="+.0%"), alt.X2("upper:Q"), color,
        tooltip=tooltip)
    point = base.mark_point(filled=True, size=140, opacity=1).encode(
        alt.X("lift:Q"), color,
        alt.Shape("significance:N").scale(
            domain=sig, range=[_SIGNIFICANCE_SHAPES[k] for k in (1, 0, -1)]).title(None),
        tooltip=tooltip)
    zero = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(0))
    return (
        alt.layer(zero, interval, point)
        .properties(width=AB_WIDTH - 160, height=alt.Step(30))
        .facet(row=alt.Row("metric:N").title(None)
               .sort(alt.EncodingSortField("metric_order", op="min"))
               .header(labelAngle=0, labelAlign="left", labelFontSize=13),
               data=pd.DataFrame())  # Altair wants rows to facet; each chart brings its own
        .resolve_scale(x="independent")
    )


def ab_cumulative(cum: pd.DataFrame, *, variants: list[str], metric: str, lang: str = "zh"
                  ) -> alt.LayerChart:
    """Cumulative relative lift of each treatment by day, with its interval as a band.

    Args:
        cum: `shopnb.experiments.cumulative` rows of one metric.
    """
    _needs(cum, ["date", "variant", "rel_effect_size", "rel_effect_size_ci_lower",
                 "rel_effect_size_ci_upper"], "ab_cumulative")
    data = cum[["date", "variant", "rel_effect_size", "rel_effect_size_ci_lower",
                "rel_effect_size_ci_upper"]]
    return _with_rows(_cumulative_layout(lang), _placed(data, "variant", variants), title=t(
        "ab_cumulative_title", lang, metric=metric_label(metric, lang)))


@lru_cache(maxsize=64)
def _cumulative_layout(lang: str) -> alt.LayerChart:
    date, lift = t("date", lang), t("ab_rel_effect", lang)
    x = alt.X("date:T").title(date).axis(format="%m-%d")
    tooltip = [alt.Tooltip("date:T").title(date).format("%Y-%m-%d"),
               alt.Tooltip("variant:N").title(t("ab_variant", lang)),
               alt.Tooltip("rel_effect_size:Q").title(lift).format("+.1%"),
               alt.Tooltip("rel_effect_size_ci_lower:Q").title("↓").format("+.1%"),
               alt.Tooltip("rel_effect_size_ci_upper:Q").title("↑").format("+.1%")]
    # the legend is the first layer's, the faint band's: its symbols in the lines' colours
    color = _variant_color(lang).legend(orient="top", symbolOpacity=1)
    band = alt.Chart().mark_area(opacity=0.15).encode(
        x, alt.Y("rel_effect_size_ci_lower:Q"), alt.Y2("rel_effect_size_ci_upper:Q"), color)
    line = alt.Chart().mark_line(point=True).encode(
        x, alt.Y("rel_effect_size:Q").title(lift).axis(format="+.0%"), color, tooltip=tooltip)
    zero = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(y=alt.datum(0))
    return alt.layer(band, zero, line).properties(width=AB_WIDTH, height=240)


def ab_daily(daily: pd.DataFrame, *, variants: list[str], metric: str, percent: bool,
             lang: str = "zh") -> alt.Chart:
    """The metric per day, one line per variant (`shopnb.experiments.daily_values` rows)."""
    _needs(daily, ["date", "variant", "value"], "ab_daily")
    label = metric_label(metric, lang)
    return _with_rows(_daily_layout(percent, lang),
                      _placed(daily[["date", "variant", "value"]], "variant", variants)
                      .assign(metric=label),
                      title=t("ab_daily_title", lang, metric=label))


@lru_cache(maxsize=64)
def _daily_layout(percent: bool, lang: str) -> alt.Chart:
    """The daily chart's layout: the metric is named by the title and the rows (not the
    axis), so that another metric or experiment builds no layout."""
    date, value = t("date", lang), t("ab_value", lang)
    fmt = ".2%" if percent else ",.3f"
    return (
        alt.Chart()
        .mark_line(point=True)
        .encode(
            alt.X("date:T").title(date).axis(format="%m-%d"),
            alt.Y("value:Q").title(None).axis(format=".1%" if percent else ",.2f")
            .scale(zero=False),
            _variant_color(lang),
            tooltip=[alt.Tooltip("date:T").title(date).format("%Y-%m-%d"),
                     alt.Tooltip("variant:N").title(t("ab_variant", lang)),
                     alt.Tooltip("metric:N").title(t("ab_metric", lang)),
                     alt.Tooltip("value:Q").title(value).format(fmt)],
        )
        .properties(width=AB_WIDTH, height=220)
    )


def ab_posterior(posterior: pd.DataFrame, *, variants: list[str], metric: str,
                 lang: str = "zh") -> alt.LayerChart:
    """Posterior density of each treatment's relative lift over control (Bayesian mode)."""
    _needs(posterior, ["variant", "rel_effect_size", "density"], "ab_posterior")
    return _with_rows(_posterior_layout(lang),
                      _placed(posterior[["variant", "rel_effect_size", "density"]], "variant",
                              variants),
                      title=t("ab_posterior_title", lang, metric=metric_label(metric, lang)))


@lru_cache(maxsize=64)
def _posterior_layout(lang: str) -> alt.LayerChart:
    lift = t("ab_rel_effect", lang)
    area = alt.Chart().mark_area(opacity=0.35, interpolate="monotone").encode(
        alt.X("rel_effect_size:Q").title(lift).axis(format="+.0%"),
        alt.Y("density:Q").title(t("ab_density", lang)).stack(None),
        _variant_color(lang),
        tooltip=[alt.Tooltip("variant:N").title(t("ab_variant", lang)),
                 alt.Tooltip("rel_effect_size:Q").title(lift).format("+.1%")])
    zero = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(0))
    return alt.layer(area, zero).properties(width=AB_WIDTH, height=200)


def ab_sample_size(curve: pd.DataFrame, *, mde: float, metric: str, lang: str = "zh"
                   ) -> alt.LayerChart:
    """The planner's curve: users per variant (log scale) against the minimum detectable
    relative lift, with the chosen lift marked (`shopnb.experiments.plan_for` rows)."""
    _needs(curve, ["mde", "n_per_variant", "days"], "ab_sample_size")
    return _with_rows(_sample_size_layout(float(mde), lang),
                      curve[["mde", "n_per_variant", "days"]],
                      title=t("ab_planner_title", lang, metric=metric_label(metric, lang)))


@lru_cache(maxsize=64)
def _sample_size_layout(mde: float, lang: str) -> alt.LayerChart:
    x_title, n_title = t("ab_mde", lang), t("ab_n_per_variant", lang)
    tooltip = [alt.Tooltip("mde:Q").title(x_title).format(".1%"),
               alt.Tooltip("n_per_variant:Q").title(n_title).format(",.0f"),
               alt.Tooltip("days:Q").title(t("ab_days", lang)).format(",.0f")]
    line = alt.Chart().mark_line(point=True).encode(
        alt.X("mde:Q").title(x_title).axis(format=".0%"),
        alt.Y("n_per_variant:Q").title(n_title).scale(type="log").axis(format="~s"),
        tooltip=tooltip)
    chosen = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(mde))
    return alt.layer(line, chosen).properties(width=AB_WIDTH, height=220)

# --- competitors page (shopnb.pages.competitors) ------------------------------------------------

__all__ += [
    "RIVAL_SELECTION",
    "WEEK_PARAM",
    "content_chart",
    "creator_chart",
    "gap_chart",
    "lifecycle_chart",
    "price_index_chart",
    "share_chart",
    "week_value",
]

# The point selection on the share chart that a page reads through `alt.JupyterChart`,
# and the parameter holding the week marked on the weekly charts.
RIVAL_SELECTION = "rival"
WEEK_PARAM = "week"
_WEEK_FORMAT = "%Y-%m-%d"
_WIDTH = 800  # grouped bars size by their step otherwise, and shrink with one rival


def _needs(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}")


def _weeks(dates: pd.Series) -> tuple[pd.Timestamp, ...]:
    return tuple(sorted(pd.to_datetime(dates.dropna().unique())))


def _week_x(weeks: tuple[pd.Timestamp, ...], lang: str) -> alt.X:
    """A time axis ticked at the data's own `weeks` (d3 would tick on Sundays)."""
    ticks = [{"year": d.year, "month": d.month, "date": d.day} for d in weeks]
    return alt.X("date:T").title(t("week", lang)).axis(format="%m-%d", values=ticks,
                                                       labelOverlap=True)


def week_value(week: pd.Timestamp) -> str:
    """`week` as the value of the `WEEK_PARAM` parameter (local time, as the data's dates)."""
    return f"{pd.Timestamp(week):%Y-%m-%dT00:00:00}"


def _week_rule(week: str | None) -> list[alt.Chart]:
    """A dashed vertical rule at the week the page looks at (a `week_value`; nothing without
    a week).

    The week is the parameter `WEEK_PARAM`, so a page can move the rule by setting
    ``jchart.params.week`` without redrawing the chart.
    """
    if week is None:
        return []
    param = alt.param(name=WEEK_PARAM, value=week)
    return [alt.Chart(pd.DataFrame({"week": [0]})).mark_rule(strokeDash=[4, 4])
            .encode(x=alt.datum(alt.expr(f"toDate({WEEK_PARAM})"), type="temporal"))
            .add_params(param)]


def share_chart(df: pd.DataFrame, *, measure: str = "gmv", shops: list[str] | None = None,
                selected: str | None = None, week: pd.Timestamp | None = None,
                lang: str = "zh") -> alt.LayerChart:
    """Each shop's share per week as stacked areas, with a band where a ranged share can lie.

    Takes `shopnb.competitors.share` output. The band runs from ``share_low`` to
    ``share_high`` above the shop's base in the stack; it shows for the selected shop.
    Clicking a shop's area (or its legend entry) sets the point selection
    `RIVAL_SELECTION` on field ``shop``; the other shops then fade.

    Args:
        df: date, shop, share, share_low, share_high, `measure`, ``{measure}_low``,
            ``{measure}_high`` (one row per week x shop).
        measure: the measure the shares are of (for titles and tooltips).
        shops: the shops to draw, bottom of the stack first (default: all, as they come);
            they also fix the colours, so pass the same list to the page's other charts.
        selected: a shop to start selected (the page keeps its choice across redraws).
        week: a week to mark with a dashed rule.

    Example:
        >>> from shopnb import competitors
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 2), "shop": ["A", "B"],
        ...                    "gmv": [3.0, 1.0]})
        >>> spec = share_chart(competitors.share(df), lang="en").to_dict()
        >>> spec["params"][0]["name"], spec["params"][0]["select"]["fields"]
        ('rival', ['shop'])
    """
    low, high = f"{measure}_low", f"{measure}_high"
    _needs(df, ["date", "shop", "share", "share_low", "share_high", measure, low, high],
           "share_chart")
    shops = list(shops) if shops is not None else list(dict.fromkeys(df["shop"]))
    data = _placed(df[df["shop"].isin(shops)][
        ["date", "shop", "share", "share_low", "share_high", measure, low, high]], "shop", shops)
    return _with_rows(_share_layout(measure, selected, _week_param(week), _weeks(data["date"]),
                                    lang), data)


def _placed(rows: pd.DataFrame, field: str, places: list[str]) -> pd.DataFrame:
    """`rows` with the place of their `field` (a shop, a variant) in `places` (``order``;
    values not in it come after) and its colour (``colour``, from the theme's palette by
    that place). The charts read both from the rows (`_color_of`), so a shop or a variant
    has the same colour in every chart and a chart's layout does not depend on which
    ones it shows.

    Example:
        >>> _placed(pd.DataFrame({"shop": ["B", "A"]}), "shop", ["A", "B"])["order"].tolist()
        [1, 0]
    """
    place = {v: i for i, v in enumerate(dict.fromkeys([*places, *rows[field]]))}
    order = rows[field].map(place)
    return rows.assign(order=order, colour=[_colour_at(i) for i in order])


def _colour_at(place: int) -> str:
    """The colour of the shop or variant in `place`: the theme's palette, then hues a golden
    angle apart (each one drawn needs its own colour: Vega pairs the colours with them).

    Example:
        >>> _colour_at(0) == COLORS["category"][0], _colour_at(10) != _colour_at(20)
        (True, True)
    """
    palette = COLORS["category"]
    if place < len(palette):
        return palette[place]
    return f"hsl({place * 137.508 % 360:.1f}, 55%, 55%)"


def _color_of(field: str, title: str) -> alt.Color:
    """Colour by `field`, each value in the colour its rows carry (`_placed`). The legend
    lists the values drawn by name: Vega-Lite pairs a field's colours with the values in
    that order, so the domain must keep it (a sort by place would swap colours)."""
    return (alt.Color(f"{field}:N").scale(range=alt.FieldRange("colour")).title(title)
            .legend(orient="top"))


def _week_param(week: pd.Timestamp | None) -> str | None:
    return None if week is None else week_value(week)


@lru_cache(maxsize=64)
def _share_layout(measure: str, selected: str | None, week: str | None,
                  weeks: tuple[pd.Timestamp, ...], lang: str) -> alt.LayerChart:
    low, high = f"{measure}_low", f"{measure}_high"
    selection = alt.selection_point(
        name=RIVAL_SELECTION, fields=["shop"], on="click", clear="dblclick", bind="legend",
        value=[{"shop": selected}] if selected is not None else alt.Undefined)
    shop_label, share_label = t("shop", lang), t("share", lang)
    measure_label = t(measure, lang)
    x = _week_x(weeks, lang)
    color = _color_of("shop", shop_label)
    number = _NUMBER_FORMATS.get(measure, ",.0f")
    tooltip = [
        alt.Tooltip("shop:N").title(shop_label),
        alt.Tooltip("date:T").title(t("week", lang)).format(_WEEK_FORMAT),
        alt.Tooltip("share:Q").title(share_label).format(".1%"),
        alt.Tooltip("share_low:Q").title(f"{t('share_range', lang)} ↓").format(".1%"),
        alt.Tooltip("share_high:Q").title(f"{t('share_range', lang)} ↑").format(".1%"),
        alt.Tooltip(f"{measure}:Q").title(measure_label).format(number),
        alt.Tooltip(f"{low}:Q").title(f"{measure_label} ↓").format(number),
        alt.Tooltip(f"{high}:Q").title(f"{measure_label} ↑").format(number),
    ]
    chosen = alt.when(selection, empty=False)
    anything = f"length(data('{RIVAL_SELECTION}_store')) > 0"
    base = alt.Chart()  # the rows sit once at the top
    # the bands lie under the areas, so every click lands on an area
    band = (base.transform_stack(stack="share", groupby=["date"], sort=[alt.SortField("order")],
                                 as_=["base_low", "base_high"])
            .transform_calculate(band_low="datum.base_low + datum.share_low",
                                 band_high="datum.base_low + datum.share_high")
            .mark_area(clip=True).encode(
                x, alt.Y("band_low:Q"), alt.Y2("band_high:Q"), color, alt.Detail("shop:N"),
                opacity=chosen.then(alt.value(0.6)).otherwise(alt.value(0.0))))
    area = (base.mark_area(line=True).encode(
        x, alt.Y("share:Q").stack("zero").title(share_label).axis(format="%")
        .scale(domain=[0, 1]), color,
        alt.Order("order:Q"),
        opacity=chosen.then(alt.value(0.45)).when(anything).then(alt.value(0.12))
        .otherwise(alt.value(0.8)),
        tooltip=tooltip).add_params(selection))
    return alt.layer(band, area, *_week_rule(week)).properties(
        title=t("share_title", lang, measure=measure_label))


def price_index_chart(df: pd.DataFrame, *, by: str = "category",
                      week: pd.Timestamp | None = None, lang: str = "zh") -> alt.LayerChart:
    """The price index per week, one line per category (or product), 100 = parity.

    Takes `shopnb.competitors.price_index` output; weeks with rival price cuts
    (``rival_cuts > 0``) carry a ▼ marker.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"]),
        ...                    "category": "美妆", "own_price": 11.0, "rival_median": [12.0, 10.0],
        ...                    "rivals": 2, "price_index": [91.7, 110.0], "rival_cuts": [0, 1]})
        >>> [layer["mark"]["type"] for layer in price_index_chart(df).to_dict()["layer"]]
        ['rule', 'line', 'point']
    """
    _needs(df, ["date", by, "own_price", "rival_median", "price_index", "rival_cuts"],
           "price_index_chart")
    data = df[["date", by, "own_price", "rival_median", "price_index", "rival_cuts"]]
    return _with_rows(_price_index_layout(by, _week_param(week), _weeks(data["date"]), lang),
                      data)


@lru_cache(maxsize=64)
def _price_index_layout(by: str, week: str | None, weeks: tuple[pd.Timestamp, ...],
                        lang: str) -> alt.LayerChart:
    label = t(by, lang)
    x = _week_x(weeks, lang)
    y = alt.Y("price_index:Q").title(t("price_index", lang)).scale(zero=False)
    color = alt.Color(f"{by}:N").title(label).legend(orient="top")
    tooltip = [
        alt.Tooltip(f"{by}:N").title(label),
        alt.Tooltip("date:T").title(t("week", lang)).format(_WEEK_FORMAT),
        alt.Tooltip("price_index:Q").title(t("price_index", lang)).format(".1f"),
        alt.Tooltip("own_price:Q").title(t("own_price", lang)).format(",.2f"),
        alt.Tooltip("rival_median:Q").title(t("rival_median", lang)).format(",.2f"),
        alt.Tooltip("rival_cuts:Q").title(t("rival_cuts", lang)),
    ]
    base = alt.Chart()  # the rows sit once at the top
    parity = base.mark_rule(strokeDash=[2, 2]).encode(y=alt.datum(100))
    lines = base.mark_line(point=True).encode(x, y, color, tooltip=tooltip)
    cuts = (base.transform_filter("datum.rival_cuts > 0")
            .mark_point(shape="triangle-down", size=160, filled=True, opacity=1, yOffset=-12)
            .encode(x, y, color, tooltip=tooltip))
    return alt.layer(parity, lines, cuts, *_week_rule(week)).properties(
        title=t("price_index_title", lang))


def content_chart(df: pd.DataFrame, *, shops: list[str] | None = None,
                  week: pd.Timestamp | None = None, lang: str = "zh") -> alt.Chart:
    """Videos and live sessions per shop in one week, as paired bars, with the week's change.

    Takes the week's rows of `shopnb.competitors.content`.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "B"], "videos": [10.0, 4.0], "lives": [2.0, 5.0],
        ...                    "videos_change": [1.0, -2.0], "lives_change": [0.0, 1.0],
        ...                    "likes_per_video": [None, None], "gmv_per_post": [10.0, 20.0]})
        >>> content_chart(df, lang="en").data["content"].tolist()
        ['Videos', 'Videos', 'Live sessions', 'Live sessions']
    """
    _needs(df, ["shop", "videos", "lives", "videos_change", "lives_change", "likes_per_video",
                "gmv_per_post"], "content_chart")
    shops = list(shops) if shops is not None else list(dict.fromkeys(df["shop"]))
    kinds = [(k, t(k, lang)) for k in ("videos", "lives")]
    keep = ["shop", "likes_per_video", "gmv_per_post"]
    data = pd.concat([df[keep].assign(content=label, posts=df[k], change=df[f"{k}_change"])
                      for k, label in kinds], ignore_index=True)
    week = "" if week is None else f"{pd.Timestamp(week):%Y-%m-%d}"
    return _with_rows(_content_layout(tuple(label for _, label in kinds), lang),
                      _placed(data, "shop", shops), title=t("content_title", lang, week=week))


@lru_cache(maxsize=64)
def _content_layout(kinds: tuple[str, ...], lang: str) -> alt.Chart:
    shop_label = t("shop", lang)
    return alt.Chart().mark_bar().encode(
        alt.Y("shop:N").sort(_BY_ORDER).title(shop_label),
        alt.YOffset("content:N").sort(list(kinds)),
        alt.X("posts:Q").title(t("count", lang)),
        alt.Color("content:N").sort(list(kinds)).title(t("content_kind", lang))
        .legend(orient="top"),
        tooltip=[alt.Tooltip("shop:N").title(shop_label),
                 alt.Tooltip("content:N").title(t("content_kind", lang)),
                 alt.Tooltip("posts:Q").title(t("count", lang)),
                 alt.Tooltip("change:Q").title(t("change", lang)).format("+,.0f"),
                 alt.Tooltip("likes_per_video:Q").title(t("likes_per_video", lang))
                 .format(",.0f"),
                 alt.Tooltip("gmv_per_post:Q").title(t("gmv_per_post", lang)).format(",.0f")],
    )


def gap_chart(df: pd.DataFrame, *, shops: list[str] | None = None, min_gap: float = 10.0,
              title: str = "audience_title", lang: str = "zh") -> alt.LayerChart:
    """Rival minus own share per segment, one bar per rival; flagged gaps solid.

    Takes `shopnb.competitors.audience_gap` or `traffic_mix_gap` output; `title` is the
    label key of the title (``"audience_title"`` or ``"traffic_title"``); dashed rules
    mark +/- `min_gap` points.

    Example:
        >>> df = pd.DataFrame({"shop": ["A"], "segment": ["31_40"], "own_share": [0.27],
        ...                    "rival_share": [0.52], "gap": [25.0], "flagged": [True]})
        >>> gap_chart(df, lang="en").data["label"].tolist()
        ['31–40']
    """
    _needs(df, ["shop", "segment", "own_share", "rival_share", "gap", "flagged"], "gap_chart")
    shops = list(shops) if shops is not None else list(dict.fromkeys(df["shop"]))
    segments = list(dict.fromkeys(df["segment"]))
    labels = [t(f"seg_{s}", lang) for s in segments]
    data = df.assign(label=df["segment"].map(dict(zip(segments, labels, strict=True))))
    return _with_rows(_gap_layout(tuple(labels), float(min_gap), title, lang),
                      _placed(data, "shop", shops))


@lru_cache(maxsize=64)
def _gap_layout(labels: tuple[str, ...], min_gap: float, title: str, lang: str
                ) -> alt.LayerChart:
    """The bars (of the rows at the top), the +/- `min_gap` rules and zero (their own rows)."""
    shop_label = t("shop", lang)
    bars = alt.Chart().mark_bar().encode(
        alt.X("label:N").sort(list(labels)).title(t("segment", lang)).axis(labelAngle=0),
        alt.XOffset("shop:N").sort(_BY_ORDER),
        alt.Y("gap:Q").title(t("gap", lang)),
        _color_of("shop", shop_label),
        opacity=alt.when(alt.datum.flagged).then(alt.value(1.0)).otherwise(alt.value(0.35)),
        tooltip=[alt.Tooltip("shop:N").title(shop_label),
                 alt.Tooltip("label:N").title(t("segment", lang)),
                 alt.Tooltip("own_share:Q").title(t("own_share", lang)).format(".1%"),
                 alt.Tooltip("rival_share:Q").title(t("rival_share", lang)).format(".1%"),
                 alt.Tooltip("gap:Q").title(t("gap", lang)).format("+.1f")])
    lines = pd.DataFrame({"gap": [-min_gap, min_gap]})
    limits = alt.Chart(lines).mark_rule(strokeDash=[4, 4]).encode(alt.Y("gap:Q"))
    zero = alt.Chart(lines).mark_rule().encode(y=alt.datum(0))
    return alt.layer(bars, limits, zero).properties(
        title=t(title, lang, gap=f"{min_gap:g}"), width=_WIDTH)


def lifecycle_chart(df: pd.DataFrame, *, weeks: int = 4, lang: str = "zh") -> alt.LayerChart:
    """Own products by growth (against the shop) and conversion, coloured by life-cycle stage.

    Takes `shopnb.competitors.lifecycle` output; dot size is the last window's GMV.
    Products without a growth figure (nothing sold the window before) are not drawn.

    Example:
        >>> df = pd.DataFrame({"product_name": ["面膜"], "gmv": [100.0], "gmv_trend": [0.5],
        ...                    "growth": [0.3], "conversion": [0.04], "traffic_cost": [0.1],
        ...                    "stage": ["growth"]})
        >>> lifecycle_chart(df, lang="en").layer[1].data["label"].tolist()
        ['Growth']
    """
    _needs(df, ["product_name", "gmv", "gmv_trend", "growth", "conversion", "traffic_cost",
                "stage"], "lifecycle_chart")
    stages = ["introduction", "growth", "maturity", "decline"]
    labels = [t(f"stage_{s}", lang) for s in stages]
    data = df.assign(label=df["stage"].map(dict(zip(stages, labels, strict=True))))
    zero = alt.Chart(pd.DataFrame({"growth": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(
        alt.X("growth:Q"))
    dots = alt.Chart(data).mark_circle(opacity=0.85).encode(
        alt.X("growth:Q").title(t("lc_growth", lang)).axis(format="+.0%"),
        alt.Y("conversion:Q").title(t("conversion", lang)).axis(format=".1%")
        .scale(zero=False),
        alt.Color("label:N").sort(labels).scale(domain=labels).title(t("stage", lang))
        .legend(orient="top"),
        alt.Size("gmv:Q").title(t("gmv", lang)).legend(None),
        tooltip=[alt.Tooltip("product_name:N").title(t("product", lang)),
                 alt.Tooltip("label:N").title(t("stage", lang)),
                 alt.Tooltip("growth:Q").title(t("lc_growth", lang)).format("+.0%"),
                 alt.Tooltip("gmv_trend:Q").title(t("gmv_trend", lang)).format("+.0%"),
                 alt.Tooltip("conversion:Q").title(t("conversion", lang)).format(".2%"),
                 alt.Tooltip("traffic_cost:Q").title(t("traffic_cost", lang)).format(".1%"),
                 alt.Tooltip("gmv:Q").title(t("gmv", lang)).format(",.0f")])
    return alt.layer(zero, dots).properties(title=t("lifecycle_title", lang, weeks=weeks))


def creator_chart(df: pd.DataFrame, *, n: int = 300, lang: str = "zh") -> alt.Chart:
    """The `n` creators with most fans: fans against likes per video (log scales).

    Takes `shopnb.competitors.creator_benchmark` output (ordered by fans); creators
    without likes per video are not drawn.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "B"], "fans": [900.0, 500.0],
        ...                    "likes": [2e4, 3e4], "videos": [10.0, 20.0],
        ...                    "likes_per_video": [2000.0, 1500.0]})
        >>> len(creator_chart(df, n=1).data)
        1
    """
    _needs(df, ["shop", "fans", "likes", "videos", "likes_per_video"], "creator_chart")
    data = df.head(n)
    data = data[data["likes_per_video"] > 0][["shop", "fans", "likes", "videos",
                                              "likes_per_video"]]
    return alt.Chart(data, title=t("creator_title", lang, n=len(data))).mark_circle().encode(
        alt.X("fans:Q").scale(type="log").title(t("fans", lang)),
        alt.Y("likes_per_video:Q").scale(type="log").title(t("likes_per_video", lang)),
        tooltip=[alt.Tooltip("shop:N").title(t("shop", lang)),
                 alt.Tooltip("fans:Q").title(t("fans", lang)).format(",.0f"),
                 alt.Tooltip("likes:Q").title(t("likes", lang)).format(",.0f"),
                 alt.Tooltip("videos:Q").title(t("videos", lang)).format(",.0f"),
                 alt.Tooltip("likes_per_video:Q").title(t("likes_per_video", lang))
                 .format(",.0f")])


# --- funnel page (shopnb.pages.funnel) ------------------------------------------------------------

__all__ += ["conversion_time_chart", "ctr_decay_chart", "duration_text", "funnel_chart",
            "gpm_waterfall", "kpi_format", "kpi_label", "kpi_trend_chart", "rate_heatmap",
            "value_label"]

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
    """A code shown in words: ``value_label("channel", "ads", "zh") == "千川"``; stages,
    events, carriers, channels and formats (``fn_stage_*``, ``fn_carrier_*`` ...)."""
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


def funnel_chart(df: pd.DataFrame, *, kind: str = "stage", title: str = "fn_funnel_title",
                 lang: str = "zh", **title_fields: object) -> alt.HConcatChart:
    """People at each stage (bars, log scale) beside the step rates with their intervals.

    Takes `shopnb.funnel.summary` output (``stage, count`` ...) or, with
    ``kind="step"``, `shopnb.eventlog.event_funnel` output (``step, users`` ...).
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
    name, count = ("stage", "count") if kind == "stage" else ("step", "users")
    _needs(df, [name, count, "rate_from_previous", "rate_from_previous_ci_lower",
                "rate_from_previous_ci_upper", "rate_from_first"], "funnel_chart")
    stages = list(dict.fromkeys(df[name].astype(str)))
    labels = [value_label("stage", s, lang) for s in stages]
    cols = [name, count, "rate_from_previous", "rate_from_previous_ci_lower",
            "rate_from_previous_ci_upper", "rate_from_first",
            *(["period"] if "period" in df.columns else [])]
    data_first = stages[0]
    data = df[cols].rename(columns={name: "stage", count: "count"}).assign(
        stage=lambda d: d["stage"].astype(str),
        label=lambda d: d["stage"].map(dict(zip(stages, labels, strict=True))),
        drop_off=lambda d: 1 - d["rate_from_previous"],
        # a log scale has no zero: bars start a decade below the smallest count
        one=_decade_below(df[count]), bar=lambda d: d["count"].clip(lower=d["one"]))
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
        alt.layer(bars, counts).properties(width=FUNNEL_WIDTH),
        alt.layer(interval, points, rate_text).properties(width=FUNNEL_WIDTH * 0.7),
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
        target: the KPI's target, or None for no rule.
        alerts: ``date``, ``kind`` ("off_target" or "drop") and the column `kpi` (the
            value marked); the kinds are told apart by shape and colour.

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
    return alt.layer(*layers).properties(title=t("fn_trend_title", lang, kpi=label),
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
    return alt.layer(cells, text).properties(
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
    return alt.layer(bar, text).properties(title=t("fn_waterfall_title", lang), width=460)
