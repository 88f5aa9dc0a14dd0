"""One module per Voila page; each builds an ipywidgets app from data.

A page is `build_<page>(data, lang=...) -> ipywidgets.Widget`. It aggregates
the data with small pure functions, draws with `shopnb.charts`, renders the
charts offline through `alt.JupyterChart`, and exposes its controls and chart
widgets as attributes so a test can drive it without a browser.

Pages:
    overview  the shop's daily trend (GMV, orders, buyers, clicks)

Example:
    >>> import shopnb as sn  # doctest: +SKIP
    >>> page = build_overview(sn.load_sample("funnel"), lang="en")  # doctest: +SKIP
    >>> page.controls["measure"].value = "orders"  # doctest: +SKIP
"""

import sys

if "jsonschema" not in sys.modules:
    # Speed: Altair imports jsonschema, whose optional IRI format checker
    # builds a lark grammar at import (rfc3987-syntax, pulled in by Jupyter).
    # That costs 1-3.5 s in every page's kernel and shopnb checks no IRIs, so
    # let jsonschema skip it. Measured in tests/browser on 2 cores: the
    # overview's first chart 9.5 s -> 4 s after the request.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

from shopnb.pages.overview import OverviewPage, build_overview  # noqa: E402

__all__ = ["OverviewPage", "build_overview"]
