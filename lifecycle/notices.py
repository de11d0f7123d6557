"""What to tell a rep after a decision: a new or escalated lead, an SLA clock turning due or breached.

Each notice carries a key that names the event, so it is sent once however often it is decided
again (a re-run after a crash, the next SLA tick). The runtime turns notices into a CRM task and
chat messages through the outbox; what they say, and when, is decided here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from handoff.lifecycle.clock import ClockName, ClockStatus
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.records import Contact, Owner

CLOCK_LABELS = {
    ClockName.FIRST_TOUCH: "first touch",
    ClockName.ACCEPT: "acceptance",
    ClockName.DISCOVERY: "discovery (qualification evidence)",
    ClockName.FOLLOW_UP: "follow-up touches",
}
_TOLD = (ClockStatus.DUE_SOON, ClockStatus.BREACHED)


class Notice(NamedTuple):
    """One thing a rep must be told, due by `due_at` (never in the past)."""

    key: str
    contact_id: str
    owner_id: str
    subject: str
    body: str
    due_at: datetime
    breach: bool = False


def notices(
    decision: Decision,
    contact: Contact,
    previous_clocks: Mapping[ClockName, ClockStatus],
    people: Mapping[str, Owner],
    now: datetime,
) -> tuple[Notice, ...]:
    """What to tell the owner after this decision. Queues get no notices; their leads wait for a
    person."""
    owner = people.get(decision.owner_id or "")
    if owner is None or owner.queue:
        return ()
    who = _who(contact)
    clock = decision.current_clock
    due = clock.due_at if clock else now + timedelta(days=1)
    # A lead that waited before handoff saw it comes with a clock already run out: say so, and give
    # the rep a task due now rather than one due in the past.
    timing = f"due {_when(due)}" if due > now else f"overdue since {_when(due)}"
    found: list[Notice] = []
    if decision.owner_changed and decision.routing is not None:
        what = CLOCK_LABELS.get(clock.name, "follow-up") if clock else "follow-up"
        lead = "Escalated to you" if decision.routing.escalated else "New lead for you"
        found.append(
            Notice(
                key=f"assigned:{contact.id}:{owner.id}:{(decision.owner_assigned_at or now).isoformat()}",
                contact_id=contact.id,
                owner_id=owner.id,
                subject=f"{lead}: {who} — {what} {timing}",
                body=f"{decision.summary}\n\nWhy you: {decision.routing.reason}",
                due_at=max(due, now),
            )
        )
    for item in decision.clocks:
        if item.status not in _TOLD or previous_clocks.get(item.name) is item.status:
            continue
        label = CLOCK_LABELS.get(item.name, item.name.value)
        breached = item.status is ClockStatus.BREACHED
        found.append(
            Notice(
                key=f"sla:{contact.id}:{item.name.value}:{item.status.value}:{item.due_at.isoformat()}",
                contact_id=contact.id,
                owner_id=owner.id,
                subject=f"SLA {'breached' if breached else 'due soon'}: {label} for {who} "
                f"{'was' if breached else 'is'} due {_when(item.due_at)}",
                body=decision.summary,
                due_at=max(item.due_at, now),
                breach=breached,
            )
        )
    return tuple(found)


def _who(contact: Contact) -> str:
    company = contact.company.name
    return f"{contact.name} ({company})" if company else contact.name


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%a %d %b %H:%M} UTC"
