"""Seeded fault injection: throttles, server errors, slow answers and dropped connections.

A fault is decided before the request touches the CRM, so a client that retries a faulted write
cannot apply it twice. The one exception is ``slow``: the answer is late but real, as when a CRM
is slow (a client that times out and retries a create can then duplicate it, as on the real one).
The decision sequence depends only on the seed and the order of non-exempt requests. What an
error fault looks like on the wire (its status line and body) is each emulator's to render.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = frozenset({"429", "500", "502", "503", "slow", "drop"})


@dataclass(frozen=True)
class FaultConfig:
    seed: int = 0
    rate: float = 0.0
    kinds: Collection[str] = field(default=FAULT_KINDS)
    slow_seconds: float = 2.0
    exempt_paths: tuple[str, ...] = ()
    latency_seconds: float = 0.0
    """Added to every answer, as a network between the client and the CRM would (real CRMs are
    some 100 ms away; the sandbox on localhost is not)."""

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; use {sorted(FAULT_KINDS)}")
        if self.latency_seconds < 0:
            raise ValueError("latency is a duration of zero or more seconds")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate is a fraction between 0 and 1")
        if not self.kinds and self.rate > 0:
            raise ValueError("a positive rate needs at least one fault kind")


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._kinds = sorted(config.kinds)
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()

    def draw(self, path: str) -> str | None:
        """The fault for this request, if any."""
        if self.config.rate <= 0 or any(path.startswith(p) for p in self.config.exempt_paths):
            return None
        with self._lock:
            if self._rng.random() >= self.config.rate:
                return None
            return self._rng.choice(self._kinds)


class DroppedConnection(ConnectionAbortedError):
    """Raised after closing the socket; werkzeug treats it as a client that went away."""


def drop_connection(environ: Mapping[str, Any]) -> None:
    """The ``drop`` fault: close the request's socket without an answer."""
    connection = environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
    raise DroppedConnection("sandbox fault: connection dropped")
