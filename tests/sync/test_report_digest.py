"""The weekly digest: the funnel and its health checks, in one chat message per channel, posted by
the daemon's weekly job; a channel that refuses it costs nothing but a log line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from handoff.config.settings import Settings
from handoff.connectors.memory.crm import MemoryCrm
from handoff.connectors.retry import RetryPolicy
from handoff.sync.daemon import Daemon
from handoff.sync.report.digest import digest_text, post_digest
from handoff.sync.runtime import Runtime, build_runtime
from tests.lifecycle.funnel_world import NOW
from tests.support import FakeClock
from tests.sync.report_world import hand_report, hand_store, policy_with_targets


def test_the_digest_says_the_funnel_and_the_health_checks(tmp_path: Path) -> None:
    store = hand_store(f"sqlite:///{tmp_path}/handoff.db")
    report, _ = hand_report(store, tmp_path, by=None)
    store.dispose()

    assert digest_text(report).splitlines() == [
        "*Acme Analytics revenue contract: the funnel this week*",
        "MQLs from 2026-09-30 20:00 until 2026-11-30 19:00 (America/New_York), "
        "conversion within 30 days of MQL",
        "MQL 7 → SAL 3 → SQL 3 → Opportunity 3 → Won 2 · revenue 30,000",
        "MQL→SQL 43% · SAL acceptance 60% · first touch in SLA 40%",
        "⚠ MQL→SQL is 43% (3 of 7 within 30 days): above the healthy 20%–30%; the MQL bar may be tight.",
        "⚠ SAL acceptance 60% (3 of 5): reps are cherry-picking or the criteria are wrong.",
        "⚠ 67% of rejections are no_budget: add a budget signal to the MQL definition.",
        "⚠ First touch within SLA for 40% of MQLs (2 of 5).",
        "⚠ 2026-10: 3 MQLs of 4 committed (75%), MQL→SQL 33% within 30 days.",
        "⚠ 2026-11: 4 MQLs of 5 committed (80%), MQL→SQL 50% within 30 days.",
        "Details: `handoff report` (or `--format html` for the charts).",
    ]


@pytest.fixture
def digest_runtime(tmp_path: Path, httpserver: HTTPServer) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path}/handoff.db"
    hand_store(url).dispose()
    settings = Settings(
        crm="memory",
        database_url=url,
        policy=policy_with_targets(tmp_path),
        slack_webhook_url=httpserver.url_for("/slack"),
        teams_webhook_url=httpserver.url_for("/teams"),
    )
    clock = FakeClock(NOW)
    crm = MemoryCrm(clock=clock, retry=RetryPolicy(sleep=lambda _: None))
    rt = build_runtime(settings, clock=clock, connector=crm)
    rt.retry = RetryPolicy(attempts=2, sleep=lambda _: None)
    yield rt
    rt.close()
    crm.close()


def test_the_digest_goes_to_each_channel_and_a_refusal_is_only_logged(
    digest_runtime: Runtime, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    httpserver.expect_request("/teams", method="POST").respond_with_data("no", status=403)

    posted = post_digest(digest_runtime)

    assert posted == 1
    calls = {request.path: json.loads(request.data) for request, _ in httpserver.log}
    slack = calls["/slack"]["text"]
    # The 90 days before 15 December reach back to 16 September: L1 to L7, L8 (December) and L10
    # (25 September), and no deals from the store: the opportunity is L4's CRM stage, none won.
    assert "MQL 9 → SAL 3 → SQL 3 → Opportunity 1 → Won 0 · revenue 0" in slack
    # Accepted L1, L2, L4; rejected L3, L7; L5, L8 and L10 wait.
    assert "SAL acceptance 60% (3 of 5): reps are cherry-picking or the criteria are wrong." in slack
    assert "lead" not in slack.lower().replace("leads", ""), "a digest names no contact"
    assert calls["/teams"]["attachments"][0]["content"]["body"][0]["text"] == slack


def test_the_daemon_schedules_the_digest_weekly_when_a_channel_is_set(digest_runtime: Runtime) -> None:
    daemon = Daemon(digest_runtime)

    daemon._schedule()

    job = daemon.scheduler.get_job("digest")
    assert job is not None
    assert str(job.trigger) == "cron[day_of_week='mon', hour='8', minute='7']"
