"""Leads as the decide path reads them: contact, activities, the CRM's values of handoff's outputs,
and handoff's memory (its last decision's, with the writes still pending in the outbox).

`load` reads them from the mirror; `preview` builds what `load` would read once a pulled page
were ingested, without writing anything, so a dry run decides exactly what the real run will.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from handoff.lifecycle.codec import contact_from_record, memory_from_dict
from handoff.lifecycle.decide import Lead
from handoff.lifecycle.memory import NEW_LEAD, LeadMemory
from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.outputs import output_values, with_outputs
from handoff.lifecycle.records import Activity
from handoff.store.database import query

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx


@dataclass(frozen=True, slots=True)
class StoredLead:
    """A lead, the number and digest of its latest decision (0 and None: never decided), and the
    account its company belongs to with that account's owner."""

    lead: Lead
    seq: int
    digest: str | None
    account: str | None
    account_owner_id: str | None

    @property
    def id(self) -> str:
        return self.lead.contact.id


class Leads:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def load(self, ids: Sequence[str], now: datetime, retention: timedelta) -> list[StoredLead]:
        """These contacts as the mirror holds them, in the order given (unknown ids left out)."""
        if not ids:
            return []
        codec = self.tx.codec
        rows = query(
            self.tx.connection,
            "SELECT c.id, c.crm_values, c.account_domain, c.account_owner_id, c.decision_seq, v.data, "
            "d.memory, d.digest FROM contact c "
            "JOIN contact_version v ON v.crm = c.crm AND v.contact_id = c.id AND v.version = c.version "
            "LEFT JOIN decision d ON d.crm = c.crm AND d.contact_id = c.id AND d.seq = c.decision_seq "
            f"WHERE c.crm = {codec.mark} AND c.id IN ({codec.marks(len(ids))})",
            (self.tx.crm, *ids),
        )
        found = {row[0]: row for row in rows}
        present = [contact_id for contact_id in ids if contact_id in found]
        activities = self.tx.mirror.activities(present, since=now - retention)
        memories = self._memories({cid: found[cid][6] for cid in present})
        leads = []
        for contact_id in present:
            _, values, account, account_owner, seq, data, _, digest = found[contact_id]
            crm = output_values(codec.read_json(values))
            contact = with_outputs(contact_from_record(codec.read_json(data)), crm)
            lead = Lead(contact, activities[contact_id], crm, memories[contact_id])
            leads.append(StoredLead(lead, seq, digest, account, account_owner))
        return leads

    def preview(
        self,
        records: Sequence[CrmContact],
        pulled: Mapping[str, Sequence[Activity]],
        now: datetime,
        retention: timedelta,
        *,
        new: Collection[str] = (),
    ) -> list[StoredLead]:
        """What `load` would return for these records once ingested with their pulled activities.

        `new` names contacts the mirror held nothing of before (their stored activities, if any,
        are the pulled ones, so they are not read back)."""
        ids = [record.contact.id for record in records]
        codec = self.tx.codec
        stored = self.tx.mirror.activities([i for i in ids if i not in new], since=now - retention)
        decided: dict[str, tuple[int, Any, str]] = {}
        if ids:
            for contact_id, seq, memory, digest in query(
                self.tx.connection,
                "SELECT c.id, c.decision_seq, d.memory, d.digest FROM contact c "
                "JOIN decision d ON d.crm = c.crm AND d.contact_id = c.id AND d.seq = c.decision_seq "
                f"WHERE c.crm = {codec.mark} AND c.id IN ({codec.marks(len(ids))})",
                (self.tx.crm, *ids),
            ):
                decided[contact_id] = (seq, memory, digest)
        memories = self._memories({cid: decided[cid][1] if cid in decided else None for cid in ids})
        oldest = now - retention
        leads = []
        for record in records:
            contact_id = record.contact.id
            merged = {activity.id: activity for activity in stored.get(contact_id, ())}
            merged.update(
                (activity.id, activity)
                for activity in pulled.get(contact_id, ())
                if activity.occurred_at >= oldest
            )
            crm = dict(record.written)
            lead = Lead(
                with_outputs(record.contact, crm),
                sorted(merged.values(), key=lambda a: (a.occurred_at, a.id)),
                crm,
                memories[contact_id],
            )
            seq, _, digest = decided.get(contact_id, (0, None, None))
            leads.append(StoredLead(lead, seq, digest, record.contact.account, record.account_owner_id))
        return leads

    def _memories(self, stored: Mapping[str, Any]) -> dict[str, LeadMemory]:
        """Each contact's memory as its latest decision left it, with its pending writes."""
        pending = self.tx.outbox.pending_fields(list(stored))
        read = self.tx.codec.read_json
        memories = {}
        for contact_id, data in stored.items():
            memory = memory_from_dict(read(data)) if data is not None else NEW_LEAD
            memories[contact_id] = (
                memory.with_pending(pending[contact_id]) if contact_id in pending else memory
            )
        return memories
