"""The daemon's HTTP port: health, readiness, Prometheus metrics, and CRM webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from handoff.sync.runtime import Runtime

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Handler = Callable[[Request], Response]
access = structlog.get_logger("handoff.http")


class HealthApp:
    """A small WSGI app; connectors add webhook routes (`routes`) for their CRM."""

    def __init__(self, rt: Runtime, *, alive: Callable[[], bool], started_at: datetime) -> None:
        self.rt = rt
        self.alive = alive
        self.started_at = started_at
        self.handlers: dict[str, Handler] = {
            "healthz": self.healthz,
            "readyz": self.readyz,
            "metrics": self.metrics,
        }
        self.url_map = Map([Rule(f"/{name}", endpoint=name, methods=["GET"]) for name in self.handlers])

    def route(self, path: str, name: str, handler: Handler, methods: tuple[str, ...] = ("POST",)) -> None:
        self.url_map.add(Rule(path, endpoint=name, methods=list(methods)))
        self.handlers[name] = handler

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            endpoint, _ = adapter.match()
            response = self.handlers[str(endpoint)](request)
        except NotFound as error:
            response = error.get_response()
        except HTTPException as error:
            response = error.get_response()
        return response(environ, start_response)

    def healthz(self, _: Request) -> Response:
        ok = self.alive()
        return _json({"status": "ok" if ok else "stopped"}, 200 if ok else 503)

    def readyz(self, _: Request) -> Response:
        checks: dict[str, object] = {"database": self.rt.store.ping() or "ok"}
        now = self.rt.clock()
        last = None
        if checks["database"] == "ok":
            with self.rt.store.begin() as tx:
                last = tx.runs.last_success("cycle")
        limit = 3 * self.rt.settings.cycle_seconds
        age = (now - (last or self.started_at)).total_seconds()
        checks["last_cycle_age_seconds"] = round(age, 1)
        checks["last_cycle_at"] = last.isoformat() if last else None
        ready = checks["database"] == "ok" and age <= limit
        return _json({"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503)

    def metrics(self, _: Request) -> Response:
        return Response(generate_latest(self.rt.metrics.registry), mimetype=CONTENT_TYPE_LATEST)


def _json(body: dict[str, object], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class _LoggedHandler(WSGIRequestHandler):
    """Access lines through the structured log (debug level), not werkzeug's coloured stderr."""

    def log(self, type: str, message: str, *args: object) -> None:
        access.debug("http.request", type=type, line=message % args)


class HttpServer:
    def __init__(self, app: HealthApp, host: str, port: int) -> None:
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_LoggedHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="handoff-http", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_port

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
