"""Take the README's screenshots: the top of each page, served by `shopnb serve`, offline.

    .venv/bin/python docs/make_screenshots.py [--lang zh]

Starts `shopnb serve` on a free port (one preheated kernel a page), opens each
page that has a notebook in headless Debian Chromium (requests off the machine
are aborted), waits for its charts and writes ``docs/<page>.png``: the top
1000 pixels wide and `HEIGHT` high (down to the first chart), small enough to
commit.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SIZE = {"width": 1000, "height": 760}
HEIGHT = {"experiments": 1240}  # its controls, verdict and table come before the charts
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from shopnb.pages.header import available_pages

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "shopnb.cli", "serve", f"--port={port}",
                               "--pool=1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=CHROMIUM_ARGS)
            for page_name in available_pages():
                context = browser.new_context(viewport=SIZE, locale="zh-CN")
                context.route("**/*", lambda route: route.continue_()
                              if urlsplit(route.request.url).hostname == "127.0.0.1"
                              else route.abort())
                page = context.new_page()
                page.goto(f"{base}/voila/render/{page_name}.ipynb?lang={args.lang}")
                page.wait_for_selector(".vega-embed svg.marks", state="visible",
                                       timeout=120_000)
                page.wait_for_timeout(1500)  # the other charts, and fonts
                out = ROOT / "docs" / f"{page_name}.png"
                height = HEIGHT.get(page_name, SIZE["height"])
                page.set_viewport_size({"width": SIZE["width"], "height": height})
                page.wait_for_timeout(300)
                page.screenshot(path=out, clip={"x": 0, "y": 0, "width": SIZE["width"],
                                                "height": height})
                print(f"{out.stat().st_size / 1e3:6.0f} kB  {out.relative_to(ROOT)}")
                context.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
