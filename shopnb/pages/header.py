"""The header every page shares: navigation between the pages and the language switch.

It also has the words for a table a page could not read (`problem_text`).

`PageHeader(page, title, lang)` wraps a page's own title and language toggle
in a bar with links to the other pages whose notebooks exist (the landing page,
funnel, competitors, A/B tests). Switching the language relabels the links and
makes them keep the language (``competitors.ipynb?lang=en``).

A kernel started for a request reads ``?lang=`` when the notebook runs
(`shopnb.store.lang`). A preheated kernel ran its notebook before anyone asked
for the page, so the header listens, in the background, for the request Voila
hands the kernel when it gives it to a visitor, and switches the toggle to the
address's language then (`follow_request`).

Example:
    >>> import ipywidgets as widgets
    >>> toggle = widgets.ToggleButtons(options=[("中文", "zh"), ("English", "en")])
    >>> bar = PageHeader("competitors", widgets.HTML("<b>竞品监控</b>"), toggle)
    >>> "index.ipynb?lang=zh" in bar.nav.value
    True
    >>> toggle.value = "en"
    >>> "competitors.ipynb?lang=en" in bar.nav.value
    True
"""

from __future__ import annotations

import html
import json
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as widgets

from shopnb.errors import LoadProblem
from shopnb.labels import LANGS, t
from shopnb.store import log_exception, notebooks_folder
from shopnb.theme import COLORS, FONT

__all__ = ["LANG_NAMES", "PAGES", "PageHeader", "available_pages", "follow_request",
           "lang_toggle", "nav_html", "problem_text"]

# each language as its readers call it, on the language toggle
LANG_NAMES = {"zh": "中文", "en": "English"}

# page key -> notebook, in the order of the navigation
PAGES = {
    "index": "index.ipynb",
    "funnel": "funnel.ipynb",
    "competitors": "competitors.ipynb",
    "experiments": "experiments.ipynb",
}


def problem_text(problem: LoadProblem, lang: str) -> str:
    """The notice a page shows for `problem`, in `lang`: what is wrong, which file, what to do.

    Example:
        >>> p = LoadProblem("funnel", "missing", "罗盘.csv", "no such file", "/srv/shop")
        >>> problem_text(p, "en").startswith("No data: the data folder /srv/shop has no 罗盘.csv")
        True
    """
    key, fields = problem.label()
    return t(key, lang, **fields)


def available_pages(folder: str | os.PathLike[str] | None = None) -> list[str]:
    """The pages whose notebook is in `folder` (default: `shopnb.store.notebooks_folder`).

    Example:
        >>> available_pages()[0]
        'index'
    """
    root = Path(folder) if folder is not None else notebooks_folder()
    return [page for page, notebook in PAGES.items() if (root / notebook).is_file()]


def lang_toggle(lang: str) -> widgets.ToggleButtons:
    """The language toggle every page puts in its header, set to `lang`.

    Example:
        >>> lang_toggle("en").options
        (('中文', 'zh'), ('English', 'en'))
    """
    return widgets.ToggleButtons(options=[(LANG_NAMES[x], x) for x in LANGS], value=lang,
                                 style={"button_width": "72px"})


class PageHeader(widgets.VBox):
    """The navigation bar with the language toggle, above the page's title.

    Attributes:
        nav: an HTML widget with one link per available page (CSS class
            ``shopnb-nav``; the current page is marked ``aria-current="page"``).
        lang: the page's language toggle, as given.
        pages: the pages linked to.

    Args:
        page: the current page's name (marked in the navigation).
        title: the page's title, shown below the navigation.
        lang: the page's language toggle.
        pages: the pages to link to (default: every page whose notebook is there).
    """

    def __init__(self, page: str, title: widgets.Widget, lang: widgets.ToggleButtons,
                 pages: list[str] | None = None) -> None:
        super().__init__()
        self.page, self.lang = page, lang
        self.pages = available_pages() if pages is None else pages
        self.nav = widgets.HTML(layout=widgets.Layout(flex="1 1 auto"))
        self.nav.add_class("shopnb-nav")
        lang.add_class("shopnb-control-lang")
        bar = widgets.HBox([self.nav, lang], layout=widgets.Layout(
            align_items="center", justify_content="space-between",
            border_bottom=f"1px solid {COLORS['grid']}", margin="0 0 8px 0",
            padding="0 0 4px 0"))
        bar.add_class("shopnb-header")
        self.children = [bar, title]
        self._relabel()
        lang.observe(lambda _change: self._relabel(), names="value")
        follow_request(lang)

    def _relabel(self) -> None:
        self.nav.value = nav_html(self.page, self.pages, self.lang.value)


def nav_html(current: str, pages: list[str], lang: str) -> str:
    """The links to `pages` in `lang`, `current` marked; relative, so any base URL works.

    Example:
        >>> nav_html("index", ["index", "funnel"], "en").count("<a ")
        2
    """
    links = []
    for page in pages:
        here = page == current
        style = (f"color: {COLORS['primary'] if here else COLORS['text']};"
                 f" text-decoration: none; padding: 6px 10px; border-radius: 4px;"
                 f" font-weight: {600 if here else 400};"
                 + (f" background: {COLORS['grid']};" if here else ""))
        links.append(
            f'<a class="shopnb-nav-{page}" href="{PAGES[page]}?lang={lang}" style="{style}"'
            f'{" aria-current=page" if here else ""}>{html.escape(t(f"nav_{page}", lang))}</a>')
    brand = (f'<span style="font-weight: 700; color: {COLORS["primary"]}; margin-right: 8px;">'
             f"{html.escape(t('brand', lang))}</span>")
    return (f'<nav style="font-family: {FONT}; font-size: 14px; display: flex;'
            f' align-items: center; flex-wrap: wrap; gap: 2px;">{brand}{"".join(links)}</nav>')


def follow_request(toggle: widgets.ValueWidget) -> threading.Thread | None:
    """In a preheated Voila kernel, set `toggle` to ``?lang=`` of the request it serves.

    Voila hands a pooled kernel its request's details (the query string among
    them) over a websocket once a visitor gets the kernel; its own
    `voila.utils.wait_for_request` blocks the notebook until then. This waits
    in a daemon thread instead, so the page is built before anyone asks, and
    sets the value on the kernel's main loop (widget changes stay on one
    thread). Returns the thread, or None outside a preheated kernel.
    """
    if os.environ.get("VOILA_PREHEAT") != "True" or not os.environ.get("VOILA_KERNEL_ID"):
        return None
    try:
        from IPython import get_ipython

        loop = get_ipython().kernel.io_loop
    except AttributeError:  # not in a kernel
        return None
    url = _request_info_url()

    def wait() -> None:
        try:
            from websockets.sync.client import connect

            with connect(url, open_timeout=10) as ws:
                info = json.loads(ws.recv())
        except Exception:  # the server went away: nothing to follow
            log_exception(f"no request details from {url}")
            return
        wanted = parse_qs(info.get("QUERY_STRING", "")).get("lang", [None])[-1]
        if wanted in LANGS and wanted != toggle.value:
            loop.add_callback(setattr, toggle, "value", wanted)

    thread = threading.Thread(target=wait, name="shopnb-follow-request", daemon=True)
    thread.start()
    return thread


def _request_info_url() -> str:
    """Where Voila sends a pooled kernel its request (as `voila.utils.wait_for_request`)."""
    env = os.environ.get
    server_url = env("VOILA_WS_BASE_URL") or env("VOILA_SERVER_URL") or "/"
    return (f"{env('VOILA_WS_PROTOCOL', 'ws')}://{env('VOILA_APP_IP', '127.0.0.1')}:"
            f"{env('VOILA_APP_PORT', '8866')}{server_url}voila/query/{env('VOILA_KERNEL_ID')}")
