"""A/B analysis of 10 million users: `shopnb.experiments.analyze` vs tea-tasting called directly.

    .venv/bin/python benchmarks/bench_experiments.py [--users 10000000] [--repeat 3]

Generates one row per user (user_id, variant in three arms, converted 0/1,
revenue, sessions and orders) with a small true lift in one arm, then times
three metrics (conversion: a proportion; revenue: a mean; orders per session: a
ratio, delta method) through

* ``analyze(df, metrics)``: the duplicate-user check, one NumPy pass of sums per
  column, tea-tasting on the summary statistics, Holm adjustment, SRM check;
* ``tt.Experiment(...).analyze(df, control=..., all_variants=True)``: tea-tasting
  reading the same pandas frame itself (through narwhals).

Each is run once to warm up, then best of --repeat. Peak memory is the peak of
Python-visible allocations during one call (tracemalloc; NumPy and pandas
report theirs), and the process's peak RSS is printed at the end. Checks that
both give the same numbers. Prints PASS/OVER against the budget (DESIGN.md:
A/B analysis of 10 million users under 1 s, and faster than tea-tasting).

Exit status: 0 when the numbers agree (budgets only print PASS/OVER), 1 otherwise.
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
import tea_tasting as tt
from memory import MB, peak_rss_mb

from shopnb.experiments import analyze

TIME_BUDGET_S = 1.0
METRICS = {"conversion": "converted", "revenue": "revenue",
           "orders_per_session": ("orders", "sessions")}


def generate(users: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    variant = rng.integers(0, 3, users)
    converted = rng.random(users) < np.where(variant == 2, 0.052, 0.05)
    sessions = rng.integers(1, 6, users)
    return pd.DataFrame({
        "user_id": rng.permutation(users),
        "variant": pd.Categorical.from_codes(variant, ["control", "b", "c"]),
        "converted": converted.astype(np.int8),
        "revenue": np.where(converted, rng.lognormal(4.0, 0.6, users), 0.0),
        "sessions": sessions,
        "orders": rng.binomial(sessions, 0.1),
    })


def shopnb_analyze(df: pd.DataFrame) -> pd.DataFrame:
    return analyze(df, METRICS, control="control")


def tea_tasting_direct(df: pd.DataFrame) -> object:
    """What analyze computes, asked of tea-tasting: the pooled z-test's p-value and the
    unpooled interval for conversion, Welch for revenue, the delta method for the ratio."""
    experiment = tt.Experiment(
        conversion=tt.Proportion("converted", method="norm", correction=False),
        conversion_interval=tt.Proportion("converted", method="norm", correction=False,
                                          equal_var=False),
        revenue=tt.Mean("revenue"),
        orders_per_session=tt.RatioOfMeans("orders", "sessions"),
    )
    return experiment.analyze(df.drop(columns="user_id"), control="control", all_variants=True)


def timed(fn: Callable[[pd.DataFrame], object], df: pd.DataFrame, repeat: int
          ) -> tuple[float, float, object]:
    """Best time of `repeat` runs after a warm-up, and the peak of traced allocations (MB)."""
    result = fn(df)
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(df)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn(df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / MB, result


def agree(ours: pd.DataFrame, theirs: object) -> bool:
    """Same means, effects, intervals and raw p-values (before Holm)."""
    ok = True
    for (_, treatment), res in theirs.items():
        for name, want in res.items():
            metric = name.removesuffix("_interval")
            got = ours[(ours["metric"] == metric) & (ours["variant"] == treatment)].iloc[0]
            keys = ["control", "treatment", "effect_size"]
            keys += (["effect_size_ci_lower", "rel_effect_size_ci_upper"]
                     if name != "conversion" else ["pvalue"])
            if name not in ("conversion", "conversion_interval"):
                keys.append("pvalue")
            for key in keys:
                if not math.isclose(got[key], getattr(want, key), rel_tol=1e-6, abs_tol=1e-12):
                    print(f"MISMATCH {metric} {treatment} {key}: {got[key]} vs "
                          f"{getattr(want, key)}")
                    ok = False
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    df = generate(args.users)
    print(f"generated {len(df):,} users x {len(METRICS)} metrics x 3 variants in "
          f"{time.perf_counter() - start:.1f} s "
          f"({df.memory_usage(deep=True).sum() / MB:,.0f} MB in memory)")

    ours_s, ours_mb, ours = timed(shopnb_analyze, df, args.repeat)
    tt_s, tt_mb, theirs = timed(tea_tasting_direct, df, args.repeat)
    same = agree(ours, theirs)

    print(f"\n{'':<34}{'time (best of ' + str(args.repeat) + ')':>22}{'peak traced':>14}")
    print(f"{'shopnb analyze':<34}{ours_s:>20.2f} s{ours_mb:>11,.0f} MB")
    print(f"{'tea-tasting Experiment.analyze':<34}{tt_s:>20.2f} s{tt_mb:>11,.0f} MB")
    print(f"\nanalyze / tea-tasting direct: time {ours_s / tt_s:.2f}x, "
          f"peak memory {ours_mb / tt_mb:.2f}x")
    ok = ours_s < TIME_BUDGET_S and ours_s < tt_s
    print(f"budget: analyze under {TIME_BUDGET_S:g} s and faster than tea-tasting: "
          f"{ours_s:.2f} s against {tt_s:.2f} s {'PASS' if ok else 'OVER'}")
    print(f"same numbers as tea-tasting: {'yes' if same else 'NO'}")
    print(f"process peak RSS: {peak_rss_mb():,.0f} MB")
    print("\n" + ours[["metric", "variant", "control", "treatment", "rel_effect_size",
                       "pvalue", "pvalue_adjusted"]].to_string(index=False))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
