"""A tiny hand-made funnel table, shaped like the canonical `funnel` table."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest


@pytest.fixture
def funnel() -> pd.DataFrame:
    """3 days x 2 products x 2 carriers x 1 channel; counts are Int64 as the loader gives.

    Daily totals: gmv 100, 260, 420; orders 8, 16, 24; buyers 6, 14, 22; clicks 46, 62, 78.
    """
    rows = []
    keys = itertools.product(range(3), ["p1", "p2"], ["live", "video"])
    for i, (day, product, carrier) in enumerate(keys):
        rows.append(
            {
                "date": pd.Timestamp("2024-05-01") + pd.Timedelta(days=day),
                "product_id": product,
                "product_name": {"p1": "防晒霜", "p2": "面膜"}[product],
                "carrier": carrier,
                "channel": "feed",
                "impressions": 100 + i,
                "clicks": 10 + i,
                "orders": 1 + i // 2 + (carrier == "live"),
                "buyers": 1 + i // 2,
                "gmv": 10.0 * (1 + i),
            }
        )
    frame = pd.DataFrame(rows)
    counts = ["impressions", "clicks", "orders", "buyers"]
    return frame.astype({"date": "datetime64[us]", **dict.fromkeys(counts, "Int64")})
