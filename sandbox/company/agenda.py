"""What is planned to happen, and when: actions in time order, ties in the order planned."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from handoff.sandbox.kit.clock import to_ms

Action = Callable[[datetime], None]


@dataclass(order=True)
class _Planned:
    at: datetime
    seq: int
    action: Action = field(compare=False)


class Agenda:
    def __init__(self) -> None:
        self._queue: list[_Planned] = []
        self._seq = itertools.count()

    def plan(self, at: datetime, action: Action) -> None:
        heapq.heappush(self._queue, _Planned(to_ms(at), next(self._seq), action))

    def run_until(self, until: datetime) -> None:
        """Run every action due by ``until``, each with its moment."""
        while self._queue and self._queue[0].at <= until:
            item = heapq.heappop(self._queue)
            item.action(item.at)
