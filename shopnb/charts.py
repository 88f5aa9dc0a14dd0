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

import altair as alt
import pandas as pd

from shopnb.theme import LABELS, t

__all__ = ["ab_cumulative", "ab_daily", "ab_forest", "ab_posterior", "ab_sample_size",
           "daily_trend", "metric_label"]

# d3-format strings for tooltips; money keeps its cents, counts do not.
_NUMBER_FORMATS = {"gmv": ",.2f", "refunds": ",.2f", "ad_cost": ",.2f"}
# Up to this many days a trend shows a dot per day; beyond, the dots stay
# (for the tooltips) but are not drawn, so the line stays readable.
MAX_DOTS = 62


def _require_columns(df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"daily_trend needs the column(s) {', '.join(missing)}")


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

    Example (the sample shop's daily GMV, as the overview page draws it):
        >>> import shopnb as sn  # doctest: +SKIP
        >>> from shopnb.pages.overview import daily_totals  # doctest: +SKIP
        >>> daily_trend(daily_totals(sn.load_sample("funnel")), "gmv")  # doctest: +SKIP
    """
    _require_columns(df, ["date", measure])
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


def _needs(builder: str, df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{builder} needs the column(s) {', '.join(missing)}")


def metric_label(name: str, lang: str = "zh") -> str:
    """The label of an A/B metric (``metric_<name>``), or the name itself if it has none.

    Example:
        >>> metric_label("ctr", "en"), metric_label("my_metric", "en")
        ('CTR', 'my_metric')
    """
    return t(f"metric_{name}", lang) if f"metric_{name}" in LABELS[lang] else name


def _variant_color(variants: list[str], lang: str) -> alt.Color:
    return alt.Color("variant:N").scale(domain=list(variants)).title(t("ab_variant", lang))


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
    _needs("ab_forest", result, ["metric", "variant", "rel_effect_size", "rel_effect_size_ci_lower",
                              "rel_effect_size_ci_upper", "significance", "control",
                              "treatment", "kind", "pvalue_adjusted", "chance_to_win"])
    sig = [t(_SIGNIFICANCE_LABELS[k], lang) for k in (1, 0, -1)]
    data = pd.DataFrame({
        "metric": [metric_label(m, lang) for m in result["metric"]],
        "variant": result["variant"].astype("str"),
        "lift": result["rel_effect_size"], "lower": result["rel_effect_size_ci_lower"],
        "upper": result["rel_effect_size_ci_upper"],
        "significance": [t(_SIGNIFICANCE_LABELS[int(s)], lang) for s in result["significance"]],
        "control": _value_text(result["control"], result["kind"]),
        "treatment": _value_text(result["treatment"], result["kind"]),
        "p": result["pvalue_adjusted"], "chance": result["chance_to_win"],
    })
    lift = t("ab_rel_effect", lang)
    tooltip = [
        alt.Tooltip("metric:N").title(t("ab_metric", lang)),
        alt.Tooltip("variant:N").title(t("ab_variant", lang)),
        alt.Tooltip("control:N").title(t("ab_control_value", lang)),
        alt.Tooltip("treatment:N").title(t("ab_treatment_value", lang)),
        alt.Tooltip("lift:Q").title(lift).format("+.1%"),
        alt.Tooltip("lower:Q").title(t("ab_interval", lang, level=f"{level:.0%}")).format("+.1%"),
        alt.Tooltip("upper:Q").title("…").format("+.1%"),
        alt.Tooltip("p:Q").title(t("ab_pvalue_adjusted", lang)).format(".4f"),
        alt.Tooltip("chance:Q").title(t("ab_chance_to_win", lang)).format(".1%"),
    ]
    y = alt.Y("variant:N").title(None).sort(list(variants))
    base = alt.Chart().encode(y=y)
    interval = base.mark_rule(strokeWidth=3).encode(
        alt.X("lower:Q").title(lift).axis(format="+.0%"), alt.X2("upper:Q"),
        _variant_color(variants, lang), tooltip=tooltip)
    point = base.mark_point(filled=True, size=140, opacity=1).encode(
        alt.X("lift:Q"), _variant_color(variants, lang),
        alt.Shape("significance:N").scale(
            domain=sig, range=[_SIGNIFICANCE_SHAPES[k] for k in (1, 0, -1)]).title(None),
        tooltip=tooltip)
    zero = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(0))
    return (
        alt.layer(zero, interval, point, data=data)
        .properties(width=AB_WIDTH - 160, height=alt.Step(30))
        .facet(row=alt.Row("metric:N").title(None).sort(list(dict.fromkeys(data["metric"])))
               .header(labelAngle=0, labelAlign="left", labelFontSize=13))
        .resolve_scale(x="independent")
        .properties(title=t("ab_forest_title", lang, control=variants[0],
                            level=f"{level:.0%}"))
    )


def ab_cumulative(cum: pd.DataFrame, *, variants: list[str], metric: str, lang: str = "zh"
                  ) -> alt.LayerChart:
    """Cumulative relative lift of each treatment by day, with its interval as a band.

    Args:
        cum: `shopnb.experiments.cumulative` rows of one metric.
    """
    _needs("ab_cumulative", cum, ["date", "variant", "rel_effect_size", "rel_effect_size_ci_lower",
                           "rel_effect_size_ci_upper"])
    data = cum[["date", "variant", "rel_effect_size", "rel_effect_size_ci_lower",
                "rel_effect_size_ci_upper"]]
    date, lift = t("date", lang), t("ab_rel_effect", lang)
    x = alt.X("date:T").title(date).axis(format="%m-%d")
    tooltip = [alt.Tooltip("date:T").title(date).format("%Y-%m-%d"),
               alt.Tooltip("variant:N").title(t("ab_variant", lang)),
               alt.Tooltip("rel_effect_size:Q").title(lift).format("+.1%"),
               alt.Tooltip("rel_effect_size_ci_lower:Q").title("↓").format("+.1%"),
               alt.Tooltip("rel_effect_size_ci_upper:Q").title("↑").format("+.1%")]
    band = alt.Chart().mark_area(opacity=0.15).encode(
        x, alt.Y("rel_effect_size_ci_lower:Q"), alt.Y2("rel_effect_size_ci_upper:Q"),
        _variant_color(variants, lang))
    line = alt.Chart().mark_line(point=True).encode(
        x, alt.Y("rel_effect_size:Q").title(lift).axis(format="+.0%"),
        _variant_color(variants, lang), tooltip=tooltip)
    zero = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(y=alt.datum(0))
    return alt.layer(band, zero, line, data=data).properties(
        width=AB_WIDTH, height=240,
        title=t("ab_cumulative_title", lang, metric=metric_label(metric, lang)))


def ab_daily(daily: pd.DataFrame, *, variants: list[str], metric: str, percent: bool,
             lang: str = "zh") -> alt.Chart:
    """The metric per day, one line per variant (`shopnb.experiments.daily_values` rows)."""
    _needs("ab_daily", daily, ["date", "variant", "value"])
    date, label = t("date", lang), metric_label(metric, lang)
    fmt = ".2%" if percent else ",.3f"
    return (
        alt.Chart(daily[["date", "variant", "value"]],
                  title=t("ab_daily_title", lang, metric=label))
        .mark_line(point=True)
        .encode(
            alt.X("date:T").title(date).axis(format="%m-%d"),
            alt.Y("value:Q").title(label).axis(format=".1%" if percent else ",.2f")
            .scale(zero=False),
            _variant_color(variants, lang),
            tooltip=[alt.Tooltip("date:T").title(date).format("%Y-%m-%d"),
                     alt.Tooltip("variant:N").title(t("ab_variant", lang)),
                     alt.Tooltip("value:Q").title(label).format(fmt)],
        )
        .properties(width=AB_WIDTH, height=220)
    )


def ab_posterior(posterior: pd.DataFrame, *, variants: list[str], metric: str,
                 lang: str = "zh") -> alt.LayerChart:
    """Posterior density of each treatment's relative lift over control (Bayesian mode)."""
    _needs("ab_posterior", posterior, ["variant", "rel_effect_size", "density"])
    lift = t("ab_rel_effect", lang)
    area = alt.Chart().mark_area(opacity=0.35, interpolate="monotone").encode(
        alt.X("rel_effect_size:Q").title(lift).axis(format="+.0%"),
        alt.Y("density:Q").title(t("ab_density", lang)).stack(None),
        _variant_color(variants, lang),
        tooltip=[alt.Tooltip("variant:N").title(t("ab_variant", lang)),
                 alt.Tooltip("rel_effect_size:Q").title(lift).format("+.1%")])
    zero = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(0))
    return alt.layer(area, zero, data=posterior[["variant", "rel_effect_size", "density"]]
                     ).properties(width=AB_WIDTH, height=200, title=t(
                         "ab_posterior_title", lang, metric=metric_label(metric, lang)))


def ab_sample_size(curve: pd.DataFrame, *, mde: float, metric: str, lang: str = "zh"
                   ) -> alt.LayerChart:
    """The planner's curve: users per variant (log scale) against the minimum detectable
    relative lift, with the chosen lift marked (`shopnb.experiments.plan_for` rows)."""
    _needs("ab_sample_size", curve, ["mde", "n_per_variant", "days"])
    x_title, n_title = t("ab_mde", lang), t("ab_n_per_variant", lang)
    tooltip = [alt.Tooltip("mde:Q").title(x_title).format(".1%"),
               alt.Tooltip("n_per_variant:Q").title(n_title).format(",.0f"),
               alt.Tooltip("days:Q").title(t("ab_days", lang)).format(",.0f")]
    line = alt.Chart().mark_line(point=True).encode(
        alt.X("mde:Q").title(x_title).axis(format=".0%"),
        alt.Y("n_per_variant:Q").title(n_title).scale(type="log").axis(format="~s"),
        tooltip=tooltip)
    chosen = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(mde))
    return alt.layer(line, chosen, data=curve[["mde", "n_per_variant", "days"]]).properties(
        width=AB_WIDTH, height=220, title=t("ab_planner_title", lang,
                                            metric=metric_label(metric, lang)))
