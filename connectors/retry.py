"""The one retry policy at the CRM boundary (tenacity).

Retries rate limits and transient failures with jittered exponential backoff, honours the CRM's
Retry-After hint up to a cap (a bogus "retry in a day" must not freeze a worker), and always stops.
Everything else — permanent, auth, configuration, an exhausted daily budget — goes straight up.
SDK-level retries are switched off in every connector so that layers never multiply.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from handoff.connectors.errors import CrmError, RateLimited, Transient

T = TypeVar("T")
log = structlog.get_logger("handoff.retry")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    max_seconds: float = 300.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep)  # noqa: TID251 - the one place that waits

    def call(self, operation: str, function: Callable[[], T]) -> T:
        """Run `function`, retrying what may pass; `operation` names it in logs and errors."""
        retrying = Retrying(
            retry=retry_if_exception_type((RateLimited, Transient)),
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.max_seconds),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
            before_sleep=lambda state: _log_retry(operation, state),
        )
        return retrying(function)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(0.0, min(error.retry_after, self.retry_after_cap))
        backoff = wait_random_exponential(multiplier=1, max=self.backoff_cap)
        return float(backoff(state))


def _log_retry(operation: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    crm = error.crm if isinstance(error, CrmError) else ""
    log.warning(
        "crm.retry",
        operation=operation,
        crm=crm,
        attempt=state.attempt_number,
        wait_seconds=round(wait, 3),
        error=type(error).__name__,
        message=str(error),
    )


DEFAULT_RETRY = RetryPolicy()
