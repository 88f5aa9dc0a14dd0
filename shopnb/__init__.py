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


def __getattr__(name: str) -> object:
    """Import `sn.experiments` on first use.

    It brings tea-tasting, which is slow to import: the other pages' kernels need not pay
    for it.
    """
    if name == "experiments":
        import shopnb.experiments

        return shopnb.experiments
    raise AttributeError(f"module 'shopnb' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names with the lazily imported `experiments` among them."""
    return sorted({*globals(), "experiments"})
