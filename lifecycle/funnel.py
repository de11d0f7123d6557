"""Funnel metrics from history: how MQLs become SALs, SQLs, opportunities and won deals.

Pure: the read side hands in each lead's history (`LeadHistory`: its stage moves, SLA clock
transitions and deals) and `compute_funnel` folds them into a `FunnelReport`; `now`, the
conversion window and the cohort range are passed in. `health_checks` puts the report into the
sentences a revenue meeting reads ("MQL→SQL is 8%: the MQL bar is probably too loose").

What each number means (docs/reports.md says the same for the people who read the report):
- A lead belongs to the report when it entered the funnel (its first move into MQL or a later
  stage) inside [since, until); its cohort is the month of that entry, in the policy's time zone.
- Opportunity is a deal created (or the CRM stage opportunity), won a deal won (or the CRM stage
  customer); revenue is the amount of the won deals.
- Conversion by cohort counts the leads that reached each stage within `window_days` of their
  MQL entry, two ways: ever reached (by any path) and strict (through every stage in order).
- Sources, campaigns, MQL triggers and segments count what the leads reached by `now`.
- Durations are wall-clock hours; percentiles interpolate linearly between ranks (the median of
  an even count is the mean of the middle two).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from handoff.config.policy import Targets
from handoff.config.vocabulary import Stage
from handoff.lifecycle.agreement import RuleLift, rule_lift
from handoff.lifecycle.records import Deal


class Step(StrEnum):
    """The funnel's steps: the stages from MQL on, and won (a deal won, or the stage customer)."""

    MQL = "mql"
    SAL = "sal"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    WON = "won"


STEPS = tuple(Step)
_ENTRY_STAGES = {Stage.MQL: Step.MQL, Stage.SAL: Step.SAL, Stage.SQL: Step.SQL}
_FUNNEL_STAGES = frozenset({Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER})
_REJECTED = frozenset({Stage.RECYCLED, Stage.DISQUALIFIED})
_ACCEPTED = frozenset({Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER})
# The waits the report measures: each step to the next, and the one the health check names.
STAGE_PAIRS = (
    (Step.MQL, Step.SAL),
    (Step.SAL, Step.SQL),
    (Step.SQL, Step.OPPORTUNITY),
    (Step.OPPORTUNITY, Step.WON),
    (Step.MQL, Step.SQL),
)
# First-touch times, in hours: each bucket holds the touches below its bound and at or above the
# previous one; the last holds the rest, and "not touched" the breached clocks never met.
FIRST_TOUCH_BOUNDS = (1.0, 4.0, 8.0, 24.0, 48.0)
FIRST_TOUCH_LABELS = ("< 1 h", "1–4 h", "4–8 h", "8–24 h", "24–48 h", "≥ 48 h", "not touched")
FIRST_TOUCH = "first_touch"
NONE_LABEL = "(none)"
UNASSIGNED = "(unassigned)"
NO_TEAM = "(no team)"
Dimension = Literal["team", "rep", "source", "campaign", "trigger"]


# ---------------------------------------------------------------------------------------------
# Input: what the read side knows of each lead.


@dataclass(frozen=True, slots=True)
class Move:
    """A stage move from the audit trail; `reason` is a rejection's reason code."""

    at: datetime
    from_stage: Stage | None
    to_stage: Stage
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """An SLA clock's transition: started, due_soon, breached, met or stopped."""

    at: datetime
    clock: str
    status: str
    owner_id: str | None = None
    started_at: datetime | None = None
    due_at: datetime | None = None
    met_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LeadHistory:
    """One lead's life as history holds it, oldest first. `source` and `campaign` are the
    original ones (the first the lead was seen with); `mql_trigger` names what made it an MQL
    (the high-intent action, or the behaviour rule worth most)."""

    contact_id: str
    moves: tuple[Move, ...]
    clocks: tuple[ClockEvent, ...] = ()
    deals: tuple[Deal, ...] = ()
    source: str | None = None
    campaign: str | None = None
    owner_id: str | None = None
    mql_trigger: str | None = None
    mql_rules: frozenset[str] = frozenset()
    """The fit and behaviour rules that fired (with points) when the lead first became an MQL."""


@dataclass(frozen=True, slots=True)
class Rep:
    """An owner as the report names them, with the policy team they sit in."""

    id: str
    name: str
    team: str | None = None


# ---------------------------------------------------------------------------------------------
# Output.


@dataclass(frozen=True, slots=True)
class StepCounts:
    mql: int = 0
    sal: int = 0
    sql: int = 0
    opportunity: int = 0
    won: int = 0

    def of(self, step: Step) -> int:
        count: int = getattr(self, step.value)
        return count

    def rate(self, step: Step) -> float | None:
        """The share of the MQLs that reached `step`."""
        return _rate(self.of(step), self.mql)


@dataclass(frozen=True, slots=True)
class Cohort:
    """The leads whose MQL entry fell in `month` ("all" for the whole report). `mature` once
    every lead's window has closed by `now`; `target` is marketing's committed volume."""

    month: str
    reached: StepCounts
    strict: StepCounts
    mature: bool
    target: int | None = None

    @property
    def mqls(self) -> int:
        return self.reached.mql

    @property
    def mql_to_sql(self) -> float | None:
        return self.reached.rate(Step.SQL)

    @property
    def of_target(self) -> float | None:
        return _rate(self.mqls, self.target) if self.target else None


@dataclass(frozen=True, slots=True)
class StageTime:
    """Hours from entering `from_step` to entering `to_step`, over the leads that did both."""

    from_step: Step
    to_step: Step
    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What reps did with the MQLs handed to them: accepted (SAL or beyond), rejected with a
    reason, or not yet either. `rate` is accepted over decided."""

    accepted: int
    rejected: int
    pending: int

    @property
    def rate(self) -> float | None:
        return _rate(self.accepted, self.accepted + self.rejected)


@dataclass(frozen=True, slots=True)
class SlaRow:
    """One clock's compliance, over every owner (`team` and `rep` None), a team's or a rep's.
    A clock met after its due time is late; one due and never met is breached; both count
    against compliance. `open` clocks are not due yet; stopped ones (the lead was rejected
    before the clock was due) do not count. The hours are from start to met, on-time or late."""

    clock: str
    team: str | None
    rep: str | None
    on_time: int
    late: int
    breached: int
    open: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def resolved(self) -> int:
        return self.on_time + self.late + self.breached

    @property
    def compliance(self) -> float | None:
        return _rate(self.on_time, self.resolved)


@dataclass(frozen=True, slots=True)
class ReasonShare:
    code: str
    outcome: str
    """`recycled` or `disqualified`."""
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class Segment:
    """The leads of one source, campaign, MQL trigger, team or rep, and what they reached by now."""

    dimension: Dimension
    value: str
    reached: StepCounts
    revenue: float
    acceptance: Acceptance
    first_touch: SlaRow

    @property
    def mql_to_sql(self) -> float | None:
        return self.reached.rate(Step.SQL)

    @property
    def win_rate(self) -> float | None:
        return self.reached.rate(Step.WON)


@dataclass(frozen=True, slots=True)
class FunnelReport:
    since: datetime
    until: datetime
    now: datetime
    window_days: float
    timezone: str
    leads: int
    total: Cohort
    cohorts: tuple[Cohort, ...]
    stage_times: tuple[StageTime, ...]
    acceptance: Acceptance
    sla: tuple[SlaRow, ...]
    """Per clock over everyone, then per clock and team, then per clock and rep."""
    first_touch_buckets: tuple[tuple[str, int], ...]
    reasons: tuple[ReasonShare, ...]
    revenue: float
    sources: tuple[Segment, ...]
    campaigns: tuple[Segment, ...]
    triggers: tuple[Segment, ...]
    by: Dimension | None = None
    segments: tuple[Segment, ...] = ()
    rule_lift: tuple[RuleLift, ...] = ()
    """The rebuild analysis: for MQLs later won or disqualified, each rule that fired when they
    became MQL, with its lift (the won share where it fired over the won share of them all)."""

    def sla_for(self, clock: str) -> SlaRow | None:
        return next(
            (row for row in self.sla if row.clock == clock and row.team is None and row.rep is None), None
        )

    @property
    def rejections(self) -> int:
        return sum(reason.count for reason in self.reasons)


# ---------------------------------------------------------------------------------------------
# The fold.


class _Episode(NamedTuple):
    clock: str
    owner_id: str | None
    outcome: Literal["on_time", "late", "breached", "open", "stopped"]
    hours: float | None


@dataclass(slots=True)
class _Journey:
    """One lead's way through the funnel, worked out once."""

    lead: LeadHistory
    entry: datetime
    entered: dict[Step, datetime]
    strict_from_mql: bool
    decided: Literal["accepted", "rejected", "pending", "skipped"]
    rejections: list[tuple[str, str]]
    revenue: float
    episodes: list[_Episode]


@dataclass(slots=True)
class _Tally:
    """Counts for a group of journeys, filled one journey at a time."""

    reached: list[int] = field(default_factory=lambda: [0] * len(STEPS))
    strict: list[int] = field(default_factory=lambda: [0] * len(STEPS))
    mature: bool = True
    revenue: float = 0.0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0

    def acceptance(self) -> Acceptance:
        return Acceptance(self.accepted, self.rejected, self.pending)


@dataclass(slots=True)
class _Clocks:
    on_time: int = 0
    late: int = 0
    breached: int = 0
    open: int = 0
    hours: list[float] = field(default_factory=list)

    def add(self, episode: _Episode) -> None:
        if episode.outcome == "stopped":
            return
        setattr(self, episode.outcome, getattr(self, episode.outcome) + 1)
        if episode.hours is not None:
            self.hours.append(episode.hours)

    def row(self, clock: str, team: str | None, rep: str | None) -> SlaRow:
        ordered = sorted(self.hours)
        return SlaRow(
            clock,
            team,
            rep,
            self.on_time,
            self.late,
            self.breached,
            self.open,
            percentile(ordered, 0.5),
            percentile(ordered, 0.9),
        )


def compute_funnel(
    leads: Iterable[LeadHistory],
    *,
    now: datetime,
    since: datetime,
    until: datetime,
    window_days: float = 30,
    timezone: tzinfo = UTC,
    reps: Mapping[str, Rep] | None = None,
    targets: Targets | None = None,
    by: Dimension | None = None,
) -> FunnelReport:
    """Fold the histories of the leads that entered the funnel in [since, until) into a report.

    `leads` may be a stream (one pass, any order); leads outside the range are skipped."""
    reps = reps or {}
    window = timedelta(days=window_days)
    total = _Tally()
    cohorts: dict[str, _Tally] = {}
    waits: dict[tuple[Step, Step], list[float]] = {pair: [] for pair in STAGE_PAIRS}
    reasons: Counter[tuple[str, str]] = Counter()
    sla: dict[tuple[str, str | None, str | None], _Clocks] = {}
    buckets = [0] * len(FIRST_TOUCH_LABELS)
    groups: dict[tuple[Dimension, str], tuple[_Tally, _Clocks]] = {}
    dimensions: tuple[Dimension, ...] = ("source", "campaign", "trigger", *((by,) if by else ()))
    count = 0
    settled: list[tuple[frozenset[str], bool]] = []
    for lead in leads:
        journey = _journey(lead, now)
        if journey is None or not since <= journey.entry < until:
            continue
        count += 1
        won = Step.WON in journey.entered
        if won or any(outcome == Stage.DISQUALIFIED.value for _, outcome in journey.rejections):
            settled.append((lead.mql_rules, won))
        month = journey.entry.astimezone(timezone).strftime("%Y-%m")
        cohort = cohorts.get(month)
        if cohort is None:
            cohort = cohorts[month] = _Tally()
        for tally in (total, cohort):
            _count_window(tally, journey, window, now)
        for pair, found in waits.items():
            start, end = journey.entered.get(pair[0]), journey.entered.get(pair[1])
            if start is not None and end is not None and end >= start:
                found.append(_hours(end - start))
        reasons.update(journey.rejections)
        team, rep = _owner(reps, lead.owner_id)
        for episode in journey.episodes:
            owner_team, owner = _owner(reps, episode.owner_id)
            for key in (
                (episode.clock, None, None),
                (episode.clock, owner_team, None),
                (episode.clock, None, owner),
            ):
                clocks = sla.get(key)
                if clocks is None:
                    clocks = sla[key] = _Clocks()
                clocks.add(episode)
            if episode.clock == FIRST_TOUCH:
                _bucket(buckets, episode)
        values = {
            "source": lead.source or NONE_LABEL,
            "campaign": lead.campaign or NONE_LABEL,
            "trigger": lead.mql_trigger or NONE_LABEL,
            "team": team,
            "rep": rep,
        }
        for dimension in dimensions:
            name = (dimension, values[dimension])
            group = groups.get(name)
            if group is None:
                group = groups[name] = (_Tally(), _Clocks())
            _count_to_date(group[0], journey)
            for episode in journey.episodes:
                if episode.clock == FIRST_TOUCH:
                    group[1].add(episode)

    rejections = sum(reasons.values())
    shares = tuple(
        ReasonShare(code, outcome, n, n / rejections)
        for (code, outcome), n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    )
    months = tuple(
        _cohort(month, tally, targets.mql_target(month) if targets else None)
        for month, tally in sorted(cohorts.items())
    )
    total_cohort = _cohort("all", total, sum(c.target or 0 for c in months) if targets else None)
    return FunnelReport(
        since=since,
        until=until,
        now=now,
        window_days=window_days,
        timezone=str(timezone),
        leads=count,
        total=total_cohort,
        cohorts=months,
        stage_times=tuple(
            StageTime(a, b, len(found), percentile(sorted(found), 0.5), percentile(sorted(found), 0.9))
            for (a, b), found in waits.items()
        ),
        acceptance=total.acceptance(),
        sla=tuple(
            clocks.row(*key)
            for key, clocks in sorted(sla.items(), key=lambda item: (_level(item[0]), _key(item[0])))
        ),
        first_touch_buckets=tuple(zip(FIRST_TOUCH_LABELS, buckets, strict=True)),
        reasons=shares,
        revenue=total.revenue,
        sources=_segments(groups, "source"),
        campaigns=_segments(groups, "campaign"),
        triggers=_segments(groups, "trigger"),
        by=by,
        segments=_segments(groups, by) if by else (),
        rule_lift=tuple(rule_lift(settled)),
    )


def _journey(lead: LeadHistory, now: datetime) -> _Journey | None:
    moves = lead.moves
    start = next((i for i, move in enumerate(moves) if move.to_stage in _FUNNEL_STAGES), None)
    if start is None:
        return None
    entry = moves[start].at
    entered: dict[Step, datetime] = {Step.MQL: entry}
    rejections: list[tuple[str, str]] = []
    for move in moves[start:]:
        stage = move.to_stage
        step = _ENTRY_STAGES.get(stage)
        if step is not None and step not in entered:
            entered[step] = move.at
        elif stage is Stage.OPPORTUNITY:
            _earliest(entered, Step.OPPORTUNITY, move.at)
        elif stage is Stage.CUSTOMER:
            _earliest(entered, Step.WON, move.at)
        elif stage in _REJECTED:
            rejections.append((move.reason or NONE_LABEL, stage.value))
    revenue = 0.0
    for deal in lead.deals:
        if (opened := deal.opened_at) is not None:
            _earliest(entered, Step.OPPORTUNITY, max(opened, entry))
        if deal.won:
            # A won deal with no dates is still won (as the backtest counts it): from the entry.
            _earliest(entered, Step.WON, max(deal.won_at or entry, entry))
            revenue += deal.amount or 0.0
    first = moves[start]
    strict_from_mql = first.to_stage is Stage.MQL
    decided: Literal["accepted", "rejected", "pending", "skipped"] = "skipped"
    if strict_from_mql:
        after = moves[start + 1] if start + 1 < len(moves) else None
        if after is None:
            decided = "pending"
        elif after.to_stage in _ACCEPTED:
            decided = "accepted"
        elif after.to_stage in _REJECTED:
            decided = "rejected"
        else:
            decided = "pending"
    return _Journey(
        lead, entry, entered, strict_from_mql, decided, rejections, revenue, _episodes(lead.clocks, now)
    )


def _earliest(entered: dict[Step, datetime], step: Step, at: datetime) -> None:
    known = entered.get(step)
    if known is None or at < known:
        entered[step] = at


def _episodes(events: Sequence[ClockEvent], now: datetime) -> list[_Episode]:
    """Each run of a clock, from its start to met, breached, stopped or still open at `now`."""
    found: list[_Episode] = []
    running: dict[str, list[ClockEvent]] = {}
    for event in events:
        if event.status == "started":
            previous = running.pop(event.clock, None)
            if previous:
                found.append(_episode(previous, now))
            running[event.clock] = [event]
            continue
        current = running.get(event.clock)
        if current is None:
            continue  # a clock handoff saw before this history begins
        current.append(event)
        if event.status in ("met", "stopped"):
            found.append(_episode(running.pop(event.clock), now))
    found.extend(_episode(events, now) for events in running.values())
    return found


def _episode(events: list[ClockEvent], now: datetime) -> _Episode:
    first, last = events[0], events[-1]
    owner = last.owner_id if last.owner_id is not None else first.owner_id
    due = next((e.due_at for e in reversed(events) if e.due_at is not None), None)
    started = first.started_at or first.at
    met = next((e for e in events if e.status == "met"), None)
    if met is not None:
        met_at = met.met_at or met.at
        late = due is not None and met_at > due
        return _Episode(first.clock, owner, "late" if late else "on_time", _hours(met_at - started))
    if any(e.status == "breached" for e in events):
        return _Episode(first.clock, owner, "breached", None)
    if last.status == "stopped":
        # Stopped after its due time without a breach on record: it was breached all the same.
        overdue = due is not None and last.at > due
        return _Episode(first.clock, owner, "breached" if overdue else "stopped", None)
    overdue = due is not None and due <= now
    return _Episode(first.clock, owner, "breached" if overdue else "open", None)


def _bucket(buckets: list[int], episode: _Episode) -> None:
    if episode.hours is None:
        if episode.outcome == "breached":
            buckets[-1] += 1
        return
    for index, bound in enumerate(FIRST_TOUCH_BOUNDS):
        if episode.hours < bound:
            buckets[index] += 1
            return
    buckets[len(FIRST_TOUCH_BOUNDS)] += 1


def _count_window(tally: _Tally, journey: _Journey, window: timedelta, now: datetime) -> None:
    deadline = journey.entry + window
    if deadline > now:
        tally.mature = False
    previous: datetime | None = None
    strict = journey.strict_from_mql
    for index, step in enumerate(STEPS):
        at = journey.entered.get(step)
        inside = at is not None and at <= deadline
        if inside:
            tally.reached[index] += 1
        strict = strict and inside and (previous is None or (at is not None and at >= previous))
        if strict:
            tally.strict[index] += 1
        previous = at
    _count_outcomes(tally, journey)


def _count_to_date(tally: _Tally, journey: _Journey) -> None:
    for index, step in enumerate(STEPS):
        if step in journey.entered:
            tally.reached[index] += 1
    _count_outcomes(tally, journey)


def _count_outcomes(tally: _Tally, journey: _Journey) -> None:
    tally.revenue += journey.revenue
    if journey.decided == "accepted":
        tally.accepted += 1
    elif journey.decided == "rejected":
        tally.rejected += 1
    elif journey.decided == "pending":
        tally.pending += 1


def _cohort(month: str, tally: _Tally, target: int | None) -> Cohort:
    return Cohort(month, StepCounts(*tally.reached), StepCounts(*tally.strict), tally.mature, target)


def _owner(reps: Mapping[str, Rep], owner_id: str | None) -> tuple[str, str]:
    """The team and the name a report groups an owner under."""
    if owner_id is None:
        return NO_TEAM, UNASSIGNED
    rep = reps.get(owner_id)
    if rep is None:
        return NO_TEAM, owner_id
    return rep.team or NO_TEAM, rep.name


def _segments(
    groups: Mapping[tuple[Dimension, str], tuple[_Tally, _Clocks]], dimension: str
) -> tuple[Segment, ...]:
    found = [
        Segment(
            kind,
            value,
            StepCounts(*tally.reached),
            tally.revenue,
            tally.acceptance(),
            clocks.row(FIRST_TOUCH, None, None),
        )
        for (kind, value), (tally, clocks) in groups.items()
        if kind == dimension
    ]
    return tuple(sorted(found, key=lambda s: (-s.reached.mql, s.value)))


def _level(key: tuple[str, str | None, str | None]) -> int:
    """Everyone's rows first, then the teams', then the reps'."""
    return 0 if key[1] is None and key[2] is None else (1 if key[1] is not None else 2)


def _key(key: tuple[str, str | None, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _rate(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The q-quantile of sorted values, interpolating linearly between the closest ranks
    (position q·(n−1)), in millionths; None for no values."""
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    # Rounded to a microhour, so hand-computed figures compare exactly (20.0, not 20.000000000000004).
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 6)


# ---------------------------------------------------------------------------------------------
# What the numbers say, in words.

MQL_TO_SQL_HEALTHY = (0.20, 0.30)
MQL_TO_SQL_TOO_LOOSE = 0.10
MQL_TO_SQL_TOO_STRICT = 0.50
ACCEPTANCE_CREDIBLE = 0.95
ACCEPTANCE_CHERRY_PICKING = 0.80
# A reason this common among rejections points at a signal the MQL definition lacks.
REASON_ADVICE = {
    "no_budget": (0.40, "add a budget signal to the MQL definition"),
    "no_authority": (0.30, "job-title scoring needs recalibration"),
}
REASON_DOMINANT = 0.40
FIRST_TOUCH_GOAL = 0.90


class HealthCheck(NamedTuple):
    level: Literal["ok", "warning"]
    text: str

    def __str__(self) -> str:
        return self.text


def health_checks(report: FunnelReport, targets: Targets | None = None) -> list[HealthCheck]:
    """The report's health in sentences, each from a threshold (docs/reports.md lists them)."""
    checks: list[HealthCheck] = []
    total = report.total
    window = f"{report.window_days:g} days"
    rate = total.mql_to_sql
    if rate is None:
        checks.append(HealthCheck("warning", "No MQLs in the period: there is no funnel to judge yet."))
    else:
        low, high = MQL_TO_SQL_HEALTHY
        said = f"MQL→SQL is {_pct(rate)} ({total.reached.sql} of {total.mqls} within {window})"
        if rate < MQL_TO_SQL_TOO_LOOSE:
            checks.append(HealthCheck("warning", f"{said}: the MQL bar is probably too loose."))
        elif rate < low:
            checks.append(
                HealthCheck(
                    "warning",
                    f"{said}: below the healthy {_pct(low)}–{_pct(high)}; the MQL bar may be loose.",
                )
            )
        elif rate <= high:
            checks.append(HealthCheck("ok", f"{said}: healthy ({_pct(low)}–{_pct(high)})."))
        elif rate <= MQL_TO_SQL_TOO_STRICT:
            checks.append(
                HealthCheck(
                    "warning",
                    f"{said}: above the healthy {_pct(low)}–{_pct(high)}; the MQL bar may be tight.",
                )
            )
        else:
            checks.append(HealthCheck("warning", f"{said}: the MQL bar is probably too strict."))
    acceptance = report.acceptance
    if acceptance.rate is not None:
        decided = acceptance.accepted + acceptance.rejected
        said = f"SAL acceptance {_pct(acceptance.rate)} ({acceptance.accepted} of {decided})"
        if acceptance.rate >= ACCEPTANCE_CREDIBLE:
            checks.append(HealthCheck("ok", f"{said}: reps find the MQLs credible."))
        elif acceptance.rate >= ACCEPTANCE_CHERRY_PICKING:
            checks.append(
                HealthCheck(
                    "warning",
                    f"{said}: below the {_pct(ACCEPTANCE_CREDIBLE)} of a credible MQL; "
                    "read the rejection reasons.",
                )
            )
        else:
            checks.append(
                HealthCheck("warning", f"{said}: reps are cherry-picking or the criteria are wrong.")
            )
    for reason in report.reasons:
        advice = REASON_ADVICE.get(reason.code)
        if advice is not None and reason.share >= advice[0]:
            checks.append(
                HealthCheck("warning", f"{_pct(reason.share)} of rejections are {reason.code}: {advice[1]}.")
            )
        elif advice is None and reason.share >= REASON_DOMINANT:
            checks.append(
                HealthCheck(
                    "warning",
                    f"{_pct(reason.share)} of rejections are {reason.code}: find the signal that tells these "
                    "leads apart and add it to the MQL definition.",
                )
            )
    first_touch = report.sla_for(FIRST_TOUCH)
    if first_touch is not None and first_touch.compliance is not None:
        level: Literal["ok", "warning"] = "ok" if first_touch.compliance >= FIRST_TOUCH_GOAL else "warning"
        checks.append(
            HealthCheck(
                level,
                f"First touch within SLA for {_pct(first_touch.compliance)} of MQLs "
                f"({first_touch.on_time} of {first_touch.resolved}).",
            )
        )
    targets_given = targets is not None or any(c.target is not None for c in report.cohorts)
    for cohort in report.cohorts if targets_given else ():
        target = targets.mql_target(cohort.month) if targets is not None else cohort.target
        if not target:
            continue
        quality = (
            f", MQL→SQL {_pct(cohort.mql_to_sql)} within {window}" if cohort.mql_to_sql is not None else ""
        )
        so_far = "" if _month_over(cohort.month, report) else " so far"
        level = "ok" if cohort.mqls >= target else "warning"
        checks.append(
            HealthCheck(
                level,
                f"{cohort.month}: {cohort.mqls} MQLs of {target} committed{so_far} "
                f"({_pct(cohort.mqls / target)}){quality}.",
            )
        )
    return checks


def _month_over(month: str, report: FunnelReport) -> bool:
    year, number = (int(part) for part in month.split("-"))
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    return report.now.astimezone(ZoneInfo(report.timezone)).strftime("%Y-%m") >= following


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def mql_trigger(
    signal: str | None,
    detail: str,
    reasons: Iterable[tuple[str, int | None]],
    behavior_rules: Iterable[str] = (),
) -> str | None:
    """What made a lead an MQL, from the decision that moved it: the high-intent action the move
    names, else the behaviour rule (of `behavior_rules`, the policy's labels) worth most."""
    scored = [(rule, points) for rule, points in reasons if points is not None and points > 0]
    if signal == "high_intent":
        named = [rule for rule, _ in scored if detail.endswith(f": {rule}")]
        if named:
            return max(named, key=len)
    labels = set(behavior_rules)
    behaviour = [(rule, points) for rule, points in scored if rule in labels]
    if behaviour:
        return max(behaviour, key=lambda item: item[1])[0]
    return None
