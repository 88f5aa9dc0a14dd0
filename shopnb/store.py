"""The data folder: the server's settings, the shop's tables, its targets and uploads.

`shopnb serve` hands its options to every page's kernel as environment
variables, because a preheated kernel runs its notebook before anyone asks for
the page:

- ``SHOPNB_DATA``: the data folder (unset: the bundled sample shop);
- ``SHOPNB_LANG``: the pages' language, ``zh`` or ``en``;
- ``SHOPNB_NOTEBOOKS``: the folder of the pages' notebooks (for the navigation);
- ``SHOPNB_CHART_BUNDLE``: the charts' JavaScript file the server serves.

A page's table comes from the data folder through `table` (the funnel page's
tables through `funnel_tables`), read once per kernel; the KPI targets through
`targets`. A ``data`` notebook parameter names a file inside that folder and
nowhere else (`inside`). A file uploaded on a page is read by `read_uploads`,
in a private folder, never beside the shop's files. A file that is missing,
empty or unreadable gives a `shopnb.errors.LoadProblem`, which every page shows
as a friendly message (`check_funnel`, `check_competitors` say whether a page
can draw what it got); the traceback goes to the server log (`log_exception`),
never to the page.

Example:
    >>> import shopnb as sn
    >>> funnel = sn.store.table("funnel")
    >>> int(funnel["orders"].sum()) > 0
    True
    >>> sn.store.inside(sn.store.data_folder(), "../secret.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    shopnb.errors.ShopDataError: ../secret.csv: it must name a file inside the data folder, ...
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, TextIO, TypeAlias, overload
from urllib.parse import parse_qs

import pandas as pd
import pyarrow as pa
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from shopnb.datasets import (
    LOADERS,
    SAMPLE_FILES,
    ShopData,
    cache_folder,
    load_sample,
    sample_dir,
)
from shopnb.errors import LoadProblem, ProblemKind, ShopDataError
from shopnb.load import load_events, load_funnel, load_orders, load_videos
from shopnb.schema import LANGS, TABLES, table_name
from shopnb.targets import load_targets

__all__ = [
    "ACCEPTED",
    "ENV_DATA",
    "ENV_LANG",
    "ENV_NOTEBOOKS",
    "ENV_STATIC_BUNDLE",
    "FORMULA_STARTS",
    "MAX_UPLOAD_BYTES",
    "FunnelData",
    "NOT_AN_EXPORT",
    "TARGETS_FILE",
    "UPLOADED",
    "ShopTables",
    "Targets",
    "as_tables",
    "cache_folder",
    "check_competitors",
    "check_funnel",
    "csv_text",
    "check_upload",
    "data_folder",
    "funnel_tables",
    "inside",
    "lang",
    "log_exception",
    "notebooks_folder",
    "read_exports",
    "read_uploads",
    "server_log",
    "server_log_fd",
    "shop_tables",
    "stamps",
    "table",
    "targets",
]

ENV_DATA = "SHOPNB_DATA"
ENV_LANG = "SHOPNB_LANG"
ENV_NOTEBOOKS = "SHOPNB_NOTEBOOKS"
ENV_STATIC_BUNDLE = "SHOPNB_CHART_BUNDLE"  # the charts' JavaScript file the server serves

logger = logging.getLogger("shopnb")


# --- settings --------------------------------------------------------------------------------

def data_folder() -> Path:
    """The configured data folder (``SHOPNB_DATA``), else the bundled sample shop's.

    Example:
        >>> data_folder().name
        'sample'
    """
    configured = os.environ.get(ENV_DATA)
    return Path(configured).expanduser().resolve() if configured else sample_dir()


def notebooks_folder() -> Path:
    """The pages' notebooks folder.

    ``SHOPNB_NOTEBOOKS``, else ``notebooks/`` beside the package (a checkout), else the copy
    an installed wheel keeps in ``<prefix>/share/shopnb/notebooks``.

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
    r"""`relative` resolved inside `folder`, or `ShopDataError` if it could leave it.

    Refused: an empty name, an absolute path (``/x``, ``C:\x``, ``\\host\x``),
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


# --- the data folder's tables ----------------------------------------------------------

def table(name: str, data: str | os.PathLike[str] | None = None) -> pd.DataFrame | LoadProblem:
    """The shop's table `name`, read once per kernel.

    Callers get their own frame; copy-on-write keeps the cached one as read.

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
        raise ShopDataError(f"no table {name!r}; choose one of {', '.join(LOADERS)}")
    name = table_name(name)  # an old name: its new one, with a warning
    folder = data_folder()
    shown = str(data) if data is not None else ", ".join(SAMPLE_FILES[name])
    try:
        sources = _sources(name, folder, data)
    except ShopDataError as exc:  # a data parameter that would leave the folder
        server_log().warning("refused data=%r for the %s table: %s", data, name, exc)
        return LoadProblem(name, "outside", shown, exc.issue.message, str(folder))
    if not sources:
        return LoadProblem(name, "missing", shown, "no such file", str(folder))
    shown = ", ".join(_shown(p, folder) for p in sources)
    try:
        if folder == sample_dir() and data is None:
            frame = load_sample(name)
        else:
            frame = _read(name, tuple((p, *_stamp(p)) for p in sources)).copy(deep=False)
        # parsing leaves Arrow's allocator holding memory it no longer uses
        pa.default_memory_pool().release_unused()
        return frame
    except ShopDataError as exc:
        server_log().warning("cannot read %s for the %s table: %s", shown, name, exc)
        kind: ProblemKind = "empty" if exc.issue.message == "the file is empty" else "broken"
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
    return _stack([LOADERS[name](path) for path, _, _ in sources])


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One table of the frames of one kind, with all their data-quality notes and sources."""
    if len(frames) == 1:
        return frames[0]
    stacked = pd.concat(frames, ignore_index=True)
    stacked.attrs = {"issues": [i for f in frames for i in f.attrs["issues"]],
                     "sources": [s for f in frames for s in f.attrs["sources"]]}
    return stacked


def stamps(names: Sequence[str]) -> list[object]:
    """What tells the data folder's state apart for the tables `names`.

    The folder, each table's files with their modification times and sizes, and the
    targets file's.

    Example:
        >>> stamps(["funnel"])[0] == str(data_folder())
        True
    """
    folder = data_folder()
    parts: list[object] = [str(folder)]
    for name in names:
        try:
            parts += [(str(p), *_stamp(p)) for p in _sources(name, folder, None)]
        except OSError:
            parts.append((name, "unreadable"))
    goals = folder / TARGETS_FILE
    if goals.is_file():
        parts.append((TARGETS_FILE, *_stamp(goals)))
    return parts


# --- targets ---------------------------------------------------------------------------------

TARGETS_FILE = "targets.toml"  # the shop's KPI targets, in the data folder


@dataclass(frozen=True)
class Targets:
    """The shop's KPI targets, the file they came from, and what was wrong with it.

    ``spec`` is as `shopnb.targets.load_targets` takes it (empty: the plans' defaults).
    """

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
    folder = data_folder()
    path = folder / TARGETS_FILE
    if not path.is_file():
        return Targets({})
    try:
        loaded = load_targets(path)
    except ShopDataError as exc:
        server_log().warning("cannot read %s: %s", path, exc)
        return Targets({}, None, LoadProblem("targets", "broken", TARGETS_FILE,
                                             exc.issue.message, str(folder)))
    return Targets({m: {t.direction: t.value} for m, t in loaded.items()}, TARGETS_FILE)


# --- the funnel page's tables ------------------------------------------------------------------

@dataclass
class ShopTables:
    """The funnel page's tables; only `funnel` is required.

    Attributes:
        events: a DataFrame, or the path of a canonical event log (Parquet or CSV)
            that DuckDB reads when the user-path tab is first opened.
        sources: the files the tables came from (empty for the sample shop).
        issues: data-quality notes the loaders made (``strict=False``).
    """

    funnel: pd.DataFrame
    events: pd.DataFrame | str | os.PathLike | None = None
    videos: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    sources: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


# what the funnel page takes (see `as_tables`)
FunnelData: TypeAlias = "ShopTables | ShopData | pd.DataFrame | LoadProblem"
NOT_AN_EXPORT = "not a known export (funnel, videos, orders or behaviour log)"
_NO_FUNNEL = "no funnel data: add a 罗盘 product or deal export"
_EXPORT_LOADERS: tuple[tuple[str, Callable[..., pd.DataFrame]], ...] = (
    ("events", load_events), ("orders", load_orders), ("videos", load_videos),
    ("funnel", load_funnel))


def read_exports(paths: Sequence[str | os.PathLike]) -> ShopTables:
    """The funnel page's tables from export files of any kind.

    Each file goes to the first loader (events, orders, videos, funnel) that finds its
    columns.

    Raises:
        ShopDataError: a file that none of the loaders can read, or no funnel data.

    Example:
        >>> read_exports([])  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        shopnb.errors.ShopDataError: no funnel data
    """
    tables = _by_kind(paths)
    if tables is None:
        raise ShopDataError(_NO_FUNNEL)
    return tables


def _by_kind(paths: Sequence[str | os.PathLike]) -> ShopTables | None:
    """`read_exports`, saying None where it would raise for want of a funnel.

    Raises:
        ShopDataError: a file that none of the loaders can read.
    """
    found: dict[str, list[pd.DataFrame]] = {name: [] for name, _ in _EXPORT_LOADERS}
    issues: list[str] = []
    for path in map(Path, paths):
        errors = []
        for name, loader in _EXPORT_LOADERS:
            try:
                table = loader(path, strict=False)
            except ShopDataError as exc:
                errors.append(str(exc))
                continue
            found[name].append(table)
            issues += [str(i) for i in table.attrs.get("issues", [])]
            break
        else:
            raise ShopDataError(f"{NOT_AN_EXPORT}: {errors[-1]}", file=path.name)
    if not found["funnel"]:
        return None
    tables = {name: pd.concat(frames, ignore_index=True) if frames else None
              for name, frames in found.items()}
    return ShopTables(**tables, sources=[Path(p).name for p in paths], issues=issues)


def shop_tables(folder: str | os.PathLike | None = None) -> ShopTables:
    """The tables of the folder given, else of the folder in ``SHOPNB_DATA``, else the sample shop.

    Example:
        >>> shop_tables().funnel["carrier"].sort_values().unique().tolist()
        ['card', 'live', 'video']
    """
    folder = folder or os.environ.get(ENV_DATA) or None
    if folder is None:  # the sample's log is canonical already: DuckDB reads it as it is
        return ShopTables(funnel=load_sample("funnel"),
                          events=sample_dir() / SAMPLE_FILES["events"][0],
                          videos=load_sample("videos"), orders=load_sample("orders"))
    path = Path(folder)
    if not path.is_dir():
        raise ShopDataError("no such folder", file=str(path))
    return read_exports(_files([path]))


def as_tables(data: FunnelData) -> ShopTables:
    """`data` as the funnel page's tables.

    `ShopTables` as they are, a DataFrame (or a `LoadProblem`) as the funnel, else anything
    with ``.funnel`` (and ``.events``, ``.videos``, ``.orders``), such as the sample shop's
    `ShopData`. Anything else becomes a funnel that `check_funnel` refuses, so that a page
    says what is wrong rather than failing.

    Example:
        >>> as_tables(pd.DataFrame({"date": []})).videos is None
        True
    """
    if isinstance(data, ShopTables):
        return data
    if isinstance(data, pd.DataFrame):
        return ShopTables(funnel=data)
    return ShopTables(funnel=getattr(data, "funnel", data),
                      events=getattr(data, "events", None), videos=getattr(data, "videos", None),
                      orders=getattr(data, "orders", None))


def funnel_tables(data: str | os.PathLike[str] | None = None) -> ShopTables | LoadProblem:
    """The funnel page's tables: the funnel, and the videos, orders and behaviour log.

    With `data`, the export file or folder of exports inside the data folder;
    else the data folder's own (as `table` finds them); else the sample shop
    (its behaviour log read by DuckDB straight from its Parquet file).

    Example:
        >>> funnel_tables().funnel["carrier"].sort_values().unique().tolist()
        ['card', 'live', 'video']
    """
    folder = data_folder()
    shown = str(data) if data is not None else ", ".join(SAMPLE_FILES["funnel"])
    if data is None and folder == sample_dir():
        tables = shop_tables()
        pa.default_memory_pool().release_unused()  # what parsing left behind
        return tables
    try:
        funnel = _sources("funnel", folder, data)
    except ShopDataError as exc:  # a data parameter that would leave the folder
        server_log().warning("refused data=%r for the funnel page: %s", data, exc)
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
        server_log().warning("cannot read %s for the funnel page: %s", shown, exc)
        kind: ProblemKind = "empty" if exc.issue.message == "the file is empty" else "broken"
        return LoadProblem("funnel", kind, shown, str(exc), str(folder))
    except OSError as exc:
        log_exception(f"cannot read {shown} for the funnel page")
        return LoadProblem("funnel", "broken", shown, exc.strerror or str(exc), str(folder))


def _files(paths: list[Path]) -> list[Path]:
    """`paths` with each folder replaced by the export files in it."""
    return [f for p in paths for f in (
        sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith((".", "~$")))
        if p.is_dir() else [p])]


# --- uploads ---------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 20 * 2**20  # room for a year of daily product exports in one file
ACCEPTED = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".parquet")
UPLOADED = "(upload)"  # a LoadProblem's folder for an uploaded file
_MAGIC = {".xlsx": (b"PK\x03\x04",), ".xls": (b"\xd0\xcf\x11\xe0", b"PK\x03\x04"),
          ".parquet": (b"PAR1",)}


@overload
def read_uploads(files: Sequence[Mapping[str, Any]], table: str, *,
                 max_bytes: int = ...) -> pd.DataFrame | LoadProblem: ...


@overload
def read_uploads(files: Sequence[Mapping[str, Any]], table: None = None, *,
                 max_bytes: int = ...) -> ShopTables | LoadProblem: ...


def read_uploads(files: Sequence[Mapping[str, Any]], table: str | None = None, *,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> pd.DataFrame | ShopTables | LoadProblem:
    r"""Uploaded export files, checked and read without touching anything else on the server.

    A page's upload control (`ipywidgets.FileUpload`) hands the kernel each
    file's ``name`` and ``content`` (bytes). A file larger than `max_bytes`, one
    whose name is not a table export (`ACCEPTED`) and one whose bytes do not
    match its kind (an ``.xlsx`` that is no zip, a web page saved as ``.csv``)
    is refused before anything is read; the rest are written into a private
    temporary folder (mode 0700, a fresh one per upload, removed afterwards)
    under the last part of their names, and read there. Nothing outside that
    folder is written, so an upload never replaces a file.

    Args:
        files: the uploaded files, as FileUpload's ``value`` holds them.
        table: the canonical table every file is read as (the files stacked:
            the landing page's ``funnel``); None: the funnel page's tables, each
            file by the first loader that takes it (`read_exports`).
        max_bytes: the largest file accepted.

    Returns:
        The table (its ``attrs["sources"]`` the files' names), or `ShopTables`;
        or a `LoadProblem` saying what is wrong: ``missing`` when the funnel
        page's files hold no funnel, else ``empty`` / ``broken``, with the file
        that failed (a reason starting with `NOT_AN_EXPORT` when no loader
        takes it).

    Example:
        >>> day = "日期,成交人数\n2024-11-01,3\n".encode()
        >>> found = read_uploads([{"name": "罗盘.csv", "content": day}], "funnel")
        >>> found["buyers"].tolist()
        [3]
        >>> read_uploads([{"name": "罗盘.exe", "content": b"MZ..."}], "funnel").kind
        'broken'
    """
    asked = table or "funnel"
    named = [(_base_name(str(f["name"])), bytes(f["content"])) for f in files]
    shown = ", ".join(name for name, _ in named)
    for name, content in named:
        refused = check_upload(name, content, max_bytes=max_bytes)
        if refused is not None:
            return LoadProblem(asked, refused[0], name, refused[1], UPLOADED)
    with tempfile.TemporaryDirectory(prefix="shopnb-upload-") as private:
        paths = []
        for name, content in named:
            path = Path(private) / name  # one name, no folder part: it stays in `private`
            path.write_bytes(content)
            paths.append(path)
        try:
            if table is not None:
                frame = _stack([LOADERS[table](path) for path in paths])
                frame.attrs["sources"] = [name for name, _ in named]
                return frame
            tables = _by_kind(paths)
        except ShopDataError as exc:  # where in the file, then what: the file is named apart
            issue = exc.issue
            return LoadProblem(asked, "broken", Path(issue.file).name if issue.file else shown,
                               str(ShopDataError(issue.message, column=issue.column,
                                                 rows=issue.rows)), UPLOADED)
        except Exception as exc:  # a file no reader copes with: say so, log the rest
            log_exception(f"cannot read the upload {shown!r}")
            return LoadProblem(asked, "broken", shown, type(exc).__name__, UPLOADED)
    if tables is None:
        return LoadProblem(asked, "missing", shown, _NO_FUNNEL, UPLOADED)
    return tables


def check_upload(name: str, content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES
                 ) -> tuple[ProblemKind, str] | None:
    """What is wrong with an uploaded file before it is read, as (kind, reason); None: nothing.

    Too large, not named as a table export, empty, or bytes that do not match
    the kind its name says (an ``.xlsx`` that is no zip file).

    Example:
        >>> check_upload("罗盘.xlsx", b"<html>")
        ('broken', 'the file is not a real .xlsx file')
    """
    if len(content) > max_bytes:
        return "broken", (f"the file is {len(content) / 2**20:.1f} MB; uploads are limited to "
                          f"{max_bytes / 2**20:.0f} MB")
    suffix = PurePosixPath(_base_name(name)).suffix.lower()
    if suffix not in ACCEPTED:
        return "broken", f"not a table export; upload one of {', '.join(ACCEPTED)}"
    if not content.strip():
        return "empty", "the file is empty"
    magic = _MAGIC.get(suffix)
    if magic and not content.startswith(magic):
        return "broken", f"the file is not a real {suffix} file"
    return None


def _base_name(name: str) -> str:
    r"""The last part of an uploaded file's name, whatever the browser's separators.

    Example:
        >>> _base_name("C:\\exports\\..\\罗盘.csv"), _base_name("../../etc/passwd")
        ('罗盘.csv', 'passwd')
    """
    base = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    return base if base not in ("", ".", "..") else "upload"


# --- can a page draw what it got -------------------------------------------------------------

def check_funnel(funnel: object, measures: Sequence[str]) -> tuple[str, dict]:
    """What is wrong with `funnel` for a page that draws `measures` by day.

    Given as a label key and its fields (a `LoadProblem`'s own).

    Returns ``("", {})`` when the page can draw at least one of `measures`.

    Example:
        >>> check_funnel(pd.DataFrame({"date": []}), ["gmv", "orders"])
        ('missing_columns', {'columns': 'gmv, orders'})
    """
    if isinstance(funnel, LoadProblem):
        return funnel.label()
    if not isinstance(funnel, pd.DataFrame):
        return "not_a_table", {"kind": type(funnel).__name__}
    missing = [c for c in ("date",) if c not in funnel.columns]
    usable = [m for m in measures if m in funnel.columns]
    if missing or not usable:
        return "missing_columns", {"columns": ", ".join(missing or list(measures))}
    not_numeric = [m for m in usable if not is_numeric_dtype(funnel[m])]
    if not_numeric:
        return "not_numeric", {"columns": ", ".join(not_numeric)}
    if not is_datetime64_any_dtype(funnel["date"]):
        return "not_dates", {"columns": "date"}
    if funnel["date"].notna().sum() == 0:
        return "no_data", {}
    return "", {}


def check_competitors(df: object, measures: Sequence[str]) -> tuple[str, dict]:
    """What is wrong with `df` for a page that compares shops on `measures`.

    Given as a label key and its fields (a `LoadProblem`'s own).

    Returns ``("", {})`` when the page can draw: a DataFrame with ``date``,
    ``shop`` and one of `measures`, numbers where the `competitors` schema has
    numbers (prices, sales, fans, shares ...), dates, and a row.

    Example:
        >>> check_competitors(pd.DataFrame({"date": [], "shop": []}), ["gmv", "sales"])
        ('missing_columns', {'columns': 'gmv, sales'})
    """
    if isinstance(df, LoadProblem):
        return df.label()
    if not isinstance(df, pd.DataFrame):
        return "not_a_table", {"kind": type(df).__name__}
    missing = [c for c in ("date", "shop") if c not in df.columns]
    usable = [m for m in measures if m in df.columns]
    if missing or not usable:
        return "missing_columns", {"columns": ", ".join(missing or list(measures))}
    numbers = [c.name for c in TABLES["competitors"].columns
               if c.kind in ("count", "number", "money", "rate")]
    not_numeric = [c for n in numbers for c in (n, f"{n}_low", f"{n}_high")
                   if c in df.columns and not is_numeric_dtype(df[c])]
    if not_numeric:
        return "not_numeric", {"columns": ", ".join(not_numeric)}
    if not is_datetime64_any_dtype(df["date"]):
        return "not_dates", {"columns": "date"}
    if df[["date", "shop"]].dropna().empty:
        return "no_data", {}
    return "", {}

# --- the server log --------------------------------------------------------------------------

def log_exception(what: str) -> None:
    """Write `what` and the current traceback to the server log, not to the page.

    Example (not run by the tests: it writes to this process's error stream)::

        try:
            1 / 0
        except ZeroDivisionError:
            log_exception("dividing")
    """
    server_log().error(what, exc_info=True)


def server_log_fd() -> int | None:
    """The server's error stream, as a file descriptor for a child process (None: inherit)."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def server_log() -> logging.Logger:
    """The ``shopnb`` logger, writing to the server's error stream.

    In a kernel, ``sys.stderr`` is shown on the page; its file descriptor is
    the server's own error stream (the kernel's inherited one), so write there.
    """
    if not logger.handlers:
        try:
            stream: TextIO | None = open(sys.stderr.fileno(), "w", closefd=False)  # noqa: SIM115
        except (AttributeError, OSError, ValueError):
            stream = sys.__stderr__
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("[shopnb] %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


# what makes a spreadsheet read a cell as a formula (OWASP "CSV injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(table: pd.DataFrame) -> str:
    """`table` as the CSV text a download holds, safe to open in Excel.

    A text cell that a spreadsheet would run as a formula (it starts with one of
    `FORMULA_STARTS`: a product name copied from an export can) gets a leading ``'``,
    which Excel and LibreOffice show as text; numbers stay numbers. A byte-order mark
    first, so that Excel reads the Chinese as UTF-8.

    Example:
        >>> frame = pd.DataFrame({"product": ['=HYPERLINK("x")', "面膜", "-5折"],
        ...                       "change": [-0.25, 0.1, None]})
        >>> text = csv_text(frame)
        >>> text[0] == chr(0xFEFF)
        True
        >>> print(text[1:], end="")
        product,change
        "'=HYPERLINK(""x"")",-0.25
        面膜,0.1
        '-5折,
    """
    def neutral(column: pd.Series) -> pd.Series:
        if is_numeric_dtype(column) or is_datetime64_any_dtype(column):
            return column
        text = column.astype("string")
        return text.where(~text.str.startswith(FORMULA_STARTS, na=False), "'" + text)

    return "\ufeff" + table.apply(neutral).to_csv(index=False)
