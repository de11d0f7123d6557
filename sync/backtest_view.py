"""A backtest as people and tools read it: a terminal table, JSON, CSV.

Every format carries the same figures; the reclassified leads are given in full in JSON and CSV
and as a sample on the terminal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.table import Table

from handoff.lifecycle.backtest import Reclassified, Side
from handoff.lifecycle.decision import Reason
from handoff.sync.backtest import BacktestRun

REASON_LIMIT = 3

# How a figure reads on the terminal: a count, a share, money, a ratio.
SHOWN = {
    "count": "{:,}",
    "share": "{:.1%}",
    "money": "{:,.0f}",
    "ratio": "{:.2f}x",
}

# The figures of one policy, in the order they are shown: (key, label, kind, value of a side).
FIGURES: tuple[tuple[str, str, str, Any], ...] = (
    ("mql", "leads made MQL", "count", lambda s: s.mql),
    ("sql", "of them SQL within 30 days", "count", lambda s: s.sql),
    ("mql_to_sql", "MQL -> SQL", "share", lambda s: s.mql_to_sql),
    ("opportunities", "of them opportunities", "count", lambda s: s.opportunities),
    ("won", "of them won", "count", lambda s: s.won),
    ("mql_to_won", "MQL -> won", "share", lambda s: s.mql_to_won),
    ("revenue", "revenue won", "money", lambda s: s.revenue),
    ("precision", "precision (won among MQLs)", "share", lambda s: s.precision),
    ("recall", "recall (MQLs among won leads)", "share", lambda s: s.recall),
    ("lift", "lift over the base rate", "ratio", lambda s: s.lift),
)


def as_json(run: BacktestRun, notes: list[str] | None = None) -> dict[str, Any]:
    """`notes`: what reading the input met (an export's skipped rows), in words."""
    result = run.result
    timing = result.won_timing
    return {
        "window": {"start": result.start.isoformat(), "end": result.end.isoformat()},
        "input": notes or [],
        "leads": run.considered,
        "won_leads": result.current.won_leads,
        "policies": {"current": _side(result.current), "new": _side(result.new)},
        "changes": result.changes,
        "became_mql": [_lead(lead) for lead in result.became_mql],
        "no_longer_mql": [_lead(lead) for lead in result.no_longer_mql],
        "won_leads_flagged": {
            "earlier_by_new": timing.earlier,
            "later_by_new": timing.later,
            "same_time": timing.same,
            "only_by_new": timing.only_new,
            "only_by_current": timing.only_current,
            "by_neither": timing.neither,
            "median_days_earlier": timing.median_days_earlier,
        },
        "cut_off": result.cut_off,
        "not_replayed": [{"contact_id": contact_id, "why": why} for contact_id, why in run.refused],
    }


def as_csv(run: BacktestRun, notes: list[str] | None = None) -> str:
    """One table: `section,item,current,new,detail`; the figures, then each reclassified lead."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "current", "new", "detail"])
    result = run.result
    writer.writerow(["policy", "version", result.current.policy_version, result.new.policy_version, ""])
    for key, _, _, value in FIGURES:
        writer.writerow(["figures", key, _number(value(result.current)), _number(value(result.new)), ""])
    for key, count in as_json(run)["won_leads_flagged"].items():
        writer.writerow(["won_leads_flagged", key, "", _number(count), ""])
    for section, leads in (("became_mql", result.became_mql), ("no_longer_mql", result.no_longer_mql)):
        for lead in leads:
            writer.writerow([section, lead.contact_id, "", lead.at.isoformat(), reasons_text(lead.reasons)])
    for contact_id, why in run.refused:
        writer.writerow(["not_replayed", contact_id, "", "", why])
    for line in notes or []:
        writer.writerow(["input", "", "", "", line])
    return out.getvalue()


def print_backtest(console: Console, run: BacktestRun, sample: int, notes: list[str] | None = None) -> None:
    result = run.result
    days = (result.end - result.start).days
    source = f"that came in over the last {days} days" if days else "of the export, as they stand"
    console.print(
        f"[bold]Backtest[/bold] of {run.considered:,} leads {source} ({result.current.won_leads:,} won)"
    )
    for line in notes or []:
        console.print(f"  {line}")
    table = Table(show_header=True, header_style="bold")
    table.add_column("")
    table.add_column(f"current ({result.current.policy_version})", justify="right")
    table.add_column(f"new ({result.new.policy_version})", justify="right")
    for _, label, kind, value in FIGURES:
        table.add_row(label, shown(kind, value(result.current)), shown(kind, value(result.new)))
    console.print(table)
    if result.changes == 0:
        console.print("The new policy makes exactly the same leads MQL.")
    for title, leads in (
        ("Would become MQL", result.became_mql),
        ("Would no longer be MQL", result.no_longer_mql),
    ):
        if leads:
            console.print(
                f"[bold]{title}: {len(leads):,}[/bold]"
                + (f" (first {sample})" if len(leads) > sample else "")
            )
            for lead in leads[:sample]:
                won = " [green]won[/green]" if lead.won else ""
                console.print(
                    f"  {lead.contact_id} at {lead.at:%Y-%m-%d %H:%M} UTC{won}: {reasons_text(lead.reasons)}"
                )
    for line in _timing_lines(run) if days else ():
        console.print(line)
    if result.cut_off:
        console.print(f"[yellow]{result.cut_off} replays were cut off after too many moments[/yellow]")
    if run.refused:
        console.print(
            f"[yellow]{len(run.refused)} leads could not be replayed[/yellow] (the JSON lists them)"
        )


def _timing_lines(run: BacktestRun) -> Iterator[str]:
    timing = run.result.won_timing
    both = timing.earlier + timing.later + timing.same
    if both:
        median = timing.median_days_earlier or 0.0
        when = f"{abs(median):g} days {'earlier' if median >= 0 else 'later'}"
        yield (
            f"Won leads flagged by both: {both}; the new policy flags them {when} (median): "
            f"{timing.earlier} earlier, {timing.later} later, {timing.same} at the same time."
        )
    if timing.only_new or timing.only_current:
        yield (
            f"Won leads flagged only by the new policy: {timing.only_new}; "
            f"only by the current: {timing.only_current}."
        )


def _side(side: Side) -> dict[str, Any]:
    return {"policy_version": side.policy_version} | {key: value(side) for key, _, _, value in FIGURES}


def _lead(lead: Reclassified) -> dict[str, Any]:
    return {
        "contact_id": lead.contact_id,
        "at": lead.at.isoformat(),
        "won": lead.won,
        "reasons": [{"rule": r.rule, "detail": r.detail, "points": r.points} for r in lead.reasons],
    }


def reasons_text(reasons: tuple[Reason, ...]) -> str:
    """The stage rule and the biggest contributions, in words."""
    stage = [r.detail for r in reasons if r.rule == "stages.mql"]
    scored = sorted((r for r in reasons if r.points), key=lambda r: -abs(r.points or 0))
    return "; ".join([*stage, *(f"{r.rule} ({r.points:+d})" for r in scored)][:REASON_LIMIT])


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def shown(kind: str, value: float | None) -> str:
    return "-" if value is None else SHOWN[kind].format(value)
