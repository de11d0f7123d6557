"""The mirror of the CRM: each contact as last pulled, its versions over time, its activities.

A pull page is de-duplicated against what the mirror holds (by modification time, and by content
when two changes share one timestamp), then written: a new version only when what the engine
reads changed, the activities that are new or changed, and the CRM's current values of handoff's
outputs. A contact whose inputs changed is marked dirty for the next evaluation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import bindparam, func, or_, select, update

from handoff.lifecycle.codec import activity_from_record, contact_record
from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.outputs import FieldValues, output_names
from handoff.lifecycle.records import Activity
from handoff.store.database import describe_error, execute_many, insert_rows, query, refused_record
from handoff.store.schema import CONTACT

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx

# Fields that change on every write (handoff's own included) and say nothing about the lead.
_VOLATILE = ("updated_at",)
PULLED = "pull"
_VERSION_COLUMNS = ("crm", "contact_id", "version", "seen_at", "source", "data")
_ACTIVITY_COLUMNS = (
    "crm",
    "contact_id",
    "id",
    "kind",
    "occurred_at",
    "owner_id",
    "attributes",
    "first_seen_at",
)
CRM_HISTORY = "crm_history"


@dataclass(frozen=True, slots=True)
class Known:
    """What the mirror holds of a contact, to tell news from a re-read of the look-back."""

    remote_modified_at: datetime
    pulled_at: datetime
    input_hash: str
    record_hash: str
    dirty: bool
    version: int
    written: dict[str, str | None]


def is_news(record: CrmContact, known: Known | None) -> bool:
    """De-duplicate the look-back overlap by (id, modification time), and by content when two
    changes share one timestamp, so that a same-millisecond change is never taken for a repeat.
    A later modification that is only handoff's own write read back is no news either."""
    if known is None:
        return True
    if record.modified_at > known.remote_modified_at:
        return not is_echo(record, known)
    return record.modified_at == known.remote_modified_at and record_hash(record) != known.record_hash


def is_echo(record: CrmContact, known: Known) -> bool:
    """The CRM holds what it held, plus exactly what handoff wrote: the same inputs (its last
    activity date among them, so a logged call is never an echo) and handoff's fields as written."""
    return (
        _input_hash(contact_record(record.contact), record.account_owner_id) == known.input_hash
        and output_names(record.written) == known.written
    )


def record_hash(record: CrmContact) -> str:
    return _digest([contact_record(record.contact), output_names(record.written), record.account_owner_id])


def _input_hash(data: dict[str, Any], account_owner_id: str | None) -> str:
    inputs = {key: value for key, value in data.items() if key not in _VOLATILE}
    return _digest([inputs, account_owner_id])


def _digest(value: object) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Mirror:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm
        self.codec = tx.codec

    def known(self, ids: Sequence[str]) -> dict[str, Known]:
        if not ids:
            return {}
        c = CONTACT.c
        rows = self.tx.connection.execute(
            select(
                c.id,
                c.remote_modified_at,
                c.pulled_at,
                c.input_hash,
                c.record_hash,
                c.dirty,
                c.version,
                c.crm_values,
            ).where(c.crm == self.crm, c.id.in_(ids))
        )
        return {
            row.id: Known(
                row.remote_modified_at,
                row.pulled_at,
                row.input_hash,
                row.record_hash,
                bool(row.dirty),
                row.version,
                row.crm_values,
            )
            for row in rows
        }

    def activities(self, ids: Sequence[str], since: datetime | None = None) -> dict[str, list[Activity]]:
        """The stored activities of these contacts (occurred since `since`), oldest first."""
        found: dict[str, list[Activity]] = {contact_id: [] for contact_id in ids}
        if not ids:
            return found
        codec = self.codec
        sql = (
            "SELECT contact_id, id, kind, occurred_at, owner_id, attributes FROM activity "
            f"WHERE crm = {codec.mark} AND contact_id IN ({codec.marks(len(ids))})"
        )
        params: list[Any] = [self.crm, *ids]
        if since is not None:
            sql += f" AND occurred_at >= {codec.mark}"
            params.append(codec.instant(since))
        rows = query(self.tx.connection, sql + " ORDER BY contact_id, occurred_at, id", tuple(params))
        read_instant, read_json = codec.read_instant, codec.read_json
        for contact_id, activity_id, kind, occurred, owner, attributes in rows:
            found[contact_id].append(
                activity_from_record(
                    activity_id, kind, read_instant(occurred) or occurred, owner, read_json(attributes)
                )
            )
        return found

    def _write_page(
        self,
        records: Sequence[CrmContact],
        pulled: Mapping[str, Sequence[Activity]],
        known: Mapping[str, Known],
        now: datetime,
        force: bool,
    ) -> list[str]:
        """The page in one statement per table; the ids now dirty."""
        codec = self.codec
        seen_at = codec.instant(now)
        stored = {
            contact_id: {activity.id: activity for activity in activities}
            for contact_id, activities in self.activities(
                [r.contact.id for r in records if r.contact.id in known and pulled.get(r.contact.id)]
            ).items()
        }
        contacts: list[tuple[Any, ...]] = []
        versions: list[tuple[Any, ...]] = []
        activities: list[tuple[Any, ...]] = []
        dirty: list[str] = []
        for record in records:
            contact = record.contact
            before = known.get(contact.id)
            data = contact_record(contact)
            digest = _input_hash(data, record.account_owner_id)
            version = before.version if before else 0
            if before is None:
                for seen_at, past in record.past:
                    version += 1
                    versions.append(
                        self._version(contact.id, version, seen_at, CRM_HISTORY, contact_record(past))
                    )
            if before is None or before.input_hash != digest:
                version += 1
                versions.append(self._version(contact.id, version, now, PULLED, data))
            changed = self._activity_rows(
                contact.id, pulled.get(contact.id, ()), stored.get(contact.id, {}), seen_at
            )
            activities += changed
            is_dirty = force or before is None or before.dirty or before.input_hash != digest or bool(changed)
            if is_dirty:
                dirty.append(contact.id)
            contacts.append(
                (
                    self.crm,
                    contact.id,
                    contact.email,
                    contact.account,
                    record.account_owner_id,
                    version,
                    codec.json(output_names(record.written)),
                    digest,
                    record_hash(record),
                    codec.instant(record.modified_at),
                    codec.instant(now),
                    is_dirty,
                )
            )
        mark = codec.marks
        execute_many(
            self.tx.connection,
            "INSERT INTO contact (crm, id, email, account_domain, account_owner_id, version, crm_values, "
            "input_hash, record_hash, remote_modified_at, pulled_at, dirty, decision_seq) "
            f"VALUES ({mark(12)}, 0) ON CONFLICT (crm, id) DO UPDATE SET email = excluded.email, "
            "account_domain = excluded.account_domain, account_owner_id = excluded.account_owner_id, "
            "version = excluded.version, crm_values = excluded.crm_values, input_hash = excluded.input_hash, "
            "record_hash = excluded.record_hash, remote_modified_at = excluded.remote_modified_at, "
            "pulled_at = excluded.pulled_at, dirty = excluded.dirty",
            contacts,
        )
        insert_rows(self.tx.connection, "contact_version", _VERSION_COLUMNS, versions)
        # A contact new to the mirror has no activity stored: its rows are plain inserts.
        insert_rows(
            self.tx.connection,
            "activity",
            _ACTIVITY_COLUMNS,
            [row for row in activities if row[1] not in known],
        )
        execute_many(
            self.tx.connection,
            f"INSERT INTO activity ({', '.join(_ACTIVITY_COLUMNS)}) VALUES ({mark(8)}) "
            "ON CONFLICT (crm, contact_id, id) DO UPDATE SET kind = excluded.kind, "
            "occurred_at = excluded.occurred_at, owner_id = excluded.owner_id, "
            "attributes = excluded.attributes",
            [row for row in activities if row[1] in known],
        )
        return dirty

    def ingest(
        self,
        records: Sequence[CrmContact],
        pulled: Mapping[str, Sequence[Activity]],
        known: Mapping[str, Known],
        now: datetime,
        *,
        force: bool = False,
    ) -> tuple[list[str], list[Refused]]:
        """Write these (fresh) records and their pulled activities; return the ids now dirty and the
        records refused. One statement per table for the page; when the database refuses the page,
        record by record (each under a savepoint), so that a record it cannot hold is refused,
        named, and the rest go in. A failure of the database itself (a lost connection, a locked
        file: not one of `refused_record`'s kinds) is raised, never blamed on a record. `force`
        marks every record dirty (the nightly reconcile re-decides everything)."""
        try:
            with self.tx.connection.begin_nested():
                return self._write_page(records, pulled, known, now, force), []
        except Exception as error:
            if not refused_record(error):
                raise
        dirty: list[str] = []
        refused: list[Refused] = []
        for record in records:
            try:
                with self.tx.connection.begin_nested():
                    dirty += self._write_page([record], pulled, known, now, force)
            except Exception as error:
                if not refused_record(error):
                    raise
                refused.append(
                    Refused(record.contact.id, f"the database refused it: {describe_error(error)}")
                )
        return dirty, refused

    def _version(
        self, contact_id: str, version: int, seen_at: datetime, source: str, data: dict[str, Any]
    ) -> tuple[Any, ...]:
        return (self.crm, contact_id, version, self.codec.instant(seen_at), source, self.codec.json(data))

    def _activity_rows(
        self, contact_id: str, pulled: Sequence[Activity], stored: Mapping[str, Activity], seen_at: Any
    ) -> list[tuple[Any, ...]]:
        """Rows for the pulled activities that are new or changed (a re-read changes nothing)."""
        instant, json = self.codec.instant, self.codec.json
        latest = {activity.id: activity for activity in pulled}  # a CRM may name one twice
        return [
            (
                self.crm,
                contact_id,
                activity.id,
                activity.kind.value,
                instant(activity.occurred_at),
                activity.owner_id,
                json(activity.attributes),
                seen_at,
            )
            for activity in latest.values()
            if stored.get(activity.id) != activity
        ]

    def due(self, now: datetime, after: str, limit: int) -> list[str]:
        """Contacts to decide: changed since their last decision, or whose clocks need a look."""
        c = CONTACT.c
        rows = self.tx.connection.execute(
            select(c.id)
            .where(c.crm == self.crm, c.id > after, or_(c.dirty.is_(True), c.review_at <= now))
            .order_by(c.id)
            .limit(limit)
        )
        return [row.id for row in rows]

    def existing(self, ids: Sequence[str]) -> list[str]:
        c = CONTACT.c
        return [
            row.id for row in self.tx.connection.execute(select(c.id).where(c.crm == self.crm, c.id.in_(ids)))
        ]

    def account_owners(self, domains: Sequence[str]) -> dict[str, str]:
        """The owner of each account (company domain) any mirrored contact belongs to."""
        if not domains:
            return {}
        c = CONTACT.c
        rows = self.tx.connection.execute(
            select(c.account_domain, func.min(c.account_owner_id))
            .where(
                c.crm == self.crm, c.account_domain.in_(sorted(set(domains))), c.account_owner_id.is_not(None)
            )
            .group_by(c.account_domain)
        )
        return dict(rows.all())

    def mark_decided(self, decided: Sequence[tuple[str, int, datetime | None]]) -> None:
        """Each (contact, latest decision number, next look) is decided: no longer dirty."""
        codec = self.codec
        execute_many(
            self.tx.connection,
            f"UPDATE contact SET dirty = {codec.mark}, decision_seq = {codec.mark}, review_at = {codec.mark} "
            f"WHERE crm = {codec.mark} AND id = {codec.mark}",
            [
                (False, seq, codec.instant(review), self.crm, contact_id)
                for contact_id, seq, review in decided
            ],
        )

    def set_aside(self, ids: Sequence[str]) -> None:
        """These contacts could not be decided: no longer dirty nor due until they change again."""
        if ids:
            c = CONTACT.c
            self.tx.connection.execute(
                update(CONTACT)
                .where(c.crm == self.crm, c.id.in_(list(ids)))
                .values(dirty=False, review_at=None)
            )

    def echoed(self, records: Sequence[CrmContact]) -> None:
        """Echoes of handoff's own writes: only their modification time moves (with the hash the
        look-back overlap is told apart by); nothing to evaluate, no activities to pull. The time
        activities were last read stays, so the next real change reads them from there."""
        if not records:
            return
        c = CONTACT.c
        self.tx.connection.execute(
            update(CONTACT)
            .where(c.crm == self.crm, c.id == bindparam("b_id"))
            .values(remote_modified_at=bindparam("b_modified"), record_hash=bindparam("b_hash")),
            [{"b_id": r.contact.id, "b_modified": r.modified_at, "b_hash": record_hash(r)} for r in records],
        )

    def confirm_written(self, written: Mapping[str, FieldValues]) -> None:
        """The CRM now holds what handoff sent: the mirror says so, so the next diff (and the next
        SLA tick, which does not pull) starts from the truth, not from the record as last pulled."""
        if not written:
            return
        c = CONTACT.c
        current = dict(
            self.tx.connection.execute(
                select(c.id, c.crm_values).where(c.crm == self.crm, c.id.in_(list(written)))
            ).all()
        )
        params = [
            {"b_id": contact_id, "b_values": {**current[contact_id], **output_names(fields)}}
            for contact_id, fields in written.items()
            if contact_id in current
        ]
        if params:
            self.tx.connection.execute(
                update(CONTACT)
                .where(c.crm == self.crm, c.id == bindparam("b_id"))
                .values(crm_values=bindparam("b_values")),
                params,
            )

    def count(self) -> int:
        found: int = self.tx.connection.execute(
            select(func.count()).where(CONTACT.c.crm == self.crm)
        ).scalar_one()
        return found

    def find(self, key: str) -> str | None:
        """A contact by CRM id or email."""
        c = CONTACT.c
        found: str | None = self.tx.connection.execute(
            select(c.id)
            .where(c.crm == self.crm, or_(c.id == key, func.lower(c.email) == key.lower()))
            .limit(1)
        ).scalar()
        return found


@dataclass(frozen=True, slots=True)
class Refused:
    """A record the database would not hold, and why (without its values)."""

    contact_id: str
    error: str
