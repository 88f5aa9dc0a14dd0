"""The layout cache: charts built on a cached layout are independent copies of it."""

from __future__ import annotations

import altair as alt
import pandas as pd

from shopnb import charts
from shopnb.charts.layout import _with_rows, layout_of, rows_title


def _daily(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-05-01"]),
                         "variant": ["A", "B"], "value": values})


def test_changing_one_chart_leaves_the_next_chart_unchanged():
    first = charts.ab_daily(_daily([0.1, 0.2]), variants=["A", "B"], metric="ctr",
                            percent=True, lang="en")
    first.encoding.y.title = "Changed"
    first.mark.point = False
    second = charts.ab_daily(_daily([0.3, 0.4]), variants=["A", "B"], metric="cvr",
                             percent=True, lang="en")
    spec = second.to_dict()
    assert spec["encoding"]["y"]["title"] is None  # the layout's: no y title
    assert spec["mark"]["point"] is True
    assert first.to_dict()["encoding"]["y"]["title"] == "Changed"


def test_changing_a_layer_of_one_chart_leaves_the_next_chart_unchanged():
    shares = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 2), "shop": ["A", "B"],
                           "gmv": [3.0, 1.0]})
    from shopnb import competitors

    rows = competitors.share(shares)
    first = charts.share_chart(rows, lang="en")
    first.layer[1].encoding.y.title = "Changed"
    second = charts.share_chart(rows, lang="en")
    assert second.to_dict()["layer"][1]["encoding"]["y"]["title"] == "Share"


def test_a_chart_knows_its_layout_only_while_it_is_as_built():
    layout = alt.Chart().mark_bar().encode(x="n:Q")
    rows = pd.DataFrame({"n": [1, 2]})
    before = layout.to_dict()
    chart = _with_rows(layout, rows, title="Orders")
    assert layout_of(chart) is layout and rows_title(chart) == "Orders"
    chart.encoding.x.title = "Count"  # deep inside the copy
    assert layout_of(chart) is None
    assert layout.to_dict() == before  # the layout is as it was
    retitled = _with_rows(layout, rows, title="Orders")
    retitled.params[0].value = "Buyers"  # the title rides on the rows: still the layout's
    assert layout_of(retitled) is layout and rows_title(retitled) == "Buyers"
    moved = _with_rows(layout, rows)
    moved.data = rows.assign(n=[3, 4])  # new rows: still the layout's
    assert layout_of(moved) is layout
    assert layout_of(layout.properties(width=100)) is None
    assert layout_of(alt.Chart(rows).mark_point()) is None
