"""CRM search with HubSpot's semantics and limits.

What a connector has to survive is all here: at most 5 filter groups, 6 filters per group and 18
in total; pages of at most 200; ``after`` as a stringified offset that must stay below 10,000;
``hs_object_id`` compared as a number; enumeration values compared case-sensitively but string
``IN`` values only matching when lowercase; short pages that still carry ``paging.next``; and a
default order by creation. Matching ids are cached per (query, state version) so paging through a
large result costs one scan, not one per page.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from handoff.sandbox.hubspot.catalog import OBJECT_TYPES, ObjectType, resolve_object_type
from handoff.sandbox.hubspot.clock import epoch_ms, parse_instant, stored_epoch_ms
from handoff.sandbox.hubspot.errors import bad_request, reject_unknown_fields
from handoff.sandbox.hubspot.records import CrmRecord
from handoff.sandbox.hubspot.serialize import property_names, record_json
from handoff.sandbox.hubspot.state import SandboxState

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
MAX_RESULTS = 10_000
MAX_QUERY = 3_000
OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
_TOKEN_SPLIT = re.compile(r"[^0-9a-z]+")

Value = float | int | str
Getter = Callable[[CrmRecord, Mapping[str, str], datetime], Value | None]
Predicate = Callable[[CrmRecord, Mapping[str, str], datetime], bool]


@dataclass(frozen=True)
class Filter:
    property_name: str
    operator: str
    value: object = None
    values: tuple[object, ...] = ()
    high_value: object = None


@dataclass(frozen=True)
class SearchPlan:
    groups: tuple[tuple[Filter, ...], ...]
    sort_property: str | None
    descending: bool
    query: str | None
    properties: tuple[str, ...]
    limit: int
    after: int

    def cache_key(self, object_type: str) -> str:
        return json.dumps(
            [
                object_type,
                [[vars(f) for f in group] for group in self.groups],
                self.sort_property,
                self.descending,
                self.query,
            ],
            default=str,
            sort_keys=True,
        )


_REQUEST_FIELDS = frozenset({"filterGroups", "sorts", "query", "properties", "limit", "after"})
_FILTER_FIELDS = frozenset({"propertyName", "operator", "value", "values", "highValue"})


def parse_plan(body: Mapping[str, Any]) -> SearchPlan:
    """Validate a search body against HubSpot's limits; raise a 400 like HubSpot's."""
    reject_unknown_fields(body, _REQUEST_FIELDS, "PublicObjectSearchRequest")
    raw_groups = body.get("filterGroups") or []
    if not isinstance(raw_groups, list):
        raise bad_request("filterGroups must be a list")
    if len(raw_groups) > MAX_GROUPS:
        raise bad_request(
            f"Too many filter groups: {len(raw_groups)}. A search can have at most {MAX_GROUPS} filterGroups"
        )
    groups: list[tuple[Filter, ...]] = []
    total = 0
    for raw_group in raw_groups:
        if isinstance(raw_group, dict):
            reject_unknown_fields(raw_group, frozenset({"filters"}), "FilterGroup")
        raw_filters = raw_group.get("filters") if isinstance(raw_group, dict) else None
        if not isinstance(raw_filters, list):
            raise bad_request("each filterGroup needs a filters list")
        if len(raw_filters) > MAX_FILTERS_PER_GROUP:
            raise bad_request(
                f"Too many filters in a filterGroup: {len(raw_filters)}. A filterGroup can have"
                f" at most {MAX_FILTERS_PER_GROUP} filters"
            )
        total += len(raw_filters)
        groups.append(tuple(_parse_filter(raw) for raw in raw_filters))
    if total > MAX_FILTERS:
        raise bad_request(
            f"Too many filters: {total}. A search can have at most {MAX_FILTERS} filters in total"
        )
    sort_property, descending = _parse_sorts(body.get("sorts") or [])
    limit = _int_field(body.get("limit", 10), "limit")
    if limit > MAX_LIMIT or limit < 0:
        raise bad_request(f"limit must be between 0 and {MAX_LIMIT}, got {limit}")
    after = _int_field(body.get("after") or "0", "after")
    if after >= MAX_RESULTS:
        raise bad_request(f"Paging `after` {after} is beyond the {MAX_RESULTS} results a search can return")
    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise bad_request("query must be a string")
    if query is not None and len(query) > MAX_QUERY:
        raise bad_request(f"query is longer than {MAX_QUERY} characters")
    properties = body.get("properties") or []
    if not isinstance(properties, list):
        raise bad_request("properties must be a list")
    return SearchPlan(
        groups=tuple(groups),
        sort_property=sort_property,
        descending=descending,
        query=query or None,
        properties=tuple(str(name) for name in properties),
        limit=limit,
        after=after,
    )


def _int_field(raw: object, name: str) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise bad_request(f"{name} must be an integer, got {raw!r}") from None


def _parse_filter(raw: object) -> Filter:
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
        raise bad_request("each filter needs a propertyName")
    reject_unknown_fields(raw, _FILTER_FIELDS, "Filter")
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise bad_request(f"Unknown filter operator {operator!r}; valid: {sorted(OPERATORS)}")
    values = raw.get("values")
    if operator in ("IN", "NOT_IN") and not isinstance(values, list):
        raise bad_request(f"{operator} needs a values list")
    if operator == "BETWEEN" and (raw.get("value") is None or raw.get("highValue") is None):
        raise bad_request("BETWEEN needs value and highValue")
    needs_value = operator not in ("IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
    if needs_value and raw.get("value") is None:
        raise bad_request(f"{operator} on {raw['propertyName']} needs a value")
    return Filter(
        property_name=raw["propertyName"],
        operator=str(operator),
        value=raw.get("value"),
        values=tuple(values or ()),
        high_value=raw.get("highValue"),
    )


def _parse_sorts(raw: object) -> tuple[str | None, bool]:
    if not isinstance(raw, list):
        raise bad_request("sorts must be a list")
    if len(raw) > 1:
        raise bad_request("Only one sort is supported")
    if not raw:
        return None, False
    rule = raw[0]
    if isinstance(rule, str):
        return rule.lstrip("-"), rule.startswith("-")
    if isinstance(rule, dict) and isinstance(rule.get("propertyName"), str):
        direction = str(rule.get("direction", "ASCENDING")).upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise bad_request(f"sort direction {direction!r} is not ASCENDING or DESCENDING")
        return rule["propertyName"], direction == "DESCENDING"
    raise bad_request("each sort needs a propertyName")


@lru_cache(maxsize=65_536)
def _instant_ms(text: str) -> int | None:
    try:
        return epoch_ms(parse_instant(text))
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class _Compiler:
    """Turns filters into predicates over (record, indexed values, indexed modified time)."""

    def __init__(self, state: SandboxState, spec: ObjectType) -> None:
        self.state = state
        self.spec = spec
        self.schema = {prop.name: prop for prop in state.property_defs(spec.name)}

    def kind(self, name: str) -> str:
        if name == "hs_object_id":
            return "id"
        if name in (self.spec.created_property, self.spec.modified_property):
            return "datetime"
        prop = self.schema.get(name)
        if prop is None:
            raise bad_request(f"Property {name!r} does not exist on {self.spec.name}")
        return "enumeration" if prop.type == "enumeration" else prop.type

    def getter(self, name: str) -> Getter:
        kind = self.kind(name)
        spec = self.spec
        if kind == "id":
            return lambda record, _values, _modified: record.id
        if name == spec.created_property:
            return lambda record, _values, _modified: stored_epoch_ms(record.created_at)
        if name == spec.modified_property:
            return lambda _record, _values, modified: stored_epoch_ms(modified)
        if kind == "number":
            return lambda _record, values, _modified: _maybe(values.get(name), _number)
        if kind in ("datetime", "date"):
            return lambda _record, values, _modified: _maybe(values.get(name), _instant_ms)
        if kind == "string":
            return lambda _record, values, _modified: _maybe(values.get(name), str.lower)
        return lambda _record, values, _modified: values.get(name)

    def operand(self, name: str, raw: object) -> Value:
        kind = self.kind(name)
        text = "true" if raw is True else "false" if raw is False else str(raw)
        if kind in ("id", "number"):
            number = _number(text)
            if number is None:
                raise bad_request(f"{text!r} is not a number for {name}")
            return number
        if kind in ("datetime", "date"):
            moment = _instant_ms(text)
            if moment is None:
                raise bad_request(f"{text!r} is not a date for {name}: use epoch milliseconds")
            return moment
        if kind in ("string", "bool"):
            return text.lower()
        return text

    def compile(self, flt: Filter) -> Predicate:
        name, op = flt.property_name, flt.operator
        if name.startswith("associations."):
            return self._association(flt)
        get = self.getter(name)
        if op == "HAS_PROPERTY":
            return lambda r, v, m: get(r, v, m) not in (None, "")
        if op == "NOT_HAS_PROPERTY":
            return lambda r, v, m: get(r, v, m) in (None, "")
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            matcher = _token_matcher(str(flt.value))
            positive = op == "CONTAINS_TOKEN"
            return lambda r, v, m: matcher(str(get(r, v, m) or "")) == positive
        if op in ("IN", "NOT_IN"):
            kind = self.kind(name)
            if kind == "string":
                # HubSpot lowercases string values in its index but not the IN list.
                wanted: set[Value] = {str(value) for value in flt.values}
            else:
                wanted = {self.operand(name, value) for value in flt.values}
            inside = op == "IN"
            return lambda r, v, m: (get(r, v, m) in wanted) == inside
        low = self.operand(name, flt.value)
        if op == "BETWEEN":
            high = self.operand(name, flt.high_value)
            return lambda r, v, m: _between(get(r, v, m), low, high)
        compare = _COMPARATORS[op]
        if op == "NEQ":
            return lambda r, v, m: get(r, v, m) != low
        return lambda r, v, m: _compare(compare, get(r, v, m), low)

    def _association(self, flt: Filter) -> Predicate:
        target = resolve_object_type(flt.property_name.split(".", 1)[1])
        if target is None:
            raise bad_request(f"Unknown association type in {flt.property_name!r}")
        if flt.operator not in ("EQ", "IN"):
            raise bad_request(f"{flt.property_name} supports EQ and IN only")
        raw_ids = flt.values if flt.operator == "IN" else (flt.value,)
        try:
            wanted = [int(str(raw)) for raw in raw_ids]
        except ValueError:
            raise bad_request(f"{flt.property_name} takes record ids") from None
        store = self.state.associations
        from_type, to_type = self.spec.name, target.name
        return lambda r, _v, _m: any(store.has(from_type, r.id, to_type, i) for i in wanted)

    def query(self, text: str) -> Predicate:
        terms = [term for term in text.lower().split() if term]
        names = [name for name in self.spec.searchable if name in self.schema]

        def matches(record: CrmRecord, values: Mapping[str, str], _modified: datetime) -> bool:
            haystack = [str(record.id)] + [values.get(name, "").lower() for name in names]
            tokens = {token for field in haystack for token in _TOKEN_SPLIT.split(field) if token}
            return all(
                any(token.startswith(term) for token in tokens) or any(term in f for f in haystack)
                for term in terms
            )

        return matches


def _maybe(text: str | None, convert: Callable[[str], Value | None]) -> Value | None:
    return None if text is None else convert(text)


def _between(value: Value | None, low: Value, high: Value) -> bool:
    return _compare(_COMPARATORS["GTE"], value, low) and _compare(_COMPARATORS["LTE"], value, high)


def _compare(compare: Callable[[Any, Any], bool], value: Value | None, operand: Value) -> bool:
    if value is None:
        return False
    try:
        return compare(value, operand)
    except TypeError:
        return False


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
}


def _token_matcher(pattern: str) -> Callable[[str], bool]:
    lowered = pattern.lower()
    if "*" in lowered:
        regex = re.compile(".*".join(re.escape(part) for part in lowered.split("*")))
        return lambda text: (
            regex.fullmatch(text.lower()) is not None
            or any(regex.fullmatch(token) for token in _TOKEN_SPLIT.split(text.lower()) if token)
        )
    return lambda text: lowered == text.lower() or lowered in _TOKEN_SPLIT.split(text.lower())


class SearchEngine:
    """Runs searches against a state; caches matching ids while the state does not change."""

    def __init__(self, state: SandboxState, *, short_pages: bool = True) -> None:
        self.state = state
        self.short_pages = short_pages
        self._cache: OrderedDict[str, tuple[int, list[int]]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def search(self, object_type: str, plan: SearchPlan) -> dict[str, Any]:
        spec = OBJECT_TYPES[object_type]
        state = self.state
        with state.lock:
            now = state.clock()
            matched = self._matching_ids(spec, plan, now)
            total = len(matched)
            page_size = plan.limit
            if self.short_pages and page_size > 1 and (plan.after // page_size) % 5 == 3:
                page_size -= 1
            window = matched[plan.after : min(plan.after + page_size, MAX_RESULTS)]
            names = property_names(state, object_type, plan.properties)
            results = []
            for record_id in window:
                record = state.raw_record(object_type, record_id)
                view = None if record is None else state.search_view(record, now)
                if record is None or view is None:
                    continue
                values, modified = view
                results.append(record_json(state, record, names, values=values, updated_at=modified))
        body: dict[str, Any] = {"total": total, "results": results}
        next_after = plan.after + len(window)
        if next_after < total and plan.limit > 0:
            body["paging"] = {"next": {"after": str(next_after)}}
        return body

    def _matching_ids(self, spec: ObjectType, plan: SearchPlan, now: datetime) -> list[int]:
        state = self.state
        cacheable = state.search_delay <= timedelta(0)
        key = plan.cache_key(spec.name)
        if cacheable:
            with self._cache_lock:
                hit = self._cache.get(key)
                if hit is not None and hit[0] == state.type_version(spec.name):
                    self._cache.move_to_end(key)
                    return hit[1]
        ids = self._scan(spec, plan, now)
        if cacheable:
            with self._cache_lock:
                self._cache[key] = (state.type_version(spec.name), ids)
                while len(self._cache) > 16:
                    self._cache.popitem(last=False)
        return ids

    def _scan(self, spec: ObjectType, plan: SearchPlan, now: datetime) -> list[int]:
        compiler = _Compiler(self.state, spec)
        groups = [[compiler.compile(flt) for flt in group] for group in plan.groups]
        text = compiler.query(plan.query) if plan.query else None
        rows: list[tuple[CrmRecord, Mapping[str, str], datetime]] = []
        values: Mapping[str, str]
        for record in self.state.raw_records(spec.name):
            if record.stale is None and not record.archived:
                values, modified = record.values, record.updated_at
            else:
                view = self.state.search_view(record, now)
                if view is None:
                    continue
                values, modified = view
            if groups and not any(all(p(record, values, modified) for p in g) for g in groups):
                continue
            if text is not None and not text(record, values, modified):
                continue
            rows.append((record, values, modified))
        if plan.sort_property == "hs_object_id":
            # Records are stored in id order already.
            ids = [row[0].id for row in rows]
            return ids[::-1] if plan.descending else ids
        rows.sort(key=lambda row: (row[0].created_at, row[0].id))
        if plan.sort_property is not None:
            rows = _sorted(rows, compiler.getter(plan.sort_property), plan.descending)
        return [row[0].id for row in rows]


def _sorted(
    rows: Sequence[tuple[CrmRecord, Mapping[str, str], datetime]],
    get: Getter,
    descending: bool,
) -> list[tuple[CrmRecord, Mapping[str, str], datetime]]:
    keyed: list[tuple[Any, tuple[CrmRecord, Mapping[str, str], datetime]]] = [
        (get(*row), row) for row in rows
    ]
    present = [pair for pair in keyed if pair[0] not in (None, "")]
    missing = [pair[1] for pair in keyed if pair[0] in (None, "")]
    present.sort(key=_sort_value, reverse=descending)
    return [pair[1] for pair in present] + missing


def _sort_value(pair: tuple[Any, object]) -> Any:
    """Records missing the property sort last either way; the rest by their (typed) value."""
    return pair[0]
