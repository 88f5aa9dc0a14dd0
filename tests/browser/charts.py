"""Reading the charts of a page in the browser: a chart is named by its widget's
``shopnb-chart-<name>`` class and drawn by vega-embed as SVG."""

from __future__ import annotations

import time

REDRAW_TIMEOUT_MS = 20_000


def svg(name: str) -> str:
    """The selector of chart `name`'s drawing."""
    return f".shopnb-chart-{name} svg.marks"


def chart_text(page, name: str) -> str:
    """The words a chart shows: titles, axes, legend (not its ARIA descriptions)."""
    return page.evaluate(
        "(sel) => [...document.querySelector(sel).querySelectorAll('text')]"
        ".map(t => t.textContent).join(' ')", svg(name))


def drawing(page, name: str) -> str:
    """The chart's SVG, to tell a redraw by (`wait_for_change`)."""
    return page.inner_html(svg(name))


def wait_for_change(page, name: str, before: str) -> float:
    """Wait until the chart's SVG differs from `before` (a `drawing`); the seconds it took."""
    return _wait(page, name, "s.innerHTML !== arg", before)


def wait_for_text(page, name: str, text: str) -> float:
    """Wait until the chart shows `text`; the seconds it took."""
    return _wait(page, name, "[...s.querySelectorAll('text')].some(t => t.textContent"
                             ".includes(arg))", text)


def _wait(page, name: str, test: str, arg: str) -> float:
    """Wait until `test` (JavaScript on the chart's SVG `s` and `arg`) holds."""
    start = time.perf_counter()
    page.wait_for_function(
        f"([sel, arg]) => {{ const s = document.querySelector(sel); return s && {test}; }}",
        arg=[svg(name), arg], timeout=REDRAW_TIMEOUT_MS)
    return time.perf_counter() - start
