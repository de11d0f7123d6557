"""Small builders for canonical records, so each table row reads as the lead it describes."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.records import Activity, Company, Contact
from tests.conftest import NOW

_ids = count(1)

PERFECT_COMPANY = Company(
    name="Northwind Cloud", domain="northwind.example", employees=200, industry="SaaS", country="US"
)


def fit_lead(**fields: Any) -> Contact:
    """A perfect-fit buyer: VP at a 200-person SaaS company in a served country (fit 40)."""
    base: dict[str, Any] = {
        "id": "lead-fit",
        "email": "maya@northwind.example",
        "title": "VP Revenue Operations",
        "company": PERFECT_COMPANY,
    }
    return Contact(**{**base, **fields})


def personal_lead(**fields: Any) -> Contact:
    base: dict[str, Any] = {"id": "lead-gmail", "email": "jess.porter88@gmail.com", "title": "Consultant"}
    return Contact(**{**base, **fields})


def student_lead(**fields: Any) -> Contact:
    base: dict[str, Any] = {"id": "lead-student", "email": "l.novak@uni-example.edu", "title": "Student"}
    return Contact(**{**base, **fields})


def at_stage(contact: Contact, stage: Stage, days_ago: float = 1, **fields: Any) -> Contact:
    values = {f: getattr(contact, f) for f in contact.__dataclass_fields__}
    values.update(stage=stage, stage_entered_at=NOW - timedelta(days=days_ago), **fields)
    return Contact(**values)


def act(kind: ActivityKind | str, days_ago: float = 0.0, **attributes: str) -> Activity:
    return Activity(
        id=f"act-{next(_ids)}",
        kind=ActivityKind(kind),
        occurred_at=NOW - timedelta(days=days_ago),
        attributes=attributes,
    )


def page(url: str, days_ago: float = 0.0) -> Activity:
    return act(ActivityKind.PAGE_VIEW, days_ago, url=f"https://acme.example{url}")


BANT = {
    "need": "Lead response takes days",
    "authority": "VP signs",
    "timeline": "Q1",
    "budget": "$40k approved",
}
