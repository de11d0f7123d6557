"""What a route handler gets (the parsed call and the sandbox's services) and what it returns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from handoff.sandbox.hubspot.catalog import ObjectType, resolve_object_type
from handoff.sandbox.hubspot.errors import ApiError, bad_request, error_body
from handoff.sandbox.hubspot.limits import RateLimiter
from handoff.sandbox.hubspot.search import SearchEngine
from handoff.sandbox.hubspot.state import SandboxState


@dataclass
class Backend:
    state: SandboxState
    search: SearchEngine
    limiter: RateLimiter
    tier: str


@dataclass
class Call:
    backend: Backend
    method: str
    path: str
    args: MultiDict[str, str]
    params: dict[str, str]
    raw_body: bytes
    base_url: str
    batch_size: int | None = None

    @property
    def state(self) -> SandboxState:
        return self.backend.state

    def json(self) -> Any:
        if not self.raw_body.strip():
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError as exc:
            raise bad_request(f"Invalid input JSON: {exc}") from None

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise bad_request("Invalid input JSON: expected an object")
        return body

    def flag(self, name: str, default: bool = False) -> bool:
        raw = self.args.get(name)
        return default if raw is None else raw.strip().lower() == "true"

    def integer(self, name: str, default: int, *, maximum: int | None = None) -> int:
        raw = self.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"{name} must be an integer, got {raw!r}") from None
        if value < 0 or (maximum is not None and value > maximum):
            raise bad_request(f"{name} must be between 0 and {maximum}, got {value}")
        return value

    def names(self, name: str) -> list[str]:
        """A list parameter sent either repeated (``a=1&a=2``, the SDK) or comma-separated."""
        names: list[str] = []
        for raw in self.args.getlist(name):
            names.extend(part.strip() for part in raw.split(",") if part.strip())
        return names

    def object_type(self, key: str = "object_type") -> ObjectType:
        raw = self.params[key]
        spec = resolve_object_type(raw)
        if spec is None:
            raise ApiError(400, error_body(f"Unable to infer object type from: {raw}", "VALIDATION_ERROR"))
        return spec


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]
