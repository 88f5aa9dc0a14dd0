"""The landing page and the navigation in headless Chromium, served by `shopnb serve`, offline.

The landing page is opened and worked (measure dropdown, language toggle), its
alerts and cards are checked, the header's link takes the reader to another
page in the same language, and ``?lang=en`` reaches a preheated kernel that ran
its notebook in Chinese before the request.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from shopnb import serve
from shopnb.pages.header import available_pages

pytestmark = pytest.mark.browser

FIRST_CHART_TIMEOUT_MS = 60_000  # a kernel may still be preheating when the test starts
REDRAW_TIMEOUT_MS = 15_000
TREND = ".shopnb-chart-trend svg.marks"
TREND_MARKS = f"{TREND} g.mark-symbol path"  # the points of the daily line
UPLOAD = ("日期,商品ID,成交人数,订单数,用户支付金额\n2026-11-01,1,3,4,300\n"
          "2026-11-02,1,5,6,500\n2026-11-03,1,2,2,180\n")


def _svg(page) -> str:
    return page.inner_html(TREND)


def _wait_for_change(page, before: str) -> None:
    page.wait_for_function(
        "([sel, before]) => { const s = document.querySelector(sel);"
        " return s && s.innerHTML !== before && s.querySelector('g.mark-symbol path'); }",
        arg=[TREND, before], timeout=REDRAW_TIMEOUT_MS)


def _wait_for_text(page, text: str, selector: str = "body") -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.innerText.includes(text)",
        arg=[selector, text], timeout=REDRAW_TIMEOUT_MS)


def _upload(page, name: str, content: bytes) -> None:
    """Choose a file with the upload button, as a reader would."""
    with page.expect_file_chooser() as chooser:
        page.click(".shopnb-control-upload")
    chooser.value.set_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def test_landing_page_lists_alerts_redraws_and_switches_language_offline(page, voila_url,
                                                                        artifacts):
    start = time.perf_counter()
    page.goto(f"{voila_url}/voila/render/index.ipynb")
    page.wait_for_selector(TREND_MARKS, state="visible", timeout=FIRST_CHART_TIMEOUT_MS)
    first_chart_s = time.perf_counter() - start
    with (artifacts / "timings.txt").open("a") as f:
        f.write(f"index first chart: {first_chart_s:.2f} s\n")
    print(f"index: first chart visible {first_chart_s:.2f} s after the request")

    body = page.inner_text("body")
    assert "店铺概览" in body and "待处理预警" in body
    kpis = page.inner_text(".shopnb-kpis")
    assert "今天 2026-11-15" in kpis and "本周 11-09 至 11-15" in kpis and "目标 ≥ 4.00%" in kpis
    alerts = page.inner_text(".shopnb-alerts")
    assert "低于本店价" in alerts  # the rivals' price cuts of the last week
    assert "直播话术" in alerts and "样本比例失衡" in alerts  # the broken A/B split
    assert "较前一天" in alerts  # the funnel's KPI drops of the last day
    assert page.locator(".shopnb-alert-high").count() >= 2
    nav = page.locator(".shopnb-nav a")
    assert nav.count() == len(available_pages())
    assert page.locator(".shopnb-links a.shopnb-page-card").count() == len(available_pages()) - 1
    assert "每日成交金额 (GMV)" in page.inner_text(".shopnb-chart-trend")
    # the charts' JavaScript was fetched while the page loaded, and the charts used that
    # fetch (the template and the charts' module spell its address alike)
    preload = page.locator('link[rel="modulepreload"]').get_attribute("href")
    assert preload.startswith("/voila/static/jupyterchart-altair-") and preload.endswith("?v=1")
    fetched = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)"
                            ".filter(n => n.includes('/jupyterchart-altair-'))")
    assert [urlsplit(url)._replace(scheme="", netloc="").geturl() for url in fetched] == [preload]
    page.shoot(artifacts / "index-zh.png")

    # tooltips work offline too
    page.hover(TREND_MARKS)
    tooltip = page.wait_for_selector("#vg-tooltip-element.visible", timeout=REDRAW_TIMEOUT_MS)
    assert "日期" in tooltip.inner_text()
    page.mouse.move(0, 0)

    # the measure dropdown redraws the chart in place
    before = _svg(page)
    start = time.perf_counter()
    page.select_option(".shopnb-control-measure select", label="订单数")
    _wait_for_change(page, before)
    redraw_ms = (time.perf_counter() - start) * 1000
    with (artifacts / "timings.txt").open("a") as f:
        f.write(f"index measure change to chart redrawn: {redraw_ms:.0f} ms\n")
    assert "每日订单数" in page.inner_text(".shopnb-chart-trend")

    # the language toggle relabels page, alerts, navigation and chart, and keeps the measure
    before = _svg(page)
    page.get_by_role("button", name="English").click()
    _wait_for_change(page, before)
    _wait_for_text(page, "Daily Orders", ".shopnb-chart-trend")
    body = page.inner_text("body")
    assert "Shop overview" in body and "Open alerts" in body and "sample ratio mismatch" in body
    assert "Competitors" in page.inner_text(".shopnb-nav")
    page.shoot(artifacts / "index-en.png")

    # an uploaded export replaces the trend; a web page saved as .csv is refused politely
    before = _svg(page)
    _upload(page, "罗盘_11月.csv", UPLOAD.encode("gb18030"))
    _wait_for_change(page, before)
    _wait_for_text(page, "from the uploaded 罗盘_11月.csv")
    assert page.locator(f"{TREND_MARKS}").count() == 3  # its three days
    _upload(page, "login.csv", b"<html>login</html>")
    _wait_for_text(page, "Cannot read the data file login.csv")
    assert page.locator(f"{TREND_MARKS}").count() == 3  # the trend stays

    # the header takes the reader to another page, in the language chosen, and the page
    # left behind stops its kernel at once (rather than when idle kernels are culled)
    kernel = page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    page.locator(".shopnb-nav a", has_text="Competitors").click()
    page.wait_for_url("**/competitors.ipynb?lang=en", timeout=REDRAW_TIMEOUT_MS)
    page.wait_for_selector(".shopnb-chart-share svg.marks", state="visible",
                           timeout=FIRST_CHART_TIMEOUT_MS)
    _wait_for_text(page, "Competitor watch")
    assert page.locator(".shopnb-nav a[aria-current=page]").inner_text() == "Competitors"
    log = artifacts / "voila.log"
    deadline = time.monotonic() + REDRAW_TIMEOUT_MS / 1000
    while f"Kernel shutdown: {kernel}" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the landing page's kernel outlived its page"
        time.sleep(0.2)

    assert page.offsite_requests == [], "a page asked for something off the machine"
    assert page.console_errors == []
    # only the front-end extensions the pages use, whatever else the environment holds
    assert page.extensions == set(serve.PAGE_EXTENSIONS)


def test_the_address_chooses_the_language_even_of_a_preheated_kernel(page, voila_url, artifacts):
    """The pool's kernels ran the notebook in Chinese before anyone asked; ?lang=en wins."""
    log = artifacts / "voila.log"
    pooled = "for index.ipynb"  # Voila logs "Using pre-heated kernel: <id> for index.ipynb"
    served_before = log.read_text(errors="replace").count(pooled)
    page.goto(f"{voila_url}/voila/render/index.ipynb?lang=en")
    page.wait_for_selector(TREND_MARKS, state="visible", timeout=FIRST_CHART_TIMEOUT_MS)
    _wait_for_text(page, "Daily GMV", ".shopnb-chart-trend")
    _wait_for_text(page, "Shop overview")
    assert 'href="competitors.ipynb?lang=en"' in page.inner_html(".shopnb-nav")
    assert log.read_text(errors="replace").count(pooled) == served_before + 1, (
        "the landing page was not served from the pool")
    assert page.offsite_requests == []
    assert page.console_errors == []


def test_home_page_lists_the_pages_offline(page, voila_url, artifacts):
    page.goto(voila_url)
    for name in ("index.ipynb", "competitors.ipynb"):
        listed = page.locator(".jp-DirListing-item", has_text=name)
        listed.wait_for(state="visible", timeout=FIRST_CHART_TIMEOUT_MS)
    page.screenshot(path=artifacts / "home.png", full_page=True)
    assert page.offsite_requests == [], "the page asked for something off the machine"
    # No console check here: Voila 0.5.13's own file browser logs errors on every
    # load (its widget plugins look for a kernel the home page does not have).
