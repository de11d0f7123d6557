"""Replays and backtests: tables of leads' timelines, the moves each policy makes, what changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from handoff.config.loader import parse_policy
from handoff.config.policy import Policy
from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.backtest import Outcome, compare
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.replay import Replayed, Timeline, replay
from handoff.lifecycle.roster import RoutingContext
from tests.conftest import NOW

POLICY = """\
[policy]
name = "Backtest test"
version = "{version}"

[[fit.rule]]
label = "Buyer persona"
field = "contact.title"
matches = "VP|Director"
points = 30

[[behavior.rule]]
label = "Pricing page"
activity = "page_view"
url_contains = "/pricing"
points = 10

[[behavior.rule]]
label = "Demo request"
activity = "demo_request"
points = 25
high_intent = true

[stages.mql]
fit_minimum = 20
score_minimum = {bar}

[stages.sql]
requires = ["need", "budget"]

[disqualification.reasons]
no_need = "disqualify"
"""

START = NOW - timedelta(days=60)
RETENTION = timedelta(days=180)
DAY = timedelta(days=1)


def policy(bar: int = 60, version: str = "current") -> Policy:
    return parse_policy(POLICY.format(bar=bar, version=version), file="policy.toml")


def contact(contact_id: str, title: str, **fields: object) -> Contact:
    return Contact(id=contact_id, email=f"{contact_id}@example.com", title=title, stage=Stage.LEAD, **fields)  # type: ignore[arg-type]


def pricing(contact_id: str, day: float) -> tuple[datetime, Activity]:
    return _arrived(contact_id, ActivityKind.PAGE_VIEW, day, url="https://acme.example/pricing")


def demo(contact_id: str, day: float) -> tuple[datetime, Activity]:
    return _arrived(contact_id, ActivityKind.DEMO_REQUEST, day)


def _arrived(contact_id: str, kind: ActivityKind, day: float, **attributes: str) -> tuple[datetime, Activity]:
    at = START + day * DAY
    return at, Activity(f"{contact_id}-{kind.value}-{day}", kind, at, attributes=attributes)


def at_day(day: float) -> datetime:
    return START + day * DAY


def run(timeline: Timeline, used: Policy, until: datetime = NOW) -> Replayed:
    replayed, _ = replay(timeline, used, until, RoutingContext.of([]), retention=RETENTION)
    return replayed


# A lead's life: created, a demo request, accepted by the rep, evidence documented.
BUYER = Timeline(
    "buyer",
    versions=(
        (at_day(0), contact("buyer", "VP Sales")),
        (at_day(3), contact("buyer", "VP Sales", accepted=True, lead_status="IN_PROGRESS")),
        (
            at_day(6),
            contact(
                "buyer",
                "VP Sales",
                accepted=True,
                lead_status="IN_PROGRESS",
                evidence={"need": "slow follow-up", "budget": "$40k"},
            ),
        ),
    ),
    activities=(demo("buyer", 2),),
)


@pytest.mark.parametrize(
    ("until", "stages"),
    [
        (at_day(1), []),
        (at_day(2), [Stage.MQL]),
        (at_day(4), [Stage.MQL, Stage.SAL]),
        (at_day(7), [Stage.MQL, Stage.SAL, Stage.SQL]),
    ],
    ids=["created", "demo request", "accepted", "evidence"],
)
def test_a_replay_up_to_a_moment_makes_that_moments_moves_and_none_later(
    until: datetime, stages: list[Stage]
) -> None:
    replayed = run(BUYER, policy(), until)
    assert [move.to_stage for move in replayed.moves] == stages
    assert all(move.at <= until for move in replayed.moves)


def test_each_move_is_made_when_its_cause_arrived() -> None:
    moves = {move.to_stage: move.at for move in run(BUYER, policy()).moves}
    assert moves == {Stage.MQL: at_day(2), Stage.SAL: at_day(3), Stage.SQL: at_day(6)}


# Later news (a rejection, more evidence, a downgrade of the title) appended to a timeline must
# leave every earlier move as it was: a replay never peeks at what came after a moment.
@pytest.mark.parametrize(
    "later",
    [
        (at_day(8), contact("buyer", "VP Sales", rejected=True, disqualification_reason="no_need")),
        (at_day(6.5), contact("buyer", "Student")),
        (at_day(2.5), contact("buyer", "Intern", accepted=False)),
    ],
    ids=["rejected later", "title changed after SQL", "title changed right after the MQL"],
)
def test_later_news_never_changes_an_earlier_move(later: tuple[datetime, Contact]) -> None:
    versions = tuple(sorted((*BUYER.versions, later), key=lambda version: version[0]))
    with_news = run(replace(BUYER, versions=versions), policy())
    without = run(BUYER, policy())
    before = [move for move in without.moves if move.at < later[0]]
    assert [move for move in with_news.moves if move.at < later[0]] == before
    assert before, "the case must have moves before the news to compare"


def test_a_demo_that_arrived_later_than_it_happened_counts_from_its_arrival() -> None:
    occurred, activity = demo("late", 1)
    # The contact changed on day 3: a moment between the demo and its arrival.
    versions = (
        (at_day(0), contact("late", "VP Sales")),
        (at_day(3), contact("late", "VP Sales", country="US")),
    )
    timeline = Timeline("late", versions=versions, activities=((at_day(5), activity),))
    assert occurred == at_day(1)
    (moved,) = run(timeline, policy()).moves
    assert (moved.to_stage, moved.at) == (Stage.MQL, at_day(5))


def test_the_live_policys_stage_in_the_crm_does_not_leak_into_the_replay() -> None:
    """The CRM shows the stage and date the live policy wrote (MQL); a stricter policy replayed
    over it must not see an MQL it never made."""
    written = contact("seen", "VP Sales", mql_at=at_day(1), stage_entered_at=at_day(1))
    timeline = Timeline(
        "seen",
        versions=((at_day(0), contact("seen", "VP Sales")), (at_day(1.5), replace(written, stage=Stage.MQL))),
        activities=(pricing("seen", 1), pricing("seen", 1.2), pricing("seen", 1.4)),
    )
    assert run(timeline, policy(bar=60)).qualified is not None
    stricter = run(timeline, policy(bar=90))
    assert (stricter.qualified, stricter.stage) == (None, Stage.LEAD)


def test_the_live_policys_owner_in_the_crm_does_not_leak_into_the_replay() -> None:
    """The live policy made the lead an MQL and assigned it; the CRM shows that owner and when it
    was assigned. A stricter policy that never routes the lead must not inherit either."""
    live = replace(
        contact("owned", "VP Sales", owner_id="live-rep", owner_assigned_at=at_day(1), escalated_from=("x",)),
        stage=Stage.MQL,
    )
    timeline = Timeline(
        "owned",
        versions=((at_day(0), contact("owned", "VP Sales")), (at_day(1.5), live)),
        activities=(pricing("owned", 1), pricing("owned", 1.2), pricing("owned", 1.4)),
    )
    assert run(timeline, policy(bar=60)).qualified is not None
    stricter = run(timeline, policy(bar=90))
    assert (stricter.stage, stricter.owner_id) == (Stage.LEAD, None)


# The backtest: four leads around the two bars (60 now, 45 proposed), one won later.
LEADS = [
    # fit 30 + two pricing views = 50: MQL at 45 only.
    Timeline(
        "between",
        versions=((at_day(0), contact("between", "Director IT")),),
        activities=(pricing("between", 1), pricing("between", 4)),
    ),
    # fit 30 + a demo request (high intent): MQL under both, at the demo.
    Timeline("demo", versions=((at_day(0), contact("demo", "VP Sales")),), activities=(demo("demo", 2),)),
    # fit 0: never an MQL, whatever it does.
    Timeline(
        "student",
        versions=((at_day(0), contact("student", "Student")),),
        activities=(demo("student", 1), pricing("student", 2)),
    ),
    # fit 30 + one pricing view = 40: below both bars.
    Timeline(
        "browser", versions=((at_day(0), contact("browser", "VP Ops")),), activities=(pricing("browser", 3),)
    ),
    # fit 30 + 3 pricing views: 50 at day 5 (MQL at 45), 60 at day 9 (MQL at 60): won later.
    Timeline(
        "slow",
        versions=((at_day(0), contact("slow", "VP Finance")),),
        activities=(pricing("slow", 1), pricing("slow", 5), pricing("slow", 9)),
    ),
]
OUTCOMES = {"slow": Outcome(opportunity_at=at_day(20), won_at=at_day(40), amount=12_000.0)}


def backtest(current: Policy, new: Policy):  # type: ignore[no-untyped-def]
    return compare(
        [run(t, current) for t in LEADS],
        [run(t, new) for t in LEADS],
        OUTCOMES,
        versions=(current.policy.version, new.policy.version),
        start=START,
        end=NOW,
    )


def test_a_policy_backtested_against_itself_changes_nothing() -> None:
    result = backtest(policy(), policy(version="copy"))
    assert result.changes == 0
    assert (result.won_timing.same, result.won_timing.earlier, result.won_timing.later) == (1, 0, 0)
    assert result.current.mql == result.new.mql == 2


def test_a_lower_bar_makes_mql_exactly_the_leads_between_the_two_bars() -> None:
    result = backtest(policy(bar=60), policy(bar=45, version="lower"))
    assert [lead.contact_id for lead in result.became_mql] == ["between"]
    assert result.no_longer_mql == ()
    (between,) = result.became_mql
    assert between.at == at_day(4)
    assert any(reason.rule == "stages.mql" for reason in between.reasons)


def test_a_higher_bar_drops_exactly_the_leads_between_the_two_bars() -> None:
    result = backtest(policy(bar=45), policy(bar=60, version="higher"))
    assert [lead.contact_id for lead in result.no_longer_mql] == ["between"]
    assert result.became_mql == ()


def test_the_won_lead_is_flagged_four_days_earlier_under_the_lower_bar() -> None:
    result = backtest(policy(bar=60), policy(bar=45, version="lower"))
    assert result.won_timing.earlier == 1
    assert result.won_timing.median_days_earlier == 4.0


@pytest.mark.parametrize(
    ("bar", "mql", "precision", "recall", "lift"),
    [
        # 5 leads, 1 won (slow): base rate 1/5. The demo request is high intent at any bar.
        (60, 2, 1 / 2, 1.0, 2.5),
        (45, 3, 1 / 3, 1.0, 5 / 3),
        (90, 1, 0.0, 0.0, 0.0),
    ],
)
def test_precision_recall_and_lift_of_the_mql_decision(
    bar: int, mql: int, precision: float, recall: float, lift: float
) -> None:
    side = backtest(policy(), policy(bar=bar, version=str(bar))).new
    assert side.mql == mql
    assert side.precision == pytest.approx(precision)
    assert side.recall == pytest.approx(recall)
    assert side.lift == pytest.approx(lift)
    assert side.won == (1 if recall else 0)
    assert side.revenue == (12_000.0 if recall else 0.0)


def test_replays_of_different_leads_are_refused() -> None:
    with pytest.raises(ValueError, match="same leads"):
        compare(
            [run(LEADS[0], policy())],
            [run(LEADS[1], policy())],
            {},
            versions=("a", "b"),
            start=START,
            end=NOW,
        )
