"""Load a policy file, or refuse it with every problem named by file, line and field.

A revenue contract is edited by people who are not engineers. When it is wrong, the message has
to say where (`policy.toml:14`), what (`fit.rule[2].between`) and what was expected, and it has
to say all of it at once rather than one error per attempt.
"""

from __future__ import annotations

import re
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from handoff.config.business_time import format_duration
from handoff.config.policy import Policy, Routing, Sla
from handoff.config.suggest import did_you_mean
from handoff.config.toml_positions import key_lines, line_of

SHIPPED_DIR = Path(__file__).resolve().parent
DEFAULT_POLICY_PATH = SHIPPED_DIR / "policy.toml"
SHIPPED_LISTS_DIR = SHIPPED_DIR / "lists"

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy, located as precisely as the file allows."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PolicyError(ValueError):
    """A policy that must not be used; `problems` lists everything found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line or 0, p.field)))
        super().__init__("\n".join(str(problem) for problem in self.problems))


def load_policy(path: str | Path = DEFAULT_POLICY_PATH) -> Policy:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(
            [Problem(str(path), None, "", f"cannot read the policy: {error.strerror}")]
        ) from error
    except UnicodeDecodeError as error:
        raise PolicyError([Problem(str(path), None, "", f"not UTF-8 text: {error.reason}")]) from error
    return parse_policy(source, file=str(path), base_dir=path.parent)


def parse_policy(source: str, *, file: str = "<policy>", base_dir: Path = Path(".")) -> Policy:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError([_syntax_problem(file, error)]) from error
    lines = key_lines(source)
    _add_shipped_lists(data)
    try:
        policy = Policy.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as error:
        raise PolicyError([_problem(file, lines, detail) for detail in error.errors()]) from error
    problems = [
        Problem(file, line_of(lines, path), format_path(path), message)
        for path, message in _broken_references(policy)
    ]
    if problems:
        raise PolicyError(problems)
    return policy


def format_path(path: FieldPath) -> str:
    """`("fit", "rule", 2, "between")` → `fit.rule[2].between`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _syntax_problem(file: str, error: tomllib.TOMLDecodeError) -> Problem:
    message = str(error)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(match.group(1)) if match else None
    message = message[: match.start()].strip() if match else message
    return Problem(file, line, "", f"TOML syntax error: {message}")


def _add_shipped_lists(data: dict[str, Any]) -> None:
    """Shipped lists are available by name; a policy may override one with its own values."""
    lists = data.setdefault("lists", {})
    if not isinstance(lists, dict):
        return
    for path in SHIPPED_LISTS_DIR.glob("*.txt"):
        lists.setdefault(path.stem, {"file": str(path)})


def _problem(file: str, lines: dict[FieldPath, int], detail: ErrorDetails) -> Problem:
    # pydantic marks an invalid dict key with a trailing "[key]"; the key itself is the field.
    path: FieldPath = tuple(part for part in detail["loc"] if part != "[key]")
    return Problem(file, line_of(lines, path), format_path(path), _message(path, detail))


def _message(path: FieldPath, detail: ErrorDetails) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        hint = did_you_mean(str(path[-1]), allowed)
        return f"unknown key{hint}" if hint else f"unknown key (expected one of: {', '.join(allowed)})"
    message = detail["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        message = "not a valid name: use lowercase letters, digits and _"
    value = detail.get("input")
    if kind != "value_error" and isinstance(value, str | int | float | bool):
        message += f" (got {value!r})"
    return message


def _allowed_keys(path: FieldPath) -> list[str]:
    model = _type_at(Policy, path)
    if isinstance(model, type) and issubclass(model, BaseModel):
        # A model's own keys first (a fit rule's label, field, points), then the ones it inherits.
        own = set(vars(model).get("__annotations__", {}))
        fields = sorted(model.model_fields.items(), key=lambda item: item[0] not in own)
        return [field.alias or name for name, field in fields]
    return []


def _type_at(annotation: Any, path: FieldPath) -> Any:
    """Follow the schema's type annotations down a path, to find the model a key belongs to."""
    current = _strip(annotation)
    for part in path:
        origin = get_origin(current)
        if origin is tuple and isinstance(part, int):
            current = _strip(get_args(current)[0])
        elif origin is dict:
            current = _strip(get_args(current)[1])
        elif isinstance(current, type) and issubclass(current, BaseModel):
            fields = {field.alias or name: field for name, field in current.model_fields.items()}
            if part not in fields:
                return None
            current = _strip(fields[str(part)].annotation)
        else:
            return None
    return current


def _strip(annotation: Any) -> Any:
    """Unwrap `Annotated[X, ...]` and `X | None` to `X`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _broken_references(policy: Policy) -> list[tuple[FieldPath, str]]:
    problems: list[tuple[FieldPath, str]] = []
    for index, rule in enumerate(policy.fit.rule):
        if rule.in_list is not None and rule.in_list not in policy.lists:
            problems.append((("fit", "rule", index, "in_list"), _unknown_list(policy, rule.in_list)))
    if policy.routing is not None:
        problems += _broken_routing(policy, policy.routing)
    problems += _unreachable_thresholds(policy)
    if policy.sla is not None:
        problems += _clashing_durations(policy.sla)
    return problems


def _unreachable_thresholds(policy: Policy) -> list[tuple[FieldPath, str]]:
    """An MQL bar no lead can clear (given every rule's points and caps) makes no MQL, ever."""
    best_fit = sum(rule.points for rule in policy.fit.rule if rule.points > 0)
    unbounded = any(rule.points > 0 and rule.cap is None for rule in policy.behavior.rule)
    best_behavior = sum(rule.cap or rule.points for rule in policy.behavior.rule if rule.points > 0)
    mql = policy.stages.mql
    problems: list[tuple[FieldPath, str]] = []
    if mql.fit_minimum > best_fit:
        problems.append(
            (
                ("stages", "mql", "fit_minimum"),
                f"{mql.fit_minimum} cannot be reached: the fit rules give {best_fit} points at most",
            )
        )
    if not unbounded and not mql.or_high_intent and mql.score_minimum > best_fit + best_behavior:
        problems.append(
            (
                ("stages", "mql", "score_minimum"),
                f"{mql.score_minimum} cannot be reached: fit and behaviour rules give "
                f"{best_fit + best_behavior} points at most",
            )
        )
    return problems


def _clashing_durations(sla: Sla) -> list[tuple[FieldPath, str]]:
    """An escalation after the clock it guards has run out escalates nothing in time; a `due_soon`
    as long as a clock makes it due soon from the start."""
    clocks = {
        "first_touch": sla.first_touch,
        "first_touch_inquiry": sla.first_touch_inquiry,
        "accept_within": sla.accept_within,
        "discovery_within": sla.discovery_within,
    }
    length = {name: format_duration(minutes) for name, minutes in clocks.items() if minutes is not None}
    problems: list[tuple[FieldPath, str]] = [
        (
            ("sla", "due_soon"),
            f"{format_duration(sla.due_soon)} is not shorter than sla.{name} ({length[name]})",
        )
        for name, minutes in clocks.items()
        if minutes is not None and sla.due_soon >= minutes
    ]
    escalate = sla.escalate_after
    problems += [
        (
            ("sla", "escalate_after"),
            f"{format_duration(escalate)} is not shorter than sla.{name} ({length[name]}), "
            "the clock it escalates",
        )
        for name in ("accept_within", "first_touch")
        if escalate is not None and (minutes := clocks[name]) is not None and escalate >= minutes
    ]
    return problems


def _unknown_list(policy: Policy, name: str) -> str:
    names = sorted(policy.lists)
    hint = did_you_mean(name, names) or f" (known lists: {', '.join(names)})"
    return f"no list named {name!r}{hint}"


def _broken_routing(policy: Policy, routing: Routing) -> list[tuple[FieldPath, str]]:
    """Every team a rule or a fallback names exists, a rep sits in one team, every chain ends."""
    problems: list[tuple[FieldPath, str]] = []
    teams = sorted(routing.teams)

    def unknown_team(name: str) -> str:
        hint = did_you_mean(name, teams) or f" (known teams: {', '.join(teams)})"
        return f"no team named {name!r}{hint}"

    if routing.default_team not in routing.teams:
        problems.append((("routing", "default_team"), unknown_team(routing.default_team)))
    for index, rule in enumerate(routing.rule):
        if rule.team not in routing.teams:
            problems.append((("routing", "rule", index, "team"), unknown_team(rule.team)))
        for field, condition in rule.when.items():
            if condition.in_list is not None and condition.in_list not in policy.lists:
                path: FieldPath = ("routing", "rule", index, "when", field, "in_list")
                problems.append((path, _unknown_list(policy, condition.in_list)))
    seats: dict[str, str] = {}
    for team_id, team in routing.teams.items():
        where: FieldPath = ("routing", "teams", team_id)
        for index, other in enumerate(team.fallback):
            if other == team_id:
                problems.append(((*where, "fallback", index), "a team cannot fall back to itself"))
            elif other not in routing.teams:
                problems.append(((*where, "fallback", index), unknown_team(other)))
        for index, member in enumerate(team.members):
            seat = seats.setdefault(member.email, team_id)
            if seat != team_id or [m.email for m in team.members].index(member.email) != index:
                problems.append(
                    (
                        (*where, "members", index, "email"),
                        f"{member.email} is already a member of team {seat!r}; a rep sits in one team",
                    )
                )
        if team.members and not any(member.weight > 0 for member in team.members):
            problems.append(((*where, "members"), "every member has weight 0: the team can receive no lead"))
        if team.queue is None and team.manager is None and routing.queue is None:
            problems.append(
                (
                    where,
                    "no queue or manager receives the leads nobody can take: "
                    "set queue or manager here, or routing.queue for every team",
                )
            )
    return problems
