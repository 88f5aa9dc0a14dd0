"""One loader per canonical table: a file, a folder of exports or a DataFrame in, a typed table out.

Every loader finds the export's headers among the aliases in `schema`, parses
each column once by its kind (numbers, rates, ranges, dates, durations, flags),
maps values to the canonical codes (直播 → live, 千川 → ads, pv → click), keeps
columns it does not know (parsed as numbers when they are numbers), and checks
the data: negative counts, a stage larger than the one before it, duplicate
keys. With `strict=True` (the default) a failed check raises `ShopDataError`
naming the file, row, column and what was expected; with `strict=False` it is
noted in `df.attrs["issues"]` and the value is left missing. Sources are only
read, never written, moved or locked.

Example:
    >>> import pandas as pd
    >>> df = load_funnel(pd.DataFrame({"日期": ["2024/11/1"], "商品曝光人数": ["1.2万"],
    ...                                "商品点击人数": ["600"], "用户支付金额": ["¥1,234.50"]}))
    >>> row = df.iloc[0]
    >>> str(row["date"].date()), int(row["impressions"]), int(row["clicks"]), float(row["gmv"])
    ('2024-11-01', 12000, 600, 1234.5)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shopnb import parse
from shopnb.errors import DataIssue, ShopDataError
from shopnb.schema import (
    CARRIERS,
    CHANNELS,
    EVENTS,
    FORMATS,
    ORDER_STATUS,
    TABLES,
    VARIANTS,
    Table,
    deprecated,
    looks_like_id,
    normalize_header,
)
from shopnb.sources import RawTable, read_source

Source: TypeAlias = str | Path | pd.DataFrame

EXPECTED = {
    "count": "a whole number such as 1234, 1,234 or 1.2万",
    "number": "a number such as 1234.5, 1,234 or 1.2万",
    "money": "an amount such as 1234.5, ¥1,234.50 or 1.2万",
    "rate": "a percentage such as 3.5% or 0.035",
    "date": "a date such as 2024-11-01, 2024/11/1 or 20241101",
    "datetime": "a date and time such as 2024-11-01 20:15:00",
    "duration": "a duration such as 1分5秒, 00:01:05 or 65 (seconds)",
    "flag": "yes or no, such as TRUE/FALSE, 1/0 or 是/否",
}
_DONE_STATUS = ("cancelled", "refunded")
_LENIENT = " (strict=False loads the data and lists this in df.attrs['issues'])"


@dataclass
class _Log:
    """Collects data-quality findings; in strict mode the first problem raises."""

    strict: bool
    issues: list[DataIssue] = field(default_factory=list)

    def problem(self, message: str, *, file: str | None = None, column: str | None = None,
                rows: list[int] | None = None) -> None:
        if self.strict:
            raise ShopDataError(message, file=file, column=column, rows=rows or [])
        self.issues.append(DataIssue(message, file, column, rows or []))

    def note(self, message: str, *, file: str | None = None, column: str | None = None,
             rows: list[int] | None = None) -> None:
        self.issues.append(DataIssue(message, file, column, rows or []))


def load_funnel(source: Source, *, strict: bool = True, sheet: str | int | None = None
                ) -> pd.DataFrame:
    """The `funnel` table from 罗盘 and 生意参谋 exports, ad funnels, or a canonical CSV.

    The 罗盘 exports are product, deal-overview and live-room ones; 生意参谋's are product
    exports.

    >>> load_funnel(pd.DataFrame({"日期": ["20241101"], "载体类型": ["直播"],
    ...                           "成交人数": ["3"]}))[["carrier", "buyers"]].values.tolist()
    [['live', 3]]
    """
    return _load("funnel", source, strict, sheet)


def load_live_rooms(source: Source, *, strict: bool = True, sheet: str | int | None = None
                    ) -> pd.DataFrame:
    """The `live_rooms` table from 电商罗盘's live-room daily overview (直播间概览).

    One row per day and room, with the funnel's columns (its rows are live).

    >>> load_live_rooms(pd.DataFrame({"日期": ["20241101"], "直播间名称": ["山野集"],
    ...                               "直播间观看人数": ["1.2万"]}))[["carrier", "views"]
    ...                                                          ].values.tolist()
    [['live', 12000]]
    """
    return _load("live_rooms", source, strict, sheet)


def load_events(source: Source, *, strict: bool = True, sheet: str | int | None = None
                ) -> pd.DataFrame:
    """The `events` table from behaviour logs (codes 1–4 or pv / fav / cart / buy).

    >>> load_events(pd.DataFrame({"user_id": [1], "time": ["2014-12-06 02"],
    ...                           "behavior_type": [4]}))["event"].tolist()
    ['pay']
    """
    return _load("events", source, strict, sheet)


def load_videos(source: Source, *, strict: bool = True, sheet: str | int | None = None
                ) -> pd.DataFrame:
    """The `videos` table from creator-centre and 千川 creative exports.

    >>> load_videos(pd.DataFrame({"作品名称": ["开箱"], "作品时长": ["1分5秒"],
    ...                           "完播率": ["45%"]}))[["duration_s", "completion_rate"]
    ...                                              ].values.tolist()
    [[65.0, 0.45]]
    """
    return _load("videos", source, strict, sheet)


def load_competitors(source: Source, *, strict: bool = True, sheet: str | int | None = None
                     ) -> pd.DataFrame:
    """The `competitors` table from monitor exports (蝉妈妈 / 飞瓜 style) and creator rankings.

    >>> df = load_competitors(pd.DataFrame({"店铺": ["A"], "近7天销量": ["7.5w~10w"]}))
    >>> df[["sales_low", "sales_high"]].values.tolist()
    [[75000, 100000]]
    """
    return _load("competitors", source, strict, sheet)


def load_experiments(source: Source, *, strict: bool = True, sheet: str | int | None = None
                     ) -> pd.DataFrame:
    """The `experiments` table: one row per user, or per variant (and day) of aggregates.

    >>> load_experiments(pd.DataFrame({"group": ["control"], "user_id": [1],
    ...                                "converted": ["TRUE"]}))["converted"].tolist()
    [True]
    """
    return _load("experiments", source, strict, sheet)


def load_experiment(source: Source, *, strict: bool = True, sheet: str | int | None = None
                    ) -> pd.DataFrame:
    """Deprecated name of `load_experiments` (the table is `experiments` everywhere)."""
    deprecated("load_experiment", "load_experiments")
    return load_experiments(source, strict=strict, sheet=sheet)


def load_orders(source: Source, *, strict: bool = True, sheet: str | int | None = None
                ) -> pd.DataFrame:
    """The `orders` table from 抖店 order exports or order-line exports (lines are summed).

    >>> load_orders(pd.DataFrame({"订单编号": ["1"], "下单时间": ["2024-11-01 22:10:00"],
    ...                           "订单状态": ["待支付"]}))["status"].tolist()
    ['unpaid']
    """
    return _load("orders", source, strict, sheet)


# --- the pipeline ---------------------------------------------------------------------------

def _load(name: str, source: Source, strict: bool, sheet: str | int | None) -> pd.DataFrame:
    table = TABLES[name]
    log = _Log(strict)
    hints: dict[str, bool] = {}  # known header -> whether it holds text (ids, names)
    for col in table.columns:
        for alias in col.aliases:
            key = normalize_header(alias)
            hints[key] = hints.get(key, False) or col.kind in ("id", "text")
    raws = read_source(source, hints=hints, sheet=sheet)
    headers: dict[str, dict[str, str]] = {}
    renamed = [_rename(raw, table, log, headers) for raw in raws]
    stacked = _concat(renamed)
    df = (
        _parse(stacked, table, log, headers)
        .pipe(_map_values, log)
        .pipe(_FIXUPS.get(name, _same), log)
        .pipe(_fill_defaults, table)
        .pipe(_check_negative, table, log, headers)
        .pipe(_check_stages, table, log, headers)
        .pipe(_check_duplicates, table, log)
        .drop(columns=["_file", "_row"])
        .reset_index(drop=True)
    )
    df.attrs["issues"] = log.issues
    df.attrs["sources"] = list(dict.fromkeys(r.name for r in raws))
    return df


def _same(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    return df


def _rename(raw: RawTable, table: Table, log: _Log, headers: dict[str, dict[str, str]]
            ) -> pa.Table:
    """The raw table with canonical names for known headers, plus `_file` and `_row`."""
    found = {normalize_header(h): h for h in raw.table.column_names}
    mapping: dict[str, str] = {}
    for col in table.columns:
        for alias in col.aliases:
            header = found.get(normalize_header(alias))
            if header is not None and header not in mapping:
                mapping[header] = col.name
                break
    data = raw.table
    if "date" in table.names and "date" not in mapping.values():
        data = _date_from_preamble(raw, data, mapping)
    _require(table, set(mapping.values()), raw)
    for row in raw.skipped_rows:
        log.problem("the row has a different number of cells than the header; skipped",
                    file=raw.name, rows=[row])
    headers[raw.name] = {v: k for k, v in mapping.items()}
    names = [mapping.get(h, h) for h in data.column_names]
    n = data.num_rows
    return (data.rename_columns(names)
            .append_column("_file", pa.array([raw.name] * n, pa.string()).dictionary_encode())
            .append_column("_row", pa.array(np.arange(raw.first_row, raw.first_row + n))))


def _date_from_preamble(raw: RawTable, data: pa.Table, mapping: dict[str, str]) -> pa.Table:
    """生意参谋 files name their day in the description rows above the header."""
    for line in raw.preamble:
        m = re.search(r"(\d{4}[-/年]\d{1,2}[-/月]\d{1,2})", line)
        if m:
            mapping["统计日期(说明行)"] = "date"
            return data.append_column("统计日期(说明行)",
                                      pa.array([m[1]] * data.num_rows, pa.string()))
    return data


def _require(table: Table, present: set[str], raw: RawTable) -> None:
    for group in table.required:
        if present.intersection(group):
            continue
        wanted = [a for name in group for a in table.column(name).aliases]
        found = [h for h in raw.table.column_names]
        matches = [(h, difflib.get_close_matches(normalize_header(h),
                                                 [normalize_header(a) for a in wanted], 1, 0.5))
                   for h in found]
        near = [f"'{h}' looks like '{m[0]}'" for h, m in matches if m]
        hint = f"; nearest known header: {near[0]}" if near else ""
        what = " or ".join(group)
        raise ShopDataError(
            f"no column for {what} (known headers: {', '.join(wanted[:8])}); "
            f"columns found: {', '.join(found) or 'none'}{hint}", file=raw.name)


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Stack raw tables, one type per column.

    A column typed differently in two files is read as a float when every file has numbers
    in it, else as text.
    """
    if len(tables) == 1:
        return tables[0]
    types: dict[str, set[pa.DataType]] = {}
    for t in tables:
        for f in t.schema:
            types.setdefault(f.name, set()).add(f.type)
    mixed = {n: (pa.float64() if all(_numeric(t) for t in ts) else pa.string())
             for n, ts in types.items() if len(ts) > 1 and n != "_file"}
    fixed = [t if not mixed.keys() & set(t.column_names) else
             pa.table({n: (pc.cast(t[n], mixed[n]) if n in mixed else t[n])
                       for n in t.column_names}) for t in tables]
    return pa.concat_tables(fixed, promote_options="permissive")


def _numeric(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)


def _parse(data: pa.Table, table: Table, log: _Log, headers: dict[str, dict[str, str]]
           ) -> pd.DataFrame:
    """Each column parsed once by its kind; unknown columns kept (as numbers when numeric).

    Columns are parsed on two threads: Arrow's kernels release the GIL.
    """
    files = data["_file"].combine_chunks()
    files = files.dictionary_decode() if pa.types.is_dictionary(files.type) else files
    rows = data["_row"]
    names = [n for n in data.column_names if n not in ("_file", "_row")]

    def parse_one(name: str) -> parse.Parsed | pd.Series:
        if name not in table.names:
            return _extra(data[name], name)
        col = table.column(name)
        return _parse_column(data[name], col.kind, col.ranged)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(names, pool.map(parse_one, names), strict=True))
    out: dict[str, pd.Series] = {}
    for name, parsed in results.items():
        if isinstance(parsed, pd.Series):
            out[name] = parsed
            continue
        col = table.column(name)
        if parsed.bad.any():
            _report_bad(data[name], parsed.bad, col.name, col.kind, files, rows, log, headers)
        if parsed.note:
            log.note(parsed.note, column=name)
        out[name] = _to_pandas(parsed.values, col.dtype)
        if parsed.low is not None:
            out[f"{name}_low"] = _to_pandas(parsed.low, col.dtype)
            out[f"{name}_high"] = _to_pandas(parsed.high, col.dtype)
    out["_file"] = files.to_pandas().astype("category")
    out["_row"] = pd.Series(rows.to_numpy(), dtype="int64")
    order = [n for c in table.columns for n in (c.name, f"{c.name}_low", f"{c.name}_high")
             if n in out]
    rest = [n for n in out if n not in order]
    return pd.DataFrame({n: out[n] for n in order + rest})


def _parse_column(arr: pa.ChunkedArray, kind: str, ranged: bool) -> parse.Parsed:
    if kind in ("id", "text"):
        values = _id_text(arr) if kind == "id" else parse.text(arr)
        return parse.Parsed(values, np.zeros(len(values), bool))
    if kind in ("count", "number", "money", "rate"):
        return parse.numbers(arr, percent=kind == "rate", ranged=ranged)
    if kind in ("date", "datetime"):
        return parse.dates(arr, with_time=kind == "datetime")
    if kind == "duration":
        return parse.durations(arr)
    return parse.flags(arr)


def _id_text(arr: pa.ChunkedArray) -> pa.Array:
    """Ids as text; integral floats (12621.0, from a DataFrame with gaps) lose the ".0"."""
    if pa.types.is_floating(arr.type):
        values = arr.to_numpy()
        whole = np.isnan(values) | (np.mod(values, 1) == 0)
        if whole.all():
            arr = pc.cast(arr, pa.int64())
    return parse.text(arr)


def _to_pandas(values: pa.Array, dtype: str) -> pd.Series:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if dtype == "Int64":
        floats = values.to_numpy(zero_copy_only=False)
        return pd.Series(pd.array(np.round(floats), dtype="Float64")).astype("Int64")
    if dtype == "str":
        return pd.Series(values.to_pandas(types_mapper={pa.string(): pd.StringDtype(
            na_value=np.nan)}.get), dtype="str")
    if dtype == "boolean":
        return pd.Series(values.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get))
    return pd.Series(values.to_pandas()).astype(dtype)


def _extra(arr: pa.ChunkedArray, header: str) -> pd.Series:
    """A column the schema does not know: numbers or flags when every value is one, else text."""
    if pa.types.is_string(arr.type) and not looks_like_id(header):
        present = parse.text(arr).null_count < len(arr)
        numbers = parse.numbers(arr, ranged=True)
        ranges = pc.any(pc.not_equal(numbers.low, numbers.high)).as_py()
        if present and not numbers.bad.any() and not ranges:  # "30-34" stays a label
            return _to_pandas(numbers.values, "float64")
        flags = parse.flags(arr)
        if present and not flags.bad.any():
            return _to_pandas(flags.values, "boolean")
    if pa.types.is_string(arr.type) or looks_like_id(header):
        return _to_pandas(_id_text(arr), "str")
    if pa.types.is_boolean(arr.type):
        return _to_pandas(arr, "boolean")
    return pd.Series(arr.to_pandas())


def _report_bad(arr: pa.ChunkedArray, bad: np.ndarray, name: str, kind: str,
                files: pa.Array, rows: pa.ChunkedArray, log: _Log,
                headers: dict[str, dict[str, str]]) -> None:
    idx = np.flatnonzero(bad)
    file_of = files.take(pa.array(idx)).to_pylist()
    for file in dict.fromkeys(file_of):
        mine = [i for i, f in zip(idx, file_of, strict=True) if f == file]
        found = ", ".join(repr(v) for v in dict.fromkeys(
            arr.take(pa.array(mine[:5])).to_pylist()))
        header = headers.get(file, {}).get(name, name)
        column = header if header == name else f"{header} ({name})"
        log.problem(f"expected {EXPECTED[kind]}, found {found}; {len(mine)} such value"
                    f"{'s' if len(mine) > 1 else ''} (left missing)", file=file,
                    column=column, rows=rows.take(pa.array(mine)).to_pylist())


# --- values and table-specific shape -------------------------------------------------------

_VALUE_MAPS = {"carrier": CARRIERS, "channel": CHANNELS, "format": FORMATS, "event": EVENTS,
               "status": ORDER_STATUS, "account_type": {"自营": "own", "合作": "partner"},
               "variant": VARIANTS}
_FREE_VALUES = {"variant"}  # any label is fine; only the known ones are translated


def _map_values(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Export values to canonical codes (直播 → live); unknown values are kept and noted."""
    updates = {}
    for name, codes in _VALUE_MAPS.items():
        if name not in df:
            continue
        folded_codes = {k.lower(): v for k, v in codes.items()}
        positions, uniques = pd.factorize(df[name])
        mapped = [folded_codes.get(str(u).strip().lower()) for u in uniques]
        unknown = [str(u) for u, m in zip(uniques, mapped, strict=True) if m is None]
        if unknown and name not in _FREE_VALUES:
            log.note(f"values kept as they are (not a known {name}): "
                     f"{', '.join(sorted(unknown)[:8])}", column=name)
        words = pa.array([m or str(u) for u, m in zip(uniques, mapped, strict=True)],
                         pa.string())
        values = pc.take(words, pa.array(positions, mask=positions < 0))
        updates[name] = _to_pandas(values, "str").set_axis(df.index)
    return df.assign(**updates)


def _funnel_shape(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Live-room exports have no carrier column: their rows are live."""
    if "carrier" not in df and ({"views", "room_impressions"} & set(df.columns)):
        df = df.assign(carrier="live")
    return df


def _live_rooms_shape(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """A live room's rows are live."""
    return df if "carrier" in df else df.assign(carrier="live")


def _videos_shape(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Exports without a video id are keyed by the video's title."""
    if "video_id" not in df:
        df = df.assign(video_id=df["title"])
        df = df[["video_id", *[c for c in df.columns if c != "video_id"]]]
    return df


def _orders_shape(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Order-line exports (a unit price and repeated order ids) are summed to one row an order.

    An order id like "C536379" or quantities that sum below zero mark a cancellation;
    without a status column, other orders count as paid.
    """
    lines = "unit_price" in df and df["order_id"].duplicated().any()
    if lines:
        items = df["items"].astype("Float64") if "items" in df else 1.0
        df = df.assign(amount=(df["unit_price"] * items).astype("float64"), _n=1)
        agg = {c: "first" for c in df.columns if c not in ("order_id",)}
        agg.update(ts="min", amount="sum", _n="sum", _row="min")
        if "items" in df:
            agg["items"] = "sum"
        df = df.groupby("order_id", sort=False, as_index=False).agg(agg).rename(
            columns={"_n": "lines"})
        df = df.drop(columns=["unit_price"])
        log.note(f"order lines summed to {len(df):,} orders")
    if "status" not in df:
        cancelled = df["order_id"].str.match(r"^C\d") | (df.get("items", 0) < 0)
        df = df.assign(status=np.where(cancelled, "cancelled", "paid")).astype({"status": "str"})
    return df


def _experiment_shape(df: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Flag rows whose variant disagrees with a column that otherwise pairs with it 1:1.

    ab_data.csv pairs control with old_page and treatment with new_page; rows that
    break the pairing are noted (the analysis decides what to do with them).
    """
    for col in df.columns:
        if col in ("variant", "experiment", "_file") or df[col].dtype != "str":
            continue
        pairs = df.groupby(["variant", col], observed=True).size()
        if not 1 < df[col].nunique() <= df["variant"].nunique() or len(pairs) == 0:
            continue
        main = pairs.groupby(level=0).idxmax().tolist()
        if len({p[1] for p in main}) < len(main) or pairs[main].sum() < 0.9 * len(df):
            continue
        keys = pd.MultiIndex.from_arrays([df["variant"], df[col]])
        off = ~keys.isin(main)
        pairing = ", ".join(f"{v}↔{c}" for v, c in main)
        for file, rows in _rows_by_file(df, pd.Series(off, index=df.index)):
            log.note(f"{len(rows):,} rows where variant and {col} disagree "
                     f"(expected {pairing})", file=file, column=col, rows=rows)
    return df


_FIXUPS: dict[str, Callable[[pd.DataFrame, _Log], pd.DataFrame]] = {
    "funnel": _funnel_shape,
    "live_rooms": _live_rooms_shape,
    "videos": _videos_shape,
    "orders": _orders_shape,
    "experiments": _experiment_shape,
}


def _fill_defaults(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Key columns the export lacks, or leaves empty, get the table's default ("all")."""
    fills = {c: (df[c].fillna(v) if c in df else v) for c, v in table.defaults}
    if not fills:
        return df
    filled = df.assign(**fills).astype({c: "str" for c in fills})
    order = [c for c in table.names if c in filled] + [c for c in filled if c not in table.names]
    return filled[order]


# --- checks --------------------------------------------------------------------------------

def _rows_by_file(df: pd.DataFrame, mask: pd.Series) -> list[tuple[str, list[int]]]:
    hit = df.loc[mask, ["_file", "_row"]]
    return [(str(f), g["_row"].tolist()) for f, g in hit.groupby("_file", observed=True,
                                                                  sort=False)]


def _check_negative(df: pd.DataFrame, table: Table, log: _Log,
                    headers: dict[str, dict[str, str]]) -> pd.DataFrame:
    returns = df["status"].isin(_DONE_STATUS) if "status" in df else pd.Series(False, df.index)
    for col in table.columns:
        if col.kind != "count" or col.name not in df:
            continue
        negative = (df[col.name] < 0).fillna(False).astype(bool) & ~returns
        for file, rows in _rows_by_file(df, negative):
            header = headers.get(file, {}).get(col.name, col.name)
            log.problem(f"expected a count of zero or more, found "
                        f"{df.loc[negative, col.name].min()}{_LENIENT}", file=file,
                        column=header, rows=rows)
    return df


def _check_stages(df: pd.DataFrame, table: Table, log: _Log,
                  headers: dict[str, dict[str, str]]) -> pd.DataFrame:
    for earlier, later in table.stage_pairs:
        if earlier not in df or later not in df:
            continue
        over = (df[later] > df[earlier]).fillna(False).astype(bool)
        for file, rows in _rows_by_file(df, over):
            header = headers.get(file, {}).get(later, later)
            column = header if header == later else f"{header} ({later})"
            log.problem(f"{later} is larger than {earlier} in the same row; a funnel stage "
                        f"cannot exceed the stage before it{_LENIENT}", file=file,
                        column=column, rows=rows)
    return df


def _key(df: pd.DataFrame, table: Table) -> list[str]:
    """The columns that identify a row.

    For the aggregate tables (funnel, live rooms, videos, competitors) the export's own
    text columns join the key: an ad report is per ad x age x gender, say.
    """
    key = [c for c in table.key if c in df]
    if table.name == "experiments" and "user_id" not in df:
        key.append("variant")
    if table.name not in ("funnel", "live_rooms", "videos", "competitors"):
        return key
    known = set(table.names)
    extras = [c for c in df.columns if c not in known and not c.startswith("_")
              and df[c].dtype == "str" and not c.endswith(("_low", "_high"))]
    return key + extras


def _check_duplicates(df: pd.DataFrame, table: Table, log: _Log) -> pd.DataFrame:
    key = _key(df, table)
    if not key or table.name == "events":
        return df
    dup = df.duplicated(key, keep=False)
    if not dup.any():
        return df
    same_file = df.duplicated([*key, "_file"], keep=False)
    for file, rows in _rows_by_file(df, same_file):
        log.problem(f"rows repeat the key {', '.join(key)}{_LENIENT}", file=file, rows=rows)
    across = dup & ~same_file
    if not across.any():
        return df
    values = [c for c in df.columns if c not in ("_file", "_row")]
    identical = df.duplicated(values, keep="last") & across
    conflicting = across & ~df.duplicated(values, keep=False)
    later = conflicting & ~df.duplicated(key, keep="last")
    earlier = ", ".join(str(f) for f in df.loc[conflicting & ~later, "_file"].unique())
    for file, rows in _rows_by_file(df, later):
        log.problem(f"rows repeat the key {', '.join(key)} of rows in {earlier} with other "
                    f"values; the later file is kept{_LENIENT}", file=file, rows=rows)
    if identical.any():
        files = ", ".join(str(f) for f in df.loc[identical, "_file"].unique())
        log.note(f"{identical.sum():,} rows appear again in a later file and were dropped "
                 f"(from {files})")
    stale = identical | (conflicting & ~later)
    return df[~stale]
