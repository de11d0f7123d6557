"""What every connector promises, checked the same way for each (meltano's `get_tap_test_class`
idea): a connector's test module subclasses `ConnectorContract` and provides a `world` fixture —
its connector over a CRM that the world can seed in CRM-neutral terms.

Salesforce joins by adding one module with its world.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.protocol import Connector, FieldUpdate, TaskRequest, Window
from handoff.lifecycle.outputs import OutputField


class World(Protocol):
    """A CRM the contract can seed, with the connector under test pointed at it."""

    connector: Connector
    now: datetime

    def contacts(self, count: int, modified_at: datetime) -> list[str]:
        """Create `count` contacts last modified at `modified_at`; their CRM ids."""
        ...

    def call(self, contact_id: str, at: datetime) -> None:
        """Log a call by a rep on the contact at `at`."""
        ...

    def rep_changes_status(self, contact_id: str, at: datetime) -> None:
        """A rep changes the contact's lead status (a signal with a history) at `at`."""
        ...

    def unknown_id(self) -> str:
        """An id no contact has."""
        ...

    def owner_id(self) -> str:
        """A rep who can own leads."""
        ...

    def open_tasks(self) -> set[str]:
        """The subjects of the tasks in the CRM not completed yet."""
        ...

    def deals(self, count: int, modified_at: datetime, contact_ids: Sequence[str]) -> list[str]:
        """Open `count` deals associated with these contacts, last modified at `modified_at`."""
        ...

    def win(self, deal_id: str, amount: float, at: datetime) -> None:
        """A rep closes the deal won, for `amount`, at `at`."""
        ...

    def unreadable_deal(self, contact_id: str, modified_at: datetime) -> str:
        """A deal the CRM holds with an amount handoff cannot read (junk an old import left)."""
        ...


class ConnectorContract:
    page_size: int = 0
    """How many contacts (or deals) make more than one page for this connector (set by the subclass)."""

    def test_pages_resume_from_their_token(self, world: World) -> None:
        ids = world.contacts(self.page_size + 5, world.now - timedelta(hours=1))
        window = Window(world.now - timedelta(days=1), world.now)

        pages = world.connector.pull_contacts(window)
        first = next(pages)
        assert first.resume is not None, "more than one page"
        rest = [
            r.contact.id
            for page in world.connector.pull_contacts(window, first.resume)
            for r in page.contacts
        ]
        pulled = [r.contact.id for r in first.contacts] + rest

        assert sorted(pulled) == sorted(ids)
        assert len(pulled) == len(set(pulled)), "no contact twice"

    def test_a_window_holds_only_what_changed_inside_it(self, world: World) -> None:
        old = world.contacts(3, world.now - timedelta(days=3))
        new = world.contacts(2, world.now - timedelta(hours=1))

        pulled = {
            r.contact.id
            for page in world.connector.pull_contacts(Window(world.now - timedelta(days=1), world.now))
            for r in page.contacts
        }

        assert pulled == set(new)
        assert not pulled & set(old)

    def test_by_id_pulls_exactly_those_contacts(self, world: World) -> None:
        ids = world.contacts(4, world.now - timedelta(hours=1))

        page = world.connector.pull_contacts_by_id([ids[0], ids[2], world.unknown_id()])

        assert sorted(r.contact.id for r in page.contacts) == sorted([ids[0], ids[2]])
        assert all(r.modified_at <= world.now for r in page.contacts)
        assert page.gone == (world.unknown_id(),), "an id the CRM does not have is named, not dropped"

    def test_activities_come_since_a_time(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(days=2))
        world.call(contact_id, world.now - timedelta(days=2))
        world.call(contact_id, world.now - timedelta(hours=1))
        world.connector.pull_contacts_by_id([contact_id])

        everything = world.connector.pull_activities([contact_id], since=None).by_contact[contact_id]
        recent = world.connector.pull_activities([contact_id], since=world.now - timedelta(days=1))

        calls = [a for a in everything if a.kind is ActivityKind.CALL]
        assert len(calls) == 2
        recent_calls = [a for a in recent.by_contact.get(contact_id, []) if a.kind is ActivityKind.CALL]
        assert [a.occurred_at for a in recent_calls] == [max(a.occurred_at for a in calls)]

    def test_each_write_has_one_result_keyed_by_its_contact(self, world: World) -> None:
        ids = world.contacts(3, world.now - timedelta(hours=1))
        updates = [FieldUpdate(i, {OutputField.SCORE: str(n * 10)}) for n, i in enumerate(ids)]
        updates.append(FieldUpdate(world.unknown_id(), {OutputField.SCORE: "1"}))

        results = world.connector.write_fields(updates)

        assert [r.key for r in results] == [u.contact_id for u in updates]
        assert [r.ok for r in results] == [True, True, True, False]
        assert results[-1].error
        written = world.connector.pull_contacts_by_id(ids)
        assert {r.contact.id: r.written[OutputField.SCORE] for r in written.contacts} == {
            i: str(n * 10) for n, i in enumerate(ids)
        }

    def test_a_task_can_be_found_by_its_key(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(hours=1))
        task = TaskRequest(
            key=f"assigned:{contact_id}:contract",
            contact_id=contact_id,
            owner_id=world.owner_id(),
            subject="New lead for you",
            body="Why you: the contract",
            due_at=world.now + timedelta(hours=4),
        )

        before = world.connector.existing_task_keys([task.key])
        (created,) = world.connector.create_tasks([task])
        after = world.connector.existing_task_keys([task.key, "assigned:nobody:never"])

        assert before == set()
        assert (created.key, created.ok) == (task.key, True)
        assert after == {task.key}, "a crash after creating it finds it instead of creating it twice"

    def test_tasks_are_completed_by_key_once_and_for_good(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(hours=1))
        tasks = [
            TaskRequest(
                key=f"{kind}:{contact_id}:contract",
                contact_id=contact_id,
                owner_id=world.owner_id(),
                subject=f"{kind} task",
                body="the contract",
                due_at=world.now + timedelta(hours=4),
            )
            for kind in ("assigned", "sla")
        ]
        world.connector.create_tasks(tasks)

        done = world.connector.complete_tasks([tasks[0].key, "assigned:nobody:never"])
        again = world.connector.complete_tasks([tasks[0].key])

        assert [(r.key, r.ok) for r in done] == [(tasks[0].key, True), ("assigned:nobody:never", True)]
        assert [(r.key, r.ok) for r in again] == [(tasks[0].key, True)]
        assert world.open_tasks() == {"sla task"}

    def test_owners_are_read(self, world: World) -> None:
        owners = world.connector.pull_owners()

        assert world.owner_id() in {owner.id for owner in owners}
        assert all(owner.name for owner in owners)

    def test_history_dates_a_rep_s_signals(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(days=2))
        changed = world.now - timedelta(days=1)
        world.rep_changes_status(contact_id, changed)
        world.connector.pull_contacts_by_id([contact_id])

        history = world.connector.pull_history([contact_id, world.unknown_id()])

        assert set(history) == {contact_id}
        moments = [moment for moment, _ in history[contact_id]]
        assert moments == sorted(moments)
        assert changed in moments
        assert all(version.id == contact_id for _, version in history[contact_id])

    def test_the_budget_is_reported(self, world: World) -> None:
        world.contacts(1, world.now - timedelta(hours=1))
        list(world.connector.pull_contacts(Window(None, world.now)))

        budget = world.connector.budget()

        assert budget.remaining is None or budget.remaining >= 0
        assert (budget.remaining is None) == (budget.limit is None)

    def test_deals_come_since_a_time_with_their_contacts(self, world: World) -> None:
        ada, bob, cy = world.contacts(3, world.now - timedelta(days=3))
        old = world.deals(2, world.now - timedelta(days=3), [ada])
        new = world.deals(1, world.now - timedelta(hours=1), [bob, cy])
        window = Window(world.now - timedelta(days=1), world.now)

        pulled = [change for page in world.connector.pull_deals(window) for change in page.deals]

        assert [change.deal.id for change in pulled] == new, "only what changed inside the window"
        assert not {change.deal.id for change in pulled} & set(old)
        (change,) = pulled
        assert sorted(change.contact_ids) == sorted([bob, cy])
        assert (change.deal.closed, change.deal.won) == (False, False)
        assert window.start is not None
        assert window.start <= change.modified_at <= world.now
        everything = {
            c.deal.id for page in world.connector.pull_deals(Window(None, world.now)) for c in page.deals
        }
        assert everything == {*old, *new}

    def test_deal_pages_resume_from_their_token(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(hours=2))
        ids = world.deals(self.page_size + 5, world.now - timedelta(hours=1), [contact_id])
        window = Window(world.now - timedelta(days=1), world.now)

        first = next(world.connector.pull_deals(window))
        assert first.resume is not None, "more than one page"
        rest = [c.deal.id for page in world.connector.pull_deals(window, first.resume) for c in page.deals]
        pulled = [c.deal.id for c in first.deals] + rest

        assert sorted(pulled) == sorted(ids)
        assert len(pulled) == len(set(pulled)), "no deal twice"

    def test_a_won_deal_says_so_with_its_amount(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(days=2))
        (deal_id,) = world.deals(1, world.now - timedelta(days=2), [contact_id])
        world.win(deal_id, 12_500.0, world.now - timedelta(hours=1))

        (change,) = [
            c
            for page in world.connector.pull_deals(Window(world.now - timedelta(days=1), world.now))
            for c in page.deals
        ]

        assert change.deal.id == deal_id
        assert (change.deal.closed, change.deal.won, change.deal.amount) == (True, True, 12_500.0)
        assert change.contact_ids == (contact_id,)

    def test_a_deal_that_cannot_be_read_is_rejected_and_its_page_goes_on(self, world: World) -> None:
        (contact_id,) = world.contacts(1, world.now - timedelta(hours=2))
        good = world.deals(2, world.now - timedelta(hours=1), [contact_id])
        bad = world.unreadable_deal(contact_id, world.now - timedelta(hours=1))

        pages = list(world.connector.pull_deals(Window(world.now - timedelta(days=1), world.now)))

        assert sorted(c.deal.id for page in pages for c in page.deals) == sorted(good)
        rejected = [r for page in pages for r in page.rejected]
        assert [(r.record_id, r.stream) for r in rejected] == [(bad, "deals")]
        assert "amount" in rejected[0].error
