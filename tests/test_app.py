"""shopnb.app: the served notebooks' settings, the data folder's tables, the digest."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

import shopnb as sn
from shopnb import app
from shopnb.datasets import SAMPLE_FILES, sample_dir
from shopnb.digest import Digest
from shopnb.errors import ShopDataError

FUNNEL_FILE = SAMPLE_FILES["funnel"][0]


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder, configured as `shopnb serve --data` does."""
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.setenv(app.ENV_DATA, str(folder))
    return folder


# --- inside: a data parameter stays in the data folder ----------------------------------------

@pytest.mark.parametrize("name", ["罗盘.csv", "2026-11/罗盘.csv", "./a.csv", "a..b.csv"])
def test_inside_accepts_names_within_the_folder(tmp_path: Path, name: str) -> None:
    assert app.inside(tmp_path, name) == (tmp_path / name).resolve()


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
        app.inside(tmp_path, name)
    assert why in str(err.value)


def test_inside_refuses_a_link_that_leads_outside(tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("x")
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "link.csv").symlink_to(tmp_path / "outside.csv")
    with pytest.raises(ShopDataError, match="link that leads outside"):
        app.inside(folder, "link.csv")


# --- lang --------------------------------------------------------------------------------------

def test_lang_prefers_the_parameter_then_the_address_then_the_server(monkeypatch):
    monkeypatch.setenv(app.ENV_LANG, "en")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert app.lang() == "en"
    monkeypatch.setenv("QUERY_STRING", "lang=zh&x=1")
    assert app.lang() == "zh"
    assert app.lang("en") == "en"
    monkeypatch.setenv("QUERY_STRING", "lang=fr")  # ignored, not an error
    assert app.lang() == "en"
    monkeypatch.delenv(app.ENV_LANG)
    assert app.lang("de") == "zh"


# --- table: where the data comes from, and what goes wrong ------------------------------------

def test_without_a_data_folder_the_tables_are_the_sample_shop(monkeypatch):
    monkeypatch.delenv(app.ENV_DATA, raising=False)
    assert app.data_folder() == sample_dir()
    pd.testing.assert_frame_equal(app.table("funnel"), sn.load_sample("funnel"))


def test_a_data_folder_in_the_sample_layout_is_read_and_never_written(data_folder: Path):
    source = data_folder / FUNNEL_FILE
    shutil.copy(sample_dir() / FUNNEL_FILE, source)
    before = (source.read_bytes(), source.stat().st_mtime_ns)
    funnel = app.table("funnel")
    assert isinstance(funnel, pd.DataFrame)
    assert len(funnel) == len(sn.load_sample("funnel"))
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before
    assert sorted(p.name for p in data_folder.iterdir()) == [FUNNEL_FILE]


def test_a_subfolder_named_after_the_table_wins(data_folder: Path):
    (data_folder / "funnel").mkdir()
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["3"]}).to_csv(
        data_folder / "funnel" / "x.csv", index=False)
    assert app.table("funnel")["buyers"].tolist() == [3]


def test_the_table_is_read_again_when_its_file_changes(data_folder: Path):
    path = data_folder / "day.csv"
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["3"]}).to_csv(path, index=False)
    assert app.table("funnel", "day.csv")["buyers"].tolist() == [3]
    pd.DataFrame({"日期": ["2024-11-01"], "成交人数": ["40"]}).to_csv(path, index=False)
    os.utime(path, ns=(1, 1))  # a different stamp, whatever the clock's resolution
    assert app.table("funnel", "day.csv")["buyers"].tolist() == [40]


def test_callers_get_a_copy(data_folder: Path):
    shutil.copy(sample_dir() / FUNNEL_FILE, data_folder / FUNNEL_FILE)
    first = app.table("funnel")
    first["gmv"] = 0.0
    assert app.table("funnel")["gmv"].sum() > 0


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
    problem = app.table("funnel")
    assert isinstance(problem, app.LoadProblem)
    assert problem.kind == kind
    assert problem.file == FUNNEL_FILE and problem.folder == str(data_folder.resolve())
    en, zh = problem.message("en"), problem.message("zh")
    assert words in en
    assert "reload the page" in en and "刷新页面" in zh
    assert "Traceback" not in en


def test_a_data_parameter_outside_the_folder_is_refused_not_read(data_folder: Path):
    problem = app.table("funnel", "../../etc/passwd")
    assert isinstance(problem, app.LoadProblem) and problem.kind == "outside"
    assert "Name a file inside the data folder" in problem.message("en")


def test_an_unknown_table_is_a_programming_error():
    with pytest.raises(ValueError, match="choose one of"):
        app.table("sales")


def test_notebooks_folder_follows_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv(app.ENV_NOTEBOOKS, str(tmp_path))
    assert app.notebooks_folder() == tmp_path.resolve()
    monkeypatch.delenv(app.ENV_NOTEBOOKS)
    assert (app.notebooks_folder() / "index.ipynb").is_file()


# --- digest: worked out in another process, cached ----------------------------------------------

def test_digest_is_worked_out_once_and_read_from_the_cache(data_folder, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copy(sample_dir() / SAMPLE_FILES["competitors"][0], data_folder)
    first = app.digest("山野集官方旗舰店")
    assert set(first.alerts["page"]) == {"competitors"}
    assert [p.table for p in first.problems] == ["funnel", "experiments"]  # not in the folder
    cached = sorted((tmp_path / "cache" / "shopnb").glob("digest-*.json"))
    assert len(cached) == 1
    marked = Digest.from_json(cached[0].read_text())
    marked.alerts.loc[0, "subject"] = "CACHED"
    cached[0].write_text(marked.to_json())
    assert app.digest("山野集官方旗舰店").alerts["subject"][0] == "CACHED"
    # another own shop is another digest
    assert "CACHED" not in app.digest("悦家生活馆").alerts["subject"].tolist()


def test_digests_unused_for_a_month_are_deleted_when_a_new_one_is_written(data_folder,
                                                                          monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "shopnb"
    folder.mkdir(parents=True)
    month = app.DIGEST_UNUSED_S
    for name, age in (("old", month + 60), ("recent", month - 3600)):
        for suffix in (".json", ".lock"):
            path = folder / f"digest-{name}{suffix}"
            path.write_text("{}")
            os.utime(path, (time.time() - age,) * 2)
    app.digest()
    left = sorted(p.name for p in folder.iterdir())
    assert "digest-old.json" not in left and "digest-old.lock" not in left
    assert {"digest-recent.json", "digest-recent.lock"} <= set(left)
    (current,) = set(folder.glob("digest-*.json")) - {folder / "digest-recent.json"}
    # reading a digest marks it used: its age counts from then
    os.utime(current, (time.time() - month - 60,) * 2)
    app.digest()
    assert time.time() - current.stat().st_mtime < 60


def test_a_failed_digest_says_so_on_the_page_not_with_a_traceback(data_folder, monkeypatch,
                                                                  tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(app.sys, "executable", str(tmp_path / "no-python"))
    found = app.digest()
    assert found.alerts.empty
    assert found.failures == [("index", "the alerts could not be worked out; the server log "
                                        "has the details")]


# --- targets and the funnel page's tables ------------------------------------------------------

def test_targets_come_from_the_data_folders_targets_toml(data_folder: Path):
    assert app.targets() == app.Targets({})
    (data_folder / "targets.toml").write_text("[targets]\nctr = 0.05\nroi = { min = 2.5 }\n")
    found = app.targets()
    assert found.source == "targets.toml" and found.problem is None
    assert found.spec["ctr"] == {"min": 0.05} and found.spec["roi"] == {"min": 2.5}
    assert found.spec["cost_per_impression"] == {"max": 0.8}  # the plans' default stays


def test_a_broken_targets_file_gives_the_defaults_and_says_why(data_folder: Path):
    (data_folder / "targets.toml").write_text("ctr = [not toml")
    found = app.targets()
    assert found.spec == {} and found.problem is not None
    assert found.problem.file == "targets.toml" and "TOML" in found.problem.reason


def test_funnel_tables_read_the_funnel_pages_exports_of_the_data_folder(data_folder: Path):
    for name in ("funnel", "videos", "orders"):
        shutil.copy(sample_dir() / SAMPLE_FILES[name][0], data_folder)
    shutil.copy(sample_dir() / SAMPLE_FILES["competitors"][0], data_folder)  # not the page's
    tables = app.funnel_tables()
    assert len(tables.funnel) == len(sn.load_sample("funnel"))
    assert len(tables.videos) == len(sn.load_sample("videos")) and tables.events is None
    assert sorted(tables.sources) == sorted(SAMPLE_FILES[n][0] for n in
                                            ("funnel", "videos", "orders"))


def test_funnel_tables_say_what_is_missing_or_refused(data_folder: Path):
    assert app.funnel_tables().kind == "missing"
    assert app.funnel_tables("../elsewhere").kind == "outside"
    (data_folder / "day.csv").write_text("<html>login</html>")
    problem = app.funnel_tables("day.csv")
    assert problem.kind == "broken" and "web page" in problem.reason
