"""The competitors page: the own shop against its top rivals, week by week.

Controls pick the week, the category, how many rivals, the measure that ranks
them (GMV or units), the own shop and the language. The page shows, from
`shopnb.competitors` through `shopnb.charts`:

- the share of each shop as stacked areas with range bands; a click on a rival
  (an `alt.JupyterChart` point selection read from Python) narrows every other
  chart and the alerts to that rival against the own shop;
- the price index per category with ▼ at the weeks of rival price cuts, and the
  week's price alerts as a table;
- the week's content output (videos, live sessions);
- the audience and traffic-source gaps (rival minus own, flagged at 10 points);
- the life cycle of the own products, when a funnel table is given.

A creator ranking (fans, likes, videos and no sales) gets a creator benchmark
instead (`CreatorBenchmarkPage`).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 3 + ["2026-06-22"] * 3),
    ...                    "shop": ["own", "A", "B"] * 2, "product": ["p", "q", "r"] * 2,
    ...                    "category": "美妆", "price": [100.0, 90, 110, 100, 80, 110],
    ...                    "gmv": [500.0, 300, 200, 400, 500, 100]})
    >>> page = build_competitors(df, own_shop="own", lang="en")
    >>> page.rivals
    ['A', 'B']
    >>> page.controls["rivals"].value = 1
    >>> page.charts["share"].chart.data["shop"].unique().tolist()
    ['own', 'A']
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import ipywidgets as widgets
import pandas as pd

from shopnb import charts
from shopnb import competitors as comp
from shopnb.errors import LoadProblem, ShopDataError
from shopnb.labels import LANGS, t
from shopnb.pages._html import message_html, table_html, title_html
from shopnb.pages._jupyterchart import chart_widget
from shopnb.pages._widgets import Kept, draw_chart
from shopnb.pages.header import PageHeader, lang_toggle
from shopnb.store import check_competitors

__all__ = ["MEASURES", "CompetitorsPage", "CreatorBenchmarkPage", "build_competitors"]

MEASURES = ("gmv", "sales")
CHARTS = ("share", "price_index", "alerts", "content", "audience", "traffic", "lifecycle")
_ALL = ""  # the category dropdown's value for every category


class CompetitorsPage(widgets.VBox):
    """The competitors page as a widget, drivable without a browser.

    Attributes:
        controls: ``week`` (Dropdown of week Mondays), ``category`` (Dropdown, ``""`` =
            all), ``rivals`` (IntSlider), ``measure`` (Dropdown), ``own_shop`` (Dropdown),
            ``lang`` (ToggleButtons); set ``.value`` as a user would.
        charts: ``share``, ``price_index``, ``content``, ``audience``, ``traffic``,
            ``lifecycle``: `alt.JupyterChart` widgets; ``.chart`` is the drawn chart
            (None, and hidden, when there is nothing to draw).
        notes: per section (the charts and ``alerts``) an HTML widget with a friendly
            notice when the section has nothing to show.
        alerts: an HTML table of the week's price alerts.
        selected: the rival picked in the share chart, or None.
        rivals: the rivals shown (top by the measure in the week).
        data: the weekly competitors table the page works on.

    Args:
        competitors: the ``competitors`` table, or a `LoadProblem` (see `build_competitors`).
        funnel: the own shop's ``funnel`` table, for the products' life cycle.
        own_shop: the own shop's name (default: the first shop in the table).
        lang: ``"zh"`` or ``"en"``.
        window: weeks per window of the life-cycle comparison.
    """

    def __init__(self, competitors: pd.DataFrame | LoadProblem,
                 funnel: pd.DataFrame | LoadProblem | None = None, *,
                 own_shop: str | None = None, lang: str = "zh", window: int = 4) -> None:
        super().__init__(layout=widgets.Layout(max_width="980px"))
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        self._lang, self._window, self._busy, self._asked_own = lang, window, False, own_shop
        self._problem, self._fields = check_competitors(competitors, MEASURES)
        table = None if self._problem or isinstance(competitors, LoadProblem) else competitors
        self.data = pd.DataFrame() if table is None else comp.weekly(table)
        self._shops = ([] if table is None  # as they come in the table: the own shop first
                       else list(dict.fromkeys(table["shop"].dropna())))
        self._funnel = funnel if isinstance(funnel, pd.DataFrame) else None
        self.selected: str | None = None
        self.rivals: list[str] = []
        self._drawn: dict[str, tuple] = {}
        # tables are computed for all the category's shops, kept (`Kept`), and narrowed
        # to the shops shown: the rivals slider and a click on a rival reuse them too
        self._kept = Kept()
        self.title = widgets.HTML()
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.status = widgets.HTML(layout=widgets.Layout(display="none"))
        self.clear = widgets.Button(layout=widgets.Layout(display="none", width="auto"))
        self.alerts = widgets.HTML()
        self.notes = {name: widgets.HTML(layout=widgets.Layout(display="none"))
                      for name in CHARTS}
        self.charts: dict[str, alt.JupyterChart] = {}
        self.controls = self._make_controls(own_shop)
        for key, control in self.controls.items():
            control.add_class(f"shopnb-control-{key}")
        header = PageHeader("competitors", self.title, self.controls["lang"])
        if self._problem:
            self.children = [header, self.message]
        else:
            self.charts = {name: chart_widget(None) for name in CHARTS if name != "alerts"}
            for name, widget in self.charts.items():  # CSS hooks for browser tests
                widget.add_class(f"shopnb-chart-{name}")
            row = widgets.HBox([self.controls[k] for k in ("week", "category", "rivals",
                                                            "measure", "own_shop")],
                               layout=widgets.Layout(flex_flow="row wrap"))
            self.children = [header, row, self.message,
                             widgets.HBox([self.status, self.clear],
                                          layout=widgets.Layout(align_items="center")),
                             *(w for name in CHARTS for w in self._section(name))]
        if not self._problem:
            self._refresh()
            self._draw_lifecycle()
            for key in ("week", "category", "rivals", "measure", "own_shop"):
                self.controls[key].observe(self._on_control, names="value")
            self.clear.on_click(self._on_clear)
        self._relabel()
        self.controls["lang"].observe(self._on_lang, names="value")

    # --- construction ---------------------------------------------------------------------

    def _make_controls(self, own_shop: str | None) -> dict[str, widgets.ValueWidget]:
        lang = lang_toggle(self._lang)
        if self._problem:
            return {"lang": lang}
        d, shops = self.data, self._shops
        self._own_missing = own_shop is not None and own_shop not in shops
        weeks = sorted(d["date"].dropna().unique())
        categories = (sorted(d["category"].dropna().unique()) if "category" in d.columns
                      else [])
        def look(width: str = "auto") -> dict:
            return {"style": {"description_width": "initial"},
                    "layout": widgets.Layout(width=width, margin="2px 16px 2px 0")}

        return {
            "week": widgets.Dropdown(options=[(f"{w:%Y-%m-%d}", pd.Timestamp(w))
                                              for w in weeks],
                                     value=pd.Timestamp(weeks[-1]), **look()),
            "category": widgets.Dropdown(options=[("", _ALL), *((c, c) for c in categories)],
                                         value=_ALL, **look()),
            "rivals": widgets.IntSlider(min=1, max=max(1, len(shops) - 1),
                                        value=min(5, max(1, len(shops) - 1)), **look("240px")),
            "measure": widgets.Dropdown(options=[(m, m) for m in MEASURES if m in d.columns],
                                        **look()),
            "own_shop": widgets.Dropdown(options=shops, value=own_shop if own_shop in shops
                                         else shops[0], **look()),
            "lang": lang,
        }

    def _section(self, name: str) -> list[widgets.Widget]:
        if name == "alerts":  # the table's title, then the table or the note
            return [self.alerts, self.notes[name]]
        return [self.notes[name], self.charts[name]]

    # --- state ---------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The language the page is shown in (change it with the ``lang`` control)."""
        return self._lang

    @property
    def own(self) -> str:
        """The own shop chosen (``own_shop`` control)."""
        return self.controls["own_shop"].value

    @property
    def week(self) -> pd.Timestamp:
        """The Monday of the week shown (``week`` control)."""
        return self.controls["week"].value

    def _scope(self) -> pd.DataFrame:
        """The rows of the chosen category (all rows for all categories)."""
        return comp.of_category(self.data, _category(self.controls["category"].value))

    # --- drawing -------------------------------------------------------------------------

    def _refresh(self, *, share: bool = True) -> None:
        """Recompute and redraw what changed.

        `share=False` keeps the share chart (and the selection made in it). Charts whose
        inputs are unchanged only move their week rule.
        """
        scope, own, measure = self._scope(), self.own, self.controls["measure"].value
        category, n, lang, week = (self.controls["category"].value,
                                   self.controls["rivals"].value, self._lang, self.week)
        try:
            self.rivals = self._kept(("top", category, measure, n, week, own), lambda: comp.top(
                scope, n=n, by=measure, week=week, own_shop=own)["shop"].tolist())
        except ShopDataError:
            self.rivals = []
        if self.selected not in self.rivals:
            self.selected = None
        # colours and stacking follow the shops' size over all weeks, so that they do
        # not swap places from week to week
        size = self._kept(("size", category, measure),
                          lambda: comp.shop_totals(scope, measure))
        shops = [own, *sorted(self.rivals, key=lambda s: (-size.get(s, 0), s))]
        focus = [own, self.selected] if self.selected else shops
        shown = comp.of_shops(scope, focus)
        computes = {"alerts": lambda: comp.price_alerts(scope, own_shop=own),
                    "content": lambda: comp.content(scope),
                    "audience": lambda: comp.audience_gap(scope, own, week=week),
                    "traffic": lambda: comp.traffic_mix_gap(scope, own, week=week)}

        def table(name: str, *key: object, of_week: bool = False) -> pd.DataFrame | None:
            """Table `name` of the category's shops (kept by `key`), narrowed to those shown.

            With `of_week`, also narrowed to the `week`.
            """
            kept = self._kept((name, category, *key), lambda: _or_none(computes[name]))
            if kept is None:
                return None
            shown = comp.of_shops(kept, focus)
            return comp.of_week(shown, week) if of_week else shown

        state = (category, own, lang)
        if share:
            self._draw("share", (*state, measure, tuple(shops), self.selected),
                       lambda: self._kept(("share", category, measure),
                                          lambda: comp.share(scope, measure=measure)),
                       lambda df: charts.share_chart(df, measure=measure, shops=shops,
                                                     selected=self.selected, week=week,
                                                     lang=lang))
            # assigning a chart replaces jc.selections: observe the new one each time
            self.charts["share"].selections.observe(self._on_rival,
                                                    names=[charts.RIVAL_SELECTION])
        alerts = table("alerts", own)
        self._draw("price_index", (*state, frozenset(focus)),
                   lambda: self._kept(("price_index", category, own, frozenset(focus)),
                                      lambda: comp.price_index(shown, own, alerts=alerts)),
                   lambda df: charts.price_index_chart(df, week=week, lang=lang))
        for name in ("share", "price_index"):
            if self.charts[name].chart is not None:
                setattr(self.charts[name].params, charts.WEEK_PARAM, charts.week_value(week))
        weekly = (*state, tuple(focus), tuple(shops), week)
        self._draw("content", weekly, lambda: table("content", of_week=True),
                   lambda df: charts.content_chart(df, shops=shops, week=week, lang=lang))
        self._draw("audience", weekly, lambda: table("audience", own, week),
                   lambda df: charts.gap_chart(df, shops=shops, lang=lang))
        self._draw("traffic", weekly, lambda: table("traffic", own, week),
                   lambda df: charts.gap_chart(df, shops=shops, title="traffic_title",
                                               lang=lang))
        self._show_alerts(alerts, week)
        self._show_status()

    def _draw(self, name: str, key: tuple, compute: Callable[[], pd.DataFrame],
              draw: Callable[[pd.DataFrame], alt.TopLevelSpec]) -> None:
        """Draw one chart (see `draw_chart`): only when `key` has changed."""
        draw_chart(self._drawn, name, key, self.charts[name], self.notes[name], compute, draw,
                   lambda: t(f"empty_{name}", self._lang))

    def _draw_lifecycle(self) -> None:
        funnel, window, lang = self._funnel, self._window, self._lang
        self._draw("lifecycle", (lang,),
                   lambda: pd.DataFrame() if funnel is None else comp.lifecycle(
                       funnel, window=window),
                   lambda df: charts.lifecycle_chart(df, weeks=window, lang=lang))

    def _show_alerts(self, alerts: pd.DataFrame | None, week: pd.Timestamp) -> None:
        lang = self._lang
        alerts = pd.DataFrame() if alerts is None else comp.of_week(alerts, week)
        title = t("alerts_title", lang, week=f"{week:%Y-%m-%d}")
        if alerts.empty:
            self.alerts.value = table_html(title, [], [])
            self.notes["alerts"].value = message_html(t("no_alerts", lang))
            self.notes["alerts"].layout.display = None
            return
        self.notes["alerts"].layout.display = "none"
        head = [t(k, lang) for k in ("shop", "product", "category", "alert_kind", "old_price",
                                      "new_price", "price_change", "own_price")]
        rows = [[a.shop, a.product, getattr(a, "category", ""),
                 " · ".join(t(f"alert_{k}", lang) for k in a.kind),
                 f"{a.old_price:,.2f}", f"{a.new_price:,.2f}", f"{a.change:+.1%}",
                 "" if pd.isna(a.own_price) else f"{a.own_price:,.2f}"]
                for a in comp.alerts_by_product(alerts).itertuples(index=False)]
        self.alerts.value = table_html(title, head, rows)

    def _show_status(self) -> None:
        chosen = self.selected is not None
        self.status.value = (message_html(t("selected_rival", self._lang, shop=self.selected))
                             if chosen else "")
        self.status.layout.display = None if chosen else "none"
        self.clear.layout.display = None if chosen else "none"

    def _relabel(self) -> None:
        lang = self._lang
        self.controls["lang"].description = ""
        if self._problem:
            self.title.value = title_html(t("competitors_title", lang))
            self.message.value = message_html(t(self._problem, lang, **self._fields))
            self.message.layout.display = None
            return
        weeks = self.controls["week"].options
        self.title.value = title_html(t("competitors_title", lang), t(
            "competitors_subtitle", lang, own=self.own, n=len(self.rivals),
            start=weeks[0][0], end=weeks[-1][0]))
        for key in ("week", "category", "rivals", "measure", "own_shop"):
            self.controls[key].description = t(key, lang)
        self._busy = True
        try:
            for key, labels in (("measure", {m: t(m, lang) for m in MEASURES}),
                                ("category", {_ALL: t("all_categories", lang)})):
                widget = self.controls[key]
                value = widget.value
                widget.options = [(labels.get(v, v), v) for _, v in widget.options]
                widget.value = value
        finally:
            self._busy = False
        self.clear.description = t("show_all_rivals", lang)
        if self._own_missing:
            self.message.value = message_html(t("own_shop_missing", lang, shop=self._asked_own,
                                                used=self.own))
            self.message.layout.display = None

    # --- events --------------------------------------------------------------------------

    def _on_control(self, change: dict) -> None:
        if self._busy:
            return
        if change["owner"] is self.controls["own_shop"]:
            self._own_missing = False
            self.message.layout.display = "none"
        self._refresh()
        self._relabel()

    def _on_lang(self, change: dict) -> None:
        self._lang = change["new"]
        self._relabel()
        if not self._problem:
            self._refresh()
            self._draw_lifecycle()

    def _on_rival(self, change: dict) -> None:
        points = change["new"].value
        shop = points[0].get("shop") if points else None
        shop = None if shop == self.own else shop
        if shop != self.selected:
            self.selected = shop
            self._refresh(share=False)

    def _on_clear(self, _button: widgets.Button) -> None:
        self.selected = None
        self._refresh()


class CreatorBenchmarkPage(widgets.VBox):
    """What `build_competitors` shows for a creator ranking (fans, likes and videos, no sales).

    The creators with most fans by likes per video, and a table of the top ones.

    Attributes:
        controls: ``lang`` (ToggleButtons), and ``category`` (Dropdown, ``""`` = all) when
            the ranking has categories.
        charts: ``{"creators": JupyterChart}``.
        table: an HTML table of the creators with most fans.
        benchmark: the `shopnb.competitors.creator_benchmark` table drawn.

    Args:
        ranking: a creator ranking (`shopnb.competitors.is_creator_ranking`).
        lang: ``"zh"`` or ``"en"``.
    """

    TOP = 20

    def __init__(self, ranking: pd.DataFrame, *, lang: str = "zh") -> None:
        super().__init__(layout=widgets.Layout(max_width="980px"))
        self._ranking, self._busy = ranking, False
        self.benchmark = comp.creator_benchmark(ranking)
        self.title = widgets.HTML()
        self.table = widgets.HTML()
        self.controls: dict[str, widgets.ValueWidget] = {
            "lang": lang_toggle(lang)}
        if "category" in ranking.columns:
            categories = sorted(ranking["category"].dropna().unique())
            self.controls["category"] = widgets.Dropdown(
                options=[("", _ALL), *((c, c) for c in categories)], value=_ALL,
                style={"description_width": "initial"})
        self.charts = {"creators": chart_widget(None)}
        self.charts["creators"].add_class("shopnb-chart-creators")
        header = PageHeader("competitors", self.title, self.controls["lang"])
        rest = [self.controls["category"]] if "category" in self.controls else []
        self.children = [header, *rest, self.charts["creators"], self.table]
        self._draw()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def _draw(self) -> None:
        lang, ranking = self.controls["lang"].value, self._ranking
        category = self.controls.get("category")
        if category is not None:
            self._busy = True  # new labels, same value: not a change to redraw for
            try:
                value = category.value
                category.description = t("category", lang)
                category.options = [(t("all_categories", lang) if v == _ALL else v, v)
                                    for _, v in category.options]
                category.value = value
            finally:
                self._busy = False
            ranking = comp.of_category(ranking, _category(value))
        self.benchmark = comp.creator_benchmark(ranking)
        dates = ranking["date"].dropna() if "date" in ranking.columns else pd.Series([])
        when = f", {dates.max():%Y-%m-%d}" if len(dates) else ""
        self.title.value = title_html(t("creators_title", lang), t(
            "creators_subtitle", lang, n=f"{len(self.benchmark):,}", when=when))
        self.charts["creators"].chart = charts.creator_chart(self.benchmark, lang=lang)
        head = [t(k, lang) for k in ("rank", "creator", "fans", "likes", "videos",
                                      "likes_per_video", "likes_per_video_pct")]
        rows = [[r.fans_rank, r.shop, f"{r.fans:,.0f}", f"{r.likes:,.0f}", f"{r.videos:,.0f}",
                 "" if pd.isna(r.likes_per_video) else f"{r.likes_per_video:,.0f}",
                 "" if pd.isna(r.likes_per_video_pct) else f"{r.likes_per_video_pct:.0%}"]
                for r in self.benchmark.head(self.TOP).itertuples(index=False)]
        self.table.value = table_html(t("top_creators", lang, n=len(rows)), head, rows)

    def _on_change(self, change: dict) -> None:
        if not self._busy:
            self._draw()


def _category(value: str) -> str | None:
    """The category dropdown's value as `shopnb.competitors.of_category` takes it."""
    return None if value == _ALL else value


def _or_none(compute: Callable[[], pd.DataFrame]) -> pd.DataFrame | None:
    """``compute()``, or None when the data cannot give it (a `ShopDataError`)."""
    try:
        return compute()
    except ShopDataError:
        return None


def build_competitors(competitors: pd.DataFrame | LoadProblem,
                      funnel: pd.DataFrame | LoadProblem | None = None, *,
                      own_shop: str | None = None, lang: str = "zh",
                      window: int = 4) -> CompetitorsPage | CreatorBenchmarkPage:
    """The competitors page for a `competitors` table (and the own `funnel`, optional).

    A creator ranking (fans, likes and videos but no GMV or sales, such as the Douyin
    TOP500 export) gives a `CreatorBenchmarkPage` instead.

    Args:
        competitors: the canonical ``competitors`` table, weekly or daily (days are
            rolled up to weeks). Bad or empty data, or a `LoadProblem` (the file could
            not be read), gives a page with a friendly message.
        funnel: the own shop's ``funnel`` table, for the products' life cycle (None or a
            `LoadProblem`: the life cycle says it has no funnel data).
        own_shop: the own shop's name (default: the first shop in the table).
        lang: ``"zh"`` or ``"en"``; the page's toggle switches it later.
        window: weeks per window of the life-cycle comparison.

    Example:
        >>> from shopnb.datasets import load_sample
        >>> page = build_competitors(load_sample("competitors"), load_sample("funnel"),
        ...                          own_shop="山野集官方旗舰店")
        >>> page.own, len(page.rivals) > 0
        ('山野集官方旗舰店', True)
    """
    if comp.is_creator_ranking(competitors, measures=MEASURES):
        return CreatorBenchmarkPage(competitors, lang=lang)
    return CompetitorsPage(competitors, funnel, own_shop=own_shop, lang=lang, window=window)
