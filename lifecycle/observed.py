"""A contact as a pull saw it: the canonical record, when the CRM last changed it, and what the CRM
holds of handoff's own outputs (for the diff and echo suppression).

Connectors produce it, the store keeps it; `past` carries earlier versions the CRM's own property
history tells of (the time before handoff was watching), oldest first, where a connector can say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from handoff.lifecycle.outputs import FieldValues
from handoff.lifecycle.records import Contact


@dataclass(frozen=True, slots=True)
class CrmContact:
    contact: Contact
    modified_at: datetime
    written: FieldValues = field(default_factory=dict)
    account_owner_id: str | None = None
    past: tuple[tuple[datetime, Contact], ...] = ()
