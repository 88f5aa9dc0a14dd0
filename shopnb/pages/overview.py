"""The overview page: the shop's daily trend, one measure at a time.

The page sums the funnel table by day (`daily_totals`), draws the chosen
measure with `shopnb.charts.daily_trend`, and renders it offline in an
`alt.JupyterChart`. A measure dropdown and a zh/en toggle redraw it by
assigning a new chart to the same widget.

Example:
    >>> import pandas as pd
    >>> funnel = pd.DataFrame({
    ...     "date": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-05-02"]),
    ...     "gmv": [100.0, 50.0, 80.0], "orders": [2, 1, 1],
    ...     "buyers": [2, 1, 1], "clicks": [40, 10, 30]})
    >>> page = build_overview(funnel, lang="en")
    >>> page.controls["measure"].value = "orders"
    >>> page.jchart.chart.data["orders"].tolist()
    [3, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from shopnb.charts import daily_trend
from shopnb.pages._widgets import chart_widget, message_html, title_html
from shopnb.theme import LANGS, t

__all__ = ["MEASURES", "OverviewPage", "build_overview", "check_funnel", "daily_totals"]

MEASURES = ("gmv", "orders", "buyers", "clicks")

_LANG_NAMES = {"zh": "中文", "en": "English"}


def daily_totals(
    funnel: pd.DataFrame, measures: Sequence[str] = MEASURES, *, date: str = "date"
) -> pd.DataFrame:
    """`measures` summed over products, carriers and channels: one row per day.

    Rows without a date are left out; missing values count as nothing (a day
    whose values are all missing sums to 0).

    Example:
        >>> funnel = pd.DataFrame({"date": pd.to_datetime(["2024-05-02", "2024-05-01",
        ...                        "2024-05-02"]), "gmv": [1.0, 2.0, 3.0]})
        >>> daily_totals(funnel, ["gmv"])
                date  gmv
        0 2024-05-01  2.0
        1 2024-05-02  4.0
    """
    cols = list(measures)
    return (
        funnel[[date, *cols]]
        .dropna(subset=[date])
        .groupby(date, as_index=False, sort=True)[cols]
        .sum()
    )


def check_funnel(funnel: object, measures: Sequence[str] = MEASURES) -> tuple[str, dict]:
    """What is wrong with `funnel` for this page, as a label key and its fields.

    Returns ``("", {})`` when the page can draw at least one of `measures`.

    Example:
        >>> check_funnel(pd.DataFrame({"date": []}))
        ('missing_columns', {'columns': 'gmv, orders, buyers, clicks'})
    """
    if not isinstance(funnel, pd.DataFrame):
        return "not_a_table", {"kind": type(funnel).__name__}
    missing = [c for c in ("date",) if c not in funnel.columns]
    usable = [m for m in measures if m in funnel.columns]
    if missing or not usable:
        return "missing_columns", {"columns": ", ".join(missing or list(measures))}
    not_numeric = [m for m in usable if not is_numeric_dtype(funnel[m])]
    if not_numeric:
        return "not_numeric", {"columns": ", ".join(not_numeric)}
    if not is_datetime64_any_dtype(funnel["date"]):
        return "not_dates", {"columns": "date"}
    if funnel["date"].notna().sum() == 0:
        return "no_data", {}
    return "", {}


class OverviewPage(widgets.VBox):
    """The overview page as a widget, drivable without a browser.

    Attributes:
        controls: ``{"measure": Dropdown, "lang": ToggleButtons}``; set their
            ``.value`` to change the page as a user would.
        jchart: the `alt.JupyterChart` showing the trend; its ``.chart`` is
            the current `alt.Chart` (None when the data cannot be drawn).
        message: an HTML widget with a friendly notice, hidden when all is well.
        daily: the aggregated table the chart draws (empty when the data is bad).
    """

    def __init__(self, funnel: pd.DataFrame, lang: str = "zh") -> None:
        super().__init__(layout=widgets.Layout(max_width="960px"))
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        self._lang = lang
        self._relabeling = False
        self._problem, self._problem_fields = check_funnel(funnel)
        measures = [m for m in MEASURES if m in getattr(funnel, "columns", ())]
        self._measures = measures
        self.daily = daily_totals(funnel, measures) if not self._problem else pd.DataFrame()
        if not self._problem and self.daily.empty:
            self._problem, self._problem_fields = "no_data", {}

        self.title = widgets.HTML(layout=widgets.Layout(flex="1 1 auto"))
        lang_toggle = widgets.ToggleButtons(
            options=[(_LANG_NAMES[x], x) for x in LANGS],
            value=lang,
            style={"button_width": "72px"},
        )
        measure = widgets.Dropdown(
            options=[(m, m) for m in measures] or [("-", "")],
            value=measures[0] if measures else "",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="280px", margin="8px 0"),
        )
        self.controls: dict[str, widgets.ValueWidget] = {"measure": measure, "lang": lang_toggle}
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.jchart = None if self._problem else chart_widget(self._chart())

        header = widgets.HBox(
            [self.title, lang_toggle],
            layout=widgets.Layout(align_items="center", justify_content="space-between"),
        )
        body = [self.message] if self._problem else [measure, self.jchart]
        self.children = [header, *body]
        self._relabel()

        measure.observe(self._on_measure, names="value")
        lang_toggle.observe(self._on_lang, names="value")

    @property
    def lang(self) -> str:
        """The language the page is shown in (change it with the ``lang`` control)."""
        return self._lang

    def _chart(self):
        return daily_trend(self.daily, measure=self.controls["measure"].value, lang=self._lang)

    def _on_measure(self, change: dict) -> None:
        if self.jchart is not None and not self._relabeling:
            self.jchart.chart = self._chart()

    def _on_lang(self, change: dict) -> None:
        self._lang = change["new"]
        self._relabel()
        if self.jchart is not None:
            self.jchart.chart = self._chart()

    def _relabel(self) -> None:
        lang = self._lang
        subtitle = ""
        if not self._problem:
            start, end = self.daily["date"].min(), self.daily["date"].max()
            subtitle = t(
                "overview_subtitle",
                lang,
                start=f"{start:%Y-%m-%d}",
                end=f"{end:%Y-%m-%d}",
                days=len(self.daily),
            )
        self.title.value = title_html(t("overview_title", lang), subtitle)
        measure = self.controls["measure"]
        measure.description = t("measure", lang)
        if not self._problem:
            # new labels, same values; a Dropdown resets its value when its
            # options change, so put it back without redrawing twice
            value = measure.value
            self._relabeling = True
            try:
                measure.options = [(t(m, lang), m) for m in self._measures]
                measure.value = value
            finally:
                self._relabeling = False
        else:
            self.message.value = message_html(t(self._problem, lang, **self._problem_fields))
            self.message.layout.display = None


def build_overview(funnel: pd.DataFrame, lang: str = "zh") -> OverviewPage:
    """The overview page for a funnel table (one row per day x product x carrier x channel).

    Args:
        funnel: the canonical ``funnel`` table; needs ``date`` and at least one
            of ``gmv``, ``orders``, ``buyers``, ``clicks``. Bad or empty data
            gives a page with a friendly message instead of a chart.
        lang: ``"zh"`` or ``"en"``; the page's toggle switches it later.

    Example:
        >>> import shopnb as sn  # doctest: +SKIP
        >>> build_overview(sn.load_sample("funnel"), lang="en")  # doctest: +SKIP
    """
    return OverviewPage(funnel, lang=lang)
