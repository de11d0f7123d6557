"""Peak resident memory of this process alone.

`getrusage`'s `ru_maxrss` keeps, across `exec`, the peak of the process this one was forked from
(a benchmark started by a bigger parent would report the parent's); the kernel's `VmHWM` is the
peak of this process's own memory since it began.
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
