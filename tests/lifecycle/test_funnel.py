"""Funnel metrics over the hand-computed history of `funnel_world`: every number worked out by hand
(the sums are beside each expectation), then the health checks' thresholds as a table."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from handoff.config.policy import Targets
from handoff.config.vocabulary import Stage
from handoff.lifecycle.funnel import (
    Acceptance,
    Cohort,
    FunnelReport,
    LeadHistory,
    Move,
    ReasonShare,
    SlaRow,
    StageTime,
    Step,
    StepCounts,
    compute_funnel,
    health_checks,
    mql_trigger,
    percentile,
)
from tests.lifecycle.funnel_world import LEADS, NOW, REPS, SINCE, TARGETS, UNTIL


@pytest.fixture(scope="module")
def report() -> FunnelReport:
    return compute_funnel(LEADS, now=NOW, since=SINCE, until=UNTIL, reps=REPS, targets=TARGETS, by="team")


def test_only_the_leads_that_entered_the_funnel_in_the_range_count(report: FunnelReport) -> None:
    # L8 (December), L9 (never an MQL) and L10 (September) are out.
    assert report.leads == 7
    assert report.revenue == 30_000  # L1's 10,000 and L6's 20,000; L4's deal is open


def test_conversion_by_cohort_ever_reached_and_strict(report: FunnelReport) -> None:
    october, november = report.cohorts
    # October: L1 goes all the way, L2 to SAL, L3 stays an MQL; all windows closed by 15 Dec.
    assert october == Cohort(
        "2026-10", StepCounts(3, 2, 1, 1, 1), StepCounts(3, 2, 1, 1, 1), mature=True, target=4
    )
    # November: L4 to opportunity, L6 straight to SQL and won (reached, never strict), L5 and L7
    # stay MQLs; L6's and L7's windows are still open on 15 Dec.
    assert november == Cohort(
        "2026-11", StepCounts(4, 1, 2, 2, 1), StepCounts(3, 1, 1, 1, 0), mature=False, target=5
    )
    assert report.total == Cohort(
        "all", StepCounts(7, 3, 3, 3, 2), StepCounts(6, 3, 2, 2, 1), mature=False, target=9
    )
    assert october.mql_to_sql == pytest.approx(1 / 3)
    assert november.mql_to_sql == 0.5
    assert november.of_target == 0.8


def test_a_stage_reached_after_the_window_is_not_a_conversion() -> None:
    late_sql = LeadHistory(
        "x",
        moves=(
            Move(SINCE, None, Stage.MQL),
            Move(SINCE + timedelta(days=1), Stage.MQL, Stage.SAL),
            Move(SINCE + timedelta(days=31), Stage.SAL, Stage.SQL),
        ),
    )

    found = compute_funnel([late_sql], now=NOW, since=SINCE, until=UNTIL)

    assert found.total.reached == StepCounts(1, 1, 0, 0, 0)
    assert found.total.strict == StepCounts(1, 1, 0, 0, 0)
    # Time between stages knows no window: the 30 days from SAL to SQL are measured.
    assert found.stage_times[1] == StageTime(Step.SAL, Step.SQL, 1, 720.0, 720.0)


def test_time_between_stages_median_and_p90(report: FunnelReport) -> None:
    assert report.stage_times == (
        # L4 1 h, L1 4 h, L2 24 h: median 4; p90 at rank 1.8 = 4 + 0.8 × 20.
        StageTime(Step.MQL, Step.SAL, 3, 4.0, 20.0),
        # L1 68 h, L4 167 h: median 117.5; p90 = 68 + 0.9 × 99.
        StageTime(Step.SAL, Step.SQL, 2, 117.5, 157.1),
        # L4 48 h, L6 72 h, L1 120 h: median 72; p90 = 72 + 0.8 × 48.
        StageTime(Step.SQL, Step.OPPORTUNITY, 3, 72.0, 110.4),
        # L1 240 h, L6 288 h.
        StageTime(Step.OPPORTUNITY, Step.WON, 2, 264.0, 283.2),
        # L6 0 h (it entered at SQL), L1 72 h, L4 168 h: p90 = 72 + 0.8 × 96.
        StageTime(Step.MQL, Step.SQL, 3, 72.0, 148.8),
    )


def test_sal_acceptance(report: FunnelReport) -> None:
    # Accepted L1, L2, L4; rejected L3 (recycled), L7 (disqualified); L5 pending; L6 never an MQL.
    assert report.acceptance == Acceptance(accepted=3, rejected=2, pending=1)
    assert report.acceptance.rate == 0.6


def test_rejection_reasons_and_their_shares(report: FunnelReport) -> None:
    assert report.reasons == (
        ReasonShare("no_budget", "recycled", 2, 2 / 3),
        ReasonShare("no_need", "disqualified", 1, 1 / 3),
    )


def test_sla_compliance_per_clock_team_and_rep(report: FunnelReport) -> None:
    rows = {(row.clock, row.team, row.rep): row for row in report.sla}
    # first touch: on time L1 (2 h), L2 (6 h); late L4 (8 h); breached L3, and L5 (overdue, no
    # breach on record). Hours of the met ones: median 6, p90 = 6 + 0.8 × 2.
    assert rows["first_touch", None, None] == SlaRow("first_touch", None, None, 2, 1, 2, 0, 6.0, 7.6)
    assert rows["first_touch", None, None].compliance == 0.4
    # accept: on time L1 (4 h, on its due minute), L4 (1 h); late L2 (24 h); breached L3; open
    # L5; L7's stopped before it was due and does not count.
    assert rows["accept", None, None] == SlaRow("accept", None, None, 2, 1, 1, 1, 4.0, 20.0)
    assert rows["discovery", None, None] == SlaRow("discovery", None, None, 0, 1, 0, 0, 167.0, 167.0)
    assert rows["first_touch", "emea", None] == SlaRow("first_touch", "emea", None, 2, 0, 0, 0, 4.0, 5.6)
    assert rows["first_touch", "na", None] == SlaRow("first_touch", "na", None, 0, 1, 2, 0, 8.0, 8.0)
    assert rows["accept", None, "Ana"] == SlaRow("accept", None, "Ana", 1, 1, 0, 0, 14.0, 22.0)
    assert rows["accept", None, "Ben"] == SlaRow("accept", None, "Ben", 1, 0, 1, 1, 1.0, 1.0)
    assert list(rows) == [
        ("accept", None, None),
        ("discovery", None, None),
        ("first_touch", None, None),
        ("accept", "emea", None),
        ("accept", "na", None),
        ("discovery", "na", None),
        ("first_touch", "emea", None),
        ("first_touch", "na", None),
        ("accept", None, "Ana"),
        ("accept", None, "Ben"),
        ("discovery", None, "Ben"),
        ("first_touch", None, "Ana"),
        ("first_touch", None, "Ben"),
    ]


def test_first_touch_distribution(report: FunnelReport) -> None:
    # L1 2 h, L2 6 h, L4 8 h (8 is not below 8); L3 and L5 never touched.
    assert report.first_touch_buckets == (
        ("< 1 h", 0),
        ("1–4 h", 1),
        ("4–8 h", 1),
        ("8–24 h", 1),
        ("24–48 h", 0),
        ("≥ 48 h", 0),
        ("not touched", 2),
    )


def test_source_campaign_and_trigger_performance_to_date(report: FunnelReport) -> None:
    sources = {s.value: (s.reached, s.revenue, s.acceptance) for s in report.sources}
    assert [s.value for s in report.sources] == ["paid_search", "webinar", "(none)", "referral"]
    assert sources["paid_search"] == (StepCounts(3, 3, 2, 2, 1), 10_000.0, Acceptance(3, 0, 0))
    assert sources["webinar"] == (StepCounts(2, 0, 0, 0, 0), 0.0, Acceptance(0, 2, 0))
    assert sources["referral"] == (StepCounts(1, 0, 1, 1, 1), 20_000.0, Acceptance(0, 0, 0))
    assert sources["(none)"] == (StepCounts(1, 0, 0, 0, 0), 0.0, Acceptance(0, 0, 1))
    paid = report.sources[0]
    assert (paid.first_touch.on_time, paid.first_touch.late, paid.first_touch.breached) == (2, 1, 0)
    assert paid.mql_to_sql == pytest.approx(2 / 3)
    campaigns = {s.value: (s.reached, s.revenue) for s in report.campaigns}
    assert campaigns == {
        "(none)": (StepCounts(4, 0, 1, 1, 1), 20_000.0),
        "q4-launch": (StepCounts(2, 2, 1, 1, 1), 10_000.0),
        "brand": (StepCounts(1, 1, 1, 1, 0), 0.0),
    }
    triggers = {s.value: (s.reached, s.revenue) for s in report.triggers}
    assert [s.value for s in report.triggers] == [
        "(none)",
        "Demo request",
        "Webinar attended",
        "Pricing page, 3+ visits in 7 days",
    ]
    assert triggers["Demo request"] == (StepCounts(2, 2, 2, 2, 1), 10_000.0)
    assert triggers["Pricing page, 3+ visits in 7 days"] == (StepCounts(1, 1, 0, 0, 0), 0.0)


def test_segments_by_team(report: FunnelReport) -> None:
    teams = {s.value: (s.reached, s.revenue, s.acceptance) for s in report.segments}
    # emea (Ana): L1, L2, L6; na (Ben): L3, L4, L5, L7.
    assert teams == {
        "na": (StepCounts(4, 1, 1, 1, 0), 0.0, Acceptance(1, 2, 1)),
        "emea": (StepCounts(3, 2, 2, 2, 2), 30_000, Acceptance(2, 0, 0)),
    }
    assert report.by == "team"


def test_the_health_of_the_hand_computed_history(report: FunnelReport) -> None:
    assert [str(check) for check in health_checks(report, TARGETS)] == [
        "MQL→SQL is 43% (3 of 7 within 30 days): above the healthy 20%–30%; the MQL bar may be tight.",
        "SAL acceptance 60% (3 of 5): reps are cherry-picking or the criteria are wrong.",
        "67% of rejections are no_budget: add a budget signal to the MQL definition.",
        "First touch within SLA for 40% of MQLs (2 of 5).",
        "2026-10: 3 MQLs of 4 committed (75%), MQL→SQL 33% within 30 days.",
        "2026-11: 4 MQLs of 5 committed (80%), MQL→SQL 50% within 30 days.",
    ]


def _with(report: FunnelReport, **changes: object) -> FunnelReport:
    return dataclasses.replace(report, **changes)  # type: ignore[arg-type]


def _total(mqls: int, sqls: int) -> Cohort:
    return Cohort("all", StepCounts(mql=mqls, sql=sqls), StepCounts(), mature=True)


def _reasons(*shares: tuple[str, float]) -> tuple[ReasonShare, ...]:
    return tuple(ReasonShare(code, "recycled", round(share * 100), share) for code, share in shares)


HEALTH = [
    (
        "loose",
        {"total": _total(100, 8)},
        "MQL→SQL is 8% (8 of 100 within 30 days): the MQL bar is probably too loose.",
    ),
    (
        "a little loose",
        {"total": _total(100, 15)},
        "MQL→SQL is 15% (15 of 100 within 30 days): below the healthy 20%–30%; the MQL bar may be loose.",
    ),
    ("healthy", {"total": _total(100, 25)}, "MQL→SQL is 25% (25 of 100 within 30 days): healthy (20%–30%)."),
    (
        "strict",
        {"total": _total(100, 60)},
        "MQL→SQL is 60% (60 of 100 within 30 days): the MQL bar is probably too strict.",
    ),
    ("no MQLs", {"total": _total(0, 0)}, "No MQLs in the period: there is no funnel to judge yet."),
    (
        "credible",
        {"acceptance": Acceptance(97, 3, 0)},
        "SAL acceptance 97% (97 of 100): reps find the MQLs credible.",
    ),
    (
        "picky",
        {"acceptance": Acceptance(85, 15, 0)},
        "SAL acceptance 85% (85 of 100): below the 95% of a credible MQL; read the rejection reasons.",
    ),
    (
        "cherry-picking",
        {"acceptance": Acceptance(62, 38, 4)},
        "SAL acceptance 62% (62 of 100): reps are cherry-picking or the criteria are wrong.",
    ),
    (
        "no budget",
        {"reasons": _reasons(("no_budget", 0.41), ("no_need", 0.59))},
        "41% of rejections are no_budget: add a budget signal to the MQL definition.",
    ),
    (
        "no authority",
        {"reasons": _reasons(("no_authority", 0.30), ("no_need", 0.70))},
        "30% of rejections are no_authority: job-title scoring needs recalibration.",
    ),
    (
        "a dominant reason",
        {"reasons": _reasons(("bad_data", 0.45))},
        "45% of rejections are bad_data: find the signal that tells these leads apart and add it to the MQL "
        "definition.",
    ),
]


@pytest.mark.parametrize(("name", "changes", "expected"), HEALTH, ids=[case[0] for case in HEALTH])
def test_health_checks_read_their_thresholds(
    name: str, changes: dict[str, object], expected: str, report: FunnelReport
) -> None:
    said = [str(check) for check in health_checks(_with(report, **changes))]

    assert expected in said


QUIET = [
    ("no budget below its 40%", {"reasons": _reasons(("no_budget", 0.39), ("no_need", 0.39))}, "no_budget"),
    ("no authority below its 30%", {"reasons": _reasons(("no_authority", 0.29))}, "no_authority"),
    ("no decided MQL", {"acceptance": Acceptance(0, 0, 5)}, "SAL acceptance"),
]


@pytest.mark.parametrize(("name", "changes", "absent"), QUIET, ids=[case[0] for case in QUIET])
def test_below_a_threshold_nothing_is_said(
    name: str, changes: dict[str, object], absent: str, report: FunnelReport
) -> None:
    said = " ".join(str(check) for check in health_checks(_with(report, **changes)))

    assert absent not in said


def test_a_month_not_over_is_measured_so_far() -> None:
    lead = LeadHistory("x", moves=(Move(datetime(2026, 12, 2, tzinfo=UTC), None, Stage.MQL),))
    found = compute_funnel(
        [lead],
        now=datetime(2026, 12, 10, tzinfo=UTC),
        since=datetime(2026, 12, 1, tzinfo=UTC),
        until=datetime(2027, 1, 1, tzinfo=UTC),
        targets=Targets(mql_per_month=4),
    )

    assert "2026-12: 1 MQLs of 4 committed so far (25%), MQL→SQL 0% within 30 days." in [
        str(c) for c in health_checks(found)
    ]


def test_cohorts_are_months_of_the_policy_time_zone() -> None:
    # 30 Nov 23:30 in New York is 1 Dec 04:30 UTC: a November MQL there.
    lead = LeadHistory("x", moves=(Move(datetime(2026, 12, 1, 4, 30, tzinfo=UTC), None, Stage.MQL),))
    from zoneinfo import ZoneInfo

    found = compute_funnel([lead], now=NOW, since=SINCE, until=NOW, timezone=ZoneInfo("America/New_York"))

    assert [c.month for c in found.cohorts] == ["2026-11"]


PERCENTILES = [
    ([], 0.5, None),
    ([5.0], 0.9, 5.0),
    ([1.0, 2.0], 0.5, 1.5),
    ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9, 9.1),
]


@pytest.mark.parametrize(("values", "q", "expected"), PERCENTILES)
def test_percentiles_interpolate_between_ranks(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


TRIGGERS = [
    (
        "the hand-raise the move names",
        (
            "high_intent",
            "fit 40 ≥ 30 and high-intent action: Demo request",
            [("Size", 20), ("Demo request", 25)],
        ),
        "Demo request",
    ),
    (
        "the behaviour rule worth most",
        ("score", "fit 40 ≥ 30 and score 60 ≥ 50", [("Size", 30), ("Webinar", 10), ("Pricing page", 15)]),
        "Pricing page",
    ),
    ("no behaviour rule known", ("score", "fit 40 ≥ 30 and score 60 ≥ 50", [("Size", 30)]), None),
]


@pytest.mark.parametrize(("name", "given", "expected"), TRIGGERS, ids=[case[0] for case in TRIGGERS])
def test_what_made_a_lead_an_mql(
    name: str, given: tuple[str, str, list[tuple[str, int]]], expected: str | None
) -> None:
    signal, detail, reasons = given

    assert mql_trigger(signal, detail, reasons, ("Demo request", "Webinar", "Pricing page")) == expected


def test_the_rebuild_analysis_gives_each_rules_lift_by_hand(report: FunnelReport) -> None:
    # Settled MQLs of the range: L1 won (fit, webinar, demo), L6 won (went straight to SQL: no MQL
    # decision, no rules), L7 disqualified (fit, webinar). L2 and L3 were recycled, not
    # disqualified: they are not settled. Base won share 2/3. Demo: 1 won of 1 = 1.0, lift 1.5;
    # fit and webinar: 1 won of 2 = 0.5, lift 0.75.
    lifts = [
        (r.rule, r.won, r.disqualified, None if r.lift is None else round(r.lift, 6))
        for r in report.rule_lift
    ]
    assert lifts == [
        ("Demo request", 1, 0, 1.5),
        ("Company size 50–500", 1, 1, 0.75),
        ("Webinar attended", 1, 1, 0.75),
    ]
