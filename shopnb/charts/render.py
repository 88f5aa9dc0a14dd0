"""How a chart shows outside the served pages: the ``shopnb`` renderer, offline everywhere.

An analyst's ``sn.charts.share_chart(...)`` (displayed, or the last expression of a cell)
must draw without the internet in JupyterLab, in a classic notebook and in the HTML that
``jupyter nbconvert --to html`` writes. Altair's choices each miss one of them: its default
renderer loads vega from a CDN; ``mimetype`` emits Vega-Lite 6, which neither nbformat nor
the frontends' renderers take; ``jupyter`` (a `alt.JupyterChart` with its JavaScript inlined)
draws in a live kernel, but a widget in nbconvert HTML needs the widget manager from a CDN;
``html`` with its ``inline`` template declares its variables at the top level of the page,
so the second chart of a notebook fails. This renderer is ``text/html`` that any of the
three runs as it is: a ``<div>``, and a script that evaluates vega, vega-lite and
vega-embed (`vega_script`, built by vl-convert) unless an earlier chart of the page did,
then draws the spec into the ``<div>`` as SVG. Each output carries the whole script, so
that it draws wherever it is shown, alone or after cleared cells, at the price of the
script's size in every output (a notebook of JupyterCharts carries it per chart too).

Importing `shopnb.charts` enables it, unless the user chose a renderer of their own.

Example:
    >>> import altair as alt
    >>> bundle = render_chart(alt.Chart().mark_point().to_dict())
    >>> "text/html" in bundle and "cdn.jsdelivr" not in bundle["text/html"]
    True
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import altair as alt

from shopnb.datasets import cache_folder

__all__ = ["EMBED_OPTIONS", "RENDERER", "cached_text", "enable_renderer", "render_chart",
           "vega_script"]

RENDERER = "shopnb"

# vega-embed options: SVG (crisp, and testable in a browser), and an actions
# menu that only offers the downloads (the editor links need the internet).
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


def cached_text(name: str, build: Callable[[], str]) -> str:
    """The text kept in the user cache as ``shopnb/<name>``, or ``build()`` written there.

    For the charts' JavaScript, which vl-convert takes seconds to build: a name per version
    of what built it, so that a later kernel reads the file instead.
    """
    path = cache_folder() / name
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if text:
            return text
    text = build()
    write_atomically(path, text)
    return text


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file; no file if that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache (read-only home, full disk): the next kernel builds it again


def vl_version() -> str:
    """The Vega-Lite version Altair writes, as vl-convert names it (``"v6_4"``).

    Example:
        >>> vl_version().startswith("v")
        True
    """
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


@cache
def vega_script() -> str:
    """vega, vega-lite and vega-embed for the Vega-Lite version Altair writes, as one script.

    A classic script that sets the global ``vegaEmbed``, safe inside a ``<script>`` element
    (``</`` is escaped). Built by vl-convert once, then read from the user cache.
    """
    def build() -> str:
        import vl_convert as vlc  # only when no cached copy: it is big to load

        # vl-convert's stub makes `snippet` required; its default is the snippet wanted here
        return vlc.javascript_bundle(vl_version=vl_version())  # type: ignore[call-arg]

    try:
        vlc_version = version("vl-convert-python")
    except PackageNotFoundError:
        vlc_version = "none"
    name = f"vega-embed-{vl_version()}-vlc-{vlc_version}.js"
    return cached_text(name, build).replace("</script", "<\\/script")


def render_chart(spec: dict, embed_options: dict | None = None, **_: object) -> dict[str, str]:
    """The mimebundle of the ``shopnb`` renderer: `spec` drawn by vega-embed, offline.

    The script draws into the ``<div>`` just before it (JupyterLab and nbconvert run it
    in place), or else the one with its id (a classic notebook runs it elsewhere); it
    evaluates the vega bundle only once per page.
    """
    options = {**EMBED_OPTIONS, **(embed_options or {})}
    safe = lambda value: json.dumps(value).replace("</", "<\\/")  # noqa: E731
    div = f"shopnb-chart-{uuid.uuid4().hex}"
    page = (
        f'<div class="shopnb-chart" id="{div}"></div>\n<script type="text/javascript">\n'
        "(function () {\n"
        "  const script = document.currentScript;\n"
        "  const before = script && script.previousElementSibling;\n"
        f'  const el = before && before.id === "{div}" ? before\n'
        f'    : document.getElementById("{div}");\n'
        f"  if (!window.vegaEmbed) (function () {{\n{vega_script()}\n  }})();\n"
        f"  window.vegaEmbed(el, {safe(spec)}, {safe(options)}).catch(console.error);\n"
        "})();\n</script>"
    )
    return {"text/html": page, "text/plain": "<shopnb chart: shown as HTML>"}


alt.renderers.register(RENDERER, render_chart)


def enable_renderer() -> None:
    """Make ``shopnb`` Altair's renderer, if Altair's default one is still the active one.

    A renderer the user chose stays.

    Example:
        >>> enable_renderer()
        >>> alt.renderers.active
        'shopnb'
    """
    if alt.renderers.active == "default":
        _ = alt.renderers.enable(RENDERER)
