"""The CRM's owners and the account map, indexed once per cycle, with the routing state beside them.

`RoutingContext` is what the runtime passes to `evaluate(..., routing=...)`. The roster and the
account map are the same for every lead of a cycle, so they are indexed once; the routing state
changes with each assignment, so the runtime threads it into the next evaluation with
`context = context.after(decision)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from handoff.lifecycle.decision import Decision
from handoff.lifecycle.records import Owner
from handoff.lifecycle.routing_state import RoutingState


class Roster:
    """Every owner the CRM has, active or not: a lead whose owner is missing here was removed."""

    __slots__ = ("_by_name", "by_id", "emails", "owners")

    def __init__(self, owners: Iterable[Owner]) -> None:
        self.owners = tuple(owners)
        self.by_id: Mapping[str, Owner] = MappingProxyType({owner.id: owner for owner in self.owners})
        # A CRM can hold a deactivated user and a new one with the same email: the active one wins.
        ranked = sorted(self.owners, key=lambda owner: owner.active)
        self.emails: Mapping[str, Owner] = MappingProxyType(
            {owner.email.lower(): owner for owner in ranked if owner.email}
        )
        self._by_name = {owner.name.casefold(): owner for owner in ranked if owner.name}

    def find(self, reference: str) -> Owner | None:
        """An owner the policy names by id, email or (for a queue) name."""
        return (
            self.by_id.get(reference)
            or self.emails.get(reference.lower())
            or self._by_name.get(reference.casefold())
        )

    def __repr__(self) -> str:
        return f"Roster({len(self.owners)} owners)"


_NO_ACCOUNTS: Mapping[str, str] = MappingProxyType({})


def account_domain(domain: str) -> str:
    """A company domain as accounts are matched: `www.` and case ignored."""
    return domain.strip().lower().removeprefix("www.")


class RoutingContext(NamedTuple):
    """The roster, the routing state, the account owners by company domain, and since when
    handoff has been watching the CRM (its go-live).

    Time before `watching_since` is nobody's fault: an SLA clock or an escalation timer of a lead
    that was already waiting when handoff started counts from go-live, so the first run never
    tells a rep that something was overdue months ago, nor takes a lead away for it."""

    roster: Roster
    state: RoutingState = RoutingState()
    account_owners: Mapping[str, str] = _NO_ACCOUNTS
    watching_since: datetime | None = None

    @classmethod
    def of(
        cls,
        owners: Iterable[Owner],
        state: RoutingState | None = None,
        account_owners: Mapping[str, str] | None = None,
        watching_since: datetime | None = None,
    ) -> RoutingContext:
        context = cls(Roster(owners), state or RoutingState(), watching_since=watching_since)
        return context.with_accounts(account_owners or {})

    def with_accounts(self, account_owners: Mapping[str, str]) -> RoutingContext:
        """The context with these account owners, by company domain (`www.` and case ignored)."""
        accounts = {account_domain(domain): owner_id for domain, owner_id in account_owners.items()}
        return self._replace(account_owners=MappingProxyType(accounts))

    def with_state(self, state: RoutingState) -> RoutingContext:
        return self._replace(state=state)

    def after(self, decision: Decision) -> RoutingContext:
        """The context for the next lead: the routing state this decision left behind."""
        return self if decision.routing_state is None else self._replace(state=decision.routing_state)
