"""The port between the company and a CRM: what the company writes and what it reads back.

Each CRM renderer implements ``CrmPort``: it writes the company's events into its CRM (in its
property names, sources and objects) and answers the company's few questions in the company's
terms. Reps never see handoff: they read what handoff wrote into the CRM (who a lead was routed to
and when, its stage, the tasks handoff created, the evidence and rejection fields handoff set up)
and act on it, as real reps do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from handoff.sandbox.company.events import Activity, Creation
from handoff.sandbox.company.people import Account, Rep
from handoff.sandbox.company.terms import Evidence, FieldKind


@dataclass(frozen=True)
class LeadView:
    """A lead as a rep sees it in the CRM. ``stage`` is handoff's stage, lower case (``""``:
    none); ``accepted`` says the lead's status already shows a rep working it."""

    owner: str | None
    stage: str
    accepted: bool
    email: str
    job_title: str


@dataclass(frozen=True)
class Handoff:
    """A lead with an owner and a handoff stage; ``at`` is when handoff last set either."""

    lead: str
    rep: str
    stage: str
    at: datetime


@dataclass(frozen=True)
class EvidenceField:
    """A field handoff set up for one piece of evidence; ``options`` are a choice's values."""

    kind: FieldKind
    options: tuple[str, ...] = ()


class CrmPort(Protocol):
    def create(self, event: Creation) -> str:
        """Write a creation; returns the CRM's id for what it created (a lead whose email the
        CRM already knows is that lead)."""
        ...

    def apply(self, event: Activity) -> None:
        """Write an activity; one about a lead the CRM no longer holds is dropped."""
        ...

    def reps(self) -> Sequence[Rep]:
        """The active reps, in a stable order (the order personas are dealt in)."""
        ...

    def accounts(self) -> list[Account]:
        """The live accounts, in the CRM's order."""
        ...

    def lead_ids(self) -> list[str]:
        """Every live lead, in the CRM's order."""
        ...

    def email_in_use(self, email: str) -> bool: ...

    def has_form(self, name: str) -> bool: ...

    def lead(self, lead_id: str) -> LeadView | None:
        """``None`` once the lead is gone (deleted or merged away)."""
        ...

    def handoffs(self) -> list[Handoff]:
        """Every live lead with an owner and a handoff stage, in the CRM's order; none before
        handoff is set up."""
        ...

    def open_tasks(self, lead_id: str, rep_id: str) -> list[str]:
        """The ids of the rep's tasks on the lead that are not completed yet."""
        ...

    def evidence_fields(self) -> Mapping[Evidence, EvidenceField]:
        """The evidence fields that exist, in ``Evidence`` order."""
        ...

    def rejection_reasons(self) -> tuple[str, ...] | None:
        """The reasons a rep may give: ``None`` if there is no field for one, ``()`` if any
        text goes, else the allowed values in the field's order."""
        ...
