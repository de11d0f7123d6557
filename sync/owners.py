"""The CRM's owners and the routing state, as the engine's routing needs them.

Owners are pulled once per cycle and kept in the store, so `explain` and the SLA tick work from
the same roster; every owner is kept, active or not, because a lead whose owner disappeared from
the CRM must be routed again.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select

from handoff.lifecycle.records import Owner
from handoff.lifecycle.routing_state import RoutingState
from handoff.store.db import transaction, upsert
from handoff.store.models import OWNER, ROUTING_STATE
from handoff.sync.runtime import Runtime

# Owners change rarely; re-reading them every 30-second cycle and every minute's SLA tick would
# spend more requests on them than on the leads.
REFRESH_EVERY = timedelta(minutes=5)


def refresh_owners(rt: Runtime, now: datetime, *, force: bool = False) -> int | None:
    """Re-read the CRM's owners, unless they were read less than five minutes ago."""
    if not force:
        with transaction(rt.engine) as connection:
            last = connection.execute(
                select(func.max(OWNER.c.updated_at)).where(OWNER.c.crm == rt.crm)
            ).scalar()
        if last is not None and now - last < REFRESH_EVERY:
            return None
    owners = rt.connector.pull_owners()
    rows = [{"crm": rt.crm, **asdict(owner), "updated_at": now} for owner in owners]
    with transaction(rt.engine) as connection:
        connection.execute(delete(OWNER).where(OWNER.c.crm == rt.crm))
        upsert(connection, OWNER, rows, ("crm", "id"))
    return len(rows)


def load_owners(connection: Connection, crm: str) -> list[Owner]:
    o = OWNER.c
    rows = connection.execute(select(o.id, o.email, o.name, o.active, o.is_queue).where(o.crm == crm))
    return [Owner(id=r.id, email=r.email, name=r.name, active=r.active, queue=r.is_queue) for r in rows]


def load_routing_state(connection: Connection, crm: str) -> RoutingState:
    saved = connection.execute(select(ROUTING_STATE.c.state).where(ROUTING_STATE.c.crm == crm)).scalar()
    return RoutingState.from_dict(saved) if saved else RoutingState()


def save_routing_state(connection: Connection, crm: str, state: RoutingState, now: datetime) -> None:
    upsert(connection, ROUTING_STATE, [{"crm": crm, "state": state.to_dict(), "updated_at": now}], ("crm",))
