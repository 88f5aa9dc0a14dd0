"""Browser harness: a Voila server on 127.0.0.1 and headless Chromium that cannot go online.

Fixtures:
    voila_url  session: `shopnb serve` on a free port (the command `make serve` runs), with
               a preheated pool of SERVE_POOL kernels for the landing page.
    browser    session: Debian's /usr/bin/chromium through Playwright (never
               `playwright install`); the tests skip when it is missing.
    page       function: a fresh profile whose requests to anything but
               127.0.0.1 are aborted and recorded in ``page.offsite_requests``;
               console errors land in ``page.console_errors``; the front-end
               extensions it loaded in ``page.extensions``;
               ``page.shoot(path)`` saves the whole page as a PNG.

Screenshots and the Voila log go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `shopnb serve`, as `make serve` runs it; the landing page's pool is kept small here so
# that the tests do not wait for eight kernels to preheat
SERVE_POOL = 2
SERVER_START_TIMEOUT = 60  # s; Voila answers in about 2 s (the pools fill after that)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _shoot_whole_page(page, path) -> None:
    """The whole page: Voila scrolls inside a panel, so the viewport is made as tall."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('.lm-BoxPanel-child, body')]"
        ".map(e => e.scrollHeight))")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height + 40})
    page.wait_for_timeout(400)  # relayout and fonts
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def voila_url(artifacts: Path) -> Iterator[str]:
    """Base URL of `shopnb serve` serving notebooks/; stopped after the session."""
    port = _free_port()
    log_path = artifacts / "voila.log"
    cmd = [sys.executable, "-m", "shopnb.cli", "serve", f"--port={port}", "--host=127.0.0.1",
           f"--pool={SERVE_POOL}"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its kernels go down with it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(proc, f"{base}/voila/static/voila.js", log_path, "Voila")
        yield base
    finally:
        _stop(proc)


def wait_until_answers(proc: subprocess.Popen, url: str, log_path: Path, name: str) -> None:
    """Wait until the server `proc` (logging to `log_path`) answers `url` with 200; fail
    with the log's tail if it exits or stays silent for SERVER_START_TIMEOUT seconds."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:\n{_log_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"{name} did not answer within {SERVER_START_TIMEOUT} s:\n{_log_tail(log_path)}"
            )
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # Voila and the kernels it started
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; skips the browser tests when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk "
            "(`make test` does) to run the browser tests"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser profile that can reach 127.0.0.1 only."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.offsite_requests = []
    page.console_errors = []
    page.extensions = set()

    def guard(route):
        url = urlsplit(route.request.url)
        if "/labextensions/" in url.path:  # /voila/labextensions/<@scope/name>/static/...
            parts = url.path.split("/labextensions/", 1)[1].split("/")
            page.extensions.add("/".join(parts[:2] if parts[0].startswith("@") else parts[:1]))
        if url.hostname == "127.0.0.1" or url.scheme in ("data", "blob"):
            route.continue_()
        else:
            page.offsite_requests.append(route.request.url)
            route.abort()

    def on_console(message):
        if message.type == "error":
            page.console_errors.append(message.text)

    context.route("**/*", guard)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_errors.append(f"pageerror: {exc}"))
    page.shoot = lambda path: _shoot_whole_page(page, path)
    yield page
    context.close()
