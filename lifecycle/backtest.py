"""A backtest: two policies replayed over the same leads, and what the new one would change.

The MQL decision is scored against what became of each lead. Outcomes are the answers, known
only later, and are used only to score: the replays that make the decisions never see them
(`lifecycle.replay`). Precision is the share of a policy's MQLs that were later won, recall the
share of won leads it made MQL, lift its precision over the base rate of all the leads replayed.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.config.vocabulary import Stage
from handoff.lifecycle.decision import Reason
from handoff.lifecycle.records import Deal
from handoff.lifecycle.replay import Replayed, Timeline

SQL_WINDOW = timedelta(days=30)
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a lead as known at the end: when it became an opportunity, when it was won
    (a won deal, or the CRM made it a customer), and the revenue won."""

    opportunity_at: datetime | None = None
    won_at: datetime | None = None
    amount: float = 0.0


NO_OUTCOME = Outcome()


def outcome_of(timeline: Timeline, deals: Sequence[Deal] = ()) -> Outcome:
    """What became of a lead: the stages only the CRM sets (a deal made it an opportunity, a won
    one a customer) as its versions show them, and its deals. The first time wins."""
    opportunity = [seen for seen, c in timeline.versions if c.stage in (Stage.OPPORTUNITY, Stage.CUSTOMER)]
    won = [seen for seen, c in timeline.versions if c.stage is Stage.CUSTOMER]
    amount = 0.0
    for deal in deals:
        if (opened := deal.opened_at) is not None:
            opportunity.append(opened)
        if deal.won:
            # A won deal with no dates is still won: it was known by the lead's last version.
            won.append(deal.won_at or timeline.versions[-1][0])
            amount += deal.amount or 0.0
    return Outcome(min(opportunity, default=None), min(won, default=None), amount)


@dataclass(frozen=True, slots=True)
class Side:
    """One policy's results over the leads replayed."""

    policy_version: str
    leads: int
    mql: int
    sql: int
    opportunities: int
    won: int
    revenue: float
    won_leads: int

    @property
    def mql_to_sql(self) -> float | None:
        """MQLs that reached SQL within the window of their MQL."""
        return _share(self.sql, self.mql)

    @property
    def mql_to_won(self) -> float | None:
        return _share(self.won, self.mql)

    @property
    def precision(self) -> float | None:
        return _share(self.won, self.mql)

    @property
    def recall(self) -> float | None:
        return _share(self.won, self.won_leads)

    @property
    def lift(self) -> float | None:
        base = _share(self.won_leads, self.leads)
        precision = self.precision
        return precision / base if precision is not None and base else None


@dataclass(frozen=True, slots=True)
class Reclassified:
    """A lead one policy made MQL and the other never did: when, and the rules that did it."""

    contact_id: str
    at: datetime
    reasons: tuple[Reason, ...]
    won: bool


@dataclass(frozen=True, slots=True)
class Timing:
    """For the leads later won: whether the new policy flagged them earlier or later than the
    current one, and by how many days (the median of those flagged by both)."""

    earlier: int = 0
    later: int = 0
    same: int = 0
    only_new: int = 0
    only_current: int = 0
    neither: int = 0
    median_days_earlier: float | None = None


@dataclass(frozen=True, slots=True)
class Backtest:
    start: datetime
    end: datetime
    current: Side
    new: Side
    became_mql: tuple[Reclassified, ...]
    no_longer_mql: tuple[Reclassified, ...]
    won_timing: Timing
    cut_off: int = 0

    @property
    def changes(self) -> int:
        return len(self.became_mql) + len(self.no_longer_mql)


def compare(
    current: Sequence[Replayed],
    new: Sequence[Replayed],
    outcomes: Mapping[str, Outcome],
    *,
    versions: tuple[str, str],
    start: datetime,
    end: datetime,
    window: timedelta = SQL_WINDOW,
) -> Backtest:
    """The two replays of the same leads (in the same order) side by side."""
    if [r.contact_id for r in current] != [r.contact_id for r in new]:
        raise ValueError("both replays must hold the same leads in the same order")
    comparison = Comparison(versions, window)
    for was, now in zip(current, new, strict=True):
        comparison.add(was, now, outcomes.get(was.contact_id, NO_OUTCOME))
    return comparison.result(start, end)


class Comparison:
    """Two policies' replays folded in one lead at a time: a backtest of a million leads holds the
    counts, the reclassified leads and the won leads' timings, never every replay."""

    def __init__(self, versions: tuple[str, str], window: timedelta = SQL_WINDOW) -> None:
        self.versions = versions
        self.window = window
        self._sides = (_Tally(), _Tally())
        self._became: list[Reclassified] = []
        self._lost: list[Reclassified] = []
        self._earlier_days: list[float] = []
        self._timing = dict.fromkeys(("earlier", "later", "same", "only_new", "only_current", "neither"), 0)
        self._cut_off = 0

    def add(self, current: Replayed, new: Replayed, outcome: Outcome) -> None:
        """One lead as each policy replayed it, and what became of it."""
        if current.contact_id != new.contact_id:
            raise ValueError("both replays must be of the same lead")
        self._cut_off += current.cut_off + new.cut_off
        for tally, replayed in zip(self._sides, (current, new), strict=True):
            tally.add(replayed, outcome, self.window)
        before, after = current.qualified, new.qualified
        if after is not None and before is None:
            self._became.append(_reclassified(new, after.at, outcome))
        elif before is not None and after is None:
            self._lost.append(_reclassified(current, before.at, outcome))
        if outcome.won_at is None:
            return
        if before is None or after is None:
            self._timing[_flagged_by(before is not None, after is not None)] += 1
            return
        days = (before.at - after.at).total_seconds() / _DAY
        self._earlier_days.append(days)
        self._timing["earlier" if days > 0 else "later" if days < 0 else "same"] += 1

    def result(self, start: datetime, end: datetime) -> Backtest:
        days = self._earlier_days
        median = round(statistics.median(days), 1) if days else None
        return Backtest(
            start=start,
            end=end,
            current=self._sides[0].side(self.versions[0]),
            new=self._sides[1].side(self.versions[1]),
            became_mql=tuple(sorted(self._became, key=lambda r: (r.at, r.contact_id))),
            no_longer_mql=tuple(sorted(self._lost, key=lambda r: (r.at, r.contact_id))),
            won_timing=Timing(**self._timing, median_days_earlier=median),
            cut_off=self._cut_off,
        )


@dataclass
class _Tally:
    """One policy's counts so far."""

    leads: int = 0
    mql: int = 0
    sql: int = 0
    opportunities: int = 0
    won: int = 0
    revenue: float = 0.0
    won_leads: int = 0

    def add(self, replayed: Replayed, outcome: Outcome, window: timedelta) -> None:
        self.leads += 1
        self.won_leads += outcome.won_at is not None
        qualified = replayed.qualified
        if qualified is None:
            return
        self.mql += 1
        sql_move = replayed.first_entry((Stage.SQL,))
        self.sql += sql_move is not None and sql_move.at - qualified.at <= window
        self.opportunities += outcome.opportunity_at is not None
        if outcome.won_at is not None:
            self.won += 1
            self.revenue += outcome.amount

    def side(self, version: str) -> Side:
        return Side(
            version,
            self.leads,
            self.mql,
            self.sql,
            self.opportunities,
            self.won,
            self.revenue,
            self.won_leads,
        )


def _reclassified(replayed: Replayed, at: datetime, outcome: Outcome) -> Reclassified:
    return Reclassified(replayed.contact_id, at, replayed.qualified_reasons, outcome.won_at is not None)


def _flagged_by(current: bool, new: bool) -> str:
    if current:
        return "only_current"
    return "only_new" if new else "neither"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
