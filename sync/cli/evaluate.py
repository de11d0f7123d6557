"""`handoff evaluate`: the pure engine offline, JSON lines in and out."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO, TypeVar

import click

from handoff.config.policy import Policy
from handoff.lifecycle.codec import InvalidRecord, RosterInput, decision_to_dict, parse_lead, parse_roster
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_state import RoutingState
from handoff.sync.cli.options import IsoTime, load_policy_or_exit, policy_option
from handoff.sync.decide import engine_failure
from handoff.sync.runtime import system_clock

T = TypeVar("T")


class JsonFile(click.ParamType[T]):
    """A JSON file read at parse time, so a bad one is a usage error naming the file and the field."""

    def __init__(self, name: str, parse: Callable[[str], T]) -> None:
        self.name = name
        self.parse = parse

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> T:
        path = Path(str(value))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            self.fail(f"{path}: cannot read: {error.strerror}", param, ctx)
        try:
            return self.parse(text)
        except ValueError as error:
            self.fail(f"{path}: {error}", param, ctx)


@click.command("evaluate", params=[policy_option()])
@click.option("--now", type=IsoTime(), help="Evaluate as of this instant (default: the current time).")
@click.option(
    "--owners",
    "roster",
    type=JsonFile("OWNERS.json", parse_roster),
    help='Route and run SLA clocks with these CRM owners: {"owners": [...], "account_owners": {...}}.',
)
@click.option(
    "--routing-state",
    "state",
    type=JsonFile("STATE.json", RoutingState.from_json),
    help="Start round robin from this routing state (needs --owners; default: empty).",
)
@click.option(
    "--save-routing-state",
    "save_state",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the routing state after the last lead to this file (needs --owners).",
)
def evaluate_command(
    policy_path: Path,
    now: datetime | None,
    roster: RosterInput | None,
    state: RoutingState | None,
    save_state: Path | None,
) -> None:
    """Evaluate leads offline: JSON lines in on stdin, one decision per line out.

    Each input line is {"contact": {...}, "activities": [...]} (docs/formats.md). A bad line is
    reported on stderr with its line number; the others are still evaluated, and the exit code
    is 1 when any line failed. With --owners, leads are routed and their SLA clocks run, in input
    order, each assignment moving the routing state on for the next line.
    """
    if roster is None and (state is not None or save_state is not None):
        raise click.UsageError("--routing-state and --save-routing-state need --owners")
    loaded = load_policy_or_exit(policy_path)
    context = roster.context(state) if roster is not None else None
    # Bytes that are not UTF-8 fail their own line (below), not the whole read.
    source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    failed, context = run_evaluate(
        source, sys.stdout, sys.stderr, loaded, now or system_clock(), routing=context
    )
    if save_state is not None and context is not None:
        save_state.write_text(context.state.to_json() + "\n", encoding="utf-8")
    if failed:
        raise SystemExit(1)


def run_evaluate(
    source: TextIO,
    out: TextIO,
    err: TextIO,
    loaded: Policy,
    now: datetime,
    *,
    routing: RoutingContext | None = None,
) -> tuple[int, RoutingContext | None]:
    """Evaluate every line of `source`; return how many lines failed and the routing context after.

    Whatever a line holds, it fails alone: it is reported on `err` with its number and why (never
    its values), and the summary is always the last line on `err`."""
    failed = total = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        total += 1
        try:
            decision = _evaluate_line(line, loaded, now, routing)
            text = json.dumps(decision_to_dict(decision), ensure_ascii=False)
            text.encode("utf-8")
        except UnicodeError:
            failed += 1
            err.write(f"line {number}: the line holds text that is not valid Unicode\n")
            continue
        except InvalidRecord as error:
            failed += 1
            err.write(f"line {number}: {error}\n")
            continue
        except (Exception, RecursionError) as error:
            failed += 1
            err.write(f"line {number}: {engine_failure(error)}\n")
            continue
        if routing is not None:
            routing = routing.after(decision)
        out.write(text + "\n")
    err.write(f"{total - failed} of {total} lines evaluated, {failed} failed\n")
    return failed, routing


def _evaluate_line(line: str, loaded: Policy, now: datetime, routing: RoutingContext | None) -> Decision:
    if _SURROGATE.search(line):
        raise InvalidRecord("the line holds bytes that are not UTF-8")
    lead = parse_lead(line)
    return evaluate(lead.contact, lead.activities, loaded, now, routing=routing)


_SURROGATE = re.compile("[\ud800-\udfff]")
