"""The read side of reports: the store hands back each lead's history as it was laid down, only
for the leads that entered the funnel in the range, in batches, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.lifecycle.funnel import Rep
from handoff.lifecycle.records import Deal
from handoff.store.database import make_db_engine
from handoff.store.migrate import migrate
from handoff.store.schema import CONTACT_VERSION
from handoff.store.unit_of_work import Store
from tests.lifecycle.funnel_world import BEHAVIOUR_RULES, LEADS, REPS, SINCE, UNTIL
from tests.store.history_rows import write_history


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = make_db_engine(database_url)
    migrate(engine)
    store = Store(engine, "memory")
    with store.begin() as tx:
        write_history(tx.connection, "memory", LEADS, REPS)
        # Another CRM's history in the same database is never read.
        write_history(tx.connection, "other", LEADS, REPS)
    yield store
    engine.dispose()


@pytest.mark.parametrize("batch", [1, 3, 2000])
def test_the_leads_of_the_range_come_back_as_they_were_laid_down(store: Store, batch: int) -> None:
    deals = {lead.contact_id: lead.deals for lead in LEADS if lead.deals}

    with store.begin() as tx:
        found = list(tx.history.leads(SINCE, UNTIL, deals=deals, behavior_rules=BEHAVIOUR_RULES, batch=batch))

    expected = [lead for lead in LEADS if lead.contact_id in {"L1", "L2", "L3", "L4", "L5", "L6", "L7"}]
    assert sorted(found, key=lambda lead: lead.contact_id) == expected


def test_deals_are_the_callers_and_a_lead_without_them_has_none(store: Store) -> None:
    extra = Deal("d9", won=True, amount=1.0)

    with store.begin() as tx:
        found = {lead.contact_id: lead for lead in tx.history.leads(SINCE, UNTIL, deals={"L3": [extra]})}

    assert found["L3"].deals == (extra,)
    assert found["L1"].deals == ()
    # Without the policy's behaviour labels, only a hand-raise names its trigger.
    assert found["L1"].mql_trigger == "Demo request"
    assert found["L2"].mql_trigger is None


def test_the_original_source_is_the_first_seen_and_the_owner_the_last(store: Store) -> None:
    with store.begin() as tx:
        tx.connection.execute(
            CONTACT_VERSION.insert(),
            [
                {
                    "crm": "memory",
                    "contact_id": "L5",
                    "version": 3,
                    "seen_at": UNTIL,
                    "source": "pull",
                    "data": {"id": "L5", "source": "partner", "owner_id": "r1"},
                }
            ],
        )
        found = {lead.contact_id: lead for lead in tx.history.leads(SINCE, UNTIL)}

    # L1's later version says "later-source": the original wins. L5, first seen without a source,
    # gets the one it was later given, and its owner is the last one seen.
    assert (found["L1"].source, found["L1"].campaign) == ("paid_search", "q4-launch")
    assert (found["L5"].source, found["L5"].campaign, found["L5"].owner_id) == ("partner", None, "r1")


def test_reps_take_the_policy_team_of_their_email_else_the_crm_team(store: Store) -> None:
    with store.begin() as tx:
        reps = tx.history.reps({"ana@acme.example": "enterprise"})

    assert reps == {"r1": Rep("r1", "Ana", "enterprise"), "r2": Rep("r2", "Ben", "na")}


def test_an_empty_range_reads_nothing(store: Store) -> None:
    with store.begin() as tx:
        assert list(tx.history.leads(UNTIL, UNTIL)) == []
        assert [lead.contact_id for lead in tx.history.leads(SINCE, SINCE.replace(month=11))] == [
            "L1",
            "L2",
            "L3",
        ]
