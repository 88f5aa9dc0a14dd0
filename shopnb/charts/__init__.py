"""Altair chart builders: aggregated data in, an undisplayed `alt.Chart` out.

A builder never computes a metric and never names a colour or a font (those live in
`shopnb.theme`); it only maps columns to marks, titles and tooltips in the language asked
for (`shopnb.labels`). Every builder is re-exported here: ``from shopnb.charts import
share_chart``.

Modules:
    layout       the layout cache the builders share (`layout_of`, `rows_title`,
                 `TITLE_PARAM`) and their common helpers
    overview     the landing page's daily trend
    funnel       the funnel page: funnel, KPI trend, heat map, CTR decay, time to
                 convert, GPM waterfall
    competitors  the competitors page: shares, price index, content, gaps, life cycle,
                 creators
    ab           the A/B page: forest, cumulative lift, daily values, posterior, planner
    render       the ``shopnb`` renderer: every chart offline in JupyterLab, a classic
                 notebook and nbconvert HTML (enabled here, unless the user chose another)

Example:
    >>> import pandas as pd
    >>> daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-05-02"]),
    ...                       "gmv": [1200.0, 1500.0]})
    >>> chart = daily_trend(daily, measure="gmv", lang="en")
    >>> chart.to_dict()["mark"]["type"]
    'line'
"""

from shopnb.charts import ab, competitors, funnel, layout, overview, render
from shopnb.charts.ab import *  # noqa: F403
from shopnb.charts.competitors import *  # noqa: F403
from shopnb.charts.funnel import *  # noqa: F403
from shopnb.charts.layout import *  # noqa: F403
from shopnb.charts.overview import *  # noqa: F403

__all__ = [*ab.__all__, *competitors.__all__, *funnel.__all__, *layout.__all__,
           *overview.__all__]

render.enable_renderer()
