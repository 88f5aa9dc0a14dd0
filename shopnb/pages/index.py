"""The landing page (``notebooks/index.ipynb``): the shop at a glance, and the way to every page.

From top to bottom: the shared header (`shopnb.pages.header`); today's and
this week's KPIs against their targets (`shopnb.digest.kpi_summary`); the open alerts
of every page, most severe first, each linking to its page (a
`shopnb.digest.Digest`); a card per page; and the shop's daily trend, one measure at a
time (the funnel table summed by day with `shopnb.funnel.daily_totals`, drawn with
`shopnb.charts.daily_trend` in an offline `alt.JupyterChart`). A measure
dropdown and the language toggle redraw it by assigning a new chart to the
same widget; an uploaded 罗盘 export (`shopnb.store.read_uploads`) replaces the
shop's data in the trend.

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
from collections.abc import Mapping

import altair as alt
import ipywidgets as widgets
import pandas as pd

from shopnb.charts import daily_trend, kpi_label, metric_label
from shopnb.digest import Digest, kpi_summary
from shopnb.errors import LoadProblem, ShopDataError
from shopnb.funnel import daily_totals
from shopnb.labels import LABELS, LANGS, t
from shopnb.monitor import relative_change
from shopnb.pages._html import (
    TEXT_STYLE,
    format_kpi,
    heading_html,
    kpi_card,
    message_html,
    title_html,
)
from shopnb.pages._jupyterchart import chart_widget
from shopnb.pages.header import PAGES, PageHeader, lang_toggle, problem_text
from shopnb.store import (
    ACCEPTED,
    MAX_UPLOAD_BYTES,
    UPLOADED,
    check_funnel,
    log_exception,
    read_uploads,
)
from shopnb.theme import COLORS, FONT

__all__ = ["MAX_ALERTS", "MEASURES", "IndexPage", "build_index"]

MEASURES = ("gmv", "orders", "buyers", "clicks")
MAX_ALERTS = 8  # rows in the alert list; the rest are counted and left to their pages

_SEVERITY_COLORS = {"high": COLORS["primary"], "medium": COLORS["warning_border"]}


class IndexPage(widgets.VBox):
    """The landing page as a widget, drivable without a browser.

    Attributes:
        controls: ``{"measure": Dropdown, "lang": ToggleButtons, "upload": FileUpload}``;
            set ``.value`` to change the page as a user would (an upload's value
            is a tuple of ``{"name": ..., "content": bytes}``).
        header: the shared `PageHeader` (navigation and language).
        kpis: an HTML widget with today's and this week's KPI cards (``shopnb-kpis``).
        kpi_table: those KPIs, as `shopnb.digest.kpi_summary` gives them.
        alerts: an HTML widget listing the open alerts (CSS class ``shopnb-alerts``).
        digest: the `shopnb.digest.Digest` shown; ``open_alerts`` its alert table.
        links: an HTML widget with a card per page.
        jchart: the `alt.JupyterChart` showing the trend; its ``.chart`` is
            the current `alt.Chart` (None while the funnel cannot be drawn).
        message: an HTML widget with a friendly notice, hidden when all is well.
        trend: the box holding the measure and the chart, or the message.
        upload_note: what became of the last upload (hidden until there is one).
        daily: the aggregated table the chart draws (empty when the data is bad).
        source: the uploaded file the trend shows, or None for the shop's own data.

    Args:
        funnel: the ``funnel`` table, or a `LoadProblem` (see `build_index`).
        digest: the open alerts of every page; None: no alerts.
        targets: KPI targets over the plans' defaults.
        lang: ``"zh"`` or ``"en"``.
    """

    def __init__(self, funnel: pd.DataFrame | LoadProblem, digest: Digest | None = None, *,
                 targets: Mapping | None = None, lang: str = "zh") -> None:
        super().__init__(layout=widgets.Layout(max_width="980px"))
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        self._lang = lang
        self._targets = targets
        self._relabeling = False
        self.digest = digest if digest is not None else Digest()
        self.open_alerts = self.digest.alerts
        self.source: str | None = None
        self._upload_problem: LoadProblem | None = None

        self.title = widgets.HTML()
        toggle = lang_toggle(lang)
        measure = widgets.Dropdown(
            options=[("-", "")],
            style={"description_width": "initial"},
            layout=widgets.Layout(width="280px", margin="8px 0"),
        )
        upload = widgets.FileUpload(accept=",".join(ACCEPTED), multiple=False,
                                    layout=widgets.Layout(width="auto"))
        for key, control in (("measure", measure), ("upload", upload)):
            control.add_class(f"shopnb-control-{key}")
        self.controls: dict[str, widgets.ValueWidget] = {
            "measure": measure, "lang": toggle, "upload": upload}
        self.header = PageHeader("index", self.title, toggle)
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.upload_note = widgets.HTML(layout=widgets.Layout(display="none"))
        self.kpis = widgets.HTML()
        self.kpis.add_class("shopnb-kpis")
        self.kpi_table = pd.DataFrame()
        self.alerts = widgets.HTML()
        self.alerts.add_class("shopnb-alerts")
        self.links = widgets.HTML()
        self.links.add_class("shopnb-links")
        self.jchart: alt.JupyterChart | None = None
        self.trend = widgets.VBox()
        self.children = [self.header, self.kpis, self.alerts, self.links, self.trend,
                         widgets.HBox([upload, self.upload_note],
                                      layout=widgets.Layout(align_items="center"))]
        self._use(funnel)

        measure.observe(self._on_measure, names="value")
        toggle.observe(self._on_lang, names="value")
        upload.observe(self._on_upload, names="value")

    @property
    def lang(self) -> str:
        """The language the page is shown in (change it with the ``lang`` control)."""
        return self._lang

    def _use(self, funnel: pd.DataFrame | LoadProblem) -> None:
        """Show the trend of `funnel` (or what is wrong with it)."""
        self._problem, self._problem_fields = check_funnel(funnel, MEASURES)
        self._measures = [m for m in MEASURES if m in getattr(funnel, "columns", ())]
        self.daily = (daily_totals(funnel, self._measures) if not self._problem
                      else pd.DataFrame())
        if not self._problem and self.daily.empty:
            self._problem, self._problem_fields = "no_data", {}
        self.kpi_table = pd.DataFrame()
        if not self._problem:
            try:
                self.kpi_table = kpi_summary(funnel, targets=self._targets)
            except ShopDataError:  # too few columns for the KPIs: the trend still shows
                log_exception("no KPIs for the landing page")
        measure = self.controls["measure"]
        if self._problem:
            self.message.layout.display = None
            self.trend.children = [self.message]
        else:
            self.message.layout.display = "none"
            if measure.value not in self._measures:
                self._relabeling = True  # new options: no redraw until the chart is set
                try:
                    measure.options = [(m, m) for m in self._measures]
                    measure.value = self._measures[0]
                finally:
                    self._relabeling = False
            if self.jchart is None:
                self.jchart = chart_widget(self._chart())
                self.jchart.add_class("shopnb-chart-trend")
            else:
                self.jchart.chart = self._chart()
            self.trend.children = [measure, self.jchart]
        self._relabel()

    def _chart(self) -> alt.Chart:
        return daily_trend(self.daily, measure=self.controls["measure"].value, lang=self._lang)

    def _on_measure(self, change: dict) -> None:
        if self.jchart is not None and not self._relabeling and not self._problem:
            self.jchart.chart = self._chart()

    def _on_lang(self, change: dict) -> None:
        self._lang = change["new"]
        self._relabel()
        if self.jchart is not None and not self._problem:
            self.jchart.chart = self._chart()

    def _on_upload(self, change: dict) -> None:
        if not change["new"]:
            return
        file = change["new"][0]
        found = read_uploads([file], "funnel")
        usable = isinstance(found, pd.DataFrame) and not check_funnel(found, MEASURES)[0]
        if usable:
            self.source, self._upload_problem = file["name"], None
            self._use(found)
        else:
            self._upload_problem = found if isinstance(found, LoadProblem) else LoadProblem(
                "funnel", "broken", file["name"], t(check_funnel(found, MEASURES)[0], "en",
                                                    **check_funnel(found, MEASURES)[1]),
                UPLOADED)
            self._relabel()

    def _relabel(self) -> None:
        lang = self._lang
        subtitle = ""
        if not self._problem:
            start, end = self.daily["date"].min(), self.daily["date"].max()
            subtitle = t("index_subtitle", lang, start=f"{start:%Y-%m-%d}",
                         end=f"{end:%Y-%m-%d}", days=len(self.daily))
            if self.source is not None:
                subtitle += t("index_uploaded", lang, file=self.source)
        self.title.value = title_html(t("index_title", lang), subtitle)
        self.kpis.value = _kpis_html(self.kpi_table, lang)
        self.alerts.value = _alerts_html(self.digest, lang)
        self.links.value = _links_html(self.header.pages, self.open_alerts, lang)
        upload = self.controls["upload"]
        upload.description = t("upload", lang)
        upload.tooltip = t("upload_help", lang, mb=MAX_UPLOAD_BYTES // 2**20)
        note = self.upload_note
        note.value = message_html(problem_text(self._upload_problem, lang)) \
            if self._upload_problem else ""
        note.layout.display = None if self._upload_problem else "none"
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


def _alert_text(row: pd.Series, lang: str) -> str:
    """One alert in words."""
    def money(x: float) -> str:
        return "" if pd.isna(x) else f"{x:,.2f}"

    if row["page"] == "experiments":
        fields = {"p": f"{row['value']:.1g}", "change": f"{row['value']:+.1%}",
                  "metric": metric_label(row["metric"], lang), "detail": row["detail"]}
    elif row["page"] == "funnel":
        metric = row["metric"]
        fields = {"metric": _kpi_name(metric, lang), "value": format_kpi(metric, row["value"]),
                  "reference": format_kpi(metric, row["reference"]),
                  "change": f"{row['change']:+.1%}"}
        return t(f"alert_{row['kind']}", lang, subject=row["subject"] or t("whole_shop", lang),
                 **fields)
    else:
        fields = {"value": money(row["value"]), "reference": money(row["reference"]),
                  "change": f"{row['change']:+.1%}", "limit": money(row["limit"])}
    return t(f"alert_{row['kind']}", lang, subject=row["subject"], **fields)


def _kpi_name(kpi: str, lang: str) -> str:
    """A KPI's name: the funnel page's, else the measure's."""
    name = kpi_label(kpi, lang)
    return t(kpi, lang) if name == kpi and kpi in LABELS[lang] else name


def _kpis_html(table: pd.DataFrame, lang: str) -> str:
    """Today's and this week's KPI cards, each against the span before it and its target."""
    if table.empty:
        return ""
    sections = []
    for period, rows in table.groupby("period", sort=False):
        start, end = rows["start"].iloc[0], rows["end"].iloc[0]
        heading = (t("index_today", lang, date=f"{end:%Y-%m-%d}") if period == "today" else
                   t("index_week", lang, start=f"{start:%m-%d}", end=f"{end:%m-%d}"))
        cards = []
        for r in rows.itertuples(index=False):
            lines = []
            change = relative_change(r.value, r.previous)
            if pd.notna(change):
                lines.append(t(f"kpi_vs_{period}", lang, change=f"{change:+.1%}"))
            if pd.notna(r.target):
                lines.append(t("fn_card_target", lang, op="≥" if r.direction == "min" else "≤",
                               target=format_kpi(r.kpi, r.target)))
            cards.append(kpi_card(_kpi_name(r.kpi, lang), format_kpi(r.kpi, r.value), lines,
                                  r.status))
        sections.append(
            f'<div style="font-size: 13px; color: {COLORS["muted"]}; margin: 10px 0 4px;">'
            f'{html.escape(heading)}</div><div class="shopnb-kpis-{period}" style="display: grid;'
            f' grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px;">'
            f'{"".join(cards)}</div>')
    return f'<div style="font-family: {FONT};">{"".join(sections)}</div>'


def _alerts_html(digest: Digest, lang: str) -> str:
    """The open alerts as a list: severity, page (linked), date and what happened.

    Then what could not be read or worked out.
    """
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
    shown = [problem_text(p, lang) for p in digest.problems] + [
        t("alerts_unavailable", lang, page=t(f"nav_{page}", lang), reason=reason)
        for page, reason in digest.failures]
    return (f'<div style="{TEXT_STYLE}">{heading_html(t("alerts_heading", lang, n=len(alerts)))}'
            f"{body}{''.join(message_html(m) for m in shown)}</div>")


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
            f'<a class="shopnb-page-card shopnb-page-card-{page}" href="{PAGES[page]}?lang={lang}"'
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
                targets: Mapping | None = None, lang: str = "zh") -> IndexPage:
    """The landing page for the shop's funnel table and the other pages' digest.

    Args:
        funnel: the canonical ``funnel`` table; needs ``date`` and at least one
            of ``gmv``, ``orders``, ``buyers``, ``clicks``. Bad or empty data
            (or a `LoadProblem`) gives a friendly message instead of the trend.
        digest: the open alerts of every page (`shopnb.digest.build_digest`, or
            `shopnb.digest.cached_digest` in a served notebook); None: no alerts.
        targets: KPI targets over the plans' defaults (`shopnb.targets.load_targets`;
            `shopnb.store.targets().spec` in a served notebook).
        lang: ``"zh"`` or ``"en"``; the page's toggle switches it later.

    Example:
        >>> from shopnb.datasets import load_sample
        >>> page = build_index(load_sample("funnel"), lang="en")
        >>> page.controls["measure"].value, page.message.layout.display
        ('gmv', 'none')
    """
    return IndexPage(funnel, digest, targets=targets, lang=lang)
