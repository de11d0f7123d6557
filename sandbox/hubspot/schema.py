"""Property definitions and the typing rules HubSpot applies to every written value.

HubSpot stores every property value as a string but validates it against the property's type:
numbers must parse, enumerations must name one of their options (by internal value, case
sensitive), datetimes accept epoch milliseconds or ISO-8601. Writing an unknown property is an
error, which is how a connector discovers that ``handoff setup`` has not run yet.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.clock import iso, parse_instant
from handoff.sandbox.hubspot.errors import PropertyProblem

PROPERTY_TYPES = frozenset({"string", "number", "date", "datetime", "enumeration", "bool"})
FIELD_TYPES = frozenset(
    {
        "textarea",
        "text",
        "date",
        "file",
        "number",
        "select",
        "radio",
        "checkbox",
        "booleancheckbox",
        "calculation_equation",
        "phonenumber",
        "html",
    }
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class OptionDef:
    label: str
    value: str
    display_order: int = 0
    hidden: bool = False
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
            "description": self.description,
        }


@dataclass(frozen=True)
class PropertyGroup:
    name: str
    label: str
    display_order: int = -1
    archived: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "displayOrder": self.display_order,
            "archived": self.archived,
        }


@dataclass(frozen=True)
class PropertyDef:
    """A property as the Properties API describes it."""

    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str = ""
    options: tuple[OptionDef, ...] = ()
    display_order: int = -1
    hubspot_defined: bool = False
    read_only_value: bool = False
    has_unique_value: bool = False
    hidden: bool = False
    form_field: bool = False
    calculated: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    archived: bool = False
    references_owner: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def option_values(self) -> list[str]:
        return [option.value for option in self.options]

    def option_rank(self, value: str) -> int | None:
        """Position of an option in the property's order (lifecycle stages move along it)."""
        ordered = sorted(self.options, key=lambda option: option.display_order)
        for rank, option in enumerate(ordered):
            if option.value == value:
                return rank
        return None

    def with_changes(self, **changes: Any) -> PropertyDef:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group_name,
            "options": [option.to_json() for option in self.options],
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": self.references_owner,
            "hasUniqueValue": self.has_unique_value,
            "hidden": self.hidden,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only_value,
            },
            "formField": self.form_field,
            "archived": self.archived,
        }
        if self.references_owner:
            body["referencedObjectType"] = "OWNER"
        if self.created_at is not None:
            body["createdAt"] = iso(self.created_at)
        if self.updated_at is not None:
            body["updatedAt"] = iso(self.updated_at)
        return body


def coerce_value(prop: PropertyDef, raw: object) -> str | PropertyProblem:
    """Normalise a written value to HubSpot's stored string form, or say why it is invalid.

    ``""`` (and JSON ``null``) clear a property whatever its type.
    """
    if raw is None:
        return ""
    text = _as_text(raw)
    if text == "":
        return ""
    if prop.read_only_value:
        return PropertyProblem(prop.name, "READ_ONLY_VALUE", f'Property "{prop.name}" is read-only')
    match prop.type:
        case "number":
            return _coerce_number(prop, text)
        case "bool":
            lowered = text.strip().lower()
            if lowered in {"true", "false"}:
                return lowered
            return PropertyProblem(prop.name, "INVALID_BOOLEAN", f'"{text}" is not a valid boolean value')
        case "datetime":
            try:
                return iso(parse_instant(text))
            except ValueError:
                return PropertyProblem(
                    prop.name,
                    "INVALID_DATE",
                    f'"{text}" is not a valid datetime: use epoch milliseconds or ISO-8601',
                )
        case "date":
            return _coerce_date(prop, text)
        case "enumeration":
            return _coerce_enumeration(prop, text)
        case _:
            if prop.name == "email" and not _EMAIL.match(text.strip()):
                return PropertyProblem(prop.name, "INVALID_EMAIL", f"Email address {text} is invalid")
            return text


def _as_text(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _coerce_number(prop: PropertyDef, text: str) -> str | PropertyProblem:
    try:
        number = float(text)
    except ValueError:
        return PropertyProblem(
            prop.name, "INVALID_INTEGER", f'"{text}" is not a valid number for {prop.name}'
        )
    if not math.isfinite(number):
        return PropertyProblem(prop.name, "INVALID_INTEGER", f'"{text}" is not a finite number')
    return str(int(number)) if number.is_integer() and "e" not in text.lower() else text.strip()


def _coerce_date(prop: PropertyDef, text: str) -> str | PropertyProblem:
    try:
        moment = parse_instant(text)
    except ValueError:
        return PropertyProblem(prop.name, "INVALID_DATE", f'"{text}" is not a valid date')
    if moment.hour or moment.minute or moment.second or moment.microsecond:
        return PropertyProblem(
            prop.name,
            "INVALID_DATE",
            f"{text} is not at midnight UTC; date properties take a day",
        )
    return moment.date().isoformat()


def _coerce_enumeration(prop: PropertyDef, text: str) -> str | PropertyProblem:
    allowed = prop.option_values()
    if prop.references_owner:
        return text
    chosen = text.split(";") if prop.field_type == "checkbox" else [text]
    for value in chosen:
        if value not in allowed:
            listing = ", ".join(f'"{option}"' for option in allowed)
            return PropertyProblem(
                prop.name,
                "INVALID_OPTION",
                f'"{value}" was not one of the allowed options: [{listing}]',
            )
    return text


def validate_definition(body: dict[str, Any], *, creating: bool) -> list[str]:
    """Problems with a Properties API create/update body, in HubSpot's terms."""
    problems: list[str] = []
    required = ("name", "label", "type", "fieldType", "groupName") if creating else ()
    problems.extend(f"{key} is required" for key in required if not body.get(key))
    kind = body.get("type")
    if kind is not None and kind not in PROPERTY_TYPES:
        problems.append(f"type {kind!r} is not one of {sorted(PROPERTY_TYPES)}")
    field_type = body.get("fieldType")
    if field_type is not None and field_type not in FIELD_TYPES:
        problems.append(f"fieldType {field_type!r} is not one of {sorted(FIELD_TYPES)}")
    name = body.get("name")
    if creating and isinstance(name, str) and not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        problems.append(
            f"name {name!r} must start with a lowercase letter and contain only"
            " lowercase letters, digits and underscores"
        )
    options = body.get("options")
    if kind == "enumeration" and creating and not options and field_type != "booleancheckbox":
        problems.append("enumeration properties need options")
    if options is not None:
        if not isinstance(options, list):
            problems.append("options must be a list")
        else:
            values = [option.get("value") for option in options if isinstance(option, dict)]
            if len(values) != len(options) or any(not isinstance(v, str) for v in values):
                problems.append("every option needs a label and a string value")
            elif len(set(values)) != len(values):
                problems.append("option values must be unique")
    return problems


def options_from_json(raw: list[dict[str, Any]]) -> tuple[OptionDef, ...]:
    return tuple(
        OptionDef(
            label=str(option.get("label", option["value"])),
            value=str(option["value"]),
            display_order=int(option.get("displayOrder", index)),
            hidden=bool(option.get("hidden", False)),
            description=str(option.get("description", "")),
        )
        for index, option in enumerate(raw)
    )
