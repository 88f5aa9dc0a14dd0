"""The one error type for bad input, the loaders' data-quality notes, and a page's notice.

The notice is what a page shows instead of a table it could not read.

Example:
    >>> err = ShopDataError("no numbers", file="a.csv", column="曝光", rows=[3])
    >>> str(err)
    'a.csv, column 曝光, row 3: no numbers'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias


def _where(file: str | None, column: str | None, rows: Sequence[int]) -> str:
    parts = []
    if file:
        parts.append(file)
    if column:
        parts.append(f"column {column}")
    if rows:
        shown = ", ".join(str(r) for r in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        parts.append(f"row{'s' if len(rows) > 1 else ''} {shown}{more}")
    return ", ".join(parts)


@dataclass
class DataIssue:
    """One data-quality finding: where it is and what is wrong."""

    message: str
    file: str | None = None
    column: str | None = None
    rows: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        where = _where(self.file, self.column, self.rows)
        return f"{where}: {self.message}" if where else self.message


class ShopDataError(ValueError):
    """Input that shopnb cannot read as the table asked for.

    The message names the file, the column, the row(s) (as numbered in the
    file, header = row 1) and what was expected.

    Args:
        message: what is wrong and what was expected.
        file: the file the input came from.
        column: the column at fault.
        rows: the rows at fault, numbered as in the file.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[int] = (),
    ) -> None:
        self.issue = DataIssue(message, file, column, list(rows))
        super().__init__(str(self.issue))

    @property
    def file(self) -> str | None:
        """The file the bad input came from, if known."""
        return self.issue.file

    @property
    def column(self) -> str | None:
        """The column at fault, if one is."""
        return self.issue.column

    @property
    def rows(self) -> list[int]:
        """The rows at fault, numbered as in the file (header = row 1)."""
        return self.issue.rows


ProblemKind: TypeAlias = Literal["missing", "empty", "broken", "outside"]


@dataclass(frozen=True)
class LoadProblem:
    """Why a page's table could not be read: what, which file, and what to do.

    Returned (not raised) by `shopnb.store` where a page would otherwise get
    a table, so that every page shows it as a friendly message; the words are
    the labels' (`label` names them), chosen by the page in its language.

    Attributes:
        table: the canonical table asked for (``funnel``, ``competitors`` ...).
        kind: ``missing`` (no such file), ``empty``, ``broken`` (not readable as
            the table) or ``outside`` (a ``data`` parameter that leaves the folder).
        file: the file, as named to the user.
        reason: what the loader found wrong (its `ShopDataError` message).
        folder: the data folder (``(upload)`` for an uploaded file).

    Example:
        >>> p = LoadProblem("funnel", "missing", "罗盘.csv", "no such file", "/srv/shop")
        >>> p.label()
        ('load_missing', {'file': '罗盘.csv', 'reason': 'no such file', 'folder': '/srv/shop'})
    """

    table: str
    kind: ProblemKind
    file: str
    reason: str
    folder: str

    def label(self) -> tuple[str, dict[str, str]]:
        """The notice as a label key of `shopnb.theme.LABELS` and its fields."""
        return f"load_{self.kind}", {"file": self.file, "reason": self.reason,
                                     "folder": self.folder}
