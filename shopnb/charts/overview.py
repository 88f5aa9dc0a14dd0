"""The landing page's chart (`shopnb.pages.index`): a measure per day.

Example:
    >>> daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-05-02"]),
    ...                       "gmv": [1200.0, 1500.0]})
    >>> daily_trend(daily, measure="gmv", lang="en").to_dict()["mark"]["type"]
    'line'
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from shopnb.charts.layout import _NUMBER_FORMATS, MAX_DOTS, _needs
from shopnb.labels import t

__all__ = ["daily_trend"]


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
        >>> import shopnb as sn
        >>> days = sn.funnel.daily_totals(sn.load_sample("funnel"), ["gmv"])
        >>> daily_trend(days, "gmv").to_dict()["mark"]["type"]
        'line'
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
