"""A CRM the company can run against without any emulator: it records every event, gives out
plain ids, and keeps just enough state (owners, stages, tasks, fields) to answer the port."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from handoff.sandbox.company.events import (
    AccountOpened,
    Activity,
    CompanyEvent,
    Creation,
    FormPublished,
    LeadAccepted,
    LeadArrived,
    LeadImported,
    LeadRejected,
    RepJoined,
    TaskCompleted,
)
from handoff.sandbox.company.people import Account, Rep
from handoff.sandbox.company.port import EvidenceField, Handoff, LeadView
from handoff.sandbox.company.terms import Evidence

E = TypeVar("E")


@dataclass
class FakeLead:
    email: str
    job_title: str = ""
    owner: str | None = None
    stage: str = ""
    handed_at: datetime | None = None
    accepted: bool = False
    tasks: dict[str, str] = field(default_factory=dict)
    """Open task ids, by the rep they are for."""


class FakeCrm:
    def __init__(
        self,
        *,
        reps: tuple[Rep, ...] = (),
        evidence: dict[Evidence, EvidenceField] | None = None,
        reasons: tuple[str, ...] | None = None,
        forms: tuple[str, ...] = (),
    ) -> None:
        self.events: list[CompanyEvent] = []
        self.leads: dict[str, FakeLead] = {}
        self.team: list[Rep] = list(reps)
        self.directory: list[Account] = []
        self.evidence = evidence or {}
        self.reasons = reasons
        self.forms = set(forms)
        self._ids = itertools.count(1)

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    # -- what the simulated handoff does --------------------------------------------------------

    def add_lead(self, email: str, job_title: str = "") -> str:
        lead = self._id("lead")
        self.leads[lead] = FakeLead(email, job_title)
        return lead

    def hand_off(self, lead: str, rep: str, stage: str, at: datetime, *, task: str | None = None) -> None:
        self.leads[lead] = replace(self.leads[lead], owner=rep, stage=stage, handed_at=at)
        if task is not None:
            self.leads[lead].tasks[task] = rep

    # -- the port -------------------------------------------------------------------------------

    def create(self, event: Creation) -> str:
        self.events.append(event)
        if isinstance(event, LeadArrived | LeadImported):
            known = next((i for i, lead in self.leads.items() if lead.email == event.person.email), None)
            if known is not None:
                return known
            lead = self._id("lead")
            self.leads[lead] = FakeLead(event.person.email, event.person.job_title)
            return lead
        created = self._id(type(event).__name__.lower())
        if isinstance(event, RepJoined) and event.left_at is None:
            self.team.append(Rep(created, event.seat.email, event.seat.team, event.seat.timezone))
        if isinstance(event, FormPublished):
            self.forms.add(event.name)
        if isinstance(event, AccountOpened):
            self.directory.append(
                Account(
                    created,
                    event.name,
                    event.domain,
                    event.employees,
                    event.industry,
                    event.country,
                    event.owner,
                )
            )
        return created

    def apply(self, event: Activity) -> None:
        self.events.append(event)
        match event:
            case LeadAccepted():
                self.leads[event.lead].accepted = True
            case TaskCompleted():
                del self.leads[event.lead].tasks[event.task]
            case LeadRejected():
                self.leads[event.lead].stage = "disqualified"
            case _:
                pass

    def reps(self) -> list[Rep]:
        return list(self.team)

    def accounts(self) -> list[Account]:
        return list(self.directory)

    def lead_ids(self) -> list[str]:
        return list(self.leads)

    def email_in_use(self, email: str) -> bool:
        return any(lead.email == email for lead in self.leads.values())

    def has_form(self, name: str) -> bool:
        return name in self.forms

    def lead(self, lead_id: str) -> LeadView | None:
        lead = self.leads.get(lead_id)
        if lead is None:
            return None
        return LeadView(lead.owner, lead.stage, lead.accepted, lead.email, lead.job_title)

    def handoffs(self) -> list[Handoff]:
        return [
            Handoff(lead_id, lead.owner, lead.stage, lead.handed_at)
            for lead_id, lead in self.leads.items()
            if lead.owner is not None and lead.stage and lead.handed_at is not None
        ]

    def open_tasks(self, lead_id: str, rep_id: str) -> list[str]:
        return [task for task, rep in self.leads[lead_id].tasks.items() if rep == rep_id]

    def evidence_fields(self) -> dict[Evidence, EvidenceField]:
        return {item: self.evidence[item] for item in Evidence if item in self.evidence}

    def rejection_reasons(self) -> tuple[str, ...] | None:
        return self.reasons

    def of(self, kind: type[E]) -> list[E]:
        """The recorded events of one type, in order."""
        return [event for event in self.events if isinstance(event, kind)]
