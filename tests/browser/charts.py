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


def click_area(page, shop: str) -> None:
    """Click inside `shop`'s area in the share chart (found by its legend colour)."""
    point = page.evaluate(
        """(shop) => {
            const chart = document.querySelector('.shopnb-chart-share svg.marks');
            const labels = [...chart.querySelectorAll('.role-legend-label text')];
            const symbols = [...chart.querySelectorAll('.role-legend-symbol path')];
            const i = labels.findIndex(t => t.textContent === shop);
            if (i < 0) return null;
            const colour = symbols[i].getAttribute('fill');
            // one path per shop and layer; the areas are drawn after the range bands
            const paths = [...chart.querySelectorAll('g.mark-area path')]
                .filter(p => p.getAttribute('fill') === colour);
            const area = paths[paths.length - 1];
            if (!area) return null;
            const box = area.getBoundingClientRect();
            for (const f of [0.5, 0.4, 0.6, 0.3, 0.7]) {
                const x = box.left + box.width * f;
                for (let y = box.top + 1; y < box.bottom; y += 2) {
                    if (document.elementFromPoint(x, y) === area) return [x, y + 2];
                }
            }
            return null;
        }""", shop)
    assert point is not None, f"no area of {shop} to click in the share chart"
    page.mouse.click(*point)
