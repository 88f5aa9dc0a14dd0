"""shopnb.uploads: an uploaded export is size- and type-checked and read in a private folder."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from shopnb.app import LoadProblem
from shopnb.uploads import ACCEPTED, read_upload

EXPORT = "日期,商品ID,成交人数,用户支付金额\n2024-11-01,1,3,\"1,200.00\"\n2024-11-02,1,5,800\n"


def _uploads_left() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("shopnb-upload-*"))


def test_an_export_is_read_as_its_table_and_its_folder_removed():
    before = _uploads_left()
    table = read_upload("罗盘_11月.csv", EXPORT.encode("gb18030"), "funnel")
    assert isinstance(table, pd.DataFrame)
    assert table["buyers"].tolist() == [3, 5] and table["gmv"].tolist() == [1200.0, 800.0]
    assert table.attrs["sources"] == ["罗盘_11月.csv"]
    assert _uploads_left() == before


def test_excel_uploads_are_read_too():
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(EXPORT), dtype=str).to_excel(buffer, index=False)
    table = read_upload("罗盘.xlsx", buffer.getvalue(), "funnel")
    assert isinstance(table, pd.DataFrame) and table["buyers"].tolist() == [3, 5]


@pytest.mark.parametrize(("name", "content", "kind", "words"), [
    ("罗盘.csv", b"x" * 2048, "broken", "limited to 0 MB"),
    ("罗盘.exe", b"MZ\x90\x00", "broken", "not a table export"),
    ("罗盘", EXPORT.encode(), "broken", "not a table export"),
    ("罗盘.csv", b"  \n", "empty", "empty"),
    ("罗盘.xlsx", b"<html>login</html>", "broken", "not a real .xlsx file"),
    ("罗盘.csv", b"<!DOCTYPE html><html><body>login</body></html>", "broken", "web page"),
    ("罗盘.csv", "日期,成交人数\n2024-11-01,三\n".encode(), "broken", "column 成交人数 (buyers), row 2: expected a whole number"),
])
def test_what_is_not_a_readable_export_is_refused_with_a_reason(name, content, kind, words):
    max_bytes = 1024 if len(content) == 2048 else 2**20
    problem = read_upload(name, content, "funnel", max_bytes=max_bytes)
    assert isinstance(problem, LoadProblem)
    assert problem.kind == kind and problem.file == name
    assert words in problem.reason
    assert "Traceback" not in problem.message("en")


@pytest.mark.parametrize("name", ["../../etc/cron.d/x.csv", "..\\..\\x.csv", "/tmp/x.csv",
                                  "a\x00b.csv"])
def test_a_file_name_cannot_place_the_upload_anywhere(name, tmp_path):
    table = read_upload(name, EXPORT.encode(), "funnel")
    assert isinstance(table, pd.DataFrame)
    assert "/" not in table.attrs["sources"][0] and "\\" not in table.attrs["sources"][0]
    assert not Path("/etc/cron.d/x.csv").exists() and not Path("/tmp/x.csv").exists()


def test_the_accepted_kinds_are_table_exports():
    assert set(ACCEPTED) == {".csv", ".txt", ".tsv", ".xlsx", ".xls", ".parquet"}
