"""The A/B test page, built and driven without a browser."""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest

import shopnb as sn
from shopnb import charts
from shopnb import experiments as ex
from shopnb.pages.experiments import ExperimentsPage, build_experiments


@pytest.fixture
def card() -> pd.DataFrame:
    """A 3-variant product-card test, 14 days of counts; C's CTR is 4.8 % against 4 %."""
    days = pd.date_range("2024-05-06", periods=14)
    rows = [(d, v) for d in days for v in "ABC"]
    df = pd.DataFrame(rows, columns=["date", "variant"])
    df["impressions"] = 5000
    df["clicks"] = df["variant"].map({"A": 200, "B": 205, "C": 240})
    df["buyers"] = df["variant"].map({"A": 10, "B": 11, "C": 12})
    return df.astype({c: "Int64" for c in ("impressions", "clicks", "buyers")})


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return sn.load_sample("experiments")


def spec_data(page: ExperimentsPage, name: str) -> pd.DataFrame:
    """The rows a chart of the page draws right now."""
    chart = page.charts[name].chart
    return chart.data


def test_page_is_a_widget_with_all_controls_and_offline_charts(card):
    page = build_experiments(card, lang="en")
    assert isinstance(page, widgets.VBox)
    assert set(page.controls) == {"experiment", "metrics", "primary", "control", "correction",
                                  "method", "confidence", "dates", "cuped", "sequential", "mde",
                                  "lang"}
    assert set(page.charts) == {"forest", "cumulative", "daily", "planner"}
    assert all(isinstance(c, alt.JupyterChart) for c in page.charts.values())
    assert alt.JupyterChart._is_offline
    assert page.message.layout.display == "none"


def test_first_view_analyses_the_suggested_metrics_against_control(card):
    page = build_experiments(card, lang="en")
    assert page.controls["metrics"].value == ("ctr", "click_to_buy")
    assert page.controls["control"].value == "A"
    res = page.result
    want = ex.analyze(card, {"ctr": ("clicks", "impressions"),
                             "click_to_buy": ("buyers", "clicks")}, control="A")
    pd.testing.assert_frame_equal(res.drop(columns="significance"), want)
    forest = spec_data(page, "forest")
    assert forest["lift"].tolist() == pytest.approx(want["rel_effect_size"].tolist())
    assert forest["metric"].tolist()[:2] == ["CTR", "CTR"]
    assert page.verdict.decision == "ship" and page.verdict.winner == "C"
    assert 'data-decision="ship"' in page.verdict_box.value and "Ship C" in page.verdict_box.value


def test_daily_and_cumulative_charts_follow_the_primary_metric(card):
    page = build_experiments(card, lang="en")
    daily = spec_data(page, "daily")
    assert len(daily) == 14 * 3
    assert daily.loc[daily["variant"] == "C", "value"].unique().tolist() == [0.048]
    cum = spec_data(page, "cumulative")
    assert len(cum) == 14 * 2
    last = cum[cum["date"] == cum["date"].max()].set_index("variant")["rel_effect_size"]
    assert last["C"] == pytest.approx(0.2)
    page.controls["primary"].value = "click_to_buy"
    assert spec_data(page, "daily")["value"].iloc[0] == pytest.approx(10 / 200)
    assert "Click-to-buy" in charts.rows_title(page.charts["cumulative"].chart)


def test_controls_redraw_the_same_chart_widgets(card):
    page = build_experiments(card, lang="en")
    forest = page.charts["forest"]
    before = page.result["rel_effect_size_ci_lower"].copy()
    page.controls["confidence"].value = 0.99
    assert page.charts["forest"] is forest
    assert (page.result["rel_effect_size_ci_lower"] < before).all()
    assert "99%" in charts.rows_title(forest.chart)


def test_a_change_redraws_only_the_charts_drawn_from_that_control(card):
    page = build_experiments(card, lang="en")
    drawn = {name: jc.chart for name, jc in page.charts.items()}
    page.controls["correction"].value = "bh"
    assert page.charts["forest"].chart is not drawn["forest"]
    for name in ("cumulative", "daily", "planner"):
        assert page.charts[name].chart is drawn[name], name
    page.controls["mde"].value = 0.2
    assert page.charts["planner"].chart is not drawn["planner"]
    assert page.charts["daily"].chart is drawn["daily"]


def test_correction_and_control_change_the_analysis(card):
    page = build_experiments(card, lang="en")
    holm = page.result["pvalue_adjusted"].to_numpy()
    page.controls["correction"].value = "none"
    assert page.result["pvalue_adjusted"].tolist() == page.result["pvalue"].tolist()
    assert (page.result["pvalue_adjusted"].to_numpy() <= holm).all()
    page.controls["control"].value = "C"
    assert page.result["variant"].tolist()[:2] == ["A", "B"]
    assert page.verdict.decision == "stop"  # C was the best: the others lose against it


def test_the_other_chosen_metrics_guard_the_verdict(card):
    card.loc[card["variant"] == "C", "buyers"] = 2  # C wins clicks but loses buyers
    page = build_experiments(card, lang="en")
    assert page.verdict.decision == "stop"
    assert [(r.code, r.fields["metric"]) for r in page.verdict.reasons] == [
        ("guardrail_harm", "click_to_buy")]
    assert "Guardrail Click-to-buy rate is significantly worse in C" in page.verdict_box.value
    page.controls["metrics"].value = ("ctr",)
    assert page.verdict.decision == "ship"


def test_bayesian_mode_shows_the_posterior(card):
    page = build_experiments(card, lang="en")
    assert page._chart_boxes["posterior"].layout.display == "none"
    assert "Bayesian" in page.posterior_note.value
    page.controls["method"].value = "bayesian"
    assert page._chart_boxes["posterior"].layout.display is None
    post = spec_data(page, "posterior")
    assert set(post["variant"]) == {"B", "C"}
    assert page.posterior_note.value == ""
    c = page.result.set_index(["metric", "variant"]).loc[("ctr", "C")]
    assert c["chance_to_win"] > 0.99
    page.controls["method"].value = "frequentist"
    assert page._chart_boxes["posterior"].layout.display == "none"


def test_date_range_narrows_the_data_and_the_verdict_waits_for_whole_weeks(card):
    page = build_experiments(card, lang="en")
    page.controls["dates"].index = (0, 4)
    assert page.result.attrs["days"] == 5
    assert page.result["control_n"].iloc[0] == 5 * 5000
    assert page.verdict.decision == "keep running"
    assert page.verdict.reasons[0].code == "too_short"
    assert "Only 5 days" in page.verdict_box.value


def test_sequential_intervals_are_wider_and_the_planner_follows_the_mde(card):
    page = build_experiments(card, lang="en")
    fixed = page.result["rel_effect_size_ci_upper"].copy()
    page.controls["sequential"].value = True
    assert (page.result["rel_effect_size_ci_upper"] > fixed).all()
    plan = page.plan.set_index("mde")
    page.controls["mde"].value = 0.05
    assert "5% relative lift" in page.planner_text.value
    n = ex.sample_size(page.result["control"].iloc[0], 0.05, variants=3)
    assert f"{n:,}" in page.planner_text.value
    assert page.plan.set_index("mde").loc[0.05, "n_per_variant"] == n
    assert page.charts["planner"].chart.to_dict()["layer"][1]["encoding"]["x"]["datum"] == 0.05
    assert plan.index.is_monotonic_increasing


def test_metric_selection_and_an_empty_selection(card):
    page = build_experiments(card, lang="en")
    page.controls["metrics"].value = ("click_to_buy",)
    assert page.result["metric"].unique().tolist() == ["click_to_buy"]
    assert page.controls["primary"].value == "click_to_buy"
    page.controls["metrics"].value = ()
    assert page.result is None
    assert page.message.layout.display is None
    assert "Pick at least one metric" in page.message.value
    page.controls["metrics"].value = ("ctr",)
    assert page.message.layout.display == "none" and page.result is not None


def test_language_toggle_relabels_controls_tables_and_charts(card):
    page = build_experiments(card, lang="zh")
    assert "A/B 实验" in page.title.value
    assert page.controls["metrics"].options[0] == ("点击率 (CTR)", "ctr")
    assert "上线 C" in page.verdict_box.value
    assert "相对提升" in page.table.value
    page.controls["lang"].value = "en"
    assert "A/B tests" in page.title.value
    assert page.controls["metrics"].value == ("ctr", "click_to_buy")  # kept
    assert page.controls["correction"].value == "holm"
    assert "Ship C" in page.verdict_box.value and "Relative lift" in page.table.value
    assert "Lift over A" in charts.rows_title(page.charts["forest"].chart)


def test_sample_shop_shows_a_win_a_null_result_and_a_sample_ratio_failure(sample):
    page = build_experiments(sample, lang="en")
    names = list(page.controls["experiment"].options)
    assert len(names) == 3
    seen = {}
    for name in names:
        page.controls["experiment"].value = name
        seen[name] = page.verdict
        shown = page.srm_box.layout.display is None
        assert shown == page.verdict.srm_warning
    decisions = sorted(v.decision for v in seen.values())
    assert decisions == ["keep running", "no verdict", "ship"]
    win = next(v for v in seen.values() if v.decision == "ship")
    assert win.winner == "C"
    null = next(n for n, v in seen.items() if v.decision == "keep running")
    page.controls["experiment"].value = null
    assert (page.result["pvalue_adjusted"] > 0.05).all()  # nothing significant: a null result
    assert page.result.set_index("metric")["variance_reduction"].notna().all()  # CUPED on
    srm = next(n for n, v in seen.items() if v.decision == "no verdict")
    page.controls["experiment"].value = srm
    assert "Sample ratio mismatch" in page.srm_box.value
    assert "No verdict" in page.verdict_box.value


@pytest.mark.parametrize("bad", [
    None, "not a table", pd.DataFrame(), pd.DataFrame({"x": [1, 2]}),
])
def test_unreadable_data_gives_a_friendly_message(bad):
    for lang, text in (("zh", "没有可分析的实验"), ("en", "No experiment to analyse")):
        page = build_experiments(bad, lang=lang)
        assert page.result is None and page.charts == {}
        assert page.message.layout.display is None
        assert text in page.message.value
        assert "Traceback" not in page.message.value
        assert page.body.layout.display == page.controls["experiment"].layout.display == "none"


def test_no_metric_columns_or_a_single_variant_gives_a_message_not_a_traceback(card):
    page = build_experiments(card[["date", "variant"]], lang="en")
    assert "no metric columns" in page.message.value
    one = card[card["variant"] == "A"]
    page = build_experiments(one, lang="zh")
    assert "无法分析" in page.message.value and "at least two variants" in page.message.value
    assert page.result is None


def test_user_level_experiment_with_exclusions_says_what_was_left_out():
    rng = np.random.default_rng(1)
    n = 4000
    df = pd.DataFrame({"variant": np.where(rng.random(n) < 0.5, "control", "treatment"),
                       "user_id": np.arange(n), "converted": rng.random(n) < 0.1,
                       "revenue": rng.exponential(30, n)})
    df.loc[3, "user_id"] = 2  # one user seen twice
    df.loc[3, "variant"] = "treatment" if df.loc[2, "variant"] == "control" else "control"
    page = build_experiments(df, lang="en")
    assert page.controls["metrics"].value == ("conversion", "revenue", "revenue_per_buyer")
    assert page.result.attrs["excluded"] == {"users_in_several_variants": 1}
    assert "1 users seen in more than one variant" in page.notes.value
    assert "daily" not in page.charts  # no dates: nothing over time
    assert page.controls["dates"].disabled


def _keeps_nothing(_key: tuple, compute):
    return compute()


def test_going_back_to_a_choice_draws_what_a_new_page_draws(sample):
    # analyses are kept by the choices they depend on; a kept one must be what a page that
    # keeps nothing works out for the same choices
    page = build_experiments(sample, lang="en")
    experiments = list(page.controls["experiment"].options)
    for experiment, control_at, confidence, sequential in (
            (experiments[1], 1, 0.9, False), (experiments[0], 0, 0.95, True),
            (experiments[1], 1, 0.9, False), (experiments[1], 0, 0.9, True),
            (experiments[0], 0, 0.95, True)):
        page.controls["experiment"].value = experiment
        control = page.controls["control"].options[control_at]
        for key, value in (("control", control), ("confidence", confidence),
                           ("sequential", sequential)):
            page.controls[key].value = value
        fresh = build_experiments(sample, lang="en", experiment=experiment)
        fresh._kept = _keeps_nothing
        for key, value in (("control", control), ("confidence", confidence),
                           ("sequential", sequential)):
            fresh.controls[key].value = value
        pd.testing.assert_frame_equal(page.result, fresh.result)
        for name, widget in page.charts.items():
            assert widget.spec == fresh.charts[name].spec, (name, experiment, control)
        assert (page.table.value, page.verdict_box.value) == (fresh.table.value,
                                                              fresh.verdict_box.value)
