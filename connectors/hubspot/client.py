"""The HubSpot SDK behind the one retry policy and a client-side request budget.

`hubspot-api-client`'s generated APIs talk through urllib3; its own retries are switched off
(`retry=False`) so that the retry policy is the only one, and every call goes through `call()`:
budget first (stay under the ten-second window and the search API's 5 per second), then the
request, then translation of failures into the error vocabulary. Responses' rate-limit headers
tune the budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from hubspot import HubSpot
from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from handoff.connectors.decoding import loads
from handoff.connectors.errors import CrmError
from handoff.connectors.hubspot.errors import translate
from handoff.connectors.retry import RetryPolicy

T = TypeVar("T")

# Requests per rolling ten seconds for privately distributed apps, by tier; kept 10% under.
TEN_SECOND_LIMITS = {"free": 100, "starter": 100, "professional": 190, "enterprise": 190}
SEARCH_PER_SECOND = 4  # HubSpot allows 5; one spare keeps a second process or a retry inside it
TIMEOUT = (5.0, 30.0)
BATCH = 100
ASSOCIATION_BATCH = 1_000


@dataclass
class Usage:
    """What the last response said about the budget, when it said anything."""

    remaining: int | None = None
    limit: int | None = None
    daily_remaining: int | None = None
    daily_limit: int | None = None


class RequestBudget:
    """Client-side throttle: wait (with the policy's injectable sleep) rather than collect 429s."""

    def __init__(
        self, tier: str, sleep: Callable[[float], None], clock: Callable[[], float] = time.time
    ) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._general: RateLimitItem = parse(f"{int(TEN_SECOND_LIMITS[tier] * 0.9)}/10 seconds")
        self._search: RateLimitItem = RateLimitItemPerSecond(SEARCH_PER_SECOND)
        self._sleep = sleep
        self._clock = clock
        self.usage = Usage()

    def acquire(self, *, search: bool) -> None:
        item = self._search if search else self._general
        key = "search" if search else "general"
        while not self._limiter.hit(item, key):
            reset, _ = self._limiter.get_window_stats(item, key)
            self._sleep(max(0.01, reset - self._clock()))

    def observe(self, headers: Mapping[str, str] | None) -> None:
        if not headers:
            return
        self.usage = Usage(
            remaining=_int(headers.get("X-HubSpot-RateLimit-Remaining")),
            limit=_int(headers.get("X-HubSpot-RateLimit-Max")),
            daily_remaining=_int(headers.get("X-HubSpot-RateLimit-Daily-Remaining")),
            daily_limit=_int(headers.get("X-HubSpot-RateLimit-Daily")),
        )
        if self.usage.remaining is not None and self.usage.remaining <= 1:
            interval = _int(headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")) or 10_000
            self._sleep(interval / 1000)


class HubSpotClient:
    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        tier: str,
        retry: RetryPolicy,
        clock: Callable[[], datetime],
        pace: Callable[[float], None] | None = None,
    ) -> None:
        """`clock` is the runtime's: it dates what HubSpot's answers imply (when a spent daily
        limit resets). `pace` waits for the request budget (the retry policy's sleep unless given:
        tests that skip retry waits still need real time to pass for a rate window to open)."""
        self.sdk = HubSpot(access_token=token, host=base_url.rstrip("/"), retry=False)
        self.retry = retry
        self.clock = clock
        self.budget = RequestBudget(tier, pace or retry.sleep)
        self.requests = 0

    def call(self, operation: str, function: Callable[[], Any], *, search: bool = False) -> Any:
        """Run one SDK call made with `_preload_content=False`; return its JSON, raise a `CrmError`.

        The raw response skips the SDK's model classes: the connector reads plain JSON, and building
        the generated objects cost more than the request itself on large pages.
        """

        def attempt() -> Any:
            self.budget.acquire(search=search)
            self.requests += 1
            try:
                response = function()
                body = response.data
                response.release_conn()
            except CrmError:
                raise
            except Exception as error:
                raise translate(error, operation, self.clock()) from None
            self.budget.observe(response.headers)
            return loads(body) if body else {}

        return self.retry.call(operation, attempt)

    def search(self, object_type: str, body: Mapping[str, Any], *, operation: str = "") -> dict[str, Any]:
        """One CRM search (counted against the search API's own 5 per second)."""
        api = self.sdk.crm.objects.search_api
        found: dict[str, Any] = self.call(
            operation or f"{object_type}.search",
            lambda: api.do_search_with_http_info(
                object_type, dict(body), _preload_content=False, _request_timeout=TIMEOUT
            ),
            search=True,
        )
        return found

    def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        history: Sequence[str] = (),
        size: int = BATCH,
        operation: str = "",
    ) -> list[dict[str, Any]]:
        """These records, `size` per request (100; 50 with property history): the results only,
        so an id the CRM no longer has is simply absent."""
        api = self.sdk.crm.objects.batch_api
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), size):
            body = {
                "properties": list(properties),
                "propertiesWithHistory": list(history),
                "inputs": [{"id": i} for i in ids[start : start + size]],
            }
            answer: dict[str, Any] = self.call(
                operation or f"{object_type}.batch_read",
                lambda body=body: api.read_with_http_info(  # type: ignore[misc]
                    object_type, body, archived=False, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            found += answer.get("results") or []
        return found

    def associations(self, from_type: str, to_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """The records of `to_type` each of these is associated with (v4, 1,000 ids per request:
        HubSpot raised it from 100 in 2025)."""
        api = self.sdk.crm.associations.v4.batch_api
        links: dict[str, list[str]] = {}
        for start in range(0, len(ids), ASSOCIATION_BATCH):
            body = {"inputs": [{"id": i} for i in ids[start : start + ASSOCIATION_BATCH]]}
            answer: dict[str, Any] = self.call(
                f"associations.{from_type}.{to_type}",
                lambda body=body: api.get_page_with_http_info(  # type: ignore[misc]
                    from_type, to_type, body, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            for result in answer.get("results") or []:
                links[str(result["from"]["id"])] = [str(to["toObjectId"]) for to in result.get("to") or []]
        return links

    def raw(self, operation: str, method: str, path: str, *, query: Mapping[str, Any] | None = None) -> Any:
        """An endpoint without a typed API (form submissions, usage), through the SDK's own transport."""
        api_client = self.sdk.crm.contacts.basic_api.api_client
        return self.call(
            operation,
            lambda: api_client.call_api(
                path,
                method,
                query_params=list((query or {}).items()),
                header_params={"Accept": "application/json"},
                response_types_map={200: "object"},
                auth_settings=["oauth2"],
                _preload_content=False,
                _request_timeout=TIMEOUT,
            ),
        )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
