"""A local HTTP server for an emulator's WSGI app: on 127.0.0.1, in a background thread, quiet.

Tests and the demo start one per emulator, talk to it with the CRM's real client, and stop it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class QuietHandler(WSGIRequestHandler):
    """Werkzeug logs every request to stderr; the request log already records them.

    Nagle's algorithm is off: werkzeug writes headers and body separately, and on loopback the
    delayed ACK would otherwise add milliseconds to every answer.
    """

    disable_nagle_algorithm = True

    def log(self, type: str, message: str, *args: Any) -> None:
        return None


class LocalServer:
    """Serves ``app`` on 127.0.0.1 until stopped. ``stopping`` (the app's to share) is set while
    the server shuts down, so answers that are deliberately late (a ``slow`` fault) are cut short."""

    def __init__(self, app: WSGIApplication, *, name: str, stopping: threading.Event | None = None) -> None:
        self._app = app
        self._name = name
        self.stopping = stopping or threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1 (``port`` 0: any free port) and return the base URL."""
        if self._server is not None:
            return self.base_url
        self.stopping.clear()
        self._server = make_server("127.0.0.1", port, self._app, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=self._name,
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
