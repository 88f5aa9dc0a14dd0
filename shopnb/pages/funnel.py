"""The funnel page: where the shop loses its buyers, by product, carrier, channel and content.

Controls pick the dates, products, carrier, channel, content format, the KPI
to follow, the period to compare with, the conversion window of the event
funnel and the language; 罗盘 exports can be uploaded on the page. The page
shows, from `shopnb.funnel`, `shopnb.monitor` and `shopnb.eventlog` through
`shopnb.charts`:

- KPI cards coloured by their target's status (met, within 10 %, further off),
  with the change against the comparison period;
- tab "funnel & KPIs": the funnel with step rates, drop-off and Wilson
  intervals (both periods), the chosen KPI per day with its target and
  alerts, and the GPM change split into CTR, conversion and AOV;
- tab "channels & content": the KPI by channel x carrier, and short-video CTR
  by days since publishing, per format;
- tab "user paths": the event-log funnel (ClickHouse windowFunnel semantics,
  in DuckDB) within the conversion window, and the time from the first step
  to the last;
- tab "alerts": every KPI off target and every day-over-day drop, per product
  and for the whole shop, and when unpaid orders are placed;
- a download of the current table (the chosen days' KPIs) as CSV.

Only the visible tab is recomputed when a control changes; the others catch
up when they are opened (`FunnelPage.draw_all` draws them all, for a report).

Example:
    >>> import pandas as pd
    >>> funnel = pd.DataFrame({
    ...     "date": pd.to_datetime(["2024-11-01", "2024-11-02"] * 2),
    ...     "product_id": ["1", "1", "2", "2"], "product_name": ["面膜", "面膜", "口红", "口红"],
    ...     "impressions": [1000, 1200, 800, 900], "clicks": [50, 40, 30, 45],
    ...     "buyers": [3, 2, 1, 2], "gmv": [300.0, 200.0, 150.0, 300.0]})
    >>> page = build_funnel(funnel, lang="en")
    >>> page.controls["products"].value = ("2",)
    >>> page.charts["funnel"].chart.data["count"].tolist()
    [1700, 75, 3]
"""

from __future__ import annotations

import html
import os
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from shopnb import charts, eventlog, monitor
from shopnb import funnel as fn
from shopnb.errors import LoadProblem, ShopDataError
from shopnb.labels import LANGS, t
from shopnb.pages._html import (
    TEXT_STYLE,
    format_kpi,
    kpi_card,
    message_html,
    table_html,
    title_html,
)
from shopnb.pages._jupyterchart import chart_widget
from shopnb.pages._widgets import draw_chart
from shopnb.pages.header import PageHeader, lang_toggle
from shopnb.store import (
    NOT_AN_EXPORT,
    FunnelData,
    ShopTables,
    as_tables,
    check_funnel,
    csv_text,
    read_uploads,
)
from shopnb.theme import COLORS, FONT

if TYPE_CHECKING:  # the log is read by DuckDB, which eventlog imports when first asked
    import duckdb

__all__ = ["CHARTS", "FunnelPage", "build_funnel"]

Data = TypeVar("Data")

CHARTS = ("funnel", "trend", "waterfall", "heatmap", "decay", "events", "ttc")
TABS = {"overview": ("funnel", "trend", "waterfall"), "content": ("heatmap", "decay"),
        "events": ("events", "ttc"), "alerts": ()}
KPIS = ("ctr", "click_to_deal", "gpm", "roi", "aov", "uv_value", "gmv", "refund_rate",
        "cost_per_impression", "cost_per_click", "cost_per_buyer", "completion_rate")
CARD_KPIS = ("gmv", "ctr", "click_to_deal", "gpm", "aov", "roi", "cost_per_impression",
             "completion_rate")
WINDOWS = {"1h": 3_600, "1d": 86_400, "3d": 259_200, "7d": 604_800}
COMPARE = ("previous", "week", "none")
EVENT_STEPS = ("impression", "click", "cart", "order", "pay")
FILTERS = {"carrier": "carrier", "channel": "channel", "format": "format"}
SHOWN_ALERTS = 30
DEFAULT_DAYS = 30
_ALL = ""


# --- the page ------------------------------------------------------------------------------------

class FunnelPage(widgets.VBox):
    """The funnel page as a widget, drivable without a browser.

    Attributes:
        controls: ``dates`` (SelectionRangeSlider of days), ``products``
            (SelectMultiple of product ids), ``carrier``, ``channel``, ``format``
            (Dropdowns, ``""`` = all), ``kpi``, ``compare`` (previous, week,
            none), ``window`` (1h, 1d, 3d, 7d), ``lang``; set ``.value`` as a user would.
        charts: `alt.JupyterChart` widgets (`CHARTS`); ``.chart`` is the drawn chart,
            None (and hidden behind a note in `notes`) when there is nothing to draw.
        tabs: the Tab holding the charts; only the selected tab is redrawn (`draw_all`
            draws every tab).
        upload: a FileUpload for 罗盘 exports (CSV, Excel, Parquet).
        cards, alerts, unpaid, download: HTML widgets (KPI cards, the alert table,
            the unpaid-orders note, the CSV links).
        table: the current table (KPIs per day of the selection), as downloaded.
        alert_table: the alerts of the selection, newest first.
        message: a friendly notice when the data is bad or the selection empty.

    Args:
        data: the shop's tables or the ``funnel`` table (see `build_funnel`).
        lang: ``"zh"`` or ``"en"``.
        targets: KPI targets (a dict or a TOML file, see `shopnb.targets.load_targets`).
    """

    def __init__(self, data: FunnelData, *, lang: str = "zh",
                 targets: Mapping | str | os.PathLike | None = None) -> None:
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        self._lang, self._busy = lang, False
        self.targets = monitor.load_targets(targets)
        self.table = pd.DataFrame()
        self.alert_table = pd.DataFrame()
        self._drawn: dict[str, tuple] = {}
        self._events: duckdb.DuckDBPyRelation | None = None  # prepared when first needed
        self.title = widgets.HTML()
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.info = widgets.HTML(layout=widgets.Layout(display="none"))
        self.cards = widgets.HTML()
        self.download = widgets.HTML()
        self.alerts = widgets.HTML()
        self.unpaid = widgets.HTML()
        self.gpm_note = widgets.HTML()
        self.notes = {name: widgets.HTML(layout=widgets.Layout(display="none"))
                      for name in CHARTS}
        self.charts = {name: chart_widget(None) for name in CHARTS}
        for name, widget in self.charts.items():  # CSS hooks for browser tests
            widget.add_class(f"shopnb-chart-{name}")
        self.controls = self._make_controls()
        for key, control in self.controls.items():
            control.add_class(f"shopnb-control-{key}")
        self.upload = widgets.FileUpload(accept=".csv,.tsv,.txt,.xlsx,.xls,.parquet",
                                         multiple=True, layout=widgets.Layout(width="auto"))
        self.upload.add_class("shopnb-upload")
        section = {name: [self.notes[name], self.charts[name]] for name in CHARTS}
        self.tabs = widgets.Tab(children=[
            widgets.VBox([*(w for c in TABS["overview"] for w in section[c]), self.gpm_note]),
            widgets.VBox([w for c in TABS["content"] for w in section[c]]),
            widgets.VBox([w for c in TABS["events"] for w in section[c]]),
            widgets.VBox([self.unpaid, self.alerts]),
        ])
        c = self.controls
        look = widgets.Layout(flex_flow="row wrap", align_items="flex-start")
        self._body = widgets.VBox([
            c["dates"],
            widgets.HBox([c["products"], widgets.VBox([c["carrier"], c["channel"], c["format"]]),
                          widgets.VBox([c["kpi"], c["compare"], c["window"]])], layout=look),
            self.cards, self.tabs])
        self.children = [
            PageHeader("funnel", self.title, c["lang"]),
            widgets.HBox([self.upload, self.download], layout=widgets.Layout(
                align_items="center", flex_flow="row wrap")),
            self.info, self.message, self._body]
        self._set_data(as_tables(data))
        for key in ("dates", "products", "carrier", "channel", "format", "kpi", "compare",
                    "window"):
            c[key].observe(self._on_control, names="value")
        c["lang"].observe(self._on_lang, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.upload.observe(self._on_upload, names="value")

    # --- construction and data -----------------------------------------------------------

    def _make_controls(self) -> dict[str, widgets.ValueWidget]:
        def look(width: str = "auto") -> dict:
            return {"style": {"description_width": "initial"},
                    "layout": widgets.Layout(width=width, margin="2px 16px 2px 0")}

        return {
            "dates": widgets.SelectionRangeSlider(options=[("-", 0)], index=(0, 0),
                                                  continuous_update=False, **look("720px")),
            "products": widgets.SelectMultiple(options=[], rows=7, **look("300px")),
            "carrier": widgets.Dropdown(options=[("", _ALL)], **look("240px")),
            "channel": widgets.Dropdown(options=[("", _ALL)], **look("240px")),
            "format": widgets.Dropdown(options=[("", _ALL)], **look("240px")),
            "kpi": widgets.Dropdown(options=[(k, k) for k in KPIS], value="ctr",
                                    **look("280px")),
            "compare": widgets.Dropdown(options=[(c, c) for c in COMPARE], value="previous",
                                        **look("280px")),
            "window": widgets.Dropdown(options=[(w, w) for w in WINDOWS], value="1d",
                                       **look("280px")),
            "lang": lang_toggle(self._lang),
        }

    def _set_data(self, tables: ShopTables) -> None:
        """Take new tables: check them, fill the controls' options, redraw."""
        self.data, self._events, self._drawn = tables, None, {}
        self._ids: dict[int, pd.Series] = {}
        self._steps: list[str] = []
        self._asked: dict[tuple, Any] = {}  # each query's own result type
        self._gpm_split: pd.DataFrame | None = None
        self._problem, self._fields = check_funnel(
            tables.funnel, ("impressions", "clicks", "buyers", "gmv"))
        if not self._problem:
            self._frame = fn.with_format(tables.funnel.dropna(subset=["date"]))
            self._fill_options()
        self._body.layout.display = "none" if self._problem else None
        self._relabel()
        if not self._problem:
            self._refresh()

    def _fill_options(self) -> None:
        frame, c = self._frame, self.controls
        days = pd.date_range(frame["date"].min().normalize(), frame["date"].max().normalize())
        products = (fn.product_names(frame) if "product_id" in frame.columns
                    else pd.Series(dtype="str"))
        self._busy = True
        try:
            label = "%m/%d" if days[0].year == days[-1].year else "%Y/%m/%d"
            c["dates"].options = [(f"{d:{label}}", d) for d in days]
            c["dates"].index = (max(0, len(days) - DEFAULT_DAYS), len(days) - 1)
            c["products"].options = [(str(n), str(i)) for i, n in products.items()]
            c["products"].value = tuple(str(i) for i in products.index)
            for key, column in FILTERS.items():
                values = (sorted(v for v in frame[column].dropna().unique() if v != "all")
                          if column in frame.columns else [])
                c[key].options = [("", _ALL), *((str(v), str(v)) for v in values)]
                c[key].value = _ALL
            c["kpi"].options = [(k, k) for k in KPIS if k != "completion_rate"
                                or self.data.videos is not None]
            c["kpi"].value = "ctr"
        finally:
            self._busy = False

    # --- the selection -------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The language the page is shown in (change it with the ``lang`` control)."""
        return self._lang

    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last day chosen."""
        start, end = self.controls["dates"].value
        return pd.Timestamp(start), pd.Timestamp(end)

    def comparison(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The days compared with: as many days just before, or the same days a week before."""
        start, end = self.period()
        mode = self.controls["compare"].value
        if mode == "none":
            return None
        shift = pd.Timedelta(days=7) if mode == "week" else (end - start) + pd.Timedelta(days=1)
        return start - shift, end - shift

    def _rows(self, frame: pd.DataFrame, *, filters: Sequence[str] = tuple(FILTERS)
              ) -> pd.DataFrame:
        """`frame`'s rows of the chosen products, carrier, channel and format (any dates)."""
        c = self.controls
        products = ids = None
        if "product_id" in frame.columns and "product_id" in self._frame.columns:
            if id(frame) not in self._ids:  # product ids as text, once per table
                self._ids[id(frame)] = fn.product_ids(frame)
            products, ids = c["products"].value, self._ids[id(frame)]
        where = {FILTERS[key]: c[key].value for key in filters if c[key].value != _ALL}
        return fn.select(frame, products=products, where=where, ids=ids)

    # --- drawing -------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Recompute the cards, the table and the visible tab; mark the other tabs stale."""
        lang = self._lang
        self._selection = self._rows(self._frame)
        self._current = fn.in_period(self._selection, self.period())
        self._compared = fn.in_period(self._selection, self.comparison())
        empty = (self._current.empty or not self.controls["products"].value
                 and "product_id" in self._frame.columns)
        self.message.value = message_html(t("fn_empty_selection", lang)) if empty else ""
        self.message.layout.display = None if empty else "none"
        for widget in (self.cards, self.tabs):
            widget.layout.display = "none" if empty else None
        self._relabel_title()
        if empty:
            self.table, self.download.value = pd.DataFrame(), ""
            return
        videos = self.data.videos
        self._videos = None if videos is None else self._rows(videos, filters=("format",))
        key = (lang, self.period(), self.comparison(), self.controls["products"].value,
               *(self.controls[k].value for k in FILTERS))
        cards = self._drawn.get("cards") != key  # the KPI and the window do not change them
        if cards:
            self._drawn["cards"] = key
            self.table = monitor.kpi_table(self._current, self._videos_in(self.period()),
                                           by="date")
        self._draw_tab(self.tabs.selected_index or 0)  # the charts first: what a reader awaits
        if cards:
            self._show_cards()
            self._show_download()

    def draw_all(self) -> None:
        """Draw every tab, not only the selected one.

        A report (`shopnb.report.publish`) shows them all, while a visitor's page draws a
        tab when it is opened.

        Example:
            >>> from shopnb.store import shop_tables
            >>> page = build_funnel(shop_tables(), lang="en")
            >>> page.charts["heatmap"].chart is None  # on the second tab
            True
            >>> page.draw_all()
            >>> page.charts["heatmap"].chart is None
            False
        """
        if self._tabs_shown():
            for index in range(len(TABS)):
                self._draw_tab(index)

    def _tabs_shown(self) -> bool:
        """Whether the tabs are on the page: the data is good and the selection not empty."""
        return not self._problem and self.cards.layout.display != "none"

    def _videos_in(self, days: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.DataFrame | None:
        return None if self._videos is None or days is None else fn.in_period(self._videos,
                                                                                 days)

    def _draw_tab(self, index: int) -> None:
        name = list(TABS)[index]
        lang, kpi = self._lang, self.controls["kpi"].value
        state = (lang, self.period(), self.comparison(), self.controls["products"].value,
                 *(self.controls[k].value for k in FILTERS))
        if name == "overview":
            self._draw("funnel", state, self._funnel_data,
                       lambda df: charts.funnel_chart(df, lang=lang))
            self._draw("trend", (*state, kpi), self._trend_data,
                       lambda d: charts.kpi_trend_chart(d[0], kpi=kpi, target=d[1], alerts=d[2],
                                                        lang=lang))
            self._draw("waterfall", state, self._waterfall_data,
                       lambda df: charts.gpm_waterfall(df, lang=lang))
            self.gpm_note.value = _gpm_sentence(self._gpm_split, lang)
        elif name == "content":
            heat_kpi = kpi if kpi != "completion_rate" else "ctr"
            self._draw("heatmap", (*state, heat_kpi), self._heatmap_data,
                       lambda df: charts.rate_heatmap(df, kpi=heat_kpi, lang=lang))
            self._draw("decay", state, self._decay_data,
                       lambda df: charts.ctr_decay_chart(df, lang=lang))
        elif name == "events":  # the log has no formats; the comparison is not drawn here
            window = self.controls["window"].value
            steps = self._steps if self._log() is not None else []
            state = (lang, self.period(), self.controls["products"].value,
                     self.controls["carrier"].value, self.controls["channel"].value, window)
            self._draw("events", state, self._event_funnel_data,
                       lambda df: charts.funnel_chart(
                           df, title="fn_events_title", lang=lang,
                           window=t(f"fn_window_{window}", lang)))
            self._draw("ttc", state, self._conversion_time_data,
                       lambda r: charts.conversion_time_chart(
                           r.histogram, median_s=r.median_s, p90_s=r.p90_s, start=steps[0],
                           end=steps[-1], lang=lang),
                       note=lambda: t("fn_empty_ttc", lang,
                                      start=charts.value_label("stage", steps[0], lang),
                                      end=charts.value_label("stage", steps[-1], lang))
                       if len(steps) > 1 else t("fn_empty_events", lang))
        else:
            self._show_alerts()

    def _draw(self, name: str, key: tuple, compute: Callable[[], Data | None],
              draw: Callable[[Data], alt.TopLevelSpec],
              note: Callable[[], str] | None = None) -> None:
        """Draw one chart (see `draw_chart`): only when `key` has changed."""
        draw_chart(self._drawn, name, key, self.charts[name], self.notes[name], compute, draw,
                   note or (lambda: t(f"fn_empty_{_NOTE.get(name, name)}", self._lang)))

    # the data of each chart (None or an empty frame: nothing to draw)

    def _funnel_data(self) -> pd.DataFrame | None:
        periods = {t("fn_current", self._lang): self._current}
        if self.comparison() is not None and not self._compared.empty:
            periods[t("fn_comparison", self._lang)] = self._compared
        out = fn.period_summary(periods)
        return None if out["count"].sum() == 0 else out

    def _trend_data(self) -> tuple[pd.DataFrame, float | None, pd.DataFrame] | None:
        kpi, daily = self.controls["kpi"].value, self.table
        if kpi not in daily.columns or daily[kpi].notna().sum() == 0:
            return None
        target = self.targets.get(kpi)
        return (daily, None if target is None else target.value,
                monitor.kpi_alerts(daily, kpi, target))

    def _waterfall_data(self) -> pd.DataFrame | None:
        days = self.comparison()
        self._gpm_split = None
        if days is None or self._compared.empty:
            return None
        out = fn.explain_change(self._selection, days, self.period())
        self._gpm_split = None if out["gpm_effect"].isna().any() else out
        return self._gpm_split

    def _heatmap_data(self) -> pd.DataFrame | None:
        if not {"channel", "carrier"} <= set(self._current.columns):
            return None
        return monitor.kpi_table(self._current, by=["channel", "carrier"])

    def _decay_data(self) -> pd.DataFrame | None:
        videos = self._videos_in(self.period())
        if videos is None or videos.empty:
            return None
        return fn.ctr_decay(videos)

    def _log(self) -> duckdb.DuckDBPyRelation | None:
        """The event log as a DuckDB table, read when the user-path tab first needs it."""
        if self._events is None and self.data.events is not None:
            self._events = eventlog.prepare(self.data.events)
            self._steps = [s for s in EVENT_STEPS if s in eventlog.event_names(self._events)]
        return self._events

    def _event_log(self) -> duckdb.DuckDBPyRelation:
        """The selected events of the log (only asked for when there is a log)."""
        log = self._log()
        assert log is not None, "the user-path charts are drawn only from a log"
        start, end = self.period()
        chosen = self.controls["products"].value
        every = len(chosen) == len(self.controls["products"].options)
        where = {"item_id": list(chosen)} if (
            not every and "item_id" in log.columns and "product_id" in self._frame.columns
        ) else {}
        for key in ("carrier", "channel"):
            value = self.controls[key].value
            if value != _ALL and key in log.columns:
                where[key] = [value]
        return eventlog.select_events(log, start=start, end=end, where=where)

    def _event_funnel_data(self) -> pd.DataFrame | None:
        steps = self._steps if self._log() is not None else []
        if len(steps) < 2:
            return None
        out = self._from_log("events", lambda log, window: eventlog.event_funnel(
            log, steps, window))
        return None if out["count"].iloc[0] == 0 else out

    def _conversion_time_data(self) -> eventlog.ConversionTimes | None:
        steps = self._steps if self._log() is not None else []
        if len(steps) < 2:
            return None
        out = self._from_log("ttc", lambda log, window: eventlog.time_to_convert(
            log, steps[0], steps[-1], window))
        return None if out.stats.empty or out.stats["users"].iloc[0] == 0 else out

    def _from_log(self, name: str, query: Callable[[duckdb.DuckDBPyRelation, int], Data]
                  ) -> Data:
        """A query on the selected events, kept while the selection is the same.

        A switch of language then redraws without asking DuckDB again.
        """
        c = self.controls
        key = (name, self.period(), c["products"].value, c["carrier"].value,
               c["channel"].value, c["window"].value)
        if key not in self._asked:
            self._asked = {k: v for k, v in self._asked.items() if k[0] != name}
            self._asked[key] = query(self._event_log(), WINDOWS[c["window"].value])
        return self._asked[key]

    # cards, tables, downloads

    def _show_cards(self) -> None:
        lang = self._lang
        now = monitor.kpi_table(self._current, self._videos_in(self.period())).iloc[0]
        before = (monitor.kpi_table(self._compared, self._videos_in(self.comparison())).iloc[0]
                  if self.comparison() is not None and not self._compared.empty else None)
        cards = []
        for kpi in CARD_KPIS:
            if kpi not in now.index or pd.isna(now[kpi]):
                continue
            value, target = float(now[kpi]), self.targets.get(kpi)
            status = target.status(value) if target is not None else ""
            lines = []
            change = monitor.relative_change(value, None if before is None else before.get(kpi))
            if pd.notna(change):
                lines.append(t("fn_card_vs", lang, change=f"{change:+.1%}"))
            if target is not None:
                op = "≥" if target.direction == "min" else "≤"
                lines.append(t("fn_card_target", lang, op=op,
                               target=format_kpi(kpi, target.value)))
            cards.append(kpi_card(charts.kpi_label(kpi, lang), format_kpi(kpi, value), lines,
                                  status))
        self.cards.value = (f'<div class="shopnb-cards" style="display: flex; flex-wrap: wrap; '
                            f'gap: 8px; font-family: {FONT}; margin: 8px 0;">{"".join(cards)}'
                            f"</div>")

    def _show_download(self) -> None:
        start, end = self.period()
        name = f"shopnb_funnel_{start:%Y%m%d}_{end:%Y%m%d}.csv"
        self.download.value = _download_link(self.table, name, t("fn_download", self._lang))

    def _show_alerts(self) -> None:
        lang = self._lang
        if self._drawn.get("alerts") == (lang, self.period(), self._selection.shape,
                                         self.controls["products"].value):
            return
        self._drawn["alerts"] = (lang, self.period(), self._selection.shape,
                                 self.controls["products"].value)
        found = monitor.alerts(self._current, self.targets,
                               videos=self._videos_in(self.period()))
        self.alert_table = found
        names = (fn.product_names(self._frame) if "product_id" in self._frame.columns
                 else pd.Series())
        rows = [[f"{a.date:%Y-%m-%d}",
                 t("fn_overall", lang) if a.scope == "overall"
                 else str(names.get(getattr(a, "product_id", ""), a.scope)),
                 charts.kpi_label(a.metric, lang), t(f"fn_alert_{a.kind}", lang),
                 format_kpi(a.metric, a.value), format_kpi(a.metric, a.target),
                 format_kpi(a.metric, a.previous), f"{a.change:+.1%}",
                 t(f"fn_severity_{a.severity}", lang)]
                for a in found.head(SHOWN_ALERTS).itertuples(index=False)]
        head = [t(k, lang) for k in ("date", "fn_scope", "fn_kpi", "fn_kind", "fn_value",
                                      "fn_target", "fn_previous", "fn_change", "fn_severity")]
        more = (message_html(t("fn_alerts_more", lang, shown=SHOWN_ALERTS, n=len(found)))
                if len(found) > SHOWN_ALERTS else "")
        start, end = self.period()
        link = _download_link(found, f"shopnb_alerts_{start:%Y%m%d}_{end:%Y%m%d}.csv",
                              t("fn_download_alerts", lang)) if len(found) else ""
        self.alerts.value = (table_html(t("fn_alerts_title", lang, n=len(found)), head, rows)
                             + more + link if rows else message_html(t("fn_no_alerts", lang)))
        orders = self.data.orders
        self.unpaid.value = ""
        if orders is not None:
            try:
                chosen = fn.in_period(self._rows(orders, filters=("carrier", "channel")),
                                      self.period(), date="ts")
                late = monitor.unpaid_by_hour(chosen)
            except ShopDataError:
                return
            if np.isfinite(late.late_share):
                self.unpaid.value = message_html(t("fn_unpaid", lang,
                                                   share=f"{late.late_share:.0%}",
                                                   hour=late.late_from))

    # --- labels --------------------------------------------------------------------------

    def _relabel_title(self) -> None:
        lang = self._lang
        if self._problem:
            self.title.value = title_html(t("fn_title", lang))
            return
        start, end = self.period()
        days = (end - start).days + 1
        compared = self.comparison()
        subtitle = (t("fn_subtitle", lang, start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}",
                      days=days, cmp_start=f"{compared[0]:%Y-%m-%d}",
                      cmp_end=f"{compared[1]:%Y-%m-%d}") if compared is not None
                    else t("fn_subtitle_no_compare", lang, start=f"{start:%Y-%m-%d}",
                           end=f"{end:%Y-%m-%d}", days=days))
        source = (t("fn_source_files", lang, files=", ".join(self.data.sources))
                  if self.data.sources else t("fn_source_sample", lang))
        self.title.value = title_html(t("fn_title", lang), f"{subtitle} · {source}")

    def _relabel(self) -> None:
        lang, c = self._lang, self.controls
        for key in ("dates", "products", "carrier", "channel", "format", "kpi", "compare",
                    "window"):
            c[key].description = t({"dates": "fn_dates", "products": "fn_products"}.get(
                key, f"fn_{key}"), lang)
        self.upload.description = t("fn_upload", lang)
        for i, name in enumerate(TABS):
            self.tabs.set_title(i, t(f"fn_tab_{name}", lang))
        def filter_label(key: str) -> Callable[[str], str]:
            return lambda v: t("fn_all", lang) if v == _ALL else charts.value_label(key, v, lang)

        labels: dict[str, Callable[[str], str]] = {
            "kpi": lambda v: charts.kpi_label(v, lang),
            "compare": lambda v: t(f"fn_compare_{v}", lang),
            "window": lambda v: t(f"fn_window_{v}", lang),
            **{k: filter_label(k) for k in FILTERS}}
        self._busy = True  # new labels, same values: nothing to redraw
        try:
            for key, label in labels.items():
                value = c[key].value
                c[key].options = [(label(v), v) for _, v in c[key].options]
                c[key].value = value
        finally:
            self._busy = False
        if self._problem:
            self.message.value = message_html(t(self._problem, lang, **self._fields))
            self.message.layout.display = None
        self._relabel_title()

    # --- events --------------------------------------------------------------------------

    def _on_control(self, change: dict) -> None:
        if not self._busy and not self._problem:
            self._refresh()

    def _on_lang(self, change: dict) -> None:
        self._lang = change["new"]
        self._relabel()
        if not self._problem:
            self._refresh()

    def _on_tab(self, change: dict) -> None:
        if self._tabs_shown():
            self._draw_tab(change["new"])

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        tables = read_uploads(files)
        if isinstance(tables, LoadProblem):
            self.info.value = _upload_problem_html(tables, self._lang)
            self.info.layout.display = None
            return
        notes = [t("fn_loaded", self._lang, files=", ".join(tables.sources))]
        if tables.issues:
            notes.append(t("fn_issues", self._lang, issues="; ".join(tables.issues[:3])))
        self.info.value = "".join(message_html(n) for n in notes)
        self.info.layout.display = None
        self._set_data(tables)


_NOTE = {"events": "events", "ttc": "events"}


def _upload_problem_html(problem: LoadProblem, lang: str) -> str:
    """Why the uploaded files were not taken.

    A file no loader takes, or no funnel among them (each said in words first), else the
    file refused and why.
    """
    if problem.kind == "missing":
        said, error = t("fn_upload_no_funnel", lang), problem.reason
    elif problem.reason.startswith(NOT_AN_EXPORT):
        said, error = t("fn_upload_unknown", lang, file=problem.file), problem.reason
    else:  # too large, not an export, or not what its name says
        said, error = "", f"{problem.file}: {problem.reason}"
    return (message_html(said) if said else "") + message_html(
        t("fn_bad_upload", lang, error=error))


# --- helpers -------------------------------------------------------------------------------------

def _gpm_sentence(split: pd.DataFrame | None, lang: str) -> str:
    """The change in GPM in words, with each factor's part of it.

    Such as "GPM fell 18.0 %: CTR -2.0 %, conversion -15.0 %, AOV -1.0 %" (each factor's
    part relative to the comparison's GPM).
    """
    if split is None:
        return ""
    rel = split.assign(factor=split["factor"].astype(str)).set_index("factor")["gpm_rel_effect"]
    text = t("fn_gpm_sentence", lang, direction=t("fn_rose" if rel["gpm"] >= 0 else "fn_fell",
                                                   lang),
             change=f"{abs(rel['gpm']):.1%}",
             **{f: f"{rel[f]:+.1%}" for f in ("ctr", "conversion", "aov")})
    return (f'<div class="shopnb-gpm" style="{TEXT_STYLE} font-size: 14px; margin: 4px 0 8px'
            f' 8px;">{html.escape(text)}</div>')


def _download_link(table: pd.DataFrame, name: str, text: str) -> str:
    """A link that downloads `table` as a CSV that is safe to open in Excel (`csv_text`)."""
    csv = csv_text(table)
    href = "data:text/csv;charset=utf-8," + urllib.parse.quote(csv)
    return (f'<a class="shopnb-download" download="{html.escape(name)}" href="{href}" '
            f'style="font-family: {FONT}; color: {COLORS["secondary"]}; margin-left: 12px;">'
            f"⬇ {html.escape(text)}</a>")


def build_funnel(data: FunnelData, *, lang: str = "zh",
                 targets: Mapping | str | os.PathLike | None = None) -> FunnelPage:
    """The funnel page for a shop's tables.

    Args:
        data: `shopnb.store.ShopTables` (see `shopnb.store.shop_tables`), the sample shop
            (`shopnb.make_shop_data`), anything with ``.funnel`` (and optionally
            ``.events``, ``.videos``, ``.orders``), or just the ``funnel`` table.
            Bad or empty data gives a page with a friendly message.
        lang: ``"zh"`` or ``"en"``; the page's toggle switches it later.
        targets: KPI targets (a dict or a TOML file, see `shopnb.targets.load_targets`).

    Example:
        >>> from shopnb.store import shop_tables
        >>> page = build_funnel(shop_tables(), lang="en")
        >>> page.controls["kpi"].value, page.message.layout.display
        ('ctr', 'none')
    """
    return FunnelPage(data, lang=lang, targets=targets)
