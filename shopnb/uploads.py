"""An uploaded export file, checked and read without touching anything else on the server.

A page's upload control (`ipywidgets.FileUpload`) hands the kernel the file's
name and bytes. `read_upload` refuses a file larger than `MAX_UPLOAD_BYTES`,
one whose name is not a table export (`ACCEPTED`) and one whose bytes do not
match its kind (an ``.xlsx`` that is no zip, a web page saved as ``.csv``);
the rest is written into a private temporary folder (mode 0700, a fresh one per
upload, removed afterwards), read there by the table's loader, and returned.
Nothing outside that folder is written, so an upload never replaces a file.

Example:
    >>> table = read_upload("罗盘.csv", "日期,成交人数\\n2024-11-01,3\\n".encode(), "funnel")
    >>> table["buyers"].tolist()
    [3]
    >>> read_upload("罗盘.exe", b"MZ...", "funnel").kind
    'broken'
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from shopnb.app import LoadProblem, log_exception
from shopnb.datasets import LOADERS
from shopnb.errors import ShopDataError

__all__ = ["ACCEPTED", "MAX_UPLOAD_BYTES", "check_upload", "read_upload"]

MAX_UPLOAD_BYTES = 20 * 2**20  # a year of daily product exports is about 10 MB
ACCEPTED = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".parquet")
_MAGIC = {".xlsx": (b"PK\x03\x04",), ".xls": (b"\xd0\xcf\x11\xe0", b"PK\x03\x04"),
          ".parquet": (b"PAR1",)}


def read_upload(name: str, content: bytes, table: str, *,
                max_bytes: int = MAX_UPLOAD_BYTES) -> pd.DataFrame | LoadProblem:
    """The table `table` from an uploaded file, or a `LoadProblem` saying what is wrong.

    Args:
        name: the file name the browser sent (only its last part is used).
        content: the file's bytes.
        table: the canonical table to read (``funnel``, ``competitors`` ...).
        max_bytes: the largest file accepted.
    """
    base = _base_name(name)
    problem = check_upload(base, content, max_bytes=max_bytes)
    if problem is not None:
        return LoadProblem(table, problem[0], base, problem[1], "(upload)")
    with tempfile.TemporaryDirectory(prefix="shopnb-upload-") as private:
        path = Path(private) / base  # one name, no folder part: it stays in `private`
        path.write_bytes(content)
        try:
            frame = LOADERS[table](path)
        except ShopDataError as exc:  # where in the file, then what: the file is named apart
            issue = exc.issue
            return LoadProblem(table, "broken", base, str(ShopDataError(
                issue.message, column=issue.column, rows=issue.rows)), "(upload)")
        except Exception as exc:  # a file no reader copes with: say so, log the rest
            log_exception(f"cannot read the upload {base!r}")
            return LoadProblem(table, "broken", base, type(exc).__name__, "(upload)")
    frame.attrs["sources"] = [base]
    return frame


def check_upload(name: str, content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES
                 ) -> tuple[str, str] | None:
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
    """The last part of an uploaded file's name, whatever the browser's separators.

    Example:
        >>> _base_name("C:\\\\exports\\\\..\\\\罗盘.csv"), _base_name("../../etc/passwd")
        ('罗盘.csv', 'passwd')
    """
    base = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    return base if base not in ("", ".", "..") else "upload"
