"""The pages' chart widget, and every use shopnb makes of Altair's private parts.

A page's chart is an `alt.JupyterChart` (a Vega-Lite selection reaches Python; a redraw
assigns ``widget.chart``). Altair's public API does the rest of the job
(`alt.JupyterChart.enable_offline`, ``widget.params``, ``widget.selections``,
``chart.to_dict``), but not fast enough for a redraw within its budget, nor offline under
`shopnb serve` without each chart carrying the whole bundle. So this module, and no other,
touches Altair's private parts, each for a reason:

- `ShopChart` overrides ``JupyterChart._on_change_chart`` (the observer of ``chart``):
  Altair converts the whole chart at every assignment; a chart built on a cached layout
  (`shopnb.charts.layout`) needs only its rows converted. It hands Altair's observer a
  chart whose ``to_dict`` returns that spec, so that Altair still sets up the parameters
  and selections.
- `enable_offline_charts` sets ``JupyterChart._esm`` and ``JupyterChart._is_offline``
  (what ``enable_offline()`` sets), and reads ``_esm`` once to keep it in a cache file:
  ``enable_offline()`` builds the bundle with vl-convert in every kernel, which costs each
  kernel seconds and memory; under `shopnb serve` ``_esm`` is a small module that imports
  the bundle the server serves (`_import_stub`).
- That module wraps Altair's JavaScript ``render``: it relies on Altair's module listening
  to ``change:spec``, ``change:_params`` and ``change:_py_to_js_updates`` on the widget's
  model and keeping the selections in ``_vl_selections``.

Altair's version is capped in pyproject.toml and environment.yml to the versions this was
tested with (`TESTED_ALTAIR`); ``tests/pages/test_jupyterchart.py`` fails, saying what to
check again, on an Altair outside that range or when a name above disappears.

Example:
    >>> import pandas as pd
    >>> chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
    >>> chart_widget(chart).embed_options["renderer"]
    'svg'
"""

from __future__ import annotations

import json
import os
import weakref
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import traitlets
from altair.typing import ChartType

from shopnb.charts.layout import TITLE_PARAM, layout_of, rows_title
from shopnb.charts.render import EMBED_OPTIONS, cached_text, write_atomically
from shopnb.store import ENV_STATIC_BUNDLE

__all__ = ["EMBED_OPTIONS", "TESTED_ALTAIR", "ShopChart", "bundle_name", "chart_widget",
           "enable_offline_charts", "static_bundle"]

# the Altair versions this module was tested with: at least the first, below the second
# (pyproject.toml and environment.yml cap Altair at the same)
TESTED_ALTAIR = ("5.5", "6.4")
# what this module's JavaScript relies on in Altair's (`_import_stub`)
ALTAIR_JS_NAMES = ("change:spec", "change:_params", "change:_py_to_js_updates",
                   "_vl_selections")

_offline = False


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
    def build() -> str:
        alt.JupyterChart.enable_offline()
        return alt.JupyterChart._esm

    name = bundle_name()
    return build() if name is None else cached_text(name, build)


def static_bundle(folder: Path) -> str:
    """Write the offline bundle into `folder` (a static folder a server serves); its name.

    `shopnb serve` puts it where Voila serves ``/voila/static/<name>`` and
    tells the kernels (``SHOPNB_CHART_BUNDLE``); their charts then import it
    from there instead of each carrying the whole bundle in its widget state:
    a page evaluates vega once, not once per chart, and a browser caches it.
    """
    name = bundle_name() or "jupyterchart.js"
    target = folder / name
    if not target.is_file():
        write_atomically(target, _offline_bundle())
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
    compile, no new view, which is the faster way in the browser. Redraws run one after
    the other, each with the newest spec.

    - The rows are emptied first, so that the view draws its series in the new rows'
      order, as a new view would.
    - A new chart resets its selections in the kernel; the view keeps them, so it tells
      the kernel again what they are, as a new view does.
    - Vega keeps the items of grouped marks whose rows were removed (vega/vega#688, #2920:
      a view grows at every redraw), so every
      `VIEW_UPDATES` + 1-th redraw of a chart is a new view, which lets them go.

    It also mends a leak in Altair's `render`: at every redraw it adds a listener
    for parameter and VegaFusion updates and never removes one, so each redraw's
    finalized view stays alive and is updated at every parameter change (memory and
    time grow with every redraw). The module hands `render` a model that keeps only
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
    later kernels read the file instead of loading vl-convert (seconds and memory
    each).
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


class ShopChart(alt.JupyterChart):
    """A JupyterChart that sends a new chart built on a cached layout as that layout's spec.

    `shopnb.charts`' builders make a look's layout once; the spec sent is the layout's
    converted one with the new rows (and title).

    Converting a whole chart to its spec (Altair's ``to_dict``) is most of a redraw's time
    in the kernel; the layout is converted once, then each redraw only converts its rows
    (the same spec, see the tests). Neither is validated against the Vega-Lite schema at
    run time (most of a conversion's cost): the tests validate every page's redrawn
    charts. Parameters and selections are set up by Altair, as for any chart.

    A chart that was changed after it was built (`shopnb.charts.layout.layout_of` then
    gives None), or that is built on no layout, is converted whole, as Altair does; the
    layout's converted spec is made only from a chart as built.

    Example:
        >>> import pandas as pd
        >>> from shopnb.charts import kpi_trend_chart
        >>> days = pd.DataFrame({"date": pd.date_range("2024-11-01", periods=2),
        ...                      "ctr": [0.05, 0.04]})
        >>> widget = ShopChart(kpi_trend_chart(days, kpi="ctr"))
        >>> widget.chart = kpi_trend_chart(days.assign(ctr=[0.03, 0.06]), kpi="ctr")
        >>> widget.spec == widget.chart.to_dict()
        True
    """

    @traitlets.observe("chart")
    def _on_change_chart(self, change: traitlets.Bunch) -> None:
        chart, layout = change.new, layout_of(change.new)
        if layout is None:
            super()._on_change_chart(change)
            return
        template = _TEMPLATES.get(id(layout))
        if template is None:  # the layout's first chart, converted whole
            spec = chart.to_dict(validate=False)  # the tests validate every builder's charts
            _keep_template(layout, _template(spec))
        else:
            rows = alt.Chart(chart.data).to_dict(validate=False)  # its data, as Altair puts it
            spec = {**template, "data": rows["data"],
                    "datasets": {**template["datasets"], **rows["datasets"]}}
            title = rows_title(chart)  # a title of what the rows are of (`_with_rows`)
            if title is not None:
                spec["params"] = [{**param, "value": title} if param["name"] == TITLE_PARAM
                                  else param for param in template["params"]]
        super()._on_change_chart(SimpleNamespace(new=_Converted(chart, spec)))


# each layout's converted spec without its rows, by the layout's id while the layout lives
# (Altair's objects cannot be keys: they compare by value and have no hash)
_TEMPLATES: dict[int, dict] = {}


def _keep_template(layout: ChartType, template: dict) -> None:
    _TEMPLATES[id(layout)] = template
    weakref.finalize(layout, _TEMPLATES.pop, id(layout), None)  # before the id can be reused


def _template(spec: dict) -> dict:
    """`spec` without its top-level rows (the datasets its layers name stay)."""
    name = spec["data"]["name"]
    rest = json.dumps({k: v for k, v in spec.items() if k not in ("data", "datasets")})
    datasets = {k: v for k, v in spec["datasets"].items() if k != name or f'"{k}"' in rest}
    return {**{k: v for k, v in spec.items() if k != "data"}, "datasets": datasets}


class _Converted:
    """`chart` with its spec already converted.

    It is what Altair's own set-up of a JupyterChart (parameters, selections, then the
    spec) is handed.
    """

    def __init__(self, chart: ChartType, spec: dict) -> None:
        self._chart, self._spec = chart, spec

    def __getattr__(self, name: str) -> object:
        return getattr(self._chart, name)

    def to_dict(self, *_args: object, **_kwargs: object) -> dict:
        return self._spec


def chart_widget(chart: alt.TopLevelSpec | None) -> alt.JupyterChart:
    """`chart` as a JupyterChart whose JavaScript comes from the kernel, not a CDN.

    Under `shopnb serve` it comes from the server. Redraw by assigning ``widget.chart =
    new_chart`` (None: no chart); never display again.
    """
    enable_offline_charts()
    # Altair types JupyterChart's `chart` argument without the None its trait takes
    return ShopChart(chart, embed_options=EMBED_OPTIONS)  # type: ignore[arg-type]
