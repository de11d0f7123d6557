"""The revenue contract as a typed schema: what marketing and sales signed, checked before use.

Every model forbids unknown keys and is frozen: a typo in the policy must fail loudly at start,
never silently score leads with a default. Cross-references (a list a rule names, a team a route
names) are checked by the loader, which can point at the exact line.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.vocabulary import CUSTOM_FIELD_PREFIX, FIT_FIELDS, ActivityKind

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


def _scalar(value: Any) -> Any:
    if isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"expected a string, number or boolean, got {value!r}")


# A plain validator instead of a union, so an error names the field, not four union branches.
Scalar = Annotated[Any, BeforeValidator(_scalar)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r} (expected an IANA name such as 'Europe/London')"
        ) from error
    return name


TimeZoneName = Annotated[str, BeforeValidator(_check_timezone)]


class PolicyInfo(Strict):
    name: str
    version: str
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


ListValues = Annotated[tuple[str, ...], BeforeValidator(_read_list)]

FIT_OPERATORS = ("equals", "in", "in_list", "between", "matches", "exists", "missing")


class FitRule(Strict):
    """One fact about who the lead is, worth positive or negative points."""

    label: str
    field: str
    points: int
    equals: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    in_list: str | None = None
    between: tuple[float, float] | None = None
    matches: str | None = None
    exists: Literal[True] | None = None
    missing: Literal[True] | None = None

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str) -> str:
        if name in FIT_FIELDS or (name.startswith(CUSTOM_FIELD_PREFIX) and len(name) > 7):
            return name
        hint = did_you_mean(name, FIT_FIELDS) or f" (expected one of: {', '.join(FIT_FIELDS)})"
        raise ValueError(f"unknown field {name!r}{hint}; custom.<property> reaches any other")

    @field_validator("between")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and bounds[0] > bounds[1]:
            raise ValueError(f"minimum {bounds[0]:g} is above maximum {bounds[1]:g}")
        return bounds

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"not a valid regular expression: {error}") from error
        return pattern

    @model_validator(mode="after")
    def _one_operator(self) -> Self:
        given = [name for name in FIT_OPERATORS if getattr(self, _attr(name)) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"give exactly one operator of {', '.join(FIT_OPERATORS)} (found: {found})")
        return self

    @property
    def operator(self) -> str:
        return next(name for name in FIT_OPERATORS if getattr(self, _attr(name)) is not None)


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


class Fit(Strict):
    rule: tuple[FitRule, ...] = ()


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


StrOrList = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]
KindOrList = Annotated[tuple[ActivityKind, ...], BeforeValidator(_as_tuple)]


class BehaviorRule(Strict):
    """One thing a lead did, worth points per occurrence, or once when done often enough."""

    label: str
    activity: KindOrList
    points: int
    url_contains: StrOrList | None = None
    form: StrOrList | None = None
    asset_contains: StrOrList | None = None
    campaign: StrOrList | None = None
    cap: Annotated[int, Field(gt=0)] | None = None
    at_least: Annotated[int, Field(ge=1)] | None = None
    within_days: Annotated[float, Field(gt=0)] | None = None
    high_intent: bool = False

    @field_validator("points")
    @classmethod
    def _non_zero(cls, points: int) -> int:
        if points == 0:
            raise ValueError("a rule worth 0 points does nothing; remove it or give it points")
        return points

    @model_validator(mode="after")
    def _frequency_pair(self) -> Self:
        if (self.at_least is None) != (self.within_days is None):
            raise ValueError("at_least and within_days go together ('at least N within D days')")
        if self.cap is not None and self.cap < abs(self.points):
            raise ValueError(f"cap {self.cap} is below the rule's own points {self.points}")
        return self


class Behavior(Strict):
    window_days: Annotated[float, Field(gt=0)] = 90
    half_life_days: Annotated[float, Field(gt=0)] | None = None
    cap: Annotated[int, Field(gt=0)] | None = None
    rule: tuple[BehaviorRule, ...] = ()


class MqlStage(Strict):
    fit_minimum: int
    score_minimum: int
    or_high_intent: bool = True


class SqlStage(Strict):
    requires: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    not_evidence: tuple[str, ...] = ("n/a", "na", "-", "--", "?", "tbd", "unknown", "none", "todo")

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
    label: str | None = None
    cooldown_days: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _cooldown_for_recycle(self) -> Self:
        if self.outcome == "disqualify" and self.cooldown_days is not None:
            raise ValueError("cooldown_days only applies to recycle reasons")
        return self


def _reason_shorthand(value: Any) -> Any:
    return {"outcome": value} if isinstance(value, str) else value


class Disqualification(Strict):
    recycle_cooldown_days: Annotated[float, Field(ge=0)] = 90
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


class Policy(Strict):
    policy: PolicyInfo
    lists: dict[Identifier, ListValues] = {}
    fit: Fit = Fit()
    behavior: Behavior = Behavior()
    stages: Stages
    disqualification: Disqualification


def did_you_mean(name: str, choices: tuple[str, ...] | list[str]) -> str:
    """A hint for a near miss, or nothing: 'feild' → "; did you mean 'field'?"."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
