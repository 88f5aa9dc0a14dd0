"""The landing page's numbers: the open alerts of every page, as one table.

Each page's own module finds its alerts (`shopnb.competitors.price_alerts` ...);
this gathers the current ones, the latest period's, into rows of one shape, so
the landing page can list them together, most severe first:

    page, severity ("high" / "medium"), kind, date, subject, metric, value,
    reference (what the value is compared with), change (relative to the
    reference), limit (a second bound, where the kind has one)

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"] * 2),
    ...                    "shop": ["own", "own", "A", "A"], "product": ["p", "p", "q", "q"],
    ...                    "category": "美妆", "price": [50.0, 50.0, 55.0, 45.0]})
    >>> alerts = competitor_alerts(df, own_shop="own")
    >>> alerts[["page", "severity", "kind", "subject"]].values.tolist()
    [['competitors', 'high', 'price_below_own', 'A · q']]
"""

from __future__ import annotations

import pandas as pd

from shopnb import competitors as comp

__all__ = ["ALERT_COLUMNS", "SEVERITIES", "competitor_alerts", "sort_alerts"]

ALERT_COLUMNS = ("page", "severity", "kind", "date", "subject", "metric", "value", "reference",
                 "change", "limit")
SEVERITIES = ("high", "medium")


def competitor_alerts(competitors: pd.DataFrame, *, own_shop: str | None = None,
                      min_drop: float = 0.05) -> pd.DataFrame:
    """The rival price alerts of the latest week, one row per rival product.

    A rival product that both cut its price and went below ours is one
    ``price_below_own`` alert (high); a cut alone is ``price_cut`` (medium).
    ``value`` is the new price, ``reference`` the old one, ``change`` the
    relative change and ``limit`` the own shop's price.

    Args:
        competitors: the `competitors` table, daily or weekly.
        own_shop: the own shop (default: the first shop in the table).
        min_drop: the smallest cut that counts (0.05 = 5 %).

    Raises:
        ShopDataError: the table lacks what `shopnb.competitors.price_alerts` needs.
    """
    weekly = comp.weekly(competitors)
    if weekly.empty:
        return _empty()
    own = own_shop if own_shop is not None else competitors["shop"].dropna().iloc[0]
    found = comp.price_alerts(weekly, own_shop=own, min_drop=min_drop)
    found = found[found["date"] == weekly["date"].max()]
    if found.empty:
        return _empty()
    found = (found.assign(_high=found["kind"] == "below_own")
             .sort_values("_high", ascending=False, kind="stable")
             .drop_duplicates(["shop", "product"]))
    rows = pd.DataFrame({
        "page": "competitors",
        "severity": found["_high"].map({True: "high", False: "medium"}),
        "kind": "price_" + found["kind"].astype(str),
        "date": found["date"],
        "subject": found["shop"].astype(str) + " · " + found["product"].astype(str),
        "metric": "price",
        "value": found["new_price"].astype(float),
        "reference": found["old_price"].astype(float),
        "change": found["change"].astype(float),
        "limit": found["own_price"].astype(float),
    })
    return sort_alerts(rows)


def sort_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Most severe first, then newest, then by page and subject; a fresh index.

    Example:
        >>> a = pd.DataFrame({"page": ["x", "y"], "severity": ["medium", "high"],
        ...                   "date": pd.to_datetime(["2026-01-02", "2026-01-01"]),
        ...                   "subject": ["a", "b"]})
        >>> sort_alerts(a)["page"].tolist()
        ['y', 'x']
    """
    rank = alerts["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    return (alerts.assign(_rank=rank)
            .sort_values(["_rank", "date", "page", "subject"],
                         ascending=[True, False, True, True], kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


def _empty() -> pd.DataFrame:
    kinds = {"date": "datetime64[ns]", "value": "float64", "reference": "float64",
             "change": "float64", "limit": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "object")) for c in ALERT_COLUMNS})
