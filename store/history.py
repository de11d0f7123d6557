"""The read side of reports: each lead's life as history holds it, for the funnel metrics.

Reads only the append-only history (stage moves, SLA clock transitions, contact versions, the
decisions that made leads MQLs) and the owners, never the write path's tables. The leads come
as a stream, a batch at a time, so memory follows the batch size and not the CRM's size: one
query finds the leads that entered the funnel in the range, and each batch of them costs one
bulk select per table.

Deals are not history handoff keeps here: the caller passes them (`deals`, by contact id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from handoff.config.vocabulary import Stage
from handoff.lifecycle.funnel import ClockEvent, LeadHistory, Move, Rep, mql_trigger
from handoff.lifecycle.records import Deal
from handoff.store.database import query
from handoff.store.schema import OWNER, STAGE_HISTORY

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx

# A lead enters the funnel with its first move into one of these.
FUNNEL_ENTRY = (Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)
REJECTION_RULE = "disqualification.reasons."
_REJECTION_LENGTH = len(REJECTION_RULE)
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
            trigger, rules = triggers.get(contact_id, (None, frozenset()))
            yield LeadHistory(
                contact_id=contact_id,
                moves=tuple(moves.get(contact_id, ())),
                clocks=tuple(clocks.get(contact_id, ())),
                deals=tuple(deals.get(contact_id, ())),
                source=source,
                campaign=campaign,
                owner_id=owner,
                mql_trigger=trigger,
                mql_rules=rules,
            )

    # The batch reads go to the driver directly (`query`), with instants decoded by the codec:
    # SQLAlchemy's rows and per-value type processing took most of a report's time.

    def _instant(self) -> Callable[[Any], datetime]:
        """The decoder of a column that is never NULL: SQLite's text, PostgreSQL's aware values."""
        if self.tx.codec.sqlite:
            parse = datetime.fromisoformat
            return lambda text: parse(text).replace(tzinfo=UTC)
        return lambda moment: moment.astimezone(UTC)

    def _in(self, ids: list[str]) -> str:
        return f"crm = {self.tx.codec.mark} AND contact_id IN ({self.tx.codec.marks(len(ids))})"

    def _moves(self, ids: list[str]) -> dict[str, list[Move]]:
        read = self._instant()
        found: dict[str, list[Move]] = {}
        rows = query(
            self.tx.connection,
            "SELECT contact_id, at, from_stage, to_stage, rule FROM stage_history "
            f"WHERE {self._in(ids)} ORDER BY contact_id, at, id",
            (self.crm, *ids),
        )
        stages = _STAGES
        for contact_id, at, from_stage, to_stage, rule in rows:
            after = stages.get(to_stage)
            if after is None:
                continue  # a stage of an older vocabulary: not part of today's funnel
            reason = rule[_REJECTION_LENGTH:] if rule.startswith(REJECTION_RULE) else None
            before = stages.get(from_stage) if from_stage else None
            moves = found.get(contact_id)
            if moves is None:
                moves = found[contact_id] = []
            moves.append(Move(read(at), before, after, reason))
        return found

    def _clocks(self, ids: list[str]) -> dict[str, list[ClockEvent]]:
        read, maybe = self._instant(), self.tx.codec.read_instant
        found: dict[str, list[ClockEvent]] = {}
        rows = query(
            self.tx.connection,
            "SELECT contact_id, at, clock, status, owner_id, started_at, due_at, met_at FROM clock_event "
            f"WHERE {self._in(ids)} ORDER BY contact_id, at, id",
            (self.crm, *ids),
        )
        for contact_id, at, clock, status, owner, started, due, met in rows:
            events = found.get(contact_id)
            if events is None:
                events = found[contact_id] = []
            events.append(ClockEvent(read(at), clock, status, owner, maybe(started), maybe(due), maybe(met)))
        return found

    def _profiles(self, ids: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        """Each lead's original source and campaign (the first it was seen with) and its owner
        as last seen."""
        keys = ("source", "campaign", "owner_id")
        if self.tx.codec.sqlite:
            fields = ", ".join(f"json_extract(data, '$.{key}')" for key in keys)
        else:
            fields = ", ".join(f"data->>'{key}'" for key in keys)
        found: dict[str, tuple[str | None, str | None, str | None]] = {}
        rows = query(
            self.tx.connection,
            f"SELECT contact_id, {fields} FROM contact_version "
            f"WHERE {self._in(ids)} ORDER BY contact_id, version",
            (self.crm, *ids),
        )
        for contact_id, source, campaign, owner in rows:
            known = found.get(contact_id)
            if known is None:
                found[contact_id] = (source, campaign, owner)
            else:
                found[contact_id] = (known[0] or source, known[1] or campaign, owner)
        return found

    def _triggers(
        self, ids: list[str], labels: tuple[str, ...]
    ) -> dict[str, tuple[str | None, frozenset[str]]]:
        """What made each lead an MQL the first time, and every rule that fired with points then:
        read from the decision that moved it."""
        codec = self.tx.codec
        where = self._in(ids).replace("crm =", "h.crm =").replace("contact_id IN", "h.contact_id IN")
        rows = query(
            self.tx.connection,
            "SELECT h.contact_id, h.signal, h.detail, d.reasons FROM stage_history h "
            "JOIN decision d ON d.crm = h.crm AND d.contact_id = h.contact_id AND d.at = h.at "
            f"WHERE {where} AND h.to_stage = {codec.mark} AND h.actor = {codec.mark} "
            "ORDER BY h.contact_id, h.at, h.id, d.seq DESC",
            (self.crm, *ids, Stage.MQL.value, "handoff"),
        )
        found: dict[str, tuple[str | None, frozenset[str]]] = {}
        for contact_id, signal, detail, reasons in rows:
            if contact_id in found:
                continue
            points = _points(codec.read_json(reasons))
            fired = frozenset(rule for rule, scored in points if scored)
            found[contact_id] = (mql_trigger(signal, detail, points, labels), fired)
        return found


def _points(reasons: Any) -> list[tuple[str, int | None]]:
    """(rule, points) of a decision's stored reasons: [rule, detail, points, signal] lists."""
    return [(reason[0], reason[2] if len(reason) > 2 else None) for reason in reasons or ()]
