"""How a rep judges a lead: the reasons they see at a glance, the reasons they give, and the
evidence they type in, valid for whatever kind of field handoff set up for it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.events import EvidenceValue
from handoff.sandbox.company.port import EvidenceField, LeadView
from handoff.sandbox.company.terms import Evidence, FieldKind

REJECTION_REASONS = (
    "no_budget",
    "timeline_12m_plus",
    "no_authority",
    "no_need",
    "bad_data",
    "duplicate",
    "competitor",
    "student",
)
# What a rep picks when nothing is obvious.
JUDGEMENT_CALLS = ("no_budget", "timeline_12m_plus", "no_authority", "no_need", "duplicate")
_EVIDENCE_TEXT = {
    Evidence.NEED: (
        "Inbound leads wait ~2 days for a first touch; wants routing and SLAs.",
        "MQLs get lost between marketing and sales; needs one handoff process.",
        "Reps cherry-pick leads; wants fair round robin with capacity.",
    ),
    Evidence.AUTHORITY: (
        "VP Revenue Operations owns the decision; CFO signs off.",
        "Head of Sales decides; procurement review above $25k.",
        "Champion is the marketing ops lead; the CRO signs.",
    ),
    Evidence.TIMELINE: (
        "Wants to go live next quarter.",
        "Must be live before the spring campaign (6 weeks).",
        "Evaluating now, decision by end of month.",
    ),
    Evidence.BUDGET: (
        "Budget of $40k approved for this fiscal year.",
        "$25k from the RevOps tooling budget.",
        "Budget confirmed, amount pending procurement.",
    ),
}
_NEGATIVE_OPTIONS = frozenset({"", "no", "none", "false", "unknown", "not_documented", "n/a"})
_COMPETITOR_DOMAINS = frozenset(domain for _, domain in data.COMPETITORS)


def obvious_reason(lead: LeadView) -> str | None:
    """Reasons a rep sees at a glance: a competitor, a student, junk data."""
    domain = lead.email.lower().rsplit("@", 1)[-1]
    title = lead.job_title
    if domain in _COMPETITOR_DOMAINS:
        return "competitor"
    if title in data.LOW_FIT_TITLES and title != "Freelancer":
        return "student"
    if domain in data.JUNK_DOMAINS or title in data.BAD_TITLES:
        return "bad_data"
    return None


def evidence_value(
    field: EvidenceField, item: Evidence, at: datetime, rng: random.Random
) -> EvidenceValue | None:
    """A value a rep would type into ``field`` (``None``: no option says yes); only free text
    draws from ``rng``."""
    match field.kind:
        case FieldKind.FLAG:
            return True
        case FieldKind.CHOICE:
            usable = [option for option in field.options if option.lower() not in _NEGATIVE_OPTIONS]
            return usable[0] if usable else None
        case FieldKind.NUMBER:
            return 40_000 if item is Evidence.BUDGET else 1
        case FieldKind.DATE:
            return (at + timedelta(days=90)).date()
        case FieldKind.DATETIME:
            return at + timedelta(days=90)
        case FieldKind.TEXT:
            return rng.choice(_EVIDENCE_TEXT[item])
