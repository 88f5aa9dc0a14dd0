"""Turn the text that exports write into numbers, ranges, dates, durations and flags.

The column parsers work on whole Arrow arrays (vectorised with pyarrow.compute,
the rare odd value handled once per distinct value) and report which rows they
could not read. The scalar helpers below them are the same rules for one value.

Example:
    >>> parse_number("1.2万"), parse_number("32.5%"), parse_number("¥1,234.50")
    (12000.0, 0.325, 1234.5)
    >>> parse_range("7.5w~10w")
    (75000.0, 100000.0)
    >>> parse_duration("1分5秒")
    65.0
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MISSING = ["", "-", "--", "---", "—", "——", "nan", "NaN", "null", "NULL", "None", "none",
           "N/A", "n/a", "NA", "/", "暂无", "无"]

_UNITS = {"": 1.0, "%": 0.01, "万": 1e4, "w": 1e4, "千": 1e3, "k": 1e3, "亿": 1e8}
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT = r"(%|万|w|千|k|亿)?"
_TAIL = r"(?:\+|以上|以下|左右|元|件|人|次|单|个)?"
_SINGLE = re.compile(rf"^[^\d+\-.]*?({_NUM}){_UNIT}{_TAIL}$")
_BOUND = rf"[^\d+\-.]*?({_NUM}){_UNIT}{_TAIL}"
_RANGE = re.compile(rf"^{_BOUND}(?:~|-|—|至|到){_BOUND}$")
_PLAIN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NOISE = r"[,\s¥￥$]|^(?:RMB|CNY)"
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(?:小时|时|h))?(?:(\d+(?:\.\d+)?)(?:分钟|分|min|m))?"
                       r"(?:(\d+(?:\.\d+)?)(?:秒|s))?$")

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d",
                "%d-%m-%Y", "%m/%d/%Y", "%d/%m/%Y")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M",
                    "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
                    "%Y-%m-%d %H", "%m/%d/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%Y%m%d %H:%M:%S")
TRUE = ["true", "1", "1.0", "yes", "y", "t", "是", "已转化", "转化"]
FALSE = ["false", "0", "0.0", "no", "n", "f", "否", "未转化"]


@dataclass
class Parsed:
    """A parsed column: values, the rows that could not be read, and range bounds."""

    values: pa.Array
    bad: np.ndarray
    low: pa.Array | None = None
    high: pa.Array | None = None
    note: str | None = None


def _strings(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trimmed text with the export's missing markers as nulls."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.is_in(arr, pa.array(MISSING)), pa.scalar(None, pa.string()), arr)


def text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trimmed text, with "-", "--", "" and the like as missing."""
    return _strings(arr)


def _as_float(s: pa.Array) -> pa.Array | None:
    """The column as floats when every value is a plain number, else None.

    Checked with a regex first: a failing Arrow cast costs thirty times a good one.
    """
    if not pc.all(pc.fill_null(pc.match_substring_regex(s, _PLAIN), True)).as_py():
        return None
    return pc.cast(s, pa.float64())


def _is_numeric(arr: pa.Array | pa.ChunkedArray) -> bool:
    return pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or \
        pa.types.is_decimal(arr.type)


def _slow_number(value: str) -> tuple[float, float] | None:
    """(low, high) of one odd value such as "7.5w~10w" or "支付5亿", or None."""
    v = re.sub(_NOISE, "", unicodedata.normalize("NFKC", value)).replace("W", "w")
    v = v.replace("K", "k")
    if m := _SINGLE.match(v):
        x = float(m[1]) * _UNITS[m[2] or ""]
        return x, x
    if m := _RANGE.match(v):
        high = float(m[3]) * _UNITS[m[4] or ""]
        low = float(m[1]) * _UNITS[m[2] or ""]
        shared = float(m[1]) * _UNITS[m[4] or ""]  # "7.5~10w": the unit belongs to both
        return (shared if not m[2] and shared <= high else low), high
    return None


def numbers(arr: pa.Array | pa.ChunkedArray, *, percent: bool = False,
            ranged: bool = False) -> Parsed:
    """Parse a column of export numbers ("1.2万", "3.5%", "¥1,234", "7.5w~10w", "-").

    `percent` marks a rate column: "3.5%" and bare 3.5 both become 0.035 (bare
    numbers are taken as percents only when some exceed 1). Ranges give low and
    high (and their midpoint as the value); outside a `ranged` column they are
    still read, as their midpoint.

    >>> numbers(pa.array(["1,234", "1.2万", "-"])).values.to_pylist()
    [1234.0, 12000.0, None]
    """
    if _is_numeric(arr):
        values = pc.cast(arr, pa.float64())
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        return _plain(values, percent, ranged)
    s = _strings(arr)
    values = _as_float(s)
    if values is not None:  # the common case: plain numbers
        return _plain(values, percent, ranged)
    clean = s
    for noise in (",", "¥", "￥", " "):
        if pc.any(pc.match_substring(clean, noise)).as_py():
            clean = pc.replace_substring(clean, noise, "")
    scale = None  # per-row factor of a unit suffix, where any value has one
    for unit, factor in (("%", 0.01), ("万", 1e4), ("w", 1e4), ("W", 1e4), ("亿", 1e8)):
        has = pc.fill_null(pc.ends_with(clean, unit), False)
        if pc.any(has).as_py():
            scale = pc.if_else(has, factor, 1.0 if scale is None else scale)
            clean = pc.if_else(has, pc.utf8_slice_codeunits(clean, 0, -1), clean)
    plain = pc.fill_null(pc.match_substring_regex(clean, _PLAIN), True)
    if not pc.all(plain).as_py():
        clean = pc.if_else(plain, clean, pa.scalar(None, pa.string()))
    values = pc.cast(clean, pa.float64())
    if scale is not None:
        values = pc.multiply(values, scale)
    low = high = values
    odd = pc.and_(pc.invert(plain), pc.is_valid(s))  # ranges, text around numbers, junk
    bad = np.zeros(len(s), bool)
    if pc.any(odd).as_py():
        odd_idx = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
        odd_values = s.take(pa.array(odd_idx)).to_pylist()
        bounds = {v: _slow_number(v) for v in set(odd_values)}
        lo = values.to_numpy(zero_copy_only=False).copy()
        hi = lo.copy()
        for i, v in zip(odd_idx, odd_values, strict=True):
            b = bounds[v]
            if b is None:
                bad[i] = True
            else:
                lo[i], hi[i] = b
        low, high = pa.array(lo, from_pandas=True), pa.array(hi, from_pandas=True)
        values = pc.divide(pc.add(low, high), 2.0)
    parsed = Parsed(values, bad, low if ranged else None, high if ranged else None)
    if not percent:
        return parsed
    bare = values if scale is None else pc.if_else(pc.equal(scale, 1.0), values,
                                                     pa.scalar(None, pa.float64()))
    return _scaled_rates(parsed, percent, bare)


def _plain(values: pa.Array, percent: bool, ranged: bool) -> Parsed:
    bounds = values if ranged else None
    return _scaled_rates(Parsed(values, np.zeros(len(values), bool), bounds, bounds), percent,
                         bare=values)


def _scaled_rates(parsed: Parsed, percent: bool, bare: pa.Array) -> Parsed:
    """In a rate column, read bare numbers as percents when some exceed 1."""
    if not percent:
        return parsed
    biggest = pc.max(pc.abs(bare)).as_py()
    if biggest is None or biggest <= 1:
        return parsed
    is_bare = pc.is_valid(bare)

    def rescale(a: pa.Array | None) -> pa.Array | None:
        return None if a is None else pc.if_else(is_bare, pc.divide(a, 100.0), a)

    return Parsed(rescale(parsed.values), parsed.bad, rescale(parsed.low),
                  rescale(parsed.high), "numbers without % read as percents")


def _epoch_or_compact(arr: pa.Array) -> pa.Array:
    """Integers as dates: 20241101, epoch seconds or epoch milliseconds."""
    x = pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False).astype("float64")
    biggest = np.nanmax(np.abs(x)) if np.isfinite(x).any() else 0
    if biggest < 1e8:  # yyyymmdd
        return pc.strptime(pc.cast(pc.cast(arr, pa.int64()), pa.string()), format="%Y%m%d",
                           unit="us", error_is_null=True)
    factor = 1_000 if biggest >= 1e11 else 1_000_000
    return pa.array((x * factor), from_pandas=True).cast(pa.int64()).cast(pa.timestamp("us"))


def dates(arr: pa.Array | pa.ChunkedArray, *, with_time: bool = False) -> Parsed:
    """Parse a date or timestamp column, choosing one format for the whole column.

    Handles ISO (with fractions), 2024/11/1, 20241101, 2024年11月1日, 31-08-2023,
    "2014-12-06 02" (hour only) and epoch seconds or milliseconds. The first
    format that reads every value wins; otherwise formats are tried in order.

    >>> dates(pa.array(["2024/11/1", "2024/11/2"])).values.to_pylist()[1].day
    2
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        values = pc.cast(arr, pa.timestamp("us"))
        return _dated(values, np.zeros(len(arr), bool), with_time)
    if _is_numeric(arr):
        values = _epoch_or_compact(arr)
        bad = pc.and_(pc.is_null(values), pc.is_valid(arr)).to_numpy(zero_copy_only=False)
        return _dated(values, bad, with_time)
    s = _strings(arr)
    present = pc.is_valid(s)
    if pc.all(pc.fill_null(pc.match_substring_regex(s, r"^\d{9,13}$"), True)).as_py() and \
            pc.any(present).as_py():
        return dates(pc.cast(s, pa.int64()), with_time=with_time)
    try:
        values = pc.cast(s, pa.timestamp("us"))
    except pa.ArrowInvalid:
        values = _first_fitting_format(s)
    bad = pc.and_(pc.is_null(values), present).to_numpy(zero_copy_only=False)
    return _dated(values, bad, with_time)


def _strptime(s: pa.Array, fmt: str) -> pa.Array:
    """Parse with `strptime`, refusing implausible years (arrow's %Y takes "31")."""
    parsed = pc.strptime(s, format=fmt, unit="us", error_is_null=True)
    year = pc.year(parsed)
    plausible = pc.and_(pc.greater_equal(year, 1900), pc.less_equal(year, 2200))
    return pc.if_else(pc.fill_null(plausible, False), parsed, pa.scalar(None, parsed.type))


def _first_fitting_format(s: pa.Array) -> pa.Array:
    uniques = pc.unique(s).drop_null()
    formats = DATETIME_FORMATS + DATE_FORMATS
    for fmt in formats:
        if _strptime(uniques, fmt).null_count == 0:
            return _strptime(s, fmt)
    return pc.coalesce(*(_strptime(s, f) for f in formats))


def _dated(values: pa.Array, bad: np.ndarray, with_time: bool) -> Parsed:
    if not with_time:
        values = pc.floor_temporal(values, unit="day")
    return Parsed(values, bad)


def durations(arr: pa.Array | pa.ChunkedArray) -> Parsed:
    """Parse durations to seconds: "1分5秒", "2小时", "00:01:05", "65", "65s".

    >>> durations(pa.array(["1分5秒", "00:01:05", "65"])).values.to_pylist()
    [65.0, 65.0, 65.0]
    """
    if _is_numeric(arr):
        return numbers(arr)
    s = _strings(arr)
    seconds = {v: _seconds(v) for v in pc.unique(s).drop_null().to_pylist()}
    out = [None if v is None else seconds[v] for v in s.to_pylist()]
    values = pa.array(out, pa.float64())
    bad = pc.and_(pc.is_null(values), pc.is_valid(s)).to_numpy(zero_copy_only=False)
    return Parsed(values, bad)


def _seconds(value: str) -> float | None:
    v = value.replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", v):
        return float(v)
    if re.fullmatch(r"\d+(?::\d{1,2}){1,2}(?:\.\d+)?", v):
        parts = [float(p) for p in v.split(":")]
        return sum(p * 60**i for i, p in enumerate(reversed(parts)))
    m = _DURATION.fullmatch(v)
    if m and any(m.groups()):
        h, mnt, sec = (float(g) if g else 0.0 for g in m.groups())
        return h * 3600 + mnt * 60 + sec
    return None


def flags(arr: pa.Array | pa.ChunkedArray) -> Parsed:
    """Parse yes/no columns: TRUE/FALSE, 1/0, 是/否, yes/no.

    >>> flags(pa.array(["TRUE", "否", None])).values.to_pylist()
    [True, False, None]
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_boolean(arr.type):
        return Parsed(arr, np.zeros(len(arr), bool))
    s = pc.utf8_lower(_strings(arr))
    yes, no = pc.is_in(s, pa.array(TRUE)), pc.is_in(s, pa.array(FALSE))
    values = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    bad = pc.and_(pc.is_null(values), pc.is_valid(s)).to_numpy(zero_copy_only=False)
    return Parsed(values, bad)


def parse_number(value: object, *, percent: bool = False) -> float | None:
    """One export number as a float (None when missing); ValueError when unreadable.

    >>> parse_number("5,652.00"), parse_number("--")
    (5652.0, None)
    """
    parsed = numbers(pa.array([None if value is None else str(value)]), percent=percent)
    if parsed.bad[0]:
        raise ValueError(f"not a number: {value!r}")
    return parsed.values[0].as_py()


def parse_range(value: object) -> tuple[float | None, float | None]:
    """One range ("7.5w~10w", "10%~15%", "支付5亿-5.5亿") as (low, high).

    >>> parse_range("10%~15%")
    (0.1, 0.15)
    """
    parsed = numbers(pa.array([None if value is None else str(value)]), ranged=True)
    if parsed.bad[0]:
        raise ValueError(f"not a number or range: {value!r}")
    assert parsed.low is not None and parsed.high is not None  # ranged=True fills both
    return parsed.low[0].as_py(), parsed.high[0].as_py()


def parse_date(value: object, *, with_time: bool = False):
    """One date as a datetime (None when missing); ValueError when unreadable.

    >>> parse_date("20241101").date().isoformat()
    '2024-11-01'
    """
    parsed = dates(pa.array([None if value is None else str(value)]), with_time=with_time)
    if parsed.bad[0]:
        raise ValueError(f"not a date: {value!r}")
    return parsed.values[0].as_py()


def parse_duration(value: object) -> float | None:
    """One duration in seconds.

    >>> parse_duration("2小时")
    7200.0
    """
    parsed = durations(pa.array([None if value is None else str(value)]))
    if parsed.bad[0]:
        raise ValueError(f"not a duration: {value!r}")
    return parsed.values[0].as_py()
