"""The read side of reports: each lead's life as history holds it, for the funnel metrics.

Reads only the append-only history (stage moves, SLA clock transitions, contact versions, the
decisions that made leads MQLs) and the owners, never the write path's tables. The leads come
as a stream, a batch at a time, so memory follows the batch size and not the CRM's size: one
query finds the leads that entered the funnel in the range, and each batch of them costs one
bulk select per table.

Deals are not history handoff keeps here: the caller passes them (`deals`, by contact id).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from handoff.config.vocabulary import Stage
from handoff.lifecycle.funnel import ClockEvent, LeadHistory, Move, Rep, mql_trigger
from handoff.lifecycle.records import Deal
from handoff.store.schema import CLOCK_EVENT, CONTACT_VERSION, DECISION, OWNER, STAGE_HISTORY

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx

# A lead enters the funnel with its first move into one of these.
FUNNEL_ENTRY = (Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)
REJECTION_RULE = "disqualification.reasons."
BATCH = 2000
_STAGES = {stage.value: stage for stage in Stage}


class History:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def leads(
        self,
        since: datetime,
        until: datetime,
        *,
        deals: Mapping[str, Sequence[Deal]] | None = None,
        behavior_rules: Iterable[str] = (),
        batch: int = BATCH,
    ) -> Iterator[LeadHistory]:
        """The leads whose first funnel move (into MQL or later) was in [since, until), with
        their whole history up to now, in batches of `batch`.

        `deals` are each contact's deals (the CRM's outcomes, read elsewhere); `behavior_rules`
        the policy's behaviour rule labels, to tell what made a lead an MQL from its fit."""
        deals = deals or {}
        labels = tuple(behavior_rules)
        h = STAGE_HISTORY.c
        entry = func.min(h.at)
        scope = (
            select(h.contact_id)
            .where(h.crm == self.crm, h.to_stage.in_([stage.value for stage in FUNNEL_ENTRY]))
            .group_by(h.contact_id)
            .having(entry >= since, entry < until)
            .order_by(h.contact_id)
        )
        rows = self.tx.connection.execution_options(stream_results=True, yield_per=batch).execute(scope)
        ids = (row.contact_id for row in rows)
        while chunk := list(islice(ids, batch)):
            yield from self._batch(chunk, deals, labels)

    def reps(self, teams: Mapping[str, str] | None = None) -> dict[str, Rep]:
        """Every owner handoff has seen, by id, with a team: the policy's team of their email
        (`teams`, email → team), else the first of the CRM's teams."""
        teams = teams or {}
        o = OWNER.c
        found = {}
        for row in self.tx.connection.execute(
            select(o.id, o.name, o.email, o.teams).where(o.crm == self.crm).order_by(o.id)
        ):
            team = teams.get((row.email or "").strip().lower()) or (row.teams[0] if row.teams else None)
            found[row.id] = Rep(row.id, row.name or row.id, team)
        return found

    def _batch(
        self, ids: list[str], deals: Mapping[str, Sequence[Deal]], labels: tuple[str, ...]
    ) -> Iterator[LeadHistory]:
        moves = self._moves(ids)
        clocks = self._clocks(ids)
        profiles = self._profiles(ids)
        triggers = self._triggers(ids, labels)
        for contact_id in ids:
            source, campaign, owner = profiles.get(contact_id, (None, None, None))
            yield LeadHistory(
                contact_id=contact_id,
                moves=tuple(moves.get(contact_id, ())),
                clocks=tuple(clocks.get(contact_id, ())),
                deals=tuple(deals.get(contact_id, ())),
                source=source,
                campaign=campaign,
                owner_id=owner,
                mql_trigger=triggers.get(contact_id),
            )

    def _moves(self, ids: list[str]) -> dict[str, list[Move]]:
        h = STAGE_HISTORY.c
        found: dict[str, list[Move]] = {}
        rows = self.tx.connection.execute(
            select(h.contact_id, h.at, h.from_stage, h.to_stage, h.rule)
            .where(h.crm == self.crm, h.contact_id.in_(ids))
            .order_by(h.contact_id, h.at, h.id)
        )
        for row in rows:
            to_stage = _STAGES.get(row.to_stage)
            if to_stage is None:
                continue  # a stage of an older vocabulary: not part of today's funnel
            rule: str = row.rule
            reason = rule.removeprefix(REJECTION_RULE) if rule.startswith(REJECTION_RULE) else None
            before = _STAGES.get(row.from_stage) if row.from_stage else None
            found.setdefault(row.contact_id, []).append(Move(row.at, before, to_stage, reason))
        return found

    def _clocks(self, ids: list[str]) -> dict[str, list[ClockEvent]]:
        k = CLOCK_EVENT.c
        found: dict[str, list[ClockEvent]] = {}
        rows = self.tx.connection.execute(
            select(k.contact_id, k.at, k.clock, k.status, k.owner_id, k.started_at, k.due_at, k.met_at)
            .where(k.crm == self.crm, k.contact_id.in_(ids))
            .order_by(k.contact_id, k.at, k.id)
        )
        for row in rows:
            found.setdefault(row.contact_id, []).append(
                ClockEvent(
                    row.at, row.clock, row.status, row.owner_id, row.started_at, row.due_at, row.met_at
                )
            )
        return found

    def _profiles(self, ids: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        """Each lead's original source and campaign (the first it was seen with) and its owner
        as last seen."""
        v = CONTACT_VERSION.c
        found: dict[str, tuple[str | None, str | None, str | None]] = {}
        rows = self.tx.connection.execute(
            select(
                v.contact_id,
                v.data["source"].as_string().label("source"),
                v.data["campaign"].as_string().label("campaign"),
                v.data["owner_id"].as_string().label("owner_id"),
            )
            .where(v.crm == self.crm, v.contact_id.in_(ids))
            .order_by(v.contact_id, v.version)
        )
        for row in rows:
            known = found.get(row.contact_id)
            if known is None:
                found[row.contact_id] = (row.source, row.campaign, row.owner_id)
            else:
                found[row.contact_id] = (known[0] or row.source, known[1] or row.campaign, row.owner_id)
        return found

    def _triggers(self, ids: list[str], labels: tuple[str, ...]) -> dict[str, str]:
        """What made each lead an MQL the first time: read from the decision that moved it."""
        h, d = STAGE_HISTORY.c, DECISION.c
        rows = self.tx.connection.execute(
            select(h.contact_id, h.signal, h.detail, d.reasons)
            .join(DECISION, and_(d.crm == h.crm, d.contact_id == h.contact_id, d.at == h.at))
            .where(
                h.crm == self.crm,
                h.contact_id.in_(ids),
                h.to_stage == Stage.MQL.value,
                h.actor == "handoff",
            )
            .order_by(h.contact_id, h.at, h.id, d.seq.desc())
        )
        found: dict[str, str] = {}
        seen: set[str] = set()
        for row in rows:
            if row.contact_id in seen:
                continue
            seen.add(row.contact_id)
            trigger = mql_trigger(row.signal, row.detail, _points(row.reasons), labels)
            if trigger is not None:
                found[row.contact_id] = trigger
        return found


def _points(reasons: Any) -> list[tuple[str, int | None]]:
    """(rule, points) of a decision's stored reasons: [rule, detail, points, signal] lists."""
    return [(reason[0], reason[2] if len(reason) > 2 else None) for reason in reasons or ()]
