"""A/B tests: analysis, sample-ratio check, peeking, planning and a verdict.

The statistics come from libraries: tea-tasting runs the tests on summary
statistics (two-sample z-test for proportions, Welch t-test for means, the
delta method for ratios and for relative effects, CUPED with a pre-experiment
covariate), statsmodels adjusts p-values for multiple comparisons and sizes
tests, SciPy gives the chi-square sample-ratio check and the posterior
distributions. This module is the glue: it reads the shop's tables (one row
per user, or counts per variant and day as back-office exports give them),
sums them with NumPy in one pass, hands the sums to tea-tasting and lays the
results out in the house vocabulary (`control`, `treatment`, `effect_size`,
`rel_effect_size`, `pvalue`, `*_ci_lower`, `*_ci_upper`).

Public functions:
    analyze        every treatment against control, for every metric
    srm            chi-square p-value of the sample-ratio check
    clean          drop users whose rows cannot be trusted, and say why
    cumulative     effects and intervals on the data up to each day (peeking)
    daily_values   each metric per variant and day
    sequential_interval  the always-valid interval behind ``sequential=True``
    verdict        ship / keep running / stop, with the reasons
    sample_size, power, duration, plan_curve   planning a test

Example (a product-card test exported as counts per variant):
    >>> import pandas as pd
    >>> card = pd.DataFrame({"variant": ["A", "B"], "impressions": [20000, 20000],
    ...                      "clicks": [800, 940]})
    >>> res = analyze(card, {"ctr": ("clicks", "impressions")})
    >>> row = res.iloc[0]
    >>> print(row["variant"], row["control"], row["treatment"], f"{row['pvalue']:.4f}")
    B 0.04 0.047 0.0006
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.stats.power as smp
import statsmodels.stats.proportion as smprop
import tea_tasting as tt
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from shopnb.errors import ShopDataError

__all__ = [
    "CORRECTIONS",
    "METHODS",
    "RESULT_COLUMNS",
    "Reason",
    "Verdict",
    "analyze",
    "clean",
    "cumulative",
    "daily_values",
    "duration",
    "plan_curve",
    "power",
    "sample_size",
    "sequential_interval",
    "srm",
    "verdict",
]

Metrics = Mapping[str, "str | tuple[str, str]"]
Correction = Literal["holm", "bh", "none"]
Method = Literal["frequentist", "bayesian"]

CORRECTIONS: tuple[str, ...] = ("holm", "bh", "none")
METHODS: tuple[str, ...] = ("frequentist", "bayesian")
RESULT_COLUMNS: tuple[str, ...] = (
    "metric", "variant", "control", "treatment",
    "effect_size", "effect_size_ci_lower", "effect_size_ci_upper",
    "rel_effect_size", "rel_effect_size_ci_lower", "rel_effect_size_ci_upper",
    "pvalue", "pvalue_adjusted", "chance_to_win",
)
_EXTRA_COLUMNS = ("expected_loss", "effect_size_se", "control_n", "treatment_n", "kind",
                  "variance_reduction")
_STAT_FIELDS = RESULT_COLUMNS[2:11]
_DRAWS = 50_000      # posterior draws per variant in Bayesian mode
_DENSITY_POINTS = 120
SRM_ALPHA = 0.001    # below this the sample-ratio check holds back every verdict


# --- shapes and cleaning ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    """One metric as analysed: a proportion, a mean per unit, or a ratio of two sums."""

    name: str
    kind: Literal["proportion", "mean", "ratio"]
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
    return data


def is_aggregated(data: pd.DataFrame, *, variant: str = "variant", unit: str = "user_id",
                  date: str = "date") -> bool:
    """Whether `data` holds counts per variant (or per variant and day), not one row per user.

    A table with user ids is per user; otherwise it is aggregated when no
    (variant, date) pair repeats.

    Example:
        >>> is_aggregated(pd.DataFrame({"variant": ["a", "b"], "clicks": [3, 4]}))
        True
    """
    if unit in data.columns and data[unit].notna().any():
        return False
    keys = [variant] + ([date] if date in data.columns else [])
    return not data.duplicated(keys).any()


def clean(data: pd.DataFrame, *, variant: str = "variant", unit: str = "user_id"
          ) -> pd.DataFrame:
    """One trustworthy row per user; what was dropped is in ``attrs["excluded"]`` and
    ``attrs["notes"]``.

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
    if unit in data.columns and _has_repeats(data[unit] if keep.all() else data.loc[keep, unit]):
        keep = _drop_repeats(data, keep, variant, unit, excluded, notes)
    out = data.copy(deep=False) if keep.all() else data[keep]
    out.attrs = {**data.attrs, "excluded": excluded, "notes": notes}
    return out


def _paired_columns(data: pd.DataFrame, variant: str) -> list[str]:
    """Columns the loader reported as disagreeing with the variant (see load._experiment_shape)."""
    cols = []
    for issue in data.attrs.get("issues", []):
        col = getattr(issue, "column", None)
        if col in data.columns and col != variant and "disagree" in str(issue):
            cols.append(col)
    return list(dict.fromkeys(cols))


def _off_pairing(data: pd.DataFrame, variant: str, col: str) -> np.ndarray:
    pairs = data.groupby([variant, col], observed=True).size()
    main = pairs.groupby(level=0).idxmax().tolist()
    keys = pd.MultiIndex.from_arrays([data[variant], data[col]])
    return ~keys.isin(main) & data[col].notna().to_numpy()


def _has_repeats(ids: pd.Series) -> bool:
    ids = ids.dropna()
    if is_numeric_dtype(ids):  # a sort is several times faster than hashing 10 M ids
        values = np.sort(ids.to_numpy())
        return bool((values[1:] == values[:-1]).any())
    return not pd.Index(ids).is_unique


def _drop_repeats(data: pd.DataFrame, keep: np.ndarray, variant: str, unit: str,
                  excluded: dict[str, int], notes: list[str]) -> np.ndarray:
    ids = data[unit].where(keep)
    repeated = ids.duplicated(keep=False) & ids.notna()
    sub = data.loc[repeated, [unit, variant]]
    several = sub.groupby(unit, observed=True)[variant].nunique()
    several = several.index[several > 1]
    if len(several):
        drop = data[unit].isin(several).to_numpy() & keep
        excluded["users_in_several_variants"] = len(several)
        notes.append(f"{len(several):,} users seen in more than one variant were left out "
                     f"({int(drop.sum()):,} rows)")
        keep = keep & ~drop
        ids = data[unit].where(keep)
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
    for name, col in metrics.items():
        cov = covariates if isinstance(covariates, str) else (covariates or {}).get(name)
        pair = (col,) if isinstance(col, str) else tuple(col)
        if len(pair) not in (1, 2):
            raise ShopDataError(f"metric {name!r}: give a column or a (numerator, denominator) "
                                f"pair, got {col!r}")
        for c in (*pair, *([cov] if cov else [])):
            if c not in data.columns:
                raise ShopDataError(f"metric {name!r} needs the column {c!r}, which the data "
                                    "lacks", column=c)
            if not (is_numeric_dtype(data[c]) or is_bool_dtype(data[c])):
                raise ShopDataError(f"metric {name!r}: column {c!r} should hold numbers or "
                                    f"yes/no flags, found {data[c].dtype}", column=c)
        if aggregated:
            if len(pair) == 1:
                raise ShopDataError(f"metric {name!r}: aggregated data (counts per variant) "
                                    "needs a (numerator, denominator) pair such as ('clicks', "
                                    "'impressions')", column=pair[0])
            kind = "proportion" if _is_count_share(data, *pair) else "ratio"
            specs.append(_Spec(name, kind, pair[0], pair[1]))
        elif len(pair) == 2:
            specs.append(_Spec(name, "ratio", pair[0], pair[1], cov))
        else:
            kind = "proportion" if cov is None and _is_flag(data[pair[0]]) else "mean"
            specs.append(_Spec(name, kind, pair[0], None, cov))
    return specs


def _is_flag(s: pd.Series) -> bool:
    if is_bool_dtype(s):
        return True
    v = s.dropna().to_numpy()
    return bool(len(v)) and bool(((v == 0) | (v == 1)).all())


def _is_count_share(data: pd.DataFrame, numer: str, denom: str) -> bool:
    """Both columns are counts (whole-number dtypes, as the loader types counts; money
    is float) and the numerator never exceeds the denominator (clicks of impressions):
    a binomial proportion."""
    if data[numer].dtype.kind not in "iub" or data[denom].dtype.kind not in "iub":
        return False
    x, n = _floats(data[numer]), _floats(data[denom])
    ok = ~(np.isnan(x) | np.isnan(n))
    return bool(ok.any()) and bool((x[ok] >= 0).all() and (x[ok] <= n[ok]).all())


def _floats(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="float64", na_value=np.nan)


# --- one-pass sums -> tea-tasting aggregates -------------------------------------------------

@dataclass
class _Sums:
    """Per-group count, sums and (centred) cross-products, for any grouping (variant, or
    variant x day): everything tea-tasting's `Aggregates` needs, and cumulable."""

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


# --- one comparison --------------------------------------------------------------------------

def _compare(spec: _Spec, c: tt.aggr.Aggregates, t: tt.aggr.Aggregates, *, alpha: float,
             continuity: bool, log_scale: bool) -> dict[str, float]:
    """Test and interval, and the normal-approximation standard error of the effect
    (plus, with `log_scale`, of the log ratio) that the posterior and the sequential
    interval build on."""
    level = 1 - alpha
    z = NormalDist().inv_cdf(1 - alpha / 2)
    out: dict[str, float] = {"control_n": c.count(), "treatment_n": t.count()}
    normal = None
    if spec.kind == "proportion":
        def prop(pooled: bool, cc: bool) -> Any:
            return tt.Proportion(spec.numer, method="norm", alternative="two-sided",
                                 confidence_level=level, correction=cc, equal_var=pooled
                                 ).analyze_aggregates(c, t)
        test, interval = prop(True, continuity), prop(False, continuity)
        normal = prop(False, False) if continuity else interval
        res = interval._asdict() | {"pvalue": test.pvalue}
    else:
        first = _tt_metric(spec, level).analyze_aggregates(c, t)
        res = first._asdict()
        if log_scale or spec.covariate is not None or not (first.statistic
                                                           and math.isfinite(first.statistic)):
            normal = _tt_metric(spec, level, use_t=False).analyze_aggregates(c, t)
        if spec.covariate is not None:
            plain = _tt_metric(spec, level, covariate=False, use_t=False).analyze_aggregates(c, t)
            out["variance_reduction"] = 1 - (_width(normal) / _width(plain)) ** 2
    out.update({k: float(res[k]) for k in _STAT_FIELDS})
    out["_se_log"] = math.nan
    if normal is None:  # tea-tasting's statistic is the effect over its standard error
        out["effect_size_se"] = abs(first.effect_size / first.statistic)
        return out
    out["effect_size_se"] = _width(normal) / (2 * z)
    rel_lo, rel_hi = normal.rel_effect_size_ci_lower, normal.rel_effect_size_ci_upper
    if rel_lo > -1:
        out["_se_log"] = math.log((1 + rel_hi) / (1 + rel_lo)) / (2 * z)
    return out


def _width(res: Any) -> float:
    return float(res.effect_size_ci_upper - res.effect_size_ci_lower)


def sequential_interval(effect: Any, se: Any, n: Any, *, alpha: float = 0.05,
                        n_tuning: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Always-valid interval and p-value for an effect estimate, for looking every day.

    The normal-mixture confidence sequence (mixture SPRT; Robbins 1970, Johari
    et al. 2017, Howard et al. 2021, as GrowthBook and Eppo use it): with
    per-unit variance ``se**2 * n`` it covers the true effect at every look at
    once with probability ``1 - alpha``, so checking daily does not inflate
    false positives. ``n_tuning`` (the planned total sample, default `n`) is
    where the interval is narrowest. Works elementwise on arrays.

    Returns:
        lower, upper, and the always-valid p-value (``min(1, 1 / likelihood ratio)``),
        which is below `alpha` exactly when the interval excludes 0.

    Example:
        >>> lo, hi, p = sequential_interval(0.01, 0.004, 20000, alpha=0.05)
        >>> bool(lo < 0.01 - 1.96 * 0.004), bool(p > 0.05)
        (True, True)
    """
    effect, se, n = (np.asarray(x, dtype="float64") for x in (effect, se, n))
    n_tuning = n if n_tuning is None else np.asarray(n_tuning, dtype="float64")
    log_a = -2 * math.log(alpha)
    rho2 = (log_a + np.log(log_a + 1)) / n_tuning
    var = se**2                      # V: variance of the estimate
    tau2 = var * n * rho2            # mixing variance, sigma^2 * rho^2
    half = np.sqrt(2 * var * (var + tau2) / tau2 * (math.log(1 / alpha)
                                                    + 0.5 * np.log1p(tau2 / var)))
    log_lr = 0.5 * np.log(var / (var + tau2)) + tau2 * effect**2 / (2 * var * (var + tau2))
    pvalue = np.minimum(1.0, np.exp(-log_lr))
    return effect - half, effect + half, pvalue


def _sequential(row: dict[str, float], *, alpha: float, n_tuning: float | None) -> None:
    n = row["control_n"] + row["treatment_n"]
    lo, hi, p = sequential_interval(row["effect_size"], row["effect_size_se"], n, alpha=alpha,
                                    n_tuning=n_tuning)
    rlo, rhi, _ = sequential_interval(math.log1p(row["rel_effect_size"]), row["_se_log"], n,
                                      alpha=alpha, n_tuning=n_tuning)
    row.update(effect_size_ci_lower=float(lo), effect_size_ci_upper=float(hi), pvalue=float(p),
               rel_effect_size_ci_lower=float(np.expm1(rlo)),
               rel_effect_size_ci_upper=float(np.expm1(rhi)))


def _normal_chance(row: dict[str, float]) -> None:
    """Chance to win and expected loss under the flat-prior normal posterior of the effect."""
    d, se, c = row["effect_size"], row["effect_size_se"], row["control"]
    if not se > 0:
        row["chance_to_win"] = float(d > 0) if d != 0 else 0.5
        row["expected_loss"] = max(-d, 0.0) / abs(c) if c else math.nan
        return
    zd = d / se
    row["chance_to_win"] = float(scipy.stats.norm.cdf(zd))
    loss = se * scipy.stats.norm.pdf(zd) - d * scipy.stats.norm.cdf(-zd)
    row["expected_loss"] = float(loss / abs(c)) if c else math.nan


def _posterior_draws(spec: _Spec, row: dict[str, float], rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Draws of the absolute and relative effect: beta-binomial for proportions (uniform
    prior), normal for means and ratios (flat prior; the relative effect log-normal)."""
    if spec.kind == "proportion":
        nc, nt = row["control_n"], row["treatment_n"]
        xc, xt = row["control"] * nc, row["treatment"] * nt
        pc = rng.beta(1 + xc, 1 + nc - xc, _DRAWS)
        pt = rng.beta(1 + xt, 1 + nt - xt, _DRAWS)
        return pt - pc, pt / pc - 1
    z = rng.standard_normal(_DRAWS)
    return (row["effect_size"] + row["effect_size_se"] * z,
            np.expm1(math.log1p(row["rel_effect_size"]) + row["_se_log"] * z))


def _bayes(spec: _Spec, row: dict[str, float], *, alpha: float, rng: np.random.Generator
           ) -> pd.DataFrame:
    """Fill chance to win, expected loss and credible intervals from posterior draws;
    return the posterior density of the relative effect for charts."""
    diff, rel = _posterior_draws(spec, row, rng)
    q = [alpha / 2, 1 - alpha / 2]
    lo, hi = np.quantile(diff, q)
    rlo, rhi = np.quantile(rel, q)
    row.update(chance_to_win=float((diff > 0).mean()),
               expected_loss=float(np.maximum(-rel, 0).mean()),
               effect_size_ci_lower=float(lo), effect_size_ci_upper=float(hi),
               rel_effect_size_ci_lower=float(rlo), rel_effect_size_ci_upper=float(rhi))
    span = np.quantile(rel, [0.0005, 0.9995])
    density, edges = np.histogram(rel, bins=_DENSITY_POINTS, range=tuple(span), density=True)
    return pd.DataFrame({"rel_effect_size": (edges[:-1] + edges[1:]) / 2, "density": density})


# --- analyze ---------------------------------------------------------------------------------

@dataclass
class _Prepared:
    data: pd.DataFrame
    codes: np.ndarray
    names: list[str]
    specs: list[_Spec]
    aggregated: bool
    attrs: dict[str, Any] = field(default_factory=dict)


def _prepare(data: pd.DataFrame, metrics: Metrics, *, variant: str, control: object | None,
             covariates: Mapping[str, str] | str | None, unit: str, date: str) -> _Prepared:
    data = _require_frame(data, variant)
    aggregated = is_aggregated(data, variant=variant, unit=unit, date=date)
    attrs: dict[str, Any] = {"excluded": {}, "notes": []}
    if not aggregated:
        data = clean(data, variant=variant, unit=unit)
        attrs = {"excluded": data.attrs["excluded"], "notes": list(data.attrs["notes"])}
    specs = _specs(data, metrics, aggregated, covariates)
    codes, names = _variant_codes(data, variant, control)
    if date in data.columns:
        attrs["days"] = int(data[date].dropna().dt.normalize().nunique()) \
            if pd.api.types.is_datetime64_any_dtype(data[date]) else int(data[date].nunique())
    return _Prepared(data, codes, names, specs, aggregated, attrs)


def analyze(data: pd.DataFrame, metrics: Metrics, *, variant: str = "variant",
            control: object | None = None, alpha: float = 0.05, correction: Correction = "holm",
            method: Method = "frequentist", covariates: Mapping[str, str] | str | None = None,
            sequential: bool = False, n_tuning: float | None = None, continuity: bool = False,
            unit: str = "user_id", date: str = "date", seed: int = 0) -> pd.DataFrame:
    """Every treatment variant against control, for every metric.

    Args:
        data: one row per user (metric columns: 0/1 flags, amounts, counts), or
            aggregates: one row per variant, or per variant and day, with count
            columns (impressions, clicks, orders, revenue) as exports give them.
            User rows are cleaned first (see `clean`); what was left out is in
            ``attrs["excluded"]`` and ``attrs["notes"]``.
        metrics: name -> column (a mean or proportion per user) or
            ``(numerator, denominator)`` (a ratio such as CTR = clicks /
            impressions, GMV per impression). On aggregates every metric is a
            pair: two count columns (integer dtypes) whose numerator never
            exceeds the denominator are a binomial proportion (z-test on the
            totals); any other pair (money per impression) is a ratio with the
            rows (days) as units, by the delta method.
        control: the control variant; default ``"control"`` if present, else
            the first name in sorted order.
        alpha: significance level; intervals are ``1 - alpha``.
        correction: ``"holm"`` (family-wise), ``"bh"`` (Benjamini–Hochberg
            false discovery rate) or ``"none"``, over all rows of the result.
        method: ``"frequentist"`` (confidence intervals) or ``"bayesian"``
            (credible intervals from the posterior: beta-binomial for
            proportions, normal for means and ratios; the posterior density of
            the relative effect in ``attrs["posterior"]``). ``pvalue`` comes from
            the frequentist test and ``chance_to_win`` / ``expected_loss`` from
            the posterior in both modes (the normal approximation in
            frequentist mode).
        covariates: a pre-experiment column for CUPED, for all metrics (a
            name) or per metric (a mapping); ``variance_reduction`` reports
            the gain.
        sequential: always-valid intervals and p-values (`sequential_interval`)
            so the test may be looked at every day; ``n_tuning`` is the
            planned total sample (default: the current one).
        continuity: Yates' continuity correction for proportions.
        unit, date: the user-id and date columns, when present.
        seed: the seed of the posterior draws (results are reproducible).

    Returns:
        One row per metric and treatment variant with `RESULT_COLUMNS`, then
        ``expected_loss`` (relative to control, if the treatment is chosen),
        ``effect_size_se``, ``control_n``, ``treatment_n`` (units, or the
        denominators' totals on aggregates), ``kind`` and
        ``variance_reduction``. ``attrs``: ``srm_pvalue``, ``days``,
        ``excluded``, ``notes``, ``alpha``, ``method``, ``correction``,
        ``sequential``, ``variants`` (control first).

    Raises:
        ShopDataError: not a table, no variant column, fewer than two
            variants, unknown control, a metric column missing or not numeric.

    Example:
        >>> users = pd.DataFrame({"variant": ["control"] * 4 + ["new"] * 4,
        ...                       "converted": [0, 1, 0, 0, 1, 1, 0, 1]})
        >>> res = analyze(users, {"cvr": "converted"})
        >>> res[["variant", "control", "treatment", "effect_size"]].values.tolist()
        [['new', 0.25, 0.75, 0.5]]
        >>> round(float(res["pvalue"].iloc[0]), 4)   # as statsmodels' proportions_ztest
        0.1573
    """
    if correction not in CORRECTIONS:
        raise ShopDataError(f"correction must be one of {', '.join(CORRECTIONS)}; got "
                            f"{correction!r}")
    if method not in METHODS:
        raise ShopDataError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if not 0 < alpha < 1:
        raise ShopDataError(f"alpha must be between 0 and 1; got {alpha}")
    prep = _prepare(data, metrics, variant=variant, control=control, covariates=covariates,
                    unit=unit, date=date)
    k = len(prep.names)
    rng = np.random.default_rng(seed)
    rows, densities = [], []
    for spec in prep.specs:
        sums = _sums(prep.data, spec, prep.codes, k)
        c = sums.aggregates(spec, 0)
        for g in range(1, k):
            row = _compare(spec, c, sums.aggregates(spec, g), alpha=alpha, continuity=continuity,
                           log_scale=sequential or method == "bayesian")
            if sequential:
                _sequential(row, alpha=alpha, n_tuning=n_tuning)
            _normal_chance(row)
            if method == "bayesian":
                dens = _bayes(spec, row, alpha=alpha, rng=rng)
                densities.append(dens.assign(metric=spec.name, variant=prep.names[g]))
            rows.append({"metric": spec.name, "variant": prep.names[g], "kind": spec.kind, **row})
    result = _table(rows)
    result["pvalue_adjusted"] = _adjust(result["pvalue"].to_numpy(), correction, alpha)
    if prep.aggregated:  # the units are the first metric's denominator (impressions)
        srm_p = srm(prep.data, variant=variant, count=prep.specs[0].denom)
    else:  # users, counted from the codes already at hand (fast on millions of rows)
        srm_p = _chisquare(np.bincount(prep.codes[prep.codes >= 0], minlength=k).astype(float),
                           np.ones(k))
    result.attrs = {
        **prep.attrs, "alpha": alpha, "method": method, "correction": correction,
        "sequential": sequential, "variants": prep.names, "aggregated": prep.aggregated,
        "srm_pvalue": srm_p,
    }
    if densities:
        result.attrs["posterior"] = pd.concat(densities, ignore_index=True)[
            ["metric", "variant", "rel_effect_size", "density"]]
    return result


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    text = ("metric", "variant", "kind")
    counts = ("control_n", "treatment_n")
    return pd.DataFrame({
        c: (pd.array([r[c] for r in rows], dtype="str") if c in text
            else np.array([r[c] for r in rows], dtype="int64") if c in counts
            else np.array([r.get(c, math.nan) for r in rows], dtype="float64"))
        for c in (*RESULT_COLUMNS, *_EXTRA_COLUMNS)
    })


def _adjust(p: np.ndarray, correction: str, alpha: float) -> np.ndarray:
    """tea-tasting's Holm step-down (Bonferroni) or Benjamini–Hochberg step-up over all rows."""
    out = p.copy()
    ok = np.flatnonzero(~np.isnan(p))
    if correction == "none" or len(ok) < 2:
        return out
    results = {i: tt.experiment.ExperimentResult({"m": {"pvalue": float(p[i])}}) for i in ok}
    if correction == "holm":
        adjusted = tt.adjust_fwer(results, alpha=alpha, arbitrary_dependence=True,
                                  method="bonferroni")
    else:
        adjusted = tt.adjust_fdr(results, alpha=alpha)
    out[ok] = [adjusted[i]["m"]["pvalue_adj"] for i in ok]
    return out


def srm(data: pd.DataFrame, *, variant: str = "variant",
        expected: Mapping[str, float] | Sequence[float] | None = None,
        count: str | None = None) -> float:
    """Chi-square p-value of the sample-ratio check: did each variant get its share?

    Args:
        data: experiment rows.
        expected: the planned split, as weights per variant (a mapping, or a
            sequence in sorted variant order); default an equal split.
        count: a column to sum per variant (e.g. ``"impressions"`` on
            aggregates); default the number of rows (users).

    A p-value below 0.001 means the assignment or the logging is broken and
    no result of the test can be trusted.

    Example:
        >>> df = pd.DataFrame({"variant": ["a"] * 5200 + ["b"] * 4800})
        >>> round(srm(df), 5)
        6e-05
    """
    data = _require_frame(data, variant)
    if count is None:
        observed = data.groupby(variant, observed=True).size()
    else:
        observed = data.groupby(variant, observed=True)[count].sum()
    observed = observed.sort_index()
    if len(observed) < 2:
        raise ShopDataError("the sample-ratio check needs at least two variants", column=variant)
    if expected is None:
        weights = np.ones(len(observed))
    elif isinstance(expected, Mapping):
        missing = [v for v in observed.index if v not in expected]
        if missing:
            raise ShopDataError(f"expected split lacks the variant(s) {', '.join(missing)}")
        weights = np.array([expected[v] for v in observed.index], dtype="float64")
    else:
        weights = np.asarray(expected, dtype="float64")
        if len(weights) != len(observed):
            raise ShopDataError(f"expected split has {len(weights)} weights for "
                                f"{len(observed)} variants")
    return _chisquare(observed.to_numpy(dtype="float64"), weights)


def _chisquare(observed: np.ndarray, weights: np.ndarray) -> float:
    f_exp = weights / weights.sum() * observed.sum()
    return float(scipy.stats.chisquare(observed, f_exp).pvalue)


# --- over time -------------------------------------------------------------------------------

def cumulative(data: pd.DataFrame, metrics: Metrics, *, variant: str = "variant",
               control: object | None = None, date: str = "date", alpha: float = 0.05,
               sequential: bool = False, covariates: Mapping[str, str] | str | None = None,
               continuity: bool = False, unit: str = "user_id") -> pd.DataFrame:
    """Effect and interval on the data up to each day: what a daily look would have shown.

    A lift that shrinks over the days is a novelty effect; intervals that keep
    crossing 0 mean keep waiting. With ``sequential=True`` the intervals are
    always valid (tuned to the whole test's sample), so stopping at the first
    day they exclude 0 keeps the false-positive rate at `alpha`.

    Returns:
        One row per day, metric and treatment: ``date``, ``metric``,
        ``variant``, then `_STAT_FIELDS` as in `analyze` (p-values unadjusted).

    Example:
        >>> days = pd.to_datetime(["2024-05-01", "2024-05-02"])
        >>> df = pd.DataFrame({"date": days.repeat(2), "variant": ["a", "b"] * 2,
        ...                    "impressions": [1000] * 4, "clicks": [40, 50, 40, 60]})
        >>> cumulative(df, {"ctr": ("clicks", "impressions")})["treatment"].tolist()
        [0.05, 0.055]
    """
    prep = _prepare(data, metrics, variant=variant, control=control, covariates=covariates,
                    unit=unit, date=date)
    if date not in prep.data.columns:
        raise ShopDataError(f"no date column {date!r} to follow the test over time", column=date)
    day = pd.to_datetime(prep.data[date]).dt.normalize()
    day_codes, days = pd.factorize(day, sort=True)
    k, d = len(prep.names), len(days)
    groups = np.where(day_codes >= 0, prep.codes * d + day_codes, -1)
    rows = []
    for spec in prep.specs:
        sums = _sums(prep.data, spec, groups, k * d)
        sums = _Sums(sums.n.reshape(k, d), sums.shift,
                     {c: v.reshape(k, d) for c, v in sums.s.items()},
                     {c: v.reshape(k, d) for c, v in sums.q.items()}).cumulate()
        final = [sums.aggregates(spec, (g, d - 1)).count() for g in range(k)]
        for j in range(d):
            c = sums.aggregates(spec, (0, j))
            if c.count() < 2:
                continue
            for g in range(1, k):
                t = sums.aggregates(spec, (g, j))
                if t.count() < 2:
                    continue
                row = _compare(spec, c, t, alpha=alpha, continuity=continuity,
                               log_scale=sequential)
                if sequential:  # tuned to the whole test's sample, the same at every look
                    _sequential(row, alpha=alpha, n_tuning=final[0] + final[g])
                rows.append({"date": days[j], "metric": spec.name, "variant": prep.names[g],
                             **{f: row[f] for f in _STAT_FIELDS}})
    cols = ["date", "metric", "variant", *_STAT_FIELDS]
    return pd.DataFrame(rows, columns=cols)


def daily_values(data: pd.DataFrame, metrics: Metrics, *, variant: str = "variant",
                 date: str = "date", unit: str = "user_id") -> pd.DataFrame:
    """Each metric per variant and day (not cumulative): a rate, a mean or a ratio of sums.

    Example:
        >>> days = pd.to_datetime(["2024-05-01", "2024-05-02"])
        >>> df = pd.DataFrame({"date": days.repeat(2), "variant": ["a", "b"] * 2,
        ...                    "impressions": [1000] * 4, "clicks": [40, 50, 40, 60]})
        >>> daily_values(df, {"ctr": ("clicks", "impressions")})["value"].tolist()
        [0.04, 0.05, 0.04, 0.06]
    """
    data = _require_frame(data, variant)
    if date not in data.columns:
        raise ShopDataError(f"no date column {date!r}", column=date)
    aggregated = is_aggregated(data, variant=variant, unit=unit, date=date)
    if not aggregated:
        data = clean(data, variant=variant, unit=unit)
    specs = _specs(data, metrics, aggregated, None)
    frames = []
    for spec in specs:
        cols = spec.columns
        sub = data[[date, variant, *cols]].assign(**{c: _floats(data[c]) for c in cols})
        sub = sub.dropna(subset=cols).assign(**{date: pd.to_datetime(data[date]).dt.normalize()})
        g = sub.groupby([date, variant], observed=True)
        agg = g[cols].sum()
        n = g.size()
        den = agg[spec.denom] if spec.denom else n
        frames.append(pd.DataFrame({"value": agg[spec.numer] / den, "n": n})
                      .reset_index().assign(metric=spec.name))
    out = pd.concat(frames, ignore_index=True).rename(columns={date: "date", variant: "variant"})
    out["variant"] = out["variant"].astype("str")
    return out[["date", "metric", "variant", "value", "n"]]


# --- planning --------------------------------------------------------------------------------

def _absolute(baseline: float, mde: float, relative: bool) -> float:
    diff = baseline * mde if relative else mde
    if diff == 0:
        raise ShopDataError("the minimum detectable effect must not be 0")
    return diff


def _check_rate(baseline: float, diff: float, sd: float | None) -> None:
    if sd is None and not (0 < baseline < 1 and 0 < baseline + diff < 1):
        raise ShopDataError(f"a conversion rate and its changed value must lie between 0 and "
                            f"1; got {baseline} and {baseline + diff} (give sd= for a mean)")
    if sd is not None and not sd > 0:
        raise ShopDataError(f"sd must be positive; got {sd}")


def sample_size(baseline: float, mde: float, *, alpha: float = 0.05, power: float = 0.8,
                variants: int = 2, relative: bool = True, sd: float | None = None,
                null_variance: Literal["pooled", "baseline"] = "pooled") -> int:
    """Users per variant to detect a change of `mde` with the given power (two-sided).

    A conversion rate by default (statsmodels'
    ``samplesize_proportions_2indep_onetail``: the pooled z-test that `analyze`
    runs); a mean when its standard deviation `sd` is given (normal power).
    With more than two variants each treatment is compared with control at
    ``alpha / (variants - 1)`` (Bonferroni: conservative for Holm).
    ``null_variance="baseline"`` uses the baseline rate's variance under the
    null, as the classic online calculators (Evan Miller's) do: a few percent
    fewer users, and correspondingly a little less power than planned.

    Example:
        >>> sample_size(0.20, 0.05, relative=False)  # 20 % -> 25 %
        1094
        >>> sample_size(0.20, 0.05, relative=False, null_variance="baseline")
        1031
    """
    diff = _absolute(baseline, mde, relative)
    _check_rate(baseline, diff, sd)
    a = alpha / max(variants - 1, 1)
    if sd is not None:
        n = smp.NormalIndPower().solve_power(effect_size=abs(diff) / sd, alpha=a, power=power)
    elif null_variance == "baseline":
        p2 = baseline + diff
        n = smp.normal_sample_size_one_tail(
            abs(diff), power, a / 2, std_null=math.sqrt(2 * baseline * (1 - baseline)),
            std_alternative=math.sqrt(baseline * (1 - baseline) + p2 * (1 - p2)))
    else:
        n = smprop.samplesize_proportions_2indep_onetail(diff, baseline, power, alpha=a)
    return int(math.ceil(float(n) - 1e-9))


def power(baseline: float, mde: float, n: float, *, alpha: float = 0.05, variants: int = 2,
          relative: bool = True, sd: float | None = None, ratio: float = 1.0) -> float:
    """Power of the two-sided test with `n` users in a treatment and ``ratio * n`` in control.

    Rates via statsmodels' ``power_proportions_2indep`` (pooled null variance),
    means (with `sd`) via ``NormalIndPower``.

    Example:
        >>> round(power(0.75, -0.25, 76.70692, relative=False), 6)
        0.9
    """
    diff = _absolute(baseline, mde, relative)
    _check_rate(baseline, diff, sd)
    a = alpha / max(variants - 1, 1)
    if sd is not None:
        return float(smp.NormalIndPower().power(abs(diff) / sd, n, a, ratio=ratio))
    return float(smprop.power_proportions_2indep(diff, baseline, n, ratio=ratio, alpha=a).power)


@dataclass(frozen=True)
class Duration:
    """How long a test must run: users needed and days at the given traffic.

    ``days`` is ``days_needed`` rounded up to whole weeks, and at least 7, so
    every weekday is seen equally often.
    """

    n_per_variant: int
    n_total: int
    days_needed: int
    days: int


def duration(baseline: float, mde: float, daily_traffic: float, *, alpha: float = 0.05,
             power: float = 0.8, variants: int = 2, relative: bool = True,
             sd: float | None = None, traffic_share: float = 1.0) -> Duration:
    """Days to run a test at `daily_traffic` users a day, of which `traffic_share` enter it.

    Example:
        >>> duration(0.04, 0.15, daily_traffic=24000, variants=4)
        Duration(n_per_variant=23933, n_total=95732, days_needed=4, days=7)
    """
    if not daily_traffic * traffic_share > 0:
        raise ShopDataError(f"daily traffic must be positive; got {daily_traffic} x "
                            f"{traffic_share}")
    n = sample_size(baseline, mde, alpha=alpha, power=power, variants=variants,
                    relative=relative, sd=sd)
    total = n * variants
    needed = math.ceil(total / (daily_traffic * traffic_share))
    return Duration(n, total, needed, max(7, 7 * math.ceil(needed / 7)))


def plan_curve(baseline: float, mdes: Iterable[float], *, daily_traffic: float | None = None,
               alpha: float = 0.05, power: float = 0.8, variants: int = 2,
               relative: bool = True, sd: float | None = None) -> pd.DataFrame:
    """Sample size per variant (and days, given traffic) for a range of effects: the
    planner's curve.

    Example:
        >>> plan_curve(0.2, [0.05, 0.1], relative=False)["n_per_variant"].tolist()
        [1094, 294]
    """
    rows = []
    for mde in mdes:
        n = sample_size(baseline, mde, alpha=alpha, power=power, variants=variants,
                        relative=relative, sd=sd)
        days = (math.ceil(n * variants / daily_traffic) if daily_traffic else math.nan)
        rows.append({"mde": mde, "n_per_variant": n, "n_total": n * variants, "days": days})
    return pd.DataFrame(rows, columns=["mde", "n_per_variant", "n_total", "days"])


# --- verdict ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """One reason behind a verdict: a code (a label key on the page) and its numbers."""

    code: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """``decision`` is ``"ship"``, ``"keep running"``, ``"stop"`` or ``"no verdict"``
    (the sample-ratio check failed: ``srm_warning``); ``winner`` names the variant to
    ship."""

    decision: str
    reasons: tuple[Reason, ...]
    srm_warning: bool = False
    winner: str | None = None


def verdict(result: pd.DataFrame, *, primary: str | None = None,
            guardrails: Sequence[str] = (), lower_is_better: Sequence[str] = (),
            mde: float = 0.05, power: float = 0.8, min_days: int = 7, max_days: int = 56,
            days: int | None = None, srm_pvalue: float | None = None) -> Verdict:
    """Ship, keep running or stop, and why, from an `analyze` result.

    In order: a sample-ratio mismatch (p < 0.001) holds back any verdict;
    significant harm on a guardrail metric stops the test; fewer than
    `min_days` days, or not whole weeks, keeps it running; then the primary
    metric (default: the first): a significant gain ships the best such
    variant; otherwise, if the test lacks `power` to detect an effect as large
    as observed or `mde` (relative), it keeps running when that takes at most
    `max_days` in all and stops as inconclusive when longer; with enough power
    and no significant gain it stops (a null result, or a significant loss).
    "Significant" is ``pvalue_adjusted < alpha``; in Bayesian mode
    ``chance_to_win`` above ``1 - alpha`` (below `alpha` for harm).
    `days` and `srm_pvalue` default to the result's ``attrs``.

    Example:
        >>> res = pd.DataFrame({"metric": ["ctr"], "variant": ["B"], "control": [0.04],
        ...     "effect_size": [0.006], "rel_effect_size": [0.15], "pvalue_adjusted": [0.001],
        ...     "chance_to_win": [0.999], "effect_size_se": [0.0015]})
        >>> v = verdict(res, days=14, srm_pvalue=0.4)
        >>> v.decision, v.winner, [r.code for r in v.reasons]
        ('ship', 'B', ['significant_gain'])
    """
    attrs = result.attrs
    days = attrs.get("days") if days is None else days
    srm_p = attrs.get("srm_pvalue") if srm_pvalue is None else srm_pvalue
    alpha = attrs.get("alpha", 0.05)
    bayes = attrs.get("method") == "bayesian"
    if srm_p is not None and srm_p < SRM_ALPHA:
        return Verdict("no verdict", (Reason("srm", {"pvalue": srm_p}),), srm_warning=True)
    if result.empty:
        raise ShopDataError("the analysis has no rows to judge")
    primary = primary or str(result["metric"].iloc[0])
    if primary not in set(result["metric"]):
        raise ShopDataError(f"primary metric {primary!r} is not in the result")
    good = result.apply(_signed_significance, axis=1, alpha=alpha, bayes=bayes,
                        lower=set(lower_is_better))

    harm = result[result["metric"].isin(guardrails) & (good < 0)]
    if len(harm):
        return Verdict("stop", tuple(
            Reason("guardrail_harm", {"metric": r.metric, "variant": r.variant,
                                      "rel_effect_size": r.rel_effect_size})
            for r in harm.itertuples()))

    timing = []
    if days is not None and days < min_days:
        timing.append(Reason("too_short", {"days": days, "min_days": min_days}))
    elif days is not None and days % 7:
        timing.append(Reason("not_whole_weeks", {"days": days,
                                                 "until": 7 * math.ceil(days / 7)}))

    prim = result[result["metric"] == primary]
    gains = prim[good[prim.index] > 0]
    if len(gains):
        sign = -1 if primary in lower_is_better else 1
        best = gains.loc[(sign * gains["rel_effect_size"]).idxmax()]
        why = Reason("significant_gain", {"metric": primary, "variant": best["variant"],
                                          "rel_effect_size": best["rel_effect_size"]})
        if timing:
            return Verdict("keep running", (*timing, why))
        return Verdict("ship", (why,), winner=str(best["variant"]))
    if timing:
        return Verdict("keep running", tuple(timing))

    reasons, decision = [], "stop"
    for r in prim[good[prim.index] == 0].itertuples():
        need = _power_need(r, mde=mde, alpha=alpha, power=power)
        if need["power"] >= power:
            reasons.append(Reason("no_effect", {"metric": primary, "variant": r.variant,
                                                "mde": need["effect"]}))
            continue
        extra = None if days is None else math.ceil(days * (need["factor"] - 1))
        fields = {"metric": primary, "variant": r.variant, "power": need["power"],
                  "mde": need["effect"], "factor": need["factor"], "extra_days": extra}
        if extra is not None and days + extra > max_days:
            reasons.append(Reason("too_long", fields | {"max_days": max_days}))
        else:
            reasons.append(Reason("underpowered", fields))
            decision = "keep running"
    for r in prim[good[prim.index] < 0].itertuples():
        reasons.append(Reason("significant_loss", {"metric": primary, "variant": r.variant,
                                                   "rel_effect_size": r.rel_effect_size}))
    return Verdict(decision, tuple(reasons))


def _signed_significance(row: pd.Series, *, alpha: float, bayes: bool, lower: set[str]) -> int:
    """+1 significantly better, -1 significantly worse, 0 neither (for that metric's
    direction)."""
    sign = -1 if row["metric"] in lower else 1
    if bayes:
        ctw = row["chance_to_win"]
        up, down = ctw > 1 - alpha, ctw < alpha
    else:
        sig = row["pvalue_adjusted"] < alpha
        up, down = sig and row["effect_size"] > 0, sig and row["effect_size"] < 0
    return sign * (int(up) - int(down))


def _power_need(row: Any, *, mde: float, alpha: float, power: float) -> dict[str, float]:
    """Power at the current sample to detect max(|observed|, mde) (relative), and the
    factor by which the sample must grow to reach `power`."""
    effect = max(abs(row.rel_effect_size), mde)
    delta, se = effect * abs(row.control), row.effect_size_se
    if not (se > 0 and delta > 0):
        return {"power": 1.0, "effect": effect, "factor": 1.0}
    got = float(smp.normal_power(delta, 1, alpha, sigma=se))
    # n grows by f -> se shrinks by sqrt(f): the same one-tail formula statsmodels sizes with
    factor = float(smp.normal_sample_size_one_tail(delta, power, alpha / 2, std_null=se))
    return {"power": got, "effect": effect, "factor": max(factor, 1.0)}
