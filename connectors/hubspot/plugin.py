"""HubSpot's registration: its settings (`HANDOFF_HUBSPOT_*`), connector, setup, webhooks, sandbox."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from handoff.config.policy import Policy
from handoff.config.settings import CrmSettings, SettingsError
from handoff.config.vocabulary import Stage
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.setup import setup
from handoff.connectors.hubspot.webhooks import SignatureError, contact_ids, verify_v3
from handoff.connectors.protocol import Connector
from handoff.connectors.registry import (
    Clock,
    Plugin,
    SetupReport,
    WebhookRefused,
    WebhookRequest,
    WebhookRoute,
)


class HubSpotSettings(CrmSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_HUBSPOT_", extra="forbid", frozen=True)
    table: ClassVar[str] = "hubspot"
    secrets: ClassVar[tuple[str, ...]] = ("token", "webhook_secret")

    token: SecretStr | None = None
    """A private app's (or service key's) access token."""
    base_url: str = "https://api.hubapi.com"
    webhook_secret: SecretStr | None = None
    """The app's client secret: webhooks are verified with it, and are off without it."""
    tier: Literal["free", "starter", "professional", "enterprise"] = "professional"
    forms: dict[str, str] = Field(default_factory=dict)
    """Form name (or glob, "Download: *") → activity kind, on top of the defaults (docs/crm-fields.md)."""
    leads: bool = False
    """Reps work leads in HubSpot's Leads object: handoff creates, re-owns and reads them."""
    lifecycle_stages: dict[str, Stage] = Field(default_factory=dict)
    """The portal's custom lifecycle stages (label or internal value) → the handoff stage each means."""


def connect(settings: CrmSettings, policy: Policy, clock: Clock) -> Connector:
    assert isinstance(settings, HubSpotSettings)
    if settings.token is None:
        raise SettingsError(
            "HANDOFF_HUBSPOT_TOKEN: not set (or HANDOFF_HUBSPOT_TOKEN_FILE); a private-app token"
        )
    return HubSpotConnector.connect(
        settings.token.get_secret_value(),
        settings.base_url,
        tier=settings.tier,
        policy=policy,
        forms=settings.forms,
        lifecycle_stages=settings.lifecycle_stages,
        leads=settings.leads,
        clock=clock,
    )


def set_up(connector: Connector, policy: Policy) -> SetupReport:
    """The fields handoff writes; and a check that the portal has what the settings name (the
    custom lifecycle stages mapped, the Leads object when it is on) and that the token may read
    deals (outcomes), so a gap is seen now."""
    assert isinstance(connector, HubSpotConnector)
    report = setup(connector.client, policy)
    connector.reader.stages()
    missing = [*report.missing, *connector.reader.deals_missing()]
    if connector.reader.leads is not None:
        missing += connector.reader.leads.missing()
    return dataclasses.replace(report, missing=missing)


def webhooks(settings: CrmSettings) -> Sequence[WebhookRoute]:
    """`POST /webhooks/hubspot`, when the app's client secret is set."""
    assert isinstance(settings, HubSpotSettings)
    if settings.webhook_secret is None:
        return ()
    secret = settings.webhook_secret.get_secret_value()

    def contacts(request: WebhookRequest) -> Sequence[str]:
        try:
            verify_v3(
                secret,
                method=request.method,
                uri=request.url,
                body=request.body,
                timestamp=request.headers.get("x-hubspot-request-timestamp"),
                signature=request.headers.get("x-hubspot-signature-v3"),
                now_ms=request.now_ms,
            )
        except SignatureError as error:
            raise WebhookRefused(401, str(error)) from error
        try:
            return contact_ids(request.body)
        except (ValueError, RecursionError) as error:
            raise WebhookRefused(400, f"not a batch of events: {type(error).__name__}") from error

    return (WebhookRoute("/webhooks/hubspot", "hubspot_webhook", contacts),)


PLUGIN = Plugin(
    name="hubspot",
    label="HubSpot",
    settings=HubSpotSettings,
    connect=connect,
    setup=set_up,
    webhooks=webhooks,
    sandbox="handoff.sandbox.hubspot.serve",
)
