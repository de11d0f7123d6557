"""`handoff demo`: the engine on a shipped sample of synthetic leads, as a rep would read it."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table

from config.loader import DEFAULT_POLICY_PATH, load_policy
from lifecycle.codec import parse_lead
from lifecycle.decision import STAGE_LABELS
from lifecycle.engine import evaluate

SAMPLES = DEFAULT_POLICY_PATH.parent / "samples" / "leads.jsonl"
SAMPLE_NOW = datetime.fromisoformat("2026-11-30T15:00:00+00:00")


def show_sample_decisions(console: Console) -> None:
    policy = load_policy()
    table = Table(title=f"{policy.policy.name} — sample leads as of {SAMPLE_NOW:%Y-%m-%d %H:%M} UTC")
    for column in ("Lead", "Stage", "Fit", "Beh.", "Score", "Why"):
        table.add_column(column, overflow="fold")
    for line in SAMPLES.read_text().splitlines():
        lead = parse_lead(line)
        decision = evaluate(lead.contact, lead.activities, policy, SAMPLE_NOW)
        before = STAGE_LABELS[decision.previous_stage] if decision.previous_stage else "new"
        table.add_row(
            f"{lead.contact.name}\n{lead.contact.title or ''}",
            f"{before} → {STAGE_LABELS[decision.stage]}",
            str(decision.fit),
            str(decision.behavior),
            str(decision.score),
            decision.summary.split(": ", 1)[-1],
        )
    console.print(table)
