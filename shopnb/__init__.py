"""shopnb: analytics workbench for short-video shops (Douyin-style shops, windows, live rooms).

Modules:
    schema    canonical tables, header aliases, value codes
    parse     export numbers, ranges, dates, durations, flags
    sources   files, folders and DataFrames into raw tables
    load      one loader per canonical table
    funnel    funnel metrics on the daily table (and event-log funnels)
    eventlog  event-log funnels in DuckDB (windowFunnel semantics)
    monitor   KPI targets and alerts
    datasets  the bundled sample shop and its seeded generator
    experiments  A/B tests: analysis, sample-ratio check, planning, verdict
    competitors  competitor monitoring metrics (sn.competitors.top, .price_alerts ...)
    digest    the landing page's numbers: the open alerts of every page
    app       what the served notebooks call: settings, tables from the data folder
    theme     the Altair theme and zh/en labels
    charts    Altair chart builders
    pages     one ipywidgets app per Voila page
    serve     `shopnb serve`: Voila with the pages' settings; report: `shopnb report`
    cli       the command line (serve, report, sample)

Example:
    >>> import shopnb as sn
    >>> round(float(sn.load_sample("funnel")["gmv"].sum())) > 0
    True
"""

from shopnb import app, competitors, eventlog, funnel, monitor
from shopnb.datasets import load_sample, make_shop_data
from shopnb.errors import ShopDataError
from shopnb.load import (
    load_competitors,
    load_events,
    load_experiments,
    load_funnel,
    load_live_rooms,
    load_orders,
    load_videos,
)
from shopnb.load import (
    load_experiment as load_experiment,  # deprecated: load_experiments
)

__all__ = [
    "ShopDataError",
    "app",
    "competitors",
    "eventlog",
    "experiments",
    "funnel",
    "monitor",
    "load_competitors",
    "load_events",
    "load_experiments",
    "load_funnel",
    "load_live_rooms",
    "load_orders",
    "load_sample",
    "load_videos",
    "make_shop_data",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`sn.experiments` is imported on first use: it brings tea-tasting (about 0.8 s),
    which the other pages' kernels need not pay for."""
    if name == "experiments":
        import shopnb.experiments

        return shopnb.experiments
    raise AttributeError(f"module 'shopnb' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names with the lazily imported `experiments` among them."""
    return sorted({*globals(), "experiments"})
