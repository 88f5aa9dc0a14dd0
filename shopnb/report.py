"""`shopnb report`: a page as one self-contained HTML file that opens offline.

The page's notebook runs headless (nbclient) with the reader's parameters in a
cell after the one tagged ``parameters``, as papermill injects them. Its page
widget is then laid out as static HTML (`static_page`): text as shown,
controls as their current choice, every tab under its title (a page that
draws its tabs when they are opened draws them all first), the navigation
and language switch left out, and every chart as its Vega-Lite spec, drawn
in the browser by vega-embed, whose JavaScript (from vl-convert) is written
into the file, so the charts keep their tooltips and need no network. No
code cell ends up in the file. It is written to a temporary file beside the
target and moved into place, so a failed run leaves no half file.

Example:
    >>> import ipywidgets as widgets
    >>> static = static_page(widgets.VBox([widgets.HTML("<b>GMV</b>"),
    ...                                    widgets.Dropdown(description="周", options=["W1"])]))
    >>> static.body.count("<div"), static.charts
    (3, [])
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from shopnb.errors import ShopDataError
from shopnb.labels import LANGS

if TYPE_CHECKING:  # the widgets are the notebook's: this process imports them when asked
    import ipywidgets as widgets

__all__ = ["MIME", "StaticPage", "inject_parameters", "parse_params", "publish",
           "render_document", "run_notebook", "static_page", "write_report"]

MIME = "application/vnd.shopnb.report+json"  # how the kernel hands the page back
CELL_TIMEOUT_S = 180
_SKIPPED_CLASSES = {"shopnb-nav", "shopnb-control-lang"}  # links and switches of the live app


@dataclass
class StaticPage:
    """A page laid out as HTML, with its charts' specs.

    ``body`` holds a ``<div id="shopnb-chart-N">`` per chart, ``charts[N]`` its Vega-Lite
    spec, ``embed_options`` vega-embed's options.
    """

    body: str
    charts: list[dict] = field(default_factory=list)
    title: str = ""
    lang: str = "zh"
    embed_options: dict = field(default_factory=dict)


def static_page(page: widgets.Widget) -> StaticPage:
    """Lay out the widget `page` as static HTML, charts as Vega-Lite specs.

    Boxes keep their direction; a Tab shows every tab, each under its title as
    a heading; HTML widgets their HTML; a control shows its description and
    current choice; hidden widgets, buttons, uploads, the navigation and the
    language switch are left out.
    """
    from shopnb.charts.render import EMBED_OPTIONS

    charts: list[dict] = []
    body = _static(page, charts)
    title = getattr(getattr(page, "title", None), "value", "")
    lang = getattr(page, "lang", "zh")
    return StaticPage(body=body, charts=charts, title=_text(title), lang=lang,
                      embed_options=dict(EMBED_OPTIONS))


def _static(widget: widgets.Widget, charts: list[dict]) -> str:
    import altair as alt
    import ipywidgets as widgets

    layout = getattr(widget, "layout", None)
    if (layout is not None and layout.display == "none") or (
            _SKIPPED_CLASSES & set(getattr(widget, "_dom_classes", ()))):
        return ""
    if isinstance(widget, alt.JupyterChart):
        if widget.chart is None:
            return ""
        charts.append(widget.chart.to_dict())
        return f'<div class="shopnb-report-chart" id="shopnb-chart-{len(charts) - 1}"></div>'
    if isinstance(widget, widgets.Tab):  # a file has no tabs to click: one after the other
        sections = []
        for title, child in zip(widget.titles, widget.children, strict=True):
            inner = _static(child, charts)
            if inner:
                sections.append(f'<section class="shopnb-report-tab"><h2>{html.escape(title)}'
                                f"</h2>{inner}</section>")
        return f'<div class="shopnb-report-column">{"".join(sections)}</div>'
    if isinstance(widget, widgets.Box):
        inner = "".join(_static(child, charts) for child in widget.children)
        row = isinstance(widget, widgets.HBox)
        return f'<div class="shopnb-report-{"row" if row else "column"}">{inner}</div>'
    if isinstance(widget, widgets.HTML | widgets.HTMLMath):
        return f"<div>{_unlinked(widget.value)}</div>" if widget.value else ""
    if isinstance(widget, widgets.Label):
        return f"<div>{html.escape(widget.value)}</div>"
    choice = _choice(widget)
    if choice is None:
        return ""
    label = html.escape(getattr(widget, "description", "") or "")
    return (f'<div class="shopnb-report-control">{label + ": " if label else ""}'
            f"<b>{html.escape(choice)}</b></div>")


_PAGE_LINK = re.compile(r'<a\b([^>]*?)\shref="[^"]*\.ipynb[^"]*"([^>]*)>(.*?)</a>', re.DOTALL)


def _unlinked(markup: str) -> str:
    """`markup` with its links to other pages' notebooks made plain boxes.

    A report is one file; the notebooks are not beside it.

    Example:
        >>> _unlinked('<a class="card" href="funnel.ipynb?lang=en">Funnel</a>')
        '<div class="card">Funnel</div>'
    """
    return _PAGE_LINK.sub(r"<div\1\2>\3</div>", markup)


def _choice(widget: widgets.Widget) -> str | None:
    """What a control is set to, in words; None for what is no choice (buttons, uploads)."""
    import ipywidgets as widgets

    if isinstance(widget, widgets.Button | widgets.FileUpload):
        return None
    if isinstance(widget, widgets.SelectionRangeSlider):
        return " – ".join(str(x) for x in widget.label)
    if isinstance(widget, widgets.SelectMultiple):
        return ", ".join(str(x) for x in widget.label)
    if isinstance(widget, widgets.widget_selection._Selection):
        return str(widget.label)
    if isinstance(widget, widgets.Checkbox):
        return "✓" if widget.value else "✗"
    if isinstance(widget, widgets.FloatSlider):
        fmt = widget.readout_format
        return format(widget.value, fmt) if fmt else str(widget.value)
    if isinstance(widget, widgets.ValueWidget):
        return str(widget.value)
    return None


def _text(markup: str) -> str:
    """The words of an HTML snippet (for the document's title)."""
    parser = _Words()
    parser.feed(markup)
    return " ".join(w.strip() for w in parser.words if w.strip())


class _Words(HTMLParser):
    """An HTML parser that keeps the text between the tags."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def handle_data(self, data: str) -> None:
        self.words.append(data)


def publish(page: widgets.Widget) -> None:
    """Hand `page` back from the kernel as a `StaticPage` (the report's last cell calls it).

    A page that draws its tabs only when they are opened has a ``draw_all`` method;
    it is called first, so that the report shows every tab drawn.
    """
    from IPython.display import display

    if hasattr(page, "draw_all"):
        page.draw_all()
    display({MIME: asdict(static_page(page))}, raw=True)


# --- parameters --------------------------------------------------------------------------------

def parse_params(pairs: Sequence[str]) -> dict[str, object]:
    """``key=value`` pairs as notebook parameters.

    Values are Python literals where they read as one (``3``, ``None``, ``'x'``), else text.

    Example:
        >>> parse_params(["lang=en", "window=4", "experiment=商品卡主图", "x=None"])
        {'lang': 'en', 'window': 4, 'experiment': '商品卡主图', 'x': None}
    """
    params: dict[str, object] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ShopDataError(f"a parameter is written key=value, e.g. lang=en; got {pair!r}")
        try:
            value: object = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        params[key.strip()] = value
    return params


def inject_parameters(nb: nbformat.NotebookNode, params: Mapping[str, object]
                      ) -> nbformat.NotebookNode:
    """`nb` with a cell setting `params` after its ``parameters`` cell (as papermill does).

    Only names the ``parameters`` cell assigns are accepted, and only the languages the
    pages speak, so a typo is an error rather than a silently ignored setting (a page
    shown in a language it does not speak falls back to Chinese).
    """
    index = next((i for i, c in enumerate(nb.cells)
                  if "parameters" in c.metadata.get("tags", [])), None)
    known = _assigned(nb.cells[index].source) if index is not None else []
    unknown = [k for k in params if k not in known]
    if unknown:
        raise ShopDataError(f"the page has no parameter {', '.join(unknown)}; it has "
                            f"{', '.join(known) or 'none'}")
    if "lang" in params and params["lang"] not in LANGS:  # a page would fall back to zh
        raise ShopDataError(f"lang must be one of {', '.join(LANGS)}; got {params['lang']!r}")
    if params and index is not None:  # no parameters cell: `params` were refused
        source = "\n".join(f"{k} = {v!r}" for k, v in params.items())
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(
            source, metadata={"tags": ["injected-parameters"]}))
    return nb


def _assigned(source: str) -> list[str]:
    return [t.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)]


# --- running the notebook ------------------------------------------------------------------------

def run_notebook(path: Path, params: Mapping[str, object], *,
                 env: Mapping[str, str] | None = None) -> StaticPage:
    """Run the page notebook at `path` headless with `params`; its page as a `StaticPage`.

    Raises:
        ShopDataError: an unknown parameter, a notebook that does not end with
            the page, or a cell that failed (its error, not its traceback).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = inject_parameters(nbformat.read(path, as_version=4), params)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tree = ast.parse(code[-1].source) if code else None
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        raise ShopDataError("the notebook does not end with the page's expression",
                            file=str(path))
    code[-1].source = f"_shopnb_page = {code[-1].source.strip()}"
    nb.cells.append(nbformat.v4.new_code_cell(
        "import shopnb.report\nshopnb.report.publish(_shopnb_page)"))
    saved = os.environ.copy()
    os.environ.update(env or {})
    try:
        NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except CellExecutionError as exc:
        name, value = getattr(exc, "ename", "Error"), getattr(exc, "evalue", str(exc))
        raise ShopDataError(f"the page could not be built: {name}: {value}",
                            file=str(path)) from exc
    finally:
        os.environ.clear()
        os.environ.update(saved)
    out = next((o for o in nb.cells[-1].outputs if MIME in o.get("data", {})), None)
    if out is None:
        raise ShopDataError("the notebook showed no page", file=str(path))
    return StaticPage(**out["data"][MIME])


# --- the document --------------------------------------------------------------------------------

def render_document(static: StaticPage, *, page: str, params: Mapping[str, object],
                    vega_script: str | None = None) -> str:
    """The report's HTML: the page, vega-embed's JavaScript inlined, and a footer.

    The footer says what was run with which parameters.
    """
    from shopnb.charts import render
    from shopnb.theme import COLORS, FONT

    script = vega_script if vega_script is not None else render.vega_script()
    specs = json.dumps(static.charts, ensure_ascii=False).replace("</", "<\\/")
    options = json.dumps(static.embed_options).replace("</", "<\\/")
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "-"
    made = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if static.lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="shopnb report">
<title>{html.escape(static.title or page)}</title>
<style>
  body {{ font-family: {FONT}; color: {COLORS['text']}; margin: 24px auto; max-width: 1000px;
         padding: 0 16px; }}
  .shopnb-report-column {{ display: flex; flex-direction: column; gap: 6px; }}
  .shopnb-report-row {{ display: flex; flex-flow: row wrap; align-items: center;
                        gap: 6px 20px; }}
  .shopnb-report-control {{ font-size: 13px; color: {COLORS['muted']}; }}
  .shopnb-report-control b {{ color: {COLORS['text']}; font-weight: 600; }}
  .shopnb-report-chart {{ margin: 8px 0; }}
  .shopnb-report-tab h2 {{ font-size: 17px; font-weight: 600; margin: 20px 0 4px;
                           padding-bottom: 4px; border-bottom: 1px solid {COLORS['grid']}; }}
  footer {{ margin-top: 32px; font-size: 12px; color: {COLORS['muted']}; }}
</style>
<script>{script}</script>
</head>
<body>
{static.body}
<footer>shopnb report {html.escape(page)} · {html.escape(shown)} · {made}</footer>
<script>
  const shopnbSpecs = {specs};
  const shopnbOptions = {options};
  shopnbSpecs.forEach((spec, i) =>
    vegaEmbed("#shopnb-chart-" + i, spec, shopnbOptions).catch(console.error));
</script>
</body>
</html>
"""


def write_report(page: str, out: str | os.PathLike[str], *,
                 params: Mapping[str, object] | None = None,
                 notebooks: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Run the notebook of `page` with `params` and write its report to `out`, atomically.

    Returns the path written. Raises `ShopDataError` (nothing written) when the page
    is unknown, a parameter is wrong or the notebook fails.
    """
    from shopnb.store import notebooks_folder

    folder = notebooks if notebooks is not None else notebooks_folder()
    path = folder / f"{page}.ipynb"
    if not path.is_file():
        pages = sorted(p.stem for p in folder.glob("*.ipynb"))
        raise ShopDataError(f"no page {page!r}; the pages are {', '.join(pages) or 'none'}",
                            file=str(folder))
    params = dict(params or {})
    static = run_notebook(path, params, env=env)
    document = render_document(static, page=page, params=params)
    target = Path(out)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(document)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as any new file, not mkstemp's private 0600
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
