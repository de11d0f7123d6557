"""SLA clocks: what is due by when on the owning team's calendar, and what met it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.clock import Clock, ClockName, ClockStatus, current_clock
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.memory import LeadMemory
from handoff.lifecycle.records import Activity, Contact
from tests.lifecycle.routing_world import (
    LONDON,
    NEW_YORK,
    TUESDAY_10AM,
    carried,
    context,
    demo,
    lead,
    routing_policy,
    touch,
    trial,
)

T = TUESDAY_10AM
# Escalation moves owners around; these tests watch the clocks alone.
POLICY = routing_policy(('escalate_after = "15m"\n', ""))
BANT = {"need": "slow response", "budget": "$40k"}


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NEW_YORK)


def mql_owned_by_ana(**fields: Any) -> Contact:
    """An MQL since T, assigned to Ana at T: what the runtime reads back after routing it."""
    first = evaluate(lead(), [demo(T)], POLICY, T, routing=context())
    return replace(carried(lead(), first), **fields)


@dataclass(frozen=True)
class Case:
    name: str
    contact: Contact
    activities: tuple[Activity, ...]
    at: datetime
    # (clock, policy key, status, due, met by)
    clocks: tuple[tuple[ClockName, str, ClockStatus, datetime, str | None], ...]


FIRST, ACCEPT, DISCOVERY = ClockName.FIRST_TOUCH, ClockName.ACCEPT, ClockName.DISCOVERY
ON_TRACK, DUE_SOON, BREACHED, MET = (
    ClockStatus.ON_TRACK,
    ClockStatus.DUE_SOON,
    ClockStatus.BREACHED,
    ClockStatus.MET,
)
CASES = [
    Case(
        "a demo request: first touch within 4 business hours, acceptance within 4",
        lead(),
        (demo(T),),
        T,
        (
            (FIRST, "sla.first_touch_inquiry", ON_TRACK, ny(1, 14), None),
            (ACCEPT, "sla.accept_within", ON_TRACK, ny(1, 14), None),
        ),
    ),
    Case(
        "an MQL by score: first touch within 24 business hours (three days of eight)",
        lead(),
        (trial(T),),
        T,
        (
            (FIRST, "sla.first_touch", ON_TRACK, ny(4, 10), None),
            (ACCEPT, "sla.accept_within", ON_TRACK, ny(1, 14), None),
        ),
    ),
    Case(
        "an MQL on Saturday: the clocks start counting on Monday",
        lead(),
        (demo(ny(5, 11)),),
        ny(5, 11),
        (
            (FIRST, "sla.first_touch_inquiry", ON_TRACK, ny(7, 13), None),
            (ACCEPT, "sla.accept_within", ON_TRACK, ny(7, 13), None),
        ),
    ),
    Case(
        "an EMEA lead runs on the London calendar",
        lead(country="GB"),
        (demo(T),),
        T,
        (
            (FIRST, "sla.first_touch_inquiry", ON_TRACK, datetime(2026, 12, 2, 11, tzinfo=LONDON), None),
            (ACCEPT, "sla.accept_within", ON_TRACK, datetime(2026, 12, 2, 11, tzinfo=LONDON), None),
        ),
    ),
    Case(
        "an hour before it is due: due soon",
        mql_owned_by_ana(),
        (demo(T),),
        T + timedelta(hours=3, minutes=10),
        (
            (FIRST, "sla.first_touch_inquiry", DUE_SOON, ny(1, 14), None),
            (ACCEPT, "sla.accept_within", DUE_SOON, ny(1, 14), None),
        ),
    ),
    Case(
        "at its due time, untouched: breached",
        mql_owned_by_ana(),
        (demo(T),),
        ny(1, 14),
        (
            (FIRST, "sla.first_touch_inquiry", BREACHED, ny(1, 14), None),
            (ACCEPT, "sla.accept_within", BREACHED, ny(1, 14), None),
        ),
    ),
    Case(
        "the owner's call meets first touch",
        mql_owned_by_ana(),
        (demo(T), touch(ActivityKind.CALL, "ana", T + timedelta(hours=1))),
        T + timedelta(hours=5),
        (
            (FIRST, "sla.first_touch_inquiry", MET, ny(1, 14), "call"),
            (ACCEPT, "sla.accept_within", BREACHED, ny(1, 14), None),
        ),
    ),
    Case(
        "a call by another rep does not",
        mql_owned_by_ana(),
        (demo(T), touch(ActivityKind.CALL, "dora", T + timedelta(hours=1))),
        T + timedelta(hours=2),
        (
            (FIRST, "sla.first_touch_inquiry", ON_TRACK, ny(1, 14), None),
            (ACCEPT, "sla.accept_within", ON_TRACK, ny(1, 14), None),
        ),
    ),
    Case(
        "acceptance meets the accept clock and starts discovery (48 business hours)",
        mql_owned_by_ana(accepted=True, accepted_at=T + timedelta(hours=1), lead_status="IN_PROGRESS"),
        (demo(T), touch(ActivityKind.EMAIL_SENT, "ana", T + timedelta(minutes=30))),
        T + timedelta(hours=2),
        (
            (FIRST, "sla.first_touch_inquiry", MET, ny(1, 14), "email_sent"),
            (ACCEPT, "sla.accept_within", MET, ny(1, 14), "acceptance"),
            (DISCOVERY, "sla.discovery_within", ON_TRACK, ny(9, 12), None),
        ),
    ),
    Case(
        "documented evidence meets discovery (and first touch, had none been logged)",
        mql_owned_by_ana(stage=Stage.SAL, accepted=True, sal_at=T + timedelta(hours=1), evidence=BANT),
        (demo(T),),
        T + timedelta(days=1),
        (
            (FIRST, "sla.first_touch_inquiry", MET, ny(1, 14), "evidence"),
            (ACCEPT, "sla.accept_within", MET, ny(1, 14), "acceptance"),
            (DISCOVERY, "sla.discovery_within", MET, ny(9, 11), "evidence"),
        ),
    ),
    Case("below MQL no clock runs", lead(), (), T, ()),
    Case(
        "a rejection with a reason stops the clocks",
        mql_owned_by_ana(rejected=True, disqualification_reason="no_need"),
        (demo(T),),
        T + timedelta(hours=1),
        (),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_clocks(case: Case) -> None:
    decision = evaluate(case.contact, case.activities, POLICY, case.at, routing=context())

    got = [(c.name, c.rule, c.status, c.due_at, c.met_by) for c in decision.clocks]
    assert [(n, r, s, d.timestamp(), m) for n, r, s, d, m in got] == [
        (n, r, s, d.timestamp(), m) for n, r, s, d, m in case.clocks
    ]


def test_what_met_a_clock_and_when() -> None:
    call = touch(ActivityKind.CALL, "ana", T + timedelta(hours=5))
    decision = evaluate(
        mql_owned_by_ana(), [demo(T), call], POLICY, T + timedelta(hours=6), routing=context()
    )

    first = decision.clocks[0]
    assert (first.status, first.met_by, first.met_ref, first.met_at) == (
        MET,
        "call",
        call.id,
        call.occurred_at,
    )
    assert first.late
    assert first.minutes == 240


def test_time_alone_moves_a_clock_from_on_track_to_due_soon_to_breached() -> None:
    contact = mql_owned_by_ana()
    statuses: list[tuple[datetime, ClockStatus]] = []
    moment: datetime | None = T + timedelta(minutes=1)
    while moment is not None and len(statuses) < 5:
        decision = evaluate(contact, [demo(T)], POLICY, moment, routing=context())
        current = decision.current_clock
        assert current is not None
        statuses.append((moment, current.status))
        moment = decision.next_check_at

    assert statuses == [
        (T + timedelta(minutes=1), ON_TRACK),
        (ny(1, 13), DUE_SOON),
        (ny(1, 14), BREACHED),
    ]


def test_the_current_clock_is_the_open_one_due_first_else_the_last_met() -> None:
    def clock(name: ClockName, due_hour: int, met_hour: int | None) -> Clock:
        status = MET if met_hour is not None else ON_TRACK
        met_at = ny(1, met_hour) if met_hour is not None else None
        return Clock(
            name, "sla", 60, T, ny(1, due_hour - 1), ny(1, due_hour), status, "cal", None, None, met_at
        )

    open_late, open_early = clock(ACCEPT, 16, None), clock(DISCOVERY, 12, None)
    met_first, met_last = clock(FIRST, 14, 11), clock(ACCEPT, 14, 13)

    assert current_clock([open_late, met_last, open_early]) == open_early
    assert current_clock([met_last, met_first]) == met_last
    assert current_clock([]) is None


GO_LIVE_CASES = [
    # (what, when handoff went live, evaluated at, acceptance status, due)
    (
        "live before the MQL: runs from the MQL",
        T - timedelta(days=1),
        T + timedelta(days=1),
        BREACHED,
        ny(1, 14),
    ),
    ("live a week after it: from go-live", T + timedelta(days=7), T + timedelta(days=7), ON_TRACK, ny(8, 14)),
    ("and breaches in go-live's time", T + timedelta(days=7), T + timedelta(days=8), BREACHED, ny(8, 14)),
]


@pytest.mark.parametrize(
    ("name", "since", "at", "status", "due"), GO_LIVE_CASES, ids=[c[0] for c in GO_LIVE_CASES]
)
def test_a_clock_started_before_go_live_counts_from_go_live(
    name: str, since: datetime, at: datetime, status: ClockStatus, due: datetime
) -> None:
    watching = context()._replace(watching_since=since)
    decision = evaluate(mql_owned_by_ana(), [demo(T)], POLICY, at, routing=watching)

    accept = next(c for c in decision.clocks if c.name is ACCEPT)
    assert (accept.status, accept.due_at) == (status, due)


def test_a_touch_before_go_live_still_meets_the_clock() -> None:
    call = touch(ActivityKind.CALL, "ana", T + timedelta(hours=1))
    watching = context()._replace(watching_since=T + timedelta(days=7))
    decision = evaluate(mql_owned_by_ana(), [demo(T), call], POLICY, T + timedelta(days=7), routing=watching)

    first = next(c for c in decision.clocks if c.name is FIRST)
    assert (first.status, first.met_ref) == (MET, call.id)


# Sales's side of the contract: 3 touches by the owner within 16 business hours of the MQL
# (from Tuesday 10:00: 7 hours Tuesday, 8 Wednesday, 1 Thursday; due Thursday 10:00).
FOLLOW_UP_POLICY = routing_policy(
    ('escalate_after = "15m"\n', ""),
    ('discovery_within = "48h"\n', 'follow_up = { touches = 3, within = "16h" }\n'),
)


def calls(by: str, *moments: datetime) -> tuple[Activity, ...]:
    return tuple(touch(ActivityKind.CALL, by, moment) for moment in moments)


@pytest.mark.parametrize(
    ("contact", "activities", "at", "expected"),
    [
        (mql_owned_by_ana(), (), T + timedelta(hours=1), (ON_TRACK, None, None)),
        (mql_owned_by_ana(), calls("ana", T, T + timedelta(hours=2)), ny(3, 9, 30), (DUE_SOON, None, None)),
        (mql_owned_by_ana(), calls("ana", T, ny(1, 15), ny(2, 11)), ny(2, 12), (MET, "3 touches", ny(2, 11))),
        (
            mql_owned_by_ana(),
            calls("ana", ny(1, 11), ny(1, 12)) + calls("dora", ny(1, 13)),
            ny(3, 10),
            (BREACHED, None, None),
        ),
        (
            mql_owned_by_ana(),
            calls("ana", T - timedelta(hours=1), ny(1, 11), ny(1, 12)),
            ny(3, 10),
            (BREACHED, None, None),
        ),
        (
            mql_owned_by_ana(stage=Stage.SAL, accepted=True, sal_at=T + timedelta(hours=1), evidence=BANT),
            calls("ana", ny(1, 11)),
            ny(1, 16),
            (MET, "evidence", ny(1, 16)),
        ),
        (
            mql_owned_by_ana(
                stage=Stage.SQL, accepted=True, sal_at=T + timedelta(hours=1), sql_at=ny(1, 16), evidence=BANT
            ),
            calls("ana", T, ny(1, 15), ny(3, 11)),
            ny(3, 12),
            (MET, "evidence", ny(1, 16)),
        ),
    ],
    ids=[
        "no touch yet: on track",
        "two touches an hour before the due time: due soon",
        "the third touch meets it",
        "a touch by another rep does not count: breached",
        "a touch before the MQL does not count",
        "a lead that qualified first needs no more touches",
        "qualified before the last touch: met by the evidence, on time",
    ],
)
def test_the_follow_up_clock(
    contact: Contact,
    activities: tuple[Activity, ...],
    at: datetime,
    expected: tuple[ClockStatus, str | None, datetime | None],
) -> None:
    status, met_by, met_at = expected
    decision = evaluate(contact, [demo(T), *activities], FOLLOW_UP_POLICY, at, routing=context())
    (clock,) = [c for c in decision.clocks if c.name is ClockName.FOLLOW_UP]
    assert (clock.rule, clock.minutes, clock.due_at.timestamp()) == (
        "sla.follow_up",
        16 * 60,
        ny(3, 10).timestamp(),
    )
    assert (clock.status, clock.met_by) == (status, met_by)
    assert (clock.met_at.timestamp() if clock.met_at else None) == (met_at.timestamp() if met_at else None)


def test_a_follow_up_breach_tells_the_rep_once() -> None:
    remembered = LeadMemory(stage=Stage.MQL, owner_id="ana")
    first = evaluate(
        mql_owned_by_ana(),
        [demo(T)],
        FOLLOW_UP_POLICY,
        T + timedelta(hours=1),
        routing=context(),
        memory=remembered,
    )
    assert first.memory is not None
    later = evaluate(
        mql_owned_by_ana(), [demo(T)], FOLLOW_UP_POLICY, ny(3, 10), routing=context(), memory=first.memory
    )
    assert later.memory is not None
    again = evaluate(
        mql_owned_by_ana(), [demo(T)], FOLLOW_UP_POLICY, ny(3, 11), routing=context(), memory=later.memory
    )

    told = [n.subject for n in later.notices if "follow-up" in n.subject]
    assert told == [
        "SLA breached: follow-up touches for buyer1@customer1.example (Customer) was due Thu 03 Dec 15:00 UTC"
    ]
    assert not [n for n in again.notices if "follow-up" in n.subject], "the breach was told once"
