"""What every CRM connector provides, in CRM-neutral terms.

The runtime speaks only this protocol: canonical contacts and activities in, logical output fields
(`lifecycle.outputs`) out. Each connector owns its mapping (HubSpot property names, Salesforce API
names, lifecycle values, the form-to-activity map), its pagination and its rate-limit budget.
The contract suite (tests/connectors/contract.py) checks what every connector promises here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.outputs import FieldValues
from handoff.lifecycle.records import Activity, Contact, Deal


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record the connector could not map; it is quarantined with the reason, never dropped."""

    record_id: str
    stream: str
    error: str
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Window:
    """The slice of modification time a pull covers: `start` (inclusive, None = everything) to `end`."""

    start: datetime | None
    end: datetime


@dataclass(frozen=True, slots=True)
class ContactPage:
    contacts: list[CrmContact]
    rejected: list[Rejected] = field(default_factory=list)
    resume: str | None = None
    """Opaque token to continue the same window after this page; None once the window is done."""
    gone: tuple[str, ...] = ()
    """Ids asked for by id that the CRM no longer has (deleted)."""
    merged: dict[str, str] = field(default_factory=dict)
    """Ids asked for by id that were merged into another record → the surviving id (whose
    record is in `contacts`)."""


@dataclass(frozen=True, slots=True)
class DealChange:
    """A deal as the CRM holds it now, with the contacts it is associated with (CRM ids) and when
    the CRM last modified it."""

    deal: Deal
    contact_ids: tuple[str, ...]
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class DealPage:
    deals: list[DealChange]
    rejected: list[Rejected] = field(default_factory=list)
    resume: str | None = None
    """Opaque token to continue the same window after this page; None once the window is done."""


@dataclass(frozen=True, slots=True)
class ActivityPull:
    by_contact: dict[str, list[Activity]]
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CrmOwner:
    """A CRM user or queue that can own leads, as the CRM knows it (routing adds the policy's view)."""

    id: str
    email: str | None
    name: str
    active: bool = True
    is_queue: bool = False
    teams: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldUpdate:
    contact_id: str
    fields: FieldValues
    current: FieldValues = field(default_factory=dict)
    """The values the CRM held when this update was decided; a connector needs them for moves the
    CRM treats specially (HubSpot only moves lifecycle stages forward unless cleared first)."""
    stage_before: str | None = None
    """The contact's stage as last pulled, for a first write, when handoff's own field is empty."""


@dataclass(frozen=True, slots=True)
class TaskRequest:
    """A task for a rep on a contact; `key` makes its creation idempotent across crashes."""

    key: str
    contact_id: str
    owner_id: str
    subject: str
    body: str
    due_at: datetime
    priority: str = "HIGH"


@dataclass(frozen=True, slots=True)
class WriteResult:
    key: str
    ok: bool
    error: str | None = None
    permanent: bool = False


@dataclass(frozen=True, slots=True)
class Budget:
    """What is left of the CRM's request allowance; None where the CRM does not say."""

    remaining: int | None
    limit: int | None
    resets_at: datetime | None = None


class Connector(Protocol):
    name: str
    write_batch_size: int

    def pull_contacts(self, window: Window, resume: str | None = None) -> Iterator[ContactPage]:
        """Contacts changed inside the window, in pages, each with a token to resume after it."""
        ...

    def count_contacts(self, window: Window) -> int | None:
        """How many contacts the window holds, if the CRM can say cheaply (for progress and ETA)."""
        ...

    def pull_contacts_by_id(self, ids: Sequence[str]) -> ContactPage:
        """Targeted pull (webhooks, verification): the current state of these contacts."""
        ...

    def pull_activities(self, contact_ids: Sequence[str], since: datetime | None) -> ActivityPull:
        """Activities of these contacts that happened or changed since `since` (None = all kept)."""
        ...

    def pull_history(self, ids: Sequence[str]) -> dict[str, tuple[tuple[datetime, Contact], ...]]:
        """Earlier versions of these contacts, rebuilt from the CRM's property history of the few
        fields that carry rep signals (oldest first); empty where the CRM keeps none. Asked once,
        when handoff first sees a contact, so replays of the time before it watched start right."""
        ...

    def pull_owners(self) -> list[CrmOwner]: ...

    def pull_deals(self, window: Window, resume: str | None = None) -> Iterator[DealPage]:
        """Deals changed inside the window (outcomes: opportunity, won, lost), each with the
        contacts it is associated with, in pages, each with a token to resume after it."""
        ...

    def write_fields(self, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        """Write field updates, batched by the connector; one result per contact, keyed by contact id."""
        ...

    def create_tasks(self, tasks: Sequence[TaskRequest]) -> list[WriteResult]:
        """Create rep tasks; one result per task, keyed by the task key."""
        ...

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these task keys already exist in the CRM (to finish a creation a crash interrupted)."""
        ...

    def complete_tasks(self, keys: Sequence[str]) -> list[WriteResult]:
        """Mark handoff's tasks with these keys completed, so a rep's list holds only what they must
        still do; one result per key, and a key with no task (never created, or deleted) is done."""
        ...

    def budget(self) -> Budget: ...
