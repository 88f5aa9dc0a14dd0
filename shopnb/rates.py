"""Ratios of totals and their Wilson intervals, shared by the funnel metrics.

Example:
    >>> rate, low, high = wilson([18], [20])
    >>> rate.round(2).tolist(), low.round(6).tolist(), high.round(6).tolist()
    ([0.9], [0.698966], [0.972134])
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

__all__ = ["ratio", "wilson"]

Numbers = np.ndarray | Sequence[float] | float


def ratio(num: Numbers, den: Numbers) -> np.ndarray:
    """`num / den` as floats; missing (NaN) where `den` is zero or either side is missing.

    Example:
        >>> ratio([1.0, 2.0, 3.0], [4.0, 0.0, np.nan]).tolist()
        [0.25, nan, nan]
    """
    num, den = np.asarray(num, float), np.asarray(den, float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(num) & np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def wilson(count: Numbers, nobs: Numbers, alpha: float = 0.05
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`count / nobs` with its Wilson interval at level ``1 - alpha``.

    The interval is statsmodels' ``proportion_confint(method="wilson")``,
    worked out here with the standard library's normal quantile: the same
    numbers (tests compare them) without SciPy, whose memory every page's
    kernel would otherwise pay. It is missing where the ratio is not a proportion (``nobs``
    zero or missing, ``count`` below zero or above ``nobs``); the ratio itself
    is kept wherever ``nobs`` is not zero.

    Example:
        >>> wilson([5, 7], [0, 4])[0].tolist(), wilson([5, 7], [0, 4])[1].tolist()
        ([nan, 1.75], [nan, nan])
    """
    count, nobs = np.atleast_1d(np.asarray(count, float)), np.atleast_1d(np.asarray(nobs, float))
    rate = ratio(count, nobs)
    low, high = np.full(rate.shape, np.nan), np.full(rate.shape, np.nan)
    ok = np.isfinite(rate) & (nobs > 0) & (count >= 0) & (count <= nobs)
    if ok.any():
        z2 = NormalDist().inv_cdf(1 - alpha / 2) ** 2
        p, n = rate[ok], nobs[ok]
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = np.sqrt(z2 * p * (1 - p) / n + z2 * z2 / (4 * n * n)) / (1 + z2 / n)
        low[ok], high[ok] = centre - half, centre + half
    return rate, low, high
