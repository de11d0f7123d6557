"""Structured logs: JSON lines for machines, a readable console format on a terminal.

Every event passes a redaction step, so a token or webhook URL that slips into a log call is
masked before it is written.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

_SECRET_KEYS = re.compile(r"(token|secret|password|authorization|webhook_url|api_key)", re.IGNORECASE)
_SECRET_VALUES = [
    re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(https://hooks\.slack\.com/services/)\S+"),
    re.compile(r"(https://[^\s/]+\.webhook\.office\.com/)\S+"),
    re.compile(r"(https://[^\s/]+\.logic\.azure\.com/)\S+"),
    re.compile(r"(pat-[a-z0-9]{2,4}-)[0-9a-f-]+"),
    re.compile(r"(://[^:/\s]+:)[^@/\s]+(@)"),
]
REDACTED = "***"


def redact_text(text: str) -> str:
    for pattern in _SECRET_VALUES:
        text = pattern.sub(lambda m: m.group(1) + REDACTED + (m.group(2) if m.lastindex == 2 else ""), text)
    return text


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key):
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = redact_text(value)
    return event


# Tracebacks as data, without each frame's local variables: those hold contacts and payloads
# (structlog shows them by default).
_TRACEBACKS = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    console = fmt == "console" or (fmt == "auto" and sys.stdout.isatty())
    renderer: Any = structlog.dev.ConsoleRenderer() if console else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _TRACEBACKS if not console else structlog.processors.format_exc_info,
            _redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
