"""Each page's `shopnb report` opened from disk in headless Chromium with the network cut off:
the charts are drawn from the JavaScript inside the file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shopnb.pages.header import available_pages
from shopnb.report import write_report

pytestmark = pytest.mark.browser

CHART = ".vega-embed svg.marks"
# what each page's report shows, in English, and how many charts at least
EXPECTED = {
    "index": ("Shop overview", 1),
    "funnel": ("Conversion funnel", 7),  # every tab
    "competitors": ("Competitor watch", 6),
    "experiments": ("A/B tests", 4),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory, browser) -> dict[str, Path]:
    """A report of every page there is, in English (asks for the browser first, so that a
    missing chromium skips before the notebooks run)."""
    folder = tmp_path_factory.mktemp("reports")
    return {page: write_report(page, folder / f"{page}.html", params={"lang": "en"})
            for page in available_pages()}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_report_opens_offline_with_its_charts(name, reports, browser, artifacts):
    if name not in reports:
        pytest.skip(f"notebooks/{name}.ipynb does not exist (yet)")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    asked: list[str] = []
    errors: list[str] = []

    def offline(route):
        if urlsplit(route.request.url).scheme in ("file", "data", "blob"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(reports[name].as_uri())
        title, charts = EXPECTED[name]
        page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length >= {charts}",
                               timeout=30_000)
        assert title in page.inner_text("body")
        assert page.locator("script[src], link[href], img[src]").count() == 0
        assert "import shopnb" not in page.content()  # no code cells
        page.wait_for_timeout(300)
        page.screenshot(path=artifacts / f"report-{name}-en.png", full_page=True)
        assert asked == [], "the report asked for something off the machine"
        assert errors == []
    finally:
        context.close()
