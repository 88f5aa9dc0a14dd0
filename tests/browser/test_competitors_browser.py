"""The competitors page in headless Chromium, served by Voila, fully offline: controls
redraw it, and a click on a rival in the share chart filters the other charts."""

from __future__ import annotations

import time

import pytest

from .charts import REDRAW_TIMEOUT_MS, chart_text, click_area, drawing, svg, wait_for_change

pytestmark = pytest.mark.browser

FIRST_CHART_TIMEOUT_MS = 90_000  # the kernel starts, imports and draws six charts
CHARTS = ("share", "price_index", "content", "audience", "traffic", "lifecycle")
OLDER_RIVAL = "老铺良品食品店"  # the sample rival with the clearly older audience


def test_competitors_page_offline_controls_and_rival_click(voila_url, page, artifacts):
    start = time.perf_counter()
    page.goto(f"{voila_url}/voila/render/competitors.ipynb")
    page.wait_for_selector(f"{svg('share')} g.mark-area path", state="visible",
                           timeout=FIRST_CHART_TIMEOUT_MS)
    first_chart_s = time.perf_counter() - start
    for name in CHARTS:
        page.wait_for_selector(svg(name), state="visible", timeout=REDRAW_TIMEOUT_MS)
    all_s = time.perf_counter() - start
    (artifacts / "timings.txt").open("a").write(
        f"competitors first chart: {first_chart_s:.2f} s, all six: {all_s:.2f} s\n")
    print(f"competitors: first chart {first_chart_s:.2f} s, all six {all_s:.2f} s")

    body = page.inner_text("body")
    assert "竞品监控" in body and "价格预警" in body
    assert "份额" in chart_text(page, "share") and "价格指数" in chart_text(page, "price_index")
    assert OLDER_RIVAL in chart_text(page, "audience")
    page.shoot(artifacts / "competitors-zh.png")

    # an earlier week: the content bars are redrawn; the alerts name that week
    before = drawing(page, "content")
    start = time.perf_counter()
    page.select_option(".shopnb-control-week select", label="2026-10-05")
    wait_for_change(page, "content", before)
    week_ms = (time.perf_counter() - start) * 1000
    page.wait_for_function("() => document.body.innerText.includes('2026-10-05')",
                           timeout=REDRAW_TIMEOUT_MS)
    assert "记忆棉枕" in page.inner_text(".shopnb-alerts")  # 悦家生活馆 cut it that week

    # click the older rival's area in the share chart: the other charts show it alone
    before = drawing(page, "audience")
    start = time.perf_counter()
    click_area(page, OLDER_RIVAL)
    wait_for_change(page, "audience", before)
    click_ms = (time.perf_counter() - start) * 1000
    (artifacts / "timings.txt").open("a").write(
        f"competitors week change to content redrawn: {week_ms:.0f} ms; rival click to "
        f"audience redrawn: {click_ms:.0f} ms\n")
    page.wait_for_function(
        "(shop) => document.body.innerText.includes('下方图表只看 ' + shop)",
        arg=OLDER_RIVAL, timeout=REDRAW_TIMEOUT_MS)
    audience = chart_text(page, "audience")
    assert OLDER_RIVAL in audience and "潮衣研究所" not in audience
    assert "潮衣研究所" not in chart_text(page, "content")
    page.shoot(artifacts / "competitors-selected.png")

    # back to all rivals, then fewer rivals by units sold
    before = drawing(page, "audience")
    page.get_by_role("button", name="显示全部竞品").click()
    wait_for_change(page, "audience", before)
    assert "潮衣研究所" in chart_text(page, "audience")
    before = drawing(page, "share")
    page.select_option(".shopnb-control-measure select", label="销量")
    wait_for_change(page, "share", before)
    assert "销量份额" in chart_text(page, "share")

    # English
    before = drawing(page, "share")
    page.get_by_role("button", name="English").click()
    wait_for_change(page, "share", before)
    page.wait_for_function("() => document.body.innerText.includes('Competitor watch')",
                           timeout=REDRAW_TIMEOUT_MS)
    page.wait_for_function(  # the charts below are redrawn one after the other
        "(sel) => document.querySelector(sel).textContent.includes('life cycle')",
        arg=svg("lifecycle"), timeout=REDRAW_TIMEOUT_MS)
    assert "Audience gap" in chart_text(page, "audience")
    page.shoot(artifacts / "competitors-en.png")

    assert page.offsite_requests == [], "the page asked for something off the machine"
    assert page.console_errors == []
