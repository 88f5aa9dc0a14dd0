"""Planning a test: users per variant, power, days at a given traffic.

Example:
    >>> sample_size(0.04, 0.15)  # CTR 4 %, to see a 15 % lift
    17943
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import statsmodels.stats.power as smp
import statsmodels.stats.proportion as smprop

from shopnb.errors import ShopDataError

__all__ = ["Duration", "duration", "plan_curve", "plan_for", "power", "sample_size"]


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
        return _normal_sample_size(abs(diff) / sd, a, power)
    if null_variance == "baseline":
        p2 = baseline + diff
        n = smp.normal_sample_size_one_tail(
            abs(diff), power, a / 2, std_null=math.sqrt(2 * baseline * (1 - baseline)),
            std_alternative=math.sqrt(baseline * (1 - baseline) + p2 * (1 - p2)))
    else:
        n = smprop.samplesize_proportions_2indep_onetail(diff, baseline, power, alpha=a)
    return int(math.ceil(float(n) - 1e-9))


def _normal_sample_size(effect: float, alpha: float, power: float) -> int:
    """The fewest users per group for which statsmodels' `NormalIndPower` reaches `power`.

    Two-sided, equal groups, on a standardised `effect`: its closed form for one tail, then
    the other tail (under 1e-6 at 80 % power) may save a user. ``solve_power`` gives the
    same (see the tests) but searches, which is too slow for a planner's curve of many
    effects.

    Example:
        >>> _normal_sample_size(5 / 80, 0.05, 0.8)
        4019
    """
    sd = math.sqrt(2)  # of a difference of two means, per unit of the groups' spread
    n = math.ceil(smp.normal_sample_size_one_tail(effect, power, alpha / 2, std_null=sd,
                                                  std_alternative=sd) - 1e-9)
    while n > 2 and smp.NormalIndPower().power(effect, n - 1, alpha) >= power:
        n -= 1
    return n


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
    return Duration(n, total, *_days(total, daily_traffic * traffic_share))


def plan_curve(baseline: float, mdes: Iterable[float], *, daily_traffic: float | None = None,
               alpha: float = 0.05, power: float = 0.8, variants: int = 2,
               relative: bool = True, sd: float | None = None) -> pd.DataFrame:
    """Sample size per variant for a range of effects: the planner's curve.

    Given the daily traffic, also the days needed and the days to run (whole weeks, at
    least 7).

    Example:
        >>> plan_curve(0.2, [0.05, 0.1], relative=False, daily_traffic=100)
            mde  n_per_variant  n_total  days  run_days
        0  0.05           1094     2188    22        28
        1  0.10            294      588     6         7
    """
    rows = []
    for mde in mdes:
        n = sample_size(baseline, mde, alpha=alpha, power=power, variants=variants,
                        relative=relative, sd=sd)
        days, run = _days(n * variants, daily_traffic) if daily_traffic else (math.nan,
                                                                              math.nan)
        rows.append({"mde": mde, "n_per_variant": n, "n_total": n * variants, "days": days,
                     "run_days": run})
    return pd.DataFrame(rows, columns=["mde", "n_per_variant", "n_total", "days", "run_days"])


def _days(total: float, daily_traffic: float) -> tuple[int, int]:
    """Days needed at the traffic, and days to run: whole weeks, at least one."""
    needed = math.ceil(total / daily_traffic)
    return needed, max(7, 7 * math.ceil(needed / 7))


def plan_for(result: pd.DataFrame, metric: str, mdes: Iterable[float], *, power: float = 0.8
             ) -> pd.DataFrame:
    """The planner's curve for a metric already analysed.

    The baseline is its control value; the spread per unit is the one its standard error
    implies (means and ratios); the variants, alpha and traffic per day are the result's.

    Example:
        >>> from shopnb.experiments import analyze
        >>> card = pd.DataFrame({"variant": ["A", "B"], "impressions": [20000, 20000],
        ...                      "clicks": [800, 940], "date": pd.Timestamp("2024-05-01")})
        >>> res = analyze(card, {"ctr": ("clicks", "impressions")})
        >>> plan_for(res, "ctr", [0.1])[["n_per_variant", "days"]].values.tolist()
        [[39475, 2]]
    """
    rows = result[result["metric"] == metric]
    if rows.empty:
        raise ShopDataError(f"metric {metric!r} is not in the result")
    first = rows.iloc[0]
    sd = None
    if first["kind"] != "proportion":
        sd = first["effect_size_se"] / math.sqrt(1 / first["control_n"] + 1 / first["treatment_n"])
    days = result.attrs.get("days")
    traffic = (first["control_n"] + rows["treatment_n"].sum()) / days if days else None
    variants = len(result.attrs.get("variants", [])) or len(rows) + 1
    curve = plan_curve(first["control"], mdes, daily_traffic=traffic,
                       alpha=result.attrs.get("alpha", 0.05), power=power, variants=variants,
                       sd=sd)
    curve.attrs["daily_traffic"] = traffic
    return curve
