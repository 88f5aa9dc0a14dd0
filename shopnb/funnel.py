"""Funnel metrics on the daily `funnel` table, and (from `shopnb.eventlog`) on event logs.

The daily table holds people counts per day x product x carrier x channel, as
电商罗盘 exports them. The functions here sum those counts over the rows of a
group and derive rates from the sums, so a rate is a ratio of totals, never an
average of daily rates. (People counts summed over days count a person once a
day: that is how the back office adds them up, too.)

- `summary`: per stage, the count, the rate from the previous stage and from
  the first, the drop-off, each rate with a Wilson interval.
- `kpis`: CTR, click → deal conversion, GPM, UV value, AOV, refund rate, ROI
  and the cost per impression / click / cart / order / buyer.
- `cost_chain`: the cost of reaching each stage and the share of the ad spend
  that went to people who stopped there.
- `explain_change`: the change of GPM between two periods split exactly into
  the CTR, conversion and AOV effects (Shapley decomposition).
- `daily_totals`: measures summed over products, carriers and channels, per day.
- `ctr_decay`: how the CTR of short videos fades with the days since publishing,
  per content format (from the `videos` table).
- `event_funnel`, `time_to_convert`, `conversion_by_entry_day`: funnels on an
  event log, computed in DuckDB (they live in `shopnb.eventlog`).

`by` takes any of the table's columns plus two shortcuts: ``"product"`` (the
product's id and name) and ``"week"`` (the Monday that starts the date's week).

Example:
    >>> import pandas as pd
    >>> day = pd.DataFrame({"date": pd.to_datetime(["2024-11-01"]), "impressions": [1000],
    ...                     "clicks": [50], "buyers": [5], "gmv": [400.0]})
    >>> summary(day)[["stage", "count", "rate_from_previous"]].values.tolist()
    [['impressions', 1000, 1.0], ['clicks', 50, 0.05], ['buyers', 5, 0.1]]
    >>> kpis(day)[["ctr", "click_to_deal", "gpm", "aov"]].round(3).values.tolist()
    [[0.05, 0.1, 400.0, 80.0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from shopnb.errors import ShopDataError
from shopnb.eventlog import conversion_by_entry_day, event_funnel, time_to_convert
from shopnb.rates import ratio as _ratio
from shopnb.rates import wilson
from shopnb.schema import STAGES
from shopnb.targets import COST_STAGES, KPIS

__all__ = [
    "BY_SHORTCUTS",
    "COST_STAGES",
    "FACTORS",
    "KPIS",
    "conversion_by_entry_day",
    "cost_chain",
    "ctr_decay",
    "daily_totals",
    "event_funnel",
    "explain_change",
    "in_period",
    "kpis",
    "period_summary",
    "product_ids",
    "product_names",
    "resolve_by",
    "select",
    "summary",
    "time_to_convert",
    "with_format",
]

By = str | Sequence[str] | None
Period = tuple[object, object]

BY_SHORTCUTS = {"product": ("product_id", "product_name")}
FACTORS = ("ctr", "conversion", "aov")
_SUMMED = (*STAGES, "gmv", "refunds", "ad_cost")


def resolve_by(
    funnel: pd.DataFrame, by: By, *, date: str = "date"
) -> tuple[pd.DataFrame, list[str]]:
    """The table (with ``week`` added when asked for) and the columns to group by.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2024-11-06"]), "product_id": ["1"],
        ...                    "product_name": ["面膜"]})
        >>> frame, keys = resolve_by(df, ["product", "week"])
        >>> keys, str(frame.loc[0, "week"].date())
        (['product_id', 'product_name', 'week'], '2024-11-04')
    """
    names = [by] if isinstance(by, str) else list(by or [])
    keys: list[str] = []
    for name in names:
        if name in BY_SHORTCUTS:
            found = [c for c in BY_SHORTCUTS[name] if c in funnel.columns]
            if not found:
                raise ShopDataError(f"cannot break down by {name}: the table has no "
                                    f"{' or '.join(BY_SHORTCUTS[name])} column")
            keys += found
        elif name == "week" and "week" not in funnel.columns:
            _need(funnel, [date], f"break down by {name}")
            funnel = funnel.assign(week=_week_start(funnel[date]))
            keys.append("week")
        else:
            _need(funnel, [name], f"break down by {name}")
            keys.append(name)
    return funnel, list(dict.fromkeys(keys))


def daily_totals(
    funnel: pd.DataFrame, measures: Sequence[str], *, date: str = "date"
) -> pd.DataFrame:
    """`measures` summed over products, carriers and channels: one row per day.

    Rows without a date are left out; missing values count as nothing (a day
    whose values are all missing sums to 0).

    Example:
        >>> funnel = pd.DataFrame({"date": pd.to_datetime(["2024-05-02", "2024-05-01",
        ...                        "2024-05-02"]), "gmv": [1.0, 2.0, 3.0]})
        >>> daily_totals(funnel, ["gmv"])
                date  gmv
        0 2024-05-01  2.0
        1 2024-05-02  4.0
    """
    cols = list(measures)
    return (
        funnel[[date, *cols]]
        .dropna(subset=[date])
        .groupby(date, as_index=False, sort=True)[cols]
        .sum()
    )


def summary(
    funnel: pd.DataFrame,
    by: By = None,
    *,
    stages: Sequence[str] | None = None,
    alpha: float = 0.05,
    date: str = "date",
) -> pd.DataFrame:
    """Per stage (and group): count, rates from the previous and the first stage, drop-off.

    Each rate comes with a Wilson interval at level ``1 - alpha`` (statsmodels'
    ``proportion_confint(method="wilson")``); the interval is missing where the
    rate is not a proportion (no people before, or more after than before, as
    orders can outnumber carts). The first stage has rates of 1 and no interval.

    Args:
        funnel: the canonical ``funnel`` table.
        by: group columns or shortcuts (``"product"``, ``"week"``); None for one funnel.
        stages: the stages to show, in order; default every stage of
            ``schema.STAGES`` the table has values for.
        alpha: the intervals are at level ``1 - alpha``.
        date: the date column (for the ``"week"`` shortcut).

    Returns:
        One row per group x stage: ``stage, count, rate_from_previous,
        rate_from_previous_ci_lower, rate_from_previous_ci_upper, rate_from_first,
        rate_from_first_ci_lower, rate_from_first_ci_upper, drop_off, drop_off_rate``
        (``count`` and ``drop_off`` are int64 where the table's counts are whole
        numbers, as the loaders type them; the rates are float64).

    Example:
        >>> from shopnb.datasets import load_sample
        >>> out = summary(load_sample("funnel"), by="carrier")
        >>> out.loc[out["stage"] == "impressions", "carrier"].tolist()
        ['card', 'live', 'video']
    """
    frame, keys = resolve_by(funnel, by, date=date)
    stages = _stages(frame, stages)
    totals = _totals(frame, keys, stages)
    parts = []
    for i, stage in enumerate(stages):
        count = totals[stage].to_numpy()
        first = totals[stages[0]].to_numpy()
        prev = totals[stages[i - 1]].to_numpy() if i else count
        part = totals[keys].assign(stage=stage, count=count)
        for name, base in (("rate_from_previous", prev), ("rate_from_first", first)):
            rate, low, high = wilson(count, base, alpha) if i else _ones(len(count))
            part[name], part[f"{name}_ci_lower"], part[f"{name}_ci_upper"] = rate, low, high
        part["drop_off"] = prev - count
        part["drop_off_rate"] = 1 - part["rate_from_previous"]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = pd.Categorical(out["stage"], categories=stages, ordered=True)
    return out.sort_values([*keys, "stage"], kind="stable").reset_index(drop=True)


def kpis(funnel: pd.DataFrame, by: By = None, *, date: str = "date") -> pd.DataFrame:
    """The shop's KPIs per group, from summed counts and amounts.

    - ``ctr`` clicks / impressions; ``click_to_deal`` buyers / clicks;
      ``impression_to_deal`` buyers / impressions (people, as 罗盘 defines them)
    - ``gpm`` GMV x 1000 / impressions; ``uv_value`` GMV / clicks (clickers as
      visitors); ``aov`` GMV / buyers
    - ``refund_rate`` refunded amount / GMV; ``roi`` GMV / ad cost (of the rows
      selected: select the ``ads`` channel for the paid ROI)
    - ``cost_per_impression`` ... ``cost_per_buyer``: ad cost / that stage's count

    A KPI is missing (NaN) where its denominator is zero or its columns are absent.
    The summed columns come first (``impressions`` ... ``ad_cost``).

    Example:
        >>> df = pd.DataFrame({"impressions": [2000], "clicks": [80], "buyers": [4],
        ...                    "gmv": [360.0], "ad_cost": [120.0]})
        >>> kpis(df)[["gpm", "uv_value", "roi", "cost_per_buyer"]].values.tolist()
        [[180.0, 4.5, 3.0, 30.0]]
    """
    frame, keys = resolve_by(funnel, by, date=date)
    cols = [c for c in _SUMMED if c in frame.columns]
    if not cols:
        raise ShopDataError(f"the funnel table has none of {', '.join(_SUMMED)}")
    totals = _totals(frame, keys, cols)
    get = {c: (totals[c].to_numpy(float) if c in totals else np.full(len(totals), np.nan))
           for c in _SUMMED}
    values = {
        "ctr": _ratio(get["clicks"], get["impressions"]),
        "click_to_deal": _ratio(get["buyers"], get["clicks"]),
        "impression_to_deal": _ratio(get["buyers"], get["impressions"]),
        "gpm": _ratio(get["gmv"] * 1000, get["impressions"]),
        "uv_value": _ratio(get["gmv"], get["clicks"]),
        "aov": _ratio(get["gmv"], get["buyers"]),
        "refund_rate": _ratio(get["refunds"], get["gmv"]),
        "roi": _ratio(get["gmv"], get["ad_cost"]),
        **{f"cost_per_{s[:-1]}": _ratio(get["ad_cost"], get[s]) for s in COST_STAGES},
    }
    return totals.assign(**values)


def cost_chain(funnel: pd.DataFrame, by: By = None, *, date: str = "date") -> pd.DataFrame:
    """What the ad spend buys at each stage, and where it leaks.

    Per stage: ``count``, ``cost_per`` (ad cost / count), ``lost`` (people who
    reached this stage but not the next) and ``spend_share`` (lost / people at
    the first stage: the share of the spend that went to people who stopped
    here; the shares add up to 1, the last stage's being the buyers'), and
    ``gmv_per_cost``, the GMV each yuan of spend brought back (the ROI).

    Example:
        >>> df = pd.DataFrame({"impressions": [1000], "clicks": [40], "buyers": [10],
        ...                    "gmv": [800.0], "ad_cost": [200.0]})
        >>> cost_chain(df)[["stage", "cost_per", "spend_share"]].values.tolist()
        [['impressions', 0.2, 0.96], ['clicks', 5.0, 0.03], ['buyers', 20.0, 0.01]]
    """
    frame, keys = resolve_by(funnel, by, date=date)
    _need(frame, ["ad_cost"], "compute the cost chain")
    stages = _stages(frame, [s for s in COST_STAGES if s in frame.columns])
    gmv = ["gmv"] if "gmv" in frame.columns else []
    totals = _totals(frame, keys, [*stages, "ad_cost", *gmv])
    first = totals[stages[0]].to_numpy()
    cost = totals["ad_cost"].to_numpy(float)
    roi = _ratio(totals["gmv"].to_numpy(float), cost) if gmv else np.full(len(totals), np.nan)
    parts = []
    for i, stage in enumerate(stages):
        count = totals[stage].to_numpy()
        after = totals[stages[i + 1]].to_numpy() if i + 1 < len(stages) else 0
        parts.append(totals[keys].assign(stage=stage, count=count, cost_per=_ratio(cost, count),
                                         lost=count - after,
                                         spend_share=_ratio(count - after, first),
                                         gmv_per_cost=roi))
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = pd.Categorical(out["stage"], categories=stages, ordered=True)
    return out.sort_values([*keys, "stage"], kind="stable").reset_index(drop=True)


def explain_change(
    funnel: pd.DataFrame,
    period_a: Period,
    period_b: Period,
    by: By = None,
    *,
    date: str = "date",
) -> pd.DataFrame:
    """Split the change of GPM from period a to period b into CTR, conversion and AOV effects.

    GPM = 1000 x CTR x conversion x AOV, with CTR = clicks / impressions,
    conversion = buyers / clicks and AOV = GMV / buyers. The split is the
    Shapley decomposition of that product: each factor's effect is its change
    times the other two factors averaged over the orders in which the factors
    can change, so the three effects add up exactly to the change of GPM (and
    stay defined when a factor is zero, unlike a log split).

    Args:
        funnel: the canonical ``funnel`` table.
        period_a: ``(first_day, last_day)``, both days included: the base ("control").
        period_b: the same for the period explained ("treatment").
        by: group columns or shortcuts, as in `summary`; None for one split.
        date: the date column.

    Returns:
        Per group, four rows (``factor``: gpm, ctr, conversion, aov) with
        ``control`` and ``treatment`` (the value in each period),
        ``effect_size`` (b - a), ``rel_effect_size`` (b / a - 1), ``gpm_effect``
        (the factor's share of the GPM change, in yuan per 1000 impressions;
        the gpm row holds the whole change) and ``gpm_rel_effect``
        (gpm_effect / GPM of period a: "GPM fell 18 %: CTR -2 %, conversion
        -15 %, AOV -1 %"). Effects are missing where a period has no
        impressions, clicks or buyers.

    Example:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2024-11-01", "2024-11-02"]),
        ...                    "impressions": [1000, 1000], "clicks": [50, 40],
        ...                    "buyers": [5, 4], "gmv": [500.0, 400.0]})
        >>> out = explain_change(df, ("2024-11-01", "2024-11-01"), ("2024-11-02", "2024-11-02"))
        >>> out.set_index("factor")["gpm_effect"].round(6).to_dict()
        {'gpm': -100.0, 'ctr': -100.0, 'conversion': 0.0, 'aov': 0.0}
    """
    _need(funnel, [date, "impressions", "clicks", "buyers", "gmv"], "explain the GPM change")
    frame, keys = resolve_by(funnel, by, date=date)
    cols = ["impressions", "clicks", "buyers", "gmv"]
    a = _totals(_between(frame, period_a, date), keys, cols)
    b = _totals(_between(frame, period_b, date), keys, cols)
    both = (a.merge(b, on=keys, how="outer", suffixes=("_a", "_b")) if keys
            else a.add_suffix("_a").join(b.add_suffix("_b")))
    both = both.fillna({f"{c}_{p}": 0.0 for c in cols for p in "ab"})

    def factors(p: str) -> dict[str, np.ndarray]:
        n = {c: both[f"{c}_{p}"].to_numpy(float) for c in cols}
        return {"ctr": _ratio(n["clicks"], n["impressions"]),
                "conversion": _ratio(n["buyers"], n["clicks"]),
                "aov": _ratio(n["gmv"], n["buyers"])}

    fa, fb = factors("a"), factors("b")
    gpm_a = 1000 * fa["ctr"] * fa["conversion"] * fa["aov"]
    gpm_b = 1000 * fb["ctr"] * fb["conversion"] * fb["aov"]
    effects = _shapley3([fa[f] for f in FACTORS], [fb[f] for f in FACTORS])
    rows = [both[keys].assign(factor="gpm", control=gpm_a, treatment=gpm_b,
                              gpm_effect=gpm_b - gpm_a)]
    for name, effect in zip(FACTORS, effects, strict=True):
        rows.append(both[keys].assign(factor=name, control=fa[name], treatment=fb[name],
                                      gpm_effect=1000 * effect))
    out = pd.concat(rows, ignore_index=True)
    base = np.tile(gpm_a, len(rows))
    out["effect_size"] = out["treatment"] - out["control"]
    out["rel_effect_size"] = _ratio(out["effect_size"].to_numpy(float),
                                    out["control"].to_numpy(float))
    out["gpm_rel_effect"] = _ratio(out["gpm_effect"].to_numpy(float), base)
    out["factor"] = pd.Categorical(out["factor"], categories=["gpm", *FACTORS], ordered=True)
    cols_out = [*keys, "factor", "control", "treatment", "effect_size", "rel_effect_size",
                "gpm_effect", "gpm_rel_effect"]
    return out.sort_values([*keys, "factor"], kind="stable")[cols_out].reset_index(drop=True)


def ctr_decay(
    videos: pd.DataFrame,
    by: By = "format",
    *,
    max_days: int = 30,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """CTR by days since publishing: how fast each content format's videos wear out.

    From the daily `videos` table (one row per video and day, with
    ``published_at``, ``impressions`` and ``clicks``): per group and age in
    days (0 = the publishing day, up to `max_days`), the videos seen,
    impressions, clicks and the CTR (clicks / impressions of the videos that
    age) with its Wilson interval.

    Example:
        >>> v = pd.DataFrame({"video_id": ["a", "a", "b"], "format": ["drama"] * 3,
        ...                   "date": pd.to_datetime(["2024-11-01", "2024-11-02", "2024-11-02"]),
        ...                   "published_at": pd.to_datetime(["2024-11-01 20:00"] * 2
        ...                                                  + ["2024-11-02 08:00"]),
        ...                   "impressions": [1000, 500, 1000], "clicks": [60, 20, 50]})
        >>> out = ctr_decay(v)
        >>> out["days"].tolist(), out["videos"].tolist(), out["ctr"].tolist()
        ([0, 1], [2, 1], [0.055, 0.04])
    """
    _need(videos, ["date", "published_at", "impressions", "clicks"], "measure the CTR decay")
    frame, keys = resolve_by(videos, by, date="date")
    days = (pd.to_datetime(frame["date"]).dt.normalize()
            - pd.to_datetime(frame["published_at"]).dt.normalize()).dt.days
    frame = frame.assign(days=days)
    frame = frame[(frame["days"] >= 0) & (frame["days"] <= max_days)]
    ids = "video_id" if "video_id" in frame.columns else None
    groups = frame.groupby([*keys, "days"], observed=True, sort=True)
    out = groups[["impressions", "clicks"]].sum()
    out = out.astype({c: _sum_dtype(frame[c]) for c in out.columns})
    out["videos"] = groups[ids].nunique() if ids else groups.size()
    out = out.reset_index()
    rate, low, high = wilson(out["clicks"].to_numpy(), out["impressions"].to_numpy(), alpha)
    out = out.assign(ctr=rate, ctr_ci_lower=low, ctr_ci_upper=high)
    return out[[*keys, "days", "videos", "impressions", "clicks", "ctr", "ctr_ci_lower",
                "ctr_ci_upper"]]

def with_format(funnel: pd.DataFrame, *, format: str = "format", default: str = "all"
                ) -> pd.DataFrame:
    """`funnel` with a content-format column: `default` (``"all"``) where the export has none.

    Rows of every carrier can then be narrowed by format alike.

    Example:
        >>> with_format(pd.DataFrame({"carrier": ["live"]}))["format"].tolist()
        ['all']
    """
    return funnel if format in funnel.columns else funnel.assign(**{format: default})


def product_ids(funnel: pd.DataFrame, *, product: str = "product_id") -> pd.Categorical:
    """The product ids as text categories: what `select` compares the chosen ids with.

    Converting the ids is most of a selection's work, so a caller that selects from the
    same table again and again converts them once and hands them to `select`.

    Example:
        >>> product_ids(pd.DataFrame({"product_id": [7, 3, 7]})).categories.tolist()
        ['3', '7']
    """
    return pd.Categorical(funnel[product].astype(str))


def select(funnel: pd.DataFrame, *, products: Sequence[str] | None = None,
           where: Mapping[str, object] | None = None, product: str = "product_id",
           ids: pd.Categorical | None = None) -> pd.DataFrame:
    """The rows of the chosen products whose `where` columns hold the values given.

    Args:
        funnel: a table with product ids (the ``funnel``, ``videos`` or ``orders`` table).
        products: the product ids chosen, as text; None: every product. A row without
            a product id is not a chosen product's.
        where: column -> value; a column the table does not have is not filtered on.
        product: the product-id column; a table without it is not filtered by product.
        ids: ``product_ids(funnel)``, when the caller keeps it across selections.

    Example:
        >>> funnel = pd.DataFrame({"product_id": ["1", "2", None], "carrier": ["live"] * 3,
        ...                        "clicks": [5, 6, 7]})
        >>> select(funnel, products=["2"], where={"carrier": "live", "format": "x"})["clicks"]
        1    6
        Name: clicks, dtype: int64
    """
    keep = np.ones(len(funnel), bool)
    if products is not None and product in funnel.columns:
        ids = product_ids(funnel, product=product) if ids is None else ids
        chosen = np.isin(ids.categories, list(products))
        keep &= np.append(chosen, False)[ids.codes]  # missing ids (code -1): not chosen
    for column, value in (where or {}).items():
        if column in funnel.columns:
            keep &= (funnel[column] == value).to_numpy()
    return funnel[keep]


def in_period(df: pd.DataFrame, period: Period | None, *, date: str = "date") -> pd.DataFrame:
    """The rows from the first to the last day of `period`, both whole days.

    No rows for a `period` of None (no period to compare with).

    Example:
        >>> orders = pd.DataFrame({"ts": pd.to_datetime(["2024-11-01 23:59", "2024-11-02 08:00"])})
        >>> len(in_period(orders, ("2024-11-01", "2024-11-01"), date="ts")), len(
        ...     in_period(orders, None, date="ts"))
        (1, 0)
    """
    return df.iloc[0:0] if period is None else _between(df, period, date)


def product_names(funnel: pd.DataFrame, *, product: str = "product_id",
                  name: str = "product_name") -> pd.Series:
    """Each product's name (the first one it has in the table), by product id, in id order.

    The id itself where the table has no names.

    Example:
        >>> funnel = pd.DataFrame({"product_id": ["2", "1", "2"],
        ...                        "product_name": ["口红", "面膜", "口红 new"]})
        >>> product_names(funnel).to_dict()
        {'1': '面膜', '2': '口红'}
    """
    first = funnel.drop_duplicates(product).sort_values(product)
    names = first[name] if name in first.columns else first[product]
    return pd.Series(names.to_numpy(), index=first[product].to_numpy(), name=name)


def period_summary(periods: Mapping[str, pd.DataFrame], *, period: str = "period",
                   date: str = "date") -> pd.DataFrame:
    """`summary` of each of `periods` (label -> funnel rows), the periods in the order given.

    Example:
        >>> now = pd.DataFrame({"date": pd.to_datetime(["2024-11-08"]), "impressions": [100],
        ...                     "clicks": [8]})
        >>> out = period_summary({"this week": now, "last week": now.assign(clicks=[4])})
        >>> out["period"].tolist(), out["count"].tolist()
        (['this week', 'this week', 'last week', 'last week'], [100, 8, 100, 4])
    """
    labelled = [rows.assign(**{period: label}) for label, rows in periods.items()]
    out = summary(pd.concat(labelled, ignore_index=True), by=period, date=date)
    order = {label: i for i, label in enumerate(periods)}
    return out.sort_values(period, key=lambda p: p.map(order), kind="stable")



# --- helpers ---------------------------------------------------------------------------------

def _need(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ShopDataError(f"cannot {what}: the table has no {', '.join(missing)} column "
                            f"(columns found: {', '.join(map(str, df.columns)) or 'none'})")


def _week_start(dates: pd.Series) -> pd.Series:
    day = pd.to_datetime(dates).dt.normalize()
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _stages(df: pd.DataFrame, stages: Sequence[str] | None) -> list[str]:
    wanted = list(stages) if stages is not None else [s for s in STAGES if s in df.columns]
    _need(df, wanted, "build the funnel")
    present = [s for s in wanted if df[s].notna().any()]
    if len(present) < 1:
        raise ShopDataError(f"the funnel table has no values for any stage "
                            f"({', '.join(wanted) or ', '.join(STAGES)})")
    return present


def _totals(df: pd.DataFrame, keys: list[str], cols: Sequence[str]) -> pd.DataFrame:
    """Sums of `cols` per group (missing values count as nothing), in the columns' kinds.

    Whole-number counts come back as int64, amounts as float64.

    The loaders' counts are nullable (Int64: an export cell may be empty); a sum is
    never missing, and plain int64 keeps the rates computed from it plain floats. The
    columns become plain NumPy ones before grouping, because pandas sums nullable
    columns group by group far more slowly, and every redraw of the funnel page sums.
    """
    values = pd.DataFrame({c: _plain(df[c]) for c in cols}, index=df.index)
    if not keys:
        return pd.DataFrame({c: [values[c].sum()] for c in cols})
    return values.groupby([df[k] for k in keys], observed=True, dropna=False,
                          sort=True).sum().reset_index()


def _plain(column: pd.Series) -> np.ndarray:
    """`column` as a NumPy array: whole numbers as int64 (missing: 0), the rest as float64."""
    if column.dtype.kind in "iub":
        return column.to_numpy(dtype="int64", na_value=0)
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _sum_dtype(column: pd.Series) -> str:
    return "int64" if column.dtype.kind in "iub" else "float64"


def _between(df: pd.DataFrame, period: Period, date: str) -> pd.DataFrame:
    start, end = (pd.Timestamp(p) for p in period)
    if end < start:
        raise ShopDataError(f"a period runs from its first to its last day; got {start.date()} "
                            f"to {end.date()}")
    days = pd.to_datetime(df[date]).dt.normalize()
    return df[(days >= start.normalize()) & (days <= end.normalize())]


def _ones(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.ones(n), np.full(n, np.nan), np.full(n, np.nan)


def _shapley3(a: list[np.ndarray], b: list[np.ndarray]) -> list[np.ndarray]:
    """Shapley effects of x, y, z on the product x * y * z going from `a` to `b`.

    For x: (x_b - x_a) * ((y_a z_a + y_b z_b) / 3 + (y_a z_b + y_b z_a) / 6); the
    three effects add up to x_b y_b z_b - x_a y_a z_a.
    """
    out = []
    for i in range(3):
        j, k = [n for n in range(3) if n != i]
        weight = ((a[j] * a[k] + b[j] * b[k]) / 3 + (a[j] * b[k] + b[j] * a[k]) / 6)
        out.append((b[i] - a[i]) * weight)
    return out
