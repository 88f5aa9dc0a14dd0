"""The one Altair theme: colours, fonts, the look of every chart.

Colours and fonts live here and nowhere else: chart builders in
`shopnb.charts` name no colour or font, pages take theirs from `FONT` and
`COLORS`. Importing this module registers the Altair theme ``"shopnb"`` and
enables it. The zh/en labels are `shopnb.labels`.

Example:
    >>> import altair as alt
    >>> import shopnb.theme as theme
    >>> alt.theme.active
    'shopnb'
"""

from __future__ import annotations

from typing import TypedDict

import altair as alt

__all__ = ["COLORS", "Colors", "FONT", "THEME_NAME", "shopnb_theme"]

THEME_NAME = "shopnb"

# Latin text first, then CJK fonts for the glyphs the Latin fonts lack
# (Noto Sans CJK SC on Linux, PingFang SC on macOS, Microsoft YaHei on Windows).
FONT = (
    "'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)


class Colors(TypedDict):
    """The theme's colours by use: one a key, and the palette of categories."""

    primary: str
    secondary: str
    text: str
    muted: str
    grid: str
    background: str
    warning_bg: str
    warning_border: str
    category: list[str]


COLORS: Colors = {
    "primary": "#fe2c55",  # the accent of Douyin-style shops
    "secondary": "#25a4c7",
    "text": "#1f2329",
    "muted": "#646a73",
    "grid": "#e5e6eb",
    "background": "#ffffff",
    "warning_bg": "#fff7e6",
    "warning_border": "#ffc53d",
    # categories (carrier, channel, variant ...), colour-blind friendly order
    "category": [
        "#fe2c55",
        "#25a4c7",
        "#f7a600",
        "#5b8ff9",
        "#61ddaa",
        "#7262fd",
        "#78d3f8",
        "#9661bc",
        "#f6903d",
        "#8c8c8c",
    ],
}


@alt.theme.register(THEME_NAME, enable=True)
def shopnb_theme() -> alt.theme.ThemeConfig:
    """The house look: CJK-capable fonts, the shop palette, quiet axes."""
    return {
        "config": {
            "font": FONT,
            "background": COLORS["background"],
            # the padding around a chart is laid out again when its rows change in the
            # browser (a redraw of the same layout, `shopnb.pages._jupyterchart.ShopChart`)
            "autosize": {"type": "pad", "resize": True},
            "view": {"continuousWidth": 800, "continuousHeight": 300, "stroke": None},
            "title": {
                "font": FONT,
                "fontSize": 16,
                "fontWeight": 600,
                "color": COLORS["text"],
                "anchor": "start",
                "offset": 12,
            },
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": COLORS["muted"],
                "titleColor": COLORS["muted"],
                "gridColor": COLORS["grid"],
                "domainColor": COLORS["grid"],
                "tickColor": COLORS["grid"],
            },
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12},
            "header": {"labelFont": FONT, "titleFont": FONT},
            "text": {"font": FONT, "color": COLORS["text"]},
            "line": {"color": COLORS["primary"], "strokeWidth": 2},
            "point": {"color": COLORS["primary"], "filled": True, "size": 36},
            "bar": {"color": COLORS["primary"]},
            "area": {"color": COLORS["primary"]},
            "range": {"category": COLORS["category"]},
        }
    }

