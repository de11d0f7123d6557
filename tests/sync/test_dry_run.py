"""The dry run decides through the same path as the real run: over the same company, every decision
agrees, accounts matched through `www.` and mixed-case domains included."""

from __future__ import annotations

from datetime import timedelta

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.outputs import output_names
from handoff.lifecycle.records import Activity, Company, Contact
from handoff.sync.backfill import backfill, dry_run
from handoff.sync.runtime import Runtime
from tests.support import START, FakeClock
from tests.sync import company

ANA = "201"


def seed(crm: MemoryCrm) -> list[str]:
    """Leads of an owned account under three spellings of its domain, and leads of others."""
    company.reps(crm)
    owned = Company(name="Acme", domain="acme.example", employees=300, industry="SaaS", country="US")
    spellings = [
        ("acme-owner", owned, ANA),
        (
            "acme-www",
            Company(name="Acme", domain="www.Acme.example", employees=300, industry="SaaS", country="US"),
            None,
        ),
        (
            "acme-caps",
            Company(name="Acme", domain="ACME.EXAMPLE", employees=300, industry="SaaS", country="US"),
            None,
        ),
    ]
    contacts: list[tuple[Contact, str | None]] = [
        (Contact(id=cid, email=f"{cid}@acme.example", title="VP Sales", company=firm), owner)
        for cid, firm, owner in spellings
    ]
    unnamed = Company(name="Acme", employees=300, industry="SaaS", country="US")
    contacts.append(
        (Contact(id="acme-email", email="buyer@Acme.example", title="VP Sales", company=unnamed), None)
    )
    for n in range(26):
        firm = Company(
            name=f"Co {n}", domain=f"co{n}.example", employees=150 + n, industry="SaaS", country="US"
        )
        contacts.append(
            (Contact(id=f"other-{n:02d}", email=f"vp@co{n}.example", title="VP Sales", company=firm), None)
        )
    crm.put_contacts(contacts)
    crm.put_activities(
        [
            (
                contact.id,
                Activity(f"{contact.id}-demo", ActivityKind.DEMO_REQUEST, START - timedelta(hours=1)),
            )
            for contact, _ in contacts
            if contact.id.startswith("acme") or int(contact.id[-2:]) % 3 == 0
        ]
    )
    return [contact.id for contact, _ in contacts]


def test_the_dry_run_agrees_with_the_real_run_on_every_decision(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    crm.set_faults(Faults(page_size=7))
    ids = seed(crm)
    since = START - timedelta(days=1)

    previewed: list[Decision] = []
    dry = dry_run(runtime, since, clock.now, progress=lambda *_: None, on_decision=previewed.append)
    would = {decision.contact_id: decision for decision in previewed}
    assert crm.request_counts().get("batch_update", 0) == 0, "the dry run wrote nothing"
    real = backfill(runtime, since, clock.now, progress=lambda *_: None)
    with runtime.store.begin() as tx:
        stored = tx.views.latest_decisions()

    assert sorted(would) == sorted(ids) == sorted(stored)
    assert (dry.changed, dry.evaluated) == (real.changed, real.evaluated)
    for contact_id in ids:
        expected, decided = would[contact_id], stored[contact_id]
        assert (decided.stage, decided.owner_id, decided.score, decided.summary) == (
            expected.stage.value,
            expected.owner_id,
            expected.score,
            expected.summary,
        ), contact_id
        assert decided.desired == output_names(expected.desired or {}), contact_id
    # The account's leads went to its owner whichever way their domain was spelled.
    assert {stored[cid].owner_id for cid in ids if cid.startswith("acme")} == {ANA}
    methods = {
        r.method.value for cid in ids if cid.startswith("acme") and (r := would[cid].routing) is not None
    }
    assert methods == {"account"}
