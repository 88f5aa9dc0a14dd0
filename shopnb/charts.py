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

from shopnb.theme import t

__all__ = ["daily_trend"]

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
