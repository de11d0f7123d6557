"""Every request an emulator answered (or dropped), so tests can assert a connector's API economy:
how many calls, which endpoints, how big the batches were."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import overload


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    timestamp: datetime
    batch_size: int | None = None
    fault: str | None = None
    search: bool = False

    @property
    def dropped(self) -> bool:
        """The connection was closed without an answer (``status`` is 0)."""
        return self.status == 0


class RequestLog(Sequence[LoggedRequest]):
    """A thread-safe, append-only list; indexing and iteration see a consistent copy.

    It keeps the latest ``maxlen`` entries so a demo running for days stays small.
    """

    def __init__(self, maxlen: int = 200_000) -> None:
        self._items: deque[LoggedRequest] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def append(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)

    def matching(self, method: str | None = None, path_prefix: str | None = None) -> list[LoggedRequest]:
        return [
            item
            for item in self.snapshot()
            if (method is None or item.method == method.upper())
            and (path_prefix is None or item.path.startswith(path_prefix))
        ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @overload
    def __getitem__(self, index: int) -> LoggedRequest: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[LoggedRequest]: ...

    def __getitem__(self, index: int | slice) -> LoggedRequest | Sequence[LoggedRequest]:
        return self.snapshot()[index]

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())
