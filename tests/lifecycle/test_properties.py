"""Properties that must hold for every lead, not just the ones we thought of."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.config.loader import load_policy, parse_policy
from handoff.config.policy import MAX_POINTS
from handoff.config.vocabulary import CRM_OWNED_STAGES, FUNNEL_ORDER, ActivityKind, Stage
from handoff.lifecycle.codec import decision_to_dict
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.records import Activity, Company, Contact
from tests.conftest import NOW

POLICY = load_policy()
CAPS = {rule.label: rule.cap for rule in POLICY.behavior.rule if rule.cap}

# What leads do, including the one negative signal of the default policy (careers pages).
POSITIVE_ACTIONS: list[tuple[ActivityKind, dict[str, str]]] = [
    (ActivityKind.DEMO_REQUEST, {}),
    (ActivityKind.CONTACT_REQUEST, {}),
    (ActivityKind.CHAT, {}),
    (ActivityKind.TRIAL_SIGNUP, {}),
    (ActivityKind.EMAIL_REPLY, {}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/pricing"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/product/routing"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/blog/post"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/compare/acme-vs-rivalytics"}),
    (ActivityKind.PAGE_VIEW, {"url": "https://acme.example/customers/northwind"}),
    (ActivityKind.CONTENT_DOWNLOAD, {"asset": "Case study: Northwind"}),
    (ActivityKind.CONTENT_DOWNLOAD, {"asset": "Whitepaper: routing"}),
    (ActivityKind.WEBINAR_ATTENDED, {"asset": "Product walkthrough"}),
    (ActivityKind.WEBINAR_ATTENDED, {"asset": "The future of RevOps"}),
    (ActivityKind.WEBINAR_REGISTERED, {}),
    (ActivityKind.NEWSLETTER_SIGNUP, {}),
    (ActivityKind.EMAIL_OPEN, {}),
    (ActivityKind.EMAIL_CLICK, {}),
    (ActivityKind.SOCIAL_FOLLOW, {}),
    (ActivityKind.CALL, {}),
    (ActivityKind.MEETING, {}),
]
NEGATIVE_ACTIONS = [(ActivityKind.PAGE_VIEW, {"url": "https://acme.example/careers/jobs"})]


def activities(actions: list[tuple[ActivityKind, dict[str, str]]]) -> st.SearchStrategy[Activity]:
    return st.builds(
        lambda action, days, n: Activity(
            id=f"a{n}", kind=action[0], occurred_at=NOW - timedelta(days=days), attributes=action[1]
        ),
        st.sampled_from(actions),
        st.floats(min_value=-2, max_value=120, allow_nan=False),
        st.integers(min_value=0, max_value=10**9),
    )


companies = st.one_of(
    st.just(Company()),
    st.builds(
        Company,
        name=st.sampled_from(["Northwind", "Ledgerly", None]),
        employees=st.one_of(st.none(), st.integers(min_value=0, max_value=50_000)),
        industry=st.sampled_from(["SaaS", "Retail", "Education", None]),
        country=st.sampled_from(["US", "GB", "IN", "br", None]),
    ),
)
evidence = st.dictionaries(
    st.sampled_from(["need", "authority", "timeline", "budget"]),
    st.sampled_from(["documented", "tbd", "", " yes "]),
)
contacts = st.builds(
    Contact,
    id=st.just("c1"),
    email=st.sampled_from(["a@northwind.example", "b@gmail.com", "c@uni.edu", "d@rivalytics.example", None]),
    title=st.sampled_from(["VP Sales", "Student", "Analyst", "Head of Marketing", None]),
    company=companies,
    stage=st.one_of(st.none(), st.sampled_from(list(Stage))),
    stage_entered_at=st.one_of(
        st.none(), st.floats(min_value=0, max_value=400).map(lambda d: NOW - timedelta(days=d))
    ),
    accepted=st.booleans(),
    rejected=st.booleans(),
    disqualification_reason=st.sampled_from([None, "no_budget", "no_need", "competitor", "not interested"]),
    evidence=evidence,
)
positive_lists = st.lists(activities(POSITIVE_ACTIONS), max_size=25)
any_lists = st.lists(activities(POSITIVE_ACTIONS + NEGATIVE_ACTIONS), max_size=25)


@given(contacts, positive_lists, activities(POSITIVE_ACTIONS))
def test_adding_a_positive_activity_never_lowers_the_score(
    contact: Contact, history: list[Activity], extra: Activity
) -> None:
    before = evaluate(contact, history, POLICY, NOW)
    after = evaluate(contact, [*history, extra], POLICY, NOW)

    assert after.score >= before.score


@settings(max_examples=200)
@given(
    st.integers(min_value=100, max_value=MAX_POINTS),
    st.floats(min_value=0.5, max_value=365),
)
def test_after_one_half_life_an_activity_is_worth_half(points: int, half_life: float) -> None:
    policy = parse_policy(_single_rule_policy(points, half_life))
    lead = Contact(id="c1")
    fresh = Activity(id="a", kind=ActivityKind.DEMO_REQUEST, occurred_at=NOW)
    aged = Activity(id="a", kind=ActivityKind.DEMO_REQUEST, occurred_at=NOW - timedelta(days=half_life))
    twice = Activity(id="a", kind=ActivityKind.DEMO_REQUEST, occurred_at=NOW - timedelta(days=2 * half_life))

    assert evaluate(lead, [fresh], policy, NOW).behavior == points
    assert abs(evaluate(lead, [aged], policy, NOW).behavior - points / 2) <= 0.5
    assert abs(evaluate(lead, [twice], policy, NOW).behavior - points / 4) <= 0.5


@given(contacts, any_lists)
def test_caps_hold(contact: Contact, history: list[Activity]) -> None:
    decision = evaluate(contact, history, POLICY, NOW)

    for reason in decision.reasons:
        if reason.rule in CAPS:
            assert abs(reason.points or 0) <= CAPS[reason.rule]
    assert POLICY.behavior.cap is not None
    assert decision.behavior <= POLICY.behavior.cap


@given(contacts, any_lists, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_activities(
    contact: Contact, history: list[Activity], rng: Random
) -> None:
    shuffled = list(history)
    rng.shuffle(shuffled)

    assert decision_to_dict(evaluate(contact, shuffled, POLICY, NOW)) == decision_to_dict(
        evaluate(contact, history, POLICY, NOW)
    )


@settings(max_examples=500)
@given(contacts, any_lists)
def test_stages_never_move_backward_except_through_recycle_or_disqualify(
    contact: Contact, history: list[Activity]
) -> None:
    decision = evaluate(contact, history, POLICY, NOW)
    before, after = contact.stage, decision.stage

    if before in CRM_OWNED_STAGES or before is Stage.DISQUALIFIED:
        assert after == before
    if after in (Stage.RECYCLED, Stage.DISQUALIFIED) and after != before:
        assert decision.moves[-1].reason.signal == "rejection"
    if before in FUNNEL_ORDER and after in FUNNEL_ORDER:
        assert FUNNEL_ORDER[after] >= FUNNEL_ORDER[before]
    for move in decision.moves:
        if move.from_stage in FUNNEL_ORDER and move.to_stage in FUNNEL_ORDER:
            assert FUNNEL_ORDER[move.to_stage] > FUNNEL_ORDER[move.from_stage]


def _single_rule_policy(points: int, half_life: float) -> str:
    return f"""
[policy]
name = "half-life"
version = "1"
[behavior]
window_days = 3650
half_life_days = {half_life!r}
[[behavior.rule]]
label = "Demo"
activity = "demo_request"
points = {points}
[stages.mql]
fit_minimum = 0
score_minimum = 50
[stages.sql]
requires = ["need"]
[disqualification.reasons]
no_need = "disqualify"
"""
