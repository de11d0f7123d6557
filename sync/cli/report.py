"""`handoff report`: funnel metrics from history, for people (table, html) and tools (json, csv)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal, cast
from zoneinfo import ZoneInfo

import click
from rich.console import Console

from handoff.lifecycle.funnel import Dimension
from handoff.sync.cli.context import runtime_or_exit
from handoff.sync.report import DEFAULT_WINDOW_DAYS, build_report
from handoff.sync.report.plain import csv_text, print_table, to_json

Format = Literal["table", "json", "csv", "html"]
DEFAULT_MONTHS = 6


class DateOrTime(click.ParamType[date | datetime]):
    """A day (YYYY-MM-DD, in the policy's time zone) or an ISO-8601 instant with its offset."""

    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date | datetime:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date such as 2026-11-01 (or an ISO-8601 time)", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no time zone; add Z or an offset such as +01:00", param, ctx)
        return parsed


@click.command("report")
@click.option("--since", type=DateOrTime(), help="First day of the MQL cohorts (default: six months back).")
@click.option("--until", type=DateOrTime(), help="Last day of the MQL cohorts, included (default: now).")
@click.option(
    "--by",
    type=click.Choice(["team", "rep", "source"]),
    help="Break the funnel and the SLA compliance down by team, rep or source.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
    help="A terminal table; JSON or CSV for other tools; one self-contained HTML page with charts.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--window",
    "window_days",
    type=click.FloatRange(min=1, max=3650),
    default=DEFAULT_WINDOW_DAYS,
    show_default=True,
    help="Conversion window: a stage counts when reached within this many days of MQL.",
)
def report_command(
    *,
    since: date | datetime | None,
    until: date | datetime | None,
    by: str | None,
    output_format: str,
    out: Path | None,
    window_days: float,
) -> None:
    """Funnel metrics of the MQLs of a period: conversion by cohort, time between stages, SAL
    acceptance, SLA compliance and first-touch times, rejection reasons, source performance,
    targets, and what they say (docs/reports.md)."""
    rt = runtime_or_exit(read_only=True)
    zone = ZoneInfo(rt.policy.policy.timezone)
    now = rt.clock()
    end = _instant(until, zone, end=True) if until is not None else now
    start = _instant(since, zone, end=False) if since is not None else _months_back(end, zone)
    if start >= end:
        raise click.UsageError(
            f"--since ({start:%Y-%m-%d %H:%M %Z}) must be before --until ({end:%Y-%m-%d %H:%M %Z})"
        )
    report = build_report(
        rt.store,
        rt.policy,
        now=now,
        since=start,
        until=end,
        window_days=window_days,
        by=cast(Dimension | None, by),
    )
    rt.close()
    kind = cast(Format, output_format)
    if kind == "table":
        if out is None:
            print_table(Console(), report)
        else:
            with out.open("w", encoding="utf-8") as file:
                print_table(Console(file=file, width=160, color_system=None), report)
    else:
        text = _render(kind, report)
        if out is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            out.write_text(text, encoding="utf-8")
    if out is not None:
        click.echo(f"handoff: wrote the {kind} report to {out}", err=True)


def _render(kind: Format, report: object) -> str:
    from handoff.sync.report import Report

    assert isinstance(report, Report)
    if kind == "json":
        return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    if kind == "csv":
        return csv_text(report)
    from handoff.sync.report.html import render_html

    return render_html(report)


def _instant(value: date | datetime, zone: ZoneInfo, *, end: bool) -> datetime:
    """A day is its midnight in the policy's time zone; the last day of a range is included."""
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(), tzinfo=zone)


def _months_back(end: datetime, zone: ZoneInfo) -> datetime:
    local = end.astimezone(zone)
    months = local.year * 12 + local.month - 1 - (DEFAULT_MONTHS - 1)
    return datetime(months // 12, months % 12 + 1, 1, tzinfo=zone)
