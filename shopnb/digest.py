"""The landing page's numbers: the open alerts of every page, as one table.

Each page's own module finds its alerts (`shopnb.monitor.alerts`,
`shopnb.competitors.price_alerts`, `shopnb.experiments.verdict`); this gathers
the current ones, the latest period's, into rows of one shape, so the landing
page can list them together, most severe first:

    page, severity ("high" / "medium"), kind, date, subject, metric, value,
    reference (what the value is compared with), change (relative to the
    reference), limit (a second bound, where the kind has one), detail (a word
    the kind needs: the variant to ship, the reason to stop)

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2026-06-15", "2026-06-22"] * 2),
    ...                    "shop": ["own", "own", "A", "A"], "product": ["p", "p", "q", "q"],
    ...                    "category": "美妆", "price": [50.0, 50.0, 55.0, 45.0]})
    >>> alerts = competitor_alerts(df, own_shop="own")
    >>> alerts[["page", "severity", "kind", "subject"]].values.tolist()
    [['competitors', 'high', 'price_below_own', 'A · q']]

`build_digest` runs every part on the shop's tables and keeps what could not be
read or computed, so the landing page can say so; a `Digest` travels as JSON:
`cached_digest` works it out from the data folder in a separate process
(``python -m shopnb.digest``, `write_digest`) and caches it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from shopnb import competitors as comp
from shopnb import monitor
from shopnb.errors import LoadProblem, ShopDataError
from shopnb.store import (
    cache_folder,
    log_exception,
    server_log,
    server_log_fd,
    stamps,
    table,
    targets,
)

__all__ = ["ALERT_COLUMNS", "DIGEST_TABLES", "DIGEST_TIMEOUT_S", "DIGEST_UNUSED_S", "KPI_TILES",
           "SEVERITIES", "Digest", "build_digest", "cached_digest", "competitor_alerts",
           "experiment_alerts", "funnel_alerts", "kpi_summary", "sort_alerts", "write_digest"]

ALERT_COLUMNS = ("page", "severity", "kind", "date", "subject", "metric", "value", "reference",
                 "change", "limit", "detail")
SEVERITIES = ("high", "medium")
DIGEST_TABLES = ("funnel", "competitors", "experiments")  # the tables `build_digest` reads
KPI_TILES = ("gmv", "orders", "ctr", "click_to_deal", "roi", "cost_per_impression")


def kpi_summary(funnel: pd.DataFrame, *, targets: Mapping | None = None,
                kpis: tuple[str, ...] = KPI_TILES) -> pd.DataFrame:
    """Today's and this week's KPIs, each against the same span before it and its target.

    Today is the funnel's latest day, compared with the day before; this week
    runs from its Monday to that day, compared with the same days a week
    earlier. KPIs as `shopnb.monitor.kpi_table` measures them; targets from
    `shopnb.monitor.load_targets` (`targets` overrides the plans' defaults).

    Returns:
        period ("today" / "week"), start, end, kpi, value, previous, target,
        direction ("min" / "max" / missing), status ("ok" / "near" / "off" / "").

    Example:
        >>> days = pd.DataFrame({"date": pd.to_datetime(["2024-11-11", "2024-11-12"]),
        ...                      "impressions": [1000, 1000], "clicks": [50, 30],
        ...                      "buyers": [2, 1], "gmv": [200.0, 90.0]})
        >>> for r in kpi_summary(days, kpis=("gmv", "ctr")).itertuples():
        ...     print(r.period, r.kpi, r.value, r.previous, r.status or "-")
        today gmv 90.0 200.0 -
        today ctr 0.03 0.05 off
        week gmv 290.0 nan -
        week ctr 0.04 nan ok
    """
    goals = monitor.load_targets(targets or None)
    dates = pd.to_datetime(funnel["date"])
    day = dates.max().normalize()
    monday = day - pd.Timedelta(days=day.day_of_week)
    week = pd.Timedelta(days=7)
    spans = {"today": (day, day, day - pd.Timedelta(days=1)),
             "week": (monday, day, monday - week)}
    rows = []
    for period, (start, end, before) in spans.items():
        now = _kpis(funnel, dates, start, end)
        then = _kpis(funnel, dates, before, before + (end - start))
        for kpi in kpis:
            value = now.get(kpi, float("nan"))
            target = goals.get(kpi)
            rows.append({"period": period, "start": start, "end": end, "kpi": kpi,
                         "value": float(value), "previous": float(then.get(kpi, float("nan"))),
                         "target": target.value if target else float("nan"),
                         "direction": target.direction if target else None,
                         "status": target.status(float(value)) if target and pd.notna(value)
                         else ""})
    return pd.DataFrame(rows)


def _kpis(funnel: pd.DataFrame, dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp
          ) -> pd.Series:
    """The KPIs of the days from `start` to `end` (empty when there are none)."""
    rows = funnel[(dates >= start) & (dates < end + pd.Timedelta(days=1))]
    return monitor.kpi_table(rows).iloc[0] if len(rows) else pd.Series(dtype="float64")


def funnel_alerts(funnel: pd.DataFrame, *, targets: Mapping | None = None) -> pd.DataFrame:
    """The latest day's KPI alerts (`shopnb.monitor.alerts`): off target, or dropped overnight.

    For the whole shop (``detail`` "overall", no ``subject``) and per product
    (``subject`` its name, ``detail`` its id). ``kind`` is ``kpi_off_target``
    (``reference`` the target) or ``kpi_drop`` (``reference`` the day before);
    ``limit`` is the target either way.

    Raises:
        ShopDataError: the funnel lacks what the monitor needs.
    """
    found = monitor.alerts(funnel, monitor.load_targets(targets or None))
    if found.empty:
        return _empty()
    latest = found[found["date"] == found["date"].max()]
    overall = latest["scope"] == "overall"
    name = (latest["product_name"] if "product_name" in latest else latest["scope"])
    drop = latest["kind"] == "drop"
    rows = pd.DataFrame({
        "page": "funnel",
        "severity": latest["severity"].astype(str),
        "kind": "kpi_" + latest["kind"].astype(str),
        "date": pd.to_datetime(latest["date"]),
        "subject": name.where(~overall, "").fillna("").astype(str),
        "metric": latest["metric"].astype(str),
        "value": latest["value"].astype(float),
        "reference": latest["previous"].where(drop, latest["target"]).astype(float),
        "change": latest["change"].astype(float),
        "limit": latest["target"].astype(float),
        "detail": latest["scope"].where(overall, latest.get("product_id", latest["scope"]))
        .astype(str),
    })
    return sort_alerts(rows)


def competitor_alerts(competitors: pd.DataFrame, *, own_shop: str | None = None,
                      min_drop: float = 0.05) -> pd.DataFrame:
    """The rival price alerts of the latest week, one row per rival product.

    A rival product that both cut its price and went below ours is one
    ``price_below_own`` alert (high); a cut alone is ``price_cut`` (medium).
    ``value`` is the new price, ``reference`` the old one, ``change`` the
    relative change and ``limit`` the own shop's price.

    Args:
        competitors: the `competitors` table, daily or weekly.
        own_shop: the own shop (default: the first shop in the table).
        min_drop: the smallest cut that counts (0.05 = 5 %).

    Raises:
        ShopDataError: the table lacks what `shopnb.competitors.price_alerts` needs.
    """
    weekly = comp.weekly(competitors)
    if weekly.empty:
        return _empty()
    own = own_shop if own_shop is not None else competitors["shop"].dropna().iloc[0]
    found = comp.price_alerts(weekly, own_shop=own, min_drop=min_drop)
    found = found[found["date"] == weekly["date"].max()]
    if found.empty:
        return _empty()
    found = (found.assign(_high=found["kind"] == "below_own")
             .sort_values("_high", ascending=False, kind="stable")
             .drop_duplicates(["shop", "product"]))
    rows = pd.DataFrame({
        "page": "competitors",
        "severity": found["_high"].map({True: "high", False: "medium"}),
        "kind": "price_" + found["kind"].astype(str),
        "date": found["date"],
        "subject": found["shop"].astype(str) + " · " + found["product"].astype(str),
        "metric": "price",
        "value": found["new_price"].astype(float),
        "reference": found["old_price"].astype(float),
        "change": found["change"].astype(float),
        "limit": found["own_price"].astype(float),
        "detail": "",
    })
    return sort_alerts(rows)


def experiment_alerts(experiments: pd.DataFrame) -> pd.DataFrame:
    """Each A/B test's verdict as the A/B page first shows it, where it calls for action.

    Per experiment (the ``experiment`` column; the whole table when it has
    none), as the page opens it: the first three suggested metrics, the first
    one primary and the others guarding it, the ``control`` variant (else the
    first), CUPED on a ``pre_`` column when there is one. A failed sample-ratio
    check is ``ab_srm`` (high; ``value`` is its p-value); a ship verdict is
    ``ab_ship`` and a stop ``ab_stop`` (medium; ``metric`` is the primary
    metric, ``value`` the winner's or the primary metric's relative effect,
    ``detail`` the winner, or the reason's code for a stop). Tests to keep
    running are not alerts.

    Raises:
        ShopDataError: the table has no ``variant`` column.
    """
    from shopnb import experiments as ex  # tea-tasting, SciPy, statsmodels: only when asked

    if "variant" not in experiments.columns:
        raise ShopDataError("the experiment table has no variant column")
    groups = (experiments.groupby("experiment", sort=False) if "experiment" in experiments
              else [("experiment", experiments)])
    rows: list[tuple[str, str, str, str, float, str | None]] = []
    for name, frame in groups:
        frame = frame.dropna(axis=1, how="all")
        metrics = dict(list(ex.suggest_metrics(frame).items())[:3])
        if not metrics or frame.empty:
            continue
        variants = sorted(str(v) for v in frame["variant"].dropna().unique())
        covariate = next((c for c in frame.columns if str(c).startswith("pre_")), None)
        primary = next(iter(metrics))
        result = ex.analyze(frame, metrics, control="control" if "control" in variants
                            else variants[0], covariates=covariate)
        verdict = ex.verdict(result, primary=primary, guardrails=list(metrics)[1:])
        first = result[result["metric"] == primary]
        if verdict.srm_warning:
            rows.append(("high", "ab_srm", name, primary,
                         float(verdict.reasons[0].fields["pvalue"]), None))
        elif verdict.decision == "ship":
            won = first[first["variant"].astype(str) == verdict.winner]
            rows.append(("medium", "ab_ship", name, primary,
                         float(won["rel_effect_size"].iloc[0]), verdict.winner))
        elif verdict.decision == "stop":
            rows.append(("medium", "ab_stop", name, primary,
                         float(first["rel_effect_size"].iloc[0]), verdict.reasons[0].code))
    if not rows:
        return _empty()
    date = experiments["date"].max() if "date" in experiments else pd.NaT
    table = pd.DataFrame(rows, columns=["severity", "kind", "subject", "metric", "value",
                                        "detail"])
    nothing = float("nan")
    return sort_alerts(table.assign(page="experiments", date=pd.Timestamp(date),
                                    reference=nothing, change=nothing, limit=nothing)
                       [list(ALERT_COLUMNS)])


def sort_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts most severe first, the pages taking turns within a severity.

    Taking turns lets a short list show every page; each page's newest come first; the
    index is fresh.

    Example:
        >>> a = pd.DataFrame({"page": ["x", "x", "y", "z"],
        ...                   "severity": ["medium", "medium", "medium", "high"],
        ...                   "date": pd.to_datetime(["2026-01-03", "2026-01-02", "2026-01-01",
        ...                                           "2026-01-01"]),
        ...                   "subject": ["a", "b", "c", "d"]})
        >>> sort_alerts(a)["subject"].tolist()
        ['d', 'a', 'c', 'b']
    """
    rank = alerts["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    ordered = alerts.assign(_rank=rank).sort_values(
        ["_rank", "page", "date", "subject"], ascending=[True, True, False, True], kind="stable")
    turn = ordered.groupby(["_rank", "page"]).cumcount()
    return (ordered.assign(_turn=turn)
            .sort_values(["_rank", "_turn", "date", "page"], ascending=[True, True, False, True],
                         kind="stable")
            .drop(columns=["_rank", "_turn"]).reset_index(drop=True))


def _empty() -> pd.DataFrame:
    kinds = {"date": "datetime64[ns]", "value": "float64", "reference": "float64",
             "change": "float64", "limit": "float64"}  # the others hold text
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "object")) for c in ALERT_COLUMNS})


@dataclass
class Digest:
    """What the landing page shows of the other pages.

    Attributes:
        alerts: the open alerts of every page (`ALERT_COLUMNS`), most severe first.
        problems: the tables that could not be read.
        failures: ``(page, reason)`` for the parts that could not be worked out.
    """

    alerts: pd.DataFrame = field(default_factory=lambda: _empty())
    problems: list[LoadProblem] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        """The digest as JSON (`from_json` reads it back)."""
        alerts = self.alerts.to_json(orient="table", date_unit="s", double_precision=15)
        return json.dumps({"alerts": alerts,
                           "problems": [asdict(p) for p in self.problems],
                           "failures": self.failures}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Digest:
        """The digest written by `to_json`.

        Example:
            >>> d = Digest(failures=[("funnel", "no dates")])
            >>> Digest.from_json(d.to_json()).failures
            [('funnel', 'no dates')]
        """
        raw = json.loads(text)
        alerts = pd.read_json(io.StringIO(raw["alerts"]), orient="table")
        return cls(alerts=alerts.reset_index(drop=True),
                   problems=[LoadProblem(**p) for p in raw["problems"]],
                   failures=[tuple(f) for f in raw["failures"]])


def build_digest(tables: Mapping[str, pd.DataFrame | LoadProblem | None], *,
                 own_shop: str | None = None, targets: Mapping | None = None) -> Digest:
    """The alerts of every page from the shop's tables (None: a page without its table).

    A table that is a `LoadProblem` is kept in ``problems``; a part that fails
    is kept in ``failures`` (with its traceback in the server log, unless it is
    a `ShopDataError`); the other parts still count. `targets` overrides the
    plans' KPI targets (`shopnb.monitor.load_targets`).

    Example:
        >>> import pandas as pd
        >>> no_prices = pd.DataFrame({"date": pd.to_datetime(["2024-05-06"]), "shop": ["A"]})
        >>> d = build_digest({"competitors": no_prices})
        >>> d.failures[0][0], d.alerts.empty
        ('competitors', True)
    """
    parts = {"funnel": lambda df: funnel_alerts(df, targets=targets),
             "competitors": lambda df: competitor_alerts(df, own_shop=own_shop),
             "experiments": experiment_alerts}
    found, problems, failures = [], [], []
    for name, part in parts.items():
        table = tables.get(name)
        if isinstance(table, LoadProblem):
            problems.append(table)
        elif table is not None:
            try:
                found.append(part(table))
            except ShopDataError as exc:
                failures.append((name, str(exc)))
            except Exception as exc:  # a bug must not take the other pages' alerts along
                log_exception(f"the {name} alerts failed")
                failures.append((name, f"{type(exc).__name__}: {exc}"))
    found = [f for f in found if len(f)]
    alerts = sort_alerts(pd.concat(found, ignore_index=True)) if found else _empty()
    return Digest(alerts=alerts, problems=problems, failures=failures)


def write_digest(path: str | os.PathLike[str], own_shop: str | None = None) -> None:
    """Work out the digest from the configured data folder and write it atomically to `path`.

    `cached_digest` runs this in a separate process
    (``python -m shopnb.digest OUT [OWN_SHOP]``). The KPI targets are the data
    folder's (`shopnb.store.targets`); a targets file that cannot be read is one
    of the digest's ``problems``.
    """
    goals = targets()
    found = build_digest({name: table(name) for name in DIGEST_TABLES}, own_shop=own_shop,
                         targets=goals.spec)
    if goals.problem is not None:
        found.problems.append(goals.problem)
    out = Path(path)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(found.to_json())
    os.replace(tmp, out)


# --- the runner: a separate process, a cache ---------------------------------------------------

DIGEST_TIMEOUT_S = 300
DIGEST_UNUSED_S = 30 * 24 * 3600


def cached_digest(own_shop: str | None = None) -> Digest:
    """The alerts of every page for the landing page, from the data folder's tables.

    Worked out in a separate Python process (`write_digest`) and cached (in
    the user cache folder) until a data file or shopnb's code changes (a
    digest no page has read for `DIGEST_UNUSED_S` is deleted when a new one is
    written): the A/B verdicts need tea-tasting, SciPy and statsmodels, and the
    competitor alerts the competitor workbook, which the landing page's
    kernels would otherwise load for nothing. Concurrent kernels wait for one
    computation. A failed computation is a `Digest` whose ``failures`` say so
    (the details go to the server log).
    """
    cache = cache_folder() / f"digest-{_digest_key(own_shop)}.json"
    if not cache.is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        with _locked(cache.with_suffix(".lock")):
            if not cache.is_file():
                argv = [sys.executable, "-m", "shopnb.digest", str(cache)]
                if own_shop is not None:
                    argv.append(own_shop)
                try:
                    done = subprocess.run(argv, stdin=subprocess.DEVNULL,
                                          stdout=server_log_fd(), stderr=server_log_fd(),
                                          timeout=DIGEST_TIMEOUT_S, check=False)
                    failed = done.returncode != 0
                except (subprocess.TimeoutExpired, OSError):  # too slow, or no Python to run
                    failed = True
                if failed or not cache.is_file():
                    server_log().error("the landing page's digest failed: %s", argv)
                    return Digest(failures=[("index", "the alerts could not be worked out; "
                                             "the server log has the details")])
                _forget_unused_digests(cache.parent)
    with contextlib.suppress(OSError):  # its age is the time since it was last used
        os.utime(cache)
    return Digest.from_json(cache.read_text(encoding="utf-8"))


def _forget_unused_digests(folder: Path) -> None:
    """Delete the cached digests (and their locks) no page has read for `DIGEST_UNUSED_S`.

    Each change of a data file or of shopnb makes a new one, and the old ones would pile up.
    """
    unused = time.time() - DIGEST_UNUSED_S
    for old in folder.glob("digest-*.json"):
        with contextlib.suppress(OSError):  # gone already, or not ours to delete
            if old.stat().st_mtime < unused:
                old.unlink()
                old.with_suffix(".lock").unlink(missing_ok=True)


def _digest_key(own_shop: str | None) -> str:
    """What the digest depends on: the data files, the targets, the own shop, shopnb's code."""
    package = Path(__file__).resolve().parent
    parts = [*stamps(DIGEST_TABLES), own_shop,
             *((str(p.relative_to(package)), p.stat().st_mtime_ns)
               for p in sorted(package.rglob("*.py")))]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:24]


class _locked:
    """An exclusive lock on `path` for a `with` block (a no-op where fcntl is missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl  # POSIX only: imported where it is used

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # Windows: concurrent kernels may compute twice, harmlessly
            pass

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # releases the lock


if __name__ == "__main__":
    write_digest(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
