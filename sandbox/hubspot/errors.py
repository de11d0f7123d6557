"""HubSpot's error bodies, so a connector parses the sandbox's failures like the real ones.

HubSpot tells clients to treat every field of an error as optional; the sandbox fills them all in,
which is what a live account usually does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]


def correlation_id() -> str:
    return str(uuid.uuid4())


def error_body(
    message: str,
    category: str,
    *,
    errors: Sequence[JsonObject] | None = None,
    context: Mapping[str, Sequence[str]] | None = None,
    sub_category: str | None = None,
) -> JsonObject:
    """The generic error envelope (``status``, ``message``, ``correlationId``, ``category``...)."""
    body: JsonObject = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    if sub_category is not None:
        body["subCategory"] = sub_category
    if errors:
        body["errors"] = list(errors)
    if context:
        body["context"] = {key: list(values) for key, values in context.items()}
    return body


class ApiError(Exception):
    """An HTTP error answer; handlers raise it and the app turns it into a response."""

    def __init__(
        self,
        status: int,
        body: JsonObject,
        headers: Mapping[str, str] | None = None,
        *,
        html: str | None = None,
    ) -> None:
        super().__init__(f"{status}: {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.html = html


def bad_request(message: str, *, sub_category: str | None = None) -> ApiError:
    return ApiError(400, error_body(message, "VALIDATION_ERROR", sub_category=sub_category))


def not_found(message: str = "resource not found") -> ApiError:
    return ApiError(404, error_body(message, "OBJECT_NOT_FOUND"))


def conflict(message: str, category: str = "CONFLICT") -> ApiError:
    return ApiError(409, error_body(message, category))


def unauthorized() -> ApiError:
    return ApiError(
        401,
        error_body(
            "Authentication credentials not found. This API supports OAuth 2.0 authentication"
            " and you can find more details at"
            " https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION",
        ),
    )


def rate_limited(policy: str, message: str) -> ApiError:
    """A 429 body like HubSpot's: ``errorType`` and ``policyName``, no ``Retry-After``."""
    body: JsonObject = {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }
    return ApiError(429, body)


@dataclass(frozen=True)
class PropertyProblem:
    """One invalid property value, in the vocabulary HubSpot uses inside validation messages."""

    name: str
    code: str
    message: str


@dataclass
class PropertyValidationError(Exception):
    """A write was refused because some of its property values are invalid; nothing was applied."""

    problems: list[PropertyProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        details = [
            {
                "isValid": False,
                "message": problem.message,
                "error": problem.code,
                "name": problem.name,
                "localizedErrorMessage": problem.message,
            }
            for problem in self.problems
        ]
        return "Property values were not valid: " + json.dumps(details, separators=(",", ":"))

    def details(self) -> list[JsonObject]:
        return [
            {
                "message": problem.message,
                "code": problem.code,
                "context": {"propertyName": [problem.name]},
            }
            for problem in self.problems
        ]

    def to_api_error(self) -> ApiError:
        return ApiError(400, error_body(self.message, "VALIDATION_ERROR", errors=self.details()))


def batch_error(
    message: str,
    category: str,
    *,
    context: Mapping[str, Sequence[str]],
    details: Sequence[JsonObject] = (),
    sub_category: str | None = None,
) -> JsonObject:
    """One entry of a 207 ``errors[]`` list (the SDK's ``StandardError``)."""
    entry: JsonObject = {
        "status": "error",
        "category": category,
        "message": message,
        "context": {key: list(values) for key, values in context.items()},
        "errors": list(details),
        "links": {},
    }
    if sub_category is not None:
        entry["subCategory"] = sub_category
    return entry


def reject_unknown_fields(body: Mapping[str, Any], allowed: frozenset[str], model: str) -> None:
    """HubSpot's JSON binding refuses fields it does not know (``filter_groups`` is not
    ``filterGroups``) instead of ignoring them, so a mis-cased request fails loudly."""
    for name in body:
        if name not in allowed:
            raise ApiError(
                400,
                error_body(
                    f'Invalid input JSON on line 1: Unrecognized field "{name}" (class {model}),'
                    " not marked as ignorable",
                    "VALIDATION_ERROR",
                ),
            )
