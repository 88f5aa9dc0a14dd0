"""The export value parsers: exact cases and properties."""

from __future__ import annotations

import contextlib
import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopnb import parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2万", 12_000.0), ("3亿", 3e8), ("7.5w", 75_000.0), ("7.5W", 75_000.0),
        ("32.5%", 0.325), ("¥1,234.50", 1234.5), ("￥88", 88.0), ("5,652.00", 5652.0),
        ("-", None), ("--", None), ("", None), ("  12  ", 12.0), ("-5", -5.0),
        ("1万+", 10_000.0), ("支付5亿", 5e8), ("1e3", 1000.0), (".5", 0.5),
    ],
)
def test_number(text: str, expected: float | None) -> None:
    assert parse.parse_number(text) == pytest.approx(expected) if expected else \
        parse.parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("7.5w~10w", 75_000, 100_000), ("10%~15%", 0.10, 0.15), ("支付5亿-5.5亿", 5e8, 5.5e8),
     ("7.5~10w", 75_000, 100_000), ("100-200", 100, 200), ("1000～2000", 1000, 2000),
     ("2500", 2500, 2500)],
)
def test_range(text: str, low: float, high: float) -> None:
    assert parse.parse_range(text) == pytest.approx((low, high))


@pytest.mark.parametrize("text", ["abc", "12..3", "1/2", "约一万"])
def test_number_refuses_text(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse.parse_number(text)


def test_rate_column_reads_bare_percents() -> None:
    parsed = parse.numbers(pa.array(["3.5", "45", "-"]), percent=True)
    assert parsed.values.to_pylist() == pytest.approx([0.035, 0.45, None], nan_ok=True)
    assert parsed.note
    fractions = parse.numbers(pa.array(["0.035", "3.5%"]), percent=True)
    assert fractions.values.to_pylist() == pytest.approx([0.035, 0.035])
    assert fractions.note is None


def test_numbers_mark_bad_rows_only() -> None:
    parsed = parse.numbers(pa.array(["1,234", "oops", None, "2万"]))
    assert parsed.bad.tolist() == [False, True, False, False]
    assert parsed.values.to_pylist()[::3] == [1234.0, 20_000.0]


def test_numeric_input_passes_through() -> None:
    assert parse.numbers(pa.array([1, 2])).values.to_pylist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20241101", dt.datetime(2024, 11, 1)), ("2024-11-01", dt.datetime(2024, 11, 1)),
     ("2024/11/1", dt.datetime(2024, 11, 1)), ("2024年11月1日", dt.datetime(2024, 11, 1)),
     ("31-08-2023", dt.datetime(2023, 8, 31)), ("8/31/2023", dt.datetime(2023, 8, 31)),
     ("2014-12-06 02", dt.datetime(2014, 12, 6, 2)),
     ("2017-01-21 22:11:48.556739", dt.datetime(2017, 1, 21, 22, 11, 48, 556739)),
     ("1512189107", dt.datetime(2017, 12, 2, 4, 31, 47)),
     ("1512189107000", dt.datetime(2017, 12, 2, 4, 31, 47))],
)
def test_datetime(text: str, expected: dt.datetime) -> None:
    assert parse.parse_date(text, with_time=True) == expected


def test_date_drops_the_time() -> None:
    assert parse.parse_date("2024-11-01 23:59:00") == dt.datetime(2024, 11, 1)


def test_one_format_for_the_whole_column() -> None:
    # 01/02 alone is ambiguous; 13/02 settles the column as day-first.
    parsed = parse.dates(pa.array(["01/02/2024", "13/02/2024"]))
    assert [d.month for d in parsed.values.to_pylist()] == [2, 2]


def test_bad_dates_are_marked() -> None:
    parsed = parse.dates(pa.array(["2024-11-01", "yesterday", "-"]))
    assert parsed.bad.tolist() == [False, True, False]
    with pytest.raises(ValueError, match="not a date"):
        parse.parse_date("yesterday")


def test_integer_dates() -> None:
    assert parse.dates(pa.array([20241101])).values.to_pylist() == [dt.datetime(2024, 11, 1)]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1分5秒", 65), ("00:01:05", 65), ("1:05", 65), ("65", 65), ("65s", 65),
     ("2小时", 7200), ("1小时2分3秒", 3723), ("1.5分钟", 90)],
)
def test_duration(text: str, seconds: float) -> None:
    assert parse.parse_duration(text) == seconds


def test_flags() -> None:
    parsed = parse.flags(pa.array(["TRUE", "false", "是", "否", "1", "0", None, "maybe"]))
    assert parsed.values.to_pylist() == [True, False, True, False, True, False, None, None]
    assert parsed.bad.tolist() == [False] * 7 + [True]


# --- properties -----------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@given(money)
def test_thousands_and_currency_round_trip(value) -> None:
    assert parse.parse_number(f"¥{value:,.2f}") == pytest.approx(float(value))


@given(st.floats(min_value=0, max_value=9999, allow_nan=False).map(lambda x: round(x, 2)))
def test_wan_and_percent_scale(x: float) -> None:
    assert parse.parse_number(f"{x}万") == pytest.approx(x * 1e4)
    assert parse.parse_number(f"{x}%") == pytest.approx(x / 100)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False),
       st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_range_bounds(a: float, b: float) -> None:
    low, high = sorted((round(a, 2), round(b, 2)))
    assert parse.parse_range(f"{low}~{high}") == pytest.approx((low, high))


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_styles_agree(day: dt.date) -> None:
    expected = dt.datetime(day.year, day.month, day.day)
    for text in (day.isoformat(), day.strftime("%Y%m%d"),
                 f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"):
        assert parse.parse_date(text) == expected


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_duration_styles_agree(h: int, m: int, s: int) -> None:
    seconds = h * 3600 + m * 60 + s
    assert parse.parse_duration(f"{h:02d}:{m:02d}:{s:02d}") == seconds
    assert parse.parse_duration(f"{h}小时{m}分{s}秒") == seconds
    assert parse.parse_duration(str(seconds)) == seconds


@given(st.text(max_size=12))
def test_parse_number_never_crashes(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse.parse_number(text)
