"""The one Altair theme and the zh/en labels.

Colours and fonts live here and nowhere else: chart builders in
`shopnb.charts` name no colour or font, pages take theirs from `FONT` and
`COLORS`. Importing this module registers the Altair theme ``"shopnb"`` and
enables it.

Labels: every text a page or chart shows comes from `LABELS` through `t`, so
each page works in Chinese and English.

Example:
    >>> import altair as alt
    >>> import shopnb.theme as theme
    >>> alt.theme.active
    'shopnb'
    >>> theme.t("gmv", "zh"), theme.t("gmv", "en")
    ('成交金额 (GMV)', 'GMV')
    >>> theme.t("missing_columns", "en", columns="gmv")
    'The data lacks the column(s): gmv.'
"""

from __future__ import annotations

import altair as alt

__all__ = ["COLORS", "FONT", "LABELS", "LANGS", "THEME_NAME", "shopnb_theme", "t"]

THEME_NAME = "shopnb"

# Latin text first, then CJK fonts for the glyphs the Latin fonts lack
# (Noto Sans CJK SC on Linux, PingFang SC on macOS, Microsoft YaHei on Windows).
FONT = (
    "'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)

COLORS = {
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


LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "date": "日期",
        "gmv": "成交金额 (GMV)",
        "orders": "订单数",
        "buyers": "成交人数",
        "clicks": "点击人数",
        "impressions": "曝光人数",
        "measure": "指标",
        "language": "语言",
        "overview_title": "店铺概览",
        "overview_subtitle": "每日趋势，{start} 至 {end}，共 {days} 天",
        "daily_trend_title": "每日{measure}",
        "no_data": "没有可显示的数据：表格是空的。请检查导出文件或日期范围。",
        "missing_columns": "数据缺少以下列：{columns}。",
        "not_dates": "列 {columns} 应为日期，但不是。",
        "not_numeric": "以下列应为数字，但不是：{columns}。",
        "not_a_table": "无法读取数据：需要一张表格（DataFrame），收到的是 {kind}。",
    },
    "en": {
        "date": "Date",
        "gmv": "GMV",
        "orders": "Orders",
        "buyers": "Buyers",
        "clicks": "Clicks",
        "impressions": "Impressions",
        "measure": "Measure",
        "language": "Language",
        "overview_title": "Shop overview",
        "overview_subtitle": "Daily trend, {start} to {end}, {days} days",
        "daily_trend_title": "Daily {measure}",
        "no_data": "Nothing to show: the table is empty. Check the export file or the date range.",
        "missing_columns": "The data lacks the column(s): {columns}.",
        "not_dates": "The column {columns} should hold dates but does not.",
        "not_numeric": "These columns should hold numbers but do not: {columns}.",
        "not_a_table": "Cannot read the data: expected a table (DataFrame), got {kind}.",
    },
}


def t(key: str, lang: str = "zh", **fields: object) -> str:
    """The label `key` in language `lang`, with ``{fields}`` filled in.

    Raises ValueError for a language other than those in `LANGS` and KeyError
    for an unknown key (both are programming errors, caught by the tests).

    Example:
        >>> t("daily_trend_title", "en", measure=t("orders", "en"))
        'Daily Orders'
    """
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    text = LABELS[lang][key]
    return text.format(**fields) if fields else text
