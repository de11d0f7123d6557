"""Stream cursors: how far each stream has been read, saved in the transaction of the data it covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from handoff.store.db import upsert
from handoff.store.models import CURSOR


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


def load_cursor(connection: Connection, crm: str, stream: str) -> Cursor:
    c = CURSOR.c
    row = connection.execute(
        select(c.value, c.window_start, c.window_end, c.resume).where(c.crm == crm, c.stream == stream)
    ).first()
    if row is None:
        return Cursor()
    return Cursor(row.value, row.window_start, row.window_end, row.resume)


def save_cursor(connection: Connection, crm: str, stream: str, cursor: Cursor, now: datetime) -> None:
    row = {
        "crm": crm,
        "stream": stream,
        "value": cursor.value,
        "window_start": cursor.window_start,
        "window_end": cursor.window_end,
        "resume": cursor.resume,
        "updated_at": now,
    }
    upsert(connection, CURSOR, [row], ("crm", "stream"))
