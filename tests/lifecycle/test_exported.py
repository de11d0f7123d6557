"""A lead from one row of a CRM export: a table of rows, the lead each makes, what each lacked."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.config.csv_mapping import CsvMapping
from handoff.config.vocabulary import ActivityKind
from handoff.lifecycle.exported import Note, Placeholders, lead_from_row
from tests.conftest import NOW

MAPPING = CsvMapping.model_validate(
    {
        "id": "Id",
        "not_filled": ["Select", "N/A"],
        "never_use": ["Tags"],
        "fields": {"contact.title": "Role", "company.employees": "Size", "custom.origin": "Origin"},
        "activities": [
            {"column": "Visits", "count_of": "page_view", "cap": 5, "attributes": {"url": "/pricing"}},
            {"column": "Last", "values": {"Email Opened": "email_open", "Chat": "chat"}},
        ],
        "outcome": {"column": "Won", "won": ["1", "yes"]},
    }
)
PLACEHOLDERS = Placeholders(MAPPING.not_filled)
FULL = {
    "Id": "L1",
    "Role": "VP Sales",
    "Size": "200",
    "Origin": "Ad",
    "Visits": "2",
    "Last": "Chat",
    "Won": "1",
}


def row(**changes: str) -> dict[str, str]:
    return {**FULL, **changes}


@pytest.mark.parametrize(
    ("given", "fields", "kinds", "won", "notes"),
    [
        (
            row(),
            {"title": "VP Sales", "employees": 200, "origin": "Ad"},
            ["page_view"] * 2 + ["chat"],
            True,
            [],
        ),
        (row(Won="0"), {}, None, False, []),
        (row(Won=" YES "), {}, None, True, []),
        (row(Role="Select"), {"title": None}, None, True, [Note("placeholder", "Role")]),
        (row(Role="  "), {"title": None}, None, True, []),
        (row(Size="1,200"), {"employees": 1200}, None, True, []),
        (row(Size="-4"), {"employees": None}, None, True, [Note("not a number", "Size")]),
        (row(Size="many"), {"employees": None}, None, True, [Note("not a number", "Size")]),
        (row(Visits="4.0"), {}, ["page_view"] * 4 + ["chat"], True, []),
        (row(Visits="lots"), {}, ["chat"], True, [Note("not a count", "Visits")]),
        (row(Visits="999"), {}, ["page_view"] * 5 + ["chat"], True, [Note("count capped", "Visits")]),
        (row(Visits="nan"), {}, ["chat"], True, [Note("not a count", "Visits")]),
        (row(Last="email opened"), {}, ["page_view"] * 2 + ["email_open"], True, []),
        (
            row(Last="Carrier pigeon"),
            {},
            ["page_view"] * 2,
            True,
            [Note("unknown category", "Last", "Carrier pigeon")],
        ),
        (row(Last="N/A"), {}, ["page_view"] * 2, True, [Note("placeholder", "Last")]),
    ],
    ids=[
        "full row",
        "not won",
        "won, in another case with blanks",
        "placeholder title",
        "blank title",
        "thousands separator",
        "negative size",
        "size in words",
        "count written as a decimal",
        "count in words",
        "count above the cap",
        "NaN count",
        "category in another case",
        "unknown category",
        "placeholder category",
    ],
)
def test_a_row_makes_its_lead_and_says_what_it_lacked(
    given: dict[str, str], fields: dict[str, Any], kinds: list[str] | None, won: bool, notes: list[Note]
) -> None:
    lead, said = lead_from_row(given, MAPPING, NOW, PLACEHOLDERS)
    assert lead is not None
    ((seen, contact),) = lead.timeline.versions
    assert seen == NOW
    values = {
        "title": contact.title,
        "employees": contact.company.employees,
        "origin": contact.custom.get("origin"),
    }
    assert {key: values[key] for key in fields} == fields
    if kinds is not None:
        assert [activity.kind.value for _, activity in lead.timeline.activities] == kinds
    assert all(arrived == activity.occurred_at == NOW for arrived, activity in lead.timeline.activities)
    assert len({activity.id for _, activity in lead.timeline.activities}) == len(lead.timeline.activities)
    assert lead.won is won
    assert said == notes


@pytest.mark.parametrize(
    ("given", "note"),
    [
        (row(Id=""), Note("no id", "Id")),
        (row(Id="Select"), Note("no id", "Id")),
        (row(Won=""), Note("no outcome", "Won")),
    ],
    ids=["blank id", "placeholder id", "blank outcome"],
)
def test_a_row_without_an_id_or_an_outcome_makes_no_lead(given: dict[str, str], note: Note) -> None:
    assert lead_from_row(given, MAPPING, NOW, PLACEHOLDERS) == (None, [note])


def test_the_page_view_carries_the_columns_attributes() -> None:
    lead, _ = lead_from_row(row(), MAPPING, NOW, PLACEHOLDERS)
    assert lead is not None
    first = lead.timeline.activities[0][1]
    assert (first.kind, first.attributes) == (ActivityKind.PAGE_VIEW, {"url": "/pricing"})
