"""The CRM's owners as last read, and the routing state round robin carries between cycles.

Every owner is kept, active or not: a lead whose owner disappeared from the CRM must be routed
again, and `explain` names even a former rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from handoff.lifecycle.records import Owner
from handoff.lifecycle.routing_state import RoutingState
from handoff.store.database import upsert
from handoff.store.schema import OWNER, ROUTING_STATE

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx


@dataclass(frozen=True, slots=True)
class StoredOwner:
    """An owner as the CRM knows them, with the CRM's team names (routing uses the policy's)."""

    id: str
    email: str | None
    name: str
    active: bool
    is_queue: bool
    teams: tuple[str, ...] = ()

    def as_owner(self) -> Owner:
        return Owner(id=self.id, email=self.email, name=self.name, active=self.active, queue=self.is_queue)


class Owners:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def replace(self, owners: Sequence[StoredOwner], now: datetime) -> None:
        rows = [
            {
                "crm": self.crm,
                "id": o.id,
                "email": o.email,
                "name": o.name,
                "active": o.active,
                "is_queue": o.is_queue,
                "teams": list(o.teams),
                "updated_at": now,
            }
            for o in owners
        ]
        self.tx.connection.execute(delete(OWNER).where(OWNER.c.crm == self.crm))
        upsert(self.tx.connection, OWNER, rows, ("crm", "id"))

    def refreshed_at(self) -> datetime | None:
        found: datetime | None = self.tx.connection.execute(
            select(func.max(OWNER.c.updated_at)).where(OWNER.c.crm == self.crm)
        ).scalar()
        return found

    def all(self) -> list[Owner]:
        o = OWNER.c
        rows = self.tx.connection.execute(
            select(o.id, o.email, o.name, o.active, o.is_queue).where(o.crm == self.crm)
        )
        return [Owner(id=r.id, email=r.email, name=r.name, active=r.active, queue=r.is_queue) for r in rows]

    def names(self) -> dict[str, str]:
        return dict(
            self.tx.connection.execute(select(OWNER.c.id, OWNER.c.name).where(OWNER.c.crm == self.crm)).all()
        )

    def routing_state(self) -> RoutingState:
        saved = self.tx.connection.execute(
            select(ROUTING_STATE.c.state).where(ROUTING_STATE.c.crm == self.crm)
        ).scalar()
        return RoutingState.from_dict(saved) if saved else RoutingState()

    def save_routing_state(self, state: RoutingState, now: datetime) -> None:
        upsert(
            self.tx.connection,
            ROUTING_STATE,
            [{"crm": self.crm, "state": state.to_dict(), "updated_at": now}],
            ("crm",),
        )
