"""Analysis: every treatment against control, the sample-ratio check, peeking over time.

Example:
    >>> import pandas as pd
    >>> ab = pd.DataFrame({"variant": ["control", "new"], "users": [4000, 4000],
    ...                    "bought": [200, 260]})
    >>> res = analyze(ab, {"conversion": ("bought", "users")})
    >>> print(res["variant"].iloc[0], f"{res['rel_effect_size'].iloc[0]:.0%}")
    new 30%
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.ndimage
import scipy.special
import scipy.stats
import tea_tasting as tt

from shopnb.errors import ShopDataError
from shopnb.experiments._tables import (
    Metrics,
    _floats,
    _require_frame,
    _Spec,
    _specs,
    _Sums,
    _sums,
    _tt_metric,
    _variant_codes,
    clean,
    is_aggregated,
)
from shopnb.schema import renamed_keywords

__all__ = ["CORRECTIONS", "METHODS", "RESULT_COLUMNS", "analyze", "cumulative", "daily_values",
           "sequential_interval", "srm"]

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
_OVER_TIME = RESULT_COLUMNS[2:10]  # no p-values over time (see `cumulative`)
_DRAWS = 50_000      # posterior draws per variant in Bayesian mode
_DENSITY_POINTS = 120  # points of the posterior density curve


# --- one comparison --------------------------------------------------------------------------

def _compare(spec: _Spec, c: tt.aggr.Aggregates, t: tt.aggr.Aggregates, *, alpha: float,
             continuity: bool, log_scale: bool, test: bool = True) -> dict[str, float]:
    """Interval, test and normal-approximation standard error of the effect.

    Proportions get no ``pvalue`` unless `test`; with `log_scale`, the standard error of the
    log ratio comes too. The posterior and the sequential interval build on these.
    """
    level = 1 - alpha
    z = NormalDist().inv_cdf(1 - alpha / 2)
    out: dict[str, float] = {"control_n": c.count(), "treatment_n": t.count()}
    normal = None
    if spec.kind == "proportion":
        def prop(pooled: bool, cc: bool) -> Any:
            return tt.Proportion(spec.numer, method="norm", alternative="two-sided",
                                 confidence_level=level, correction=cc, equal_var=pooled
                                 ).analyze_aggregates(c, t)
        interval = prop(False, continuity)
        normal = prop(False, False) if continuity else interval
        res = interval._asdict() | {"pvalue": prop(True, continuity).pvalue if test
                                    else math.nan}
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


def _looks(spec: _Spec, pairs: Sequence[tuple[tt.aggr.Aggregates, tt.aggr.Aggregates]], *,
           alpha: float, continuity: bool, log_scale: bool) -> pd.DataFrame:
    """`_compare` (without the test) of many (control, treatment) pairs: one row per pair.

    Proportions are worked out with arrays (`_proportion_looks`): tea-tasting builds two
    frozen SciPy distributions per comparison, which adds up to much of an A/B page's
    redraw when the cumulative chart compares every day. Pairs with a rate of 0 or 1
    (where the normal interval degenerates) still go through tea-tasting.
    """
    if spec.kind != "proportion":
        return pd.DataFrame([_compare(spec, c, t, alpha=alpha, continuity=continuity,
                                      log_scale=log_scale, test=False) for c, t in pairs])
    counts = np.array([(c.count(), t.count()) for c, t in pairs], dtype="float64")
    rates = np.array([(c.mean(spec.numer), t.mean(spec.numer)) for c, t in pairs],
                     dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):  # rates of 0 or 1: answered below
        looks = pd.DataFrame(_proportion_looks(counts[:, 0], rates[:, 0], counts[:, 1],
                                               rates[:, 1], alpha=alpha, continuity=continuity))
    for i in np.flatnonzero(~((rates > 0) & (rates < 1)).all(axis=1)).tolist():
        row = _compare(spec, *pairs[i], alpha=alpha, continuity=continuity,
                       log_scale=log_scale, test=False)
        looks.loc[i, list(looks.columns)] = [row[c] for c in looks.columns]
    return looks


def _proportion_looks(nc: np.ndarray, pc: np.ndarray, nt: np.ndarray, pt: np.ndarray, *,
                      alpha: float, continuity: bool) -> dict[str, np.ndarray]:
    """`_compare`'s fields for proportion pairs as arrays, by tea-tasting's own formulas.

    The control rate is `pc` of `nc`, the treatment's `pt` of `nt`; the formulas are
    `tt.Proportion(method="norm", equal_var=False)`'s, two-sided: the unpooled normal
    interval and the log-ratio interval; no p-value. For rates strictly between 0 and 1.

    Example:
        >>> f = _proportion_looks(np.array([4000.0]), np.array([0.05]), np.array([4000.0]),
        ...                       np.array([0.065]), alpha=0.05, continuity=False)
        >>> [round(float(f[k][0]), 4) for k in ("effect_size_ci_lower", "effect_size_ci_upper")]
        [0.0048, 0.0252]
    """
    quantile = scipy.special.ndtri((1 + (1 - alpha)) / 2)  # as tea-tasting's frozen normal
    scale = np.sqrt(pc * (1 - pc) / nc + pt * (1 - pt) / nt)
    log_scale = np.sqrt((1 - pc) / (nc * pc) + (1 - pt) / (nt * pt))
    diff, ratio = pt - pc, pt / pc

    def interval(cc: Any) -> tuple[np.ndarray, ...]:
        half, rel_half = quantile * scale + cc, np.exp(quantile * log_scale + cc / pc)
        return (np.maximum(diff - half, -1), np.minimum(diff + half, 1),
                ratio / rel_half - 1, ratio * rel_half - 1)

    lower, upper, rel_lower, rel_upper = interval(0.5 * (1 / nc + 1 / nt) if continuity else 0)
    n_lower, n_upper, n_rel_lower, n_rel_upper = interval(0)  # the normal one, for the errors
    z = 2 * NormalDist().inv_cdf(1 - alpha / 2)
    se_log = np.where(n_rel_lower > -1, np.log((1 + n_rel_upper) / (1 + n_rel_lower)) / z, np.nan)
    return {"control_n": nc, "treatment_n": nt, "control": pc, "treatment": pt,
            "effect_size": diff, "effect_size_ci_lower": lower, "effect_size_ci_upper": upper,
            "rel_effect_size": ratio - 1, "rel_effect_size_ci_lower": rel_lower,
            "rel_effect_size_ci_upper": rel_upper, "effect_size_se": (n_upper - n_lower) / z,
            "_se_log": se_log}


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


def _sequential(stats: Any, *, alpha: float, n_tuning: Any) -> dict[str, Any]:
    """The always-valid interval and p-value of comparisons.

    `stats` is a row of `_compare` (floats) or a frame of them (columns).
    """
    n = stats["control_n"] + stats["treatment_n"]
    lo, hi, p = sequential_interval(stats["effect_size"], stats["effect_size_se"], n,
                                    alpha=alpha, n_tuning=n_tuning)
    with np.errstate(divide="ignore"):  # a rate of 0: the log ratio is -inf, its interval NaN
        log_ratio = np.log1p(stats["rel_effect_size"])
    rlo, rhi, _ = sequential_interval(log_ratio, stats["_se_log"], n, alpha=alpha,
                                      n_tuning=n_tuning)
    return {"effect_size_ci_lower": lo, "effect_size_ci_upper": hi, "pvalue": p,
            "rel_effect_size_ci_lower": np.expm1(rlo), "rel_effect_size_ci_upper": np.expm1(rhi)}


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
    """Draws of the absolute and relative effect.

    Beta-binomial for proportions (uniform prior), normal for means and ratios (flat prior;
    the relative effect log-normal).
    """
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
    """Fill chance to win, expected loss and credible intervals from posterior draws.

    Returns the posterior density of the relative effect, for charts.
    """
    diff, rel = _posterior_draws(spec, row, rng)
    q = [alpha / 2, 1 - alpha / 2]
    lo, hi = np.quantile(diff, q)
    rlo, rhi = np.quantile(rel, q)
    row.update(chance_to_win=float((diff > 0).mean()),
               expected_loss=float(np.maximum(-rel, 0).mean()),
               effect_size_ci_lower=float(lo), effect_size_ci_upper=float(hi),
               rel_effect_size_ci_lower=float(rlo), rel_effect_size_ci_upper=float(rhi))
    return _density(spec, row, rel)


def _density(spec: _Spec, row: dict[str, float], rel: np.ndarray) -> pd.DataFrame:
    """The posterior density of the relative effect on a grid.

    Exact (log-normal) for means and ratios; for proportions a histogram of the draws,
    lightly smoothed.
    """
    lo, hi = np.quantile(rel, [0.0005, 0.9995])
    if spec.kind != "proportion":
        grid = np.linspace(lo, hi, _DENSITY_POINTS)
        lognormal = scipy.stats.lognorm(s=row["_se_log"], scale=1 + row["rel_effect_size"])
        return pd.DataFrame({"rel_effect_size": grid, "density": lognormal.pdf(1 + grid)})
    counts, edges = np.histogram(rel, bins=_DENSITY_POINTS, range=(lo, hi), density=True)
    smooth = scipy.ndimage.gaussian_filter1d(counts, sigma=2, mode="constant")
    return pd.DataFrame({"rel_effect_size": (edges[:-1] + edges[1:]) / 2, "density": smooth})


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
             covariates: Mapping[str, str] | str | None, user_id: str, date: str) -> _Prepared:
    data = _require_frame(data, variant)
    aggregated = is_aggregated(data, variant=variant, user_id=user_id, date=date)
    attrs: dict[str, Any] = {"excluded": {}, "notes": []}
    if not aggregated:
        data = clean(data, variant=variant, user_id=user_id)
        attrs = {"excluded": data.attrs["excluded"], "notes": list(data.attrs["notes"])}
    specs = _specs(data, metrics, aggregated, covariates)
    codes, names = _variant_codes(data, variant, control)
    if date in data.columns:
        attrs["days"] = int(data[date].dropna().dt.normalize().nunique()) \
            if pd.api.types.is_datetime64_any_dtype(data[date]) else int(data[date].nunique())
    return _Prepared(data, codes, names, specs, aggregated, attrs)


@renamed_keywords(unit="user_id")
def analyze(data: pd.DataFrame, metrics: Metrics, *, variant: str = "variant",
            control: object | None = None, alpha: float = 0.05, correction: Correction = "holm",
            method: Method = "frequentist", covariates: Mapping[str, str] | str | None = None,
            sequential: bool = False, n_tuning: float | None = None, continuity: bool = False,
            user_id: str = "user_id", date: str = "date", seed: int = 0) -> pd.DataFrame:
    """Every treatment variant against control, for every metric.

    Args:
        data: one row per user (metric columns: 0/1 flags, amounts, counts), or
            aggregates: one row per variant, or per variant and day, with count
            columns (impressions, clicks, orders, revenue) as exports give them.
            User rows are cleaned first (see `clean`); what was left out is in
            ``attrs["excluded"]`` and ``attrs["notes"]``.
        metrics: name -> column (a mean or proportion per user),
            ``(numerator, denominator)`` (a ratio such as CTR = clicks /
            impressions, GMV per impression) or a `Metric`, whose ``kind``
            says how it is analysed. Without a kind it is inferred from the
            values (see `Metric`): on aggregates, where every metric is a pair,
            two count columns whose numerator never exceeds the denominator are
            a binomial proportion (z-test on the totals); any other pair (money
            per impression) is a ratio with the rows (days) as units, by the
            delta method.
        variant: the variant column.
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
            so the test may be looked at every day.
        n_tuning: the planned total sample of the sequential intervals (default: the
            current one).
        continuity: Yates' continuity correction for proportions.
        user_id: the user-id column, when present.
        date: the date column, when present.
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
                    user_id=user_id, date=date)
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
                row.update({k: float(v) for k, v in
                            _sequential(row, alpha=alpha, n_tuning=n_tuning).items()})
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
        variant: the variant column.
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

@renamed_keywords(unit="user_id")
def cumulative(data: pd.DataFrame, metrics: Metrics, *, variant: str = "variant",
               control: object | None = None, date: str = "date", alpha: float = 0.05,
               sequential: bool = False, covariates: Mapping[str, str] | str | None = None,
               continuity: bool = False, user_id: str = "user_id") -> pd.DataFrame:
    """Effect and interval on the data up to each day: what a daily look would have shown.

    A lift that shrinks over the days is a novelty effect; intervals that keep
    crossing 0 mean keep waiting. With ``sequential=True`` the intervals are
    always valid (tuned to the whole test's sample), so stopping at the first
    day they exclude 0 keeps the false-positive rate at `alpha`. No p-values:
    a fixed-horizon p-value read every day is exactly what inflates false
    positives; read the (sequential) interval.

    Returns:
        One row per day, metric and treatment: ``date``, ``metric``,
        ``variant``, ``control``, ``treatment`` and the effects with their
        intervals, as in `analyze`.

    Example:
        >>> days = pd.to_datetime(["2024-05-01", "2024-05-02"])
        >>> df = pd.DataFrame({"date": days.repeat(2), "variant": ["a", "b"] * 2,
        ...                    "impressions": [1000] * 4, "clicks": [40, 50, 40, 60]})
        >>> cumulative(df, {"ctr": ("clicks", "impressions")})["treatment"].tolist()
        [0.05, 0.055]
    """
    prep = _prepare(data, metrics, variant=variant, control=control, covariates=covariates,
                    user_id=user_id, date=date)
    if date not in prep.data.columns:
        raise ShopDataError(f"no date column {date!r} to follow the test over time", column=date)
    day = pd.to_datetime(prep.data[date]).dt.normalize()
    day_codes, days = pd.factorize(day, sort=True)
    k, d = len(prep.names), len(days)
    groups = np.where(day_codes >= 0, prep.codes * d + day_codes, -1)
    frames = []
    for spec in prep.specs:
        sums = _sums(prep.data, spec, groups, k * d)
        sums = _Sums(sums.n.reshape(k, d), sums.shift,
                     {c: v.reshape(k, d) for c, v in sums.s.items()},
                     {c: v.reshape(k, d) for c, v in sums.q.items()}).cumulate()
        final = [sums.aggregates(spec, (g, d - 1)).count() for g in range(k)]
        cells, pairs = [], []
        for j in range(d):
            c = sums.aggregates(spec, (0, j))
            if c.count() < 2:
                continue
            for g in range(1, k):
                t = sums.aggregates(spec, (g, j))
                if t.count() >= 2:
                    cells.append((days[j], prep.names[g], final[0] + final[g]))
                    pairs.append((c, t))
        if not pairs:
            continue
        looks = _looks(spec, pairs, alpha=alpha, continuity=continuity, log_scale=sequential)
        when, names, n_tuning = (list(x) for x in zip(*cells, strict=True))
        if sequential:  # tuned to the whole test's sample, the same at every look
            looks = looks.assign(**_sequential(looks, alpha=alpha, n_tuning=np.array(n_tuning)))
        frames.append(looks[list(_OVER_TIME)].assign(date=when, metric=spec.name, variant=names))
    cols = ["date", "metric", "variant", *_OVER_TIME]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


@renamed_keywords(unit="user_id")
def daily_values(data: pd.DataFrame, metrics: Metrics, *, variant: str = "variant",
                 date: str = "date", user_id: str = "user_id") -> pd.DataFrame:
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
    aggregated = is_aggregated(data, variant=variant, user_id=user_id, date=date)
    if not aggregated:
        data = clean(data, variant=variant, user_id=user_id)
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
