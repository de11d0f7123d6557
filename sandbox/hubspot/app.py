"""The WSGI application: authentication, fault injection, rate limits, routing and the request log.

The order matters and mirrors HubSpot: a bad token is refused before anything else; an injected
fault never reaches the CRM; a throttled request is not counted against the daily quota; search
answers carry no rate-limit headers.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from handoff.sandbox.hubspot import api_associations, api_marketing, api_objects, api_owners, api_properties
from handoff.sandbox.hubspot.errors import ApiError, error_body, unauthorized
from handoff.sandbox.hubspot.faults import fault_error
from handoff.sandbox.hubspot.routing import Backend, Call, Handler, Reply
from handoff.sandbox.kit.faults import DroppedConnection, FaultConfig, FaultInjector, drop_connection
from handoff.sandbox.kit.requestlog import LoggedRequest, RequestLog

_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("/crm/v3/objects/<object_type>", "GET", api_objects.list_page),
    ("/crm/v3/objects/<object_type>", "POST", api_objects.create_one),
    ("/crm/v3/objects/<object_type>/search", "POST", api_objects.search),
    ("/crm/v3/objects/<object_type>/batch/read", "POST", api_objects.batch_read),
    ("/crm/v3/objects/<object_type>/batch/update", "POST", api_objects.batch_update),
    ("/crm/v3/objects/<object_type>/batch/create", "POST", api_objects.batch_create),
    ("/crm/v3/objects/<object_type>/batch/archive", "POST", api_objects.batch_archive),
    ("/crm/v3/objects/<object_type>/<record_id>", "GET", api_objects.get_one),
    ("/crm/v3/objects/<object_type>/<record_id>", "PATCH", api_objects.update_one),
    ("/crm/v3/objects/<object_type>/<record_id>", "DELETE", api_objects.archive_one),
    ("/crm/v3/properties/<object_type>", "GET", api_properties.list_properties),
    ("/crm/v3/properties/<object_type>", "POST", api_properties.create_property),
    ("/crm/v3/properties/<object_type>/groups", "GET", api_properties.list_groups),
    ("/crm/v3/properties/<object_type>/groups", "POST", api_properties.create_group),
    ("/crm/v3/properties/<object_type>/groups/<name>", "GET", api_properties.get_group),
    ("/crm/v3/properties/<object_type>/<name>", "GET", api_properties.get_property),
    ("/crm/v3/properties/<object_type>/<name>", "PATCH", api_properties.update_property),
    ("/crm/v3/owners", "GET", api_owners.list_owners),
    ("/crm/v3/owners/<owner_id>", "GET", api_owners.get_owner),
    (
        "/crm/v4/associations/<from_type>/<to_type>/batch/read",
        "POST",
        api_associations.batch_read,
    ),
    (
        "/crm/v4/objects/<object_type>/<record_id>/associations/<to_type>",
        "GET",
        api_associations.list_for_record,
    ),
    (
        "/crm/v4/objects/<object_type>/<record_id>/associations/default/<to_type>/<to_id>",
        "PUT",
        api_associations.create_default,
    ),
    ("/marketing/v3/forms", "GET", api_marketing.list_forms),
    ("/marketing/v3/forms/<form_id>", "GET", api_marketing.get_form),
    ("/form-integrations/v1/submissions/forms/<form_id>", "GET", api_marketing.list_submissions),
    ("/events/v3/events", "GET", api_marketing.list_events),
    ("/events/v3/events/event-types", "GET", api_marketing.event_types),
    ("/account-info/v3/api-usage/daily/private-apps", "GET", api_marketing.api_usage),
)


class SandboxApp:
    def __init__(
        self,
        backend: Backend,
        *,
        token: str,
        log: RequestLog,
        faults: FaultConfig | None,
        stopping: threading.Event,
    ) -> None:
        self.backend = backend
        self.token = token
        self.log = log
        self.stopping = stopping
        self.internal_errors: list[str] = []
        self._faults = FaultInjector(faults or FaultConfig())
        self._map = Map(
            [Rule(path, methods=[method], endpoint=handler) for path, method, handler in _ROUTES],
            strict_slashes=False,
        )

    def set_faults(self, faults: FaultConfig | None) -> None:
        self._faults = FaultInjector(faults or FaultConfig())

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._respond(request, environ)
        return response(environ, start_response)

    def _respond(self, request: Request, environ: dict[str, Any]) -> Response:
        path = request.path.rstrip("/") or "/"
        call = Call(
            backend=self.backend,
            method=request.method,
            path=path,
            args=request.args,
            params={},
            raw_body=request.get_data(),
            base_url=request.host_url.rstrip("/"),
        )
        entry = _Entry(call)
        try:
            reply = self._handle(call, request, environ, entry)
        except ApiError as exc:
            reply = Reply(exc.status, exc, exc.headers)
        except DroppedConnection:
            raise
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            reply = Reply(500, ApiError(500, error_body("internal error", "INTERNAL_ERROR")))
        self._record(entry, reply.status)
        return _to_response(reply)

    def _handle(self, call: Call, request: Request, environ: dict[str, Any], entry: _Entry) -> Reply:
        if request.headers.get("Authorization", "") != f"Bearer {self.token}":
            raise unauthorized()
        adapter = self._map.bind("sandbox")
        try:
            handler, params = adapter.match(call.path, method=call.method)
        except NotFound:
            raise ApiError(
                404, error_body(f"No route for {call.method} {call.path}", "OBJECT_NOT_FOUND")
            ) from None
        except MethodNotAllowed:
            raise ApiError(
                405, error_body(f"{call.method} is not allowed on {call.path}", "VALIDATION_ERROR")
            ) from None
        call.params = {key: str(value) for key, value in params.items()}
        entry.search = handler is api_objects.search
        if self._faults.config.latency_seconds:
            self.stopping.wait(self._faults.config.latency_seconds)
        fault = self._faults.draw(call.path)
        entry.fault = fault
        if fault == "drop":
            self._record(entry, 0)
            drop_connection(environ)
        if fault == "slow":
            # Deliberately late answer; an Event wait (not time.sleep) so stop() cuts it short.
            self.stopping.wait(self._faults.config.slow_seconds)
        elif fault is not None:
            raise fault_error(fault)
        admission = self.backend.limiter.admit(search=entry.search)
        if admission.error is not None:
            raise ApiError(429, admission.error.body, admission.headers)
        try:
            reply: Reply = handler(call)
        except ApiError as exc:
            exc.headers.update(admission.headers)
            raise
        reply.headers.update(admission.headers)
        return reply

    def _record(self, entry: _Entry, status: int) -> None:
        self.log.append(
            LoggedRequest(
                method=entry.call.method,
                path=entry.call.path,
                query=entry.query,
                status=status,
                timestamp=self.backend.state.clock(),
                batch_size=entry.call.batch_size,
                fault=entry.fault,
                search=entry.search,
            )
        )


class _Entry:
    """What the request log needs to know about a call as it is handled."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.query = "&".join(f"{key}={value}" for key, value in call.args.items(multi=True))
        self.fault: str | None = None
        self.search = False


def _to_response(reply: Reply) -> Response:
    body = reply.body
    if isinstance(body, ApiError):
        if body.html is not None:
            return Response(body.html, body.status, reply.headers, mimetype="text/html")
        body = body.body
    if reply.status == 204 or body is None:
        return Response(b"", reply.status, reply.headers)
    payload = json.dumps(body, separators=(",", ":"))
    return Response(payload, reply.status, reply.headers, mimetype="application/json")
