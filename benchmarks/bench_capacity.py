"""The server's side of a crowd: visitors whose browsers run on their own machines.

    .venv/bin/python benchmarks/bench_capacity.py [--pages index funnel] [--visitors 1 4 8]
                                                  [--timeout 60]

`bench_serve.py` opens the pages in headless Chromium on the server's own two
cores, where eight browsers need twenty times the CPU the server and its
kernels need (its figures): it cannot show what the server gives eight
managers each on their own laptop. This benchmark takes the browsers' drawing out of
the server's cores. For each page it starts a fresh `shopnb serve` (as
`bench_serve.py` does, its pools full and the server quiet), opens the page
once in headless Chromium to record which of the server's files the page
loads and how long a browser takes alone, closes it and waits until its
kernel is replaced; then that many clients at once each do what Voila's page
does over the network, without drawing: get the page, get every recorded
file (six at a time, as a browser does), open the page's kernel's websocket
and ask for its widgets' state (what Voila's widget manager asks first); the
time is taken when a chart's spec has arrived. Each client then shuts its
kernel down as a closed page does, and once the server has replaced them, the
same clients come back with the files' ETags (a returning visitor's browser
revalidates its cached files).

Prints per wave the median and slowest time to the chart's spec, failures,
and the CPU seconds of the server with its kernels and of the clients; then,
per page, a visitor's estimated time: the slowest client of 8 plus what one
browser adds alone (its first chart minus one client's time to the spec, both
measured here). Budget (the app issue): every one of 8 visitors sees a chart
in under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench_serve import (
    BUDGET_EIGHT_S,
    CHART,
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    Wave,
    cpu_seconds,
    new_visitor,
    shopnb_server,
)
from machine import machine

PARALLEL_FILES = 6  # a browser's connections to one host


@dataclass
class Client:
    """One visitor's network side: the ETags of the files it has cached (none on a first
    visit) and the kernel its page got."""

    etags: dict[str, str] = field(default_factory=dict)
    kernel: str | None = None


@dataclass
class Recording:
    files: list[str]  # the server paths a page loads after its HTML
    browser_s: float  # one headless Chromium alone: request to first chart


async def record(url: str, timeout_s: float) -> Recording:
    """Open `url` once in headless Chromium: the server files it loads, the time to its
    first chart; then close it (its kernel is shut down)."""
    from playwright.async_api import async_playwright

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    files: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)
        page = await (await new_visitor(browser)).new_page()
        page.on("request", lambda r: files.append(r.url[len(origin):])
                if r.url.startswith(origin) and r.resource_type not in ("document", "websocket")
                and "/api/" not in r.url else None)
        start = time.perf_counter()
        await page.goto(url, timeout=timeout_s * 1000)
        await page.wait_for_selector(CHART, state="visible", timeout=timeout_s * 1000)
        browser_s = time.perf_counter() - start
        await page.wait_for_load_state("networkidle")
        await page.close()
        await browser.close()
    return Recording(list(dict.fromkeys(files)), browser_s)


async def visit(client: Client, base: str, path: str, files: list[str],
                timeout_s: float) -> float | None:
    """What a browser does over the network until the page's first chart can be drawn;
    seconds to the chart's spec (None: not in time)."""
    from tornado.httpclient import AsyncHTTPClient

    http = AsyncHTTPClient()
    start = time.perf_counter()
    try:
        page = await http.fetch(base + path, request_timeout=timeout_s)
        html = page.body.decode()
        at = html.index('"kernelId": "') + len('"kernelId": "')
        client.kernel = html[at:html.index('"', at)]
        limit = asyncio.Semaphore(PARALLEL_FILES)

        async def get(file: str) -> None:
            async with limit:
                headers = {"If-None-Match": client.etags[file]} if file in client.etags else {}
                r = await http.fetch(base + file, headers=headers, raise_error=False,
                                     request_timeout=timeout_s)
                if r.code not in (200, 304):
                    raise RuntimeError(f"{file}: HTTP {r.code}")
                if "Etag" in r.headers:
                    client.etags[file] = r.headers["Etag"]

        await asyncio.gather(*(get(f) for f in files))
        await asyncio.wait_for(widget_states(base, client.kernel),
                               timeout_s - (time.perf_counter() - start))
        return time.perf_counter() - start
    except Exception as exc:  # a timeout or an error: counted as a failure
        print(f"  a client failed: {exc!r}", file=sys.stderr)
        return None


def _message(msg_type: str, content: dict, session: str, metadata: dict | None = None) -> str:
    header = {"msg_id": uuid.uuid4().hex, "username": "", "session": session,
              "msg_type": msg_type, "version": "5.3", "date": ""}
    return json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {},
                       "content": content, "channel": "shell", "buffers": []})


def _decode(frame: str | bytes) -> dict:
    """A kernel message from the websocket: JSON text, or binary with buffers (Jupyter's
    legacy framing: the count, the offsets, then the message first)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(count)]
    return json.loads(frame[offsets[0]:offsets[1] if count > 1 else None])


async def widget_states(base: str, kernel: str) -> None:
    """Open `kernel`'s websocket and ask for every widget's state, as Voila's widget
    manager does; return once a chart with its spec has arrived."""
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    ws_url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?session_id={session}"
    ws = await websocket_connect(ws_url)
    try:
        comm = uuid.uuid4().hex
        await ws.write_message(_message("comm_open", {
            "comm_id": comm, "target_name": "jupyter.widget.control", "data": {}}, session,
            {"version": "1.0.0"}))
        await ws.write_message(_message("comm_msg", {
            "comm_id": comm, "data": {"method": "request_states"}}, session))
        while True:
            frame = await ws.read_message()
            if frame is None:
                raise RuntimeError("the kernel's websocket closed")
            msg = _decode(frame)
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                if any(s["state"].get("spec") for s in data["states"].values()):
                    return
                raise RuntimeError("the page's widgets hold no chart")
    finally:
        ws.close()


async def close_pages(base: str, clients: list[Client]) -> None:
    """Shut the clients' kernels down as closed pages do (the _xsrf double-submit cookie)."""
    from tornado.httpclient import AsyncHTTPClient

    token = uuid.uuid4().hex
    await asyncio.gather(*(AsyncHTTPClient().fetch(
        f"{base}/api/kernels/{c.kernel}", method="DELETE", raise_error=False,
        headers={"Cookie": f"_xsrf={token}", "X-XSRFToken": token})
        for c in clients if c.kernel is not None))


async def wave(clients: list[Client], server: Server, path: str, files: list[str],
               timeout_s: float) -> Wave:
    import psutil

    me = psutil.Process()
    before = cpu_seconds(server._tree()), me.cpu_times()
    times = await asyncio.gather(*(visit(c, server.url, path, files, timeout_s)
                                   for c in clients))
    after = me.cpu_times()
    client_cpu = (after.user + after.system) - (before[1].user + before[1].system)
    return Wave(list(times), cpu_seconds(server._tree()) - before[0], client_cpu)


def run_page(page: str, visitors: list[int], workdir: Path, timeout_s: float) -> dict:
    """Every crowd size for `page`, each on a fresh server; the waves by size."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=64)
    path, notebook = f"/voila/render/{page}.ipynb", f"{page}.ipynb"
    results = {}
    for n in visitors:
        server = shopnb_server(workdir, None)
        try:
            server.wait_ready()
            refills = server.fills(notebook)
            rec = asyncio.run(record(server.url + path, timeout_s))
            server.wait_refilled(notebook, refills)
            clients = [Client() for _ in range(n)]
            waves = []
            for visit_kind in ("first", "returning"):
                refills = server.fills(notebook)
                w = asyncio.run(wave(clients, server, path, rec.files, timeout_s))
                waves.append(w)
                print(row(page, n, visit_kind, w, len(rec.files), rec.browser_s), flush=True)
                asyncio.run(close_pages(server.url, clients))
                if visit_kind == "first":
                    server.wait_refilled(notebook, refills)
            results[n] = (rec, waves)
        finally:
            server.stop()
    return results


HEADER = (f"{'page':<12}{'clients':>8}{'visit':>10}{'median s':>9}{'max s':>7}{'failed':>7}"
          f"{'server CPU s':>13}{'client CPU s':>13}{'files':>6}{'browser alone s':>16}")


def row(page: str, n: int, kind: str, w: Wave, files: int, browser_s: float) -> str:
    shown = w.shown
    median = f"{statistics.median(shown):.2f}" if shown else "-"
    worst = f"{max(shown):.2f}" if shown else "-"
    return (f"{page:<12}{n:>8}{kind:>10}{median:>9}{worst:>7}{len(w.times) - len(shown):>7}"
            f"{w.server_cpu:>13.1f}{w.browser_cpu:>13.1f}{files:>6}{browser_s:>16.2f}")


def estimates(page: str, results: dict) -> list[str]:
    """What one visitor of the biggest crowd would see: the slowest client plus what a
    browser adds alone (its first chart minus one client's time to the spec)."""
    lines = []
    if 1 not in results or max(results) == 1:
        return lines
    rec, (one, _) = results[1]
    if not one.shown:
        return [f"{page}: one client saw no chart"]
    browser_adds = max(0.0, rec.browser_s - max(one.shown))
    n = max(results)
    for kind, w in zip(("first", "returning"), results[n][1], strict=True):
        if not w.shown:
            lines.append(f"{page} x{n} ({kind} visit): no client saw a chart")
            continue
        worst = max(w.shown) + browser_adds
        ok = worst < BUDGET_EIGHT_S and len(w.shown) == len(w.times)
        lines.append(f"{page} x{n} ({kind} visit): slowest spec {max(w.shown):.2f} s + a browser"
                     f" alone {browser_adds:.2f} s = {worst:.2f} s (budget"
                     f" {BUDGET_EIGHT_S:.0f} s, browsers on their own machines):"
                     f" {'PASS' if ok else 'OVER'}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=["index", "funnel"])
    parser.add_argument("--visitors", nargs="+", type=int, default=[1, 4, 8])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a visitor waits")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium", file=sys.stderr)
        return 2
    print(machine())
    workdir = Path(tempfile.mkdtemp(prefix="shopnb-bench-capacity-"))
    print(HEADER)
    lines, failed = [], False
    try:
        for page in args.pages:
            results = run_page(page, sorted(set(args.visitors)), workdir, args.timeout)
            failed |= any(len(w.shown) < len(w.times) for _, ws in results.values() for w in ws)
            lines += estimates(page, results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("\n".join(lines))
    print(f"at the end: {machine()}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
