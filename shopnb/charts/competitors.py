"""The competitors page's charts (`shopnb.pages.competitors`).

Shares, prices, content, audience and traffic gaps, life cycles, creators.

Example:
    >>> week_value(pd.Timestamp("2026-06-15"))
    '2026-06-15T00:00:00'
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from shopnb.charts.layout import (
    _BY_ORDER,
    _NUMBER_FORMATS,
    _WIDTH,
    _color_of,
    _needs,
    _placed,
    _with_rows,
)
from shopnb.labels import t

__all__ = [
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
    """A dashed vertical rule at the week the page looks at (a `week_value`), if any.

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
        lang: ``"zh"`` or ``"en"``, for titles and tooltips.

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
    return alt.LayerChart(layer=[band, area, *_week_rule(week)]).properties(
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
    return alt.LayerChart(layer=[parity, lines, cuts, *_week_rule(week)]).properties(
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
        alt.Y("shop:N", sort=_BY_ORDER).title(shop_label),
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
        alt.XOffset("shop:N", sort=_BY_ORDER),
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
    return alt.LayerChart(layer=[bars, limits, zero]).properties(
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
    return alt.LayerChart(layer=[zero, dots]).properties(
        title=t("lifecycle_title", lang, weeks=weeks))


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
