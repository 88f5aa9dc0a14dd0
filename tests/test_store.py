"""shopnb.store: the served notebooks' settings, the data folder's tables, targets, uploads."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import shopnb as sn
from shopnb import store
from shopnb.datasets import SAMPLE_FILES, sample_dir
from shopnb.errors import LoadProblem, ShopDataError
from shopnb.pages.header import problem_text

FUNNEL_FILE = SAMPLE_FILES["funnel"][0]


# --- inside: a data parameter stays in the data folder ----------------------------------------

@pytest.mark.parametrize("name", ["罗盘.csv", "2026-11/罗盘.csv", "./a.csv", "a..b.csv"])
def test_inside_accepts_names_within_the_folder(tmp_path: Path, name: str) -> None:
    assert store.inside(tmp_path, name) == (tmp_path / name).resolve()


@pytest.mark.parametrize(("name", "why"), [
    ("../secret.csv", "without \"..\""),
    ("2026-11/../../secret.csv", "without \"..\""),
    ("..\\secret.csv", "without \"..\""),
    ("/etc/passwd", "not an absolute path"),
    ("C:\\Windows\\win.ini", "not an absolute path"),
    ("\\\\host\\share\\x.csv", "not an absolute path"),
    ("", "names none"),
    ("a\x00.csv", "names none"),
])
def test_inside_refuses_names_that_could_leave_the_folder(tmp_path: Path, name: str,
                                                          why: str) -> None:
    with pytest.raises(ShopDataError, match="must name a file inside the data folder") as err:
        store.inside(tmp_path, name)
    assert why in str(err.value)


def test_inside_refuses_a_link_that_leads_outside(tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("x")
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "link.csv").symlink_to(tmp_path / "outside.csv")
    with pytest.raises(ShopDataError, match="link that leads outside"):
        store.inside(folder, "link.csv")


# --- lang --------------------------------------------------------------------------------------

def test_lang_prefers_the_parameter_then_the_address_then_the_server(monkeypatch):
    monkeypatch.setenv(store.ENV_LANG, "en")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert store.lang() == "en"
    monkeypatch.setenv("QUERY_STRING", "lang=zh&x=1")
    assert store.lang() == "zh"
    assert store.lang("en") == "en"
    monkeypatch.setenv("QUERY_STRING", "lang=fr")  # ignored, not an error
    assert store.lang() == "en"
    monkeypatch.delenv(store.ENV_LANG)
    assert store.lang("de") == "zh"


# --- table: where the data comes from, and what goes wrong ------------------------------------

def test_without_a_data_folder_the_tables_are_the_sample_shop(monkeypatch):
    monkeypatch.delenv(store.ENV_DATA, raising=False)
    assert store.data_folder() == sample_dir()
    pd.testing.assert_frame_equal(store.table("funnel"), sn.load_sample("funnel"))


def test_a_data_folder_in_the_sample_layout_is_read_and_never_written(data_folder: Path):
    source = data_folder / FUNNEL_FILE
    shutil.copy(sample_dir() / FUNNEL_FILE, source)
    before = (source.read_bytes(), source.stat().st_mtime_ns)
    funnel = store.table("funnel")
    assert isinstance(funnel, pd.DataFrame)
    assert len(funnel) == len(sn.load_sample("funnel"))
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before
    assert sorted(p.name for p in data_folder.iterdir()) == [FUNNEL_FILE]


def test_a_subfolder_named_after_the_table_wins(data_folder: Path):
    (data_folder / "funnel").mkdir()
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["3"]}).to_csv(
        data_folder / "funnel" / "x.csv", index=False)
    assert store.table("funnel")["buyers"].tolist() == [3]


def test_the_table_is_read_again_when_its_file_changes(data_folder: Path):
    path = data_folder / "day.csv"
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["3"]}).to_csv(path, index=False)
    assert store.table("funnel", "day.csv")["buyers"].tolist() == [3]
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["40"]}).to_csv(path, index=False)
    os.utime(path, ns=(1, 1))  # a different stamp, whatever the clock's resolution
    assert store.table("funnel", "day.csv")["buyers"].tolist() == [40]


def test_callers_get_a_copy(data_folder: Path):
    shutil.copy(sample_dir() / FUNNEL_FILE, data_folder / FUNNEL_FILE)
    first = store.table("funnel")
    first["gmv"] = 0.0
    assert store.table("funnel")["gmv"].sum() > 0


@pytest.mark.parametrize(("write", "kind", "words"), [
    (None, "missing", "has no 电商罗盘_商品载体明细.csv"),
    (b"", "empty", "is empty"),
    (b"   \n", "empty", "is empty"),
    (b"<html><body>login</body></html>", "broken", "web page (HTML)"),
    ("日期,成交人数\n2024-11-01,三\n".encode(), "broken", "成交人数"),
])
def test_missing_empty_and_broken_files_give_a_load_problem(data_folder: Path, write, kind,
                                                            words):
    if write is not None:
        (data_folder / FUNNEL_FILE).write_bytes(write)
    problem = store.table("funnel")
    assert isinstance(problem, LoadProblem)
    assert problem.kind == kind
    assert problem.file == FUNNEL_FILE and problem.folder == str(data_folder.resolve())
    en, zh = problem_text(problem, "en"), problem_text(problem, "zh")
    assert words in en
    assert "reload the page" in en and "刷新页面" in zh
    assert "Traceback" not in en


def test_a_data_parameter_outside_the_folder_is_refused_not_read(data_folder: Path):
    problem = store.table("funnel", "../../etc/passwd")
    assert isinstance(problem, LoadProblem) and problem.kind == "outside"
    assert "Name a file inside the data folder" in problem_text(problem, "en")


def test_an_unknown_table_is_a_shop_data_error():
    with pytest.raises(ShopDataError, match="choose one of"):
        store.table("sales")


def test_notebooks_folder_follows_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv(store.ENV_NOTEBOOKS, str(tmp_path))
    assert store.notebooks_folder() == tmp_path.resolve()
    monkeypatch.delenv(store.ENV_NOTEBOOKS)
    assert (store.notebooks_folder() / "index.ipynb").is_file()


# --- targets and the funnel page's tables ------------------------------------------------------

def test_targets_come_from_the_data_folders_targets_toml(data_folder: Path):
    assert store.targets() == store.Targets({})
    (data_folder / "targets.toml").write_text("[targets]\nctr = 0.05\nroi = { min = 2.5 }\n")
    found = store.targets()
    assert found.source == "targets.toml" and found.problem is None
    assert found.spec["ctr"] == {"min": 0.05} and found.spec["roi"] == {"min": 2.5}
    assert found.spec["cost_per_impression"] == {"max": 0.8}  # the plans' default stays


def test_a_broken_targets_file_gives_the_defaults_and_says_why(data_folder: Path):
    (data_folder / "targets.toml").write_text("ctr = [not toml")
    found = store.targets()
    assert found.spec == {} and found.problem is not None
    assert found.problem.file == "targets.toml" and "TOML" in found.problem.reason


def test_funnel_tables_read_the_funnel_pages_exports_of_the_data_folder(data_folder: Path):
    for name in ("funnel", "videos", "orders"):
        shutil.copy(sample_dir() / SAMPLE_FILES[name][0], data_folder)
    shutil.copy(sample_dir() / SAMPLE_FILES["competitors"][0], data_folder)  # not the page's
    tables = store.funnel_tables()
    assert len(tables.funnel) == len(sn.load_sample("funnel"))
    assert len(tables.videos) == len(sn.load_sample("videos")) and tables.events is None
    assert sorted(tables.sources) == sorted(SAMPLE_FILES[n][0] for n in
                                            ("funnel", "videos", "orders"))


def test_funnel_tables_say_what_is_missing_or_refused(data_folder: Path):
    assert store.funnel_tables().kind == "missing"
    assert store.funnel_tables("../elsewhere").kind == "outside"
    (data_folder / "day.csv").write_text("<html>login</html>")
    problem = store.funnel_tables("day.csv")
    assert problem.kind == "broken" and "web page" in problem.reason


# --- uploads: size- and type-checked, read in a private folder ---------------------------------

EXPORT = "日期,商品ID,成交人数,用户支付金额\n2024-11-01,1,3,\"1,200.00\"\n2024-11-02,1,5,800\n"


def _uploads_left() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("shopnb-upload-*"))


def _upload(name: str, content: bytes) -> list[dict[str, object]]:
    """FileUpload's value for one file."""
    return [{"name": name, "type": "text/csv", "size": len(content), "content": content}]


def test_an_export_is_read_as_its_table_and_its_folder_removed():
    before = _uploads_left()
    table = store.read_uploads(_upload("罗盘_11月.csv", EXPORT.encode("gb18030")), "funnel")
    assert isinstance(table, pd.DataFrame)
    assert table["buyers"].tolist() == [3, 5] and table["gmv"].tolist() == [1200.0, 800.0]
    assert table.attrs["sources"] == ["罗盘_11月.csv"]
    assert _uploads_left() == before


def test_excel_uploads_are_read_too():
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(EXPORT), dtype=str).to_excel(buffer, index=False)
    table = store.read_uploads(_upload("罗盘.xlsx", buffer.getvalue()), "funnel")
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
    problem = store.read_uploads(_upload(name, content), "funnel", max_bytes=max_bytes)
    assert isinstance(problem, LoadProblem)
    assert problem.kind == kind and problem.file == name
    assert words in problem.reason
    assert "Traceback" not in problem_text(problem, "en")


@pytest.mark.parametrize("name", ["../../etc/cron.d/x.csv", "..\\..\\x.csv", "/tmp/x.csv",
                                  "a\x00b.csv"])
def test_a_file_name_cannot_place_the_upload_anywhere(name, tmp_path):
    table = store.read_uploads(_upload(name, EXPORT.encode()), "funnel")
    assert isinstance(table, pd.DataFrame)
    assert "/" not in table.attrs["sources"][0] and "\\" not in table.attrs["sources"][0]
    assert not Path("/etc/cron.d/x.csv").exists() and not Path("/tmp/x.csv").exists()


def test_the_accepted_kinds_are_table_exports():
    assert set(store.ACCEPTED) == {".csv", ".txt", ".tsv", ".xlsx", ".xls", ".parquet"}


def test_the_funnel_pages_uploads_are_sorted_by_kind_and_say_what_is_missing():
    tables = store.read_uploads(_upload("罗盘.csv", EXPORT.encode()))
    assert isinstance(tables, store.ShopTables)
    assert tables.funnel["buyers"].tolist() == [3, 5] and tables.sources == ["罗盘.csv"]
    unknown = store.read_uploads(_upload("x.csv", b"a,b\n1,2\n"))
    assert unknown.kind == "broken" and unknown.file == "x.csv"
    assert unknown.reason.startswith(store.NOT_AN_EXPORT)
    refused = store.read_uploads([*_upload("罗盘.csv", EXPORT.encode()), *_upload("a.exe", b"MZ")])
    assert (refused.kind, refused.file) == ("broken", "a.exe")


# --- downloads ----------------------------------------------------------------------------------

def test_a_download_neutralises_formula_cells_and_keeps_numbers_numeric():
    frame = pd.DataFrame({
        "product": ["=HYPERLINK(\"http://x\",\"点我\")", "+cmd|' /C calc'!A0", "-2折", "@SUM(A1)",
                    "\tx", "面膜", None],
        "kind": pd.Categorical(["=a", "b", "c", "d", "e", "f", "g"]),
        "gmv": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "orders": pd.array([-1, 2, 3, 4, 5, 6, None], dtype="Int64"),
        "date": pd.to_datetime(["2024-11-01"] * 7)})
    text = store.csv_text(frame)
    assert text.startswith("\ufeffproduct,")
    back = pd.read_csv(io.StringIO(text[1:]), keep_default_na=False)
    assert back["product"].tolist() == ["'=HYPERLINK(\"http://x\",\"点我\")", "'+cmd|' /C calc'!A0",
                                        "'-2折", "'@SUM(A1)", "'\tx", "面膜", ""]
    assert back["kind"].tolist()[:2] == ["'=a", "b"]
    assert back["gmv"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]  # numbers, not text
    assert back["orders"].tolist()[:2] == ["-1", "2"]  # no quote mark (text: the empty cell)
    assert frame["product"].iloc[0].startswith("=")  # the table itself is left as it was
