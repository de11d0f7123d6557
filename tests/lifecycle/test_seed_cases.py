"""The seed definitions of the revenue contract, as a table, with the shipped default policy."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from handoff.config.policy import Policy
from handoff.config.vocabulary import ActivityKind as K
from handoff.config.vocabulary import Stage
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.records import Activity, Contact
from tests.conftest import NOW
from tests.lifecycle.leads import BANT, act, at_stage, fit_lead, page, personal_lead, student_lead


@dataclass(frozen=True)
class Case:
    name: str
    contact: Contact
    activities: tuple[Activity, ...]
    stage: Stage
    signal: str | None = None
    problem: str | None = None


def _blog_binge() -> tuple[Activity, ...]:
    return tuple(page(f"/blog/post-{i}", days_ago=i / 4) for i in range(40))


def _engaged() -> tuple[Activity, ...]:
    return (
        act(K.DEMO_REQUEST, 1),
        act(K.CONTACT_REQUEST, 2),
        page("/pricing", 1),
        page("/pricing", 2),
        page("/pricing", 3),
        act(K.WEBINAR_ATTENDED, 4, asset="Product walkthrough"),
        act(K.CONTENT_DOWNLOAD, 5, asset="Case study: Northwind"),
    )


CASES = [
    Case(
        "perfect fit, one blog download: not an MQL",
        fit_lead(),
        (act(K.CONTENT_DOWNLOAD, 0, asset="Blog: metrics"),),
        Stage.LEAD,
    ),
    Case(
        "perfect fit, one blog page view: not an MQL", fit_lead(), (page("/blog/funnel-metrics"),), Stage.LEAD
    ),
    Case("highly engaged personal email, no company: not an MQL", personal_lead(), _engaged(), Stage.LEAD),
    Case("student binge-reading the blog: not an MQL", student_lead(), _blog_binge(), Stage.LEAD),
    Case(
        "VP at a 200-person SaaS company requesting a demo: MQL at once",
        fit_lead(),
        (act(K.DEMO_REQUEST),),
        Stage.MQL,
        "high_intent",
    ),
    Case(
        "fit lead whose score reaches 50: MQL",
        fit_lead(),
        (
            act(K.CONTENT_DOWNLOAD, 0, asset="Case study: Northwind"),
            act(K.WEBINAR_REGISTERED, 0, asset="Pipeline 101"),
        ),
        Stage.MQL,
        "score",
    ),
    Case(
        "fit lead at 49: not yet",
        fit_lead(),
        (act(K.CONTENT_DOWNLOAD, 0, asset="Case study: Northwind"), act(K.EMAIL_OPEN, 0)),
        Stage.LEAD,
    ),
    Case(
        "MQL without acceptance stays MQL",
        at_stage(fit_lead(), Stage.MQL),
        (act(K.DEMO_REQUEST, 1),),
        Stage.MQL,
    ),
    Case(
        "MQL accepted by the rep becomes SAL",
        at_stage(fit_lead(), Stage.MQL, accepted=True, lead_status="IN_PROGRESS"),
        (act(K.DEMO_REQUEST, 1),),
        Stage.SAL,
        "acceptance",
    ),
    Case(
        "a lead a rep already works goes through MQL to SAL when it qualifies",
        at_stage(fit_lead(), Stage.LEAD, accepted=True, lead_status="IN_PROGRESS"),
        (act(K.DEMO_REQUEST),),
        Stage.SAL,
        "acceptance",
    ),
    Case(
        "a lead below MQL is not made SAL by acceptance",
        at_stage(fit_lead(), Stage.LEAD, accepted=True),
        (),
        Stage.LEAD,
    ),
    Case(
        "SAL with three of four BANT items is not SQL",
        at_stage(
            fit_lead(), Stage.SAL, accepted=True, evidence={k: v for k, v in BANT.items() if k != "budget"}
        ),
        (),
        Stage.SAL,
    ),
    Case(
        "SAL with a placeholder budget is not SQL",
        at_stage(fit_lead(), Stage.SAL, accepted=True, evidence={**BANT, "budget": "TBD"}),
        (),
        Stage.SAL,
    ),
    Case(
        "SAL with every BANT item documented becomes SQL",
        at_stage(fit_lead(), Stage.SAL, accepted=True, evidence=BANT),
        (),
        Stage.SQL,
        "evidence",
    ),
    Case(
        "accepted MQL with full evidence goes to SQL through SAL",
        at_stage(fit_lead(), Stage.MQL, accepted=True, evidence=BANT),
        (),
        Stage.SQL,
        "evidence",
    ),
    Case(
        "rejection with 'not interested' is refused and reported",
        at_stage(fit_lead(), Stage.MQL, rejected=True, disqualification_reason="not interested"),
        (act(K.DEMO_REQUEST, 1),),
        Stage.MQL,
        "rejection_refused",
        "'not interested' is not a reason",
    ),
    Case(
        "rejection without any reason is refused and reported",
        at_stage(fit_lead(), Stage.SAL, rejected=True),
        (),
        Stage.SAL,
        "rejection_refused",
        "no reason was given",
    ),
    Case(
        "recycle reason moves the lead to recycled",
        at_stage(fit_lead(), Stage.SAL, rejected=True, disqualification_reason="no_budget"),
        (act(K.DEMO_REQUEST, 3),),
        Stage.RECYCLED,
        "rejection",
    ),
    Case(
        "a reason alone (without the rejected flag) is a rejection too",
        at_stage(fit_lead(), Stage.MQL, disqualification_reason="timeline_12m_plus"),
        (),
        Stage.RECYCLED,
        "rejection",
    ),
    Case(
        "recycled inside its cooldown stays recycled, whatever it does",
        at_stage(fit_lead(), Stage.RECYCLED, days_ago=30, disqualification_reason="no_budget"),
        (act(K.DEMO_REQUEST, 0),),
        Stage.RECYCLED,
        "cooldown",
    ),
    Case(
        "recycled after its cooldown re-qualifies on a fresh hand-raise",
        at_stage(fit_lead(), Stage.RECYCLED, days_ago=181, disqualification_reason="no_budget"),
        (act(K.DEMO_REQUEST, 0),),
        Stage.MQL,
        "requalified",
    ),
    Case(
        "recycled after its cooldown without new interest stays recycled",
        at_stage(fit_lead(), Stage.RECYCLED, days_ago=181, disqualification_reason="no_budget"),
        (page("/blog/one", 1),),
        Stage.RECYCLED,
        "cooldown_over",
    ),
    Case(
        "disqualify reason moves the lead to disqualified",
        at_stage(fit_lead(), Stage.MQL, rejected=True, disqualification_reason="competitor"),
        (),
        Stage.DISQUALIFIED,
        "rejection",
    ),
    Case(
        "disqualified stays disqualified, even on a demo request",
        at_stage(fit_lead(), Stage.DISQUALIFIED, disqualification_reason="no_need"),
        (act(K.DEMO_REQUEST, 0),),
        Stage.DISQUALIFIED,
    ),
    Case(
        "opportunity comes from the CRM and never moves",
        at_stage(fit_lead(), Stage.OPPORTUNITY),
        (),
        Stage.OPPORTUNITY,
        "crm",
    ),
    Case(
        "customer is never moved back, even when rejected",
        at_stage(fit_lead(), Stage.CUSTOMER, rejected=True, disqualification_reason="no_need"),
        (),
        Stage.CUSTOMER,
        "crm",
    ),
    Case(
        "SQL never falls back when evidence is removed",
        at_stage(fit_lead(), Stage.SQL, accepted=True, evidence={}),
        (),
        Stage.SQL,
    ),
    Case("a new contact becomes a lead", fit_lead(), (), Stage.LEAD),
    Case(
        "competitor requesting a demo: not an MQL",
        fit_lead(email="kim@rivalytics.example"),
        (act(K.DEMO_REQUEST),),
        Stage.LEAD,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_seed_case(case: Case, policy: Policy) -> None:
    decision = evaluate(case.contact, case.activities, policy, NOW)

    assert decision.stage == case.stage, decision.summary
    signals = {reason.signal for reason in decision.reasons} | {move.reason.signal for move in decision.moves}
    if case.signal is not None:
        assert case.signal in signals, [r.detail for r in decision.reasons]
    if case.problem is not None:
        assert any(case.problem in problem for problem in decision.problems), decision.problems
        assert case.problem in decision.summary
    else:
        assert decision.problems == ()


def test_every_point_is_explained(policy: Policy) -> None:
    decision = evaluate(
        fit_lead(), (act(K.DEMO_REQUEST), page("/blog/a"), page("/careers/jobs")), policy, NOW
    )

    explained = sum(reason.points or 0 for reason in decision.reasons)
    assert explained == decision.score
    assert [r.rule for r in decision.reasons if r.points] == [
        "Company size 50–500",
        "Target vertical",
        "Buyer persona title",
        "Served geography",
        "Demo request",
        "Blog post read",
        "Careers pages (job seeker)",
    ]


def test_a_new_contact_records_its_entry_as_a_move(policy: Policy) -> None:
    decision = evaluate(fit_lead(), (act(K.DEMO_REQUEST),), policy, NOW)

    assert [(m.from_stage, m.to_stage) for m in decision.moves] == [
        (None, Stage.LEAD),
        (Stage.LEAD, Stage.MQL),
    ]
    assert decision.previous_stage is None


def test_requalifying_clears_the_old_rejection(policy: Policy) -> None:
    recycled = at_stage(fit_lead(), Stage.RECYCLED, days_ago=200, disqualification_reason="no_budget")

    decision = evaluate(recycled, (act(K.DEMO_REQUEST),), policy, NOW)

    assert decision.clears_rejection
    assert "re-qualified after the recycle cooldown" in decision.moves[-1].reason.detail
    assert "waiting for the assigned rep to accept" in decision.summary


def test_a_hand_raise_before_the_recycle_does_not_requalify(policy: Policy) -> None:
    recycled = at_stage(fit_lead(), Stage.RECYCLED, days_ago=61, disqualification_reason="no_authority")

    decision = evaluate(recycled, (act(K.DEMO_REQUEST, days_ago=62),), policy, NOW)

    assert decision.stage is Stage.RECYCLED
    assert "no high-intent action since the recycle" in decision.summary


def test_future_activities_do_not_count(policy: Policy) -> None:
    decision = evaluate(fit_lead(), (act(K.DEMO_REQUEST, days_ago=-1),), policy, NOW)

    assert decision.stage is Stage.LEAD
    assert decision.behavior == 0


def test_naive_now_is_refused(policy: Policy) -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate(fit_lead(), (), policy, NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("before", "activities"),
    [
        (fit_lead(), (act(K.DEMO_REQUEST),)),
        (at_stage(fit_lead(), Stage.MQL, accepted=True, evidence=BANT), ()),
        (at_stage(fit_lead(), Stage.SAL, rejected=True, disqualification_reason="no_budget"), ()),
        (at_stage(fit_lead(), Stage.MQL, rejected=True, disqualification_reason="competitor"), ()),
        (
            at_stage(fit_lead(), Stage.RECYCLED, days_ago=200, disqualification_reason="no_budget"),
            (act(K.DEMO_REQUEST),),
        ),
    ],
    ids=["new to MQL", "MQL to SQL", "recycled", "disqualified", "re-qualified"],
)
def test_the_crm_reason_reads_the_same_after_a_move_and_at_the_next_look(
    before: Contact, activities: tuple[Activity, ...], policy: Policy
) -> None:
    moved = evaluate(before, activities, policy, NOW)
    after = at_stage(
        before,
        moved.stage,
        days_ago=0,
        disqualification_reason=None if moved.clears_rejection else before.disqualification_reason,
    )

    again = evaluate(after, activities, policy, NOW)

    assert moved.moves
    assert not again.moves
    assert again.summary == moved.summary
