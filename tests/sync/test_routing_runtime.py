"""Routing, SLA clocks and notifications through the runtime: the rep is told once, in the CRM and
in chat, and the SLA tick escalates and reminds without any CRM change."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from handoff.config.settings import Settings
from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.lifecycle.outputs import OutputField
from handoff.sync.cycle import run_cycle, run_reconcile, run_sla_tick
from handoff.sync.runtime import Runtime, build_runtime
from tests.support import FakeClock
from tests.sync import company

ANA = "201"


def tasks_for(crm: MemoryCrm, contact_id: str) -> list[dict[str, str]]:
    return [task for task in crm.tasks() if task["contact_id"] == contact_id]


def test_a_new_mql_gets_an_owner_sla_fields_and_one_task(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)

    run_cycle(runtime)
    clock.advance(seconds=30)
    run_cycle(runtime)

    fields = crm.contact("vp-demo").written
    assert fields[OutputField.OWNER] == ANA
    # A demo request is a direct inquiry: first touch within 4 business hours of the MQL
    # (Monday 10:00 in New York), so 14:00 New York.
    assert fields[OutputField.SLA_DUE_AT] == "2026-11-30T19:00:00+00:00"
    assert fields[OutputField.SLA_STATUS] == "on_track"
    assert crm.contact("fit-blog").written[OutputField.OWNER] is None
    tasks = tasks_for(crm, "vp-demo")
    assert len(tasks) == 1
    assert tasks[0]["owner_id"] == ANA
    assert tasks[0]["subject"].startswith(
        "New lead for you: vp-demo@northwind.example (Northwind) — first touch due"
    )
    assert tasks[0]["due_at"] == "2026-11-30T19:00:00+00:00"


def test_the_sla_tick_escalates_an_untouched_lead_to_the_next_rep(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    run_cycle(runtime)

    clock.advance(minutes=16)
    tick = run_sla_tick(runtime)

    owner = crm.contact("vp-demo").written[OutputField.OWNER]
    assert tick.pulled == 0
    assert owner not in (None, ANA)
    escalated = [t for t in tasks_for(crm, "vp-demo") if t["owner_id"] == owner]
    assert len(escalated) == 1
    assert escalated[0]["subject"].startswith("Escalated to you")


def test_due_soon_and_breach_each_notify_once(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.seed(crm)
    run_cycle(runtime)
    clock.advance(minutes=5)
    crm.rep_edit("vp-demo", accepted=True, lead_status="IN_PROGRESS")
    run_cycle(runtime)

    clock.advance(hours=3, minutes=10)
    run_sla_tick(runtime)
    clock.advance(minutes=1)
    run_sla_tick(runtime)
    clock.advance(hours=1)
    run_sla_tick(runtime)
    run_sla_tick(runtime)

    subjects = [t["subject"].split(":")[0] for t in tasks_for(crm, "vp-demo")]
    assert subjects == ["New lead for you", "SLA due soon", "SLA breached"]
    assert crm.contact("vp-demo").written[OutputField.SLA_STATUS] == "breached"
    assert runtime.metrics.sla_breaches._value.get() == 1


def test_a_write_still_in_the_outbox_is_not_routed_twice(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    crm.set_faults(Faults(transient_rate=1.0, operations=["batch_update"]))
    run_cycle(runtime)

    clock.advance(seconds=30)
    run_reconcile(runtime)

    with runtime.store.begin() as tx:
        state = tx.owners.routing_state().to_dict()
    totals = [rep["total"] for team in state["teams"].values() for rep in team["reps"].values()]
    assert sum(totals) == 1
    crm.set_faults(Faults())
    clock.advance(minutes=2)
    run_cycle(runtime)
    assert crm.contact("vp-demo").written[OutputField.OWNER] == ANA


@pytest.fixture
def chat_runtime(
    database_url: str, crm: MemoryCrm, clock: FakeClock, httpserver: HTTPServer
) -> Iterator[Runtime]:
    settings = Settings(
        crm="memory",
        database_url=database_url,
        slack_webhook_url=httpserver.url_for("/slack"),
        teams_webhook_url=httpserver.url_for("/teams"),
    )
    rt = build_runtime(settings, clock=clock, connector=crm)
    yield rt
    rt.close()


def test_chat_notifications_go_to_slack_and_teams_once(
    chat_runtime: Runtime, crm: MemoryCrm, clock: FakeClock, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    httpserver.expect_request("/teams", method="POST").respond_with_data("1", status=202)
    company.seed(crm)

    run_cycle(chat_runtime)
    clock.advance(seconds=30)
    run_cycle(chat_runtime)

    calls = {request.path: json.loads(request.data) for request, _ in httpserver.log}
    assert len(httpserver.log) == 2
    assert calls["/slack"]["text"].startswith("New lead for you: vp-demo@northwind.example")
    card = calls["/teams"]["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"].startswith("New lead for you")


def test_a_refused_chat_message_is_quarantined_not_retried_forever(
    chat_runtime: Runtime, crm: MemoryCrm, clock: FakeClock, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("invalid_token", status=403)
    httpserver.expect_request("/teams", method="POST").respond_with_data("1", status=202)
    company.seed(crm)

    report = run_cycle(chat_runtime)

    assert report.dead == 1
    with chat_runtime.store.begin() as tx:
        errors = [item.error for item in tx.quarantine.latest(10)]
    assert "slack webhook refused the message: 403" in json.dumps(errors)
