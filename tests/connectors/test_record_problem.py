"""Why a record was refused, in words safe for logs and the quarantine: never its values."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from handoff.connectors.errors import RecordRefused, record_problem
from handoff.lifecycle.records import Contact


def test_a_validation_error_names_the_field_and_rule_but_not_the_value() -> None:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(Contact).validate_python({"id": "1", "stage_entered_at": "maya@northwind.example"})

    why = record_problem(refused.value)
    assert why.startswith("stage_entered_at: ")
    assert "maya@northwind.example" not in why


def test_other_errors_are_named_by_kind_and_refusals_by_their_own_words() -> None:
    assert record_problem(KeyError("maya@northwind.example")) == "the record could not be read (KeyError)"
    assert record_problem(RecordRefused("lastmodifieddate is missing")) == "lastmodifieddate is missing"
