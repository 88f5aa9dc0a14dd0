"""shopnb: analytics workbench for short-video shops (Douyin-style shops, windows, live rooms).

Modules, lower layers first (a module imports only from its own layer or below):
    errors    ShopDataError, LoadProblem
    schema    canonical tables, header aliases, value codes
    parse     export numbers, ranges, dates, durations, flags
    sources   files, folders and DataFrames into raw tables
    load      one loader per canonical table
    targets   the KPIs' names and targets (the plans' defaults, targets.toml)
    datasets  the bundled sample shop and its seeded generator
    store     the data folder: settings, cached tables, targets, uploads (sn.store.table ...)
    funnel    funnel metrics on the daily table (and event-log funnels)
    eventlog  event-log funnels in DuckDB (windowFunnel semantics)
    monitor   KPI targets and alerts
    competitors  competitor monitoring metrics (sn.competitors.top, .price_alerts ...)
    experiments  A/B tests: analysis, sample-ratio check, planning, verdict
    digest    the landing page's numbers: the open alerts of every page, worked out and cached
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

from shopnb import competitors, eventlog, funnel, monitor, store
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
    "charts",
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
    "store",
]
__version__ = "0.1.0"

_LAZY = ("charts", "experiments")


def __getattr__(name: str) -> object:
    """Import `sn.experiments` and `sn.charts` on first use.

    They bring tea-tasting and Altair, which are slow to import: a kernel that needs
    neither should not pay for them.
    """
    if name in _LAZY:
        return importlib.import_module(f"shopnb.{name}")
    raise AttributeError(f"module 'shopnb' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, with those imported on first use."""
    return sorted({*globals(), *_LAZY})
