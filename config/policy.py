"""The revenue contract as a typed schema: what marketing and sales signed, checked before use.

Every model forbids unknown keys and is frozen: a typo in the policy must fail loudly at start,
never silently score leads with a default. Cross-references (a list a rule names, a team a route
names) are checked by the loader, which can point at the exact line.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from handoff.config.business_time import check_holiday_region, format_hours, parse_duration, parse_hours
from handoff.config.suggest import did_you_mean
from handoff.config.vocabulary import CUSTOM_FIELD_PREFIX, FIT_FIELDS, ActivityKind

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


def _printable(text: str) -> str:
    """Words a person reads (labels, names) or matches against: never empty, never a control
    character (a NUL cannot be stored in PostgreSQL, nor written to the CRM)."""
    if not text.strip():
        raise ValueError("empty; give a value or leave the key out")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in text):
        raise ValueError("holds a control character (such as NUL)")
    return text


Text = Annotated[str, Field(strict=True, max_length=500), AfterValidator(_printable)]
# A label is read in the CRM's one-line reason (255 characters in all).
Label = Annotated[str, Field(strict=True, max_length=120), AfterValidator(_printable)]
Flag = StrictBool
# Amounts a condition compares with (employees, revenue): beyond this, a typo that never matches.
MAX_AMOUNT = 1e15
Amount = Annotated[float, Field(strict=True, ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Days = Annotated[float, Field(strict=True, gt=0, le=3650)]


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        return _printable(value)
    if isinstance(value, int | float | bool):
        return value
    raise ValueError(f"expected a string, number or boolean, got {value!r}")


# A plain validator instead of a union, so an error names the field, not four union branches.
Scalar = Annotated[Any, BeforeValidator(_scalar)]


# Points a rule gives: a score is read in tens; ten thousand is a typo, not a weighting.
MAX_POINTS = 1000
Points = Annotated[int, Field(ge=-MAX_POINTS, le=MAX_POINTS, strict=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # OSError: a name too long for a path
        shown = name if len(name) <= 40 else name[:39] + "…"
        raise ValueError(
            f"unknown time zone {shown!r} (expected an IANA name such as 'Europe/London')"
        ) from error
    return name


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]


class PolicyInfo(Strict):
    name: Text
    version: Text
    timezone: TimeZoneName = "UTC"


def _read_list(value: Any, info: ValidationInfo) -> Any:
    """A list is inline values or `{ file = "..." }`, read relative to the policy's folder."""
    if not isinstance(value, dict):
        return value
    if set(value) != {"file"} or not isinstance(value["file"], str):
        raise ValueError('expected an array of strings or { file = "path" }')
    base = Path((info.context or {}).get("base_dir", "."))
    path = base / value["file"]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"cannot read list file {str(path)!r}: {error.strerror}") from error
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


ListValues = Annotated[tuple[Text, ...], BeforeValidator(_read_list)]

CONDITION_OPERATORS = (
    "equals",
    "in",
    "in_list",
    "between",
    "at_least",
    "at_most",
    "matches",
    "exists",
    "missing",
)


class Condition(Strict):
    """One test of a contact field, the same in fit rules and routing rules: exactly one operator."""

    equals: Scalar | None = None
    in_: Annotated[tuple[Scalar, ...], Field(min_length=1)] | None = Field(default=None, alias="in")
    in_list: Text | None = None
    between: tuple[Amount, Amount] | None = None
    at_least: Amount | None = None
    at_most: Amount | None = None
    matches: Text | None = None
    exists: Literal[True] | None = None
    missing: Literal[True] | None = None

    @field_validator("between")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        return _check_bounds(bounds)

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return _check_pattern(pattern)

    @model_validator(mode="after")
    def _one_operator(self) -> Self:
        given = [name for name in CONDITION_OPERATORS if getattr(self, _attr(name)) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"give exactly one operator of {', '.join(CONDITION_OPERATORS)} (found: {found})"
            )
        return self

    @property
    def operator(self) -> str:
        return next(name for name in CONDITION_OPERATORS if getattr(self, _attr(name)) is not None)

    @property
    def operand(self) -> Any:
        return getattr(self, _attr(self.operator))


class FitRule(Condition):
    """One fact about who the lead is, worth positive or negative points."""

    label: Label
    field: str
    points: Points

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str) -> str:
        return _check_field(name)

    @field_validator("points")
    @classmethod
    def _non_zero(cls, points: int) -> int:
        return _worth_something(points)


def _worth_something(points: int) -> int:
    if points == 0:
        raise ValueError("a rule worth 0 points does nothing; remove it or give it points")
    return points


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


def _check_field(name: str) -> str:
    if name in FIT_FIELDS or (name.startswith(CUSTOM_FIELD_PREFIX) and len(name) > len(CUSTOM_FIELD_PREFIX)):
        return name
    hint = did_you_mean(name, FIT_FIELDS) or f" (expected one of: {', '.join(FIT_FIELDS)})"
    raise ValueError(f"unknown field {name!r}{hint}; custom.<property> reaches any other")


def _check_bounds(bounds: tuple[float, float] | None) -> tuple[float, float] | None:
    if bounds is not None and bounds[0] > bounds[1]:
        raise ValueError(f"minimum {bounds[0]:g} is above maximum {bounds[1]:g}")
    return bounds


def _check_pattern(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from error
    return pattern


class Fit(Strict):
    rule: tuple[FitRule, ...] = ()


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


StrOrList = Annotated[tuple[Text, ...], BeforeValidator(_as_tuple), Field(min_length=1)]
KindOrList = Annotated[tuple[ActivityKind, ...], BeforeValidator(_as_tuple), Field(min_length=1)]
Kinds = Annotated[tuple[ActivityKind, ...], BeforeValidator(_as_tuple)]  # may be empty: none of them


class BehaviorRule(Strict):
    """One thing a lead did, worth points per occurrence, or once when done often enough."""

    label: Label
    activity: KindOrList
    points: Points
    url_contains: StrOrList | None = None
    form: StrOrList | None = None
    asset_contains: StrOrList | None = None
    campaign: StrOrList | None = None
    outcome: StrOrList | None = None
    cap: Annotated[int, Field(strict=True, gt=0, le=MAX_POINTS)] | None = None
    at_least: Annotated[int, Field(strict=True, ge=1, le=10_000)] | None = None
    within_days: Days | None = None
    high_intent: Flag = False

    @field_validator("points")
    @classmethod
    def _non_zero(cls, points: int) -> int:
        return _worth_something(points)

    @model_validator(mode="after")
    def _frequency_pair(self) -> Self:
        if (self.at_least is None) != (self.within_days is None):
            raise ValueError("at_least and within_days go together ('at least N within D days')")
        if self.cap is not None and self.cap < abs(self.points):
            raise ValueError(f"cap {self.cap} is below the rule's own points {self.points}")
        return self


class Behavior(Strict):
    window_days: Days = 90
    half_life_days: Days | None = None
    cap: Annotated[int, Field(strict=True, gt=0, le=MAX_POINTS)] | None = None
    rule: tuple[BehaviorRule, ...] = ()


class MqlStage(Strict):
    fit_minimum: Annotated[int, Field(strict=True)]
    score_minimum: Annotated[int, Field(strict=True)]
    or_high_intent: Flag = True


class SqlStage(Strict):
    requires: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    not_evidence: tuple[Text, ...] = ("n/a", "na", "-", "--", "?", "tbd", "unknown", "none", "todo")

    @field_validator("requires")
    @classmethod
    def _unique(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        duplicates = sorted({item for item in items if items.count(item) > 1})
        if duplicates:
            raise ValueError(f"listed more than once: {', '.join(duplicates)}")
        return items


class Stages(Strict):
    mql: MqlStage
    sql: SqlStage


class Reason(Strict):
    outcome: Literal["recycle", "disqualify"]
    label: Label | None = None
    cooldown_days: Annotated[float, Field(strict=True, ge=0, le=3650)] | None = None

    @model_validator(mode="after")
    def _cooldown_for_recycle(self) -> Self:
        if self.outcome == "disqualify" and self.cooldown_days is not None:
            raise ValueError("cooldown_days only applies to recycle reasons")
        return self


def _reason_shorthand(value: Any) -> Any:
    return {"outcome": value} if isinstance(value, str) else value


class Disqualification(Strict):
    recycle_cooldown_days: Annotated[float, Field(strict=True, ge=0, le=3650)] = 90
    reasons: dict[Identifier, Annotated[Reason, BeforeValidator(_reason_shorthand)]]

    @field_validator("reasons")
    @classmethod
    def _some(cls, reasons: dict[str, Reason]) -> dict[str, Reason]:
        if not reasons:
            raise ValueError("list at least one reason; a rejection must name one")
        return reasons

    def label(self, code: str) -> str:
        reason = self.reasons[code]
        return reason.label or code.replace("_", " ")

    def cooldown_days(self, code: str) -> float:
        reason = self.reasons[code]
        return reason.cooldown_days if reason.cooldown_days is not None else self.recycle_cooldown_days


# ---------------------------------------------------------------------------------------------
# Routing and SLA: who works a qualified lead, and by when.

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: Any) -> Any:
    if isinstance(value, str) and _EMAIL.match(value.strip()):
        return value.strip().lower()
    raise ValueError(f"{value!r} is not an email address")


Email = Annotated[str, BeforeValidator(_email)]


def _hours(value: Any) -> Any:
    """Working hours are kept in their canonical text, so summaries and errors read the same."""
    if not isinstance(value, str | list | tuple) or not all(isinstance(part, str) for part in value):
        raise ValueError("expected working hours such as 'Mon-Fri 09:00-17:00' (or an array of them)")
    return format_hours(parse_hours(value))


Hours = Annotated[str, BeforeValidator(_hours)]
HolidayRegion = Annotated[str, AfterValidator(check_holiday_region)]
HolidayRegions = Annotated[tuple[HolidayRegion, ...], BeforeValidator(_as_tuple)]
# Minutes of business time, written as "4h", "15m" or "1h30m".
Duration = Annotated[int, BeforeValidator(parse_duration)]
DEFAULT_HOURS = "Mon-Fri 09:00-17:00"


def _conditions(value: Any) -> Any:
    """`{ company.country = ["GB"] }` and `{ "company.country" = ["GB"] }` mean the same test.

    TOML turns a dotted key into nested tables; flatten them back into field paths. A bare value
    is `equals`, an array is `in`, a table names its operator.
    """
    if not isinstance(value, dict):
        return value
    flat: dict[str, Any] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for key, item in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(item, dict) and item and not set(item) & _OPERATOR_KEYS:
                walk(name, item)
            elif isinstance(item, list):
                flat[name] = {"in": item}
            elif isinstance(item, dict):
                flat[name] = item
            else:
                flat[name] = {"equals": item}

    walk("", value)
    return flat


_OPERATOR_KEYS = frozenset(CONDITION_OPERATORS)
FieldName = Annotated[str, AfterValidator(_check_field)]


class RoutingRule(Strict):
    """Leads matching every test of `when` go to `team`; the first matching rule wins."""

    label: Label
    when: Annotated[dict[FieldName, Condition], BeforeValidator(_conditions), Field(min_length=1)]
    team: Identifier


class Member(Strict):
    """A rep of a team. Their calendar is the team's unless they set their own."""

    email: Email
    weight: Annotated[int, Field(strict=True, ge=0, le=1000)] = 1
    daily_capacity: Annotated[int, Field(strict=True, ge=1, le=10_000)] | None = None
    timezone: TimeZoneName | None = None
    hours: Hours | None = None
    holidays: HolidayRegions | None = None


class Team(Strict):
    name: Text | None = None
    timezone: TimeZoneName
    hours: Hours = DEFAULT_HOURS
    holidays: HolidayRegions = ()
    members: Annotated[tuple[Member, ...], Field(min_length=1)]
    fallback: Annotated[tuple[Identifier, ...], BeforeValidator(_as_tuple)] = ()
    queue: Text | None = None
    manager: Email | None = None

    def label(self, team_id: str) -> str:
        return self.name or team_id


class Routing(Strict):
    default_team: Identifier
    account_match: Flag = True
    queue: Text | None = None
    rule: tuple[RoutingRule, ...] = ()
    teams: Annotated[dict[Identifier, Team], Field(min_length=1)]


def _default_inquiries() -> tuple[ActivityKind, ...]:
    """Direct inquiries: the lead asked to be contacted, so the shorter first-touch time applies."""
    return (ActivityKind.DEMO_REQUEST, ActivityKind.CONTACT_REQUEST)


class FollowUp(Strict):
    """Sales's side of the contract: at least `touches` calls, emails or meetings by the owner
    within `within` of business time from MQL (the playbooks' "6 touches in 10 business days")."""

    touches: Annotated[int, Field(strict=True, ge=1, le=50)]
    within: Duration


class Sla(Strict):
    """SLA durations, in minutes of business time on the owning team's calendar.

    The calendar keys here only serve a policy without [routing], which has no team calendars.
    """

    first_touch: Duration
    first_touch_inquiry: Duration | None = None
    inquiry_activities: Kinds = Field(default_factory=_default_inquiries)
    accept_within: Duration | None = None
    discovery_within: Duration | None = None
    follow_up: FollowUp | None = None
    due_soon: Duration = 60
    escalate_after: Duration | None = None
    max_escalations: Annotated[int, Field(strict=True, ge=0, le=20)] = 2
    timezone: TimeZoneName | None = None
    hours: Hours = DEFAULT_HOURS
    holidays: HolidayRegions = ()


# ---------------------------------------------------------------------------------------------
# Targets: what marketing committed to, which `handoff report` measures the funnel against.

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    if not _MONTH.match(value):
        raise ValueError(f"{value!r} is not a month; write it as YYYY-MM, such as 2026-12")
    return value


Month = Annotated[str, AfterValidator(_month)]
MqlVolume = Annotated[int, Field(strict=True, ge=0, le=10_000_000)]


class Targets(Strict):
    """Marketing's committed MQL volume per month (`months` overrides single months, "2026-12"),
    shown by the report beside the quality of those MQLs (MQL→SQL within the window)."""

    mql_per_month: MqlVolume
    months: dict[Month, MqlVolume] = {}

    def mql_target(self, month: str) -> int:
        return self.months.get(month, self.mql_per_month)


class Policy(Strict):
    policy: PolicyInfo
    lists: dict[Identifier, ListValues] = {}
    fit: Fit = Fit()
    behavior: Behavior = Behavior()
    stages: Stages
    disqualification: Disqualification
    routing: Routing | None = None
    sla: Sla | None = None
    targets: Targets | None = None
