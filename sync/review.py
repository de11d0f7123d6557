"""The 20-lead test as files: a review sheet of recent leads, and the scoring of it once filled in.

`handoff review` writes a sheet (CSV to fill in, and the same as a page to show in the meeting)
of recent leads, half of them ones handoff made MQL and half not, each with handoff's
classification, the rules that fired and why, and empty `marketing` and `sales` columns. Each
team writes yes or no; `handoff review score` reads the sheet back and says how far the two teams
and handoff agree, and which rules were involved where they did not.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoff.lifecycle.agreement import Agreement, agreement
from handoff.store.views import DecisionView
from handoff.sync.runtime import Runtime

QUALIFIED = frozenset({"mql", "sal", "sql", "opportunity", "customer"})
COLUMNS = (
    "contact_id",
    "name",
    "email",
    "company",
    "title",
    "source",
    "handoff",
    "stage",
    "score",
    "fit",
    "behavior",
    "rules",
    "why",
    "marketing",
    "sales",
    "notes",
)
VERDICT_COLUMNS = ("marketing", "sales")
_YES = frozenset({"yes", "y", "mql", "1", "true", "x"})
_NO = frozenset({"no", "n", "not mql", "0", "false"})
# Recent decisions looked at per lead wanted, to find enough of both kinds.
_LOOK_AT = 20


def review_sheet(rt: Runtime, sample: int) -> list[dict[str, str]]:
    """`sample` recent leads, half MQL (or beyond) and half not where the store has enough of each."""
    with rt.store.begin() as tx:
        recent = tx.views.recent_decisions(max(sample * _LOOK_AT, 200))
        profiles = tx.views.profiles([contact_id for contact_id, _ in recent])
    qualified = [lead for lead in recent if lead[1].stage in QUALIFIED]
    others = [lead for lead in recent if lead[1].stage not in QUALIFIED]
    half = min(sample // 2, len(qualified))
    chosen = qualified[:half] + others[: sample - half]
    chosen += qualified[half : half + sample - len(chosen)]
    chosen.sort(key=lambda lead: lead[1].at, reverse=True)
    return [_row(contact_id, decision, profiles.get(contact_id, {})) for contact_id, decision in chosen]


def write_sheet(rows: Sequence[dict[str, str]], path: Path) -> tuple[Path, Path]:
    """The sheet as CSV at `path` and as a page beside it (same name, `.html`)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    page = path.with_suffix(".html")
    page.write_text(_page(rows), encoding="utf-8")
    return path, page


@dataclass
class Disagreement:
    contact_id: str
    verdicts: dict[str, bool]
    rules: str


@dataclass
class Scored:
    """The filled-in sheet: each pair of raters' agreement, the leads they disagreed on, the rows
    without both verdicts, and the verdicts that could not be read."""

    pairs: dict[str, Agreement]
    disagreements: list[Disagreement]
    unscored: int
    problems: list[str] = field(default_factory=list)


class SheetError(ValueError):
    """A sheet that is not a review sheet (a column missing)."""


def score_sheet(path: Path) -> Scored:
    try:
        with path.open(encoding="utf-8-sig", newline="") as source:
            reader = csv.DictReader(source, restval="")
            header = list(reader.fieldnames or [])
            # A spreadsheet may drop a row's trailing empty cells: a missing cell is an empty one.
            rows = [(reader.line_num, row) for row in reader]
    except OSError as error:
        raise SheetError(f"{path}: cannot read the sheet: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise SheetError(f"{path}: not UTF-8 text: {error.reason}") from error
    missing = [
        column for column in ("contact_id", "handoff", "rules", *VERDICT_COLUMNS) if column not in header
    ]
    if missing:
        raise SheetError(
            f"{path}: not a review sheet: no {', '.join(missing)} column (write one with handoff review)"
        )
    scored: list[dict[str, bool]] = []
    disagreements: list[Disagreement] = []
    problems: list[str] = []
    unscored = 0
    for number, row in rows:
        verdicts = {"handoff": row["handoff"].strip().lower() == "mql"}
        for column in VERDICT_COLUMNS:
            verdict = _verdict(row[column])
            if verdict is None and row[column].strip():
                problems.append(f"line {number}: {column} wrote {row[column].strip()!r}, neither yes nor no")
            if verdict is not None:
                verdicts[column] = verdict
        if len(verdicts) < len(VERDICT_COLUMNS) + 1:
            unscored += 1
            continue
        scored.append(verdicts)
        if len(set(verdicts.values())) > 1:
            disagreements.append(Disagreement(row["contact_id"], verdicts, row["rules"]))
    pairs = {
        f"{a} / {b}": agreement([(v[a], v[b]) for v in scored])
        for a, b in (("marketing", "sales"), ("marketing", "handoff"), ("sales", "handoff"))
    }
    return Scored(pairs, disagreements, unscored, problems)


def _verdict(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


def _row(contact_id: str, decision: DecisionView, profile: dict[str, Any]) -> dict[str, str]:
    company = profile.get("company") or {}
    name = " ".join(part for part in (profile.get("first_name"), profile.get("last_name")) if part)
    scored = sorted((r for r in decision.reasons if r.points), key=lambda r: -abs(r.points or 0))
    return {
        "contact_id": contact_id,
        "name": name,
        "email": profile.get("email") or "",
        "company": company.get("name") or company.get("domain") or "",
        "title": profile.get("title") or "",
        "source": profile.get("source") or "",
        "handoff": "MQL" if decision.stage in QUALIFIED else "not MQL",
        "stage": decision.stage,
        "score": str(decision.score),
        "fit": str(decision.fit),
        "behavior": str(decision.behavior),
        "rules": "; ".join(f"{r.rule} ({r.points:+d})" for r in scored),
        "why": decision.summary,
        "marketing": "",
        "sales": "",
        "notes": "",
    }


def _page(rows: Sequence[dict[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(column)}</th>" for column in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(row[column])}</td>" for column in COLUMNS) + "</tr>"
        for row in rows
    )
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>handoff: the 20-lead test</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
        "th{background:#f4f4f4}td:nth-last-child(-n+3){min-width:6em}</style>"
        "<h1>The 20-lead test</h1><p>For each lead, marketing and sales each write <b>yes</b> (an MQL) "
        "or <b>no</b> in the CSV sheet, then run <code>handoff review score SHEET.csv</code>.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></html>\n"
    )
