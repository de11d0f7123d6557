"""A small, readable company to sync: each lead's expected outcome is in its name."""

from __future__ import annotations

import json
from collections.abc import Callable
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


BANT = {"need": "slow routing", "authority": "VP signs", "timeline": "Q1", "budget": "approved"}


def pricing_views(contact_id: str, at: datetime, count: int) -> list[tuple[str, Activity]]:
    url = {"url": "https://acme.example/pricing"}
    return [
        (
            contact_id,
            Activity(
                f"{contact_id}-p{n}", ActivityKind.PAGE_VIEW, at - timedelta(hours=n + 1), attributes=url
            ),
        )
        for n in range(count)
    ]


def live_a_week(
    crm: MemoryCrm, now: datetime, cycle: Callable[[], object], advance: Callable[[], object]
) -> None:
    """ada: three pricing views (55: MQL), accepted, evidence (SQL), then a customer.
    bea: a webinar (43: between a bar of 42 and the shipped 50). dan: fit only (40).
    cal: a personal address with pricing views (never)."""
    reps(crm)
    crm.put_contacts(
        [
            (blog_reader("ada"), None),
            (demo_requester("bea"), None),
            (gmail_fan("cal"), None),
            (blog_reader("dan"), None),
        ]
    )
    crm.put_activities(
        [
            *pricing_views("ada", now, 3),
            ("bea", Activity("bea-w", ActivityKind.WEBINAR_ATTENDED, now - timedelta(hours=1))),
            *pricing_views("cal", now, 3),
        ]
    )
    for step in (
        None,
        {"ada": {"accepted": True, "lead_status": "IN_PROGRESS"}},
        {"ada": {"evidence": BANT}},
        {"ada": {"stage": "customer"}},
    ):
        for contact_id, edit in (step or {}).items():
            crm.rep_edit(contact_id, **edit)
        cycle()
        advance()
