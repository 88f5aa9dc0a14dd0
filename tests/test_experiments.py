"""shopnb.experiments: peers' published numbers, the libraries it glues, real data, simulation.

Every expected number is either recomputed here by the library the module
calls (tea-tasting, statsmodels, SciPy) on the same input, exact on a tiny
hand-made table, or quoted from ../shared/realdata/REFERENCE_RESULTS.md with
its source named.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.integrate
import scipy.special
import scipy.stats
import statsmodels.stats.multitest as multitest
import statsmodels.stats.power as smp
import statsmodels.stats.proportion as smprop
import tea_tasting as tt

from shopnb import experiments as ex
from shopnb.datasets import make_shop_data
from shopnb.errors import DataIssue, ShopDataError

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
needs_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(),
    reason=f"real public data not found at {REALDATA} (only present next to the repo as "
           "../shared/realdata)")


def two_rows(x: tuple[int, int], n: tuple[int, int]) -> pd.DataFrame:
    """Counts per variant, as a back-office export gives them (control first)."""
    return pd.DataFrame({"variant": ["control", "treatment"], "converted": list(x),
                         "users": list(n)})


def users(rng: np.random.Generator, sizes: dict[str, int], **columns) -> pd.DataFrame:
    """One row per user; each keyword is a function (rng, variant, size) -> values."""
    parts = [pd.DataFrame({"variant": v, **{c: f(rng, v, n) for c, f in columns.items()}})
             for v, n in sizes.items()]
    return pd.concat(parts, ignore_index=True)


# --- REFERENCE_RESULTS.md: proportions (control 19/53, treatment 13/47) ----------------------

REF = two_rows((19, 13), (53, 47))
CONVERSION = {"conversion": ("converted", "users")}
TABLE = np.array([[13, 19], [47 - 13, 53 - 19]])  # treatment, control x converted, not


def test_reference_yates_chi_square_is_analyzes_continuity_corrected_pooled_z_test():
    published = 0.5083165530405195  # Pearson chi-square with Yates correction
    res = ex.analyze(REF, CONVERSION, continuity=True)
    assert res["pvalue"].iloc[0] == pytest.approx(published, rel=1e-12)
    assert scipy.stats.chi2_contingency(TABLE, correction=True).pvalue == pytest.approx(
        published, rel=1e-12)


def test_reference_g_test_and_fisher_through_the_libraries():
    # analyze does not run these tests; the libraries that would are checked instead
    g_corrected, g_plain, fisher = 0.50763, 0.37976, 0.39999  # published
    for correction, published in ((True, g_corrected), (False, g_plain)):
        p = scipy.stats.chi2_contingency(TABLE, correction=correction,
                                         lambda_="log-likelihood").pvalue
        assert p == pytest.approx(published, abs=5e-6)
        metric = tt.Proportion("converted", method="log-likelihood", correction=correction)
        assert _tt_prop(metric).pvalue == pytest.approx(published, abs=5e-6)
    assert scipy.stats.fisher_exact(TABLE).pvalue == pytest.approx(fisher, abs=5e-6)
    assert _tt_prop(tt.Proportion("converted", method="fisher")).pvalue == pytest.approx(
        fisher, abs=5e-6)


def _tt_prop(metric: tt.Proportion):
    c = tt.aggr.Aggregates(53, {"converted": 19 / 53})
    t = tt.aggr.Aggregates(47, {"converted": 13 / 47})
    return metric.analyze_aggregates(c, t)


def test_reference_pooled_continuity_corrected_interval_through_tea_tasting():
    # analyze's interval is unpooled (next test); the pooled one is tea-tasting's default
    res = _tt_prop(tt.Proportion("converted", method="norm", correction=True, equal_var=True))
    assert res.effect_size_ci_lower == pytest.approx(-0.28515, abs=5e-6)
    assert res.effect_size_ci_upper == pytest.approx(0.12136, abs=5e-6)


def test_reference_unpooled_interval_is_analyzes_and_its_pvalue_tea_tastings():
    res = ex.analyze(REF, CONVERSION, continuity=True).iloc[0]
    assert res["effect_size_ci_lower"] == pytest.approx(-0.28369, abs=5e-6)
    assert res["effect_size_ci_upper"] == pytest.approx(0.11990, abs=5e-6)
    unpooled = _tt_prop(tt.Proportion("converted", method="norm", correction=True,
                                      equal_var=False))
    assert unpooled.pvalue == pytest.approx(0.50491, abs=5e-6)
    assert res["effect_size"] == pytest.approx(13 / 47 - 19 / 53, rel=1e-12)


def test_proportion_without_continuity_is_statsmodels_z_test_and_wald_and_katz_intervals():
    res = ex.analyze(REF, CONVERSION).iloc[0]
    _, p = smprop.proportions_ztest([13, 19], [47, 53])
    lo, hi = smprop.confint_proportions_2indep(13, 47, 19, 53, method="wald", compare="diff")
    rlo, rhi = smprop.confint_proportions_2indep(13, 47, 19, 53, method="log", compare="ratio")
    assert res["pvalue"] == pytest.approx(p, rel=1e-12)
    assert (res["effect_size_ci_lower"], res["effect_size_ci_upper"]) == pytest.approx((lo, hi))
    assert (res["rel_effect_size_ci_lower"], res["rel_effect_size_ci_upper"]) == pytest.approx(
        (rlo - 1, rhi - 1))
    assert (res["control_n"], res["treatment_n"]) == (53, 47)


# --- REFERENCE_RESULTS.md: power and sample size ---------------------------------------------

@pytest.mark.parametrize(("p2", "diff", "n", "ratio", "published"), [
    (0.75, -0.25, 76.70692, 1, 0.9),
    (0.015, -0.014, 550, 1, 0.74156),
    (0.2, -0.1, 154, 2, 0.7995659),
])
def test_reference_power_rows(p2, diff, n, ratio, published):
    got = ex.power(p2, diff, n, relative=False, ratio=ratio)
    assert got == pytest.approx(published, abs=5e-6)


def test_reference_sample_size_for_power_point_nine():
    assert ex.sample_size(0.75, -0.25, power=0.9, relative=False) == 77  # 76.70692 rounded up


def test_reference_classic_calculator_row_and_why_the_default_asks_for_more():
    # "baseline 20 %, +5 points absolute, alpha 0.05 two-sided, power 0.8: about 1,030"
    classic = ex.sample_size(0.20, 0.05, relative=False, null_variance="baseline")
    assert abs(classic - 1030) <= 1
    # the default sizes the pooled z-test that analyze runs, as statsmodels does
    pooled = ex.sample_size(0.20, 0.05, relative=False)
    assert pooled == math.ceil(smprop.samplesize_proportions_2indep_onetail(0.05, 0.20, 0.8))
    assert pooled == 1094
    # ...because the pooled test at the classic size falls short of the power asked for
    assert smprop.power_proportions_2indep(0.05, 0.20, classic).power < 0.79
    assert smprop.power_proportions_2indep(0.05, 0.20, pooled).power >= 0.8


# --- planning --------------------------------------------------------------------------------

def test_sample_size_relative_mde_and_several_variants_use_bonferroni_alpha():
    n = ex.sample_size(0.04, 0.15, variants=4)
    want = smprop.samplesize_proportions_2indep_onetail(0.04 * 0.15, 0.04, 0.8, alpha=0.05 / 3)
    assert n == math.ceil(want)
    assert ex.sample_size(0.04, 0.15, variants=2) < n


def test_sample_size_and_power_for_a_mean_with_sd():
    n = ex.sample_size(50.0, 0.1, sd=80.0)
    want = smp.NormalIndPower().solve_power(effect_size=5.0 / 80.0, alpha=0.05, power=0.8)
    assert n == math.ceil(want)
    assert ex.power(50.0, 0.1, n, sd=80.0) == pytest.approx(
        smp.NormalIndPower().power(5.0 / 80.0, n, 0.05))


def test_sample_size_for_a_mean_is_statsmodels_solve_power_rounded_up_over_a_grid():
    # worked out in closed form (fast); must agree with statsmodels' search everywhere
    rng = np.random.default_rng(1)
    for _ in range(150):
        effect, sd = float(rng.uniform(0.5, 150)), 100.0
        alpha, power_ = float(rng.choice([0.01, 0.05, 0.1])), float(rng.choice([0.5, 0.8, 0.9]))
        variants = int(rng.choice([2, 3, 4]))
        want = smp.NormalIndPower().solve_power(effect_size=effect / sd, power=power_,
                                                alpha=alpha / (variants - 1))
        got = ex.sample_size(50.0, effect, relative=False, sd=sd, alpha=alpha, power=power_,
                             variants=variants)
        assert got == math.ceil(want - 1e-9), (effect, alpha, power_, variants)


def test_duration_rounds_up_to_whole_weeks_of_at_least_seven_days():
    plan = ex.duration(0.2, 0.05, relative=False, daily_traffic=100)
    assert plan.n_per_variant == 1094 and plan.n_total == 2188
    assert plan.days_needed == 22 and plan.days == 28
    assert ex.duration(0.2, 0.05, relative=False, daily_traffic=10_000).days == 7
    half = ex.duration(0.2, 0.05, relative=False, daily_traffic=100, traffic_share=0.5)
    assert half.days_needed == 44 and half.days == 49


def test_plan_curve_lists_sample_size_and_days_per_effect():
    curve = ex.plan_curve(0.2, [0.02, 0.05, 0.1], relative=False, daily_traffic=500)
    assert curve["n_per_variant"].tolist() == [
        ex.sample_size(0.2, m, relative=False) for m in (0.02, 0.05, 0.1)]
    assert curve["days"].tolist() == [math.ceil(n * 2 / 500) for n in curve["n_per_variant"]]
    assert curve["n_per_variant"].is_monotonic_decreasing


def test_plan_for_a_rate_uses_the_control_rate_variants_and_traffic_seen(daily_card):
    res = ex.analyze(daily_card, {"ctr": ("clicks", "impressions")})
    curve = ex.plan_for(res, "ctr", [0.05, 0.2])
    control = res["control"].iloc[0]
    assert curve["n_per_variant"].tolist() == [ex.sample_size(control, m, variants=3)
                                               for m in (0.05, 0.2)]
    traffic = daily_card["impressions"].sum() / 7
    assert curve["days"].tolist() == [math.ceil(n * 3 / traffic) for n in curve["n_per_variant"]]
    with pytest.raises(ShopDataError, match="not in the result"):
        ex.plan_for(res, "gmv", [0.1])


def test_plan_for_a_mean_takes_the_spread_per_user_from_the_analysis(revenue_users):
    res = ex.analyze(revenue_users, {"revenue": "revenue"})
    sd = math.sqrt(revenue_users.groupby("variant")["revenue"].var().mean())  # equal groups
    curve = ex.plan_for(res, "revenue", [0.1])
    assert curve["n_per_variant"].iloc[0] == ex.sample_size(res["control"].iloc[0], 0.1, sd=sd)
    assert np.isnan(curve["days"].iloc[0])  # no dates, no traffic per day


def test_suggest_metrics_offers_what_the_columns_allow(daily_card):
    assert ex.suggest_metrics(daily_card) == {"ctr": ("clicks", "impressions")}
    full = daily_card.assign(buyers=1, revenue=10.0, orders=1)
    assert list(ex.suggest_metrics(full)) == ["ctr", "click_to_buy", "revenue_per_impression",
                                              "order_value"]
    people = pd.DataFrame({"variant": ["a", "b"], "user_id": [1, 2], "converted": [True, False],
                           "revenue": [3.0, 0.0]})
    assert ex.suggest_metrics(people) == {"conversion": "converted", "revenue": "revenue",
                                          "revenue_per_buyer": ("revenue", "converted")}


def test_significance_follows_each_metrics_direction():
    res = pd.DataFrame({"metric": ["ctr", "refunds", "ctr"], "effect_size": [0.01, 0.01, 0.02],
                        "pvalue_adjusted": [0.01, 0.01, 0.2], "chance_to_win": [0.99] * 3})
    assert ex.significance(res, lower_is_better=["refunds"]).tolist() == [1, -1, 0]
    res.attrs["method"] = "bayesian"
    assert ex.significance(res).tolist() == [1, 1, 1]


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((0.2, 0.0), {}, "must not be 0"),
    ((1.2, 0.1), {}, "between 0 and 1"),
    ((0.9, 0.2), {"relative": False}, "between 0 and 1"),
    ((10.0, 0.1), {"sd": 0.0}, "sd must be positive"),
])
def test_planner_rejects_impossible_inputs(args, kwargs, message):
    with pytest.raises(ShopDataError, match=message):
        ex.sample_size(*args, **kwargs)


# --- the glue against tea-tasting, SciPy and statsmodels on the same data --------------------

@pytest.fixture
def revenue_users() -> pd.DataFrame:
    """2 x 400 users: revenue depends on a pre-period covariate; sessions and orders."""
    rng = np.random.default_rng(3)
    n = 800
    pre = rng.gamma(2.0, 30.0, n)
    variant = np.repeat(["control", "treatment"], n // 2)
    lift = np.where(variant == "treatment", 6.0, 0.0)
    sessions = rng.integers(1, 6, n)
    return pd.DataFrame({
        "variant": variant, "user_id": np.arange(n),
        "revenue": 0.8 * pre + lift + rng.normal(0, 25, n), "pre_revenue": pre,
        "sessions": sessions, "orders": rng.binomial(sessions, 0.3),
    })


def test_means_ratios_and_cuped_equal_tea_tasting_on_the_raw_rows(revenue_users):
    ours = ex.analyze(revenue_users, {"revenue": "revenue", "cuped": "revenue",
                                      "orders_per_session": ("orders", "sessions")},
                      covariates={"cuped": "pre_revenue"}, correction="none")
    theirs = tt.Experiment(
        revenue=tt.Mean("revenue"), cuped=tt.Mean("revenue", "pre_revenue"),
        orders_per_session=tt.RatioOfMeans("orders", "sessions"),
    ).analyze(revenue_users.drop(columns="user_id"), control="control")
    for metric, want in theirs.items():
        got = ours.set_index("metric").loc[metric]
        for key in ex.RESULT_COLUMNS[2:11]:
            assert got[key] == pytest.approx(getattr(want, key), rel=1e-9, abs=1e-12), key


def test_cuped_reports_its_variance_reduction(revenue_users):
    res = ex.analyze(revenue_users, {"revenue": "revenue"}, covariates="pre_revenue")
    plain = ex.analyze(revenue_users, {"revenue": "revenue"})
    got = res["variance_reduction"].iloc[0]
    # CUPED's variance is (1 - rho^2) of the plain one (Deng et al. 2013)
    rho = np.corrcoef(revenue_users["revenue"], revenue_users["pre_revenue"])[0, 1]
    assert got == pytest.approx(rho**2, abs=0.02)
    assert res["effect_size_se"].iloc[0] ** 2 == pytest.approx(
        plain["effect_size_se"].iloc[0] ** 2 * (1 - got), rel=1e-9)
    assert np.isnan(plain["variance_reduction"].iloc[0])


def test_mean_is_welch_t_test_as_scipy_computes_it():
    df = pd.DataFrame({"variant": ["a"] * 4 + ["b"] * 3,
                       "amount": [1.0, 2.0, 3.0, 4.0, 2.0, 5.0, 7.0]})
    res = ex.analyze(df, {"amount": "amount"}).iloc[0]
    welch = scipy.stats.ttest_ind([2.0, 5.0, 7.0], [1.0, 2.0, 3.0, 4.0], equal_var=False)
    ci = welch.confidence_interval()
    assert res["pvalue"] == pytest.approx(welch.pvalue, rel=1e-9)
    assert (res["effect_size_ci_lower"], res["effect_size_ci_upper"]) == pytest.approx(
        (ci.low, ci.high), rel=1e-9)
    assert (res["control"], res["treatment"], res["effect_size"]) == pytest.approx(
        (2.5, 14 / 3, 14 / 3 - 2.5))
    assert res["kind"] == "mean"


def test_daily_aggregates_give_the_same_answer_as_the_users_behind_them():
    days = pd.to_datetime(["2024-05-01", "2024-05-02"])
    agg = pd.DataFrame({"date": days.repeat(2), "variant": ["a", "b"] * 2,
                        "impressions": [300, 310, 200, 190], "clicks": [12, 21, 9, 14]})
    rows = []
    for r in agg.itertuples():
        flags = [1] * r.clicks + [0] * (r.impressions - r.clicks)
        rows.append(pd.DataFrame({"variant": r.variant, "date": r.date, "clicked": flags}))
    expanded = pd.concat(rows, ignore_index=True)
    a = ex.analyze(agg, {"ctr": ("clicks", "impressions")}).iloc[0]
    b = ex.analyze(expanded, {"ctr": "clicked"}).iloc[0]
    for key in [*ex.RESULT_COLUMNS[2:], "control_n", "treatment_n"]:
        assert a[key] == pytest.approx(b[key], rel=1e-12), key
    assert a["kind"] == b["kind"] == "proportion"


def test_money_per_impression_on_daily_rows_is_tea_tastings_ratio_over_days():
    rng = np.random.default_rng(5)
    days = pd.date_range("2024-05-01", periods=7).repeat(2)
    agg = pd.DataFrame({"date": days, "variant": ["a", "b"] * 7,
                        "impressions": rng.integers(900, 1100, 14),
                        "gmv": rng.normal(300, 40, 14).round(2)})
    res = ex.analyze(agg, {"gpm": ("gmv", "impressions")}).iloc[0]
    want = tt.Experiment(gpm=tt.RatioOfMeans("gmv", "impressions")).analyze(
        agg[["variant", "gmv", "impressions"]], control="a")["gpm"]
    assert res["kind"] == "ratio" and res["control_n"] == 7
    for key in ex.RESULT_COLUMNS[2:11]:
        assert res[key] == pytest.approx(getattr(want, key), rel=1e-9), key


def test_every_treatment_against_control_with_holm_or_bh_as_statsmodels_adjusts():
    rng = np.random.default_rng(11)
    rates = {"A": 0.10, "B": 0.10, "C": 0.13, "D": 0.115}
    df = users(rng, dict.fromkeys(rates, 1500),
               bought=lambda r, v, n: r.random(n) < rates[v],
               spend=lambda r, v, n: r.exponential(20 + 4 * (v == "C"), n))
    for correction, method in (("holm", "holm"), ("bh", "fdr_bh")):
        res = ex.analyze(df, {"cvr": "bought", "spend": "spend"}, correction=correction)
        assert res["variant"].tolist() == ["B", "C", "D"] * 2
        assert set(res["control"].round(6)) >= {round(df.loc[df.variant == "A", "bought"].mean(),
                                                      6)}
        want = multitest.multipletests(res["pvalue"], method=method)[1]
        assert res["pvalue_adjusted"].to_numpy() == pytest.approx(want, rel=1e-12)
    none = ex.analyze(df, {"cvr": "bought"}, correction="none")
    assert none["pvalue_adjusted"].tolist() == none["pvalue"].tolist()


def test_control_defaults_to_control_then_first_name_and_can_be_chosen():
    df = pd.DataFrame({"variant": ["b", "control", "a"], "clicks": [5, 4, 6],
                       "impressions": [100, 100, 100]})
    assert ex.analyze(df, {"ctr": ("clicks", "impressions")})["variant"].tolist() == ["a", "b"]
    no_control = df.assign(variant=["b", "c", "a"])
    res = ex.analyze(no_control, {"ctr": ("clicks", "impressions")})
    assert res.attrs["variants"] == ["a", "b", "c"]
    res = ex.analyze(no_control, {"ctr": ("clicks", "impressions")}, control="c")
    assert res["variant"].tolist() == ["a", "b"] and res["control"].iloc[0] == 0.04


# --- Bayesian mode and chance to win ---------------------------------------------------------

def _beta_chance(ac: float, bc: float, at: float, bt: float) -> float:
    """P(p_t > p_c) for Beta posteriors, exactly (Evan Miller's sum), for whole at."""
    i = np.arange(int(at))
    terms = (scipy.special.betaln(ac + i, bc + bt) - np.log(bt + i)
             - scipy.special.betaln(1 + i, bt) - scipy.special.betaln(ac, bc))
    return float(np.exp(terms).sum())


def test_bayesian_chance_to_win_is_the_beta_binomial_posterior_probability():
    df = two_rows((30, 45), (400, 410))
    res = ex.analyze(df, {"cvr": ("converted", "users")}, method="bayesian").iloc[0]
    exact = _beta_chance(1 + 30, 1 + 370, 1 + 45, 1 + 365)
    assert res["chance_to_win"] == pytest.approx(exact, abs=0.005)  # 50,000 draws
    # credible interval of the difference: quantiles of the difference of two betas
    rng = np.random.default_rng(0)
    diff = rng.beta(46, 366, 400_000) - rng.beta(31, 371, 400_000)
    lo, hi = np.quantile(diff, [0.025, 0.975])
    assert res["effect_size_ci_lower"] == pytest.approx(lo, abs=0.002)
    assert res["effect_size_ci_upper"] == pytest.approx(hi, abs=0.002)
    assert 0 < res["expected_loss"] < 0.05
    post = ex.analyze(df, {"cvr": ("converted", "users")}, method="bayesian").attrs["posterior"]
    width = np.diff(post["rel_effect_size"]).mean()
    assert post["density"].sum() * width == pytest.approx(1.0, abs=0.01)
    assert list(post.columns) == ["metric", "variant", "rel_effect_size", "density"]


def test_bayesian_mode_is_reproducible_and_frequentist_chance_is_the_normal_approximation():
    df = two_rows((30, 45), (400, 410))
    a = ex.analyze(df, {"cvr": ("converted", "users")}, method="bayesian")
    b = ex.analyze(df, {"cvr": ("converted", "users")}, method="bayesian")
    pd.testing.assert_frame_equal(a, b)
    freq = ex.analyze(df, {"cvr": ("converted", "users")}).iloc[0]
    se = math.sqrt(30 / 400 * 370 / 400 / 400 + 45 / 410 * 365 / 410 / 410)
    assert freq["effect_size_se"] == pytest.approx(se, rel=1e-9)
    assert freq["chance_to_win"] == pytest.approx(scipy.stats.norm.cdf(freq["effect_size"] / se))
    assert freq["chance_to_win"] == pytest.approx(a["chance_to_win"].iloc[0], abs=0.01)
    assert freq["pvalue"] == a["pvalue"].iloc[0]  # p-values are frequentist in both modes


def test_bayesian_means_use_the_normal_posterior(revenue_users):
    res = ex.analyze(revenue_users, {"revenue": "revenue"}, method="bayesian").iloc[0]
    freq = ex.analyze(revenue_users, {"revenue": "revenue"}).iloc[0]
    z = freq["effect_size"] / freq["effect_size_se"]
    assert res["chance_to_win"] == pytest.approx(scipy.stats.norm.cdf(z), abs=0.005)
    half = 1.959964 * freq["effect_size_se"]
    assert res["effect_size_ci_lower"] == pytest.approx(freq["effect_size"] - half, rel=0.02)


# --- sample-ratio check ----------------------------------------------------------------------

def test_srm_is_chi_square_and_agrees_with_tea_tastings_two_variant_check():
    df = pd.DataFrame({"variant": ["a"] * 5200 + ["b"] * 4800})
    want = tt.SampleRatio(method="norm", correction=False).analyze(df, "a", "b", "variant")
    assert ex.srm(df) == pytest.approx(want.pvalue, rel=1e-9)
    assert ex.srm(df, expected={"a": 0.52, "b": 0.48}) == pytest.approx(1.0)


def test_srm_with_three_variants_weights_and_a_count_column():
    df = pd.DataFrame({"variant": ["c", "a", "b"], "impressions": [2000, 1000, 1100]})
    got = ex.srm(df, expected=[1, 1, 2], count="impressions")
    assert got == pytest.approx(scipy.stats.chisquare([1000, 1100, 2000],
                                                      [1025, 1025, 2050]).pvalue)
    with pytest.raises(ShopDataError, match="lacks the variant"):
        ex.srm(df, expected={"a": 1, "b": 1})
    with pytest.raises(ShopDataError, match="2 weights for 3 variants"):
        ex.srm(df, expected=[1, 1])


# --- cleaning --------------------------------------------------------------------------------

def test_clean_drops_users_in_two_variants_repeats_and_rows_without_variant():
    df = pd.DataFrame({"variant": ["a", "a", "b", "b", None, "a"],
                       "user_id": [1, 1, 2, 3, 4, 3], "converted": [1, 1, 0, 1, 0, 0]})
    out = ex.clean(df)
    assert out["user_id"].tolist() == [1, 2]
    assert out.attrs["excluded"] == {"missing_variant": 1, "users_in_several_variants": 1,
                                     "repeated_users": 1}
    assert len(out.attrs["notes"]) == 3
    assert df.attrs == {}  # the input is untouched


def test_clean_drops_rows_whose_variant_disagrees_with_a_paired_column_the_loader_flagged():
    df = pd.DataFrame({"variant": ["control"] * 3 + ["treatment"] * 3,
                       "user_id": range(6), "page": ["old", "old", "new", "new", "new", "old"]})
    assert len(ex.clean(df)) == 6  # nothing flagged, nothing dropped
    df.attrs["issues"] = [DataIssue("2 rows where variant and page disagree", column="page")]
    out = ex.clean(df)
    assert out["user_id"].tolist() == [0, 1, 3, 4]
    assert out.attrs["excluded"] == {"variant_page_mismatch": 2}


def test_is_aggregated_tells_user_rows_from_counts():
    assert ex.is_aggregated(pd.DataFrame({"variant": ["a", "b"], "clicks": [1, 2]}))
    assert not ex.is_aggregated(pd.DataFrame({"variant": ["a", "a"], "x": [1, 2]}))
    daily = pd.DataFrame({"variant": ["a", "a"], "date": pd.to_datetime(["2024-05-01",
                                                                          "2024-05-02"])})
    assert ex.is_aggregated(daily)
    assert not ex.is_aggregated(daily.assign(user_id=["u1", "u2"]))


@pytest.mark.parametrize(("data", "metrics", "kwargs", "message"), [
    ([1, 2], {"x": "x"}, {}, "expected a table"),
    (pd.DataFrame({"x": [1]}), {"x": "x"}, {}, "no variant column"),
    (pd.DataFrame({"variant": ["a", "a"], "x": [1, 2]}), {"x": "x"}, {}, "at least two"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2}), {"x": "x"},
     {"control": "z"}, "control variant 'z'"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2}), {"y": "nope"}, {},
     "needs the column 'nope'"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": ["1", "2"] * 2}), {"x": "x"}, {},
     "should hold numbers"),
    (pd.DataFrame({"variant": ["a", "b"], "clicks": [1, 2]}), {"c": "clicks"}, {},
     "needs a \\(numerator, denominator\\) pair"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2}), {}, {}, "metrics must map"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2}), {"x": "x"},
     {"correction": "bonferroni"}, "correction must be"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2}), {"x": "x"},
     {"method": "bootstrap"}, "method must be"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2}), {"x": "x"},
     {"alpha": 5}, "alpha must be"),
    (pd.DataFrame({"variant": pd.Series([], dtype="str")}), {"x": "x"}, {}, "empty"),
    (pd.DataFrame({"variant": ["a", "b"] * 2, "x": [1, 2] * 2, "experiment": ["e1", "e2"] * 2}),
     {"x": "x"}, {}, "holds 2 experiments \\(e1, e2\\); analyse one at a time"),
])
def test_bad_input_raises_shop_data_error_that_says_what_is_wrong(data, metrics, kwargs,
                                                                  message):
    with pytest.raises(ShopDataError, match=message):
        ex.analyze(data, metrics, **kwargs)


# --- sequential (always-valid) intervals -----------------------------------------------------

def test_sequential_boundary_is_where_the_normal_mixture_likelihood_ratio_reaches_one_over_alpha():
    effect, se, n, alpha = 0.004, 0.0021, 30_000, 0.05
    lo, hi, p = ex.sequential_interval(effect, se, n, alpha=alpha, n_tuning=50_000)
    log_a = -2 * math.log(alpha)
    tau = se * math.sqrt(n * (log_a + math.log(log_a + 1)) / 50_000)

    def likelihood_ratio(estimate: float) -> float:  # mixture over N(0, tau^2) effects
        mix, _ = scipy.integrate.quad(
            lambda th: scipy.stats.norm.pdf(estimate, th, se) * scipy.stats.norm.pdf(th, 0, tau),
            -50 * tau, 50 * tau, points=[0.0, estimate], limit=200)
        return mix / scipy.stats.norm.pdf(estimate, 0, se)

    half = (hi - lo) / 2
    assert likelihood_ratio(half) == pytest.approx(1 / alpha, rel=1e-6)
    assert p == pytest.approx(1 / likelihood_ratio(effect), rel=1e-6)
    fixed = 1.959964 * se
    assert half > fixed  # the price of looking as often as one likes


def test_sequential_pvalue_is_below_alpha_exactly_when_the_interval_excludes_zero():
    effects = np.linspace(-0.02, 0.02, 81)
    lo, hi, p = ex.sequential_interval(effects, 0.004, 10_000)
    excludes = (lo > 0) | (hi < 0)
    assert excludes.any() and not excludes.all()
    assert ((p < 0.05) == excludes).all()


def test_analyze_sequential_widens_the_interval_and_uses_the_always_valid_pvalue():
    df = two_rows((400, 470), (10_000, 10_000))
    fixed = ex.analyze(df, CONVERSION).iloc[0]
    seq = ex.analyze(df, CONVERSION, sequential=True).iloc[0]
    assert seq["effect_size_ci_lower"] < fixed["effect_size_ci_lower"]
    assert seq["effect_size_ci_upper"] > fixed["effect_size_ci_upper"]
    assert seq["rel_effect_size_ci_lower"] < fixed["rel_effect_size_ci_lower"]
    lo, hi, p = ex.sequential_interval(fixed["effect_size"], fixed["effect_size_se"], 20_000)
    assert (seq["effect_size_ci_lower"], seq["pvalue"]) == pytest.approx((float(lo), float(p)))
    assert seq["pvalue"] > fixed["pvalue"]


# --- simulation: false positives -------------------------------------------------------------

def test_two_thousand_aa_tests_reject_at_five_percent():
    """2,000 A/A comparisons through `analyze`, one call: 2,000 treatment arms of 500
    users against one control of 500,000 (so large that the comparisons are nearly
    independent: each shares 1/1000 of its variance with the others)."""
    rng = np.random.default_rng(2024)
    arms, size, big = 2000, 500, 500_000
    variant = np.concatenate([np.full(big, "control"), np.repeat(np.arange(arms).astype(str),
                                                                 size)])
    df = pd.DataFrame({"variant": variant, "converted": rng.random(len(variant)) < 0.08,
                       "revenue": rng.gamma(0.5, 40.0, len(variant))})
    for metric in ("converted", "revenue"):
        res = ex.analyze(df, {metric: metric}, correction="none")
        assert len(res) == arms
        rate = (res["pvalue"] < 0.05).mean()
        assert 0.035 <= rate <= 0.065, (metric, rate)


def _daily_aa(rng: np.random.Generator, tests: int, days: int, per_day: int, rate: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative effect, its standard error and total n per A/A test and day."""
    conv = rng.binomial(per_day, rate, size=(2, tests, days)).cumsum(axis=2)
    n = per_day * np.arange(1, days + 1)
    p = conv / n
    effect = p[1] - p[0]
    se = np.sqrt((p[0] * (1 - p[0]) + p[1] * (1 - p[1])) / n)
    return effect, se, np.broadcast_to(2 * n, effect.shape)


def test_daily_peeking_for_fourteen_days_stays_under_five_percent_with_sequential_intervals():
    effect, se, n = _daily_aa(np.random.default_rng(7), tests=2000, days=14, per_day=500,
                              rate=0.1)
    naive = (np.abs(effect) > 1.959964 * se).any(axis=1).mean()
    lo, hi, _ = ex.sequential_interval(effect, se, n, alpha=0.05, n_tuning=n[:, -1:])
    always_valid = ((lo > 0) | (hi < 0)).any(axis=1).mean()
    assert naive > 0.12  # peeking at fixed intervals: the false-positive rate balloons
    assert always_valid < 0.05


# --- over time -------------------------------------------------------------------------------

@pytest.fixture
def daily_card() -> pd.DataFrame:
    rng = np.random.default_rng(9)
    days = pd.date_range("2024-05-01", periods=7)
    df = pd.DataFrame([(d, v) for d in days for v in "ABC"], columns=["date", "variant"])
    df["impressions"] = rng.poisson(5000, len(df))
    df["clicks"] = rng.binomial(df["impressions"], df["variant"].map(
        {"A": 0.04, "B": 0.04, "C": 0.046}))
    return df


def test_cumulative_last_day_is_the_full_analysis_and_first_day_the_first_days(daily_card):
    m = {"ctr": ("clicks", "impressions")}
    cum = ex.cumulative(daily_card, m)
    assert len(cum) == 7 * 2 and cum["date"].is_monotonic_increasing
    last = cum[cum["date"] == cum["date"].max()].reset_index(drop=True)
    full = ex.analyze(daily_card, m)
    first = cum[cum["date"] == cum["date"].min()].reset_index(drop=True)
    day1 = ex.analyze(daily_card[daily_card["date"] == daily_card["date"].min()], m)
    assert "pvalue" not in cum.columns  # read the intervals over time, not p-values
    for got, want in ((last, full), (first, day1)):
        for key in ex.RESULT_COLUMNS[2:10]:
            assert got[key].to_numpy() == pytest.approx(want[key].to_numpy(), rel=1e-12), key


@pytest.mark.parametrize("continuity", [False, True])
@pytest.mark.parametrize("sequential", [False, True])
def test_each_days_look_is_tea_tastings_analysis_of_the_days_so_far(daily_card, continuity,
                                                                    sequential):
    # the looks are worked out with arrays; every one must be what tea-tasting says on
    # the data up to that day, also where a rate is 0 (B sold nothing on the first day)
    card = daily_card.copy()
    card.loc[(card["variant"] == "B") & (card["date"] == card["date"].min()), "clicks"] = 0
    m, days = {"ctr": ("clicks", "impressions")}, sorted(card["date"].unique())
    cum = ex.cumulative(card, m, alpha=0.1, continuity=continuity, sequential=sequential)
    final = card.groupby("variant")["impressions"].sum()
    for day in days:
        got = cum[cum["date"] == day].reset_index(drop=True)
        so_far = card[card["date"] <= day]
        for i, variant in enumerate(got["variant"]):
            want = ex.analyze(so_far, m, alpha=0.1, continuity=continuity, sequential=sequential,
                              n_tuning=final["A"] + final[variant] if sequential else None)
            want = want[want["variant"] == variant].iloc[0]
            for key in ex.RESULT_COLUMNS[2:10]:
                assert got.loc[i, key] == pytest.approx(want[key], rel=1e-12, nan_ok=True), key
    assert cum.loc[cum["date"] == days[0], "treatment"].min() == 0


def test_cumulative_sequential_intervals_contain_the_fixed_ones_and_tighten(daily_card):
    m = {"ctr": ("clicks", "impressions")}
    fixed = ex.cumulative(daily_card, m)
    seq = ex.cumulative(daily_card, m, sequential=True)
    assert (seq["effect_size_ci_lower"] <= fixed["effect_size_ci_lower"]).all()
    assert (seq["effect_size_ci_upper"] >= fixed["effect_size_ci_upper"]).all()
    width = (seq["effect_size_ci_upper"] - seq["effect_size_ci_lower"])[seq["variant"] == "C"]
    assert width.is_monotonic_decreasing


def test_cumulative_on_user_rows_by_exposure_day(revenue_users):
    df = revenue_users.assign(date=pd.Timestamp("2024-05-01")
                              + pd.to_timedelta(revenue_users["user_id"] % 4, unit="D"))
    cum = ex.cumulative(df, {"revenue": "revenue"})
    assert cum["date"].nunique() == 4
    full = ex.analyze(df, {"revenue": "revenue"})
    last = cum.iloc[-1]
    for key in ("effect_size_ci_lower", "rel_effect_size_ci_upper"):
        assert last[key] == pytest.approx(full[key].iloc[0], rel=1e-9)
    with pytest.raises(ShopDataError, match="no date column"):
        ex.cumulative(revenue_users, {"revenue": "revenue"})


def test_daily_values_per_variant_and_day():
    days = pd.to_datetime(["2024-05-01", "2024-05-02"])
    df = pd.DataFrame({"date": days.repeat(2), "variant": ["a", "b"] * 2,
                       "impressions": [1000, 800, 1000, 500], "clicks": [40, 40, 50, 10]})
    out = ex.daily_values(df, {"ctr": ("clicks", "impressions")})
    assert out["value"].tolist() == [0.04, 0.05, 0.05, 0.02]
    users_df = pd.DataFrame({"date": days.repeat(3), "variant": ["a", "a", "b"] * 2,
                             "user_id": range(6), "spend": [1.0, 3.0, 5.0, 2.0, 2.0, 9.0]})
    out = ex.daily_values(users_df, {"spend": "spend"})
    assert out[["value", "n"]].values.tolist() == [[2.0, 2], [5.0, 1], [2.0, 2], [9.0, 1]]


# --- verdict ---------------------------------------------------------------------------------

def result(rows: list[dict], **attrs) -> pd.DataFrame:
    base = {"control": 0.04, "effect_size_se": 0.001, "chance_to_win": 0.5}
    frame = pd.DataFrame([base | r for r in rows])
    frame["rel_effect_size"] = frame["effect_size"] / frame["control"]
    frame.attrs = {"alpha": 0.05, "method": "frequentist", "days": 14, "srm_pvalue": 0.5,
                   **attrs}
    return frame


GAIN = {"metric": "ctr", "variant": "C", "effect_size": 0.006, "pvalue_adjusted": 0.001}
FLAT = {"metric": "ctr", "variant": "B", "effect_size": 0.0002, "pvalue_adjusted": 0.8}


def test_verdict_ships_the_best_significant_gain():
    better = GAIN | {"variant": "D", "effect_size": 0.008}
    v = ex.verdict(result([FLAT, GAIN, better]))
    assert (v.decision, v.winner) == ("ship", "D")
    assert [r.code for r in v.reasons] == ["significant_gain"]


def test_verdict_holds_everything_back_on_a_sample_ratio_mismatch():
    v = ex.verdict(result([GAIN], srm_pvalue=0.0004))
    assert v.decision == "no verdict" and v.srm_warning
    assert [(r.code, r.fields["pvalue"]) for r in v.reasons] == [("srm", 0.0004)]
    assert ex.verdict(result([GAIN], srm_pvalue=0.002)).decision == "ship"


@pytest.mark.parametrize(("days", "code", "field"), [(5, "too_short", 7), (10, "not_whole_weeks",
                                                                           14)])
def test_verdict_keeps_running_until_seven_days_and_whole_weeks(days, code, field):
    v = ex.verdict(result([GAIN], days=days))
    assert v.decision == "keep running"
    assert [r.code for r in v.reasons] == [code, "significant_gain"]
    assert field in v.reasons[0].fields.values()


def test_verdict_stops_on_significant_harm_to_a_guardrail_even_early():
    refunds = {"metric": "refund_rate", "variant": "C", "effect_size": 0.004,
               "pvalue_adjusted": 0.01}
    v = ex.verdict(result([GAIN, refunds], days=3), guardrails=["refund_rate"],
                   lower_is_better=["refund_rate"])
    assert v.decision == "stop" and v.reasons[0].code == "guardrail_harm"
    # a guardrail that improves is no reason to stop
    fewer = refunds | {"effect_size": -0.004}
    v = ex.verdict(result([GAIN, fewer]), guardrails=["refund_rate"],
                   lower_is_better=["refund_rate"])
    assert v.decision == "ship"


def test_verdict_underpowered_keeps_running_and_says_for_how_long():
    # observed +5 % of 0.04 with se 0.002: power about 0.17, needs about 7.8x the sample
    weak = {"metric": "ctr", "variant": "B", "effect_size": 0.002, "effect_size_se": 0.002,
            "pvalue_adjusted": 0.3}
    v = ex.verdict(result([weak]), max_days=200)
    assert v.decision == "keep running"
    (reason,) = v.reasons
    assert reason.code == "underpowered"
    assert reason.fields["power"] == pytest.approx(smp.normal_power(0.002, 1, 0.05, sigma=0.002))
    assert reason.fields["power"] == pytest.approx(0.17, abs=0.01)
    factor = (1.959964 + 0.841621) ** 2
    assert reason.fields["factor"] == pytest.approx(factor, rel=1e-5)
    assert reason.fields["extra_days"] == math.ceil(14 * (factor - 1))
    too_long = ex.verdict(result([weak]))  # 14 + 96 days is more than the 56 allowed
    assert too_long.decision == "stop" and too_long.reasons[0].code == "too_long"


def test_verdict_stops_with_a_null_result_when_the_test_had_power_and_on_a_loss():
    tight = FLAT | {"effect_size_se": 0.0002}  # power to see a 5 % change: ~0.98
    v = ex.verdict(result([tight]))
    assert v.decision == "stop" and v.reasons[0].code == "no_effect"
    loss = GAIN | {"effect_size": -0.006}
    v = ex.verdict(result([loss]))
    assert v.decision == "stop" and [r.code for r in v.reasons] == ["significant_loss"]


def test_verdict_in_bayesian_mode_reads_chance_to_win():
    sure = GAIN | {"pvalue_adjusted": 0.2, "chance_to_win": 0.97}
    assert ex.verdict(result([sure], method="bayesian")).decision == "ship"
    assert ex.verdict(result([sure])).decision != "ship"


# --- real data -------------------------------------------------------------------------------

@needs_realdata
def test_udacity_ab_data_excludes_what_the_loader_reports_and_matches_plain_statsmodels():
    from shopnb.load import load_experiments

    path = REALDATA / "ab_udacity_ab_data" / "ab_data.csv"
    res = ex.analyze(load_experiments(path, strict=False), {"conversion": "converted"})
    assert res.attrs["excluded"] == {"variant_landing_page_mismatch": 3893, "repeated_users": 1}
    assert any("3,893" in note and "landing_page" in note for note in res.attrs["notes"])
    # the same cleaning done by hand, then statsmodels
    raw = pd.read_csv(path)
    agree = (raw["group"] == "treatment") == (raw["landing_page"] == "new_page")
    cleaned = raw[agree].drop_duplicates("user_id")
    assert len(cleaned) == 290_584
    counts = cleaned.groupby("group")["converted"].agg(["sum", "count"]).loc[
        ["treatment", "control"]]
    _, p = smprop.proportions_ztest(counts["sum"], counts["count"])
    row = res.iloc[0]
    assert row["pvalue"] == pytest.approx(p, rel=1e-10)
    assert (row["control_n"], row["treatment_n"]) == (145_274, 145_310)
    assert row["effect_size"] == pytest.approx(17_264 / 145_310 - 17_489 / 145_274, rel=1e-12)
    assert ex.verdict(res).decision != "ship"


@needs_realdata
def test_cookie_cats_retention_by_gate_and_its_sample_ratio_check():
    from shopnb.load import load_experiments

    df = load_experiments(REALDATA / "ab_cookie_cats" / "cookie_cats.csv", strict=False)
    res = ex.analyze(df, {"retention_1": "retention_1", "retention_7": "retention_7"},
                     correction="none").set_index("metric")
    assert res.attrs["variants"] == ["gate_30", "gate_40"]
    raw = pd.read_csv(REALDATA / "ab_cookie_cats" / "cookie_cats.csv")
    for metric in ("retention_1", "retention_7"):
        counts = raw.groupby("version")[metric].agg(["sum", "count"]).loc[["gate_40",
                                                                             "gate_30"]]
        _, p = smprop.proportions_ztest(counts["sum"], counts["count"])
        assert res.loc[metric, "pvalue"] == pytest.approx(p, rel=1e-10)
    sizes = raw["version"].value_counts().sort_index()  # gate_30 44,700; gate_40 45,489
    assert ex.srm(df) == pytest.approx(scipy.stats.chisquare(sizes).pvalue, rel=1e-12)
    assert res.attrs["srm_pvalue"] == pytest.approx(ex.srm(df), rel=1e-12)
    assert 0.001 < res.attrs["srm_pvalue"] < 0.01  # uneven, but not enough to void the test
    # gate 40 keeps fewer players after 7 days: significantly, after 1 day: not
    assert res.loc["retention_7", "pvalue"] < 0.01 < res.loc["retention_1", "pvalue"]
    v = ex.verdict(res.reset_index(), primary="retention_7")
    assert v.decision == "stop" and v.reasons[0].code == "significant_loss"


# --- the sample shop's three planted experiments ---------------------------------------------

@pytest.fixture(scope="module")
def shop():
    return make_shop_data(7)


def _experiment(shop, name: str) -> pd.DataFrame:
    exp = shop.experiments
    return exp[exp["experiment"] == name].dropna(axis=1, how="all")


def test_sample_card_test_finds_the_planted_winner(shop):
    name, truth = next((n, t) for n, t in shop.truth["experiments"].items() if "ctr" in t)
    res = ex.analyze(_experiment(shop, name), {"ctr": ("clicks", "impressions")})
    v = ex.verdict(res)
    assert (v.decision, v.winner) == ("ship", truth["winner"])
    planted = truth["ctr"][truth["winner"]] / truth["ctr"][res.attrs["variants"][0]] - 1
    win = res.set_index("variant").loc[truth["winner"]]
    assert win["rel_effect_size_ci_lower"] < planted < win["rel_effect_size_ci_upper"]


def test_sample_opening_test_is_a_null_result_with_cuped(shop):
    name = next(n for n, t in shop.truth["experiments"].items()
                if t.get("effect") == 0.0 and "intended_split" not in t)
    df = _experiment(shop, name)
    res = ex.analyze(df, {"conversion": "converted", "revenue": "revenue"},
                     covariates={"revenue": "pre_revenue"})
    assert (res["pvalue_adjusted"] > 0.05).all()
    assert res.set_index("metric").loc["revenue", "variance_reduction"] > 0
    assert ex.verdict(res).decision != "ship"


def test_sample_live_script_test_fails_the_sample_ratio_check(shop):
    name = next(n for n, t in shop.truth["experiments"].items() if "intended_split" in t)
    res = ex.analyze(_experiment(shop, name), {"conversion": "converted"})
    assert res.attrs["srm_pvalue"] < 0.001
    v = ex.verdict(res)
    assert v.decision == "no verdict" and v.srm_warning


# --- the kind of a metric: explicit, or inferred from values (never the dtype) ----------------

def test_a_metrics_kind_does_not_depend_on_the_dtype(daily_card):
    as_ints = ex.analyze(daily_card, {"ctr": ("clicks", "impressions")})
    as_floats = ex.analyze(daily_card.astype({"clicks": "float64", "impressions": "Float64"}),
                           {"ctr": ("clicks", "impressions")})
    assert as_ints["kind"].tolist() == as_floats["kind"].tolist() == ["proportion"] * 2
    pd.testing.assert_frame_equal(as_ints, as_floats)


def test_an_explicit_kind_wins_and_must_fit_the_columns(daily_card):
    ratio = ex.analyze(daily_card, {"ctr": ex.Metric("clicks", "impressions", kind="ratio")})
    inferred = ex.analyze(daily_card, {"ctr": ("clicks", "impressions")})
    assert ratio["kind"].tolist() == ["ratio"] * 2
    assert ratio["control"].tolist() == pytest.approx(inferred["control"].tolist())
    assert ratio["pvalue"].tolist() != pytest.approx(inferred["pvalue"].tolist())
    swapped = ex.Metric("impressions", "clicks", kind="proportion")
    with pytest.raises(ShopDataError, match="never above clicks"):
        ex.analyze(daily_card, {"odd": swapped})
    with pytest.raises(ShopDataError, match="kind must be one of"):
        ex.analyze(daily_card, {"ctr": ex.Metric("clicks", "impressions", kind="share")})
    with pytest.raises(ShopDataError, match="a mean is one column"):
        ex.analyze(daily_card, {"ctr": ex.Metric("clicks", "impressions", kind="mean")})


def test_whole_yuan_of_revenue_is_money_not_a_count(daily_card):
    shop = daily_card.assign(revenue=(daily_card["clicks"] * 0.5).round())
    res = ex.analyze(shop, {"rpi": ("revenue", "impressions")})
    assert res["kind"].tolist() == ["ratio"] * 2


# --- one experiment's rows, for a page ---------------------------------------------------------

def test_one_experiment_of_a_stacked_table_and_its_days_variants_and_covariate():
    data = pd.DataFrame({
        "experiment": ["card", "card", "price", "card", None],
        "variant": ["B", "A", "A", "B", "A"],
        "date": pd.to_datetime(["2024-05-07 09:30", "2024-05-06 00:00", "2024-05-09 00:00",
                                "2024-05-08 00:00", "2024-05-06 00:00"]),
        "clicks": [3, 4, None, 5, 1], "pre_clicks": [1, 2, None, 2, 0],
        "revenue": [None, None, 9.0, None, None]})
    assert ex.experiment_names(data) == ["card", "price"]
    card = ex.one_experiment(data, "card")
    assert card.index.tolist() == [0, 1, 3]
    assert card.columns.tolist() == ["experiment", "variant", "date", "clicks", "pre_clicks"]
    assert ex.one_experiment(data, "price").columns.tolist() == ["experiment", "variant", "date",
                                                                 "revenue"]
    assert ex.variant_names(card) == ["A", "B"]
    assert ex.experiment_days(card) == list(pd.to_datetime(["2024-05-06", "2024-05-07",
                                                            "2024-05-08"]))
    assert ex.pre_period_covariate(card) == "pre_clicks"
    assert ex.pre_period_covariate(card.drop(columns="pre_clicks")) is None
    days = ex.between_days(card, pd.Timestamp("2024-05-06"), pd.Timestamp("2024-05-07"))
    assert days.index.tolist() == [1]  # 09:30 on the 7th is after the 7th's midnight


def test_a_table_without_experiment_or_dates_is_one_experiment_without_days():
    data = pd.DataFrame({"variant": ["A", "B", "B"], "clicks": [1, 2, None],
                         "date": ["2024-05-06"] * 3, "empty": [None] * 3})
    assert ex.experiment_names(data) == ["experiment"]
    assert ex.one_experiment(data, "experiment").columns.tolist() == ["variant", "clicks", "date"]
    assert ex.experiment_days(data) == []  # text, not dates
    assert ex.experiment_days(data.drop(columns="date")) == []
    assert ex.variant_names(pd.DataFrame({"variant": [2, 10, 1]})) == ["1", "10", "2"]


def test_with_significance_marks_the_rows_as_significance_does():
    card = pd.DataFrame({"variant": ["A", "B", "C"], "impressions": [20000] * 3,
                         "clicks": [800, 940, 790]})
    res = ex.analyze(card, {"ctr": ("clicks", "impressions")})
    out = ex.with_significance(res)
    assert out["significance"].tolist() == [1, 0]
    assert "significance" not in res.columns  # the result given is left as it was
    assert out.attrs["srm_pvalue"] == res.attrs["srm_pvalue"]
    assert ex.with_significance(res, lower_is_better=["ctr"])["significance"].tolist() == [-1, 0]
