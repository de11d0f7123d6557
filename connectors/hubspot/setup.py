"""`handoff setup` for HubSpot: the `handoff` property group and the properties handoff writes.

Idempotent: run it after every policy change. Missing properties are created; enumerations whose
options no longer match the policy (a new rejection reason) are updated; the rest is left alone.
"""

from __future__ import annotations

from typing import Any

from handoff.config.policy import Policy
from handoff.config.vocabulary import Stage
from handoff.connectors.hubspot.client import TIMEOUT, HubSpotClient
from handoff.connectors.hubspot.mapping import HANDOFF_GROUP
from handoff.connectors.hubspot.writer import TASK_KEY_PROPERTY
from handoff.connectors.registry import SetupReport
from handoff.lifecycle.clock import ClockStatus
from handoff.lifecycle.decision import STAGE_LABELS

SLA_LABELS = {
    ClockStatus.ON_TRACK: "On track",
    ClockStatus.DUE_SOON: "Due soon",
    ClockStatus.BREACHED: "Breached",
    ClockStatus.MET: "Met",
}


def definitions(policy: Policy) -> dict[str, list[dict[str, Any]]]:
    """The properties handoff needs, by object type."""
    reasons = policy.disqualification.reasons
    contact = [
        _enumeration(
            "handoff_stage",
            "handoff stage",
            [(s.value, STAGE_LABELS[s]) for s in Stage],
            "The exact lifecycle stage handoff decided (HubSpot's lifecycle stage is mapped from it).",
        ),
        _number("handoff_score", "handoff score", "Fit plus behaviour."),
        _number("handoff_fit_score", "handoff fit score", "Who the lead is, by the policy's fit rules."),
        _number(
            "handoff_engagement_score", "handoff engagement score", "What the lead did, decayed and capped."
        ),
        _text("handoff_reason", "handoff reason", "Why the lead is where it is, in one line.", area=True),
        {
            "name": "handoff_sla_due_at",
            "label": "handoff SLA due at",
            "type": "datetime",
            "fieldType": "date",
            "description": "When the current SLA clock is due.",
        },
        _enumeration(
            "handoff_sla_status",
            "handoff SLA status",
            [(s.value, label) for s, label in SLA_LABELS.items()],
            "The current SLA clock's status.",
        ),
        _enumeration(
            "handoff_disqualification_reason",
            "Disqualification reason",
            [(code, policy.disqualification.label(code)) for code in reasons],
            "Pick one to reject a lead: recycle reasons send it back to nurture, the others close it.",
        ),
        *(
            _text(
                f"handoff_{item}",
                f"Qualification: {item}",
                f"Documented {item} (required for SQL).",
                area=True,
            )
            for item in policy.stages.sql.requires
        ),
    ]
    task = [_text(TASK_KEY_PROPERTY, "handoff task key", "Lets handoff create each task exactly once.")]
    return {"contacts": contact, "tasks": task}


def setup(client: HubSpotClient, policy: Policy) -> SetupReport:
    report = SetupReport()
    properties = client.sdk.crm.properties
    for object_type, wanted in definitions(policy).items():
        groups: dict[str, Any] = client.call(
            f"{object_type}.groups",
            lambda t=object_type: properties.groups_api.get_all_with_http_info(  # type: ignore[misc]
                t, _preload_content=False, _request_timeout=TIMEOUT
            ),
        )
        if HANDOFF_GROUP not in {g["name"] for g in groups.get("results") or []}:
            body = {"name": HANDOFF_GROUP, "label": "handoff", "displayOrder": -1}
            client.call(
                f"{object_type}.group_create",
                lambda t=object_type, b=body: properties.groups_api.create_with_http_info(  # type: ignore[misc]
                    t, b, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            report.created.append(f"{object_type} group {HANDOFF_GROUP}")
        existing: dict[str, Any] = client.call(
            f"{object_type}.properties",
            lambda t=object_type: properties.core_api.get_all_with_http_info(  # type: ignore[misc]
                t, _preload_content=False, _request_timeout=TIMEOUT
            ),
        )
        by_name = {p["name"]: p for p in existing.get("results") or []}
        for definition in wanted:
            _ensure(
                client,
                object_type,
                {**definition, "groupName": HANDOFF_GROUP},
                by_name.get(definition["name"]),
                report,
            )
    return report


def _ensure(
    client: HubSpotClient,
    object_type: str,
    definition: dict[str, Any],
    current: dict[str, Any] | None,
    report: SetupReport,
) -> None:
    api = client.sdk.crm.properties.core_api
    label = f"{object_type}.{definition['name']}"
    if current is None:
        client.call(
            f"{object_type}.property_create",
            lambda: api.create_with_http_info(
                object_type, definition, _preload_content=False, _request_timeout=TIMEOUT
            ),
        )
        report.created.append(label)
        return
    wanted = [o["value"] for o in definition.get("options", [])]
    have = [o["value"] for o in current.get("options") or []]
    if definition["type"] == "enumeration" and wanted != have:
        update = {"options": definition["options"]}
        client.call(
            f"{object_type}.property_update",
            lambda: api.update_with_http_info(
                object_type, definition["name"], update, _preload_content=False, _request_timeout=TIMEOUT
            ),
        )
        report.updated.append(f"{label} (options: {', '.join(wanted)})")
        return
    report.unchanged.append(label)


def _enumeration(name: str, label: str, options: list[tuple[str, str]], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": "enumeration",
        "fieldType": "select",
        "description": description,
        "options": [
            {"value": value, "label": text, "displayOrder": order, "hidden": False}
            for order, (value, text) in enumerate(options)
        ],
    }


def _number(name: str, label: str, description: str) -> dict[str, Any]:
    return {"name": name, "label": label, "type": "number", "fieldType": "number", "description": description}


def _text(name: str, label: str, description: str, *, area: bool = False) -> dict[str, Any]:
    field_type = "textarea" if area else "text"
    return {
        "name": name,
        "label": label,
        "type": "string",
        "fieldType": field_type,
        "description": description,
    }
