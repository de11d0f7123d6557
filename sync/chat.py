"""Chat channels (Slack, Microsoft Teams) that tell reps beside the CRM task.

What to tell is decided with the decision (`lifecycle.notices`) and travels through the outbox
like every other write, so a crash never loses a message and a re-run never repeats one.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from pydantic import SecretStr

from handoff.config.settings import Settings
from handoff.connectors.errors import Permanent, Transient

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
