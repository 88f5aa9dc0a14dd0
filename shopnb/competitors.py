"""Competitor monitoring: the rivals that matter, their prices, share, content and audience.

It also gives the life-cycle stage of the own shop's products.

The functions take the canonical `competitors` table: one row per period (a week's
Monday, or a day) x shop x product. Sales and GMV belong to the product row; the
columns that describe the shop (fans, likes, videos, lives, video / live GMV, audience
and traffic-source shares) repeat on each of the shop's product rows, so they are taken
once per period and shop (their mean), never summed over products. Ranges from
third-party monitors ("7.5w~10w") arrive as ``sales`` (midpoint) with ``sales_low`` and
``sales_high``; they are carried through as bounds.

Key columns are keyword arguments named after the canonical columns they default to
(``date``, ``shop``, ``product``, ``category``, ``price``; the old ``date_col`` ...
still work for one release, with a `DeprecationWarning`); results name them the same
way. Shares are fractions (0.25); gaps between shares are percentage points (25.0).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 3 + ["2026-06-22"] * 3),
    ...                    "shop": ["own", "A", "B"] * 2, "product": ["p", "q", "r"] * 2,
    ...                    "category": "美妆", "price": [100.0, 90, 110, 100, 80, 110],
    ...                    "gmv": [500.0, 300, 200, 400, 500, 100]})
    >>> top(df, n=2, own_shop="own")[["shop", "rank", "prev_rank", "rank_change"]]
      shop  rank  prev_rank  rank_change
    0    A     1          2            1
    1    B     3          3            0
    >>> price_alerts(df, own_shop="own")[["shop", "kind", "old_price", "new_price"]]
      shop kind  old_price  new_price
    0    A  cut       90.0       80.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from shopnb.errors import DataIssue, ShopDataError
from shopnb.schema import TABLES, DateLike, deprecated, renamed_keywords

__all__ = [
    "AGE_SEGMENTS",
    "STAGES",
    "TRAFFIC_SOURCES",
    "alerts_by_product",
    "audience_gap",
    "content",
    "creator_benchmark",
    "is_creator_ranking",
    "lifecycle",
    "of_category",
    "of_shops",
    "of_week",
    "price_alerts",
    "price_comparison",
    "price_index",
    "share",
    "shop_totals",
    "top",
    "traffic_mix_gap",
    "weekly",
]

AGE_SEGMENTS = ("18_23", "24_30", "31_40", "41_50", "50_plus")
GENDERS = ("female", "male")
TRAFFIC_SOURCES = ("feed", "search", "shop_window", "ads", "followers", "other")
STAGES = ("introduction", "growth", "maturity", "decline")

_ADDITIVE = tuple(f"{m}{s}" for m in ("sales", "gmv") for s in ("", "_low", "_high"))
_SHOP_LEVEL = (
    "fans", "likes", "videos", "lives",
    *(f"{m}{s}" for m in ("video_gmv", "live_gmv") for s in ("", "_low", "_high")),
    *(f"age_{a}_share" for a in AGE_SEGMENTS), *(f"{g}_share" for g in GENDERS),
    *(f"traffic_{s}_share" for s in TRAFFIC_SOURCES),
)
# the key-column keywords' names before they were named after their columns
_OLD_KEYWORDS = {"date_col": "date", "shop_col": "shop", "product_col": "product",
                 "category_col": "category", "price_col": "price"}
# what the loader puts in an empty product cell: a whole-shop row, not a product
_NO_PRODUCT = dict(TABLES["competitors"].defaults)["product"]
_TOL = 1e-9  # a 5 % cut computed in floating point may come out as 0.04999999999


# --- shared plumbing ---------------------------------------------------------------------------

def _canon(df: object, cols: Mapping[str, str], need: Sequence[str], what: str) -> pd.DataFrame:
    """`df` with the key columns under their canonical names; checks what `what` needs."""
    if not isinstance(df, pd.DataFrame):
        raise ShopDataError(f"{what} needs a table (pandas DataFrame), got {type(df).__name__}")
    renamed = df.rename(columns={v: k for k, v in cols.items() if v != k})
    missing = [cols.get(c, c) for c in need if cols.get(c, c) not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns)) or "none"
        raise ShopDataError(f"{what} needs the column(s) {', '.join(missing)}; columns found: "
                            f"{found}", column=missing[0])
    return renamed


def _restore(out: pd.DataFrame, cols: Mapping[str, str]) -> pd.DataFrame:
    return out.rename(columns={k: v for k, v in cols.items() if k in out.columns})


def _keys(date: str, shop: str, product: str = "product", category: str = "category",
          price: str = "price") -> dict[str, str]:
    return {"date": date, "shop": shop, "product": product, "category": category,
            "price": price}


def _shop_rows(d: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    """One row per date x shop: sales and GMV summed over products, shop columns averaged.

    A `measure` the schema does not know (and its _low / _high) is summed too.
    """
    level = [c for c in _SHOP_LEVEL if c in d.columns]
    other = [f"{measure}{s}" for s in ("", "_low", "_high")] if measure not in level else []
    add = list(dict.fromkeys(c for c in (*_ADDITIVE, *other) if c in d.columns))
    g = d.groupby(["date", "shop"], sort=True, observed=True)
    parts = [g.size().rename("products")]
    if add:
        parts.append(g[add].sum(min_count=1).astype("float64"))
    if level:
        parts.append(g[level].mean().astype("float64"))
    return pd.concat(parts, axis=1).reset_index()


def _pick_week(dates: pd.Series, week: DateLike | None, what: str) -> pd.Timestamp:
    """The period to report: the latest one, or the last period starting on or before `week`."""
    known = pd.Series(dates.dropna().unique()).sort_values()
    if known.empty:
        raise ShopDataError(f"{what}: the table has no rows with a date")
    if week is None:
        return pd.Timestamp(known.iloc[-1])
    wanted = pd.Timestamp(week)
    before = known[known <= wanted]
    if before.empty:
        raise ShopDataError(f"{what}: no data on or before {wanted:%Y-%m-%d}; the data starts "
                            f"{pd.Timestamp(known.iloc[0]):%Y-%m-%d}")
    return pd.Timestamp(before.iloc[-1])


def _require_shop(d: pd.DataFrame, shop: str, what: str) -> None:
    if not (d["shop"] == shop).any():
        shops = ", ".join(map(str, d["shop"].dropna().unique()[:8]))
        raise ShopDataError(f"{what}: the own shop {shop!r} is not in the table; shops found: "
                            f"{shops or 'none'}", column="shop")


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ShopDataError(f"{name} must be a whole number of 1 or more, got {value!r}")
    return int(value)


# --- periods -----------------------------------------------------------------------------------

@renamed_keywords(**_OLD_KEYWORDS)
def weekly(df: pd.DataFrame, *, date: str = "date", shop: str = "shop",
           product: str = "product", category: str = "category") -> pd.DataFrame:
    """Daily monitor rows as weekly rows, each dated by its week's Monday.

    Per shop x product x week: sales, GMV (and their low / high), video and live GMV,
    videos and lives are summed; the price, list price, rating, fans and likes are the
    week's last values (the shelf at the end of the week); shares are averaged. Weekly
    data passes through unchanged (only re-dated to Monday).

    Example:
        >>> days = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-17",
        ...                                              "2026-06-22"]),
        ...                      "shop": "A", "product": "p", "price": [10.0, 9.0, 9.5],
        ...                      "sales": [3, 4, 5]})
        >>> weekly(days)[["date", "price", "sales"]]
                date  price  sales
        0 2026-06-15    9.0      7
        1 2026-06-22    9.5      5
    """
    cols = _keys(date, shop, product, category)
    d = _canon(df, cols, ["date", "shop"], "competitors.weekly")
    d = d.dropna(subset=["date"]).sort_values("date", kind="stable")
    d = d.assign(date=d["date"] - pd.to_timedelta(d["date"].dt.day_of_week, unit="D"))
    d = d.assign(date=d["date"].dt.normalize())
    keys = [c for c in ("date", "shop", "product", "category", "account_id") if c in d.columns]
    summed = {*_ADDITIVE, "video_gmv", "video_gmv_low", "video_gmv_high", "live_gmv",
              "live_gmv_low", "live_gmv_high", "videos", "lives"}
    agg: dict[str, str] = {}
    for c in d.columns:
        if c in keys:
            continue
        if c in summed:
            agg[c] = "sum"
        elif c.endswith("_share"):
            agg[c] = "mean"
        else:
            agg[c] = "last"
    g = d.groupby(keys, sort=True, observed=True, dropna=False)
    out = g.agg(agg).reset_index() if agg else g.size().reset_index()[keys]
    for c in summed & set(out.columns):  # a week with no values stays missing, not 0
        out[c] = out[c].where(g[c].count().to_numpy() > 0)
    return _restore(out[[c for c in d.columns if c in out.columns]], cols)


def of_week(df: pd.DataFrame, week: DateLike | None, *, date: str = "date") -> pd.DataFrame:
    """The rows of one period: those whose `date` is `week` (a week's Monday in weekly rows).

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"]),
        ...                    "shop": ["A", "A"]})
        >>> of_week(df, pd.Timestamp("2026-06-22")).index.tolist()
        [1]
    """
    return df[df[date] == week]


# --- ranking and share ---------------------------------------------------------------------------

@renamed_keywords(date_col="date", shop_col="shop")  # category is a value here
def top(df: pd.DataFrame, n: int = 5, by: str = "gmv", category: str | None = None,
        week: DateLike | None = None, *, own_shop: str | None = None, date: str = "date",
        shop: str = "shop", category_col: str | None = None) -> pd.DataFrame:
    """The `n` rivals that matter in a week, by `by`, with their rank and rank change.

    Shops are ranked by `by` (summed over their products, in `category` when given)
    among all shops of the week, the own shop included; the own shop is then left out
    of the rows. ``rank_change`` is the previous period's rank minus this one (positive:
    the shop climbed); a shop absent the period before has no previous rank.

    Args:
        df: the `competitors` table.
        n: how many rivals to return.
        by: a column to rank by: ``"gmv"``, ``"sales"``, ``"fans"``, ``"videos"`` ...
        category: only this category's products (None: all).
        week: the period to rank (None: the latest; otherwise the last period starting
            on or before it).
        own_shop: the shop whose rivals these are (None: every shop is a rival).
        date: the period column.
        shop: the shop column.
        category_col: deprecated: `category` is a value here, so the category column
            is the canonical ``category`` (rename yours first).

    Returns:
        date, shop, `by` (with ``{by}_low`` / ``{by}_high`` when ranged), share (of
        the week's total), rank, prev_rank, rank_change; ordered by rank.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 2),
        ...                    "shop": ["A", "B"], "gmv": [1.0, 3.0]})
        >>> top(df)["shop"].tolist()
        ['B', 'A']
    """
    n = _positive_int(n, "n")
    cols = _keys(date, shop)
    if category_col is not None:
        deprecated("top(category_col=...)", "a column named 'category'")
        cols["category"] = category_col
    need = ["date", "shop", by] + (["category"] if category is not None else [])
    d = _canon(df, cols, need, "competitors.top")
    if category is not None:
        d = d[d["category"] == category]
    rows = _shop_rows(d, by).dropna(subset=[by])
    when = _pick_week(rows["date"], week, "competitors.top")
    rows = rows.assign(
        rank=rows.groupby("date")[by].rank(method="min", ascending=False).astype("Int64"),
        share=rows[by] / rows.groupby("date")[by].transform("sum"))
    earlier = rows.loc[rows["date"] < when, "date"]
    previous = rows[rows["date"] == earlier.max()] if not earlier.empty else rows.iloc[:0]
    now = rows[rows["date"] == when]
    prev_rank = now["shop"].map(previous.set_index("shop")["rank"]).astype("Int64")
    now = now.assign(prev_rank=prev_rank, rank_change=prev_rank - now["rank"])
    if own_shop is not None:
        now = now[now["shop"] != own_shop]
    keep = ["date", "shop", by, *(c for c in (f"{by}_low", f"{by}_high") if c in now.columns),
            "share", "rank", "prev_rank", "rank_change"]
    out = now.sort_values(["rank", "shop"]).head(n)[keep].reset_index(drop=True)
    return _restore(out, cols)


@renamed_keywords(**_OLD_KEYWORDS)
def share(df: pd.DataFrame, *, measure: str = "gmv", date: str = "date",
          shop: str = "shop") -> pd.DataFrame:
    """Each shop's share of `measure` per period, with bounds when values are ranges.

    ``share`` uses the midpoints. When `measure` comes as a range (``{measure}_low`` /
    ``{measure}_high``) the share can lie anywhere in ``[share_low, share_high]``:
    ``share_low = low / (low + sum of the other shops' highs)`` and ``share_high =
    high / (high + sum of the other shops' lows)``. Without ranges the bounds equal the
    share.

    Returns:
        date, shop, `measure`, ``{measure}_low``, ``{measure}_high``, share, share_low,
        share_high, rank (1 = largest); ordered by date and rank.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 2), "shop": ["A", "B"],
        ...                    "sales": [15.0, 5.0], "sales_low": [10.0, 5.0],
        ...                    "sales_high": [20.0, 5.0]})
        >>> share(df, measure="sales")[["shop", "share", "share_low", "share_high"]]
          shop  share  share_low  share_high
        0    A   0.75   0.666667    0.800000
        1    B   0.25   0.200000    0.333333
    """
    cols = _keys(date, shop)
    d = _canon(df, cols, ["date", "shop", measure], "competitors.share")
    rows = _shop_rows(d, measure).dropna(subset=[measure])
    lo, hi = f"{measure}_low", f"{measure}_high"
    mid = rows[measure]
    low = rows[lo].fillna(mid) if lo in rows.columns else mid
    high = rows[hi].fillna(mid) if hi in rows.columns else mid
    by_date = rows["date"]
    total = mid.groupby(by_date).transform("sum")
    others_high = high.groupby(by_date).transform("sum") - high
    others_low = low.groupby(by_date).transform("sum") - low
    out = pd.DataFrame({
        "date": rows["date"], "shop": rows["shop"], measure: mid, lo: low, hi: high,
        "share": mid / total.where(total != 0),
        "share_low": low / (low + others_high).where(low + others_high != 0),
        "share_high": high / (high + others_low).where(high + others_low != 0),
        "rank": mid.groupby(by_date).rank(method="min", ascending=False).astype("Int64"),
    })
    return _restore(out.sort_values(["date", "rank", "shop"], ignore_index=True), cols)


def of_category(df: pd.DataFrame, value: str | None, *, category: str = "category"
                ) -> pd.DataFrame:
    """The rows of the category `value`; every row (`df` itself) for None.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "B", "C"], "category": ["美妆", "个护", "美妆"]})
        >>> of_category(df, "美妆")["shop"].tolist(), len(of_category(df, None))
        (['A', 'C'], 3)
    """
    return df if value is None else df[df[category] == value]


def of_shops(df: pd.DataFrame, shops: Sequence[str], *, shop: str = "shop") -> pd.DataFrame:
    """The rows of `shops`, in the order they come in `df`, numbered from 0.

    A table computed once for every shop of a category and narrowed with this is the
    table of those shops alone (for `price_alerts`, `content`, `audience_gap`,
    `traffic_mix_gap`: each shop's rows depend on its own rows and the own shop's), so
    a page keeps the whole table and narrows it when the reader picks other shops.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "B", "C"], "gmv": [3.0, 2.0, 1.0]})
        >>> of_shops(df, ["C", "A"])
          shop  gmv
        0    A  3.0
        1    C  1.0
    """
    return df[df[shop].isin(shops)].reset_index(drop=True)


def shop_totals(df: pd.DataFrame, measure: str = "gmv", *, shop: str = "shop") -> pd.Series:
    """Each shop's `measure` summed over every period and product (missing counts as 0).

    A page orders its shops' colours and stacking by these, so that shops do not swap
    places from week to week.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "B", "A"], "gmv": [3.0, 2.0, None]})
        >>> shop_totals(df).to_dict()
        {'A': 3.0, 'B': 2.0}
    """
    return df.groupby(shop, observed=True)[measure].sum()


# --- prices ------------------------------------------------------------------------------------

def _prices(d: pd.DataFrame, key: str) -> pd.DataFrame:
    """One price per date x shop x product (the median of repeated listings)."""
    keys = ["date", "shop", "product"] + ([key] if key != "product" else [])
    return (d.dropna(subset=["date", "price", *keys])
            .groupby(keys, sort=True, observed=True, as_index=False)["price"].median())


def _own_reference(prices: pd.DataFrame, own_shop: str, key: str) -> pd.Series:
    """The own shop's price per date x key (the median of its products there)."""
    own = prices[prices["shop"] == own_shop]
    return own.groupby(["date", key], observed=True)["price"].median().rename("own_price")


@renamed_keywords(**_OLD_KEYWORDS)
def price_alerts(df: pd.DataFrame, *, min_drop: float = 0.05, own_shop: str | None = None,
                 by: str = "category", date: str = "date", shop: str = "shop",
                 product: str = "product", category: str = "category",
                 price: str = "price") -> pd.DataFrame:
    """Every rival price cut of at least `min_drop`, and every rival price that fell below ours.

    A cut (``kind="cut"``) compares a product's price with its previous observed period:
    ``1 - new / old >= min_drop``. A ``"below_own"`` alert marks the period in which a
    rival product's price went under the own shop's price for the same `by` (the median
    of the own shop's prices in that category, or for that product) having been at or
    above it the period before. Without `own_shop` every shop is a rival and there are no
    ``"below_own"`` alerts.

    Args:
        df: the `competitors` table (date, shop, product, price; category when
            ``by="category"``).
        min_drop: the smallest relative drop that counts as a cut (0.05 = 5 %).
        own_shop: the own shop; its own price changes are not alerts.
        by: ``"category"`` or ``"product"``: what a rival price is compared with.
        date: the period column.
        shop: the shop column.
        product: the product column.
        category: the category column.
        price: the price column.

    Returns:
        date, shop, product, `by` (when it is the category), kind, old_price, new_price,
        change (``new / old - 1``), own_price; ordered by date, shop, product, kind.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"] * 2),
        ...                    "shop": ["own", "own", "A", "A"], "product": ["p", "p", "q", "q"],
        ...                    "category": "美妆", "price": [50.0, 50.0, 55.0, 45.0]})
        >>> price_alerts(df, own_shop="own")[["kind", "old_price", "new_price", "own_price"]]
                kind  old_price  new_price  own_price
        0  below_own       55.0       45.0       50.0
        1        cut       55.0       45.0       50.0
    """
    if not 0 < min_drop < 1:
        raise ShopDataError(f"min_drop must be between 0 and 1 (0.05 = 5 %), got {min_drop!r}")
    key = _by_key(by)
    cols = _keys(date, shop, product, category, price)
    d = _canon(df, cols, ["date", "shop", "product", "price", key], "competitors.price_alerts")
    if own_shop is not None:
        _require_shop(d, own_shop, "competitors.price_alerts")
    prices = _prices(d, key).sort_values(["shop", "product", "date"], kind="stable")
    prices["old_price"] = prices.groupby(["shop", "product"], observed=True)["price"].shift()
    prices["old_date"] = prices.groupby(["shop", "product"], observed=True)["date"].shift()
    if own_shop is None:
        rivals = prices.assign(own_price=np.nan, own_before=np.nan)
    else:
        own_ref = _own_reference(prices, own_shop, key)
        before = own_ref.rename("own_before").rename_axis(["old_date", key])
        rivals = (prices[prices["shop"] != own_shop].join(own_ref, on=["date", key])
                  .join(before, on=["old_date", key]))
    cut = (1 - rivals["price"] / rivals["old_price"]) >= min_drop - _TOL
    below = (rivals["price"] < rivals["own_price"]) & (rivals["old_price"] >= rivals["own_before"])
    alerts = pd.concat([rivals[cut.fillna(False)].assign(kind="cut"),
                        rivals[below.fillna(False)].assign(kind="below_own")])
    out = alerts.rename(columns={"price": "new_price"}).assign(
        change=lambda a: a["new_price"] / a["old_price"] - 1)
    keep = ["date", "shop", "product", *([key] if key != "product" else []), "kind",
            "old_price", "new_price", "change", "own_price"]
    out = out.sort_values(["date", "shop", "product", "kind"], ignore_index=True)[keep]
    return _restore(out, cols)


def _by_key(by: str) -> str:
    if by not in ("category", "product"):
        raise ShopDataError(f"by must be 'category' or 'product', got {by!r}")
    return by


@renamed_keywords(**_OLD_KEYWORDS)
def price_index(df: pd.DataFrame, own_shop: str, *, by: str = "category",
                min_drop: float = 0.05, alerts: pd.DataFrame | None = None,
                date: str = "date", shop: str = "shop",
                product: str = "product", category: str = "category",
                price: str = "price") -> pd.DataFrame:
    """The own price against the rivals' median, per period and category (or product).

    ``price_index = 100 * own_price / rival_median``: 100 is parity, 110 means the
    own shop is 10 % dearer. `own_price` is the median of the own shop's prices in the
    category (or its price for the product); `rival_median` the median of the rivals'
    prices there. Only periods and keys where both sides have a price appear.
    ``rival_cuts`` counts the rival price cuts of at least `min_drop` behind the period
    (see `price_alerts`); pass `alerts` when they are at hand (`price_alerts` of `df`
    with the same `own_shop`, `by` and `min_drop`), so they are not computed again.

    Returns:
        date, `by`, own_price, rival_median, rivals (shops), price_index, rival_cuts.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 3),
        ...                    "shop": ["own", "A", "B"], "product": ["p", "q", "r"],
        ...                    "category": "美妆", "price": [110.0, 90.0, 110.0]})
        >>> price_index(df, "own")[["category", "own_price", "rival_median", "price_index"]]
          category  own_price  rival_median  price_index
        0       美妆      110.0         100.0        110.0
    """
    key = _by_key(by)
    cols = _keys(date, shop, product, category, price)
    d = _canon(df, cols, ["date", "shop", "product", "price", key], "competitors.price_index")
    _require_shop(d, own_shop, "competitors.price_index")
    prices = _prices(d, key)
    own = _own_reference(prices, own_shop, key)
    rivals = (prices[prices["shop"] != own_shop]
              .groupby(["date", key], observed=True)
              .agg(rival_median=("price", "median"), rivals=("shop", "nunique")))
    out = own.to_frame().join(rivals, how="inner").reset_index()
    out["price_index"] = 100 * out["own_price"] / out["rival_median"]
    cuts = (price_alerts(d, min_drop=min_drop, own_shop=own_shop, by=by) if alerts is None
            else _canon(alerts, cols, ["date", "kind", key], "competitors.price_index"))
    counts = cuts[cuts["kind"] == "cut"].groupby(["date", key], observed=True).size()
    out["rival_cuts"] = (out.set_index(["date", key]).index.map(counts)
                         .fillna(0).astype("int64"))
    return _restore(out.sort_values(["date", key], ignore_index=True), cols)


@renamed_keywords(**_OLD_KEYWORDS)
def price_comparison(df: pd.DataFrame, *, min_shops: int = 2, shop: str = "shop",
                     product: str = "product", price: str = "price") -> pd.DataFrame:
    """The same product's price across shops (merchants), for products sold by `min_shops`+.

    A shop's price for a product is the median of its offers. ``price_index`` is that
    price against the product's median across shops (x 100); ``spread`` is the product's
    dearest shop price over its cheapest, minus 1. Rows without a product key (missing, or
    the loader's stand-in ``"all"`` for an empty one) or without a price cannot be
    compared: they are left out and reported in ``out.attrs["issues"]`` (a list of
    `DataIssue`, naming the column and the rows' index labels in `df`).

    Returns:
        product, shop, offers, price, product_median, price_index, cheapest (flag),
        shops, spread; ordered by product and price.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "A", "B", "C"], "product": ["tv", "tv", "tv", "all"],
        ...                    "price": [90.0, 110.0, 120.0, 80.0]})
        >>> out = price_comparison(df)
        >>> out[["shop", "offers", "price", "price_index", "spread"]]
          shop  offers  price  price_index  spread
        0    A       2  100.0    90.909091     0.2
        1    B       1  120.0   109.090909     0.2
        >>> str(out.attrs["issues"][0])
        'column product: 1 row without a product key cannot be compared (left out; index 3)'
    """
    min_shops = _positive_int(min_shops, "min_shops")
    cols = {"shop": shop, "product": product, "price": price}
    d = _canon(df, cols, ["shop", "product", "price"], "competitors.price_comparison")
    issues = []
    for name in ("product", "shop", "price"):
        gone = d[name].isna() | ((d[name] == _NO_PRODUCT) if name == "product" else False)
        if gone.any():
            what = "a product key" if name == "product" else f"a {name}"
            where = ", ".join(map(str, d.index[gone][:5]))
            more = f" and {gone.sum() - 5:,} more" if gone.sum() > 5 else ""
            issues.append(DataIssue(
                f"{gone.sum():,} row{'s' if gone.sum() > 1 else ''} without {what} cannot be "
                f"compared (left out; index {where}{more})", column=cols[name]))
        d = d[~gone]
    per = (d.groupby(["product", "shop"], observed=True, as_index=False)
           .agg(offers=("price", "size"), price=("price", "median")))
    g = per.groupby("product", observed=True)["price"]
    per = per.assign(product_median=g.transform("median"), shops=g.transform("size"),
                     spread=g.transform("max") / g.transform("min") - 1)
    per = per[per["shops"] >= min_shops]
    per = per.assign(price_index=100 * per["price"] / per["product_median"],
                     cheapest=per["price"] == per.groupby("product")["price"].transform("min"))
    keep = ["product", "shop", "offers", "price", "product_median", "price_index", "cheapest",
            "shops", "spread"]
    out = _restore(per.sort_values(["product", "price", "shop"], ignore_index=True)[keep], cols)
    out.attrs["issues"] = issues
    return out


def alerts_by_product(alerts: pd.DataFrame, *, shop: str = "shop", product: str = "product",
                      kind: str = "kind") -> pd.DataFrame:
    """`price_alerts` with one row per shop and product.

    A cut that takes a price below ours is one row with both alerts.

    Returns:
        the first alert row of each shop x product, in the order they come, with `kind`
        the tuple of its alerts' kinds, ``"cut"`` first.

    Example:
        >>> alerts = pd.DataFrame({"shop": ["A", "A", "B"], "product": ["q", "q", "r"],
        ...                        "kind": ["below_own", "cut", "cut"],
        ...                        "new_price": [45.0, 45.0, 80.0]})
        >>> alerts_by_product(alerts)
          shop product              kind  new_price
        0    A       q  (cut, below_own)       45.0
        1    B       r            (cut,)       80.0
    """
    keys = [shop, product]
    ordered = alerts.sort_values(kind, key=lambda k: k != "cut", kind="stable")
    kinds = ordered.groupby(keys, sort=False, observed=True)[kind].agg(lambda k: tuple(k))
    first = alerts.drop_duplicates(keys).reset_index(drop=True)
    return first.assign(**{kind: [kinds[key] for key in zip(first[shop], first[product],
                                                              strict=True)]})


# --- content and audience ----------------------------------------------------------------------

@renamed_keywords(**_OLD_KEYWORDS)
def content(df: pd.DataFrame, *, date: str = "date", shop: str = "shop"
            ) -> pd.DataFrame:
    """Videos and live sessions per period and shop, engagement per video, and their change.

    ``posts`` = videos + lives; ``likes_per_video`` = likes / videos (when the table has
    likes); ``gmv_per_post`` = GMV / posts (when it has GMV). Each ``*_change`` is this
    period minus the shop's previous observed period.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"]),
        ...                    "shop": "A", "videos": [10, 14], "lives": [2, 3],
        ...                    "likes": [5000, 8400]})
        >>> content(df)[["videos", "posts", "likes_per_video", "videos_change",
        ...              "likes_per_video_change"]]
           videos  posts  likes_per_video  videos_change  likes_per_video_change
        0    10.0   12.0            500.0            NaN                     NaN
        1    14.0   17.0            600.0            4.0                   100.0
    """
    cols = _keys(date, shop)
    d = _canon(df, cols, ["date", "shop"], "competitors.content")
    if "videos" not in d.columns and "lives" not in d.columns:
        raise ShopDataError("competitors.content needs videos or lives (content output); "
                            f"columns found: {', '.join(map(str, df.columns))}", column="videos")
    rows = _shop_rows(d)
    videos = rows["videos"] if "videos" in rows.columns else pd.Series(np.nan, rows.index)
    lives = rows["lives"] if "lives" in rows.columns else pd.Series(np.nan, rows.index)
    out = pd.DataFrame({"date": rows["date"], "shop": rows["shop"], "videos": videos,
                        "lives": lives, "posts": videos.fillna(0) + lives.fillna(0)})
    out.loc[videos.isna() & lives.isna(), "posts"] = np.nan
    nonzero_videos = videos.where(videos > 0)
    out["likes"] = rows["likes"] if "likes" in rows.columns else np.nan
    out["likes_per_video"] = out["likes"] / nonzero_videos
    out["gmv"] = rows["gmv"] if "gmv" in rows.columns else np.nan
    out["gmv_per_post"] = out["gmv"] / out["posts"].where(out["posts"] > 0)
    out = out.sort_values(["shop", "date"], kind="stable")
    for c in ("videos", "lives", "posts", "likes_per_video", "gmv_per_post"):
        out[f"{c}_change"] = out.groupby("shop", observed=True)[c].diff()
    return _restore(out.sort_values(["date", "shop"], ignore_index=True), cols)


def _gap(df: pd.DataFrame, own_shop: str, segments: Sequence[tuple[str, str, str]],
         week: DateLike | None, min_gap: float, cols: dict[str, str], what: str) -> pd.DataFrame:
    """Own shares against each rival's for `segments` (group, segment, column)."""
    d = _canon(df, cols, ["date", "shop"], what)
    present = [s for s in segments if s[2] in d.columns]
    if not present:
        raise ShopDataError(f"{what} needs share columns such as {segments[0][2]}; columns "
                            f"found: {', '.join(map(str, df.columns))}", column=segments[0][2])
    _require_shop(d, own_shop, what)
    rows = _shop_rows(d[["date", "shop", *(s[2] for s in present)]])
    own_rows = rows[(rows["shop"] == own_shop)
                    & rows[[s[2] for s in present]].notna().any(axis=1)]
    if own_rows.empty:
        raise ShopDataError(f"{what}: the own shop {own_shop!r} has no shares in the table",
                            column=present[0][2])
    when = _pick_week(own_rows["date"], week, what)
    now = rows[rows["date"] == when].set_index("shop")
    parts = []
    for group, segment, column in present:
        rival = now.loc[now.index != own_shop, column]
        parts.append(pd.DataFrame({
            "date": when, "shop": rival.index, "group": group, "segment": segment,
            "own_share": now.at[own_shop, column], "rival_share": rival.to_numpy()}))
    out = pd.concat(parts, ignore_index=True).dropna(subset=["own_share", "rival_share"])
    out["gap"] = 100 * (out["rival_share"] - out["own_share"])
    out["flagged"] = out["gap"].abs() >= min_gap - _TOL
    order = {s[1]: i for i, s in enumerate(present)}
    out = out.assign(_o=out["segment"].map(order)).sort_values(["shop", "_o"], kind="stable")
    return _restore(out.drop(columns="_o").reset_index(drop=True), cols)


@renamed_keywords(**_OLD_KEYWORDS)
def audience_gap(df: pd.DataFrame, own_shop: str, *, week: DateLike | None = None,
                 min_gap: float = 10.0, date: str = "date", shop: str = "shop"
                 ) -> pd.DataFrame:
    """Age and gender shares, own against each rival, with gaps of `min_gap` points flagged.

    ``gap = 100 * (rival_share - own_share)`` in percentage points: +20 means the rival's
    audience has 20 points more of that segment. Uses one period: the latest one with
    own shares, or the last on or before `week`.

    Returns:
        date, shop (the rival), group (``"age"`` / ``"gender"``), segment (``"18_23"`` ...
        ``"50_plus"``, ``"female"``, ``"male"``), own_share, rival_share, gap, flagged.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 2),
        ...                    "shop": ["own", "A"], "age_31_40_share": [0.27, 0.52]})
        >>> audience_gap(df, "own")[["shop", "segment", "gap", "flagged"]].round(1)
          shop segment   gap  flagged
        0    A   31_40  25.0     True
    """
    segments = [("age", a, f"age_{a}_share") for a in AGE_SEGMENTS]
    segments += [("gender", g, f"{g}_share") for g in GENDERS]
    return _gap(df, own_shop, segments, week, min_gap, _keys(date, shop),
                "competitors.audience_gap")


@renamed_keywords(**_OLD_KEYWORDS)
def traffic_mix_gap(df: pd.DataFrame, own_shop: str, *, week: DateLike | None = None,
                    min_gap: float = 10.0, date: str = "date", shop: str = "shop"
                    ) -> pd.DataFrame:
    """Traffic-source shares, own against each rival, with the large gaps flagged.

    The sources are feed, search, shop window, ads, followers and other; a gap of `min_gap`
    points or more is flagged, as in `audience_gap`.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15"] * 2),
        ...                    "shop": ["own", "A"], "traffic_ads_share": [0.10, 0.32]})
        >>> traffic_mix_gap(df, "own")[["segment", "gap", "flagged"]].round(1)
          segment   gap  flagged
        0     ads  22.0     True
    """
    segments = [("traffic", s, f"traffic_{s}_share") for s in TRAFFIC_SOURCES]
    return _gap(df, own_shop, segments, week, min_gap, _keys(date, shop),
                "competitors.traffic_mix_gap")


@renamed_keywords(**_OLD_KEYWORDS)
def creator_benchmark(df: pd.DataFrame, *, group: str | None = None, shop: str = "shop",
                      date: str = "date") -> pd.DataFrame:
    """Creators (or shops) side by side: fans, likes, videos and likes per video.

    For rankings such as the Douyin creator lists. With dates, each creator's latest
    snapshot counts. ``likes_per_video`` is likes / videos (missing when there are no
    videos); ``fans_rank`` ranks by fans (1 = most); ``likes_per_video_pct`` is the
    creator's percentile of likes per video (0-1) among all creators, or within the same
    `group` (e.g. ``"category"``).

    Returns:
        shop, account_id and `group` (when present), fans, likes, videos,
        likes_per_video, fans_rank, likes_per_video_pct; ordered by fans, most first.

    Example:
        >>> df = pd.DataFrame({"shop": ["A", "B", "C"], "fans": [900, 500, 100],
        ...                    "likes": [20000, 30000, 0], "videos": [10, 20, 0]})
        >>> creator_benchmark(df)[["shop", "likes_per_video", "fans_rank",
        ...                        "likes_per_video_pct"]]
          shop  likes_per_video  fans_rank  likes_per_video_pct
        0    A           2000.0          1                  1.0
        1    B           1500.0          2                  0.5
        2    C              NaN          3                  NaN
    """
    cols = {"shop": shop, "date": date}
    need = ["shop", "fans", "likes", "videos"] + ([group] if group else [])
    d = _canon(df, cols, need, "competitors.creator_benchmark")
    ids = ["shop", *(["account_id"] if "account_id" in d.columns else [])]
    if "date" in d.columns:
        d = d.sort_values("date", kind="stable").drop_duplicates(ids, keep="last")
    keep = [*ids, *([group] if group and group not in ids else [])]
    out = d[keep].copy()
    for c in ("fans", "likes", "videos"):
        out[c] = pd.to_numeric(d[c], errors="coerce").astype("float64")
    out["likes_per_video"] = out["likes"] / out["videos"].where(out["videos"] > 0)
    out["fans_rank"] = out["fans"].rank(method="min", ascending=False).astype("Int64")
    per_video = out.groupby(group, observed=True)["likes_per_video"] if group else \
        out["likes_per_video"]
    out["likes_per_video_pct"] = per_video.rank(pct=True)
    out = out.sort_values(["fans", "shop"], ascending=[False, True], ignore_index=True)
    return _restore(out, cols)


def is_creator_ranking(df: object, *, columns: Sequence[str] = ("shop", "fans", "likes",
                                                                 "videos"),
                       measures: Sequence[str] = ("gmv", "sales")) -> bool:
    """Whether `df` is a creator ranking (such as the Douyin TOP500 export).

    A ranking has `columns` (fans, likes and videos per creator) but none of `measures`, no
    sales to monitor, so it gets `creator_benchmark` rather than the rivals' shares and
    prices.

    Example:
        >>> ranking = pd.DataFrame({"shop": ["A"], "fans": [900], "likes": [2], "videos": [1]})
        >>> is_creator_ranking(ranking), is_creator_ranking(ranking.assign(gmv=1.0))
        (True, False)
    """
    return (isinstance(df, pd.DataFrame) and set(columns) <= set(df.columns)
            and not set(measures) & set(df.columns))


# --- the own products' life cycle --------------------------------------------------------------

@renamed_keywords(date_col="date", product_col="product_id", name_col="product_name")
def lifecycle(funnel_df: pd.DataFrame, *, window: int = 4, threshold: float = 0.2,
              relative: bool = True, date: str = "date", product_id: str = "product_id",
              product_name: str = "product_name") -> pd.DataFrame:
    """Each product's life-cycle stage from its GMV trend, conversion and traffic cost.

    The funnel table's last `window` weeks (ending on its last date) are compared with
    the `window` weeks before:

    - ``gmv_trend`` = the product's GMV in the last window / in the window before - 1
      (missing when the window before sold nothing); ``shop_trend`` the same for the
      whole table;
    - ``growth`` = the change of the product's share of the shop's GMV,
      ``(1 + gmv_trend) / (1 + shop_trend) - 1``, so that a promotion or a season that
      lifts every product alike (Double 11) does not make every product "growing"; with
      ``relative=False`` it is ``gmv_trend`` itself;
    - ``conversion`` = buyers / clicks in the last window (``prev_conversion`` before);
    - ``traffic_cost`` = ad_cost / GMV in the last window (missing without ``ad_cost``).

    The stage is the first rule that holds:

    1. **introduction**: first seen after the start of the window before (too young for
       a trend), or growing (``growth >= threshold``) while conversion is below the
       median of all products and traffic cost above their median (growth bought with
       paid traffic, not yet earned);
    2. **growth**: ``growth >= threshold``;
    3. **decline**: ``growth <= -threshold``; or ``growth < 0`` while conversion fell by
       `threshold` or more (relative); or no GMV in either window;
    4. **maturity**: everything else (growth within +/- `threshold`).

    Returns:
        product_id, product_name (when present), first_date, gmv, prev_gmv, gmv_trend,
        shop_trend, growth, conversion, prev_conversion, traffic_cost, stage; ordered
        by GMV, largest first.

    Example:
        >>> days = pd.date_range("2026-09-01", periods=56, freq="D")
        >>> f = pd.DataFrame({"date": days.repeat(2), "product_id": ["p", "q"] * 56,
        ...                   "clicks": 100, "buyers": 5,
        ...                   "gmv": [100.0, 100.0] * 28 + [200.0, 100.0] * 28})
        >>> lifecycle(f)[["product_id", "gmv_trend", "growth", "stage"]].round(2)
          product_id  gmv_trend  growth    stage
        0          p        1.0    0.33   growth
        1          q        0.0   -0.33  decline
    """
    window = _positive_int(window, "window")
    cols = {"date": date, "product_id": product_id, "product_name": product_name}
    d = _canon(funnel_df, cols, ["date", "product_id", "gmv", "clicks", "buyers"],
               "competitors.lifecycle")
    d = d.dropna(subset=["date", "product_id"])
    if d.empty:
        raise ShopDataError("competitors.lifecycle: the funnel table has no dated rows")
    end = d["date"].max().normalize() + pd.Timedelta(days=1)
    span = pd.Timedelta(weeks=window)
    measures = ["gmv", "clicks", "buyers", *(["ad_cost"] if "ad_cost" in d.columns else [])]
    g = d.groupby("product_id", observed=True)
    out = g["date"].min().rename("first_date").to_frame()
    if "product_name" in d.columns:
        out.insert(0, "product_name", g["product_name"].first())

    def totals(start: pd.Timestamp, stop: pd.Timestamp) -> pd.DataFrame:
        rows = d.loc[(d["date"] >= start) & (d["date"] < stop), ["product_id", *measures]]
        return (rows.astype({m: "float64" for m in measures})
                .groupby("product_id", observed=True).sum()
                .reindex(out.index, fill_value=0.0))

    now, before = totals(end - span, end), totals(end - 2 * span, end - span)
    out["gmv"], out["prev_gmv"] = now["gmv"], before["gmv"]
    out["gmv_trend"] = now["gmv"] / before["gmv"].where(before["gmv"] > 0) - 1
    shop_before = before["gmv"].sum()
    out["shop_trend"] = now["gmv"].sum() / shop_before - 1 if shop_before > 0 else np.nan
    out["growth"] = ((1 + out["gmv_trend"]) / (1 + out["shop_trend"]) - 1 if relative
                     else out["gmv_trend"])
    out["conversion"] = now["buyers"] / now["clicks"].where(now["clicks"] > 0)
    out["prev_conversion"] = before["buyers"] / before["clicks"].where(before["clicks"] > 0)
    out["traffic_cost"] = (now["ad_cost"] / now["gmv"].where(now["gmv"] > 0)
                           if "ad_cost" in now.columns else np.nan)
    out["stage"] = _stage(out, end - 2 * span, threshold)
    out = out.reset_index().sort_values(["gmv", "product_id"], ascending=[False, True],
                                        ignore_index=True)
    return _restore(out, cols)


def _stage(p: pd.DataFrame, young_after: pd.Timestamp, threshold: float) -> pd.Series:
    growth, conv, cost = p["growth"], p["conversion"], p["traffic_cost"]
    growing, falling = growth >= threshold - _TOL, growth <= -threshold + _TOL
    bought = growing & (conv < conv.median()) & (cost > cost.median())
    conv_drop = conv / p["prev_conversion"] - 1 <= -threshold + _TOL
    dead = (p["gmv"] == 0) & (p["prev_gmv"] == 0)
    rules = [p["first_date"] > young_after, bought, growing,
             falling | ((growth < 0) & conv_drop) | dead]
    stage = np.select([r.fillna(False).to_numpy(bool) for r in rules],
                      ["introduction", "introduction", "growth", "decline"], "maturity")
    return pd.Series(stage, index=p.index, dtype="str")
