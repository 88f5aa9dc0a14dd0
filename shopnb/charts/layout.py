"""The layout cache every topic's builders share, and the helpers they have in common.

A builder whose look does not change with its rows makes that look once (a *layout*: a
chart without data, cached with `functools.lru_cache` per look) and hands out a copy of it
holding the rows (`_with_rows`). A page's widget then converts a layout once and, at each
redraw, only the new rows (`shopnb.pages._jupyterchart.ShopChart`, which asks `layout_of`).

Example:
    >>> layout = alt.Chart().mark_bar().encode(x="n:Q")
    >>> chart = _with_rows(layout, pd.DataFrame({"n": [1, 2]}), title="Orders")
    >>> layout_of(chart) is layout, rows_title(chart)
    (True, 'Orders')
"""

from __future__ import annotations

import copy
from typing import TypeVar

import altair as alt
import pandas as pd
from altair.typing import ChartType, is_chart_type

from shopnb.theme import COLORS

__all__ = ["MAX_DOTS", "TITLE_PARAM", "layout_of", "rows_title"]

# d3-format strings for tooltips; money keeps its cents, counts do not.
_NUMBER_FORMATS = {"gmv": ",.2f", "refunds": ",.2f", "ad_cost": ",.2f"}
# Up to this many days a trend shows a dot per day; beyond, the dots stay
# (for the tooltips) but are not drawn, so the line stays readable.
MAX_DOTS = 62


_LAYOUT = "_shopnb_layout"
# in their place (`_placed`); given as ``sort=``, as Altair types the ``.sort()`` method
# without a sort object
_BY_ORDER = alt.EncodingSortField("order", op="min")

C = TypeVar("C", bound=ChartType)  # the helpers below give back the kind of chart given


def _with_rows(layout: C, rows: pd.DataFrame, title: str | None = None) -> C:
    """A copy of `layout` (a chart without data, cached per look) holding `rows`.

    `title` is given when the title names what the rows are of. The copy remembers its
    layout: a redraw can then send the layout's converted spec with the new rows and
    title, as long as the chart is as built (`layout_of`).

    The copy is deep, so that changing a chart one was handed (``chart.encoding.y.title =
    ...``) changes neither the cached layout nor the next chart built on it.

    Such a title is the value of the parameter `TITLE_PARAM`, so that the spec of a redraw
    differs from the last one only in its rows and its parameters' values, which a chart
    on screen takes without a new view.

    Example:
        >>> layout = alt.Chart().mark_bar().encode(x="n:Q")
        >>> chart = _with_rows(layout, pd.DataFrame({"n": [1, 2]}), title="Orders")
        >>> len(chart.data), layout_of(chart) is layout, layout.data is alt.Undefined
        (2, True, True)
        >>> chart.to_dict()["title"], rows_title(chart)
        ({'text': {'expr': 'shopnb_title'}}, 'Orders')
    """
    chart = _dressed(_copy(layout), rows, title)
    object.__setattr__(chart, _LAYOUT, layout)  # Altair's own setattr would set a property
    return chart


def _copy(layout: C) -> C:
    """A deep copy of `layout` that shares its layers' own data frames.

    Such frames are a target rule's row or a gap chart's limits; sharing them keeps two
    copies equal while they are as made.

    Python's deep copy, not Altair's ``copy(deep=True)``: Altair's builds every object again
    through its constructor, which for a layered or concatenated chart combines its
    subcharts' data and parameters again, a cost paid at every redraw.
    """
    return copy.deepcopy(layout, {id(frame): frame for frame in _frames(layout)})


_PARTS = ("layer", "hconcat", "vconcat", "concat", "spec")  # where charts hold subcharts


def _frames(chart: alt.SchemaBase) -> list[pd.DataFrame]:
    """The data frames `chart` and its subcharts hold."""
    data = getattr(chart, "data", None)
    found = [data] if isinstance(data, pd.DataFrame) else []
    for part in _PARTS:
        inner = getattr(chart, part, None)
        for sub in inner if isinstance(inner, list) else [inner]:
            if isinstance(sub, alt.SchemaBase):
                found += _frames(sub)
    return found


def _dressed(chart: C, rows: pd.DataFrame, title: str | None) -> C:
    """`chart` (changed in place) holding `rows`, and `title` as the value of `TITLE_PARAM`."""
    chart.data = rows
    if title is not None:
        chart.title = alt.Title(alt.expr(TITLE_PARAM))
        chart.params = [*_params_of(chart), alt.VariableParameter(name=TITLE_PARAM, value=title)]
    return chart


TITLE_PARAM = "shopnb_title"


def _params_of(chart: ChartType) -> list:
    return [] if alt.utils.is_undefined(chart.params) else list(chart.params)


def layout_of(chart: object) -> ChartType | None:
    """The cached layout `chart` was built on (`_with_rows`), while the chart is as built.

    As built: changed in nothing but its rows and its title's value. None for any other
    chart, or once the chart changed.

    The chart is compared with its layout holding the same rows, object by object (Altair's
    ``==``), not converted to a spec: that keeps a redraw's check cheap.

    Example:
        >>> layout = alt.Chart().mark_bar().encode(x="n:Q")
        >>> chart = _with_rows(layout, pd.DataFrame({"n": [1, 2]}))
        >>> layout_of(chart) is layout
        True
        >>> chart.encoding.x.title = "Count"
        >>> layout_of(chart) is None
        True
    """
    if not is_chart_type(chart):
        return None
    layout = getattr(chart, _LAYOUT, None)
    if layout is None:
        return None
    as_built = _dressed(_copy(layout), chart.data, rows_title(chart))
    return layout if as_built == chart else None


def rows_title(chart: ChartType) -> str | None:
    """The title `_with_rows` gave `chart` (the value of its `TITLE_PARAM`), or None."""
    return next((param.value for param in _params_of(chart)
                 if getattr(param, "name", None) == TITLE_PARAM), None)



_WIDTH = 800  # grouped bars size by their step otherwise, and shrink with one rival


def _needs(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}")



def _placed(rows: pd.DataFrame, field: str, places: list[str]) -> pd.DataFrame:
    """`rows` with the place of their `field` (a shop, a variant) in `places`, and its colour.

    The place is ``order`` (values not in `places` come after), the colour ``colour``,
    from the theme's palette by that place. The charts read both from the rows
    (`_color_of`), so a shop or a variant has the same colour in every chart and a chart's
    layout does not depend on which ones it shows.

    Example:
        >>> _placed(pd.DataFrame({"shop": ["B", "A"]}), "shop", ["A", "B"])["order"].tolist()
        [1, 0]
    """
    place = {v: i for i, v in enumerate(dict.fromkeys([*places, *rows[field]]))}
    order = rows[field].map(place)
    return rows.assign(order=order, colour=[_colour_at(i) for i in order])


def _colour_at(place: int) -> str:
    """The colour of the shop or variant in `place`: the theme's palette, then other hues.

    The hues lie a golden angle apart: each one drawn needs its own colour, as Vega pairs
    the colours with them.

    Example:
        >>> _colour_at(0) == COLORS["category"][0], _colour_at(10) != _colour_at(20)
        (True, True)
    """
    palette = COLORS["category"]
    if place < len(palette):
        return palette[place]
    return f"hsl({place * 137.508 % 360:.1f}, 55%, 55%)"


def _color_of(field: str, title: str) -> alt.Color:
    """Colour by `field`, each value in the colour its rows carry (`_placed`).

    The legend lists the values drawn by name: Vega-Lite pairs a field's colours with the
    values in that order, so the domain must keep it (a sort by place would swap colours).
    """
    return (alt.Color(f"{field}:N").scale(range=alt.FieldRange("colour")).title(title)
            .legend(orient="top"))
