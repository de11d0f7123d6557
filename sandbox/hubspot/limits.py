"""HubSpot's rate limits: a rolling 10-second burst per app, 5 searches per second, a daily cap,
with each tier's numbers and the headers HubSpot announces them in.

The counting is the kit's (``handoff.sandbox.kit.ratewindows``): the burst and secondly windows run
on an injectable monotonic clock, the daily count on the CRM's clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handoff.sandbox.hubspot.errors import ApiError, rate_limited
from handoff.sandbox.kit.clock import Clock
from handoff.sandbox.kit.ratewindows import DailyCount, RollingWindow

TIERS = ("free", "starter", "professional", "enterprise")
_BURST = {"free": 100, "starter": 100, "professional": 190, "enterprise": 190}
_DAILY = {"free": 250_000, "starter": 250_000, "professional": 625_000, "enterprise": 1_000_000}


@dataclass(frozen=True)
class RateLimitConfig:
    """Limits to enforce; ``None`` means the tier's default."""

    burst: int | None = None
    interval_seconds: float = 10.0
    daily: int | None = None
    search_per_second: int = 5
    enabled: bool = True

    @classmethod
    def unlimited(cls) -> RateLimitConfig:
        """Count usage and send headers, but never answer 429 (for tests that page a lot)."""
        return cls(enabled=False)


@dataclass(frozen=True)
class Admission:
    error: ApiError | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Usage:
    limit: int
    current: int
    resets_at: datetime
    collected_at: datetime


class RateLimiter:
    def __init__(
        self,
        tier: str,
        config: RateLimitConfig,
        *,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
        self.config = config
        self.burst = config.burst if config.burst is not None else _BURST[tier]
        self.daily = config.daily if config.daily is not None else _DAILY[tier]
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._window = RollingWindow(config.interval_seconds)
        self._searches = RollingWindow(1.0)
        self._today = DailyCount(clock)

    def admit(self, *, search: bool) -> Admission:
        """Count a request if it is within limits, else say which limit it hit."""
        with self._lock:
            now = self._monotonic()
            self._today.roll()
            self._window.expire(now)
            self._searches.expire(now)
            enforce = self.config.enabled
            if enforce and self._today.used >= self.daily:
                error = rate_limited("DAILY", "You have reached your daily limit.")
                return Admission(error, self._headers(search))
            if search:
                if enforce and len(self._searches) >= self.config.search_per_second:
                    error = rate_limited("SECONDLY", "You have reached your secondly limit.")
                    return Admission(error, {})
                self._searches.add(now)
            else:
                if enforce and len(self._window) >= self.burst:
                    error = rate_limited(
                        "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit."
                    )
                    return Admission(error, self._headers(search))
                self._window.add(now)
            self._today.add()
            return Admission(None, self._headers(search))

    def usage(self) -> Usage:
        with self._lock:
            self._today.roll()
            return Usage(self.daily, self._today.used, self._today.resets_at(), self._clock())

    def _headers(self, search: bool) -> dict[str, str]:
        if search:
            return {}
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.config.interval_seconds * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.burst),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst - len(self._window))),
            "X-HubSpot-RateLimit-Daily": str(self.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily - self._today.used)),
        }
