"""The in-memory CRM behind the sandbox: records, schema, owners, forms, events and their rules.

Every method takes the one lock, so tests, the simulation and the HTTP threads can use it at once.
The API layer and this module share the same write path, so HubSpot's rules (typed values, the
forward-only lifecycle stage for integrations, owner ids not user ids) hold whichever way a change
arrives; only the source recorded in the history differs.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handoff.sandbox.hubspot.analytics import PAGE_VIEW, WebEvent
from handoff.sandbox.hubspot.associations import (
    ASSOCIATION_TYPES,
    PRIMARY_CONTACT_TO_COMPANY,
    AssociationStore,
    AssociationType,
    default_type,
)
from handoff.sandbox.hubspot.catalog import (
    CLOSED_DEAL_STAGES,
    OBJECT_TYPES,
    standard_groups,
    standard_properties,
)
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.errors import PropertyProblem, PropertyValidationError
from handoff.sandbox.hubspot.forms import FormDef, Submission
from handoff.sandbox.hubspot.owners import Owner
from handoff.sandbox.hubspot.records import (
    ChangeSource,
    CrmRecord,
    PropertyVersion,
    RecordSnapshot,
    SearchView,
)
from handoff.sandbox.hubspot.schema import OptionDef, PropertyDef, PropertyGroup, coerce_value
from handoff.sandbox.kit.clock import Clock, to_ms, utc_now

# Contacts start at 1 so ids cross digit boundaries (9 → 10, 999 → 1000) early: that is where a
# reader comparing ``hs_object_id`` as text loses records. Other types get HubSpot-sized ids.
_FIRST_IDS = {
    "contacts": 1,
    "companies": 5_000_000_001,
    "calls": 21_000_000_001,
    "emails": 22_000_000_001,
    "meetings": 23_000_000_001,
    "notes": 24_000_000_001,
    "tasks": 25_000_000_001,
    "leads": 26_000_000_001,
    "deals": 27_000_000_001,
}
MAX_STRING = 65_536
LOGGED_ACTIVITIES = frozenset({"calls", "emails", "meetings", "notes"})


@dataclass(frozen=True)
class ChangeEvent:
    """A change webhooks can report: a creation, a deletion or one property's new value."""

    kind: str
    object_type: str
    object_id: int
    occurred_at: datetime
    source: ChangeSource
    property_name: str | None = None
    property_value: str | None = None


Listener = Callable[[ChangeEvent], None]


class RecordNotFound(LookupError):
    def __init__(self, object_type: str, record_id: str) -> None:
        super().__init__(f"{object_type} {record_id} does not exist")
        self.object_type = object_type
        self.record_id = record_id


class DuplicateEmail(Exception):
    def __init__(self, existing_id: int) -> None:
        super().__init__(f"Contact already exists. Existing ID: {existing_id}")
        self.existing_id = existing_id


class SchemaConflict(Exception):
    """A property or group with that name already exists."""


class SchemaInvalid(Exception):
    """A Properties API request that HubSpot would refuse with a 400."""


@dataclass(frozen=True)
class WriteResult:
    record_id: int
    changed: tuple[str, ...]
    ignored: tuple[str, ...]


class SandboxState:
    """The CRM. Public methods are thread-safe; ``raw_*`` helpers expect the caller holds ``lock``."""

    def __init__(
        self,
        clock: Clock = utc_now,
        *,
        portal_id: int = 24_681_357,
        app_id: int = 3_141_592,
        search_delay: timedelta = timedelta(0),
    ) -> None:
        self.clock = clock
        self.portal_id = portal_id
        self.app_id = app_id
        self.search_delay = search_delay
        self.lock = threading.RLock()
        self._records: dict[str, dict[int, CrmRecord]] = {name: {} for name in OBJECT_TYPES}
        self._order: dict[str, list[int]] = {name: [] for name in OBJECT_TYPES}
        self._next_id = dict(_FIRST_IDS)
        self._emails: dict[str, int] = {}
        self._schema: dict[str, dict[str, PropertyDef]] = {
            name: {prop.name: prop for prop in standard_properties(name)} for name in OBJECT_TYPES
        }
        self._groups: dict[str, dict[str, PropertyGroup]] = {
            name: {group.name: group for group in standard_groups(name)} for name in OBJECT_TYPES
        }
        self._owners: dict[str, Owner] = {}
        self._forms: dict[str, FormDef] = {}
        self._submissions: dict[str, list[Submission]] = {}
        self._events: dict[int, list[WebEvent]] = {}
        self.associations = AssociationStore()
        self._listeners: list[Listener] = []
        self._versions = dict.fromkeys(OBJECT_TYPES, 0)

    # -- infrastructure ---------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.lock:
            yield

    def type_version(self, object_type: str) -> int:
        """Bumped on every change that search over ``object_type`` could see: the search cache's
        key, so writes to other object types don't make paging rescan."""
        with self.lock:
            return self._versions[object_type]

    def _touch(self, *object_types: str) -> None:
        for object_type in object_types:
            self._versions[object_type] += 1

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Receive every change (called under the lock: enqueue, don't block)."""
        with self.lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self.lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: ChangeEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _now(self, at: datetime | None) -> datetime:
        return to_ms(at) if at is not None else to_ms(self.clock())

    # -- schema -------------------------------------------------------------------------------

    def property_defs(self, object_type: str, *, archived: bool = False) -> list[PropertyDef]:
        with self.lock:
            return [p for p in self._schema[object_type].values() if p.archived == archived]

    def property_def(self, object_type: str, name: str) -> PropertyDef | None:
        with self.lock:
            prop = self._schema[object_type].get(name)
            return prop if prop is not None and not prop.archived else None

    def create_property(self, object_type: str, prop: PropertyDef) -> PropertyDef:
        with self.lock:
            existing = self._schema[object_type].get(prop.name)
            if existing is not None and not existing.archived:
                raise SchemaConflict(f"Property named '{prop.name}' already exists.")
            if prop.group_name not in self._groups[object_type]:
                raise SchemaInvalid(f"Property group '{prop.group_name}' does not exist for {object_type}")
            now = to_ms(self.clock())
            created = prop.with_changes(created_at=prop.created_at or now, updated_at=prop.updated_at or now)
            self._schema[object_type][prop.name] = created
            self._touch(object_type)
            return created

    def update_property(self, object_type: str, name: str, **changes: object) -> PropertyDef:
        with self.lock:
            prop = self.property_def(object_type, name)
            if prop is None:
                raise KeyError(name)
            group = changes.get("group_name")
            if isinstance(group, str) and group not in self._groups[object_type]:
                raise SchemaInvalid(f"Property group '{group}' does not exist for {object_type}")
            updated = prop.with_changes(**changes, updated_at=to_ms(self.clock()))
            self._schema[object_type][name] = updated
            self._touch(object_type)
            return updated

    def property_groups(self, object_type: str) -> list[PropertyGroup]:
        with self.lock:
            return list(self._groups[object_type].values())

    def property_group(self, object_type: str, name: str) -> PropertyGroup | None:
        with self.lock:
            return self._groups[object_type].get(name)

    def create_property_group(self, object_type: str, group: PropertyGroup) -> PropertyGroup:
        with self.lock:
            if group.name in self._groups[object_type]:
                raise SchemaConflict(f"A property group named '{group.name}' already exists.")
            self._groups[object_type][group.name] = group
            return group

    # -- owners -------------------------------------------------------------------------------

    def add_owner(self, owner: Owner) -> Owner:
        with self.lock:
            if owner.id in self._owners:
                raise SchemaConflict(f"owner {owner.id} already exists")
            self._owners[owner.id] = owner
            return owner

    def owners(self, *, archived: bool | None = False) -> list[Owner]:
        """Owners in id order; ``archived=None`` returns active and archived alike."""
        with self.lock:
            found = [o for o in self._owners.values() if archived is None or o.archived == archived]
        return sorted(found, key=lambda owner: int(owner.id))

    def owner(self, owner_id: str) -> Owner | None:
        with self.lock:
            return self._owners.get(owner_id)

    def owner_by_user_id(self, user_id: int) -> Owner | None:
        with self.lock:
            for owner in self._owners.values():
                if user_id in (owner.user_id, owner.user_id_including_inactive):
                    return owner
            return None

    # -- records: reading ---------------------------------------------------------------------

    def raw_record(self, object_type: str, record_id: int) -> CrmRecord | None:
        return self._records[object_type].get(record_id)

    def raw_records(self, object_type: str) -> Iterable[CrmRecord]:
        return self._records[object_type].values()

    def raw_ids_from(self, object_type: str, first_id: int) -> Iterator[int]:
        """Record ids (archived included) from ``first_id`` on, ascending: list paging."""
        order = self._order[object_type]
        for index in range(bisect.bisect_left(order, first_id), len(order)):
            yield order[index]

    def count(self, object_type: str, *, archived: bool = False) -> int:
        with self.lock:
            return sum(1 for r in self._records[object_type].values() if r.archived == archived)

    def ids(self, object_type: str) -> list[str]:
        with self.lock:
            return [str(i) for i, r in self._records[object_type].items() if not r.archived]

    def get(
        self, object_type: str, record_id: str | int, *, with_history: bool = False
    ) -> RecordSnapshot | None:
        with self.lock:
            record = self._find(object_type, record_id)
            if record is None or record.archived:
                return None
            return self.snapshot(record, with_history=with_history)

    def contact_id_for_email(self, email: str) -> int | None:
        with self.lock:
            return self._emails.get(email.strip().lower())

    def find_contact(self, email: str) -> RecordSnapshot | None:
        with self.lock:
            contact_id = self._emails.get(email.strip().lower())
            return None if contact_id is None else self.get("contacts", contact_id)

    def history(self, object_type: str, record_id: str | int, name: str) -> list[PropertyVersion]:
        """Versions of one property, newest first (HubSpot's order)."""
        with self.lock:
            record = self._find(object_type, record_id)
            if record is None:
                raise RecordNotFound(object_type, str(record_id))
            if name in OBJECT_TYPES[object_type].computed:
                value = self.computed_value(record, name, record.updated_at)
                return [PropertyVersion(value, record.updated_at, record.origin)]
            return list(reversed(record.versions(name)))

    def snapshot(self, record: CrmRecord, *, with_history: bool = False) -> RecordSnapshot:
        properties = dict(record.values)
        for name in OBJECT_TYPES[record.object_type].computed:
            properties[name] = self.computed_value(record, name, record.updated_at)
        history: dict[str, list[PropertyVersion]] = {}
        if with_history:
            names = set(record.values) | set(record.history or {})
            history = {name: list(reversed(record.versions(name))) for name in sorted(names)}
        return RecordSnapshot(
            object_type=record.object_type,
            id=str(record.id),
            properties=properties,
            created_at=record.created_at,
            updated_at=record.updated_at,
            archived=record.archived,
            history=history,
        )

    @staticmethod
    def computed_value(record: CrmRecord, name: str, updated_at: datetime) -> str:
        if name == "hs_object_id":
            return str(record.id)
        spec = OBJECT_TYPES[record.object_type]
        if name == spec.created_property:
            return iso(record.created_at)
        return iso(updated_at)

    def search_view(self, record: CrmRecord, now: datetime) -> tuple[Mapping[str, str], datetime] | None:
        """The record as search sees it: stale for ``search_delay`` after a change."""
        if record.archived:
            return None
        stale = record.stale
        if stale is not None:
            if now < stale.visible_from:
                return None if stale.values is None else (stale.values, stale.updated_at)
            record.stale = None
        return record.values, record.updated_at

    def _find(self, object_type: str, record_id: str | int) -> CrmRecord | None:
        try:
            key = int(record_id)
        except (TypeError, ValueError):
            return None
        return self._records[object_type].get(key)

    # -- records: writing ---------------------------------------------------------------------

    def validate(
        self,
        object_type: str,
        properties: Mapping[str, object],
        *,
        creating: bool,
        record_id: int | None = None,
    ) -> dict[str, str]:
        """Coerce every value or raise ``PropertyValidationError`` listing all the problems."""
        schema = self._schema[object_type]
        computed = OBJECT_TYPES[object_type].computed
        coerced: dict[str, str] = {}
        problems: list[PropertyProblem] = []
        for name, raw in properties.items():
            prop = schema.get(name)
            if prop is None or prop.archived:
                message = f'Property "{name}" does not exist'
                problems.append(PropertyProblem(name, "PROPERTY_DOESNT_EXIST", message))
                continue
            if name in computed and raw not in (None, ""):
                problems.append(PropertyProblem(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only'))
                continue
            value = coerce_value(prop, raw)
            if isinstance(value, PropertyProblem):
                problems.append(value)
                continue
            problem = self._check_reference(prop, value)
            if problem is not None:
                problems.append(problem)
                continue
            if len(value) > MAX_STRING:
                problems.append(
                    PropertyProblem(name, "INVALID_STRING_LENGTH", f"{name} is longer than {MAX_STRING}")
                )
                continue
            coerced[name] = value
        if creating and OBJECT_TYPES[object_type].is_engagement and not coerced.get("hs_timestamp"):
            problems.append(PropertyProblem("hs_timestamp", "REQUIRED_PROPERTY", "hs_timestamp is required"))
        if problems:
            raise PropertyValidationError(problems)
        if object_type == "contacts" and coerced.get("email"):
            existing = self._emails.get(coerced["email"].strip().lower())
            if existing is not None and existing != record_id:
                raise DuplicateEmail(existing)
        return coerced

    def _check_reference(self, prop: PropertyDef, value: str) -> PropertyProblem | None:
        if value == "":
            return None
        if prop.references_owner:
            owner = self._owners.get(value)
            if owner is None or owner.archived:
                return PropertyProblem(prop.name, "INVALID_OWNER_ID", f"{value} is not a valid owner id")
        if prop.name == "associatedcompanyid":
            company = self._find("companies", value)
            if company is None or company.archived:
                return PropertyProblem(prop.name, "INVALID_OBJECT_ID", f"company {value} does not exist")
        return None

    def create(
        self,
        object_type: str,
        properties: Mapping[str, object],
        *,
        source: ChangeSource | None = None,
        at: datetime | None = None,
        associations: Sequence[tuple[AssociationType, int]] = (),
    ) -> RecordSnapshot:
        """Create a record; ``associations`` are ``(type, target id)`` pairs from this record."""
        with self.lock:
            values = self.validate(object_type, properties, creating=True)
            if object_type == "leads":
                _check_lead(values, associations)
            origin = source or ChangeSource.api(self.app_id)
            record = self._insert(object_type, values, origin, self._now(at))
            for spec, target in associations:
                self.associations.add(spec, record.id, target)
                self._touch(spec.to_type)
                self._logged_on(record, spec, target)
            return self.snapshot(record)

    def _logged_on(self, engagement: CrmRecord, spec: AssociationType, contact_id: int) -> None:
        """A call, email, meeting or note on a contact moves its "Last activity date" (and so its
        modification time), as HubSpot does."""
        if engagement.object_type not in LOGGED_ACTIVITIES or spec.to_type != "contacts":
            return
        contact = self._find("contacts", contact_id)
        if contact is not None and not contact.archived:
            stamp = iso(engagement.updated_at)
            self._apply(
                contact, {"notes_last_updated": stamp}, ChangeSource("CALCULATED"), engagement.updated_at
            )

    def bulk_create(
        self,
        object_type: str,
        rows: Iterable[Mapping[str, object]],
        *,
        source: ChangeSource | None = None,
        at: datetime | None = None,
    ) -> list[str]:
        """Create many records at one instant (e.g. 12,000 contacts sharing a modified date)."""
        with self.lock:
            moment = self._now(at)
            origin = source or ChangeSource("IMPORT")
            ids: list[str] = []
            for row in rows:
                values = self.validate(object_type, row, creating=True)
                ids.append(str(self._insert(object_type, values, origin, moment).id))
            return ids

    def _insert(
        self, object_type: str, values: dict[str, str], source: ChangeSource, at: datetime
    ) -> CrmRecord:
        record_id = self._next_id[object_type]
        self._next_id[object_type] = record_id + 1
        clean = {name: value for name, value in values.items() if value != ""}
        record = CrmRecord(object_type, record_id, at, at, clean, source)
        if self.search_delay > timedelta(0):
            record.stale = SearchView(None, at, at + self.search_delay)
        self._records[object_type][record_id] = record
        self._order[object_type].append(record_id)
        self._touch(object_type)
        self._emit(ChangeEvent("creation", object_type, record_id, at, source))
        for name in list(clean):
            self._side_effects(record, name, clean[name], previous=None, at=at, source=source, creating=True)
            self._emit(ChangeEvent("propertyChange", object_type, record_id, at, source, name, clean[name]))
        return record

    def update(
        self,
        object_type: str,
        record_id: str | int,
        properties: Mapping[str, object],
        *,
        source: ChangeSource | None = None,
        at: datetime | None = None,
    ) -> WriteResult:
        """Validate and apply a change to one record; nothing applies if any value is invalid."""
        with self.lock:
            record = self._find(object_type, record_id)
            if record is None or record.archived:
                raise RecordNotFound(object_type, str(record_id))
            values = self.validate(object_type, properties, creating=False, record_id=record.id)
            return self._apply(record, values, source or ChangeSource.api(self.app_id), at)

    def _apply(
        self,
        record: CrmRecord,
        values: Mapping[str, str],
        source: ChangeSource,
        at: datetime | None,
    ) -> WriteResult:
        moment = max(self._now(at), record.updated_at)
        changed: list[str] = []
        ignored: list[str] = []
        before = dict(record.values)
        for name, value in values.items():
            current = record.values.get(name, "")
            if value == current:
                continue
            if name == "lifecyclestage" and self._is_backward(record, current, value, source):
                ignored.append(name)
                continue
            record.record_change(name, value, moment, source)
            changed.append(name)
            self._side_effects(
                record, name, value, previous=current, at=moment, source=source, creating=False
            )
        if changed:
            if self.search_delay > timedelta(0) and (
                record.stale is None or record.stale.visible_from <= moment
            ):
                record.stale = SearchView(before, record.updated_at, moment + self.search_delay)
            record.updated_at = moment
            self._touch(record.object_type)
            for name in changed:
                self._emit(
                    ChangeEvent(
                        "propertyChange",
                        record.object_type,
                        record.id,
                        moment,
                        source,
                        name,
                        record.values.get(name, ""),
                    )
                )
        return WriteResult(record.id, tuple(changed), tuple(ignored))

    def _is_backward(self, record: CrmRecord, current: str, value: str, source: ChangeSource) -> bool:
        """HubSpot silently ignores an integration moving ``lifecyclestage`` back."""
        if not source.lifecycle_forward_only or not current or not value:
            return False
        prop = self._schema[record.object_type]["lifecyclestage"]
        old_rank, new_rank = prop.option_rank(current), prop.option_rank(value)
        return old_rank is not None and new_rank is not None and new_rank < old_rank

    def _side_effects(
        self,
        record: CrmRecord,
        name: str,
        value: str,
        *,
        previous: str | None,
        at: datetime,
        source: ChangeSource,
        creating: bool,
    ) -> None:
        """Derived fields HubSpot maintains itself: email domain, stage dates, primary company."""
        if record.object_type == "leads" and name == "hs_pipeline_stage" and value:
            self._set_derived(record, f"hs_v2_date_entered_{value}", iso(at), at, source, creating=creating)
        if record.object_type == "deals" and name == "dealstage":
            # Calculated from the stage's metadata (closed, probability 1.0 for won), as HubSpot does.
            won = CLOSED_DEAL_STAGES.get(value)
            closed = "true" if won is not None else "false"
            self._set_derived(record, "hs_is_closed", closed, at, source, creating=creating)
            self._set_derived(
                record, "hs_is_closed_won", "true" if won else "false", at, source, creating=creating
            )
        if record.object_type != "contacts":
            return
        if name == "email":
            if previous:
                self._emails.pop(previous.strip().lower(), None)
            if value:
                self._emails[value.strip().lower()] = record.id
            domain = value.rsplit("@", 1)[-1].lower() if "@" in value else ""
            self._set_derived(record, "hs_email_domain", domain, at, source, creating=creating)
        elif name == "lifecyclestage" and value:
            self._stage_dates(record, value, at, source, creating=creating)
        elif name == "associatedcompanyid":
            self._move_primary_company(record.id, previous, value)

    def _set_derived(
        self,
        record: CrmRecord,
        name: str,
        value: str,
        at: datetime,
        source: ChangeSource,
        *,
        creating: bool,
    ) -> None:
        if record.values.get(name, "") == value:
            return
        if creating:
            if value:
                record.values[name] = value
        else:
            record.record_change(name, value, at, source)

    def _stage_dates(
        self, record: CrmRecord, stage: str, at: datetime, source: ChangeSource, *, creating: bool
    ) -> None:
        """Entering a stage dates it once; moving lower clears the dates of the stages above."""
        schema = self._schema["contacts"]
        order = [o.value for o in sorted(schema["lifecyclestage"].options, key=lambda o: o.display_order)]
        stamp = _stage_date(stage)
        if stamp in schema and stamp not in record.values:
            self._set_derived(record, stamp, iso(at), at, source, creating=creating)
        if stage in order:
            for later in order[order.index(stage) + 1 :]:
                name = _stage_date(later)
                if name in record.values:
                    self._set_derived(record, name, "", at, source, creating=creating)

    def add_lifecycle_stage(self, label: str, *, after: str) -> str:
        """A custom lifecycle stage placed after another, as an admin adds one: a numeric internal
        value, and its own "date entered" property. Returns the value."""
        with self.lock:
            prop = self._schema["contacts"]["lifecyclestage"]
            ordered = sorted(prop.options, key=lambda o: o.display_order)
            place = next(o.display_order for o in ordered if o.value == after)
            value = str(1_452_450_000 + len(ordered))
            shifted = [
                replace(o, display_order=o.display_order + 1) if o.display_order > place else o
                for o in ordered
            ]
            options = (*shifted, OptionDef(label, value, place + 1))
        self.update_property("contacts", "lifecyclestage", options=options)
        self.create_property(
            "contacts",
            replace(
                self._schema["contacts"]["hs_lifecyclestage_lead_date"],
                name=_stage_date(value),
                label=f"Date entered '{label} (Lifecycle Stage Pipeline)'",
            ),
        )
        return value

    def merge(self, primary_id: str | int, merged_id: str | int, *, at: datetime | None = None) -> None:
        """Merge a contact into another, as HubSpot does: the merged one is gone (its id answers
        nothing), its activities move to the primary, whose `hs_merged_object_ids` lists it."""
        with self.lock:
            primary = self._find("contacts", primary_id)
            if primary is None or primary.archived:
                raise RecordNotFound("contacts", str(primary_id))
            for kind, links in list(self._links_of(int(merged_id)).items()):
                for target, types in links.items():
                    for type_id in types:
                        spec = ASSOCIATION_TYPES.get(("contacts", kind, type_id))
                        if spec is not None and kind != "companies":
                            self.associations.remove(spec, int(merged_id), target)
                            self.associations.add(spec, primary.id, target)
            self.archive("contacts", merged_id, at=at)
            merged = [i for i in primary.values.get("hs_merged_object_ids", "").split(";") if i]
            ids = ";".join([*merged, str(merged_id)])
            self._apply(primary, {"hs_merged_object_ids": ids}, ChangeSource("MERGE"), at)

    def _links_of(self, contact_id: int) -> dict[str, dict[int, set[int]]]:
        return {
            kind: self.associations.targets("contacts", contact_id, kind)
            for kind in ("calls", "emails", "meetings", "notes", "tasks")
        }

    def _move_primary_company(self, contact_id: int, previous: str | None, value: str) -> None:
        primary = ASSOCIATION_TYPES[("contacts", "companies", PRIMARY_CONTACT_TO_COMPANY)]
        if previous:
            self.associations.remove(primary, contact_id, int(previous))
        if value:
            unlabeled = default_type("contacts", "companies")
            assert unlabeled is not None
            self.associations.add(primary, contact_id, int(value))
            self.associations.add(unlabeled, contact_id, int(value))
        self._touch("companies")

    def archive(self, object_type: str, record_id: str | int, *, at: datetime | None = None) -> None:
        with self.lock:
            record = self._find(object_type, record_id)
            if record is None or record.archived:
                raise RecordNotFound(object_type, str(record_id))
            moment = self._now(at)
            record.archived = True
            record.updated_at = max(moment, record.updated_at)
            if object_type == "contacts" and record.values.get("email"):
                self._emails.pop(record.values["email"].strip().lower(), None)
            self._touch(object_type)
            self._emit(ChangeEvent("deletion", object_type, record.id, moment, ChangeSource.api()))

    # -- associations -------------------------------------------------------------------------

    def associate(
        self,
        from_type: str,
        from_id: str | int,
        to_type: str,
        to_id: str | int,
        type_id: int | None = None,
    ) -> AssociationType:
        with self.lock:
            spec = (
                default_type(from_type, to_type)
                if type_id is None
                else ASSOCIATION_TYPES.get((from_type, to_type, type_id))
            )
            if spec is None:
                raise SchemaInvalid(f"no association type {type_id} from {from_type} to {to_type}")
            for kind, key in ((from_type, from_id), (to_type, to_id)):
                target = self._find(kind, key)
                if target is None or target.archived:
                    raise RecordNotFound(kind, str(key))
            self.associations.add(spec, int(from_id), int(to_id))
            self._touch(from_type, to_type)
            source = self._find(from_type, from_id)
            if source is not None:
                self._logged_on(source, spec, int(to_id))
            return spec

    def associated_ids(self, from_type: str, from_id: str | int, to_type: str) -> list[str]:
        with self.lock:
            return [str(i) for i in self.associations.targets(from_type, int(from_id), to_type)]

    def create_engagement(
        self,
        kind: str,
        properties: Mapping[str, object],
        *,
        contact_id: str | int,
        source: ChangeSource,
        at: datetime | None = None,
    ) -> RecordSnapshot:
        """A call, email, meeting, note or task on a contact, as a rep logs it."""
        spec = default_type(kind, "contacts")
        assert spec is not None, kind
        with self.lock:
            if self._find("contacts", contact_id) is None:
                raise RecordNotFound("contacts", str(contact_id))
            return self.create(kind, properties, source=source, at=at, associations=[(spec, int(contact_id))])

    # -- forms --------------------------------------------------------------------------------

    def add_form(self, form: FormDef) -> FormDef:
        with self.lock:
            self._forms[form.id] = form
            self._submissions.setdefault(form.id, [])
            return form

    def forms(self, *, archived: bool = False) -> list[FormDef]:
        with self.lock:
            return [form for form in self._forms.values() if form.archived == archived]

    def form(self, form_id: str) -> FormDef | None:
        with self.lock:
            return self._forms.get(form_id)

    def form_by_name(self, name: str) -> FormDef | None:
        with self.lock:
            return next((form for form in self._forms.values() if form.name == name), None)

    def submissions(self, form_id: str) -> list[Submission]:
        """Newest first, as the submissions API pages them."""
        with self.lock:
            return list(reversed(self._submissions.get(form_id, [])))

    def submit_form(
        self,
        form_id: str,
        values: Mapping[str, str],
        *,
        conversion_id: str,
        at: datetime | None = None,
        page_url: str = "https://www.acme.example/",
        extra_properties: Mapping[str, str] | None = None,
    ) -> int:
        """Record a submission and create or update its contact, like a HubSpot form does."""
        with self.lock:
            form = self._forms[form_id]
            moment = self._now(at)
            email = values["email"].strip()
            schema = self._schema["contacts"]
            contact_props: dict[str, object] = {
                name: value
                for name, value in values.items()
                if name in schema and value and name not in OBJECT_TYPES["contacts"].computed
            }
            contact_props.update(extra_properties or {})
            source = ChangeSource("FORM", form.id, form.name)
            contact_id = self._emails.get(email.lower())
            conversions = 1
            if contact_id is None:
                contact_props.setdefault("lifecyclestage", form.lifecycle_stage)
                contact_props["first_conversion_event_name"] = form.name
                contact_props["first_conversion_date"] = iso(moment)
            else:
                record = self._records["contacts"][contact_id]
                conversions += int(record.values.get("num_conversion_events", "0") or 0)
                contact_props.pop("email", None)
                if form.lifecycle_stage:
                    contact_props.setdefault("lifecyclestage", form.lifecycle_stage)
            contact_props["recent_conversion_event_name"] = form.name
            contact_props["recent_conversion_date"] = iso(moment)
            contact_props["num_conversion_events"] = str(conversions)
            if contact_id is None:
                contact_id = int(self.create("contacts", contact_props, source=source, at=moment).id)
            else:
                self.update("contacts", contact_id, contact_props, source=source, at=moment)
            submission = Submission(
                conversion_id=conversion_id,
                form_id=form.id,
                contact_id=contact_id,
                submitted_at=moment,
                values=tuple((name, str(value)) for name, value in values.items()),
                page_url=page_url,
            )
            bisect.insort(self._submissions[form.id], submission, key=lambda s: s.submitted_at)
            return contact_id

    # -- behavioural events -------------------------------------------------------------------

    def add_web_events(self, events: Sequence[WebEvent], *, update_contact: bool = True) -> None:
        """Store events; page views also move the contact's analytics summary, like HubSpot."""
        with self.lock:
            touched: dict[int, list[WebEvent]] = {}
            for event in events:
                bisect.insort(
                    self._events.setdefault(event.contact_id, []),
                    event,
                    key=lambda e: e.occurred_at,
                )
                if event.event_type == PAGE_VIEW:
                    touched.setdefault(event.contact_id, []).append(event)
            if not update_contact:
                return
            for contact_id, views in touched.items():
                record = self._records["contacts"].get(contact_id)
                if record is None:
                    continue
                last = max(views, key=lambda e: e.occurred_at)
                count = int(record.values.get("hs_analytics_num_page_views", "0") or 0)
                summary = {
                    "hs_analytics_num_page_views": str(count + len(views)),
                    "hs_analytics_last_url": last.url or "",
                    "hs_analytics_last_visit_timestamp": iso(last.occurred_at),
                }
                if "hs_analytics_first_url" not in record.values:
                    first = min(views, key=lambda e: e.occurred_at)
                    summary["hs_analytics_first_url"] = first.url or ""
                self._apply(record, summary, ChangeSource("ANALYTICS"), last.occurred_at)

    def web_events(
        self,
        contact_id: int,
        *,
        event_type: str | None = None,
        occurred_after: datetime | None = None,
        occurred_before: datetime | None = None,
    ) -> list[WebEvent]:
        """Oldest first."""
        with self.lock:
            return [
                event
                for event in self._events.get(contact_id, [])
                if (event_type is None or event.event_type == event_type)
                and (occurred_after is None or event.occurred_at > occurred_after)
                and (occurred_before is None or event.occurred_at < occurred_before)
            ]


def _stage_date(stage: str) -> str:
    """The property dating a stage: the classic one for defaults, `hs_v2_date_entered_` for custom."""
    if stage.isdigit():
        return f"hs_v2_date_entered_{stage}"
    return f"hs_lifecyclestage_{stage}_date"


def _check_lead(values: Mapping[str, str], associations: Sequence[tuple[AssociationType, int]]) -> None:
    """HubSpot refuses a lead without a name or without a contact."""
    problems = []
    if not values.get("hs_lead_name"):
        problems.append(PropertyProblem("hs_lead_name", "REQUIRED", "A lead needs a name"))
    if not any(spec.to_type == "contacts" for spec, _ in associations):
        problems.append(
            PropertyProblem("associations", "REQUIRED", "A lead must be associated with a contact")
        )
    if problems:
        raise PropertyValidationError(problems)
