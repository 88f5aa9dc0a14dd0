"""Memory figures for the benchmarks, in MB (10^6 bytes, as the budgets count them)."""

from __future__ import annotations

import sys
from pathlib import Path

MB = 10**6


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux: VmHWM, which starts afresh at exec (ru_maxrss can
    carry the parent's peak over a fork and exec); elsewhere ru_maxrss.

    Example:
        >>> peak_rss_mb() > 1
        True
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / MB  # kB, that is KiB
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MB
