"""One module per Voila page; each builds an ipywidgets app from data.

A page is `build_<page>(data, lang=...) -> ipywidgets.Widget`. It aggregates
the data with small pure functions, draws with `shopnb.charts`, renders the
charts offline through `alt.JupyterChart`, and exposes its controls and chart
widgets as attributes so a test can drive it without a browser.

Pages:
    index        the landing page: KPIs against targets, the open alerts of every page,
                 links, the daily trend
    funnel       where the shop loses its buyers, by product, carrier, channel, content
    competitors  the own shop against its top rivals, week by week
    experiments  A/B tests: every treatment against control, a verdict
    header       the navigation and language switch every page shares

Example:
    >>> import shopnb as sn  # doctest: +SKIP
    >>> page = build_index(sn.load_sample("funnel"), lang="en")  # doctest: +SKIP
    >>> page.controls["measure"].value = "orders"  # doctest: +SKIP
"""

from shopnb.pages.index import IndexPage, build_index

__all__ = ["IndexPage", "build_index"]
