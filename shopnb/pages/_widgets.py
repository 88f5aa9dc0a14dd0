"""Widget pieces shared by the pages: results kept by their inputs, a chart drawn or a
friendly note.

The HTML pieces (message, title, table, KPI card) are in `shopnb.pages._html`; the chart
widget itself is `shopnb.pages._jupyterchart`.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from shopnb.errors import ShopDataError
from shopnb.pages._html import message_html


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
