"""The HTML report in a real headless browser (Debian's chromium): the page renders its six
charts, logs no console error, fetches nothing beyond its own file, and a screenshot is taken.
A page that does log an error or fetch a resource is caught, so the check can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.sync.report.html import render_html
from tests.sync.browser import CHROMIUM, MEASURE, SKIP_REASON, open_page
from tests.sync.report_world import hand_report, hand_store

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_report_renders_its_charts_in_a_browser_without_errors(tmp_path: Path) -> None:
    store = hand_store(f"sqlite:///{tmp_path}/handoff.db")
    report, _ = hand_report(store, tmp_path)
    store.dispose()
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")

    page = open_page(page_file, tmp_path / "profile", script=MEASURE)

    assert page.errors == []
    assert page.failed == []
    assert page.requests == [page_file.resolve().as_uri()], "the page fetched something besides itself"
    charts = page.measured
    assert len(charts) == 6
    for width, height, shapes in charts:
        assert width > 300
        assert height > 150
        assert shapes > 10, "a chart with (almost) nothing drawn in it"
    shot = tmp_path / "report.png"
    shot.write_bytes(page.screenshot)
    assert page.screenshot.startswith(PNG)
    assert shot.stat().st_size > 50_000


def test_a_page_with_an_error_or_a_fetch_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><body><img src="missing.png">'
        '<script>console.error("chart failed")</script></body></html>'
    )

    page = open_page(broken, tmp_path / "profile")

    assert "chart failed" in page.errors
    assert any("Failed to load resource" in error for error in page.errors)
    assert page.failed == ["net::ERR_FILE_NOT_FOUND"]
    assert len(page.requests) == 2
