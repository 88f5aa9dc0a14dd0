"""What the served notebooks call: the server's settings and the shop's tables.

`shopnb serve` hands its options to every page's kernel as environment
variables, because a preheated kernel runs its notebook before anyone asks for
the page:

- ``SHOPNB_DATA``: the data folder (unset: the bundled sample shop);
- ``SHOPNB_LANG``: the pages' language, ``zh`` or ``en``;
- ``SHOPNB_NOTEBOOKS``: the folder of the pages' notebooks (for the navigation).

A page's table comes from the data folder through `table`, read once per
kernel. A ``data`` notebook parameter names a file inside that folder and
nowhere else (`inside`). A file that is missing, empty or unreadable gives a
`LoadProblem`, which every page shows as a friendly message; the traceback
goes to the server log (`log_exception`), never to the page. The landing
page's alerts of the other pages come from `digest`, worked out in a separate
process and cached until a data file changes.

Example:
    >>> import shopnb as sn
    >>> funnel = sn.app.table("funnel")
    >>> int(funnel["orders"].sum()) > 0
    True
    >>> sn.app.inside(sn.app.data_folder(), "../secret.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    shopnb.errors.ShopDataError: ../secret.csv: it must name a file inside the data folder, ...
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs

import pandas as pd
import pyarrow as pa

from shopnb.datasets import LOADERS, SAMPLE_FILES, sample_dir
from shopnb.errors import ShopDataError

if TYPE_CHECKING:
    from shopnb.digest import Digest
    from shopnb.pages.funnel import ShopTables

__all__ = [
    "ENV_DATA",
    "ENV_LANG",
    "ENV_NOTEBOOKS",
    "ENV_STATIC_BUNDLE",
    "LoadProblem",
    "TARGETS_FILE",
    "Targets",
    "cache_folder",
    "data_folder",
    "digest",
    "funnel_tables",
    "inside",
    "lang",
    "log_exception",
    "notebooks_folder",
    "table",
    "targets",
]

ENV_DATA = "SHOPNB_DATA"
ENV_LANG = "SHOPNB_LANG"
ENV_NOTEBOOKS = "SHOPNB_NOTEBOOKS"
ENV_STATIC_BUNDLE = "SHOPNB_CHART_BUNDLE"  # the charts' JavaScript file the server serves
LANGS = ("zh", "en")  # as shopnb.theme.LANGS; not imported, to keep this module light

logger = logging.getLogger("shopnb")


def data_folder() -> Path:
    """The configured data folder (``SHOPNB_DATA``), else the bundled sample shop's.

    Example:
        >>> data_folder().name
        'sample'
    """
    configured = os.environ.get(ENV_DATA)
    return Path(configured).expanduser().resolve() if configured else sample_dir()


def notebooks_folder() -> Path:
    """The pages' notebooks: ``SHOPNB_NOTEBOOKS``, else ``notebooks/`` beside the package
    (a checkout), else the copy an installed wheel keeps in ``<prefix>/share/shopnb/notebooks``.

    Example:
        >>> (notebooks_folder() / "index.ipynb").exists()
        True
    """
    configured = os.environ.get(ENV_NOTEBOOKS)
    if configured:
        return Path(configured).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    installed = Path(sys.prefix) / "share" / "shopnb" / "notebooks"
    return installed if not checkout.is_dir() and installed.is_dir() else checkout


def lang(asked: str | None = None) -> str:
    """The language to show a page in.

    The first valid one of: `asked` (a notebook parameter), ``?lang=`` in the
    page's address (``QUERY_STRING``, set by Voila for a kernel started for the
    request), ``SHOPNB_LANG`` (``shopnb serve --lang``), and ``"zh"``. Invalid
    values are passed over: a page never fails on ``?lang=fr``.

    Example:
        >>> lang("en"), lang("fr") in ("zh", "en")
        ('en', True)
    """
    query = parse_qs(os.environ.get("QUERY_STRING", "")).get("lang", [None])[-1]
    for candidate in (asked, query, os.environ.get(ENV_LANG)):
        if candidate in LANGS:
            return candidate
    return "zh"


def inside(folder: str | os.PathLike[str], relative: str | os.PathLike[str]) -> Path:
    """`relative` resolved inside `folder`, or `ShopDataError` if it could leave it.

    Refused: an empty name, an absolute path (``/x``, ``C:\\x``, ``\\\\host\\x``),
    any ``..`` part, a NUL character, and a symbolic link that points outside.
    The path need not exist.

    Example:
        >>> inside("/srv/shop", "2024-11/罗盘.csv").as_posix()
        '/srv/shop/2024-11/罗盘.csv'
        >>> inside("/srv/shop", "/etc/passwd")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        shopnb.errors.ShopDataError: /etc/passwd: ... not an absolute path
    """
    text = os.fspath(relative)
    rule = "it must name a file inside the data folder"
    if not text.strip() or "\x00" in text:
        raise ShopDataError(f"{rule}, and names none", file=repr(text))
    posix, windows = PurePosixPath(text), PureWindowsPath(text)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or windows.root:
        raise ShopDataError(f"{rule}, not an absolute path", file=text)
    if ".." in posix.parts or ".." in windows.parts:
        raise ShopDataError(f"{rule}, without \"..\"", file=text)
    root = Path(folder).resolve()
    target = (root / text).resolve()
    if not target.is_relative_to(root):  # a symbolic link pointing out
        raise ShopDataError(f"{rule}; this one is a link that leads outside", file=text)
    return target


@dataclass(frozen=True)
class LoadProblem:
    """Why a page's table could not be read: what, which file, and what to do.

    Attributes:
        table: the canonical table asked for (``funnel``, ``competitors`` ...).
        kind: ``missing`` (no such file), ``empty``, ``broken`` (not readable as
            the table) or ``outside`` (a ``data`` parameter that leaves the folder).
        file: the file, as named to the user.
        reason: what the loader found wrong (its `ShopDataError` message).
        folder: the data folder.

    Example:
        >>> p = LoadProblem("funnel", "missing", "罗盘.csv", "no such file", "/srv/shop")
        >>> p.message("en").startswith("No data: the data folder /srv/shop has no 罗盘.csv")
        True
    """

    table: str
    kind: Literal["missing", "empty", "broken", "outside"]
    file: str
    reason: str
    folder: str

    def label(self) -> tuple[str, dict[str, str]]:
        """The notice as a label key of `shopnb.theme.LABELS` and its fields."""
        return f"load_{self.kind}", {"file": self.file, "reason": self.reason,
                                     "folder": self.folder}

    def message(self, lang: str = "zh") -> str:
        """The notice a page shows, in `lang`: what is wrong, which file, what to do."""
        from shopnb.labels import t  # the labels are loaded with the pages

        key, fields = self.label()
        return t(key, lang, **fields)


def table(name: str, data: str | os.PathLike[str] | None = None) -> pd.DataFrame | LoadProblem:
    """The shop's table `name`, read once per kernel (callers get their own frame;
    copy-on-write keeps the cached one as read).

    Where it comes from: with `data`, that file or folder inside the data folder;
    else, in a configured data folder, its subfolder named `name` (every export
    file in it) or the files named as in the sample shop (``电商罗盘_商品载体明细.csv``
    ...); with no data folder configured, the bundled sample shop.

    Returns a `LoadProblem` instead of raising when the file is missing, empty
    or unreadable; the pages show it as a message.

    Example:
        >>> table("funnel", data="../x.csv").kind
        'outside'
    """
    if name not in LOADERS:
        raise ValueError(f"no table {name!r}; choose one of {', '.join(LOADERS)}")
    folder = data_folder()
    shown = str(data) if data is not None else ", ".join(SAMPLE_FILES[name])
    try:
        sources = _sources(name, folder, data)
    except ShopDataError as exc:  # a data parameter that would leave the folder
        _server_log().warning("refused data=%r for the %s table: %s", data, name, exc)
        return LoadProblem(name, "outside", shown, exc.issue.message, str(folder))
    if not sources:
        return LoadProblem(name, "missing", shown, "no such file", str(folder))
    shown = ", ".join(_shown(p, folder) for p in sources)
    try:
        if folder == sample_dir() and data is None:
            from shopnb.datasets import load_sample

            frame = load_sample(name)
        else:
            frame = _read(name, tuple((p, *_stamp(p)) for p in sources)).copy(deep=False)
        # parsing leaves Arrow's allocator holding tens of MB it no longer uses
        pa.default_memory_pool().release_unused()
        return frame
    except ShopDataError as exc:
        _server_log().warning("cannot read %s for the %s table: %s", shown, name, exc)
        kind = "empty" if exc.issue.message == "the file is empty" else "broken"
        return LoadProblem(name, kind, shown, str(exc), str(folder))
    except OSError as exc:
        log_exception(f"cannot read {shown} for the {name} table")
        return LoadProblem(name, "broken", shown, exc.strerror or str(exc), str(folder))


def _sources(name: str, folder: Path, data: str | os.PathLike[str] | None) -> list[Path]:
    """The files (or the one folder) the table `name` is read from; empty when none exists."""
    if data is not None:
        path = inside(folder, data)
        return [path] if path.exists() else []
    sub = folder / name
    if sub.is_dir():
        return [sub]
    return [folder / f for f in SAMPLE_FILES[name] if (folder / f).is_file()]


def _shown(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def _stamp(path: Path) -> tuple[int, int]:
    """What tells a changed file (or folder) apart: modification time and size."""
    stat = path.stat()
    if path.is_dir():
        files = [p.stat() for p in path.iterdir() if p.is_file()]
        return max([stat.st_mtime_ns, *(s.st_mtime_ns for s in files)]), sum(
            s.st_size for s in files)
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=16)
def _read(name: str, sources: tuple[tuple[Path, int, int], ...]) -> pd.DataFrame:
    """Read and stack the sources; cached on their paths, times and sizes."""
    frames = [LOADERS[name](path) for path, _, _ in sources]
    if len(frames) == 1:
        return frames[0]
    stacked = pd.concat(frames, ignore_index=True)
    stacked.attrs = {"issues": [i for f in frames for i in f.attrs["issues"]],
                     "sources": [s for f in frames for s in f.attrs["sources"]]}
    return stacked


TARGETS_FILE = "targets.toml"  # the shop's KPI targets, in the data folder


@dataclass(frozen=True)
class Targets:
    """The shop's KPI targets: ``spec`` as `shopnb.monitor.load_targets` takes it (empty:
    the plans' defaults), the file they came from, and what was wrong with it."""

    spec: dict[str, dict[str, float]]
    source: str | None = None
    problem: LoadProblem | None = None


def targets() -> Targets:
    """The KPI targets in the data folder's ``targets.toml``, else the plans' defaults.

    A file that cannot be read gives the defaults and a `LoadProblem` to show.

    Example:
        >>> targets().spec  # the sample shop has no targets.toml
        {}
    """
    from shopnb import monitor

    folder = data_folder()
    path = folder / TARGETS_FILE
    if not path.is_file():
        return Targets({})
    try:
        loaded = monitor.load_targets(path)
    except ShopDataError as exc:
        _server_log().warning("cannot read %s: %s", path, exc)
        return Targets({}, None, LoadProblem("targets", "broken", TARGETS_FILE,
                                             exc.issue.message, str(folder)))
    return Targets({m: {t.direction: t.value} for m, t in loaded.items()}, TARGETS_FILE)


def funnel_tables(data: str | os.PathLike[str] | None = None) -> ShopTables | LoadProblem:
    """The funnel page's tables: the funnel, and the videos, orders and behaviour log.

    With `data`, the export file or folder of exports inside the data folder;
    else the data folder's own (as `table` finds them); else the sample shop
    (its behaviour log read by DuckDB straight from its Parquet file).

    Example:
        >>> funnel_tables().funnel["carrier"].sort_values().unique().tolist()
        ['card', 'live', 'video']
    """
    from shopnb.pages.funnel import read_exports, shop_tables

    folder = data_folder()
    shown = str(data) if data is not None else ", ".join(SAMPLE_FILES["funnel"])
    if data is None and folder == sample_dir():
        tables = shop_tables()
        pa.default_memory_pool().release_unused()  # what parsing left behind (about 60 MB)
        return tables
    try:
        funnel = _sources("funnel", folder, data)
    except ShopDataError as exc:  # a data parameter that would leave the folder
        _server_log().warning("refused data=%r for the funnel page: %s", data, exc)
        return LoadProblem("funnel", "outside", shown, exc.issue.message, str(folder))
    others = [] if data is not None else [
        p for name in ("videos", "orders", "events") for p in _sources(name, folder, None)]
    paths = _files(funnel)
    if not paths:
        return LoadProblem("funnel", "missing", shown, "no such file", str(folder))
    shown = ", ".join(_shown(p, folder) for p in paths)
    try:
        tables = read_exports([*paths, *_files(others)])
        pa.default_memory_pool().release_unused()
        return tables
    except ShopDataError as exc:
        _server_log().warning("cannot read %s for the funnel page: %s", shown, exc)
        kind = "empty" if exc.issue.message == "the file is empty" else "broken"
        return LoadProblem("funnel", kind, shown, str(exc), str(folder))
    except OSError as exc:
        log_exception(f"cannot read {shown} for the funnel page")
        return LoadProblem("funnel", "broken", shown, exc.strerror or str(exc), str(folder))


def _files(paths: list[Path]) -> list[Path]:
    """`paths` with each folder replaced by the export files in it."""
    return [f for p in paths for f in (
        sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith((".", "~$")))
        if p.is_dir() else [p])]


DIGEST_TIMEOUT_S = 300


def digest(own_shop: str | None = None) -> Digest:
    """The alerts of every page for the landing page (`shopnb.digest.build_digest`).

    Worked out in a separate Python process and cached (in the user cache
    folder) until a data file or shopnb's code changes (a digest no page has read
    for 30 days is deleted when a new one is written): the A/B verdicts need
    tea-tasting, SciPy and statsmodels, about 75 MB and 1 s in every kernel
    that imports them, and the competitor alerts the competitor workbook; the
    landing page's kernels load neither. Concurrent kernels wait for one
    computation. A failed computation is a `Digest` whose ``failures`` say so
    (the details go to the server log).
    """
    from shopnb.digest import DIGEST_TABLES, Digest

    cache = cache_folder() / f"digest-{_digest_key(DIGEST_TABLES, own_shop)}.json"
    if not cache.is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        with _locked(cache.with_suffix(".lock")):
            if not cache.is_file():
                argv = [sys.executable, "-m", "shopnb.digest", str(cache)]
                if own_shop is not None:
                    argv.append(own_shop)
                try:
                    done = subprocess.run(argv, stdin=subprocess.DEVNULL,
                                          stdout=_server_log_fd(), stderr=_server_log_fd(),
                                          timeout=DIGEST_TIMEOUT_S, check=False)
                    failed = done.returncode != 0
                except (subprocess.TimeoutExpired, OSError):  # too slow, or no Python to run
                    failed = True
                if failed or not cache.is_file():
                    _server_log().error("the landing page's digest failed: %s", argv)
                    return Digest(failures=[("index", "the alerts could not be worked out; "
                                             "the server log has the details")])
                _forget_unused_digests(cache.parent)
    with contextlib.suppress(OSError):  # its age is the time since it was last used
        os.utime(cache)
    return Digest.from_json(cache.read_text(encoding="utf-8"))


DIGEST_UNUSED_S = 30 * 24 * 3600


def _forget_unused_digests(folder: Path) -> None:
    """Delete the cached digests (and their locks) no page has read for `DIGEST_UNUSED_S`:
    each change of a data file or of shopnb makes a new one, and the old ones would pile up."""
    unused = time.time() - DIGEST_UNUSED_S
    for old in folder.glob("digest-*.json"):
        with contextlib.suppress(OSError):  # gone already, or not ours to delete
            if old.stat().st_mtime < unused:
                old.unlink()
                old.with_suffix(".lock").unlink(missing_ok=True)


def _digest_key(tables: tuple[str, ...], own_shop: str | None) -> str:
    """What the digest depends on: the data files, the targets, the own shop, shopnb's code."""
    folder = data_folder()
    parts: list[object] = [str(folder), own_shop]
    for name in tables:
        try:
            parts += [(str(p), *_stamp(p)) for p in _sources(name, folder, None)]
        except OSError:
            parts.append((name, "unreadable"))
    goals = folder / TARGETS_FILE
    if goals.is_file():
        parts.append((TARGETS_FILE, *_stamp(goals)))
    package = Path(__file__).resolve().parent
    parts += [(str(p.relative_to(package)), p.stat().st_mtime_ns)
              for p in sorted(package.rglob("*.py"))]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:24]


def cache_folder() -> Path:
    """shopnb's folder in the user cache (``$XDG_CACHE_HOME/shopnb``, else ``~/.cache/shopnb``)."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "shopnb"


class _locked:
    """An exclusive lock on `path` for a `with` block (a no-op where fcntl is missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # Windows: concurrent kernels may compute twice, harmlessly
            pass

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # releases the lock


def log_exception(what: str) -> None:
    """Write `what` and the current traceback to the server log, not to the page.

    Example:
        >>> try:
        ...     1 / 0
        ... except ZeroDivisionError:
        ...     log_exception("dividing")  # doctest: +SKIP
    """
    _server_log().error(what, exc_info=True)


def _server_log_fd() -> int | None:
    """The server's error stream, as a file descriptor for a child process (None: inherit)."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _server_log() -> logging.Logger:
    """The ``shopnb`` logger, writing to the server's error stream.

    In a kernel, ``sys.stderr`` is shown on the page; its file descriptor is
    the server's own error stream (the kernel's inherited one), so write there.
    """
    if not logger.handlers:
        try:
            stream = open(sys.stderr.fileno(), "w", closefd=False)  # noqa: SIM115
        except (AttributeError, OSError, ValueError):
            stream = sys.__stderr__
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("[shopnb] %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger

