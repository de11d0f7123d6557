"""Synthetic leads for the benchmarks: deterministic, varied, realistic in shape."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.records import Activity, Company, Contact

_ACTIONS: list[tuple[ActivityKind, dict[str, str]]] = [
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/pricing"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/product/routing"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/blog/lead-scoring-101"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/customers/northwind"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/careers"}),
    (ActivityKind.CONTENT_DOWNLOAD, {"asset": "Case study: Northwind", "form": "Download: Case study"}),
    (ActivityKind.CONTENT_DOWNLOAD, {"asset": "Whitepaper: the SLA gap"}),
    (ActivityKind.WEBINAR_REGISTERED, {"asset": "Product walkthrough"}),
    (ActivityKind.WEBINAR_ATTENDED, {"asset": "Product walkthrough"}),
    (ActivityKind.EMAIL_OPEN, {"campaign": "Newsletter"}),
    (ActivityKind.EMAIL_CLICK, {"campaign": "Newsletter"}),
    (ActivityKind.DEMO_REQUEST, {"form": "Request a demo"}),
    (ActivityKind.CALL, {}),
]
_TITLES = ["VP Sales", "Director of Marketing", "Analyst", "Student", "CFO", "Marketing Manager", None]
_INDUSTRIES = ["SaaS", "Software", "Retail", "Healthcare", "Financial Services", "Education", None]
_COUNTRIES = ["US", "GB", "DE", "IN", "BR", "FR", "CA", None]
_DOMAINS = ["northwind.example", "gmail.com", "ledgerly.example", "uni.edu", "outlook.com", "quantia.example"]
_STAGES = [None, None, Stage.LEAD, Stage.LEAD, Stage.MQL, Stage.SAL]


def synthetic_leads(
    count: int, activities: int, now: datetime, seed: int = 7
) -> Iterator[tuple[Contact, list[Activity]]]:
    rng = random.Random(seed)
    for n in range(count):
        company = Company(
            name=rng.choice(["Northwind", "Ledgerly", None]),
            employees=rng.choice([None, 12, 45, 200, 480, 1500, 20_000]),
            industry=rng.choice(_INDUSTRIES),
            country=rng.choice(_COUNTRIES),
        )
        stage = rng.choice(_STAGES)
        contact = Contact(
            id=str(n),
            email=f"lead{n}@{rng.choice(_DOMAINS)}",
            title=rng.choice(_TITLES),
            company=company,
            stage=stage,
            stage_entered_at=now - timedelta(days=rng.uniform(0, 30)) if stage else None,
            accepted=rng.random() < 0.3,
            evidence={"need": "yes", "authority": "yes"} if rng.random() < 0.2 else {},
        )
        history = []
        for a in range(activities):
            kind, attributes = rng.choice(_ACTIONS)
            when = now - timedelta(days=rng.uniform(0, 120))
            history.append(Activity(id=f"{n}-{a}", kind=kind, occurred_at=when, attributes=attributes))
        yield contact, history
