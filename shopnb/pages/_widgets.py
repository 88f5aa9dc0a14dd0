"""Widget pieces shared by the pages: results kept by their inputs, a chart drawn or a
friendly note, the message box, the KPI card. The chart widget itself is
`shopnb.pages._jupyterchart`."""

from __future__ import annotations

import html
from collections.abc import Callable

import altair as alt
import pandas as pd

from shopnb.errors import ShopDataError
from shopnb.theme import COLORS, FONT


class Kept:
    """Results kept by what they depend on besides a page's data (which does not change), the
    oldest dropped past `size`: going back to an earlier choice computes nothing.

    Example:
        >>> kept = Kept(size=2)
        >>> kept(("ctr", "A"), lambda: 1), kept(("ctr", "A"), lambda: 2)
        (1, 1)
    """

    def __init__(self, size: int = 256) -> None:
        self._size, self._results = size, {}

    def __call__(self, key: tuple, compute: Callable[[], object]) -> object:
        if key not in self._results:
            if len(self._results) >= self._size:
                del self._results[next(iter(self._results))]  # the oldest
            self._results[key] = compute()
        return self._results[key]


def draw_chart(drawn: dict[str, tuple], name: str, key: tuple, widget: alt.JupyterChart,
               note: object, compute: Callable[[], object],
               draw: Callable[[object], alt.TopLevelMixin], message: Callable[[], str]) -> None:
    """Draw chart `name` into `widget` from ``compute()``, unless `drawn` says it was last
    drawn for the same `key` (what it depends on); when there is nothing to draw (None,
    an empty frame, or a `ShopDataError` from `compute`), hide it behind a friendly note
    in `note` (an HTML widget).

    Example:
        >>> import ipywidgets as w
        >>> drawn, box = {}, w.HTML()
        >>> draw_chart(drawn, "trend", ("zh",), w.Box(), box, lambda: None, lambda d: d,
        ...            lambda: "no data")
        >>> "no data" in box.value, drawn
        (True, {'trend': ('zh',)})
    """
    if drawn.get(name) == key:
        return
    drawn[name] = key
    try:
        data = compute()
    except ShopDataError:
        data = None
    empty = data is None or (isinstance(data, pd.DataFrame) and data.empty)
    widget.chart = None if empty else draw(data)
    widget.layout.display = "none" if empty else None
    note.value = message_html(message()) if empty else ""
    note.layout.display = None if empty else "none"


def message_html(text: str) -> str:
    """A friendly notice (no traceback) in the house colours and font."""
    style = (
        f"font-family: {FONT}; color: {COLORS['text']}; background: {COLORS['warning_bg']};"
        f" border-left: 4px solid {COLORS['warning_border']}; padding: 10px 14px;"
        " margin: 8px 0; line-height: 1.5;"
    )
    return f'<div class="shopnb-message" style="{style}">{html.escape(text)}</div>'


def title_html(title: str, subtitle: str = "") -> str:
    """The page heading, with an optional one-line subtitle."""
    sub = (
        f'<div style="color: {COLORS["muted"]}; font-size: 13px;">{html.escape(subtitle)}</div>'
        if subtitle
        else ""
    )
    return (
        f'<div class="shopnb-title" style="font-family: {FONT}; color: {COLORS["text"]};">'
        f'<div style="font-size: 22px; font-weight: 600; margin: 4px 0;">{html.escape(title)}</div>'
        f"{sub}</div>"
    )


# a KPI card's edge: its target met, within 10 %, further off; no target
STATUS_COLORS = {"ok": COLORS["category"][4], "near": COLORS["warning_border"],
                 "off": COLORS["primary"], "": COLORS["grid"]}
_PERCENT_KPIS = ("ctr", "click_to_deal", "impression_to_deal", "refund_rate", "completion_rate")


def format_kpi(kpi: str, value: object) -> str:
    """A KPI's value as a card shows it: rates in %, GMV in whole yuan, ROI plain.

    Example:
        >>> format_kpi("ctr", 0.04512), format_kpi("gmv", 18315.4), format_kpi("orders", 191)
        ('4.51%', '¥18,315', '191')
    """
    if value is None or not pd.notna(value):
        return "–"
    value = float(value)
    if kpi in _PERCENT_KPIS:
        return f"{value:.2%}"
    if kpi == "roi":
        return f"{value:.2f}"
    if kpi == "gmv":
        return f"¥{value:,.0f}"
    return f"{value:,.0f}" if kpi in ("orders", "buyers", "clicks", "impressions") \
        else f"¥{value:,.2f}"


def kpi_card(label: str, value: str, lines: list[str], status: str) -> str:
    """One KPI as a card: its name, its value, lines under it, an edge in the status colour."""
    color = STATUS_COLORS[status]
    extra = "".join(f'<div style="color: {COLORS["muted"]}; font-size: 12px;">'
                    f"{html.escape(line)}</div>" for line in lines)
    return (f'<div class="shopnb-card shopnb-card-{status or "none"}" style="min-width: 150px; '
            f'padding: 8px 12px; border-left: 5px solid {color}; background: '
            f'{COLORS["background"]}; box-shadow: 0 1px 3px {COLORS["grid"]};">'
            f'<div style="color: {COLORS["muted"]}; font-size: 12px;">{html.escape(label)}</div>'
            f'<div style="color: {COLORS["text"]}; font-size: 20px; font-weight: 600;">'
            f"{html.escape(value)}</div>{extra}</div>")
