"""Leads' timelines for replays: every version of a contact with when it was first seen, every
activity with when it arrived, read in bulk for a page of contacts.

A backtest reads the whole mirror this way, a page at a time in id order, so that it holds one
page of timelines, never the history of every lead at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from handoff.lifecycle.codec import activity_from_record, contact_from_record
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.replay import Timeline
from handoff.store.database import query

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx


class Timelines:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def contact_ids(self, after: str, limit: int) -> list[str]:
        """The next `limit` contacts of the mirror after `after`, in id order."""
        codec = self.tx.codec
        rows = query(
            self.tx.connection,
            f"SELECT id FROM contact WHERE crm = {codec.mark} AND id > {codec.mark} "
            f"ORDER BY id LIMIT {int(limit)}",
            (self.tx.crm, after),
        )
        return [row[0] for row in rows]

    def load(self, ids: Sequence[str], until: datetime) -> list[Timeline]:
        """The timelines of these contacts as known at `until`, in the order given."""
        if not ids:
            return []
        codec = self.tx.codec
        marks = codec.marks(len(ids))
        read_instant, read_json = codec.read_instant, codec.read_json
        versions: dict[str, list[tuple[datetime, Contact]]] = {contact_id: [] for contact_id in ids}
        for contact_id, seen_at, data in query(
            self.tx.connection,
            "SELECT contact_id, seen_at, data FROM contact_version "
            f"WHERE crm = {codec.mark} AND contact_id IN ({marks}) AND seen_at <= {codec.mark} "
            "ORDER BY contact_id, version",
            (self.tx.crm, *ids, codec.instant(until)),
        ):
            versions[contact_id].append(
                (read_instant(seen_at) or seen_at, contact_from_record(read_json(data)))
            )
        activities: dict[str, list[tuple[datetime, Activity]]] = {contact_id: [] for contact_id in ids}
        for contact_id, activity_id, kind, occurred, owner, attributes, first_seen in query(
            self.tx.connection,
            "SELECT contact_id, id, kind, occurred_at, owner_id, attributes, first_seen_at FROM activity "
            f"WHERE crm = {codec.mark} AND contact_id IN ({marks}) AND first_seen_at <= {codec.mark} "
            "ORDER BY contact_id, first_seen_at, id",
            (self.tx.crm, *ids, codec.instant(until)),
        ):
            activity = activity_from_record(
                activity_id, kind, read_instant(occurred) or occurred, owner, read_json(attributes)
            )
            activities[contact_id].append((read_instant(first_seen) or first_seen, activity))
        return [
            Timeline(contact_id, tuple(versions[contact_id]), tuple(activities[contact_id]))
            for contact_id in ids
            if versions[contact_id]
        ]
