"""Seeded fault injection: throttles, server errors, slow answers and dropped connections.

A fault is decided before the request touches the CRM, so a client that retries a faulted write
cannot apply it twice. The one exception is ``slow``: the answer is late but real, as when HubSpot
is slow (a client that times out and retries a create can then duplicate it, as on HubSpot).
The decision sequence depends only on the seed and the order of non-exempt requests.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Collection
from dataclasses import dataclass, field

from handoff.sandbox.hubspot.errors import ApiError, error_body, rate_limited

FAULT_KINDS = frozenset({"429", "500", "502", "503", "slow", "drop"})

_BAD_GATEWAY_HTML = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    "</center><hr><center>cloudflare</center></body></html>"
)


@dataclass(frozen=True)
class FaultConfig:
    seed: int = 0
    rate: float = 0.0
    kinds: Collection[str] = field(default=FAULT_KINDS)
    slow_seconds: float = 2.0
    exempt_paths: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; use {sorted(FAULT_KINDS)}")
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


def fault_error(kind: str) -> ApiError:
    """The answer for an error fault (``slow`` and ``drop`` are handled by the server)."""
    if kind == "429":
        return rate_limited("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
    if kind == "500":
        return ApiError(500, error_body("internal error", "INTERNAL_ERROR", sub_category="Sandbox.FAULT"))
    if kind == "502":
        return ApiError(502, {"message": "Bad Gateway"}, html=_BAD_GATEWAY_HTML)
    if kind == "503":
        return ApiError(
            503,
            error_body("The service is temporarily unavailable. Please try again.", "SERVICE_UNAVAILABLE"),
        )
    raise ValueError(kind)
