"""The A/B test charts (`shopnb.pages.experiments`).

Each takes what `shopnb.experiments` computed; variants are coloured in the order given
(control first), so a variant keeps its colour in every chart of the page.

Example:
    >>> metric_label("ctr", "en"), interval_text(-0.078, 0.01)
    ('CTR', '[-7.8%, +1.0%]')
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from shopnb.charts.layout import _BY_ORDER, _color_of, _needs, _placed, _with_rows
from shopnb.labels import LABELS, t

__all__ = ["AB_WIDTH", "ab_cumulative", "ab_daily", "ab_forest", "ab_posterior",
           "ab_sample_size", "interval_text", "metric_label"]

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
    """Forest plot: each treatment's relative lift over control with its interval.

    One row of panels per metric; the marker's shape says whether it is significant.

    Args:
        result: `shopnb.experiments.analyze` output with a ``significance`` column
            (`shopnb.experiments.significance`: +1, 0, -1).
        variants: all variant names, control first (for stable colours).
        level: the interval's level, e.g. 0.95, for the title.
        lang: ``"zh"`` or ``"en"``, for titles and tooltips.

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
    """The forest's layout.

    The level rides on the rows and the title, so that a new level builds no layout.
    """
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
    y = alt.Y("variant:N", sort=_BY_ORDER).title(None)
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
        alt.LayerChart(layer=[zero, interval, point])
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
        variants: all variant names, control first (for stable colours).
        metric: the metric's name, for the title.
        lang: ``"zh"`` or ``"en"``, for titles and tooltips.
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
    return alt.LayerChart(layer=[band, zero, line]).properties(width=AB_WIDTH, height=240)


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
    """The daily chart's layout.

    The metric is named by the title and the rows (not the axis), so that another metric
    or experiment builds no layout.
    """
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
    return alt.LayerChart(layer=[area, zero]).properties(width=AB_WIDTH, height=200)


def ab_sample_size(curve: pd.DataFrame, *, mde: float, metric: str, lang: str = "zh"
                   ) -> alt.LayerChart:
    """The planner's curve: users per variant against the minimum detectable relative lift.

    Users are on a log scale, the chosen lift is marked (`shopnb.experiments.plan_for`
    rows).
    """
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
    return alt.LayerChart(layer=[line, chosen]).properties(width=AB_WIDTH, height=220)
