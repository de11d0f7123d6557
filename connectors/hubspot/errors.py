"""HubSpot's answers in the one error vocabulary.

Every generated package of `hubspot-api-client` has its own `ApiException` class, so they are
recognised by shape (`status`, `body`, `headers`), never by class. 429s are read by `policyName`:
the daily limit stops the run until it resets; the ten-second and secondly limits wait and retry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from urllib3.exceptions import HTTPError as Urllib3Error

from handoff.connectors.errors import (
    AuthError,
    BudgetExhausted,
    ConfigurationError,
    CrmError,
    Permanent,
    RateLimited,
    Transient,
)

CRM = "hubspot"
# HubSpot rarely sends Retry-After on 429; these are the official SDKs' fallbacks by policy.
POLICY_WAITS = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
TRANSIENT_STATUSES = {408, 423, 500, 502, 503, 504, 521, 522, 523, 524}


def is_api_exception(error: BaseException) -> bool:
    return hasattr(error, "status") and hasattr(error, "body") and hasattr(error, "headers")


def translate(error: BaseException, operation: str, now: datetime) -> CrmError:
    """Map an SDK or transport failure to what the caller should do about it.

    `now` is the runtime's clock: a resume time computed from the wall clock would land outside a
    run on simulated time (and did, in a test, once the real date passed the simulated one)."""
    if isinstance(error, Urllib3Error | ConnectionError | TimeoutError):
        return Transient(f"HubSpot unreachable: {type(error).__name__}", crm=CRM, operation=operation)
    if not is_api_exception(error):
        return Transient(f"unexpected failure: {type(error).__name__}", crm=CRM, operation=operation)
    status = int(getattr(error, "status", 0) or 0)
    body = _body(getattr(error, "body", None))
    headers = getattr(error, "headers", None) or {}
    message = f"HubSpot answered {status}: {_summary(body)}"
    if status == 429:
        return _rate_limited(body, headers, message, operation, now)
    if status == 477:
        resume = now + timedelta(seconds=_retry_after(headers, now) or 3600)
        return BudgetExhausted(
            f"{message} (account migration in progress)", resets_at=resume, crm=CRM, operation=operation
        )
    if status == 401:
        return AuthError(f"{message}; check HANDOFF_HUBSPOT_TOKEN", crm=CRM, operation=operation)
    if status == 403:
        return AuthError(f"{message}; the token lacks a scope for {operation}", crm=CRM, operation=operation)
    if status in TRANSIENT_STATUSES or status >= 500:
        return Transient(message, crm=CRM, operation=operation)
    if body.get("category") == "VALIDATION_ERROR" and "PROPERTY_DOESNT_EXIST" in json.dumps(body):
        return ConfigurationError(f"{message}; run `handoff setup`", crm=CRM, operation=operation)
    return Permanent(message, crm=CRM, operation=operation)


def _rate_limited(
    body: dict[str, Any], headers: Any, message: str, operation: str, now: datetime
) -> CrmError:
    policy = str(body.get("policyName") or "")
    if policy == "DAILY":
        return BudgetExhausted(message, resets_at=_next_midnight_utc(now), crm=CRM, operation=operation)
    wait = _retry_after(headers, now)
    if wait is None:
        secondly = "secondly" in str(body.get("message", "")).lower()
        wait = POLICY_WAITS.get(policy, 1.0 if secondly else 10.0)
    return RateLimited(message, retry_after=wait, policy=policy, crm=CRM, operation=operation)


def _retry_after(headers: Any, now: datetime) -> float | None:
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(str(value)) - now).total_seconds())
        except (TypeError, ValueError):
            return None


def _next_midnight_utc(now: datetime) -> datetime:
    """HubSpot's daily limit resets at midnight in the account's zone; the usage API says exactly
    when (`Budget.resets_at`), this is the conservative guess when it cannot be asked."""
    now = now.astimezone(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _body(raw: Any) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {"message": raw[:200]}
        return parsed if isinstance(parsed, dict) else {"message": str(parsed)[:200]}
    return {}


def _summary(body: dict[str, Any]) -> str:
    category = body.get("category") or body.get("errorType") or ""
    text = str(body.get("message") or "no message")[:300]
    return f"{category} {text}".strip()
