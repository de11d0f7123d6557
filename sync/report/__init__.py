"""`handoff report`: the funnel metrics of a period, read from history and rendered for people
(a terminal table, a self-contained HTML page) or for other tools (JSON, CSV).

`build_report` is the one way in: it reads each lead's history from the store's read side
(`tx.history`), folds it with the pure `lifecycle.funnel`, and adds the health checks and the
policy's words (reason labels, team names) the renderers show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from handoff.config.policy import Policy
from handoff.lifecycle.funnel import Dimension, FunnelReport, HealthCheck, compute_funnel, health_checks
from handoff.lifecycle.records import Deal
from handoff.store.unit_of_work import Store

DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Report:
    """A funnel report with what it says in words, and the policy's names for its codes."""

    funnel: FunnelReport
    checks: tuple[HealthCheck, ...]
    title: str
    reason_labels: Mapping[str, str] = field(default_factory=dict)
    team_names: Mapping[str, str] = field(default_factory=dict)

    def reason_label(self, code: str) -> str:
        return self.reason_labels.get(code, code.replace("_", " "))

    def team_name(self, team: str | None) -> str:
        return self.team_names.get(team or "", team or "—")


def build_report(
    store: Store,
    policy: Policy,
    *,
    now: datetime,
    since: datetime,
    until: datetime,
    window_days: float = DEFAULT_WINDOW_DAYS,
    by: Dimension | None = None,
    deals: Mapping[str, Sequence[Deal]] | None = None,
) -> Report:
    """The report of the leads that entered the funnel in [since, until), as of `now`.

    `deals` are the CRM's outcomes by contact id (opportunity, won, revenue); None reads the deals
    the store had seen by `now` (`tx.outcomes`), so a report of the past never sees a later deal."""
    teams = {}
    names = {}
    if policy.routing is not None:
        for team_id, team in policy.routing.teams.items():
            names[team_id] = team.label(team_id)
            for member in team.members:
                teams[member.email] = team_id
    labels = [rule.label for rule in policy.behavior.rule]
    with store.begin() as tx:
        reps = tx.history.reps(teams)
        if deals is None:
            deals = tx.outcomes.deals_by_contact(at=now)
        leads = tx.history.leads(since, until, deals=deals, behavior_rules=labels)
        funnel = compute_funnel(
            leads,
            now=now,
            since=since,
            until=until,
            window_days=window_days,
            timezone=ZoneInfo(policy.policy.timezone),
            reps=reps,
            targets=policy.targets,
            by=by,
        )
    reasons = {code: policy.disqualification.label(code) for code in policy.disqualification.reasons}
    return Report(
        funnel=funnel,
        checks=tuple(health_checks(funnel, policy.targets)),
        title=policy.policy.name,
        reason_labels=reasons,
        team_names=names,
    )
