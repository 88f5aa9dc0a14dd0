"""Widget pieces shared by the pages: the offline chart and the message box."""

from __future__ import annotations

import html
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import altair as alt

from shopnb.theme import COLORS, FONT

# vega-embed options: SVG (crisp, and testable in a browser), and an actions
# menu that only offers the downloads (the editor links need the internet).
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


_offline = False


def _bundle_cache() -> Path | None:
    """Where the offline JavaScript bundle is kept, one file per Altair/vl-convert pair."""
    try:
        key = f"altair-{alt.__version__}-vlc-{version('vl-convert-python')}"
    except PackageNotFoundError:
        return None
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "shopnb" / f"jupyterchart-{key}.js"


def enable_offline_charts() -> None:
    """Make every `alt.JupyterChart` load its JavaScript from the kernel, not a CDN.

    Calls `alt.JupyterChart.enable_offline()` once per kernel, and keeps the
    bundle it builds in a cache file: later kernels read the file instead of
    loading vl-convert (about 1.5 s and 100 MB less per kernel, and the page's
    first chart comes seconds sooner).
    """
    global _offline
    if _offline:
        return
    cache = _bundle_cache()
    bundle = None
    if cache is not None and cache.is_file():
        bundle = cache.read_text(encoding="utf-8")
    if bundle:
        # what enable_offline() itself sets, minus building the bundle
        alt.JupyterChart._esm = bundle
        alt.JupyterChart._is_offline = True
    else:
        alt.JupyterChart.enable_offline()
        if cache is not None:
            _write_atomically(cache, alt.JupyterChart._esm)
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


def chart_widget(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """`chart` as a JupyterChart whose JavaScript comes from the kernel, not a CDN.

    Redraw by assigning ``widget.chart = new_chart``; never display again.
    """
    enable_offline_charts()
    return alt.JupyterChart(chart, embed_options=EMBED_OPTIONS)


def message_html(text: str) -> str:
    """A friendly notice (no traceback) in the house colours and font."""
    style = (
        f"font-family: {FONT}; color: {COLORS['text']}; background: {COLORS['warning_bg']};"
        f" border-left: 4px solid {COLORS['warning_border']}; padding: 10px 14px;"
        " margin: 8px 0; line-height: 1.5;"
    )
    return f'<div class="shopnb-message" style="{style}">{html.escape(text)}</div>'


def title_html(title: str, subtitle: str = "") -> str:
    """The page heading, with an optional one-line subtitle."""
    sub = (
        f'<div style="color: {COLORS["muted"]}; font-size: 13px;">{html.escape(subtitle)}</div>'
        if subtitle
        else ""
    )
    return (
        f'<div class="shopnb-title" style="font-family: {FONT}; color: {COLORS["text"]};">'
        f'<div style="font-size: 22px; font-weight: 600; margin: 4px 0;">{html.escape(title)}</div>'
        f"{sub}</div>"
    )
