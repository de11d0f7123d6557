"""The Properties API: what ``handoff setup`` uses to create its group and ``handoff_*`` fields."""

from __future__ import annotations

from typing import Any

from handoff.sandbox.hubspot.errors import ApiError, bad_request, error_body, not_found
from handoff.sandbox.hubspot.routing import Call, Reply
from handoff.sandbox.hubspot.schema import PropertyDef, PropertyGroup, options_from_json, validate_definition
from handoff.sandbox.hubspot.state import SchemaConflict, SchemaInvalid

_UPDATABLE = {
    "label": "label",
    "description": "description",
    "groupName": "group_name",
    "displayOrder": "display_order",
    "hidden": "hidden",
    "formField": "form_field",
    "type": "type",
    "fieldType": "field_type",
}


def list_properties(call: Call) -> Reply:
    spec = call.object_type()
    props = call.state.property_defs(spec.name, archived=call.flag("archived"))
    return Reply(200, {"results": [prop.to_json() for prop in props]})


def get_property(call: Call) -> Reply:
    spec = call.object_type()
    prop = call.state.property_def(spec.name, call.params["name"])
    if prop is None:
        raise not_found(f"Unable to find property {call.params['name']} for {spec.name}")
    return Reply(200, prop.to_json())


def create_property(call: Call) -> Reply:
    spec = call.object_type()
    body = call.json_object()
    problems = validate_definition(body, creating=True)
    if problems:
        raise bad_request("Invalid property definition: " + "; ".join(problems))
    prop = PropertyDef(
        name=body["name"],
        label=body["label"],
        type=body["type"],
        field_type=body["fieldType"],
        group_name=body["groupName"],
        description=str(body.get("description", "")),
        options=options_from_json(body.get("options") or []),
        display_order=int(body.get("displayOrder", -1)),
        has_unique_value=bool(body.get("hasUniqueValue", False)),
        hidden=bool(body.get("hidden", False)),
        form_field=bool(body.get("formField", False)),
    )
    try:
        created = call.state.create_property(spec.name, prop)
    except SchemaConflict as exc:
        raise ApiError(409, error_body(str(exc), "OBJECT_ALREADY_EXISTS")) from None
    except SchemaInvalid as exc:
        raise bad_request(str(exc)) from None
    return Reply(201, created.to_json())


def update_property(call: Call) -> Reply:
    spec = call.object_type()
    name = call.params["name"]
    body = call.json_object()
    current = call.state.property_def(spec.name, name)
    if current is None:
        raise not_found(f"Unable to find property {name} for {spec.name}")
    problems = validate_definition(body, creating=False)
    if current.hubspot_defined and ({"type", "fieldType"} & body.keys()):
        problems.append(f"{name} is defined by HubSpot; its type cannot change")
    if problems:
        raise bad_request("Invalid property update: " + "; ".join(problems))
    changes: dict[str, Any] = {attr: body[key] for key, attr in _UPDATABLE.items() if key in body}
    if "options" in body:
        changes["options"] = options_from_json(body["options"])
    try:
        updated = call.state.update_property(spec.name, name, **changes)
    except SchemaInvalid as exc:
        raise bad_request(str(exc)) from None
    return Reply(200, updated.to_json())


def list_groups(call: Call) -> Reply:
    spec = call.object_type()
    groups = call.state.property_groups(spec.name)
    return Reply(200, {"results": [group.to_json() for group in groups]})


def get_group(call: Call) -> Reply:
    spec = call.object_type()
    group = call.state.property_group(spec.name, call.params["name"])
    if group is None:
        raise not_found(f"Unable to find property group {call.params['name']}")
    return Reply(200, group.to_json())


def create_group(call: Call) -> Reply:
    spec = call.object_type()
    body = call.json_object()
    name, label = body.get("name"), body.get("label")
    if not isinstance(name, str) or not name or not isinstance(label, str) or not label:
        raise bad_request("name and label are required")
    group = PropertyGroup(name=name, label=label, display_order=int(body.get("displayOrder", -1)))
    try:
        created = call.state.create_property_group(spec.name, group)
    except SchemaConflict as exc:
        raise ApiError(409, error_body(str(exc), "OBJECT_ALREADY_EXISTS")) from None
    return Reply(201, created.to_json())
