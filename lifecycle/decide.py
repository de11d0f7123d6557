"""Deciding a batch of leads: the one path every job takes (cycle, SLA tick, webhook pull,
backfill, dry run, backtest), so that they can never disagree.

A lead comes with everything the engine reads — the contact and its activities as the CRM holds
them, what the CRM holds of handoff's outputs, and handoff's memory of it. The accounts (company
domain → owner) are those of the whole mirror, not only of the batch, so a lead's account match
never depends on which leads happened to share its batch. Each assignment moves the routing
state on for the next lead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from handoff.config.policy import Policy
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.memory import NEW_LEAD, LeadMemory
from handoff.lifecycle.outputs import FieldValues
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.roster import RoutingContext


@dataclass(frozen=True, slots=True)
class Lead:
    contact: Contact
    activities: Sequence[Activity]
    crm: FieldValues
    memory: LeadMemory = NEW_LEAD


def decide_leads(
    leads: Sequence[Lead],
    policy: Policy,
    now: datetime,
    context: RoutingContext,
    accounts: Mapping[str, str],
) -> tuple[list[Decision], RoutingContext]:
    """One decision per lead, in order, and the routing context after the last one."""
    return decide_within(leads, policy, now, context.with_accounts(accounts))


def decide_within(
    leads: Sequence[Lead], policy: Policy, now: datetime, context: RoutingContext
) -> tuple[list[Decision], RoutingContext]:
    """`decide_leads` with the accounts already in the context: a replay decides each lead at many
    moments and sets the accounts once, not once per moment."""
    decisions: list[Decision] = []
    for lead in leads:
        decision = evaluate(
            lead.contact, lead.activities, policy, now, routing=context, memory=lead.memory, crm=lead.crm
        )
        context = context.after(decision)
        decisions.append(decision)
    return decisions, context
