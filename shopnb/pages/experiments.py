"""The A/B test page: one experiment at a time, every treatment against control.

The page slices the `experiment` table to the chosen experiment and dates,
runs `shopnb.experiments.analyze` on the chosen metrics (the primary one
decides the verdict, the others guard it: a significant loss on any of them
stops the test), and shows: a loud
warning when the sample-ratio check fails, the verdict with its reasons, a
results table, a forest plot of the lifts, the cumulative lift and the metric
per day for the primary metric, the posterior densities in Bayesian mode, and
a planner with a sample-size curve. Every control redraws the same
`alt.JupyterChart` widgets by assignment; bad or empty data gives a friendly
message in zh or en, never a traceback.

Example:
    >>> import pandas as pd
    >>> days = pd.date_range("2024-05-06", periods=7).repeat(2)
    >>> card = pd.DataFrame({"date": days, "variant": ["A", "B"] * 7,
    ...                      "impressions": [5000] * 14, "clicks": [200, 240] * 7})
    >>> page = build_experiments(card, lang="en")
    >>> page.verdict.decision, page.verdict.winner
    ('ship', 'B')
    >>> page.controls["method"].value = "bayesian"
    >>> bool(page.result["chance_to_win"].iloc[0] > 0.99)
    True
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from shopnb import experiments as ex
from shopnb.charts import (
    ab_cumulative,
    ab_daily,
    ab_forest,
    ab_posterior,
    ab_sample_size,
    interval_text,
    metric_label,
)
from shopnb.errors import LoadProblem, ShopDataError
from shopnb.labels import LANGS, t
from shopnb.pages._html import TEXT_STYLE, message_html, note_html, title_html
from shopnb.pages._jupyterchart import chart_widget
from shopnb.pages._widgets import Kept
from shopnb.pages.header import PageHeader, lang_toggle
from shopnb.theme import COLORS, FONT

__all__ = ["ExperimentsPage", "build_experiments"]

_LEVELS = (0.90, 0.95, 0.99)
_MDES = tuple(round(x, 3) for x in np.geomspace(0.01, 0.5, 24))
_DECISION_COLORS = {"ship": COLORS["secondary"], "keep running": COLORS["warning_border"],
                    "stop": COLORS["muted"], "no verdict": COLORS["primary"]}
_CHARTS = ("forest", "cumulative", "daily", "posterior", "planner")
# the controls each chart is drawn from
_ANALYSIS = ("experiment", "dates", "control", "confidence", "cuped", "lang")
_DEPENDS = {
    "forest": (*_ANALYSIS, "metrics", "correction", "method", "sequential"),
    "cumulative": (*_ANALYSIS, "primary", "sequential"),
    "daily": ("experiment", "dates", "primary", "lang"),
    "posterior": (*_ANALYSIS, "metrics", "primary", "method"),
    "planner": (*_ANALYSIS, "primary", "mde"),
}


def _date_slider(days: list[pd.Timestamp], description: str = ""
                 ) -> widgets.SelectionRangeSlider:
    """A range over the experiment's days (disabled when it has none)."""
    options = [(f"{d:%m/%d}", d) for d in days] or [("-", None)]
    return widgets.SelectionRangeSlider(
        options=options, index=(0, len(options) - 1), disabled=not days,
        description=description, continuous_update=False,
        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"))


class ExperimentsPage(widgets.VBox):
    """The A/B page as a widget, drivable without a browser.

    Attributes:
        controls: ``experiment, metrics, primary, control, correction, method,
            confidence, dates, cuped, sequential, mde, lang``; set ``.value`` as a
            user would.
        charts: ``forest, cumulative, daily, posterior, planner`` JupyterCharts
            (their ``.chart`` is the current `alt` chart).
        result: the current `analyze` output (with a ``significance`` column);
            ``verdict``: its `Verdict`; ``plan``: the planner's curve.
        srm_box, verdict_box, table, planner_text, notes, message: HTML widgets.

    Args:
        data: the ``experiments`` table, or a `LoadProblem` (see `build_experiments`).
        lang: ``"zh"`` or ``"en"``.
        experiment: which test to open first (default: the first).
    """

    def __init__(self, data: pd.DataFrame | LoadProblem, lang: str = "zh",
                 experiment: str | None = None) -> None:
        super().__init__(layout=widgets.Layout(max_width="980px"))
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        self._lang = lang
        self._busy = False
        self.result: pd.DataFrame | None = None
        self.verdict: ex.Verdict | None = None
        self.plan: pd.DataFrame | None = None
        self._problem: tuple[str, dict[str, Any]] | None = None
        self._kept = Kept()
        ok = isinstance(data, pd.DataFrame) and "variant" in data.columns and not data.empty
        self.data: pd.DataFrame = (data if ok and not isinstance(data, LoadProblem)
                                   else pd.DataFrame({"variant": pd.Series([], dtype="str")}))
        names = ex.experiment_names(self.data) if ok else []

        wide = {"style": {"description_width": "initial"}}
        self.controls: dict[str, widgets.ValueWidget] = {
            "experiment": widgets.Dropdown(options=names or [""], value=(
                experiment if experiment in names else (names or [""])[0]), **wide,
                layout=widgets.Layout(width="300px")),
            "control": widgets.Dropdown(options=[""], **wide,
                                        layout=widgets.Layout(width="200px")),
            "dates": _date_slider([]),
            "metrics": widgets.SelectMultiple(options=[], rows=4, **wide,
                                              layout=widgets.Layout(width="300px")),
            "primary": widgets.Dropdown(options=[""], **wide,
                                        layout=widgets.Layout(width="300px")),
            "correction": widgets.Dropdown(options=list(ex.CORRECTIONS), value="holm", **wide,
                                           layout=widgets.Layout(width="340px")),
            "method": widgets.ToggleButtons(options=list(ex.METHODS), value="frequentist",
                                            style={"button_width": "96px"}),
            "confidence": widgets.Dropdown(options=[(f"{x:.0%}", x) for x in _LEVELS],
                                           value=0.95, **wide,
                                           layout=widgets.Layout(width="160px")),
            "cuped": widgets.Checkbox(value=True, indent=False),
            "sequential": widgets.Checkbox(value=False, indent=False),
            "mde": widgets.FloatSlider(value=0.1, min=0.01, max=0.5, step=0.01,
                                       readout_format=".0%", continuous_update=False, **wide,
                                       layout=widgets.Layout(width="420px")),
            "lang": lang_toggle(lang),
        }
        c = self.controls
        self.title = widgets.HTML()
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.srm_box = widgets.HTML(layout=widgets.Layout(display="none"))
        self.verdict_box = widgets.HTML()
        self.table = widgets.HTML()
        self.notes = widgets.HTML()
        self.planner_text = widgets.HTML()
        self.posterior_note = widgets.HTML()
        self.charts: dict[str, alt.JupyterChart] = {}
        self._keys: dict[str, tuple] = {}
        self._chart_boxes = {name: widgets.Box() for name in _CHARTS}

        row = {"layout": widgets.Layout(flex_flow="row wrap", align_items="center",
                                        grid_gap="4px 16px")}
        self._date_row = widgets.HBox([c["control"], c["dates"]], **row)
        self.body = widgets.VBox([
            self._date_row,
            widgets.HBox([c["metrics"], widgets.VBox([c["primary"], c["correction"],
                                                      c["confidence"]])], **row),
            widgets.HBox([c["method"], c["cuped"], c["sequential"]], **row),
            self.srm_box, self.verdict_box, self.table, self.notes,
            self._chart_boxes["forest"], self._chart_boxes["cumulative"],
            self._chart_boxes["daily"], self.posterior_note, self._chart_boxes["posterior"],
            c["mde"], self.planner_text, self._chart_boxes["planner"],
        ])
        header = PageHeader("experiments", self.title, c["lang"])
        self.children = [header, c["experiment"], self.message, self.body]

        if ok:
            self._load_experiment()
        else:
            self._problem = (data.label() if isinstance(data, LoadProblem)
                             else ("ab_no_experiments", {}))
        self._relabel()
        self._update()

        c["experiment"].observe(self._on_experiment, names="value")
        for name in ("control", "correction", "method", "confidence", "cuped", "sequential",
                     "primary"):
            c[name].observe(self._on_change, names="value")
        c["metrics"].observe(self._on_metrics, names="value")
        c["mde"].observe(self._on_mde, names="value")
        c["lang"].observe(self._on_lang, names="value")

    # --- state ------------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The language the page is shown in (change it with the ``lang`` control)."""
        return self._lang

    @property
    def experiment(self) -> pd.DataFrame:
        """The chosen experiment's rows within the chosen dates."""
        if not self._days:
            return self._frame
        return ex.between_days(self._frame, *self.controls["dates"].value)

    def _load_experiment(self) -> None:
        """Options of the controls that depend on the experiment."""
        c = self.controls
        self._frame = ex.one_experiment(self.data, c["experiment"].value)
        self._catalog = ex.suggest_metrics(self._frame) if len(self._frame) else {}
        variants = ex.variant_names(self._frame)
        self._days = ex.experiment_days(self._frame)
        self._covariate = ex.pre_period_covariate(self._frame)
        with self._quietly("control", "metrics", "primary"):
            c["control"].options = variants or [""]
            c["control"].value = ("control" if "control" in variants
                                  else (variants or [""])[0])
            names = list(self._catalog)
            c["metrics"].options = [(metric_label(m, self._lang), m) for m in names]
            c["metrics"].value = tuple(names[:3])
            self._set_primary()
        # a new slider rather than new options: a range slider shown in a browser keeps
        # its old length when its options change (and reports an in-between range)
        old = c["dates"]
        c["dates"] = _date_slider(self._days, description=old.description)
        old.close()
        c["dates"].observe(self._on_change, names="value")
        self._date_row.children = [c["control"], c["dates"]]
        c["cuped"].layout.display = None if self._covariate else "none"

    @contextmanager
    def _quietly(self, *names: str) -> Iterator[None]:
        """Change controls without reacting, each one's options and value sent at once.

        One message per control, so that the browser does not send back an in-between value
        (a range slider whose options change would otherwise report index (0, 0)).
        """
        self._busy = True
        try:
            with ExitStack() as stack:
                for name in names:
                    stack.enter_context(self.controls[name].hold_sync())
                yield
        finally:
            self._busy = False

    def _set_primary(self) -> None:
        chosen = list(self.controls["metrics"].value)
        primary = self.controls["primary"]
        keep = primary.value if primary.value in chosen else (chosen or [""])[0]
        primary.options = [(metric_label(m, self._lang), m) for m in chosen] or [("-", "")]
        primary.value = keep

    # --- reactions --------------------------------------------------------------------------

    def _on_experiment(self, change: dict) -> None:
        self._load_experiment()
        self._relabel()
        self._update()

    def _on_metrics(self, change: dict) -> None:
        if self._busy:
            return
        with self._quietly("primary"):
            self._set_primary()
        self._update()

    def _on_change(self, change: dict) -> None:
        if not self._busy:
            self._update()

    def _on_mde(self, change: dict) -> None:
        if not self._busy and self.result is not None and "planner" in self._stale():
            self._draw_planner()

    def _on_lang(self, change: dict) -> None:
        self._lang = change["new"]
        self._relabel()
        self._update()

    # --- analysis and drawing ---------------------------------------------------------------

    def _update(self) -> None:
        """Analyse the current choice and redraw what it changed, or show what is wrong."""
        if self._problem and self.data.empty:  # no experiment, or no readable table
            return self._show_problem(*self._problem)
        c = self.controls
        metrics = {m: self._catalog[m] for m in c["metrics"].value}
        if not self._catalog:
            return self._show_problem("ab_no_metrics", {})
        if not metrics:
            return self._show_problem("ab_pick_metric", {})
        frame = self.experiment
        if frame.empty:
            return self._show_problem("ab_no_rows", {})
        alpha = round(1 - c["confidence"].value, 6)
        primary = c["primary"].value or next(iter(metrics))
        stale = self._stale()
        over_time = ({primary: metrics[primary]} if self._days and "date" in frame.columns
                     else None)
        # what the analyses depend on besides the data: each is kept (`Kept`), so going
        # back to an earlier choice computes nothing
        sample = (c["experiment"].value, c["dates"].value, c["control"].value, alpha)
        sequential, covariates = (c["sequential"].value,
                                  self._covariate if c["cuped"].value else None)
        try:
            result = self._kept(
                ("analysis", *sample, tuple(metrics), c["correction"].value, c["method"].value,
                 covariates, sequential),
                lambda: ex.with_significance(ex.analyze(
                    frame, metrics, control=c["control"].value, alpha=alpha,
                    correction=c["correction"].value, method=c["method"].value,
                    covariates=covariates, sequential=sequential)))
            verdict = ex.verdict(result, primary=primary,
                                 guardrails=[m for m in metrics if m != primary])
            self._problem = None
            self.result, self.verdict, self._primary = result, verdict, primary
            # each chart is worked out just before it is drawn: the browser draws the first
            # ones while the kernel works out the rest
            self._show(stale, lambda: self._kept(
                ("cumulative", *sample, primary, sequential), lambda: ex.cumulative(
                    frame, over_time, control=c["control"].value, alpha=alpha,
                    sequential=sequential)) if over_time else None,
                lambda: self._kept(("daily", *sample[:2], primary), lambda: ex.daily_values(
                    frame, over_time)) if over_time else None)
        except (ShopDataError, ValueError) as err:
            return self._show_problem("ab_problem", {"detail": str(err)})
        return None

    def _stale(self) -> set[str]:
        """The charts whose inputs changed since they were drawn.

        Each is drawn from a few controls; redrawing only those keeps a change quick.
        """
        values = {name: w.value for name, w in self.controls.items()}
        stale = set()
        for name, depends in _DEPENDS.items():
            key = tuple(values[d] for d in depends)
            if self._keys.get(name) != key:
                stale.add(name)
                self._keys[name] = key
        return stale

    def _show_problem(self, key: str, fields: dict[str, Any]) -> None:
        self._problem = (key, fields)
        self.result = self.verdict = self.plan = None
        self._keys.clear()
        self.message.value = message_html(t(key, self._lang, **fields))
        self.message.layout.display = None
        nothing = "none" if self.data.empty else None
        self.body.layout.display = self.controls["experiment"].layout.display = nothing
        for name in ("srm_box", "verdict_box", "table", "notes", "planner_text",
                     "posterior_note"):
            getattr(self, name).value = ""
        self.srm_box.layout.display = "none"
        for box in self._chart_boxes.values():
            box.layout.display = "none"

    def _show(self, stale: set[str], cumulative: Callable[[], pd.DataFrame | None],
              daily_values: Callable[[], pd.DataFrame | None]) -> None:
        result, verdict, primary = self.result, self.verdict, self._primary
        assert result is not None and verdict is not None, "_update sets both before showing"
        lang, variants = self._lang, result.attrs["variants"]
        level = self.controls["confidence"].value
        self.message.layout.display = "none"
        self.srm_box.layout.display = None if verdict.srm_warning else "none"
        self.srm_box.value = _srm_html(result.attrs["srm_pvalue"], lang)
        self.verdict_box.value = _verdict_html(verdict, lang)
        self.table.value = _results_html(result, lang, level, faded=verdict.srm_warning)
        self.notes.value = _notes_html(result.attrs.get("excluded", {}), lang)
        posterior = result.attrs.get("posterior")
        self.posterior_note.value = "" if posterior is not None else note_html(
            t("ab_posterior_note", lang))
        if "forest" in stale:
            self._draw("forest", ab_forest(result, variants=variants, level=level, lang=lang))
        if "cumulative" in stale:
            cum = cumulative()
            self._draw("cumulative", None if cum is None or cum.empty else ab_cumulative(
                cum, variants=variants, metric=primary, lang=lang))
        if "daily" in stale:
            daily = daily_values()
            kind = result.loc[result["metric"] == primary, "kind"].iloc[0]
            self._draw("daily", None if daily is None else ab_daily(
                daily, variants=variants, metric=primary, percent=kind == "proportion",
                lang=lang))
        if "posterior" in stale:
            self._draw("posterior", None if posterior is None else ab_posterior(
                posterior[posterior["metric"] == primary], variants=variants, metric=primary,
                lang=lang))
        if "planner" in stale:
            self._draw_planner()

    def _draw(self, name: str, chart: alt.TopLevelSpec | None) -> None:
        box = self._chart_boxes[name]
        if chart is None:
            box.layout.display = "none"
            return
        if name in self.charts:
            self.charts[name].chart = chart
        else:
            self.charts[name] = chart_widget(chart)
            box.children = [self.charts[name]]
        box.layout.display = None

    def _draw_planner(self) -> None:
        lang, mde = self._lang, self.controls["mde"].value
        mdes = sorted({*_MDES, mde})
        try:
            self.plan = ex.plan_for(self.result, self._primary, mdes)
        except ShopDataError:  # a baseline the planner cannot size (a rate of 0 or 1)
            self.plan = None
            self.planner_text.value = ""
            self._draw("planner", None)
            return
        self._draw("planner", ab_sample_size(self.plan, mde=mde, metric=self._primary,
                                             lang=lang))
        row = self.plan.loc[self.plan["mde"] == mde].iloc[0]
        fields = {"mde": f"{mde:.0%}", "power": "80%", "n": f"{row['n_per_variant']:,.0f}",
                  "total": f"{row['n_total']:,.0f}"}
        if math.isnan(row["days"]):
            text = t("ab_planner_no_traffic", lang, **fields)
        else:
            text = t("ab_planner_summary", lang, **fields,
                     traffic=f"{self.plan.attrs['daily_traffic']:,.0f}",
                     days=f"{row['days']:,.0f}", weeks=f"{row['run_days']:,.0f}")
        self.planner_text.value = note_html(text)

    def _relabel(self) -> None:
        lang, c = self._lang, self.controls
        subtitle = ""
        if getattr(self, "_days", None):
            subtitle = t("ab_subtitle", lang, experiment=c["experiment"].value,
                         start=f"{self._days[0]:%Y-%m-%d}", end=f"{self._days[-1]:%Y-%m-%d}",
                         days=len(self._days), variants=len(c["control"].options))
        self.title.value = title_html(t("ab_title", lang), subtitle)
        for name in ("experiment", "control", "primary", "correction", "confidence", "mde",
                     "metrics", "dates", "sequential"):
            c[name].description = t(f"ab_{name}", lang)
        c["cuped"].description = t("ab_cuped", lang,
                                   covariate=getattr(self, "_covariate", None) or "")
        # new labels, same values: an options change resets a selection, so put it back
        with self._quietly("correction", "method", "metrics", "primary"):
            for name, keys in (("correction", ex.CORRECTIONS), ("method", ex.METHODS)):
                value = c[name].value
                c[name].options = [(t(f"ab_{name}_{x}", lang), x) for x in keys]
                c[name].value = value
            if getattr(self, "_catalog", None):
                chosen = c["metrics"].value
                c["metrics"].options = [(metric_label(m, lang), m) for m in self._catalog]
                c["metrics"].value = chosen
                self._set_primary()


# --- HTML pieces -----------------------------------------------------------------------------

def _pvalue(p: float) -> str:
    return f"{p:.2g}" if p < 0.001 else f"{p:.4f}"


def _srm_html(pvalue: float, lang: str) -> str:
    style = (f"font-family: {FONT}; color: {COLORS['background']}; background:"
             f" {COLORS['primary']}; padding: 12px 16px; margin: 8px 0; font-size: 15px;"
             " font-weight: 600; line-height: 1.5; border-radius: 4px;")
    text = html.escape(t("ab_srm_warning", lang, pvalue=_pvalue(pvalue)))
    return f'<div class="shopnb-srm" style="{style}">{text}</div>'


def _reason_text(reason: ex.Reason, lang: str) -> str:
    f = dict(reason.fields)
    if "metric" in f:
        f["metric"] = metric_label(f["metric"], lang)
    for key in ("rel_effect_size",):
        if key in f:
            f["rel"] = f"{f.pop(key):+.1%}"
    for key in ("mde", "power"):
        if key in f:
            f[key] = f"{f[key]:.0%}"
    if "pvalue" in f:
        f["pvalue"] = _pvalue(f["pvalue"])
    if "factor" in f:
        f["factor"] = f"{f['factor']:.1f}"
    if f.get("extra_days") is None and "extra_days" in f:
        f["extra_days"] = "?"
    return t(f"ab_reason_{reason.code}", lang, **f)


def _verdict_html(verdict: ex.Verdict, lang: str) -> str:
    color = _DECISION_COLORS[verdict.decision]
    head = t(f"ab_decision_{verdict.decision}", lang, variant=verdict.winner or "")
    reasons = "".join(f"<li>{html.escape(_reason_text(r, lang))}</li>" for r in verdict.reasons)
    style = (f"{TEXT_STYLE} border-left: 6px solid {color};"
             f" background: {COLORS['background']}; padding: 8px 14px; margin: 8px 0;"
             " line-height: 1.5;")
    return (f'<div class="shopnb-verdict" data-decision="{html.escape(verdict.decision)}"'
            f' style="{style}"><div style="font-size: 12px; color: {COLORS["muted"]};">'
            f'{html.escape(t("ab_verdict", lang))}</div><div style="font-size: 20px;'
            f' font-weight: 600; color: {color};">{html.escape(head)}</div>'
            f'<ul style="margin: 4px 0 0 0; padding-left: 20px;">{reasons}</ul></div>')


def _results_html(result: pd.DataFrame, lang: str, level: float, *, faded: bool) -> str:
    """The results, one row per metric and treatment; faded when they cannot be trusted."""
    cuped = result["variance_reduction"].notna().any()
    days_as_units = result.attrs.get("aggregated", False)  # ratios of daily rows
    heads = [t("ab_metric", lang), t("ab_variant", lang), t("ab_control_value", lang),
             t("ab_treatment_value", lang), t("ab_rel_effect", lang),
             t("ab_interval", lang, level=f"{level:.0%}"), t("ab_pvalue_adjusted", lang),
             t("ab_chance_to_win", lang), t("ab_users", lang)]
    heads += [t("ab_variance_reduction", lang)] if cuped else []
    rows = []
    for r in result.itertuples():
        value = "{:.2%}" if r.kind == "proportion" else "{:,.3f}"
        sig = {1: COLORS["secondary"], -1: COLORS["primary"]}.get(int(r.significance),
                                                                   COLORS["text"])
        cells = [metric_label(r.metric, lang), r.variant, value.format(r.control),
                 value.format(r.treatment), f"{r.rel_effect_size:+.1%}",
                 interval_text(r.rel_effect_size_ci_lower, r.rel_effect_size_ci_upper),
                 _pvalue(r.pvalue_adjusted), f"{r.chance_to_win:.1%}",
                 t("ab_days_n" if days_as_units and r.kind == "ratio" else "ab_n", lang,
                   control=f"{r.control_n:,}", treatment=f"{r.treatment_n:,}")]
        cells += [f"{r.variance_reduction:.1%}" if not math.isnan(r.variance_reduction)
                  else "–"] if cuped else []
        tds = "".join(f"<td style='padding: 3px 10px; text-align: right;'>{html.escape(x)}"
                      "</td>" for x in cells[2:])
        rows.append(f"<tr style='color: {sig};'><td style='padding: 3px 10px;'>"
                    f"{html.escape(cells[0])}</td><td style='padding: 3px 10px;'>"
                    f"{html.escape(cells[1])}</td>{tds}</tr>")
    ths = "".join(f"<th style='padding: 3px 10px; border-bottom: 1px solid {COLORS['grid']};"
                  f" color: {COLORS['muted']}; font-weight: 500;'>{html.escape(h)}</th>"
                  for h in heads)
    return (f'<table class="shopnb-results" style="font-family: {FONT}; font-size: 13px;'
            f' border-collapse: collapse; margin: 6px 0; opacity: {0.45 if faded else 1};">'
            f'<thead><tr>{ths}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _notes_html(excluded: dict[str, int], lang: str) -> str:
    if not excluded:
        return ""
    items = []
    for key, n in excluded.items():
        if key.startswith("variant_") and key.endswith("_mismatch"):
            items.append(t("ab_excluded_mismatch", lang, n=f"{n:,}",
                           column=key.removeprefix("variant_").removesuffix("_mismatch")))
        else:
            items.append(t(f"ab_excluded_{key}", lang, n=f"{n:,}"))
    sep = "；" if lang == "zh" else "; "
    return note_html(t("ab_excluded", lang, items=sep.join(items)))


def build_experiments(data: pd.DataFrame | LoadProblem, lang: str = "zh",
                      experiment: str | None = None) -> ExperimentsPage:
    """The A/B test page for an `experiment` table (one or several tests stacked).

    Args:
        data: the canonical ``experiments`` table (`shopnb.load_experiments`):
            one row per user, or counts per variant and day; an ``experiment``
            column tells stacked tests apart. Bad or empty data, or a
            `LoadProblem` (the file could not be read), gives a page with a
            friendly message instead of charts.
        lang: ``"zh"`` or ``"en"``; the page's toggle switches it later.
        experiment: which test to open first (default: the first).

    Example:
        >>> from shopnb.datasets import load_sample
        >>> page = build_experiments(load_sample("experiments"), lang="en")
        >>> page.verdict.decision in ("ship", "keep running", "stop", "no verdict")
        True
    """
    return ExperimentsPage(data, lang=lang, experiment=experiment)
