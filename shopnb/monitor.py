"""KPI targets and alerts: which numbers are off plan, and which fell overnight.

The targets are the shop's operating plans' (`shopnb.targets`, re-exported
here: `DEFAULT_TARGETS`, `Target`, `load_targets`), overridden from a TOML file
or a dict.

The KPIs are measured as `shopnb.funnel.kpis` defines them, with two
precisions (`kpi_table`): ROI and the costs per stage count only the paid
traffic (rows that carry ad spend), and the completion rate comes from the
videos table, weighted by plays.

Example:
    >>> days = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
    ...                      "impressions": [10000, 10000], "clicks": [500, 300]})
    >>> alerts(days, load_targets({"ctr": 0.045}), by=None, watch=())[
    ...     ["metric", "kind", "severity"]].values.tolist()
    [['ctr', 'off_target', 'high'], ['ctr', 'drop', 'high']]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopnb.errors import ShopDataError
from shopnb.funnel import kpis, resolve_by
from shopnb.rates import ratio
from shopnb.targets import DEFAULT_TARGETS, KPIS, TARGET_METRICS, Target, load_targets

__all__ = [
    "DEFAULT_TARGETS",
    "Target",
    "UnpaidByHour",
    "alerts",
    "check_table",
    "kpi_alerts",
    "kpi_table",
    "load_targets",
    "relative_change",
    "unpaid_by_hour",
]

# what a metric is a rate of: alerts skip groups where that base is below min_base
_BASES = {"ctr": "impressions", "impression_to_deal": "impressions", "gpm": "impressions",
          "cost_per_impression": "impressions", "completion_rate": "plays",
          "aov": "buyers", "cost_per_buyer": "buyers", "cost_per_cart": "carts",
          "cost_per_order": "orders"}
_PAID = ("roi", *(k for k in KPIS if k.startswith("cost_per_")))


def kpi_table(
    funnel: pd.DataFrame,
    videos: pd.DataFrame | None = None,
    by: str | Sequence[str] | None = None,
    *,
    date: str = "date",
) -> pd.DataFrame:
    """The KPIs per group as the monitor measures them.

    Rates (CTR, conversion, GPM, ...) are taken over all rows; ROI and the
    costs per stage over the paid rows only (rows with ad spend): GMV bought
    with the spend over the spend, and the spend over the exposures it
    bought. With `videos`, ``plays`` and a plays-weighted ``completion_rate``
    are added per group (on the group columns the videos table has).

    Example:
        >>> df = pd.DataFrame({"channel": ["ads", "feed"], "impressions": [1000, 3000],
        ...                    "clicks": [50, 90], "buyers": [5, 3], "gmv": [600.0, 300.0],
        ...                    "ad_cost": [150.0, 0.0]})
        >>> kpi_table(df)[["ctr", "roi", "cost_per_impression"]].values.tolist()
        [[0.035, 4.0, 0.15]]
    """
    frame, keys = resolve_by(funnel, by, date=date)
    table = kpis(frame, keys, date=date)
    if "ad_cost" in frame.columns:
        paid_rows = frame[frame["ad_cost"].fillna(0) > 0]
        if len(paid_rows):
            paid = kpis(paid_rows, keys, date=date)[[*keys, *_PAID]]
            table = table.drop(columns=list(_PAID)).merge(paid, on=keys, how="left") if keys \
                else table.assign(**{k: paid[k].iloc[0] for k in _PAID})
        else:
            table = table.assign(**dict.fromkeys(_PAID, np.nan))
    if videos is not None and {"plays", "completion_rate"} <= set(videos.columns):
        table = _with_completion(table, videos, keys)
    return table


def alerts(
    funnel: pd.DataFrame,
    targets: Mapping[str, Target] | None = None,
    *,
    videos: pd.DataFrame | None = None,
    by: str | Sequence[str] | None = "product",
    watch: Sequence[str] = ("gmv",),
    tolerance: float = 0.10,
    drop: float = 0.15,
    min_base: float = 200,
    date: str = "date",
) -> pd.DataFrame:
    """Every KPI more than `tolerance` off target and every day-over-day drop beyond `drop`.

    Checked per day, overall and per `by` group (products by default; None for
    the whole shop only). A drop
    is a change for the worse from the day before (a rise, for a cost) of
    more than `drop`; the metrics with targets and those in `watch` are
    followed. Groups whose base (impressions for CTR, plays for completion,
    clicks for most others) is below `min_base` on the day (or the day
    before) are skipped: their rates are noise.

    Returns:
        ``date, scope`` ("overall" or the group's columns' values joined by
        " / "), the group columns, ``metric, kind`` ("off_target" or "drop"),
        ``value, target`` (missing for a metric without one), ``previous``
        (the day before's value, for drops), ``change`` (relative to the
        target, or to the day before) and ``severity`` ("high" beyond twice
        the threshold, else "medium"); newest first.

    Example:
        >>> days = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
        ...                      "product_id": ["1", "1"], "impressions": [10000, 10000],
        ...                      "clicks": [500, 300], "buyers": [20, 12], "gmv": [900.0, 500.0]})
        >>> out = alerts(days)
        >>> out[out["scope"] == "overall"][["metric", "kind", "change"]].round(2).values.tolist()
        [['ctr', 'off_target', -0.25], ['ctr', 'drop', -0.4], ['gmv', 'drop', -0.44]]
    """
    _, group_keys = resolve_by(funnel, by, date=date)
    frames = []
    for keys in ([], group_keys) if group_keys else ([],):
        table = kpi_table(funnel, videos, [date, *keys], date=date)
        scope = table[keys].astype(str).agg(" / ".join, axis=1) if keys else "overall"
        frames.append(table.assign(scope=scope))
    return check_table(pd.concat(frames, ignore_index=True), targets, groups=group_keys,
                       watch=watch, tolerance=tolerance, drop=drop, min_base=min_base,
                       date=date)


def check_table(
    table: pd.DataFrame,
    targets: Mapping[str, Target] | None = None,
    *,
    groups: Sequence[str] = (),
    watch: Sequence[str] = ("gmv",),
    tolerance: float = 0.10,
    drop: float = 0.15,
    min_base: float = 200,
    date: str = "date",
) -> pd.DataFrame:
    """`alerts` on a KPI table already computed (`kpi_table` by date, and `groups`).

    The table may hold a ``scope`` column (one series per scope); without one it
    is one series, "overall". A metric of `targets` or `watch` that is neither a
    KPI nor a column of the table raises `ShopDataError`; a KPI the table lacks
    (the completion rate without videos) is skipped.

    Example:
        >>> daily = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
        ...                       "clicks": [500, 500], "roi": [3.2, 2.0]})
        >>> check_table(daily, {"roi": DEFAULT_TARGETS["roi"]}, watch=())[
        ...     ["metric", "kind", "severity"]].values.tolist()
        [['roi', 'off_target', 'high'], ['roi', 'drop', 'high']]
    """
    targets = dict(DEFAULT_TARGETS if targets is None else targets)
    unknown = [m for m in dict.fromkeys([*targets, *watch])
               if m not in TARGET_METRICS and m not in table.columns]
    if unknown:
        raise ShopDataError(f"no KPI called {', '.join(map(repr, unknown))}; alerts can "
                            f"follow {', '.join(TARGET_METRICS)} or a column of the table")
    if "scope" not in table.columns:
        table = table.assign(scope="overall")
    group_cols = ["scope", *groups]
    found = []
    for metric in dict.fromkeys([*targets, *watch]):
        if metric not in table.columns:
            continue
        target = targets.get(metric, Target(metric, np.nan, "min"))
        found += [_off_target(table, metric, target, group_cols, tolerance, min_base, date),
                  _drops(table, metric, target, group_cols, drop, min_base, date)]
    columns = [date, *group_cols, "metric", "kind", "value", "target", "previous", "change",
               "severity"]
    found = [f for f in found if len(f)]
    out = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=columns)
    out["_rank"] = out["severity"].map({"high": 0, "medium": 1})
    out["_overall"] = out["scope"] != "overall"
    return (out.sort_values([date, "_rank", "_overall", "scope", "metric"],
                            ascending=[False, True, True, True, True], kind="stable")
            [columns].reset_index(drop=True))


@dataclass(frozen=True)
class UnpaidByHour:
    """Unpaid orders by the hour they were placed (`unpaid_by_hour`).

    Attributes:
        table: per hour 0-23: ``orders``, ``unpaid``, ``unpaid_rate`` (unpaid /
            orders) and ``share_of_unpaid`` (the hour's part of all unpaid orders).
        late_share: the part of all unpaid orders placed at or after `late_from`.
        late_from: the hour the late evening starts (22 by default).
    """

    table: pd.DataFrame
    late_share: float
    late_from: int


def unpaid_by_hour(
    orders: pd.DataFrame,
    *,
    ts: str = "ts",
    paid_at: str = "paid_at",
    status: str = "status",
    late_from: int = 22,
) -> UnpaidByHour:
    """Orders placed and left unpaid, by hour of day, and the share placed after `late_from`.

    An order is unpaid when it has no payment time (where the table has
    ``paid_at``), else when its status is ``unpaid`` or ``cancelled``.

    Raises:
        ShopDataError: the orders have no order times.

    Example:
        >>> o = pd.DataFrame({"ts": pd.to_datetime(["2024-11-01 21:10", "2024-11-01 22:30",
        ...                                         "2024-11-01 23:05", "2024-11-02 09:00"]),
        ...                   "status": ["paid", "unpaid", "cancelled", "paid"]})
        >>> unpaid_by_hour(o).late_share
        1.0
    """
    if ts not in orders.columns or orders[ts].notna().sum() == 0:
        raise ShopDataError(f"the orders have no order times (column {ts}); unpaid orders "
                            f"by hour need them")
    placed = orders[orders[ts].notna()]
    if paid_at in placed.columns:
        unpaid = placed[paid_at].isna()
    elif status in placed.columns:
        unpaid = placed[status].isin(["unpaid", "cancelled"])
    else:
        raise ShopDataError(f"the orders have neither {paid_at} nor {status}: cannot tell "
                            f"which are unpaid")
    hours = pd.to_datetime(placed[ts]).dt.hour
    table = (pd.DataFrame({"hour": hours, "unpaid": unpaid.astype(int)})
             .groupby("hour")["unpaid"].agg(orders="size", unpaid="sum")
             .reindex(range(24), fill_value=0).rename_axis("hour").reset_index())
    total = table["unpaid"].sum()
    table["unpaid_rate"] = ratio(table["unpaid"], table["orders"])
    table["share_of_unpaid"] = ratio(table["unpaid"], total)
    late = float(ratio(table.loc[table["hour"] >= late_from, "unpaid"].sum(), total))
    return UnpaidByHour(table=table, late_share=late, late_from=late_from)

def kpi_alerts(daily: pd.DataFrame, kpi: str, target: Target | None = None, *,
               date: str = "date") -> pd.DataFrame:
    """The alerts of one KPI on a daily KPI table (`kpi_table` by date).

    Its days off `target` (when there is one) and its day-over-day drops, as `check_table`
    finds them, with the value under the KPI's name (the column a trend chart of it draws).

    Example:
        >>> daily = pd.DataFrame({"date": pd.date_range("2024-11-01", periods=3),
        ...                       "impressions": [5000] * 3, "ctr": [0.05, 0.05, 0.03]})
        >>> kpi_alerts(daily, "ctr", DEFAULT_TARGETS["ctr"])[["kind", "ctr", "severity"]]
                 kind   ctr severity
        0  off_target  0.03     high
        1        drop  0.03     high
    """
    found = check_table(daily, {} if target is None else {kpi: target}, watch=(kpi,), date=date)
    return found[found["metric"] == kpi].rename(columns={"value": kpi})


def relative_change(value: float, previous: float | None) -> float:
    """``value / previous - 1``, the change a card shows against the period before.

    NaN when there is no previous value or it is 0 (no change to speak of).

    Example:
        >>> round(relative_change(0.045, 0.05), 4), relative_change(3.0, 0)
        (-0.1, nan)
    """
    if previous is None or pd.isna(previous) or not previous:
        return float("nan")
    return float(value / previous - 1)



# --- helpers ---------------------------------------------------------------------------------

def _with_completion(table: pd.DataFrame, videos: pd.DataFrame, keys: list[str]
                     ) -> pd.DataFrame:
    on = [k for k in keys if k in videos.columns]
    v = videos.assign(_done=videos["plays"].astype(float) * videos["completion_rate"],
                      plays=videos["plays"].fillna(0).astype("int64"))
    sums = (v.groupby(on, observed=True)[["plays", "_done"]].sum().reset_index() if on
            else pd.DataFrame({c: [v[c].sum()] for c in ("plays", "_done")}))
    sums["completion_rate"] = ratio(sums["_done"], sums["plays"])
    sums = sums.drop(columns="_done")
    if on:  # a group without videos has no plays (and no completion rate)
        merged = table.merge(sums, on=on, how="left")
        return merged.assign(plays=merged["plays"].fillna(0).astype("int64"))
    return table.assign(plays=np.full(len(table), sums["plays"].iloc[0], dtype="int64"),
                        completion_rate=sums["completion_rate"].iloc[0])


def _base(table: pd.DataFrame, metric: str) -> pd.Series:
    column = _BASES.get(metric, "clicks")
    if column in table.columns:
        return table[column].astype(float)
    return pd.Series(np.inf, index=table.index)


def _severity(excess: pd.Series, threshold: float) -> np.ndarray:
    return np.where(excess > 2 * threshold, "high", "medium")


def _off_target(table: pd.DataFrame, metric: str, target: Target, group_cols: list[str],
                tolerance: float, min_base: float, date: str) -> pd.DataFrame:
    if not np.isfinite(target.value):
        return pd.DataFrame()
    value = table[metric].astype(float)
    gap = target.gap(value)
    hit = (gap > tolerance) & value.notna() & (_base(table, metric) >= min_base)
    out = table.loc[hit, [date, *group_cols]].assign(
        metric=metric, kind="off_target", value=value[hit], target=target.value,
        previous=np.nan, change=-gap[hit])
    return out.assign(severity=_severity(gap[hit], tolerance))


def _drops(table: pd.DataFrame, metric: str, target: Target, group_cols: list[str],
           drop: float, min_base: float, date: str) -> pd.DataFrame:
    ordered = table.sort_values([*group_cols, date], kind="stable")
    groups = ordered.groupby(group_cols, dropna=False, sort=False)
    value = ordered[metric].astype(float)
    before = groups[metric].shift(1).astype(float)
    day_before = groups[date].shift(1)
    base = _base(ordered, metric)
    enough = (base >= min_base) & (base.groupby([ordered[c] for c in group_cols],
                                                dropna=False).shift(1) >= min_base)
    change = pd.Series(ratio(value - before, before), index=ordered.index)
    worse = -change if target.direction == "min" else change
    hit = ((ordered[date] - day_before) == pd.Timedelta(days=1)) & enough & (worse > drop)
    out = ordered.loc[hit, [date, *group_cols]].assign(
        metric=metric, kind="drop", value=value[hit], target=target.value, previous=before[hit],
        change=change[hit])
    return out.assign(severity=_severity(worse[hit], drop))
