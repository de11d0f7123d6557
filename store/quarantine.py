"""The quarantine: records that could not be read, decided or written, kept with their error until
they are fixed. A record that fails again bumps its count; one that goes through is released."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from handoff.store.schema import QUARANTINE

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx

RAW_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that failed at a step (`stream`: contacts, activities, writes:fields, ...)."""

    stream: str
    record_id: str
    error: str
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Quarantined:
    stream: str
    record_id: str
    error: str
    count: int
    first_seen: datetime
    last_seen: datetime


class Quarantine:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def add(self, problems: Sequence[Problem], now: datetime) -> None:
        q = QUARANTINE.c
        for problem in problems:
            existing = self.tx.connection.execute(
                select(q.id, q.count).where(
                    q.crm == self.crm, q.stream == problem.stream, q.record_id == problem.record_id
                )
            ).first()
            raw = _bounded(problem.raw)
            if existing is None:
                self.tx.connection.execute(
                    QUARANTINE.insert().values(
                        crm=self.crm,
                        stream=problem.stream,
                        record_id=problem.record_id,
                        error=problem.error,
                        raw=raw,
                        first_seen=now,
                        last_seen=now,
                        count=1,
                    )
                )
            else:
                self.tx.connection.execute(
                    QUARANTINE.update()
                    .where(q.id == existing.id)
                    .values(error=problem.error, raw=raw, last_seen=now, count=existing._mapping["count"] + 1)
                )

    def release(self, stream: str, ids: Sequence[str]) -> None:
        """These records went through this step: they are no longer in quarantine for it."""
        if ids:
            q = QUARANTINE.c
            self.tx.connection.execute(
                delete(QUARANTINE).where(q.crm == self.crm, q.stream == stream, q.record_id.in_(list(ids)))
            )

    def count(self) -> int:
        found: int = self.tx.connection.execute(
            select(func.count()).where(QUARANTINE.c.crm == self.crm)
        ).scalar_one()
        return found

    def latest(self, limit: int) -> list[Quarantined]:
        q = QUARANTINE.c
        rows = self.tx.connection.execute(
            select(QUARANTINE).where(q.crm == self.crm).order_by(q.last_seen.desc()).limit(limit)
        )
        return [_item(row) for row in rows]

    def of(self, record_id: str) -> list[Quarantined]:
        q = QUARANTINE.c
        rows = self.tx.connection.execute(
            select(QUARANTINE).where(q.crm == self.crm, q.record_id == record_id)
        )
        return [_item(row) for row in rows]


def _item(row: Any) -> Quarantined:
    return Quarantined(
        row.stream, row.record_id, row.error, row._mapping["count"], row.first_seen, row.last_seen
    )


def _bounded(raw: Mapping[str, object]) -> dict[str, Any]:
    """What the quarantine keeps of a raw record: JSON-able, and bounded in size."""
    text = json.dumps(dict(raw), default=str)
    loaded: dict[str, Any] = json.loads(text) if len(text) <= RAW_LIMIT else {"truncated": text[:RAW_LIMIT]}
    return loaded
