"""The funnel page in headless Chromium, served by Voila, fully offline: the controls and
tabs redraw it, the CSV link downloads the table, and an uploaded 罗盘 export replaces the
sample shop."""

from __future__ import annotations

import time
import urllib.parse

import pandas as pd
import pytest

from .charts import REDRAW_TIMEOUT_MS, chart_text, drawing, svg, wait_for_change, wait_for_text

pytestmark = pytest.mark.browser

FIRST_CHART_TIMEOUT_MS = 90_000  # the kernel starts, loads the sample shop and draws


def select(page, control: str, label: str) -> None:
    page.select_option(f".shopnb-control-{control} select", label=label)


def export_file(folder) -> str:
    """A small 罗盘 product-by-carrier export (GBK, Chinese headers) of two products."""
    rows = []
    for day in pd.date_range("2026-03-01", periods=10):
        for pid, name, carrier, imp in (("101", "测试面膜", "直播", 5000),
                                        ("102", "测试口红", "短视频", 8000)):
            rows.append({"日期": f"{day:%Y-%m-%d}", "商品ID": pid, "商品名称": name,
                         "载体类型": carrier, "商品曝光人数": imp + day.day * 10,
                         "商品点击人数": 300 + day.day, "商品加购人数": 40, "成交订单数": 12,
                         "成交人数": 10, "用户支付金额": f"{1234.5 + day.day:,.2f}"})
    path = folder / "电商罗盘_商品载体明细_上传.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="gbk")
    return str(path)


def test_funnel_page_offline_controls_tabs_download_and_upload(voila_url, page, artifacts,
                                                                tmp_path):
    timings = []
    start = time.perf_counter()
    page.goto(f"{voila_url}/voila/render/funnel.ipynb")
    page.wait_for_selector(f"{svg('funnel')} g.mark-rect path", state="visible",
                           timeout=FIRST_CHART_TIMEOUT_MS)
    first_chart_s = time.perf_counter() - start
    for name in ("trend", "waterfall"):
        page.wait_for_selector(svg(name), state="visible", timeout=REDRAW_TIMEOUT_MS)
    timings.append(f"funnel first chart: {first_chart_s:.2f} s")
    print(f"funnel: first chart {first_chart_s:.2f} s after the request")

    body = page.inner_text("body")
    assert "转化漏斗" in body and "示例店铺" in body
    assert page.locator(".shopnb-card").count() >= 6
    assert "商品曝光" in chart_text(page, "funnel")
    assert "GPM 变化拆解" in chart_text(page, "waterfall")
    page.shoot(artifacts / "funnel-zh.png")

    # tooltips work offline too
    page.hover(f"{svg('funnel')} g.mark-rect path")
    tooltip = page.wait_for_selector("#vg-tooltip-element.visible", timeout=REDRAW_TIMEOUT_MS)
    assert "环节转化率" in tooltip.inner_text()
    page.mouse.move(0, 0)

    # the carrier: the funnel is redrawn
    before = drawing(page, "funnel")
    select(page, "carrier", "直播")
    timings.append(f"funnel carrier change to funnel redrawn: "
                   f"{wait_for_change(page, 'funnel', before) * 1000:.0f} ms")
    page.wait_for_timeout(500)  # the other charts of the tab follow

    # the KPI: the trend follows it, with its target rule
    select(page, "kpi", "投放 ROI")
    timings.append(f"funnel KPI change to trend redrawn: "
                   f"{wait_for_text(page, 'trend', '每日投放 ROI') * 1000:.0f} ms")
    # ROI is off target on the sample shop: the line is drawn beside its alert marks
    assert page.locator(f"{svg('trend')} g.mark-symbol path").count() > 0
    assert page.get_attribute(f"{svg('trend')} g.mark-line path", "d").count("L") > 5

    # the date range: the upper handle a week back moves the funnel
    before = drawing(page, "funnel")
    handle = page.locator(".shopnb-control-dates .noUi-handle-upper")
    handle.focus()
    for _ in range(7):
        handle.press("ArrowLeft")
    wait_for_change(page, "funnel", before)
    page.wait_for_function("() => document.body.innerText.includes('2026-11-08')",
                           timeout=REDRAW_TIMEOUT_MS)

    # the products: two of them
    before = drawing(page, "funnel")
    options = page.locator(".shopnb-control-products select option").all_inner_texts()
    page.select_option(".shopnb-control-products select", label=options[:2])
    wait_for_change(page, "funnel", before)

    # tabs: channels & content, then the user paths and their window
    page.get_by_role("tab", name="渠道与内容").click()
    page.wait_for_selector(f"{svg('decay')} g.mark-line path", state="visible",
                           timeout=REDRAW_TIMEOUT_MS)
    assert "渠道" in chart_text(page, "heatmap")
    assert "发布后天数" in chart_text(page, "decay")
    page.shoot(artifacts / "funnel-zh-content.png")
    page.get_by_role("tab", name="用户路径").click()
    page.wait_for_selector(f"{svg('events')} g.mark-rect path", state="visible",
                           timeout=REDRAW_TIMEOUT_MS)
    page.wait_for_selector(svg("ttc"), state="visible", timeout=REDRAW_TIMEOUT_MS)
    assert "1 天内" in chart_text(page, "events")
    select(page, "window", "1 小时")
    timings.append(f"funnel window change to user-path funnel redrawn: "
                   f"{wait_for_text(page, 'events', '1 小时内') * 1000:.0f} ms")
    page.shoot(artifacts / "funnel-zh-events.png")

    # alerts, and the CSV of the current table
    page.get_by_role("tab", name="预警").click()
    page.wait_for_selector(".shopnb-alerts table", state="visible", timeout=REDRAW_TIMEOUT_MS)
    # the note on unpaid orders comes in its own widget message, after the table's
    page.get_by_text("在 22:00 之后下单").wait_for(timeout=REDRAW_TIMEOUT_MS)
    link = page.locator("a.shopnb-download").first
    assert link.get_attribute("download").startswith("shopnb_funnel_")
    csv = urllib.parse.unquote(link.get_attribute("href").split(",", 1)[1])
    assert csv.lstrip("\ufeff").startswith("date,")
    with page.expect_download(timeout=REDRAW_TIMEOUT_MS) as download:
        link.click()
    assert download.value.suggested_filename.endswith(".csv")
    page.shoot(artifacts / "funnel-zh-alerts.png")

    # English
    page.get_by_role("tab", name="漏斗与指标").click()
    page.get_by_role("button", name="English").click()
    wait_for_text(page, "funnel", "Funnel: people at each stage")
    page.wait_for_function("() => document.body.innerText.includes('Conversion funnel')",
                           timeout=REDRAW_TIMEOUT_MS)
    page.shoot(artifacts / "funnel-en.png")

    # an upload replaces the sample shop
    before = drawing(page, "funnel")
    with page.expect_file_chooser(timeout=REDRAW_TIMEOUT_MS) as chooser:
        page.click(".shopnb-upload")
    chooser.value.set_files(export_file(tmp_path))
    page.wait_for_function("() => document.body.innerText.includes('Loaded:')",
                           timeout=REDRAW_TIMEOUT_MS)
    wait_for_change(page, "funnel", before)
    assert "测试面膜" in page.inner_text(".shopnb-control-products")
    page.shoot(artifacts / "funnel-en-upload.png")

    with (artifacts / "timings.txt").open("a") as f:
        f.write("\n".join(timings) + "\n")
    print("\n".join(timings))
    assert page.offsite_requests == [], "the page asked for something off the machine"
    assert page.console_errors == []
