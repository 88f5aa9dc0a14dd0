"""The ``shopnb`` renderer: every builder's chart as offline HTML (`shopnb.charts.render`).

The browser side (nbconvert HTML drawn in headless Chromium, JupyterLab) is checked by the
browser tests; here, what the mimebundle holds."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import altair as alt
import pandas as pd
import pytest

from shopnb import charts
from shopnb.charts import render

CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs|<script[^>]*\bsrc=", re.I)


def _spec_in(page: str) -> dict:
    """The spec the page's script hands vega-embed."""
    call = page[page.rindex("window.vegaEmbed(el, ") + len("window.vegaEmbed(el, "):]
    spec, _ = json.JSONDecoder().raw_decode(call.replace("<\\/", "</"))
    return spec


def _charts() -> dict[str, alt.TopLevelMixin]:
    daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-05-02"]),
                          "gmv": [1200.0, 1500.0]})
    ab = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 2), "variant": ["A", "B"],
                       "value": [0.1, 0.2]})
    stages = pd.DataFrame({"stage": ["impressions", "clicks"], "count": [1000.0, 50.0],
                           "rate_from_previous": [1.0, 0.05],
                           "rate_from_previous_ci_lower": [None, 0.038],
                           "rate_from_previous_ci_upper": [None, 0.065],
                           "rate_from_first": [1.0, 0.05]})
    return {"daily_trend": charts.daily_trend(daily, "gmv", lang="en"),
            "ab_daily": charts.ab_daily(ab, variants=["A", "B"], metric="ctr", percent=True),
            "funnel_chart": charts.funnel_chart(stages, lang="en")}


def test_importing_the_charts_enables_the_renderer():
    assert alt.renderers.active == render.RENDERER


@pytest.mark.parametrize("name", ["daily_trend", "ab_daily", "funnel_chart"])
def test_a_chart_s_mimebundle_holds_its_spec_and_asks_no_other_host(name):
    chart = _charts()[name]
    bundle = chart._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    page = bundle["text/html"]
    assert not CDN.search(page)
    assert _spec_in(page) == chart.to_dict()
    assert "window.vegaEmbed=" in page.replace(" ", "")  # vega itself, inlined
    assert page.count("</script>") == 1  # the bundle cannot end the script early
    assert '"renderer": "svg"' in page


def test_the_script_evaluates_vega_once_per_page_and_declares_nothing_global():
    page = render.render_chart({"mark": "point"})
    script = page["text/html"].split("<script", 1)[1]
    assert script.split(">", 1)[1].lstrip().startswith("(function () {")
    assert "if (!window.vegaEmbed)" in script
    assert "previousElementSibling" in script  # its own <div>, wherever it is shown


def test_a_renderer_the_user_chose_stays():
    code = ("import altair as alt; alt.renderers.enable('svg'); import shopnb.charts;"
            " print(alt.renderers.active)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "svg"


def test_the_charts_come_with_import_shopnb_and_dir_lists_them():
    code = ("import sys, shopnb as sn; print('altair' in sys.modules, 'charts' in dir(sn));"
            " import altair as alt; sn.charts.share_chart; print(alt.renderers.active)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "shopnb"]
