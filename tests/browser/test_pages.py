"""Each page opened and clicked in headless Chromium, served by Voila, fully offline."""

from __future__ import annotations

import time

import pytest

import shopnb

pytestmark = pytest.mark.browser

FIRST_CHART_TIMEOUT_MS = 60_000  # the first kernel starts and imports pandas and altair
REDRAW_TIMEOUT_MS = 15_000
CHART_SVG = ".vega-embed svg"
CHART_MARKS = ".vega-embed svg g.mark-symbol path"  # the points of the daily line


def _needs_sample() -> None:
    if not hasattr(shopnb, "load_sample"):
        pytest.skip(
            "shopnb.load_sample does not exist yet: notebooks/overview.ipynb loads the sample "
            "shop with it (this test runs by itself once it does)"
        )


def _svg(page) -> str:
    return page.inner_html(CHART_SVG)


def _wait_for_svg_change(page, before: str) -> None:
    page.wait_for_function(
        "([sel, before]) => { const s = document.querySelector(sel);"
        " return s && s.innerHTML !== before && s.querySelector('g.mark-symbol path'); }",
        arg=[CHART_SVG, before],
        timeout=REDRAW_TIMEOUT_MS,
    )


def test_overview_page_draws_redraws_and_switches_language_offline(page, voila_url, artifacts):
    _needs_sample()
    start = time.perf_counter()
    page.goto(f"{voila_url}/voila/render/overview.ipynb")
    page.wait_for_selector(CHART_MARKS, state="visible", timeout=FIRST_CHART_TIMEOUT_MS)
    first_chart_s = time.perf_counter() - start
    (artifacts / "timings.txt").open("a").write(f"overview first chart: {first_chart_s:.2f} s\n")
    print(f"overview: first chart visible {first_chart_s:.2f} s after the request")

    assert "店铺概览" in page.inner_text("body")
    assert "每日成交金额 (GMV)" in page.inner_text(CHART_SVG.replace(" svg", ""))
    page.wait_for_timeout(300)  # let fonts settle before the picture
    page.screenshot(path=artifacts / "overview-zh.png", full_page=True)

    # tooltips work offline too
    page.hover(CHART_MARKS)
    tooltip = page.wait_for_selector("#vg-tooltip-element.visible", timeout=REDRAW_TIMEOUT_MS)
    assert "日期" in tooltip.inner_text()
    page.mouse.move(0, 0)

    # the measure dropdown redraws the chart in place
    before = _svg(page)
    page.select_option(".widget-dropdown select", label="订单数")
    _wait_for_svg_change(page, before)
    assert "每日订单数" in page.inner_text(".vega-embed")

    # the language toggle relabels page and chart and keeps the measure
    before = _svg(page)
    page.get_by_role("button", name="English").click()
    _wait_for_svg_change(page, before)
    page.wait_for_function(
        "() => document.querySelector('.vega-embed').innerText.includes('Daily Orders')",
        timeout=REDRAW_TIMEOUT_MS,
    )
    assert "Shop overview" in page.inner_text("body")
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / "overview-en.png", full_page=True)

    assert page.offsite_requests == [], "the page asked for something off the machine"
    assert page.console_errors == []


def test_home_page_lists_the_pages_offline(page, voila_url, artifacts):
    page.goto(voila_url)
    listed = page.locator(".jp-DirListing-item", has_text="overview.ipynb")
    listed.wait_for(state="visible", timeout=REDRAW_TIMEOUT_MS)
    page.screenshot(path=artifacts / "home.png", full_page=True)
    assert page.offsite_requests == [], "the page asked for something off the machine"
    # No console check here: Voila 0.5.13's own file browser logs errors on every
    # load (its widget plugins look for a kernel the home page does not have).
