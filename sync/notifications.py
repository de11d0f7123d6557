"""Telling reps: a CRM task on the contact, and a Slack or Microsoft Teams message when configured.

Notifications are decided with the decision and travel through the outbox like every other write,
so a crash never loses one and a re-run never duplicates one (each carries a stable key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from pydantic import SecretStr

from handoff.config.settings import Settings
from handoff.connectors.errors import Permanent, Transient
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.records import Contact, Owner

CHAT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class ChatChannel:
    name: str
    url: SecretStr

    def message(self, text: str) -> dict[str, object]:
        if self.name == "slack":
            return {"text": text}
        # Teams workflows (the successor of Office 365 connectors) take an Adaptive Card message.
        card = {
            "type": "AdaptiveCard",
            "version": "1.4",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "body": [{"type": "TextBlock", "text": text, "wrap": True}],
        }
        return {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }

    def post(self, text: str) -> None:
        """Send one message; raise Transient (retry later) or Permanent (give up), never leak the URL."""
        try:
            response = requests.post(
                self.url.get_secret_value(), json=self.message(text), timeout=CHAT_TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            raise Transient(
                f"{self.name} webhook unreachable: {type(error).__name__}", operation="chat"
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(f"{self.name} webhook answered {response.status_code}", operation="chat")
        if response.status_code >= 400:
            raise Permanent(
                f"{self.name} webhook refused the message: {response.status_code}", operation="chat"
            )


def chat_channels(settings: Settings) -> list[ChatChannel]:
    channels = []
    if settings.slack_webhook_url is not None:
        channels.append(ChatChannel("slack", settings.slack_webhook_url))
    if settings.teams_webhook_url is not None:
        channels.append(ChatChannel("teams", settings.teams_webhook_url))
    return channels


CLOCK_LABELS = {
    "first_touch": "first touch",
    "accept": "acceptance",
    "discovery": "discovery (qualification evidence)",
}


@dataclass(frozen=True)
class Notice:
    """One thing a rep must be told; `key` names the event, so it is sent once however often it is
    decided again (a re-run after a crash, the next SLA tick)."""

    key: str
    contact_id: str
    owner_id: str
    subject: str
    body: str
    due_at: datetime
    breach: bool = False


def notices(
    decision: Decision,
    contact: Contact,
    previous_clocks: Mapping[str, str],
    people: Mapping[str, Owner],
    now: datetime,
) -> list[Notice]:
    """What to tell the owner after this decision: an assignment or escalation, a clock turning due
    soon or breached. Queues get no tasks; their leads wait for a person."""
    owner = people.get(decision.owner_id or "")
    if owner is None or owner.queue:
        return []
    who = _who(contact)
    clock = decision.current_clock
    due = clock.due_at if clock else now + timedelta(days=1)
    # A lead that waited before handoff saw it comes with a clock already run out: say so, and give
    # the rep a task due now rather than one due in the past.
    timing = f"due {_when(due)}" if due > now else f"overdue since {_when(due)}"
    found: list[Notice] = []
    if decision.owner_changed and decision.routing is not None:
        escalated = decision.routing.trigger.value == "escalation"
        what = CLOCK_LABELS.get(clock.name.value, "follow-up") if clock else "follow-up"
        found.append(
            Notice(
                key=f"assigned:{contact.id}:{owner.id}:{(decision.owner_assigned_at or now).isoformat()}",
                contact_id=contact.id,
                owner_id=owner.id,
                subject=f"{'Escalated to you' if escalated else 'New lead for you'}: {who} — {what} {timing}",
                body=f"{decision.summary}\n\nWhy you: {decision.routing.reason}",
                due_at=max(due, now),
            )
        )
    for item in decision.clocks:
        status = item.status.value
        if status not in ("due_soon", "breached") or previous_clocks.get(item.name.value) == status:
            continue
        label = CLOCK_LABELS.get(item.name.value, item.name.value)
        breached = status == "breached"
        found.append(
            Notice(
                key=f"sla:{contact.id}:{item.name.value}:{status}:{item.due_at.isoformat()}",
                contact_id=contact.id,
                owner_id=owner.id,
                subject=f"SLA {'breached' if breached else 'due soon'}: {label} for {who} "
                f"{'was' if breached else 'is'} due {_when(item.due_at)}",
                body=decision.summary,
                due_at=max(item.due_at, now),
                breach=breached,
            )
        )
    return found


def outbox_rows(
    crm: str, notice: Notice, channels: list[ChatChannel], now: datetime
) -> list[dict[str, object]]:
    """The notice as outbox rows: a CRM task for the rep, and a message per chat channel."""
    base = {
        "crm": crm,
        "contact_id": notice.contact_id,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    task = {
        **base,
        "kind": "task",
        "dedupe_key": notice.key,
        "payload": {
            "owner_id": notice.owner_id,
            "subject": notice.subject[:250],
            "body": notice.body,
            "due_at": notice.due_at.isoformat(),
            "priority": "HIGH",
        },
    }
    chats = [
        {
            **base,
            "kind": "chat",
            "dedupe_key": f"{channel.name}:{notice.key}",
            "payload": {"channel": channel.name, "text": f"{notice.subject}\n{notice.body}"},
        }
        for channel in channels
    ]
    return [task, *chats]


def _who(contact: Contact) -> str:
    company = contact.company.name
    return f"{contact.name} ({company})" if company else contact.name


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%a %d %b %H:%M} UTC"
