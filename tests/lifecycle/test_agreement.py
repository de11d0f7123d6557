"""The 20-lead test's figures and rule lift, against values computed by hand."""

from __future__ import annotations

import pytest

from handoff.lifecycle.agreement import RuleLift, agreement, rule_lift

Y, N = True, False


@pytest.mark.parametrize(
    ("pairs", "agreed", "rate", "kappa"),
    [
        # 10 leads: both yes 4, both no 4, yes/no 1, no/yes 1. po = 0.8; each says yes 5/10:
        # pe = 0.5*0.5 + 0.5*0.5 = 0.5; kappa = (0.8 - 0.5) / 0.5 = 0.6.
        ([(Y, Y)] * 4 + [(N, N)] * 4 + [(Y, N), (N, Y)], 8, 0.8, 0.6),
        # 20 leads: a says yes 15, b yes 10; both yes 10, a-only 5, both no 5. po = 15/20 = 0.75;
        # pe = 0.75*0.5 + 0.25*0.5 = 0.5; kappa = 0.25 / 0.5 = 0.5.
        ([(Y, Y)] * 10 + [(Y, N)] * 5 + [(N, N)] * 5, 15, 0.75, 0.5),
        # Perfect disagreement on a balanced set: po = 0, pe = 0.5, kappa = -1.
        ([(Y, N)] * 3 + [(N, Y)] * 3, 0, 0.0, -1.0),
        # Perfect agreement with both classes present: kappa 1.
        ([(Y, Y)] * 2 + [(N, N)] * 3, 5, 1.0, 1.0),
        # Everyone says yes to everything: chance agreement is total, kappa is undefined.
        ([(Y, Y)] * 4, 4, 1.0, None),
    ],
    ids=["kappa 0.6", "kappa 0.5", "kappa -1", "kappa 1", "one class only"],
)
def test_agreement_and_kappa_match_the_hand_computed_values(
    pairs: list[tuple[bool, bool]], agreed: int, rate: float, kappa: float | None
) -> None:
    found = agreement(pairs)
    assert (found.leads, found.agreed) == (len(pairs), agreed)
    assert found.rate == pytest.approx(rate)
    assert found.kappa == (None if kappa is None else pytest.approx(kappa))


def test_no_verdicts_give_no_figures() -> None:
    found = agreement([])
    assert (found.leads, found.rate, found.kappa) == (0, None, None)


def test_rule_lift_matches_the_hand_computed_values() -> None:
    # 10 MQLs, 4 won (base 0.4). "Demo" fired for 3 won and 1 lost: 3/4 = 0.75, lift 1.875.
    # "Pricing" for 2 won and 4 lost: 2/6, lift 0.8333. "Student" for 0 won and 2 lost: lift 0.
    mqls = [
        (frozenset({"Demo", "Pricing"}), True),
        (frozenset({"Demo", "Pricing"}), True),
        (frozenset({"Demo"}), True),
        (frozenset(), True),
        (frozenset({"Demo", "Pricing"}), False),
        (frozenset({"Pricing"}), False),
        (frozenset({"Pricing", "Student"}), False),
        (frozenset({"Pricing", "Student"}), False),
        (frozenset(), False),
        (frozenset(), False),
    ]
    assert rule_lift(mqls) == [
        RuleLift("Demo", 3, 1, pytest.approx(1.875)),  # type: ignore[arg-type]
        RuleLift("Pricing", 2, 4, pytest.approx(2 / 6 / 0.4)),  # type: ignore[arg-type]
        RuleLift("Student", 0, 2, 0.0),
    ]


def test_rule_lift_without_a_won_mql_has_no_lift() -> None:
    assert rule_lift([(frozenset({"Demo"}), False)]) == [RuleLift("Demo", 0, 1, None)]
