"""Funnels on an event log, computed in DuckDB: every event-level query of shopnb lives here.

Event logs do not fit in pandas, so they stay in DuckDB (embedded, out of
core) and only aggregates come back. Each function takes the log as a
DataFrame, a Parquet or CSV path (or glob), or a DuckDB relation, with the
canonical `events` columns (``user_id``, ``ts``, ``event``; names are keyword
arguments). Raw exports go through `shopnb.load_events` first.

`event_funnel` follows ClickHouse's ``windowFunnel(window, [mode])`` and
returns, per step (a ``stage`` of the result), how many users reached at least
that step (its ``count``), in the vocabulary of `shopnb.funnel.summary`. A user's level
is computed over the user's events sorted by time (ties: the earlier step
first, as ClickHouse sorts them):

- ``"ordered"`` (ClickHouse's default; alias ``"default"``): the longest chain
  of the steps in order, with non-decreasing times, that starts at *any*
  occurrence of the first step and ends within `window` of that start (the
  end's time <= the start's time + window). Repeated first steps are each a
  possible start; the latest start that can still be extended wins, exactly
  as ClickHouse's greedy scan does.
- ``"strict_order"``: the same, but once the first step has occurred, the scan
  stops at the first event that is not one of the steps (other events in the
  log count) or that is a step whose previous step has not been reached yet;
  the level is what was reached before that event.
- ``"unordered"`` (not a ClickHouse option): the largest k such that events of
  the first k steps, one each and in any order, fit within one `window`. (In
  ClickHouse terms: the best `windowFunnel` over all orders of those k steps.)

How the SQL works (one sort, then linear scans): the events are sorted by
group key, time and step; streaming window functions (running
``last_value(... IGNORE NULLS)``, no re-sorting) then carry, level by level,
the start of the latest chain that reached that level, and each level's scan
keeps only the rows later levels still need. There is no self-join, so
repeated first steps cost one row each. Keys are compared with the key of the
row a value came from, so a value never leaks from one user to the next.

Example:
    >>> import pandas as pd
    >>> log = pd.DataFrame({"user_id": ["a", "a", "a", "b"],
    ...                     "ts": pd.to_datetime(["2024-11-01 10:00", "2024-11-01 10:05",
    ...                                           "2024-11-03 09:00", "2024-11-01 11:00"]),
    ...                     "event": ["click", "cart", "pay", "click"]})
    >>> event_funnel(log, ["click", "cart", "pay"], window="1D")[["stage", "count"]
    ...                                                         ].values.tolist()
    [['click', 2], ['cart', 1], ['pay', 0]]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pandas as pd

from shopnb.errors import ShopDataError
from shopnb.rates import wilson
from shopnb.schema import DateLike, renamed_keywords

if TYPE_CHECKING:  # duckdb is imported when a query runs, not with shopnb
    import duckdb

__all__ = [
    "MODES",
    "ConversionTimes",
    "conversion_by_entry_day",
    "event_funnel",
    "event_names",
    "prepare",
    "select_events",
    "time_to_convert",
]

Events: TypeAlias = "pd.DataFrame | str | os.PathLike | duckdb.DuckDBPyRelation"
Window: TypeAlias = float | int | str | dt.timedelta | pd.Timedelta
MODES = ("ordered", "strict_order", "unordered")
_MODE_ALIASES = {"default": "ordered"}
_MAX_STEPS = 32  # as windowFunnel
_US = 1_000_000
# time-to-convert histogram edges in seconds: 1, 5, 15, 30 min; 1, 3, 6, 12 h; 1, 2, 3, 7, 14 d
_BIN_EDGES_S = (0, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172800, 259200,
                604800, 1209600)
_RUNNING = "OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
# no progress bar: in a notebook or a Voila page it would print into the output
_QUIET = "SET enable_progress_bar = false"


@renamed_keywords(user="user_id", time="ts")
def event_funnel(
    events: Events,
    steps: Sequence[str],
    window: Window,
    by: str | Sequence[str] | None = None,
    mode: str = "ordered",
    *,
    user_id: str = "user_id",
    ts: str = "ts",
    event: str = "event",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Users who reached each step of `steps` within `window` (ClickHouse ``windowFunnel``).

    Args:
        events: the event log (DataFrame, Parquet/CSV path or glob, DuckDB relation).
        steps: event names in funnel order, e.g. ``["click", "cart", "order", "pay"]``.
        window: the conversion window, measured from the chain's first event:
            seconds, a `timedelta` or a pandas offset string (``"1D"``, ``"30min"``).
        by: columns to split the funnel by (e.g. ``"channel"``); a user's events
            in different groups are separate chains. Rows with no value there
            are left out.
        mode: ``"ordered"`` (or ``"default"``), ``"strict_order"`` or
            ``"unordered"``, as described in the module docstring.
        user_id: the user column.
        ts: the time column.
        event: the event-name column.
        alpha: the intervals are at level ``1 - alpha``.

    Returns:
        One row per group x step: ``stage`` (the step), ``count`` (users who
        reached at least that step, int64), ``rate_from_previous``,
        ``rate_from_first`` and their Wilson intervals (``*_ci_lower``,
        ``*_ci_upper``, level ``1 - alpha``): the columns of `shopnb.funnel.summary`.

    Raises:
        ShopDataError: missing columns, unknown mode, bad steps or window, a
            time column DuckDB cannot read as times.

    Example:
        >>> from shopnb.datasets import load_sample
        >>> out = event_funnel(load_sample("events"), ["click", "cart", "order", "pay"],
        ...                    window="1D", by="carrier")
        >>> sorted(out["carrier"].unique()), out["stage"].unique().tolist()
        (['card', 'live', 'video'], ['click', 'cart', 'order', 'pay'])
    """
    q = _Query.build(steps, window, by, mode, user_id, ts, event)
    with _relation(events) as rel:
        q = q.bind(rel)
        group = f" GROUP BY {q.group_keys}" if q.by else ""
        found = _run(rel, f"SELECT {q.group_select}{_counts(q)} FROM ({q.levels_sql()}){group}")
    return _step_table(found, q, alpha)


@dataclass(frozen=True)
class ConversionTimes:
    """How long users took from one step to another (`time_to_convert`).

    Attributes:
        stats: per group: ``users`` (users who converted within the window),
            ``median_s``, ``p90_s``, ``mean_s`` (seconds).
        histogram: per group and bin: ``lower_s``, ``upper_s`` (the last bin
            includes its upper edge, the window), ``users``, ``share``.
    """

    stats: pd.DataFrame
    histogram: pd.DataFrame

    @property
    def median_s(self) -> float:
        """The median in seconds (the first group's, when split by a column)."""
        return float(self.stats["median_s"].iloc[0]) if len(self.stats) else float("nan")

    @property
    def p90_s(self) -> float:
        """The 90th percentile in seconds (the first group's, when split by a column)."""
        return float(self.stats["p90_s"].iloc[0]) if len(self.stats) else float("nan")


@renamed_keywords(user="user_id", time="ts")
def time_to_convert(
    events: Events,
    from_step: str,
    to_step: str,
    window: Window,
    by: str | Sequence[str] | None = None,
    *,
    user_id: str = "user_id",
    ts: str = "ts",
    event: str = "event",
) -> ConversionTimes:
    """Time from `from_step` to `to_step`, one value per user: the user's first conversion.

    A conversion is a `to_step` event with a `from_step` event at or before it
    (same time included) within `window`; its time is measured from the latest
    such `from_step` event (the one that led to it, as the latest chain start
    in `event_funnel`). Each user counts once, with the first conversion.

    Example:
        >>> import pandas as pd
        >>> log = pd.DataFrame({"user_id": ["a", "a", "a", "b", "b"],
        ...                     "ts": pd.to_datetime(["2024-11-01 10:00", "2024-11-01 10:30",
        ...                                           "2024-11-01 11:00", "2024-11-01 09:00",
        ...                                           "2024-11-01 09:02"]),
        ...                     "event": ["click", "click", "pay", "click", "pay"]})
        >>> times = time_to_convert(log, "click", "pay", window="1D")
        >>> int(times.stats["users"].iloc[0]), times.median_s, times.p90_s
        (2, 960.0, 1632.0)
    """
    if from_step == to_step:
        raise ShopDataError("time_to_convert needs two different steps")
    q = _Query.build([from_step, to_step], window, by, "ordered", user_id, ts, event)
    with _relation(events) as rel:
        q = q.bind(rel)
        sql, edges = _conversion_sql(q)
        found = _run(rel, sql).rename(columns=q.by_names)
    groups = list(q.by_names.values())
    bins = [f"b{i}" for i in range(len(edges) - 1)]
    stats = found[[*groups, "users", "median_s", "p90_s", "mean_s"]].astype({"users": "int64"})
    counts = found[[*groups, *bins]].melt(id_vars=groups, var_name="bin", value_name="users")
    counts["bin"] = counts["bin"].str[1:].astype(int)
    return ConversionTimes(stats=stats.reset_index(drop=True),
                           histogram=_histogram(counts, edges, groups))


def _conversion_sql(q: _Query) -> tuple[str, list[float]]:
    """SQL for `time_to_convert`, and the edges of its bins in seconds.

    Per group the query gives users, median, p90, mean, and the users in each bin b0, b1, ...

    One sort and one running scan: each `to_step` row gets the time of the latest
    `from_step` row of its group at or before it (the same scan as event_funnel's).
    """
    keys = ", ".join(q.key_names)
    rows = f"SELECT * FROM ({q.base_sql()}) ORDER BY {keys}, t, lvl"
    latest = (f"SELECT {keys}, t, lvl, {', '.join(q._carry_key('a', 'lvl = 1'))}, "
              f"{q._carry('v', 'lvl = 1', 't')} FROM ({rows})")
    per_user = (f"SELECT {keys}, arg_min(t - v, t) AS d FROM ({latest}) "
                f"WHERE lvl = 2 AND {q._same('a')} AND t - v <= {q.window_us} GROUP BY ALL")
    edges = [float(e) for e in _BIN_EDGES_S if e * _US < q.window_us] + [q.window_us / _US]
    # bin i holds lower <= d < upper; the last one also its upper edge, the window
    cuts = [None, *(int(e * _US) for e in edges[1:-1]), None]
    bins = [" AND ".join([*([f"d >= {lo}"] if lo is not None else []),
                          *([f"d < {hi}"] if hi is not None else [])]) or "true"
            for lo, hi in zip(cuts, cuts[1:], strict=False)]
    bins = [f"count(*) FILTER (WHERE {cond}) AS b{i}" for i, cond in enumerate(bins)]
    group = f" GROUP BY {q.group_keys}" if q.by else ""
    sql = (f"SELECT {q.group_select}count(*) AS users, "
           f"quantile_cont(d, 0.5) / {_US} AS median_s, "
           f"quantile_cont(d, 0.9) / {_US} AS p90_s, avg(d) / {_US} AS mean_s, "
           f"{', '.join(bins)} FROM ({per_user}){group}")
    return sql, edges


@renamed_keywords(user="user_id", time="ts")
def conversion_by_entry_day(
    events: Events,
    steps: Sequence[str],
    window: Window,
    mode: str = "ordered",
    *,
    user_id: str = "user_id",
    ts: str = "ts",
    event: str = "event",
) -> pd.DataFrame:
    """The funnel of each day's new entrants: users grouped by the day of their first step-1 event.

    Returns one row per entry day x step: ``date, stage, count`` (entrants of
    that day who reached at least that step, over all their events, within
    `window` as in `event_funnel`) and ``rate_from_first``.

    Example:
        >>> import pandas as pd
        >>> log = pd.DataFrame({"user_id": ["a", "a", "b"],
        ...                     "ts": pd.to_datetime(["2024-11-01 10:00", "2024-11-01 10:05",
        ...                                           "2024-11-02 08:00"]),
        ...                     "event": ["click", "pay", "click"]})
        >>> out = conversion_by_entry_day(log, ["click", "pay"], window="1D")
        >>> paid = out[out["stage"] == "pay"]
        >>> paid["date"].dt.day.tolist(), paid["count"].tolist(), paid["rate_from_first"].tolist()
        ([1, 2], [1, 0], [1.0, 0.0])
    """
    q = _Query.build(steps, window, None, mode, user_id, ts, event)
    keys = ", ".join(q.key_names)
    with _relation(events) as rel:
        q = q.bind(rel)
        found = _run(rel, f"SELECT CAST(make_timestamp(e.t0) AS DATE) AS date, {_counts(q)} "
                          f"FROM ({q.levels_sql()}) l JOIN (SELECT {keys}, min(t) AS t0 FROM "
                          f"({q.base_sql()}) WHERE lvl = 1 GROUP BY ALL) e USING ({keys}) "
                          f"GROUP BY 1 ORDER BY 1")
    table = _step_table(found.assign(date=pd.to_datetime(found["date"])),
                        q, 0.05, groups=["date"])
    return table[["date", "stage", "count", "rate_from_first"]]


@renamed_keywords(user="user_id", time="ts")
def prepare(events: Events, *, user_id: str = "user_id", ts: str = "ts",
            columns: Sequence[str] | None = None) -> duckdb.DuckDBPyRelation:
    """The log as an in-memory DuckDB table, for many funnels on the same log (a page).

    Users get whole-number keys (the same user, the same key; funnels only
    need to tell users apart), which sort faster than text ids;
    rows without a user or a time are left out and the rest is stored by user
    and time, the order the funnel scans sort them into (a sort of sorted rows
    is quicker). `columns` are the columns to keep besides `user_id` and `ts`
    (default: all).

    Example:
        >>> import pandas as pd
        >>> log = pd.DataFrame({"user_id": ["u9", "u1", "u9"], "event": ["click"] * 3,
        ...                     "ts": pd.to_datetime(["2024-11-02", "2024-11-01", "2024-11-03"])})
        >>> prepare(log).order("ts").fetchall()[0][:2]
        (1, datetime.datetime(2024, 11, 1, 0, 0))
    """
    with _relation(events) as rel:
        keep = [c for c in (rel.columns if columns is None else columns) if c not in (user_id, ts)]
        missing = [c for c in (user_id, ts, *keep) if c not in rel.columns]
        if missing:
            raise ShopDataError(f"the event log has no {', '.join(missing)} column (columns "
                                f"found: {', '.join(rel.columns) or 'none'})")
        table = _select(rel, (
            f"SELECT dense_rank() OVER (ORDER BY {_ident(user_id)}) AS {_ident(user_id)}, "
            f"{', '.join(_ident(c) for c in (ts, *keep))} FROM shopnb_events "
            f"WHERE {_ident(user_id)} IS NOT NULL AND {_ident(ts)} IS NOT NULL "
            f"ORDER BY 1, {_ident(ts)}")).arrow()
    import duckdb

    con = duckdb.connect()
    con.execute(_QUIET)
    con.register("shopnb_prepared", table)
    con.execute("CREATE TABLE shopnb_log AS SELECT * FROM shopnb_prepared")
    con.unregister("shopnb_prepared")
    return con.table("shopnb_log")


def event_names(events: Events, *, event: str = "event") -> list[str]:
    """The distinct events in the log, sorted.

    Example:
        >>> import pandas as pd
        >>> event_names(pd.DataFrame({"event": ["pay", "click", "pay", None]}))
        ['click', 'pay']
    """
    with _relation(events) as rel:
        if event not in rel.columns:
            raise ShopDataError(f"the event log has no {event} column")
        found = _run(rel, f"SELECT DISTINCT CAST({_ident(event)} AS VARCHAR) AS e FROM "
                          f"shopnb_events WHERE {_ident(event)} IS NOT NULL ORDER BY 1")
    return found["e"].tolist()


@renamed_keywords(time="ts")
def select_events(
    events: duckdb.DuckDBPyRelation,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    where: Mapping[str, Sequence[object]] | None = None,
    ts: str = "ts",
) -> duckdb.DuckDBPyRelation:
    """The events from `start` up to and including the day of `end`, narrowed by `where`.

    Each column in `where` takes one of the values given (an empty list selects nothing).

    Example:
        >>> import pandas as pd
        >>> log = prepare(pd.DataFrame({"user_id": [1, 2], "event": ["click", "pay"],
        ...     "carrier": ["live", "card"], "ts": pd.to_datetime(["2024-11-01", "2024-11-02"])}))
        >>> select_events(log, end="2024-11-01", where={"carrier": ["live"]}).fetchall()[0][2]
        'click'
    """
    conds = []
    if start is not None:
        conds.append(f"{_ident(ts)} >= {_literal(f'{pd.Timestamp(start):%Y-%m-%d %H:%M:%S}')}")
    if end is not None:
        last = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        conds.append(f"{_ident(ts)} < {_literal(f'{last:%Y-%m-%d %H:%M:%S}')}")
    for column, values in (where or {}).items():
        if column not in events.columns:
            raise ShopDataError(f"the event log has no {column} column to select on")
        values = [v for v in values if v is not None]
        listed = ", ".join(_literal(str(v)) for v in values)
        conds.append(f"CAST({_ident(column)} AS VARCHAR) IN ({listed})" if values else "false")
    return events.filter(" AND ".join(conds)) if conds else events


# --- the SQL ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Query:
    """One funnel question, and the SQL that answers it on a relation named ``shopnb_events``.

    Group keys are renamed k0, k1, ... (the `by` columns, then the user) so that no
    column name of the log can clash with the names the SQL uses.
    """

    steps: tuple[str, ...]
    window_us: int
    by: tuple[str, ...]
    mode: str
    user: str
    time: str
    event: str
    time_type: str = "TIMESTAMP"

    @classmethod
    def build(cls, steps: Sequence[str], window: Window, by: str | Sequence[str] | None,
              mode: str, user: str, time: str, event: str) -> _Query:
        mode = _MODE_ALIASES.get(mode, mode)
        if mode not in MODES:
            raise ShopDataError(f"mode must be one of {', '.join(MODES)} (or 'default'); "
                                f"got {mode!r}")
        steps = (steps,) if isinstance(steps, str) else tuple(steps)
        if not steps or len(steps) > _MAX_STEPS:
            raise ShopDataError(f"a funnel needs 1 to {_MAX_STEPS} steps; got {len(steps)}")
        if len(set(steps)) < len(steps):
            raise ShopDataError(f"each step may appear once in a funnel; got {list(steps)}")
        by = (by,) if isinstance(by, str) else tuple(by or ())
        if len(set(by)) < len(by) or user in by:
            raise ShopDataError(f"by must name distinct columns other than {user!r}; got {by}")
        return cls(tuple(map(str, steps)), _window_us(window), by, mode, user, time, event)

    def bind(self, rel: duckdb.DuckDBPyRelation) -> _Query:
        """The query for this relation: its columns checked, its time column's type known."""
        wanted = [self.user, self.time, self.event, *self.by]
        missing = [c for c in wanted if c not in rel.columns]
        if missing:
            raise ShopDataError(f"the event log has no {', '.join(missing)} column (columns "
                                f"found: {', '.join(rel.columns) or 'none'}); load raw logs "
                                f"with shopnb.load_events")
        types = dict(zip(rel.columns, (str(t) for t in rel.types), strict=True))
        return replace(self, time_type=types[self.time])

    @property
    def key_names(self) -> list[str]:
        return [f"k{i}" for i in range(len(self.by) + 1)]

    @property
    def by_names(self) -> dict[str, str]:
        return {f"k{i}": name for i, name in enumerate(self.by)}

    @property
    def group_keys(self) -> str:
        return ", ".join(self.by_names)

    @property
    def group_select(self) -> str:
        return "".join(f"{k}, " for k in self.by_names)

    def base_sql(self) -> str:
        """Rows of the log as (k0.., t, lvl): lvl = the step's number, 0 for other events."""
        keys = [*self.by, self.user]
        cols = ", ".join(f"{_ident(c)} AS k{i}" for i, c in enumerate(keys))
        names = ", ".join(f"({_literal(s)}, {i}::TINYINT)" for i, s in enumerate(self.steps, 1))
        strict = self.mode == "strict_order"
        join, lvl = ("LEFT JOIN", "coalesce(m.lvl, 0::TINYINT)") if strict else ("JOIN", "m.lvl")
        present = " AND ".join(f"{_ident(c)} IS NOT NULL" for c in [*keys, self.time])
        return (f"SELECT {cols}, {_epoch_us(self.time, self.time_type)} AS t, {lvl} AS lvl "
                f"FROM shopnb_events e {join} (VALUES {names}) m(name, lvl) "
                f"ON CAST(e.{_ident(self.event)} AS VARCHAR) = m.name WHERE {present}")

    def levels_sql(self) -> str:
        """One row per group key (k0..) with ``level``, the last step the user reached."""
        keys = ", ".join(self.key_names)
        rows = f"SELECT * FROM ({self.base_sql()}) ORDER BY {keys}, t, lvl"
        scan = {"ordered": self._ordered, "strict_order": self._strict,
                "unordered": self._unordered}[self.mode]
        flags = " + ".join(f"f{k}::INT" for k in range(1, len(self.steps) + 1))
        return f"SELECT {keys}, {flags} AS level FROM ({scan(rows)}) WHERE last"

    # The scans below read the sorted rows once each, in order, with running window
    # functions (no ORDER BY inside OVER: DuckDB streams them over the sorted input).
    # Each returns rows with flags f1..fK (the group reached step k at or before this
    # row) and `last` (the group's last row).

    def _same(self, prefix: str) -> str:
        """The running value named `prefix` came from a row of this row's group."""
        same = " AND ".join(f"{prefix}_{k} = {k}" for k in self.key_names)
        return f"coalesce({same}, false)"

    def _carry_key(self, prefix: str, cond: str) -> list[str]:
        """The group key of the latest row (up to this one) where `cond` holds."""
        return [f"last_value(CASE WHEN {cond} THEN {k} END IGNORE NULLS) {_RUNNING} "
                f"AS {prefix}_{k}" for k in self.key_names]

    def _carry(self, name: str, cond: str, value: str) -> str:
        return f"last_value(CASE WHEN {cond} THEN {value} END IGNORE NULLS) {_RUNNING} AS {name}"

    def _last_row(self) -> str:
        differs = " OR ".join(f"lead({k}) OVER () IS DISTINCT FROM {k}" for k in self.key_names)
        return f"({differs}) AS last"

    def _valid(self, k: int) -> str:
        """The row is step k and extends a chain that reached step k - 1, within the window."""
        return "lvl = 1" if k == 1 else f"(lvl = {k} AND t <= s{k - 1} + {self.window_us})"

    def _chain_state(self, k: int, sql: str, carried: list[str], last_step: bool) -> str:
        """Scan k: f_k and s_k, the start of the latest chain that reached step k (same group)."""
        running = self._carry_key("a", self._valid(k))
        if not last_step:
            running.append(self._carry("v", self._valid(k), "t" if k == 1 else f"s{k - 1}"))
        if k == 1:
            running.append(self._last_row())
        scan = f"SELECT {', '.join(carried + running)} FROM ({sql})"
        state = [] if last_step else [f"CASE WHEN {self._same('a')} THEN v END AS s{k}"]
        out = [*carried, f"{self._same('a')} AS f{k}", *state, *(["last"] if k == 1 else [])]
        return f"SELECT {', '.join(out)} FROM ({scan})"

    def _ordered(self, rows: str) -> str:
        n, keys = len(self.steps), ", ".join(self.key_names)
        sql, flags = rows, list[str]()
        for k in range(1, n + 1):
            carried = [keys, "t", "lvl", *flags, *([f"s{k - 1}", "last"] if k > 1 else [])]
            state = self._chain_state(k, sql, carried, last_step=k == n)
            # later scans need only the rows of later steps, and each group's last row
            sql = f"SELECT * FROM ({state}) WHERE lvl > {k} OR last"
            flags.append(f"f{k}")
        return sql

    def _strict(self, rows: str) -> str:
        n, keys = len(self.steps), ", ".join(self.key_names)
        sql, states = rows, list[str]()
        for k in range(1, n):  # the chain states s1..s(n-1), kept on every row
            carried = [keys, "t", "lvl", *states, *(["last"] if k > 1 else [])]
            sql = self._chain_state(k, sql, carried, last_step=False)
            states.append(f"s{k}")
        if n == 1:
            sql = f"SELECT {keys}, t, lvl, {self._last_row()} FROM ({sql})"
        # the scan stops at the first other event, or step whose previous step is unreached
        unreached = " ".join(f"WHEN {k} THEN s{k - 1} IS NULL" for k in range(3, n + 1))
        stop = "false" if n == 1 else (
            f"s1 IS NOT NULL AND (lvl = 0 OR CASE lvl {unreached} ELSE false END)" if unreached
            else "s1 IS NOT NULL AND lvl = 0")
        oks = [f"ok{k}" for k in range(1, n + 1)]
        valid = ", ".join(f"{self._valid(k)} AS {ok}" for k, ok in enumerate(oks, 1))
        marked = f"SELECT {keys}, last, {valid}, {stop} AS stop FROM ({sql})"
        stopped = (f"SELECT {keys}, last, {', '.join(oks)}, {self._same('b')} AS stopped FROM "
                   f"(SELECT *, {', '.join(self._carry_key('b', 'stop'))} FROM ({marked}))")
        return self._flags(stopped, [f"ok{k} AND NOT stopped" for k in range(1, n + 1)])

    def _unordered(self, rows: str) -> str:
        n, keys = len(self.steps), ", ".join(self.key_names)
        latest = [f"{', '.join(self._carry_key(f'a{i}', f'lvl = {i}'))}, "
                  f"{self._carry(f'l{i}', f'lvl = {i}', 't')}" for i in range(1, n + 1)]
        scan = f"SELECT {keys}, t, {', '.join(latest)}, {self._last_row()} FROM ({rows})"
        within = [f"coalesce({self._same(f'a{i}')} AND l{i} >= t - {self.window_us}, false)"
                  for i in range(1, n + 1)]
        reach = " ".join(f"WHEN NOT {w} THEN {i}" for i, w in enumerate(within))
        marked = f"SELECT {keys}, last, CASE {reach} ELSE {n} END AS reach FROM ({scan})"
        return self._flags(marked, [f"reach >= {k}" for k in range(1, n + 1)])

    def _flags(self, sql: str, conds: list[str]) -> str:
        """f_k: a row of this group up to this one met conds[k - 1]."""
        keys = ", ".join(self.key_names)
        running = [c for k, cond in enumerate(conds, 1) for c in self._carry_key(f"r{k}", cond)]
        flags = [f"{self._same(f'r{k}')} AS f{k}" for k in range(1, len(conds) + 1)]
        return (f"SELECT {keys}, last, {', '.join(flags)} FROM "
                f"(SELECT *, {', '.join(running)} FROM ({sql}))")


# --- plumbing --------------------------------------------------------------------------------

@contextlib.contextmanager
def _relation(events: Events) -> Iterator[duckdb.DuckDBPyRelation]:
    """`events` as a DuckDB relation (on a private connection unless it already is one)."""
    import duckdb

    if isinstance(events, duckdb.DuckDBPyRelation):
        yield events
        return
    con = duckdb.connect()
    con.execute(_QUIET)
    try:
        if isinstance(events, pd.DataFrame):
            yield con.from_df(events)
        elif isinstance(events, str | os.PathLike):
            yield _read_path(con, Path(events))
        else:
            raise ShopDataError(f"an event log is a DataFrame, a Parquet/CSV path or a DuckDB "
                                f"relation; got {type(events).__name__}")
    finally:
        con.close()


def _read_path(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    pattern = str(path / "*.parquet") if path.is_dir() else str(path)
    if not path.is_dir() and not any(ch in str(path) for ch in "*?[") and not path.exists():
        raise ShopDataError("no such file", file=str(path))
    suffix = Path(pattern).suffix.lower()
    import duckdb

    try:
        if suffix in (".parquet", ".pq"):
            return con.read_parquet(pattern)
        if suffix in (".csv", ".tsv", ".txt"):
            return con.read_csv(pattern)
    except duckdb.Error as exc:
        raise ShopDataError(f"DuckDB cannot read the event log: {exc}", file=str(path)) from exc
    raise ShopDataError("an event log file is .parquet or .csv", file=str(path))


def _counts(q: _Query) -> str:
    return ", ".join(f"count(*) FILTER (WHERE level >= {k}) AS n{k}"
                     for k in range(1, len(q.steps) + 1))


def _run(rel: duckdb.DuckDBPyRelation, sql: str) -> pd.DataFrame:
    import duckdb

    order = _select(rel, "SELECT current_setting('preserve_insertion_order')")
    if not order.fetchall()[0][0]:
        raise ShopDataError("the DuckDB connection has preserve_insertion_order = false; the "
                            "funnel scans rely on it (SET preserve_insertion_order = true)")
    try:
        return _select(rel, sql).df()
    except duckdb.Error as exc:
        raise ShopDataError(f"DuckDB could not compute the funnel: {exc}") from exc


def _select(rel: duckdb.DuckDBPyRelation, sql: str) -> duckdb.DuckDBPyRelation:
    """The result of the SELECT `sql` on `rel`, which it calls ``shopnb_events``."""
    result = rel.query("shopnb_events", sql)
    assert result is not None, "DuckDB gives None only for a statement that returns no rows"
    return result


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _epoch_us(column: str, kind: str) -> str:
    """Microseconds since the epoch; numbers are read as seconds since the epoch."""
    col = _ident(column)
    kind = kind.upper()
    if kind.startswith("TIMESTAMP"):
        return f"epoch_us({col})"
    if kind.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")) or kind.endswith("INT") or \
            kind in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                     "USMALLINT", "UINTEGER", "UBIGINT"):
        return f"CAST(round({col} * {_US}) AS BIGINT)"
    return f"epoch_us(CAST({col} AS TIMESTAMP))"


def _window_us(window: Window) -> int:
    if isinstance(window, bool):
        raise ShopDataError(f"the window is a duration; got {window!r}")
    try:
        if isinstance(window, int | float | np.integer | np.floating):
            us = float(window) * _US
        else:
            us = pd.Timedelta(window).total_seconds() * _US
    except (ValueError, TypeError) as exc:
        raise ShopDataError(f"the window is seconds, a timedelta or a string such as '1D' or "
                            f"'30min'; got {window!r}") from exc
    if not np.isfinite(us) or us < 0 or us > 100 * 366 * 86400 * _US:
        raise ShopDataError(f"the window must be between 0 and 100 years; got {window!r}")
    return int(round(us))


def _step_table(found: pd.DataFrame, q: _Query, alpha: float,
                groups: list[str] | None = None) -> pd.DataFrame:
    """Counts n1..nK per group as one row per group x step, with rates and intervals."""
    groups = list(q.by_names.values()) if groups is None else groups
    found = found.rename(columns=q.by_names)
    if not groups and found.empty:
        found = pd.DataFrame({f"n{k}": [0] for k in range(1, len(q.steps) + 1)})
    counts = found[[f"n{k}" for k in range(1, len(q.steps) + 1)]].fillna(0).to_numpy(float)
    parts = []
    for k, step in enumerate(q.steps):
        users = counts[:, k]
        part = found[groups].assign(stage=step, count=users.astype("int64"))
        for name, base in (("rate_from_previous", counts[:, k - 1] if k else users),
                           ("rate_from_first", counts[:, 0])):
            rate, low, high = wilson(users, base, alpha)
            part[name], part[f"{name}_ci_lower"], part[f"{name}_ci_upper"] = rate, low, high
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = pd.Categorical(out["stage"], categories=list(q.steps), ordered=True)
    return out.sort_values([*groups, "stage"], kind="stable").reset_index(drop=True)


def _histogram(bins: pd.DataFrame, edges: list[float], groups: list[str]) -> pd.DataFrame:
    grid = pd.DataFrame({"bin": range(len(edges) - 1), "lower_s": edges[:-1],
                         "upper_s": edges[1:]})
    if groups:
        grid = bins[groups].drop_duplicates().merge(grid, how="cross")
    out = grid.merge(bins, on=[*groups, "bin"], how="left").fillna({"users": 0})
    out["users"] = out["users"].astype("int64")
    total = out.groupby(groups)["users"].transform("sum") if groups else out["users"].sum()
    out["share"] = out["users"] / total.where(total > 0) if groups else (
        out["users"] / total if total else np.nan)
    return out.drop(columns="bin").reset_index(drop=True)
