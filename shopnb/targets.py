"""The KPIs by name and their targets: the plans' defaults, overridden from TOML or a dict.

The default targets come from the shop's operating plans: CTR at least 4 %,
click → deal conversion at least 3.5 %, video completion rate at least 65 %,
ROI at least 3 and a cost per exposure of at most 0.8 yuan.

This module sits below the data folder (`shopnb.store` reads the folder's
``targets.toml`` with `load_targets`) and below the metrics that measure the
KPIs (`shopnb.funnel.kpis`) and check them (`shopnb.monitor.alerts`), so the
names of the KPIs live here, once, for all of them.

Example:
    >>> targets = load_targets({"ctr": 0.05, "roi": {"min": 2.5}})
    >>> targets["ctr"], targets["cost_per_impression"].direction
    (Target(metric='ctr', value=0.05, direction='min'), 'max')
    >>> targets["ctr"].status(0.046), targets["ctr"].status(0.044)
    ('near', 'off')
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
import pandas as pd

from shopnb.errors import ShopDataError

__all__ = ["COST_STAGES", "DEFAULT_TARGETS", "KPIS", "TARGET_METRICS", "Target", "load_targets"]

Direction = Literal["min", "max"]
Status = Literal["ok", "near", "off"]

COST_STAGES = ("impressions", "clicks", "carts", "orders", "buyers")
KPIS = (
    "ctr",
    "click_to_deal",
    "impression_to_deal",
    "gpm",
    "uv_value",
    "aov",
    "refund_rate",
    "roi",
    *(f"cost_per_{s[:-1]}" for s in COST_STAGES),
)
# a KPI's value: one number, or one per row (an array or a Series)
Actual = TypeVar("Actual", float, np.ndarray, pd.Series)
# what a target can be set for: the KPIs, the videos' completion and the funnel's totals
TARGET_METRICS = (*KPIS, "completion_rate", "gmv", "orders", "buyers", "clicks", "impressions")


@dataclass(frozen=True)
class Target:
    """A KPI's target: at least (``"min"``) or at most (``"max"``) `value`.

    Example:
        >>> round(Target("cost_per_impression", 0.8, "max").gap(1.0), 6)
        0.25
    """

    metric: str
    value: float
    direction: Direction = "min"

    def gap(self, actual: Actual) -> Actual:
        """How far `actual` falls short, relative to the target (0 or less: met)."""
        short = (self.value - actual) if self.direction == "min" else (actual - self.value)
        return short / abs(self.value) if self.value else short

    def status(self, actual: float, tolerance: float = 0.10) -> Status:
        """``"ok"`` (met), ``"near"`` (short by at most `tolerance`), ``"off"`` (further)."""
        gap = self.gap(actual)
        if not np.isfinite(gap):
            return "ok" if np.isnan(actual) else "off"
        return "ok" if gap <= 0 else "near" if gap <= tolerance else "off"


DEFAULT_TARGETS: dict[str, Target] = {
    "ctr": Target("ctr", 0.04, "min"),
    "click_to_deal": Target("click_to_deal", 0.035, "min"),
    "completion_rate": Target("completion_rate", 0.65, "min"),
    "roi": Target("roi", 3.0, "min"),
    "cost_per_impression": Target("cost_per_impression", 0.8, "max"),
}


def load_targets(source: str | os.PathLike | Mapping | None = None) -> dict[str, Target]:
    """The default targets, overridden by a TOML file or a dict.

    Each entry is ``metric = number`` (keeping the default direction; "at
    least" for a metric without a default) or ``metric = {min = number}`` /
    ``{max = number}``. In a file the entries may sit under a ``[targets]``
    table::

        [targets]
        ctr = 0.05
        roi = { min = 2.5 }
        cost_per_click = { max = 1.2 }

    Raises:
        ShopDataError: an unknown metric, a value that is not a number, or a
            file that is not TOML.

    Example:
        >>> load_targets({"cost_per_click": {"max": 1.2}})["cost_per_click"].direction
        'max'
    """
    if source is None:
        return dict(DEFAULT_TARGETS)
    entries, origin = _target_entries(source)
    targets = dict(DEFAULT_TARGETS)
    for metric, spec in entries.items():
        if metric not in TARGET_METRICS:
            raise ShopDataError(f"no KPI called {metric!r}; targets can be set for "
                                f"{', '.join(TARGET_METRICS)}", file=origin)
        default = DEFAULT_TARGETS.get(metric, Target(metric, 0.0)).direction
        if isinstance(spec, Mapping) and len(spec) == 1 and next(iter(spec)) in ("min", "max"):
            direction, value = next(iter(spec.items()))
        elif not isinstance(spec, Mapping):
            direction, value = default, spec
        else:
            raise ShopDataError(f"target {metric}: write a number, {{min = x}} or {{max = x}}; "
                                f"got {spec!r}", file=origin)
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise ShopDataError(f"target {metric}: expected a number, found {value!r}",
                                file=origin)
        targets[metric] = Target(metric, float(value), direction)
    return targets


def _target_entries(source: str | os.PathLike | Mapping) -> tuple[Mapping, str | None]:
    if isinstance(source, Mapping):
        entries, origin = source, None
    else:
        origin = str(source)
        try:
            with Path(source).open("rb") as f:
                entries = tomllib.load(f)
        except OSError as exc:
            raise ShopDataError(f"cannot read the targets file: {exc.strerror}",
                                file=origin) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ShopDataError(f"the targets file is not valid TOML: {exc}",
                                file=origin) from exc
    if isinstance(entries.get("targets"), Mapping):
        entries = entries["targets"]
    return entries, origin
