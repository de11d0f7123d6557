"""HubSpot's Leads object: the record sales teams work in the Prospecting workspace.

On Sales Hub Professional and above, reps work inbound leads as Lead records (object `0-136`),
each tied to its contact, not in contact properties. With `HANDOFF_HUBSPOT_LEADS` on, handoff
creates a Lead when a contact is handed to sales as an MQL (assigned to the routed rep, who needs
a seat), moves its owner with every reassignment and escalation, and reads the rep's work back
from its pipeline stage: attempting and connected are touches, connected and qualified accept the
lead, disqualified rejects it with the Lead's reason. handoff never moves a Lead's stage: that is
the rep's, and a stage handoff wrote would come back as a rep's signal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.config.vocabulary import ActivityKind, Stage
from handoff.connectors.errors import AuthError, Permanent
from handoff.connectors.hubspot.client import TIMEOUT, HubSpotClient
from handoff.connectors.hubspot.mapping import EARLIEST, instant, stage_named
from handoff.connectors.hubspot.writer import per_record
from handoff.connectors.protocol import FieldUpdate, WriteResult
from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.outputs import OutputField
from handoff.lifecycle.records import Activity
from handoff.lifecycle.routing import ROUTED_STAGES

LEAD_TO_PRIMARY_CONTACT = 578
BATCH = 100
PAGE = 200
NEW, ATTEMPTING, CONNECTED, QUALIFIED, UNQUALIFIED = (
    "new-stage-id",
    "attempting-stage-id",
    "connected-stage-id",
    "qualified-stage-id",
    "unqualified-stage-id",
)
TRACE = "lead-for-"
PEOPLE = ["firstname", "lastname", "email", "hubspot_owner_id"]
STAGES = (NEW, ATTEMPTING, CONNECTED, QUALIFIED, UNQUALIFIED)
CLOSED = {QUALIFIED, UNQUALIFIED}
TOUCHES = (ATTEMPTING, CONNECTED)
PROPERTIES = [
    "hs_pipeline_stage",
    "hubspot_owner_id",
    "hs_lead_disqualification_reason",
    "hs_createdate",
    *(f"hs_v2_date_entered_{stage}" for stage in TOUCHES),
]


@dataclass(frozen=True)
class Lead:
    id: str
    stage: str
    owner_id: str | None
    reason: str | None
    created_at: datetime | None
    entered: Mapping[str, datetime]

    @property
    def open(self) -> bool:
        return self.stage not in CLOSED

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Lead:
        props = record.get("properties") or {}
        entered = {
            stage: moment
            for stage in TOUCHES
            if (moment := instant(props.get(f"hs_v2_date_entered_{stage}")))
        }
        return cls(
            id=str(record["id"]),
            stage=str(props.get("hs_pipeline_stage") or NEW),
            owner_id=str(props["hubspot_owner_id"]) if props.get("hubspot_owner_id") else None,
            reason=str(props["hs_lead_disqualification_reason"])
            if props.get("hs_lead_disqualification_reason")
            else None,
            created_at=instant(props.get("hs_createdate")),
            entered=entered,
        )


def current(leads: Sequence[Lead]) -> Lead | None:
    """The Lead that speaks for the contact: its newest open one, else its newest."""
    ordered = sorted(leads, key=lambda lead: (lead.open, lead.created_at or EARLIEST, lead.id))
    return ordered[-1] if ordered else None


def with_lead(record: CrmContact, lead: Lead | None) -> CrmContact:
    """The contact with the rep's signals its Lead carries, on top of those in its properties.
    A Lead's disqualification reason counts as the CRM's reason field: the rep gave it there."""
    contact = record.contact
    if lead is None:
        return record
    if lead.stage == UNQUALIFIED:
        reason = contact.disqualification_reason or _reason(lead.reason)
        written = {**record.written, OutputField.DISQUALIFICATION_REASON: reason}
        rejected = dataclasses.replace(contact, rejected=True, disqualification_reason=reason)
        return dataclasses.replace(record, contact=rejected, written=written)
    if lead.stage in (CONNECTED, QUALIFIED):
        return dataclasses.replace(record, contact=dataclasses.replace(contact, accepted=True))
    return record


def touches(contact_id: str, lead: Lead | None) -> list[Activity]:
    """A rep moving a Lead to attempting or connected touched it then (the first-touch clock)."""
    if lead is None or lead.owner_id is None:
        return []
    return [
        Activity(
            id=f"lead:{lead.id}:{stage}",
            kind=ActivityKind.CALL,
            occurred_at=moment,
            owner_id=lead.owner_id,
            attributes={"via": "lead", "lead_stage": stage},
        )
        for stage, moment in lead.entered.items()
    ]


def _reason(value: str | None) -> str | None:
    """A Lead's disqualification reason as a policy names reasons (`NO_BUDGET` → `no_budget`)."""
    if not value:
        return None
    return "_".join(value.strip().lower().replace("-", " ").split())


class LeadsWorkspace:
    def __init__(self, client: HubSpotClient) -> None:
        self.client = client

    def missing(self) -> list[str]:
        """What the workspace needs that the portal lacks (`handoff setup` lists it): the Leads
        object itself, or a stage of its default pipeline that handoff reads."""
        api = self.client.sdk.crm.properties.core_api
        try:
            found: dict[str, Any] = self.client.call(
                "leads.hs_pipeline_stage_options",
                lambda: api.get_by_name_with_http_info(
                    "leads", "hs_pipeline_stage", _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
        except (AuthError, Permanent) as error:
            return [
                "the Leads object (Sales Hub Professional or above; the private app needs the"
                f" crm.objects.leads.read and crm.objects.leads.write scopes): {error}"
            ]
        stages = {str(o.get("value")) for o in found.get("options") or []}
        return [f"the lead pipeline stage {stage!r}" for stage in STAGES if stage not in stages]

    # -- reading ------------------------------------------------------------------------------------

    def of_contacts(self, contact_ids: Sequence[str]) -> dict[str, Lead]:
        """Each contact's current Lead (contacts without one are left out)."""
        links = self.client.associations("contacts", "leads", contact_ids)
        records = self._read(sorted({lead for leads in links.values() for lead in leads}))
        found: dict[str, Lead] = {}
        for contact_id, lead_ids in links.items():
            chosen = current([records[i] for i in lead_ids if i in records])
            if chosen is not None:
                found[contact_id] = chosen
        return found

    def _read(self, lead_ids: Sequence[str]) -> dict[str, Lead]:
        return {str(r["id"]): Lead.of(r) for r in self.client.batch_read("leads", lead_ids, PROPERTIES)}

    # -- writing ------------------------------------------------------------------------------------

    def follow(self, updates: Sequence[FieldUpdate], results: Sequence[WriteResult]) -> list[WriteResult]:
        """Keep each handed-over contact's Lead with its owner: create one at the MQL handoff,
        re-own an open one when the lead moves. A contact whose Lead could not be written gets
        its write failed with why (retried as any write: a Lead is looked up before it is made,
        so a retry never makes two)."""
        handed = {
            u.contact_id: found
            for u, r in zip(updates, results, strict=True)
            if r.ok and (found := _handed_over(u)) is not None
        }
        if not handed:
            return list(results)
        leads = self.of_contacts(sorted(handed))
        # The owner where the write did not carry it; the name where a Lead is to be made.
        unknown = [c for c, (owner, _) in handed.items() if owner is None or not _open(leads.get(c))]
        people = self._people(sorted(unknown))
        wanted = {
            c: (owner, stage)
            for c, (known, stage) in handed.items()
            if (owner := known or people.get(c, ("", None))[1]) is not None
        }
        moves = {
            leads[c].id: (c, owner)
            for c, (owner, _) in wanted.items()
            if _open(leads.get(c)) and leads[c].owner_id != owner
        }
        new = {
            c: (people.get(c, ("", None))[0] or f"Contact {c}", owner)
            for c, (owner, stage) in wanted.items()
            if stage is Stage.MQL and not _open(leads.get(c))
        }
        failed = self._reown(moves) | self._create(new)
        return [failed.get(r.key, r) if r.ok else r for r in results]

    def _reown(self, moves: Mapping[str, tuple[str, str]]) -> dict[str, WriteResult]:
        """Open Leads given to another owner, each (contact, owner) by Lead id."""
        inputs = [{"id": i, "properties": {"hubspot_owner_id": owner}} for i, (_, owner) in moves.items()]
        results = self._batch("update", inputs, list(moves))
        return {moves[i][0]: _failed(moves[i][0], "re-owned", r) for i, r in results.items() if not r.ok}

    def _create(self, new: Mapping[str, tuple[str, str]]) -> dict[str, WriteResult]:
        """New Leads, each (name, owner) by contact."""
        inputs = [_lead_input(c, name, owner) for c, (name, owner) in new.items()]
        results = self._batch("create", inputs, [_trace(c) for c in new])
        failed = {key.removeprefix(TRACE): r for key, r in results.items() if not r.ok}
        return {c: _failed(c, "created", r) for c, r in failed.items()}

    def _batch(self, method: str, inputs: list[dict[str, Any]], keys: list[str]) -> dict[str, WriteResult]:
        """A batch create or update of Leads, 100 per request, one result per key (`keys` name the
        inputs as the answer's errors do: by trace id for creates, by Lead id for updates)."""
        api = self.client.sdk.crm.objects.batch_api
        send = api.create_with_http_info if method == "create" else api.update_with_http_info
        results: dict[str, WriteResult] = {}
        for start in range(0, len(inputs), BATCH):
            chunk = inputs[start : start + BATCH]
            answer: dict[str, Any] = self.client.call(
                f"leads.batch_{method}",
                lambda chunk=chunk: send(  # type: ignore[misc]
                    "leads", {"inputs": chunk}, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            results |= per_record(keys[start : start + BATCH], answer)
        return results

    def _people(self, contact_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """Each contact's name (a Lead is shown by it, and must have one) and owner (a write that
        changes the stage only does not carry it)."""
        people: dict[str, tuple[str, str | None]] = {}
        for record in self.client.batch_read("contacts", contact_ids, PEOPLE):
            props = record.get("properties") or {}
            name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
            owner = str(props["hubspot_owner_id"]) if props.get("hubspot_owner_id") else None
            people[str(record["id"])] = (name or str(props.get("email") or ""), owner)
        return people


def _handed_over(update: FieldUpdate) -> tuple[str | None, Stage] | None:
    """(owner, stage) when this write hands the contact to a rep or moves it to another one; the
    owner is None when the write leaves it as the CRM holds it (unknown here: read it)."""
    if OutputField.OWNER not in update.fields and OutputField.STAGE not in update.fields:
        return None
    stage = stage_named(
        update.fields.get(OutputField.STAGE) or update.current.get(OutputField.STAGE) or update.stage_before
    )
    if stage not in ROUTED_STAGES:
        return None
    if OutputField.OWNER in update.fields:
        owner = update.fields[OutputField.OWNER]
        return (owner, stage) if owner else None  # taken from its owner: no one to give a Lead to
    return update.current.get(OutputField.OWNER), stage


def _open(lead: Lead | None) -> bool:
    return lead is not None and lead.open


def _trace(contact_id: str) -> str:
    return f"{TRACE}{contact_id}"


def _lead_input(contact_id: str, name: str, owner: str) -> dict[str, Any]:
    return {
        "properties": {"hs_lead_name": name, "hubspot_owner_id": owner, "hs_pipeline_stage": NEW},
        "associations": [
            {
                "to": {"id": contact_id},
                "types": [
                    {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": LEAD_TO_PRIMARY_CONTACT}
                ],
            }
        ],
        "objectWriteTraceId": _trace(contact_id),
    }


def _failed(contact_id: str, what: str, result: WriteResult) -> WriteResult:
    return WriteResult(
        contact_id,
        ok=False,
        error=f"written, but its Lead could not be {what}: {result.error}",
        permanent=result.permanent,
    )
