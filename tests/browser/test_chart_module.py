"""The charts' module under `shopnb serve`, run in headless Chromium with the real bundle
and a stand-in for the widget's model: redraws do not pile up listeners, and a
parameter set after many redraws still reaches the chart on screen."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from shopnb.pages import _widgets

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:9"  # never reached: every request is answered by a route
PAGE = """<html><body data-base-url="/voila/"><div id="chart"></div><script type="module">
import chart from '/chart.js';
const listeners = {};
const state = {_vl_selections: {}, _params: {}, debounce_wait: 10, max_wait: true};
const model = {
  get: (key) => state[key], set: (key, value) => { state[key] = value; }, save_changes() {},
  on(event, callback) { (listeners[event] ??= []).push(callback); },
  off(event, callback) {
    listeners[event] = (listeners[event] ?? []).filter((c) => c !== callback);
  },
};
window.draw = (spec, options) => {
  Object.assign(state, {spec, embed_options: options});
  return chart.render({model, el: document.getElementById('chart')});
};
window.change = async (changed) => {  // as a message from the kernel: set, then notify
  Object.assign(state, changed);
  for (const key of Object.keys(changed)) {
    for (const callback of listeners[`change:${key}`] ?? []) await callback({changed});
  }
};
window.listeners = (event) => (listeners[event] ?? []).length;
window.ready = true;
</script></body></html>"""


@pytest.fixture
def chart_page(browser, tmp_path):
    """A page that loads the module `shopnb serve` gives the charts, and the served bundle."""
    name = _widgets.static_bundle(tmp_path)
    files = {"/": (PAGE, "text/html"),
             "/chart.js": (_widgets._import_stub(name), "text/javascript"),
             f"/voila/static/{name}": ((tmp_path / name).read_text(encoding="utf-8"),
                                      "text/javascript")}

    def answer(route):
        body, kind = files[route.request.url.removeprefix(ORIGIN).split("?")[0]]
        route.fulfill(body=body, content_type=kind)

    page = browser.new_page()
    page.route("**/*", answer)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.ready === true")
    yield page
    page.close()


def test_redraws_keep_one_parameter_listener_and_parameters_still_apply(chart_page):
    label = alt.param(name="label", value="first")
    spec = (alt.Chart(pd.DataFrame({"x": [1]})).mark_text(text=alt.expr(label.name))
            .encode(x="x:Q").add_params(label).to_dict())
    chart_page.evaluate("([spec, options]) => draw(spec, options)",
                        [spec, _widgets.EMBED_OPTIONS])
    for _ in range(5):
        chart_page.evaluate("(spec) => change({spec: structuredClone(spec)})", spec)
    # Altair's render alone adds a listener at every redraw: 6 after 5 redraws
    assert chart_page.evaluate("() => listeners('change:_params')") == 1
    chart_page.evaluate("() => change({_params: {label: 'second'}})")
    assert chart_page.text_content("#chart svg .mark-text.role-mark text") == "second"
