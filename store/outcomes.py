"""Outcomes: what became of each lead after the handoff, as the CRM's deals associated with it.

Append-only, like the contacts' versions: one row per version of a deal per associated contact,
dated `seen_at` (the runtime's clock when handoff first saw that version). A re-read of what is
already known adds nothing; a deal no longer associated with a contact gets a last row saying so.
What was known at T is the latest row of each deal seen by T: a report or a backtest asking about
T never sees a deal that was won after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select

from handoff.lifecycle.records import Deal
from handoff.store.schema import DEAL_VERSION

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx

# Ids per IN list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 900
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DEAL_FIELDS = ("stage", "closed", "won", "amount", "created_at", "close_date")


@dataclass(frozen=True, slots=True)
class ObservedDeal:
    """A deal as pulled: its current state, the contacts it is associated with, and when the CRM
    last modified it."""

    deal: Deal
    contact_ids: tuple[str, ...]
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class DealVersion:
    """One stored version of a deal for one contact."""

    contact_id: str
    version: int
    seen_at: datetime
    modified_at: datetime
    linked: bool
    deal: Deal


@dataclass(frozen=True, slots=True)
class DealSeen:
    """When handoff first saw a deal of a contact, first saw it closed, and first saw it won
    (None: not yet, as of the time asked about)."""

    deal_id: str
    contact_id: str
    first_seen_at: datetime
    closed_seen_at: datetime | None
    won_seen_at: datetime | None


class Outcomes:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def record(self, observed: Sequence[ObservedDeal], now: datetime) -> int:
        """Append the versions these deals bring (a deal read twice in one page counts once, its
        latest modification); a version the store already holds, or one older than it, adds
        nothing. Returns how many rows were appended."""
        latest: dict[str, ObservedDeal] = {}
        for item in observed:
            kept = latest.get(item.deal.id)
            if kept is None or item.modified_at >= kept.modified_at:
                latest[item.deal.id] = item
        if not latest:
            return 0
        known = self._latest_rows(list(latest))
        rows: list[dict[str, Any]] = []
        for deal_id, item in latest.items():
            before = known.get(deal_id, {})
            if before and item.modified_at < max(v.modified_at for v in before.values()):
                continue  # an older copy than the one already stored (a slow search index)
            for contact_id in dict.fromkeys(item.contact_ids):
                last = before.get(contact_id)
                if last is None or not last.linked or last.deal != item.deal:
                    rows.append(self._row(item, contact_id, (last.version if last else 0) + 1, True, now))
            for contact_id, last in before.items():
                if last.linked and contact_id not in item.contact_ids:
                    rows.append(self._row(item, contact_id, last.version + 1, False, now))
        if rows:
            self.tx.connection.execute(DEAL_VERSION.insert(), rows)
        return len(rows)

    def deals_by_contact(
        self, contact_ids: Sequence[str] | None = None, at: datetime | None = None
    ) -> dict[str, list[Deal]]:
        """The deals of these contacts (None: every contact with one) as known at `at` (None:
        now): the latest version of each seen by then, oldest deal first. A contact without a
        deal is absent."""
        found: dict[str, list[Deal]] = {}
        for version in self._latest_versions(contact_ids, at):
            if version.linked:
                found.setdefault(version.contact_id, []).append(version.deal)
        for deals in found.values():
            deals.sort(key=_deal_order)
        return found

    def seen_times(
        self, contact_ids: Sequence[str] | None = None, at: datetime | None = None
    ) -> dict[str, list[DealSeen]]:
        """For each contact with a deal (of these, None: all), when handoff first saw each of its
        deals, first saw it closed and first saw it won, counting only what was seen by `at`."""
        v = DEAL_VERSION.c
        statement = (
            select(
                v.contact_id,
                v.deal_id,
                func.min(v.seen_at).label("first"),
                func.min(case((v.closed, v.seen_at))).label("closed"),
                func.min(case((v.won, v.seen_at))).label("won"),
            )
            .where(v.crm == self.crm)
            .group_by(v.contact_id, v.deal_id)
            .order_by(v.contact_id, func.min(v.seen_at), v.deal_id)
        )
        if at is not None:
            statement = statement.where(v.seen_at <= at)
        found: dict[str, list[DealSeen]] = {}
        for chunk in _chunks(contact_ids):
            query = statement if chunk is None else statement.where(v.contact_id.in_(chunk))
            for row in self.tx.connection.execute(query):
                found.setdefault(row.contact_id, []).append(
                    DealSeen(
                        row.deal_id,
                        row.contact_id,
                        _utc(row.first) or _EPOCH,
                        _utc(row.closed),
                        _utc(row.won),
                    )
                )
        return found

    def versions(self, deal_id: str) -> list[DealVersion]:
        """Every stored version of one deal, per contact, in the order they were seen."""
        v = DEAL_VERSION.c
        rows = self.tx.connection.execute(
            select(DEAL_VERSION)
            .where(v.crm == self.crm, v.deal_id == deal_id)
            .order_by(v.seen_at, v.contact_id, v.version)
        )
        return [_version(row) for row in rows]

    def count(self) -> int:
        found: int = self.tx.connection.execute(
            select(func.count()).select_from(DEAL_VERSION).where(DEAL_VERSION.c.crm == self.crm)
        ).scalar_one()
        return found

    # -- internals --------------------------------------------------------------------------------

    def _latest_rows(self, deal_ids: list[str]) -> dict[str, dict[str, DealVersion]]:
        """deal id → contact id → the latest stored version."""
        v = DEAL_VERSION.c
        found: dict[str, dict[str, DealVersion]] = {}
        for start in range(0, len(deal_ids), CHUNK):
            chunk = deal_ids[start : start + CHUNK]
            newest = (
                select(v.deal_id, v.contact_id, func.max(v.version).label("version"))
                .where(v.crm == self.crm, v.deal_id.in_(chunk))
                .group_by(v.deal_id, v.contact_id)
                .subquery()
            )
            rows = self.tx.connection.execute(
                select(DEAL_VERSION).join(
                    newest,
                    and_(
                        v.crm == self.crm,
                        v.deal_id == newest.c.deal_id,
                        v.contact_id == newest.c.contact_id,
                        v.version == newest.c.version,
                    ),
                )
            )
            for row in rows:
                found.setdefault(row.deal_id, {})[row.contact_id] = _version(row)
        return found

    def _latest_versions(
        self, contact_ids: Sequence[str] | None, at: datetime | None
    ) -> Iterator[DealVersion]:
        v = DEAL_VERSION.c
        for chunk in _chunks(contact_ids):
            conditions = [v.crm == self.crm]
            if at is not None:
                conditions.append(v.seen_at <= at)
            if chunk is not None:
                conditions.append(v.contact_id.in_(chunk))
            newest = (
                select(v.deal_id, v.contact_id, func.max(v.version).label("version"))
                .where(*conditions)
                .group_by(v.deal_id, v.contact_id)
                .subquery()
            )
            rows = self.tx.connection.execute(
                select(DEAL_VERSION)
                .join(
                    newest,
                    and_(
                        v.deal_id == newest.c.deal_id,
                        v.contact_id == newest.c.contact_id,
                        v.version == newest.c.version,
                    ),
                )
                .where(v.crm == self.crm)
            )
            yield from (_version(row) for row in rows)

    def _row(
        self, item: ObservedDeal, contact_id: str, version: int, linked: bool, now: datetime
    ) -> dict[str, Any]:
        deal = item.deal
        return {
            "crm": self.crm,
            "deal_id": deal.id,
            "contact_id": contact_id,
            "version": version,
            "seen_at": now,
            "modified_at": item.modified_at,
            "linked": linked,
            **{name: getattr(deal, name) for name in _DEAL_FIELDS},
        }


def _version(row: Any) -> DealVersion:
    deal = Deal(
        id=row.deal_id,
        created_at=row.created_at,
        stage=row.stage,
        closed=bool(row.closed),
        won=bool(row.won),
        amount=row.amount,
        close_date=row.close_date,
    )
    return DealVersion(row.contact_id, row.version, row.seen_at, row.modified_at, bool(row.linked), deal)


def _chunks(ids: Sequence[str] | None) -> Iterator[list[str] | None]:
    if ids is None:
        yield None
        return
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _utc(value: datetime | str | None) -> datetime | None:
    """An aggregate's instant, aware UTC whichever way the driver hands it back."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _deal_order(deal: Deal) -> tuple[datetime, str]:
    return (deal.created_at or _EPOCH, deal.id)
