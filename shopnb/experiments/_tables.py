"""Experiment tables: their shape, cleaning, metric specs and the one-pass sums.

The sums are what tea-tasting's `Aggregates` are built from.

Example:
    >>> import pandas as pd
    >>> is_aggregated(pd.DataFrame({"variant": ["A", "B"], "clicks": [3, 4]}))
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import tea_tasting as tt
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from shopnb.errors import ShopDataError
from shopnb.schema import TABLES, DateLike, renamed_keywords

__all__ = ["Metric", "Metrics", "between_days", "clean", "experiment_days", "experiment_names",
           "is_aggregated", "one_experiment", "pre_period_covariate", "suggest_metrics",
           "variant_names"]

Kind = Literal["proportion", "mean", "ratio"]
_KINDS: tuple[Kind, ...] = ("proportion", "mean", "ratio")


@dataclass(frozen=True)
class Metric:
    """A metric's columns and how it is analysed.

    Attributes:
        numer: the column per user, or the numerator.
        denom: the denominator (None: a value per user).
        kind: ``"proportion"`` (a binomial share: 0/1 flags per user, or counts of
            counts such as clicks of impressions; a z-test), ``"mean"`` (a value per
            user; Welch's t-test) or ``"ratio"`` (of two sums, the delta method).
            None: inferred from the data's values, never from their dtype: a
            column per user is a proportion when every value is 0 or 1, else a
            mean; a pair is a proportion on aggregates when both columns hold
            whole numbers of zero or more (not money: a revenue of whole yuan is
            still money), the numerator never above the denominator; else a ratio.

    Example:
        >>> Metric("clicks", "impressions", kind="proportion").columns
        ['clicks', 'impressions']
    """

    numer: str
    denom: str | None = None
    kind: Kind | None = None

    @property
    def columns(self) -> list[str]:
        return [c for c in (self.numer, self.denom) if c is not None]


# name -> a column, a (numerator, denominator) pair, or a Metric
Metrics = Mapping[str, "str | tuple[str, str] | Metric"]
# columns the experiments table types as money: never counts, whatever their values
_MONEY = frozenset(c.name for c in TABLES["experiments"].columns if c.kind == "money")


# --- shapes and cleaning ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    """One metric as analysed: a proportion, a mean per unit, or a ratio of two sums."""

    name: str
    kind: Kind
    numer: str
    denom: str | None = None
    covariate: str | None = None

    @property
    def columns(self) -> list[str]:
        return [c for c in (self.numer, self.denom, self.covariate) if c is not None]


def _require_frame(data: object, variant: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ShopDataError(f"expected a table (DataFrame) of experiment data, got "
                            f"{type(data).__name__}")
    if variant not in data.columns:
        raise ShopDataError(f"no variant column {variant!r}; columns are "
                            f"{', '.join(map(str, data.columns))}", column=variant)
    if data.empty:
        raise ShopDataError("the experiment table is empty")
    if "experiment" in data.columns:
        names = pd.unique(data["experiment"].dropna())
        if len(names) > 1:
            shown = ", ".join(map(str, names[:5]))
            raise ShopDataError(f"the table holds {len(names)} experiments ({shown}); analyse "
                                f"one at a time, e.g. data[data['experiment'] == "
                                f"{str(names[0])!r}]", column="experiment")
    return data


@renamed_keywords(unit="user_id")
def is_aggregated(data: pd.DataFrame, *, variant: str = "variant", user_id: str = "user_id",
                  date: str = "date") -> bool:
    """Whether `data` holds counts per variant (or per variant and day), not one row per user.

    A table with user ids is per user; otherwise it is aggregated when no
    (variant, date) pair repeats.

    Example:
        >>> is_aggregated(pd.DataFrame({"variant": ["a", "b"], "clicks": [3, 4]}))
        True
    """
    if user_id in data.columns and data[user_id].notna().any():
        return False
    keys = [variant] + ([date] if date in data.columns else [])
    return not data.duplicated(keys).any()


@renamed_keywords(unit="user_id")
def clean(data: pd.DataFrame, *, variant: str = "variant", user_id: str = "user_id"
          ) -> pd.DataFrame:
    """One trustworthy row per user.

    What was dropped is in ``attrs["excluded"]`` and ``attrs["notes"]``.

    Dropped: rows without a variant; rows whose variant disagrees with a column
    the loader found paired with it (ab_data.csv's landing_page: control sees
    old_page); every row of a user seen in more than one variant; and repeats
    of a user within one variant (the first row is kept).

    Example:
        >>> df = pd.DataFrame({"variant": ["a", "a", "b", "b"], "user_id": [1, 1, 2, 1],
        ...                    "converted": [1, 1, 0, 1]})
        >>> out = clean(df)
        >>> out["user_id"].tolist(), out.attrs["excluded"]
        ([2], {'users_in_several_variants': 1})
    """
    data = _require_frame(data, variant)
    excluded: dict[str, int] = {}
    notes: list[str] = []
    keep = data[variant].notna().to_numpy(copy=True)
    if not keep.all():
        excluded["missing_variant"] = int((~keep).sum())
        notes.append(f"{excluded['missing_variant']:,} rows without a variant were left out")
    for col in _paired_columns(data, variant):
        off = keep & _off_pairing(data, variant, col)
        if off.any():
            excluded[f"variant_{col}_mismatch"] = int(off.sum())
            notes.append(f"{int(off.sum()):,} rows where {variant} and {col} disagree were "
                         "left out")
            keep = keep & ~off
    if user_id in data.columns and _has_repeats(
            data[user_id] if keep.all() else data.loc[keep, user_id]):
        keep = _drop_repeats(data, keep, variant, user_id, excluded, notes)
    out = data.copy(deep=False) if keep.all() else data[keep]
    out.attrs = {**data.attrs, "excluded": excluded, "notes": notes}
    return out


def _paired_columns(data: pd.DataFrame, variant: str) -> list[str]:
    """Columns the loader reported as disagreeing with the variant (see load._experiment_shape)."""
    cols: list[str] = []
    for issue in data.attrs.get("issues", []):
        col = getattr(issue, "column", None)
        if col is not None and col in data.columns and col != variant and "disagree" in str(issue):
            cols.append(col)
    return list(dict.fromkeys(cols))


def _off_pairing(data: pd.DataFrame, variant: str, col: str) -> np.ndarray:
    pairs = data.groupby([variant, col], observed=True).size()
    main = pairs.groupby(level=0).idxmax().tolist()
    keys = pd.MultiIndex.from_arrays([data[variant], data[col]])
    return ~keys.isin(main) & data[col].notna().to_numpy()


def _has_repeats(ids: pd.Series) -> bool:
    ids = ids.dropna()
    if is_numeric_dtype(ids):  # sorting millions of numeric ids is faster than hashing them
        values = np.sort(ids.to_numpy())
        return bool((values[1:] == values[:-1]).any())
    return not pd.Index(ids).is_unique


def _drop_repeats(data: pd.DataFrame, keep: np.ndarray, variant: str, user_id: str,
                  excluded: dict[str, int], notes: list[str]) -> np.ndarray:
    ids = data[user_id].where(keep)
    repeated = ids.duplicated(keep=False) & ids.notna()
    sub = data.loc[repeated, [user_id, variant]]
    several = sub.groupby(user_id, observed=True)[variant].nunique()
    several = several.index[several > 1]
    if len(several):
        drop = data[user_id].isin(several).to_numpy() & keep
        excluded["users_in_several_variants"] = len(several)
        notes.append(f"{len(several):,} users seen in more than one variant were left out "
                     f"({int(drop.sum()):,} rows)")
        keep = keep & ~drop
        ids = data[user_id].where(keep)
    again = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    if again.any():
        excluded["repeated_users"] = int(again.sum())
        notes.append(f"{int(again.sum()):,} repeated rows of the same user in the same variant "
                     "were left out (the first row is kept)")
        keep = keep & ~again
    return keep


def _variant_codes(data: pd.DataFrame, variant: str, control: object | None
                   ) -> tuple[np.ndarray, list[str]]:
    """Codes 0..k-1 per row with the control as 0 (-1: no variant); the names in that order."""
    raw, uniques = pd.factorize(data[variant])
    found = [str(u) for u in uniques]
    if len(set(found)) < 2:
        raise ShopDataError(f"an experiment needs at least two variants; found "
                            f"{', '.join(found) or 'none'}", column=variant)
    if control is None:
        control = "control" if "control" in found else min(found)
    control = str(control)
    if control not in found:
        raise ShopDataError(f"control variant {control!r} is not in the data; variants are "
                            f"{', '.join(sorted(found))}", column=variant)
    order = [control, *sorted(set(found) - {control})]
    position = np.array([order.index(name) for name in found], dtype=np.int64)
    return np.where(raw >= 0, position[raw], -1), order


def _specs(data: pd.DataFrame, metrics: Metrics, aggregated: bool,
           covariates: Mapping[str, str] | str | None) -> list[_Spec]:
    if not isinstance(metrics, Mapping) or not metrics:
        raise ShopDataError("metrics must map a name to a column or a (numerator, "
                            "denominator) pair, e.g. {'ctr': ('clicks', 'impressions')}")
    specs = []
    for name, given in metrics.items():
        metric = _metric(name, given)
        cov = covariates if isinstance(covariates, str) else (covariates or {}).get(name)
        for c in (*metric.columns, *([cov] if cov else [])):
            if c not in data.columns:
                raise ShopDataError(f"metric {name!r} needs the column {c!r}, which the data "
                                    "lacks", column=c)
            if not (is_numeric_dtype(data[c]) or is_bool_dtype(data[c])):
                raise ShopDataError(f"metric {name!r}: column {c!r} should hold numbers or "
                                    f"yes/no flags, found {data[c].dtype}", column=c)
        kind = metric.kind or _inferred_kind(data, metric, aggregated, cov)
        _check_kind(data, name, metric, kind, aggregated, cov)
        specs.append(_Spec(name, kind, metric.numer, metric.denom,
                           None if aggregated else cov))
    return specs


def _metric(name: str, given: object) -> Metric:
    """A metrics entry (a column, a pair or a `Metric`) as a `Metric`."""
    if isinstance(given, Metric):
        metric = given
    elif isinstance(given, str):
        metric = Metric(given)
    elif isinstance(given, tuple | list) and len(given) == 2:
        metric = Metric(*given)
    else:
        raise ShopDataError(f"metric {name!r}: give a column or a (numerator, denominator) "
                            f"pair, got {given!r}")
    if metric.kind not in (None, *_KINDS):
        raise ShopDataError(f"metric {name!r}: kind must be one of {', '.join(_KINDS)} (or "
                            f"None: inferred); got {metric.kind!r}")
    return metric


def _inferred_kind(data: pd.DataFrame, metric: Metric, aggregated: bool, cov: str | None
                   ) -> Kind:
    """The kind `Metric.kind` documents for None, from the data's values."""
    if metric.denom is None:
        return "proportion" if cov is None and _is_flag(data[metric.numer]) else "mean"
    counts = not {metric.numer, metric.denom} & _MONEY
    if aggregated and counts and _is_count_share(data, metric.numer, metric.denom):
        return "proportion"
    return "ratio"


def _check_kind(data: pd.DataFrame, name: str, metric: Metric, kind: Kind, aggregated: bool,
                cov: str | None) -> None:
    """A metric's kind fits its columns and the table's shape."""
    if aggregated and metric.denom is None:
        raise ShopDataError(f"metric {name!r}: aggregated data (counts per variant) needs a "
                            "(numerator, denominator) pair such as ('clicks', 'impressions')",
                            column=metric.numer)
    if kind == "mean" and metric.denom is not None:
        raise ShopDataError(f"metric {name!r}: a mean is one column per user; a pair is a "
                            "proportion or a ratio")
    if kind == "ratio" and metric.denom is None:
        raise ShopDataError(f"metric {name!r}: a ratio needs a (numerator, denominator) pair")
    if kind != "proportion":
        return
    if cov is not None and not aggregated:
        raise ShopDataError(f"metric {name!r}: a proportion takes no covariate (CUPED "
                            "works on means and ratios)")
    shares = (_is_flag(data[metric.numer]) if metric.denom is None
              else _is_count_share(data, metric.numer, metric.denom))
    if not shares:
        what = ("0/1 flags" if metric.denom is None else
                f"whole numbers with {metric.numer} never above {metric.denom}")
        raise ShopDataError(f"metric {name!r}: a proportion needs {what}",
                            column=metric.numer)


def _is_flag(s: pd.Series) -> bool:
    if is_bool_dtype(s):
        return True
    v = s.dropna().to_numpy()
    return bool(len(v)) and bool(((v == 0) | (v == 1)).all())


def _is_count_share(data: pd.DataFrame, numer: str, denom: str) -> bool:
    """Whether `numer` of `denom` is a binomial proportion (such as clicks of impressions).

    It is when both columns hold whole numbers of zero or more and the numerator never
    exceeds the denominator.
    """
    x, n = _floats(data[numer]), _floats(data[denom])
    ok = ~(np.isnan(x) | np.isnan(n))
    x, n = x[ok], n[ok]
    return bool(len(x)) and bool((x >= 0).all() and (x <= n).all()
                                 and (x == np.round(x)).all() and (n == np.round(n)).all())


def _floats(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="float64", na_value=np.nan)


# --- one-pass sums -> tea-tasting aggregates -------------------------------------------------

@dataclass
class _Sums:
    """Per-group count, sums and (centred) cross-products, for any grouping.

    The grouping is variant, or variant x day; the sums are everything tea-tasting's
    `Aggregates` needs, and they cumulate.
    """

    n: np.ndarray
    shift: dict[str, float]
    s: dict[str, np.ndarray]
    q: dict[tuple[str, str], np.ndarray]

    def cumulate(self) -> _Sums:
        """Running totals along the last axis (days)."""
        return _Sums(np.cumsum(self.n, -1), self.shift,
                     {k: np.cumsum(v, -1) for k, v in self.s.items()},
                     {k: np.cumsum(v, -1) for k, v in self.q.items()})

    def aggregates(self, spec: _Spec, idx: Any) -> tt.aggr.Aggregates:
        """tea-tasting's `Aggregates` for group `idx`."""
        if spec.kind == "proportion":
            if spec.denom is None:
                count, succ = self.n[idx], self.s[spec.numer][idx] + self.shift[spec.numer] \
                    * self.n[idx]
            else:
                count = self.s[spec.denom][idx] + self.shift[spec.denom] * self.n[idx]
                succ = self.s[spec.numer][idx] + self.shift[spec.numer] * self.n[idx]
            count = int(round(count))
            return tt.aggr.Aggregates(count, {spec.numer: succ / count if count else math.nan})
        n = int(self.n[idx])
        cols = _tt_metric(spec, 0.95).aggr_cols
        s = {c: self.s[c][idx] for c in cols.mean_cols}

        def cov(a: str, b: str) -> float:
            return (self.q[_pair(a, b)][idx] - s[a] * s[b] / n) / (n - 1) if n > 1 else math.nan

        return tt.aggr.Aggregates(
            n, {c: s[c] / n + self.shift[c] for c in cols.mean_cols},
            {c: cov(c, c) for c in cols.var_cols}, {p: cov(*p) for p in cols.cov_cols})


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _sums(data: pd.DataFrame, spec: _Spec, groups: np.ndarray, n_groups: int) -> _Sums:
    """Sums by group, one pass per column (rows missing a needed value are left out).

    Columns are centred on a rough mean (of their first rows) before squares and
    products are summed, so variances keep their precision on large amounts.
    """
    cols = spec.columns
    values = {c: _floats(data[c]) for c in cols}
    ok = groups >= 0
    for c in cols:
        if data[c].dtype.kind not in "biu":  # only these cannot hold a missing value
            ok = ok & ~np.isnan(values[c])
    if not ok.all():
        groups = groups[ok]
        values = {c: v[ok] for c, v in values.items()}
    centre = spec.kind != "proportion"
    shift = {c: float(np.nanmean(v[:10_000])) if centre and len(v) else 0.0
             for c, v in values.items()}
    if centre:
        values = {c: v - shift[c] for c, v in values.items()}

    def total(w: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(groups, weights=w, minlength=n_groups).astype("float64")

    s = {c: total(v) for c, v in values.items()}
    q = {pair: total(values[pair[0]] * values[pair[1]])
         for pair in {_pair(a, b) for a in cols for b in cols}} if centre else {}
    return _Sums(total(), shift, s, q)


def _tt_metric(spec: _Spec, level: float, *, covariate: bool = True, use_t: bool = True
               ) -> tt.RatioOfMeans:
    return tt.RatioOfMeans(spec.numer, spec.denom, spec.covariate if covariate else None,
                           confidence_level=level, equal_var=False, use_t=use_t)


# Metrics a shop reads off its exports, in the order the page offers them.
_AGGREGATE_METRICS: dict[str, tuple[str, str]] = {
    "ctr": ("clicks", "impressions"),
    "click_to_buy": ("buyers", "clicks"),
    "revenue_per_impression": ("revenue", "impressions"),
    "order_value": ("revenue", "orders"),
}
_USER_METRICS: dict[str, str | tuple[str, str]] = {
    "conversion": "converted",
    "revenue": "revenue",
    "orders": "orders",
    "clicks": "clicks",
    "revenue_per_buyer": ("revenue", "converted"),
}


@renamed_keywords(unit="user_id")
def suggest_metrics(data: pd.DataFrame, *, variant: str = "variant", user_id: str = "user_id",
                    date: str = "date") -> dict[str, str | tuple[str, str]]:
    """The usual metrics that `data`'s columns allow.

    CTR, click-to-buy rate, revenue per impression and order value on daily aggregates;
    conversion, revenue, orders and clicks per user, and revenue per buyer on user rows.

    Example:
        >>> suggest_metrics(pd.DataFrame({"variant": ["A", "B"], "impressions": [9, 9],
        ...                               "clicks": [1, 2]}))
        {'ctr': ('clicks', 'impressions')}
    """
    aggregated = is_aggregated(data, variant=variant, user_id=user_id, date=date)
    catalog = _AGGREGATE_METRICS if aggregated else _USER_METRICS
    present = {c for c in data.columns if data[c].notna().any()}
    return {name: cols for name, cols in catalog.items()
            if {cols} <= present or (isinstance(cols, tuple) and set(cols) <= present)}


# --- one experiment's rows -------------------------------------------------------------------

def experiment_names(data: pd.DataFrame, *, experiment: str = "experiment") -> list[str]:
    """The experiments stacked in `data`, in the order they first come.

    A table without an `experiment` column holds one test, named by the column.

    Example:
        >>> experiment_names(pd.DataFrame({"experiment": ["b", "a", "b", None]}))
        ['b', 'a']
        >>> experiment_names(pd.DataFrame({"variant": ["A", "B"]}))
        ['experiment']
    """
    if experiment not in data.columns:
        return [experiment]
    return [str(x) for x in pd.unique(data[experiment].dropna())]


def one_experiment(data: pd.DataFrame, name: str, *, experiment: str = "experiment"
                   ) -> pd.DataFrame:
    """The rows of experiment `name`, without the columns it leaves empty.

    The columns it leaves empty are another test's metrics. Every row is kept when `data`
    has no `experiment` column.

    Example:
        >>> data = pd.DataFrame({"experiment": ["card", "price"], "variant": ["A", "A"],
        ...                      "clicks": [3, None], "revenue": [None, 9.0]})
        >>> one_experiment(data, "price").columns.tolist()
        ['experiment', 'variant', 'revenue']
    """
    if experiment in data.columns:
        data = data[data[experiment] == name]
    return data.dropna(axis=1, how="all")


def variant_names(data: pd.DataFrame, *, variant: str = "variant") -> list[str]:
    """The variants in `data`, as text, sorted.

    Example:
        >>> variant_names(pd.DataFrame({"variant": ["B", "A", "B", None]}))
        ['A', 'B']
    """
    return sorted(str(v) for v in pd.unique(data[variant].dropna()))


def experiment_days(data: pd.DataFrame, *, date: str = "date") -> list[pd.Timestamp]:
    """The days `data` has rows on, sorted; none when it has no `date` column of dates.

    Example:
        >>> experiment_days(pd.DataFrame({"date": pd.to_datetime(
        ...     ["2024-05-07 10:00", "2024-05-06 00:00", "2024-05-07 08:00"])}))
        [Timestamp('2024-05-06 00:00:00'), Timestamp('2024-05-07 00:00:00')]
    """
    if date not in data.columns or not pd.api.types.is_datetime64_any_dtype(data[date]):
        return []
    return list(pd.DatetimeIndex(data[date].dropna()).normalize().unique().sort_values())


def between_days(data: pd.DataFrame, start: DateLike, end: DateLike, *, date: str = "date"
                 ) -> pd.DataFrame:
    """The rows dated from `start` to `end`, both included.

    Example:
        >>> days = pd.DataFrame({"date": pd.date_range("2024-05-06", periods=4)})
        >>> start, end = pd.Timestamp("2024-05-07"), pd.Timestamp("2024-05-08")
        >>> between_days(days, start, end).index.tolist()
        [1, 2]
    """
    return data[(data[date] >= start) & (data[date] <= end)]


def pre_period_covariate(data: pd.DataFrame, *, prefix: str = "pre_") -> str | None:
    """The first pre-experiment column (named ``pre_...``), the covariate CUPED adjusts by.

    None when there is none.

    Example:
        >>> pre_period_covariate(pd.DataFrame({"variant": ["A"], "pre_revenue": [1.0]}))
        'pre_revenue'
    """
    return next((str(c) for c in data.columns if str(c).startswith(prefix)), None)
