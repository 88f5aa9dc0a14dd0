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
    significance   which treatments are significantly better or worse
    sample_size, power, duration, plan_curve, plan_for   planning a test
    suggest_metrics, is_aggregated   what a table holds
    Metric         a metric's columns and kind (proportion, mean or ratio)
    experiment_names, one_experiment, variant_names, experiment_days, between_days,
    pre_period_covariate   one experiment's rows, variants, days and covariate
    with_significance   an `analyze` result with its significance marks

Example (a product-card test exported as counts per variant):
    >>> import pandas as pd
    >>> card = pd.DataFrame({"variant": ["A", "B"], "impressions": [20000, 20000],
    ...                      "clicks": [800, 940]})
    >>> res = analyze(card, {"ctr": ("clicks", "impressions")})
    >>> row = res.iloc[0]
    >>> print(row["variant"], row["control"], row["treatment"], f"{row['pvalue']:.4f}")
    B 0.04 0.047 0.0006
"""

from shopnb.experiments._tables import (
    Metric,
    between_days,
    clean,
    experiment_days,
    experiment_names,
    is_aggregated,
    one_experiment,
    pre_period_covariate,
    suggest_metrics,
    variant_names,
)
from shopnb.experiments.analysis import (
    CORRECTIONS,
    METHODS,
    RESULT_COLUMNS,
    analyze,
    cumulative,
    daily_values,
    sequential_interval,
    srm,
)
from shopnb.experiments.decision import (
    SRM_ALPHA,
    Reason,
    Verdict,
    significance,
    verdict,
    with_significance,
)
from shopnb.experiments.planning import (
    Duration,
    duration,
    plan_curve,
    plan_for,
    power,
    sample_size,
)

__all__ = [
    "CORRECTIONS",
    "METHODS",
    "RESULT_COLUMNS",
    "SRM_ALPHA",
    "Duration",
    "Metric",
    "Reason",
    "Verdict",
    "analyze",
    "between_days",
    "clean",
    "cumulative",
    "daily_values",
    "duration",
    "experiment_days",
    "experiment_names",
    "is_aggregated",
    "one_experiment",
    "plan_curve",
    "plan_for",
    "power",
    "pre_period_covariate",
    "sample_size",
    "sequential_interval",
    "significance",
    "srm",
    "suggest_metrics",
    "variant_names",
    "verdict",
    "with_significance",
]
