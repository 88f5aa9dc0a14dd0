"""What the machine was like while a benchmark ran: its cores, its load and its speed."""

from __future__ import annotations

import os
import time

LOOP_STEPS = 10_000_000


def python_loop_s(steps: int = LOOP_STEPS) -> float:
    """Seconds a plain Python loop of `steps` additions takes: the host's speed right now.

    The shared 2-core machine's speed changes within the hour, by up to 1.8x (2026-11-23),
    and every timing follows it: print this beside them.

    Example:
        >>> python_loop_s(1_000) < 1
        True
    """
    start = time.perf_counter()
    total = 0
    for step in range(steps):
        total += step
    return time.perf_counter() - start


def machine() -> str:
    """The cores, the load averages and the loop's time, in one line.

    Example:
        >>> machine()  # doctest: +SKIP
        '2 cores, load 0.83 0.90 1.20, a 10-million-step Python loop 0.51 s'
    """
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, load {load}, a {LOOP_STEPS // 1_000_000}-million-step"
            f" Python loop {python_loop_s():.2f} s")
