"""Shared pieces of the HubSpot benchmarks: quiet logs, figures."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

from handoff.sandbox.hubspot import LoggedRequest
from handoff.sync.logs import configure_logging

_ID = re.compile(r"/\d+(?=/|$)")


def quiet_logs() -> None:
    """handoff logs every cycle at info, werkzeug every request; a benchmark prints its own figures."""
    configure_logging("warning", "json")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def wait(seconds: float) -> None:
    """A real wait that is not `time.sleep` (banned outside the retry policy)."""
    threading.Event().wait(seconds)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 100 values is the 95th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def endpoint(item: LoggedRequest) -> str:
    """`POST /crm/v3/objects/contacts/batch/update`, record ids folded into `{id}`."""
    return f"{item.method} {_ID.sub('/{id}', item.path)}"


def calls_by_endpoint(log: Iterable[LoggedRequest]) -> Counter[str]:
    return Counter(endpoint(item) for item in log)


def print_calls(calls: Counter[str], indent: str = "  ") -> None:
    width = max((len(name) for name in calls), default=0)
    for name, count in sorted(calls.items(), key=lambda pair: (-pair[1], pair[0])):
        print(f"{indent}{name:<{width}}  {count:>7,}")
