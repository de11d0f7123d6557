"""Stream cursors: how far each stream has been read, saved in the transaction of the data it covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from handoff.store.database import upsert
from handoff.store.schema import CURSOR

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx


# Not a stream: the instant handoff went live on this CRM (see `Cursors.watching_since`).
GO_LIVE = "go-live"


@dataclass(frozen=True)
class Cursor:
    value: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    resume: str | None = None

    @property
    def in_progress(self) -> bool:
        """A window was started and not finished (the process stopped or was killed mid-pull)."""
        return self.window_end is not None


@dataclass(frozen=True)
class StreamPosition:
    stream: str
    cursor: Cursor
    updated_at: datetime


class Cursors:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def load(self, stream: str) -> Cursor:
        c = CURSOR.c
        row = self.tx.connection.execute(
            select(c.value, c.window_start, c.window_end, c.resume).where(
                c.crm == self.crm, c.stream == stream
            )
        ).first()
        if row is None:
            return Cursor()
        return Cursor(row.value, row.window_start, row.window_end, row.resume)

    def save(self, stream: str, cursor: Cursor, now: datetime) -> None:
        row = {
            "crm": self.crm,
            "stream": stream,
            "value": cursor.value,
            "window_start": cursor.window_start,
            "window_end": cursor.window_end,
            "resume": cursor.resume,
            "updated_at": now,
        }
        upsert(self.tx.connection, CURSOR, [row], ("crm", "stream"))

    def all(self) -> list[StreamPosition]:
        c = CURSOR.c
        rows = self.tx.connection.execute(select(CURSOR).where(c.crm == self.crm).order_by(c.stream))
        return [
            StreamPosition(r.stream, Cursor(r.value, r.window_start, r.window_end, r.resume), r.updated_at)
            for r in rows
        ]

    def watching_since(self, now: datetime, *, record: bool = True) -> datetime:
        """When handoff started watching this CRM: the first run's start, kept as the `go-live`
        position (runs themselves are pruned with history, go-live never is). `record` False reads
        it without keeping it (a dry run on a fresh database)."""
        found = self.load(GO_LIVE)
        if found.value is not None:
            return found.value
        if record:
            self.save(GO_LIVE, Cursor(now), now)
        return now
