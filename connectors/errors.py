"""One error vocabulary for every CRM: what went wrong, and what the caller should do about it.

Connectors translate their SDK's exceptions into these at the boundary, so the retry policy, the
outbox and the daemon decide on meaning (wait, retry, quarantine, stop) and never on status codes
or vendor exception classes.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError


class CrmError(Exception):
    """Base of every error a connector raises. Messages never carry tokens or payloads."""

    def __init__(self, message: str, *, crm: str = "", operation: str = "") -> None:
        super().__init__(message)
        self.crm = crm
        self.operation = operation


class RateLimited(CrmError):
    """The CRM asked us to slow down; `retry_after` is its hint in seconds, when it gave one."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, policy: str = "", **kw: str
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.policy = policy


class BudgetExhausted(CrmError):
    """A quota for the day (or longer) is spent: stop the run and resume after `resets_at`.

    Not retried in-process: sleeping for hours inside a job would freeze the daemon.
    """

    def __init__(self, message: str, *, resets_at: datetime | None = None, **kw: str) -> None:
        super().__init__(message, **kw)
        self.resets_at = resets_at


class Transient(CrmError):
    """A failure that may pass: 5xx, timeouts, dropped connections, a locked record."""


class Permanent(CrmError):
    """The CRM refused this request or record for good (validation, unknown record); do not retry."""


class AuthError(CrmError):
    """Credentials are missing, wrong or expired; a person has to act."""


class ConfigurationError(CrmError):
    """The CRM is not set up the way handoff needs (missing properties, unknown stage values)."""


class RecordRefused(ValueError):
    """A record a connector cannot map; its message names the field and never holds its values."""


def record_problem(error: Exception) -> str:
    """Why one record could not be read, in words safe for logs and the quarantine: the fields
    and the rule they broke, never the values (which are contact data)."""
    if isinstance(error, RecordRefused):
        return str(error)
    if isinstance(error, ValidationError):  # each field with its rule, without its input
        return "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'record'}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)
        )
    return f"the record could not be read ({type(error).__name__})"
