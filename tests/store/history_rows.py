"""Lay lead histories (`lifecycle.funnel.LeadHistory`) into the store's history tables, as the
runtime would have left them: stage moves (handoff's, with each rejection's rule; the CRM's for
opportunity and customer, and for a lead the CRM moved itself), clock transitions, contact
versions (the first with the original source and campaign, a later one changing them), the
decision behind each MQL move, and the owners."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from handoff.config.vocabulary import Stage
from handoff.lifecycle.funnel import LeadHistory, Rep
from handoff.store.schema import CLOCK_EVENT, CONTACT_VERSION, DECISION, OWNER, STAGE_HISTORY

# What each trigger's MQL decision said: the stage move's signal and the reasons with points.
FIT = ["Company size 50–500", "120 employees", 20, None]
_DECIDED: dict[str | None, tuple[str, str, list[list[Any]]]] = {
    "Demo request": (
        "high_intent",
        "fit 40 ≥ 30 and high-intent action: Demo request",
        [FIT, ["Webinar attended", "once", 8, None], ["Demo request", "once", 25, None]],
    ),
    "Pricing page, 3+ visits in 7 days": (
        "score",
        "fit 40 ≥ 30 and score 60 ≥ 50",
        [FIT, ["Webinar attended", "once", 8, None], ["Pricing page, 3+ visits in 7 days", "3+", 15, None]],
    ),
    "Webinar attended": (
        "score",
        "fit 40 ≥ 30 and score 60 ≥ 50",
        [FIT, ["Webinar attended", "once", 8, None]],
    ),
    None: ("score", "fit 40 ≥ 30 and score 60 ≥ 50", [FIT]),
}
OWNERS_READ_AT = datetime(2026, 9, 1, tzinfo=UTC)
# Moves the CRM made: the deal stages, and a lead that skipped handoff's stages.
_CRM_STAGES = {Stage.OPPORTUNITY, Stage.CUSTOMER}


def write_history(
    connection: Connection, crm: str, leads: Iterable[LeadHistory], reps: Mapping[str, Rep]
) -> None:
    moves: list[dict[str, Any]] = []
    clocks: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    for lead in leads:
        first_seen = lead.moves[0].at if lead.moves else None
        for index, move in enumerate(lead.moves):
            by_crm = move.to_stage in _CRM_STAGES or (
                move.to_stage is Stage.SQL and move.from_stage is Stage.LEAD
            )
            signal, detail, reasons = _DECIDED[lead.mql_trigger]
            row = {
                "crm": crm,
                "contact_id": lead.contact_id,
                "at": move.at,
                "from_stage": move.from_stage.value if move.from_stage else None,
                "to_stage": move.to_stage.value,
                "actor": "crm" if by_crm else "handoff",
                "rule": f"disqualification.reasons.{move.reason}"
                if move.reason
                else f"stages.{move.to_stage}",
                "signal": signal if move.to_stage is Stage.MQL else None,
                "detail": detail if move.to_stage is Stage.MQL else "moved",
            }
            moves.append(row)
            decisions.append(_decision(crm, lead, index + 1, move.at, stage=move.to_stage, reasons=reasons))
        for event in lead.clocks:
            clocks.append(
                {
                    "crm": crm,
                    "contact_id": lead.contact_id,
                    "at": event.at,
                    "clock": event.clock,
                    "status": event.status,
                    "owner_id": event.owner_id,
                    "started_at": event.started_at,
                    "due_at": event.due_at,
                    "met_at": event.met_at,
                    "met_by": "call" if event.status == "met" else None,
                }
            )
        if first_seen is not None:
            original: dict[str, str] = {
                "id": lead.contact_id,
                "email": f"{lead.contact_id.lower()}@example.com",
            }
            for key in ("source", "campaign"):
                if getattr(lead, key) is not None:
                    original[key] = getattr(lead, key)
            # A later version with another source and campaign: the original ones are kept.
            changed: dict[str, str] = {k: f"later-{k}" for k in ("source", "campaign") if k in original}
            later: dict[str, str] = {**original, **changed}
            if lead.owner_id is not None:
                later["owner_id"] = lead.owner_id
            for version, (seen_at, data) in enumerate(
                ((first_seen, original), (first_seen + timedelta(hours=1), later)), start=1
            ):
                versions.append(
                    {
                        "crm": crm,
                        "contact_id": lead.contact_id,
                        "version": version,
                        "seen_at": seen_at,
                        "source": "pull",
                        "data": data,
                    }
                )
    for table, rows in (
        (STAGE_HISTORY, moves),
        (CLOCK_EVENT, clocks),
        (CONTACT_VERSION, versions),
        (DECISION, decisions),
    ):
        if rows:
            connection.execute(table.insert(), rows)
    if reps:
        connection.execute(
            OWNER.insert(),
            [
                {
                    "crm": crm,
                    "id": rep.id,
                    "email": f"{rep.name.lower()}@acme.example",
                    "name": rep.name,
                    "active": True,
                    "is_queue": False,
                    "teams": [rep.team] if rep.team else [],
                    "updated_at": OWNERS_READ_AT,
                }
                for rep in reps.values()
            ],
        )


def _decision(
    crm: str, lead: LeadHistory, seq: int, at: Any, *, stage: Stage, reasons: list[list[Any]]
) -> dict[str, Any]:
    return {
        "crm": crm,
        "contact_id": lead.contact_id,
        "seq": seq,
        "at": at,
        "policy_version": "test",
        "stage": stage.value,
        "previous_stage": None,
        "fit": 20,
        "behavior": 30,
        "score": 50,
        "high_intent": False,
        "owner_id": lead.owner_id,
        "summary": "decided",
        "reasons": reasons,
        "problems": [],
        "routing": None,
        "clocks": [],
        "memory": {},
        "desired": {},
        "next_check_at": None,
        "digest": f"{lead.contact_id}-{seq}",
    }
