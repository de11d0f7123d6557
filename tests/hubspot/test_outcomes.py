"""Outcomes from HubSpot: deals read over HTTP from the sandbox with the real client, their amounts
read strictly, and kept as the store's dated deal versions by the cycle."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handoff.config.loader import load_policy
from handoff.connectors.errors import AuthError, RecordRefused
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.deals import amount, deal_change
from handoff.connectors.hubspot.plugin import set_up
from handoff.lifecycle.records import Deal
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sandbox.hubspot.associations import ASSOCIATION_TYPES
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.store.schema import QUARANTINE
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime

DEAL_TO_CONTACT = ASSOCIATION_TYPES[("deals", "contacts", 3)]
MODIFIED = "2026-11-30T12:00:00.000Z"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("1200", 1200.0),
        ("1200.50", 1200.5),
        ("0", 0.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        (2500, 2500.0),
    ],
)
def test_an_amount_reads_as_a_number_or_as_none(raw: object, expected: float | None) -> None:
    assert amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("1,200.50", "amount is not a number"),
        ("$1200", "amount is not a number"),
        ("twelve hundred", "amount is not a number"),
        ("-5", "amount is negative"),
        ("-0.01", "amount is negative"),
        ("1e400", "amount is not a finite number"),
        ("NaN", "amount is not a number"),
        ("Infinity", "amount is not a number"),
    ],
)
def test_an_amount_handoff_cannot_trust_is_refused_naming_the_field_not_the_value(raw: str, why: str) -> None:
    with pytest.raises(RecordRefused) as refused:
        amount(raw)

    assert str(refused.value) == why
    assert raw not in str(refused.value)


@pytest.mark.parametrize(
    ("case", "props", "expected"),
    [
        (
            "open",
            {"dealstage": "qualifiedtobuy", "hs_is_closed": "false", "hs_is_closed_won": "false"},
            Deal("7", stage="qualifiedtobuy"),
        ),
        (
            "won, dated",
            {
                "dealstage": "closedwon",
                "hs_is_closed": "true",
                "hs_is_closed_won": "true",
                "amount": "9900",
                "closedate": "2026-11-29T17:00:00Z",
                "createdate": "1764000000000",
            },
            Deal(
                "7",
                created_at=datetime(2025, 11, 24, 16, 0, tzinfo=UTC),
                stage="closedwon",
                closed=True,
                won=True,
                amount=9900.0,
                close_date=datetime(2026, 11, 29, 17, 0, tzinfo=UTC),
            ),
        ),
        (
            "lost",
            {"dealstage": "closedlost", "hs_is_closed": "true"},
            Deal("7", stage="closedlost", closed=True),
        ),
        (
            "won says closed",
            {"dealstage": "x", "hs_is_closed_won": "true"},
            Deal("7", stage="x", closed=True, won=True),
        ),
        ("flags unset", {"dealstage": "custom-1"}, Deal("7", stage="custom-1")),
    ],
)
def test_a_deal_reads_from_its_properties(case: str, props: dict[str, Any], expected: Deal) -> None:
    change = deal_change({"hs_object_id": "7", "hs_lastmodifieddate": MODIFIED, **props}, ("1", "2"))

    assert change.deal == expected, case
    assert change.contact_ids == ("1", "2")
    assert change.modified_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("props", "why"),
    [
        ({"hs_lastmodifieddate": None}, "hs_lastmodifieddate is missing or not a date"),
        ({"closedate": "next quarter"}, "closedate is not a date"),
        ({"hs_is_closed_won": "maybe"}, "hs_is_closed_won is not true or false"),
    ],
)
def test_a_deal_that_cannot_be_read_is_refused(props: dict[str, Any], why: str) -> None:
    with pytest.raises(RecordRefused, match=why):
        deal_change({"hs_object_id": "7", "hs_lastmodifieddate": MODIFIED, **props}, ())


def _deal(sandbox: HubSpotSandbox, contact_id: str, at: datetime, **props: str) -> str:
    properties = {"dealname": "Acme Analytics subscription", "pipeline": "default", **props}
    record = sandbox.state.create(
        "deals", properties, at=at, associations=[(DEAL_TO_CONTACT, int(contact_id))]
    )
    return str(record.id)


def test_a_deal_seen_open_then_won_has_two_versions_over_http(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    contact = sandbox.state.create("contacts", {"email": "cfo@northwind.example", "jobtitle": "CFO"})
    deal_id = _deal(sandbox, contact.id, clock(), dealstage="qualifiedtobuy", amount="5000")
    run_cycle(runtime)
    opened = clock()
    clock.advance(timedelta(days=10))
    won = {"dealstage": "closedwon", "amount": "6500", "closedate": iso(clock())}
    sandbox.state.update("deals", deal_id, won, source=ChangeSource.ui(7_000_001), at=clock())
    clock.advance(timedelta(minutes=1))
    run_cycle(runtime)
    again = run_cycle(runtime)

    with runtime.store.begin() as tx:
        versions = tx.outcomes.versions(deal_id)
        before = tx.outcomes.deals_by_contact([contact.id], at=clock() - timedelta(seconds=1))
        (seen,) = tx.outcomes.seen_times([contact.id])[contact.id]
    assert again.complete
    assert [(v.deal.stage, v.deal.won, v.deal.amount) for v in versions] == [
        ("qualifiedtobuy", False, 5000.0),
        ("closedwon", True, 6500.0),
    ]
    assert [d.stage for d in before[contact.id]] == ["qualifiedtobuy"]
    assert (seen.first_seen_at, seen.won_seen_at) == (opened, versions[1].seen_at)


def test_a_deal_with_a_junk_amount_is_quarantined_and_the_others_are_kept(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    contact = sandbox.state.create("contacts", {"email": "vp@northwind.example", "jobtitle": "VP Sales"})
    good = _deal(sandbox, contact.id, clock(), dealstage="qualifiedtobuy", amount="1200.50")
    bad = _deal(sandbox, contact.id, clock(), dealstage="qualifiedtobuy")
    record = sandbox.state.raw_record("deals", int(bad))
    assert record is not None
    record.values["amount"] = "1,200.50"  # what an old import left, past the API's checks today

    report = run_cycle(runtime)

    with runtime.store.begin() as tx:
        deals = tx.outcomes.deals_by_contact([contact.id])
        quarantined = [(r.stream, r.record_id, r.error) for r in tx.connection.execute(select(QUARANTINE))]
    assert report.complete
    assert [d.id for d in deals[contact.id]] == [good]
    assert quarantined == [("deals", bad, "amount is not a number")]


def test_the_seeded_company_s_customers_have_won_deals(sandbox: HubSpotSandbox, runtime: Runtime) -> None:
    sandbox.seed_company(contacts=400)

    run_cycle(runtime)

    state = sandbox.state
    contacts = [state.get("contacts", i) for i in state.ids("contacts")]
    customers = [c.id for c in contacts if c is not None and c.get("lifecyclestage") == "customer"]
    opportunities = [c.id for c in contacts if c is not None and c.get("lifecyclestage") == "opportunity"]
    with runtime.store.begin() as tx:
        deals = tx.outcomes.deals_by_contact()
    assert customers, "the seeded company has customers"
    assert all(any(d.won for d in deals.get(i, [])) for i in customers)
    assert all(d.closed for found in deals.values() for d in found if d.won)
    assert opportunities, "and opportunities"
    assert all(deals.get(i) for i in opportunities), "each with its deal (open, or lost since)"
    assert not any(d.won for i in opportunities for d in deals[i])


def test_setup_says_when_the_token_cannot_read_deals(
    connector: HubSpotConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set_up(connector, load_policy()).missing == []
    search = connector.client.search

    def forbidden_for_deals(
        object_type: str, body: Mapping[str, Any], *, operation: str = ""
    ) -> dict[str, Any]:
        if object_type == "deals":
            raise AuthError("403 Forbidden; the token lacks a scope for deals.check", crm="hubspot")
        return search(object_type, body, operation=operation)

    monkeypatch.setattr(connector.client, "search", forbidden_for_deals)

    (missing,) = set_up(connector, load_policy()).missing

    assert "crm.objects.deals.read" in missing
