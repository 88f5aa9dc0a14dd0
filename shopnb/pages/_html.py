"""The HTML pieces the pages share: the title, the friendly message, a note, a table, the KPI card.

Styles are written inline, from the theme's colours and font: the same markup then
looks the same in a Voila page, in a JupyterLab cell and in the one-file HTML that
`shopnb report` writes, none of which share a stylesheet. Every piece escapes the
text it is given.

Example:
    >>> table_html("Price alerts", ["shop", "price"], [["A", "90.00"]]).count("<td ")
    2
    >>> table_html("Price alerts", ["shop", "price"], []).count("<table")
    0
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from shopnb.theme import COLORS, FONT

__all__ = ["STATUS_COLORS", "TEXT_STYLE", "format_kpi", "heading_html", "kpi_card",
           "message_html", "note_html", "table_html", "title_html"]

# the house font and text colour, which every block of the pages starts from
TEXT_STYLE = f"font-family: {FONT}; color: {COLORS['text']};"


def message_html(text: str) -> str:
    """A friendly notice (no traceback) in the house colours and font.

    Example:
        >>> message_html("<b>no data</b>").endswith("&lt;b&gt;no data&lt;/b&gt;</div>")
        True
    """
    style = (
        f"{TEXT_STYLE} background: {COLORS['warning_bg']};"
        f" border-left: 4px solid {COLORS['warning_border']}; padding: 10px 14px;"
        " margin: 8px 0; line-height: 1.5;"
    )
    return f'<div class="shopnb-message" style="{style}">{html.escape(text)}</div>'


def title_html(title: str, subtitle: str = "") -> str:
    """The page heading, with an optional one-line subtitle.

    Example:
        >>> 'class="shopnb-title"' in title_html("竞品监控", "4 周")
        True
    """
    sub = (
        f'<div style="color: {COLORS["muted"]}; font-size: 13px;">{html.escape(subtitle)}</div>'
        if subtitle
        else ""
    )
    return (
        f'<div class="shopnb-title" style="{TEXT_STYLE}">'
        f'<div style="font-size: 22px; font-weight: 600; margin: 4px 0;">{html.escape(title)}</div>'
        f"{sub}</div>"
    )


def note_html(text: str) -> str:
    """A plain line of text under a chart or a table (no warning colours).

    Example:
        >>> note_html("a < b").endswith(">a &lt; b</div>")
        True
    """
    return f'<div style="{TEXT_STYLE} margin: 6px 0; line-height: 1.5;">{html.escape(text)}</div>'


def heading_html(text: str) -> str:
    """A section's heading within a page (a table's or a list's title).

    Example:
        >>> heading_html("Alerts (2)").endswith(">Alerts (2)</div>")
        True
    """
    return (f'<div style="font-size: 16px; font-weight: 600; margin: 12px 0 6px;">'
            f"{html.escape(text)}</div>")


def table_html(title: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A titled table of text cells, left-aligned; only the title when there are no rows.

    Args:
        title: the heading above the table.
        head: the column headings.
        rows: the cells, already formatted (anything else is shown as ``str(cell)``).

    Example:
        >>> out = table_html("Top", ["rank", "creator"], [[1, "A"], [2, "<B>"]])
        >>> out.count("<tr>"), "&lt;B&gt;" in out
        (3, True)
    """
    cell = f"padding: 4px 10px; border-bottom: 1px solid {COLORS['grid']}; text-align: left;"
    th = "".join(f'<th style="{cell} color: {COLORS["muted"]};">{html.escape(h)}</th>'
                 for h in head)
    body = "".join("<tr>" + "".join(f'<td style="{cell}">{html.escape(str(v))}</td>' for v in r)
                   + "</tr>" for r in rows)
    table = (f'<table style="border-collapse: collapse; font-size: 13px;"><thead><tr>{th}</tr>'
             f"</thead><tbody>{body}</tbody></table>" if rows else "")
    return f'<div class="shopnb-alerts" style="{TEXT_STYLE}">{heading_html(title)}{table}</div>'


# a KPI card's edge: its target met, within 10 %, further off; no target
STATUS_COLORS = {"ok": COLORS["category"][4], "near": COLORS["warning_border"],
                 "off": COLORS["primary"], "": COLORS["grid"]}
_PERCENT_KPIS = ("ctr", "click_to_deal", "impression_to_deal", "refund_rate", "completion_rate")


def format_kpi(kpi: str, value: float | None) -> str:
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
    """One KPI as a card: its name, its value, lines under it, an edge in the status colour.

    Example:
        >>> 'shopnb-card-near' in kpi_card("CTR", "4.51%", ["target ≥ 5.00%"], "near")
        True
    """
    color = STATUS_COLORS[status]
    extra = "".join(f'<div style="color: {COLORS["muted"]}; font-size: 12px;">'
                    f"{html.escape(line)}</div>" for line in lines)
    return (f'<div class="shopnb-card shopnb-card-{status or "none"}" style="min-width: 150px; '
            f'padding: 8px 12px; border-left: 5px solid {color}; background: '
            f'{COLORS["background"]}; box-shadow: 0 1px 3px {COLORS["grid"]};">'
            f'<div style="color: {COLORS["muted"]}; font-size: 12px;">{html.escape(label)}</div>'
            f'<div style="color: {COLORS["text"]}; font-size: 20px; font-weight: 600;">'
            f"{html.escape(value)}</div>{extra}</div>")
