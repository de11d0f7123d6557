"""The request log: an append-only sequence, bounded, filterable."""

from __future__ import annotations

from datetime import UTC, datetime

from handoff.sandbox.kit.requestlog import LoggedRequest, RequestLog

AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_keeps_the_latest_entries_and_filters_them() -> None:
    log = RequestLog(maxlen=3)
    for path in ("/a/1", "/b/1", "/a/2", "/a/3"):
        log.append(LoggedRequest("GET" if path != "/a/3" else "POST", path, "", 200, AT))

    assert [entry.path for entry in log] == ["/b/1", "/a/2", "/a/3"]
    assert len(log) == 3
    assert log[-1].method == "POST"
    assert [entry.path for entry in log.matching("get", "/a")] == ["/a/2"]
    log.clear()
    assert log.snapshot() == []


def test_a_dropped_connection_has_no_status() -> None:
    assert LoggedRequest("GET", "/", "", 0, AT, fault="drop").dropped
    assert not LoggedRequest("GET", "/", "", 503, AT, fault="503").dropped
