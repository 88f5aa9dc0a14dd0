"""The kinds of control the pages' own browser tests leave alone, each changed once in
headless Chromium, with a chart checked to have changed: the competitors page's rival
slider, the A/B page's metric list, checkbox and MDE slider. Offline, no console errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FIRST_CHART_TIMEOUT_MS = 90_000
REDRAW_TIMEOUT_MS = 20_000
CHARTS = ".vega-embed svg.marks"


def _drawings(page) -> str:
    """Every chart's SVG on the page, as one string."""
    return page.evaluate(
        "(sel) => [...document.querySelectorAll(sel)].map(s => s.innerHTML).join('|')", CHARTS)


def _wait_for_redraw(page, before: str) -> None:
    page.wait_for_function(
        "([sel, before]) => [...document.querySelectorAll(sel)].map(s => s.innerHTML)"
        ".join('|') !== before", arg=[CHARTS, before], timeout=REDRAW_TIMEOUT_MS)


def _press(page, handle: str, key: str, times: int) -> None:
    knob = page.locator(handle)
    knob.focus()
    for _ in range(times):
        knob.press(key)


def test_competitors_rival_slider_redraws_the_share_chart(page, voila_url):
    page.goto(f"{voila_url}/voila/render/competitors.ipynb?lang=en")
    share = ".shopnb-chart-share svg.marks"
    page.wait_for_selector(f"{share} g.mark-area path", state="visible",
                           timeout=FIRST_CHART_TIMEOUT_MS)
    legend = f"{share} .role-legend-label text"
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 6",
                           arg=legend, timeout=REDRAW_TIMEOUT_MS)  # own shop + 5 rivals
    before = _drawings(page)
    _press(page, ".shopnb-control-rivals .noUi-handle", "ArrowLeft", 2)
    _wait_for_redraw(page, before)
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 4",
                           arg=legend, timeout=REDRAW_TIMEOUT_MS)  # own shop + 3 rivals
    assert page.offsite_requests == []
    assert page.console_errors == []


def test_experiments_metrics_checkbox_and_mde_slider_redraw_charts(page, voila_url):
    page.goto(f"{voila_url}/voila/render/experiments.ipynb?lang=en")
    page.wait_for_selector(f"{CHARTS} g.mark-symbol path", state="visible",
                           timeout=FIRST_CHART_TIMEOUT_MS)
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length >= 4", arg=CHARTS,
                           timeout=REDRAW_TIMEOUT_MS)

    # the metric list: CTR alone
    before = _drawings(page)
    page.locator(".widget-select-multiple select").select_option(label="CTR")
    _wait_for_redraw(page, before)

    # the sequential checkbox widens the intervals
    before = _drawings(page)
    page.locator(".widget-checkbox input[type=checkbox]:visible").first.check()  # sequential
    _wait_for_redraw(page, before)

    # the MDE slider moves the planner's mark
    before = _drawings(page)
    _press(page, '.noUi-handle[aria-valuemax="0.5"]', "ArrowRight", 3)  # MDE: 1 % to 50 %
    _wait_for_redraw(page, before)
    assert page.offsite_requests == []
    assert page.console_errors == []
