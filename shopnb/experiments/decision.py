"""The verdict on a test: ship, keep running or stop, and the reasons.

Example:
    >>> import pandas as pd
    >>> res = pd.DataFrame({"metric": ["ctr"], "variant": ["B"], "effect_size": [-0.01],
    ...                     "pvalue_adjusted": [0.2], "chance_to_win": [0.1]})
    >>> res.attrs["srm_pvalue"] = 1e-6
    >>> verdict(res).decision
    'no verdict'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import statsmodels.stats.power as smp

from shopnb.errors import ShopDataError

__all__ = ["SRM_ALPHA", "Reason", "Verdict", "significance", "verdict"]

SRM_ALPHA = 0.001    # below this the sample-ratio check holds back every verdict


# --- verdict ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """One reason behind a verdict: a code (a label key on the page) and its numbers."""

    code: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """What to do with an experiment, and why.

    ``decision`` is ``"ship"``, ``"keep running"``, ``"stop"`` or ``"no verdict"`` (the
    sample-ratio check failed: ``srm_warning``); ``winner`` names the variant to ship.
    """

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
    if srm_p is not None and srm_p < SRM_ALPHA:
        return Verdict("no verdict", (Reason("srm", {"pvalue": srm_p}),), srm_warning=True)
    if result.empty:
        raise ShopDataError("the analysis has no rows to judge")
    primary = primary or str(result["metric"].iloc[0])
    if primary not in set(result["metric"]):
        raise ShopDataError(f"primary metric {primary!r} is not in the result")
    good = significance(result, lower_is_better=lower_is_better)

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


def significance(result: pd.DataFrame, *, lower_is_better: Sequence[str] = ()) -> pd.Series:
    """+1 where a treatment is significantly better, -1 significantly worse, 0 neither.

    As `verdict` judges it: ``pvalue_adjusted < alpha`` (``chance_to_win`` beyond
    ``1 - alpha`` in Bayesian mode), in each metric's direction.

    Example:
        >>> res = pd.DataFrame({"metric": ["ctr", "ctr"], "effect_size": [0.01, -0.01],
        ...                     "pvalue_adjusted": [0.01, 0.3], "chance_to_win": [0.99, 0.1]})
        >>> significance(res).tolist()
        [1, 0]
    """
    if result.empty:
        return pd.Series([], dtype="int64")
    alpha = result.attrs.get("alpha", 0.05)
    bayes = result.attrs.get("method") == "bayesian"
    return result.apply(_signed_significance, axis=1, alpha=alpha, bayes=bayes,
                        lower=set(lower_is_better)).astype("int64")


def _signed_significance(row: pd.Series, *, alpha: float, bayes: bool, lower: set[str]) -> int:
    """+1 significantly better, -1 significantly worse, 0 neither.

    Better and worse follow the metric's direction (`lower` names the lower-is-better ones).
    """
    sign = -1 if row["metric"] in lower else 1
    if bayes:
        ctw = row["chance_to_win"]
        up, down = ctw > 1 - alpha, ctw < alpha
    else:
        sig = row["pvalue_adjusted"] < alpha
        up, down = sig and row["effect_size"] > 0, sig and row["effect_size"] < 0
    return sign * (int(up) - int(down))


def _power_need(row: Any, *, mde: float, alpha: float, power: float) -> dict[str, float]:
    """Power at the current sample, and the factor by which the sample must grow.

    The power is to detect max(|observed|, mde) (relative); the factor reaches `power`.
    """
    effect = max(abs(row.rel_effect_size), mde)
    delta, se = effect * abs(row.control), row.effect_size_se
    if not (se > 0 and delta > 0):
        return {"power": 1.0, "effect": effect, "factor": 1.0}
    got = float(smp.normal_power(delta, 1, alpha, sigma=se))
    # n grows by f -> se shrinks by sqrt(f): the same one-tail formula statsmodels sizes with
    factor = float(smp.normal_sample_size_one_tail(delta, power, alpha / 2, std_null=se))
    return {"power": got, "effect": effect, "factor": max(factor, 1.0)}


def with_significance(result: pd.DataFrame, *, lower_is_better: Sequence[str] = ()
                      ) -> pd.DataFrame:
    """`result` (an `analyze` output, its ``attrs`` kept) with a ``significance`` column.

    +1 significantly better, -1 significantly worse, 0 neither (`significance`).

    Example:
        >>> res = pd.DataFrame({"metric": ["ctr", "ctr"], "effect_size": [0.01, -0.01],
        ...                     "pvalue_adjusted": [0.01, 0.3], "chance_to_win": [0.99, 0.1]})
        >>> with_significance(res)["significance"].tolist()
        [1, 0]
    """
    out = result.copy()
    out["significance"] = significance(result, lower_is_better=lower_is_better)
    return out
