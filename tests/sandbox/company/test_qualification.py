"""How a rep judges a lead: what they see at a glance, and what they type into each kind of field."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from handoff.sandbox.company.port import EvidenceField, LeadView
from handoff.sandbox.company.qualification import evidence_value, obvious_reason
from handoff.sandbox.company.terms import Evidence, FieldKind

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("email", "title", "reason"),
    [
        ("spy@Rivalytics.example", "VP of Sales", "competitor"),
        ("kid@gmail.com", "Student", "student"),
        ("jo@gmail.com", "Marketing Intern", "student"),
        ("jo@gmail.com", "Freelancer", None),
        ("asdf1@mailinator.com", "Head of Growth", "bad_data"),
        ("jo@northwind.example", "n/a", "bad_data"),
        ("jo@northwind.example", "CFO", None),
        ("", "", None),
    ],
)
def test_reasons_a_rep_sees_at_a_glance(email: str, title: str, reason: str | None) -> None:
    assert obvious_reason(LeadView("rep-1", "mql", False, email, title)) == reason


@pytest.mark.parametrize(
    ("field", "item", "expected"),
    [
        (EvidenceField(FieldKind.FLAG), Evidence.BUDGET, True),
        (EvidenceField(FieldKind.NUMBER), Evidence.BUDGET, 40_000),
        (EvidenceField(FieldKind.NUMBER), Evidence.NEED, 1),
        (EvidenceField(FieldKind.CHOICE, ("none", "N/A", "Confirmed")), Evidence.NEED, "Confirmed"),
        (EvidenceField(FieldKind.CHOICE, ("no", "unknown")), Evidence.NEED, None),
        (EvidenceField(FieldKind.DATE), Evidence.TIMELINE, date(2026, 5, 31)),
        (EvidenceField(FieldKind.DATETIME), Evidence.TIMELINE, START + timedelta(days=90)),
    ],
)
def test_evidence_fits_the_field_handoff_set_up(
    field: EvidenceField, item: Evidence, expected: object
) -> None:
    assert evidence_value(field, item, START, random.Random(0)) == expected


def test_free_text_evidence_is_drawn_from_the_reps_notes() -> None:
    texts = {
        evidence_value(EvidenceField(FieldKind.TEXT), Evidence.NEED, START, random.Random(n))
        for n in range(30)
    }

    assert len(texts) == 3
    assert all(isinstance(text, str) and text.endswith(".") for text in texts)
