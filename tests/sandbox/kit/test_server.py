"""The local server: any free port on 127.0.0.1, started and stopped at will."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
import requests

from handoff.sandbox.kit.server import LocalServer


def _hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode()]


def test_serves_until_stopped() -> None:
    server = LocalServer(_hello, name="kit-test")
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url

    base_url = server.start()
    try:
        assert base_url.startswith("http://127.0.0.1:")
        assert server.start() == base_url, "starting twice keeps the running server"
        assert requests.get(base_url + "/ping", timeout=5).text == "/ping"
        assert not server.stopping.is_set()
    finally:
        server.stop()

    assert server.stopping.is_set()
    assert not server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/ping", timeout=1)
