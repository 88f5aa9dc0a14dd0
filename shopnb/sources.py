"""Read what a user hands a loader (a file, a folder of exports or a DataFrame) into raw tables.

Raw means: the export's own headers, text cells (Parquet keeps its types), and
where each row came from. Sniffing is by content, not by file name: a ".csv"
that is really an old .xls is read as one; HTML pages and binaries are refused.
Files are only opened for reading and closed at once.

Example:
    >>> import pandas as pd
    >>> [raw.name for raw in read_source(pd.DataFrame({"日期": ["2024-11-01"]}), hints={})]
    ['<DataFrame>']
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from shopnb.errors import ShopDataError
from shopnb.schema import looks_like_id, normalize_header

SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq"}
_HEADER_SCAN = 12


@dataclass
class RawTable:
    """One sheet or file as read: original headers, cells, and row provenance."""

    name: str
    table: pa.Table
    first_row: int  # file row number (1-based, header = first_row - 1) of the first data row
    preamble: list[str] = field(default_factory=list)  # text above the header row
    skipped_rows: list[int] = field(default_factory=list)  # rows with the wrong number of cells


def read_source(source: object, *, hints: dict[str, bool], sheet: str | int | None = None
                ) -> list[RawTable]:
    """Raw tables from a path, a folder of exports, or a DataFrame.

    `hints` are the normalised headers the caller knows, each with whether its
    column holds text (ids and names stay text; other CSV columns are typed by
    Arrow where they are plain numbers). They pick the header row (exports may
    start with description rows) and the sheet of a workbook.
    """
    if isinstance(source, pd.DataFrame):
        return [_from_frame(source, "<DataFrame>")]
    path = Path(source)  # type: ignore[arg-type]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and _is_export(p))
        if not files:
            raise ShopDataError(f"the folder has no export files ({', '.join(sorted(SUFFIXES))})",
                                file=str(path))
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            tables = pool.map(lambda f: _read_file(f, hints, sheet), files)
            return [raw for raws in tables for raw in raws]
    if not path.exists():
        raise ShopDataError("no such file or folder", file=str(path))
    return _read_file(path, hints, sheet)


def _is_export(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and not path.name.startswith((".", "~$"))


def _read_file(path: Path, hints: dict[str, bool], sheet: str | int | None) -> list[RawTable]:
    data = path.read_bytes()
    name = path.name
    if not data.strip():
        raise ShopDataError("the file is empty", file=name)
    head = data[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return [_read_workbook(data, name, hints, sheet)]
    if head.startswith(b"PAR1"):
        import pyarrow.parquet as pq  # here: a kernel whose pages read no Parquet skips its memory

        return [_from_arrow(pq.read_table(io.BytesIO(data)), name, first_row=1)]
    lowered = head.lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        raise ShopDataError("this is a web page (HTML), not a table: export the data again "
                            "as CSV or Excel", file=name)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ShopDataError("this is a binary file, not a table (CSV, Excel or Parquet)",
                            file=name)
    return [_read_text(data, name, hints)]


def encoding_of(data: bytes) -> str:
    """The text encoding of an export: utf-8, utf-16 or gb18030 (a superset of GBK).

    GB18030 is not checked here; `_decode_columns` checks it value by value.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _unknown_encoding(name: str) -> ShopDataError:
    return ShopDataError("unknown text encoding: expected UTF-8, UTF-8 with BOM, GBK or "
                         "GB18030; save the file again in one of those", file=name)


def _read_text(data: bytes, name: str, hints: dict[str, bool]) -> RawTable:
    encoding = encoding_of(data)
    if encoding == "utf-16":
        data, encoding = data.decode("utf-16").encode(), "utf-8"
    data = data.removeprefix(b"\xef\xbb\xbf")
    head = data[:65536]
    head = head[: head.rfind(b"\n") + 1] or head
    try:
        lines = head.decode(encoding).splitlines()[:_HEADER_SCAN]
    except UnicodeDecodeError as exc:
        raise _unknown_encoding(name) from exc
    delimiter = max(",\t;|", key=lambda d: sum(line.count(d) for line in lines[:3]))
    rows = list(csv.reader(lines, delimiter=delimiter))
    header_at = _header_row(rows, hints)
    names = _unique([cell.strip() for cell in rows[header_at]]) if rows else []
    if not names or all(not n for n in names):
        raise ShopDataError("no header row found", file=name)
    skipped: list[int] = []

    def skip(row: pacsv.InvalidRow) -> str:
        skipped.append(row.number or 0)
        return "skip"

    # GBK never uses bytes below 0x40 inside a character, so the CSV structure can be
    # split on the raw bytes and only the cells decoded (see _decode_columns).
    cell_type = pa.string() if encoding == "utf-8" else pa.binary()
    text = {n: cell_type for n in names if hints.get(normalize_header(n)) or looks_like_id(n)}
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(skip_rows=header_at + 1, column_names=names,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types=text, strings_can_be_null=True, null_values=[""]),
        )
    except pa.ArrowInvalid as exc:
        raise ShopDataError(f"cannot read as a table: {exc}", file=name) from exc
    if table.num_rows == 0:
        raise ShopDataError("the file has a header but no data rows", file=name)
    if encoding == "gb18030":
        table = _decode_columns(table, name)
    first = header_at + 2
    return RawTable(name, table, first, [",".join(r) for r in rows[:header_at]],
                    [first - 1 + n - header_at - 1 for n in skipped])


def _decode_columns(table: pa.Table, name: str) -> pa.Table:
    """GB18030 cells to text: ASCII columns as they are, others one distinct value at a time.

    A column Arrow took for UTF-8 text is decoded too: GBK bytes can pass as UTF-8.
    """
    columns = []
    for column in table.columns:
        if not (pa.types.is_binary(column.type) or pa.types.is_string(column.type)):
            columns.append(column)  # numbers Arrow typed: plain ASCII
            continue
        raw = pc.cast(column.combine_chunks(), pa.binary())
        as_text = pc.cast(raw, options=pc.CastOptions(pa.string(), allow_invalid_utf8=True))
        if pc.all(pc.fill_null(pc.string_is_ascii(as_text), True)).as_py():
            columns.append(as_text)
            continue
        coded = pc.dictionary_encode(raw)
        try:
            words = [v.decode("gb18030") for v in coded.dictionary.to_pylist()]
        except UnicodeDecodeError as exc:
            raise _unknown_encoding(name) from exc
        columns.append(pc.take(pa.array(words, pa.string()), coded.indices))
    return pa.table(columns, names=table.column_names)


def _header_row(rows: list[list[str]], hints: dict[str, bool]) -> int:
    """The row among the first few whose cells are most often known headers."""
    def score(row: list[str]) -> tuple[int, int]:
        cells = [normalize_header(c) for c in row if c.strip()]
        return sum(c in hints for c in cells), len(cells)

    if not rows:
        return 0
    for i, row in enumerate(rows):
        if score(row)[0] >= 2:
            return i
    best = max(range(len(rows)), key=lambda i: (score(rows[i])[0], -i))
    if score(rows[best])[0] > 0:
        return best
    widest = max(score(r)[1] for r in rows)
    return next(i for i, r in enumerate(rows) if score(r)[1] == widest)


def _read_workbook(data: bytes, name: str, hints: dict[str, bool], sheet: str | int | None
                   ) -> RawTable:
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None if sheet is None else sheet,
                               header=None, dtype=object)
    except Exception as exc:  # openpyxl/xlrd raise many types for broken files
        raise ShopDataError(f"cannot read the workbook: {exc}", file=name) from exc
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet: sheets}
    candidates = []
    for sheet_name, frame in sheets.items():
        cells = frame.head(_HEADER_SCAN).map(_cell_text).values.tolist()
        header_at = _header_row(cells, hints)
        known = sum(normalize_header(c) in hints for c in cells[header_at]) if cells else 0
        candidates.append((known, sheet_name, frame, header_at, cells))
    known, sheet_name, frame, header_at, cells = max(candidates, key=lambda c: c[0])
    if frame.empty:
        raise ShopDataError("the workbook has no rows", file=name)
    body = frame.iloc[header_at + 1:].map(_cell_text)
    body.columns = _unique([str(c).strip() for c in cells[header_at]])
    body = body.loc[:, [c != "" for c in body.columns]]
    label = f"{name} [{sheet_name}]" if len(sheets) > 1 else name
    table = pa.Table.from_pandas(body.astype(object).where(body != "", None),
                                 preserve_index=False,
                                 schema=pa.schema([(c, pa.string()) for c in body.columns]))
    return RawTable(label, table, header_at + 2, [" ".join(r) for r in cells[:header_at]])


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _from_frame(frame: pd.DataFrame, name: str) -> RawTable:
    frame = frame.reset_index(drop=True).rename(columns=str)
    frame.columns = _unique(list(frame.columns))
    arrays = {}
    for col in frame.columns:
        try:
            arrays[col] = pa.array(frame[col], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[col] = pa.array([None if pd.isna(v) else str(v) for v in frame[col]],
                                   pa.string())
    return _from_arrow(pa.table(arrays) if arrays else pa.table({}), name, first_row=0)


def _from_arrow(table: pa.Table, name: str, *, first_row: int) -> RawTable:
    if table.num_rows == 0:
        raise ShopDataError("the table has no rows", file=name)
    return RawTable(name, table, first_row)


def _unique(names: Iterable[str]) -> list[str]:
    """Headers made unique the way pandas does it ("a", "a.1")."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}.{k}")
        seen[n] = k + 1
    return out
