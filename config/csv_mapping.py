"""How a CRM export maps to leads: the file `handoff backtest --csv FILE --mapping MAP.toml` reads.

An export is one row per lead with no history: the mapping says which column is the lead's id,
which columns are canonical contact fields (the names fit rules test), which columns become
activities (a count column such as "TotalVisits" becomes that many activities of a kind; a
categorical column such as "Last Activity" one activity for the value it holds), which column is
the outcome and which of its values mean yes. Exports are full of placeholders ("Select", blanks)
that mean "not filled in", listed in `not_filled`; and some columns are filled in by sales after
the outcome (tags, lead quality), listed in `never_use` so that no rule can learn from them.

A bad mapping is refused like a bad policy: every problem with its file, line and key.
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from handoff.config.loader import PolicyError, Problem, format_path
from handoff.config.policy import Text
from handoff.config.suggest import did_you_mean
from handoff.config.toml_positions import Path as FieldPath
from handoff.config.toml_positions import key_lines, line_of
from handoff.config.vocabulary import CUSTOM_FIELD_PREFIX, FIT_FIELDS, ActivityKind

# Fields a row can set: what fit rules test, less what is derived from another field.
MAPPED_FIELDS = tuple(name for name in FIT_FIELDS if name != "contact.email_domain")
DEFAULT_NOT_FILLED = ("select", "n/a", "na", "null", "none", "-", "--", "?", "unknown")
# A count above this is a typo or a bot, not that many visits: it is capped and reported.
DEFAULT_COUNT_CAP = 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActivityColumn(_Strict):
    """A column that becomes activities: `count_of` a kind, or one per value through `values`."""

    column: Text
    count_of: ActivityKind | None = None
    values: dict[Text, ActivityKind] | None = None
    attributes: dict[Text, Text] = Field(default_factory=dict)
    cap: Annotated[int, Field(strict=True, ge=1, le=10_000)] = DEFAULT_COUNT_CAP

    @model_validator(mode="after")
    def _one_way(self) -> ActivityColumn:
        if (self.count_of is None) == (self.values is None):
            raise ValueError("give exactly one of count_of (a count column) or values (a categorical column)")
        return self


class OutcomeColumn(_Strict):
    column: Text
    won: Annotated[tuple[Text, ...], Field(min_length=1)]


class CsvMapping(_Strict):
    id: Text
    fields: dict[str, Text] = Field(default_factory=dict)
    activities: tuple[ActivityColumn, ...] = ()
    outcome: OutcomeColumn
    not_filled: tuple[Text, ...] = DEFAULT_NOT_FILLED
    never_use: tuple[Text, ...] = ()
    # Excel on Windows writes cp1252; any codec Python knows.
    encoding: Text = "utf-8"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, name: str) -> str:
        try:
            codecs.lookup(name)
        except LookupError as error:
            raise ValueError(f"unknown encoding {name!r} (utf-8, cp1252, latin-1, ...)") from error
        return name

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, str]) -> dict[str, str]:
        for name in fields:
            if name not in MAPPED_FIELDS and not (
                name.startswith(CUSTOM_FIELD_PREFIX) and len(name) > len(CUSTOM_FIELD_PREFIX)
            ):
                hint = did_you_mean(name, MAPPED_FIELDS) or f" (expected one of: {', '.join(MAPPED_FIELDS)})"
                raise ValueError(f"unknown field {name!r}{hint}; custom.<name> holds any other")
        return fields

    @model_validator(mode="after")
    def _nothing_from_after_the_outcome(self) -> CsvMapping:
        banned = set(self.never_use)
        used = [self.id, *self.fields.values(), *(a.column for a in self.activities)]
        leaks = sorted({column for column in used if column in banned})
        if leaks:
            raise ValueError(
                f"{', '.join(repr(c) for c in leaks)} is listed in never_use (filled in after the outcome) "
                "and must not be mapped"
            )
        if self.outcome.column in used:
            raise ValueError(f"the outcome column {self.outcome.column!r} must not also be an input")
        return self

    def columns(self) -> list[tuple[FieldPath, str]]:
        """Every column the mapping names, with the key that names it."""
        named: list[tuple[FieldPath, str]] = [
            (("id",), self.id),
            (("outcome", "column"), self.outcome.column),
        ]
        named += [(("fields", name), column) for name, column in self.fields.items()]
        named += [(("activities", n, "column"), a.column) for n, a in enumerate(self.activities)]
        return named


@dataclass(frozen=True)
class LoadedMapping:
    """A mapping with where each key was written, to name the line of a column the CSV lacks."""

    mapping: CsvMapping
    file: str
    lines: dict[FieldPath, int]

    def problem(self, path: FieldPath, message: str) -> Problem:
        return Problem(self.file, line_of(self.lines, path), format_path(path), message)


def load_mapping(path: Path) -> LoadedMapping:
    """The mapping in `path`, or a `PolicyError` listing every problem with its line."""
    file = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError([Problem(file, None, "", f"cannot read the mapping: {error.strerror}")]) from error
    except UnicodeDecodeError as error:
        raise PolicyError([Problem(file, None, "", f"not UTF-8 text: {error.reason}")]) from error
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError([Problem(file, None, "", f"TOML syntax error: {error}")]) from error
    lines = key_lines(source)
    try:
        mapping = CsvMapping.model_validate(data)
    except ValidationError as error:
        raise PolicyError([_problem(file, lines, detail) for detail in error.errors()]) from error
    return LoadedMapping(mapping, file, lines)


def _problem(file: str, lines: dict[FieldPath, int], detail: ErrorDetails) -> Problem:
    path: FieldPath = tuple(part for part in detail["loc"] if part != "[key]")
    kind = detail["type"]
    if kind == "missing":
        message = "required key is missing"
    elif kind == "extra_forbidden":
        message = "unknown key"
    else:
        message = detail["msg"].removeprefix("Value error, ")
        value = detail.get("input")
        if kind != "value_error" and isinstance(value, str | int | float | bool):
            message += f" (got {value!r})"
    return Problem(file, line_of(lines, path), format_path(path), message)
