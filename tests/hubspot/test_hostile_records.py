"""A real portal holds junk: no record of it stops a cycle, loses a good contact, or leaks its values.

Each hostile kind below was seen to fail a whole cycle (and every cycle after it) or to be misread
silently. Here they sit among good contacts in the sandbox, read with the real client, on SQLite
and PostgreSQL: the cycle completes, every good contact is decided and written, and every hostile
one is either decided with its unusable value named (`explain` shows it) or quarantined with why.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from handoff.config.settings import Settings
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.store.schema import CONTACT, QUARANTINE, SYNC_RUN
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime, build_runtime

GOOD = 12
# (what it is, company properties, contact properties)
HOSTILE: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("employees beyond any float", {"numberofemployees": "1e400"}, {}),
    ("employees in words", {"numberofemployees": "about fifty"}, {}),
    ("revenue of infinity", {"annualrevenue": "Infinity"}, {}),
    (
        "a stage date in the year 9999",
        {},
        {
            "lifecyclestage": "marketingqualifiedlead",
            "hs_lifecyclestage_marketingqualifiedlead_date": "9999-12-31T23:59:59Z",
        },
    ),
    ("an unpaired surrogate in the name", {}, {"firstname": "Ren\ud800"}),
    ("a NUL byte in the title", {}, {"jobtitle": "VP\x00 Sales"}),
    ("a NUL byte and a surrogate in the company name", {"name": "Acme\x00\udfff"}, {}),
    ("negative employees", {"numberofemployees": "-40"}, {}),
    ("revenue in words", {"annualrevenue": "a lot"}, {}),
    ("a country nobody has", {"country": "Narnia"}, {}),
    ("a lifecycle stage the portal does not list", {}, {"lifecyclestage": "1452459999"}),
    (
        "a stage date that is not a date",
        {},
        {"lifecyclestage": "lead", "hs_lifecyclestage_lead_date": "soon"},
    ),
    ("an owner the portal does not have", {}, {"hubspot_owner_id": "999999999"}),
    ("an email without an @", {}, {"email": "not-an-email"}),
    ("a 70,000-character job title", {}, {"jobtitle": "VP " * 23_400}),
    ("an unknown lead status", {}, {"hs_lead_status": "MAYBE_LATER"}),
    ("an evidence value of NULs", {}, {"handoff_budget": "\x00\x00"}),
    ("handoff's stage field holding junk", {}, {"handoff_stage": "platinum"}),
    ("a create date in epoch milliseconds past 9999", {}, {"createdate": "253402300800000"}),
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hostile_runtime(
    request: pytest.FixtureRequest, database_url: str, connector: HubSpotConnector, clock: SimulatedClock
) -> Iterator[Runtime]:
    rt = build_runtime(Settings(crm="hubspot", database_url=database_url), clock=clock, connector=connector)
    yield rt
    rt.close()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """This module's own lanes: the runtime fixture above is parametrised over them."""
    lane = request.node.callspec.params.get("hostile_runtime", "sqlite")
    if lane == "sqlite":
        yield f"sqlite:///{tmp_path}/handoff.db"
        return
    from tests.support import postgres_schema_url

    yield from postgres_schema_url()


def _portal(sandbox: HubSpotSandbox) -> tuple[list[str], dict[str, str]]:
    """Good demo requesters, then one contact (with its own company) per hostile kind."""
    state = sandbox.state
    good = []
    for n in range(GOOD):
        company = state.create(
            "companies",
            {"name": f"Good {n}", "domain": f"good{n}.example", "numberofemployees": "200", "country": "US"},
        )
        contact = state.create(
            "contacts",
            {
                "email": f"buyer{n}@good{n}.example",
                "jobtitle": "VP Sales",
                "associatedcompanyid": str(company.id),
                "recent_conversion_event_name": "Demo request",
                "recent_conversion_date": "2026-11-30T14:30:00Z",
            },
        )
        good.append(str(contact.id))
    hostile = {}
    for n, (kind, company_props, contact_props) in enumerate(HOSTILE):
        company = state.create(
            "companies", {"name": f"Odd {n}", "domain": f"odd{n}.example", "country": "US"}
        )
        contact = state.create(
            "contacts", {"email": f"odd{n}@odd{n}.example", "associatedcompanyid": str(company.id)}
        )
        # Straight into the stored records: the portal holds what an old import or integration
        # put there, past the checks its API makes today.
        _hold(sandbox, "companies", company.id, company_props)
        _hold(sandbox, "contacts", contact.id, contact_props)
        hostile[str(contact.id)] = kind
    return good, hostile


def _hold(sandbox: HubSpotSandbox, object_type: str, record_id: int | str, values: dict[str, str]) -> None:
    record = sandbox.state.raw_record(object_type, int(record_id))
    assert record is not None
    record.values.update(values)


def test_hostile_records_never_stop_a_cycle_and_lose_nothing(
    sandbox: HubSpotSandbox, hostile_runtime: Runtime
) -> None:
    rt = hostile_runtime
    good, hostile = _portal(sandbox)

    report = run_cycle(rt)
    again = run_cycle(rt)

    assert report.complete
    assert again.complete
    with rt.store.begin() as tx:
        decided = tx.views.latest_decisions()
        mirrored = set(tx.connection.execute(select(CONTACT.c.id)).scalars())
        quarantined = {row.record_id: row.error for row in tx.connection.execute(select(QUARANTINE))}
        errors = [row.error for row in tx.connection.execute(select(SYNC_RUN)) if row.error]
    assert set(good) <= set(decided), "a good contact was not decided"
    for contact_id in good:
        record = sandbox.state.get("contacts", contact_id)
        assert record is not None
        written = record.properties
        assert written.get("handoff_stage"), f"{contact_id} was not written"
    for contact_id, kind in hostile.items():
        assert contact_id in decided or contact_id in quarantined, f"{kind}: lost"
        assert contact_id in mirrored or contact_id in quarantined, f"{kind}: lost"
    assert errors == []
    for error in quarantined.values():
        assert "@" not in error, error
        assert "odd" not in error.lower(), error


def test_unusable_values_are_named_with_the_contact(
    sandbox: HubSpotSandbox, hostile_runtime: Runtime
) -> None:
    rt = hostile_runtime
    _, hostile = _portal(sandbox)
    run_cycle(rt)
    by_kind = {kind: contact_id for contact_id, kind in hostile.items()}

    with rt.store.begin() as tx:
        words = tx.views.explain(by_kind["employees in words"])
        huge = tx.views.explain(by_kind["employees beyond any float"])
        far = tx.views.explain(by_kind["a stage date in the year 9999"])
        name = tx.views.explain(by_kind["an unpaired surrogate in the name"])
        title = tx.views.explain(by_kind["a NUL byte in the title"])

    assert words
    assert words.contact
    assert huge
    assert huge.contact
    assert far
    assert far.contact
    assert words.contact["problems"] == ["company employees 'about fifty' is not a number, ignored"]
    assert huge.contact["problems"] == ["company employees '1e400' is not a plausible amount, ignored"]
    assert any("9999-12-31" in problem for problem in far.contact["problems"])
    assert name
    assert name.contact
    assert name.contact["first_name"] == "Ren\ufffd"
    assert title
    assert title.contact
    assert title.contact["title"] == "VP Sales"
