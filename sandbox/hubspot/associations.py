"""Associations between records, with HubSpot's HUBSPOT_DEFINED type ids.

Every association is stored in both directions, each with its own type id (a note points at its
contact with 202, the contact back at the note with 201), which is what the v4 API reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

PRIMARY_CONTACT_TO_COMPANY = 1
PRIMARY_COMPANY_TO_CONTACT = 2
LEAD_TO_PRIMARY_CONTACT = 578


@dataclass(frozen=True)
class AssociationType:
    from_type: str
    to_type: str
    type_id: int
    inverse_id: int
    label: str | None = None


_PAIRS: tuple[tuple[str, str, int, int, str | None], ...] = (
    ("contacts", "companies", 279, 280, None),
    ("contacts", "companies", PRIMARY_CONTACT_TO_COMPANY, PRIMARY_COMPANY_TO_CONTACT, "Primary"),
    ("deals", "contacts", 3, 4, None),
    ("calls", "contacts", 194, 193, None),
    ("emails", "contacts", 198, 197, None),
    ("meetings", "contacts", 200, 199, None),
    ("notes", "contacts", 202, 201, None),
    ("tasks", "contacts", 204, 203, None),
    # A lead's primary contact (a lead cannot exist without one).
    ("leads", "contacts", LEAD_TO_PRIMARY_CONTACT, 579, None),
    ("calls", "companies", 182, 181, None),
    ("emails", "companies", 186, 185, None),
    ("meetings", "companies", 188, 187, None),
    ("notes", "companies", 190, 189, None),
    ("tasks", "companies", 192, 191, None),
)

ASSOCIATION_TYPES: dict[tuple[str, str, int], AssociationType] = {}
for _from, _to, _id, _inverse, _label in _PAIRS:
    ASSOCIATION_TYPES[(_from, _to, _id)] = AssociationType(_from, _to, _id, _inverse, _label)
    ASSOCIATION_TYPES[(_to, _from, _inverse)] = AssociationType(_to, _from, _inverse, _id, _label)


def default_type(from_type: str, to_type: str) -> AssociationType | None:
    """The unlabeled type HubSpot uses for a default association between two object types."""
    for (source, target, _), spec in ASSOCIATION_TYPES.items():
        if source == from_type and target == to_type and spec.label is None:
            return spec
    return None


class AssociationStore:
    """Both directions of every association; not thread-safe on its own (the state locks)."""

    def __init__(self) -> None:
        self._links: dict[tuple[str, int], dict[str, dict[int, set[int]]]] = defaultdict(dict)

    def add(self, spec: AssociationType, from_id: int, to_id: int) -> None:
        self._put(spec.from_type, from_id, spec.to_type, to_id, spec.type_id)
        self._put(spec.to_type, to_id, spec.from_type, from_id, spec.inverse_id)

    def remove(self, spec: AssociationType, from_id: int, to_id: int) -> None:
        self._drop(spec.from_type, from_id, spec.to_type, to_id, spec.type_id)
        self._drop(spec.to_type, to_id, spec.from_type, from_id, spec.inverse_id)

    def targets(self, from_type: str, from_id: int, to_type: str) -> dict[int, set[int]]:
        """``{to_id: {type ids}}`` in association order."""
        links = self._links.get((from_type, from_id))
        if not links:
            return {}
        return {to_id: set(types) for to_id, types in links.get(to_type, {}).items()}

    def has(self, from_type: str, from_id: int, to_type: str, to_id: int) -> bool:
        links = self._links.get((from_type, from_id))
        return links is not None and to_id in links.get(to_type, {})

    def _put(self, from_type: str, from_id: int, to_type: str, to_id: int, type_id: int) -> None:
        self._links[(from_type, from_id)].setdefault(to_type, {}).setdefault(to_id, set()).add(type_id)

    def _drop(self, from_type: str, from_id: int, to_type: str, to_id: int, type_id: int) -> None:
        links = self._links.get((from_type, from_id), {}).get(to_type)
        if links is None or to_id not in links:
            return
        links[to_id].discard(type_id)
        if not links[to_id]:
            del links[to_id]
