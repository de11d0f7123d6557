"""The simulation's story in HubSpot's words, for the demo's narration and for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SimEvent:
    """Something the simulation did. ``kind`` is ``arrival`` (``detail``: the form),
    ``page_view`` (the URL), ``form_submission`` (the form), a newsletter open or click (as its
    HubSpot event type; the newsletter), or a rep's action on a lead (``owner_id``): ``ignored``,
    ``accepted``, ``task_completed`` (the task id), ``first_touch`` (``calls`` or ``emails``),
    ``evidence``, ``rejected``, ``rejected_no_reason``, ``opportunity`` (the properties written)
    or ``skipped`` (a write HubSpot refused, and why)."""

    at: datetime
    kind: str
    contact_id: str
    detail: str = ""
    owner_id: str | None = None
