"""The report as a terminal table (rich), as JSON and as one CSV.

JSON and CSV carry the same numbers: counts as integers, rates as fractions rounded to four
places (0.4286), hours as hours, revenue as the deals' currency amounts. The CSV is long and
narrow, one value a row (`section, group, subgroup, metric, value`), so any tool can pivot it;
docs/reports.md lists the sections.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from handoff.lifecycle.funnel import STEPS, Cohort, FunnelReport, Segment, SlaRow, Step
from handoff.sync.report import Report

STEP_LABELS = {
    Step.MQL: "MQL",
    Step.SAL: "SAL",
    Step.SQL: "SQL",
    Step.OPPORTUNITY: "Opportunity",
    Step.WON: "Won",
}
CSV_COLUMNS = ("section", "group", "subgroup", "metric", "value")


def rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 48:
        return f"{value / 24:.1f} d"
    return f"{value:.1f} h"


def money(value: float) -> str:
    return f"{value:,.0f}"


def period(funnel: FunnelReport) -> str:
    """The cohorts' range in the report's time zone: days when it starts and ends at midnight."""
    zone = ZoneInfo(funnel.timezone)
    since, until = funnel.since.astimezone(zone), funnel.until.astimezone(zone)
    start = f"{since:%Y-%m-%d}" if since.time() == time() else f"{since:%Y-%m-%d %H:%M}"
    if until.time() == time():
        end = f"through {until - timedelta(days=1):%Y-%m-%d}"
    else:
        end = f"until {until:%Y-%m-%d %H:%M}"
    return f"MQLs from {start} {end} ({funnel.timezone})"


# ---------------------------------------------------------------------------------------------
# JSON


def to_json(report: Report) -> dict[str, Any]:
    funnel = report.funnel
    return {
        "title": report.title,
        "period": {
            "since": funnel.since.isoformat(),
            "until": funnel.until.isoformat(),
            "now": funnel.now.isoformat(),
            "window_days": funnel.window_days,
            "timezone": funnel.timezone,
            "leads": funnel.leads,
            "revenue": funnel.revenue,
        },
        "health": [{"level": check.level, "text": check.text} for check in report.checks],
        "total": _cohort(funnel.total),
        "cohorts": [_cohort(cohort) for cohort in funnel.cohorts],
        "stage_times": [
            {
                "from": wait.from_step.value,
                "to": wait.to_step.value,
                "count": wait.count,
                "median_hours": wait.median_hours,
                "p90_hours": wait.p90_hours,
            }
            for wait in funnel.stage_times
        ],
        "acceptance": {
            "accepted": funnel.acceptance.accepted,
            "rejected": funnel.acceptance.rejected,
            "pending": funnel.acceptance.pending,
            "rate": rate(funnel.acceptance.rate),
        },
        "sla": [_sla(row, report) for row in funnel.sla],
        "first_touch": [{"bucket": label, "count": count} for label, count in funnel.first_touch_buckets],
        "reasons": [
            {
                "code": reason.code,
                "label": report.reason_label(reason.code),
                "outcome": reason.outcome,
                "count": reason.count,
                "share": rate(reason.share),
            }
            for reason in funnel.reasons
        ],
        "sources": [_segment(s) for s in funnel.sources],
        "campaigns": [_segment(s) for s in funnel.campaigns],
        "triggers": [_segment(s) for s in funnel.triggers],
        "segments": {"by": funnel.by, "rows": [_segment(s) for s in funnel.segments]},
        "rule_lift": [
            {"rule": r.rule, "won": r.won, "disqualified": r.disqualified, "lift": r.lift}
            for r in funnel.rule_lift
        ],
    }


def _cohort(cohort: Cohort) -> dict[str, Any]:
    return {
        "month": cohort.month,
        "mqls": cohort.mqls,
        "target": cohort.target,
        "of_target": rate(cohort.of_target),
        "mature": cohort.mature,
        "reached": {step.value: cohort.reached.of(step) for step in STEPS},
        "strict": {step.value: cohort.strict.of(step) for step in STEPS},
        "conversion": {step.value: rate(cohort.reached.rate(step)) for step in STEPS[1:]},
        "strict_conversion": {step.value: rate(cohort.strict.rate(step)) for step in STEPS[1:]},
    }


def _sla(row: SlaRow, report: Report) -> dict[str, Any]:
    return {
        "clock": row.clock,
        "team": row.team,
        "rep": row.rep,
        "on_time": row.on_time,
        "late": row.late,
        "breached": row.breached,
        "open": row.open,
        "compliance": rate(row.compliance),
        "median_hours": row.median_hours,
        "p90_hours": row.p90_hours,
    }


def _segment(segment: Segment) -> dict[str, Any]:
    return {
        "dimension": segment.dimension,
        "value": segment.value,
        **{step.value: segment.reached.of(step) for step in STEPS},
        "revenue": segment.revenue,
        "mql_to_sql": rate(segment.mql_to_sql),
        "win_rate": rate(segment.win_rate),
        "acceptance": rate(segment.acceptance.rate),
        "first_touch_compliance": rate(segment.first_touch.compliance),
    }


# ---------------------------------------------------------------------------------------------
# CSV


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


def csv_rows(report: Report) -> Iterator[tuple[Any, ...]]:
    data = to_json(report)
    for metric, value in data["period"].items():
        yield ("period", "", "", metric, value)
    for check in data["health"]:
        yield ("health", check["level"], "", "text", check["text"])
    for cohort in (*data["cohorts"], data["total"]):
        month = cohort["month"]
        for metric in ("mqls", "target", "of_target", "mature"):
            yield ("cohort", month, "", metric, cohort[metric])
        for kind in ("reached", "strict", "conversion", "strict_conversion"):
            for step, value in cohort[kind].items():
                yield ("cohort", month, kind, step, value)
    for wait in data["stage_times"]:
        for metric in ("count", "median_hours", "p90_hours"):
            yield ("stage_time", f"{wait['from']}→{wait['to']}", "", metric, wait[metric])
    for metric, value in data["acceptance"].items():
        yield ("acceptance", "", "", metric, value)
    for row in data["sla"]:
        who = f"team:{row['team']}" if row["team"] else (f"rep:{row['rep']}" if row["rep"] else "all")
        for metric in ("on_time", "late", "breached", "open", "compliance", "median_hours", "p90_hours"):
            yield ("sla", row["clock"], who, metric, row[metric])
    for bucket in data["first_touch"]:
        yield ("first_touch", bucket["bucket"], "", "count", bucket["count"])
    for reason in data["reasons"]:
        for metric in ("count", "share"):
            yield ("reason", reason["code"], reason["outcome"], metric, reason[metric])
    for section in ("sources", "campaigns", "triggers"):
        for segment in data[section]:
            yield from _segment_rows(section.removesuffix("s"), segment)
    for segment in data["segments"]["rows"]:
        yield from _segment_rows(f"by_{segment['dimension']}", segment)
    for lift in data["rule_lift"]:
        for metric in ("won", "disqualified", "lift"):
            yield ("rule_lift", lift["rule"], "", metric, lift[metric])


def _segment_rows(section: str, segment: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for metric, value in segment.items():
        if metric not in ("dimension", "value"):
            yield (section, segment["value"], "", metric, value)


# ---------------------------------------------------------------------------------------------
# The terminal


def print_table(console: Console, report: Report) -> None:
    funnel = report.funnel
    console.print(
        f"[bold]{report.title}[/bold] — {period(funnel)}, as of {funnel.now:%Y-%m-%d %H:%M} UTC · "
        f"{funnel.leads} leads · conversion within {funnel.window_days:g} days of MQL · "
        f"revenue {money(funnel.revenue)}"
    )
    for check in report.checks:
        mark = "[green]✓[/green]" if check.level == "ok" else "[yellow]![/yellow]"
        console.print(f" {mark} {check.text}")
    console.print(_cohort_table(report))
    console.print(_stage_times_table(report))
    acceptance = funnel.acceptance
    console.print(
        f"SAL acceptance: {pct(acceptance.rate)} — {acceptance.accepted} accepted, "
        f"{acceptance.rejected} rejected, {acceptance.pending} waiting"
    )
    console.print(_sla_table(report))
    buckets = Table("First touch", "MQLs", title="First-touch time", title_justify="left")
    for label, count in funnel.first_touch_buckets:
        buckets.add_row(label, str(count))
    console.print(buckets)
    reasons = Table(
        "Reason", "Outcome", "Rejections", "Share", title="Rejection reasons", title_justify="left"
    )
    for reason in funnel.reasons:
        reasons.add_row(
            report.reason_label(reason.code), reason.outcome, str(reason.count), pct(reason.share)
        )
    console.print(reasons)
    for title, segments in (
        ("Original source", funnel.sources),
        ("Campaign", funnel.campaigns),
        ("What made them MQL", funnel.triggers),
    ):
        console.print(_segment_table(title, segments, report))
    if funnel.by is not None:
        console.print(_segment_table(f"By {funnel.by}", funnel.segments, report))
    if funnel.rule_lift:
        console.print(_lift_table(report))


def lift_rows(report: Report) -> list[list[str]]:
    """The rebuild analysis as rows: rule, MQLs later won and disqualified it fired for, lift."""
    return [
        [r.rule, str(r.won), str(r.disqualified), "-" if r.lift is None else f"{r.lift:.2f}x"]
        for r in report.funnel.rule_lift
    ]


LIFT_TITLE = "Rules at MQL time: later won against later disqualified"
LIFT_HEADERS = ("Rule", "Won", "Disqualified", "Lift")


def _lift_table(report: Report) -> Table:
    table = Table(*LIFT_HEADERS, title=LIFT_TITLE, title_justify="left")
    for row in lift_rows(report):
        table.add_row(*row)
    return table


def _cohort_table(report: Report) -> Table:
    funnel = report.funnel
    table = Table(
        "Cohort",
        "MQLs",
        "Target",
        *(STEP_LABELS[step] for step in STEPS[1:]),
        "MQL→SQL",
        "Strict MQL→SQL",
        "MQL→Won",
        title=f"Conversion by cohort (reached within {funnel.window_days:g} days of MQL)",
        title_justify="left",
    )
    for cohort in (*funnel.cohorts, funnel.total):
        target = "—" if cohort.target is None else f"{cohort.target} ({pct(cohort.of_target)})"
        month = cohort.month if cohort.mature or cohort.month == "all" else f"{cohort.month} (open)"
        table.add_row(
            "All" if cohort.month == "all" else month,
            str(cohort.mqls),
            target,
            *(f"{cohort.reached.of(step)} / {cohort.strict.of(step)}" for step in STEPS[1:]),
            pct(cohort.mql_to_sql),
            pct(cohort.strict.rate(Step.SQL)),
            pct(cohort.reached.rate(Step.WON)),
        )
    table.caption = "stage columns: ever reached / strict (through every stage in order)"
    return table


def _stage_times_table(report: Report) -> Table:
    table = Table("From", "To", "Leads", "Median", "p90", title="Time between stages", title_justify="left")
    for wait in report.funnel.stage_times:
        table.add_row(
            STEP_LABELS[wait.from_step],
            STEP_LABELS[wait.to_step],
            str(wait.count),
            hours(wait.median_hours),
            hours(wait.p90_hours),
        )
    return table


def _sla_table(report: Report) -> Table:
    funnel = report.funnel
    table = Table(
        "Clock",
        "Team",
        "Rep",
        "On time",
        "Late",
        "Breached",
        "Open",
        "Compliance",
        "Median",
        "p90",
        title="SLA compliance (late and breached count against it)",
        title_justify="left",
    )
    for row in funnel.sla:
        if row.team is not None and funnel.by != "team":
            continue
        if row.rep is not None and funnel.by != "rep":
            continue
        table.add_row(
            row.clock,
            report.team_name(row.team) if row.team else ("" if row.rep else "all"),
            row.rep or "",
            str(row.on_time),
            str(row.late),
            str(row.breached),
            str(row.open),
            pct(row.compliance),
            hours(row.median_hours),
            hours(row.p90_hours),
        )
    return table


def _segment_table(title: str, segments: tuple[Segment, ...], report: Report) -> Table:
    table = Table(
        title.removeprefix("By "),
        "MQLs",
        "SQLs",
        "Opps",
        "Won",
        "Revenue",
        "MQL→SQL",
        "Win rate",
        "Accepted",
        "First touch in SLA",
        title=f"{title} (reached by now)",
        title_justify="left",
    )
    for segment in segments:
        value = report.team_name(segment.value) if segment.dimension == "team" else segment.value
        table.add_row(
            value,
            str(segment.reached.mql),
            str(segment.reached.sql),
            str(segment.reached.opportunity),
            str(segment.reached.won),
            money(segment.revenue),
            pct(segment.mql_to_sql),
            pct(segment.win_rate),
            pct(segment.acceptance.rate),
            pct(segment.first_touch.compliance),
        )
    return table
