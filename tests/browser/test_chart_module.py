"""The charts' module under `shopnb serve`, run in headless Chromium with the real bundle
and a stand-in for the widget's model: redraws do not pile up listeners, and a
parameter set after many redraws still reaches the chart on screen."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from shopnb.pages import _widgets

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:9"  # never reached: every request is answered by a route
PAGE = """<html><body data-base-url="/voila/"><div id="chart"></div><script type="module">
import chart from '/chart.js';
const state = {spec: SPEC, embed_options: OPTIONS, _vl_selections: {}, _params: {},
               debounce_wait: 10, max_wait: true};
const listeners = {};
const model = {
  get: (key) => state[key], set: (key, value) => { state[key] = value; }, save_changes() {},
  on(event, callback) { (listeners[event] ??= []).push(callback); },
  off(event, callback) { listeners[event] = (listeners[event] ?? []).filter(c => c !== callback); },
};
async function fire(key, value) {
  state[key] = value;
  for (const callback of listeners[`change:${key}`] ?? []) await callback({changed: {[key]: value}});
}
window.redrawAndSet = async (times, label) => {
  for (let i = 0; i < times; i++) await fire('spec', structuredClone(state.spec));
  await fire('_params', {label});
  return {params: (listeners['change:_params'] ?? []).length,
          text: document.querySelector('#chart svg .mark-text.role-mark text')?.textContent};
};
await chart.render({model, el: document.getElementById('chart')});
window.ready = true;
</script></body></html>"""


def test_redraws_keep_one_parameter_listener_and_parameters_still_apply(browser, tmp_path):
    name = _widgets.static_bundle(tmp_path)
    label = alt.param(name="label", value="first")
    spec = (alt.Chart(pd.DataFrame({"x": [1]})).mark_text(text=alt.expr(label.name))
            .encode(x="x:Q").add_params(label).to_dict())
    page_html = (PAGE.replace("SPEC", json.dumps(spec))
                 .replace("OPTIONS", json.dumps(_widgets.EMBED_OPTIONS)))
    files = {"/": (page_html, "text/html"),
             "/chart.js": (_widgets._import_stub(name), "text/javascript"),
             f"/voila/static/{name}": ((tmp_path / name).read_text(encoding="utf-8"),
                                      "text/javascript")}
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.fulfill(
            body=files[route.request.url.removeprefix(ORIGIN).split("?")[0]][0],
            content_type=files[route.request.url.removeprefix(ORIGIN).split("?")[0]][1]))
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.ready === true")
        # Altair's render alone adds a listener at every redraw: 6 after 5 redraws
        assert page.evaluate("() => redrawAndSet(5, 'second')") == {"params": 1,
                                                                     "text": "second"}
    finally:
        page.close()
