"""Writing to HubSpot: field updates in batches of 100, backward lifecycle moves, rep tasks.

HubSpot moves `lifecyclestage` only forward; a backward write answers 2xx and changes nothing.
A backward move (a recycle) is therefore never written directly: the stage is cleared, set in a
separate request, and read back; only a stage HubSpot really holds counts as written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from handoff.config.vocabulary import Stage
from handoff.connectors.hubspot.client import TIMEOUT, HubSpotClient
from handoff.connectors.hubspot.mapping import epoch_ms, stage_named, to_properties
from handoff.connectors.hubspot.stages import PortalStages
from handoff.connectors.protocol import FieldUpdate, TaskRequest, WriteResult
from handoff.lifecycle.outputs import OutputField

BATCH = 100
TASK_KEY_PROPERTY = "handoff_task_key"
TASK_TO_CONTACT = 204
PERMANENT_CATEGORIES = {"VALIDATION_ERROR", "OBJECT_NOT_FOUND", "INVALID_PROPERTY", "PROPERTY_DOESNT_EXIST"}


class Writer:
    def __init__(self, client: HubSpotClient, stages: Callable[[], PortalStages]) -> None:
        self.client = client
        self.stages = stages

    # -- fields -------------------------------------------------------------------------------------

    def fields(self, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        """Each contact's fields, with its lifecycle stage moved to match handoff's stage, except
        where the portal holds a custom stage nobody mapped (the admin's, left alone)."""
        portal = self.stages()
        current = self._current_lifecycles([u for u in updates if OutputField.STAGE in u.fields])
        inputs: list[dict[str, Any]] = []
        backward: dict[str, str] = {}
        for update in updates:
            properties = to_properties(update.fields)
            now_at = current.get(update.contact_id)
            stage = update.fields.get(OutputField.STAGE)
            target = portal.target(Stage(stage), now_at) if stage else None
            if target is None or target == now_at or portal.unmapped(now_at):
                pass
            elif portal.is_backward(now_at, target):
                backward[update.contact_id] = target
            else:
                properties["lifecyclestage"] = target
            inputs.append(
                {"id": update.contact_id, "properties": properties, "objectWriteTraceId": update.contact_id}
            )
        results = self._batch_update(inputs)
        moved = [cid for cid in backward if results[cid].ok]
        if moved:
            results.update(self._move_back({cid: backward[cid] for cid in moved}))
        return [results[u.contact_id] for u in updates]

    def _current_lifecycles(self, updates: list[FieldUpdate]) -> dict[str, str]:
        """Where a stage change starts from: handoff sets `lifecyclestage` with its own stage, so
        the stage it wrote (or, on a first write, the stage as pulled) says where HubSpot stands;
        only a contact whose stage is unknown (a custom or "other" lifecycle stage) needs a read."""
        portal = self.stages()
        known: dict[str, str] = {}
        unknown: list[str] = []
        for update in updates:
            stage = stage_named(update.current.get(OutputField.STAGE)) or stage_named(update.stage_before)
            mapped = portal.where_written(stage) if stage else None
            if mapped is None:
                unknown.append(update.contact_id)
            else:
                known[update.contact_id] = mapped
        known.update(self._read_lifecycles(unknown))
        return known

    def _move_back(self, targets: dict[str, str]) -> dict[str, WriteResult]:
        """Clear, then set in a separate request, then verify by reading back."""
        ids = list(targets)
        self._batch_update(
            [{"id": cid, "properties": {"lifecyclestage": ""}, "objectWriteTraceId": cid} for cid in ids]
        )
        self._batch_update(
            [
                {"id": cid, "properties": {"lifecyclestage": targets[cid]}, "objectWriteTraceId": cid}
                for cid in ids
            ]
        )
        actual = self._read_lifecycles(ids)
        return {
            cid: WriteResult(cid, ok=True)
            if actual.get(cid) == targets[cid]
            else WriteResult(
                cid, ok=False, error=f"lifecyclestage is {actual.get(cid)!r} after clear-then-set"
            )
            for cid in ids
        }

    def _read_lifecycles(self, ids: list[str]) -> dict[str, str]:
        return {
            str(record["id"]): (record.get("properties") or {}).get("lifecyclestage") or ""
            for record in self.client.batch_read("contacts", ids, ["lifecyclestage"])
        }

    def _batch_update(self, inputs: list[dict[str, Any]]) -> dict[str, WriteResult]:
        results: dict[str, WriteResult] = {}
        api = self.client.sdk.crm.objects.batch_api
        for start in range(0, len(inputs), BATCH):
            chunk = inputs[start : start + BATCH]
            answer: dict[str, Any] = self.client.call(
                "contacts.batch_update",
                lambda chunk=chunk: api.update_with_http_info(  # type: ignore[misc]
                    "contacts", {"inputs": chunk}, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            results.update(per_record([item["id"] for item in chunk], answer))
        return results

    # -- tasks --------------------------------------------------------------------------------------

    def tasks(self, requests: Sequence[TaskRequest]) -> list[WriteResult]:
        results: dict[str, WriteResult] = {}
        api = self.client.sdk.crm.objects.batch_api
        for start in range(0, len(requests), BATCH):
            chunk = requests[start : start + BATCH]
            inputs = [_task_input(request) for request in chunk]
            answer: dict[str, Any] = self.client.call(
                "tasks.batch_create",
                lambda inputs=inputs: api.create_with_http_info(  # type: ignore[misc]
                    "tasks", {"inputs": inputs}, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            by_trace = per_record([crm_task_key(r.key) for r in chunk], answer)
            results.update({r.key: replace(by_trace[crm_task_key(r.key)], key=r.key) for r in chunk})
        return [results[r.key] for r in requests]

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        """Which tasks already exist, found by the key handoff stores on each one."""
        return set(self._task_ids(keys).values())

    def complete_tasks(self, keys: Sequence[str]) -> list[WriteResult]:
        """Find the tasks by their key, then set them COMPLETED in batches of 100."""
        found = self._task_ids(keys)
        results = {key: WriteResult(key, ok=True) for key in keys}
        api = self.client.sdk.crm.objects.batch_api
        ids = sorted(found)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            inputs = [{"id": task_id, "properties": {"hs_task_status": "COMPLETED"}} for task_id in chunk]
            answer: dict[str, Any] = self.client.call(
                "tasks.batch_update",
                lambda inputs=inputs: api.update_with_http_info(  # type: ignore[misc]
                    "tasks", {"inputs": inputs}, _preload_content=False, _request_timeout=TIMEOUT
                ),
            )
            for task_id, result in per_record(chunk, answer).items():
                results[found[task_id]] = replace(result, key=found[task_id])
        return [results[key] for key in keys]

    def _task_ids(self, keys: Sequence[str]) -> dict[str, str]:
        """handoff's tasks with these keys: each task id with its key."""
        wanted = {crm_task_key(key): key for key in keys}
        found: dict[str, str] = {}
        hashed = sorted(wanted)
        for start in range(0, len(hashed), 50):
            body = {
                "filterGroups": [
                    {
                        "filters": [
                            {
                                "propertyName": TASK_KEY_PROPERTY,
                                "operator": "IN",
                                "values": hashed[start : start + 50],
                            }
                        ]
                    }
                ],
                "properties": [TASK_KEY_PROPERTY],
                "limit": 100,
            }
            answer = self.client.search("tasks", body)
            for record in answer.get("results") or []:
                value = (record.get("properties") or {}).get(TASK_KEY_PROPERTY)
                if value in wanted:
                    found[str(record["id"])] = wanted[value]
        return found


def crm_task_key(key: str) -> str:
    """The key stored on the HubSpot task: short, lowercase hex (search `IN` compares lowercase)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _task_input(request: TaskRequest) -> dict[str, Any]:
    key = crm_task_key(request.key)
    return {
        "properties": {
            "hs_task_subject": request.subject,
            "hs_task_body": request.body,
            "hs_timestamp": epoch_ms(request.due_at),
            "hubspot_owner_id": request.owner_id,
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": request.priority,
            "hs_task_type": "TODO",
            TASK_KEY_PROPERTY: key,
        },
        "associations": [
            {
                "to": {"id": request.contact_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TASK_TO_CONTACT}],
            }
        ],
        "objectWriteTraceId": key,
    }


def per_record(keys: list[str], answer: dict[str, Any]) -> dict[str, WriteResult]:
    """One result per input: a 207's errors name their inputs by trace id (or by record id)."""
    failures: dict[str, WriteResult] = {}
    for error in answer.get("errors") or []:
        context = error.get("context") or {}
        named = [*context.get("objectWriteTraceId", []), *context.get("ids", []), *context.get("id", [])]
        category = str(error.get("category") or "")
        message = f"{category}: {error.get('message') or 'refused'}"
        for key in named:
            failures[str(key)] = WriteResult(
                str(key), ok=False, error=message, permanent=category in PERMANENT_CATEGORIES
            )
    return {key: failures.get(key, WriteResult(key, ok=True)) for key in keys}
