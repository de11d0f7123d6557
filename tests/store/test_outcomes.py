"""The outcomes: append-only deal versions per contact, dated when handoff first saw them, read
back as they were known at any instant (no look-ahead), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handoff.lifecycle.records import Deal
from handoff.store.outcomes import DealSeen, ObservedDeal
from handoff.store.unit_of_work import Store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CREATED = T0 - timedelta(days=1)
OPEN = Deal("d1", created_at=CREATED, stage="qualifiedtobuy", amount=5_000.0)
WON = Deal("d1", created_at=CREATED, stage="closedwon", closed=True, won=True, amount=6_500.0, close_date=T0)
LOST = Deal("d2", created_at=T0, stage="closedlost", closed=True)


def _record(store: Store, seen_at: datetime, *observed: ObservedDeal) -> int:
    with store.begin() as tx:
        return tx.outcomes.record(list(observed), seen_at)


def _seen(deal: Deal, *contacts: str, modified_at: datetime = T0) -> ObservedDeal:
    return ObservedDeal(deal, contacts, modified_at)


def test_a_deal_seen_open_then_won_is_two_versions_and_at_never_looks_ahead(store: Store) -> None:
    first, second = T0 + timedelta(hours=1), T0 + timedelta(days=9)
    _record(store, first, _seen(OPEN, "c1"))
    _record(store, second, _seen(WON, "c1", modified_at=T0 + timedelta(days=8)))

    with store.begin() as tx:
        versions = tx.outcomes.versions("d1")
        before = tx.outcomes.deals_by_contact(["c1"], at=second - timedelta(seconds=1))
        now = tx.outcomes.deals_by_contact(["c1"])
        at_second = tx.outcomes.deals_by_contact(at=second)
        seen = tx.outcomes.seen_times(["c1"])
        seen_before = tx.outcomes.seen_times(at=second - timedelta(seconds=1))

    assert [(v.seen_at, v.deal) for v in versions] == [(first, OPEN), (second, WON)]
    assert before == {"c1": [OPEN]}, "before the won version was seen, the deal was open"
    assert now == {"c1": [WON]}
    assert at_second == {"c1": [WON]}
    assert seen == {"c1": [DealSeen("d1", "c1", first, second, second)]}
    assert seen_before == {"c1": [DealSeen("d1", "c1", first, None, None)]}


@pytest.mark.parametrize(
    ("case", "again", "added"),
    [
        ("the same version re-read (the look-back)", _seen(OPEN, "c1"), 0),
        (
            "the same version with a later modification time",
            _seen(OPEN, "c1", modified_at=T0 + timedelta(hours=3)),
            0,
        ),
        ("an older copy (a slow search index)", _seen(WON, "c1", modified_at=T0 - timedelta(hours=1)), 0),
        ("a new amount", _seen(Deal("d1", created_at=CREATED, stage="qualifiedtobuy", amount=9.0), "c1"), 1),
        ("a second contact associated", _seen(OPEN, "c1", "c2"), 1),
        ("the contact no longer associated, another is", _seen(OPEN, "c2"), 2),
    ],
)
def test_only_what_changed_is_appended(store: Store, case: str, again: ObservedDeal, added: int) -> None:
    _record(store, T0, _seen(OPEN, "c1"))

    assert _record(store, T0 + timedelta(hours=4), again) == added, case


def test_a_deal_no_longer_associated_leaves_the_contact_from_then_on(store: Store) -> None:
    _record(store, T0, _seen(OPEN, "c1"))
    _record(store, T0 + timedelta(days=1), _seen(OPEN, "c2"))

    with store.begin() as tx:
        then = tx.outcomes.deals_by_contact(at=T0 + timedelta(hours=1))
        now = tx.outcomes.deals_by_contact()
        seen = tx.outcomes.seen_times()

    assert then == {"c1": [OPEN]}
    assert now == {"c2": [OPEN]}
    assert set(seen) == {"c1", "c2"}, "when it was first seen stays known"


def test_a_page_that_holds_one_deal_twice_keeps_its_latest(store: Store) -> None:
    added = _record(
        store,
        T0,
        _seen(WON, "c1", modified_at=T0 + timedelta(minutes=5)),
        _seen(OPEN, "c1", modified_at=T0),
        _seen(LOST, "c1", "c3"),
    )

    with store.begin() as tx:
        deals = tx.outcomes.deals_by_contact(["c1", "c3", "nobody"])
        count = tx.outcomes.count()

    assert added == count == 3
    assert deals == {"c1": [WON, LOST], "c3": [LOST]}, "a contact's deals, oldest first"


def test_prune_keeps_each_deal_s_latest_version(store: Store) -> None:
    _record(store, T0, _seen(OPEN, "c1"))
    _record(store, T0 + timedelta(days=30), _seen(WON, "c1", modified_at=T0 + timedelta(days=30)))

    with store.begin() as tx:
        removed = tx.prune(T0 + timedelta(days=400))
    with store.begin() as tx:
        versions = tx.outcomes.versions("d1")
        deals = tx.outcomes.deals_by_contact()

    assert removed["deal_version"] == 1
    assert [v.deal for v in versions] == [WON]
    assert deals == {"c1": [WON]}


def test_many_contacts_are_read_in_chunks(store: Store) -> None:
    contacts = [f"c{n}" for n in range(2_000)]
    _record(store, T0, *(_seen(Deal(f"d{n}", created_at=T0), f"c{n}") for n in range(2_000)))

    with store.begin() as tx:
        deals = tx.outcomes.deals_by_contact(contacts)
        seen = tx.outcomes.seen_times(contacts)

    assert len(deals) == len(seen) == 2_000
    assert deals["c1999"] == [Deal("d1999", created_at=T0)]
