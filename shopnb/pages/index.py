"""The landing page (``notebooks/index.ipynb``): the shop at a glance, and the way to every page.

From top to bottom: the shared header (`shopnb.pages.header`); the open alerts
of every page, most severe first, each linking to its page (a
`shopnb.digest.Digest`); a card per page; and the shop's daily trend, one measure at a
time (the funnel table summed by day with `daily_totals`, drawn with
`shopnb.charts.daily_trend` in an offline `alt.JupyterChart`). A measure
dropdown and the language toggle redraw it by assigning a new chart to the
same widget.

Example:
    >>> import pandas as pd
    >>> funnel = pd.DataFrame({
    ...     "date": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-05-02"]),
    ...     "gmv": [100.0, 50.0, 80.0], "orders": [2, 1, 1],
    ...     "buyers": [2, 1, 1], "clicks": [40, 10, 30]})
    >>> page = build_index(funnel, lang="en")
    >>> page.controls["measure"].value = "orders"
    >>> page.jchart.chart.data["orders"].tolist()
    [3, 1]
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from shopnb.app import LoadProblem
from shopnb.charts import daily_trend, metric_label
from shopnb.digest import Digest
from shopnb.pages._widgets import chart_widget, message_html, title_html
from shopnb.pages.header import PAGES, PageHeader
from shopnb.theme import COLORS, FONT, LANGS, t

__all__ = ["MAX_ALERTS", "MEASURES", "IndexPage", "build_index", "check_funnel", "daily_totals"]

MEASURES = ("gmv", "orders", "buyers", "clicks")
MAX_ALERTS = 8  # rows in the alert list; the rest are counted and left to their pages

_LANG_NAMES = {"zh": "中文", "en": "English"}
_SEVERITY_COLORS = {"high": COLORS["primary"], "medium": COLORS["warning_border"]}


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
    if isinstance(funnel, LoadProblem):
        return funnel.label()
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


class IndexPage(widgets.VBox):
    """The landing page as a widget, drivable without a browser.

    Attributes:
        controls: ``{"measure": Dropdown, "lang": ToggleButtons}``; set their
            ``.value`` to change the page as a user would.
        header: the shared `PageHeader` (navigation and language).
        alerts: an HTML widget listing the open alerts (CSS class ``shopnb-alerts``).
        digest: the `shopnb.digest.Digest` shown; ``open_alerts`` its alert table.
        links: an HTML widget with a card per page.
        jchart: the `alt.JupyterChart` showing the trend; its ``.chart`` is
            the current `alt.Chart` (None when the funnel cannot be drawn).
        message: an HTML widget with a friendly notice, hidden when all is well.
        daily: the aggregated table the chart draws (empty when the data is bad).
    """

    def __init__(self, funnel: pd.DataFrame | LoadProblem, digest: Digest | None = None, *,
                 lang: str = "zh") -> None:
        super().__init__(layout=widgets.Layout(max_width="980px"))
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
        self.digest = digest if digest is not None else Digest()
        self.open_alerts = self.digest.alerts

        self.title = widgets.HTML()
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
        measure.add_class("shopnb-control-measure")
        self.controls: dict[str, widgets.ValueWidget] = {"measure": measure, "lang": lang_toggle}
        self.header = PageHeader("index", self.title, lang_toggle)
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.alerts = widgets.HTML()
        self.alerts.add_class("shopnb-alerts")
        self.links = widgets.HTML()
        self.links.add_class("shopnb-links")
        self.jchart = None if self._problem else chart_widget(self._chart())
        trend = [self.message] if self._problem else [measure, self.jchart]
        if self.jchart is not None:
            self.jchart.add_class("shopnb-chart-trend")
        self.children = [self.header, self.alerts, self.links, *trend]
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
            subtitle = t("index_subtitle", lang, start=f"{start:%Y-%m-%d}",
                         end=f"{end:%Y-%m-%d}", days=len(self.daily))
        self.title.value = title_html(t("index_title", lang), subtitle)
        self.alerts.value = _alerts_html(self.digest, lang)
        self.links.value = _links_html(self.header.pages, self.open_alerts, lang)
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


def _alert_text(row: pd.Series, lang: str) -> str:
    """One alert in words."""
    def money(x: object) -> str:
        return "" if pd.isna(x) else f"{x:,.2f}"

    if row["page"] == "experiments":
        fields = {"p": f"{row['value']:.1g}", "change": f"{row['value']:+.1%}",
                  "metric": metric_label(row["metric"], lang), "detail": row["detail"]}
    else:
        fields = {"value": money(row["value"]), "reference": money(row["reference"]),
                  "change": f"{row['change']:+.1%}", "limit": money(row["limit"])}
    return t(f"alert_{row['kind']}", lang, subject=row["subject"], **fields)


def _alerts_html(digest: Digest, lang: str) -> str:
    """The open alerts as a list: severity, page (linked), date and what happened; then
    what could not be read or worked out."""
    alerts = digest.alerts
    cell = f"padding: 5px 10px; border-bottom: 1px solid {COLORS['grid']}; text-align: left;"
    rows = []
    for _, row in alerts.head(MAX_ALERTS).iterrows():
        page, severity = row["page"], row["severity"]
        dot = (f'<span style="display: inline-block; width: 9px; height: 9px; border-radius: 50%;'
               f' background: {_SEVERITY_COLORS[severity]};"></span>')
        name = html.escape(t(f"nav_{page}", lang))
        link = (f'<a href="{PAGES[page]}?lang={lang}" style="color: {COLORS["secondary"]};'
                f' text-decoration: none;">{name}</a>')
        when = "" if pd.isna(row["date"]) else f"{row['date']:%Y-%m-%d}"
        level = html.escape(t(f"severity_{severity}", lang))
        rows.append(
            f'<tr class="shopnb-alert shopnb-alert-{severity}">'
            f'<td style="{cell}" title="{level}">{dot}</td><td style="{cell}">{link}</td>'
            f'<td style="{cell}">{when}</td>'
            f'<td style="{cell}">{html.escape(_alert_text(row, lang))}</td></tr>')
    more = len(alerts) - MAX_ALERTS
    extra = (f'<div style="color: {COLORS["muted"]}; margin-top: 6px;">'
             f"{html.escape(t('alerts_more', lang, n=more))}</div>" if more > 0 else "")
    body = (f'<table style="border-collapse: collapse; font-size: 13px;"><tbody>{"".join(rows)}'
            f"</tbody></table>{extra}" if rows else message_html(t("alerts_none", lang)))
    shown = [p.message(lang) for p in digest.problems] + [
        t("alerts_unavailable", lang, page=t(f"nav_{page}", lang), reason=reason)
        for page, reason in digest.failures]
    return (f'<div style="font-family: {FONT}; color: {COLORS["text"]};">'
            f'<div style="font-size: 16px; font-weight: 600; margin: 12px 0 6px;">'
            f"{html.escape(t('alerts_heading', lang, n=len(alerts)))}</div>{body}"
            f"{''.join(message_html(m) for m in shown)}</div>")


def _links_html(pages: list[str], alerts: pd.DataFrame, lang: str) -> str:
    """A card per page other than this one: its name, what it shows, its open alerts."""
    counts = alerts["page"].value_counts() if len(alerts) else pd.Series(dtype="int64")
    cards = []
    for page in pages:
        if page == "index":
            continue
        n = int(counts.get(page, 0))
        badge = (f'<span style="color: {COLORS["primary"]}; font-size: 12px; margin-left: 6px;">'
                 f"{html.escape(t('alerts_count', lang, n=n))}</span>" if n else "")
        cards.append(
            f'<a class="shopnb-card shopnb-card-{page}" href="{PAGES[page]}?lang={lang}"'
            f' style="display: block; flex: 1 1 200px; padding: 12px 14px; border: 1px solid'
            f' {COLORS["grid"]}; border-radius: 6px; color: {COLORS["text"]};'
            f' text-decoration: none;">'
            f'<div style="font-weight: 600; font-size: 15px;">'
            f"{html.escape(t(f'nav_{page}', lang))}{badge}</div>"
            f'<div style="color: {COLORS["muted"]}; font-size: 13px; margin-top: 4px;">'
            f"{html.escape(t(f'about_{page}', lang))}</div></a>")
    if not cards:
        return ""
    return (f'<div style="font-family: {FONT}; display: flex; flex-wrap: wrap; gap: 12px;'
            f' margin: 14px 0 6px;">{"".join(cards)}</div>')


def build_index(funnel: pd.DataFrame | LoadProblem, digest: Digest | None = None, *,
                lang: str = "zh") -> IndexPage:
    """The landing page for the shop's funnel table and the other pages' digest.

    Args:
        funnel: the canonical ``funnel`` table; needs ``date`` and at least one
            of ``gmv``, ``orders``, ``buyers``, ``clicks``. Bad or empty data
            (or a `LoadProblem`) gives a friendly message instead of the trend.
        digest: the open alerts of every page (`shopnb.digest.build_digest`, or
            `shopnb.app.digest` in a served notebook); None: no alerts.
        lang: ``"zh"`` or ``"en"``; the page's toggle switches it later.

    Example:
        >>> import shopnb as sn  # doctest: +SKIP
        >>> build_index(sn.app.table("funnel"), sn.app.digest())  # doctest: +SKIP
    """
    return IndexPage(funnel, digest, lang=lang)
