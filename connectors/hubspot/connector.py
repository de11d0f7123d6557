"""The HubSpot connector: the protocol of `connectors.protocol`, on the real `hubspot-api-client`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from handoff.config.policy import Policy
from handoff.config.vocabulary import Stage
from handoff.connectors.errors import CrmError
from handoff.connectors.hubspot.client import HubSpotClient
from handoff.connectors.hubspot.mapping import DEFAULT_FORMS, AccountMap, instant
from handoff.connectors.hubspot.reader import Reader
from handoff.connectors.hubspot.writer import Writer
from handoff.connectors.protocol import (
    ActivityPull,
    Budget,
    ContactPage,
    CrmOwner,
    DealPage,
    FieldUpdate,
    TaskRequest,
    Window,
    WriteResult,
)
from handoff.connectors.retry import DEFAULT_RETRY, RetryPolicy
from handoff.lifecycle.records import Contact

USAGE_PATH = "/account-info/v3/api-usage/daily/private-apps"


class HubSpotConnector:
    name = "hubspot"
    write_batch_size = 100

    def __init__(self, client: HubSpotClient, mapping: AccountMap) -> None:
        self.client = client
        self.mapping = mapping
        self.reader = Reader(client, mapping)
        self.writer = Writer(client, self.reader.stages)

    @classmethod
    def connect(
        cls,
        token: str,
        base_url: str,
        *,
        tier: str,
        policy: Policy,
        forms: dict[str, str] | None = None,
        lifecycle_stages: Mapping[str, Stage] | None = None,
        leads: bool = False,
        clock: Callable[[], datetime],
        retry: RetryPolicy = DEFAULT_RETRY,
        pace: Callable[[float], None] | None = None,
    ) -> HubSpotConnector:
        """A connector for this account; the policy says which evidence items and custom fields to read."""
        custom = sorted(
            {
                rule.field.removeprefix("custom.")
                for rule in policy.fit.rule
                if rule.field.startswith("custom.")
            }
        )
        # The account's own form patterns first: the first pattern that matches decides.
        user_forms = forms or {}
        mapping = AccountMap(
            evidence=policy.stages.sql.requires,
            custom=tuple(custom),
            forms={**user_forms, **{k: v for k, v in DEFAULT_FORMS.items() if k not in user_forms}},
            window_days=policy.behavior.window_days,
            lifecycle_stages=lifecycle_stages or {},
            leads=leads,
        )
        return cls(HubSpotClient(token, base_url, tier=tier, retry=retry, clock=clock, pace=pace), mapping)

    def pull_contacts(self, window: Window, resume: str | None = None) -> Iterator[ContactPage]:
        return self.reader.pages(window, resume)

    def count_contacts(self, window: Window) -> int | None:
        return self.reader.count(window)

    def pull_contacts_by_id(self, ids: Sequence[str]) -> ContactPage:
        return self.reader.by_id(ids)

    def pull_activities(self, contact_ids: Sequence[str], since: datetime | None) -> ActivityPull:
        return self.reader.activities(contact_ids, since)

    def pull_history(self, ids: Sequence[str]) -> dict[str, tuple[tuple[datetime, Contact], ...]]:
        return self.reader.history(ids)

    def pull_owners(self) -> list[CrmOwner]:
        return self.reader.owners()

    def pull_deals(self, window: Window, resume: str | None = None) -> Iterator[DealPage]:
        return self.reader.deals(window, resume)

    def write_fields(self, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        results = self.writer.fields(updates)
        if self.reader.leads is not None:
            results = self.reader.leads.follow(updates, results)
        return results

    def create_tasks(self, tasks: Sequence[TaskRequest]) -> list[WriteResult]:
        return self.writer.tasks(tasks)

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        return self.writer.existing_task_keys(keys)

    def complete_tasks(self, keys: Sequence[str]) -> list[WriteResult]:
        return self.writer.complete_tasks(keys)

    def budget(self) -> Budget:
        """The account's daily allowance: from the last response's headers when there was one (no
        request spent), else from the usage API (private apps), which also says when it resets."""
        usage = self.client.budget.usage
        if usage.daily_remaining is not None:
            return Budget(remaining=usage.daily_remaining, limit=usage.daily_limit)
        answer: Any = self.client.raw("usage", "GET", USAGE_PATH)
        daily = answer[0] if isinstance(answer, list) and answer else answer or {}
        if not isinstance(daily, dict) or "usageLimit" not in daily:
            raise CrmError("the usage API gave no usageLimit", crm=self.name, operation="usage")
        limit = int(daily["usageLimit"])
        return Budget(
            remaining=limit - int(daily.get("currentUsage", 0)),
            limit=limit,
            resets_at=instant(daily.get("resetsAt")),
        )
