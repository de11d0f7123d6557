"""`handoff backtest`: a new policy and the current one replayed over the store's own history.

The leads are those the mirror holds that came in during the last `days` (created then, by the
CRM's date, or first seen then where the CRM gave none). Each is replayed under both policies
from the first thing handoff saw of it (`lifecycle.replay`: what had arrived by each moment and
nothing later), with today's owners and a routing state of its own for each policy, and scored
against what became of it: the CRM's own stages (opportunity, customer) and the deals handoff has
seen, as known now (the outcomes are the answers, never an input). Nothing is written: not the
store, not the CRM.

A lead the engine fails on under either policy is left out of both sides and reported with
where the engine failed (never with its values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handoff.config.policy import Policy
from handoff.lifecycle.backtest import Backtest, Comparison, outcome_of
from handoff.lifecycle.replay import Replayed, Timeline, replay
from handoff.lifecycle.roster import RoutingContext
from handoff.sync.decide import engine_failure
from handoff.sync.runtime import Runtime

PAGE = 500


@dataclass
class BacktestRun:
    """A backtest and what it could not replay."""

    result: Backtest
    considered: int
    refused: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Replays:
    policy: Policy
    context: RoutingContext


def run_backtest(
    rt: Runtime,
    new: Policy,
    current: Policy,
    *,
    days: int,
    progress: Callable[[int], None] | None = None,
) -> BacktestRun:
    """Both policies over the leads of the last `days`; `progress` hears of each page of leads read."""
    now = rt.clock()
    start = now - timedelta(days=days)
    with rt.store.begin() as tx:
        # Time before handoff watched is nobody's fault, in a replay as in the live run.
        since = rt.settings.go_live_at or tx.cursors.watching_since(now, record=False)
        fresh = RoutingContext.of(tx.owners.all(), watching_since=since)
    sides = (_Replays(current, fresh), _Replays(new, fresh))
    comparison = Comparison((current.policy.version, new.policy.version))
    refused: list[tuple[str, str]] = []
    considered = 0
    after = ""
    while True:
        with rt.store.begin() as tx:
            ids = tx.timelines.contact_ids(after, PAGE)
            if not ids:
                break
            timelines = [t for t in tx.timelines.load(ids, now) if start <= _came_in(t) <= now]
            domains = sorted({d for t in timelines for _, c in t.versions if (d := c.company_domain)})
            accounts = tx.mirror.account_owners(domains)
            deals = tx.outcomes.deals_by_contact([t.contact_id for t in timelines])
        after = ids[-1]
        considered += len(timelines)
        for side in sides:
            side.context = side.context.with_accounts(accounts)
        for timeline in timelines:
            replayed = _replay_both(timeline, sides, now, rt.retention)
            if isinstance(replayed, str):
                refused.append((timeline.contact_id, replayed))
                continue
            comparison.add(*replayed, outcome_of(timeline, deals.get(timeline.contact_id, ())))
        if progress is not None:
            progress(len(ids))
    result = comparison.result(start, now)
    notes = []
    if days > rt.settings.history_days:
        notes.append(
            f"history is kept for {rt.settings.history_days:g} days (HANDOFF_HISTORY_DAYS): leads older "
            "than that are replayed from what is left of them"
        )
    return BacktestRun(result, considered, refused, notes)


def _replay_both(
    timeline: Timeline, sides: tuple[_Replays, _Replays], now: datetime, retention: timedelta
) -> tuple[Replayed, Replayed] | str:
    """One lead replayed under both policies; why not, if the engine failed on it under either."""
    done: list[tuple[Replayed, RoutingContext]] = []
    for side in sides:
        try:
            done.append(replay(timeline, side.policy, now, side.context, retention=retention))
        except Exception as error:  # one lead the engine fails on must not stop the backtest
            return engine_failure(error)
    for side, (_, context) in zip(sides, done, strict=True):
        side.context = context
    return done[0][0], done[1][0]


def _came_in(timeline: Timeline) -> datetime:
    """When the lead came in: the CRM's creation date, or when handoff first saw it."""
    first_seen, first = timeline.versions[0]
    return first.created_at or first_seen
