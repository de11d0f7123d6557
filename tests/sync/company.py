"""A small, readable company to sync: each lead's expected outcome is in its name."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from handoff.config.loader import SHIPPED_DIR
from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.connectors.protocol import CrmOwner
from handoff.lifecycle.records import Activity, Company, Contact
from tests.support import START

OWNERS = SHIPPED_DIR / "samples" / "owners.json"
NORTHWIND = Company(
    name="Northwind", domain="northwind.example", employees=200, industry="SaaS", country="US"
)


def demo_requester(contact_id: str = "vp-demo") -> Contact:
    return Contact(
        id=contact_id, email=f"{contact_id}@northwind.example", title="VP Sales", company=NORTHWIND
    )


def blog_reader(contact_id: str = "fit-blog") -> Contact:
    return Contact(
        id=contact_id,
        email=f"{contact_id}@northwind.example",
        title="Director of Marketing",
        company=NORTHWIND,
    )


def gmail_fan(contact_id: str = "gmail-fan") -> Contact:
    return Contact(id=contact_id, email=f"{contact_id}@gmail.com", title="Consultant")


def reps(crm: MemoryCrm) -> None:
    """The demo company's owners (config/samples/owners.json): reps in the shipped policy's teams."""
    data = json.loads(OWNERS.read_text())
    crm.put_owners(
        [
            CrmOwner(
                id=o["id"],
                email=o.get("email"),
                name=o.get("name", o["id"]),
                active=o.get("active", True),
                is_queue=o.get("queue", False),
            )
            for o in data["owners"]
        ]
    )


def seed(crm: MemoryCrm, now: datetime = START) -> None:
    """Three leads and the reps; `now` is when the story happens (the tests' frozen clock, or real
    time for tests that run handoff as a process)."""
    reps(crm)
    crm.put_contacts([(demo_requester(), None), (blog_reader(), None), (gmail_fan(), None)])
    crm.put_activities(
        [
            ("vp-demo", Activity("a1", ActivityKind.DEMO_REQUEST, now - timedelta(minutes=10))),
            (
                "fit-blog",
                Activity(
                    "a2", ActivityKind.PAGE_VIEW, now - timedelta(days=1), attributes={"url": "/blog/x"}
                ),
            ),
            ("gmail-fan", Activity("a3", ActivityKind.DEMO_REQUEST, now - timedelta(hours=2))),
        ]
    )


def many(crm: MemoryCrm, count: int, prefix: str = "lead", now: datetime = START) -> list[str]:
    reps(crm)
    ids = [f"{prefix}-{n:05d}" for n in range(count)]
    crm.put_contacts([(demo_requester(i), None) for i in ids])
    crm.put_activities(
        [(i, Activity(f"{i}-a", ActivityKind.DEMO_REQUEST, now - timedelta(hours=1))) for i in ids]
    )
    return ids
