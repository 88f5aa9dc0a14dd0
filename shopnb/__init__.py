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
    labels    the zh/en labels
    theme     the Altair theme
    charts    Altair chart builders, by topic (imported on first use: ``sn.charts``); they
              show offline in JupyterLab, a notebook and nbconvert HTML
    pages     one ipywidgets app per Voila page
    serve     `shopnb serve`: Voila with the pages' settings; report: `shopnb report`
    cli       the command line (serve, report, sample)

Example:
    >>> import shopnb as sn
    >>> round(float(sn.load_sample("funnel")["gmv"].sum())) > 0
    True
"""

import importlib

from shopnb import app, competitors, eventlog, funnel, monitor
from shopnb.datasets import load_sample, make_shop_data
from shopnb.errors import ShopDataError
from shopnb.load import (
    load_competitors,
    load_events,
    load_experiment,
    load_funnel,
    load_orders,
    load_videos,
)

__all__ = [
    "ShopDataError",
    "app",
    "charts",
    "competitors",
    "eventlog",
    "experiments",
    "funnel",
    "monitor",
    "load_competitors",
    "load_events",
    "load_experiment",
    "load_funnel",
    "load_orders",
    "load_sample",
    "load_videos",
    "make_shop_data",
]
__version__ = "0.1.0"


_LAZY = ("charts", "experiments")


def __getattr__(name: str) -> object:
    """`sn.experiments` and `sn.charts` are imported on first use: they bring tea-tasting
    and Altair, which a kernel that needs neither should not pay for."""
    if name in _LAZY:
        return importlib.import_module(f"shopnb.{name}")
    raise AttributeError(f"module 'shopnb' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, with those imported on first use."""
    return sorted({*globals(), *_LAZY})
