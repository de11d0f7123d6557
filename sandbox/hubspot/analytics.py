"""Behavioural events served by the (Enterprise-only) event analytics API.

Events are stored compactly (the URL strings are shared with the world's page catalogue) because a
seeded benchmark portal holds hundreds of thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.clock import iso

PAGE_VIEW = "e_visited_page"
EMAIL_OPEN = "e_opened_marketing_email"
EMAIL_CLICK = "e_clicked_marketing_email"
EVENT_TYPES = (PAGE_VIEW, EMAIL_OPEN, EMAIL_CLICK)


@dataclass(frozen=True, slots=True)
class WebEvent:
    id: str
    contact_id: int
    event_type: str
    occurred_at: datetime
    url: str | None = None
    referrer: str | None = None
    email_name: str | None = None
    email_id: str | None = None

    def properties(self) -> dict[str, str]:
        props: dict[str, str] = {}
        if self.url is not None:
            props["hs_url"] = self.url
            props["hs_page_url"] = self.url
        if self.referrer is not None:
            props["hs_referrer"] = self.referrer
        if self.email_name is not None:
            props["hs_email_campaign_name"] = self.email_name
        if self.email_id is not None:
            props["hs_email_campaign_id"] = self.email_id
        return props

    def to_json(self) -> dict[str, Any]:
        return {
            "objectType": "CONTACT",
            "objectId": str(self.contact_id),
            "eventType": self.event_type,
            "occurredAt": iso(self.occurred_at),
            "id": self.id,
            "properties": self.properties(),
        }
