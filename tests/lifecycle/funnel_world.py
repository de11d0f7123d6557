"""A small history where every funnel metric is known by hand (the sums are in test_funnel.py).

Two reps: Ana (team emea, owner r1) and Ben (team na, owner r2). The report covers MQL entries in
October and November 2026, read on 15 December 2026, with a 30-day window:

- L1 Oct  paid_search/q4-launch, "Demo request": MQL 2 Oct 09:00, SAL +4 h, SQL 5 Oct, deal 10 Oct
  won 20 Oct for 10,000. First touch met after 2 h, acceptance on its due minute (on time).
- L2 Oct  paid_search/q4-launch, "Pricing page, 3+ visits…": MQL 10 Oct, SAL +24 h, recycled no_budget 15 Oct.
  First touch after 6 h; acceptance breached, then met late.
- L3 Oct  webinar, "Webinar attended": MQL 20 Oct, recycled no_budget the next day (rejected).
  Both clocks breached, then stopped.
- L4 Nov  paid_search/brand, "Demo request": MQL 3 Nov, SAL +1 h, SQL 10 Nov, opportunity 12 Nov
  (the CRM's stage and an open deal of 5,000). First touch late (8 h on a 4 h clock), acceptance
  on time, discovery late.
- L5 Nov  no source, no campaign, owner Ben: MQL 20 Nov, nobody acted: first touch overdue
  with no breach on record (still a breach), acceptance not due yet (open).
- L6 Nov  referral: the CRM moved it straight to SQL 25 Nov (no MQL, no SAL: never strict, never
  decided by a rep); deal 28 Nov won 10 Dec for 20,000.
- L7 Nov  webinar, "Webinar attended": MQL 28 Nov 09:00, disqualified no_need at 11:00; its
  acceptance clock stopped before it was due (not counted).
Outside the report: L8 (MQL in December), L9 (never an MQL), L10 (MQL in September).
"""

from __future__ import annotations

from datetime import UTC, datetime

from handoff.config.policy import Targets
from handoff.config.vocabulary import Stage
from handoff.lifecycle.funnel import ClockEvent, LeadHistory, Move, Rep
from handoff.lifecycle.records import Deal

NOW = datetime(2026, 12, 15, tzinfo=UTC)
SINCE = datetime(2026, 10, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
REPS = {"r1": Rep("r1", "Ana", "emea"), "r2": Rep("r2", "Ben", "na")}
TARGETS = Targets(mql_per_month=4, months={"2026-11": 5})
BEHAVIOUR_RULES = ("Demo request", "Pricing page, 3+ visits in 7 days", "Webinar attended")


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def move(when: datetime, before: Stage | None, after: Stage, reason: str | None = None) -> Move:
    return Move(when, before, after, reason)


def clock(
    when: datetime,
    name: str,
    status: str,
    owner: str | None,
    *,
    started: datetime | None = None,
    due: datetime | None = None,
    met: datetime | None = None,
) -> ClockEvent:
    return ClockEvent(when, name, status, owner, started, due, met)


L, M, A, Q = Stage.LEAD, Stage.MQL, Stage.SAL, Stage.SQL
OPP, R, D = Stage.OPPORTUNITY, Stage.RECYCLED, Stage.DISQUALIFIED


def _started(when: datetime, name: str, owner: str, due: datetime) -> ClockEvent:
    return clock(when, name, "started", owner, started=when, due=due)


def _met(when: datetime, name: str, owner: str, started: datetime, due: datetime) -> ClockEvent:
    return clock(when, name, "met", owner, started=started, due=due, met=when)


def _event(
    when: datetime, name: str, status: str, owner: str, *, started: datetime, due: datetime
) -> ClockEvent:
    return clock(when, name, status, owner, started=started, due=due)


def _stopped(when: datetime, name: str, owner: str) -> ClockEvent:
    return clock(when, name, "stopped", owner)


# The rules that fired (with points) in each MQL decision (tests/store/history_rows.py lays the
# same reasons down in the store).
FIT_RULES = frozenset({"Company size 50–500"})
WEBINAR_RULES = FIT_RULES | {"Webinar attended"}
DEMO_RULES = WEBINAR_RULES | {"Demo request"}
PRICING_RULES = WEBINAR_RULES | {"Pricing page, 3+ visits in 7 days"}

LEADS = (
    LeadHistory(
        "L1",
        moves=(
            move(datetime(2026, 9, 20, tzinfo=UTC), None, L),
            move(at(10, 2), L, M),
            move(at(10, 2, 13), M, A),
            move(at(10, 5), A, Q),
        ),
        clocks=(
            _started(at(10, 2), "first_touch", "r1", at(10, 3)),
            _started(at(10, 2), "accept", "r1", at(10, 2, 13)),
            _met(at(10, 2, 11), "first_touch", "r1", at(10, 2), at(10, 3)),
            _met(at(10, 2, 13), "accept", "r1", at(10, 2), at(10, 2, 13)),
        ),
        deals=(
            Deal("d1", created_at=at(10, 10), closed=True, won=True, amount=10_000, close_date=at(10, 20)),
        ),
        source="paid_search",
        campaign="q4-launch",
        owner_id="r1",
        mql_trigger="Demo request",
        mql_rules=DEMO_RULES,
    ),
    LeadHistory(
        "L2",
        moves=(
            move(at(10, 9), None, L),
            move(at(10, 10), L, M),
            move(at(10, 11), M, A),
            move(at(10, 15), A, R, "no_budget"),
        ),
        clocks=(
            _started(at(10, 10), "first_touch", "r1", at(10, 11)),
            _started(at(10, 10), "accept", "r1", at(10, 10, 13)),
            _event(at(10, 10, 13), "accept", "breached", "r1", started=at(10, 10), due=at(10, 10, 13)),
            _met(at(10, 10, 15), "first_touch", "r1", at(10, 10), at(10, 11)),
            _met(at(10, 11), "accept", "r1", at(10, 10), at(10, 10, 13)),
        ),
        source="paid_search",
        campaign="q4-launch",
        owner_id="r1",
        mql_trigger="Pricing page, 3+ visits in 7 days",
        mql_rules=PRICING_RULES,
    ),
    LeadHistory(
        "L3",
        moves=(move(at(10, 19), None, L), move(at(10, 20), L, M), move(at(10, 21), M, R, "no_budget")),
        clocks=(
            _started(at(10, 20), "first_touch", "r2", at(10, 21)),
            _started(at(10, 20), "accept", "r2", at(10, 20, 13)),
            _event(at(10, 20, 13), "accept", "breached", "r2", started=at(10, 20), due=at(10, 20, 13)),
            _event(at(10, 21), "first_touch", "breached", "r2", started=at(10, 20), due=at(10, 21)),
            _stopped(at(10, 21), "first_touch", "r2"),
            _stopped(at(10, 21), "accept", "r2"),
        ),
        source="webinar",
        owner_id="r2",
        mql_trigger="Webinar attended",
        mql_rules=WEBINAR_RULES,
    ),
    LeadHistory(
        "L4",
        moves=(
            move(at(11, 1), None, L),
            move(at(11, 3), L, M),
            move(at(11, 3, 10), M, A),
            move(at(11, 10), A, Q),
            move(at(11, 12), Q, OPP),
        ),
        clocks=(
            _started(at(11, 3), "first_touch", "r2", at(11, 3, 13)),
            _started(at(11, 3), "accept", "r2", at(11, 3, 13)),
            _met(at(11, 3, 10), "accept", "r2", at(11, 3), at(11, 3, 13)),
            _started(at(11, 3, 10), "discovery", "r2", at(11, 9, 10)),
            _event(at(11, 3, 13), "first_touch", "breached", "r2", started=at(11, 3), due=at(11, 3, 13)),
            _met(at(11, 3, 17), "first_touch", "r2", at(11, 3), at(11, 3, 13)),
            _event(at(11, 9, 10), "discovery", "breached", "r2", started=at(11, 3, 10), due=at(11, 9, 10)),
            _met(at(11, 10), "discovery", "r2", at(11, 3, 10), at(11, 9, 10)),
        ),
        deals=(Deal("d4", created_at=at(11, 12), stage="proposal", amount=5_000),),
        source="paid_search",
        campaign="brand",
        owner_id="r2",
        mql_trigger="Demo request",
        mql_rules=DEMO_RULES,
    ),
    LeadHistory(
        "L5",
        moves=(move(at(11, 19), None, L), move(at(11, 20), L, M)),
        clocks=(
            _started(at(11, 20), "first_touch", "r2", at(11, 21)),
            _started(at(11, 20), "accept", "r2", at(12, 16)),
        ),
        owner_id="r2",
        mql_rules=FIT_RULES,
    ),
    LeadHistory(
        "L6",
        moves=(move(at(11, 24), None, L), move(at(11, 25), L, Q)),
        deals=(
            Deal("d6", created_at=at(11, 28), closed=True, won=True, amount=20_000, close_date=at(12, 10)),
        ),
        source="referral",
        owner_id="r1",
    ),
    LeadHistory(
        "L7",
        moves=(move(at(11, 27), None, L), move(at(11, 28), L, M), move(at(11, 28, 11), M, D, "no_need")),
        clocks=(
            _started(at(11, 28), "accept", "r2", at(11, 28, 13)),
            _stopped(at(11, 28, 11), "accept", "r2"),
        ),
        source="webinar",
        owner_id="r2",
        mql_trigger="Webinar attended",
        mql_rules=WEBINAR_RULES,
    ),
    LeadHistory(
        "L8", moves=(move(at(12, 1), None, L), move(at(12, 2), L, M)), source="webinar", owner_id="r1"
    ),
    LeadHistory("L9", moves=(move(at(10, 5), None, L),), source="webinar"),
    LeadHistory("L10", moves=(move(at(9, 24), None, L), move(at(9, 25), L, M)), source="paid_search"),
)
