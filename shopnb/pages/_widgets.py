"""Widget pieces shared by the pages: the offline chart, the results they keep, a chart's redraw.

The HTML pieces (message, title, table, KPI card) are in `shopnb.pages._html`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import pandas as pd
import traitlets

from shopnb.charts import TITLE_PARAM, layout_of, rows_title
from shopnb.errors import ShopDataError
from shopnb.pages._html import message_html
from shopnb.store import ENV_STATIC_BUNDLE, cache_folder

# vega-embed options: SVG (crisp, and testable in a browser), and an actions
# menu that only offers the downloads (the editor links need the internet).
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


_offline = False


def _bundle_cache() -> Path | None:
    """Where the offline JavaScript bundle is kept, one file per Altair/vl-convert pair."""
    name = bundle_name()
    if name is None:
        return None
    return cache_folder() / name


def bundle_name() -> str | None:
    """The bundle's file name for the installed Altair and vl-convert (None: no vl-convert).

    Example:
        >>> bundle_name().startswith("jupyterchart-altair-")
        True
    """
    try:
        return f"jupyterchart-altair-{alt.__version__}-vlc-{version('vl-convert-python')}.js"
    except PackageNotFoundError:
        return None


def _offline_bundle() -> str:
    """JupyterChart's JavaScript with vega inside it, from the cache file or built once."""
    cache = _bundle_cache()
    if cache is not None and cache.is_file():
        bundle = cache.read_text(encoding="utf-8")
        if bundle:
            return bundle
    alt.JupyterChart.enable_offline()
    if cache is not None:
        _write_atomically(cache, alt.JupyterChart._esm)
    return alt.JupyterChart._esm


def static_bundle(folder: Path) -> str:
    """Write the offline bundle into `folder` (a static folder a server serves); its name.

    `shopnb serve` puts it where Voila serves ``/voila/static/<name>`` and
    tells the kernels (``SHOPNB_CHART_BUNDLE``); their charts then import it
    from there instead of each carrying the 0.9 MB bundle in its widget state:
    a page evaluates vega once, not once per chart, and a browser caches it.
    """
    name = bundle_name() or "jupyterchart.js"
    target = folder / name
    if not target.is_file():
        _write_atomically(target, _offline_bundle())
    return name


# data changes a chart's Vega view takes before a redraw makes a new view (`_import_stub`)
VIEW_UPDATES = 10


def _import_stub(name: str) -> str:
    """A module that renders with the bundle the Voila server serves as /voila/static/`name`.

    Voila's page body carries its base URL (``data-base-url``); the ``v`` argument
    makes the server send it with a long cache lifetime (a new version, a new name).

    A new spec that differs from the one on screen only in its rows and its parameters'
    values (a redraw of the same layout, see `ShopChart`) goes into the chart's Vega view
    as a data change, through the data paths of Altair's own render (``_py_to_js_updates``
    for the rows, ``_params`` for the values), instead of a new view: no Vega-Lite
    compile, no new view (in the browser, 13-30 ms a chart instead of 21-39 ms). Redraws
    run one after the other, each with the newest spec.

    - The rows are emptied first, so that the view draws its series in the new rows'
      order, as a new view would.
    - A new chart resets its selections in the kernel; the view keeps them, so it tells
      the kernel again what they are, as a new view does.
    - Vega keeps the items of grouped marks whose rows were removed (vega/vega#688, #2920:
      the price-index chart's view grows 0.16 MB per redraw), so every
      `VIEW_UPDATES` + 1-th redraw of a chart is a new view, which lets them go.

    It also mends a leak in Altair's `render`: at every redraw it adds a listener
    for parameter and VegaFusion updates and never removes one, so each redraw's
    finalized view stays alive and is updated at every parameter change (the
    competitors page: JavaScript heap 34 -> 264 MB and a week change 227 -> 372 ms
    after 120 category changes). The module hands `render` a model that keeps only
    the newest of those listeners.
    """
    return (
        "const base = document.body.dataset.baseUrl || '/voila/';\n"
        f"const url = new URL(`${{base}}static/{name}?v=1`, window.location.href);\n"
        "const bundle = (await import(url.href)).default;\n"
        "const once = ['change:_params', 'change:_py_to_js_updates'];\n"
        "// what a spec draws besides its rows and its parameters' values (from `_params`)\n"
        "const layout = ({data, datasets, params, ...rest}) => JSON.stringify([rest,\n"
        "  params?.map(({value, ...param}) => param.select ? {value, ...param} : param)]);\n"
        "const others = (spec) => Object.keys(spec.datasets ?? {})\n"
        "  .filter((name) => name !== spec.data.name).sort().join();\n"
        "// the rows of `next` when it differs from `shown` only in its rows (and parameters)\n"
        "function newRows(shown, next) {\n"
        "  if (!shown?.data?.name || !next?.data?.name) return null;\n"
        "  if (layout(shown) !== layout(next) || others(shown) !== others(next)) return null;\n"
        "  return structuredClone(next.datasets[next.data.name]);  // vega changes its rows\n"
        "}\n"
        "function render({model, el}) {\n"
        "  const newest = {};\n"
        "  let shown = model.get('spec'), source = shown?.data?.name, updates = 0, queue;\n"
        "  let selections;  // what the view last told the kernel its selections are\n"
        "  const redraw = (reembed) => () => (queue = queue.then(async () => {\n"
        "    const next = model.get('spec');\n"
        "    if (next === shown) return;\n"
        "    const rows = newRows(shown, next);\n"
        "    shown = next;\n"
        f"    if (rows === null || updates === {VIEW_UPDATES}) {{\n"
        "      [source, updates] = [next?.data?.name, 0];\n"
        "      return reembed();\n"
        "    }\n"
        "    updates += 1;\n"
        "    // emptied first, so that the series are drawn in the new rows' order\n"
        "    const update = (value) => newest['change:_py_to_js_updates'](\n"
        "      [{namespace: 'data', name: source, scope: [], value}]);\n"
        "    await update([]);\n"
        "    await update(rows);\n"
        "    await newest['change:_params'](model.get('_params'));\n"
        "    if (selections) {  // the kernel reset them with the new chart; the view kept them\n"
        "      model.set('_vl_selections', selections);\n"
        "      model.save_changes();\n"
        "    }\n"
        "  }).catch((error) => console.error(error)));  // the next redraw still runs\n"
        "  const on = (event, callback) => {\n"
        "    if (event === 'change:spec') return model.on(event, redraw(callback));\n"
        "    if (once.includes(event)) {\n"
        "      if (newest[event]) model.off(event, newest[event]);\n"
        "      newest[event] = callback;\n"
        "    }\n"
        "    return model.on(event, callback);\n"
        "  };\n"
        "  const set = (key, value) => {\n"
        "    if (key === '_vl_selections') selections = value;\n"
        "    return model.set(key, value);\n"
        "  };\n"
        "  const tracked = new Proxy(model, {get: (target, key) => key === 'on' ? on\n"
        "    : key === 'set' ? set\n"
        "    : typeof target[key] === 'function' ? target[key].bind(target) : target[key]});\n"
        "  queue = Promise.resolve(bundle.render({model: tracked, el}));\n"
        "  return queue;\n"
        "}\n"
        "export default {...bundle, render};\n"
    )


def enable_offline_charts() -> None:
    """Make every `alt.JupyterChart` load its JavaScript from the server, not a CDN.

    Under `shopnb serve` (``SHOPNB_CHART_BUNDLE`` names the served bundle of
    this Altair and vl-convert) a chart's module imports that file (see `_import_stub`).
    Elsewhere (JupyterLab, nbclient) it is the whole bundle, as
    `alt.JupyterChart.enable_offline()` builds it, kept in a cache file so that
    later kernels read the file instead of loading vl-convert (about 1.5 s and
    100 MB less per kernel).
    """
    global _offline
    if _offline:
        return
    served = os.environ.get(ENV_STATIC_BUNDLE)
    # what enable_offline() itself sets, minus building the bundle
    alt.JupyterChart._esm = (_import_stub(served) if served and served == bundle_name()
                             else _offline_bundle())
    alt.JupyterChart._is_offline = True
    _offline = True


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache (read-only home, full disk): the next kernel builds it again


class ShopChart(alt.JupyterChart):
    """A JupyterChart that sends a new chart built on a cached layout (`shopnb.charts`'
    builders make a look's layout once) as the layout's spec with the new rows (and title).

    Converting a whole chart to its spec (Altair's ``to_dict``) took most of a redraw's
    time in the kernel; the layout is converted once, then each redraw only converts its
    rows (the same spec, see the tests). Neither is validated against the Vega-Lite
    schema at run time (two thirds of a conversion: the share chart's 29 ms against 9 ms):
    the tests validate every page's redrawn charts. Parameters and selections are set up
    by Altair, as for any chart.

    Example:
        >>> from shopnb.charts import kpi_trend_chart
        >>> days = pd.DataFrame({"date": pd.date_range("2024-11-01", periods=2),
        ...                      "ctr": [0.05, 0.04]})
        >>> widget = ShopChart(kpi_trend_chart(days, kpi="ctr"))
        >>> widget.chart = kpi_trend_chart(days.assign(ctr=[0.03, 0.06]), kpi="ctr")
        >>> widget.spec == widget.chart.to_dict()
        True
    """

    @traitlets.observe("chart")
    def _on_change_chart(self, change: dict) -> None:
        chart, layout = change.new, layout_of(change.new)
        if layout is None:
            super()._on_change_chart(change)
            return
        template = getattr(layout, _TEMPLATE, None)
        if template is None:  # the layout's first chart, converted whole
            spec = chart.to_dict(validate=False)  # the tests validate every builder's charts
            object.__setattr__(layout, _TEMPLATE, _template(spec))  # Altair's setattr: a property
        else:
            rows = alt.Chart(chart.data).to_dict(validate=False)  # its data, as Altair puts it
            spec = {**template, "data": rows["data"],
                    "datasets": {**template["datasets"], **rows["datasets"]}}
            title = rows_title(chart)  # a title of what the rows are of (`_with_rows`)
            if title is not None:
                spec["params"] = [{**param, "value": title} if param["name"] == TITLE_PARAM
                                  else param for param in template["params"]]
        super()._on_change_chart(SimpleNamespace(new=_Converted(chart, spec)))


_TEMPLATE = "_shopnb_template"


def _template(spec: dict) -> dict:
    """`spec` without its top-level rows (the datasets its layers name stay)."""
    name = spec["data"]["name"]
    rest = json.dumps({k: v for k, v in spec.items() if k not in ("data", "datasets")})
    datasets = {k: v for k, v in spec["datasets"].items() if k != name or f'"{k}"' in rest}
    return {**{k: v for k, v in spec.items() if k != "data"}, "datasets": datasets}


class _Converted:
    """`chart` with its spec already converted: what Altair's own set-up of a JupyterChart
    (parameters, selections, then the spec) is handed."""

    def __init__(self, chart: alt.TopLevelMixin, spec: dict) -> None:
        self._chart, self._spec = chart, spec

    def __getattr__(self, name: str) -> object:
        return getattr(self._chart, name)

    def to_dict(self, *_args: object, **_kwargs: object) -> dict:
        return self._spec


def chart_widget(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """`chart` as a JupyterChart whose JavaScript comes from the kernel, not a CDN.

    Redraw by assigning ``widget.chart = new_chart``; never display again.
    """
    enable_offline_charts()
    return ShopChart(chart, embed_options=EMBED_OPTIONS)


class Kept:
    """Results kept by what they depend on besides a page's data (which does not change), the
    oldest dropped past `size`: going back to an earlier choice computes nothing.

    Example:
        >>> kept = Kept(size=2)
        >>> kept(("ctr", "A"), lambda: 1), kept(("ctr", "A"), lambda: 2)
        (1, 1)
    """

    def __init__(self, size: int = 256) -> None:
        self._size, self._results = size, {}

    def __call__(self, key: tuple, compute: Callable[[], object]) -> object:
        if key not in self._results:
            if len(self._results) >= self._size:
                del self._results[next(iter(self._results))]  # the oldest
            self._results[key] = compute()
        return self._results[key]


def draw_chart(drawn: dict[str, tuple], name: str, key: tuple, widget: alt.JupyterChart,
               note: object, compute: Callable[[], object],
               draw: Callable[[object], alt.TopLevelMixin], message: Callable[[], str]) -> None:
    """Draw chart `name` into `widget` from ``compute()``, unless `drawn` says it was last
    drawn for the same `key` (what it depends on); when there is nothing to draw (None,
    an empty frame, or a `ShopDataError` from `compute`), hide it behind a friendly note
    in `note` (an HTML widget).

    Example:
        >>> import ipywidgets as w
        >>> drawn, box = {}, w.HTML()
        >>> draw_chart(drawn, "trend", ("zh",), w.Box(), box, lambda: None, lambda d: d,
        ...            lambda: "no data")
        >>> "no data" in box.value, drawn
        (True, {'trend': ('zh',)})
    """
    if drawn.get(name) == key:
        return
    drawn[name] = key
    try:
        data = compute()
    except ShopDataError:
        data = None
    empty = data is None or (isinstance(data, pd.DataFrame) and data.empty)
    widget.chart = None if empty else draw(data)
    widget.layout.display = "none" if empty else None
    note.value = message_html(message()) if empty else ""
    note.layout.display = None if empty else "none"
