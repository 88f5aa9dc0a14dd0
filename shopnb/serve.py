"""`shopnb serve`: Voila on the pages' notebooks, with the settings that make it fast and safe.

- Bound to loopback by default; any other address needs a token (generated
  and printed unless given), because the pages run code on the server.
- Sources hidden, the offline ``shopnb`` template (no CDN), idle kernels culled
  (a closed page leaves its kernel behind).
- A pool of preheated kernels per page: each has run its notebook before
  anyone asks, so a visitor gets a page that is already built. The pool is
  sized to the machine (`pool_sizes`); a used kernel is replaced after
  `Plan.fill_delay` seconds, so refills do not compete with the visitors
  being served.
- The data folder, language and notebooks folder reach the kernels as
  ``SHOPNB_DATA``, ``SHOPNB_LANG`` and ``SHOPNB_NOTEBOOKS`` (see `shopnb.store`).
- Every page runs in shopnb's lighter kernel (`shopnb.kernel`: no debugger,
  Arrow's system allocator), first on Voila's Jupyter path as ``python3``.
- The charts' JavaScript (vega, vega-lite, vega-embed) is served once as a
  static file (`with_static_bundle`) rather than sent inside every chart.
- A page loads only the front-end extensions it uses (`PAGE_EXTENSIONS`), whatever
  other JupyterLab extensions the environment holds.

Example:
    >>> plan = Plan(Path("notebooks"), host="127.0.0.1", port=8866, pool={"index.ipynb": 2})
    >>> "--preheat_kernel=True" in plan.voila_argv()
    True
    >>> plan.token is None
    True
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

from shopnb.store import ENV_DATA, ENV_LANG, ENV_NOTEBOOKS, ENV_STATIC_BUNDLE, cache_folder

__all__ = ["KERNEL_MB", "PAGE_EXTENSIONS", "Plan", "command", "is_loopback", "plan",
           "pool_sizes", "run", "with_static_bundle"]

SHARE = Path(__file__).resolve().parent / "share"  # holds voila/templates/shopnb
# A page's kernel, the pool's unit, in MiB (2^20 bytes) as `plan` counts the free memory:
# the largest page's kernel (the A/B page's, as bench_serve measures it)
KERNEL_MB = 250
MAX_POOL = 8  # kernels kept ready for one page: enough for 8 visitors arriving at once
BUSIEST = ("index.ipynb", "funnel.ipynb")  # the pages a crowd opens first
CULL_IDLE_S = 600
CULL_INTERVAL_S = 60
# A used pooled kernel is replaced after this delay, so that the eight refills after a crowd
# do not take the CPU while the crowd's pages load; a visitor who takes a kernel still
# waiting out the delay waits for it (only once the pool is used up).
FILL_DELAY_S = 30.0
# The front-end extensions a page loads: the widgets, Voila's widget manager and
# anywidget (JupyterChart). Any other JupyterLab extension in the environment (code
# highlighting, git, ...) would cost every first visit its files.
PAGE_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8",
                   "anywidget")


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only.

    Example:
        >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def pool_sizes(notebooks: list[str], *, available_mb: float, share: float = 0.25,
               most: int = MAX_POOL) -> dict[str, int]:
    """Preheated kernels per notebook, within `share` of the available memory.

    Counting `KERNEL_MB` a kernel, every page gets one while they last (the
    busiest first: `BUSIEST`, then by name); then the busiest pages get more,
    up to `most` each, so that a crowd opening the landing or the funnel page
    at once is served from the pool; then every other page a second one, for
    two visitors in a row. A page without a kernel starts one per visit.

    Example:
        >>> pool_sizes(["index.ipynb", "funnel.ipynb", "experiments.ipynb"], available_mb=8000)
        {'index.ipynb': 6, 'funnel.ipynb': 1, 'experiments.ipynb': 1}
        >>> pool_sizes(["index.ipynb", "funnel.ipynb"], available_mb=1000, most=2)
        {'index.ipynb': 1, 'funnel.ipynb': 0}
    """
    order = sorted(notebooks, key=lambda nb: (BUSIEST.index(nb) if nb in BUSIEST
                                              else len(BUSIEST), nb))
    left = int(available_mb * share // KERNEL_MB)
    sizes = dict.fromkeys(order, 0)
    for limit, pages in ((1, order), (most, [nb for nb in order if nb in BUSIEST]),
                         (2, order)):
        for nb in pages:
            more = max(0, min(min(limit, most) - sizes[nb], left))
            sizes[nb], left = sizes[nb] + more, left - more
    return sizes


@dataclass
class Plan:
    """How to start Voila: the command line, the configuration and the environment.

    Attributes:
        notebooks: the folder of the pages' notebooks.
        host, port: where to listen.
        pool: preheated kernels per notebook (file name -> count); empty: none.
        data: the data folder (None: the bundled sample shop).
        lang: the pages' default language.
        token: the access token (None on loopback).
        fill_delay: seconds before a used pooled kernel is replaced.
        cull_idle: seconds after which an idle kernel of a closed page is stopped.
        chart_bundle: the charts' JavaScript file served under /voila/static/ from
            `static_share` (None: every chart carries it).
        static_share: a Jupyter data folder holding that file.
    """

    notebooks: Path
    host: str = "127.0.0.1"
    port: int = 8866
    pool: Mapping[str, int] = field(default_factory=dict)
    data: Path | None = None
    lang: str = "zh"
    token: str | None = None
    fill_delay: float = FILL_DELAY_S
    cull_idle: int = CULL_IDLE_S
    chart_bundle: str | None = None
    static_share: Path | None = None

    @property
    def preheat(self) -> bool:
        """Whether any page has a pool of kernels started ahead of its visitors."""
        return any(self.pool.values())

    @property
    def url(self) -> str:
        """The landing page's address (with the token, if any)."""
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        query = f"?token={self.token}" if self.token else ""
        return f"http://{host}:{self.port}/voila/render/index.ipynb{query}"

    def voila_argv(self) -> list[str]:
        """Voila's command line (the pools go in `voila_config`: a dict is no flag).

        Example:
            >>> Plan(Path("nb"), token="s3cret").voila_argv()[-2:]
            ['--token=s3cret', 'nb']
        """
        argv = [
            "--no-browser",
            f"--port={self.port}",
            f"--Voila.ip={self.host}",  # `--ip` is ignored by Voila 0.5
            "--strip_sources=True",
            "--template=shopnb",
            "--show_tracebacks=False",
            f"--MappingKernelManager.cull_idle_timeout={self.cull_idle}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        ]
        if self.preheat:
            argv += ["--preheat_kernel=True", f"--pool_size={max(self.pool.values())}",
                     f"--VoilaKernelManager.fill_delay={self.fill_delay:g}"]
        if self.token:
            argv.append(f"--token={self.token}")
        return [*argv, str(self.notebooks)]

    def voila_config(self) -> dict:
        """The traitlets configuration that the command line cannot carry.

        The front-end extensions a page loads, pools per page, and the charts' JavaScript
        file for the template, which has the browser fetch it while the page loads rather
        than once the first chart asks for it.
        """
        config: dict = {"VoilaConfiguration": {"extension_allowlist": list(PAGE_EXTENSIONS)}}
        if self.preheat:
            pools = {nb: {"pool_size": n} for nb, n in self.pool.items()}
            config["VoilaKernelManager"] = {"kernel_pools_config": {
                "default": {"pool_size": 0}, **pools}}
        if self.chart_bundle is not None:
            config["VoilaConfiguration"]["resources"] = {"chart_bundle": self.chart_bundle}
        return config

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of Voila and so of every kernel: template path and shopnb settings.

        Example:
            >>> Plan(Path("/srv/nb"), lang="en").env({})["SHOPNB_LANG"]
            'en'
        """
        env = dict(os.environ if base is None else base)
        shares = (SHARE, self.static_share) if self.static_share is not None else (SHARE,)
        env["JUPYTER_PATH"] = os.pathsep.join(
            [*(str(p) for p in shares), *([env["JUPYTER_PATH"]] if env.get("JUPYTER_PATH")
                                          else [])])
        if self.chart_bundle is not None:
            env[ENV_STATIC_BUNDLE] = self.chart_bundle
        else:
            env.pop(ENV_STATIC_BUNDLE, None)
        env[ENV_LANG] = self.lang
        env[ENV_NOTEBOOKS] = str(self.notebooks.resolve())
        if self.data is not None:
            env[ENV_DATA] = str(self.data.resolve())
        else:
            env.pop(ENV_DATA, None)
        # where a preheated kernel asks for its request (voila.utils.wait_for_request)
        env["VOILA_APP_IP"] = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return env


def plan(notebooks: Path, *, host: str = "127.0.0.1", port: int = 8866,
         data: Path | None = None, lang: str = "zh", token: str | None = None,
         pool: int | None = None, available_mb: float | None = None) -> Plan:
    """The `Plan` for these options: a token off loopback, pools sized to the memory.

    `pool` is the most preheated kernels a page gets (0: none at all; default `MAX_POOL`).

    Example:
        >>> p = plan(Path("notebooks"), host="0.0.0.0", pool=3)
        >>> len(p.token) > 20, p.pool["index.ipynb"]
        (True, 3)
    """
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(24)
    if available_mb is None:
        import psutil

        available_mb = psutil.virtual_memory().available / 2**20
    names = sorted(p.name for p in notebooks.glob("*.ipynb"))
    sizes = {} if pool == 0 else pool_sizes(names, available_mb=available_mb,
                                            most=MAX_POOL if pool is None else pool)
    return Plan(notebooks=notebooks, host=host, port=port, pool=sizes, data=data, lang=lang,
                token=token)


# Voila's own start, run by a fresh interpreter: the server process then holds Voila
# alone, not shopnb's pandas and pyarrow
_LAUNCH = ("import json, sys; from traitlets.config import Config; from voila.app import Voila; "
           "Voila.launch_instance(argv=sys.argv[2:], config=Config(json.loads(sys.argv[1])))")


def with_static_bundle(p: Plan, share: Path | None = None) -> Plan:
    """`p` with the charts' JavaScript written where Voila serves static files.

    The folder is the ``shopnb`` template's: ``<share>/voila/templates/shopnb/static/``
    (default share: the user cache's ``shopnb/share``). Without vl-convert or a writable
    cache, `p` as it is.

    Example:
        >>> import tempfile
        >>> p = with_static_bundle(Plan(Path("nb")), Path(tempfile.mkdtemp()))
        >>> p.env({})["SHOPNB_CHART_BUNDLE"] == p.chart_bundle
        True
    """
    from shopnb.pages._jupyterchart import bundle_name, static_bundle

    if bundle_name() is None:
        return p
    share = share if share is not None else cache_folder() / "share"
    static = share / "voila" / "templates" / "shopnb" / "static"
    try:
        static.mkdir(parents=True, exist_ok=True)
        name = static_bundle(static)
    except OSError:  # no writable cache: every chart carries the bundle, as in JupyterLab
        return p
    if not (static / name).is_file():
        return p
    return replace(p, chart_bundle=name, static_share=share)


def command(p: Plan) -> list[str]:
    """The command that starts Voila with plan `p` (run it with `Plan.env`).

    Example:
        >>> json.loads(command(Plan(Path("nb"), pool={"index.ipynb": 2}))[3])["VoilaKernelManager"]
        {'kernel_pools_config': {'default': {'pool_size': 0}, 'index.ipynb': {'pool_size': 2}}}
    """
    return [sys.executable, "-c", _LAUNCH, json.dumps(p.voila_config()), *p.voila_argv()]


def run(p: Plan) -> NoReturn:
    """Become the Voila server of plan `p` (this process is replaced; its id stays)."""
    p = with_static_bundle(p)
    sys.stdout.flush()
    sys.stderr.flush()
    argv = command(p)
    os.execve(argv[0], argv, p.env())
