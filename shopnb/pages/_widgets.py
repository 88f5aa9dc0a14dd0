"""Widget pieces shared by the pages: results kept by their inputs, a chart drawn or a note.

The HTML pieces (message, title, table, KPI card) are in `shopnb.pages._html`; the chart
widget itself is `shopnb.pages._jupyterchart`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import altair as alt
import ipywidgets as widgets
import pandas as pd

from shopnb.errors import ShopDataError
from shopnb.pages._html import message_html

T = TypeVar("T")


class Kept:
    """Results kept by what they depend on besides a page's data (which does not change).

    The oldest is dropped past `size`: going back to an earlier choice computes nothing.

    Example:
        >>> kept = Kept(size=2)
        >>> kept(("ctr", "A"), lambda: 1), kept(("ctr", "A"), lambda: 2)
        (1, 1)
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._results: dict[tuple, Any] = {}  # each key's own kind of result

    def __call__(self, key: tuple, compute: Callable[[], T]) -> T:
        if key not in self._results:
            if len(self._results) >= self._size:
                del self._results[next(iter(self._results))]  # the oldest
            self._results[key] = compute()
        return self._results[key]


def draw_chart(drawn: dict[str, tuple], name: str, key: tuple, widget: alt.JupyterChart,
               note: widgets.HTML, compute: Callable[[], T | None],
               draw: Callable[[T], alt.TopLevelSpec], message: Callable[[], str]) -> None:
    """Draw chart `name` into `widget` from ``compute()``, unless it is drawn already.

    It is when `drawn` says it was last drawn for the same `key` (what it depends on).
    When there is nothing to draw (None, an empty frame, or a `ShopDataError` from
    `compute`), hide it behind a friendly note in `note`.

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
    if isinstance(data, pd.DataFrame) and data.empty:
        data = None  # nothing to draw either
    widget.chart = None if data is None else draw(data)
    widget.layout.display = "none" if data is None else None
    note.value = message_html(message()) if data is None else ""
    note.layout.display = None if data is None else "none"
